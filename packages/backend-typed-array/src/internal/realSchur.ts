/**
 * The real Schur form of a real upper Hessenberg matrix (LAPACK hseqr's
 * outputs for real input): Francis double-shift QR iterations (the EISPACK
 * hqr2 iteration, with its exceptional shifts after 10 and 30 stalled steps)
 * on the whole matrix, the orthogonal `Z` accumulated, so that `A = Z T Z^T`.
 * Each converged 2x2 diagonal block is standardized as LAPACK's dlanv2 does:
 * split into a triangular one when its eigenvalues are real, otherwise given
 * equal diagonal entries and off-diagonal entries of opposite signs. So `T` is
 * quasi-triangular with 2x2 blocks for complex-conjugate pairs only.
 */
import { NEGLIGIBLE, vectorNorm } from "./vectorNorm.js"

const EPS = 2 ** -52

/** |a| with the sign of b (Fortran's SIGN, +0 counted positive). */
const sign = (a: number, b: number): number => (b >= 0 ? Math.abs(a) : -Math.abs(a))

interface Standardized {
  readonly a: number
  readonly b: number
  readonly c: number
  readonly d: number
  readonly cs: number
  readonly sn: number
}

/**
 * LAPACK's dlanv2: the rotation `[cs sn; -sn cs]` that makes `[a b; c d]`
 * standard (`c = 0`, or `a = d` and `b c < 0`), and the standardized entries.
 */
export const standardize2x2 = (a0: number, b0: number, c0: number, d0: number): Standardized => {
  let [a, b, c, d] = [a0, b0, c0, d0]
  let cs = 1
  let sn = 0
  if (c === 0) return { a, b, c, d, cs, sn }
  if (b === 0) {
    // swap rows and columns
    return { a: d, b: -c, c: 0, d: a, cs: 0, sn: 1 }
  }
  if (a - d === 0 && Math.sign(b) !== Math.sign(c)) return { a, b, c, d, cs, sn }
  const temp = a - d
  let p = 0.5 * temp
  const bcmax = Math.max(Math.abs(b), Math.abs(c))
  const bcmis = Math.min(Math.abs(b), Math.abs(c)) * sign(1, b) * sign(1, c)
  const scale = Math.max(Math.abs(p), bcmax)
  let z = (p / scale) * p + (bcmax / scale) * bcmis
  if (z >= 4 * EPS) {
    // real eigenvalues: the triangular form
    z = p + sign(Math.sqrt(scale) * Math.sqrt(z), p)
    a = d + z
    d = d - (bcmax / z) * bcmis
    const tau = Math.hypot(c, z)
    cs = z / tau
    sn = c / tau
    b = b - c
    c = 0
    return { a, b, c, d, cs, sn }
  }
  // complex or nearly equal real eigenvalues: make the diagonal entries equal
  const sigma = b + c
  const tau = Math.hypot(sigma, temp)
  cs = Math.sqrt(0.5 * (1 + Math.abs(sigma) / tau))
  sn = -(p / (tau * cs)) * sign(1, sigma)
  const aa = a * cs + b * sn
  const bb = -a * sn + b * cs
  const cc = c * cs + d * sn
  const dd = -c * sn + d * cs
  a = aa * cs + cc * sn
  b = bb * cs + dd * sn
  c = -aa * sn + cc * cs
  d = -bb * sn + dd * cs
  const mid = 0.5 * (a + d)
  a = mid
  d = mid
  if (c !== 0) {
    if (b !== 0) {
      if (Math.sign(b) === Math.sign(c)) {
        // real eigenvalues after all: the triangular form
        const sab = Math.sqrt(Math.abs(b))
        const sac = Math.sqrt(Math.abs(c))
        p = sign(sab * sac, c)
        const t = 1 / Math.sqrt(Math.abs(b + c))
        a = mid + p
        d = mid - p
        b = b - c
        c = 0
        const cs1 = sab * t
        const sn1 = sac * t
        const next = cs * cs1 - sn * sn1
        sn = cs * sn1 + sn * cs1
        cs = next
      }
    } else {
      b = -c
      c = 0
      const next = cs
      cs = -sn
      sn = next
    }
  }
  return { a, b, c, d, cs, sn }
}

/** Rows i, i+1 (columns past the block) and columns i, i+1 (rows above it) of H, and Z's columns, by [cs sn; -sn cs]. */
const rotate = (h: Float64Array, z: Float64Array | undefined, n: number, i: number, cs: number, sn: number): void => {
  for (let j = i + 2; j < n; j++) {
    const x = h[i * n + j]!
    const y = h[(i + 1) * n + j]!
    h[i * n + j] = cs * x + sn * y
    h[(i + 1) * n + j] = cs * y - sn * x
  }
  for (let r = 0; r < i; r++) {
    const x = h[r * n + i]!
    const y = h[r * n + i + 1]!
    h[r * n + i] = cs * x + sn * y
    h[r * n + i + 1] = cs * y - sn * x
  }
  if (z === undefined) return
  for (let r = 0; r < n; r++) {
    const x = z[r * n + i]!
    const y = z[r * n + i + 1]!
    z[r * n + i] = cs * x + sn * y
    z[r * n + i + 1] = cs * y - sn * x
  }
}

/**
 * The 2x2 block at (i, i) standardized in place; with `full`, the rest of H and Z rotated to
 * match (without, only the block's own entries: its eigenvalues).
 */
const standardizeBlock = (h: Float64Array, z: Float64Array | undefined, n: number, i: number, full: boolean): void => {
  const at = (r: number, c: number) => r * n + c
  const s = standardize2x2(h[at(i, i)]!, h[at(i, i + 1)]!, h[at(i + 1, i)]!, h[at(i + 1, i + 1)]!)
  h[at(i, i)] = s.a
  h[at(i, i + 1)] = s.b
  h[at(i + 1, i)] = s.c
  h[at(i + 1, i + 1)] = s.d
  if (full) rotate(h, z, n, i, s.cs, s.sn)
}

/**
 * Columns k, k + 1 (and k + 2 unless `last`) of `mat` (n columns), rows `from..to`, times the
 * double step's reflector `I - [1 q r]^T [vx vy vz]` from the right.
 */
const reflectColumns = (
  mat: Float64Array,
  n: number,
  k: number,
  from: number,
  to: number,
  vx: number,
  vy: number,
  vz: number,
  q: number,
  r: number,
  last: boolean
): void => {
  for (let i = from; i <= to; i++) {
    const o = i * n + k
    let t = vx * mat[o]! + vy * mat[o + 1]!
    if (!last) {
      t += vz * mat[o + 2]!
      mat[o + 2] = mat[o + 2]! - t * r
    }
    mat[o] = mat[o]! - t
    mat[o + 1] = mat[o + 1]! - t * q
  }
}

/**
 * Householder reduction of the real `a` (n x n, row-major, overwritten) to Hessenberg form,
 * `Z` accumulated when given: complexSchur.ts's `reduceToHessenberg` in real arithmetic (its
 * reflectors are real for real input), the same values bit for bit at a quarter of the work.
 */
export const reduceToHessenbergReal = (a: Float64Array, n: number, z: Float64Array | undefined): void => {
  if (z !== undefined) {
    z.fill(0)
    for (let i = 0; i < n; i++) z[i * n + i] = 1
  }
  const u = new Float64Array(n)
  const d = new Float64Array(n)
  for (let k = 0; k < n - 2; k++) {
    const norm = vectorNorm(a, (k + 1) * n + k, n - k - 1, n)
    if (norm < NEGLIGIBLE) {
      // (a negligible column is zeroed below its subdiagonal: vectorNorm.ts)
      for (let i = k + 2; i < n; i++) a[i * n + k] = 0
      continue
    }
    // u = (x + sign(x0) ||x|| e1) / (|x0| + ||x||), P = I - f u u^T with f = 2 / (u^T u) =
    // (|x0| + ||x||) / ||x||, P x = -sign(x0) ||x|| e1 (complexSchur.ts's, bit for bit)
    const x0 = a[(k + 1) * n + k]!
    const span = Math.abs(x0) + norm
    u.fill(0)
    for (let i = k + 2; i < n; i++) u[i] = a[i * n + k]! / span
    u[k + 1] = x0 < 0 ? -1 : 1
    const f = span / norm
    // A <- P A, the products u^T a_c for all columns at once, row by row
    d.fill(0)
    for (let i = k + 1; i < n; i++) {
      const ui = u[i]!
      for (let c = k, at = i * n + k; c < n; c++, at++) d[c] = d[c]! + ui * a[at]!
    }
    for (let i = k + 1; i < n; i++) {
      const ui = u[i]!
      for (let c = k, at = i * n + k; c < n; c++, at++) a[at] = a[at]! - f * (d[c]! * ui)
    }
    // A <- A P and Z <- Z P: each row r, a_r -= f (a_r u) u^T
    reflectRows(a, n, k, u, f)
    if (z !== undefined) reflectRows(z, n, k, u, f)
    for (let i = k + 2; i < n; i++) a[i * n + k] = 0
  }
}

/** Each row r of `m` (n x n) times `I - f u u^T` from the right, `u` nonzero from k + 1. */
const reflectRows = (m: Float64Array, n: number, k: number, u: Float64Array, f: number): void => {
  for (let r = 0; r < n; r++) {
    const row = r * n
    let dot = 0
    for (let i = k + 1; i < n; i++) dot += m[row + i]! * u[i]!
    if (dot === 0) continue
    for (let i = k + 1; i < n; i++) m[row + i] = m[row + i]! - f * (dot * u[i]!)
  }
}

/**
 * The real Schur form of the Hessenberg `h` (n x n, row-major) in place, `z`
 * (holding the Hessenberg reduction's `Z`) updated when given; false when the
 * iteration does not converge (30 n double steps). Without `full` (eigenvalues
 * alone: LAPACK's `wantt = false`), the sweeps update the active block only,
 * and the diagonal (1 x 1 and standardized 2 x 2 blocks) holds the same
 * eigenvalues bit for bit, the rest of `h` left partly updated.
 */
export const realSchurIterate = (h: Float64Array, n: number, z: Float64Array | undefined, full = true): boolean => {
  const at = (r: number, c: number) => r * n + c
  let norm = 0
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) norm += Math.abs(h[at(i, j)]!)
  let hi = n - 1
  let exshift = 0
  let iter = 0
  let total = 0
  while (hi >= 0) {
    // the deflation point: the largest l with a negligible subdiagonal H[l, l-1]
    let l = hi
    for (; l > 0; l--) {
      let s = Math.abs(h[at(l - 1, l - 1)]!) + Math.abs(h[at(l, l)]!)
      if (s === 0) s = norm
      if (Math.abs(h[at(l, l - 1)]!) <= EPS * s) break
    }
    if (l > 0) h[at(l, l - 1)] = 0
    if (l === hi) {
      // one root
      h[at(hi, hi)] = h[at(hi, hi)]! + exshift
      hi--
      iter = 0
      continue
    }
    if (l === hi - 1) {
      // two roots: the 2x2 block, standardized
      h[at(hi, hi)] = h[at(hi, hi)]! + exshift
      h[at(hi - 1, hi - 1)] = h[at(hi - 1, hi - 1)]! + exshift
      standardizeBlock(h, z, n, hi - 1, full)
      hi -= 2
      iter = 0
      continue
    }
    if (++total > 30 * n) return false
    // the shifts: the eigenvalues of the trailing 2x2 (through x, y and w)
    let x = h[at(hi, hi)]!
    let y = h[at(hi - 1, hi - 1)]!
    let w = h[at(hi, hi - 1)]! * h[at(hi - 1, hi)]!
    if (iter === 10) {
      // Wilkinson's exceptional shift
      exshift += x
      for (let i = 0; i <= hi; i++) h[at(i, i)] = h[at(i, i)]! - x
      const s = Math.abs(h[at(hi, hi - 1)]!) + Math.abs(h[at(hi - 1, hi - 2)]!)
      x = y = 0.75 * s
      w = -0.4375 * s * s
    }
    if (iter === 30) {
      // MATLAB's exceptional shift
      let s = (y - x) / 2
      s = s * s + w
      if (s > 0) {
        s = Math.sqrt(s)
        if (y < x) s = -s
        s = x - w / ((y - x) / 2 + s)
        for (let i = 0; i <= hi; i++) h[at(i, i)] = h[at(i, i)]! - s
        exshift += s
        x = y = w = 0.964
      }
    }
    iter++
    // look for two consecutive small subdiagonal entries (where the bulge starts)
    let m = hi - 2
    let p = 0
    let q = 0
    let r = 0
    for (; m >= l; m--) {
      const zz = h[at(m, m)]!
      r = x - zz
      const s0 = y - zz
      p = (r * s0 - w) / h[at(m + 1, m)]! + h[at(m, m + 1)]!
      q = h[at(m + 1, m + 1)]! - zz - r - s0
      r = h[at(m + 2, m + 1)]!
      const s = Math.abs(p) + Math.abs(q) + Math.abs(r)
      p /= s
      q /= s
      r /= s
      if (m === l) break
      const left = Math.abs(h[at(m, m - 1)]!) * (Math.abs(q) + Math.abs(r))
      const right = EPS *
        (Math.abs(p) * (Math.abs(h[at(m - 1, m - 1)]!) + Math.abs(zz) + Math.abs(h[at(m + 1, m + 1)]!)))
      if (left < right) break
    }
    for (let i = m + 2; i <= hi; i++) {
      h[at(i, i - 2)] = 0
      if (i > m + 2) h[at(i, i - 3)] = 0
    }
    // the double QR step: 3x3 Householder reflectors chasing the bulge
    for (let k = m; k <= hi - 1; k++) {
      const notLast = k !== hi - 1
      let scale = 0
      if (k !== m) {
        p = h[at(k, k - 1)]!
        q = h[at(k + 1, k - 1)]!
        r = notLast ? h[at(k + 2, k - 1)]! : 0
        scale = Math.abs(p) + Math.abs(q) + Math.abs(r)
        if (scale === 0) continue
        p /= scale
        q /= scale
        r /= scale
      }
      let s = Math.sqrt(p * p + q * q + r * r)
      if (p < 0) s = -s
      if (s === 0) continue
      if (k !== m) h[at(k, k - 1)] = -s * scale
      else if (l !== m) h[at(k, k - 1)] = -h[at(k, k - 1)]!
      p = p + s
      const vx = p / s
      const vy = q / s
      const vz = r / s
      q = q / p
      r = r / p
      // rows k.. k + 2 from the left (past the active block only with `full`)
      const rowEnd = full ? n : hi + 1
      const r0 = k * n
      const r1 = r0 + n
      const r2 = r1 + n
      for (let j = k; j < rowEnd; j++) {
        let t = h[r0 + j]! + q * h[r1 + j]!
        if (notLast) {
          t += r * h[r2 + j]!
          h[r2 + j] = h[r2 + j]! - t * vz
        }
        h[r0 + j] = h[r0 + j]! - t * vx
        h[r1 + j] = h[r1 + j]! - t * vy
      }
      // columns k.. k + 2 from the right (above the active block only with `full`)
      reflectColumns(h, n, k, full ? 0 : l, Math.min(hi, k + 3), vx, vy, vz, q, r, !notLast)
      if (z !== undefined) reflectColumns(z, n, k, 0, n - 1, vx, vy, vz, q, r, !notLast)
    }
  }
  // exact zeros below the subdiagonal (the bulge chase leaves rounding there)
  if (full) { for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) h[at(i, j)] = 0 }
  return true
}
