/**
 * `vjp` and `vjpWith`: reverse-mode differentiation of a function of pytrees
 * (JAX's `jax.vjp`), linearize followed by transpose (internal/vjp.ts).
 *
 * @since 0.1.0
 */
import { Tree } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import type { Effect } from "effect"
import { CotangentMismatchError } from "./Errors.js"
import type { DiffError } from "./Errors.js"
import { rebuildAux, reduceOverAxes, zeroCotangent } from "./internal/grad.js"
import { makeOutCapture } from "./internal/output.js"
import { checkPaired, flattenPrimals, fnName, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { transformation } from "./internal/shell.js"
import { vjpFlat } from "./internal/vjp.js"
import type { AuxOptions, OutputOf } from "./Jvp.js"
import type { AnyFunction, AuxOf, GradOf } from "./Types.js"

/**
 * Options of `vjpWith`.
 *
 * @since 0.1.0
 */
export interface VjpOptions<A extends boolean = boolean> extends AuxOptions<A> {
  /**
   * Named axes (bound by an enclosing `vmap`) over which the cotangent of each
   * primal that does not vary along them is summed when the VJP function runs.
   */
  readonly reduceAxes?: string | ReadonlyArray<string>
}

/**
 * A VJP function: maps a cotangent of the output (same structure, shapes and
 * dtypes; a JS number takes its output's dtype) to the tuple of cotangents of
 * the primals.
 *
 * @since 0.1.0
 */
export type VjpFn<Out, Args> = (
  cotangent: Out | GradOf<Out> | Tree.MapLeaves<Out, Tensor | number>
) => Effect.Effect<GradOf<Args>, DiffError, Backend>

const vjpImpl = (
  f: AnyFunction,
  primals: ReadonlyArray<unknown>,
  options: VjpOptions
): ReadonlyArray<unknown> => {
  const [ps, pDef] = flattenPrimals("vjp", primals)
  const hasAux = options.hasAux === true
  const capture = makeOutCapture()
  const [outs, pullback] = vjpFlat(tracedFn("vjp", f, pDef, hasAux, capture), ps)
  const n = capture.count
  const mainOuts = outs.slice(0, n)
  const auxZeros = outs.slice(n).map(zeroCotangent)
  const vjpFn = (...given: ReadonlyArray<unknown>) =>
    transformation(() => {
      if (given.length !== 1) {
        throw new CotangentMismatchError({
          function: "VJP",
          kind: "arity",
          expected: fnName(f),
          got: String(given.length)
        })
      }
      const cts = checkPaired("VJP", capture.def!, mainOuts, given[0])
      let grads = pullback(auxZeros.length === 0 ? cts : [...cts, ...auxZeros])
      if (options.reduceAxes !== undefined) grads = reduceOverAxes(options.reduceAxes, ps, grads)
      return Tree.unflatten(pDef, grads)
    })
  const out = Tree.unflatten(capture.def!, mainOuts)
  return hasAux ? [out, vjpFn, rebuildAux(capture.aux, outs)] : [out, vjpFn]
}

/**
 * A vector-Jacobian product (JAX's `jax.vjp`): evaluates `f(...primals)` and
 * returns `[out, vjpFn]`, where `vjpFn(cotangent)` is an Effect of the tuple of
 * the primals' cotangents. Integer and boolean primals get `float0` cotangents.
 *
 * @example
 * import { np, toJs, TypedArrayBackend, vjp } from "diffect"
 * import type { Tensor } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   const [y, pullback] = yield* vjp((x: Tensor, y: Tensor) => np.multiply(x, y), np.array(3), np.array(4))
 *   return yield* toJs([y, yield* pullback(np.array(1))])
 * })
 * console.log(await Effect.runPromise(program.pipe(Effect.provide(TypedArrayBackend.layer)))) // [12, [4, 3]]
 *
 * @since 0.1.0
 */
export const vjp = <F extends AnyFunction>(
  f: F,
  ...primals: Parameters<F>
): Result<F, [OutputOf<F>, VjpFn<OutputOf<F>, Parameters<F>>]> => transformation(() => vjpImpl(f, primals, {}) as never)

/**
 * `vjp` with options (`hasAux`, `reduceAxes`): `vjpWith(f, options)(...primals)`
 * gives `[out, vjpFn]`, or `[out, vjpFn, aux]` with `hasAux`.
 *
 * @example
 * import { np, runSync, toJsSync, vjpWith } from "diffect"
 * import type { Tensor } from "diffect"
 * const withAux = vjpWith((x: Tensor) => [np.sin(x), { x2: np.square(x) }], { hasAux: true })
 * const [y, pullback, aux] = runSync(withAux(np.array(0)))
 * console.log(toJsSync([y, aux, runSync(pullback(np.array(2)))])) // [0, { x2: 0 }, [2]]
 *
 * @since 0.1.0
 */
export const vjpWith = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  options: VjpOptions<A>
): (
  ...primals: Parameters<F>
) => Result<
  F,
  A extends true ? [OutputOf<F, A>, VjpFn<OutputOf<F, A>, Parameters<F>>, AuxOf<F>]
    : [OutputOf<F>, VjpFn<OutputOf<F>, Parameters<F>>]
> =>
(...primals) => transformation(() => vjpImpl(f, primals, options) as never)
