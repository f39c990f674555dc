/**
 * `stats.gamma`: the gamma distribution with shape `a` (JAX's
 * `jax.scipy.stats.gamma`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { gammainc, gammaincc, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, logOfPair, promoteArgs } from "./common.js"

// (x - loc) / scale, clamped at 0: the support starts there and igamma needs x >= 0.
const standardized = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => {
  const y = lax.div(lax.sub(x, loc), scale)
  return lax.max(y, c(y, 0))
}

// JAX's sf is `where(y < 0, 1, gammaincc(a, y))`: 1 below `loc` whatever `a` (even an invalid one)
const below = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => lax.lt(lax.div(lax.sub(x, loc), scale), c(x, 0))

/**
 * The log of the gamma density, `(a - 1) log y - y - lgamma(a) - log(scale)`
 * with `y = (x - loc) / scale` (-inf below `loc`, `xlogy`'s 0 at `y = 0, a = 1`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gamma.logpdf(np.array([1, 0, -1], { dtype: "float64" }), 2))) // [-1, -Infinity, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, a: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, ta, tl, ts] = promoteArgs("gamma.logpdf", x, a, loc, scale) as [Tensor, Tensor, Tensor, Tensor]
  const ok = lax.ge(tx, tl)
  const one = c(tx, 1)
  // outside the support y = 1 keeps the discarded branch (and its gradient) finite
  const y = lax.select(ok, lax.div(lax.sub(tx, tl), ts), one)
  const logProbs = lax.sub(lax.sub(xlogy(lax.sub(ta, one), y), y), lax.add(lax.lgamma(ta), lax.log(ts)))
  return lax.select(ok, logProbs, c(tx, -Infinity))
}

/**
 * The gamma density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gamma.pdf(np.array([0, 1], { dtype: "float64" }), 1))) // [1, 0.36787944117144233]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, a: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logpdf(x, a, loc, scale))

/**
 * The gamma CDF, the regularized lower incomplete gamma function `P(a, y)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gamma.cdf(np.array([Math.LN2, -1], { dtype: "float64" }), 1))) // [0.5, 0]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, a: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, ta, tl, ts] = promoteArgs("gamma.cdf", x, a, loc, scale) as [Tensor, Tensor, Tensor, Tensor]
  return gammainc(ta, standardized(tx, tl, ts))
}

/**
 * The gamma survival function `Q(a, y)` (1 below `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gamma.sf(np.array([2, -1], { dtype: "float64" }), 1))) // [0.1353352832366127, 1]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, a: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, ta, tl, ts] = promoteArgs("gamma.sf", x, a, loc, scale) as [Tensor, Tensor, Tensor, Tensor]
  return lax.select(below(tx, tl, ts), c(tx, 1), gammaincc(ta, standardized(tx, tl, ts)))
}

/**
 * The log of the gamma CDF (from `P` in the lower half, `log1p(-Q)` in the upper).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gamma.logcdf(np.array([Math.LN2], { dtype: "float64" }), 1))) // [-0.6931471805599453]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, a: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, ta, tl, ts] = promoteArgs("gamma.logcdf", x, a, loc, scale) as [Tensor, Tensor, Tensor, Tensor]
  const y = standardized(tx, tl, ts)
  return logOfPair(gammainc(ta, y), gammaincc(ta, y))
}

/**
 * The log of the gamma survival function.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.gamma.logsf(np.array([3], { dtype: "float64" }), 1))) // [-3]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, a: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, ta, tl, ts] = promoteArgs("gamma.logsf", x, a, loc, scale) as [Tensor, Tensor, Tensor, Tensor]
  const y = standardized(tx, tl, ts)
  // JAX's log(sf): 0 below `loc` whatever `a`, as sf
  return lax.select(below(tx, tl, ts), c(tx, 0), logOfPair(gammaincc(ta, y), gammainc(ta, y)))
}
