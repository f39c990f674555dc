/**
 * JAX's `lax.composite`: an operation named for a compiler, defined by its
 * decomposition. A compiler that does not recognise the name compiles the
 * decomposition, and diffect's compilers recognise none, so the composite is
 * its decomposition: calling it calls `decomposition`, and it differentiates
 * and batches as that does. The name and version are kept on the returned
 * function (`compositeName`, `compositeVersion`) but do not appear in a
 * program's printout.
 *
 * @since 0.1.0
 */
import { argumentError, checkOptions, integer } from "../../Validate.js"

const op = "composite"

/**
 * A composite: its decomposition, with the name and version it was given.
 *
 * @since 0.1.0
 */
export type Composite<F extends (...args: Array<any>) => any> = F & {
  readonly compositeName: string
  readonly compositeVersion: number
}

/**
 * Wraps `decomposition` as the composite operation `name` (JAX's
 * `lax.composite`): the result computes exactly what `decomposition` computes.
 * JAX's keyword attributes are ordinary arguments here (JS has no keyword
 * arguments): pass them to `decomposition` positionally or in an options object.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const tangent = lax.composite((x) => np.divide(lax.sin(x), lax.cos(x)), "my.tangent")
 * console.log(toJsSync(tangent(np.array([0, Math.PI / 4], { dtype: "float64" }))), tangent.compositeName) // [0, 0.9999999999999999] my.tangent
 *
 * @since 0.1.0
 */
export const composite = <F extends (...args: Array<any>) => any>(
  decomposition: F,
  name: string,
  options?: { readonly version?: number | undefined }
): Composite<F> => {
  if (typeof decomposition !== "function") throw argumentError(op, "decomposition", "a function", decomposition)
  if (typeof name !== "string") throw argumentError(op, "name", "a string", name)
  checkOptions(op, options, { version: integer })
  const version = options?.version ?? 0
  if (version < 0) throw argumentError(op, "version", "a non-negative integer", version)
  const call = (...args: Array<any>) => decomposition(...args)
  return Object.assign(call, { compositeName: name, compositeVersion: version }) as unknown as Composite<F>
}
