/**
 * `stats.truncnorm`: the normal distribution truncated to `[a, b]` (in
 * standardized units: the support is `[loc + a scale, loc + b scale]`; JAX's
 * `jax.scipy.stats.truncnorm`). Every function is NaN for `a >= b`.
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { logNdtr, ndtr } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, log1mexp, promoteArgs } from "./common.js"
import * as norm from "./norm.js"

type Args = [Tensor, Tensor, Tensor, Tensor, Tensor]

// log(e^x - e^y) for x >= y
const logDiff = (x: Tensor, y: Tensor): Tensor => lax.add(x, log1mexp(lax.sub(x, y)))

// log(ndtr(b) - ndtr(a)): from the lower tail's log-CDFs when the interval lies on one side of 0
// (reflected to the left when it lies right of 0), else as 1 minus the two tails.
const logGaussMass = (a: Tensor, b: Tensor): Tensor => {
  const zero = c(a, 0)
  const left = lax.le(b, zero)
  const right = lax.gt(a, zero)
  const central = lax.not(lax.or(left, right))
  const aTail = lax.select(right, lax.neg(b), a)
  const bTail = lax.select(right, lax.neg(a), b)
  const tail = logDiff(logNdtr(bTail), logNdtr(aTail))
  const middle = lax.log1p(lax.neg(lax.add(ndtr(a), ndtr(lax.neg(b)))))
  return lax.select(central, middle, tail)
}

const ifOrdered = (a: Tensor, b: Tensor, value: Tensor): Tensor => lax.select(lax.ge(a, b), c(value, NaN), value)

/**
 * The log of the truncated normal density: the normal's, less the log of the
 * mass of `[a, b]`; -inf outside the support.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // truncated to [0, inf): twice the normal density
 * console.log(toJsSync(stats.truncnorm.logpdf(np.array([0, -1], { dtype: "float64" }), 0, Infinity))) // [-0.2257913526447274, -Infinity]
 *
 * @since 0.1.0
 */
export const logpdf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("truncnorm.logpdf", x, a, b, loc, scale) as Args
  const value = lax.sub(norm.logpdf(tx, tl, ts), logGaussMass(ta, tb))
  const z = lax.div(lax.sub(tx, tl), ts)
  return ifOrdered(ta, tb, lax.select(lax.or(lax.lt(z, ta), lax.gt(z, tb)), c(tx, -Infinity), value))
}

/**
 * The truncated normal density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.truncnorm.pdf(np.array([0], { dtype: "float64" }), 0, Infinity))) // [0.7978845608028654]
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logpdf(x, a, b, loc, scale))

/**
 * The log of the truncated normal CDF: `log(mass(a, z) / mass(a, b))`, or from
 * the survival function where the CDF is near 1 (JAX's switch at -0.1).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.truncnorm.logcdf(np.array([0.6744897501960817, 5], { dtype: "float64" }), 0, Infinity))) // [-0.6931471805599453, 0]
 *
 * @since 0.1.0
 */
export const logcdf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("truncnorm.logcdf", x, a, b, loc, scale) as Args
  const z = lax.div(lax.sub(tx, tl), ts)
  const massAB = logGaussMass(ta, tb)
  const lower = lax.sub(logGaussMass(ta, z), massAB)
  const upper = lax.sub(logGaussMass(z, tb), massAB)
  // JAX's select: z >= b, z <= a, near 1, inside; anything else (NaN) 0
  const inside = lax.select(lax.gt(z, ta), lower, c(z, 0))
  const nearOne = lax.select(lax.gt(lower, c(z, -0.1)), lax.log1p(lax.neg(lax.exp(upper))), inside)
  const value = lax.select(lax.ge(z, tb), c(z, 0), lax.select(lax.le(z, ta), c(z, -Infinity), nearOne))
  return ifOrdered(ta, tb, value)
}

/**
 * The truncated normal CDF.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.truncnorm.cdf(np.array([0.6744897501960817], { dtype: "float64" }), 0, Infinity))) // [0.5]
 *
 * @since 0.1.0
 */
export const cdf = (x: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logcdf(x, a, b, loc, scale))

/**
 * The log of the truncated normal survival function, the log-CDF of the reflection.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.truncnorm.logsf(np.array([0.6744897501960817], { dtype: "float64" }), 0, Infinity))) // [-0.6931471805599453]
 *
 * @since 0.1.0
 */
export const logsf = (
  x: TensorLike,
  a: TensorLike,
  b: TensorLike,
  loc: TensorLike = 0,
  scale: TensorLike = 1
): Tensor => {
  const [tx, ta, tb, tl, ts] = promoteArgs("truncnorm.logsf", x, a, b, loc, scale) as Args
  return logcdf(lax.neg(tx), lax.neg(tb), lax.neg(ta), lax.neg(tl), ts)
}

/**
 * The truncated normal survival function.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.truncnorm.sf(np.array([-1, 0], { dtype: "float64" }), 0, 1))) // [1, 1]
 *
 * @since 0.1.0
 */
export const sf = (x: TensorLike, a: TensorLike, b: TensorLike, loc: TensorLike = 0, scale: TensorLike = 1): Tensor =>
  lax.exp(logsf(x, a, b, loc, scale))
