/**
 * `stats.uniform`: the uniform distribution on `[loc, loc + scale]` (JAX's
 * `jax.scipy.stats.uniform`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, guardProbability, promoteArgs } from "./common.js"

/**
 * The log of the uniform density, `-log(scale)` on the support and -inf outside.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.uniform.logpdf(np.array([1, 5], { dtype: "float64" }), 0, 4))) // [-1.3862943611198906, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("uniform.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const outside = lax.or(lax.gt(tx, lax.add(tl, ts)), lax.lt(tx, tl))
  return lax.select(outside, c(tx, -Infinity), lax.neg(lax.log(ts)))
}

/**
 * The uniform density, `1 / scale` on the support and 0 outside.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.uniform.pdf(np.array([1, 5], { dtype: "float64" }), 0, 4))) // [0.25, 0]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The uniform CDF: 0 below `loc`, 1 above `loc + scale`, linear between (0 at
 * NaN, JAX's `select` default).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.uniform.cdf(np.array([-1, 1, 5], { dtype: "float64" }), 0, 4))) // [0, 0.25, 1]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("uniform.cdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const upper = lax.add(tl, ts)
  const inside = lax.and(lax.ge(tx, tl), lax.le(tx, upper))
  const linear = lax.select(inside, lax.div(lax.sub(tx, tl), ts), c(tx, 0))
  return lax.select(lax.lt(tx, tl), c(tx, 0), lax.select(lax.gt(tx, upper), c(tx, 1), linear))
}

/**
 * The uniform quantile function `loc + scale q` (NaN outside [0, 1]).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.uniform.ppf(np.array([0.25, 1.5], { dtype: "float64" }), 0, 4))) // [1, NaN]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("uniform.ppf", q, loc, scale) as [Tensor, Tensor, Tensor]
  return guardProbability(tq, lax.add(tl, lax.mul(ts, tq)))
}
