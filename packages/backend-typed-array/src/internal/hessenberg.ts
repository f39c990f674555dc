/**
 * The Hessenberg reduction on the CPU (JAX's `hessenberg` primitive, LAPACK
 * gehrd's outputs): `Q^H A Q = H` with `Q = H_0 H_1 ... H_{n-2}`, each
 * `H_k = I - tau_k v_k v_k^H` a Householder reflector (LAPACK's larfg
 * convention: `H_k^H x = beta e_1` with `beta` real, `v_k[k + 1] = 1`). The
 * first output holds `H` on and above the first subdiagonal and `v_k[k + 2:]`
 * below it in column `k`; the second the `n - 1` factors `tau` (the last one
 * only makes a complex subdiagonal entry real, so it is zero for real input, as
 * LAPACK's). Real and complex input alike; non-finite input gives NaN.
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue } from "@diffect/core"
import { scaleUpNegligible, vectorNorm } from "./vectorNorm.js"

type HostArray = DType.HostArray

/** The reduction of (ar, ai) (n x n) in place; the factors in (tr, ti). */
const gehrd = (ar: Float64Array, ai: Float64Array, n: number, tr: Float64Array, ti: Float64Array): void => {
  const at = (r: number, c: number) => r * n + c
  const vr = new Float64Array(n)
  const vi = new Float64Array(n)
  tr.fill(0)
  ti.fill(0)
  for (let k = 0; k + 1 < n; k++) {
    // larfg on alpha = A[k+1, k], x = A[k+2:, k] (vectorNorm.ts: a plain sum of squares
    // underflows near 1e-162)
    const xnorm0 = vectorNorm(ar, at(k + 2, k), n - k - 2, n, ai)
    if (xnorm0 === 0 && ai[at(k + 1, k)] === 0) continue // H_k = I, tau = 0
    // a negligible column (vectorNorm.ts) is scaled up by a power of two, exactly, for its
    // reflector, as LAPACK's zlarfg does (the subdiagonal stays real); beta is scaled back
    const norm0 = Math.hypot(ar[at(k + 1, k)]!, ai[at(k + 1, k)]!, xnorm0)
    const up = scaleUpNegligible(ar, ai, at(k + 1, k), n - k - 1, n, norm0)
    const alr = ar[at(k + 1, k)]!
    const ali = ai[at(k + 1, k)]!
    const xnorm = up === 1 ? xnorm0 : vectorNorm(ar, at(k + 2, k), n - k - 2, n, ai)
    const beta = -sign(Math.hypot(alr, ali, xnorm), alr)
    const taur = (beta - alr) / beta
    const taui = -ali / beta
    // v = x / (alpha - beta) by Smith's division (|dr| >= |beta| >= |di|): no squares
    const dr = alr - beta
    const q = ali / dr
    const den = dr + ali * q
    vr.fill(0)
    vi.fill(0)
    vr[k + 1] = 1
    for (let i = k + 2; i < n; i++) {
      const xr = ar[at(i, k)]!
      const xi = ai[at(i, k)]!
      vr[i] = (xr + xi * q) / den
      vi[i] = (xi - xr * q) / den
    }
    tr[k] = taur
    ti[k] = taui
    // A <- A H: each row r, a_r -= tau (a_r v) v^H (rows 0..n-1, columns k+1..)
    for (let r = 0; r < n; r++) {
      let sr = 0
      let si = 0
      for (let i = k + 1; i < n; i++) {
        const p = ar[at(r, i)]!
        const q = ai[at(r, i)]!
        sr += p * vr[i]! - q * vi[i]!
        si += p * vi[i]! + q * vr[i]!
      }
      // w = tau s
      const wr = taur * sr - taui * si
      const wi = taur * si + taui * sr
      for (let i = k + 1; i < n; i++) {
        // w conj(v_i)
        ar[at(r, i)] = ar[at(r, i)]! - (wr * vr[i]! + wi * vi[i]!)
        ai[at(r, i)] = ai[at(r, i)]! - (wi * vr[i]! - wr * vi[i]!)
      }
    }
    // A <- H^H A: each column c > k, a_c -= conj(tau) v (v^H a_c)
    for (let c = k + 1; c < n; c++) {
      let sr = 0
      let si = 0
      for (let i = k + 1; i < n; i++) {
        const p = ar[at(i, c)]!
        const q = ai[at(i, c)]!
        sr += vr[i]! * p + vi[i]! * q
        si += vr[i]! * q - vi[i]! * p
      }
      const wr = taur * sr + taui * si
      const wi = taur * si - taui * sr
      for (let i = k + 1; i < n; i++) {
        ar[at(i, c)] = ar[at(i, c)]! - (wr * vr[i]! - wi * vi[i]!)
        ai[at(i, c)] = ai[at(i, c)]! - (wr * vi[i]! + wi * vr[i]!)
      }
    }
    // column k: beta on the subdiagonal, the reflector below it
    ar[at(k + 1, k)] = beta / up
    ai[at(k + 1, k)] = 0
    for (let i = k + 2; i < n; i++) {
      ar[at(i, k)] = vr[i]!
      ai[at(i, k)] = vi[i]!
    }
  }
}

/** |a| with the sign of b (+0 counted positive). */
const sign = (a: number, b: number): number => (b >= 0 ? Math.abs(a) : -Math.abs(a))

export const hessenberg = (
  x: HostArray,
  xa: AbstractValue,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const n = xa.shape.at(-1)!
  const count = Shape.sizeOf(xa.shape.slice(0, -2))
  const complex = DType.isComplex(xa.dtype)
  const w = complex ? 2 : 1
  const k = Math.max(n - 1, 0)
  const aOut = DType.allocHost(outs[0]!.dtype, w * count * n * n)
  const tauOut = DType.allocHost(outs[1]!.dtype, w * count * k)
  const ar = new Float64Array(n * n)
  const ai = new Float64Array(n * n)
  const tr = new Float64Array(k)
  const ti = new Float64Array(k)
  for (let b = 0; b < count; b++) {
    let finite = true
    for (let i = 0; i < n * n; i++) {
      ar[i] = x[w * (b * n * n + i)]!
      ai[i] = complex ? x[2 * (b * n * n + i) + 1]! : 0
      if (!Number.isFinite(ar[i]!) || !Number.isFinite(ai[i]!)) finite = false
    }
    if (!finite) {
      aOut.fill(NaN, w * b * n * n, w * (b + 1) * n * n)
      tauOut.fill(NaN, w * b * k, w * (b + 1) * k)
      continue
    }
    gehrd(ar, ai, n, tr, ti)
    for (let i = 0; i < n * n; i++) {
      aOut[w * (b * n * n + i)] = ar[i]!
      if (complex) aOut[2 * (b * n * n + i) + 1] = ai[i]!
    }
    for (let i = 0; i < k; i++) {
      tauOut[w * (b * k + i)] = tr[i]!
      if (complex) tauOut[2 * (b * k + i) + 1] = ti[i]!
    }
  }
  return [aOut, tauOut]
}
