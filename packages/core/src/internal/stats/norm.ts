/**
 * `stats.norm`: the normal distribution with mean `loc` and standard deviation
 * `scale` (JAX's `jax.scipy.stats.norm`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { logNdtr, ndtr, ndtri } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

const standardize = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => lax.div(lax.sub(x, loc), scale)

/**
 * The log of the normal density, `-((x - loc) / scale)^2 / 2 - log(2 pi scale^2) / 2`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.logpdf(np.array([0, 1], { dtype: "float64" })))) // [-0.9189385332046727, -1.4189385332046727]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("norm.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const s2 = lax.square(ts)
  const logNormalizer = lax.log(lax.mul(c(tx, 2 * Math.PI), s2))
  const quadratic = lax.div(lax.square(lax.sub(tx, tl)), s2)
  return lax.div(lax.add(logNormalizer, quadratic), c(tx, -2))
}

/**
 * The normal density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.pdf(np.array([0, 2]), 1, 2))) // [0.17603266, 0.17603266]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The normal CDF, `ndtr((x - loc) / scale)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.cdf(np.array([0, 1.959963984540054], { dtype: "float64" })))) // [0.5, 0.975]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("norm.cdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return ndtr(standardize(tx, tl, ts))
}

/**
 * The log of the normal CDF, accurate far into the lower tail (`logNdtr`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.logcdf(np.array([0, -40], { dtype: "float64" })))) // [-0.6931471805599453, -804.6084420137538]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("norm.logcdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return logNdtr(standardize(tx, tl, ts))
}

/**
 * The normal survival function `1 - cdf`, as the CDF of the reflection (no cancellation).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.sf(np.array([10], { dtype: "float64" })))) // [7.61985302416047e-24]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("norm.sf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return ndtr(standardize(lax.neg(tx), lax.neg(tl), ts))
}

/**
 * The log of the normal survival function.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.logsf(np.array([0, 40], { dtype: "float64" })))) // [-0.6931471805599453, -804.6084420137538]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("norm.logsf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return logNdtr(standardize(lax.neg(tx), lax.neg(tl), ts))
}

/**
 * The normal quantile function, `loc + scale ndtri(q)` (NaN outside [0, 1]).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.ppf(np.array([0.5, 0.975], { dtype: "float64" }), 1, 2))) // [1, 4.919927969080108]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("norm.ppf", q, loc, scale) as [Tensor, Tensor, Tensor]
  return lax.add(lax.mul(ndtri(tq), ts), tl)
}

/**
 * The inverse survival function, `ppf(1 - q)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.isf(np.array([0.025], { dtype: "float64" })))) // [1.959963984540054]
 *
 * @since 0.1.0
 */
export const isf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("norm.isf", q, loc, scale) as [Tensor, Tensor, Tensor]
  return ppf(lax.sub(c(tq, 1), tq), tl, ts)
}
