/**
 * `linearize` (JAX's `jax.linearize`): the primal outputs
 * of a function of pytrees and its JVP at those primals as a function, staged
 * once. The handlers (a JVP over a staging handler) are in internal/linearize.ts.
 *
 * @since 0.1.0
 */
import { Memory, Tree } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import { boolean, checkOptions } from "@diffect/core/Validate"
import type { OptionSpec } from "@diffect/core/Validate"
import type { Effect } from "effect"
import type { DiffError } from "./Errors.js"
import { rebuildAux } from "./internal/grad.js"
import { linearizeFlat } from "./internal/linearize.js"
import { makeOutCapture } from "./internal/output.js"
import { checkPaired, checkPrimals, flattenPrimals, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import type { AuxOptions, OutputOf } from "./Jvp.js"
import { evalProgram } from "./Program.js"
import type { AnyFunction, AuxOf, GradOf } from "./Types.js"

/**
 * A linearized function: maps tangents of the primals (one per argument) to the
 * tangent of the output.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type JvpFn<Out, Args extends ReadonlyArray<unknown>> = (
  ...tangents: GradOf<Args> | Args
) => Effect.Effect<Out, DiffError, Backend>

const linearizeImpl = (f: AnyFunction, primals: ReadonlyArray<unknown>, hasAux: boolean): ReadonlyArray<unknown> => {
  const [ps, pDef] = flattenPrimals("linearize", primals)
  const capture = makeOutCapture()
  const [outs, , program] = linearizeFlat(tracedFn("linearize", f, pDef, hasAux, capture), ps)
  // The returned linear function's constants outlive the region.
  Memory.keepAll()
  const n = capture.count
  const outDef = capture.def!
  const primalAvals = ps.map((p) => p.aval)
  // A Tree.partial with the program's constants bound (JAX's linearize returns a Partial): jit can
  // take it as an argument and return it, the constants being its leaves.
  const lifted = (consts: ReadonlyArray<Tensor>, ...tangents: ReadonlyArray<unknown>) =>
    transformation(() => {
      const ts = checkPaired("linearized", pDef, primalAvals, tangents)
      return Tree.unflatten(outDef, evalProgram(program, consts, ts).slice(0, n))
    })
  const linear = Tree.partial(lifted, program.consts)
  const out = Tree.unflatten(outDef, outs.slice(0, n))
  return hasAux ? [out, linear, rebuildAux(capture.aux, outs)] : [out, linear]
}

const linearizeSpec: OptionSpec = { hasAux: boolean }

/**
 * Linearization (JAX's `jax.linearize`): evaluates `f(...primals)` and returns
 * `[out, jvpFn]` (`[out, jvpFn, aux]` with `hasAux`), where `jvpFn(...tangents)`
 * evaluates the JVP at the primals without re-running `f`: the linear part was
 * staged once into a Program. `primals` is the array of `f`'s arguments, as in `jvp`.
 *
 * @example
 * import { linearize, np, toJs, TypedArrayBackend } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   const [y, df] = yield* linearize(np.sin, [np.array(1)])
 *   return yield* toJs([y, yield* df(np.array(2))])
 * })
 * // [sin(1), 2 cos(1)]
 * console.log(await Effect.runPromise(program.pipe(Effect.provide(TypedArrayBackend.layer)))) // [0.8414710, 1.0806046]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const linearize = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  primals: Parameters<F>,
  options?: AuxOptions<A>
): Result<
  F,
  A extends true ? [OutputOf<F, A>, JvpFn<OutputOf<F, A>, Parameters<F>>, AuxOf<F>]
    : [OutputOf<F>, JvpFn<OutputOf<F>, Parameters<F>>]
> =>
  transformation(() => {
    checkOptions("linearize", options, linearizeSpec)
    return linearizeImpl(f, checkPrimals("linearize", primals), options?.hasAux === true) as never
  })
