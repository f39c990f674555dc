/**
 * `valueAndGrad` and `grad`: reverse-mode gradients of scalar functions, with
 * JAX's five options (`argnums`, `hasAux`, `holomorphic`, `allowInt`,
 * `reduceAxes`) and JAX's checks and messages.
 *
 * @since 0.1.0
 */
import type { Backend } from "@diffect/core"
import { anyValue, axisNames, boolean, checkOptions } from "@diffect/core/Validate"
import type { Effect } from "effect"
import type { DiffError } from "./Errors.js"
import { valueAndGradSteps } from "./internal/grad.js"
import { stepwise } from "./internal/shell.js"
import type { AnyFunction, Argnums, ContextOf, ErrorOf, GradResult, ValueAndGradResult } from "./Types.js"

/**
 * The options of `grad` and `valueAndGrad`.
 *
 * - `argnums` (default `0`): the positional argument(s) to differentiate; negative
 *   indices count from the end; an array gives a tuple of gradients in its order.
 * - `hasAux`: the function returns `[output, aux]`; `aux` is returned as is.
 * - `holomorphic`: the function is holomorphic; inputs and output must be complex,
 *   and the gradient is the complex derivative f'(z).
 * - `allowInt`: integer and boolean inputs are allowed; their gradient is a
 *   `float0` tensor of their shape.
 * - `reduceAxes`: named axes (bound by an enclosing `vmap`) over which the
 *   gradient of each argument that does not vary along them is summed.
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface GradOptions<N extends Argnums = Argnums, A extends boolean = boolean> {
  readonly argnums?: N
  readonly hasAux?: A
  readonly holomorphic?: boolean
  readonly allowInt?: boolean
  readonly reduceAxes?: string | ReadonlyArray<string>
}

// `argnums` is checked by normalizeArgnums, with JAX's messages.
const gradSpec = { argnums: anyValue, hasAux: boolean, holomorphic: boolean, allowInt: boolean, reduceAxes: axisNames }

/**
 * A function's value and its gradient with respect to the arguments at
 * `argnums` (JAX's `jax.value_and_grad`). The function must return a real
 * floating scalar (or, with `hasAux`, a pair `[scalar, aux]`); it may return an
 * Effect, e.g. another transformation's result.
 *
 * Gives `[value, grad]`, or `[[value, aux], grad]` with `hasAux`. The gradient
 * has the structure and dtypes of the differentiated argument(s).
 *
 * @example
 * import { np, runSync, toJsSync, valueAndGrad } from "diffect"
 * import type { Tensor } from "diffect"
 * const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => np.sum(np.square(np.add(np.multiply(x, p.w), p.b)))
 * const [value, g] = runSync(valueAndGrad(loss)({ w: np.array(2), b: np.array(1) }, np.array([1, 2])))
 * // value = (2+1)^2 + (4+1)^2; g.w = 2*3*1 + 2*5*2; g.b = 2*3 + 2*5
 * console.log(toJsSync(value), toJsSync(g)) // 34 { b: 16, w: 26 }
 *
 * @category Transformations
 * @since 0.1.0
 */
export const valueAndGrad = <F extends AnyFunction, const N extends Argnums = 0, A extends boolean = false>(
  f: F,
  options: GradOptions<N, A> = {}
): (
  ...args: Parameters<F>
) => Effect.Effect<ValueAndGradResult<F, N, A>, DiffError | ErrorOf<F>, Backend | ContextOf<F>> =>
(...args) =>
  stepwise<ValueAndGradResult<F, N, A>, ErrorOf<F>, ContextOf<F>>(function*() {
    checkOptions("valueAndGrad", options, gradSpec)
    const r = yield* valueAndGradSteps("grad", f, options, args)
    return (options.hasAux === true ? [[r.value, r.aux], r.grad] : [r.value, r.grad]) as ValueAndGradResult<F, N, A>
  })

/**
 * The gradient of a scalar function with respect to the arguments at `argnums`
 * (JAX's `jax.grad`). Same options as {@link valueAndGrad}; gives the gradient,
 * or `[grad, aux]` with `hasAux`. Gradients nest: `grad(grad(f))` is the second
 * derivative.
 *
 * @example
 * import { grad, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // as jax.grad(jnp.tanh)(0.2)
 * const dtanh = grad((x: Tensor) => np.tanh(x))
 * console.log(toJsSync(runSync(dtanh(np.array(0.2))))) // 0.961043
 * // -sin(1)
 * const d2sin = grad(grad((x: Tensor) => np.sin(x)))
 * console.log(toJsSync(runSync(d2sin(np.array(1))))) // -0.8414710
 *
 * @category Transformations
 * @since 0.1.0
 */
export const grad = <F extends AnyFunction, const N extends Argnums = 0, A extends boolean = false>(
  f: F,
  options: GradOptions<N, A> = {}
): (...args: Parameters<F>) => Effect.Effect<GradResult<F, N, A>, DiffError | ErrorOf<F>, Backend | ContextOf<F>> =>
(...args) =>
  stepwise<GradResult<F, N, A>, ErrorOf<F>, ContextOf<F>>(function*() {
    checkOptions("grad", options, gradSpec)
    const r = yield* valueAndGradSteps("grad", f, options, args)
    return (options.hasAux === true ? [r.grad, r.aux] : r.grad) as GradResult<F, N, A>
  })
