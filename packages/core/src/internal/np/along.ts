/**
 * Taking and putting along one axis (NumPy's `take_along_axis`), as one flat
 * `gather` or `scatter_add`: the operand's axis moved last and flattened, each
 * index offset by its row. Indices must be in range (the callers make them so).
 *
 * @since 0.1.0
 */
import * as lax from "../../lax.js"
import type { Tensor } from "../../Tensor.js"

const layout = (shape: ReadonlyArray<number>, axis: number) => {
  const perm = [...shape.keys()].filter((i) => i !== axis)
  perm.push(axis)
  const inverse = perm.map((_, i) => perm.indexOf(i))
  return { perm, inverse }
}

/**
 * `x` taken at `idx` along `axis`: `idx` has `x`'s shape except along `axis`.
 *
 * @since 0.1.0
 */
export const takeAlong = (x: Tensor, idx: Tensor, axis: number): Tensor => {
  const { inverse, perm } = layout(x.shape, axis)
  const n = x.shape[axis]!
  const moved = perm.map((p) => idx.shape[p]!)
  const m = moved[moved.length - 1]!
  const rows = moved.slice(0, -1).reduce((a, b) => a * b, 1)
  if (rows * m === 0 || n === 0) return lax.full(idx.shape, 0, x.dtype, x.weakType)
  const flat = lax.reshape(lax.transpose(x, perm), [rows * n])
  const offsets = lax.mul(lax.iota("int32", [rows, m], 0), n)
  const at = lax.reshape(lax.add(lax.reshape(lax.transpose(idx, perm), [rows, m]), offsets), [rows * m])
  return lax.transpose(lax.reshape(lax.gather(flat, at, 0), moved), inverse)
}

/**
 * `x` with `values` added at `idx` along `axis` (`values` shaped like `idx`).
 *
 * @since 0.1.0
 */
export const addAlong = (x: Tensor, idx: Tensor, values: Tensor, axis: number): Tensor => {
  const { inverse, perm } = layout(x.shape, axis)
  const n = x.shape[axis]!
  const movedX = perm.map((p) => x.shape[p]!)
  const moved = perm.map((p) => idx.shape[p]!)
  const m = moved[moved.length - 1]!
  const rows = moved.slice(0, -1).reduce((a, b) => a * b, 1)
  if (rows * m === 0 || n === 0) return x
  const flat = lax.reshape(lax.transpose(x, perm), [rows * n])
  const offsets = lax.mul(lax.iota("int32", [rows, m], 0), n)
  const at = lax.reshape(lax.add(lax.reshape(lax.transpose(idx, perm), [rows, m]), offsets), [rows * m])
  const v = lax.reshape(lax.transpose(values, perm), [rows * m])
  return lax.transpose(lax.reshape(lax.scatterAdd(flat, at, v, 0), movedX), inverse)
}
