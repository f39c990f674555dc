/**
 * `stopGradient` on pytrees (JAX's `jax.lax.stop_gradient`).
 *
 * @since 0.1.0
 */
import { isTensor, lax, Tree } from "@diffect/core"

/**
 * The identity on every tensor of a pytree, with a zero derivative: no
 * transformation differentiates through it. Non-tensor leaves pass through.
 *
 * @example
 * import { grad, np, runSync, stopGradient, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // d/dx [x * stopGradient(x)] at 3 is 3 (the second factor is a constant)
 * console.log(toJsSync(runSync(grad((x: Tensor) => np.multiply(x, stopGradient(x)))(np.array(3))))) // 3
 *
 * @since 0.1.0
 */
export const stopGradient = <T>(tree: T): T =>
  Tree.map(tree, (leaf: unknown) => (isTensor(leaf) ? lax.stopGradient(leaf) : leaf)) as T
