/**
 * `stats.poisson`: the Poisson distribution with mean `mu`, shifted by `loc`
 * (JAX's `jax.scipy.stats.poisson`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { entr, gammaincc, gammaln, xlogy } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the Poisson mass, `k log mu - lgamma(k + 1) - mu` (`xlogy`: 0 at
 * `k = mu = 0`); -inf below `loc` and at non-integer `k`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.poisson.logpmf(np.array([0, 2, 1.5], { dtype: "float64" }), 1))) // [-1, -1.6931471805599454, -Infinity]
 *
 * @since 0.1.0
 */
export const logpmf = (k: TensorLike, mu: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tmu, tl] = promoteArgs("poisson.logpmf", k, mu, loc) as [Tensor, Tensor, Tensor]
  const x = lax.sub(tk, tl)
  const logProbs = lax.sub(lax.sub(xlogy(x, tmu), gammaln(lax.add(x, c(x, 1)))), tmu)
  return lax.select(lax.or(lax.lt(x, c(x, 0)), lax.ne(lax.round(tk), tk)), c(x, -Infinity), logProbs)
}

/**
 * The Poisson mass `mu^k e^-mu / k!`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.poisson.pmf(np.array([0, 3], { dtype: "float64" }), 2))) // [0.1353352832366127, 0.18044704431548356]
 *
 * @since 0.1.0
 */
export const pmf = (k: TensorLike, mu: TensorLike, loc: TensorLike = 0): Tensor => lax.exp(logpmf(k, mu, loc))

/**
 * The Poisson CDF `Q(floor(k - loc) + 1, mu)` (0 below `loc`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.poisson.cdf(np.array([0, 1.5, -1], { dtype: "float64" }), 1))) // [0.36787944117144233, 0.7357588823428847, 0]
 *
 * @since 0.1.0
 */
export const cdf = (k: TensorLike, mu: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tmu, tl] = promoteArgs("poisson.cdf", k, mu, loc) as [Tensor, Tensor, Tensor]
  const x = lax.sub(tk, tl)
  const below = lax.lt(x, c(x, 0))
  // below the support the shape argument is kept at 1, where igammac and its gradient are finite
  const shape = lax.select(below, c(x, 1), lax.floor(lax.add(c(x, 1), x)))
  return lax.select(below, c(x, 0), gammaincc(shape, tmu))
}

// The entropy -sum p log p over k < bound, the pmf evaluated on a fixed grid of `terms` values.
const summedEntropy = (mu: Tensor, terms: number, bound: Tensor): Tensor => {
  const flat = lax.reshape(mu, [1, mu.shape.reduce((a, b) => a * b, 1)])
  const shape = [terms, flat.shape[1]!]
  const k = lax.broadcastedIota(mu.dtype, shape, 0)
  const m = lax.broadcastInDim(flat, shape, [0, 1])
  const b = lax.broadcastInDim(lax.reshape(bound, flat.shape), shape, [0, 1])
  const p = lax.select(lax.lt(k, b), pmf(k, m), lax.full(shape, 0, mu.dtype, true))
  return lax.reshape(lax.reduceSum(entr(p), [0]), mu.shape)
}

/**
 * The entropy of the Poisson distribution (JAX's scheme: the sum of `-p log p`
 * over the first 35 values below `mu = 10`, over 250 values below 100, and the
 * asymptotic `log(2 pi e mu) / 2 - 1 / (12 mu)` above; 0 at `mu = 0`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.poisson.entropy(np.array([0, 1], { dtype: "float64" })))) // [0, 1.3048422422562573]
 *
 * @since 0.1.0
 */
export const entropy = (mu: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tmu] = promoteArgs("poisson.entropy", mu, loc) as [Tensor, Tensor]
  const small = summedEntropy(tmu, 35, lax.ceil(lax.add(tmu, c(tmu, 20))))
  const medium = summedEntropy(
    tmu,
    250,
    lax.ceil(lax.add(lax.add(tmu, lax.mul(c(tmu, 10), lax.sqrt(tmu))), c(tmu, 20)))
  )
  const safe = lax.select(lax.lt(tmu, c(tmu, 100)), c(tmu, 100), tmu)
  const large = lax.sub(
    lax.mul(c(tmu, 0.5), lax.log(lax.mul(c(tmu, 2 * Math.PI * Math.E), safe))),
    lax.div(c(tmu, 1), lax.mul(c(tmu, 12), safe))
  )
  const result = lax.select(lax.lt(tmu, c(tmu, 10)), small, lax.select(lax.lt(tmu, c(tmu, 100)), medium, large))
  return lax.select(lax.eq(tmu, c(tmu, 0)), c(tmu, 0), result)
}
