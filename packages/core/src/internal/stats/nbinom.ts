/**
 * `stats.nbinom`: the negative binomial distribution, the number of failures
 * before the `n`-th success (JAX's `jax.scipy.stats.nbinom`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { gammaln, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the negative binomial mass,
 * `lgamma(y + n) - lgamma(n) - lgamma(y + 1) + n log p + y log(1 - p)` with
 * `y = k - loc` (-inf below `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // n = 1 is the geometric distribution on 0, 1, ...: log(p (1 - p)^k)
 * console.log(toJsSync(stats.nbinom.logpmf(np.array([2, -1], { dtype: "float64" }), 1, 0.5))) // [-2.0794415416798357, -Infinity]
 *
 * @since 0.1.0
 */
export const logpmf = (k: TensorLike, n: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tn, tp, tl] = promoteArgs("nbinom.logpmf", k, n, p, loc) as [Tensor, Tensor, Tensor, Tensor]
  const one = c(tk, 1)
  const y = lax.sub(tk, tl)
  const comb = lax.sub(lax.sub(gammaln(lax.add(y, tn)), gammaln(tn)), gammaln(lax.add(y, one)))
  const logLinear = lax.add(xlogy(tn, tp), xlogy(y, lax.sub(one, tp)))
  return lax.select(lax.lt(tk, tl), c(tk, -Infinity), lax.add(comb, logLinear))
}

/**
 * The negative binomial mass `C(k + n - 1, k) p^n (1 - p)^k`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.nbinom.pmf(np.array([0, 1], { dtype: "float64" }), 2, 0.5))) // [0.25, 0.25]
 *
 * @since 0.1.0
 */
export const pmf = (k: TensorLike, n: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor =>
  lax.exp(logpmf(k, n, p, loc))
