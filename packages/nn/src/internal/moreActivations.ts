/**
 * jax.nn's smaller activations: `tanh`, `identity`, `squareplus`,
 * `sparsePlus`, `sparseSigmoid` and `log1mexp`, JAX's formulas over np. Their
 * derivatives are the chain rule's, as JAX's, except `log1mexp`'s, JAX's custom
 * JVP `g / expm1(x)`.
 *
 * @since 0.1.0
 */
import { customJvp } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { checkOptions, numberOrArray } from "@diffect/core/Validate"
import { inexact } from "./reduce.js"

type TensorLike = np.TensorLike

/**
 * The hyperbolic tangent (JAX's `jax.nn.tanh`, `jnp.tanh`).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.tanh(np.array([0, 1])))) // [0, 0.7615942]
 *
 * @since 0.1.0
 */
export const tanh = (x: TensorLike): Tensor => np.tanh(inexact(x))

/**
 * The identity activation (JAX's `jax.nn.identity`): `x` itself, as an array.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.identity(np.array([-1, 2])))) // [-1, 2]
 *
 * @since 0.1.0
 */
export const identity = (x: TensorLike): Tensor => np.asarray(x)

/**
 * Squareplus, `(x + sqrt(x^2 + b)) / 2` (JAX's `squareplus`, b = 4 by
 * default): a smooth ReLU without exponentials.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.squareplus(np.array([0, 1.5])))) // [1, 2]
 * console.log(toJsSync(nn.squareplus(np.array([0]), { b: 1 }))) // [0.5]
 *
 * @since 0.1.0
 */
export const squareplus = (x: TensorLike, options?: { readonly b?: number | undefined }): Tensor => {
  // JAX's `squareplus(x, b=4)`: a positional b (`squareplus(x, 1)`) or a misspelt key was silently b = 4
  checkOptions("squareplus", options, { b: numberOrArray })
  const t = inexact(x)
  return np.divide(np.add(t, np.sqrt(np.add(np.square(t), options?.b ?? 4))), 2)
}

/**
 * Sparse plus (JAX's `sparse_plus`): 0 for `x <= -1`, `(x + 1)^2 / 4` on
 * (-1, 1), `x` from 1 on; continuously differentiable.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.sparsePlus(np.array([-2, 0, 2])))) // [0, 0.25, 2]
 *
 * @since 0.1.0
 */
export const sparsePlus = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return np.where(np.lessEqual(t, -1), 0, np.where(np.greaterEqual(t, 1), t, np.divide(np.square(np.add(t, 1)), 4)))
}

/**
 * Sparse sigmoid (JAX's `sparse_sigmoid`): `clip((x + 1) / 2, 0, 1)`, the
 * derivative of `sparsePlus`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.sparseSigmoid(np.array([-2, 0, 0.5, 3])))) // [0, 0.5, 0.75, 1]
 *
 * @since 0.1.0
 */
export const sparseSigmoid = (x: TensorLike): Tensor =>
  np.multiply(0.5, np.clip(np.add(inexact(x), 1), { min: 0, max: 2 }))

const log1mexpImpl = customJvp((t: Tensor): Tensor =>
  np.where(
    np.less(t, Math.LN2),
    np.log(np.negative(np.expm1(np.negative(t)))),
    np.log1p(np.negative(np.exp(np.negative(t))))
  )
).defJvp(([x], [g]) => [log1mexpImpl(x), np.divide(g, np.expm1(x))])

/**
 * `log(1 - exp(-x))` for `x > 0`, stably (JAX's `log1mexp`: `log(-expm1(-x))`
 * below `log 2`, `log1p(-exp(-x))` above, Maechler's split), with JAX's custom
 * derivative `1 / expm1(x)` (the chain rule through the branch not taken would
 * give NaN near 0: its `log1p(-1)` is `-inf`).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.log1mexp(np.array([1e-10, 50], { dtype: "float64" })))) // [-23.025850929990458, -1.9287498479639178e-22]
 *
 * @since 0.1.0
 */
export const log1mexp = (x: TensorLike): Tensor => log1mexpImpl(inexact(x))
