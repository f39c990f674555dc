/**
 * `vjp`: reverse-mode differentiation of a function of pytrees
 * (JAX's `jax.vjp`), linearize followed by transpose (internal/vjp.ts).
 *
 * @since 0.1.0
 */
import { Memory, Tree } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import { axisNames, boolean, checkOptions } from "@diffect/core/Validate"
import type { OptionSpec } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { CotangentMismatchError } from "./Errors.js"
import type { DiffError } from "./Errors.js"
import { rebuildAux, reduceOverAxes, zeroCotangent } from "./internal/grad.js"
import { linearizeFlat } from "./internal/linearize.js"
import { makeOutCapture } from "./internal/output.js"
import { checkPaired, checkPrimals, flattenPrimals, fnName, tracedFn } from "./internal/pytree.js"
import type { Result } from "./internal/pytree.js"
import { stepwise, transformation } from "./internal/shell.js"
import { pullbackSteps } from "./internal/vjp.js"
import type { AuxOptions, OutputOf } from "./Jvp.js"
import type { AnyFunction, AuxOf, GradOf } from "./Types.js"

/**
 * Options of `vjp`.
 *
 * @category Transformations
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
 * @category Transformations
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
  const [outs, , program] = linearizeFlat(tracedFn("vjp", f, pDef, hasAux, capture), ps)
  const n = capture.count
  const outDef = capture.def!
  const mainOuts = outs.slice(0, n)
  const mainAvals = mainOuts.map((y) => y.aval)
  const auxAvals = outs.slice(n).map((y) => y.aval)
  // The returned VJP function's residuals (custom rules' included) outlive the region.
  Memory.keepAll()
  const steps = pullbackSteps(program, outs.map((y) => y.aval), ps.map((p) => p.aval))
  const name = fnName(f)
  // (named-axis batching is the primals' own, known where vjp ran: kept only when asked for)
  const reduceAxes = options.reduceAxes
  const batchedPrimals = reduceAxes === undefined ? undefined : ps
  // The VJP function is a Tree.partial of this function with the residuals bound (JAX's vjp returns
  // a Partial): a pytree whose leaves are the residuals, so that jit can take it as an argument
  // (compiled once per pullback function: once per trace of a jitted forward pass) and return it.
  const pullback = (residuals: ReadonlyArray<Tensor>, ...given: ReadonlyArray<unknown>) =>
    stepwise(function*() {
      if (given.length !== 1) {
        throw new CotangentMismatchError({ function: "VJP", kind: "arity", expected: name, got: String(given.length) })
      }
      const cts = checkPaired("VJP", outDef, mainAvals, given[0])
      const auxZeros = auxAvals.map(zeroCotangent)
      let grads = yield* steps(residuals, auxZeros.length === 0 ? cts : [...cts, ...auxZeros])
      if (reduceAxes !== undefined) grads = reduceOverAxes(reduceAxes, batchedPrimals!, grads)
      return Tree.unflatten(pDef, grads)
    })
  const vjpFn = Tree.partial(pullback, program.consts)
  const out = Tree.unflatten(outDef, mainOuts)
  return hasAux ? [out, vjpFn, rebuildAux(capture.aux, outs)] : [out, vjpFn]
}

const vjpSpec: OptionSpec = { hasAux: boolean, reduceAxes: axisNames }

/**
 * A vector-Jacobian product (JAX's `jax.vjp`): evaluates `f(...primals)` and
 * returns `[out, vjpFn]` (`[out, vjpFn, aux]` with `hasAux`), where
 * `vjpFn(cotangent)` is an Effect of the tuple of the primals' cotangents.
 * `primals` is the array of `f`'s arguments, as in `jvp`; integer and boolean
 * primals get `float0` cotangents.
 *
 * @example
 * import { np, runSync, toJsSync, vjp } from "diffect"
 * import type { Tensor } from "diffect"
 * const [y, pullback] = runSync(vjp((x: Tensor, y: Tensor) => np.multiply(x, y), [np.array(3), np.array(4)]))
 * console.log(toJsSync([y, runSync(pullback(np.array(1)))])) // [12, [4, 3]]
 * // with an auxiliary output: [out, vjpFn, aux]
 * const withAux = vjp((x: Tensor) => [np.sin(x), { x2: np.square(x) }] as const, [np.array(0)], { hasAux: true })
 * const [s, back, aux] = runSync(withAux)
 * console.log(toJsSync([s, aux, runSync(back(np.array(2)))])) // [0, { x2: 0 }, [2]]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const vjp = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  primals: Parameters<F>,
  options?: VjpOptions<A>
): Result<
  F,
  A extends true ? [OutputOf<F, A>, VjpFn<OutputOf<F, A>, Parameters<F>>, AuxOf<F>]
    : [OutputOf<F>, VjpFn<OutputOf<F>, Parameters<F>>]
> =>
  transformation(() => {
    checkOptions("vjp", options, vjpSpec)
    return vjpImpl(f, checkPrimals("vjp", primals), options ?? {}) as never
  })
