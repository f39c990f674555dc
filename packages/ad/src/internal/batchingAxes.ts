/**
 * Moving and materializing batch dimensions: the small shape moves every
 * batching rule is built from.
 *
 * @internal
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"

/**
 * Where a value's batch dimension is, or `null` when it does not vary along the batch.
 *
 * @internal
 */
export type BatchDim = number | null

/**
 * `x` with axis `src` moved to position `dst` (NumPy's `moveaxis`); no work when equal.
 *
 * @internal
 */
export const moveAxis = (x: Tensor, src: number, dst: number): Tensor => {
  if (src === dst) return x
  const n = x.ndim
  const perm: Array<number> = []
  for (let i = 0; i < n; i++) if (i !== src) perm.push(i)
  perm.splice(dst, 0, src)
  return lax.transpose(x, perm)
}

/**
 * `x` repeated `size` times along a new axis inserted at `axis`.
 *
 * @internal
 */
export const broadcastAt = (x: Tensor, size: number, axis: number): Tensor => {
  const shape = x.shape.slice()
  shape.splice(axis, 0, size)
  const dims: Array<number> = []
  for (let i = 0; i < x.ndim; i++) dims.push(i < axis ? i : i + 1)
  return lax.broadcastInDim(x, shape, dims)
}

/**
 * `x` with its batch dimension first, materializing it when `x` is unbatched.
 *
 * @internal
 */
export const batchAtFront = (x: Tensor, dim: BatchDim, size: number): Tensor => batchAt(x, dim, 0, size)

/**
 * `x` with its batch dimension at `dst`, materializing it when `x` is unbatched.
 *
 * @internal
 */
export const batchAt = (x: Tensor, dim: BatchDim, dst: number, size: number): Tensor =>
  dim === null ? broadcastAt(x, size, dst) : moveAxis(x, dim, dst)

/**
 * Maps an axis of the unbatched operand to the batched operand whose batch
 * dimension is at `dim`.
 *
 * @internal
 */
export const shiftAxis = (axis: number, dim: number): number => axis >= dim ? axis + 1 : axis

/**
 * Normalizes a possibly negative axis (the primitive layer validates ranges; this
 * only resolves the sign).
 *
 * @internal
 */
export const canonicalAxis = (axis: number, ndim: number): number => axis < 0 ? axis + ndim : axis
