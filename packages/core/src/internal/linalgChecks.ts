/**
 * Argument checks shared by `np.linalg` and `jax.scipy.linalg`'s functions.
 *
 * @since 0.1.0
 */
import { ShapeError } from "../Errors.js"
import type { Tensor } from "../Tensor.js"

/** `a` has at least two dimensions, and its last two are equal unless `square` is false. */
export const requireMatrix = (op: string, a: Tensor, square = true): void => {
  if (a.ndim < 2) {
    throw new ShapeError({
      operation: op,
      detail: `${a.ndim}-dimensional array given. Array must be at least two-dimensional`
    })
  }
  if (square && a.shape.at(-1) !== a.shape.at(-2)) {
    throw new ShapeError({
      operation: op,
      detail: `Last 2 dimensions of the array must be square, got shape (${a.shape.join(", ")})`
    })
  }
}
