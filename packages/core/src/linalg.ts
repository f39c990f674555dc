/**
 * `np.linalg` (JAX's `jax.numpy.linalg`) and SciPy's names that JAX has
 * (`solveTriangular`, `choFactor`, `choSolve`, `luFactor`, `luSolve`, `lu`,
 * `expm`, and the special matrices `toeplitz`, `hankel`, `circulant`,
 * `companion`, `blockDiag`, `hilbert`, `invhilbert`, `pascal`, `invpascal`,
 * `dft`, `hadamard`, `helmert`, `leslie`, `fiedler`, `fiedlerCompanion`,
 * `convolutionMatrix`; `polar`, `expmFrechet`, `qrMultiply`, `eighTridiagonal`;
 * the Schur-based `schur`, `hessenberg`, `rsf2csf`, `sqrtm`, `funm`,
 * `solveSylvester`, CPU only and not differentiable, as JAX's):
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
import { isComplex, realDType } from "./DType.js"
import { ShapeError } from "./Errors.js"
import { customJvpCall } from "./Handler.js"
import type { CustomJvpCallee } from "./Handler.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { concreteValues } from "./internal/concrete.js"
import { requireMatrix } from "./internal/linalgChecks.js"
import { vecdot as vecdotOf } from "./internal/np/shapes.js"
import { promoteAll, toInexact, toTensor, toTensors } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as laxLinalg from "./laxLinalg.js"
import * as np from "./np.js"
import type { Tensor } from "./Tensor.js"
import {
  argumentError,
  axes as axesCheck,
  boolean,
  checkArg,
  checkOptions,
  integer,
  integers,
  number
} from "./Validate.js"
import type { Check } from "./Validate.js"

// ---------------------------------------------------------------------------
// helpers

const inexact = (x: TensorLike): Tensor => toInexact(toTensor(x))

const mT = (x: Tensor): Tensor => np.swapaxes(x, -1, -2)
/** The conjugate transpose over the last two dimensions. */
const mH = (x: Tensor): Tensor => (isComplex(x.dtype) ? lax.conj(mT(x)) : mT(x))

const matmulHighest = (a: Tensor, b: Tensor): Tensor => {
  const batch = a.shape.slice(0, -2).map((_, i) => i)
  return lax.dotGeneral(a, b, [[a.ndim - 1], [b.ndim - 2]], [batch, batch], { precision: "highest" })
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

/** `P b` for the row permutation `perm` (`(P b)[i] = b[perm[i]]`), by a one-hot matrix. */
const permuteRows = (perm: Tensor, b: Tensor): Tensor => {
  const m = perm.shape.at(-1)!
  const shape = [...perm.shape, m]
  const rows = lax.broadcastInDim(perm, shape, perm.shape.map((_, i) => i))
  const cols = lax.broadcastInDim(lax.iota("int32", [m], 0), shape, [perm.ndim])
  return matmulHighest(lax.convertElementType(lax.eq(rows, cols), b.dtype, false), b)
}

// A solve from an LU factorization: b [..., m, k] (batch equal to lu's).
const luSolveMatrix = (lu: Tensor, perm: Tensor, b: Tensor, trans: 0 | 1 | 2): Tensor => {
  if (trans === 0) {
    const y = laxLinalg.triangularSolve(lu, permuteRows(perm, b), { leftSide: true, lower: true, unitDiagonal: true })
    return laxLinalg.triangularSolve(lu, y, { leftSide: true, lower: false })
  }
  // a^T x = b (a^H x = b with conjugation) with P a = L U: U^T L^T P x = b.
  const conjugateA = trans === 2
  const z = laxLinalg.triangularSolve(lu, b, { leftSide: true, lower: false, transposeA: true, conjugateA })
  const y = laxLinalg.triangularSolve(lu, z, {
    leftSide: true,
    lower: true,
    unitDiagonal: true,
    transposeA: true,
    conjugateA
  })
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
  /**
   * Factor `(x + x^H) / 2` (default true, JAX's `symmetrize_input`); false reads
   * only the lower triangle.
   */
  readonly symmetrizeInput?: boolean | undefined
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
  checkOptions("cholesky", options, { upper: boolean, symmetrizeInput: boolean })
  const t = inexact(a)
  requireMatrix("cholesky", t)
  const l = laxLinalg.cholesky(t, { symmetrizeInput: options?.symmetrizeInput })
  return options?.upper === true ? mH(l) : l
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
  const diag = diagonalOf(lu, 0)
  const last = diag.ndim - 1
  const isZero = lax.reduceMax(lax.convertElementType(lax.eq(diag, 0), "int32", false), [last])
  const swaps = lax.ne(pivots, lax.broadcastInDim(lax.iota("int32", [n], 0), pivots.shape, [last]))
  const complex = isComplex(a.dtype)
  const swapCount = lax.reduceSum(lax.convertElementType(swaps, "int32", false), [last])
  // Real: the sign counts negative pivots; complex: the product of the pivots' phases (JAX's).
  const parity = complex
    ? swapCount
    : lax.add(swapCount, lax.reduceSum(lax.convertElementType(lax.lt(diag, 0), "int32", false), [last]))
  const odd = lax.eq(lax.rem(parity, 2), 1)
  const one = lax.full(odd.shape, 1, a.dtype)
  const flip = lax.select(odd, lax.neg(one), one)
  const absDiag = lax.abs(diag)
  const sign0 = complex
    ? lax.mul(flip, lax.reduceProd(lax.div(diag, lax.convertElementType(absDiag, a.dtype, false)), [last]))
    : flip
  const zero = lax.eq(isZero, 1)
  const sign = lax.select(zero, lax.zerosLike(sign0), sign0)
  const logAbs = lax.reduceSum(lax.log(absDiag), [last])
  return [sign, lax.select(zero, lax.full(logAbs.shape, -Infinity, realDType(a.dtype)), logAbs)]
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
  const n = t.shape.at(-1)!
  if (n === 1 || n === 2) {
    // JAX's _slogdet_small: the closed-form determinant, [sign(det), real(log(|det|))]
    // (a NaN entry gives a NaN sign; LU gave 1)
    const e = (i: number, j: number) => entry(t, i, j)
    const d = n === 1 ? e(0, 0) : lax.sub(lax.mul(e(0, 0), e(1, 1)), lax.mul(e(0, 1), e(1, 0)))
    return [lax.sign(d), lax.log(lax.abs(d))]
  }
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
 * and differentiable everywhere; larger ones `sign * exp(logabsdet)` from LU,
 * with JAX's custom JVP `trace(adj(a) da)` (the adjugate from the LU factors),
 * so the gradient at a singular matrix is its cofactor matrix, not NaN.
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
  if (n === 0) return detLu(t)
  return customJvpCall(detCallee, [t])[0]!
}

const detLu = (t: Tensor): Tensor => {
  const [sign, logAbs] = slogdetLu(t)
  return lax.mul(sign, lax.convertElementType(lax.exp(logAbs), t.dtype, false))
}

// JAX's `_det` custom JVP: d det = trace(adj(a) da), with the adjugate from
// `cofactorSolve`, so the derivative is right at singular matrices too (where
// det * inv(a) would be NaN).
const detCallee: CustomJvpCallee = {
  name: "det",
  f: ([a]) => [detLu(a!)],
  jvp: ([a], [da]) => {
    const [y, z] = cofactorSolve(a!, da!)
    return [[y], [lax.reduceSum(diagonalOf(z, 0), [z.ndim - 2])]]
  }
}

/** A `[..., n, n]` mask, true where `(row, col)` satisfies `test`, broadcast to `shape`. */
const matrixMask = (shape: ReadonlyArray<number>, test: (row: Tensor, col: Tensor) => Tensor): Tensor => {
  const n = shape.at(-1)!
  const rows = lax.broadcastInDim(lax.iota("int32", [shape.at(-2)!], 0), [shape.at(-2)!, n], [0])
  const cols = lax.broadcastInDim(lax.iota("int32", [n], 0), [shape.at(-2)!, n], [1])
  return lax.broadcastInDim(test(rows, cols), shape, [shape.length - 2, shape.length - 1])
}

/** `x` of batch shape broadcast over the last two dimensions of `shape`. */
const perMatrix = (x: Tensor, shape: ReadonlyArray<number>): Tensor =>
  lax.broadcastInDim(x, shape, x.shape.map((_, i) => i))

/**
 * JAX's `_cofactor_solve`: `[det(a), adj(a) b]`, also for singular `a`. With
 * `P a = L U`, `det(a) a^-1 b = det(a) U^-1 L^-1 P b`; replacing `U`'s last
 * pivot by `1 / (sign * prod(u_ii, i < n))` and scaling all but the last row of
 * `L^-1 P b` by `det(a)` gives the same product without dividing by a zero last
 * pivot (rank n - 1). A matrix of rank below n - 1 (another zero pivot) has a
 * zero adjugate: its solve overflows, and the result is set to zero.
 */
const cofactorSolve = (a: Tensor, b: Tensor): readonly [Tensor, Tensor] => {
  const n = a.shape.at(-1)!
  if (n === 1) return [entry(a, 0, 0), b]
  const [lu0, pivots, perm] = laxLinalg.lu(a)
  const diag = diagonalOf(lu0, 0)
  const last = diag.ndim - 1
  const swaps = lax.ne(pivots, lax.broadcastInDim(lax.iota("int32", [n], 0), pivots.shape, [last]))
  const odd = lax.eq(lax.rem(lax.reduceSum(lax.convertElementType(swaps, "int32", false), [last]), 2), 1)
  const one = lax.full(odd.shape, 1, a.dtype)
  const sign = lax.select(odd, lax.neg(one), one)
  const partial = lax.mul(lax.cumprod(diag, last), perMatrix(sign, diag.shape))
  const at = (k: number) =>
    lax.reshape(
      lax.slice(
        partial,
        partial.shape.map((_, d) => (d === last ? k : 0)),
        partial.shape.map((s, d) => (d === last ? k + 1 : s))
      ),
      partial.shape.slice(0, -1)
    )
  const detA = at(n - 1)
  const corner = matrixMask(a.shape, (r, c) => lax.and(lax.eq(r, n - 1), lax.eq(c, n - 1)))
  const lu = lax.select(corner, perMatrix(lax.div(lax.full(detA.shape, 1, a.dtype), at(n - 2)), a.shape), lu0)
  // rank below n - 1: a zero pivot before the last makes this solve overflow
  const probe = laxLinalg.triangularSolve(lu, lax.full([...a.shape.slice(0, -1), 1], 1, a.dtype), {
    leftSide: true,
    lower: false
  })
  const finite = lax.convertElementType(np.isfinite(probe), "int32", false)
  const low = perMatrix(lax.eq(lax.reduceMin(finite, [a.ndim - 2, a.ndim - 1]), 0), b.shape)
  const zero = lax.zerosLike(b)
  const y = laxLinalg.triangularSolve(lu, permuteRows(perm, lax.select(low, zero, b)), {
    leftSide: true,
    lower: true,
    unitDiagonal: true
  })
  const scaled = lax.select(
    matrixMask(b.shape, (r) => lax.lt(r, n - 1)),
    lax.mul(y, perMatrix(detA, b.shape)),
    y
  )
  const x = laxLinalg.triangularSolve(lu, scaled, { leftSide: true, lower: false })
  return [detA, lax.select(low, zero, x)]
}

/**
 * The inverse of a tensor for {@link tensordot} over its first `ind`
 * dimensions (JAX's `jnp.linalg.tensorinv`): `a` of shape `[...c, ...r]` with
 * `prod(c) == prod(r)`, inverted as a matrix, shape `[...r, ...c]`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.reshape(np.multiply(np.eye(4), 2), [4, 2, 2])
 * console.log(np.linalg.tensorinv(a, { ind: 1 }).shape) // [2, 2, 4]
 * console.log(toJsSync(np.linalg.tensorinv(a, { ind: 1 }).at(0))) // [[0.5, 0, 0, 0], [0, 0.5, 0, 0]]
 *
 * @since 0.1.0
 */
export const tensorinv = (a: TensorLike, options?: { readonly ind?: number | undefined }): Tensor => {
  checkOptions("tensorinv", options, { ind: integer })
  const t = inexact(a)
  const ind = options?.ind ?? 2
  if (ind <= 0) throw argumentError("tensorinv", "ind", "a positive integer", ind)
  const contracting = t.shape.slice(0, ind)
  const rest = t.shape.slice(ind)
  const rows = contracting.reduce((x, y) => x * y, 1)
  const cols = rest.reduce((x, y) => x * y, 1)
  if (ind > t.ndim || rows !== cols) {
    throw new ShapeError({
      operation: "tensorinv",
      detail: `inversion is only possible when the product of the first \`ind\` dimensions equals that of the ` +
        `remaining dimensions. got a.shape=(${t.shape.join(", ")}) with ind=${ind}.`
    })
  }
  return lax.reshape(inv(lax.reshape(t, [rows, cols])), [...rest, ...contracting])
}

/**
 * Solves the tensor equation `tensordot(a, x, x.ndim) = b` for `x` (JAX's
 * `jnp.linalg.tensorsolve`): `a`'s leading dimensions are `b`'s shape and its
 * trailing ones `x`'s; `axes` first moves those axes of `a` to the end (NumPy's).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.reshape(np.multiply(np.eye(4), 2), [2, 2, 2, 2])
 * console.log(toJsSync(np.linalg.tensorsolve(a, np.array([[2, 4], [6, 8]])))) // [[1, 2], [3, 4]]
 *
 * @since 0.1.0
 */
export const tensorsolve = (
  a: TensorLike,
  b: TensorLike,
  options?: { readonly axes?: ReadonlyArray<number> | undefined }
): Tensor => {
  checkOptions("tensorsolve", options, { axes: integers })
  const [ta0, tb] = sameDType(inexact(a), inexact(b))
  let ta = ta0
  if (options?.axes !== undefined) {
    const moved = options.axes.map((ax) => (ax < 0 ? ax + ta.ndim : ax))
    if (moved.some((ax) => ax < 0 || ax >= ta.ndim) || new Set(moved).size !== moved.length) {
      throw argumentError("tensorsolve", "axes", `distinct axes of a ${ta.ndim}-dimensional array`, options.axes)
    }
    const kept = ta.shape.map((_, i) => i).filter((i) => !moved.includes(i))
    ta = lax.transpose(ta, [...kept, ...moved])
  }
  const outShape = ta.shape.slice(tb.ndim)
  const lead = ta.shape.slice(0, tb.ndim)
  if (lead.length !== tb.ndim || lead.some((d, i) => d !== tb.shape[i])) {
    throw new ShapeError({
      operation: "tensorsolve",
      detail: `b must match the leading dimensions of a. Got a.shape=(${ta.shape.join(", ")}), ` +
        `b.shape=(${tb.shape.join(", ")})`
    })
  }
  const rows = tb.shape.reduce((x, y) => x * y, 1)
  const cols = outShape.reduce((x, y) => x * y, 1)
  if (rows !== cols) {
    throw new ShapeError({
      operation: "tensorsolve",
      detail: `a square matrix is required after reshaping. Got a.shape=(${rows}, ${cols}), ` +
        `b.shape=(${tb.shape.join(", ")})`
    })
  }
  return lax.reshape(solve(lax.reshape(ta, [rows, cols]), lax.reshape(tb, [rows])), outShape)
}

// ---------------------------------------------------------------------------
// SciPy's names

type Trans = 0 | 1 | 2 | "N" | "T" | "C"
const transCheck: Check = {
  expected: "0, 1, 2, \"N\", \"T\" or \"C\"",
  test: (u) => u === 0 || u === 1 || u === 2 || u === "N" || u === "T" || u === "C"
}
const luTransCheck: Check = { expected: "0, 1 or 2", test: (u) => u === 0 || u === 1 || u === 2 }
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
 * it is, for {@link choSolve}. As SciPy and JAX, only the `lower` (or upper)
 * triangle of `a` is read, not symmetrized. (SciPy leaves garbage in the other
 * triangle of `c`; JAX and diffect leave zeros.)
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
  // JAX's _cholesky: lax cholesky of a (lower) or a^H (upper) without symmetrize_input
  const t = inexact(a)
  requireMatrix("choFactor", t)
  const l = laxLinalg.cholesky(lower ? t : mH(t), { symmetrizeInput: false })
  return [lower ? l : mH(l), lower]
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
    // a = L L^H (lower) or U^H U (upper): two triangular solves.
    const y = laxLinalg.triangularSolve(cm, bm, { leftSide: true, lower, transposeA: !lower, conjugateA: !lower })
    return laxLinalg.triangularSolve(cm, y, { leftSide: true, lower, transposeA: lower, conjugateA: lower })
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
  // `[..., m, n]`, rectangular too (JAX's lu_factor): piv has min(m, n) entries
  requireMatrix("luFactor", t, false)
  const [lu, pivots] = laxLinalg.lu(t)
  return [lu, pivots]
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
  // JAX's lu_solve takes only 0, 1 or 2 (its ValueError for "N", "T", "C")
  checkOptions("luSolve", options, { trans: luTransCheck })
  const lu = inexact(factor[0])
  const piv = toTensor(factor[1])
  const [tl, tb] = sameDType(lu, inexact(b))
  const perm = laxLinalg.luPivotsToPermutation(piv, tl.shape.at(-2)!)
  const trans = options?.trans === 1 || options?.trans === 2 ? options.trans : 0
  return solveImpl("luSolve", tl, tb, (lm, bm) => {
    const [, pb] = broadcastBatch(lm, 2, lax.expandDims(perm, [perm.ndim]), 2)
    return luSolveMatrix(lm, lax.squeeze(pb, [pb.ndim - 1]), bm, trans)
  })
}

/** Options of {@link lu}. @since 0.1.0 */
export interface LuOptions {
  /** Return `[p l, u]` (the permuted `l`) instead of `[p, l, u]` (SciPy's `permute_l`; default false). */
  readonly permuteL?: boolean | undefined
}

/** The type of {@link lu}: `[p, l, u]`, or `[p l, u]` with `permuteL: true`. @since 0.1.0 */
export interface Lu {
  (a: TensorLike, options: { readonly permuteL: true }): readonly [pl: Tensor, u: Tensor]
  (a: TensorLike, options?: LuOptions): readonly [p: Tensor, l: Tensor, u: Tensor]
}

/**
 * SciPy's `lu`: `[p, l, u]` with `a = p l u`, `p` a permutation matrix, `l`
 * unit lower trapezoidal and `u` upper trapezoidal; with `permuteL: true`,
 * `[p l, u]`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [p, l, u] = linalg.lu(np.array([[1, 2], [3, 4]]))
 * console.log(toJsSync(p)) // [[0, 1], [1, 0]]
 * console.log(toJsSync(np.matmul(p, np.matmul(l, u)))) // [[1, 2], [3, 4]]
 * const [pl] = linalg.lu(np.array([[1, 2], [3, 4]]), { permuteL: true })
 * console.log(toJsSync(pl)) // [[0.3333333, 1], [1, 0]]
 *
 * @since 0.1.0
 */
export const lu: Lu = ((a: TensorLike, options?: LuOptions) => {
  checkOptions("lu", options, { permuteL: boolean })
  const [p, l, u] = luParts(a)
  return options?.permuteL === true ? [matmulHighest(p, l), u] as const : [p, l, u] as const
}) as Lu

const luParts = (a: TensorLike): readonly [p: Tensor, l: Tensor, u: Tensor] => {
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

// ---------------------------------------------------------------------------
// QR, symmetric eigenproblems, SVD

/** The machine epsilon of a float dtype. */
const epsOf = (t: Tensor): number => (t.dtype === "float64" ? 2 ** -52 : 2 ** -23)

const modeCheck: Check = {
  expected: "\"reduced\", \"complete\" or \"r\"",
  test: (u) => u === "reduced" || u === "complete" || u === "r"
}

/** Options of {@link qr}. @since 0.1.0 */
export interface QrOptions {
  /** `"reduced"` (default: `q` is `[..., m, k]`), `"complete"` (`[..., m, m]`) or `"r"` (`r` alone). */
  readonly mode?: "reduced" | "complete" | "r" | undefined
}

/** The type of {@link qr}: `[q, r]`, or `r` alone with `mode: "r"`. @since 0.1.0 */
export interface Qr {
  (a: TensorLike, options: { readonly mode: "r" }): Tensor
  (a: TensorLike, options?: QrOptions): readonly [q: Tensor, r: Tensor]
}

/**
 * QR decomposition by Householder reflections (`a = q r`, `q` with orthonormal
 * columns, `r` upper triangular), NumPy's modes.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [q, r] = np.linalg.qr(np.array([[3, 1], [4, 2]]))
 * console.log(toJsSync(q)) // [[-0.6, -0.8], [-0.8, 0.6]]
 * console.log(toJsSync(r)) // [[-5, -2.2], [0, 0.4]]
 * console.log(toJsSync(np.linalg.qr(np.array([[3, 1], [4, 2]]), { mode: "r" }))) // [[-5, -2.2], [0, 0.4]]
 *
 * @since 0.1.0
 */
export const qr: Qr = ((a: TensorLike, options?: QrOptions) => {
  checkOptions("qr", options, { mode: modeCheck })
  const t = inexact(a)
  requireMatrix("qr", t, false)
  const mode = options?.mode ?? "reduced"
  const [q, r] = laxLinalg.qr(t, { fullMatrices: mode === "complete" })
  return mode === "r" ? r : [q, r]
}) as Qr

const uploCheck: Check = { expected: "\"L\" or \"U\"", test: (u) => u === "L" || u === "U" }

/** Options of {@link eigh} and {@link eigvalsh}. @since 0.1.0 */
export interface EighOptions {
  /** Which triangle to read: `"L"` (default) or `"U"`. */
  readonly UPLO?: "L" | "U" | undefined
  /** Replace `a` by `(a + a^T) / 2` first (default true, as JAX). */
  readonly symmetrizeInput?: boolean | undefined
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices:
 * `[eigenvalues, eigenvectors]` with `a v = v diag(w)`. The eigenvectors'
 * derivative is JAX's, infinite or NaN where eigenvalues repeat.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [w, v] = np.linalg.eigh(np.array([[2, 1], [1, 2]]))
 * console.log(toJsSync(w)) // [1, 3]
 * console.log(toJsSync(np.abs(v))) // [[0.7071067, 0.7071067], [0.7071067, 0.7071067]]
 *
 * @since 0.1.0
 */
export const eigh = (a: TensorLike, options?: EighOptions): readonly [eigenvalues: Tensor, eigenvectors: Tensor] => {
  checkOptions("eigh", options, { UPLO: uploCheck, symmetrizeInput: boolean })
  const t = inexact(a)
  requireMatrix("eigh", t)
  const [v, w] = laxLinalg.eigh(t, { lower: options?.UPLO !== "U", symmetrizeInput: options?.symmetrizeInput })
  return [w, v]
}

/**
 * The eigenvalues (ascending) of symmetric matrices.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.eigvalsh(np.array([[2, 1], [1, 2]])))) // [1, 3]
 *
 * @since 0.1.0
 */
export const eigvalsh = (a: TensorLike, options?: EighOptions): Tensor => {
  checkOptions("eigvalsh", options, { UPLO: uploCheck, symmetrizeInput: boolean })
  return eigh(a, options)[0]
}

/** Options of {@link svd}. @since 0.1.0 */
export interface SvdOptions {
  /** Square `u` and `vh` (true, the default, as NumPy) or `[..., m, k]` and `[..., k, n]`. */
  readonly fullMatrices?: boolean | undefined
  /** Compute `u` and `vh` (default true); false returns the singular values alone. */
  readonly computeUv?: boolean | undefined
  /** `a` is symmetric: decompose it with `eigh` (JAX's `hermitian=True`). */
  readonly hermitian?: boolean | undefined
}

/** The type of {@link svd}: `[u, s, vh]`, or `s` alone with `computeUv: false`. @since 0.1.0 */
export interface Svd {
  (
    a: TensorLike,
    options: {
      readonly computeUv: false
      readonly fullMatrices?: boolean | undefined
      readonly hermitian?: boolean | undefined
    }
  ): Tensor
  (a: TensorLike, options?: SvdOptions): readonly [u: Tensor, s: Tensor, vh: Tensor]
}

/**
 * Singular value decomposition `a = u diag(s) vh` (one-sided Jacobi), singular
 * values descending. As in JAX, the derivative needs `fullMatrices: false` for
 * non-square matrices.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [u, s, vh] = np.linalg.svd(np.array([[3, 0], [0, -4]]))
 * console.log(toJsSync(s)) // [4, 3]
 * console.log(toJsSync(np.matmul(np.multiply(u, s), vh))) // [[3, 0], [0, -4]]
 * console.log(toJsSync(np.linalg.svd(np.array([[1, 1], [1, 1]]), { computeUv: false }))) // [2, 0]
 *
 * @since 0.1.0
 */
export const svd: Svd = ((a: TensorLike, options?: SvdOptions) => {
  checkOptions("svd", options, { fullMatrices: boolean, computeUv: boolean, hermitian: boolean })
  const t = inexact(a)
  requireMatrix("svd", t, options?.hermitian === true)
  if (options?.hermitian === true) return hermitianSvd(t, options.computeUv !== false)
  if (options?.computeUv === false) return laxLinalg.singularValues(t)
  return laxLinalg.svd(t, { fullMatrices: options?.fullMatrices ?? true })
}) as Svd

// JAX's svd(hermitian=True): s = |w| sorted descending, u the eigenvectors in that order and
// vh = (u * sign(w))^T.
const hermitianSvd = (t: Tensor, computeUv: boolean): Tensor | readonly [Tensor, Tensor, Tensor] => {
  const [v, w] = laxLinalg.eigh(t)
  const s0 = lax.abs(w)
  const last = s0.ndim - 1
  if (!computeUv) return lax.rev(lax.sort(s0), [last])
  const n = s0.shape.at(-1)!
  const order = lax.broadcastInDim(lax.iota("int32", [n], 0), s0.shape, [last])
  const [sorted, idx, sign] = lax.sort([s0, order, lax.sign(w)], { numKeys: 1 })
  const [s, index, signs] = [sorted!, idx!, sign!].map((x) => lax.rev(x, [last])) as [Tensor, Tensor, Tensor]
  // u = v P with P[i, j] = (index[j] == i): column j of u is column index[j] of v.
  const shape = [...s.shape, n]
  const cols = lax.broadcastInDim(index, shape, [...s.shape.slice(0, -1).map((_, i) => i), last + 1])
  const rows = lax.broadcastInDim(lax.iota("int32", [n], 0), shape, [last])
  const u = matmulHighest(v, lax.convertElementType(lax.eq(rows, cols), v.dtype, false))
  const signed = lax.convertElementType(signs, u.dtype, false)
  const vh = mH(lax.mul(u, lax.broadcastInDim(signed, shape, [...s.shape.slice(0, -1).map((_, i) => i), last + 1])))
  return [u, s, vh]
}

/**
 * Eigenvalues and right eigenvectors of general square matrices (JAX's
 * `jnp.linalg.eig`; CPU only, as JAX's): `[w, v]` with `a v = v diag(w)`,
 * complex for real input too, each eigenvector of unit norm with its largest
 * component real (LAPACK geev's), eigenvalues in no particular order. Only
 * {@link eigvals} is differentiable (JAX has no rule for the eigenvectors).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [w, v] = np.linalg.eig(np.array([[2, 0], [0, 3]]))
 * console.log(toJsSync(w)) // [{ re: 2, im: 0 }, { re: 3, im: 0 }]
 * console.log(toJsSync(np.abs(v))) // [[1, 0], [0, 1]]
 *
 * @since 0.1.0
 */
export const eig = (a: TensorLike): readonly [eigenvalues: Tensor, eigenvectors: Tensor] => {
  const t = inexact(a)
  requireMatrix("eig", t)
  const [w, v] = laxLinalg.eig(t, { computeLeftEigenvectors: false })
  return [w!, v!]
}

/**
 * The eigenvalues of general square matrices (complex), differentiable with
 * JAX's rule `dw = diag(v^-1 da v)`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.eigvals(np.array([[1, 2], [0, 3]])))) // [{ re: 1, im: 0 }, { re: 3, im: 0 }]
 *
 * @since 0.1.0
 */
export const eigvals = (a: TensorLike): Tensor => {
  const t = inexact(a)
  requireMatrix("eigvals", t)
  return laxLinalg.eig(t, { computeLeftEigenvectors: false, computeRightEigenvectors: false })[0]!
}

/**
 * The singular values, descending (`svd(a, { computeUv: false })`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.svdvals(np.array([[3, 0], [0, -4]])))) // [4, 3]
 *
 * @since 0.1.0
 */
export const svdvals = (a: TensorLike): Tensor => {
  const t = inexact(a)
  requireMatrix("svdvals", t, false)
  return laxLinalg.singularValues(t)
}

// ---------------------------------------------------------------------------
// least squares, pseudo-inverse, rank, condition number

/** Options of {@link lstsq}. @since 0.1.0 */
export interface LstsqOptions {
  /**
   * Singular values below `rcond * s_max` (and zero ones) count as zero
   * (default `eps * max(m, n)`; a negative `rcond` means `eps`, as JAX).
   */
  readonly rcond?: number | undefined
  /**
   * NumPy's residuals (JAX's `numpy_resid`): empty where `a` is rank-deficient or
   * not tall (`rank < n` or `m <= n`). Default false: the residuals of every
   * column, always (the shape does not depend on the rank, so it compiles).
   */
  readonly numpyResid?: boolean | undefined
}

/**
 * Least squares `min ||a x - b||` by SVD (JAX's `jnp.linalg.lstsq`): `[x,
 * residuals, rank, s]`. `a` is `[m, n]`, `b` is `[m]` or `[m, k]`; the
 * residuals `||b - a x||^2` per column are computed always (JAX's default), or
 * as NumPy does with `numpyResid` (then the rank must be concrete).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * // fit y = c0 + c1 t through (0, 1), (1, 3), (2, 5)
 * const [x, residuals, rank] = np.linalg.lstsq(np.array([[1, 0], [1, 1], [1, 2]]), np.array([1, 3, 5]))
 * console.log(toJsSync(x), toJsSync(rank)) // [1, 2] 2
 * console.log(toJsSync(residuals)) // [0]
 *
 * @since 0.1.0
 */
export const lstsq = (
  a: TensorLike,
  b: TensorLike,
  options?: LstsqOptions
): readonly [x: Tensor, residuals: Tensor, rank: Tensor, s: Tensor] => {
  checkOptions("lstsq", options, { rcond: number, numpyResid: boolean })
  const [ta, tb0] = sameDType(inexact(a), inexact(b))
  if (ta.ndim !== 2) {
    throw new ShapeError({
      operation: "lstsq",
      detail: `a must be two-dimensional, got shape (${ta.shape.join(", ")})`
    })
  }
  const vector = tb0.ndim === 1
  const tb = vector ? lax.expandDims(tb0, [1]) : tb0
  if (tb.ndim !== 2 || tb.shape[0] !== ta.shape[0]) {
    throw new ShapeError({
      operation: "lstsq",
      detail: `leading dimensions of a (${ta.shape.join(", ")}) and b (${tb0.shape.join(", ")}) must agree`
    })
  }
  const [m, n] = [ta.shape[0]!, ta.shape[1]!]
  // JAX: a negative rcond means eps
  const rcond = options?.rcond === undefined
    ? epsOf(ta) * Math.max(m, n)
    : options.rcond < 0
    ? epsOf(ta)
    : options.rcond
  const [u, s, vt] = laxLinalg.svd(ta, { fullMatrices: false })
  const k = s.shape[0]!
  const sMax = lax.broadcastInDim(lax.slice(s, [0], [Math.min(1, k)]), [k], [0])
  // JAX's mask (s > 0) & (s >= rcond * s[0]): a zero matrix has rank 0 and x = 0
  const mask = k === 0 ? s : lax.and(lax.gt(s, lax.zerosLike(s)), lax.ge(s, lax.mul(sMax, rcond)))
  const maskB = k === 0 ? lax.full([0], 1, "bool") : mask
  const rank = lax.reduceSum(lax.convertElementType(maskB, "int32", false), [0])
  const safe = lax.select(maskB, s, lax.full(s.shape, 1, s.dtype))
  const sInv = lax.convertElementType(lax.select(maskB, lax.div(1, safe), lax.zerosLike(s)), ta.dtype, false)
  const uTb = matmulHighest(mH(u), tb)
  const x = matmulHighest(mH(vt), lax.mul(lax.broadcastInDim(sInv, uTb.shape, [0]), uTb))
  const xOut = vector ? lax.reshape(x, [n]) : x
  if (options?.numpyResid === true) {
    // NumPy returns no residuals for a rank-deficient or wide a (JAX reads the rank: not under jit)
    if (m <= n) return [xOut, lax.full([0], 0, realDType(ta.dtype)), rank, s]
    const r = concreteValues(
      rank,
      "lstsq with numpyResid reads the rank, whose value decides the residuals' shape; " +
        "leave numpyResid false (JAX's default) to use lstsq under a transformation"
    ) as number
    if (r < n) return [xOut, lax.full([0], 0, realDType(ta.dtype)), rank, s]
  }
  const r0 = lax.sub(tb, matmulHighest(ta, x))
  const r = isComplex(r0.dtype) ? lax.abs(r0) : r0
  const residuals = lax.reduceSum(lax.mul(r, r), [0])
  return [xOut, residuals, rank, s]
}

/** Options of {@link pinv}. @since 0.1.0 */
export interface PinvOptions {
  /** Singular values at most `rtol * s_max` count as zero (default `10 * max(m, n) * eps`, as JAX). */
  readonly rtol?: number | undefined
  /** `a` is symmetric: its SVD comes from `eigh` (JAX's `hermitian=True`). */
  readonly hermitian?: boolean | undefined
}

/**
 * The Moore-Penrose pseudo-inverse by SVD (JAX's cutoff).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.pinv(np.array([[1, 0], [0, 0], [0, 2]])))) // [[1, 0, 0], [0, 0, 0.5]]
 *
 * @since 0.1.0
 */
export const pinv = (a: TensorLike, options?: PinvOptions): Tensor => {
  checkOptions("pinv", options, { rtol: number, hermitian: boolean })
  const t = inexact(a)
  requireMatrix("pinv", t, false)
  const [m, n] = [t.shape.at(-2)!, t.shape.at(-1)!]
  if (m === 0 || n === 0) return np.zeros([...t.shape.slice(0, -2), n, m], { dtype: t.dtype })
  const rtol = options?.rtol ?? 10 * Math.max(m, n) * epsOf(t)
  return pinvCustom(t, rtol, options?.hermitian === true)
}

const pinvSvd = (t: Tensor, rtol: number, hermitian: boolean): Tensor => {
  const [u, s, vh] = hermitian
    ? (hermitianSvd(t, true) as readonly [Tensor, Tensor, Tensor])
    : laxLinalg.svd(t, { fullMatrices: false })
  const last = s.ndim - 1
  const sMax = lax.broadcastInDim(lax.reduceMax(s, [last]), s.shape, s.shape.slice(0, -1).map((_, i) => i))
  const kept = lax.select(lax.gt(s, lax.mul(sMax, rtol)), s, lax.full(s.shape, Infinity, s.dtype))
  const uh = mH(u) // [..., k, m]
  const scaled = lax.div(
    uh,
    lax.broadcastInDim(lax.convertElementType(kept, t.dtype, false), uh.shape, s.shape.map((_, i) => i))
  )
  return matmulHighest(mH(vh), scaled)
}

// JAX's `_pinv` custom JVP (Golub and Pereyra 1973): with p = pinv(a),
// dp = -p da p + p p^H da^H (I - a p) + (I - p a) da^H p^H p, which is defined
// at repeated singular values, where the SVD's own derivative is not.
const pinvCustom = (t: Tensor, rtol: number, hermitian: boolean): Tensor =>
  customJvpCall({
    name: "pinv",
    f: ([a]) => [pinvSvd(a!, rtol, hermitian)],
    jvp: ([a], [da]) => {
      const [x, dx] = [a!, da!]
      const p = pinvCustom(x, rtol, hermitian)
      const [m, n] = [x.shape.at(-2)!, x.shape.at(-1)!]
      const dxH = mH(dx)
      const left = lax.sub(eyeLike([...x.shape.slice(0, -2), m, m], x), matmulHighest(x, p))
      const right = lax.sub(eyeLike([...x.shape.slice(0, -2), n, n], x), matmulHighest(p, x))
      const dp = lax.add(
        lax.add(
          lax.neg(matmulHighest(matmulHighest(p, dx), p)),
          matmulHighest(matmulHighest(matmulHighest(p, mH(p)), dxH), left)
        ),
        matmulHighest(matmulHighest(matmulHighest(right, dxH), mH(p)), p)
      )
      return [[p], [dp]]
    }
  }, [t])[0]!

/** Options of {@link matrixRank}. @since 0.1.0 */
export interface MatrixRankOptions {
  /**
   * The cutoff: singular values at most `rtol` count as zero. JAX compares a
   * given `rtol` with the singular values as it is (NumPy scales it by
   * `s_max`); the default is `s_max * max(m, n) * eps`.
   */
  readonly rtol?: number | undefined
  /** JAX's alias of `rtol` (only one of the two may be given). */
  readonly tol?: number | undefined
  /** `a` is Hermitian: its singular values are `|eigenvalues|` (JAX's `hermitian=True`). */
  readonly hermitian?: boolean | undefined
}

/**
 * The rank: the number of singular values above the tolerance (int32).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.matrixRank(np.array([[1, 2], [2, 4]])))) // 1
 * console.log(toJsSync(np.linalg.matrixRank(np.eye(3)))) // 3
 *
 * @since 0.1.0
 */
export const matrixRank = (a: TensorLike, options?: MatrixRankOptions): Tensor => {
  checkOptions("matrixRank", options, { rtol: number, tol: number, hermitian: boolean })
  if (options?.rtol !== undefined && options.tol !== undefined) {
    throw argumentError("matrixRank", "tol", "left out when rtol is given (only one of tol or rtol)", options.tol)
  }
  const t = inexact(a)
  if (t.ndim < 2) return lax.convertElementType(np.any(np.notEqual(t, 0)), "int32", false)
  const s = options?.hermitian === true ? (hermitianSvd(t, false) as Tensor) : laxLinalg.singularValues(t)
  const last = s.ndim - 1
  const batch = s.shape.slice(0, -1).map((_, i) => i)
  const cutoff = options?.rtol ?? options?.tol
  // JAX: S > rtol, rtol defaulting to S.max(-1) * max(m, n) * eps (a given one is not scaled)
  const threshold = cutoff !== undefined
    ? lax.full(s.shape, cutoff, s.dtype)
    : lax.mul(
      lax.broadcastInDim(lax.reduceMax(s, [last]), s.shape, batch),
      Math.max(t.shape.at(-1)!, t.shape.at(-2)!) * epsOf(t)
    )
  return lax.reduceSum(lax.convertElementType(lax.gt(s, threshold), "int32", false), [last])
}

type Ord = number | "fro" | "nuc"
const ordCheck: Check = {
  expected: "a number (Infinity and -Infinity included), \"fro\" or \"nuc\"",
  test: (u) => typeof u === "number" || u === "fro" || u === "nuc"
}

/** Options of {@link cond}. @since 0.1.0 */
export interface CondOptions {
  /** The norm: 2 (default: `s_max / s_min`), -2, 1, -1, Infinity, -Infinity, "fro" or "nuc". */
  readonly p?: Ord | undefined
}

/**
 * The condition number in the norm `p`: for 2 (the default) and -2 the ratio of
 * the extreme singular values of any matrix, for the other norms
 * `norm(x) * norm(inv(x))` of square ones. As JAX, NaN becomes Infinity unless
 * the input held NaN, except for `p` 2, whose `s_max / s_min` is returned as it
 * is (a zero matrix gives NaN).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.cond(np.array([[2, 0], [0, 0.5]])))) // 4
 * console.log(toJsSync(np.linalg.cond(np.array([[1, 2], [3, 4]]), { p: 1 }))) // 21
 *
 * @since 0.1.0
 */
export const cond = (x: TensorLike, options?: CondOptions): Tensor => {
  checkOptions("cond", options, { p: ordCheck })
  const t = inexact(x)
  // JAX checks squareness only for the norms other than 2 and -2 (the singular value ratios)
  requireMatrix("cond", t, !(options?.p === undefined || options.p === 2 || options.p === -2))
  // (NumPy's LinAlgError; JAX fails inside, indexing the empty singular values or reducing an empty norm)
  if (t.shape.at(-1) === 0 || t.shape.at(-2) === 0) {
    throw new ShapeError({
      operation: "cond",
      detail: `the condition number is not defined for empty matrices, got shape (${t.shape.join(", ")})`
    })
  }
  const p = options?.p
  let r: Tensor
  if (p === undefined || p === 2 || p === -2) {
    const s = laxLinalg.singularValues(t)
    const k = s.shape.at(-1)!
    const first = lax.reshape(lax.slice(s, s.shape.map(() => 0), [...s.shape.slice(0, -1), 1]), s.shape.slice(0, -1))
    const lastS = lax.reshape(
      lax.slice(s, [...s.shape.slice(0, -1).map(() => 0), k - 1], s.shape),
      s.shape.slice(0, -1)
    )
    // JAX returns s[0] / s[-1] as it is (a zero matrix's 0 / 0 stays NaN); only -2 and the
    // other norms below turn NaN into Infinity
    if (p !== -2) return lax.div(first, lastS)
    r = lax.div(lastS, first)
  } else {
    r = lax.mul(matrixNorm(t, { ord: p }), matrixNorm(inv(t), { ord: p }))
  }
  const inputNan = np.any(np.isnan(t), { axis: [-2, -1] })
  return np.where(np.logicalAnd(np.isnan(r), np.logicalNot(inputNan)), Infinity, r)
}

// ---------------------------------------------------------------------------
// norms

/** Options of {@link vectorNorm}. @since 0.1.0 */
export interface VectorNormOptions {
  /** The order: 2 (default), 1, 0 (count of non-zeros), Infinity, -Infinity or any p. */
  readonly ord?: number | undefined
  /** The axes the norm is over (all, flattened, when omitted). */
  readonly axis?: number | ReadonlyArray<number> | undefined
  readonly keepdims?: boolean | undefined
}

const vectorNormOf = (x: Tensor, ord: number, axis: number | ReadonlyArray<number> | undefined, keepdims: boolean) => {
  const abs = np.abs(x)
  const opts = { axis, keepdims }
  // JAX's amax(..., initial=0): 0 for an empty vector (amin has no initial: an empty one fails)
  if (ord === Infinity) return np.max(abs, { ...opts, initial: 0 })
  if (ord === -Infinity) return np.min(abs, opts)
  if (ord === 0) return np.sum(np.astype(np.notEqual(x, 0), abs.dtype), opts)
  if (ord === 1) return np.sum(abs, opts)
  if (ord === 2) return np.sqrt(np.sum(np.multiply(abs, abs), opts))
  return np.power(np.sum(np.power(abs, ord), opts), 1 / ord)
}

/**
 * The vector norm over `axis` (all elements when omitted), JAX's
 * `jnp.linalg.vector_norm`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([[3, -4], [0, 1]])
 * console.log(toJsSync(np.linalg.vectorNorm(x))) // 5.0990195
 * console.log(toJsSync(np.linalg.vectorNorm(x, { ord: 1, axis: 1 }))) // [7, 1]
 *
 * @since 0.1.0
 */
export const vectorNorm = (x: TensorLike, options?: VectorNormOptions): Tensor => {
  checkOptions("vectorNorm", options, { ord: number, axis: axesCheck, keepdims: boolean })
  const t = inexact(x)
  const keepdims = options?.keepdims ?? false
  if (options?.axis === undefined && !keepdims) return vectorNormOf(np.ravel(t), options?.ord ?? 2, 0, false)
  return vectorNormOf(t, options?.ord ?? 2, options?.axis ?? t.shape.map((_, i) => i), keepdims)
}

/** Options of {@link matrixNorm}. @since 0.1.0 */
export interface MatrixNormOptions {
  /** `"fro"` (default), `"nuc"`, 1, -1, 2, -2, Infinity or -Infinity. */
  readonly ord?: Ord | undefined
  readonly keepdims?: boolean | undefined
}

const matrixNormOf = (x: Tensor, ord: Ord, rows: number, cols: number, keepdims: boolean): Tensor => {
  const opts = (axis: number) => ({ axis, keepdims })
  const fix = (t: Tensor, removed: number) => (keepdims ? np.expandDims(t, removed) : t)
  const [r, c] = [rows, cols]
  switch (ord) {
    case "fro":
      return np.sqrt(np.sum(np.multiply(np.abs(x), np.abs(x)), { axis: [r, c], keepdims }))
    case 1:
    case -1: {
      // max/min over columns of the column sums
      const sums = np.sum(np.abs(x), opts(r))
      const col = keepdims ? c : c > r ? c - 1 : c
      return ord === 1 ? np.max(sums, { ...opts(col), initial: 0 }) : np.min(sums, opts(col))
    }
    case Infinity:
    case -Infinity: {
      const sums = np.sum(np.abs(x), opts(c))
      const row = keepdims ? r : r > c ? r - 1 : r
      return ord === Infinity ? np.max(sums, { ...opts(row), initial: 0 }) : np.min(sums, opts(row))
    }
    case 2:
    case -2:
    case "nuc": {
      const moved = np.moveaxis(x, [r, c], [-2, -1])
      const s = laxLinalg.singularValues(moved)
      const last = s.ndim - 1
      // JAX: amax(s, initial=0) (0 for an empty matrix), amin(s) (an empty matrix fails), sum(s)
      const y = ord === 2
        ? np.max(s, { axis: last, initial: 0 })
        : ord === -2
        ? np.min(s, { axis: last })
        : lax.reduceSum(s, [last])
      if (!keepdims) return y
      const [lo, hi] = r < c ? [r, c] : [c, r]
      return fix(fix(y, lo), hi)
    }
    default:
      throw argumentError("matrixNorm", "ord", "\"fro\", \"nuc\", 1, -1, 2, -2, Infinity or -Infinity", ord)
  }
}

/**
 * The matrix norm over the last two axes, JAX's `jnp.linalg.matrix_norm`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([[1, -2], [3, 4]])
 * console.log(toJsSync(np.linalg.matrixNorm(x))) // 5.4772257
 * console.log(toJsSync(np.linalg.matrixNorm(x, { ord: 1 }))) // 6
 * console.log(toJsSync(np.linalg.matrixNorm(x, { ord: Infinity }))) // 7
 *
 * @since 0.1.0
 */
export const matrixNorm = (x: TensorLike, options?: MatrixNormOptions): Tensor => {
  checkOptions("matrixNorm", options, { ord: ordCheck, keepdims: boolean })
  const t = inexact(x)
  requireMatrix("matrixNorm", t, false)
  return matrixNormOf(t, options?.ord ?? "fro", t.ndim - 2, t.ndim - 1, options?.keepdims ?? false)
}

/** Options of {@link norm}. @since 0.1.0 */
export interface NormOptions {
  /** The order (NumPy's `ord`): a number, Infinity, -Infinity, "fro" or "nuc". */
  readonly ord?: Ord | undefined
  /** One axis (a vector norm) or two (a matrix norm); all when omitted (see {@link norm}). */
  readonly axis?: number | ReadonlyArray<number> | undefined
  readonly keepdims?: boolean | undefined
}

/**
 * NumPy's `norm`: without `axis`, the 2-norm of the flattened array (or, with
 * `ord`, the vector norm of a 1-d array or the matrix norm of a 2-d one); with
 * one axis a vector norm, with two a matrix norm.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([[1, -2], [3, 4]])
 * console.log(toJsSync(np.linalg.norm(x))) // 5.4772257
 * console.log(toJsSync(np.linalg.norm(x, { ord: 2 }))) // 5.1166727
 * console.log(toJsSync(np.linalg.norm(x, { axis: 1 }))) // [2.2360680, 5]
 * console.log(toJsSync(np.linalg.norm(x, { ord: Infinity, axis: 0 }))) // [3, 4]
 *
 * @since 0.1.0
 */
export const norm = (x: TensorLike, options?: NormOptions): Tensor => {
  checkOptions("norm", options, { ord: ordCheck, axis: axesCheck, keepdims: boolean })
  const t = inexact(x)
  const keepdims = options?.keepdims ?? false
  const ord = options?.ord
  let axis = options?.axis
  if (axis === undefined) {
    if (ord === undefined) {
      const all = t.shape.map((_, i) => i)
      return np.sqrt(np.sum(np.multiply(np.abs(t), np.abs(t)), { axis: all, keepdims }))
    }
    if (t.ndim !== 1 && t.ndim !== 2) {
      throw new ShapeError({
        operation: "norm",
        detail:
          `improper number of dimensions to norm: ord given without axis needs a 1-d or 2-d array, got ${t.ndim}-d`
      })
    }
    axis = t.shape.map((_, i) => i)
  }
  const axes = (typeof axis === "number" ? [axis] : axis).map((a) => (a < 0 ? a + t.ndim : a))
  if (axes.some((a) => a < 0 || a >= t.ndim)) {
    throw new ShapeError({
      operation: "norm",
      detail: `axis ${JSON.stringify(axis)} is out of bounds for a ${t.ndim}-d array`
    })
  }
  if (axes.length === 1) {
    if (typeof ord === "string") {
      throw argumentError("norm", "ord", "a number for a vector norm", ord)
    }
    return vectorNormOf(t, ord ?? 2, axes[0]!, keepdims)
  }
  if (axes.length === 2) {
    if (axes[0] === axes[1]) throw new ShapeError({ operation: "norm", detail: "duplicate axes given" })
    return matrixNormOf(t, ord ?? "fro", axes[0]!, axes[1]!, keepdims)
  }
  throw new ShapeError({ operation: "norm", detail: `improper number of axes to norm: ${axes.length}` })
}

// ---------------------------------------------------------------------------
// products

/**
 * `a` to the integer power `n` by repeated squaring; `n = 0` gives the
 * identity and negative `n` powers of the inverse.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.array([[1, 1], [1, 0]])
 * console.log(toJsSync(np.linalg.matrixPower(a, 10))) // [[89, 55], [55, 34]]
 * console.log(toJsSync(np.linalg.matrixPower(np.array([[2, 0], [0, 4]]), -1))) // [[0.5, 0], [0, 0.25]]
 *
 * @since 0.1.0
 */
export const matrixPower = (a: TensorLike, n: number): Tensor => {
  checkArg("matrixPower", "n", n, integer)
  let t = toTensor(a)
  requireMatrix("matrixPower", t)
  if (n === 0) return np.broadcastTo(np.eye(t.shape.at(-1)!, { dtype: t.dtype }), t.shape)
  if (n < 0) t = inv(t)
  let e = Math.abs(n)
  let z: Tensor | undefined
  let result: Tensor | undefined
  while (e > 0) {
    z = z === undefined ? t : np.matmul(z, z)
    if (e % 2 === 1) result = result === undefined ? z : np.matmul(result, z)
    e = Math.floor(e / 2)
  }
  return result!
}

/**
 * The product of several matrices in the cheapest order (the classic
 * matrix-chain dynamic program); the first may be a row vector and the last a
 * column vector, as NumPy's `multi_dot`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.linalg.multiDot([np.array([1, 2]), np.array([[1, 0], [0, 1]]), np.array([[3], [4]])])
 * console.log(toJsSync(x)) // [11]
 *
 * @since 0.1.0
 */
export const multiDot = (arrays: ReadonlyArray<TensorLike>): Tensor => {
  if (!Array.isArray(arrays) || arrays.length < 2) {
    throw argumentError("multiDot", "arrays", "an array of at least two arrays", arrays)
  }
  const ts = promoteAll("multiDot", toTensors(arrays))
  const firstVector = ts[0]!.ndim === 1
  const lastVector = ts.at(-1)!.ndim === 1
  const ms = ts.map((t, i) =>
    i === 0 && firstVector ? lax.expandDims(t, [0]) : i === ts.length - 1 && lastVector ? lax.expandDims(t, [1]) : t
  )
  for (const m of ms) {
    if (m.ndim !== 2) {
      throw new ShapeError({
        operation: "multiDot",
        detail: "the first and last arrays may be 1-d or 2-d, the others must be 2-d"
      })
    }
  }
  const dims = [ms[0]!.shape[0]!, ...ms.map((m) => m.shape[1]!)]
  const count = ms.length
  const cost: Array<Array<number>> = ms.map(() => ms.map(() => 0))
  const split: Array<Array<number>> = ms.map(() => ms.map(() => 0))
  for (let len = 1; len < count; len++) {
    for (let i = 0; i + len < count; i++) {
      const j = i + len
      cost[i]![j] = Infinity
      for (let k = i; k < j; k++) {
        const c = cost[i]![k]! + cost[k + 1]![j]! + dims[i]! * dims[k + 1]! * dims[j + 1]!
        if (c < cost[i]![j]!) {
          cost[i]![j] = c
          split[i]![j] = k
        }
      }
    }
  }
  const product = (i: number, j: number): Tensor =>
    i === j ? ms[i]! : np.matmul(product(i, split[i]![j]!), product(split[i]![j]! + 1, j))
  let out = product(0, count - 1)
  if (firstVector) out = lax.squeeze(out, [0])
  if (lastVector) out = lax.squeeze(out, [out.ndim - 1])
  return out
}

// ---------------------------------------------------------------------------
// the rest of jnp.linalg's namespace

/**
 * The diagonal of the last two dimensions (`[..., k]`), shifted by `offset`
 * (above the main diagonal when positive), JAX's `jnp.linalg.diagonal`. A
 * gather, so infinities elsewhere in the matrix do not leak into it.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([[1, 2, 3], [4, 5, 6]])
 * console.log(toJsSync(np.linalg.diagonal(x))) // [1, 5]
 * console.log(toJsSync(np.linalg.diagonal(x, { offset: 1 }))) // [2, 6]
 *
 * @since 0.1.0
 */
export const diagonal = (x: TensorLike, options?: { readonly offset?: number | undefined }): Tensor => {
  checkOptions("diagonal", options, { offset: integer })
  const t = toTensor(x)
  requireMatrix("diagonal", t, false)
  return diagonalOf(t, options?.offset ?? 0)
}

const diagonalOf = (t: Tensor, offset: number): Tensor => {
  const [m, n] = [t.shape.at(-2)!, t.shape.at(-1)!]
  const start = Math.max(0, -offset)
  const length = Math.max(0, Math.min(m - start, n - start - offset))
  const indices = Array.from({ length }, (_, i) => (start + i) * n + start + i + offset)
  const flat = lax.reshape(t, [...t.shape.slice(0, -2), m * n])
  return lax.gather(flat, np.array(indices, { dtype: "int32" }), flat.ndim - 1)
}

/**
 * The sum of the diagonal of the last two dimensions (JAX's `jnp.linalg.trace`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.trace(np.array([[1, 2], [3, 4]])))) // 5
 *
 * @since 0.1.0
 */
export const trace = (x: TensorLike, options?: { readonly offset?: number | undefined }): Tensor => {
  checkOptions("trace", options, { offset: integer })
  const d = diagonal(x, options)
  return np.sum(d, { axis: -1 })
}

/**
 * Swaps the last two dimensions (JAX's `jnp.linalg.matrix_transpose`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.linalg.matrixTranspose(np.ones([4, 2, 3])).shape) // [4, 3, 2]
 *
 * @since 0.1.0
 */
export const matrixTranspose = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  requireMatrix("matrixTranspose", t, false)
  return mT(t)
}

/**
 * The dot product of vectors along `axis` (default -1), the first conjugated
 * (JAX's `jnp.linalg.vecdot`, which is `jnp.vecdot`); other dimensions
 * broadcast, and `precision` and `preferredElementType` are the product's.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.vecdot(np.array([[1, 2], [3, 4]]), np.array([1, 1])))) // [3, 7]
 * const ints = np.array([100, 100], { dtype: "int32" })
 * console.log(np.linalg.vecdot(ints, ints, { preferredElementType: "float32" }).dtype) // float32
 *
 * @since 0.1.0
 */
export const vecdot = (
  x: TensorLike,
  y: TensorLike,
  options?: np.PrecisionOptions & { readonly axis?: number | undefined }
): Tensor => vecdotOf(x, y, options)

/**
 * The cross product of 3-vectors along `axis` (default -1), JAX's
 * `jnp.linalg.cross` (the array API's: both sides of size 3).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.cross(np.array([1, 0, 0]), np.array([0, 1, 0])))) // [0, 0, 1]
 *
 * @since 0.1.0
 */
export const cross = (x: TensorLike, y: TensorLike, options?: { readonly axis?: number | undefined }): Tensor => {
  checkOptions("cross", options, { axis: integer })
  const [a, b] = promoteAll("cross", [toTensor(x), toTensor(y)])
  const axis = options?.axis ?? -1
  for (const t of [a!, b!]) {
    const ax = axis < 0 ? axis + t.ndim : axis
    if (t.ndim === 0 || ax < 0 || ax >= t.ndim || t.shape[ax] !== 3) {
      throw new ShapeError({
        operation: "cross",
        detail: `both inputs must have size 3 along axis ${axis}, got shapes (${a!.shape.join(", ")}) and (${
          b!.shape.join(", ")
        })`
      })
    }
  }
  const part = (t: Tensor, i: number) => np.take(t, [i], { axis })
  const [a0, a1, a2] = [part(a!, 0), part(a!, 1), part(a!, 2)]
  const [b0, b1, b2] = [part(b!, 0), part(b!, 1), part(b!, 2)]
  return np.concatenate([
    np.subtract(np.multiply(a1, b2), np.multiply(a2, b1)),
    np.subtract(np.multiply(a2, b0), np.multiply(a0, b2)),
    np.subtract(np.multiply(a0, b1), np.multiply(a1, b0))
  ], { axis })
}

/**
 * The outer product of two vectors (JAX's `jnp.linalg.outer`: 1-d only).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linalg.outer(np.array([1, 2]), np.array([3, 4, 5])))) // [[3, 4, 5], [6, 8, 10]]
 *
 * @since 0.1.0
 */
export const outer = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = [toTensor(x), toTensor(y)]
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError({
      operation: "outer",
      detail: `Input arrays must be one-dimensional, but they are a.ndim=${a.ndim} and b.ndim=${b.ndim}`
    })
  }
  return np.outer(a, b)
}

/**
 * The matrix product (`np.matmul`, also under `np.linalg` as in JAX).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.linalg.matmul(np.ones([2, 3]), np.ones([3, 4])).shape) // [2, 4]
 *
 * @since 0.1.0
 */
export const matmul = (x: TensorLike, y: TensorLike): Tensor => np.matmul(x, y)

/**
 * The tensor dot product (`np.tensordot`, also under `np.linalg` as in JAX).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.linalg.tensordot(np.ones([2, 3]), np.ones([3, 4]), { axes: 1 }).shape) // [2, 4]
 *
 * @since 0.1.0
 */
export const tensordot: typeof np.tensordot = (...args) => np.tensordot(...args)

export { eighTridiagonal } from "./internal/eighTridiagonal.js"
export type { EighTridiagonal, EighTridiagonalOptions } from "./internal/eighTridiagonal.js"
export { expmFrechet } from "./internal/expmFrechet.js"
export type { ExpmFrechet, ExpmFrechetOptions } from "./internal/expmFrechet.js"
export { convolutionMatrix, fiedlerCompanion } from "./internal/linalgConstructors.js"
export type { ConvolutionMatrixOptions } from "./internal/linalgConstructors.js"
export {
  blockDiag,
  circulant,
  companion,
  dft,
  expm,
  fiedler,
  hadamard,
  hankel,
  helmert,
  hilbert,
  invhilbert,
  invpascal,
  leslie,
  pascal,
  polar,
  toeplitz
} from "./internal/linalgMatrices.js"
export type { ExpmOptions, PascalOptions, PolarOptions } from "./internal/linalgMatrices.js"
export { hessenberg, rsf2csf, schur } from "./internal/linalgSchur.js"
export type { HessenbergOptions, SchurOptions } from "./internal/linalgSchur.js"
export { funm, sqrtm } from "./internal/matrixFunctions.js"
export type { FunmOptions, SqrtmOptions } from "./internal/matrixFunctions.js"
export { qrMultiply } from "./internal/qrMultiply.js"
export type { QrMultiply, QrMultiplyOptions } from "./internal/qrMultiply.js"
export { solveSylvester } from "./internal/sylvester.js"
export type { SolveSylvesterOptions } from "./internal/sylvester.js"
