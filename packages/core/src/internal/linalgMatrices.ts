/**
 * SciPy's `linalg` functions that JAX has beyond NumPy's: the matrix
 * exponential (`expm`) and the special matrices (`blockDiag`,
 * `toeplitz`, `hankel`, `circulant`, `companion`, `hilbert`, `pascal`, `dft`,
 * `hadamard`, `helmert`, `leslie`, `fiedler`). Built from `lax` and `np`, so
 * every one is differentiable where its inputs are.
 */
import { isComplex } from "../DType.js"
import type { DType } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as laxLinalg from "../laxLinalg.js"
import * as np from "../np.js"
import { broadcastShapes } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import { argumentError, boolean, checkArg, checkOptions, checkShape, integer } from "../Validate.js"
import type { Check } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { diag, takeAlongAxis } from "./np/arrays.js"
import { exp2, log2 } from "./np/math.js"
import { promoteAll, toInexact, toTensor, toTensors } from "./npHelpers.js"

const oneOf = (...values: ReadonlyArray<string>): Check => ({
  expected: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
  test: (u) => typeof u === "string" && values.includes(u)
})

// x[..., from:to] along axis `axis`
const sliceAxis = (x: Tensor, from: number, to: number, axis: number): Tensor =>
  lax.slice(x, x.shape.map((_, d) => (d === axis ? from : 0)), x.shape.map((n, d) => (d === axis ? to : n)))

// a x = b for square [..., n, n] a and b: LU with partial pivoting, then the two triangular solves
export const solveSquare = (a: Tensor, b: Tensor): Tensor => {
  const [lu, , perm] = laxLinalg.lu(a)
  const rows = takeAlongAxis(b, lax.broadcastInDim(perm, b.shape, perm.shape.map((_, i) => i)), -2)
  const y = laxLinalg.triangularSolve(lu, rows, { leftSide: true, lower: true, unitDiagonal: true })
  return laxLinalg.triangularSolve(lu, y, { leftSide: true, lower: false })
}

const squareMatrices = (op: string, a: Tensor, name = "A"): void => {
  const n = a.shape[a.ndim - 1]
  if (a.ndim < 2 || a.shape[a.ndim - 2] !== n) {
    throw new ShapeError({
      operation: op,
      detail: `expected ${name} to be a (batched) square matrix, got ${name}.shape=(${a.shape.join(", ")})`
    })
  }
}

const matmul = (a: Tensor, b: Tensor): Tensor => np.matmul(a, b)

// Higham's Pade approximants of exp (2005): the order and the largest 1-norm it is accurate for
// without scaling, for each precision (JAX's choice: 7 for single, 13 for double precision).
export const pade7 = [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1]
export const pade13 = [
  64764752532480000,
  32382376266240000,
  7771770303897600,
  1187353796428800,
  129060195264000,
  10559470521600,
  670442572800,
  33522128640,
  1323241920,
  40840800,
  960960,
  16380,
  182,
  1
]
export const theta7 = 3.92572478313866
export const theta13 = 5.371920351148152

export const doublePrecision = (dtype: DType): boolean => dtype === "float64" || dtype === "complex128"

// U (odd powers) and V (even powers) of the Pade approximant r(A) = (V - U)^-1 (V + U).
const padeUV = (a: Tensor): readonly [Tensor, Tensor] => {
  const n = a.shape[a.ndim - 1]!
  const eye = lax.broadcastInDim(np.eye(n, { dtype: a.dtype }), a.shape, [a.ndim - 2, a.ndim - 1])
  const c = (x: Tensor, k: number) => np.multiply(x, k)
  const a2 = matmul(a, a)
  const a4 = matmul(a2, a2)
  const a6 = matmul(a4, a2)
  if (!doublePrecision(a.dtype)) {
    const b = pade7
    const u = matmul(a, np.add(np.add(c(a6, b[7]!), c(a4, b[5]!)), np.add(c(a2, b[3]!), c(eye, b[1]!))))
    const v = np.add(np.add(c(a6, b[6]!), c(a4, b[4]!)), np.add(c(a2, b[2]!), c(eye, b[0]!)))
    return [u, v]
  }
  const b = pade13
  const inner = matmul(a6, np.add(np.add(c(a6, b[13]!), c(a4, b[11]!)), c(a2, b[9]!)))
  const u = matmul(
    a,
    np.add(np.add(inner, c(a6, b[7]!)), np.add(np.add(c(a4, b[5]!), c(a2, b[3]!)), c(eye, b[1]!)))
  )
  const innerV = matmul(a6, np.add(np.add(c(a6, b[12]!), c(a4, b[10]!)), c(a2, b[8]!)))
  const v = np.add(np.add(innerV, c(a6, b[6]!)), np.add(np.add(c(a4, b[4]!), c(a2, b[2]!)), c(eye, b[0]!)))
  return [u, v]
}

/** Options of `expm`: JAX's `maxSquarings` (16) and `upperTriangular`. @since 0.1.0 */
export interface ExpmOptions {
  readonly maxSquarings?: number | undefined
  /** Assume `A` is upper triangular: the Pade quotient is a triangular solve (default false). */
  readonly upperTriangular?: boolean | undefined
}

/**
 * `jax.scipy.linalg.expm`: the matrix exponential of each `[..., n, n]`
 * matrix, by Pade approximation with scaling and squaring (Higham 2005; order
 * 13 in double precision, 7 in single): `A` is scaled by `2^-s` until its 1-norm
 * is in the approximant's range, and the result squared `s` times. Where JAX
 * would need more than `maxSquarings` squarings (`floor(log2(norm / theta))`)
 * the result is NaN, as in JAX. Fixed
 * work (the squarings are selected, not branched on), so it runs under `jit`,
 * `vmap` and reverse mode alike.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.expm(np.array([[0, 1], [0, 0]])))) // [[1, 1], [0, 1]]
 * const r = toJsSync(linalg.expm(np.array([[0, -Math.PI], [Math.PI, 0]], { dtype: "float64" }))) as Array<Array<number>>
 * console.log(r.map((row) => row.map((v) => Math.round(v * 1e12) / 1e12 + 0))) // [[-1, 0], [0, -1]]
 *
 * @since 0.1.0
 */
export const expm = (a: TensorLike, options?: ExpmOptions): Tensor => {
  checkOptions("expm", options, { maxSquarings: integer, upperTriangular: boolean })
  const maxSquarings = options?.maxSquarings ?? 16
  if (maxSquarings < 0) throw argumentError("expm", "maxSquarings", "a non-negative integer", maxSquarings)
  const t = toInexact(toTensor(a))
  squareMatrices("expm", t)
  const nd = t.ndim
  if (t.shape[nd - 1] === 0) return t
  const theta = doublePrecision(t.dtype) ? theta13 : theta7
  // the 1-norm (the largest column sum of magnitudes) of each matrix, and its squarings
  const norm = lax.reduceMax(lax.reduceSum(np.abs(t), [nd - 2]), [nd - 2])
  const normDType = norm.dtype
  // ceil keeps the scaled norm within the approximant's range (Higham); JAX's floor may leave it up
  // to twice that. JAX's NaN cut-off (floor above maxSquarings) is kept, so one more squaring than
  // maxSquarings can run
  const ratio = log2(np.divide(norm, theta))
  const zero = lax.full(norm.shape, 0, normDType, false)
  const squarings = np.maximum(np.ceil(ratio), zero)
  const matrixShaped = (x: Tensor) => lax.broadcastInDim(x, t.shape, t.shape.slice(0, nd - 2).map((_, i) => i))
  const scale = matrixShaped(exp2(np.negative(squarings)))
  const scaled = np.multiply(t, isComplex(t.dtype) ? lax.convertElementType(scale, t.dtype) : scale)
  const [u, v] = padeUV(scaled)
  // JAX's _solve_P_Q: q^-1 p, by a triangular solve when A (so p and q) is upper triangular
  const [p, q] = [np.add(v, u), np.subtract(v, u)]
  let r = options?.upperTriangular === true
    ? laxLinalg.triangularSolve(q, p, { leftSide: true, lower: false })
    : solveSquare(q, p)
  const steps = matrixShaped(squarings)
  for (let i = 0; i <= maxSquarings; i++) {
    const more = lax.lt(lax.full(steps.shape, i, normDType, false), steps)
    r = lax.select(more, matmul(r, r), r)
  }
  const tooMany = matrixShaped(
    lax.gt(np.maximum(np.floor(ratio), zero), lax.full(norm.shape, maxSquarings, normDType, false))
  )
  return lax.select(tooMany, lax.full(r.shape, NaN, r.dtype, r.weakType), r)
}

// A constructor's operand as a vector (at most one-dimensional).
const vector = (op: string, name: string, x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (t.ndim > 1) {
    throw new ShapeError({ operation: op, detail: `${name} must be at most one-dimensional, got shape (${t.shape})` })
  }
  return lax.reshape(t, [t.size])
}

/**
 * `jax.scipy.linalg.block_diag`: the arrays (at most two-dimensional: a vector
 * is a row, a scalar a 1x1 block) along the diagonal of a matrix, zeros
 * elsewhere, in their promoted dtype.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.blockDiag(np.array([[1, 2]]), np.array(3)))) // [[1, 2, 0], [0, 0, 3]]
 *
 * @since 0.1.0
 */
export const blockDiag = (...arrs: ReadonlyArray<TensorLike>): Tensor => {
  if (arrs.length === 0) return np.zeros([1, 0])
  const blocks = promoteAll("blockDiag", toTensors(arrs)).map((t) => {
    if (t.ndim > 2) {
      throw new ShapeError({
        operation: "blockDiag",
        detail: `arguments must be at most two-dimensional, got shape (${t.shape})`
      })
    }
    return t.ndim === 2 ? t : lax.reshape(t, [1, t.size])
  })
  const cols = blocks.reduce((n, b) => n + b.shape[1]!, 0)
  let left = 0
  const rows = blocks.map((b) => {
    const [m, k] = b.shape as [number, number]
    const row = lax.pad(b, lax.full([], 0, b.dtype), [[0, 0, 0], [left, cols - left - k, 0]])
    left += k
    return m === 0 ? lax.reshape(row, [0, cols]) : row
  })
  return lax.concatenate(rows, 0)
}

// x[..., (i - j) mod n]-style gathers: entry [i, j] of the result is `flat[index(i, j)]`.
const fromIndex = (
  op: string,
  flat: Tensor,
  m: number,
  n: number,
  index: (i: number, j: number) => number
): Tensor => {
  // the output's size is checked before the index table is built (toeplitz of 1e5 values
  // asked for 1e10 int32s: an untyped RangeError)
  checkShape(op, [...flat.shape.slice(0, -1), m, n])
  const idx = new Int32Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) idx[i * n + j] = index(i, j)
  const k = flat.shape[flat.ndim - 1]!
  const safe = Math.max(k, 1)
  const source = k === 0 ? lax.full([...flat.shape.slice(0, -1), 1], 0, flat.dtype) : flat
  const taken = np.take(source, np.array(Array.from(idx, (v) => Math.min(v, safe - 1)), { dtype: "int32" }), {
    axis: -1
  })
  return lax.reshape(taken, [...flat.shape.slice(0, -1), m, n])
}

/**
 * `jax.scipy.linalg.toeplitz`: the Toeplitz matrix with first column `c` and
 * first row `r` (`r[0]` is ignored; `r` defaults to `conj(c)`, a Hermitian
 * matrix). Leading dimensions of `c` and `r` batch.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.toeplitz(np.array([1, 2, 3]), np.array([1, 4, 5])))) // [[1, 4, 5], [2, 1, 4], [3, 2, 1]]
 *
 * @since 0.1.0
 */
export const toeplitz = (c: TensorLike, r?: TensorLike): Tensor => {
  const tc = toTensor(c)
  const [cc, rr] = r === undefined ? [tc, np.conj(tc)] : promoteAll("toeplitz", [tc, toTensor(r)])
  const m = cc.shape[cc.ndim - 1] ?? 1
  const n = rr.shape[rr.ndim - 1] ?? 1
  const c1 = cc.ndim === 0 ? lax.reshape(cc, [1]) : cc
  const r1 = rr.ndim === 0 ? lax.reshape(rr, [1]) : rr
  const batch = broadcastShapes(c1.shape.slice(0, -1), r1.shape.slice(0, -1))
  // [r[n-1], ..., r[1], c[0], ..., c[m-1]]: entry [i, j] is at n - 1 + i - j
  const rRev = lax.rev(sliceAxis(np.broadcastTo(r1, [...batch, n]), 1, n, batch.length), [batch.length])
  const flat = lax.concatenate([rRev, np.broadcastTo(c1, [...batch, m])], batch.length)
  return fromIndex("toeplitz", flat, m, n, (i, j) => n - 1 + i - j)
}

/**
 * `jax.scipy.linalg.hankel`: the Hankel matrix with first column `c` and last
 * row `r` (`r[0]` is ignored; zeros by default).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.hankel(np.array([1, 2, 3]), np.array([3, 4, 5])))) // [[1, 2, 3], [2, 3, 4], [3, 4, 5]]
 *
 * @since 0.1.0
 */
export const hankel = (c: TensorLike, r?: TensorLike): Tensor => {
  const tc = vector("hankel", "c", c)
  const [cc, rr] = r === undefined ? [tc, np.zerosLike(tc)] : promoteAll("hankel", [tc, vector("hankel", "r", r)])
  const m = cc.shape[0]!
  const n = rr.shape[0]!
  // [c[0], ..., c[m-1], r[1], ..., r[n-1]]: entry [i, j] is at i + j
  const flat = lax.concatenate([cc, sliceAxis(rr, Math.min(1, n), n, 0)], 0)
  return fromIndex("hankel", flat, m, n, (i, j) => i + j)
}

/**
 * `jax.scipy.linalg.circulant`: the circulant matrix whose first column is
 * `c` (entry `[i, j]` is `c[(i - j) mod n]`); leading dimensions batch.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.circulant(np.array([1, 2, 3])))) // [[1, 3, 2], [2, 1, 3], [3, 2, 1]]
 *
 * @since 0.1.0
 */
export const circulant = (c: TensorLike): Tensor => {
  const t = toTensor(c)
  const c1 = t.ndim === 0 ? lax.reshape(t, [1]) : t
  const n = c1.shape[c1.ndim - 1]!
  return fromIndex("circulant", c1, n, n, (i, j) => (((i - j) % n) + n) % n)
}

/**
 * `jax.scipy.linalg.companion`: the companion matrix of the polynomial with
 * coefficients `a` (highest degree first): its first row is `-a[1:] / a[0]`,
 * ones below the diagonal; its eigenvalues are the polynomial's roots.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.companion(np.array([1, -10, 31, -30])))) // [[10, -31, 30], [1, 0, 0], [0, 1, 0]]
 *
 * @since 0.1.0
 */
export const companion = (a: TensorLike): Tensor => {
  const t = toInexact(vector("companion", "a", a))
  const n = t.shape[0]!
  if (n < 2) {
    throw new ShapeError({ operation: "companion", detail: "the length of a must be at least 2" })
  }
  const first = np.divide(np.negative(sliceAxis(t, 1, n, 0)), sliceAxis(t, 0, 1, 0))
  // ones below the diagonal: the identity of n - 2 rows, one zero column after it
  const below = lax.pad(np.eye(n - 2, { dtype: t.dtype }), lax.full([], 0, t.dtype), [[0, 0, 0], [0, 1, 0]])
  return lax.concatenate([lax.reshape(first, [1, n - 1]), below], 0)
}

// Binomial coefficients as exact as float64 holds them.
const binomial = (a: number, b: number): number => {
  if (b < 0 || b > a) return 0
  let v = 1
  for (let k = 1; k <= Math.min(b, a - b); k++) v = (v * (a - Math.min(b, a - b) + k)) / k
  return Math.round(v)
}

// An n x n constructor's size: a non-negative integer whose n x n array can be allocated (the
// same checks and errors as np.eye's).
const squareSize = (op: string, n: number): number => {
  checkArg(op, "n", n, integer)
  checkShape(op, [n, n])
  return n
}

/**
 * `jax.scipy.linalg.hilbert`: the `n x n` Hilbert matrix, `1 / (i + j + 1)`.
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.hilbert(2))) // [[1, 0.5], [0.5, 0.33333334]]
 *
 * @since 0.1.0
 */
export const hilbert = (n: number): Tensor => {
  const size = squareSize("hilbert", n)
  const i = lax.iota("float32", [size, size], 0)
  const j = lax.iota("float32", [size, size], 1)
  return np.divide(1, np.add(np.add(i, j), 1))
}

/** Options of `pascal` and `invpascal`: which Pascal matrix (default `"symmetric"`). @since 0.1.0 */
export interface PascalOptions {
  readonly kind?: "symmetric" | "lower" | "upper" | undefined
}

const pascalKind = (op: string, options: PascalOptions | undefined): "symmetric" | "lower" | "upper" => {
  checkOptions(op, options, { kind: oneOf("symmetric", "lower", "upper") })
  return options?.kind ?? "symmetric"
}

/**
 * `jax.scipy.linalg.pascal`: the `n x n` Pascal matrix (`kind`: `"symmetric"`,
 * `C(i + j, i)`; `"lower"`, `C(i, j)`; `"upper"`, its transpose), float32 as
 * JAX's (exact up to 2^24).
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.pascal(3))) // [[1, 1, 1], [1, 2, 3], [1, 3, 6]]
 * console.log(toJsSync(linalg.pascal(3, { kind: "lower" }))) // [[1, 0, 0], [1, 1, 0], [1, 2, 1]]
 *
 * @since 0.1.0
 */
export const pascal = (n: number, options?: PascalOptions): Tensor => {
  const kind = pascalKind("pascal", options)
  const size = squareSize("pascal", n)
  const data = new Float32Array(size * size)
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      data[i * size + j] = kind === "symmetric"
        ? binomial(i + j, i)
        : kind === "lower"
        ? binomial(i, j)
        : binomial(j, i)
    }
  }
  return lax.reshape(np.array(data), [size, size])
}

/**
 * `jax.scipy.linalg.invhilbert`: the exact inverse of the `n x n` Hilbert
 * matrix (integers; float64, as their size outgrows float32 from n = 8 on).
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.invhilbert(2))) // [[4, -6], [-6, 12]]
 *
 * @since 0.1.0
 */
export const invhilbert = (n: number): Tensor => {
  const size = squareSize("invhilbert", n)
  const data = new Float64Array(size * size)
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const sign = (i + j) % 2 === 0 ? 1 : -1
      data[i * size + j] = sign * (i + j + 1) * binomial(size + i, size - j - 1) *
        binomial(size + j, size - i - 1) * binomial(i + j, i) ** 2
    }
  }
  return lax.reshape(np.array(data, { dtype: "float64" }), [size, size])
}

/**
 * `jax.scipy.linalg.invpascal`: the inverse of `pascal(n, { kind })` (integers:
 * the lower one is `(-1)^(i + j) C(i, j)`, the symmetric one `inv(L)^T inv(L)`).
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.invpascal(3))) // [[3, -3, 1], [-3, 5, -2], [1, -2, 1]]
 *
 * @since 0.1.0
 */
export const invpascal = (n: number, options?: PascalOptions): Tensor => {
  const kind = pascalKind("invpascal", options)
  const size = squareSize("invpascal", n)
  const lowerInv = (i: number, j: number) => ((i + j) % 2 === 0 ? 1 : -1) * binomial(i, j)
  const data = new Float32Array(size * size)
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let v = 0
      if (kind === "lower") v = lowerInv(i, j)
      else if (kind === "upper") v = lowerInv(j, i)
      else for (let k = Math.max(i, j); k < size; k++) v += lowerInv(k, i) * lowerInv(k, j)
      data[i * size + j] = v
    }
  }
  return lax.reshape(np.array(data), [size, size])
}

/** Options of `polar`: which side the positive factor is on, and JAX's method name. @since 0.1.0 */
export interface PolarOptions {
  readonly side?: "right" | "left" | undefined
  /** JAX's `"qdwh"` (default) or `"svd"`: both are computed from the SVD here (the same factors). */
  readonly method?: "qdwh" | "svd" | undefined
}

/**
 * `jax.scipy.linalg.polar`: the polar decomposition `a = u p` (`side:
 * "right"`) or `a = p u` (`"left"`), `u` with orthonormal columns (unitary for
 * a square `a`) and `p` Hermitian positive semidefinite, from the SVD `a = w s
 * vh`: `u = w vh`, `p = vh^H s vh` (or `w s w^H`). Differentiable where the
 * SVD is (distinct singular values).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const [u, p] = linalg.polar(np.array([[0, -2], [3, 0]]))
 * console.log(toJsSync(u), toJsSync(p)) // [[0, -1], [1, 0]] [[3, 0], [0, 2]]
 *
 * @since 0.1.0
 */
export const polar = (a: TensorLike, options?: PolarOptions): readonly [Tensor, Tensor] => {
  checkOptions("polar", options, { side: oneOf("right", "left"), method: oneOf("qdwh", "svd") })
  const t = toInexact(toTensor(a))
  if (t.ndim !== 2) {
    throw new ShapeError({ operation: "polar", detail: `a must be a matrix, got shape (${t.shape.join(", ")})` })
  }
  const [w, s, vh] = laxLinalg.svd(t, { fullMatrices: false })
  const u = matmul(w, vh)
  const adjoint = (x: Tensor) => np.conj(lax.transpose(x, [1, 0]))
  const sComplex = isComplex(t.dtype) ? lax.convertElementType(s, t.dtype) : s
  const p = options?.side === "left"
    ? matmul(np.multiply(w, lax.broadcastInDim(sComplex, w.shape, [1])), adjoint(w))
    : matmul(adjoint(vh), np.multiply(lax.broadcastInDim(sComplex, vh.shape, [0]), vh))
  return [u, p]
}

/**
 * `jax.scipy.linalg.dft`: the `n x n` discrete Fourier transform matrix,
 * `exp(-2 pi i j k / n)` (complex64), scaled by `1 / n` (`scale: "n"`) or
 * `1 / sqrt(n)` (`"sqrtn"`); `dft(n) @ x` is `fft(x)`.
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.dft(2))) // [[{ re: 1, im: 0 }, { re: 1, im: 0 }], [{ re: 1, im: 0 }, { re: -1, im: -0 }]]
 *
 * @since 0.1.0
 */
export const dft = (n: number, options?: { readonly scale?: "n" | "sqrtn" | undefined }): Tensor => {
  checkOptions("dft", options, { scale: oneOf("n", "sqrtn") })
  const size = squareSize("dft", n)
  const s = options?.scale === "n" ? 1 / size : options?.scale === "sqrtn" ? 1 / Math.sqrt(size) : 1
  const re = new Float32Array(size * size)
  const im = new Float32Array(size * size)
  for (let j = 0; j < size; j++) {
    for (let k = 0; k < size; k++) {
      // the angle from (j k mod n), exact for any n
      const angle = (-2 * Math.PI * ((j * k) % size)) / size
      re[j * size + k] = Math.cos(angle) * s
      im[j * size + k] = Math.sin(angle) * s
    }
  }
  return np.complex(lax.reshape(np.array(re), [size, size]), lax.reshape(np.array(im), [size, size]))
}

/**
 * `jax.scipy.linalg.hadamard`: the `n x n` Hadamard matrix of Sylvester's
 * construction (`n` a power of 2), int32 unless `dtype` says otherwise.
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.hadamard(2))) // [[1, 1], [1, -1]]
 *
 * @since 0.1.0
 */
export const hadamard = (n: number, options?: { readonly dtype?: DType | undefined }): Tensor => {
  checkOptions("hadamard", options, { dtype: oneOf("float32", "float64", "int32") })
  const size = squareSize("hadamard", n)
  if (size < 1 || (size & (size - 1)) !== 0) {
    throw argumentError("hadamard", "n", "a positive power of 2", n)
  }
  let h = np.array([[1]], { dtype: options?.dtype ?? "int32" })
  while (h.shape[0]! < size) {
    h = lax.concatenate([lax.concatenate([h, h], 1), lax.concatenate([h, np.negative(h)], 1)], 0)
  }
  return h
}

/**
 * `jax.scipy.linalg.helmert`: the Helmert matrix of order `n` (orthonormal
 * rows; without `full`, the `(n - 1) x n` matrix without the first row).
 *
 * @example
 * import { linalg, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.helmert(2))) // [[0.70710677, -0.70710677]]
 *
 * @since 0.1.0
 */
export const helmert = (n: number, options?: { readonly full?: boolean | undefined }): Tensor => {
  checkOptions("helmert", options, { full: boolean })
  const size = squareSize("helmert", n)
  const data = new Float32Array(size * size)
  for (let j = 0; j < size; j++) data[j] = 1 / Math.sqrt(size)
  for (let i = 1; i < size; i++) {
    const d = 1 / Math.sqrt(i * (i + 1))
    for (let j = 0; j < i; j++) data[i * size + j] = d
    data[i * size + i] = -i * d
  }
  const full = lax.reshape(np.array(data), [size, size])
  return options?.full === true ? full : sliceAxis(full, Math.min(1, size), size, 0)
}

/**
 * `jax.scipy.linalg.leslie`: the Leslie matrix of fecundity `f` (first row)
 * and survival `s` (the subdiagonal; one shorter than `f`).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.leslie(np.array([0.1, 2, 1]), np.array([0.2, 0.8])))) // [[0.1, 2, 1], [0.2, 0, 0], [0, 0.8, 0]]
 *
 * @since 0.1.0
 */
export const leslie = (f: TensorLike, s: TensorLike): Tensor => {
  const [tf, ts] = promoteAll("leslie", [vector("leslie", "f", f), vector("leslie", "s", s)])
  const n = tf.shape[0]!
  if (n < 1 || ts.shape[0] !== n - 1) {
    throw new ShapeError({
      operation: "leslie",
      detail: `f must have at least one entry and s one fewer, got ${n} and ${ts.shape[0]}`
    })
  }
  const sub = diag(ts) // [n-1, n-1]
  const lower = lax.pad(sub, lax.full([], 0, sub.dtype), [[0, 0, 0], [0, 1, 0]])
  return lax.concatenate([lax.reshape(tf, [1, n]), lower], 0)
}

/**
 * `jax.scipy.linalg.fiedler`: the symmetric Fiedler matrix `|a[i] - a[j]|`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.fiedler(np.array([1, 4, 12])))) // [[0, 3, 11], [3, 0, 8], [11, 8, 0]]
 *
 * @since 0.1.0
 */
export const fiedler = (a: TensorLike): Tensor => {
  const t = vector("fiedler", "a", a)
  const n = t.shape[0]!
  return np.abs(np.subtract(lax.reshape(t, [n, 1]), lax.reshape(t, [1, n])))
}
