/**
 * `stats.betabinom`: the beta-binomial distribution, `n` trials whose success
 * probability is Beta(a, b) distributed (JAX's `jax.scipy.stats.betabinom`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { betaln } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { any, c, promoteArgs } from "./common.js"

/**
 * The log of the beta-binomial mass,
 * `-log(n + 1) - log B(n - y + 1, y + 1) + log B(y + a, n - y + b) - log B(a, b)`
 * with `y = floor(k) - loc`; -inf outside the support, NaN for `n < 0`, `a <= 0` or `b <= 0`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // a = b = 1 is uniform on 0..n
 * console.log(toJsSync(stats.betabinom.logpmf(np.array([0, 2, 3], { dtype: "float64" }), 2, 1, 1))) // [-1.0986122886681098, -1.0986122886681098, -Infinity]
 *
 * @since 0.1.0
 */
export const logpmf = (k: TensorLike, n: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tn, ta, tb, tl] = promoteArgs("betabinom.logpmf", k, n, a, b, loc) as [
    Tensor,
    Tensor,
    Tensor,
    Tensor,
    Tensor
  ]
  const y = lax.sub(lax.floor(tk), tl)
  const one = c(y, 1)
  const zero = c(y, 0)
  const ny = lax.sub(tn, y)
  const combiln = lax.neg(lax.add(lax.log1p(tn), betaln(lax.add(ny, one), lax.add(y, one))))
  const betaLns = lax.sub(betaln(lax.add(y, ta), lax.add(ny, tb)), betaln(ta, tb))
  const logProbs = lax.select(lax.and(lax.eq(y, zero), lax.eq(tn, zero)), zero, lax.add(combiln, betaLns))
  // below the support is y < 0 (JAX compares y with -loc, the same at loc = 0)
  const outside = any(lax.lt(y, zero), lax.gt(y, tn), lax.le(lax.add(y, ta), zero))
  const result = lax.select(outside, c(y, -Infinity), logProbs)
  return lax.select(any(lax.lt(tn, zero), lax.le(ta, zero), lax.le(tb, zero)), c(y, NaN), result)
}

/**
 * The beta-binomial mass.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.betabinom.pmf(np.array([0, 1, 2], { dtype: "float64" }), 2, 1, 1))) // [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
 *
 * @since 0.1.0
 */
export const pmf = (k: TensorLike, n: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0): Tensor =>
  lax.exp(logpmf(k, n, a, b, loc))
