/**
 * `stats.wrapcauchy`: the wrapped Cauchy distribution on `[0, 2 pi]` with shape
 * `c` in (0, 1) (JAX's `jax.scipy.stats.wrapcauchy`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c as k, promoteArgs } from "./common.js"

/**
 * The log of the wrapped Cauchy density, `log(1 - c^2) - log(2 pi) - log(1 + c^2 - 2 c cos x)`;
 * -inf outside `[0, 2 pi]`, NaN for `c` outside (0, 1).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // at x = 0: (1 + c) / (2 pi (1 - c))
 * console.log(toJsSync(stats.wrapcauchy.logpdf(np.array([0, 7], { dtype: "float64" }), 0.5))) // [-0.7392647777412356, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, c: TensorLike): Tensor => {
  const [tx, tc] = promoteArgs("wrapcauchy.logpdf", x, c) as [Tensor, Tensor]
  const c2 = lax.square(tc)
  const value = lax.sub(
    lax.sub(lax.log(lax.sub(k(tc, 1), c2)), k(tx, Math.log(2 * Math.PI))),
    lax.log(lax.sub(lax.add(k(tc, 1), c2), lax.mul(lax.mul(k(tc, 2), tc), lax.cos(tx))))
  )
  const inside = lax.and(lax.ge(tx, k(tx, 0)), lax.le(tx, k(tx, 2 * Math.PI)))
  const valid = lax.and(lax.gt(tc, k(tc, 0)), lax.lt(tc, k(tc, 1)))
  return lax.select(valid, lax.select(inside, value, k(tx, -Infinity)), k(tx, NaN))
}

/**
 * The wrapped Cauchy density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.wrapcauchy.pdf(np.array([Math.PI], { dtype: "float64" }), 0.5))) // [0.05305164769729845]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, c: TensorLike): Tensor => lax.exp(logpdf(x, c))
