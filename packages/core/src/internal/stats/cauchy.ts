/**
 * `stats.cauchy`: the Cauchy distribution with median `loc` and half-width
 * `scale` (JAX's `jax.scipy.stats.cauchy`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

const standardize = (x: Tensor, loc: Tensor, scale: Tensor): Tensor => lax.div(lax.sub(x, loc), scale)

/**
 * The log of the Cauchy density, `-log(pi scale) - log1p(z^2)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.logpdf(np.array([0, 1], { dtype: "float64" })))) // [-1.1447298858494002, -1.8378770664093453]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("cauchy.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const z = standardize(tx, tl, ts)
  return lax.neg(lax.add(lax.log(lax.mul(c(tx, Math.PI), ts)), lax.log1p(lax.square(z))))
}

/**
 * The Cauchy density `1 / (pi scale (1 + z^2))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.pdf(np.array([1], { dtype: "float64" })))) // [0.15915494309189535]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The Cauchy CDF `1/2 + atan(z) / pi`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.cdf(np.array([1, -1], { dtype: "float64" })))) // [0.75, 0.25]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("cauchy.cdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return lax.add(c(tx, 0.5), lax.mul(c(tx, 1 / Math.PI), lax.atan(standardize(tx, tl, ts))))
}

/**
 * The log of the Cauchy CDF.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.logcdf(np.array([1], { dtype: "float64" })))) // [-0.2876820724517809]
 *
 * @since 0.1.0
 */
export const logcdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.log(cdf(x, loc, scale))

/**
 * The Cauchy survival function, the CDF of the reflection.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.sf(np.array([1], { dtype: "float64" })))) // [0.25]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("cauchy.sf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return cdf(lax.neg(tx), lax.neg(tl), ts)
}

/**
 * The log of the Cauchy survival function.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.logsf(np.array([-1], { dtype: "float64" })))) // [-0.2876820724517809]
 *
 * @since 0.1.0
 */
export const logsf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("cauchy.logsf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return logcdf(lax.neg(tx), lax.neg(tl), ts)
}

/**
 * The Cauchy quantile function `loc + scale tan(pi (q - 1/2))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.ppf(np.array([0.5, 0.75], { dtype: "float64" }), 2))) // [2, 3]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("cauchy.ppf", q, loc, scale) as [Tensor, Tensor, Tensor]
  const unscaled = lax.tan(lax.sub(lax.mul(c(tq, Math.PI), tq), c(tq, Math.PI / 2)))
  return lax.add(lax.mul(unscaled, ts), tl)
}

/**
 * The Cauchy inverse survival function `loc + scale tan(pi (1/2 - q))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.cauchy.isf(np.array([0.25], { dtype: "float64" })))) // [1]
 *
 * @since 0.1.0
 */
export const isf = (q: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tq, tl, ts] = promoteArgs("cauchy.isf", q, loc, scale) as [Tensor, Tensor, Tensor]
  const unscaled = lax.tan(lax.sub(c(tq, Math.PI / 2), lax.mul(c(tq, Math.PI), tq)))
  return lax.add(lax.mul(unscaled, ts), tl)
}
