/**
 * `jax.scipy.linalg.solve_sylvester`: `A X + X B = C`, by the Bartels-Stewart
 * algorithm on complex Schur forms (the default, as JAX's) or by
 * eigendecompositions (`method: "eigen"`). Batched over leading dimensions
 * (broadcast); CPU only, as the decompositions are; not differentiable (JAX's
 * Schur and eigenvector primitives have no derivative rules).
 */
import { isComplex } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as laxLinalg from "../laxLinalg.js"
import { broadcastShapes } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import { checkOptions, number } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { schur } from "./linalgSchur.js"
import { cast, diagonalOf, mask, mH, mm, oneOf } from "./matrixOps.js"
import { takeAlongAxis } from "./np/arrays.js"
import { promoteAll, toInexact, toTensor } from "./npHelpers.js"

/** Options of `solveSylvester` (JAX's keyword arguments and defaults). @since 0.1.0 */
export interface SolveSylvesterOptions {
  /** `"schur"` (Bartels-Stewart, the default) or `"eigen"` (faster, less accurate for non-normal matrices). */
  readonly method?: "schur" | "eigen" | undefined
  /** The solution is NaN where some `|lambda_i(A) + mu_j(B)|` is below `tol` (default 1e-8). */
  readonly tol?: number | undefined
}

/** `[..., m, n]` sums `v_i + w_j` of `v` (`[..., m]`) and `w` (`[..., n]`). */
const outerSum = (v: Tensor, w: Tensor): Tensor => {
  const [m, n] = [v.shape.at(-1)!, w.shape.at(-1)!]
  const batch = v.shape.slice(0, -1)
  const shape = [...batch, m, n]
  const dims = batch.map((_, i) => i)
  return lax.add(
    lax.broadcastInDim(v, shape, [...dims, batch.length]),
    lax.broadcastInDim(w, shape, [...dims, batch.length + 1])
  )
}

/**
 * `R Y + Y L = F` for upper triangular `R` (`m x m`) and lower triangular `L`
 * (`n x n`): `Y_ij` needs the entries below it and to its right, so the
 * anti-diagonals `(m - 1 - i) + (n - 1 - j) = d` are solved in turn, each at once
 * (JAX's scan visits the same entries one by one, bottom right first).
 */
const triangularSylvester = (r: Tensor, l: Tensor, f: Tensor): Tensor => {
  const [m, n] = [f.shape.at(-2)!, f.shape.at(-1)!]
  const zero = lax.full(f.shape, 0, f.dtype, false)
  const den = outerSum(diagonalOf(r), diagonalOf(l))
  let y = zero
  for (let d = 0; d <= m + n - 2; d++) {
    // with this anti-diagonal of Y still zero, R Y + Y L sums over the solved entries only
    const value = lax.div(lax.sub(lax.sub(f, mm(r, y)), mm(y, l)), den)
    y = lax.add(y, lax.select(mask(f.shape, (i, j) => m - 1 - i + (n - 1 - j) === d), value, zero))
  }
  return y
}

/** `a x = b` for square `a` (LU with partial pivoting, then two triangular solves). */
const solveSquare = (a: Tensor, b: Tensor): Tensor => {
  const [lu, , perm] = laxLinalg.lu(a)
  const rows = takeAlongAxis(b, lax.broadcastInDim(perm, b.shape, perm.shape.map((_, i) => i)), -2)
  const y = laxLinalg.triangularSolve(lu, rows, { leftSide: true, lower: true, unitDiagonal: true })
  return laxLinalg.triangularSolve(lu, y, { leftSide: true, lower: false })
}

/**
 * `jax.scipy.linalg.solve_sylvester`: the `X` (`[..., m, n]`) with
 * `A X + X B = C` for `A` `[..., m, m]` and `B` `[..., n, n]` (batch dimensions
 * broadcast). `method: "schur"` (the default) is Bartels-Stewart, as JAX's:
 * `A = U R U^H`, `B^H = V S V^H` (complex Schur forms), `R Y + Y S^H = U^H C V`
 * solved by substitution, `X = U Y V^H`; `"eigen"` diagonalizes `A` and `B`
 * instead. Where an eigenvalue sum `lambda_i(A) + mu_j(B)` is within `tol` of
 * zero (the equation is singular or nearly so) the whole solution is NaN, as in
 * JAX. Real `C` gives the real part of the solution. CPU only; not
 * differentiable (as JAX's).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const x = linalg.solveSylvester(np.array([[1, 0], [0, 2]]), np.array([[3]]), np.array([[4], [10]]))
 * console.log(toJsSync(x)) // [[1], [2]]
 *
 * @since 0.1.0
 */
export const solveSylvester = (
  a: TensorLike,
  b: TensorLike,
  c: TensorLike,
  options?: SolveSylvesterOptions
): Tensor => {
  checkOptions("solveSylvester", options, { method: oneOf("schur", "eigen"), tol: number })
  const method = options?.method ?? "schur"
  const tol = options?.tol ?? 1e-8
  const [ta, tb, tc] = promoteAll("solveSylvester", [a, b, c].map((x) => toInexact(toTensor(x)))) as [
    Tensor,
    Tensor,
    Tensor
  ]
  const [m, n] = [tc.shape.at(-2), tc.shape.at(-1)]
  const fits = (x: Tensor, rows: number | undefined, cols: number | undefined) =>
    x.ndim >= 2 && rows !== undefined && x.shape.at(-2) === rows && x.shape.at(-1) === cols
  if (tc.ndim < 2 || !fits(ta, m, m) || !fits(tb, n, n)) {
    throw new ShapeError({
      operation: "solveSylvester",
      detail: `Incompatible shapes for Sylvester equation: A: (${ta.shape}), B: (${tb.shape}), C: (${tc.shape})`
    })
  }
  const batch = broadcastShapes(ta.shape.slice(0, -2), tb.shape.slice(0, -2), tc.shape.slice(0, -2))
  const widen = (x: Tensor) => {
    const shape = [...batch, ...x.shape.slice(-2)]
    return lax.broadcastInDim(x, shape, x.shape.map((_, i) => i + shape.length - x.ndim))
  }
  const [wa, wb, wc] = [widen(ta), widen(tb), widen(tc)]
  if (m === 0 || n === 0) return wc
  let x: Tensor
  let sums: Tensor
  if (method === "schur") {
    const [r, u] = schur(wa, { output: "complex" })
    const [s, v] = schur(mH(wb), { output: "complex" })
    const f = mm(mm(mH(u), cast(wc, r)), v)
    const l = mH(s)
    x = mm(mm(u, triangularSylvester(r, l, f)), mH(v))
    sums = outerSum(diagonalOf(r), diagonalOf(l))
  } else {
    const [ra, ua] = laxLinalg.eig(wa, { computeLeftEigenvectors: false }) as [Tensor, Tensor]
    const [rb, ub] = laxLinalg.eig(wb, { computeLeftEigenvectors: false }) as [Tensor, Tensor]
    sums = outerSum(ra, rb)
    const f = solveSquare(ua, mm(cast(wc, ra), ub))
    const eye = lax.convertElementType(mask(ub.shape, (i, j) => i === j), ub.dtype, false)
    x = mm(mm(ua, lax.div(f, sums)), solveSquare(ub, eye))
  }
  if (!isComplex(wc.dtype)) x = lax.real(x)
  // JAX's guard: all NaN where an eigenvalue sum is within tol of zero
  const small = lax.lt(lax.abs(sums), lax.full(sums.shape, tol, lax.abs(sums).dtype, false))
  const last = sums.ndim - 1
  const singular = lax.reduceMax(lax.reduceMax(lax.convertElementType(small, "int32", false), [last]), [last - 1])
  const bad = lax.broadcastInDim(
    lax.gt(singular, lax.full(singular.shape, 0, "int32", false)),
    x.shape,
    batch.map((_, i) => i)
  )
  return lax.select(bad, lax.full(x.shape, NaN, x.dtype, false), x)
}
