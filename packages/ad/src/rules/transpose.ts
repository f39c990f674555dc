/**
 * Transpose rules: for each primitive that is linear in some operands, how an
 * output cotangent flows back to those operands. Only linear primitives have a
 * rule (the table is partial); a non-linear primitive reaching transposition is
 * a `NonLinearTransposeError`.
 *
 * Complex numbers follow JAX's conventions exactly (jax/_src/lax/lax.py):
 * transposition is the plain (not conjugate) transpose, `mul`'s is `ct * y`,
 * `real`'s is `complex(ct, 0)`, `imag`'s is `complex(0, -ct)`, `conj`'s is
 * `conj(ct)`. With these, the gradient of a real function of `z = x + iy` comes
 * out as `df/dx - i df/dy`, and of a holomorphic function as `f'(z)`.
 *
 * @since 0.1.0
 */
import { aval, bind, bind1, DType, lax } from "@diffect/core"
import type { AbstractValue, Params, Precision, Primitive, Tensor } from "@diffect/core"
import type { Program } from "@diffect/core/Program"
import { evalProgram, pruneProgram } from "@diffect/core/Program"
import { DerivativeNotImplementedError, NonLinearTransposeError, WhileLoopReverseModeError } from "../Errors.js"
import { cachedByMask, maskKey } from "../internal/programCache.js"
import { convertTangent, zerosOf } from "../internal/tangents.js"
import { convTransposeLhs, convTransposeRhs } from "./conv.js"
import { fftTranspose } from "./fft.js"
import { linearSolveTranspose } from "./linearSolve.js"
import { scanTranspose } from "./scan.js"
import { reduceWindowSumTranspose, selectGatherTranspose, selectScatterTranspose } from "./window.js"

/**
 * An operand of a linear equation that is itself linear (a tangent or
 * cotangent-carrying variable), known only by its type (JAX's `UndefinedPrimal`).
 *
 * @since 0.1.0
 */
export class LinearOperand {
  constructor(readonly aval: AbstractValue) {}
}

/**
 * The transpose rule of primitive `P`: given one cotangent per output (`null`
 * for a symbolic zero; never all of them) and the operands (`LinearOperand` for the linear ones, values
 * for the others), the cotangent of each operand (`null` for non-linear operands
 * and for zero).
 *
 * @since 0.1.0
 */
export type TransposeRule<P extends Primitive> = (
  cts: ReadonlyArray<Tensor | null>,
  operands: ReadonlyArray<Tensor | LinearOperand>,
  params: Params<P>,
  transposeOf: TransposeOfProgram
) => ReadonlyArray<Tensor | null>

/**
 * The transpose of a program linear in the inputs flagged in `linear` (JAX's
 * `transpose_jaxpr`): a program from `[the other inputs..., one cotangent per
 * output...]` to one cotangent per linear input (zeros where none flows).
 * Cached by program and mask. Given to the rules of higher-order primitives by
 * the backward pass that owns it (a rule importing it would be an import cycle).
 *
 * @since 0.1.0
 */
export type TransposeOfProgram = (program: Program, linear: ReadonlyArray<boolean>) => Program

/**
 * The transpose rule of a primitive with one output, whose cotangent is then
 * never a symbolic zero (the backward pass skips an equation none reached).
 *
 * @since 0.1.0
 */
export type SingleTransposeRule<P extends Primitive> = (
  ct: Tensor,
  operands: ReadonlyArray<Tensor | LinearOperand>,
  params: Params<P>
) => ReadonlyArray<Tensor | null>

/**
 * The rule of a single-output primitive as a `TransposeRule`.
 *
 * @since 0.1.0
 */
export const single =
  <P extends Primitive>(rule: SingleTransposeRule<P>): TransposeRule<P> => (cts, operands, params) =>
    rule(cts[0]!, operands, params)

const isLinear = (x: Tensor | LinearOperand | undefined): x is LinearOperand => x instanceof LinearOperand

const nonLinear = (p: Primitive, detail: string): never => {
  throw new NonLinearTransposeError({ primitive: p, detail })
}

/** A unary linear op whose transpose is `f(ct, operandAval, params)`. */
const unary = <P extends Primitive>(
  f: (ct: Tensor, x: AbstractValue, params: Params<P>) => Tensor
): TransposeRule<P> => single((ct, operands, params) => [f(ct, (operands[0] as LinearOperand).aval, params)])

/** A complement of `axes` among `ndim` dimensions. */
const complement = (ndim: number, axes: ReadonlyArray<number>): Array<number> => {
  const out: Array<number> = []
  for (let i = 0; i < ndim; i++) if (!axes.includes(i)) out.push(i)
  return out
}

const reduceTo = (ct: Tensor, a: AbstractValue): Tensor =>
  ct.dtype === a.dtype && ct.weakType === a.weakType ? ct : convertTangent(ct, a.dtype, a.weakType)

/** Inverse of a permutation. */
const inverse = (perm: ReadonlyArray<number>): Array<number> => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => (inv[p] = i))
  return inv
}

/**
 * The cotangent of one operand of `dot_general`. `ct` has dims
 * `[batch, lhs free, rhs free]`; contracting it with the other operand over the
 * other operand's free dims gives `[batch, own free, own contracting (in the other
 * operand's order)]`, which a transpose puts back in the operand's layout.
 */
const dotTransposeOperand = (
  ct: Tensor,
  other: Tensor,
  own: AbstractValue,
  ownContract: ReadonlyArray<number>,
  ownBatch: ReadonlyArray<number>,
  otherContract: ReadonlyArray<number>,
  otherBatch: ReadonlyArray<number>,
  ownIsLhs: boolean,
  precision: Precision | undefined
): Tensor => {
  const nb = ownBatch.length
  const ownFree = complement(own.shape.length, [...ownContract, ...ownBatch])
  const otherFree = complement(other.ndim, [...otherContract, ...otherBatch])
  // Positions of the free dims of each side in ct.
  const lhsFreeCount = ownIsLhs ? ownFree.length : otherFree.length
  const ctOtherFree = otherFree.map((_, i) => nb + (ownIsLhs ? lhsFreeCount + i : i))
  const ctBatch = ownBatch.map((_, i) => i)
  const r = lax.dotGeneral(ct, other, [ctOtherFree, otherFree], [ctBatch, [...otherBatch]], { precision })
  // r dims: batch (own batch order), own free (ascending), then other's remaining dims
  // in ascending order: the other's contracting dims, each paired with one of ours.
  const pairs = otherContract.map((o, j) => [o, ownContract[j]!] as const).sort((a, b) => a[0] - b[0])
  const order = [...ownBatch, ...ownFree, ...pairs.map(([, d]) => d)]
  // order[k] = operand dim at r's position k; transpose so operand dim i takes r's dim perm[i].
  const perm = inverse(order)
  const identity = perm.every((p, i) => p === i)
  return identity ? r : lax.transpose(r, perm)
}

// The program restricted to the outputs that have cotangents: JAX prunes a call's jaxpr so
// before transposing it (jax issue 15660), so that an unused output that is not linear in the
// inputs (`x > 0` beside `2 x`) is not transposed.
const pruned = new WeakMap<Program, Map<string, Program>>()
const withCotangents = (program: Program, cts: ReadonlyArray<Tensor | null>): Program => {
  const live = cts.map((ct) => ct !== null)
  if (live.every((b) => b)) return program
  return cachedByMask(
    pruned,
    program,
    maskKey(live),
    () => pruneProgram(program, program.outputs.filter((_, i) => live[i]))
  )
}

/**
 * The transpose rule of every linear primitive.
 *
 * @since 0.1.0
 */
export const transposeRules: { readonly [P in Primitive]?: TransposeRule<P> } = {
  neg: unary((ct) => lax.neg(ct)),
  add: single((ct, [x, y]) => [isLinear(x) ? ct : null, isLinear(y) ? ct : null]),
  sub: single((ct, [x, y]) => [isLinear(x) ? ct : null, isLinear(y) ? lax.neg(ct) : null]),
  mul: single((ct, [x, y]) => {
    if (isLinear(x) && isLinear(y)) nonLinear("mul", "both operands of mul are linear")
    return isLinear(x) ? [lax.mul(ct, y as Tensor), null] : [null, lax.mul(x as Tensor, ct)]
  }),
  div: single((ct, [, y]) => {
    if (isLinear(y)) nonLinear("div", "the divisor of div is linear")
    return [lax.div(ct, y as Tensor), null]
  }),
  convert_element_type: single((ct, [x]) => {
    const a = (x as LinearOperand).aval
    return [DType.isInexact(a.dtype) ? convertTangent(ct, a.dtype, a.weakType) : null]
  }),
  reduce_sum: unary((ct, x, { axes }) => lax.broadcastInDim(ct, x.shape, complement(x.shape.length, axes))),
  broadcast_in_dim: unary((ct, x, { broadcastDimensions, shape }) => {
    // Sum over the new dims and over dims that were size 1 and got broadcast.
    const unit = broadcastDimensions.map((_, i) => i).filter((i) =>
      x.shape[i] === 1 && shape[broadcastDimensions[i]!] !== 1
    )
    const kept = broadcastDimensions.filter((_, i) => !unit.includes(i))
    const axes = complement(shape.length, kept)
    const summed = axes.length === 0 ? ct : lax.reduceSum(ct, axes)
    return unit.length === 0 ? summed : lax.reshape(summed, x.shape)
  }),
  reshape: unary((ct, x) => lax.reshape(ct, x.shape)),
  transpose: unary((ct, _x, { permutation }) => lax.transpose(ct, inverse(permutation))),
  squeeze: unary((ct, x) => lax.reshape(ct, x.shape)),
  expand_dims: unary((ct, x) => lax.reshape(ct, x.shape)),
  rev: unary((ct, _x, { dimensions }) => lax.rev(ct, dimensions)),
  slice: unary((ct, x, { startIndices, strides }) => {
    const zero = lax.scalar(0, ct.dtype, ct.weakType)
    const config = x.shape.map((d, i): readonly [number, number, number] => {
      const s = strides === null ? 1 : strides[i]!
      const n = ct.shape[i]!
      const realLimit = n === 0 ? startIndices[i]! : startIndices[i]! + 1 + (n - 1) * s
      return [startIndices[i]!, d - realLimit, s - 1]
    })
    return lax.pad(ct, zero, config)
  }),
  pad: single((ct, [x, v], { config }) => {
    // Undo the low/high padding (negative padding crops), then drop the interior.
    const operandCt = () => {
      const unpadded = lax.pad(
        ct,
        lax.scalar(0, ct.dtype, ct.weakType),
        config.map(([lo, hi]) => [-lo, -hi, 0] as const)
      )
      const strides = config.map(([, , interior]) => interior + 1)
      return lax.slice(unpadded, unpadded.shape.map(() => 0), unpadded.shape, strides)
    }
    const tx = isLinear(x) || isLinear(v) ? operandCt() : null
    const all = (t: Tensor) => lax.reduceSum(t, t.shape.map((_, i) => i))
    return [isLinear(x) ? tx : null, isLinear(v) ? lax.sub(all(ct), all(tx!)) : null]
  }),
  split: (cts, [x], { axis, sizes }) => {
    // JAX's `_split_transpose_rule`: the pieces' cotangents, zeros where none flowed, concatenated.
    const a = (x as LinearOperand).aval
    const pieces = cts.map((ct, i) => {
      if (ct !== null) return ct
      const shape = a.shape.slice()
      shape[axis] = sizes[i]!
      return zerosOf(aval(shape, a.dtype, a.weakType))
    })
    return [lax.concatenate(pieces, axis)]
  },
  concatenate: single((ct, operands, { dimension }) => {
    let offset = 0
    return operands.map((x) => {
      const a = isLinear(x) ? x.aval : (x as Tensor).aval
      const start = offset
      offset += a.shape[dimension]!
      if (!isLinear(x)) return null
      const lo = ct.shape.map((_, i) => (i === dimension ? start : 0))
      const hi = ct.shape.map((d, i) => (i === dimension ? offset : d))
      return lax.slice(ct, lo, hi)
    })
  }),
  gather: single((ct, [x, idx], { axis }) => {
    if (isLinear(idx)) nonLinear("gather", "the indices of gather are linear")
    const a = (x as LinearOperand).aval
    return [lax.scatterAdd(zerosOf(a), idx as Tensor, ct, axis), null]
  }),
  scatter_add: single((ct, [x, idx, u], { axis }) => {
    if (isLinear(idx)) nonLinear("scatter_add", "the indices of scatter_add are linear")
    return [isLinear(x) ? ct : null, null, isLinear(u) ? lax.gather(ct, idx as Tensor, axis) : null]
  }),
  dot_general: single((ct, [x, y], { batch, contracting, precision }) => {
    if (isLinear(x) && isLinear(y)) nonLinear("dot_general", "both operands of dot_general are linear")
    if (isLinear(x)) {
      return [
        dotTransposeOperand(
          ct,
          y as Tensor,
          x.aval,
          contracting[0],
          batch[0],
          contracting[1],
          batch[1],
          true,
          precision
        ),
        null
      ]
    }
    const ya = (y as LinearOperand).aval
    return [
      null,
      dotTransposeOperand(ct, x as Tensor, ya, contracting[1], batch[1], contracting[0], batch[0], false, precision)
    ]
  }),
  conv_general_dilated: single((ct, [x, y], params) => {
    if (isLinear(x) && isLinear(y)) {
      nonLinear("conv_general_dilated", "both operands of conv_general_dilated are linear")
    }
    return isLinear(x)
      ? [convTransposeLhs(ct, x.aval, y as Tensor, params), null]
      : [null, convTransposeRhs(ct, x as Tensor, (y as LinearOperand).aval, params)]
  }),
  fft: unary(fftTranspose),
  reduce_window_sum: unary((ct, x, params) => reduceWindowSumTranspose(ct, x, params)),
  select_and_gather_add: single((ct, [t, x], params) => {
    if (isLinear(x)) nonLinear("select_and_gather_add", "the operand of select_and_gather_add is linear")
    return [isLinear(t) ? selectGatherTranspose(ct, x as Tensor, params) : null, null]
  }),
  select_and_scatter_add: single((ct, [s, x], params) => {
    if (isLinear(x)) nonLinear("select_and_scatter_add", "the operand of select_and_scatter_add is linear")
    return [isLinear(s) ? selectScatterTranspose(ct, x as Tensor, params) : null, null]
  }),
  cumsum: unary((ct, _x, { axis, reverse }) => lax.cumsum(ct, axis, !reverse)),
  select: single((ct, [p, x, y]) => {
    if (isLinear(p)) nonLinear("select", "the predicate of select is linear")
    const pred = p as Tensor
    const z = isLinear(x) || isLinear(y) ? lax.zerosLike(ct) : ct
    return [null, isLinear(x) ? lax.select(pred, ct, z) : null, isLinear(y) ? lax.select(pred, z, ct) : null]
  }),
  real: unary((ct, x) => reduceTo(lax.complex(ct, lax.zerosLike(ct)), x)),
  imag: unary((ct, x) => reduceTo(lax.complex(lax.zerosLike(ct), lax.neg(ct)), x)),
  complex: single((ct, [x, y]) => [isLinear(x) ? lax.real(ct) : null, isLinear(y) ? lax.neg(lax.imag(ct)) : null]),
  conj: unary((ct, x) => (DType.isComplex(x.dtype) ? lax.conj(ct) : DType.isComplex(ct.dtype) ? lax.real(ct) : ct)),
  psum: unary((ct, _x, params) => bind1("psum", [ct], params)),
  // JAX's: an all-gather's transpose is the reduce-scatter along the gathered axis, and back
  all_gather: unary((ct, _x, { axis, axisName, axisSize, tiled }) =>
    bind1("psum_scatter", [ct], { axisName, scatterDimension: axis, tiled, axisSize })
  ),
  psum_scatter: unary((ct, _x, { axisName, axisSize, scatterDimension, tiled }) =>
    bind1("all_gather", [ct], { axisName, axis: scatterDimension, tiled, axisSize })
  ),
  ppermute: unary((ct, _x, { axisName, perm }) =>
    bind1("ppermute", [ct], { axisName, perm: perm.map(([src, dst]) => [dst, src] as const) })
  ),
  // JAX's: the blocks go back where they came from, split and concatenation axes swapped
  all_to_all: unary((ct, _x, { axisName, axisSize, concatAxis, splitAxis }) =>
    bind1("all_to_all", [ct], { axisName, splitAxis: concatAxis, concatAxis: splitAxis, axisSize })
  ),
  // JAX's `_triangular_solve_transpose_rule`: linear in b, the cotangent solves with op(a)^T.
  triangular_solve: single((ct, [a, b], params) => {
    if (isLinear(a)) nonLinear("triangular_solve", "the matrix a of triangular_solve is linear")
    if (!isLinear(b)) return [null, null]
    return [null, bind1("triangular_solve", [a as Tensor, ct], { ...params, transposeA: !params.transposeA })]
  }),
  // Its derivative is zero, so as a linear map it is zero (consistent with its JVP rule).
  stop_gradient: () => [null],
  // JAX's debug_callback_transpose_rule: no cotangent flows through a callback
  debug_callback: (_cts, operands) => operands.map(() => null),
  // JAX's io_callback_transpose_rule
  io_callback: () => {
    throw new DerivativeNotImplementedError({
      primitive: "io_callback",
      detail: "IO callbacks do not support transpose."
    })
  },
  // JAX's pure_callback_transpose_rule
  pure_callback: () => {
    throw new DerivativeNotImplementedError({
      primitive: "pure_callback",
      detail: "Pure callbacks do not support transpose. Please use `customVjp` to use callbacks while taking gradients."
    })
  },
  jit_call: (cts, operands, { name, program: whole }, transposeOf) => {
    const linear = operands.map(isLinear)
    const program = withCotangents(whole, cts)
    const transposed = transposeOf(program, linear)
    const known = operands.filter((x): x is Tensor => !isLinear(x))
    const ctIn = cts.filter((ct): ct is Tensor => ct !== null)
    const inCts = bind("jit_call", [...known, ...ctIn], { name: `transpose(${name})`, program: transposed })
    let k = 0
    return linear.map((l) => (l ? inCts[k++]! : null))
  },
  // JAX's _cond_transpose: a cond of the branches' transposes, on the same index
  cond: (cts, [index, ...ops], { branches }, transposeOf) => {
    if (isLinear(index)) nonLinear("cond", "the index of a cond is not linear")
    const linear = ops.map(isLinear)
    const transposed = branches.map((b) => transposeOf(withCotangents(b, cts), linear))
    const known = ops.filter((x): x is Tensor => !isLinear(x))
    const ctIn = cts.filter((ct): ct is Tensor => ct !== null)
    const inCts = bind("cond", [index as Tensor, ...known, ...ctIn], { branches: transposed })
    let k = 0
    return [null, ...linear.map((l) => (l ? inCts[k++]! : null))]
  },
  // JAX's _while_transpose_error: the trip count is not known when the backward pass is built
  while: () => {
    throw new WhileLoopReverseModeError()
  },
  checkpoint_name: unary((ct, _x, params) => bind1("checkpoint_name", [ct], params)),
  remat: (cts, operands, { program }, transposeOf) => {
    // the transposed program recomputes the primal values it needs (forwards, first)
    const linear = operands.map(isLinear)
    const transposed = transposeOf(withCotangents(program, cts), linear)
    const known = operands.filter((x): x is Tensor => !isLinear(x))
    const ctIn = cts.filter((ct): ct is Tensor => ct !== null)
    const inCts = evalProgram(transposed, transposed.consts, [...known, ...ctIn])
    let k = 0
    return linear.map((l) => (l ? inCts[k++]! : null))
  },
  scan: (cts, operands, params, transposeOf) =>
    scanTranspose(cts, operands, params, transposeOf, (x) => x instanceof LinearOperand),
  linear_solve: linearSolveTranspose
}
