/**
 * `customGradient` (JAX's `jax.custom_gradient`): a function that returns its
 * value together with its own VJP.
 *
 * @since 0.1.0
 */
import { isTensor, lax, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { closureConvert, customVjp } from "./Custom.js"
import type { CustomVjpFunction } from "./Custom.js"
import { CustomRuleError } from "./Errors.js"
import { checkCallable } from "./internal/args.js"
import { resolve } from "./internal/shell.js"

type AnyFunction = (...args: ReadonlyArray<any>) => any

/** What a `customGradient` function returns: its value and its VJP. @since 0.1.0 */
export type ValueAndVjp<Out> = readonly [value: Out, vjp: (cotangent: Out) => ReadonlyArray<unknown>]

/** The function `customGradient` makes of `F`: `F`'s arguments, its value only. @since 0.1.0 */
export type CustomGradientFunction<F extends AnyFunction> = ReturnType<F> extends ValueAndVjp<infer Out>
  ? CustomVjpFunction<(...args: Parameters<F>) => Out>
  : never

const valueAndRule = (name: string, result: unknown): ValueAndVjp<unknown> => {
  const pair = resolve("customGradient", result)
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== "function") {
    throw new CustomRuleError({
      name,
      detail: `a customGradient function must return [value, vjp], with vjp a function of the cotangent, got ${
        Array.isArray(pair) ? `an array of ${pair.length}` : typeof pair
      }`
    })
  }
  return pair as unknown as ValueAndVjp<unknown>
}

/**
 * Makes a function with a custom gradient from one that returns its value and
 * its VJP (JAX's `jax.custom_gradient`): `fun(...args)` gives `[value, vjp]`,
 * where `vjp(cotangent)` gives one cotangent per argument (an array). The VJP
 * may close over values computed in `fun`, traced ones included (they are
 * hoisted with `closureConvert` and kept as residuals). The result is a
 * `customVjp` function: its forward mode is JAX's error.
 *
 * @example
 * import { customGradient, grad, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // log(1 + e^x), with the gradient 1 - 1 / (1 + e^x) written from the saved exponential
 * const log1pexp = customGradient((x: Tensor) => {
 *   const e = np.exp(x)
 *   return [np.log1p(e), (g: Tensor) => [np.multiply(g, np.subtract(1, np.divide(1, np.add(1, e))))]] as const
 * })
 * console.log(toJsSync(runSync(grad(log1pexp)(np.array(0))))) // 0.5
 *
 * @category Custom rules
 * @since 0.1.0
 */
export const customGradient = <F extends AnyFunction>(fun: F): CustomGradientFunction<F> => {
  checkCallable("customGradient", fun)
  const name = fun.name === "" ? "customGradient" : fun.name
  const value = (...args: ReadonlyArray<unknown>) => valueAndRule(name, fun(...args))[0]
  // (named as `fun`, for the custom rule's messages)
  Object.defineProperty(value, "name", { value: name })
  const wrapped = customVjp(value)
  wrapped.defVjp(
    (...args: ReadonlyArray<unknown>) => {
      const [value, rule] = valueAndRule(name, fun(...args))
      // the VJP staged at the cotangent's types, the traced values it closes over hoisted as residuals
      const example = Tree.map(value, (leaf: unknown) => (isTensor(leaf) ? lax.full(leaf.shape, 0, leaf.dtype) : leaf))
      const [converted, consts] = closureConvert(rule, example)
      return [value, { converted, consts }] as const
    },
    (
      residuals: {
        readonly converted: (...args: ReadonlyArray<unknown>) => unknown
        readonly consts: ReadonlyArray<Tensor>
      },
      cotangent: unknown
    ) => {
      const cts = residuals.converted(cotangent, ...residuals.consts)
      if (!Array.isArray(cts)) {
        throw new CustomRuleError({
          name,
          detail:
            `the vjp of a customGradient function must return an array with one cotangent per argument, got ${typeof cts}`
        })
      }
      return cts
    }
  )
  return wrapped as unknown as CustomGradientFunction<F>
}
