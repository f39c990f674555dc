/**
 * `stats.gumbelL`: the left-skewed Gumbel (minimum extreme value) distribution
 * (JAX's `jax.scipy.stats.gumbel_l`), the reflection of `gumbelR`. Every
 * function is NaN for `scale <= 0`.
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, log1mexp, promoteArgs } from "./common.js"

const ifValidScale = (scale: Tensor, value: Tensor): Tensor =>
  lax.select(lax.gt(scale, c(scale, 0)), value, c(value, NaN))

/**
 * The log of the density, `-log(scale) + z - exp(z)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.logpdf(np.array([0], { dtype: "float64" })))) // [-1]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_l.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const z = lax.div(lax.sub(tx, tl), ts)
  return ifValidScale(ts, lax.add(lax.neg(lax.log(ts)), lax.sub(z, lax.exp(z))))
}

/**
 * The density `exp(z - exp(z)) / scale`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.pdf(np.array([0], { dtype: "float64" })))) // [0.36787944117144233]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The log of the CDF, `log(1 - exp(-exp(z)))` (accurate in both tails).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.logcdf(np.array([-40], { dtype: "float64" })))) // [-40]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_l.logcdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return ifValidScale(ts, log1mexp(lax.exp(lax.div(lax.sub(tx, tl), ts))))
}

/**
 * The CDF `1 - exp(-exp(z))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.cdf(np.array([0], { dtype: "float64" })))) // [0.6321205588285577]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logcdf(x, loc, scale))

/**
 * The log of the survival function, `-exp(z)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.logsf(np.array([0], { dtype: "float64" })))) // [-1]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_l.logsf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return ifValidScale(ts, lax.neg(lax.exp(lax.div(lax.sub(tx, tl), ts))))
}

/**
 * The survival function `exp(-exp(z))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.sf(np.array([0], { dtype: "float64" })))) // [0.36787944117144233]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logsf(x, loc, scale))

/**
 * The quantile function `loc + scale log(-log1p(-p))` (NaN outside the open interval (0, 1)).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelL.ppf(np.array([1 - Math.exp(-1), 1], { dtype: "float64" })))) // [0, NaN]
 *
 * @since 0.1.0
 */
export const ppf = (p: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tp, tl, ts] = promoteArgs("gumbel_l.ppf", p, loc, scale) as [Tensor, Tensor, Tensor]
  const ok = lax.and(lax.gt(tp, c(tp, 0)), lax.lt(tp, c(tp, 1)))
  const quantile = lax.add(tl, lax.mul(ts, lax.log(lax.neg(lax.log1p(lax.neg(tp))))))
  return lax.select(ok, quantile, c(tp, NaN))
}
