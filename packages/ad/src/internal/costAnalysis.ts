/**
 * Cost estimates of a program (JAX's `Lowered.cost_analysis()`, XLA's
 * `HloCostAnalysis`): floating-point operations, transcendental operations
 * and bytes accessed. One rule per primitive (a new primitive is a compile
 * error until it says what it costs), counted as XLA counts:
 *
 * - elementwise: one operation per output element, a transcendental one for
 *   the functions a math library evaluates (XLA's list: exp, log, tanh, sin,
 *   ..., plus the inverse trigonometric and hyperbolic functions and the
 *   special functions, which XLA expands before counting);
 * - `dot_general`: two per multiply-add (output elements times the contracted
 *   size); a convolution likewise, every tap of the window counted (XLA skips
 *   taps that fall in padding);
 * - reductions: one per element folded in; window reductions one per tap;
 * - data movement (reshape, transpose, slices, gathers, ...): none;
 * - linear algebra: the usual LAPACK operation counts per matrix (XLA's CPU
 *   backend calls LAPACK and reports none), so estimates;
 * - control flow: a `scan` counts its body `length` times, a `while` its
 *   predicate and body once (the trip count is not known), a `cond` its
 *   costliest branch, a call its program.
 *
 * Bytes accessed are counted per kernel of the fused plan: what each fusion
 * group reads from outside and writes, and each remaining primitive's
 * operands and results (XLA's count per fusion).
 */
import { fromKinds } from "@diffect/core"
import type { AbstractValue, DType, Params, Primitive, StructuredPrimitive } from "@diffect/core"
import type { Equation, PrimitiveEquation, Program, Var } from "../Program.js"
import type { Step } from "./fusion.js"

/**
 * Cost estimates of a compiled program (JAX's `cost_analysis()` keys, camelCase):
 * floating-point operations, transcendental operations, and bytes read and
 * written by its kernels.
 *
 * @since 0.1.0
 */
export interface CostAnalysis {
  readonly flops: number
  readonly transcendentals: number
  readonly bytesAccessed: number
}

interface Ops {
  readonly flops: number
  readonly transcendentals: number
}

const none: Ops = { flops: 0, transcendentals: 0 }

const bytesPerElement: { readonly [D in DType.DType]: number } = {
  bool: 1,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
  complex64: 8,
  complex128: 16,
  float0: 0
}

const elements = (aval: AbstractValue): number => aval.shape.reduce((a, b) => a * b, 1)

/** The bytes of a value of type `aval`. */
export const bytesOf = (aval: AbstractValue): number => elements(aval) * bytesPerElement[aval.dtype]

const outElements = (eqn: PrimitiveEquation): number => elements(eqn.outputs[0]!.aval)
const inElements = (eqn: PrimitiveEquation): number => elements(eqn.inputs[0]!.aval)

/** A primitive's cost, given its equation and the cost of a program it holds. */
type Rule = (eqn: PrimitiveEquation, programCost: (p: Program) => Ops) => Ops

const flops = (n: number): Ops => ({ flops: n, transcendentals: 0 })

// the elementwise functions a math library evaluates (XLA counts them apart from flops)
const transcendental: ReadonlySet<Primitive> = new Set<Primitive>([
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "tanh",
  "exp",
  "log",
  "log1p",
  "expm1",
  "sqrt",
  "rsqrt",
  "logistic",
  "erf",
  "erfc",
  "erf_inv",
  "lgamma",
  "digamma",
  "pow",
  "atan2"
])

/** Folding every input element into its output: one operation each (XLA: inputs minus outputs). */
const fold: Rule = (eqn) => flops(Math.max(0, inElements(eqn) - outElements(eqn)))
const perInput: Rule = (eqn) => flops(inElements(eqn))
const perOutputElement: Rule = (eqn) => flops(outElements(eqn))
const free: Rule = () => none

const windowTaps = (p: Params<"reduce_window_sum">): number => p.windowDimensions.reduce((a, b) => a * b, 1)
const windowed: Rule = (eqn) => flops(outElements(eqn) * windowTaps(eqn.params as Params<"reduce_window_sum">))
// one window per element of the source (input 0), each comparing its taps of the operand
const selectWindows: Rule = (eqn) => flops(inElements(eqn) * windowTaps(eqn.params as Params<"reduce_window_sum">))

/** The last two dimensions of input `i` (a batch of matrices), with the batch size. */
const matrices = (eqn: PrimitiveEquation, i = 0): { batch: number; m: number; n: number } => {
  const shape = eqn.inputs[i]!.aval.shape
  const m = shape[shape.length - 2] ?? 1
  const n = shape[shape.length - 1] ?? 1
  return { batch: shape.slice(0, -2).reduce((a, b) => a * b, 1), m, n }
}

const linalg = (count: (m: number, n: number) => number): Rule => (eqn) => {
  const { batch, m, n } = matrices(eqn)
  return flops(batch * count(m, n))
}

const max = (a: Ops, b: Ops): Ops => (a.flops + a.transcendentals >= b.flops + b.transcendentals ? a : b)
const add = (a: Ops, b: Ops): Ops => ({
  flops: a.flops + b.flops,
  transcendentals: a.transcendentals + b.transcendentals
})
const times = (a: Ops, k: number): Ops => ({ flops: a.flops * k, transcendentals: a.transcendentals * k })

const structured: { readonly [P in StructuredPrimitive]: Rule } = {
  bitcast_convert_type: free,
  reduce_sum: fold,
  reduce_max: fold,
  reduce_min: fold,
  reduce_prod: fold,
  argmax: perInput,
  argmin: perInput,
  cumsum: perInput,
  cumprod: perInput,
  cummax: perInput,
  cummin: perInput,
  // a running log-sum-exp: an exp and a log1p per element besides the adds
  cumlogsumexp: (eqn) => ({ flops: 2 * inElements(eqn), transcendentals: 2 * inElements(eqn) }),
  // comparisons of a merge sort along the dimension (XLA: n log2 n)
  sort: (eqn) => {
    const p = eqn.params as Params<"sort">
    const n = eqn.inputs[0]!.aval.shape[p.dimension] ?? 1
    return flops(inElements(eqn) * Math.ceil(Math.log2(Math.max(2, n))))
  },
  top_k: perInput,
  broadcast_in_dim: free,
  reshape: free,
  transpose: free,
  squeeze: free,
  expand_dims: free,
  rev: free,
  slice: free,
  pad: free,
  concatenate: free,
  split: free,
  gather: free,
  // one add per update element (operands: operand, indices, updates)
  scatter_add: (eqn) => flops(elements(eqn.inputs[2]!.aval)),
  scatter: free,
  dot_general: (eqn) => {
    const p = eqn.params as Params<"dot_general">
    const lhs = eqn.inputs[0]!.aval.shape
    const contracted = p.contracting[0].reduce((a, d) => a * lhs[d]!, 1)
    return flops(2 * outElements(eqn) * contracted)
  },
  conv_general_dilated: (eqn) => {
    const p = eqn.params as Params<"conv_general_dilated">
    const rhs = eqn.inputs[1]!.aval.shape
    // per output element: every tap of the window over the kernel's input features
    const [, inFeature, ...spatial] = p.dimensionNumbers.rhsSpec
    const taps = spatial.reduce((a, d) => a * rhs[d]!, 1) * rhs[inFeature!]!
    return flops(2 * outElements(eqn) * taps)
  },
  reduce_window_sum: windowed,
  reduce_window_max: windowed,
  reduce_window_min: windowed,
  select_and_gather_add: windowed,
  select_and_scatter_add: selectWindows,
  // the radix-2 estimate, 5 n log2 n per transform of n points
  fft: (eqn) => {
    const p = eqn.params as Params<"fft">
    const n = p.fftLengths.reduce((a, b) => a * b, 1)
    const transforms = Math.max(1, Math.max(inElements(eqn), outElements(eqn)) / Math.max(1, n))
    return flops(transforms * 5 * n * Math.log2(Math.max(2, n)))
  },
  iota: free,
  cholesky: linalg((n) => n ** 3 / 3),
  triangular_solve: (eqn) => {
    const p = eqn.params as Params<"triangular_solve">
    const { batch, m, n } = matrices(eqn, 1)
    // a k x k triangle against the right-hand sides' other dimension
    return flops(batch * (p.leftSide ? m * m * n : n * n * m))
  },
  lu: linalg((m, n) => (m >= n ? m * n * n - n ** 3 / 3 : n * m * m - m ** 3 / 3)),
  qr: linalg((m, n) => (m >= n ? 4 * m * n * n - (4 / 3) * n ** 3 : 4 * n * m * m - (4 / 3) * m ** 3)),
  eigh: linalg((n) => 9 * n ** 3),
  svd: linalg((m, n) => 4 * Math.max(m, n) * Math.min(m, n) ** 2 + 8 * Math.min(m, n) ** 3),
  eig: linalg((n) => 25 * n ** 3),
  schur: linalg((n) => 25 * n ** 3),
  hessenberg: linalg((n) => (10 / 3) * n ** 3),
  psum: perOutputElement,
  pmax: perOutputElement,
  pmin: perOutputElement,
  axis_index: free,
  all_gather: free,
  psum_scatter: perInput,
  ppermute: free,
  all_to_all: free,
  checkpoint_name: free,
  // host code: not the program's
  debug_callback: free,
  pure_callback: free,
  io_callback: free,
  jit_call: (eqn, cost) => cost((eqn.params as Params<"jit_call">).program),
  remat: (eqn, cost) => cost((eqn.params as Params<"remat">).program),
  cond: (eqn, cost) => (eqn.params as Params<"cond">).branches.map(cost).reduce(max, none),
  while: (eqn, cost) => {
    const p = eqn.params as Params<"while">
    return add(cost(p.cond), cost(p.body))
  },
  scan: (eqn, cost) => {
    const p = eqn.params as Params<"scan">
    return times(cost(p.program), p.length / Math.max(1, p.unroll))
  },
  linear_solve: (eqn, cost) => cost((eqn.params as Params<"linear_solve">).solve)
}

const rules: { readonly [P in Primitive]: Rule } = fromKinds<{ [P in Primitive]: Rule }>(
  (p) => (eqn) => {
    const n = outElements(eqn)
    return transcendental.has(p) ? { flops: 0, transcendentals: n } : flops(n)
  },
  structured,
  // the identity on values
  { stop_gradient: free }
)

const equationOps = (eqn: Equation): Ops => {
  if (eqn._tag === "CustomEquation") return eqn.body === undefined ? none : programOps(eqn.body)
  return rules[eqn.primitive](eqn, programOps)
}

/** The operations of `program`, every equation's (through the programs they hold). */
const programOps = (program: Program): Ops => program.equations.map(equationOps).reduce(add, none)

/** The bytes of the distinct values among `vars`. */
export const distinctBytes = (vars: Iterable<Var>): number => {
  let n = 0
  for (const v of new Set(vars)) n += bytesOf(v.aval)
  return n
}

/** What a step reads from outside and writes: a group's external inputs and outputs, an equation's operands and results. */
const stepBytes = (step: Step): number => {
  if (step._tag === "Group") {
    const g = step.group
    const read = g.members.flatMap((m) => m.inputs).filter((v) => !g.produced.has(v))
    return distinctBytes(read) + distinctBytes([...g.outputs, ...g.roots])
  }
  const eqn = step.equation
  return distinctBytes(eqn.inputs) + distinctBytes(eqn.outputs)
}

/**
 * The cost of `program` run as `steps` (its fused plan): operations counted
 * over its equations, bytes over its kernels.
 */
export const costOf = (program: Program, steps: ReadonlyArray<Step>): CostAnalysis => {
  const ops = programOps(program)
  return {
    flops: ops.flops,
    transcendentals: ops.transcendentals,
    bytesAccessed: steps.reduce((n, step) => n + stepBytes(step), 0)
  }
}
