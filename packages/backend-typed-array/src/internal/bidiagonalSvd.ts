/**
 * The SVD of a real tall matrix by Golub and Kahan's route (LAPACK gesvd's):
 * Householder bidiagonalization `A = U_B B V_B^T`, then implicit-shift QR
 * sweeps on the bidiagonal `B` (Golub and Reinsch: a Wilkinson-like shift from
 * the trailing 2 x 2 of `B^T B`, each sweep chasing a bulge down with Givens
 * rotations), splitting where a superdiagonal entry falls below `eps ||B||`
 * and rotating a zero diagonal entry's row out. The rotations are applied to
 * the vectors only when they are asked for; the singular values alone cost the
 * bidiagonalization (`4 m n^2 - 4 n^3 / 3` flops) and `O(n^2)` per sweep.
 *
 * Singular values come out within a small multiple of `eps ||A||` (backward
 * stable, as LAPACK's gesvd and gesdd, which JAX calls on CPUs); the vectors
 * are orthonormal to working precision, including those of zero singular
 * values and the completion of a full `U` (the reflectors' own columns).
 */

import { applyBlockReflector, BLOCK_PANEL, BLOCKED_MIN, blockScratch } from "./blockReflector.js"
import { rotationLog } from "./rotateRows.js"
import { fourRowDots } from "./rowDots.js"
import { scaleInPlace } from "./safeScale.js"
import { NEGLIGIBLE, vectorNorm } from "./vectorNorm.js"
import { wasmGemmAvailable } from "./wasmGemm.js"

const EPS = 2 ** -52
/** Sweeps allowed per singular value before giving up (EISPACK's 30, LAPACK's 6 n in all). */
const MAX_SWEEPS = 75

/** The SVD of a tall matrix: vectors as rows (row `j` is the `j`-th singular vector). */
export interface TallSvd {
  /** Left singular vectors as rows: `uRows` x m (the first n carry `s`). Empty without vectors. */
  readonly u: Float64Array
  /** Singular values, descending; NaN where the sweeps did not converge. */
  readonly s: Float64Array
  /** Right singular vectors as rows (n x n): row j is V[:, j]. Empty without vectors. */
  readonly v: Float64Array
}

/**
 * Reduces `a` (m x n, m >= n, row-major; overwritten with the reflectors) to the upper
 * bidiagonal `d` (diagonal) and `e` (`e[k]` joins columns k and k + 1): the left reflector
 * `k` is `I - tauL[k] v v^T` with `v = [1, a[k + 1.., k]]` on rows k.., the right one
 * `I - tauR[k] w w^T` with `w = [1, a[k, k + 2..]]` on columns k + 1...
 */
const bidiagonalize = (
  a: Float64Array,
  m: number,
  n: number,
  d: Float64Array,
  e: Float64Array,
  tauL: Float64Array,
  tauR: Float64Array
): void => {
  const s = new Float64Array(n)
  const dots = new Float64Array(4)
  for (let k = 0; k < n; k++) {
    // left: zero a[k + 1.., k] (LAPACK's dlarfg: no reflector, tau 0, when they are zero already)
    // (vectorNorm.ts: a plain sum of squares underflows; a division, as 1 / denormal overflows)
    const below = vectorNorm(a, (k + 1) * n + k, m - k - 1, n)
    const alpha = a[k * n + k]!
    const norm = Math.hypot(alpha, below)
    let tau = 0
    if (below === 0 || norm < NEGLIGIBLE) {
      // (a negligible column is zeroed: vectorNorm.ts)
      for (let i = k + 1; i < m; i++) a[i * n + k] = 0
      d[k] = alpha
      tauL[k] = 0
    } else {
      const beta = alpha >= 0 ? -norm : norm
      const scale = alpha - beta
      for (let i = k + 1; i < m; i++) a[i * n + k] = a[i * n + k]! / scale
      tau = (beta - alpha) / beta
      tauL[k] = tau
      d[k] = beta
      a[k * n + k] = 1
      // A[k.., k + 1..] -= tau v (v^T A[k.., k + 1..]): v^T A here, row k's update now, the other
      // rows' below (each row's update is its own: in any order, the same bits)
      s.fill(0, k + 1, n)
      for (let i = k; i < m; i++) {
        const vi = a[i * n + k]!
        const row = i * n
        for (let j = k + 1; j < n; j++) s[j] = s[j]! + vi * a[row + j]!
      }
      const row = k * n
      for (let j = k + 1; j < n; j++) a[row + j] = a[row + j]! - tau * s[j]!
      a[k * n + k] = beta
    }
    // right: zero a[k, k + 2..], from row k as the left reflector left it
    const row = k * n
    let rtau = 0
    let rbeta = 0
    if (k + 1 >= n) {
      e[k] = 0
    } else {
      const right = vectorNorm(a, row + k + 2, n - k - 2, 1)
      const ralpha = a[row + k + 1]!
      const rnorm = Math.hypot(ralpha, right)
      if (right === 0 || rnorm < NEGLIGIBLE) {
        a.fill(0, row + k + 2, row + n)
        e[k] = ralpha
        tauR[k] = 0
      } else {
        rbeta = ralpha >= 0 ? -rnorm : rnorm
        const rscale = ralpha - rbeta
        for (let j = k + 2; j < n; j++) a[row + j] = a[row + j]! / rscale
        rtau = (rbeta - ralpha) / rbeta
        tauR[k] = rtau
        e[k] = rbeta
        a[row + k + 1] = 1
      }
    }
    if (tau === 0 && rtau === 0) continue
    // rows k + 1..: the left update, then A -= rtau (A w) w^T, while the row is in the cache (one
    // sweep of the trailing matrix where there were three)
    // (four rows at a time: their right dot products as four independent chains, each in order)
    for (let i0 = k + 1; i0 < m; i0 += 4) {
      const i1 = Math.min(i0 + 4, m)
      if (tau !== 0) {
        for (let i = i0; i < i1; i++) {
          const r = i * n
          const f = tau * a[r + k]!
          for (let j = k + 1; j < n; j++) a[r + j] = a[r + j]! - f * s[j]!
        }
      }
      if (rtau === 0) continue
      if (i1 - i0 === 4) fourRowDots(a, n, i0, a, row, k + 1, dots)
      else {
        for (let i = i0; i < i1; i++) {
          let dot = 0
          for (let j = k + 1; j < n; j++) dot += a[i * n + j]! * a[row + j]!
          dots[i - i0] = dot
        }
      }
      for (let i = i0; i < i1; i++) {
        const r = i * n
        const f = rtau * dots[i - i0]!
        for (let j = k + 1; j < n; j++) a[r + j] = a[r + j]! - f * a[row + j]!
      }
    }
    if (rtau !== 0) a[row + k + 1] = rbeta
  }
}

/**
 * The product of `count` reflectors applied to the first `cols` columns of the `size` x `size`
 * identity, accumulated backward (LAPACK's orgbr; from order 128, 32 reflectors at a time through
 * the wasm GEMM), returned transposed (`cols` rows of `size`):
 * reflector k is `I - tau[k] v v^T` on indices `k + offset..`, with `v` 1 there and
 * `a[base(k) + i * stride]` at each later index i.
 */
const reflectorProductRows = (
  a: Float64Array,
  size: number,
  cols: number,
  count: number,
  offset: number,
  tau: Float64Array,
  base: (k: number) => number,
  stride: number
): Float64Array => {
  const u = new Float64Array(size * cols)
  for (let i = 0; i < cols; i++) u[i * cols + i] = 1
  if (size >= BLOCKED_MIN && count >= BLOCK_PANEL && wasmGemmAvailable()) {
    // blocked (LAPACK's orgbr through larfb): V explicit, column k reflector k (1 at k + offset)
    const vs = new Float64Array(size * count)
    for (let k = 0; k < count; k++) {
      const lo = k + offset
      if (lo >= size) continue
      vs[lo * count + k] = 1
      const at = base(k)
      for (let i = lo + 1; i < size; i++) vs[i * count + k] = a[at + i * stride]!
    }
    const scratch = blockScratch(cols)
    const w = new Float64Array(cols)
    for (let j0 = Math.floor((count - 1) / BLOCK_PANEL) * BLOCK_PANEL; j0 >= 0; j0 -= BLOCK_PANEL) {
      const j1 = Math.min(j0 + BLOCK_PANEL, count)
      applyBlockReflector(u, cols, vs, count, size, j0, j1, tau, j0 + offset, false, scratch, w, offset)
    }
    return transposed(u, size, cols)
  }
  const s = new Float64Array(cols)
  for (let k = count - 1; k >= 0; k--) {
    const t = tau[k]!
    if (t === 0) continue
    const lo = k + offset
    const at = base(k)
    // rows lo.. of the product: columns before lo are still the identity's zeros there
    s.fill(0, lo, cols)
    for (let i = lo; i < size; i++) {
      const vi = i === lo ? 1 : a[at + i * stride]!
      const r = i * cols
      for (let j = lo; j < cols; j++) s[j] = s[j]! + vi * u[r + j]!
    }
    for (let i = lo; i < size; i++) {
      const f = t * (i === lo ? 1 : a[at + i * stride]!)
      const r = i * cols
      for (let j = lo; j < cols; j++) u[r + j] = u[r + j]! - f * s[j]!
    }
  }
  return transposed(u, size, cols)
}

/** `u` (size x cols, row-major) transposed. */
const transposed = (u: Float64Array, size: number, cols: number): Float64Array => {
  const ut = new Float64Array(cols * size)
  for (let i = 0; i < size; i++) for (let j = 0; j < cols; j++) ut[j * size + i] = u[i * cols + j]!
  return ut
}

/**
 * Diagonalizes the real bidiagonal (`w` diagonal, `f[i]` above `w[i]`'s column, `f[0] = 0`) in
 * place, rotating the rows of `ut` (m long) and `vt` (n long) along when given, and of `uti` and
 * `vti` (their imaginary parts: a complex matrix's vectors, the rotations being real); false when
 * some singular value did not converge.
 */
export const diagonalize = (
  w: Float64Array,
  f: Float64Array,
  n: number,
  ut: Float64Array | undefined,
  m: number,
  vt: Float64Array | undefined,
  uti?: Float64Array,
  vti?: Float64Array
): boolean => {
  let norm = 0
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(w[i]!) + Math.abs(f[i]!))
  const tol = EPS * norm
  // (the rotations depend on w and f alone: applied in cache-sized bands, see rotateRows.ts)
  const uLog = ut === undefined ? undefined : rotationLog(ut, m, 2 * n * n, uti)
  const vLog = vt === undefined ? undefined : rotationLog(vt, n, 2 * n * n, vti)
  const flush = (): void => {
    uLog?.flush()
    vLog?.flush()
  }
  for (let k = n - 1; k >= 0; k--) {
    for (let sweep = 0;; sweep++) {
      // the bottom of the unreduced block ending at k: f[l] negligible (f[0] always is), or w[l - 1]
      let l = k
      let zeroDiagonal = false
      for (; l >= 0; l--) {
        if (Math.abs(f[l]!) <= tol) break
        if (Math.abs(w[l - 1]!) <= tol) {
          zeroDiagonal = true
          break
        }
      }
      if (zeroDiagonal) {
        // w[l - 1] is zero: rotate f[l] (in row l - 1) away against the diagonal below it
        let c = 0
        let s = 1
        for (let i = l; i <= k; i++) {
          const g = s * f[i]!
          f[i] = c * f[i]!
          if (Math.abs(g) <= tol) break
          const h = Math.hypot(g, w[i]!)
          c = w[i]! / h
          s = -g / h
          w[i] = h
          uLog?.rotate(l - 1, i, c, s)
        }
      }
      const z = w[k]!
      if (l === k) {
        // converged: a non-negative singular value
        if (z < 0) {
          w[k] = -z
          vLog?.negate(k)
        }
        break
      }
      if (sweep >= MAX_SWEEPS) {
        flush()
        return false
      }
      // the shift: the eigenvalue of the trailing 2 x 2 of B^T B nearer its last entry
      let x = w[l]!
      const y0 = w[k - 1]!
      let g = f[k - 1]!
      let h = f[k]!
      let fs = ((y0 - z) * (y0 + z) + (g - h) * (g + h)) / (2 * h * y0)
      g = Math.hypot(fs, 1)
      fs = ((x - z) * (x + z) + h * (y0 / (fs + (fs >= 0 ? g : -g)) - h)) / x
      // one implicit QR sweep over l..k, chasing the bulge down
      let c = 1
      let s = 1
      for (let j = l; j < k; j++) {
        const i = j + 1
        g = f[i]!
        let y = w[i]!
        h = s * g
        g = c * g
        let r = Math.hypot(fs, h)
        f[j] = r
        c = fs / r
        s = h / r
        fs = x * c + g * s
        g = g * c - x * s
        h = y * s
        y = y * c
        vLog?.rotate(j, i, c, s)
        r = Math.hypot(fs, h)
        w[j] = r
        if (r !== 0) {
          c = fs / r
          s = h / r
        }
        fs = c * g + s * y
        x = c * y - s * g
        uLog?.rotate(j, i, c, s)
      }
      f[l] = 0
      f[k] = fs
      w[k] = x
    }
  }
  flush()
  return true
}

/**
 * The SVD of the tall `a` (m x n, m >= n, row-major; not modified), singular values descending;
 * with `vectors`, `uRows` left vectors (n, or m for a full U) and all n right ones.
 */
export const tallSvd = (a: Float64Array, m: number, n: number, uRows: number, vectors: boolean): TallSvd => {
  // scaled by a power of two (exactly) when the squares of the entries could overflow or underflow
  const work = a.slice()
  const scale = scaleInPlace(work)
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  const tauL = new Float64Array(n)
  const tauR = new Float64Array(n)
  bidiagonalize(work, m, n, d, e, tauL, tauR)
  // U^T and V^T as rows: the left reflectors down column k (stride n), the right ones along row k
  const ut = vectors ? reflectorProductRows(work, m, uRows, n, 0, tauL, (k) => k, n) : undefined
  const vt = vectors ? reflectorProductRows(work, n, n, n - 1, 1, tauR, (k) => k * n, 1) : undefined
  // f[i] is the entry above w[i]: e shifted down by one
  const f = new Float64Array(n)
  for (let i = 1; i < n; i++) f[i] = e[i - 1]!
  if (!diagonalize(d, f, n, ut, m, vt)) {
    return {
      s: new Float64Array(n).fill(NaN),
      u: new Float64Array(vectors ? uRows * m : 0).fill(NaN),
      v: new Float64Array(vectors ? n * n : 0).fill(NaN)
    }
  }
  // descending, the vectors' rows along (a stable order: ties keep their places)
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]! || i - j)
  const s = new Float64Array(n)
  for (let j = 0; j < n; j++) s[j] = d[order[j]!]! / scale
  if (!vectors) return { s, u: new Float64Array(0), v: new Float64Array(0) }
  const u = new Float64Array(uRows * m)
  const v = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    u.set(ut!.subarray(order[j]! * m, (order[j]! + 1) * m), j * m)
    v.set(vt!.subarray(order[j]! * n, (order[j]! + 1) * n), j * n)
  }
  // a full U's rows past n: the reflectors' completion, untouched by the sweeps
  u.set(ut!.subarray(n * m), n * m)
  return { s, u, v }
}
