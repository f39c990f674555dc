/**
 * `stats.gennorm`: the generalized normal distribution with shape `beta`,
 * density proportional to `exp(-|x|^beta)` (JAX's `jax.scipy.stats.gennorm`;
 * `beta = 2` is the normal with variance 1/2, `beta = 1` the Laplace).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the generalized normal density, `log(beta / 2) - lgamma(1 / beta) - |x|^beta`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gennorm.logpdf(np.array([0, 1], { dtype: "float64" }), 1))) // [-0.6931471805599453, -1.6931471805599454]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, beta: TensorLike): Tensor => {
  const [tx, tb] = promoteArgs("gennorm.logpdf", x, beta) as [Tensor, Tensor]
  const normalizer = lax.sub(lax.log(lax.mul(c(tb, 0.5), tb)), lax.lgamma(lax.div(c(tb, 1), tb)))
  return lax.sub(normalizer, lax.pow(lax.abs(tx), tb))
}

/**
 * The generalized normal density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gennorm.pdf(np.array([0], { dtype: "float64" }), 2))) // [0.5641895835477563]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, beta: TensorLike): Tensor => lax.exp(logpdf(x, beta))

/**
 * The generalized normal CDF `(1 + sign(x) P(1 / beta, |x|^beta)) / 2`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gennorm.cdf(np.array([0, Math.LN2], { dtype: "float64" }), 1))) // [0.5, 0.75]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, beta: TensorLike): Tensor => {
  const [tx, tb] = promoteArgs("gennorm.cdf", x, beta) as [Tensor, Tensor]
  const p = lax.igamma(lax.div(c(tb, 1), tb), lax.pow(lax.abs(tx), tb))
  return lax.mul(c(tx, 0.5), lax.add(c(tx, 1), lax.mul(lax.sign(tx), p)))
}
