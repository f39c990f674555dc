/**
 * `stats.vonmises`: the von Mises distribution on the circle with concentration
 * `kappa` (JAX's `jax.scipy.stats.vonmises`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the von Mises density, `kappa (cos x - 1) - log(2 pi i0e(kappa))`
 * (the scaled Bessel function: no overflow for large `kappa`); NaN for `kappa <= 0`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.vonmises.logpdf(np.array([0, 1], { dtype: "float64" }), 1))) // [-1.0737914249165241, -1.5334891190483844]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, kappa: TensorLike): Tensor => {
  const [tx, tk] = promoteArgs("vonmises.logpdf", x, kappa) as [Tensor, Tensor]
  const value = lax.sub(
    lax.mul(tk, lax.sub(lax.cos(tx), c(tx, 1))),
    lax.log(lax.mul(c(tk, 2 * Math.PI), lax.besselI0e(tk)))
  )
  return lax.select(lax.gt(tk, c(tk, 0)), value, c(tx, NaN))
}

/**
 * The von Mises density `exp(kappa cos x) / (2 pi I0(kappa))`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.vonmises.pdf(np.array([0], { dtype: "float64" }), 1))) // [0.34171048862346926]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, kappa: TensorLike): Tensor => lax.exp(logpdf(x, kappa))
