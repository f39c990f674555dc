/**
 * `jax.scipy.linalg.qr_multiply`: a QR decomposition and a product with its
 * `Q`. JAX multiplies by LAPACK's Householder reflectors (geqrf, ormqr); here
 * `Q` is the reduced factor of `lax.linalg.qr` (the same reflectors), so the
 * products are the same and differentiable wherever `qr` is (`m >= n`).
 */
import { isComplex } from "../DType.js"
import { ArgumentError, ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as laxLinalg from "../laxLinalg.js"
import { broadcastShapes } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import { boolean, checkOptions } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { mm, oneOf } from "./matrixOps.js"
import { promoteAll, toInexact, toTensor } from "./npHelpers.js"

/** Options of `qrMultiply` (JAX's keyword arguments and defaults). @since 0.1.0 */
export interface QrMultiplyOptions {
  /** `"right"` (default): `c Q`; `"left"`: `Q c`. */
  readonly mode?: "right" | "left" | undefined
  /** Use `conj(Q)` instead of `Q` (no effect on real input; default false). */
  readonly conjugate?: boolean | undefined
  /** Column pivoting (JAX's geqp3): not implemented here, only `false` is accepted. */
  readonly pivoting?: boolean | undefined
}

/**
 * `jax.scipy.linalg.qr_multiply`: `[Q c, R]` (`mode: "left"`, `c` of
 * `[..., k, p]`) or `[c Q, R]` (`mode: "right"`, the default, `c` of
 * `[..., p, m]`) for the QR decomposition of `a` (`[..., m, n]`,
 * `k = min(m, n)`): `Q` is `[..., m, k]`, `R` is `[..., k, n]` upper
 * triangular, as `linalg.qr`'s reduced factors; `conjugate` uses `conj(Q)`. A
 * one-dimensional `c` is a column (left) or a row (right) and the product is
 * flattened back. Batch dimensions broadcast. Differentiable where `qr` is
 * (`m >= n`).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * // a = [[3, 1], [4, 2]]: Q = [[-0.6, -0.8], [-0.8, 0.6]]
 * const [cq, r] = linalg.qrMultiply(np.array([[3, 1], [4, 2]]), np.array([1, 0]))
 * console.log(toJsSync(cq), toJsSync(r)) // [-0.6, -0.8] [[-5, -2.2], [0, 0.4]]
 *
 * @since 0.1.0
 */
export const qrMultiply = (
  a: TensorLike,
  c: TensorLike,
  options?: QrMultiplyOptions
): readonly [product: Tensor, r: Tensor] => {
  checkOptions("qrMultiply", options, { mode: oneOf("right", "left"), conjugate: boolean, pivoting: boolean })
  if (options?.pivoting === true) {
    throw new ArgumentError({
      operation: "qrMultiply",
      argument: "pivoting",
      expected: "false (column-pivoted QR, JAX's geqp3, is not implemented in diffect)",
      got: "true"
    })
  }
  const left = options?.mode === "left"
  const [ta, tc0] = promoteAll("qrMultiply", [toInexact(toTensor(a)), toInexact(toTensor(c))]) as [Tensor, Tensor]
  if (ta.ndim < 2) {
    throw new ShapeError({
      operation: "qrMultiply",
      detail: `a must be at least two-dimensional, got shape (${ta.shape})`
    })
  }
  if (tc0.ndim === 0) {
    throw new ShapeError({ operation: "qrMultiply", detail: "c must be at least one-dimensional, got a scalar" })
  }
  const oneDim = tc0.ndim === 1
  const tc = oneDim ? lax.reshape(tc0, left ? [tc0.shape[0]!, 1] : [1, tc0.shape[0]!]) : tc0
  const [m, n] = [ta.shape.at(-2)!, ta.shape.at(-1)!]
  const k = Math.min(m, n)
  if (left && tc.shape.at(-2) !== k) {
    throw new ShapeError({
      operation: "qrMultiply",
      detail: `Array shapes are not compatible for Q @ c operation: a has shape (${ta.shape}) so Q has ${k} ` +
        `columns, but c has ${tc.shape.at(-2)} rows (expected ${k})`
    })
  }
  if (!left && tc.shape.at(-1) !== m) {
    throw new ShapeError({
      operation: "qrMultiply",
      detail: `Array shapes are not compatible for c @ Q operation: a has shape (${ta.shape}) so Q has ${m} ` +
        `rows, but c has ${tc.shape.at(-1)} columns (expected ${m})`
    })
  }
  const batch = broadcastShapes(ta.shape.slice(0, -2), tc.shape.slice(0, -2))
  const widen = (x: Tensor) => {
    const shape = [...batch, ...x.shape.slice(-2)]
    return lax.broadcastInDim(x, shape, x.shape.map((_, i) => i + shape.length - x.ndim))
  }
  const [q0, r] = laxLinalg.qr(widen(ta), { fullMatrices: false })
  const q = options?.conjugate === true && isComplex(q0.dtype) ? lax.conj(q0) : q0
  const wc = widen(tc)
  const product = left ? mm(q, wc) : mm(wc, q)
  return [oneDim ? lax.reshape(product, [product.size]) : product, r]
}
