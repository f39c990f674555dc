/**
 * `stats.gumbelR`: the right-skewed Gumbel (maximum extreme value) distribution
 * (JAX's `jax.scipy.stats.gumbel_r`). Every function is NaN for `scale <= 0`.
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
 * The log of the Gumbel density, `-log(scale) - z - exp(-z)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.logpdf(np.array([0], { dtype: "float64" })))) // [-1]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_r.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const z = lax.div(lax.sub(tx, tl), ts)
  return ifValidScale(ts, lax.sub(lax.neg(lax.log(ts)), lax.add(z, lax.exp(lax.neg(z)))))
}

/**
 * The Gumbel density `exp(-z - exp(-z)) / scale`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.pdf(np.array([0], { dtype: "float64" })))) // [0.36787944117144233]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The log of the Gumbel CDF, `-exp(-z)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.logcdf(np.array([0], { dtype: "float64" })))) // [-1]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_r.logcdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return ifValidScale(ts, lax.neg(lax.exp(lax.neg(lax.div(lax.sub(tx, tl), ts)))))
}

/**
 * The Gumbel CDF `exp(-exp(-z))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.cdf(np.array([0], { dtype: "float64" })))) // [0.36787944117144233]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logcdf(x, loc, scale))

/**
 * The Gumbel survival function `1 - exp(-exp(-z))`, through `expm1` (accurate in the right tail).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.sf(np.array([40], { dtype: "float64" })))) // [4.248354255291589e-18]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_r.sf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const negZ = lax.div(lax.sub(tl, tx), ts)
  return ifValidScale(ts, lax.neg(lax.expm1(lax.neg(lax.exp(negZ)))))
}

/**
 * The log of the Gumbel survival function, `log(1 - exp(-exp(-z)))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.logsf(np.array([40], { dtype: "float64" })))) // [-40]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("gumbel_r.logsf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return ifValidScale(ts, log1mexp(lax.exp(lax.div(lax.sub(tl, tx), ts))))
}

/**
 * The Gumbel quantile function `loc - scale log(-log p)` (NaN outside the open interval (0, 1)).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gumbelR.ppf(np.array([Math.exp(-1), 0], { dtype: "float64" })))) // [0, NaN]
 *
 * @since 0.1.0
 */
export const ppf = (p: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tp, tl, ts] = promoteArgs("gumbel_r.ppf", p, loc, scale) as [Tensor, Tensor, Tensor]
  const ok = lax.and(lax.gt(tp, c(tp, 0)), lax.lt(tp, c(tp, 1)))
  const quantile = lax.sub(tl, lax.mul(ts, lax.log(lax.neg(lax.log(tp)))))
  return lax.select(ok, quantile, c(tp, NaN))
}
