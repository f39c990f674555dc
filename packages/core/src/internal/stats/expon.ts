/**
 * `stats.expon`: the exponential distribution on `[loc, inf)` with mean
 * `loc + scale` (JAX's `jax.scipy.stats.expon`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, guardProbability, log1mexp, promoteArgs } from "./common.js"

/**
 * The log of the exponential density, `-(x - loc) / scale - log(scale)`, -inf below `loc`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.logpdf(np.array([1, -1], { dtype: "float64" }), 0, 2))) // [-1.1931471805599454, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("expon.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const logProbs = lax.neg(lax.add(lax.div(lax.sub(tx, tl), ts), lax.log(ts)))
  return lax.select(lax.lt(tx, tl), c(tx, -Infinity), logProbs)
}

/**
 * The exponential density `exp(-(x - loc) / scale) / scale`, 0 below `loc`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.pdf(np.array([0, -1], { dtype: "float64" })))) // [1, 0]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The log of the survival function, `-(x - loc) / scale` (0 below `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.logsf(np.array([3, -1], { dtype: "float64" })))) // [-3, 0]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("expon.logsf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const negScaled = lax.div(lax.sub(tl, tx), ts)
  return lax.select(lax.lt(tx, tl), c(tx, 0), negScaled)
}

/**
 * The survival function `exp(-(x - loc) / scale)` (1 below `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.sf(np.array([Math.LN2], { dtype: "float64" })))) // [0.5]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logsf(x, loc, scale))

/**
 * The exponential CDF `-expm1(-(x - loc) / scale)` (0 below `loc`; accurate near `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.cdf(np.array([Math.LN2, 1e-20], { dtype: "float64" })))) // [0.5, 1e-20]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("expon.cdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const negScaled = lax.div(lax.sub(tl, tx), ts)
  return lax.select(lax.lt(tx, tl), c(tx, 0), lax.neg(lax.expm1(negScaled)))
}

/**
 * The log of the CDF, `log(1 - exp(-z))`: through `expm1` for small `z` and
 * `log1p` for large, accurate at both ends (-inf below `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.logcdf(np.array([Math.LN2, 40], { dtype: "float64" })))) // [-0.6931471805599453, -4.248354255291589e-18]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("expon.logcdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return lax.select(lax.lt(tx, tl), c(tx, -Infinity), log1mexp(lax.div(lax.sub(tx, tl), ts)))
}

/**
 * The exponential quantile function `loc - scale log1p(-q)` (NaN outside [0, 1]).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.expon.ppf(np.array([0.5, 2], { dtype: "float64" })))) // [0.6931471805599453, NaN]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("expon.ppf", q, loc, scale) as [Tensor, Tensor, Tensor]
  return guardProbability(tq, lax.sub(tl, lax.mul(ts, lax.log1p(lax.neg(tq)))))
}
