/**
 * The primitive set: every operation diffect can run, transform and stage is one
 * of these. Each transformation has one rule table typed over `Primitive`, so
 * adding a primitive here makes the compiler list every table that lacks it.
 *
 * @since 0.1.0
 */
import type { AbstractValue } from "./AbstractValue.js"
import type { DType } from "./DType.js"
import type { HostCallback } from "./HostCallback.js"
import type { Program } from "./Program.js"
import type { Shape } from "./Shape.js"

type NoParams = { readonly [K in never]: never }

/**
 * The parameters of each primitive, by name. Operands are tensors passed
 * positionally to `bind`; parameters are static (shapes, axes, dtypes).
 *
 * @since 0.1.0
 */
export interface PrimitiveParams {
  // elementwise unary
  readonly neg: NoParams
  readonly sin: NoParams
  readonly cos: NoParams
  readonly tan: NoParams
  readonly asin: NoParams
  readonly acos: NoParams
  readonly atan: NoParams
  readonly sinh: NoParams
  readonly cosh: NoParams
  readonly tanh: NoParams
  readonly exp: NoParams
  readonly log: NoParams
  readonly log1p: NoParams
  readonly expm1: NoParams
  readonly sqrt: NoParams
  readonly rsqrt: NoParams
  readonly abs: NoParams
  readonly sign: NoParams
  readonly floor: NoParams
  readonly ceil: NoParams
  readonly round: NoParams
  readonly logistic: NoParams
  readonly erf: NoParams
  /** `1 - erf(x)`, accurate for large `x` (JAX's `erfc`). */
  readonly erfc: NoParams
  /** The inverse of `erf` on (-1, 1) (JAX's `erf_inv`). */
  readonly erf_inv: NoParams
  /** `log|Gamma(x)|` (JAX's `lgamma`). */
  readonly lgamma: NoParams
  /** The logarithmic derivative of Gamma (JAX's `digamma`). */
  readonly digamma: NoParams
  /** `x ** y` for a static integer `y` (JAX's `integer_pow`). */
  readonly integer_pow: { readonly y: number }
  /** Logical not on bool (bitwise not on integers). */
  readonly not: NoParams
  // elementwise binary (operands already share a dtype and broadcast shape)
  readonly add: NoParams
  readonly sub: NoParams
  readonly mul: NoParams
  readonly div: NoParams
  readonly pow: NoParams
  readonly max: NoParams
  readonly min: NoParams
  readonly atan2: NoParams
  /** Remainder with the sign of the dividend (C's `fmod`, JAX's `lax.rem`). */
  readonly rem: NoParams
  readonly and: NoParams
  readonly or: NoParams
  /** Exclusive or: bitwise on integers, logical on bool (JAX's `xor`). */
  readonly xor: NoParams
  /** `x << y` on integers; counts >= the bit width give 0 (XLA's rule). */
  readonly shift_left: NoParams
  /** `x >> y` filling with zeros; counts >= the bit width give 0. */
  readonly shift_right_logical: NoParams
  /** `x >> y` filling with the sign bit; counts >= the bit width give all sign bits. */
  readonly shift_right_arithmetic: NoParams
  // comparisons (bool output)
  readonly eq: NoParams
  readonly ne: NoParams
  readonly lt: NoParams
  readonly le: NoParams
  readonly gt: NoParams
  readonly ge: NoParams
  /** `select(pred, onTrue, onFalse)`: elementwise choice; all three share a shape. */
  readonly select: NoParams
  // complex numbers
  /** `complex(re, im)` from two real operands of one dtype. */
  readonly complex: NoParams
  readonly real: NoParams
  readonly imag: NoParams
  readonly conj: NoParams
  readonly convert_element_type: { readonly dtype: DType; readonly weakType: boolean }
  /**
   * JAX's `bitcast_convert_type`: the same bits read as another 32-bit dtype
   * (float32, int32, uint32); no derivative.
   */
  readonly bitcast_convert_type: { readonly newDtype: DType }
  /** Identity whose derivative is zero. */
  readonly stop_gradient: NoParams
  // reductions
  readonly reduce_sum: { readonly axes: ReadonlyArray<number> }
  readonly reduce_max: { readonly axes: ReadonlyArray<number> }
  readonly reduce_min: { readonly axes: ReadonlyArray<number> }
  readonly reduce_prod: { readonly axes: ReadonlyArray<number> }
  readonly argmax: { readonly axis: number }
  readonly argmin: { readonly axis: number }
  readonly cumsum: { readonly axis: number; readonly reverse: boolean }
  /** Inclusive cumulative product along `axis` (from the end when `reverse`). */
  readonly cumprod: { readonly axis: number; readonly reverse: boolean }
  /** Inclusive running maximum along `axis` (NaN propagates, as `max`). */
  readonly cummax: { readonly axis: number; readonly reverse: boolean }
  /** Inclusive running minimum along `axis`. */
  readonly cummin: { readonly axis: number; readonly reverse: boolean }
  /** Inclusive running `log(sum(exp(x)))` along `axis` (JAX's `cumlogsumexp`). */
  readonly cumlogsumexp: { readonly axis: number; readonly reverse: boolean }
  /**
   * JAX's `sort`: every operand (one shape) reordered along `dimension` by the
   * first `numKeys` operands compared lexicographically; one output per operand.
   * Floats order with -0 equal to 0 and NaN last. The kernels are always stable.
   */
  readonly sort: { readonly dimension: number; readonly isStable: boolean; readonly numKeys: number }
  /** JAX's `top_k`: the `k` largest along the last axis, largest first (ties: lower index), and their int32 indices. */
  readonly top_k: { readonly k: number }
  // shapes
  /** JAX's `broadcast_in_dim`: operand dim i becomes output dim `broadcastDimensions[i]`. */
  readonly broadcast_in_dim: { readonly shape: Shape; readonly broadcastDimensions: ReadonlyArray<number> }
  readonly reshape: { readonly newSizes: Shape }
  readonly transpose: { readonly permutation: ReadonlyArray<number> }
  readonly squeeze: { readonly dimensions: ReadonlyArray<number> }
  readonly expand_dims: { readonly dimensions: ReadonlyArray<number> }
  /** Reverse the order of elements along `dimensions`. */
  readonly rev: { readonly dimensions: ReadonlyArray<number> }
  readonly slice: {
    readonly startIndices: ReadonlyArray<number>
    readonly limitIndices: ReadonlyArray<number>
    readonly strides: ReadonlyArray<number> | null
  }
  /** `pad(x, paddingValue)`: `[low, high, interior]` per dimension; negative low/high crop. */
  readonly pad: { readonly config: ReadonlyArray<readonly [number, number, number]> }
  readonly concatenate: { readonly dimension: number }
  /**
   * `split(x)`: consecutive pieces of `sizes[i]` elements along `axis`, one output
   * per size (JAX's `split`, a primitive with several results; the transpose of
   * `concatenate`).
   */
  readonly split: { readonly sizes: ReadonlyArray<number>; readonly axis: number }
  /**
   * `gather(x, indices)`: NumPy's `take` along `axis`; output shape is
   * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. Out-of-range indices are
   * clamped (JAX's default for gathers); negative indices are normalized first by the ops API.
   */
  readonly gather: { readonly axis: number }
  /** `scatter_add(operand, indices, updates)`: the transpose of `gather`; adds updates at indices along `axis`. */
  readonly scatter_add: { readonly axis: number }
  /**
   * `scatter(operand, indices, updates)`: like `scatter_add`, combining each
   * update into the operand with `combine` instead of adding (JAX's `scatter`,
   * `scatter_mul`, `scatter_min`, `scatter_max` as one primitive). Updates are
   * applied in index order, so with repeated indices `"set"` keeps the last.
   * `uniqueIndices` is the caller's promise that indices do not repeat (JAX's
   * `unique_indices`; `"mul"`'s derivative in the updates needs it).
   */
  readonly scatter: {
    readonly axis: number
    readonly combine: ScatterCombine
    readonly uniqueIndices: boolean
  }
  /**
   * `dot_general(lhs, rhs)`: contraction with batch dimensions; output dims are
   * batch, then lhs free, then rhs free (JAX's order).
   */
  readonly dot_general: {
    readonly contracting: readonly [ReadonlyArray<number>, ReadonlyArray<number>]
    readonly batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>]
    /** JAX's `precision` (absent: `"default"`); see {@link Precision}. */
    readonly precision?: Precision
  }
  /**
   * JAX's `conv_general_dilated` (XLA's `ConvGeneralDilated`): an N-d
   * convolution (cross-correlation: the kernel is not flipped) of `lhs`
   * (batch, feature, spatial...) with `rhs` (out feature, in feature,
   * spatial...), the dimensions located by `dimensionNumbers`. `padding` is
   * explicit `[low, high]` per spatial dimension (negative crops); `lhsDilation`
   * inserts `d - 1` zeros between input elements (transposed convolution),
   * `rhsDilation` between kernel taps (atrous). With `featureGroupCount` G the
   * features split into G groups convolved separately; with `batchGroupCount` B
   * the lhs batch splits into B groups (group-major), each giving O/B output features.
   */
  readonly conv_general_dilated: {
    readonly windowStrides: ReadonlyArray<number>
    readonly padding: ReadonlyArray<readonly [number, number]>
    readonly lhsDilation: ReadonlyArray<number>
    readonly rhsDilation: ReadonlyArray<number>
    readonly dimensionNumbers: ConvDimensionNumbers
    readonly featureGroupCount: number
    readonly batchGroupCount: number
    /** JAX's `precision` (absent: `"default"`); see {@link Precision}. */
    readonly precision?: Precision
  }
  /**
   * JAX's `reduce_window_sum`: the sum over each window (see {@link WindowParams});
   * padding elements are 0.
   */
  readonly reduce_window_sum: WindowParams
  /** JAX's `reduce_window_max`: the maximum over each window; padding elements are -inf (the dtype's minimum). */
  readonly reduce_window_max: WindowParams
  /** JAX's `reduce_window_min`: the minimum over each window; padding elements are +inf (the dtype's maximum). */
  readonly reduce_window_min: WindowParams
  /**
   * JAX's `select_and_gather_add(tangents, operand)`: per window, the tangent at
   * the operand element `selectPrim` picks (`"ge"`: the first maximum, `"le"`: the
   * first minimum; padding is never picked, an all-padding window gives 0).
   * The JVP of `reduce_window_max`/`_min`; linear in the tangents.
   */
  readonly select_and_gather_add: WindowParams & { readonly selectPrim: "ge" | "le" }
  /**
   * JAX's `select_and_scatter_add(source, operand)`: each window's `source` value
   * added at the operand element `selectPrim` picks; the transpose of
   * `select_and_gather_add` (max/min pooling's gradient).
   */
  readonly select_and_scatter_add: WindowParams & { readonly selectPrim: "ge" | "le" }
  /**
   * JAX's `fft` (XLA's `Fft`): the discrete Fourier transform over the trailing
   * `fftLengths.length` (1 to 3) dimensions, of the kind `fftType` (see
   * {@link FftType}). `IFFT` and `IRFFT` divide by the product of the lengths.
   */
  readonly fft: { readonly fftType: FftType; readonly fftLengths: ReadonlyArray<number> }
  readonly iota: { readonly dtype: DType; readonly shape: Shape; readonly dimension: number }
  // linear algebra (JAX's lax.linalg primitives): each acts on the last two
  // dimensions and maps over the leading ones
  /** `cholesky(a)`: the lower Cholesky factor (upper triangle zero); NaN where `a` is not positive definite. */
  readonly cholesky: NoParams
  /**
   * `triangular_solve(a, b)`: `op(a) x = b` (`leftSide`) or `x op(a) = b`, with
   * `op(a)` = `a`, `a^T` (`transposeA`) or `a^H` (also `conjugateA`). Only the
   * `lower` (or upper) triangle of `a` is read; `unitDiagonal` takes its diagonal as ones.
   */
  readonly triangular_solve: {
    readonly leftSide: boolean
    readonly lower: boolean
    readonly transposeA: boolean
    readonly conjugateA: boolean
    readonly unitDiagonal: boolean
  }
  /**
   * `lu(a)`: LU with partial pivoting, three outputs: the packed factors (`L`
   * unit lower below the diagonal, `U` on and above), the int32 row pivots (LAPACK's,
   * 0-based) and the int32 permutation they make (`a[perm] = L U`).
   */
  readonly lu: NoParams
  /** `qr(a)`: Householder QR, outputs `q` and `r` (reduced, or complete with `fullMatrices`). */
  readonly qr: { readonly fullMatrices: boolean }
  /**
   * `eigh(a)`: eigenvectors `v` (columns) and ascending real eigenvalues `w` of a
   * Hermitian matrix, of which only the `lower` (or upper) triangle is read.
   */
  readonly eigh: { readonly lower: boolean }
  /**
   * `svd(a)`: singular values `s` (descending) and, with `computeUv`, `u` and `vt`
   * (`a = u diag(s) vt`; reduced or, with `fullMatrices`, complete).
   */
  readonly svd: { readonly fullMatrices: boolean; readonly computeUv: boolean }
  /**
   * `eig(a)`: eigenvalues `w` of a general square matrix (complex dtype), then
   * the left eigenvectors `vl` (`computeLeftEigenvectors`) and the right ones
   * `vr` (`computeRightEigenvectors`) as columns, each of unit norm with its
   * largest component real (LAPACK geev's outputs).
   */
  readonly eig: { readonly computeLeftEigenvectors: boolean; readonly computeRightEigenvectors: boolean }
  /**
   * `schur(a)`: the Schur form `t` of a square matrix (real quasi-triangular, 2x2
   * diagonal blocks for complex-conjugate eigenvalue pairs, for real input;
   * triangular for complex input) and, with `computeSchurVectors`, the unitary
   * `z` with `a = z t z^H` (LAPACK gees's outputs).
   */
  readonly schur: { readonly computeSchurVectors: boolean }
  /**
   * `hessenberg(a)`: the upper Hessenberg form with the Householder reflectors
   * packed below its first subdiagonal, and their scalar factors `taus`
   * (`[..., n - 1]`; LAPACK gehrd's outputs).
   */
  readonly hessenberg: NoParams
  // collectives over named axes (bound by vmap's axisName)
  readonly psum: { readonly axisName: string }
  readonly pmax: { readonly axisName: string }
  readonly pmin: { readonly axisName: string }
  readonly axis_index: { readonly axisName: string }
  /**
   * `all_gather` (JAX's `all_gather_p`): every instance's value, stacked along
   * a new axis `axis` (or concatenated along it, `tiled`); `axisSize` is the
   * axis's size where it was bound (abstract evaluation needs it).
   */
  readonly all_gather: {
    readonly axisName: string
    readonly axis: number
    readonly tiled: boolean
    readonly axisSize: number
  }
  /**
   * `psum_scatter` (JAX's reduce-scatter): the sum over the axis, of which
   * instance `i` keeps index `i` of `scatterDimension` (block `i`, `tiled`).
   */
  readonly psum_scatter: {
    readonly axisName: string
    readonly scatterDimension: number
    readonly tiled: boolean
    readonly axisSize: number
  }
  /**
   * `ppermute` (JAX's `ppermute_p`): instance `dst` gets instance `src`'s value
   * for each `[src, dst]` pair of `perm`; instances no pair sends to get zeros.
   */
  readonly ppermute: { readonly axisName: string; readonly perm: ReadonlyArray<readonly [number, number]> }
  /**
   * `all_to_all` (JAX's `all_to_all_p`, always in its tiled form): each
   * instance splits `splitAxis` into `axisSize` blocks and sends block `j` to
   * instance `j`, which concatenates the blocks it gets along `concatAxis` in
   * instance order.
   */
  readonly all_to_all: {
    readonly axisName: string
    readonly splitAxis: number
    readonly concatAxis: number
    readonly axisSize: number
  }
  /** Identity naming a value for `saveOnlyTheseNames` policies (JAX's `checkpoint_name`, `name_p`). */
  readonly checkpoint_name: { readonly name: string }
  /**
   * `debug_callback` (JAX's `debug_callback_p`, behind `debug.callback` and
   * `debug.print`): calls `callback` with host copies of its operands when it
   * runs, eagerly or in a compiled program; it has no outputs. An effect: dead-code
   * elimination keeps it, common-subexpression elimination never merges two, and
   * constant folding never runs it at compile time.
   */
  readonly debug_callback: { readonly callback: HostCallback }
  /**
   * `pure_callback` (JAX's `pure_callback_p`, behind `pureCallback`): calls
   * `callback` with host copies of its operands and gives its outputs, of
   * `resultAvals`. Pure: it may be removed when unused or merged with an equal
   * one, but is never run at compile time. No JVP or transpose (JAX's); under
   * vmap, `vmapMethod` says how it batches.
   */
  readonly pure_callback: {
    readonly callback: HostCallback
    readonly resultAvals: ReadonlyArray<AbstractValue>
    readonly vmapMethod: VmapMethod | null
  }
  /**
   * `io_callback` (JAX's `io_callback_p`, behind `ioCallback`): `pure_callback`
   * with side effects: an effect (kept when unused, never merged or folded);
   * `ordered` calls cannot be batched. No JVP or transpose (JAX's).
   */
  readonly io_callback: {
    readonly callback: HostCallback
    readonly resultAvals: ReadonlyArray<AbstractValue>
    readonly ordered: boolean
  }
  // higher-order primitives: their parameters hold programs (see Program.ts)
  /**
   * `jit_call` (JAX's `pjit` / `closed_call`): runs `program` on the operands
   * (compiled at the bottom of the handler stack); every transformation maps it
   * to a `jit_call` of the transformed program. `name` is for printing.
   */
  readonly jit_call: { readonly name: string; readonly program: Program }
  /**
   * `cond(index, ...operands)` (JAX's `cond_p`, also behind `lax.switch`): runs
   * `branches[index]` on the operands; `index` is an int32 scalar in range (the
   * `lax` functions clamp it). Every branch takes and gives the same types.
   */
  readonly cond: { readonly branches: ReadonlyArray<Program> }
  /**
   * `while(...condConsts, ...bodyConsts, ...carry)` (JAX's `while_p`): while
   * `cond(...condConsts, ...carry)` is true, `carry = body(...bodyConsts, ...carry)`.
   */
  readonly while: {
    readonly cond: Program
    readonly body: Program
    readonly condConsts: number
    readonly bodyConsts: number
  }
  /**
   * `remat` (JAX's `checkpoint` / `remat_p`): runs `program`; under
   * linearization, the values its `policy` does not save are recomputed by the
   * staged (backward) half instead of kept as residuals.
   */
  readonly remat: { readonly program: Program; readonly policy: RematPolicy }
  /**
   * `linear_solve` (JAX's `custom_linear_solve`, `linear_solve_p`): runs
   * `solve` on `[solve's constants, b]`; `matvec` (the linear map solved for)
   * and the transposed system (`vecmat`, `transposeSolve`; null when not given)
   * define its derivatives by implicit differentiation. Operands: the four
   * programs' hoisted constants in that order (`constCounts`), then b's leaves.
   * `solve` (and `transposeSolve`) may give auxiliary outputs after x's leaves.
   */
  readonly linear_solve: {
    readonly matvec: Program
    readonly vecmat: Program | null
    readonly solve: Program
    readonly transposeSolve: Program | null
    readonly constCounts: readonly [matvec: number, vecmat: number, solve: number, transposeSolve: number]
  }
  /**
   * `scan` (JAX's `scan_p`): runs `program`, from `[consts..., carry...,
   * slices of xs...]` to `[carry..., slices of ys...]`, `length` times over the
   * leading axis of the xs (from the end with `reverse`), threading the carry;
   * operands are `[consts..., init..., xs...]`, outputs `[carry..., ys...]`
   * with the ys stacked along a new leading axis. `unroll` (JAX's): each trip
   * of the loop runs `unroll` iterations as one program (the body inlined that
   * many times; the rest of `length / unroll` run the body alone); the values
   * are the same.
   */
  readonly scan: {
    readonly program: Program
    readonly length: number
    readonly reverse: boolean
    readonly numConsts: number
    readonly numCarry: number
    readonly unroll: number
  }
}

/**
 * How `pure_callback` batches under vmap (JAX's `vmap_method`): `"sequential"`
 * calls it once per batch index (a `scan` over the batch),
 * `"sequential_unrolled"` the same unrolled, `"expand_dims"` once with the
 * batch axis in front of the batched operands and a size-1 axis on the others,
 * `"broadcast_all"` once with every operand broadcast to the batch.
 *
 * @since 0.1.0
 */
export type VmapMethod = "sequential" | "sequential_unrolled" | "expand_dims" | "broadcast_all"

/**
 * A rematerialization policy (JAX's `jax.checkpoint_policies`): whether the
 * outputs of an equation may be saved for the backward pass. `name` is what
 * programs print.
 *
 * @since 0.1.0
 */
export interface RematPolicy {
  readonly name: string
  readonly saveable: (primitive: Primitive, params: unknown) => boolean
}

/**
 * Where a convolution's dimensions are (JAX's `ConvDimensionNumbers`): each spec
 * lists dimension indices as `[batch, feature, spatial...]` for `lhsSpec` and
 * `outSpec`, `[out feature, in feature, spatial...]` for `rhsSpec`; spatial
 * dimensions correspond by position.
 *
 * @since 0.1.0
 */
export interface ConvDimensionNumbers {
  readonly lhsSpec: ReadonlyArray<number>
  readonly rhsSpec: ReadonlyArray<number>
  readonly outSpec: ReadonlyArray<number>
}

/**
 * A window sliding over an operand (JAX's `reduce_window` parameters): per
 * dimension, the window's size, its stride, `[low, high]` padding (negative
 * crops), the operand's dilation (`d - 1` holes between elements) and the
 * window's (`d - 1` skipped elements between taps).
 *
 * @since 0.1.0
 */
export interface WindowParams {
  readonly windowDimensions: ReadonlyArray<number>
  readonly windowStrides: ReadonlyArray<number>
  readonly padding: ReadonlyArray<readonly [number, number]>
  readonly baseDilation: ReadonlyArray<number>
  readonly windowDilation: ReadonlyArray<number>
}

/**
 * The kind of an `fft` (JAX's `lax.FftType`): `FFT` (complex to complex),
 * `IFFT` (its inverse), `RFFT` (real to the `n/2 + 1` non-negative frequencies
 * of the last axis) and `IRFFT` (those frequencies back to `n` real values).
 *
 * @since 0.1.0
 */
export type FftType = "FFT" | "IFFT" | "RFFT" | "IRFFT"

/** How `scatter` combines an update with the operand's element. @since 0.1.0 */
export type ScatterCombine = "set" | "mul" | "min" | "max"

/**
 * How `dot_general` accumulates float32 products (JAX's `lax.Precision`):
 * `"default"` and `"high"` accumulate in float32 (as XLA, XNNPACK and numpy's
 * sgemm on CPUs: sums of K terms carry about sqrt(K) float32 roundings);
 * `"highest"` accumulates in float64 and rounds the exact-to-float64 sum once.
 * Other dtypes always accumulate in their own precision.
 *
 * @since 0.1.0
 */
export type Precision = "default" | "high" | "highest"

/** The name of a primitive. @since 0.1.0 */
export type Primitive = keyof PrimitiveParams

/** The parameters of primitive `P`. @since 0.1.0 */
export type Params<P extends Primitive> = PrimitiveParams[P]

/** A rule table: one entry per primitive, checked by the compiler. @since 0.1.0 */
export type RuleTable<Rule extends { [P in Primitive]: unknown }> = { readonly [P in Primitive]: Rule[P] }

/**
 * What kind of operation a primitive is. The kind decides the rules that do not
 * depend on a primitive's own math:
 *
 * - `"unary"`, `"binary"`, `"select"`: elementwise on operands of one shape
 *   (one, two, or a predicate and two). They are written once in the kernel IR
 *   (core/src/Lowering.ts); their batching rule and both backends' kernels are
 *   derived from the kind (`fromKinds`).
 * - `"reduction"`, `"structural"` (shapes and indexing), `"contraction"`,
 *   `"creation"` (no operands), `"collective"` (over a named axis), `"linalg"`
 *   (matrix decompositions and solves over the last two dimensions): each has its
 *   own batching rule and kernels.
 * - `"higher-order"`: parameters hold programs (`jit_call`) or a host callback
 *   (`debug_callback`). They have a rule in every transformation's table but no
 *   backend kernel: the core evaluates them by running their programs or calling
 *   back (core/src/internal/higherOrder.ts).
 *
 * @since 0.1.0
 */
export type PrimitiveKind =
  | "unary"
  | "binary"
  | "select"
  | "reduction"
  | "structural"
  | "contraction"
  | "creation"
  | "collective"
  | "higher-order"
  | "linalg"

/**
 * The kind of every primitive: one registration per primitive, total over
 * `Primitive` (a primitive without a kind, or a kind for no primitive, does not
 * compile). The elementwise sets and every derived table come from here.
 *
 * @since 0.1.0
 */
export const primitiveKinds = {
  neg: "unary",
  sin: "unary",
  cos: "unary",
  tan: "unary",
  asin: "unary",
  acos: "unary",
  atan: "unary",
  sinh: "unary",
  cosh: "unary",
  tanh: "unary",
  exp: "unary",
  log: "unary",
  log1p: "unary",
  expm1: "unary",
  sqrt: "unary",
  rsqrt: "unary",
  abs: "unary",
  sign: "unary",
  floor: "unary",
  ceil: "unary",
  round: "unary",
  logistic: "unary",
  erf: "unary",
  erfc: "unary",
  erf_inv: "unary",
  lgamma: "unary",
  digamma: "unary",
  integer_pow: "unary",
  not: "unary",
  add: "binary",
  sub: "binary",
  mul: "binary",
  div: "binary",
  pow: "binary",
  max: "binary",
  min: "binary",
  atan2: "binary",
  rem: "binary",
  and: "binary",
  or: "binary",
  xor: "binary",
  shift_left: "binary",
  shift_right_logical: "binary",
  shift_right_arithmetic: "binary",
  eq: "binary",
  ne: "binary",
  lt: "binary",
  le: "binary",
  gt: "binary",
  ge: "binary",
  select: "select",
  complex: "binary",
  real: "unary",
  imag: "unary",
  conj: "unary",
  convert_element_type: "unary",
  bitcast_convert_type: "structural",
  stop_gradient: "unary",
  reduce_sum: "reduction",
  reduce_max: "reduction",
  reduce_min: "reduction",
  reduce_prod: "reduction",
  argmax: "reduction",
  argmin: "reduction",
  cumsum: "reduction",
  cumprod: "reduction",
  cummax: "reduction",
  cummin: "reduction",
  cumlogsumexp: "reduction",
  sort: "structural",
  top_k: "reduction",
  broadcast_in_dim: "structural",
  reshape: "structural",
  transpose: "structural",
  squeeze: "structural",
  expand_dims: "structural",
  rev: "structural",
  slice: "structural",
  pad: "structural",
  concatenate: "structural",
  split: "structural",
  gather: "structural",
  scatter_add: "structural",
  scatter: "structural",
  dot_general: "contraction",
  conv_general_dilated: "contraction",
  reduce_window_sum: "reduction",
  reduce_window_max: "reduction",
  reduce_window_min: "reduction",
  select_and_gather_add: "structural",
  select_and_scatter_add: "structural",
  fft: "structural",
  iota: "creation",
  cholesky: "linalg",
  triangular_solve: "linalg",
  lu: "linalg",
  qr: "linalg",
  eigh: "linalg",
  svd: "linalg",
  eig: "linalg",
  schur: "linalg",
  hessenberg: "linalg",
  psum: "collective",
  pmax: "collective",
  pmin: "collective",
  axis_index: "collective",
  all_gather: "collective",
  psum_scatter: "collective",
  ppermute: "collective",
  all_to_all: "collective",
  checkpoint_name: "structural",
  // evaluated by the core (it calls back into JS), as the primitives that hold programs are
  debug_callback: "higher-order",
  pure_callback: "higher-order",
  io_callback: "higher-order",
  jit_call: "higher-order",
  cond: "higher-order",
  while: "higher-order",
  scan: "higher-order",
  remat: "higher-order",
  linear_solve: "higher-order"
} as const satisfies { readonly [P in Primitive]: PrimitiveKind }

/** The kind of primitive `P`. @since 0.1.0 */
export type KindOf<P extends Primitive> = (typeof primitiveKinds)[P]

/** The primitives of kind `K`. @since 0.1.0 */
export type PrimitiveOfKind<K extends PrimitiveKind> = { [P in Primitive]: KindOf<P> extends K ? P : never }[Primitive]

/** Elementwise primitives of one operand. @since 0.1.0 */
export type UnaryPrimitive = PrimitiveOfKind<"unary">
/** Elementwise primitives of two operands of one shape. @since 0.1.0 */
export type BinaryPrimitive = PrimitiveOfKind<"binary">
/** Elementwise primitives: a backend compiles them from the scalar kernel IR. @since 0.1.0 */
export type ElementwisePrimitive = PrimitiveOfKind<"unary" | "binary" | "select">
/** The primitives whose parameters hold programs. @since 0.1.0 */
export type HigherOrderPrimitive = PrimitiveOfKind<"higher-order">
/** The primitives a backend runs with a kernel (all but the higher-order ones). @since 0.1.0 */
export type FirstOrderPrimitive = Exclude<Primitive, HigherOrderPrimitive>
/** The primitives that are not elementwise: each table has its own entry for them. @since 0.1.0 */
export type StructuredPrimitive = Exclude<Primitive, ElementwisePrimitive>

/**
 * The primitives whose kind is one of `kinds`, in the order of `primitiveKinds`.
 *
 * @example
 * import { primitivesOfKind } from "diffect/extend"
 * console.log(primitivesOfKind("select")) // ["select"]
 *
 * @since 0.1.0
 */
export const primitivesOfKind = <K extends PrimitiveKind>(...kinds: ReadonlyArray<K>): Array<PrimitiveOfKind<K>> =>
  (Object.keys(primitiveKinds) as Array<Primitive>).filter((p) =>
    (kinds as ReadonlyArray<PrimitiveKind>).includes(primitiveKinds[p])
  ) as Array<PrimitiveOfKind<K>>

/** @since 0.1.0 */
export const unaryPrimitives: ReadonlySet<Primitive> = new Set(primitivesOfKind("unary"))
/** @since 0.1.0 */
export const binaryPrimitives: ReadonlySet<Primitive> = new Set(primitivesOfKind("binary"))
/** @since 0.1.0 */
export const isElementwise = (p: Primitive): p is ElementwisePrimitive => {
  const kind = primitiveKinds[p]
  return kind === "unary" || kind === "binary" || kind === "select"
}
/** @since 0.1.0 */
export const isHigherOrder = (p: Primitive): p is HigherOrderPrimitive => primitiveKinds[p] === "higher-order"

/**
 * A rule table over every primitive (or every first-order one, for backend
 * kernels), with the elementwise entries derived from their kind:
 * `elementwise(p, kind)` for each elementwise primitive (unless `overrides` has
 * one), `structured` for the others. `structured` is typed over every
 * non-elementwise primitive of the table, so a new one is still a compile error
 * in every table built this way; a new elementwise primitive needs only its
 * kind and its kernel-IR lowering.
 *
 * @example
 * import { fromKinds } from "diffect/extend"
 * import type { Primitive, StructuredPrimitive } from "diffect/extend"
 * // The operand count of the elementwise primitives, from their kind (0 for the others here).
 * const others = { reduce_sum: 0 } as unknown as { [P in StructuredPrimitive]: number }
 * const arity = fromKinds<{ [P in Primitive]: number }>(
 *   (_p, kind) => (kind === "unary" ? 1 : kind === "binary" ? 2 : 3),
 *   others
 * )
 * console.log([arity.neg, arity.add, arity.select]) // [1, 2, 3]
 *
 * @since 0.1.0
 */
export const fromKinds = <Rules extends { readonly [P in ElementwisePrimitive]: unknown }>(
  elementwise: (primitive: ElementwisePrimitive, kind: KindOf<ElementwisePrimitive>) => Rules[ElementwisePrimitive],
  structured: { readonly [P in Exclude<keyof Rules, ElementwisePrimitive>]: Rules[P] },
  overrides: { readonly [P in ElementwisePrimitive]?: Rules[P] } = {}
): { readonly [P in keyof Rules]: Rules[P] } => {
  const table: Record<string, unknown> = {}
  for (const p of Object.keys(primitiveKinds) as Array<Primitive>) {
    if (isElementwise(p)) {
      const own = overrides[p]
      table[p] = own !== undefined ? own : elementwise(p, primitiveKinds[p])
    }
  }
  for (const [p, rule] of Object.entries(structured)) table[p] = rule
  return table as { readonly [P in keyof Rules]: Rules[P] }
}
