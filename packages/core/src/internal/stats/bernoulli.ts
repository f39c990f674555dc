/**
 * `stats.bernoulli`: the Bernoulli distribution with success probability `p`
 * (JAX's `jax.scipy.stats.bernoulli`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { xlog1py, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { any, c, promoteArgs } from "./common.js"

const isNaN = (x: Tensor): Tensor => lax.ne(x, x)

/**
 * The log of the Bernoulli mass, `k log p + (1 - k) log(1 - p)` (`xlogy`'s 0 at
 * `p = 0` or 1); -inf outside `[loc, loc + 1]`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.bernoulli.logpmf(np.array([0, 1, 2], { dtype: "float64" }), 0.25))) // [-0.2876820724517809, -1.3862943611198906, -Infinity]
 *
 * @since 0.1.0
 */
export const logpmf = (k: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tp, tl] = promoteArgs("bernoulli.logpmf", k, p, loc) as [Tensor, Tensor, Tensor]
  const x = lax.sub(tk, tl)
  const one = c(x, 1)
  const logProbs = lax.add(xlogy(x, tp), xlog1py(lax.sub(one, x), lax.neg(tp)))
  return lax.select(lax.or(lax.lt(x, c(x, 0)), lax.gt(x, one)), c(x, -Infinity), logProbs)
}

/**
 * The Bernoulli mass.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.bernoulli.pmf(np.array([0, 1], { dtype: "float64" }), 0.25))) // [0.75, 0.25]
 *
 * @since 0.1.0
 */
export const pmf = (k: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor => lax.exp(logpmf(k, p, loc))

/**
 * The Bernoulli CDF: 0 below 0, `1 - p` on [0, 1), 1 from 1 on; NaN for NaN
 * arguments or `p` outside [0, 1].
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.bernoulli.cdf(np.array([-1, 0.5, 1], { dtype: "float64" }), 0.25))) // [0, 0.75, 1]
 *
 * @since 0.1.0
 */
export const cdf = (k: TensorLike, p: TensorLike): Tensor => {
  const [tk, tp] = promoteArgs("bernoulli.cdf", k, p) as [Tensor, Tensor]
  const zero = c(tk, 0)
  const one = c(tk, 1)
  const invalid = any(isNaN(tk), isNaN(tp), lax.lt(tp, zero), lax.gt(tp, one))
  const value = lax.select(lax.lt(tk, zero), zero, lax.select(lax.lt(tk, one), lax.sub(one, tp), one))
  return lax.select(invalid, c(tk, NaN), value)
}

/**
 * The Bernoulli quantile function: 0 for `q <= 1 - p`, else 1; NaN for NaN
 * arguments or `p`, `q` outside [0, 1].
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.bernoulli.ppf(np.array([0.5, 0.9, 2], { dtype: "float64" }), 0.25))) // [0, 1, NaN]
 *
 * @since 0.1.0
 */
export const ppf = (q: TensorLike, p: TensorLike): Tensor => {
  const [tq, tp] = promoteArgs("bernoulli.ppf", q, p) as [Tensor, Tensor]
  // JAX's `_lax_const(q, 0)` and `(q, 1)` are NumPy scalars of q's dtype: the result is strong
  const zero = lax.full(tq.shape, 0, tq.dtype, false)
  const one = lax.full(tq.shape, 1, tq.dtype, false)
  const invalid = any(isNaN(tq), isNaN(tp), lax.lt(tp, zero), lax.gt(tp, one), lax.lt(tq, zero), lax.gt(tq, one))
  return lax.select(
    invalid,
    lax.full(tq.shape, NaN, tq.dtype, false),
    lax.select(lax.le(tq, lax.sub(one, tp)), zero, one)
  )
}
