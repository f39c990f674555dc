/**
 * Matrix functions through the complex Schur form `A = Z T Z^H`
 * (`jax.scipy.linalg.sqrtm` and `funm`): a function of the triangular `T` is
 * triangular, and its entries follow from recurrences along the
 * superdiagonals, so each superdiagonal is computed at once from the ones below
 * it (`n - 1` batched matrix products instead of JAX's scalar loops; the same
 * values). CPU only and not differentiable, as JAX's (the Schur decomposition
 * has no derivative rule).
 */
import { realDType } from "../DType.js"
import { ArgumentError, ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as np from "../np.js"
import type { Tensor } from "../Tensor.js"
import { argumentError, boolean, checkArg, checkOptions, integer } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { rsf2csf, schur } from "./linalgSchur.js"
import { alongCols, alongRows, diagonalOf, mask, mH, mm, squareOperand } from "./matrixOps.js"
import { toInexact, toTensor } from "./npHelpers.js"

/** `x` kept on the `p`-th superdiagonal of `[..., n, n]`, zero elsewhere. */
const onSuperdiagonal = (x: Tensor, p: number): Tensor =>
  lax.select(mask(x.shape, (i, j) => j - i === p), x, lax.full(x.shape, 0, x.dtype, false))

/**
 * The upper triangular square root `U` of the triangular `T` (Björck and
 * Hammarling 1983): `U_ii = sqrt(T_ii)`, `U_ij = (T_ij - sum_{i<k<j} U_ik U_kj) /
 * (U_ii + U_jj)`, zero where the numerator is (JAX's guard against `0 / 0`).
 */
const sqrtmTriangular = (t: Tensor): Tensor => {
  const n = t.shape.at(-1)!
  const d = lax.sqrt(diagonalOf(t))
  const zero = lax.full(t.shape, 0, t.dtype, false)
  let u = lax.select(mask(t.shape, (i, j) => i === j), alongRows(d), zero)
  const denominator = lax.add(alongRows(d), alongCols(d))
  for (let p = 1; p < n; p++) {
    // with the p-th superdiagonal still zero, (U U)_ij sums over i < k < j only
    const numerator = lax.sub(t, mm(u, u))
    const value = lax.select(lax.eq(numerator, zero), zero, lax.div(numerator, denominator))
    u = lax.add(u, onSuperdiagonal(value, p))
  }
  return u
}

/** Options of `sqrtm`: JAX's `blocksize` (only 1, the unblocked algorithm, as JAX). @since 0.1.0 */
export interface SqrtmOptions {
  readonly blocksize?: number | undefined
}

/**
 * `jax.scipy.linalg.sqrtm`: the principal square root of square matrices by
 * the complex Schur method (Björck and Hammarling 1983): `A = Z T Z^H`, the
 * triangular root of `T`, mapped back. The result is complex (as JAX's), its
 * square `A` to rounding; batched over leading dimensions. A singular matrix
 * without a square root gives infinities or NaN, as in JAX. CPU only.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const r = linalg.sqrtm(np.array([[4, 0], [0, 9]], { dtype: "float64" }))
 * console.log(toJsSync(np.real(r))) // [[2, 0], [0, 3]]
 *
 * @since 0.1.0
 */
export const sqrtm = (a: TensorLike, options?: SqrtmOptions): Tensor => {
  checkOptions("sqrtm", options, { blocksize: integer })
  const blocksize = options?.blocksize ?? 1
  if (blocksize < 1) throw argumentError("sqrtm", "blocksize", "a positive integer", blocksize)
  if (blocksize > 1) {
    throw argumentError("sqrtm", "blocksize", "1 (the blocked version is not implemented, as in JAX)", blocksize)
  }
  const t = squareOperand("sqrtm", "A", a)
  const [tt, z] = schur(t, { output: "complex" })
  if (t.shape.at(-1) === 0) return tt
  return mm(mm(z, sqrtmTriangular(tt)), mH(z))
}

/** Options of `funm`: `disp` (default true) returns `f(A)` alone, else `[f(A), errest]`. @since 0.1.0 */
export interface FunmOptions {
  readonly disp?: boolean | undefined
}

/**
 * `jax.scipy.linalg.funm`: the matrix function `f(A)` of a square matrix by
 * the Schur-Parlett recurrence (Golub and Van Loan, Algorithm 11.1.1), as
 * JAX's: the real Schur form made complex (`rsf2csf`), `f` on its diagonal
 * (`func` maps a vector of eigenvalues elementwise), the superdiagonals from
 * `F_ij (T_jj - T_ii) = T_ij (F_jj - F_ii) + sum_{i<k<j} (T_ik F_kj - F_ik T_kj)`
 * (left undivided where `T_jj = T_ii`, as JAX), then `Z F Z^H`. The result is
 * complex. Repeated or close eigenvalues make it inaccurate, as SciPy's;
 * `disp: false` also returns SciPy's error estimate. Two-dimensional input
 * only (as JAX); CPU only.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const f = linalg.funm(np.array([[1, 1], [0, 2]], { dtype: "float64" }), (x) => np.multiply(x, x))
 * console.log(toJsSync(np.real(f))) // [[1, 3], [0, 4]]
 *
 * @since 0.1.0
 */
export const funm: {
  (a: TensorLike, func: (x: Tensor) => Tensor, options: FunmOptions & { readonly disp: false }): readonly [
    f: Tensor,
    errest: Tensor
  ]
  (a: TensorLike, func: (x: Tensor) => Tensor, options?: FunmOptions): Tensor
} = ((a: TensorLike, func: (x: Tensor) => Tensor, options?: FunmOptions) => {
  checkArg("funm", "func", func, { expected: "a function", test: (u) => typeof u === "function" })
  checkOptions("funm", options, { disp: boolean })
  const t0 = toInexact(toTensor(a))
  if (t0.ndim !== 2 || t0.shape[0] !== t0.shape[1]) {
    throw new ShapeError({ operation: "funm", detail: `expected square array_like input, got shape (${t0.shape})` })
  }
  const n = t0.shape[0]!
  const [tr, zr] = schur(t0)
  const [t, z] = rsf2csf(tr, zr)
  if (n === 0) return options?.disp === false ? [t, lax.full([], 0, realDType(t.dtype), false)] : t
  const values = toTensor(func(diagonalOf(t)))
  if (values.ndim !== 1 || values.shape[0] !== n) {
    throw new ArgumentError({
      operation: "funm",
      argument: "func",
      expected: `a function returning an array of the shape of its argument (${n})`,
      got: `shape (${values.shape})`
    })
  }
  const diag = values.dtype === t.dtype ? values : lax.convertElementType(values, t.dtype, false)
  const zero = lax.full(t.shape, 0, t.dtype, false)
  let f = lax.select(mask(t.shape, (i, j) => i === j), alongRows(diag), zero)
  const td = diagonalOf(t)
  const den = lax.sub(alongCols(td), alongRows(td)) // T_jj - T_ii
  for (let p = 1; p < n; p++) {
    // with the p-th superdiagonal of F still zero, (T F - F T)_ij is the whole right-hand side
    const s = lax.sub(mm(t, f), mm(f, t))
    const value = lax.select(lax.ne(den, zero), lax.div(s, den), s)
    f = lax.add(f, onSuperdiagonal(value, p))
  }
  const result = mm(mm(z, f), mH(z))
  if (options?.disp !== false) return result
  // SciPy's error estimate: tol / min|T_jj - T_ii| times the 1-norm of T's strict upper triangle
  const real = realDType(t.dtype)
  const tol = real === "float64" ? 2 ** -52 : 2 ** -23
  const gaps = lax.select(mask(t.shape, (i, j) => j > i), lax.abs(den), lax.full(t.shape, Infinity, real, false))
  let minden = lax.min(lax.reduceMin(gaps, [0, 1]), lax.abs(lax.reshape(lax.slice(t, [0, 0], [1, 1]), [])))
  minden = lax.select(lax.eq(minden, lax.full([], 0, real, false)), lax.full([], tol, real, false), minden)
  const strict = lax.select(mask(t.shape, (i, j) => j > i), lax.abs(t), lax.full(t.shape, 0, real, false))
  const norm1 = lax.reduceMax(lax.reduceSum(strict, [0]), [0])
  const estimate = lax.min(
    lax.full([], 1, real, false),
    lax.max(lax.full([], tol, real, false), lax.mul(lax.div(lax.full([], tol, real, false), minden), norm1))
  )
  const anyInf = np.any(np.isinf(result))
  return [result, lax.select(anyInf, lax.full([], Infinity, real, false), estimate)]
}) as never
