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
const EPS = 2 ** -52

/** Householder reduction of (ar, ai) (n x n, overwritten) to Hessenberg form; Z accumulated. */
export const reduceToHessenberg = (
  ar: Float64Array,
  ai: Float64Array,
  n: number,
  zr: Float64Array,
  zi: Float64Array
): void => {
  zr.fill(0)
  zi.fill(0)
  for (let i = 0; i < n; i++) zr[i * n + i] = 1
  const [ur, ui] = [new Float64Array(n), new Float64Array(n)]
  for (let k = 0; k < n - 2; k++) {
    let norm2 = 0
    for (let i = k + 1; i < n; i++) norm2 += ar[i * n + k]! ** 2 + ai[i * n + k]! ** 2
    const norm = Math.sqrt(norm2)
    if (norm === 0) continue
    // u = x + e^(i arg x0) ||x|| e1, P = I - 2 u u^H / (u^H u), P x = -e^(i arg x0) ||x|| e1
    const [x0r, x0i] = [ar[(k + 1) * n + k]!, ai[(k + 1) * n + k]!]
    const a0 = Math.hypot(x0r, x0i)
    const [pr, pi] = a0 === 0 ? [1, 0] : [x0r / a0, x0i / a0]
    ur.fill(0)
    ui.fill(0)
    for (let i = k + 1; i < n; i++) {
      ur[i] = ar[i * n + k]!
      ui[i] = ai[i * n + k]!
    }
    ur[k + 1] = ur[k + 1]! + pr * norm
    ui[k + 1] = ui[k + 1]! + pi * norm
    let uu = 0
    for (let i = k + 1; i < n; i++) uu += ur[i]! ** 2 + ui[i]! ** 2
    const f = 2 / uu
    // A <- P A: each column c, a_c -= f u (u^H a_c)
    for (let c = 0; c < n; c++) {
      let dr = 0
      let di = 0
      for (let i = k + 1; i < n; i++) {
        const [p, q] = [ar[i * n + c]!, ai[i * n + c]!]
        dr += ur[i]! * p + ui[i]! * q
        di += ur[i]! * q - ui[i]! * p
      }
      if (dr === 0 && di === 0) continue
      for (let i = k + 1; i < n; i++) {
        ar[i * n + c] = ar[i * n + c]! - f * (dr * ur[i]! - di * ui[i]!)
        ai[i * n + c] = ai[i * n + c]! - f * (dr * ui[i]! + di * ur[i]!)
      }
    }
    // A <- A P and Z <- Z P: each row r, a_r -= f (a_r u) u^H
    const right = (mr: Float64Array, mi: Float64Array) => {
      for (let r = 0; r < n; r++) {
        let dr = 0
        let di = 0
        for (let i = k + 1; i < n; i++) {
          const [p, q] = [mr[r * n + i]!, mi[r * n + i]!]
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
    right(zr, zi)
    for (let i = k + 2; i < n; i++) ar[i * n + k] = ai[i * n + k] = 0
  }
}

/** Complex Schur form of the Hessenberg (hr, hi) in place, Z updated; false when it does not converge. */
export const complexSchurIterate = (
  hr: Float64Array,
  hi: Float64Array,
  n: number,
  zr: Float64Array,
  zi: Float64Array
): boolean => {
  const abs1 = (i: number, j: number) => Math.abs(hr[i * n + j]!) + Math.abs(hi[i * n + j]!)
  let hiIdx = n - 1
  let iter = 0
  let total = 0
  const cs = new Float64Array(n)
  const [sr, si] = [new Float64Array(n), new Float64Array(n)]
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
    const [ar, ai] = [hr[(hiIdx - 1) * n + hiIdx - 1]!, hi[(hiIdx - 1) * n + hiIdx - 1]!]
    const [br, bi] = [hr[(hiIdx - 1) * n + hiIdx]!, hi[(hiIdx - 1) * n + hiIdx]!]
    const [cr, ci] = [hr[hiIdx * n + hiIdx - 1]!, hi[hiIdx * n + hiIdx - 1]!]
    const [dr, di] = [hr[hiIdx * n + hiIdx]!, hi[hiIdx * n + hiIdx]!]
    let mur: number
    let mui: number
    if (iter % 10 === 0) {
      // exceptional shift
      mur = dr + 0.75 * Math.abs(hr[hiIdx * n + hiIdx - 1]!)
      mui = di
    } else {
      // mu = d + t - sign * sqrt(t^2 + b c), t = (a - d) / 2
      const [tr, ti] = [(ar - dr) / 2, (ai - di) / 2]
      const [qr, qi] = [tr * tr - ti * ti + br * cr - bi * ci, 2 * tr * ti + br * ci + bi * cr]
      const mod = Math.hypot(qr, qi)
      let rr = Math.sqrt((mod + qr) / 2)
      let ri = Math.sqrt(Math.max(0, (mod - qr) / 2))
      if (qi < 0) ri = -ri
      // choose the root that makes |t + root| largest (mu nearest d)
      if (tr * rr + ti * ri < 0) {
        rr = -rr
        ri = -ri
      }
      const [er, ei] = [tr + rr, ti + ri]
      const den = er * er + ei * ei
      if (den === 0) {
        mur = dr
        mui = di
      } else {
        // mu = d - b c / (t + root)
        const [bcr, bci] = [br * cr - bi * ci, br * ci + bi * cr]
        mur = dr - (bcr * er + bci * ei) / den
        mui = di - (bci * er - bcr * ei) / den
      }
    }
    for (let k = l; k <= hiIdx; k++) {
      hr[k * n + k] = hr[k * n + k]! - mur
      hi[k * n + k] = hi[k * n + k]! - mui
    }
    // H - mu I = Q R by Givens rotations on rows (all columns to n - 1: the full Schur form)
    for (let k = l; k < hiIdx; k++) {
      const [xr, xi] = [hr[k * n + k]!, hi[k * n + k]!]
      const [yr, yi] = [hr[(k + 1) * n + k]!, hi[(k + 1) * n + k]!]
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
        const [pr, pi] = [xr / ax, xi / ax]
        gr = (pr * yr + pi * yi) / norm
        gi = (pi * yr - pr * yi) / norm
      }
      cs[k] = c
      sr[k] = gr
      si[k] = gi
      for (let j = k; j < n; j++) {
        const [ur, ui] = [hr[k * n + j]!, hi[k * n + j]!]
        const [vr, vi] = [hr[(k + 1) * n + j]!, hi[(k + 1) * n + j]!]
        // row k = c u + s v; row k+1 = -conj(s) u + c v
        hr[k * n + j] = c * ur + gr * vr - gi * vi
        hi[k * n + j] = c * ui + gr * vi + gi * vr
        hr[(k + 1) * n + j] = -(gr * ur + gi * ui) + c * vr
        hi[(k + 1) * n + j] = -(gr * ui - gi * ur) + c * vi
      }
    }
    // R Q + mu I: the rotations' adjoints on columns (rows 0 .. k + 2), and on Z
    const cols = (mr: Float64Array, mi: Float64Array, k: number, rows: number) => {
      const [c, gr, gi] = [cs[k]!, sr[k]!, si[k]!]
      for (let r = 0; r < rows; r++) {
        const [ur, ui] = [mr[r * n + k]!, mi[r * n + k]!]
        const [vr, vi] = [mr[r * n + k + 1]!, mi[r * n + k + 1]!]
        // col k = c u + conj(s) v; col k+1 = -s u + c v
        mr[r * n + k] = c * ur + gr * vr + gi * vi
        mi[r * n + k] = c * ui + gr * vi - gi * vr
        mr[r * n + k + 1] = -(gr * ur - gi * ui) + c * vr
        mi[r * n + k + 1] = -(gr * ui + gi * ur) + c * vi
      }
    }
    for (let k = l; k < hiIdx; k++) {
      cols(hr, hi, k, Math.min(k + 2, hiIdx) + 1)
      cols(zr, zi, k, n)
    }
    for (let k = l; k <= hiIdx; k++) {
      hr[k * n + k] = hr[k * n + k]! + mur
      hi[k * n + k] = hi[k * n + k]! + mui
    }
  }
  return true
}
