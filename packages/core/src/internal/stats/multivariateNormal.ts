/**
 * `stats.multivariateNormal`: the multivariate normal distribution (JAX's
 * `jax.scipy.stats.multivariate_normal`), over the last axis of `x` and `mean`
 * with covariance `cov` (a scalar times the identity, or `[..., n, n]`
 * matrices); the leading axes of all three broadcast.
 *
 * @since 0.1.0
 */
import { isComplex } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../laxNamespace.js"
import * as np from "../../numpy.js"
import { broadcastShapes } from "../../Shape.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { broadcastTo, promoteAll, toInexact, toTensor } from "../npHelpers.js"
import { c } from "./common.js"

const LOG_2PI = Math.log(2 * Math.PI)

const sumLast = (t: Tensor): Tensor => lax.reduceSum(t, [t.ndim - 1])

// |L^-1 y|^2 for the lower Cholesky factor L [..., n, n] and y [..., n] (batch axes broadcast)
const mahalanobis = (chol: Tensor, y: Tensor): Tensor => {
  const n = y.shape[y.ndim - 1]!
  const solve = { lower: true, transposeA: true } as const // z L^T = y, i.e. L z^T = y^T
  if (chol.ndim === 2) {
    // one factor: every vector of y is a row of one right-hand side
    const lead = y.shape.slice(0, -1)
    const rows = lax.reshape(y, [lead.reduce((a, b) => a * b, 1), n])
    return lax.reshape(sumLast(lax.square(lax.linalg.triangularSolve(chol, rows, solve))), lead)
  }
  const batch = broadcastShapes(chol.shape.slice(0, -2), y.shape.slice(0, -1))
  const l = broadcastTo(chol, [...batch, n, n])
  const rows = lax.reshape(broadcastTo(y, [...batch, n]), [...batch, 1, n])
  const z = lax.linalg.triangularSolve(l, rows, solve)
  return lax.reshape(sumLast(lax.square(z)), batch)
}

/**
 * The log of the multivariate normal density,
 * `-|L^-1 (x - mean)|^2 / 2 - n log(2 pi) / 2 - log det L` with `cov = L L^T`
 * (JAX's cases: a scalar `mean` makes it the univariate normal with variance
 * `cov`; a scalar `cov` is `cov` times the identity). A `cov` that is not
 * positive definite gives NaN; a `cov` whose last two axes are not `n x n` fails
 * with a `ShapeError`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * const cov = np.array([[2, 1], [1, 2]], { dtype: "float64" })
 * // det cov = 3; the quadratic form of [1, 1] is 2/3: -1/3 - log(2 pi) - log(3) / 2
 * console.log(toJsSync(stats.multivariateNormal.logpdf(np.array([1, 1], { dtype: "float64" }), np.array([0, 0]), cov))) // -2.720516544076734
 *
 * @since 0.1.0
 */
export const logpdf = (x: TensorLike, mean: TensorLike, cov: TensorLike): Tensor => {
  const [tx, tm, tc] = promoteAll("multivariate_normal.logpdf", [toTensor(x), toTensor(mean), toTensor(cov)]).map(
    (t) => {
      if (isComplex(t.dtype)) {
        throw new DTypeError({ operation: "multivariate_normal.logpdf", detail: "complex arguments are not supported" })
      }
      return toInexact(t)
    }
  ) as [Tensor, Tensor, Tensor]
  if (tm.ndim === 0) {
    const [bx, bm, bc] = [tx, tm, tc].map((t) => broadcastTo(t, broadcastShapes(tx.shape, tm.shape, tc.shape)))
    const d = lax.sub(bx!, bm!)
    const quad = lax.div(lax.square(d), bc!)
    return lax.mul(c(d, -0.5), lax.add(quad, lax.add(c(d, LOG_2PI), lax.log(bc!))))
  }
  const n = tm.shape[tm.ndim - 1]!
  if (tc.ndim > 0 && (tc.ndim < 2 || tc.shape[tc.ndim - 1] !== n || tc.shape[tc.ndim - 2] !== n)) {
    throw new ShapeError({
      operation: "multivariate_normal.logpdf",
      detail: `cov must be a scalar or have shape (..., ${n}, ${n}) for mean of length ${n}, got (${
        tc.shape.join(", ")
      })`
    })
  }
  const xmShape = broadcastShapes(tx.shape, tm.shape)
  const y = lax.sub(broadcastTo(tx, xmShape), broadcastTo(tm, xmShape))
  if (tc.ndim === 0) {
    const q = lax.div(sumLast(lax.square(y)), broadcastTo(tc, y.shape.slice(0, -1)))
    const norm = lax.mul(c(q, n / 2), lax.add(c(q, LOG_2PI), lax.log(broadcastTo(tc, q.shape))))
    return lax.sub(lax.mul(c(q, -0.5), q), norm)
  }
  const chol = lax.linalg.cholesky(tc)
  const q = mahalanobis(chol, y)
  const diag = np.diagonal(chol, { axis1: -2, axis2: -1 })
  const halfLogDet = sumLast(lax.log(diag))
  const shape = broadcastShapes(q.shape, halfLogDet.shape)
  const value = lax.sub(lax.mul(c(q, -0.5), q), c(q, (n / 2) * LOG_2PI))
  return lax.sub(broadcastTo(value, shape), broadcastTo(halfLogDet, shape))
}

/**
 * The multivariate normal density.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // the standard bivariate normal at its mean: 1 / (2 pi)
 * console.log(toJsSync(stats.multivariateNormal.pdf(np.array([0, 0], { dtype: "float64" }), np.array([0, 0]), 1))) // 0.15915494309189535
 *
 * @since 0.1.0
 */
export const pdf = (x: TensorLike, mean: TensorLike, cov: TensorLike): Tensor => lax.exp(logpdf(x, mean, cov))
