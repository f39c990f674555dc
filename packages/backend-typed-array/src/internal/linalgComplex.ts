/**
 * The complex (interleaved `[re, im]` storage) kernels of qr, eigh and svd,
 * the same algorithms as the real ones in linalg.ts, in float64:
 *
 * - qr: Householder reflections with LAPACK zgeqrf's conventions (zlarfg: a
 *   real, sign-flipped `beta` on R's diagonal, complex `tau`, `Q = H_1 ... H_k`
 *   with `H = I - tau v v^H`, and `H^H` applied to R).
 * - eigh: Householder reduction to a Hermitian tridiagonal, made real by a
 *   diagonal phase, then implicit QL (LAPACK's zheev route; hermitianEigen.ts).
 * - svd: one-sided Jacobi with the same phase step on each column pair
 *   (`w_p^H w_q` made real), so `A V = U S` and `vh = V^H`.
 *
 * Every matrix is held as two Float64Arrays (real and imaginary parts).
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"
import { hermitianEigen } from "./hermitianEigen.js"

type HostArray = DType.HostArray

const EPS = 2 ** -52
const MAX_SWEEPS = 80

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
  // x -= (fr + i fi) v over rows j.. of column c of a (stride `cols`)
  const apply = (
    ar: Float64Array,
    ai: Float64Array,
    cols: number,
    c: number,
    j: number,
    conjTau: boolean
  ): void => {
    // dot = v^H x
    let dr = 0
    let di = 0
    for (let i = j; i < m; i++) {
      const a = vr[i * k + j]!
      const b = vi[i * k + j]!
      const p = ar[i * cols + c]!
      const q = ai[i * cols + c]!
      dr += a * p + b * q
      di += a * q - b * p
    }
    const t0 = tr[j]!
    const t1 = conjTau ? -ti[j]! : ti[j]!
    const fr = t0 * dr - t1 * di
    const fi = t0 * di + t1 * dr
    if (fr === 0 && fi === 0) return
    for (let i = j; i < m; i++) {
      const a = vr[i * k + j]!
      const b = vi[i * k + j]!
      ar[i * cols + c] = ar[i * cols + c]! - (fr * a - fi * b)
      ai[i * cols + c] = ai[i * cols + c]! - (fr * b + fi * a)
    }
  }
  for (let b = 0; b < count; b++) {
    load(x, b, m * n, rr, ri)
    vr.fill(0)
    vi.fill(0)
    for (let j = 0; j < k; j++) {
      const alr = rr[j * n + j]!
      const ali = ri[j * n + j]!
      let xnorm2 = 0
      for (let i = j + 1; i < m; i++) xnorm2 += rr[i * n + j]! ** 2 + ri[i * n + j]! ** 2
      if (xnorm2 === 0 && ali === 0) {
        tr[j] = 0
        ti[j] = 0
        continue
      }
      const norm = Math.hypot(alr, ali, Math.sqrt(xnorm2))
      const beta = alr >= 0 ? -norm : norm
      tr[j] = (beta - alr) / beta
      ti[j] = -ali / beta
      // scale = 1 / (alpha - beta)
      const dr = alr - beta
      const di = ali
      const den = dr * dr + di * di
      const sr = dr / den
      const si = -di / den
      vr[j * k + j] = 1
      for (let i = j + 1; i < m; i++) {
        const p = rr[i * n + j]!
        const q = ri[i * n + j]!
        vr[i * k + j] = p * sr - q * si
        vi[i * k + j] = p * si + q * sr
        rr[i * n + j] = 0
        ri[i * n + j] = 0
      }
      rr[j * n + j] = beta
      ri[j * n + j] = 0
      for (let c = j + 1; c < n; c++) apply(rr, ri, n, c, j, true)
    }
    qr_.fill(0)
    qi.fill(0)
    for (let i = 0; i < qc; i++) qr_[i * qc + i] = 1
    for (let j = k - 1; j >= 0; j--) {
      if (tr[j] === 0 && ti[j] === 0) continue
      for (let c = 0; c < qc; c++) apply(qr_, qi, qc, c, j, false)
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
        rOut[ro + 2 * (i * n + c)] = keep ? rr[i * n + c]! : 0
        rOut[ro + 2 * (i * n + c) + 1] = keep ? ri[i * n + c]! : 0
      }
    }
  }
  return [qOut, rOut]
}

/** Multiplies entry `at` of (re, im) by `(cr + i ci)`. */
const scaleEntry = (re: Float64Array, im: Float64Array, at: number, cr: number, ci: number): void => {
  const p = re[at]!
  const q = im[at]!
  re[at] = p * cr - q * ci
  im[at] = p * ci + q * cr
}

/** Real rotation of entries `i`, `j`: `(x, y) <- (c x - s y, s x + c y)` on both parts. */
const rotate = (re: Float64Array, im: Float64Array, i: number, j: number, c: number, s: number): void => {
  const xr = re[i]!
  const yr = re[j]!
  re[i] = c * xr - s * yr
  re[j] = s * xr + c * yr
  const xi = im[i]!
  const yi = im[j]!
  im[i] = c * xi - s * yi
  im[j] = s * xi + c * yi
}

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
    if (!allFinite(sr, si) || !hermitianEigen(sr, si, n, w, vr, vi)) {
      w.fill(NaN)
      vr.fill(NaN)
      vi.fill(NaN)
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

/**
 * Completes the rows of (ur, ui) (r rows of length m, orthonormal where
 * `valid`) to orthonormal rows (the real kernel's Gram-Schmidt with `u^H x`).
 */
const complete = (ur: Float64Array, ui: Float64Array, r: number, m: number, valid: Uint8Array): void => {
  const cr = new Float64Array(m)
  const ci = new Float64Array(m)
  for (let j = 0; j < r; j++) {
    if (valid[j]) continue
    let bestNorm = -1
    let best = 0
    for (let e = 0; e < m; e++) {
      let s = 1
      for (let i = 0; i < r; i++) if (valid[i]) s -= ur[i * m + e]! ** 2 + ui[i * m + e]! ** 2
      if (s > bestNorm) {
        bestNorm = s
        best = e
      }
    }
    cr.fill(0)
    ci.fill(0)
    cr[best] = 1
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < r; i++) {
        if (!valid[i]) continue
        let dr = 0
        let di = 0
        for (let c = 0; c < m; c++) {
          const a = ur[i * m + c]!
          const b = ui[i * m + c]!
          dr += a * cr[c]! + b * ci[c]!
          di += a * ci[c]! - b * cr[c]!
        }
        for (let c = 0; c < m; c++) {
          const a = ur[i * m + c]!
          const b = ui[i * m + c]!
          cr[c] = cr[c]! - (dr * a - di * b)
          ci[c] = ci[c]! - (dr * b + di * a)
        }
      }
    }
    let norm = 0
    for (let c = 0; c < m; c++) norm += cr[c]! ** 2 + ci[c]! ** 2
    norm = Math.sqrt(norm)
    for (let c = 0; c < m; c++) {
      ur[j * m + c] = cr[c]! / norm
      ui[j * m + c] = ci[c]! / norm
    }
    valid[j] = 1
  }
}

interface TallSvd {
  /** Left singular vectors as rows (`uRows` x m). */
  readonly ur: Float64Array
  readonly ui: Float64Array
  readonly s: Float64Array
  /** Right singular vectors as rows (n x n): row j is V[:, j]. */
  readonly vr: Float64Array
  readonly vi: Float64Array
}

/** One-sided Jacobi SVD of the tall complex (ar, ai) (m x n, m >= n). */
const tallSvd = (ar: Float64Array, ai: Float64Array, m: number, n: number, uRows: number): TallSvd => {
  // columns of A as rows of w
  const wr = new Float64Array(n * m)
  const wi = new Float64Array(n * m)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      wr[j * m + i] = ar[i * n + j]!
      wi[j * m + i] = ai[i * n + j]!
    }
  }
  const vr = new Float64Array(n * n)
  const vi = new Float64Array(n * n)
  for (let j = 0; j < n; j++) vr[j * n + j] = 1
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0
        let beta = 0
        let gr = 0
        let gi = 0
        for (let i = 0; i < m; i++) {
          const xr = wr[p * m + i]!
          const xi = wi[p * m + i]!
          const yr = wr[q * m + i]!
          const yi = wi[q * m + i]!
          alpha += xr * xr + xi * xi
          beta += yr * yr + yi * yi
          // conj(x) y
          gr += xr * yr + xi * yi
          gi += xr * yi - xi * yr
        }
        const gamma = Math.hypot(gr, gi)
        if (gamma === 0 || gamma <= EPS * Math.sqrt(alpha * beta)) continue
        rotated = true
        // column q times e^(-i phi) makes w_p^H w_q = gamma real
        const cr = gr / gamma
        const ci = -gi / gamma
        for (let i = 0; i < m; i++) scaleEntry(wr, wi, q * m + i, cr, ci)
        for (let i = 0; i < n; i++) scaleEntry(vr, vi, q * n + i, cr, ci)
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const sn = c * t
        for (let i = 0; i < m; i++) rotate(wr, wi, p * m + i, q * m + i, c, sn)
        for (let i = 0; i < n; i++) rotate(vr, vi, p * n + i, q * n + i, c, sn)
      }
    }
    if (!rotated) break
  }
  const norms = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    let s = 0
    for (let i = 0; i < m; i++) s += wr[j * m + i]! ** 2 + wi[j * m + i]! ** 2
    norms[j] = Math.sqrt(s)
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norms[j]! - norms[i]!)
  const s = new Float64Array(n)
  const ur = new Float64Array(uRows * m)
  const ui = new Float64Array(uRows * m)
  const sr = new Float64Array(n * n)
  const si = new Float64Array(n * n)
  const valid = new Uint8Array(uRows)
  for (let j = 0; j < n; j++) {
    const o = order[j]!
    s[j] = norms[o]!
    if (s[j]! > 0) {
      for (let i = 0; i < m; i++) {
        ur[j * m + i] = wr[o * m + i]! / s[j]!
        ui[j * m + i] = wi[o * m + i]! / s[j]!
      }
      valid[j] = 1
    }
    for (let i = 0; i < n; i++) {
      sr[j * n + i] = vr[o * n + i]!
      si[j * n + i] = vi[o * n + i]!
    }
  }
  complete(ur, ui, uRows, m, valid)
  return { ur, ui, s, vr: sr, vi: si }
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
      const r = tallSvd(ar, ai, m, n, uc)
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
      const r = tallSvd(hr, hi, n, m, vr_)
      sOut.set(r.s, b * k)
      if (computeUv) {
        for (let i = 0; i < m; i++) for (let j = 0; j < uc; j++) putU(b, i, j, r.vr[j * m + i]!, r.vi[j * m + i]!)
        for (let j = 0; j < vr_; j++) for (let c = 0; c < n; c++) putVh(b, j, c, r.ur[j * n + c]!, -r.ui[j * n + c]!)
      }
    }
  }
  return computeUv ? [sOut, uOut!, vtOut!] : [sOut]
}
