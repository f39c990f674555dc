/**
 * `stats.pareto`: the Pareto distribution with shape `b` on `[loc + scale, inf)`
 * (JAX's `jax.scipy.stats.pareto`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, guardProbability, promoteArgs } from "./common.js"

type Args = [Tensor, Tensor, Tensor, Tensor]

const below = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => lax.lt(x, lax.add(loc, scale))
const standardize = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => lax.div(lax.sub(x, loc), scale)

/**
 * The log of the Pareto density, `log(b / scale) - (b + 1) log z` with
 * `z = (x - loc) / scale` (-inf below `loc + scale`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.logpdf(np.array([1, 2, 0.5], { dtype: "float64" }), 1))) // [0, -1.3862943611198906, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tb, tl, ts] = promoteArgs("pareto.logpdf", x, b, loc, scale) as Args
  const z = standardize(tx, tl, ts)
  const logProbs = lax.neg(lax.add(lax.log(lax.div(ts, tb)), lax.mul(lax.add(tb, c(tb, 1)), lax.log(z))))
  return lax.select(below(tx, tl, ts), c(tx, -Infinity), logProbs)
}

/**
 * The Pareto density `b / (scale z^(b + 1))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.pdf(np.array([2], { dtype: "float64" }), 2))) // [0.25]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logpdf(x, b, loc, scale))

/**
 * The Pareto CDF `1 - z^-b` (0 below `loc + scale`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.cdf(np.array([2, 0], { dtype: "float64" }), 2))) // [0.75, 0]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tb, tl, ts] = promoteArgs("pareto.cdf", x, b, loc, scale) as Args
  const value = lax.sub(c(tx, 1), lax.pow(standardize(tx, tl, ts), lax.neg(tb)))
  return lax.select(below(tx, tl, ts), c(tx, 0), value)
}

/**
 * The log of the Pareto CDF, `log1p(-z^-b)` (-inf below `loc + scale`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.logcdf(np.array([2], { dtype: "float64" }), 1))) // [-0.6931471805599453]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tb, tl, ts] = promoteArgs("pareto.logcdf", x, b, loc, scale) as Args
  const value = lax.log1p(lax.neg(lax.pow(standardize(tx, tl, ts), lax.neg(tb))))
  return lax.select(below(tx, tl, ts), c(tx, -Infinity), value)
}

/**
 * The log of the Pareto survival function, `-b log z` (0 below `loc + scale`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.logsf(np.array([Math.E], { dtype: "float64" }), 3))) // [-3]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tb, tl, ts] = promoteArgs("pareto.logsf", x, b, loc, scale) as Args
  const value = lax.neg(lax.mul(tb, lax.log(standardize(tx, tl, ts))))
  return lax.select(below(tx, tl, ts), c(tx, 0), value)
}

/**
 * The Pareto survival function `z^-b` (1 below `loc + scale`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.sf(np.array([2], { dtype: "float64" }), 2))) // [0.25]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logsf(x, b, loc, scale))

/**
 * The Pareto quantile function `loc + scale (1 - q)^(-1/b)` (NaN outside [0, 1]).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.pareto.ppf(np.array([0.75, 2], { dtype: "float64" }), 2))) // [2, NaN]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tb, tl, ts] = promoteArgs("pareto.ppf", q, b, loc, scale) as Args
  const one = c(tq, 1)
  const value = lax.add(tl, lax.mul(ts, lax.pow(lax.sub(one, tq), lax.neg(lax.div(one, tb)))))
  return guardProbability(tq, value)
}
