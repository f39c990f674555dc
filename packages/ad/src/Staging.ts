/**
 * `makeProgram` (JAX's `jax.make_jaxpr`): stages a function of pytrees into a
 * `Program`. The staging handler is in internal/staging.ts.
 *
 * @since 0.1.0
 */
import { makeOutCapture } from "./internal/output.js"
import { flattenPrimals, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import { makeProgramFlat } from "./internal/staging.js"
import type { Program } from "./Program.js"
import type { AnyFunction } from "./Types.js"

/**
 * Stages `f` into a Program (JAX's `jax.make_jaxpr`) at the shapes and dtypes of
 * `args`; print it with `String(program)`.
 *
 * @example
 * import { makeProgram, np, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const program = runSync(makeProgram((x: Tensor) => np.multiply(np.sin(x), 2))(np.zeros([3])))
 * // the constant 2 is an input of the program (a); x is b
 * console.log(String(program)) // { lambda a:f32[] ; b:f32[3]. let c:f32[3] = sin b ... in (e,) }
 *
 * @category Programs
 * @since 0.1.0
 */
export const makeProgram = <F extends AnyFunction>(f: F): (...args: Parameters<F>) => Result<F, Program> => (...args) =>
  transformation(() => {
    const [xs, def] = flattenPrimals("makeProgram", args)
    const capture = makeOutCapture()
    return makeProgramFlat(tracedFn("makeProgram", f, def, false, capture), xs.map((x) => x.aval))
  })
