/**
 * JAX's `where` and `initial` of the `np` reductions: entries masked out by
 * `where` become the reduction's identity before reducing (JAX's
 * `_where(where, a, init_val)`), and `initial` is combined with the result.
 *
 * @since 0.1.0
 */
import type { DType } from "../DType.js"
import { isInexact } from "../DType.js"
import * as lax from "../lax.js"
import type { Shape } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import type { TensorLike } from "./arrayLiteral.js"
import { broadcastTo, toTensor } from "./npHelpers.js"

/** A `where` mask as bool, broadcast to `shape` (non-zero is true). @since 0.1.0 */
export const whereMask = (where: TensorLike, shape: Shape): Tensor => {
  const w = toTensor(where)
  return broadcastTo(w.dtype === "bool" ? w : lax.ne(w, lax.zerosLike(w)), shape)
}

/** `t` with the entries outside `where` replaced by `fill` (unchanged without a mask). @since 0.1.0 */
export const masked = (t: Tensor, where: TensorLike | undefined, fill: number): Tensor =>
  where === undefined ? t : lax.select(whereMask(where, t.shape), t, lax.full(t.shape, fill, t.dtype, t.weakType))

/** The smallest value of a dtype (the identity of max), `-inf` for floats. @since 0.1.0 */
export const lowest = (dtype: DType): number => isInexact(dtype) ? -Infinity : dtype === "int32" ? -2147483648 : 0

/** The largest value of a dtype (the identity of min), `inf` for floats. @since 0.1.0 */
export const highest = (dtype: DType): number =>
  isInexact(dtype) ? Infinity : dtype === "int32" ? 2147483647 : dtype === "uint32" ? 4294967295 : 1
