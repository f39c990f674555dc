/**
 * Orderings without a sort primitive: stable ranks by pairwise comparison,
 * JAX's `_shuffle` (sort by random keys) and `top_k`.
 *
 * @since 0.1.0
 */
import { lax, np, Shape } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { partitionable, splitN } from "./keys.js"
import * as threefry from "./threefry.js"

// For each slice along the last axis: the rank of every element when the slice is
// sorted stably (ascending keys; ties keep their order), as int32. JAX sorts with
// `lax.sort_key_val`; without a sort primitive this counts comparisons (O(n^2)).
export const stableRanks = (k: Tensor, descending: boolean): Tensor => {
  const n = k.shape[k.ndim - 1]!
  const ki = np.expandDims(k, -1)
  const kj = np.expandDims(k, -2)
  const idx = lax.iota("int32", [n, n], 0)
  const jdx = lax.iota("int32", [n, n], 1)
  const before = np.logicalOr(
    descending ? np.greater(kj, ki) : np.less(kj, ki),
    np.logicalAnd(np.equal(kj, ki), np.less(jdx, idx))
  )
  return np.sum(np.astype(before, "int32"), { axis: -1 })
}

// The element with rank p goes to position p: out[..., p] = x[..., i] where ranks[..., i] = p.
export const placeByRank = (x: Tensor, ranks: Tensor, count: number): Tensor => {
  const onehot = np.equal(np.expandDims(ranks, -1), lax.iota("int32", [count], 0)) // [..., i, p]
  return np.sum(np.where(onehot, np.expandDims(x, -1), np.zerosLike(np.expandDims(x, -1))), { axis: -2 })
}

export const shuffle = (key: Tensor, x: Tensor, axis: number): Tensor => {
  const size = Shape.sizeOf(x.shape)
  const rounds = Math.ceil((3 * Math.log(Math.max(1, size))) / Math.log(2 ** 32 - 1))
  let k = key
  let out = np.moveaxis(x, axis, -1)
  for (let r = 0; r < rounds; r++) {
    const [next, sub] = splitN(k, 2)
    k = next!
    // JAX draws the sort keys in x's shape (axis in place), then sorts along the axis.
    const sortKeys = np.moveaxis(threefry.bits32(sub!, x.shape, partitionable()), axis, -1)
    out = placeByRank(out, stableRanks(sortKeys, false), out.shape[out.ndim - 1]!)
  }
  return np.moveaxis(out, -1, axis)
}

// Indices of the k largest entries along the last axis, largest first (lax.top_k: ties by index).
export const topKIndices = (x: Tensor, k: number): Tensor => {
  const ranks = stableRanks(x, true)
  const n = x.shape[x.ndim - 1]!
  const all = placeByRank(np.broadcastTo(lax.iota("int32", [n], 0), x.shape), ranks, n)
  return lax.slice(all, all.shape.map(() => 0), [...all.shape.slice(0, -1), k], null)
}
