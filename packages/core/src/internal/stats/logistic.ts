/**
 * `stats.logistic`: the logistic distribution (JAX's `jax.scipy.stats.logistic`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import * as np from "../../numpy.js"
import { expit, logit } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the logistic density, `-2 logaddexp(z / 2, -z / 2) - log(scale)`
 * (no overflow for large `|z|`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.logistic.logpdf(np.array([0], { dtype: "float64" })))) // [-1.3862943611198906]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("logistic.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const half = lax.div(lax.div(lax.sub(tx, tl), ts), c(tx, 2))
  return lax.sub(lax.mul(c(tx, -2), np.logaddexp(half, lax.neg(half))), lax.log(ts))
}

/**
 * The logistic density `e^-z / (scale (1 + e^-z)^2)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.logistic.pdf(np.array([0], { dtype: "float64" })))) // [0.25]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The logistic CDF `expit(z)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.logistic.cdf(np.array([0, Math.log(3)], { dtype: "float64" })))) // [0.5, 0.75]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("logistic.cdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return expit(lax.div(lax.sub(tx, tl), ts))
}

/**
 * The logistic survival function `expit(-z)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.logistic.sf(np.array([Math.log(3)], { dtype: "float64" })))) // [0.25]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("logistic.sf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return expit(lax.neg(lax.div(lax.sub(tx, tl), ts)))
}

/**
 * The logistic quantile function `loc + scale logit(q)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.logistic.ppf(np.array([0.5, 0.75], { dtype: "float64" })))) // [0, 1.0986122886681098]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("logistic.ppf", q, loc, scale) as [Tensor, Tensor, Tensor]
  return lax.add(lax.mul(logit(tq), ts), tl)
}

/**
 * The logistic inverse survival function `loc - scale logit(q)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.logistic.isf(np.array([0.25], { dtype: "float64" })))) // [1.0986122886681098]
 *
 * @since 0.1.0
 */
export const isf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("logistic.isf", q, loc, scale) as [Tensor, Tensor, Tensor]
  return lax.add(lax.mul(lax.neg(logit(tq)), ts), tl)
}
