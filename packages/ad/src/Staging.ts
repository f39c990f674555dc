/**
 * `makeProgram` (JAX's `jax.make_jaxpr`): stages a function of pytrees into a
 * `Program`. The staging handler is in internal/staging.ts.
 *
 * @since 0.1.0
 */
import { ShapeDtypeStruct, Tree } from "@diffect/core"
import { anyValue, boolean, checkOptions } from "@diffect/core/Validate"
import { normalizeArgnums } from "./internal/argnumsStatic.js"
import { checkCallable } from "./internal/args.js"
import { makeOutCapture } from "./internal/output.js"
import { flattenAbstract, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import { makeProgramFlat } from "./internal/staging.js"
import type { Program } from "./Program.js"
import type { AbstractArgs, AnyFunction } from "./Types.js"

/**
 * Options of {@link makeProgram}.
 *
 * @category Programs
 * @since 0.1.0
 */
export interface MakeProgramOptions {
  /**
   * Positional arguments that are not staged (JAX's `static_argnums`): they are
   * passed to `f` as they are, and do not appear among the program's inputs.
   */
  readonly staticArgnums?: number | ReadonlyArray<number>
  /**
   * Also return the output's structure with a `ShapeDtypeStruct` at each leaf
   * (JAX's `return_shape`): the result is `[program, shapes]`.
   */
  readonly returnShape?: boolean
}

/**
 * Stages `f` into a Program (JAX's `jax.make_jaxpr`) at the shapes and dtypes of
 * `args` (tensors, or `ShapeDtypeStruct`s standing for them); print it with `String(program)`.
 *
 * @example
 * import { makeProgram, np, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const program = runSync(makeProgram((x: Tensor) => np.multiply(np.sin(x), 2))(np.zeros([3])))
 * // the constant 2 is an input of the program (a); x is b
 * console.log(String(program)) // { lambda a:f32[] ; b:f32[3]. let c:f32[3] = sin b ... in (e,) }
 * // a static argument is used as it is: here the program multiplies by 3
 * const scaled = runSync(makeProgram((x: Tensor, k: number) => np.multiply(x, k), { staticArgnums: 1 })(np.zeros([3]), 3))
 * console.log(scaled.inputs.length) // 1
 *
 * @category Programs
 * @since 0.1.0
 */
export const makeProgram: {
  <F extends AnyFunction>(
    f: F,
    options: MakeProgramOptions & { readonly returnShape: true }
  ): (...args: AbstractArgs<Parameters<F>>) => Result<F, readonly [Program, unknown]>
  <F extends AnyFunction>(
    f: F,
    options?: MakeProgramOptions & { readonly returnShape?: false }
  ): (...args: AbstractArgs<Parameters<F>>) => Result<F, Program>
} = <F extends AnyFunction>(f: F, options?: MakeProgramOptions) => (...args: AbstractArgs<Parameters<F>>) =>
  transformation(() => {
    checkCallable("makeProgram", f)
    checkOptions("makeProgram", options, { staticArgnums: anyValue, returnShape: boolean })
    const statics = normalizeArgnums("staticArgnums", options?.staticArgnums, args.length, "makeProgram's function")
    const dynamic = args.filter((_, i) => !statics.has(i))
    // the static arguments are closed over; the others are staged
    const g = (...ds: Array<unknown>) => {
      let k = 0
      return f(...args.map((a, i) => (statics.has(i) ? a : ds[k++])))
    }
    const [avals, def] = flattenAbstract("makeProgram", dynamic)
    const capture = makeOutCapture()
    const program = makeProgramFlat(tracedFn("makeProgram", g, def, false, capture), avals)
    if (options?.returnShape !== true) return program
    const shapes = program.outAvals.map((a) => new ShapeDtypeStruct(a.shape, a.dtype, { weakType: a.weakType }))
    return [program, Tree.unflatten(capture.def!, shapes)] as const
  }) as never
