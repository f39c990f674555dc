/**
 * The symmetric tridiagonal eigenproblem by implicit QL (LAPACK's steqr), shared by the real
 * eigh (linalg.ts) and the Hermitian one (hermitianEigen.ts), whose tridiagonal is made real.
 */
import { rotationLog } from "./rotateRows.js"

const EPS = 2 ** -52

/**
 * The implicit QL algorithm with Wilkinson's shift on the real tridiagonal `(d, e)` (LAPACK's
 * steqr): eigenvalues into `d`, the rotations applied to the rows of `zt` (eigenvectors as rows),
 * and of `zti` when given (their imaginary parts: a Hermitian matrix's vectors, the rotations
 * being real). Returns false when an eigenvalue has not converged in 60 iterations.
 */
export const tridiagonalQl = (
  d: Float64Array,
  e: Float64Array,
  n: number,
  zt: Float64Array,
  zti?: Float64Array
): boolean => {
  // (the rotations depend on d and e alone: applied in cache-sized bands, see rotateRows.ts)
  // (about 1.4 n^2 rotations for a random matrix's vectors)
  const log = rotationLog(zt, n, 2 * n * n, zti)
  for (let l = 0; l < n; l++) {
    for (let iter = 0;; iter++) {
      let m = l
      while (m < n - 1) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!)
        if (Math.abs(e[m]!) <= EPS * dd) break
        m++
      }
      if (m === l) break
      if (iter === 60) {
        log.flush()
        return false
      }
      // the shift: the eigenvalue of the leading 2 x 2 block nearer d[l]
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!)
      let r = Math.hypot(g, 1)
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r))
      let sn = 1
      let c = 1
      let p = 0
      let i = m - 1
      for (; i >= l; i--) {
        const f = sn * e[i]!
        const b = c * e[i]!
        r = Math.hypot(f, g)
        e[i + 1] = r
        if (r === 0) {
          // deflation in the middle of the sweep
          d[i + 1] = d[i + 1]! - p
          e[m] = 0
          break
        }
        sn = f / r
        c = g / r
        g = d[i + 1]! - p
        r = (d[i]! - g) * sn + 2 * c * b
        p = sn * r
        d[i + 1] = g + p
        g = c * r - b
        // rows i and i + 1 of zt (columns of Z)
        log.rotate(i, i + 1, c, -sn)
      }
      if (r === 0 && i >= l) continue
      d[l] = d[l]! - p
      e[l] = g
      e[m] = 0
    }
  }
  log.flush()
  return true
}
