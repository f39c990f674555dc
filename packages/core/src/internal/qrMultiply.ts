/**
 * `jax.scipy.linalg.qr_multiply`: a QR decomposition and a product with its
 * `Q`. JAX multiplies by LAPACK's Householder reflectors (geqrf, ormqr); here
 * `Q` is the reduced factor of `lax.linalg.qr` (the same reflectors), so the
 * products are the same and differentiable wherever `qr` is (`m >= n`). With
 * `pivoting`, the column order of LAPACK's geqp3 (the column of largest
 * remaining norm first) is found by Gram-Schmidt steps, then the permuted
 * matrix is factored by `qr` (a constant permutation: still differentiable).
 */
import { isComplex } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as laxLinalg from "../laxLinalg.js"
import { broadcastShapes } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import { boolean, checkOptions } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { mm, oneOf } from "./matrixOps.js"
import { takeAlongAxis } from "./np/arrays.js"
import { promoteAll, toInexact, toTensor } from "./npHelpers.js"

/** Options of `qrMultiply` (JAX's keyword arguments and defaults). @since 0.1.0 */
export interface QrMultiplyOptions {
  /** `"right"` (default): `c Q`; `"left"`: `Q c`. */
  readonly mode?: "right" | "left" | undefined
  /** Use `conj(Q)` instead of `Q` (no effect on real input; default false). */
  readonly conjugate?: boolean | undefined
  /** Column pivoting (JAX's geqp3): `a[..., p] = Q R`, and `p` is returned third (default false). */
  readonly pivoting?: boolean | undefined
}

/** The type of `qrMultiply`: `[product, R]`, and the column order `p` third with `pivoting`. @since 0.1.0 */
export interface QrMultiply {
  (a: TensorLike, c: TensorLike, options: QrMultiplyOptions & { readonly pivoting: true }): readonly [
    product: Tensor,
    r: Tensor,
    p: Tensor
  ]
  (a: TensorLike, c: TensorLike, options?: QrMultiplyOptions): readonly [product: Tensor, r: Tensor]
}

/**
 * The column order of a QR with column pivoting (LAPACK geqp3's choice): at each
 * step the remaining column of largest norm after removing the components along
 * the columns already chosen (the first such one on ties), as int32 `[..., n]`.
 */
const pivotOrder = (a: Tensor): Tensor => {
  const [m, n] = [a.shape.at(-2)!, a.shape.at(-1)!]
  const batch = a.shape.slice(0, -2)
  const nb = batch.length
  const dims = batch.map((_, i) => i)
  const cols = lax.broadcastInDim(lax.iota("int32", [n], 0), [...batch, n], [nb])
  const asRow = (x: Tensor) => lax.broadcastInDim(x, [...batch, m, n], [...dims, nb + 1]) // [..., n] over rows
  const asCol = (x: Tensor) => lax.broadcastInDim(x, [...batch, m, n], [...dims, nb]) // [..., m] over columns
  const conj = (x: Tensor) => (isComplex(x.dtype) ? lax.conj(x) : x)
  const real = (x: Tensor) => (isComplex(x.dtype) ? lax.real(x) : x)
  let w = a
  let perm = cols
  for (let j = 0; j < Math.min(m, n); j++) {
    const norms = lax.reduceSum(real(lax.mul(w, conj(w))), [nb])
    const open = lax.ge(cols, lax.full(cols.shape, j, "int32", false))
    const p = lax.argmax(lax.select(open, norms, lax.full(norms.shape, -1, norms.dtype, false)), nb)
    const atP = lax.eq(cols, lax.broadcastInDim(p, cols.shape, dims))
    const atJ = lax.eq(cols, lax.full(cols.shape, j, "int32", false))
    // swap columns j and p (of w and of the order)
    const pick = (x: Tensor, at: Tensor, axis: number) =>
      lax.reduceSum(lax.select(at, x, lax.full(x.shape, 0, x.dtype, false)), [axis])
    const [wj, wp] = [pick(w, asRow(atJ), nb + 1), pick(w, asRow(atP), nb + 1)]
    w = lax.select(asRow(atJ), asCol(wp), lax.select(asRow(atP), asCol(wj), w))
    const [oj, op] = [pick(perm, atJ, nb), pick(perm, atP, nb)]
    const full = (x: Tensor) => lax.broadcastInDim(x, cols.shape, dims)
    perm = lax.select(atJ, full(op), lax.select(atP, full(oj), perm))
    // remove the component along the chosen column from the others
    const len = lax.sqrt(lax.reduceSum(real(lax.mul(wp, conj(wp))), [nb]))
    const safe = lax.select(
      lax.gt(len, lax.full(len.shape, 0, len.dtype, false)),
      len,
      lax.full(len.shape, Infinity, len.dtype, false)
    )
    const u = lax.div(wp, lax.broadcastInDim(lax.convertElementType(safe, wp.dtype, false), wp.shape, dims))
    const coefficients = lax.reduceSum(lax.mul(asCol(conj(u)), w), [nb]) // [..., n]
    w = lax.sub(w, lax.mul(asCol(u), asRow(coefficients)))
  }
  return perm
}

/**
 * `jax.scipy.linalg.qr_multiply`: `[Q c, R]` (`mode: "left"`, `c` of
 * `[..., k, p]`) or `[c Q, R]` (`mode: "right"`, the default, `c` of
 * `[..., p, m]`) for the QR decomposition of `a` (`[..., m, n]`,
 * `k = min(m, n)`): `Q` is `[..., m, k]`, `R` is `[..., k, n]` upper
 * triangular, as `linalg.qr`'s reduced factors; `conjugate` uses `conj(Q)`. A
 * one-dimensional `c` is a column (left) or a row (right) and the product is
 * flattened back. `pivoting` factors `a[..., p]` with geqp3's column order `p`
 * (int32, returned third). Batch dimensions broadcast. Differentiable where
 * `qr` is (`m >= n`).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * // a = [[3, 1], [4, 2]]: Q = [[-0.6, -0.8], [-0.8, 0.6]]
 * const [cq, r] = linalg.qrMultiply(np.array([[3, 1], [4, 2]]), np.array([1, 0]))
 * console.log(toJsSync(cq), toJsSync(r)) // [-0.6, -0.8] [[-5, -2.2], [0, 0.4]]
 *
 * @since 0.1.0
 */
export const qrMultiply: QrMultiply = ((a: TensorLike, c: TensorLike, options?: QrMultiplyOptions) => {
  checkOptions("qrMultiply", options, { mode: oneOf("right", "left"), conjugate: boolean, pivoting: boolean })
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
  const wa = widen(ta)
  const perm = options?.pivoting === true ? pivotOrder(wa) : undefined
  const pa = perm === undefined ? wa : takeAlongAxis(
    wa,
    lax.broadcastInDim(perm, wa.shape, [
      ...batch.map((_, i) => i),
      batch.length + 1
    ]),
    -1
  )
  const [q0, r] = laxLinalg.qr(pa, { fullMatrices: false })
  const q = options?.conjugate === true && isComplex(q0.dtype) ? lax.conj(q0) : q0
  const wc = widen(tc)
  const product = left ? mm(q, wc) : mm(wc, q)
  const flatProduct = oneDim ? lax.reshape(product, [product.size]) : product
  return perm === undefined ? [flatProduct, r] : [flatProduct, r, perm]
}) as unknown as QrMultiply
