/**
 * `stats.laplace`: the Laplace (double exponential) distribution (JAX's
 * `jax.scipy.stats.laplace`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the Laplace density, `-|x - loc| / scale - log(2 scale)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.laplace.logpdf(np.array([0, -2], { dtype: "float64" })))) // [-0.6931471805599453, -2.6931471805599454]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("laplace.logpdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  return lax.neg(lax.add(lax.div(lax.abs(lax.sub(tx, tl)), ts), lax.log(lax.mul(c(tx, 2), ts))))
}

/**
 * The Laplace density `exp(-|x - loc| / scale) / (2 scale)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.laplace.pdf(np.array([1], { dtype: "float64" }), 1, 2))) // [0.25]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => lax.exp(logpdf(x, loc, scale))

/**
 * The Laplace CDF: `exp(z) / 2` below `loc`, `1 - exp(-z) / 2` above.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.laplace.cdf(np.array([0, Math.LN2], { dtype: "float64" })))) // [0.5, 0.75]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tl, ts] = promoteArgs("laplace.cdf", x, loc, scale) as [Tensor, Tensor, Tensor]
  const z = lax.div(lax.sub(tx, tl), ts)
  // each branch exponentiates a non-positive number (the other is discarded, so overflow there is harmless)
  const below = lax.le(z, c(z, 0))
  const safe = lax.select(below, z, lax.neg(z))
  const half = lax.mul(c(z, 0.5), lax.exp(safe))
  return lax.select(below, half, lax.sub(c(z, 1), half))
}
