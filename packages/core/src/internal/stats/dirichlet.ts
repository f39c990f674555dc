/**
 * `stats.dirichlet`: the Dirichlet distribution on the simplex (JAX's
 * `jax.scipy.stats.dirichlet`): `x` has the `K` categories on its first axis
 * (or `K - 1` of them, the last being `1 - sum`), `alpha` is `[K]`.
 *
 * @since 0.1.0
 */
import { ShapeError } from "../../Errors.js"
import * as lax from "../../laxNamespace.js"
import * as np from "../../numpy.js"
import { gammaln, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { promoteAll, toInexact, toTensor } from "../npHelpers.js"
import { c } from "./common.js"

// every entry positive and the sum 1 within 1e-6, along the first axis (JAX's test)
const isSimplex = (x: Tensor): Tensor => {
  const total = lax.reduceSum(x, [0])
  const positive = lax.reduceAnd(lax.gt(x, c(x, 0)), [0])
  return lax.and(positive, lax.lt(lax.abs(lax.sub(total, c(total, 1))), c(total, 1e-6)))
}

/**
 * The log of the Dirichlet density, `sum (alpha_i - 1) log x_i - log B(alpha)`;
 * -inf off the simplex. `alpha` must be one-dimensional and `x`'s first axis
 * `K` or `K - 1` long (a `ShapeError` otherwise).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // alpha = [1, 1, 1] is uniform on the simplex, of area 1/2
 * console.log(toJsSync(stats.dirichlet.logpdf(np.array([0.2, 0.3, 0.5], { dtype: "float64" }), np.array([1, 1, 1])))) // 0.6931471805599453
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, alpha: TensorLike): Tensor => {
  const [tx0, ta] = promoteAll("dirichlet.logpdf", [toTensor(x), toTensor(alpha)]).map(toInexact) as [Tensor, Tensor]
  if (ta.ndim !== 1) {
    throw new ShapeError({
      operation: "dirichlet.logpdf",
      detail: `alpha must be one-dimensional; got shape (${ta.shape.join(", ")})`
    })
  }
  const k = ta.shape[0]!
  if (tx0.ndim === 0 || (tx0.shape[0] !== k && tx0.shape[0] !== k - 1)) {
    throw new ShapeError({
      operation: "dirichlet.logpdf",
      detail: `x must have ${k} or ${k - 1} entries on its first axis (alpha has ${k}); got shape (${
        tx0.shape.join(", ")
      })`
    })
  }
  const tx = tx0.shape[0] === k
    ? tx0
    : np.concatenate([tx0, lax.sub(c(lax.reduceSum(tx0, [0]), 1), np.sum(tx0, { axis: 0, keepdims: true }))], {
      axis: 0
    })
  const normalize = lax.sub(lax.reduceSum(lax.lgamma(ta), [0]), gammaln(lax.reduceSum(ta, [0])))
  const a = lax.broadcastInDim(ta, tx.shape, [0])
  const logProbs = lax.sub(lax.reduceSum(xlogy(lax.sub(a, c(a, 1)), tx), [0]), normalize)
  return lax.select(isSimplex(tx), logProbs, c(logProbs, -Infinity))
}

/**
 * The Dirichlet density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // alpha = [2, 2]: the Beta(2, 2) density 6 x (1 - x), given x alone
 * console.log(toJsSync(stats.dirichlet.pdf(np.array([0.5], { dtype: "float64" }), np.array([2, 2])))) // 1.5
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, alpha: TensorLike): Tensor => lax.exp(logpdf(x, alpha))
