/**
 * `stats.multinomial`: the multinomial distribution of `n` draws over the
 * categories of `p`'s last axis (JAX's `jax.scipy.stats.multinomial`).
 *
 * @since 0.1.0
 */
import { isInteger } from "../../DType.js"
import { DTypeError } from "../../Errors.js"
import * as lax from "../../laxNamespace.js"
import { gammaln, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { broadcastAll, cast, promoteAll, toTensor } from "../npHelpers.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the multinomial mass, `lgamma(n + 1) + sum (x_i log p_i - lgamma(x_i + 1))`
 * over the last axis; -inf where the counts do not sum to `n`. The counts `x`
 * and `n` must be integers (a `DTypeError` otherwise).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // 3! / (1! 2!) (1/2) (1/2)^2 = 3/8
 * console.log(toJsSync(stats.multinomial.pmf(np.array([1, 2], { dtype: "int32" }), 3, np.array([0.5, 0.5], { dtype: "float64" })))) // 0.375
 *
 * @since 0.1.0
 */
export const logpmf = (x: TensorLike, n: TensorLike, p: TensorLike): Tensor => {
  const [tp] = promoteArgs("multinomial.logpmf", p) as [Tensor]
  const counts = toTensor(x)
  // a JS number for n counts as an integer when it is one (JS numbers are weak floats elsewhere)
  const total = typeof n === "number" && Number.isInteger(n) ? lax.full([], n, "int32", true) : toTensor(n)
  if (!isInteger(counts.dtype) || !isInteger(total.dtype)) {
    throw new DTypeError({
      operation: "multinomial.logpmf",
      detail: `x and n must be of integer type; got x: ${counts.dtype}, n: ${
        typeof n === "number" ? String(n) : total.dtype
      }`
    })
  }
  const [tx, tn] = promoteAll("multinomial.logpmf", [counts, total]) as [Tensor, Tensor]
  const [fx, fp] = broadcastAll([cast(tx, tp.dtype, tp.weakType), tp]) as [Tensor, Tensor]
  const last = fx.ndim - 1
  const terms = lax.reduceSum(lax.sub(xlogy(fx, fp), gammaln(lax.add(fx, c(fx, 1)))), [last])
  const [fn, sum, t] = broadcastAll([cast(tn, tp.dtype, tp.weakType), lax.reduceSum(fx, [last]), terms]) as [
    Tensor,
    Tensor,
    Tensor
  ]
  const logProbs = lax.add(gammaln(lax.add(fn, c(fn, 1))), t)
  // the total of each vector of counts (JAX compares the sum of all of x, the same for one vector)
  return lax.select(lax.eq(sum, fn), logProbs, c(logProbs, -Infinity))
}

/**
 * The multinomial mass `n! prod p_i^x_i / x_i!`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.multinomial.pmf(np.array([[2, 0], [1, 1]], { dtype: "int32" }), 2, np.array([0.5, 0.5], { dtype: "float64" })))) // [0.25, 0.5]
 *
 * @since 0.1.0
 */
export const pmf = (x: TensorLike, n: TensorLike, p: TensorLike): Tensor => lax.exp(logpmf(x, n, p))
