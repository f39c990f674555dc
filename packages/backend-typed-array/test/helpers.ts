/**
 * Test helpers: run one primitive on the typed-array backend with hand-made
 * avals, and compare arrays.
 */
import { aval, DType, Kernel } from "@diffect/core"
import type { FirstOrderPrimitive, FusedKernelSpec, Params } from "@diffect/core"
import { Backends, Close } from "@diffect/test-utils"
import { assert } from "@effect/vitest"

export const backend = Backends.cpu

/** An operand: data in storage layout, its shape and dtype. */
export interface Operand {
  readonly data: DType.HostArray
  readonly shape: ReadonlyArray<number>
  readonly dtype: DType.DType
}

/** Builds an operand from plain numbers (complex: interleaved re, im). */
export const arr = (dtype: DType.DType, shape: ReadonlyArray<number>, values: ReadonlyArray<number>): Operand => {
  const data = DType.allocHost(dtype, shape.reduce((a, b) => a * b, 1))
  if (values.length !== data.length) throw new Error(`arr: ${values.length} values for ${data.length} slots`)
  data.set(values)
  return { data, shape, dtype }
}

/** Runs `primitive` and returns its single output's data. */
export const run = <P extends FirstOrderPrimitive>(
  primitive: P,
  operands: ReadonlyArray<Operand>,
  params: Params<P>,
  outShape: ReadonlyArray<number>,
  outDType: DType.DType
): DType.HostArray => {
  const inAvals = operands.map((o) => aval(o.shape, o.dtype))
  const buffers = operands.map((o, i) => backend.fromHost(o.data, inAvals[i]!))
  const out = aval(outShape, outDType)
  const [b] = backend.execute(primitive, buffers, inAvals, params, [out])
  return backend.readSync!(b!, out)
}

/** Elementwise unary shorthand: output has the input's shape. */
export const un = <P extends FirstOrderPrimitive>(
  primitive: P,
  x: Operand,
  outDType: DType.DType = x.dtype,
  params: Params<P> = {} as Params<P>
): Array<number> => Array.from(run(primitive, [x], params, x.shape, outDType))

/** Elementwise binary shorthand. */
export const bin = <P extends FirstOrderPrimitive>(
  primitive: P,
  x: Operand,
  y: Operand,
  outDType: DType.DType = x.dtype
): Array<number> => Array.from(run(primitive, [x, y], {} as Params<P>, x.shape, outDType))

/**
 * Asserts `actual` equals `expected` entrywise within `tol` relative to max(1, |expected|)
 * (absolute below one); NaN matches NaN, infinities match exactly.
 */
export const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void =>
  Close.assertClose(actual, expected, { rtol: tol, atol: 0, minScale: 1 })

/** Asserts exact equality entrywise (Object.is, so -0 and 0 differ). */
export const exact = (actual: ArrayLike<number>, expected: ReadonlyArray<number>): void => {
  assert.deepStrictEqual(Array.from(actual), expected)
}

/**
 * The assertions of these tests, named `expect` so that the linter's
 * expect-expect rule sees them.
 */
export const expect = { close, exact }

/**
 * A fused sum of squares over 4M float32 values (a reduction root), its input, and the sum of the
 * float32 squares in float64: the accuracy case of a long float32 reduction.
 */
export const sumOfSquares4M = (): { spec: FusedKernelSpec; data: Float32Array; exact: number } => {
  const n = 2 ** 22
  const x = Kernel.input(0, "f32")
  const spec: FusedKernelSpec = {
    shape: [n],
    inputs: [{ dtype: "float32", strides: [1] }],
    outputs: [{ dtype: "float32", lanes: [Kernel.mul(x, x)], reduce: { kind: "sum", axes: [0] } }],
    rounded: new Set()
  }
  const data = new Float32Array(n)
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.001) * 0.5 + 0.25
  let exact = 0
  for (let i = 0; i < n; i++) exact += Math.fround(data[i]! * data[i]!)
  return { spec, data, exact }
}
