/**
 * The general (non-symmetric) eigendecomposition on the CPU (JAX's `eig`
 * primitive, LAPACK geev's outputs), in complex float64 whatever the input:
 *
 * 1. Householder reduction to upper Hessenberg form `A = Z H Z^H`;
 * 2. single-shift complex QR iterations with Wilkinson shifts (Givens
 *    rotations, deflation on negligible subdiagonals, an exceptional shift
 *    every 10 stalled iterations) to the complex Schur form `A = Z T Z^H`;
 * 3. eigenvectors of `T` by back (right) and forward (left) substitution, a
 *    near-zero `T_jj - lambda` replaced by `eps ||T||` as LAPACK's trevc does,
 *    mapped back by `Z`, then scaled as geev scales them: unit Euclidean norm
 *    with the largest component real.
 *
 * No balancing (geev's default `gebal`) is done. Eigenvalues come in the
 * order the Schur form gives them (not sorted, as LAPACK's); for a real matrix
 * complex-conjugate pairs are conjugate to rounding, not exactly. A matrix with
 * non-finite entries, or an iteration that does not converge (30 n sweeps),
 * gives NaN.
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"

type HostArray = DType.HostArray

const EPS = 2 ** -52

interface Schur {
  readonly tr: Float64Array
  readonly ti: Float64Array
  readonly zr: Float64Array
  readonly zi: Float64Array
}

/** Householder reduction of (ar, ai) (n x n, overwritten) to Hessenberg form; Z accumulated. */
const hessenberg = (ar: Float64Array, ai: Float64Array, n: number, zr: Float64Array, zi: Float64Array): void => {
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
const schur = (hr: Float64Array, hi: Float64Array, n: number, zr: Float64Array, zi: Float64Array): boolean => {
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

/** Unit norm with the largest component real (LAPACK geev's scaling) of column j of (vr, vi). */
const normalizeColumn = (vr: Float64Array, vi: Float64Array, n: number, j: number): void => {
  let norm2 = 0
  let big = -1
  let at = 0
  for (let i = 0; i < n; i++) {
    const m = vr[i * n + j]! ** 2 + vi[i * n + j]! ** 2
    norm2 += m
    if (m > big) {
      big = m
      at = i
    }
  }
  const [pr, pi] = [vr[at * n + j]!, vi[at * n + j]!]
  const mag = Math.hypot(pr, pi)
  if (mag === 0) return
  // multiply by conj(p) / (|p| ||v||)
  const [fr, fi] = [pr / mag / Math.sqrt(norm2), -pi / mag / Math.sqrt(norm2)]
  for (let i = 0; i < n; i++) {
    const [a, b] = [vr[i * n + j]!, vi[i * n + j]!]
    vr[i * n + j] = a * fr - b * fi
    vi[i * n + j] = a * fi + b * fr
  }
  vi[at * n + j] = 0
}

/** Eigenvectors of the triangular T mapped by Z: right (T y = lambda y) or left (x^H T = lambda x^H), as columns. */
const eigenvectors = (s: Schur, n: number, left: boolean): readonly [Float64Array, Float64Array] => {
  const { tr, ti, zr, zi } = s
  let tnorm = 0
  for (let i = 0; i < n * n; i++) tnorm = Math.max(tnorm, Math.hypot(tr[i]!, ti[i]!))
  const small = EPS * Math.max(tnorm, Number.MIN_VALUE)
  const [yr, yi] = [new Float64Array(n), new Float64Array(n)]
  const [vr, vi] = [new Float64Array(n * n), new Float64Array(n * n)]
  // (num) / (T_jj - lambda), the divisor kept away from zero
  const divide = (nr: number, ni: number, j: number, lr: number, li: number): readonly [number, number] => {
    let dr = tr[j * n + j]! - lr
    let di = ti[j * n + j]! - li
    if (Math.hypot(dr, di) < small) {
      dr = small
      di = 0
    }
    const den = dr * dr + di * di
    return [(nr * dr + ni * di) / den, (ni * dr - nr * di) / den]
  }
  for (let k = 0; k < n; k++) {
    const [lr, li] = [tr[k * n + k]!, ti[k * n + k]!]
    yr.fill(0)
    yi.fill(0)
    yr[k] = 1
    if (!left) {
      for (let j = k - 1; j >= 0; j--) {
        let sr = 0
        let si = 0
        for (let i = j + 1; i <= k; i++) {
          const [ar, ai] = [tr[j * n + i]!, ti[j * n + i]!]
          sr += ar * yr[i]! - ai * yi[i]!
          si += ar * yi[i]! + ai * yr[i]!
        }
        ;[yr[j], yi[j]] = divide(-sr, -si, j, lr, li)
      }
    } else {
      // conj(x_j) = -(sum_i conj(x_i) T_ij) / (T_jj - lambda): solved for w = conj(x)
      for (let j = k + 1; j < n; j++) {
        let sr = 0
        let si = 0
        for (let i = k; i < j; i++) {
          const [ar, ai] = [tr[i * n + j]!, ti[i * n + j]!]
          sr += ar * yr[i]! - ai * yi[i]!
          si += ar * yi[i]! + ai * yr[i]!
        }
        ;[yr[j], yi[j]] = divide(-sr, -si, j, lr, li)
      }
      for (let j = 0; j < n; j++) yi[j] = -yi[j]!
    }
    // column k of Z y
    for (let r = 0; r < n; r++) {
      let sr = 0
      let si = 0
      for (let i = 0; i < n; i++) {
        const [a, b] = [zr[r * n + i]!, zi[r * n + i]!]
        sr += a * yr[i]! - b * yi[i]!
        si += a * yi[i]! + b * yr[i]!
      }
      vr[r * n + k] = sr
      vi[r * n + k] = si
    }
    normalizeColumn(vr, vi, n, k)
  }
  return [vr, vi]
}

export const eig = (
  x: HostArray,
  xa: AbstractValue,
  { computeLeftEigenvectors, computeRightEigenvectors }: Params<"eig">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const n = xa.shape.at(-1)!
  const count = Shape.sizeOf(xa.shape.slice(0, -2))
  const complex = DType.isComplex(xa.dtype)
  const wOut = DType.allocHost(outs[0]!.dtype, 2 * count * n)
  const vlOut = computeLeftEigenvectors ? DType.allocHost(outs[1]!.dtype, 2 * count * n * n) : undefined
  const vrOut = computeRightEigenvectors ? DType.allocHost(outs.at(-1)!.dtype, 2 * count * n * n) : undefined
  const [hr, hi] = [new Float64Array(n * n), new Float64Array(n * n)]
  const [zr, zi] = [new Float64Array(n * n), new Float64Array(n * n)]
  const put = (dst: HostArray, o: number, re: Float64Array, im: Float64Array) => {
    for (let i = 0; i < re.length; i++) {
      dst[o + 2 * i] = re[i]!
      dst[o + 2 * i + 1] = im[i]!
    }
  }
  for (let b = 0; b < count; b++) {
    let finite = true
    for (let i = 0; i < n * n; i++) {
      hr[i] = complex ? x[2 * (b * n * n + i)]! : x[b * n * n + i]!
      hi[i] = complex ? x[2 * (b * n * n + i) + 1]! : 0
      if (!Number.isFinite(hr[i]!) || !Number.isFinite(hi[i]!)) finite = false
    }
    const ok = finite && (hessenberg(hr, hi, n, zr, zi), schur(hr, hi, n, zr, zi))
    if (!ok) {
      wOut.fill(NaN, 2 * b * n, 2 * (b + 1) * n)
      vlOut?.fill(NaN, 2 * b * n * n, 2 * (b + 1) * n * n)
      vrOut?.fill(NaN, 2 * b * n * n, 2 * (b + 1) * n * n)
      continue
    }
    for (let k = 0; k < n; k++) {
      wOut[2 * (b * n + k)] = hr[k * n + k]!
      wOut[2 * (b * n + k) + 1] = hi[k * n + k]!
    }
    const s: Schur = { tr: hr, ti: hi, zr, zi }
    if (vlOut !== undefined) put(vlOut, 2 * b * n * n, ...eigenvectors(s, n, true))
    if (vrOut !== undefined) put(vrOut, 2 * b * n * n, ...eigenvectors(s, n, false))
  }
  const result: Array<HostArray> = [wOut]
  if (vlOut !== undefined) result.push(vlOut)
  if (vrOut !== undefined) result.push(vrOut)
  return result
}
