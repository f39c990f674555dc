/**
 * `stats.beta`: the beta distribution with shapes `a`, `b` on
 * `[loc, loc + scale]` (JAX's `jax.scipy.stats.beta`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { betainc, betaln, xlog1py, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { any, c, logOfPair, promoteArgs } from "./common.js"

type Args = [Tensor, Tensor, Tensor, Tensor, Tensor]

// (x - loc) / scale clamped to [0, 1], the support
const unit = (x: Tensor, loc: Tensor, scale: Tensor): Tensor =>
  lax.clamp(c(x, 0), lax.div(lax.sub(x, loc), scale), c(x, 1))

/**
 * The log of the beta density, `(a - 1) log y + (b - 1) log(1 - y) - log B(a, b) - log(scale)`
 * with `xlogy`'s conventions at the ends; -inf outside the support, NaN for
 * `a <= 0`, `b <= 0` or `scale <= 0`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // Beta(2, 2) = 6 y (1 - y)
 * console.log(toJsSync(stats.beta.logpdf(np.array([0.5, 2], { dtype: "float64" }), 2, 2))) // [0.4054651081081644, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("beta.logpdf", x, a, b, loc, scale) as Args
  const one = c(tx, 1)
  const y = lax.div(lax.sub(tx, tl), ts)
  const logLinear = lax.add(xlogy(lax.sub(ta, one), y), xlog1py(lax.sub(tb, one), lax.neg(y)))
  const logProbs = lax.sub(lax.sub(logLinear, betaln(ta, tb)), lax.log(ts))
  const outside = lax.or(lax.gt(tx, lax.add(tl, ts)), lax.lt(tx, tl))
  const result = lax.select(outside, c(tx, -Infinity), logProbs)
  const zero = c(tx, 0)
  return lax.select(any(lax.le(ta, zero), lax.le(tb, zero), lax.le(ts, zero)), c(tx, NaN), result)
}

/**
 * The beta density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.beta.pdf(np.array([0.5], { dtype: "float64" }), 2, 2))) // [1.5]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logpdf(x, a, b, loc, scale))

/**
 * The beta CDF, the regularized incomplete beta function `I_y(a, b)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // Beta(2, 1) has CDF y^2
 * console.log(toJsSync(stats.beta.cdf(np.array([0.5, 2], { dtype: "float64" }), 2, 1))) // [0.25, 1]
 *
 * @since 0.1.0
 */
export const cdf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("beta.cdf", x, a, b, loc, scale) as Args
  return betainc(ta, tb, unit(tx, tl, ts))
}

/**
 * The beta survival function `I_{1-y}(b, a)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.beta.sf(np.array([0.5], { dtype: "float64" }), 2, 1))) // [0.75]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("beta.sf", x, a, b, loc, scale) as Args
  return betainc(tb, ta, lax.sub(c(tx, 1), unit(tx, tl, ts)))
}

/**
 * The log of the beta CDF (from the CDF in the lower half, `log1p(-sf)` in the upper).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.beta.logcdf(np.array([0.5], { dtype: "float64" }), 2, 1))) // [-1.3862943611198906]
 *
 * @since 0.1.0
 */
export const logcdf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("beta.logcdf", x, a, b, loc, scale) as Args
  return logOfPair(cdf(tx, ta, tb, tl, ts), sf(tx, ta, tb, tl, ts))
}

/**
 * The log of the beta survival function.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.beta.logsf(np.array([0.5], { dtype: "float64" }), 2, 1))) // [-0.2876820724517809]
 *
 * @since 0.1.0
 */
export const logsf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("beta.logsf", x, a, b, loc, scale) as Args
  return logOfPair(sf(tx, ta, tb, tl, ts), cdf(tx, ta, tb, tl, ts))
}
