/**
 * The eigendecomposition of a Hermitian matrix by LAPACK's zheev route, as the
 * real eigh's syev route (linalg.ts): Householder reduction to a Hermitian
 * tridiagonal `T = Q^H A Q` (complex reflectors `H = I - 2 u u^H`), a diagonal
 * phase `D` that makes its off-diagonal real and non-negative (`D^H T D`, a real
 * symmetric tridiagonal), then implicit QL (tridiagonalQl.ts) with its real
 * rotations applied to both parts of `(Q D)^T`. About 4 times the real
 * routine's flops, where cyclic Jacobi with a phase step per entry took 8-10
 * sweeps of 6 n^3 complex flops.
 */
import { reflectorProduct } from "./complexReflectors.js"
import { tridiagonalQl } from "./tridiagonalQl.js"
import { NEGLIGIBLE, unitPhase, vectorNorm } from "./vectorNorm.js"

/**
 * Eigenvalues of the Hermitian (sr, si) (n x n, row-major, overwritten) into `w` ascending,
 * eigenvectors as the columns of (vr, vi); false when QL did not converge.
 */
export const hermitianEigen = (
  sr: Float64Array,
  si: Float64Array,
  n: number,
  w: Float64Array,
  vr: Float64Array,
  vi: Float64Array
): boolean => {
  // the reflectors' unit vectors, one row each (zero before k + 1)
  const ur = new Float64Array(n * n)
  const ui = new Float64Array(n * n)
  // 2 for each reflection made (`I - 2 u u^H`), 0 where none was needed
  const fs = new Float64Array(n)
  const pr = new Float64Array(n)
  const pi = new Float64Array(n)
  const d = new Float64Array(n)
  const er = new Float64Array(n)
  for (let k = 0; k + 2 < n; k++) {
    const u = k * n
    // nothing below the subdiagonal: no reflection (the phase below makes the entry real)
    // (or where the column is negligible, vectorNorm.ts: the entries below are ignored then)
    const below = vectorNorm(sr, (k + 2) * n + k, n - k - 2, n, si)
    const x0r = sr[(k + 1) * n + k]!
    const x0i = si[(k + 1) * n + k]!
    const x0 = Math.hypot(x0r, x0i)
    const norm = Math.hypot(x0, below)
    if (below === 0 || norm < NEGLIGIBLE) continue
    // alpha = -phase(x0) ||x||; v = x - alpha e1, ||v|| = ||x|| sqrt(2 (1 + |x0| / ||x||)): no
    // squares (they underflow, vectorNorm.ts), a division (the reciprocal of a denormal
    // overflows), exact under a power-of-two scaling (safeScale.ts)
    const [phr, phi] = unitPhase(x0r, x0i)
    const vNorm = norm * Math.sqrt(2 * (1 + x0 / norm))
    fs[k] = 2
    for (let i = k + 1; i < n; i++) {
      ur[u + i] = sr[i * n + k]! / vNorm
      ui[u + i] = si[i * n + k]! / vNorm
    }
    ur[u + k + 1] = (x0r + phr * norm) / vNorm
    ui[u + k + 1] = (x0i + phi * norm) / vNorm
    // p = A22 u, K = u^H p (real for Hermitian A22), p <- p - K u
    let kk = 0
    for (let i = k + 1; i < n; i++) {
      let accr = 0
      let acci = 0
      const row = i * n
      for (let j = k + 1; j < n; j++) {
        const ar = sr[row + j]!
        const ai = si[row + j]!
        const br = ur[u + j]!
        const bi = ui[u + j]!
        accr += ar * br - ai * bi
        acci += ar * bi + ai * br
      }
      pr[i] = accr
      pi[i] = acci
      kk += ur[u + i]! * accr + ui[u + i]! * acci
    }
    for (let i = k + 1; i < n; i++) {
      pr[i] = pr[i]! - kk * ur[u + i]!
      pi[i] = pi[i]! - kk * ui[u + i]!
    }
    // A22 <- A22 - 2 u p^H - 2 p u^H
    for (let i = k + 1; i < n; i++) {
      const row = i * n
      const uir = 2 * ur[u + i]!
      const uii = 2 * ui[u + i]!
      const wir = 2 * pr[i]!
      const wii = 2 * pi[i]!
      for (let j = k + 1; j < n; j++) {
        const wjr = pr[j]!
        const wjii = pi[j]!
        const ujr = ur[u + j]!
        const uji = ui[u + j]!
        // u_i conj(w_j) + w_i conj(u_j)
        sr[row + j] = sr[row + j]! - (uir * wjr + uii * wjii) - (wir * ujr + wii * uji)
        si[row + j] = si[row + j]! - (uii * wjr - uir * wjii) - (wii * ujr - wir * uji)
      }
    }
    // column k below the diagonal becomes alpha e1 (and row k its conjugate)
    sr[(k + 1) * n + k] = -phr * norm
    si[(k + 1) * n + k] = -phi * norm
    sr[k * n + k + 1] = -phr * norm
    si[k * n + k + 1] = phi * norm
    for (let i = k + 2; i < n; i++) {
      sr[i * n + k] =
        si[i * n + k] =
        sr[k * n + i] =
        si[k * n + i] =
          0
    }
  }
  // the real diagonal (a Hermitian matrix's), the complex subdiagonal made real by the phases
  // delta_0 = 1, delta_(i+1) = delta_i e_i / |e_i|
  const dr = new Float64Array(n)
  const dim = new Float64Array(n)
  dr[0] = 1
  for (let i = 0; i < n; i++) {
    d[i] = sr[i * n + i]!
    if (i + 1 >= n) {
      er[i] = 0
      continue
    }
    const cr = sr[(i + 1) * n + i]!
    const ci = si[(i + 1) * n + i]!
    const mag = Math.hypot(cr, ci)
    er[i] = mag
    const [qr, qi] = unitPhase(cr, ci)
    dr[i + 1] = dr[i]! * qr - dim[i]! * qi
    dim[i + 1] = dr[i]! * qi + dim[i]! * qr
  }
  // Q = H_0 ... H_(n-3) (H_k = I - 2 u u^H on indices k + 1..), then X = D Q^T: row i is delta_i
  // times column i of Q
  const qr = new Float64Array(n * n)
  const qi = new Float64Array(n * n)
  for (let i = 0; i < n; i++) qr[i * n + i] = 1
  reflectorProduct(qr, qi, n, n, n - 2, ur, ui, fs, n, 1)
  const xr = new Float64Array(n * n)
  const xi = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    const a = dr[i]!
    const b = dim[i]!
    for (let r = 0; r < n; r++) {
      const p = qr[r * n + i]!
      const q = qi[r * n + i]!
      xr[i * n + r] = a * p - b * q
      xi[i * n + r] = a * q + b * p
    }
  }
  if (!tridiagonalQl(d, er, n, xr, xi)) return false
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!)
  for (let j = 0; j < n; j++) {
    const o = order[j]!
    w[j] = d[o]!
    for (let r = 0; r < n; r++) {
      vr[r * n + j] = xr[o * n + r]!
      vi[r * n + j] = xi[o * n + r]!
    }
  }
  return true
}
