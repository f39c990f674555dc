/**
 * `np.linalg` (JAX's `jax.numpy.linalg`) and SciPy's names that JAX has
 * (`solveTriangular`, `choFactor`, `choSolve`, `luFactor`, `luSolve`, `lu`):
 * functions of the `lax.linalg` primitives, so every one is differentiable,
 * batched over leading dimensions and runs on every backend that has the
 * primitives' kernels. Integer inputs are promoted to float32 first; singular or
 * indefinite inputs give NaN or infinite results as in JAX, never an error.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.array([[3, 1], [1, 2]])
 * console.log(toJsSync(np.linalg.solve(a, np.array([9, 8])))) // [2, 3]
 * console.log(toJsSync(np.linalg.det(a))) // 5
 *
 * @since 0.1.0
 */
import { ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { promoteAll, toInexact, toTensor } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as laxLinalg from "./laxLinalg.js"
import * as np from "./np.js"
import type { Tensor } from "./Tensor.js"
import { argumentError, boolean, checkOptions } from "./Validate.js"
import type { Check } from "./Validate.js"

// ---------------------------------------------------------------------------
// helpers

const inexact = (x: TensorLike): Tensor => toInexact(toTensor(x))

const mT = (x: Tensor): Tensor => np.swapaxes(x, -1, -2)

const matmul = (a: Tensor, b: Tensor): Tensor => {
  const batch = a.shape.slice(0, -2).map((_, i) => i)
  return lax.dotGeneral(a, b, [[a.ndim - 1], [b.ndim - 2]], [batch, batch], { precision: "highest" })
}

const requireMatrix = (op: string, a: Tensor, square = true): void => {
  if (a.ndim < 2) {
    throw new ShapeError({
      operation: op,
      detail: `${a.ndim}-dimensional array given. Array must be at least two-dimensional`
    })
  }
  if (square && a.shape.at(-1) !== a.shape.at(-2)) {
    throw new ShapeError({
      operation: op,
      detail: `Last 2 dimensions of the array must be square, got shape (${a.shape.join(", ")})`
    })
  }
}

const sameDType = (a: Tensor, b: Tensor): readonly [Tensor, Tensor] => {
  const [pa, pb] = promoteAll("linalg", [a, b])
  return [pa!, pb!]
}

/** Both operands broadcast to common batch dimensions (all but their last `coreA` / `coreB` dims). */
const broadcastBatch = (a: Tensor, coreA: number, b: Tensor, coreB: number): readonly [Tensor, Tensor] => {
  const ba = a.shape.slice(0, a.ndim - coreA)
  const bb = b.shape.slice(0, b.ndim - coreB)
  const n = Math.max(ba.length, bb.length)
  const batch: Array<number> = []
  for (let i = 0; i < n; i++) {
    const x = ba[ba.length - n + i] ?? 1
    const y = bb[bb.length - n + i] ?? 1
    if (x !== y && x !== 1 && y !== 1) {
      throw new ShapeError({
        operation: "linalg",
        detail: `batch dimensions (${ba.join(", ")}) and (${bb.join(", ")}) do not broadcast`
      })
    }
    batch.push(x === 1 ? y : x)
  }
  return [
    np.broadcastTo(a, [...batch, ...a.shape.slice(a.ndim - coreA)]),
    np.broadcastTo(b, [...batch, ...b.shape.slice(b.ndim - coreB)])
  ]
}

/** The identity in `[..., n, n]` `shape` and `like`'s dtype. */
const eyeLike = (shape: ReadonlyArray<number>, like: Tensor): Tensor =>
  np.broadcastTo(np.eye(shape.at(-1)!, { dtype: like.dtype }), shape)

/** The diagonal of `[..., n, n]` matrices as `[..., n]`. */
const diagonal = (x: Tensor): Tensor => lax.reduceSum(lax.mul(x, eyeLike(x.shape, x)), [x.ndim - 1])

/** `P b` for the row permutation `perm` (`(P b)[i] = b[perm[i]]`), by a one-hot matrix. */
const permuteRows = (perm: Tensor, b: Tensor): Tensor => {
  const m = perm.shape.at(-1)!
  const shape = [...perm.shape, m]
  const rows = lax.broadcastInDim(perm, shape, perm.shape.map((_, i) => i))
  const cols = lax.broadcastInDim(lax.iota("int32", [m], 0), shape, [perm.ndim])
  return matmul(lax.convertElementType(lax.eq(rows, cols), b.dtype, false), b)
}

// A solve from an LU factorization: b [..., m, k] (batch equal to lu's).
const luSolveMatrix = (lu: Tensor, perm: Tensor, b: Tensor, trans: 0 | 1): Tensor => {
  if (trans === 0) {
    const y = laxLinalg.triangularSolve(lu, permuteRows(perm, b), { leftSide: true, lower: true, unitDiagonal: true })
    return laxLinalg.triangularSolve(lu, y, { leftSide: true, lower: false })
  }
  // a^T x = b with P a = L U: U^T L^T P x = b.
  const z = laxLinalg.triangularSolve(lu, b, { leftSide: true, lower: false, transposeA: true })
  const y = laxLinalg.triangularSolve(lu, z, { leftSide: true, lower: true, unitDiagonal: true, transposeA: true })
  return permuteRows(inversePermutation(perm), y)
}

const inversePermutation = (perm: Tensor): Tensor => {
  // inv[perm[i]] = i: the argmax over i of (perm[i] == j).
  const m = perm.shape.at(-1)!
  const shape = [...perm.shape, m]
  const rows = lax.broadcastInDim(perm, shape, perm.shape.map((_, i) => i))
  const cols = lax.broadcastInDim(lax.iota("int32", [m], 0), shape, [perm.ndim])
  return lax.argmax(lax.convertElementType(lax.eq(rows, cols), "int32", false), perm.ndim - 1)
}

// `b` as a matrix for a solve with `a` [..., m, m]: a vector when b.ndim === 1 (NumPy 2 and JAX).
const solveImpl = (op: string, a: Tensor, b: Tensor, solveMatrix: (a: Tensor, b: Tensor) => Tensor): Tensor => {
  requireMatrix(op, a)
  const vector = b.ndim === 1
  const bm = vector ? lax.expandDims(b, [1]) : b
  if (bm.ndim < 2 || bm.shape.at(-2) !== a.shape.at(-1)) {
    throw new ShapeError({
      operation: op,
      detail: `shapes (${a.shape.join(", ")}) and (${b.shape.join(", ")}) do not match: b must have ${
        a.shape.at(-1)
      } rows (b is a vector only when one-dimensional)`
    })
  }
  const [ab, bb] = broadcastBatch(a, 2, bm, 2)
  const x = solveMatrix(ab, bb)
  return vector ? lax.squeeze(x, [x.ndim - 1]) : x
}

// ---------------------------------------------------------------------------
// Cholesky, solves, inverse, determinants

/** Options of {@link cholesky}. @since 0.1.0 */
export interface CholeskyOptions {
  /** Return the upper factor `U = L^H` (`x = U^H U`) instead of `L` (default false). */
  readonly upper?: boolean | undefined
}

/**
 * The Cholesky factor of symmetric positive-definite matrices (JAX's
 * `jnp.linalg.cholesky`): lower `L` with `a = L L^T`, or upper with `upper: true`.
 * A matrix that is not positive definite gives all NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.cholesky(np.array([[4, 2], [2, 3]])))) // [[2, 0], [1, 1.4142135]]
 *
 * @since 0.1.0
 */
export const cholesky = (a: TensorLike, options?: CholeskyOptions): Tensor => {
  checkOptions("cholesky", options, { upper: boolean })
  const t = inexact(a)
  requireMatrix("cholesky", t)
  const l = laxLinalg.cholesky(t)
  return options?.upper === true ? mT(l) : l
}

/**
 * Solves `a x = b` by LU with partial pivoting. `b` is `[..., m, k]`, or one
 * vector `[m]`; batch dimensions broadcast. Singular `a` gives infinities or NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.solve(np.array([[3, 1], [1, 2]]), np.array([9, 8])))) // [2, 3]
 *
 * @since 0.1.0
 */
export const solve = (a: TensorLike, b: TensorLike): Tensor => {
  const [ta, tb] = sameDType(inexact(a), inexact(b))
  return solveImpl("solve", ta, tb, (am, bm) => {
    const [lu, , perm] = laxLinalg.lu(am)
    return luSolveMatrix(lu, perm, bm, 0)
  })
}

/**
 * The inverse of square matrices (a solve against the identity).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.inv(np.array([[2, 0], [0, 4]])))) // [[0.5, 0], [0, 0.25]]
 *
 * @since 0.1.0
 */
export const inv = (a: TensorLike): Tensor => {
  const t = inexact(a)
  requireMatrix("inv", t)
  return solve(t, eyeLike(t.shape, t))
}

/** The sign and log-magnitude of a determinant, from an LU factorization (JAX's `_slogdet_lu`). */
const slogdetLu = (a: Tensor): readonly [Tensor, Tensor] => {
  const n = a.shape.at(-1)!
  const [lu, pivots] = laxLinalg.lu(a)
  const diag = diagonal(lu)
  const last = diag.ndim - 1
  const isZero = lax.reduceMax(lax.convertElementType(lax.eq(diag, 0), "int32", false), [last])
  const swaps = lax.ne(pivots, lax.broadcastInDim(lax.iota("int32", [n], 0), pivots.shape, [last]))
  const negative = lax.lt(diag, 0)
  const parity = lax.add(
    lax.reduceSum(lax.convertElementType(swaps, "int32", false), [last]),
    lax.reduceSum(lax.convertElementType(negative, "int32", false), [last])
  )
  const odd = lax.eq(lax.rem(parity, 2), 1)
  const one = lax.full(odd.shape, 1, a.dtype)
  const sign0 = lax.select(odd, lax.neg(one), one)
  const zero = lax.eq(isZero, 1)
  const sign = lax.select(zero, lax.zerosLike(sign0), sign0)
  const logAbs = lax.reduceSum(lax.log(lax.abs(diag)), [last])
  return [sign, lax.select(zero, lax.full(logAbs.shape, -Infinity, a.dtype), logAbs)]
}

/**
 * Sign and natural log of the absolute determinant (`[sign, logabsdet]`), from
 * LU: `det = sign * exp(logabsdet)` without overflow. A singular matrix gives
 * `[0, -Infinity]`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [sign, logabsdet] = np.linalg.slogdet(np.array([[0, 2], [3, 0]]))
 * console.log(toJsSync(sign), toJsSync(logabsdet)) // -1 1.7917594
 *
 * @since 0.1.0
 */
export const slogdet = (a: TensorLike): readonly [sign: Tensor, logabsdet: Tensor] => {
  const t = inexact(a)
  requireMatrix("slogdet", t)
  return slogdetLu(t)
}

const entry = (a: Tensor, i: number, j: number): Tensor => {
  const k = a.ndim
  const start = a.shape.map((_, d) => (d === k - 2 ? i : d === k - 1 ? j : 0))
  const limit = a.shape.map((n, d) => (d === k - 2 ? i + 1 : d === k - 1 ? j + 1 : n))
  return lax.reshape(lax.slice(a, start, limit), a.shape.slice(0, -2))
}

/**
 * The determinant. 2x2 and 3x3 matrices use the closed forms (as JAX), exact
 * and differentiable everywhere; larger ones `sign * exp(logabsdet)` from LU.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.det(np.array([[1, 2], [3, 4]])))) // -2
 * console.log(toJsSync(np.linalg.det(np.eye(4)))) // 1
 *
 * @since 0.1.0
 */
export const det = (a: TensorLike): Tensor => {
  const t = inexact(a)
  requireMatrix("det", t)
  const n = t.shape.at(-1)!
  const e = (i: number, j: number) => entry(t, i, j)
  if (n === 2) return lax.sub(lax.mul(e(0, 0), e(1, 1)), lax.mul(e(0, 1), e(1, 0)))
  if (n === 3) {
    const minor = (r: number, c: number) => {
      const [r0, r1] = [0, 1, 2].filter((x) => x !== r) as [number, number]
      const [c0, c1] = [0, 1, 2].filter((x) => x !== c) as [number, number]
      return lax.sub(lax.mul(e(r0, c0), e(r1, c1)), lax.mul(e(r0, c1), e(r1, c0)))
    }
    return lax.add(
      lax.sub(lax.mul(e(0, 0), minor(0, 0)), lax.mul(e(0, 1), minor(0, 1))),
      lax.mul(e(0, 2), minor(0, 2))
    )
  }
  const [sign, logAbs] = slogdetLu(t)
  return lax.mul(sign, lax.exp(logAbs))
}

// ---------------------------------------------------------------------------
// SciPy's names

type Trans = 0 | 1 | 2 | "N" | "T" | "C"
const transCheck: Check = {
  expected: "0, 1, 2, \"N\", \"T\" or \"C\"",
  test: (u) => u === 0 || u === 1 || u === 2 || u === "N" || u === "T" || u === "C"
}
const transposed = (trans: Trans | undefined): boolean => trans !== undefined && trans !== 0 && trans !== "N"

/** Options of {@link solveTriangular} (SciPy's). @since 0.1.0 */
export interface SolveTriangularOptions {
  /** Solve `a x = b` (0, "N", the default), `a^T x = b` (1, "T") or `a^H x = b` (2, "C"). */
  readonly trans?: Trans | undefined
  /** Use the lower triangle of `a` (default false: the upper). */
  readonly lower?: boolean | undefined
  /** Take the diagonal of `a` as ones (default false). */
  readonly unitDiagonal?: boolean | undefined
}

/**
 * SciPy's `solve_triangular` (JAX's `jax.scipy.linalg.solve_triangular`):
 * `a x = b` for triangular `a`, `b` a vector `[m]` or matrices `[..., m, k]`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const l = np.array([[2, 0], [1, 1]])
 * console.log(toJsSync(linalg.solveTriangular(l, np.array([2, 3]), { lower: true }))) // [1, 2]
 *
 * @since 0.1.0
 */
export const solveTriangular = (a: TensorLike, b: TensorLike, options?: SolveTriangularOptions): Tensor => {
  checkOptions("solveTriangular", options, { trans: transCheck, lower: boolean, unitDiagonal: boolean })
  const [ta, tb] = sameDType(inexact(a), inexact(b))
  return solveImpl("solveTriangular", ta, tb, (am, bm) =>
    laxLinalg.triangularSolve(am, bm, {
      leftSide: true,
      lower: options?.lower ?? false,
      transposeA: transposed(options?.trans),
      conjugateA: options?.trans === 2 || options?.trans === "C",
      unitDiagonal: options?.unitDiagonal ?? false
    }))
}

/** Options of {@link choFactor}. @since 0.1.0 */
export interface ChoFactorOptions {
  /** Return the lower factor (default false: the upper, as SciPy). */
  readonly lower?: boolean | undefined
}

/**
 * SciPy's `cho_factor`: `[c, lower]`, the Cholesky factor and which triangle
 * it is, for {@link choSolve}. (SciPy leaves garbage in the other triangle;
 * JAX and diffect leave zeros.)
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const factor = linalg.choFactor(np.array([[4, 2], [2, 3]]))
 * console.log(toJsSync(linalg.choSolve(factor, np.array([2, 1])))) // [0.5, 0]
 *
 * @since 0.1.0
 */
export const choFactor = (a: TensorLike, options?: ChoFactorOptions): readonly [c: Tensor, lower: boolean] => {
  checkOptions("choFactor", options, { lower: boolean })
  const lower = options?.lower ?? false
  return [cholesky(a, { upper: !lower }), lower]
}

/**
 * SciPy's `cho_solve`: solves `a x = b` from `choFactor(a)`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const factor = linalg.choFactor(np.array([[4, 2], [2, 3]]), { lower: true })
 * console.log(toJsSync(linalg.choSolve(factor, np.array([[2], [1]])))) // [[0.5], [0]]
 *
 * @since 0.1.0
 */
export const choSolve = (factor: readonly [c: TensorLike, lower: boolean], b: TensorLike): Tensor => {
  if (!Array.isArray(factor) || factor.length !== 2 || typeof factor[1] !== "boolean") {
    throw argumentError("choSolve", "factor", "a [c, lower] pair from choFactor", factor)
  }
  const [c, lower] = factor
  const [tc, tb] = sameDType(inexact(c), inexact(b))
  return solveImpl("choSolve", tc, tb, (cm, bm) => {
    // a = L L^T (lower) or U^T U (upper): two triangular solves.
    const y = laxLinalg.triangularSolve(cm, bm, { leftSide: true, lower, transposeA: !lower })
    return laxLinalg.triangularSolve(cm, y, { leftSide: true, lower, transposeA: lower })
  })
}

/**
 * SciPy's `lu_factor`: `[lu, piv]`, the packed factors and the row swaps
 * (0-based), for {@link luSolve}.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [lu, piv] = linalg.luFactor(np.array([[1, 2], [3, 4]]))
 * console.log(toJsSync(lu), toJsSync(piv)) // [[3, 4], [0.3333333, 0.6666666]] [1, 1]
 *
 * @since 0.1.0
 */
export const luFactor = (a: TensorLike): readonly [lu: Tensor, piv: Tensor] => {
  const t = inexact(a)
  requireMatrix("luFactor", t)
  const [lu, pivots] = laxLinalg.lu(t)
  return [lu, pivots]
}

/** The permutation that row swaps `pivots` ([..., k]) make on `m` rows. */
const pivotsToPermutation = (pivots: Tensor, m: number): Tensor => {
  // Row swaps applied in order to the identity permutation, as one-hot updates.
  const k = pivots.shape.at(-1)!
  const batch = pivots.shape.slice(0, -1)
  const last = batch.length
  let perm = lax.broadcastInDim(lax.iota("int32", [m], 0), [...batch, m], [last])
  const positions = lax.broadcastInDim(lax.iota("int32", [m], 0), [...batch, m], [last])
  for (let j = 0; j < k; j++) {
    const start = [...batch.map(() => 0), j]
    const limit = [...batch, j + 1]
    const p = lax.slice(pivots, start, limit) // [..., 1]
    const pAll = lax.broadcastInDim(lax.reshape(p, batch), [...batch, m], batch.map((_, i) => i))
    // perm[j] <-> perm[p]
    const atJ = lax.slice(perm, start, limit)
    const valJ = lax.broadcastInDim(lax.reshape(atJ, batch), [...batch, m], batch.map((_, i) => i))
    const onehotP = lax.eq(positions, pAll)
    const valP = lax.reduceMax(lax.select(onehotP, perm, lax.full(perm.shape, -1, "int32")), [last])
    const valPAll = lax.broadcastInDim(valP, [...batch, m], batch.map((_, i) => i))
    const isJ = lax.eq(positions, lax.full(positions.shape, j, "int32"))
    perm = lax.select(isJ, valPAll, lax.select(onehotP, valJ, perm))
  }
  return perm
}

/** Options of {@link luSolve}. @since 0.1.0 */
export interface LuSolveOptions {
  /** Solve `a x = b` (0, the default), `a^T x = b` (1) or `a^H x = b` (2). */
  readonly trans?: 0 | 1 | 2 | undefined
}

/**
 * SciPy's `lu_solve`: solves `a x = b` from `luFactor(a)`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const factor = linalg.luFactor(np.array([[1, 2], [3, 4]]))
 * console.log(toJsSync(linalg.luSolve(factor, np.array([5, 11])))) // [1, 2]
 *
 * @since 0.1.0
 */
export const luSolve = (
  factor: readonly [lu: TensorLike, piv: TensorLike],
  b: TensorLike,
  options?: LuSolveOptions
): Tensor => {
  if (!Array.isArray(factor) || factor.length !== 2) {
    throw argumentError("luSolve", "factor", "an [lu, piv] pair from luFactor", factor)
  }
  checkOptions("luSolve", options, { trans: transCheck })
  const lu = inexact(factor[0])
  const piv = toTensor(factor[1])
  const [tl, tb] = sameDType(lu, inexact(b))
  const perm = pivotsToPermutation(piv, tl.shape.at(-2)!)
  const trans = options?.trans === 1 || options?.trans === 2 ? 1 : 0
  return solveImpl("luSolve", tl, tb, (lm, bm) => {
    const [, pb] = broadcastBatch(lm, 2, lax.expandDims(perm, [perm.ndim]), 2)
    return luSolveMatrix(lm, lax.squeeze(pb, [pb.ndim - 1]), bm, trans)
  })
}

/**
 * SciPy's `lu`: `[p, l, u]` with `a = p l u`, `p` a permutation matrix, `l`
 * unit lower trapezoidal and `u` upper trapezoidal.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [p, l, u] = linalg.lu(np.array([[1, 2], [3, 4]]))
 * console.log(toJsSync(p)) // [[0, 1], [1, 0]]
 * console.log(toJsSync(np.matmul(p, np.matmul(l, u)))) // [[1, 2], [3, 4]]
 *
 * @since 0.1.0
 */
export const lu = (a: TensorLike): readonly [p: Tensor, l: Tensor, u: Tensor] => {
  const t = inexact(a)
  requireMatrix("lu", t, false)
  const [m, n] = [t.shape.at(-2)!, t.shape.at(-1)!]
  const k = Math.min(m, n)
  const [f, , perm] = laxLinalg.lu(t)
  const batch = t.shape.slice(0, -2)
  const zeros = batch.map(() => 0)
  const lCols = lax.slice(f, [...zeros, 0, 0], [...batch, m, k])
  const cols = lax.sub(lax.iota("int32", [m, k], 1), lax.iota("int32", [m, k], 0))
  const below = lax.broadcastInDim(lax.lt(cols, 0), lCols.shape, [batch.length, batch.length + 1])
  const diag = lax.broadcastInDim(lax.eq(cols, 0), lCols.shape, [batch.length, batch.length + 1])
  const l = lax.select(below, lCols, lax.select(diag, lax.full(lCols.shape, 1, t.dtype), lax.zerosLike(lCols)))
  const uRows = lax.slice(f, [...zeros, 0, 0], [...batch, k, n])
  const ucols = lax.sub(lax.iota("int32", [k, n], 1), lax.iota("int32", [k, n], 0))
  const upper = lax.broadcastInDim(lax.ge(ucols, 0), uRows.shape, [batch.length, batch.length + 1])
  const u = lax.select(upper, uRows, lax.zerosLike(uRows))
  // a[perm] = l u, so a = P^T l u with P[i, j] = (perm[i] == j).
  const p = mT(permuteRows(perm, eyeLike([...batch, m, m], t)))
  return [p, l, u]
}
