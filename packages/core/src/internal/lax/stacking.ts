/**
 * jax.lax's `stack`, `unstack`, `broadcast_like` and `index_take`: compositions
 * of the structural primitives (each differentiates and batches through them).
 *
 * @since 0.1.0
 */
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, describeValue } from "../../Validate.js"
import { broadcastShapes } from "./more.js"

const tensor = (op: string, u: unknown, name: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

// An axis of rank `rank`, negative counting from the end (JAX's canonicalize_axis).
const axisIn = (op: string, axis: unknown, rank: number): number => {
  if (!Number.isInteger(axis) || (axis as number) < -rank || (axis as number) >= rank) {
    throw argumentError(op, "axis", `an axis of rank ${rank} (from ${-rank} to ${rank - 1})`, axis)
  }
  return (axis as number) < 0 ? (axis as number) + rank : (axis as number)
}

/**
 * Joins tensors of one shape along a new axis (JAX's `lax.stack`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [x, y] = [np.array([1, 2]), np.array([3, 4])]
 * console.log(toJsSync(lax.stack([x, y], 1))) // [[1, 3], [2, 4]]
 *
 * @since 0.1.0
 */
export const stack = (operands: ReadonlyArray<Tensor>, axis: number = 0): Tensor => {
  if (!Array.isArray(operands) || operands.length === 0) {
    throw argumentError("stack", "operands", "a non-empty array of tensors", operands)
  }
  const xs = Array.from(operands, (x, i) => tensor("stack", x, `operands[${i}]`))
  const first = xs[0]!
  xs.forEach((x, i) => {
    if (x.shape.length !== first.shape.length || x.shape.some((d, k) => d !== first.shape[k])) {
      throw new ShapeError({
        operation: "stack",
        detail: `all operands must have the same shape, got [${first.shape.join(", ")}] and [${
          x.shape.join(", ")
        }] (operand ${i})`
      })
    }
  })
  const a = axisIn("stack", axis, first.ndim + 1)
  return lax.concatenate(xs.map((x) => lax.expandDims(x, [a])), a)
}

/**
 * Splits a tensor along an axis into the slices of that axis, the axis removed
 * (JAX's `lax.unstack`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [a, b] = lax.unstack(np.array([[1, 2], [3, 4]]), 1)
 * console.log(toJsSync([a!, b!])) // [[1, 3], [2, 4]]
 *
 * @since 0.1.0
 */
export const unstack = (x: Tensor, axis: number = 0): ReadonlyArray<Tensor> => {
  const v = tensor("unstack", x, "x")
  const a = axisIn("unstack", axis, v.ndim)
  const n = v.shape[a]!
  if (n === 0) return []
  return lax.split(v, new Array<number>(n).fill(1), a).map((s) => lax.squeeze(s, [a]))
}

/**
 * `arr` broadcast to the shape of `like` (JAX's `lax.broadcast_like`: NumPy's
 * rule, aligned at the trailing dimensions).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.broadcastLike(np.array([1, 2, 3]), np.zeros([2, 3])))) // [[1, 2, 3], [1, 2, 3]]
 *
 * @since 0.1.0
 */
export const broadcastLike = (arr: Tensor, like: Tensor): Tensor => {
  const v = tensor("broadcastLike", arr, "arr")
  const target = tensor("broadcastLike", like, "like").shape
  const joined = broadcastShapes(v.shape, target)
  if (joined.length !== target.length || joined.some((d, i) => d !== target[i])) {
    throw new ShapeError({
      operation: "broadcastLike",
      detail: `cannot broadcast an array of shape [${v.shape.join(", ")}] to [${target.join(", ")}]`
    })
  }
  const lead = target.length - v.ndim
  // a size-1 dimension that grows is dropped first, then broadcast along
  const kept = v.shape.map((d, i) => d === target[lead + i])
  const squeezed = kept.every((k) => k) ? v : lax.reshape(v, v.shape.filter((_, i) => kept[i]))
  const dims = v.shape.flatMap((_, i) => (kept[i] ? [lead + i] : []))
  return lax.broadcastInDim(squeezed, [...target], dims)
}

/**
 * Gathers `src` at one index per listed axis (JAX's `lax.index_take`): row `i`
 * of the result is `src` at `idxs[0][i]` on `axes[0]`, `idxs[1][i]` on
 * `axes[1]`, ..., whole along the other axes; indices wrap around each axis's
 * size as in JAX.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const src = np.array([[1, 2, 3], [4, 5, 6]])
 * const rows = np.array([1, 0], { dtype: "int32" })
 * const cols = np.array([2, -1], { dtype: "int32" })
 * console.log(toJsSync(lax.indexTake(src, [rows, cols], [0, 1]))) // [6, 3]
 *
 * @since 0.1.0
 */
export const indexTake = (src: Tensor, idxs: ReadonlyArray<Tensor>, axes: ReadonlyArray<number>): Tensor => {
  const s = tensor("indexTake", src, "src")
  if (!Array.isArray(idxs) || !Array.isArray(axes) || idxs.length !== axes.length || axes.length === 0) {
    throw argumentError(
      "indexTake",
      "idxs",
      `one index array per axis of axes (${
        Array.isArray(axes) && axes.every(Number.isInteger) ? `[${axes.join(", ")}]` : describeValue(axes)
      })`,
      idxs
    )
  }
  const ax = axes.map((a) => axisIn("indexTake", a, s.ndim))
  if (new Set(ax).size !== ax.length) throw argumentError("indexTake", "axes", "distinct axes", axes)
  const is = idxs.map((i, k) => tensor("indexTake", i, `idxs[${k}]`))
  const shape0 = is[0]!.shape
  is.forEach((i, k) => {
    if (i.dtype !== "int32" && i.dtype !== "uint32") {
      throw new DTypeError({ operation: "indexTake", detail: `indices must be integers, got ${i.dtype} (idxs[${k}])` })
    }
    if (i.shape.length !== shape0.length || i.shape.some((d, q) => d !== shape0[q])) {
      throw new ShapeError({ operation: "indexTake", detail: "all index arrays must have the same shape" })
    }
  })
  // the indexed axes first and flattened into one, each index wrapped and combined row-major
  const rest = s.shape.map((_, i) => i).filter((i) => !ax.includes(i))
  const moved = lax.transpose(s, [...ax, ...rest])
  const sizes = ax.map((a) => s.shape[a]!)
  const flat = lax.reshape(moved, [sizes.reduce((p, q) => p * q, 1), ...rest.map((i) => s.shape[i]!)])
  const wrapped = is.map((i, k) => {
    const n = lax.full(i.shape, sizes[k]!, "int32")
    const r = lax.rem(lax.convertElementType(i, "int32"), n)
    return lax.select(lax.lt(r, lax.full(i.shape, 0, "int32")), lax.add(r, n), r)
  })
  const linear = wrapped.reduce((acc, w, k) => lax.add(lax.mul(acc, lax.full(w.shape, sizes[k]!, "int32")), w))
  return lax.gather(flat, linear, 0)
}
