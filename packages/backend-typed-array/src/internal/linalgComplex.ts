/**
 * The complex (interleaved `[re, im]` storage) kernels of qr, eigh and svd,
 * the same algorithms as the real ones in linalg.ts, in float64:
 *
 * - qr: Householder reflections with LAPACK zgeqrf's conventions (zlarfg: a
 *   real, sign-flipped `beta` on R's diagonal, complex `tau`, `Q = H_1 ... H_k`
 *   with `H = I - tau v v^H`, and `H^H` applied to R).
 * - eigh: Householder reduction to a Hermitian tridiagonal, made real by a
 *   diagonal phase, then implicit QL (LAPACK's zheev route; hermitianEigen.ts).
 * - svd: complex Householder bidiagonalization made real by diagonal phases,
 *   then the real bidiagonal's QR sweeps (LAPACK's zgesvd route;
 *   complexBidiagonalSvd.ts), so `A V = U S` and `vh = V^H`.
 *
 * Every matrix is held as two Float64Arrays (real and imaginary parts).
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"
import { complexTallSvd } from "./complexBidiagonalSvd.js"
import { hermitianEigen } from "./hermitianEigen.js"
import { scaleInPlace } from "./safeScale.js"
import { scaleUpNegligible, vectorNorm } from "./vectorNorm.js"

type HostArray = DType.HostArray

const batchOf = (a: AbstractValue): number => Shape.sizeOf(a.shape.slice(0, a.shape.length - 2))

/** Reads matrix `b` (`size` complex entries) of interleaved `x` into `re`, `im`. */
const load = (x: HostArray, b: number, size: number, re: Float64Array, im: Float64Array): void => {
  const o = 2 * b * size
  for (let i = 0; i < size; i++) {
    re[i] = x[o + 2 * i]!
    im[i] = x[o + 2 * i + 1]!
  }
}

const allFinite = (re: Float64Array, im: Float64Array): boolean => {
  for (let i = 0; i < re.length; i++) if (!Number.isFinite(re[i]!) || !Number.isFinite(im[i]!)) return false
  return true
}

export const qrComplex = (
  x: HostArray,
  xa: AbstractValue,
  { fullMatrices }: Params<"qr">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const m = xa.shape.at(-2)!
  const n = xa.shape.at(-1)!
  const k = Math.min(m, n)
  const qc = fullMatrices ? m : k
  const count = batchOf(xa)
  const qOut = DType.allocHost(outs[0]!.dtype, 2 * count * m * qc)
  const rOut = DType.allocHost(outs[1]!.dtype, 2 * count * qc * n)
  const rr = new Float64Array(m * n)
  const ri = new Float64Array(m * n)
  // reflector j: v[j] = 1, v[j+1:] below, in column j of (vr, vi)
  const vr = new Float64Array(m * k)
  const vi = new Float64Array(m * k)
  const tr = new Float64Array(k)
  const ti = new Float64Array(k)
  const qr_ = new Float64Array(m * qc)
  const qi = new Float64Array(m * qc)
  // dot products of v with columns c0..c1 of a (`cols` columns), then those columns
  // -= (fr + i fi) v, over rows j..; row by row (contiguous sweeps), each column's sums in row order
  const wr = new Float64Array(Math.max(n, qc))
  const wi = new Float64Array(Math.max(n, qc))
  const apply = (
    ar: Float64Array,
    ai: Float64Array,
    cols: number,
    c0: number,
    c1: number,
    j: number,
    conjTau: boolean
  ): void => {
    if (c0 >= c1) return
    // dot = v^H x
    wr.fill(0, c0, c1)
    wi.fill(0, c0, c1)
    for (let i = j; i < m; i++) {
      const a = vr[i * k + j]!
      const b = vi[i * k + j]!
      const row = i * cols
      for (let c = c0; c < c1; c++) {
        const p = ar[row + c]!
        const q = ai[row + c]!
        wr[c] = wr[c]! + (a * p + b * q)
        wi[c] = wi[c]! + (a * q - b * p)
      }
    }
    const t0 = tr[j]!
    const t1 = conjTau ? -ti[j]! : ti[j]!
    for (let c = c0; c < c1; c++) {
      const dr = wr[c]!
      const di = wi[c]!
      wr[c] = t0 * dr - t1 * di
      wi[c] = t0 * di + t1 * dr
    }
    for (let i = j; i < m; i++) {
      const a = vr[i * k + j]!
      const b = vi[i * k + j]!
      const row = i * cols
      for (let c = c0; c < c1; c++) {
        const fr = wr[c]!
        const fi = wi[c]!
        // (a column whose factor is 0 is left as it is)
        if (fr === 0 && fi === 0) continue
        ar[row + c] = ar[row + c]! - (fr * a - fi * b)
        ai[row + c] = ai[row + c]! - (fr * b + fi * a)
      }
    }
  }
  for (let b = 0; b < count; b++) {
    load(x, b, m * n, rr, ri)
    // (R scales with A, Q does not)
    const scale = scaleInPlace(rr, ri)
    vr.fill(0)
    vi.fill(0)
    for (let j = 0; j < k; j++) {
      // (vectorNorm.ts: a plain sum of squares underflows near 1e-162)
      const xnorm0 = vectorNorm(rr, (j + 1) * n + j, m - j - 1, n, ri)
      if (xnorm0 === 0 && ri[j * n + j] === 0) {
        tr[j] = 0
        ti[j] = 0
        continue
      }
      // a negligible column (vectorNorm.ts) is scaled up by a power of two, exactly, for its
      // reflector, as LAPACK's zlarfg does (R's diagonal stays real); beta is scaled back
      const norm0 = Math.hypot(rr[j * n + j]!, ri[j * n + j]!, xnorm0)
      const up = scaleUpNegligible(rr, ri, j * n + j, m - j, n, norm0)
      const alr = rr[j * n + j]!
      const ali = ri[j * n + j]!
      const xnorm = up === 1 ? xnorm0 : vectorNorm(rr, (j + 1) * n + j, m - j - 1, n, ri)
      const norm = Math.hypot(alr, ali, xnorm)
      const beta = alr >= 0 ? -norm : norm
      tr[j] = (beta - alr) / beta
      ti[j] = -ali / beta
      // v = x / (alpha - beta) by Smith's division (|dr| >= |beta| >= |di|): no squares
      const dr = alr - beta
      const ratio = ali / dr
      const den = dr + ali * ratio
      vr[j * k + j] = 1
      for (let i = j + 1; i < m; i++) {
        const p = rr[i * n + j]!
        const q = ri[i * n + j]!
        vr[i * k + j] = (p + q * ratio) / den
        vi[i * k + j] = (q - p * ratio) / den
        rr[i * n + j] = 0
        ri[i * n + j] = 0
      }
      rr[j * n + j] = beta / up
      ri[j * n + j] = 0
      apply(rr, ri, n, j + 1, n, j, true)
    }
    qr_.fill(0)
    qi.fill(0)
    for (let i = 0; i < qc; i++) qr_[i * qc + i] = 1
    for (let j = k - 1; j >= 0; j--) {
      if (tr[j] === 0 && ti[j] === 0) continue
      apply(qr_, qi, qc, 0, qc, j, false)
    }
    const qo = 2 * b * m * qc
    for (let i = 0; i < m * qc; i++) {
      qOut[qo + 2 * i] = qr_[i]!
      qOut[qo + 2 * i + 1] = qi[i]!
    }
    const ro = 2 * b * qc * n
    for (let i = 0; i < qc; i++) {
      for (let c = 0; c < n; c++) {
        const keep = i < m && c >= i
        rOut[ro + 2 * (i * n + c)] = keep ? rr[i * n + c]! / scale : 0
        rOut[ro + 2 * (i * n + c) + 1] = keep ? ri[i * n + c]! / scale : 0
      }
    }
  }
  return [qOut, rOut]
}

/** Multiplies entry `at` of (re, im) by `(cr + i ci)`. */
export const eighComplex = (
  x: HostArray,
  xa: AbstractValue,
  { lower }: Params<"eigh">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const n = xa.shape.at(-1)!
  const count = batchOf(xa)
  const vOut = DType.allocHost(outs[0]!.dtype, 2 * count * n * n)
  const wOut = DType.allocHost(outs[1]!.dtype, count * n)
  const ar = new Float64Array(n * n)
  const ai = new Float64Array(n * n)
  const sr = new Float64Array(n * n)
  const si = new Float64Array(n * n)
  const vr = new Float64Array(n * n)
  const vi = new Float64Array(n * n)
  const w = new Float64Array(n)
  for (let b = 0; b < count; b++) {
    load(x, b, n * n, ar, ai)
    // the Hermitian matrix of one triangle; the diagonal's imaginary part is not read (LAPACK's zheevd)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const [re, im] = lower ? [ar[i * n + j]!, ai[i * n + j]!] : [ar[j * n + i]!, -ai[j * n + i]!]
        sr[i * n + j] = re
        si[i * n + j] = im
        sr[j * n + i] = re
        si[j * n + i] = -im
      }
      sr[i * n + i] = ar[i * n + i]!
      si[i * n + i] = 0
    }
    const scale = scaleInPlace(sr, si)
    if (!allFinite(sr, si) || !hermitianEigen(sr, si, n, w, vr, vi)) {
      w.fill(NaN)
      vr.fill(NaN)
      vi.fill(NaN)
    } else if (scale !== 1) {
      for (let i = 0; i < n; i++) w[i] = w[i]! / scale
    }
    const o = 2 * b * n * n
    for (let i = 0; i < n * n; i++) {
      vOut[o + 2 * i] = vr[i]!
      vOut[o + 2 * i + 1] = vi[i]!
    }
    wOut.set(w, b * n)
  }
  return [vOut, wOut]
}

export const svdComplex = (
  x: HostArray,
  xa: AbstractValue,
  { computeUv, fullMatrices }: Params<"svd">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const m = xa.shape.at(-2)!
  const n = xa.shape.at(-1)!
  const k = Math.min(m, n)
  const count = batchOf(xa)
  const sOut = DType.allocHost(outs[0]!.dtype, count * k)
  const uc = fullMatrices ? m : k
  const vr_ = fullMatrices ? n : k
  const uOut = computeUv ? DType.allocHost(outs[1]!.dtype, 2 * count * m * uc) : undefined
  const vtOut = computeUv ? DType.allocHost(outs[2]!.dtype, 2 * count * vr_ * n) : undefined
  const ar = new Float64Array(m * n)
  const ai = new Float64Array(m * n)
  // writes u[i, j] = (re, im) and vh[j, c] = (re, im)
  const putU = (b: number, i: number, j: number, re: number, im: number) => {
    const at = 2 * (b * m * uc + i * uc + j)
    uOut![at] = re
    uOut![at + 1] = im
  }
  const putVh = (b: number, j: number, c: number, re: number, im: number) => {
    const at = 2 * (b * vr_ * n + j * n + c)
    vtOut![at] = re
    vtOut![at + 1] = im
  }
  for (let b = 0; b < count; b++) {
    load(x, b, m * n, ar, ai)
    if (!allFinite(ar, ai)) {
      sOut.fill(NaN, b * k, (b + 1) * k)
      uOut?.fill(NaN, 2 * b * m * uc, 2 * (b + 1) * m * uc)
      vtOut?.fill(NaN, 2 * b * vr_ * n, 2 * (b + 1) * vr_ * n)
      continue
    }
    if (m >= n) {
      // A = U S V^H: u[i, j] = U row j, vh[j, :] = conj(V row j)
      const r = complexTallSvd(ar, ai, m, n, uc, computeUv)
      sOut.set(r.s, b * k)
      if (computeUv) {
        for (let i = 0; i < m; i++) for (let j = 0; j < uc; j++) putU(b, i, j, r.ur[j * m + i]!, r.ui[j * m + i]!)
        for (let j = 0; j < vr_; j++) for (let c = 0; c < n; c++) putVh(b, j, c, r.vr[j * n + c]!, -r.vi[j * n + c]!)
      }
    } else {
      // A^H = U' S V'^H, so A = V' S U'^H: u = V', vh = U'^H
      const hr = new Float64Array(n * m)
      const hi = new Float64Array(n * m)
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          hr[j * m + i] = ar[i * n + j]!
          hi[j * m + i] = -ai[i * n + j]!
        }
      }
      const r = complexTallSvd(hr, hi, n, m, vr_, computeUv)
      sOut.set(r.s, b * k)
      if (computeUv) {
        for (let i = 0; i < m; i++) for (let j = 0; j < uc; j++) putU(b, i, j, r.vr[j * m + i]!, r.vi[j * m + i]!)
        for (let j = 0; j < vr_; j++) for (let c = 0; c < n; c++) putVh(b, j, c, r.ur[j * n + c]!, -r.ui[j * n + c]!)
      }
    }
  }
  return computeUv ? [sOut, uOut!, vtOut!] : [sOut]
}
