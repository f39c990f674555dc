/**
 * `lax.linalg`: JAX's linear-algebra primitives as functions (Cholesky,
 * triangular solve, LU, QR, symmetric and general eigendecompositions, SVD, Schur,
 * Hessenberg). Each acts on
 * the last two dimensions and maps over the leading ones; each has JAX's
 * derivative rule, batching rule and a kernel on every backend. The NumPy-style
 * functions built on them are `np.linalg` (also exported as `linalg`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const a = np.array([[4, 2], [2, 3]])
 * const l = lax.linalg.cholesky(a)
 * console.log(toJsSync(l)) // [[2, 0], [1, 1.4142135]]
 * // solve L y = [2, 1]
 * console.log(toJsSync(lax.linalg.triangularSolve(l, np.array([[2], [1]]), { leftSide: true, lower: true })))
 * // [[1], [0]]
 *
 * @since 0.1.0
 */
import { ArgumentError, ShapeError } from "./Errors.js"
import { bind, bind1 } from "./Handler.js"
import { sliceInDim } from "./internal/lax/extras.js"
import * as lax from "./lax.js"
import type { Tensor } from "./Tensor.js"
import { argumentError, boolean, checkArg, checkOptions, checkTensor, integer } from "./Validate.js"

const matrixArg = (op: string, u: unknown, name = "x"): Tensor => checkTensor(op, name, u)

// (x + x^H) / 2 over the last two dimensions (JAX's `symmetrize`).
const symmetrize = (x: Tensor): Tensor => {
  if (x.ndim < 2) return x
  const perm = x.shape.map((_, i) => i)
  perm[x.ndim - 2] = x.ndim - 1
  perm[x.ndim - 1] = x.ndim - 2
  const xh = lax.conj(lax.transpose(x, perm))
  return lax.div(lax.add(x, xh), lax.scalar(2, x.dtype, true))
}

/** Options of {@link cholesky}. @since 0.1.0 */
export interface CholeskyOptions {
  /** Replace `x` by `(x + x^H) / 2` first (default true, as JAX). */
  readonly symmetrizeInput?: boolean | undefined
}

/**
 * The lower Cholesky factor `L` of a symmetric positive-definite matrix
 * (`x = L L^H`), over the last two dimensions. Only the lower triangle is read
 * (after symmetrizing, by default). A matrix that is not positive definite gives
 * NaN everywhere (JAX's result), not an error.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.linalg.cholesky(np.array([[4, 2], [2, 3]])))) // [[2, 0], [1, 1.4142135]]
 * console.log(toJsSync(lax.linalg.cholesky(np.array([[1, 2], [2, 1]])))) // [[NaN, NaN], [NaN, NaN]]
 *
 * @since 0.1.0
 */
export const cholesky = (x: Tensor, options?: CholeskyOptions): Tensor => {
  const a = matrixArg("cholesky", x)
  checkOptions("cholesky", options, { symmetrizeInput: boolean })
  return bind1("cholesky", [options?.symmetrizeInput === false ? a : symmetrize(a)], {})
}

/** Options of {@link triangularSolve} (JAX's keyword arguments and defaults). @since 0.1.0 */
export interface TriangularSolveOptions {
  /** Solve `op(a) x = b` (true) or `x op(a) = b` (false, the default). */
  readonly leftSide?: boolean | undefined
  /** Read the lower (true) or the upper (false, the default) triangle of `a`. */
  readonly lower?: boolean | undefined
  /** `op(a) = a^T` (default false). */
  readonly transposeA?: boolean | undefined
  /** Conjugate `a` as well (a no-op on real matrices; default false). */
  readonly conjugateA?: boolean | undefined
  /** Take the diagonal of `a` as ones without reading it (default false). */
  readonly unitDiagonal?: boolean | undefined
}

const solveSpec = {
  leftSide: boolean,
  lower: boolean,
  transposeA: boolean,
  conjugateA: boolean,
  unitDiagonal: boolean
}

/**
 * Solves a triangular system: `op(a) x = b` with `leftSide`, else `x op(a) = b`,
 * where `a` is `[..., m, m]` and `b` has the same batch dimensions. A zero on the
 * diagonal gives infinities and NaNs, as in JAX.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const u = np.array([[2, 1], [0, 4]])
 * // x u = [[2, 5]]: x = [[1, 1]]
 * console.log(toJsSync(lax.linalg.triangularSolve(u, np.array([[2, 5]])))) // [[1, 1]]
 *
 * @since 0.1.0
 */
export const triangularSolve = (a: Tensor, b: Tensor, options?: TriangularSolveOptions): Tensor => {
  const ta = matrixArg("triangular_solve", a, "a")
  const tb = matrixArg("triangular_solve", b, "b")
  checkOptions("triangular_solve", options, solveSpec)
  return bind1("triangular_solve", [ta, tb], {
    leftSide: options?.leftSide ?? false,
    lower: options?.lower ?? false,
    transposeA: options?.transposeA ?? false,
    conjugateA: options?.conjugateA ?? false,
    unitDiagonal: options?.unitDiagonal ?? false
  })
}

/**
 * LU decomposition with partial pivoting of `[..., m, n]` matrices: `[lu,
 * pivots, permutation]` where `lu` packs the unit lower `L` (below the diagonal)
 * and `U` (on and above it), `pivots` are the row swaps (0-based, LAPACK's
 * order) and `permutation` the row order they make: `x[permutation] = L U`.
 * A singular matrix is factored all the same (a zero on `U`'s diagonal).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [lu, pivots, permutation] = lax.linalg.lu(np.array([[1, 2], [3, 4]]))
 * console.log(toJsSync(lu)) // [[3, 4], [0.3333333, 0.6666666]]
 * console.log(toJsSync(pivots), toJsSync(permutation)) // [1, 1] [1, 0]
 *
 * @since 0.1.0
 */
export const lu = (x: Tensor): readonly [lu: Tensor, pivots: Tensor, permutation: Tensor] => {
  const [f, p, perm] = bind("lu", [matrixArg("lu", x)], {})
  return [f!, p!, perm!]
}

/** Options of {@link qr}. @since 0.1.0 */
export interface QrOptions {
  /** Complete `q` to `[m, m]` (true, the default, as JAX) or keep `[m, min(m, n)]`. */
  readonly fullMatrices?: boolean | undefined
}

/**
 * Householder QR of `[..., m, n]` matrices: `[q, r]` with `q` orthonormal
 * columns and `r` upper triangular (`x = q r`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [q, r] = lax.linalg.qr(np.array([[3, 1], [4, 2]]))
 * console.log(toJsSync(q)) // [[-0.6, -0.8], [-0.8, 0.6]]
 * console.log(toJsSync(r)) // [[-5, -2.2], [0, 0.4]]
 *
 * @since 0.1.0
 */
export const qr = (x: Tensor, options?: QrOptions): readonly [q: Tensor, r: Tensor] => {
  const a = matrixArg("qr", x)
  checkOptions("qr", options, { fullMatrices: boolean })
  const [q, r] = bind("qr", [a], { fullMatrices: options?.fullMatrices ?? true })
  return [q!, r!]
}

/** Options of {@link eigh}. @since 0.1.0 */
export interface EighOptions {
  /** Read the lower (true, the default) or the upper triangle. */
  readonly lower?: boolean | undefined
  /** Replace `x` by `(x + x^H) / 2` first (default true, as JAX). */
  readonly symmetrizeInput?: boolean | undefined
  /**
   * JAX's `sort_eigenvalues`: with false the order is the implementation's, which here is
   * ascending as well (so is LAPACK's, which JAX uses on CPUs). Default true.
   */
  readonly sortEigenvalues?: boolean | undefined
  /** Only the eigenvalues `[start, end)` of the ascending order, and their eigenvectors. */
  readonly subsetByIndex?: readonly [start: number, end: number] | undefined
}

const indexRange = {
  expected: "a pair [start, end] of integers",
  test: (u: unknown) => Array.isArray(u) && u.length === 2 && u.every((i) => Number.isInteger(i))
}

/** `[start, end)` checked against the `size` indices it selects from. */
const subsetOf = (op: string, range: readonly [number, number], size: number): readonly [number, number] => {
  const [start, end] = range
  if (!(start >= 0 && start < end && end <= size)) {
    throw rangeError(op, `a range [start, end) with 0 <= start < end <= ${size}`, range)
  }
  return range
}

const rangeError = (op: string, expected: string, range: readonly [number, number]): ArgumentError =>
  new ArgumentError({ operation: op, argument: "subsetByIndex", expected, got: `[${range[0]}, ${range[1]}]` })

/**
 * Eigendecomposition of symmetric matrices: `[v, w]`, eigenvectors as the
 * columns of `v` and eigenvalues `w` in ascending order (`x v = v diag(w)`).
 * JAX's order: `lax.linalg.eigh` gives the vectors first (`np.linalg.eigh` the
 * values first). `subsetByIndex: [start, end]` keeps the eigenvalues of those
 * ascending indices and their eigenvectors.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [v, w] = lax.linalg.eigh(np.array([[2, 1], [1, 2]]))
 * console.log(toJsSync(w)) // [1, 3]
 * console.log(toJsSync(np.abs(v))) // [[0.7071067, 0.7071067], [0.7071067, 0.7071067]]
 * const [, largest] = lax.linalg.eigh(np.array([[3, 0, 0], [0, 1, 0], [0, 0, 2]]), { subsetByIndex: [2, 3] })
 * console.log(toJsSync(largest)) // [3]
 *
 * @since 0.1.0
 */
export const eigh = (x: Tensor, options?: EighOptions): readonly [v: Tensor, w: Tensor] => {
  const a = matrixArg("eigh", x)
  checkOptions("eigh", options, {
    lower: boolean,
    symmetrizeInput: boolean,
    sortEigenvalues: boolean,
    subsetByIndex: indexRange
  })
  const subset = options?.subsetByIndex === undefined
    ? undefined
    : subsetOf("eigh", options.subsetByIndex, a.shape[a.ndim - 1] ?? 0)
  const [v, w] = bind("eigh", [options?.symmetrizeInput === false ? a : symmetrize(a)], {
    lower: options?.lower ?? true
  })
  if (subset === undefined) return [v!, w!]
  return [sliceInDim(v!, subset[0], subset[1], 1, -1), sliceInDim(w!, subset[0], subset[1], 1, -1)]
}

/** Options of {@link svd}. @since 0.1.0 */
export interface SvdOptions {
  /** Complete `u` and `vh` to square matrices (true, the default, as JAX). */
  readonly fullMatrices?: boolean | undefined
  /** Compute `u` and `vh` (true, the default); false returns the singular values alone. */
  readonly computeUv?: boolean | undefined
  /**
   * Only the singular values `[start, end)` of the descending order (and their vectors); needs
   * `fullMatrices: false`, as in JAX.
   */
  readonly subsetByIndex?: readonly [start: number, end: number] | undefined
}

/** The type of {@link svd}: `[u, s, vh]`, or `s` alone with `computeUv: false`. @since 0.1.0 */
export interface Svd {
  (
    x: Tensor,
    options: {
      readonly computeUv: false
      readonly fullMatrices?: boolean | undefined
      readonly subsetByIndex?: readonly [start: number, end: number] | undefined
    }
  ): Tensor
  (x: Tensor, options?: SvdOptions): readonly [u: Tensor, s: Tensor, vh: Tensor]
}

/**
 * Singular value decomposition: `[u, s, vh]` with `x = u diag(s) vh`, singular
 * values descending; with `computeUv: false` the singular values alone (as
 * {@link singularValues}).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [u, s, vh] = lax.linalg.svd(np.array([[3, 0], [0, -4]]))
 * console.log(toJsSync(s)) // [4, 3]
 * console.log(toJsSync(np.matmul(np.multiply(u, s), vh))) // [[3, 0], [0, -4]]
 * console.log(toJsSync(lax.linalg.svd(np.array([[3, 0], [0, -4]]), { computeUv: false }))) // [4, 3]
 *
 * @since 0.1.0
 */
export const svd: Svd = ((x: Tensor, options?: SvdOptions) => {
  const a = matrixArg("svd", x)
  checkOptions("svd", options, { fullMatrices: boolean, computeUv: boolean, subsetByIndex: indexRange })
  const full = options?.fullMatrices ?? true
  const rank = Math.min(a.shape[a.ndim - 2] ?? 0, a.shape[a.ndim - 1] ?? 0)
  let subset: readonly [number, number] | undefined
  if (options?.subsetByIndex !== undefined) {
    subset = subsetOf("svd", options.subsetByIndex, rank)
    if (full && !(subset[0] === 0 && subset[1] === rank)) {
      throw rangeError(
        "svd",
        "the whole range with fullMatrices (the default; as in JAX, fullMatrices and subsetByIndex cannot both be set)",
        subset
      )
    }
    if (subset[0] === 0 && subset[1] === rank) subset = undefined
  }
  if (options?.computeUv === false) {
    const s = singularValues(a)
    return subset === undefined ? s : sliceInDim(s, subset[0], subset[1], 1, -1)
  }
  const [s, u, vt] = bind("svd", [a], { fullMatrices: full, computeUv: true })
  if (subset === undefined) return [u!, s!, vt!]
  const [start, end] = subset
  return [sliceInDim(u!, start, end, 1, -1), sliceInDim(s!, start, end, 1, -1), sliceInDim(vt!, start, end, 1, -2)]
}) as Svd

/**
 * The singular values alone (JAX's `svd(x, compute_uv=False)`), descending.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.linalg.singularValues(np.array([[3, 0], [0, -4]])))) // [4, 3]
 *
 * @since 0.1.0
 */
export const singularValues = (x: Tensor): Tensor =>
  bind1("svd", [matrixArg("svd", x)], { fullMatrices: false, computeUv: false })

/** Options of {@link eig}. @since 0.1.0 */
export interface EigOptions {
  /** Return the left eigenvectors (`vl^H a = diag(w) vl^H`; default true, as JAX). */
  readonly computeLeftEigenvectors?: boolean | undefined
  /** Return the right eigenvectors (`a vr = vr diag(w)`; default true, as JAX). */
  readonly computeRightEigenvectors?: boolean | undefined
}

/**
 * The eigendecomposition of a general square matrix (JAX's `lax.linalg.eig`,
 * LAPACK geev's outputs; CPU only, as JAX's): `[w, vl, vr]`, without the
 * eigenvectors not asked for. Results are complex for real input too; each
 * eigenvector has unit norm and its largest component real. Only the
 * eigenvalues are differentiable (JAX's rule).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // a rotation by 90 degrees: eigenvalues +-i
 * const [w] = lax.linalg.eig(np.array([[0, -1], [1, 0]]), { computeLeftEigenvectors: false, computeRightEigenvectors: false })
 * console.log(toJsSync(w)) // [{ re: 0, im: 1 }, { re: 0, im: -1 }]
 *
 * @since 0.1.0
 */
export const eig = (x: Tensor, options?: EigOptions): ReadonlyArray<Tensor> => {
  const a = matrixArg("eig", x)
  checkOptions("eig", options, { computeLeftEigenvectors: boolean, computeRightEigenvectors: boolean })
  return bind("eig", [a], {
    computeLeftEigenvectors: options?.computeLeftEigenvectors ?? true,
    computeRightEigenvectors: options?.computeRightEigenvectors ?? true
  })
}

/** Options of {@link schur}. @since 0.1.0 */
export interface SchurOptions {
  /** Return the Schur vectors `z` too (default true, as JAX). */
  readonly computeSchurVectors?: boolean | undefined
  /** LAPACK gees's eigenvalue sorting: not implemented, as in JAX (only `false` is accepted). */
  readonly sortEigVals?: boolean | undefined
}

/**
 * The Schur decomposition of square matrices (JAX's `lax.linalg.schur`, LAPACK
 * gees's outputs; CPU only, as JAX's): `[t, z]` with `x = z t z^H`, `z`
 * unitary; `[t]` alone without `computeSchurVectors`. For real input `t` is the
 * real Schur form (quasi upper triangular: a 2x2 diagonal block, with equal
 * diagonal entries, for each complex-conjugate eigenvalue pair); for complex
 * input it is upper triangular. Not differentiable (JAX has no rule).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // a rotation by 90 degrees: one 2x2 block, already standard
 * const [t, z] = lax.linalg.schur(np.array([[0, -1], [1, 0]]))
 * console.log(toJsSync(t), toJsSync(z)) // [[0, -1], [1, 0]] [[1, 0], [0, 1]]
 *
 * @since 0.1.0
 */
export const schur = (x: Tensor, options?: SchurOptions): ReadonlyArray<Tensor> => {
  const a = matrixArg("schur", x)
  checkOptions("schur", options, { computeSchurVectors: boolean, sortEigVals: boolean })
  if (options?.sortEigVals === true) {
    throw argumentError(
      "schur",
      "sortEigVals",
      "false (the sort feature of LAPACK's gees routine is not implemented, as in JAX)",
      true
    )
  }
  return bind("schur", [a], { computeSchurVectors: options?.computeSchurVectors ?? true })
}

/**
 * The Hessenberg reduction of square matrices (JAX's `lax.linalg.hessenberg`,
 * LAPACK gehrd's outputs; CPU only, as JAX's): `[a, taus]` where `a` holds the
 * upper Hessenberg form on and above its first subdiagonal and the Householder
 * vectors below it, and `taus` (`[..., n - 1]`) their scalar factors:
 * `Q = H_0 ... H_{n-2}`, `H_k = I - taus[k] v_k v_k^H`, `v_k = [0 (k + 1 zeros), 1, a[k + 2:, k]]`.
 * `linalg.hessenberg` forms `H` and `Q` from them. Not differentiable (JAX has no rule).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [a, taus] = lax.linalg.hessenberg(np.array([[1, 2, 3], [0, 4, 5], [0, 6, 7]]))
 * // already in Hessenberg form: no reflection (tau = 0)
 * console.log(toJsSync(a), toJsSync(taus)) // [[1, 2, 3], [0, 4, 5], [0, 6, 7]] [0, 0]
 *
 * @since 0.1.0
 */
export const hessenberg = (x: Tensor): readonly [a: Tensor, taus: Tensor] => {
  const [a, taus] = bind("hessenberg", [matrixArg("hessenberg", x)], {})
  return [a!, taus!]
}

/**
 * The permutation that LU's row swaps `pivots` (`[..., k]`, 0-based, applied in
 * order) make on `permutationSize` rows (JAX's `lu_pivots_to_permutation`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const pivots = np.array([2, 2, 2], { dtype: "int32" })
 * console.log(toJsSync(lax.linalg.luPivotsToPermutation(pivots, 4))) // [2, 0, 1, 3]
 *
 * @since 0.1.0
 */
export const luPivotsToPermutation = (pivots: Tensor, permutationSize: number): Tensor => {
  const m = checkArg<number>("lu_pivots_to_permutation", "permutationSize", permutationSize, integer)
  const p0 = checkTensor("lu_pivots_to_permutation", "pivots", pivots)
  if (p0.dtype !== "int32" || p0.ndim < 1 || p0.shape.at(-1)! > m) {
    throw new ShapeError({
      operation: "lu_pivots_to_permutation",
      detail: `pivots must be int32 with at least one dimension and at most permutationSize (${m}) entries in the ` +
        `last, got ${p0.dtype}[${p0.shape.join(", ")}]`
    })
  }
  // Row swaps applied in order to the identity permutation, as one-hot updates.
  const k = p0.shape.at(-1)!
  const batch = p0.shape.slice(0, -1)
  const last = batch.length
  let perm = lax.broadcastInDim(lax.iota("int32", [m], 0), [...batch, m], [last])
  const positions = lax.broadcastInDim(lax.iota("int32", [m], 0), [...batch, m], [last])
  for (let j = 0; j < k; j++) {
    const start = [...batch.map(() => 0), j]
    const limit = [...batch, j + 1]
    const p = lax.slice(p0, start, limit) // [..., 1]
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
