/**
 * `stats.binom`: the binomial distribution of `n` trials with success
 * probability `p` (JAX's `jax.scipy.stats.binom`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { gammaln, xlog1py, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the binomial mass, `log C(n, y) + y log p + (n - y) log(1 - p)` with
 * `y = k - loc` (0 where the `p` terms vanish, JAX's rule for `p` = 0 or 1);
 * -inf outside `[loc, loc + n]`. Non-integer `k` gives the continuous extension.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.binom.logpmf(np.array([1, 3], { dtype: "float64" }), 2, 0.5))) // [-0.6931471805599453, -Infinity]
 *
 * @since 0.1.0
 */
export const logpmf = (k: TensorLike, n: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tn, tp, tl] = promoteArgs("binom.logpmf", k, n, p, loc) as [Tensor, Tensor, Tensor, Tensor]
  const y = lax.sub(tk, tl)
  const one = c(y, 1)
  const zero = c(y, 0)
  const comb = lax.sub(
    gammaln(lax.add(tn, one)),
    lax.add(gammaln(lax.add(y, one)), gammaln(lax.add(lax.sub(tn, y), one)))
  )
  const logLinear = lax.add(xlogy(y, tp), xlog1py(lax.sub(tn, y), lax.neg(tp)))
  const certain = lax.or(lax.and(lax.eq(y, zero), lax.eq(tn, zero)), lax.eq(logLinear, zero))
  const logProbs = lax.select(certain, zero, lax.add(comb, logLinear))
  const inside = lax.and(lax.ge(tk, tl), lax.lt(tk, lax.add(lax.add(tl, tn), one)))
  return lax.select(inside, logProbs, c(y, -Infinity))
}

/**
 * The binomial mass `C(n, k) p^k (1 - p)^(n - k)`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.binom.pmf(np.array([0, 1, 2], { dtype: "float64" }), 2, 0.5))) // [0.25, 0.5, 0.25]
 *
 * @since 0.1.0
 */
export const pmf = (k: TensorLike, n: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor =>
  lax.exp(logpmf(k, n, p, loc))
