/**
 * The complex Schur form on the CPU, shared by `eig` and `schur`:
 *
 * 1. Householder reduction to upper Hessenberg form `A = Z H Z^H`;
 * 2. single-shift complex QR iterations with Wilkinson shifts (Givens
 *    rotations, deflation on negligible subdiagonals, an exceptional shift
 *    every 10 stalled iterations) to the upper triangular `T` of `A = Z T Z^H`,
 *    its subdiagonal exactly zero.
 *
 * Both work in place on split real and imaginary float64 arrays (row-major n x n).
 */
import { NEGLIGIBLE, unitPhase, vectorNorm } from "./vectorNorm.js"

const EPS = 2 ** -52

/** Householder reduction of (ar, ai) (n x n, overwritten) to Hessenberg form; Z accumulated when given. */
export const reduceToHessenberg = (
  ar: Float64Array,
  ai: Float64Array,
  n: number,
  zr: Float64Array | undefined,
  zi: Float64Array | undefined
): void => {
  zr?.fill(0)
  zi?.fill(0)
  if (zr !== undefined) { for (let i = 0; i < n; i++) zr[i * n + i] = 1 }
  const ur = new Float64Array(n)
  const ui = new Float64Array(n)
  const dR = new Float64Array(n)
  const dI = new Float64Array(n)
  for (let k = 0; k < n - 2; k++) {
    const norm = vectorNorm(ar, (k + 1) * n + k, n - k - 1, n, ai)
    if (norm < NEGLIGIBLE) {
      // (a negligible column is zeroed below its subdiagonal: vectorNorm.ts)
      for (let i = k + 2; i < n; i++) ar[i * n + k] = ai[i * n + k] = 0
      continue
    }
    // u = (x + e^(i arg x0) ||x|| e1) / (|x0| + ||x||), P = I - f u u^H with f = 2 / (u^H u) =
    // (|x0| + ||x||) / ||x||, P x = -e^(i arg x0) ||x|| e1: no squares (they underflow,
    // vectorNorm.ts), divisions (the reciprocal of a denormal overflows)
    const x0r = ar[(k + 1) * n + k]!
    const x0i = ai[(k + 1) * n + k]!
    const a0 = Math.hypot(x0r, x0i)
    const [pr, pi] = unitPhase(x0r, x0i)
    const span = a0 + norm
    ur.fill(0)
    ui.fill(0)
    for (let i = k + 2; i < n; i++) {
      ur[i] = ar[i * n + k]! / span
      ui[i] = ai[i * n + k]! / span
    }
    ur[k + 1] = pr
    ui[k + 1] = pi
    const f = span / norm
    // A <- P A: each column c, a_c -= f u (u^H a_c), the products u^H a_c for all columns at once
    // row by row (row-major A: a column walk per c was a cache miss per element). Columns left of
    // k are zero below row k + 1. Each sum runs over i ascending, as the column walk's did.
    dR.fill(0)
    dI.fill(0)
    for (let i = k + 1; i < n; i++) {
      const uri = ur[i]!
      const uii = ui[i]!
      for (let c = k, a = i * n + k; c < n; c++, a++) {
        const p = ar[a]!
        const q = ai[a]!
        dR[c] = dR[c]! + (uri * p + uii * q)
        dI[c] = dI[c]! + (uri * q - uii * p)
      }
    }
    for (let i = k + 1; i < n; i++) {
      const uri = ur[i]!
      const uii = ui[i]!
      for (let c = k, a = i * n + k; c < n; c++, a++) {
        const dr = dR[c]!
        const di = dI[c]!
        ar[a] = ar[a]! - f * (dr * uri - di * uii)
        ai[a] = ai[a]! - f * (dr * uii + di * uri)
      }
    }
    // A <- A P and Z <- Z P: each row r, a_r -= f (a_r u) u^H
    const right = (mr: Float64Array, mi: Float64Array) => {
      for (let r = 0; r < n; r++) {
        let dr = 0
        let di = 0
        for (let i = k + 1; i < n; i++) {
          const p = mr[r * n + i]!
          const q = mi[r * n + i]!
          dr += p * ur[i]! - q * ui[i]!
          di += p * ui[i]! + q * ur[i]!
        }
        if (dr === 0 && di === 0) continue
        for (let i = k + 1; i < n; i++) {
          // (d) conj(u_i)
          mr[r * n + i] = mr[r * n + i]! - f * (dr * ur[i]! + di * ui[i]!)
          mi[r * n + i] = mi[r * n + i]! - f * (di * ur[i]! - dr * ui[i]!)
        }
      }
    }
    right(ar, ai)
    if (zr !== undefined && zi !== undefined) right(zr, zi)
    for (let i = k + 2; i < n; i++) ar[i * n + k] = ai[i * n + k] = 0
  }
}

/** Complex Schur form of the Hessenberg (hr, hi) in place, Z updated; false when it does not converge. */
export const complexSchurIterate = (
  hr: Float64Array,
  hi: Float64Array,
  n: number,
  zr: Float64Array,
  zi: Float64Array,
  full = true
): boolean => {
  const abs1 = (i: number, j: number) => Math.abs(hr[i * n + j]!) + Math.abs(hi[i * n + j]!)
  let hiIdx = n - 1
  let iter = 0
  let total = 0
  const cs = new Float64Array(n)
  const sr = new Float64Array(n)
  const si = new Float64Array(n)
  while (hiIdx > 0) {
    // the deflation point: the largest l with a negligible H[l, l-1]
    let l = hiIdx
    for (; l > 0; l--) {
      const scale = abs1(l - 1, l - 1) + abs1(l, l)
      if (abs1(l, l - 1) <= EPS * (scale === 0 ? 1 : scale)) {
        hr[l * n + l - 1] = hi[l * n + l - 1] = 0
        break
      }
    }
    if (l === hiIdx) {
      hiIdx--
      iter = 0
      continue
    }
    if (++total > 30 * n) return false
    iter++
    // the Wilkinson shift: the eigenvalue of the trailing 2x2 closer to its last entry
    const ar = hr[(hiIdx - 1) * n + hiIdx - 1]!
    const ai = hi[(hiIdx - 1) * n + hiIdx - 1]!
    const br = hr[(hiIdx - 1) * n + hiIdx]!
    const bi = hi[(hiIdx - 1) * n + hiIdx]!
    const cr = hr[hiIdx * n + hiIdx - 1]!
    const ci = hi[hiIdx * n + hiIdx - 1]!
    const dr = hr[hiIdx * n + hiIdx]!
    const di = hi[hiIdx * n + hiIdx]!
    let mur: number
    let mui: number
    if (iter % 10 === 0) {
      // exceptional shift
      mur = dr + 0.75 * Math.abs(hr[hiIdx * n + hiIdx - 1]!)
      mui = di
    } else {
      // mu = d + t - sign * sqrt(t^2 + b c), t = (a - d) / 2
      const tr = (ar - dr) / 2
      const ti = (ai - di) / 2
      const qr = tr * tr - ti * ti + br * cr - bi * ci
      const qi = 2 * tr * ti + br * ci + bi * cr
      const mod = Math.hypot(qr, qi)
      let rr = Math.sqrt((mod + qr) / 2)
      let ri = Math.sqrt(Math.max(0, (mod - qr) / 2))
      if (qi < 0) ri = -ri
      // choose the root that makes |t + root| largest (mu nearest d)
      if (tr * rr + ti * ri < 0) {
        rr = -rr
        ri = -ri
      }
      const er = tr + rr
      const ei = ti + ri
      const den = er * er + ei * ei
      if (den === 0) {
        mur = dr
        mui = di
      } else {
        // mu = d - b c / (t + root)
        const bcr = br * cr - bi * ci
        const bci = br * ci + bi * cr
        mur = dr - (bcr * er + bci * ei) / den
        mui = di - (bci * er - bcr * ei) / den
      }
    }
    for (let k = l; k <= hiIdx; k++) {
      hr[k * n + k] = hr[k * n + k]! - mur
      hi[k * n + k] = hi[k * n + k]! - mui
    }
    // H - mu I = Q R by Givens rotations on rows: all columns to n - 1 for the full Schur form, the
    // active block's alone for eigenvalues (LAPACK's wantt = false: the rest never feeds back)
    const rowEnd = full ? n : hiIdx + 1
    for (let k = l; k < hiIdx; k++) {
      const xr = hr[k * n + k]!
      const xi = hi[k * n + k]!
      const yr = hr[(k + 1) * n + k]!
      const yi = hi[(k + 1) * n + k]!
      const ax = Math.hypot(xr, xi)
      const norm = Math.hypot(ax, Math.hypot(yr, yi))
      let c: number
      let gr: number
      let gi: number
      if (norm === 0) {
        c = 1
        gr = gi = 0
      } else if (ax === 0) {
        c = 0
        gr = 1
        gi = 0
      } else {
        // s = (x / |x|) conj(y) / norm
        c = ax / norm
        const pr = xr / ax
        const pi = xi / ax
        gr = (pr * yr + pi * yi) / norm
        gi = (pi * yr - pr * yi) / norm
      }
      cs[k] = c
      sr[k] = gr
      si[k] = gi
      // (plain locals, not destructured pairs, in the O(n^3) loops: V8 kept the temporary arrays)
      const r0 = k * n
      const r1 = r0 + n
      for (let j = k; j < rowEnd; j++) {
        const ur = hr[r0 + j]!
        const ui = hi[r0 + j]!
        const vr = hr[r1 + j]!
        const vi = hi[r1 + j]!
        // row k = c u + s v; row k+1 = -conj(s) u + c v
        hr[r0 + j] = c * ur + gr * vr - gi * vi
        hi[r0 + j] = c * ui + gr * vi + gi * vr
        hr[r1 + j] = -(gr * ur + gi * ui) + c * vr
        hi[r1 + j] = -(gr * ui - gi * ur) + c * vi
      }
    }
    // R Q + mu I: the rotations' adjoints on columns (rows 0 .. k + 2), and on Z
    const cols = (mr: Float64Array, mi: Float64Array, k: number, first: number, rows: number) => {
      const c = cs[k]!
      const gr = sr[k]!
      const gi = si[k]!
      for (let r = first, a = first * n + k; r < rows; r++, a += n) {
        const ur = mr[a]!
        const ui = mi[a]!
        const vr = mr[a + 1]!
        const vi = mi[a + 1]!
        // col k = c u + conj(s) v; col k+1 = -s u + c v
        mr[a] = c * ur + gr * vr + gi * vi
        mi[a] = c * ui + gr * vi - gi * vr
        mr[a + 1] = -(gr * ur - gi * ui) + c * vr
        mi[a + 1] = -(gr * ui + gi * ur) + c * vi
      }
    }
    for (let k = l; k < hiIdx; k++) {
      cols(hr, hi, k, full ? 0 : l, Math.min(k + 2, hiIdx) + 1)
      if (full) cols(zr, zi, k, 0, n)
    }
    for (let k = l; k <= hiIdx; k++) {
      hr[k * n + k] = hr[k * n + k]! + mur
      hi[k * n + k] = hi[k * n + k]! + mui
    }
  }
  return true
}
