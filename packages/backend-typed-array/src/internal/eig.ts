/**
 * The general (non-symmetric) eigendecomposition on the CPU (JAX's `eig`
 * primitive, LAPACK geev's outputs), in complex float64 whatever the input:
 *
 * 1-2. the Schur form `A = Z T Z^H`: Hessenberg reduction (./complexSchur.ts),
 *    then for real input the real Schur form by Francis double steps
 *    (./realSchur.ts) made complex triangular block by block (`complexify`,
 *    LAPACK's rsf2csf), for complex input single-shift complex QR iterations;
 * 3. eigenvectors of `T` by back (right) and forward (left) substitution, a
 *    near-zero `T_jj - lambda` replaced by `eps ||T||` as LAPACK's trevc does,
 *    mapped back by `Z`, then scaled as geev scales them: unit Euclidean norm
 *    with the largest component real.
 *
 * No balancing (geev's default `gebal`) is done. Eigenvalues come in the
 * order the Schur form gives them (not sorted, as LAPACK's); for a real matrix
 * real eigenvalues are exactly real and complex ones come in exactly conjugate
 * pairs, the positive imaginary part first (geev's `wr`, `wi`). A matrix with
 * non-finite entries, or an iteration that does not converge (30 n sweeps),
 * gives NaN.
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"
import { complexSchurIterate, reduceToHessenberg } from "./complexSchur.js"
import { realSchurIterate, reduceToHessenbergReal } from "./realSchur.js"
import { scaleInPlace } from "./safeScale.js"
import { vectorNorm } from "./vectorNorm.js"

type HostArray = DType.HostArray

const EPS = 2 ** -52

interface Schur {
  readonly tr: Float64Array
  readonly ti: Float64Array
  readonly zr: Float64Array
  readonly zi: Float64Array
}

/** Unit norm with the largest component real (LAPACK geev's scaling) of column j of (vr, vi). */
const normalizeColumn = (vr: Float64Array, vi: Float64Array, n: number, j: number): void => {
  // (magnitudes, not squares: those underflow near 1e-162, vectorNorm.ts)
  let big = -1
  let at = 0
  for (let i = 0; i < n; i++) {
    const m = Math.hypot(vr[i * n + j]!, vi[i * n + j]!)
    if (m > big) {
      big = m
      at = i
    }
  }
  const pr = vr[at * n + j]!
  const pi = vi[at * n + j]!
  const mag = Math.hypot(pr, pi)
  if (mag === 0) return
  // multiply by conj(p) / (|p| ||v||)
  const norm = vectorNorm(vr, j, n, n, vi)
  const fr = pr / mag / norm
  const fi = -pi / mag / norm
  for (let i = 0; i < n; i++) {
    const a = vr[i * n + j]!
    const b = vi[i * n + j]!
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
  // (a zero T gives MIN_VALUE: EPS times it underflowed to zero, and 0 / 0 made a zero matrix's
  // eigenvectors NaN)
  const small = Math.max(EPS * tnorm, Number.MIN_VALUE)
  const yr = new Float64Array(n)
  const yi = new Float64Array(n)
  const vr = new Float64Array(n * n)
  const vi = new Float64Array(n * n)
  // (num) / (T_jj - lambda), the divisor kept away from zero
  const divide = (nr: number, ni: number, j: number, lr: number, li: number): readonly [number, number] => {
    let dr = tr[j * n + j]! - lr
    let di = ti[j * n + j]! - li
    if (Math.hypot(dr, di) < small) {
      dr = small
      di = 0
    }
    // Smith's division: no |d|^2 to underflow (or overflow)
    if (Math.abs(dr) >= Math.abs(di)) {
      const r = di / dr
      const den = dr + di * r
      return [(nr + ni * r) / den, (ni - nr * r) / den]
    }
    const r = dr / di
    const den = di + dr * r
    return [(nr * r + ni) / den, (ni * r - nr) / den]
  }
  for (let k = 0; k < n; k++) {
    const lr = tr[k * n + k]!
    const li = ti[k * n + k]!
    yr.fill(0)
    yi.fill(0)
    yr[k] = 1
    if (!left) {
      for (let j = k - 1; j >= 0; j--) {
        let sr = 0
        let si = 0
        for (let i = j + 1; i <= k; i++) {
          const ar = tr[j * n + i]!
          const ai = ti[j * n + i]!
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
          const ar = tr[i * n + j]!
          const ai = ti[i * n + j]!
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
        const a = zr[r * n + i]!
        const b = zi[r * n + i]!
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

/** Columns k, k + 1 (rows `0..rows`) of a complex matrix times `[[cs, i sg], [i sg, cs]]`. */
const rotateColumns = (
  mr: Float64Array,
  mi: Float64Array,
  n: number,
  k: number,
  rows: number,
  cs: number,
  sg: number
): void => {
  for (let i = 0; i < rows; i++) {
    const p = i * n + k
    const xr = mr[p]!
    const xi = mi[p]!
    const yr = mr[p + 1]!
    const yi = mi[p + 1]!
    // x cs + y i sg, x i sg + y cs
    mr[p] = cs * xr - sg * yi
    mi[p] = cs * xi + sg * yr
    mr[p + 1] = -sg * xi + cs * yr
    mi[p + 1] = sg * xr + cs * yi
  }
}

/**
 * A real quasi-triangular `T` (standardized 2 x 2 blocks `[a b; c a]`, `b c < 0`, for the
 * complex pairs) made upper triangular and complex, `Z` along (LAPACK's rsf2csf): each block's
 * unitary `G = [v, w]`, `v` its eigenvector of `a + i mu` (`mu = sqrt(|b| |c|)`), applied as
 * `G^H T G` and `Z G`; the block's diagonal becomes `a + i mu, a - i mu` exactly (geev's `wr`,
 * `wi`) and its subdiagonal zero.
 */
const complexify = (tr: Float64Array, ti: Float64Array, zr: Float64Array, zi: Float64Array, n: number): void => {
  for (let k = 0; k + 1 < n; k++) {
    const c = tr[(k + 1) * n + k]!
    if (c === 0) continue
    const a = tr[k * n + k]!
    const b = tr[k * n + k + 1]!
    const mu = Math.sqrt(Math.abs(b)) * Math.sqrt(Math.abs(c))
    // v = (b, i mu) / rho: G = [[cs, i sg], [i sg, cs]], unitary as cs^2 + sg^2 = 1
    const rho = Math.hypot(b, mu)
    const cs = b / rho
    const sg = mu / rho
    // rows k, k + 1 by G^H = [[cs, -i sg], [-i sg, cs]] (columns k..: T is zero left of the block)
    for (let j = k; j < n; j++) {
      const p = k * n + j
      const q = p + n
      const xr = tr[p]!
      const xi = ti[p]!
      const yr = tr[q]!
      const yi = ti[q]!
      // cs x - i sg y, -i sg x + cs y
      tr[p] = cs * xr + sg * yi
      ti[p] = cs * xi - sg * yr
      tr[q] = sg * xi + cs * yr
      ti[q] = -sg * xr + cs * yi
    }
    // columns k, k + 1 by G (rows ..k + 1 of T, all of Z)
    rotateColumns(tr, ti, n, k, k + 2, cs, sg)
    rotateColumns(zr, zi, n, k, n, cs, sg)
    tr[k * n + k] = a
    ti[k * n + k] = mu
    tr[(k + 1) * n + k + 1] = a
    ti[(k + 1) * n + k + 1] = -mu
    tr[(k + 1) * n + k] = 0
    ti[(k + 1) * n + k] = 0
    k++
  }
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
  const hr = new Float64Array(n * n)
  const hi = new Float64Array(n * n)
  const zr = new Float64Array(n * n)
  const zi = new Float64Array(n * n)
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
    // eigenvalues scale with A, its (unit) eigenvectors do not
    const scale = finite ? scaleInPlace(hr, hi) : 1
    // eigenvalues alone: no Schur vectors, the QR sweeps on the active block only
    const vectors = vlOut !== undefined || vrOut !== undefined
    // real input: the real Schur form (Francis double steps, real arithmetic), so real eigenvalues
    // are exactly real and complex ones come in exactly conjugate pairs (geev's dhseqr path)
    const ok = finite && (complex
      ? (reduceToHessenberg(hr, hi, n, vectors ? zr : undefined, vectors ? zi : undefined),
        complexSchurIterate(hr, hi, n, zr, zi, vectors))
      : (reduceToHessenbergReal(hr, n, vectors ? zr : undefined),
        realSchurIterate(hr, n, vectors ? zr : undefined, vectors)))
    if (!ok) {
      wOut.fill(NaN, 2 * b * n, 2 * (b + 1) * n)
      vlOut?.fill(NaN, 2 * b * n * n, 2 * (b + 1) * n * n)
      vrOut?.fill(NaN, 2 * b * n * n, 2 * (b + 1) * n * n)
      continue
    }
    if (!complex) {
      for (let k = 0; k < n; k++) {
        const pair = k + 1 < n && hr[(k + 1) * n + k] !== 0
        const mu = pair ? Math.sqrt(Math.abs(hr[k * n + k + 1]!)) * Math.sqrt(Math.abs(hr[(k + 1) * n + k]!)) : 0
        wOut[2 * (b * n + k)] = hr[k * n + k]! / scale
        wOut[2 * (b * n + k) + 1] = mu / scale
        if (pair) {
          wOut[2 * (b * n + k + 1)] = hr[(k + 1) * n + k + 1]! / scale
          wOut[2 * (b * n + k + 1) + 1] = -mu / scale
          k++
        }
      }
      if (!vectors) continue
      hi.fill(0)
      zi.fill(0)
      complexify(hr, hi, zr, zi, n)
    } else {
      for (let k = 0; k < n; k++) {
        wOut[2 * (b * n + k)] = hr[k * n + k]! / scale
        wOut[2 * (b * n + k) + 1] = hi[k * n + k]! / scale
      }
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
