/**
 * Functions that workers can run. A JavaScript function cannot cross a thread
 * or a process (its closure stays behind), so a function that `pmap` maps is
 * declared in a module that every worker imports too: `Remote.make(import.meta.url,
 * "step", f)` names it by its module and a name unique in that module. The
 * calling side imports the same module and passes the value to `pmap`.
 *
 * @since 0.1.0
 */

import { register, TypeId } from "./internal/registry.js"

/**
 * A function declared for workers: its module (a URL every worker can import),
 * its name in that module, and the function itself.
 *
 * @category Models
 * @since 0.1.0
 */
export interface Remote<F extends (...args: ReadonlyArray<any>) => any> {
  readonly [TypeId]: typeof TypeId
  readonly module: string
  readonly name: string
  readonly f: F
}

/**
 * Declares `f` as the function `name` of the module at `module` (pass
 * `import.meta.url`). Workers import that module and look the function up by
 * `name`, so the declaration must be at the module's top level (exported or
 * not) and `name` unique in it.
 *
 * @example
 * import { np, type Tensor } from "diffect"
 * import { Remote } from "diffect/parallel"
 * export const double = Remote.make(import.meta.url, "double", (x: Tensor) => np.multiply(x, 2))
 * console.log(double.name) // double
 *
 * @category Constructors
 * @since 0.1.0
 */
export const make = <F extends (...args: ReadonlyArray<any>) => any>(
  module: string | URL,
  name: string,
  f: F
): Remote<F> => {
  const remote: Remote<F> = { [TypeId]: TypeId, module: String(module), name, f }
  register(remote)
  return remote
}

/**
 * Whether `u` was made by `Remote.make`.
 *
 * @example
 * import { Remote } from "diffect/parallel"
 * console.log(Remote.isRemote(Remote.make(import.meta.url, "id", (x: number) => x))) // true
 * console.log(Remote.isRemote((x: number) => x)) // false
 *
 * @category Guards
 * @since 0.1.0
 */
export const isRemote = (u: unknown): u is Remote<(...args: ReadonlyArray<any>) => any> =>
  typeof u === "object" && u !== null && (u as Record<string, unknown>)[TypeId] === TypeId
