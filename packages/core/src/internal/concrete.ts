/**
 * Values a function needs on the host (a result's shape depends on them): read
 * when the tensor is concrete, else JAX's `concrete_or_error` with the caller's
 * reason.
 *
 * @internal
 */
import { ConcretizationError } from "../Errors.js"
import type { Tensor } from "../Tensor.js"
import { toJsSync } from "../ToJs.js"

/** `t`'s values as nested JS arrays; a `ConcretizationError` with `detail` when `t` is traced. */
export const concreteValues = (t: Tensor, detail: string): unknown => {
  try {
    return toJsSync(t)
  } catch (e) {
    if (!(e instanceof ConcretizationError)) throw e
    throw new ConcretizationError({ detail })
  }
}
