/**
 * `stats.chi2`: the chi-squared distribution with `df` degrees of freedom
 * (JAX's `jax.scipy.stats.chi2`), the gamma distribution with shape `df / 2`
 * and scale 2.
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { gammainc, gammaincc, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, logOfPair, promoteArgs } from "./common.js"

type Args = [Tensor, Tensor, Tensor, Tensor]

// df / 2 and (x - loc) / (2 scale) clamped at 0: the arguments of the incomplete gamma functions
const gammaArgs = (df: Tensor, x: Tensor, loc: Tensor, scale: Tensor): readonly [Tensor, Tensor] => {
  const y = lax.div(lax.sub(x, loc), lax.mul(scale, c(scale, 2)))
  return [lax.div(df, c(df, 2)), lax.max(y, c(y, 0))]
}

/**
 * The log of the chi-squared density, `(df/2 - 1) log y - y/2 - lgamma(df/2) - (df/2) log 2 - log(scale)`
 * (-inf below `loc`; `xlogy`'s 0 at `y = 0, df = 2`, where the density is 1/2).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // df = 2: exp(-x/2) / 2
 * console.log(toJsSync(stats.chi2.logpdf(np.array([0, 2], { dtype: "float64" }), 2))) // [-0.6931471805599453, -1.6931471805599454]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tdf, tl, ts] = promoteArgs("chi2.logpdf", x, df, loc, scale) as Args
  const two = c(tx, 2)
  // JAX masks `x < loc` to -inf: a NaN x (or loc) stays NaN
  const ok = lax.not(lax.lt(tx, tl))
  const y = lax.select(ok, lax.div(lax.sub(tx, tl), ts), c(tx, 1))
  const half = lax.div(tdf, two)
  const kernel = lax.sub(xlogy(lax.sub(half, c(tx, 1)), y), lax.div(y, two))
  const normalizer = lax.neg(lax.add(lax.lgamma(half), lax.mul(half, c(tx, Math.LN2))))
  const logProbs = lax.add(lax.sub(normalizer, lax.log(ts)), kernel)
  return lax.select(ok, logProbs, c(tx, -Infinity))
}

/**
 * The chi-squared density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.chi2.pdf(np.array([2], { dtype: "float64" }), 2))) // [0.18393972058572117]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logpdf(x, df, loc, scale))

/**
 * The chi-squared CDF `P(df / 2, (x - loc) / (2 scale))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // SciPy: chi2.cdf(3.841458820694124, 1) = 0.95
 * console.log(toJsSync(stats.chi2.cdf(np.array([3.841458820694124], { dtype: "float64" }), 1))) // [0.95]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tdf, tl, ts] = promoteArgs("chi2.cdf", x, df, loc, scale) as Args
  return gammainc(...gammaArgs(tdf, tx, tl, ts))
}

/**
 * The chi-squared survival function `Q(df / 2, (x - loc) / (2 scale))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.chi2.sf(np.array([2], { dtype: "float64" }), 2))) // [0.36787944117144233]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tdf, tl, ts] = promoteArgs("chi2.sf", x, df, loc, scale) as Args
  return gammaincc(...gammaArgs(tdf, tx, tl, ts))
}

/**
 * The log of the chi-squared CDF.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.chi2.logcdf(np.array([2 * Math.LN2], { dtype: "float64" }), 2))) // [-0.6931471805599453]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tdf, tl, ts] = promoteArgs("chi2.logcdf", x, df, loc, scale) as Args
  const [h, y] = gammaArgs(tdf, tx, tl, ts)
  return logOfPair(gammainc(h, y), gammaincc(h, y))
}

/**
 * The log of the chi-squared survival function.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.chi2.logsf(np.array([6], { dtype: "float64" }), 2))) // [-3]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tdf, tl, ts] = promoteArgs("chi2.logsf", x, df, loc, scale) as Args
  const [h, y] = gammaArgs(tdf, tx, tl, ts)
  return logOfPair(gammaincc(h, y), gammainc(h, y))
}
