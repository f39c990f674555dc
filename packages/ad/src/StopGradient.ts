/**
 * `stopGradient` on pytrees (JAX's `jax.lax.stop_gradient`).
 *
 * @since 0.1.0
 */
import { isTensor, lax, Tree } from "@diffect/core"
import { argumentError } from "@diffect/core/Validate"

/**
 * The identity on every tensor of a pytree, with a zero derivative: no
 * transformation differentiates through it. JS numbers and booleans (constants)
 * pass through; any other leaf (a function, a string, an object that is not a
 * pytree node) is an `ArgumentError` naming its path, as JAX raises for a value
 * that is not an array.
 *
 * @example
 * import { grad, np, runSync, stopGradient, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // d/dx [x * stopGradient(x)] at 3 is 3 (the second factor is a constant)
 * console.log(toJsSync(runSync(grad((x: Tensor) => np.multiply(x, stopGradient(x)))(np.array(3))))) // 3
 *
 * @category Transformations
 * @since 0.1.0
 */
export const stopGradient = <T>(tree: T): T => {
  const [pairs, def] = Tree.flattenWithPath(tree)
  const out = pairs.map(([path, leaf]) => {
    if (isTensor(leaf)) return lax.stopGradient(leaf)
    if (typeof leaf === "number" || typeof leaf === "boolean") return leaf
    throw argumentError(
      "stopGradient",
      `the leaf at ${Tree.keystr(path) || "the root"}`,
      "a Tensor, a number or a boolean",
      leaf
    )
  })
  return Tree.unflatten(def, out)
}
