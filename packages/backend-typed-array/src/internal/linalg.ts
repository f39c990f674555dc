/**
 * The linear-algebra kernels (JAX's lax.linalg primitives on CPU): each maps
 * over the leading (batch) dimensions and factors one row-major matrix at a
 * time. Every algorithm runs in float64 whatever the storage dtype (a float32
 * result is the float64 one rounded once), which makes float32 results at least
 * as accurate as LAPACK's single-precision routines.
 *
 * - cholesky: the Cholesky-Banachiewicz recurrence; a non-positive pivot (not
 *   positive definite, or NaN) makes that matrix all NaN, as JAX's lowering does.
 * - triangular_solve: forward/back substitution, one right-hand side at a time.
 * - lu: partial (row) pivoting, LAPACK getrf's choices (first maximal |pivot|,
 *   a zero pivot column is left unscaled).
 * - qr: Householder reflections with LAPACK geqrf's sign convention, applied
 *   row by row.
 * - From order 128 on (16 right-hand sides for the triangular solve), with
 *   finite inputs, the four are blocked as LAPACK's potrf, getrf, geqrf/orgqr
 *   and trsm, and eigh's eigenvectors accumulate as orgtr: the recurrence on
 *   panels of 32 columns, the trailing updates float64 products on the wasm
 *   GEMM (a few times faster: memory-bound sweeps become cache-sized blocks;
 *   the sums are grouped, so the last bits differ).
 * - eigh: Householder tridiagonalization then implicit QL with Wilkinson's
 *   shift (LAPACK's syev path): eigenvalues to a few ulps of ||A||, eigenvectors
 *   orthogonal to working precision.
 * - svd: Householder bidiagonalization then implicit-shift QR on the
 *   bidiagonal (LAPACK gesvd's route; bidiagonalSvd.ts), on the tall
 *   orientation; a full U is the left reflectors' own product.
 *
 * A non-finite input matrix gives NaN outputs for eigh and svd (the iterations
 * are not run on it).
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"
import { tallSvd } from "./bidiagonalSvd.js"
import {
  applyBlockReflector,
  BLOCK_PANEL,
  BLOCKED_MIN,
  type BlockScratch,
  blockScratch as makeBlockScratch,
  blockTColumn,
  reflectColumns,
  subtractProduct
} from "./blockReflector.js"
import { fourRowDots } from "./rowDots.js"
import { scaleInPlace } from "./safeScale.js"
import { tridiagonalQl } from "./tridiagonalQl.js"
import { NEGLIGIBLE, vectorNorm } from "./vectorNorm.js"
import { gemmF32, wasmGemmAvailable } from "./wasmGemm.js"

type HostArray = DType.HostArray

const batchOf = (a: AbstractValue, rank = 2): number => Shape.sizeOf(a.shape.slice(0, a.shape.length - rank))
const dims = (a: AbstractValue): readonly [number, number] => [a.shape.at(-2)!, a.shape.at(-1)!]

/** The Cholesky factor of the lower triangle of `a` (n x n) into `l`; false when a pivot is not positive. */
const choleskyOne = (a: Float64Array, n: number, l: Float64Array): boolean => {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j]!
    for (let k = 0; k < j; k++) s -= l[j * n + k]! * l[j * n + k]!
    if (!(s > 0)) return false
    const d = Math.sqrt(s)
    l[j * n + j] = d
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j]!
      for (let k = 0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!
      l[i * n + j] = t / d
    }
  }
  return true
}

/**
 * The Cholesky factor in place, blocked (LAPACK potrf's right-looking variant): `l` holds the lower
 * triangle of `a` (zeros above). Each panel of `BLOCK_PANEL` columns runs the recurrence above
 * over its own columns, then the trailing matrix loses the panel's contribution in one float64
 * product of the wasm GEMM (`A22 -= L21 L21^T`, the whole square: its upper half is cleared at the
 * end). Column by column, every column swept all the rows below it (memory-bound past the caches:
 * 43 ms for 512 x 512). The sums are grouped by panel, so the last bits differ from `choleskyOne`'s.
 */
const choleskyBlocked = (l: Float64Array, n: number): boolean => {
  for (let j0 = 0; j0 < n; j0 += BLOCK_PANEL) {
    const j1 = Math.min(j0 + BLOCK_PANEL, n)
    for (let j = j0; j < j1; j++) {
      let s = l[j * n + j]!
      for (let k = j0; k < j; k++) s -= l[j * n + k]! * l[j * n + k]!
      if (!(s > 0)) return false
      const d = Math.sqrt(s)
      l[j * n + j] = d
      for (let i = j + 1; i < n; i++) {
        let t = l[i * n + j]!
        for (let k = j0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!
        l[i * n + j] = t / d
      }
    }
    if (j1 >= n) continue
    if (!subtractProduct(l, j1 * n + j0, n, l, j1 * n + j0, 1, n, l, j1 * n + j1, n, n - j1, j1 - j0, n - j1)) {
      for (let i = j1; i < n; i++) {
        for (let c = j1; c <= i; c++) {
          let t = l[i * n + c]!
          for (let k = j0; k < j1; k++) t -= l[i * n + k]! * l[c * n + k]!
          l[i * n + c] = t
        }
      }
    }
  }
  for (let i = 0; i < n; i++) l.fill(0, i * n + i + 1, (i + 1) * n)
  return true
}

export const cholesky = (x: HostArray, xa: AbstractValue, out: AbstractValue): HostArray => {
  const n = xa.shape.at(-1)!
  const size = n * n
  const dst = DType.allocHost(out.dtype, Shape.sizeOf(out.shape))
  const blocked = n >= BLOCKED_MIN && wasmGemmAvailable()
  // (a float64 output is worked on in place: faulting in more fresh memory costs more than the factorization)
  const inPlace = dst instanceof Float64Array
  let a: Float64Array | undefined
  let work: Float64Array | undefined
  for (let b = 0; b < batchOf(xa); b++) {
    const l = inPlace ? (dst as Float64Array).subarray(b * size, (b + 1) * size) : (work ??= new Float64Array(size))
    let ok: boolean
    if (blocked && allFiniteIn(x, b * size, size)) {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < n; c++) l[i * n + c] = c <= i ? x[b * size + i * n + c]! : 0
      }
      ok = choleskyBlocked(l, n)
    } else {
      a ??= new Float64Array(size)
      for (let i = 0; i < size; i++) a[i] = x[b * size + i]!
      l.fill(0)
      ok = choleskyOne(a, n, l)
    }
    if (!ok) l.fill(NaN)
    if (!inPlace) dst.set(l, b * size)
  }
  return dst
}

/** The right-hand sides the blocked triangular solve takes at once. */
const SOLVE_BLOCK = 256
/** With fewer right-hand sides (or below `BLOCKED_MIN`), a triangular solve substitutes one column at a time. */
const SOLVE_MIN_RHS = 16

/**
 * `op(a) x = b` or `x op(a) = b` for one matrix. Both are solved as
 * `M X' = B'` with `M` the triangle of `a` (transposed as needed) and `B'` = `b`
 * or its transpose, by forward or back substitution on each column of `B'`.
 */
export const triangularSolve = (
  a: HostArray,
  b: HostArray,
  aa: AbstractValue,
  ba: AbstractValue,
  params: Params<"triangular_solve">,
  out: AbstractValue
): HostArray => {
  const { leftSide, lower, transposeA, unitDiagonal } = params
  const m = aa.shape.at(-1)!
  const [rows, cols] = dims(ba)
  const dst = DType.allocHost(out.dtype, Shape.sizeOf(out.shape))
  // M = op(T) for the left side, op(T)^T for the right side: transposed iff transposeA !== !leftSide.
  const transposed = transposeA === leftSide
  const mLower = lower !== transposed
  const M = new Float64Array(m * m)
  const nrhs = leftSide ? cols : rows
  const col = new Float64Array(m)
  // many right-hand sides of a large matrix: blocked, on the wasm GEMM
  const blocked = m >= BLOCKED_MIN && nrhs >= SOLVE_MIN_RHS && wasmGemmAvailable()
  const x = blocked ? new Float64Array(m * Math.min(SOLVE_BLOCK, nrhs)) : col
  for (let bi = 0; bi < batchOf(aa); bi++) {
    const ao = bi * m * m
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const inTriangle = lower ? j <= i : j >= i
        const v = i === j && unitDiagonal ? 1 : inTriangle ? a[ao + i * m + j]! : 0
        if (transposed) M[j * m + i] = v
        else M[i * m + j] = v
      }
    }
    const bo = bi * rows * cols
    // (an infinity times a zero would be NaN in a product where the substitution's order keeps it)
    if (blocked && allFinite(M) && allFiniteIn(b, bo, rows * cols)) {
      for (let r0 = 0; r0 < nrhs; r0 += SOLVE_BLOCK) {
        const w = Math.min(SOLVE_BLOCK, nrhs - r0)
        // x[i * w + t]: row i of column r0 + t of B' (a column of b on the left, a row on the right)
        for (let i = 0; i < m; i++) {
          for (let t = 0; t < w; t++) {
            x[i * w + t] = leftSide
              ? b[bo + i * cols + r0 + t]!
              : b[bo + (r0 + t) * cols + i]!
          }
        }
        substituteBlocked(x, w, M, m, mLower)
        for (let i = 0; i < m; i++) {
          for (let t = 0; t < w; t++) {
            if (leftSide) dst[bo + i * cols + r0 + t] = x[i * w + t]!
            else dst[bo + (r0 + t) * cols + i] = x[i * w + t]!
          }
        }
      }
      continue
    }
    for (let r = 0; r < nrhs; r++) {
      // column r of B' = b (left) or row r of b (right)
      for (let i = 0; i < m; i++) col[i] = leftSide ? b[bo + i * cols + r]! : b[bo + r * cols + i]!
      if (mLower) {
        for (let i = 0; i < m; i++) {
          let s = col[i]!
          for (let k = 0; k < i; k++) s -= M[i * m + k]! * col[k]!
          col[i] = s / M[i * m + i]!
        }
      } else {
        for (let i = m - 1; i >= 0; i--) {
          let s = col[i]!
          for (let k = i + 1; k < m; k++) s -= M[i * m + k]! * col[k]!
          col[i] = s / M[i * m + i]!
        }
      }
      for (let i = 0; i < m; i++) {
        if (leftSide) dst[bo + i * cols + r] = col[i]!
        else dst[bo + r * cols + i] = col[i]!
      }
    }
  }
  return dst
}

/**
 * `M X = X` solved in place for `w` right-hand sides (`x` row-major, `w` columns), `M` lower or
 * upper (m x m): diagonal blocks of `BLOCK_PANEL` rows by substitution, each block's solution
 * then subtracted from the rows still to solve by one float64 product of the wasm GEMM (LAPACK's
 * blocked trsm). Substituting one column at a time runs at about 1 GFLOP/s in JS (the inverse of
 * a 512 x 512 matrix took 210 ms, most of it in its two triangular solves).
 */
const substituteBlocked = (x: Float64Array, w: number, M: Float64Array, m: number, mLower: boolean): void => {
  if (mLower) {
    for (let i0 = 0; i0 < m; i0 += BLOCK_PANEL) {
      const i1 = Math.min(i0 + BLOCK_PANEL, m)
      for (let i = i0; i < i1; i++) substituteRow(x, w, M, m, i, i0, i)
      if (i1 < m && !subtractProduct(M, i1 * m + i0, m, x, i0 * w, w, 1, x, i1 * w, w, m - i1, i1 - i0, w)) {
        for (let i = i1; i < m; i++) substituteRow(x, w, M, m, i, i0, i1, false)
      }
    }
  } else {
    for (let i1 = m; i1 > 0; i1 -= BLOCK_PANEL) {
      const i0 = Math.max(0, i1 - BLOCK_PANEL)
      for (let i = i1 - 1; i >= i0; i--) substituteRow(x, w, M, m, i, i + 1, i1)
      if (i0 > 0 && !subtractProduct(M, i0, m, x, i0 * w, w, 1, x, 0, w, i0, i1 - i0, w)) {
        for (let i = 0; i < i0; i++) substituteRow(x, w, M, m, i, i0, i1, false)
      }
    }
  }
}

/**
 * Row `i` of `w` right-hand sides: `x[i] -= sum_k M[i][k] x[k]` over `k` in `k0..k1` (in order of
 * `k`), then divided by `M[i][i]` unless `divide` is false.
 */
const substituteRow = (
  x: Float64Array,
  w: number,
  M: Float64Array,
  m: number,
  i: number,
  k0: number,
  k1: number,
  divide = true
): void => {
  const row = i * w
  for (let k = k0; k < k1; k++) {
    const f = M[i * m + k]!
    const from = k * w
    for (let t = 0; t < w; t++) x[row + t] = x[row + t]! - f * x[from + t]!
  }
  if (!divide) return
  const d = M[i * m + i]!
  for (let t = 0; t < w; t++) x[row + t] = x[row + t]! / d
}

/**
 * Columns `j0..j1` of the LU in place (partial pivoting, LAPACK getrf's choices: the first maximal
 * |pivot|, a zero pivot column left unscaled), each step updating the rows below it in columns
 * `j + 1..c1`; row swaps span the whole rows, recorded in `pivots` (from `pOff`) and `perm`.
 */
const luColumns = (
  a: Float64Array,
  m: number,
  n: number,
  j0: number,
  j1: number,
  c1: number,
  perm: Int32Array,
  pivots: Int32Array,
  pOff: number
): void => {
  for (let j = j0; j < j1; j++) {
    let p = j
    let best = Math.abs(a[j * n + j]!)
    for (let i = j + 1; i < m; i++) {
      const v = Math.abs(a[i * n + j]!)
      if (v > best) {
        best = v
        p = i
      }
    }
    pivots[pOff + j] = p
    if (p !== j) {
      for (let c = 0; c < n; c++) {
        const t = a[j * n + c]!
        a[j * n + c] = a[p * n + c]!
        a[p * n + c] = t
      }
      const t = perm[j]!
      perm[j] = perm[p]!
      perm[p] = t
    }
    const piv = a[j * n + j]!
    if (piv !== 0) { for (let i = j + 1; i < m; i++) a[i * n + j] = a[i * n + j]! / piv }
    eliminate(a, n, j, j + 1, m, j + 1, c1)
  }
}

/** Rows `i0..i1` of columns `c0..c1` minus `a[i][j]` times row `j` (a zero multiplier skips its row). */
const eliminate = (a: Float64Array, n: number, j: number, i0: number, i1: number, c0: number, c1: number): void => {
  const pivotRow = j * n
  for (let i = i0; i < i1; i++) {
    const l = a[i * n + j]!
    if (l === 0) continue
    const row = i * n
    for (let c = c0; c < c1; c++) a[row + c] = a[row + c]! - l * a[pivotRow + c]!
  }
}

/**
 * The blocked LU (getrf's right-looking variant): each panel of `BLOCK_PANEL` columns is factored as
 * above, its rows' right part solved by the panel's unit lower triangle (the same steps, in the
 * same order, as the unblocked LU), and the trailing matrix updated by one float64 product from the
 * wasm GEMM (`A22 -= L21 U12`, subtracted as it is copied out). The unblocked LU streams the whole trailing matrix at every column
 * (memory-bound once it leaves the caches: 91 ms for 512 x 512). The trailing entries' updates are
 * summed before they are subtracted, so their rounding (and, in near ties, a pivot) can differ
 * from the unblocked LU's, as LAPACK's blocked getrf differs from its getf2.
 */
const luBlocked = (
  a: Float64Array,
  m: number,
  n: number,
  perm: Int32Array,
  pivots: Int32Array,
  pOff: number
): void => {
  const k = Math.min(m, n)
  for (let j0 = 0; j0 < k; j0 += BLOCK_PANEL) {
    const j1 = Math.min(j0 + BLOCK_PANEL, k)
    luColumns(a, m, n, j0, j1, j1, perm, pivots, pOff)
    if (j1 >= n) continue
    for (let j = j0; j < j1; j++) eliminate(a, n, j, j + 1, j1, j1, n)
    if (j1 >= m) continue
    if (!subtractProduct(a, j1 * n + j0, n, a, j0 * n + j1, n, 1, a, j1 * n + j1, n, m - j1, j1 - j0, n - j1)) {
      for (let j = j0; j < j1; j++) eliminate(a, n, j, j1, m, j1, n)
    }
  }
}

export const lu = (x: HostArray, xa: AbstractValue, outs: ReadonlyArray<AbstractValue>): ReadonlyArray<HostArray> => {
  const [m, n] = dims(xa)
  const k = Math.min(m, n)
  const count = batchOf(xa)
  const dst = DType.allocHost(outs[0]!.dtype, count * m * n)
  const pivots = new Int32Array(count * k)
  const perms = new Int32Array(count * m)
  // a float64 output is factored in place (another 8 bytes per element to fault in cost more than the LU)
  const work = dst instanceof Float64Array ? undefined : new Float64Array(m * n)
  const perm = new Int32Array(m)
  const blocked = k >= BLOCKED_MIN && wasmGemmAvailable()
  for (let b = 0; b < count; b++) {
    const a = work ?? (dst as Float64Array).subarray(b * m * n, (b + 1) * m * n)
    a.set(x.subarray(b * m * n, (b + 1) * m * n))
    for (let i = 0; i < m; i++) perm[i] = i
    // (an infinity times a zero multiplier would be NaN in a product: the unblocked LU skips those rows)
    if (blocked && allFinite(a)) luBlocked(a, m, n, perm, pivots, b * k)
    else luColumns(a, m, n, 0, k, n, perm, pivots, b * k)
    if (work !== undefined) dst.set(work, b * m * n)
    perms.set(perm, b * m)
  }
  return [dst, pivots, perms]
}

/**
 * Reflector `j` of the QR: zeroes `r[j + 1.., j]` (`r` m x n, row-major) into `R[j][j] = beta`,
 * its vector into column `j` of `vs` (1 at row j) and its factor into `taus[j]` (0, and no vector,
 * where the column is zero below the diagonal already), then updates the columns `j + 1..end`.
 */
const householderColumn = (
  r: Float64Array,
  n: number,
  m: number,
  k: number,
  j: number,
  vs: Float64Array,
  taus: Float64Array,
  end: number,
  w: Float64Array
): void => {
  const alpha = r[j * n + j]!
  const xnorm = vectorNorm(r, (j + 1) * n + j, m - j - 1, n)
  const norm = Math.hypot(alpha, xnorm)
  if (xnorm === 0 || norm < NEGLIGIBLE) {
    // (a negligible column, vectorNorm.ts: its entries below the diagonal are zeroed)
    taus[j] = 0
    for (let i = j + 1; i < m; i++) r[i * n + j] = 0
    return
  }
  const beta = alpha >= 0 ? -norm : norm
  taus[j] = (beta - alpha) / beta
  // (a division: the reciprocal of a denormal alpha - beta overflows)
  const d = alpha - beta
  vs[j * k + j] = 1
  for (let i = j + 1; i < m; i++) vs[i * k + j] = r[i * n + j]! / d
  r[j * n + j] = beta
  for (let i = j + 1; i < m; i++) r[i * n + j] = 0
  // R[j:, j+1:end] -= tau v (v^T R[j:, j+1:end])
  reflectColumns(r, n, vs, k, j, m, j + 1, end, taus[j]!, w)
}

export const qr = (
  x: HostArray,
  xa: AbstractValue,
  { fullMatrices }: Params<"qr">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const [m, n] = dims(xa)
  const k = Math.min(m, n)
  const qc = fullMatrices ? m : k
  const count = batchOf(xa)
  const qOut = DType.allocHost(outs[0]!.dtype, count * m * qc)
  const rOut = DType.allocHost(outs[1]!.dtype, count * qc * n)
  const r = new Float64Array(m * n)
  const vs = new Float64Array(m * k)
  const taus = new Float64Array(k)
  const q = new Float64Array(m * qc)
  const w = new Float64Array(Math.max(n, qc))
  const blockScratch = k >= BLOCKED_MIN && wasmGemmAvailable() ? makeBlockScratch(Math.max(n, qc)) : undefined
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < m * n; i++) r[i] = x[b * m * n + i]!
    // (R scales with A, Q does not)
    const scale = scaleInPlace(r)
    // (an infinity times a zero would be NaN in a product where a reflector's sweep skips it)
    const blocked = blockScratch !== undefined && allFinite(r)
    vs.fill(0)
    for (let j = 0; j < k; j++) {
      // blocked: the reflector updates its panel's columns, the panel's block the rest at its end
      const end = blocked ? Math.min(n, (Math.floor(j / BLOCK_PANEL) + 1) * BLOCK_PANEL) : n
      householderColumn(r, n, m, k, j, vs, taus, end, w)
      if (blocked && (j + 1 === end || j + 1 === k) && end < n) {
        applyBlockReflector(r, n, vs, k, m, j - (j % BLOCK_PANEL), j + 1, taus, end, true, blockScratch!, w)
      }
    }
    // Q = H_0 ... H_{k-1} I[:, :qc], applied right to left.
    q.fill(0)
    for (let i = 0; i < qc; i++) q[i * qc + i] = 1
    if (blocked) {
      for (let j0 = Math.floor((k - 1) / BLOCK_PANEL) * BLOCK_PANEL; j0 >= 0; j0 -= BLOCK_PANEL) {
        applyBlockReflector(q, qc, vs, k, m, j0, Math.min(j0 + BLOCK_PANEL, k), taus, j0, false, blockScratch!, w)
      }
    } else {
      for (let j = k - 1; j >= 0; j--) {
        const tau = taus[j]!
        if (tau !== 0) reflectColumns(q, qc, vs, k, j, m, 0, qc, tau, w)
      }
    }
    qOut.set(q, b * m * qc)
    for (let i = 0; i < qc; i++) {
      for (let c = 0; c < n; c++) rOut[b * qc * n + i * n + c] = i < m && c >= i ? r[i * n + c]! / scale : 0
    }
  }
  return [qOut, rOut]
}

const allFinite = (a: Float64Array): boolean => allFiniteIn(a, 0, a.length)

const allFiniteIn = (a: HostArray, from: number, length: number): boolean => {
  for (let i = from; i < from + length; i++) if (!Number.isFinite(a[i]!)) return false
  return true
}

/**
 * Householder reduction of the symmetric `s` (n x n, row-major, overwritten) to tridiagonal form
 * `T = Q^T S Q` (LAPACK's sytrd, as JAX's CPU eigh): the diagonal into `d`, the subdiagonal into
 * `e` (`e[i] = T[i + 1][i]`, `e[n - 1] = 0`), and `Q^T` into `qt` (row i of `qt` is column i of Q).
 * Step k reflects rows and columns k + 1.. with `H = I - 2 u u^T` (`u` a unit vector) chosen so
 * that column k below its subdiagonal vanishes: `H A H = A - 2 u w^T - 2 w u^T` with
 * `p = A u`, `w = p - (u^T p) u`.
 */
const tridiagonalize = (s: Float64Array, n: number, d: Float64Array, e: Float64Array, qt: Float64Array): void => {
  const us = new Float64Array(n * n)
  const p = new Float64Array(n)
  const dots = new Float64Array(4)
  for (let k = 0; k + 2 < n; k++) {
    const u = k * n
    // no reflection (LAPACK's dlarfg: H = I) where the entries below the subdiagonal are zero
    // (or where the column is negligible, vectorNorm.ts: the entries below are ignored then)
    const below = vectorNorm(s, (k + 2) * n + k, n - k - 2, n)
    const x0 = s[(k + 1) * n + k]!
    const norm = Math.hypot(x0, below)
    if (below === 0 || norm < NEGLIGIBLE) continue
    const alpha = x0 > 0 ? -norm : norm
    // u = (x - alpha e1) / ||x - alpha e1||, ||x - alpha e1|| = norm sqrt(2 (1 + |x0| / norm)): no
    // squares (they underflow), a division (the reciprocal of a denormal overflows), and exact
    // under a power-of-two scaling (safeScale.ts)
    const vNorm = norm * Math.sqrt(2 * (1 + Math.abs(x0) / norm))
    for (let i = k + 1; i < n; i++) us[u + i] = s[i * n + k]! / vNorm
    us[u + k + 1] = (x0 - alpha) / vNorm
    // p = A22 u, over the trailing block, four rows at a time
    let up = 0
    let i = k + 1
    for (; i + 3 < n; i += 4) {
      fourRowDots(s, n, i, us, u, k + 1, dots)
      for (let t = 0; t < 4; t++) {
        p[i + t] = dots[t]!
        up += us[u + i + t]! * dots[t]!
      }
    }
    for (; i < n; i++) {
      let acc = 0
      for (let j = k + 1; j < n; j++) acc += s[i * n + j]! * us[u + j]!
      p[i] = acc
      up += us[u + i]! * acc
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - up * us[u + i]!
    for (let i = k + 1; i < n; i++) {
      const ui = 2 * us[u + i]!
      const wi = 2 * p[i]!
      for (let j = k + 1; j < n; j++) s[i * n + j] = s[i * n + j]! - ui * p[j]! - wi * us[u + j]!
    }
    s[(k + 1) * n + k] = alpha
    s[k * n + k + 1] = alpha
    for (let i = k + 2; i < n; i++) {
      s[i * n + k] = 0
      s[k * n + i] = 0
    }
  }
  for (let i = 0; i < n; i++) {
    d[i] = s[i * n + i]!
    e[i] = i + 1 < n ? s[(i + 1) * n + i]! : 0
  }
  // Q^T = H_{n-3} ... H_0: applied to I from the last reflection on, row i of the result is column
  // i of Q; each H touches the rows and columns from k + 1
  qt.fill(0)
  for (let i = 0; i < n; i++) qt[i * n + i] = 1
  const blocked = n >= BLOCKED_MIN && wasmGemmAvailable()
  const scratch = blocked ? makeBlockScratch(n) : undefined
  for (let k1 = n - 2; k1 > 0;) {
    const k0 = blocked ? Math.max(0, k1 - BLOCK_PANEL) : k1 - 1
    if (scratch === undefined || !reflectorBlockRight(qt, us, n, k0, k1, scratch)) {
      for (let k = k1 - 1; k >= k0; k--) reflectRowsRight(qt, us, n, k, dots)
    }
    k1 = k0
  }
}

/** `qt <- qt H_k` (`H_k = I - 2 u u^T`, u row k of `us` from k + 1): the rows from k + 1 (the rest are zero there). */
const reflectRowsRight = (qt: Float64Array, us: Float64Array, n: number, k: number, dots: Float64Array): void => {
  const u = k * n
  let any = false
  for (let i = k + 1; i < n && !any; i++) any = us[u + i] !== 0
  if (!any) return
  // four rows' dot products at a time
  let r = k + 1
  for (; r + 3 < n; r += 4) {
    fourRowDots(qt, n, r, us, u, k + 1, dots)
    for (let t = 0; t < 4; t++) {
      const d = dots[t]! * 2
      const row = (r + t) * n
      for (let j = k + 1; j < n; j++) qt[row + j] = qt[row + j]! - d * us[u + j]!
    }
  }
  for (; r < n; r++) {
    let dot = 0
    for (let j = k + 1; j < n; j++) dot += qt[r * n + j]! * us[u + j]!
    dot *= 2
    for (let j = k + 1; j < n; j++) qt[r * n + j] = qt[r * n + j]! - dot * us[u + j]!
  }
}

/**
 * `qt <- qt H_k0 ... H_(k1-1)` as one block: `H_k0 ... H_(k1-1) = I - V T V^T` (V's columns the
 * reflectors' unit vectors, T from LAPACK's larft with tau 2), so `qt -= (qt V) T^T V^T` over the
 * rows and columns from k0 + 1 (those before hold the identity's zeros there): two float64
 * products on the wasm GEMM, as LAPACK's orgtr. False (qt untouched) when the GEMM cannot run them.
 */
const reflectorBlockRight = (
  qt: Float64Array,
  us: Float64Array,
  n: number,
  k0: number,
  k1: number,
  { t, w, z }: BlockScratch
): boolean => {
  const b = k1 - k0
  const c0 = k0 + 1
  const len = n - c0
  t.fill(0, 0, b * b)
  for (let i = 0; i < b; i++) {
    const ui = (k0 + i) * n
    for (let p = 0; p < i; p++) {
      const up = (k0 + p) * n
      let sum = 0
      for (let j = k0 + i + 1; j < n; j++) sum += us[up + j]! * us[ui + j]!
      z[p] = sum
    }
    blockTColumn(t, b, i, 2, z)
  }
  // W = qt[c0:, c0:] V (len x b), then W T^T in place (column i from the columns q >= i)
  if (!gemmF32(qt, c0 * n + c0, n, 1, us, k0 * n + c0, 1, n, w, 0, len, len, b, "f64")) return false
  for (let r = 0; r < len; r++) {
    const row = r * b
    for (let i = 0; i < b; i++) {
      let sum = 0
      for (let q = i; q < b; q++) sum += w[row + q]! * t[i * b + q]!
      w[row + i] = sum
    }
  }
  return subtractProduct(w, 0, b, us, k0 * n + c0, n, 1, qt, c0 * n + c0, n, len, b, len)
}

/**
 * The eigen-decomposition of the symmetric `s` (n x n, overwritten): eigenvalues into `w`
 * ascending, eigenvectors as the columns of `v`. Householder tridiagonalization, then implicit QL
 * (LAPACK's syev path, which JAX's CPU eigh calls): about 10 n^3 flops, where cyclic Jacobi took
 * 6 n^3 a sweep for 8-10 sweeps (600 ms for n = 256). False when QL did not converge.
 */
const symmetricEigen = (s: Float64Array, n: number, w: Float64Array, v: Float64Array): boolean => {
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  const zt = new Float64Array(n * n)
  tridiagonalize(s, n, d, e, zt)
  if (!tridiagonalQl(d, e, n, zt)) return false
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!)
  for (let j = 0; j < n; j++) {
    const o = order[j]!
    w[j] = d[o]!
    for (let r = 0; r < n; r++) v[r * n + j] = zt[o * n + r]!
  }
  return true
}

export const eigh = (
  x: HostArray,
  xa: AbstractValue,
  { lower }: Params<"eigh">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const n = xa.shape.at(-1)!
  const count = batchOf(xa)
  const vOut = DType.allocHost(outs[0]!.dtype, count * n * n)
  const wOut = DType.allocHost(outs[1]!.dtype, count * n)
  const s = new Float64Array(n * n)
  const v = new Float64Array(n * n)
  const w = new Float64Array(n)
  for (let b = 0; b < count; b++) {
    const o = b * n * n
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const value = lower ? x[o + i * n + j]! : x[o + j * n + i]!
        s[i * n + j] = value
        s[j * n + i] = value
      }
    }
    const scale = scaleInPlace(s)
    if (!allFinite(s) || !symmetricEigen(s, n, w, v)) {
      w.fill(NaN)
      v.fill(NaN)
    } else if (scale !== 1) {
      for (let i = 0; i < n; i++) w[i] = w[i]! / scale
    }
    vOut.set(v, o)
    wOut.set(w, b * n)
  }
  return [vOut, wOut]
}

export const svd = (
  x: HostArray,
  xa: AbstractValue,
  { computeUv, fullMatrices }: Params<"svd">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const [m, n] = dims(xa)
  const k = Math.min(m, n)
  const count = batchOf(xa)
  const sOut = DType.allocHost(outs[0]!.dtype, count * k)
  const uc = fullMatrices ? m : k
  const vr = fullMatrices ? n : k
  const uOut = computeUv ? DType.allocHost(outs[1]!.dtype, count * m * uc) : undefined
  const vtOut = computeUv ? DType.allocHost(outs[2]!.dtype, count * vr * n) : undefined
  const a = new Float64Array(m * n)
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < m * n; i++) a[i] = x[b * m * n + i]!
    const uo = b * m * uc
    const vo = b * vr * n
    if (!allFinite(a)) {
      sOut.fill(NaN, b * k, (b + 1) * k)
      uOut?.fill(NaN, uo, uo + m * uc)
      vtOut?.fill(NaN, vo, vo + vr * n)
      continue
    }
    if (m >= n) {
      // A = U S V^T: u[i, j] = U rows[j][i], vt[j, :] = V rows[j].
      const r = tallSvd(a, m, n, uc, computeUv)
      sOut.set(r.s, b * k)
      if (uOut !== undefined && vtOut !== undefined) {
        for (let i = 0; i < m; i++) for (let j = 0; j < uc; j++) uOut[uo + i * uc + j] = r.u[j * m + i]!
        vtOut.set(r.v.subarray(0, vr * n), vo)
      }
    } else {
      // A^T = U' S V'^T, so A = V' S U'^T: u = V' (m x m), vt = U'^T (rows of U').
      const at = new Float64Array(n * m)
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j]!
      const r = tallSvd(at, n, m, vr, computeUv)
      sOut.set(r.s, b * k)
      if (uOut !== undefined && vtOut !== undefined) {
        for (let i = 0; i < m; i++) for (let j = 0; j < uc; j++) uOut[uo + i * uc + j] = r.v[j * m + i]!
        vtOut.set(r.u.subarray(0, vr * n), vo)
      }
    }
  }
  return computeUv ? [sOut, uOut!, vtOut!] : [sOut]
}

// ---------------------------------------------------------------------------
// complex matrices (interleaved [re, im] storage): cholesky, triangular_solve, lu

/** The Cholesky factor of the lower triangle of a Hermitian `a` (interleaved, n x n) into `l`. */
const choleskyComplexOne = (a: Float64Array, n: number, l: Float64Array): boolean => {
  for (let j = 0; j < n; j++) {
    // the diagonal of a Hermitian matrix is real: its imaginary part is not read (LAPACK's zpotrf)
    let s = a[2 * (j * n + j)]!
    for (let k = 0; k < j; k++) {
      const re = l[2 * (j * n + k)]!
      const im = l[2 * (j * n + k) + 1]!
      s -= re * re + im * im
    }
    if (!(s > 0)) return false
    const d = Math.sqrt(s)
    l[2 * (j * n + j)] = d
    for (let i = j + 1; i < n; i++) {
      // t = a[i, j] - sum_k l[i, k] conj(l[j, k])
      let tr = a[2 * (i * n + j)]!
      let ti = a[2 * (i * n + j) + 1]!
      for (let k = 0; k < j; k++) {
        const ar = l[2 * (i * n + k)]!
        const ai = l[2 * (i * n + k) + 1]!
        const br = l[2 * (j * n + k)]!
        const bi = -l[2 * (j * n + k) + 1]!
        tr -= ar * br - ai * bi
        ti -= ar * bi + ai * br
      }
      l[2 * (i * n + j)] = tr / d
      l[2 * (i * n + j) + 1] = ti / d
    }
  }
  return true
}

export const choleskyComplex = (x: HostArray, xa: AbstractValue, out: AbstractValue): HostArray => {
  const n = xa.shape.at(-1)!
  const size = 2 * n * n
  const dst = DType.allocHost(out.dtype, Shape.sizeOf(out.shape))
  const a = new Float64Array(size)
  for (let b = 0; b < batchOf(xa); b++) {
    for (let i = 0; i < size; i++) a[i] = x[b * size + i]!
    const l = new Float64Array(size)
    if (!choleskyComplexOne(a, n, l)) l.fill(NaN)
    dst.set(l, b * size)
  }
  return dst
}

/** As `triangularSolve`, on interleaved complex storage (`conjugateA` conjugates `a`). */
export const triangularSolveComplex = (
  a: HostArray,
  b: HostArray,
  aa: AbstractValue,
  ba: AbstractValue,
  params: Params<"triangular_solve">,
  out: AbstractValue
): HostArray => {
  const { conjugateA, leftSide, lower, transposeA, unitDiagonal } = params
  const m = aa.shape.at(-1)!
  const [rows, cols] = dims(ba)
  const dst = DType.allocHost(out.dtype, Shape.sizeOf(out.shape))
  const transposed = transposeA === leftSide
  const mLower = lower !== transposed
  const sign = conjugateA ? -1 : 1
  const M = new Float64Array(2 * m * m)
  const nrhs = leftSide ? cols : rows
  const col = new Float64Array(2 * m)
  for (let bi = 0; bi < batchOf(aa); bi++) {
    const ao = 2 * bi * m * m
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const inTriangle = lower ? j <= i : j >= i
        const unit = i === j && unitDiagonal
        const re = unit ? 1 : inTriangle ? a[ao + 2 * (i * m + j)]! : 0
        const im = unit ? 0 : inTriangle ? sign * a[ao + 2 * (i * m + j) + 1]! : 0
        const at = transposed ? j * m + i : i * m + j
        M[2 * at] = re
        M[2 * at + 1] = im
      }
    }
    const bo = 2 * bi * rows * cols
    for (let r = 0; r < nrhs; r++) {
      for (let i = 0; i < m; i++) {
        const at = bo + 2 * (leftSide ? i * cols + r : r * cols + i)
        col[2 * i] = b[at]!
        col[2 * i + 1] = b[at + 1]!
      }
      const step = (i: number, from: number, to: number) => {
        let sr = col[2 * i]!
        let si = col[2 * i + 1]!
        for (let k = from; k < to; k++) {
          const mr = M[2 * (i * m + k)]!
          const mi = M[2 * (i * m + k) + 1]!
          const cr = col[2 * k]!
          const ci = col[2 * k + 1]!
          sr -= mr * cr - mi * ci
          si -= mr * ci + mi * cr
        }
        // divide by the diagonal
        const dr = M[2 * (i * m + i)]!
        const di = M[2 * (i * m + i) + 1]!
        const den = dr * dr + di * di
        col[2 * i] = (sr * dr + si * di) / den
        col[2 * i + 1] = (si * dr - sr * di) / den
      }
      if (mLower) { for (let i = 0; i < m; i++) step(i, 0, i) }
      else for (let i = m - 1; i >= 0; i--) step(i, i + 1, m)
      for (let i = 0; i < m; i++) {
        const at = bo + 2 * (leftSide ? i * cols + r : r * cols + i)
        dst[at] = col[2 * i]!
        dst[at + 1] = col[2 * i + 1]!
      }
    }
  }
  return dst
}

/** As `lu`, on interleaved complex storage; pivots by `|re| + |im|` (LAPACK's izamax). */
export const luComplex = (
  x: HostArray,
  xa: AbstractValue,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const [m, n] = dims(xa)
  const k = Math.min(m, n)
  const count = batchOf(xa)
  const dst = DType.allocHost(outs[0]!.dtype, 2 * count * m * n)
  const pivots = new Int32Array(count * k)
  const perms = new Int32Array(count * m)
  const a = new Float64Array(2 * m * n)
  const perm = new Int32Array(m)
  const re = (i: number, c: number) => a[2 * (i * n + c)]!
  const im = (i: number, c: number) => a[2 * (i * n + c) + 1]!
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < 2 * m * n; i++) a[i] = x[2 * b * m * n + i]!
    for (let i = 0; i < m; i++) perm[i] = i
    for (let j = 0; j < k; j++) {
      let p = j
      let best = Math.abs(re(j, j)) + Math.abs(im(j, j))
      for (let i = j + 1; i < m; i++) {
        const v = Math.abs(re(i, j)) + Math.abs(im(i, j))
        if (v > best) {
          best = v
          p = i
        }
      }
      pivots[b * k + j] = p
      if (p !== j) {
        for (let c = 0; c < 2 * n; c++) {
          const t = a[2 * j * n + c]!
          a[2 * j * n + c] = a[2 * p * n + c]!
          a[2 * p * n + c] = t
        }
        const t = perm[j]!
        perm[j] = perm[p]!
        perm[p] = t
      }
      const pr = re(j, j)
      const pi = im(j, j)
      const den = pr * pr + pi * pi
      if (den !== 0) {
        for (let i = j + 1; i < m; i++) {
          const xr = re(i, j)
          const xi = im(i, j)
          a[2 * (i * n + j)] = (xr * pr + xi * pi) / den
          a[2 * (i * n + j) + 1] = (xi * pr - xr * pi) / den
        }
      }
      for (let i = j + 1; i < m; i++) {
        const lr = re(i, j)
        const li = im(i, j)
        if (lr === 0 && li === 0) continue
        for (let c = j + 1; c < n; c++) {
          const ur = re(j, c)
          const ui = im(j, c)
          a[2 * (i * n + c)] = a[2 * (i * n + c)]! - (lr * ur - li * ui)
          a[2 * (i * n + c) + 1] = a[2 * (i * n + c) + 1]! - (lr * ui + li * ur)
        }
      }
    }
    dst.set(a, 2 * b * m * n)
    perms.set(perm, b * m)
  }
  return [dst, pivots, perms]
}
