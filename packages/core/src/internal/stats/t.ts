/**
 * `stats.t`: Student's t distribution with `df` degrees of freedom (JAX's
 * `jax.scipy.stats.t`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of Student's t density,
 * `lgamma((df + 1) / 2) - lgamma(df / 2) - log(pi df scale^2) / 2 - (df + 1) / 2 log1p(z^2 / df)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // df = 1 is the Cauchy distribution: -log(2 pi)
 * console.log(toJsSync(stats.t.logpdf(np.array([1], { dtype: "float64" }), 1))) // [-1.8378770664093453]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor => {
  const [tx, tdf, tl, ts] = promoteArgs("t.logpdf", x, df, loc, scale) as [Tensor, Tensor, Tensor, Tensor]
  const z = lax.div(lax.sub(tx, tl), ts)
  const half = lax.div(tdf, c(tx, 2))
  const halfPlus = lax.add(half, c(tx, 0.5))
  const normalize = lax.sub(
    lax.add(lax.lgamma(half), lax.div(lax.log(lax.mul(lax.mul(lax.square(ts), c(tx, Math.PI)), tdf)), c(tx, 2))),
    lax.lgamma(halfPlus)
  )
  return lax.neg(lax.add(normalize, lax.mul(halfPlus, lax.log1p(lax.div(lax.square(z), tdf)))))
}

/**
 * Student's t density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // df = 2: (2 + x^2)^(-3/2)
 * console.log(toJsSync(stats.t.pdf(np.array([0, 1], { dtype: "float64" }), 2))) // [0.35355339059327373, 0.19245008972987526]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, df: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logpdf(x, df, loc, scale))
