/**
 * Shapes, sizes, axes and NumPy broadcasting.
 *
 * @since 0.1.0
 */
import { ArgumentError, AxisError, BroadcastError } from "./Errors.js"

/** @since 0.1.0 */
export type Shape = ReadonlyArray<number>

/**
 * The most elements one array may hold: 2^31 - 1, so that every index fits an
 * int32 (the index dtype of gathers, and of the kernels' index arithmetic).
 * Shapes over it fail before anything is allocated.
 *
 * @since 0.1.0
 */
export const maxElements = 2 ** 31 - 1

/** Number of elements of a shape (1 for a scalar). @since 0.1.0 */
export const sizeOf = (shape: Shape): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** Row-major strides, in elements. @since 0.1.0 */
export const stridesOf = (shape: Shape): Array<number> => {
  const strides = new Array<number>(shape.length)
  let s = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s
    s *= shape[i]!
  }
  return strides
}

/** @since 0.1.0 */
export const shapeEquals = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i])

/** Formats a shape like NumPy: `(3,)`, `(2, 3)`, `()`. @since 0.1.0 */
export const formatShape = (shape: Shape): string => shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`

/**
 * The NumPy broadcast of several shapes. Fails with `BroadcastError` naming the
 * shapes when a dimension disagrees and neither is 1.
 *
 * @since 0.1.0
 */
export const broadcastShapes = (...shapes: ReadonlyArray<Shape>): Shape => {
  const ndim = Math.max(0, ...shapes.map((s) => s.length))
  const out = new Array<number>(ndim).fill(1)
  for (const s of shapes) {
    const offset = ndim - s.length
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!
      const o = out[offset + i]!
      if (d === o || d === 1) continue
      if (o === 1) out[offset + i] = d
      else throw new BroadcastError({ shapes: shapes.map((x) => [...x]) })
    }
  }
  return out
}

/**
 * Normalizes a possibly negative axis against `ndim`, failing with `AxisError`
 * (NumPy's message) when out of range, and with `ArgumentError` when it is not an integer.
 *
 * @since 0.1.0
 */
export const normalizeAxis = (axis: number, ndim: number): number => {
  if (!Number.isInteger(axis)) {
    throw new ArgumentError({
      operation: "axis",
      argument: "an axis",
      expected: "an integer",
      got: typeof axis === "number" ? `the number ${axis}` : `a ${typeof axis}`
    })
  }
  if (axis < -ndim || axis >= ndim) throw new AxisError({ axis, ndim })
  return axis < 0 ? axis + ndim : axis
}
