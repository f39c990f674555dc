/**
 * The SVD of a complex tall matrix by LAPACK's zgesvd route: complex
 * Householder bidiagonalization `A = U_B B V_B^H` (reflectors `I - f v v^H`,
 * Hermitian and unitary), diagonal phases `P`, `Q` that make the bidiagonal
 * real and non-negative (`B = P B_r Q^H`), then the real bidiagonal's QR sweeps
 * (bidiagonalSvd.ts's `diagonalize`) with their real rotations applied to both
 * parts of `(U_B P)^T` and `(V_B Q)^T`.
 */
import { diagonalize } from "./bidiagonalSvd.js"
import { reflectLeft, reflectorProduct } from "./complexReflectors.js"
import { scaleInPlace } from "./safeScale.js"
import { NEGLIGIBLE, unitPhase, vectorNorm } from "./vectorNorm.js"

/** The SVD of a complex tall matrix: vectors as rows (row `j` is the `j`-th singular vector). */
export interface ComplexTallSvd {
  /** Left singular vectors as rows (`uRows` x m), real and imaginary parts. */
  readonly ur: Float64Array
  readonly ui: Float64Array
  /** Singular values, descending. */
  readonly s: Float64Array
  /** Right singular vectors as rows (n x n): row j is V[:, j]. */
  readonly vr: Float64Array
  readonly vi: Float64Array
}

/**
 * Reflects `x` (entries `x[at + i * stride]`, `i < len`, complex) to `alpha e1`:
 * writes `v = (x - alpha e1) / (|x0| + ||x||)` into (vr, vi) from `v0` and returns
 * `[alpha_re, alpha_im, f]` with `I - f v v^H` the reflector (`f = 0`, `alpha = x0`, when x is
 * zero past its first entry). The scaled `v` keeps `f = (|x0| + ||x||) / ||x||` free of squares,
 * which underflow for an `x` near 1e-162 (vectorNorm.ts).
 */
const reflector = (
  xr: Float64Array,
  xi: Float64Array,
  at: number,
  stride: number,
  len: number,
  conjugate: boolean,
  vr: Float64Array,
  vi: Float64Array,
  v0: number
): readonly [number, number, number] => {
  const sgn = conjugate ? -1 : 1
  const below = vectorNorm(xr, at + stride, len - 1, stride, xi)
  const x0r = xr[at]!
  const x0i = sgn * xi[at]!
  const x0 = Math.hypot(x0r, x0i)
  const norm = Math.hypot(x0, below)
  if (below === 0 || norm < NEGLIGIBLE) {
    // (a negligible x is zeroed past its first entry: vectorNorm.ts)
    for (let i = 1; i < len; i++) xr[at + i * stride] = xi[at + i * stride] = 0
    return [x0r, x0i, 0]
  }
  const [phr, phi] = unitPhase(x0r, x0i)
  const d = x0 + norm
  for (let i = 1; i < len; i++) {
    vr[v0 + i] = xr[at + i * stride]! / d
    vi[v0 + i] = (sgn * xi[at + i * stride]!) / d
  }
  // (x0 + phase(x0) ||x||) / (|x0| + ||x||) = phase(x0)
  vr[v0] = phr
  vi[v0] = phi
  return [-phr * norm, -phi * norm, d / norm]
}

/**
 * The SVD of the complex tall (ar, ai) (m x n, m >= n, row-major; not modified), singular values
 * descending; `uRows` left vectors (n, or m for a full U) and all n right ones when `vectors`.
 * NaN everywhere when the sweeps do not converge.
 */
export const complexTallSvd = (
  ar: Float64Array,
  ai: Float64Array,
  m: number,
  n: number,
  uRows: number,
  vectors: boolean
): ComplexTallSvd => {
  const wr = ar.slice()
  const wi = ai.slice()
  const scale = scaleInPlace(wr, wi)
  // the reflectors: left ones as rows of (lr, li) (m long, from entry k), right ones of (rr, ri)
  const lr = new Float64Array(n * m)
  const li = new Float64Array(n * m)
  const fl = new Float64Array(n)
  const rr = new Float64Array(n * n)
  const ri = new Float64Array(n * n)
  const fr = new Float64Array(n)
  const dr = new Float64Array(n)
  const di = new Float64Array(n)
  const er = new Float64Array(n)
  const ei = new Float64Array(n)
  const sr = new Float64Array(n)
  const si = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    // left: column k from row k to alpha e1
    const [alr, ali, f] = reflector(wr, wi, k * n + k, n, m - k, false, lr, li, k * m + k)
    dr[k] = alr
    di[k] = ali
    fl[k] = f
    // A[k.., k + 1..] <- H A
    if (f !== 0) reflectLeft(wr, wi, n, m, lr, li, k * m, k, k + 1, f, sr, si)
    if (k + 1 >= n) continue
    // right: row k from column k + 1 to beta e1: the reflector of conj(row), beta = conj(alpha)
    const [arr, ari, g] = reflector(wr, wi, k * n + k + 1, 1, n - k - 1, true, rr, ri, k * n + k + 1)
    er[k] = arr
    ei[k] = -ari
    fr[k] = g
    if (g === 0) continue
    // A[k + 1.., k + 1..] <- A (I - g w w^H): each row, t = A_i w, A_i -= g t w^H
    for (let i = k + 1; i < m; i++) {
      const row = i * n
      let tr = 0
      let ti = 0
      for (let j = k + 1; j < n; j++) {
        const a = wr[row + j]!
        const b = wi[row + j]!
        const c = rr[k * n + j]!
        const d = ri[k * n + j]!
        tr += a * c - b * d
        ti += a * d + b * c
      }
      tr *= g
      ti *= g
      for (let j = k + 1; j < n; j++) {
        // t conj(w_j)
        const c = rr[k * n + j]!
        const d = ri[k * n + j]!
        wr[row + j] = wr[row + j]! - (tr * c + ti * d)
        wi[row + j] = wi[row + j]! - (ti * c - tr * d)
      }
    }
  }
  // phases: B_r = P^H B Q real and non-negative (q_0 = 1; p_k from d_k q_k; q_(k+1) from conj(p_k) e_k)
  const pr = new Float64Array(n)
  const pi = new Float64Array(n)
  const qr = new Float64Array(n)
  const qi = new Float64Array(n)
  const w = new Float64Array(n)
  const f = new Float64Array(n)
  qr[0] = 1
  for (let k = 0; k < n; k++) {
    const tr = dr[k]! * qr[k]! - di[k]! * qi[k]!
    const ti = dr[k]! * qi[k]! + di[k]! * qr[k]!
    const [ar_, ai_] = unitPhase(tr, ti)
    pr[k] = ar_
    pi[k] = ai_
    w[k] = Math.hypot(tr, ti)
    if (k + 1 >= n) continue
    // conj(p_k) e_k
    const ur_ = pr[k]! * er[k]! + pi[k]! * ei[k]!
    const ui_ = pr[k]! * ei[k]! - pi[k]! * er[k]!
    const [br, bi] = unitPhase(ur_, ui_)
    qr[k + 1] = br
    qi[k + 1] = -bi
    f[k + 1] = Math.hypot(ur_, ui_)
  }
  let utr: Float64Array | undefined
  let uti: Float64Array | undefined
  let vtr: Float64Array | undefined
  let vti: Float64Array | undefined
  if (vectors) {
    // U_B (m x uRows) and V_B (n x n) by backward accumulation of the reflectors
    const ubr = new Float64Array(m * uRows)
    const ubi = new Float64Array(m * uRows)
    for (let i = 0; i < uRows; i++) ubr[i * uRows + i] = 1
    reflectorProduct(ubr, ubi, uRows, m, n, lr, li, fl, m, 0)
    const vbr = new Float64Array(n * n)
    const vbi = new Float64Array(n * n)
    for (let i = 0; i < n; i++) vbr[i * n + i] = 1
    reflectorProduct(vbr, vbi, n, n, n - 1, rr, ri, fr, n, 1)
    // rows: (U_B P)^T and (V_B Q)^T
    utr = new Float64Array(uRows * m)
    uti = new Float64Array(uRows * m)
    for (let j = 0; j < uRows; j++) {
      const cr = j < n ? pr[j]! : 1
      const ci = j < n ? pi[j]! : 0
      for (let i = 0; i < m; i++) {
        const a = ubr[i * uRows + j]!
        const b = ubi[i * uRows + j]!
        utr[j * m + i] = a * cr - b * ci
        uti[j * m + i] = a * ci + b * cr
      }
    }
    vtr = new Float64Array(n * n)
    vti = new Float64Array(n * n)
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = vbr[i * n + j]!
        const b = vbi[i * n + j]!
        vtr[j * n + i] = a * qr[j]! - b * qi[j]!
        vti[j * n + i] = a * qi[j]! + b * qr[j]!
      }
    }
  }
  if (!diagonalize(w, f, n, utr, m, vtr, uti, vti)) {
    const nan = (len: number) => new Float64Array(len).fill(NaN)
    return { s: nan(n), ur: nan(uRows * m), ui: nan(uRows * m), vr: nan(n * n), vi: nan(n * n) }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => w[j]! - w[i]! || i - j)
  const s = new Float64Array(n)
  for (let j = 0; j < n; j++) s[j] = w[order[j]!]! / scale
  const out: ComplexTallSvd = {
    s,
    ur: new Float64Array(uRows * m),
    ui: new Float64Array(uRows * m),
    vr: new Float64Array(n * n),
    vi: new Float64Array(n * n)
  }
  if (!vectors) return out
  for (let j = 0; j < n; j++) {
    const o = order[j]!
    out.ur.set(utr!.subarray(o * m, (o + 1) * m), j * m)
    out.ui.set(uti!.subarray(o * m, (o + 1) * m), j * m)
    out.vr.set(vtr!.subarray(o * n, (o + 1) * n), j * n)
    out.vi.set(vti!.subarray(o * n, (o + 1) * n), j * n)
  }
  out.ur.set(utr!.subarray(n * m), n * m)
  out.ui.set(uti!.subarray(n * m), n * m)
  return out
}
