/**
 * Householder reflectors applied to row-major float64 matrices: one at a time, row by row
 * (`reflectColumns`), or a block of them as `I - V T V^T` through two products on the wasm GEMM
 * (`applyBlockReflector`, LAPACK's larft and larfb), and the GEMM's subtracting product that the
 * blocked factorizations' trailing updates use. Shared by the QR (linalg.ts) and the SVD's
 * vectors (bidiagonalSvd.ts).
 *
 * @internal
 */
import { gemmF32 } from "./wasmGemm.js"

/**
 * The most elements of a product's result one GEMM call holds: a trailing update of a large
 * matrix goes in bands of rows, so the GEMM's memory (which keeps its size) grows by at most
 * 8 MB for it, not by the whole trailing matrix (537 MB for an 8,192 x 8,192 LU's first panel).
 */
const BAND_ELEMENTS = 1 << 20

/**
 * `out[outOff + i ldOut + j] -= sum_p a[aOff + i lda + p] b[bOff + p bk + j bn]` for `i < m`,
 * `j < n`, `p < k`, summed in float64 by the wasm GEMM in bands of rows (each element's sum is the
 * same in any band: the bits do not depend on them); false when the GEMM cannot run it (nothing
 * written: every band after the first fits the memory the first one reserved).
 */
export const subtractProduct = (
  a: Float64Array,
  aOff: number,
  lda: number,
  b: Float64Array,
  bOff: number,
  bk: number,
  bn: number,
  out: Float64Array,
  outOff: number,
  ldOut: number,
  m: number,
  k: number,
  n: number,
  band: number = BAND_ELEMENTS
): boolean => {
  const rows = Math.max(1, Math.floor(band / n))
  for (let i0 = 0; i0 < m; i0 += rows) {
    const count = Math.min(rows, m - i0)
    const into = { ldOut, subtract: true }
    const done = gemmF32(
      a,
      aOff + i0 * lda,
      lda,
      1,
      b,
      bOff,
      bk,
      bn,
      out,
      outOff + i0 * ldOut,
      count,
      k,
      n,
      "f64",
      undefined,
      into
    )
    if (!done) return false
  }
  return true
}

/**
 * `A[j:, c0:c1] -= tau v (v^T A[j:, c0:c1])` for a row-major `a` of `cols` columns, `v` column
 * `j` of `vs` (`k` columns) from row `j` on. Row by row, so that the sweeps are contiguous (column
 * by column, each step was a cache miss: 1.24 s for a 512 x 512 QR): each column's dot product
 * still sums its rows in order, and each element gets the same update, so the bits are those of
 * the column sweeps. A column whose factor is 0 is left as it is (its rows may hold infinities).
 */
export const reflectColumns = (
  a: Float64Array,
  cols: number,
  vs: Float64Array,
  k: number,
  j: number,
  m: number,
  c0: number,
  c1: number,
  tau: number,
  w: Float64Array
): void => {
  if (c0 >= c1) return
  w.fill(0, c0, c1)
  for (let i = j; i < m; i++) {
    const v = vs[i * k + j]!
    const row = i * cols
    for (let c = c0; c < c1; c++) w[c] = w[c]! + v * a[row + c]!
  }
  let skip = false
  for (let c = c0; c < c1; c++) {
    w[c] = tau * w[c]!
    if (w[c] === 0) skip = true
  }
  for (let i = j; i < m; i++) {
    const v = vs[i * k + j]!
    const row = i * cols
    if (skip) {
      for (let c = c0; c < c1; c++) if (w[c] !== 0) a[row + c] = a[row + c]! - w[c]! * v
    } else {
      for (let c = c0; c < c1; c++) a[row + c] = a[row + c]! - w[c]! * v
    }
  }
}

/**
 * The columns (reflectors) of one panel of every blocked factorization, and the smallest order
 * blocked: smaller matrices take the unblocked kernels and keep their bits.
 */
export const BLOCK_PANEL = 32
export const BLOCKED_MIN = 128

/** A block's scratch arrays. */
export interface BlockScratch {
  /** T, `QR_PANEL` x `QR_PANEL`, row-major. */
  readonly t: Float64Array
  readonly z: Float64Array
  /** The intermediate product (V^T A for the QR's blocks, qt V for eigh's). */
  readonly w: Float64Array
}

/**
 * Column `i` of larft's T (b x b, row-major) from `z = V[:, 0:i]^T v_i`: `T[i][i] = tau`,
 * `T[0:i][i] = -tau T[0:i][0:i] z` (the block reflectors of the QR, the SVD and eigh).
 */
export const blockTColumn = (t: Float64Array, b: number, i: number, tau: number, z: Float64Array): void => {
  t[i * b + i] = tau
  for (let q = 0; q < i; q++) {
    let sum = 0
    for (let p = q; p < i; p++) sum += t[q * b + p]! * z[p]!
    t[q * b + i] = -tau * sum
  }
}

/** The scratch of blocks of at most `BLOCK_PANEL` reflectors updating at most `cols` columns. */
export const blockScratch = (cols: number): BlockScratch => ({
  t: new Float64Array(BLOCK_PANEL * BLOCK_PANEL),
  z: new Float64Array(BLOCK_PANEL),
  w: new Float64Array(BLOCK_PANEL * cols)
})

/**
 * Applies the reflectors `j0..j1` (columns of `vs`, `k` columns; reflector j is 1 at row
 * `j + offset`, zero above) as one block `H_j0 ... H_(j1-1) = I - V T V^T` (LAPACK's larft,
 * forward and columnwise) to the columns `c0..` of `a` (`cols` columns; rows `j0 + offset..m`):
 * `A -= V T^T (V^T A)` for R (`transposed`, the reflectors applied first to last),
 * `A -= V T (V^T A)` for Q (last to first), two float64 products on the wasm GEMM (LAPACK's
 * larfb). Without the GEMM, one reflector at a time.
 */
export const applyBlockReflector = (
  a: Float64Array,
  cols: number,
  vs: Float64Array,
  k: number,
  m: number,
  j0: number,
  j1: number,
  taus: Float64Array,
  c0: number,
  transposed: boolean,
  scratch: BlockScratch,
  w: Float64Array,
  offset = 0
): void => {
  const b = j1 - j0
  const nc = cols - c0
  const r0 = j0 + offset
  if (nc <= 0 || b <= 0 || r0 >= m) return
  const { t, z } = scratch
  // T: T[i][i] = tau_i, T[0:i][i] = -tau_i T[0:i][0:i] (V[:, 0:i]^T v_i)
  t.fill(0, 0, b * b)
  for (let i = 0; i < b; i++) {
    const tau = taus[j0 + i]!
    if (tau === 0) continue
    z.fill(0, 0, i)
    for (let row = j0 + i + offset; row < m; row++) {
      const vi = vs[row * k + j0 + i]!
      const at = row * k + j0
      for (let p = 0; p < i; p++) z[p] = z[p]! + vs[at + p]! * vi
    }
    blockTColumn(t, b, i, tau, z)
  }
  const wm = scratch.w
  const fallback = () => {
    if (transposed) {
      for (let j = j0; j < j1; j++) if (taus[j] !== 0) reflectColumns(a, cols, vs, k, j, m, c0, cols, taus[j]!, w)
    } else {
      for (let j = j1 - 1; j >= j0; j--) if (taus[j] !== 0) reflectColumns(a, cols, vs, k, j, m, c0, cols, taus[j]!, w)
    }
  }
  // W = V^T A (b x nc)
  if (!gemmF32(vs, r0 * k + j0, 1, k, a, r0 * cols + c0, cols, 1, wm, 0, b, m - r0, nc, "f64")) return fallback()
  // W = T^T W (lower: from the last row up) or T W (upper: from the first row down), in place
  if (transposed) {
    for (let i = b - 1; i >= 0; i--) {
      const row = i * nc
      for (let c = 0; c < nc; c++) wm[row + c] = t[i * b + i]! * wm[row + c]!
      for (let q = 0; q < i; q++) {
        const f = t[q * b + i]!
        if (f === 0) continue
        const from = q * nc
        for (let c = 0; c < nc; c++) wm[row + c] = wm[row + c]! + f * wm[from + c]!
      }
    }
  } else {
    for (let i = 0; i < b; i++) {
      const row = i * nc
      for (let c = 0; c < nc; c++) wm[row + c] = t[i * b + i]! * wm[row + c]!
      for (let q = i + 1; q < b; q++) {
        const f = t[i * b + q]!
        if (f === 0) continue
        const from = q * nc
        for (let c = 0; c < nc; c++) wm[row + c] = wm[row + c]! + f * wm[from + c]!
      }
    }
  }
  // A -= V W
  if (!subtractProduct(vs, r0 * k + j0, k, wm, 0, nc, 1, a, r0 * cols + c0, cols, m - r0, b, nc)) fallback()
}
