/**
 * The random programs that check fused shaders: a few input values of shape
 * `[4, 5]` (two matrices, a broadcast row and a broadcast column), then up to
 * ten operations each picking its operands among the values so far
 * (elementwise ops, reads folded into a kernel: a reversal, a slice at an
 * offset, a reshaped transpose, and reductions broadcast back), and three
 * outputs. Shared by backend-webgpu's property test and the bench's
 * `gpuCheck` script (a real GPU): import it by its own path
 * (`@diffect/test-utils/RandomPrograms`), free of the test runner.
 *
 * @since 0.1.0
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import fc from "fast-check"

/** One operation: its kind, and its operands' positions (taken modulo the values so far). @since 0.1.0 */
export type Op = readonly [kind: number, a: number, b: number]

const unary = [
  np.sin,
  np.tanh,
  np.negative,
  np.abs,
  np.exp,
  np.floor,
  (x: Tensor) => np.multiply(x, 0.5),
  // reads folded into the fused shader: a reversal (negative strides), a slice at an offset,
  // a reshaped transpose
  (x: Tensor) => np.flip(x, { axis: 1 }),
  (x: Tensor) => lax.slice(np.concatenate([x, np.exp(x)], { axis: 1 }), [0, 3], [4, 8]),
  (x: Tensor) => np.reshape(np.transpose(np.reshape(x, [5, 4])), [4, 5])
]
const binary = [np.add, np.subtract, np.multiply, np.maximum, np.minimum]
const REDUCE = unary.length + binary.length

/**
 * The program of `ops` on `x`, `y` (`[4, 5]`), `row` (`[5]`) and `col` (`[4, 1]`):
 * its last value, that value's row sums, and one earlier value.
 *
 * @since 0.1.0
 */
export const program = (ops: ReadonlyArray<Op>) => (x: Tensor, y: Tensor, row: Tensor, col: Tensor): Array<Tensor> => {
  const values: Array<Tensor> = [x, y, np.add(x, row), np.multiply(y, col)]
  for (const [kind, a, b] of ops) {
    const u = values[a % values.length]!
    const v = values[b % values.length]!
    if (kind < unary.length) values.push(unary[kind]!(u))
    else if (kind < REDUCE) values.push(binary[kind - unary.length]!(u, v))
    else if (kind === REDUCE) values.push(np.add(v, np.sum(u, { axis: 1, keepdims: true })))
    else if (kind === REDUCE + 1) values.push(np.add(v, np.max(u, { axis: 0, keepdims: true })))
    else values.push(np.multiply(v, np.min(u, { axis: 1, keepdims: true })))
  }
  const last = values[values.length - 1]!
  return [last, np.sum(last, { axis: 1 }), values[4 + (ops.length >> 1)]!]
}

/** One to ten operations. @since 0.1.0 */
export const opsArbitrary: fc.Arbitrary<Array<Op>> = fc.array(
  fc.tuple(fc.nat(REDUCE + 2), fc.nat(60), fc.nat(60)),
  { minLength: 1, maxLength: 10 }
)

/**
 * `n` inputs in [-3, 3], each zero or at least 2^-20 in magnitude: within one shader the GPU's
 * compiler may reassociate `y * col * 0.5` or skip the rounding in between (separate kernels
 * round at every store), which near zero is a whole subnormal (llvmpipe gave -2^-149 fused and
 * -0 unfused for y = 10 * 2^-149, col = -0.1), and `floor` turns that into -1 against 0.
 *
 * @since 0.1.0
 */
export const inputs = (n: number): fc.Arbitrary<Array<number>> =>
  fc.array(
    fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }).map((v) =>
      Math.abs(v) < 2 ** -20 ? (Object.is(v, -0) || v < 0 ? -0 : 0) : v
    ),
    { minLength: n, maxLength: n }
  )

/**
 * A random program and the values of its inputs: `x` and `y` of shape [4, 5], `row` of 5 and
 * `col` of [4, 1].
 *
 * @since 0.1.0
 */
export interface Case {
  readonly ops: ReadonlyArray<Op>
  readonly x: ReadonlyArray<number>
  readonly y: ReadonlyArray<number>
  readonly row: ReadonlyArray<number>
  readonly col: ReadonlyArray<number>
}

/** A program of {@link opsArbitrary} with {@link inputs} of its four arguments. @since 0.1.0 */
export const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  ops: opsArbitrary,
  x: inputs(20),
  y: inputs(20),
  row: inputs(5),
  col: inputs(4)
})

/** A case's arguments as tensors, in `program`'s order (made on the current backend). @since 0.1.0 */
export const caseArgs = (c: Case): [Tensor, Tensor, Tensor, Tensor] => [
  np.reshape(np.array([...c.x]), [4, 5]),
  np.reshape(np.array([...c.y]), [4, 5]),
  np.array([...c.row]),
  np.reshape(np.array([...c.col]), [4, 1])
]

/** The numbers of a nested array, in order. @since 0.1.0 */
export const flat = (x: unknown): Array<number> => (Array.isArray(x) ? x.flatMap(flat) : [x as number])

/**
 * Whether two programs' results agree within float32 rounding: NaN with NaN, infinities exactly,
 * the rest within `1e-5 * max(1, |b|)`.
 *
 * @since 0.1.0
 */
export const agree = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length &&
  a.every((v, i) => {
    const w = b[i]!
    if (Number.isNaN(w) || Number.isNaN(v)) return Number.isNaN(w) && Number.isNaN(v)
    if (!Number.isFinite(w) || !Number.isFinite(v)) return v === w
    return Math.abs(v - w) <= 1e-5 * Math.max(1, Math.abs(w))
  })
