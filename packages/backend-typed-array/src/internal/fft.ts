/**
 * The `fft` primitive's kernel: O(n log n) discrete Fourier transforms of any
 * length, computed in float64 whatever the dtype (complex64 results are
 * rounded once at the end).
 *
 * - Lengths whose prime factors are all <= 31: a mixed-radix Stockham
 *   (autosort, decimation in frequency) FFT, radix-4 and radix-2 butterflies
 *   unrolled, other primes as a direct radix-p butterfly (p work per element).
 * - Other lengths: Bluestein's chirp-z algorithm, a circular convolution of
 *   length M = the power of two >= 2n - 1 done with three radix-4/2 FFTs.
 *
 * Twiddles come from one table of `exp(-2 pi i k / n)`, with quarter turns
 * exact; Bluestein's chirp `exp(-i pi t^2 / n)` reduces `t^2 mod 2n` first, so
 * its argument stays exact for every length a tensor can have.
 *
 * Multi-dimensional transforms run one axis at a time over the trailing
 * `fftLengths.length` axes. RFFT transforms the last axis as a complex line and
 * keeps its `n/2 + 1` first entries (the other axes then work on the cropped
 * lines); IRFFT inverts the other axes first, then rebuilds each last-axis
 * line's Hermitian half (`X[n-k] = conj X[k]`) and keeps the real part, which
 * ignores the imaginary parts of `X[0]` and `X[n/2]` as XLA and NumPy do.
 */
import { DType, Fft, Shape as ShapeNs } from "@diffect/core"
import type { Params } from "@diffect/core"
import { PooledScratch } from "./pooledScratch.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

// A transform's float64 work arrays: the planes, each axis's lines and scratch, Bluestein's lines
// (pooledScratch.ts; a 2^20-point transform takes seven 8 MB arrays).
type Work = PooledScratch<"float64">

/** Bluestein's four length-m lines, reused line after line. */
interface ChirpLines {
  readonly ar: Float64Array
  readonly ai: Float64Array
  readonly sr: Float64Array
  readonly si: Float64Array
}

interface Plan {
  readonly n: number
  /** `cos/sin(-2 pi k / n)`, k < n. */
  readonly cos: Float64Array
  readonly sin: Float64Array
  /** Stockham radices (product n), or empty for Bluestein. */
  readonly radices: ReadonlyArray<number>
  readonly bluestein?: Bluestein | undefined
}

interface Bluestein {
  readonly m: number
  readonly sub: Plan
  /** The chirp `exp(-i pi t^2 / n)`, t < n. */
  readonly chirpRe: Float64Array
  readonly chirpIm: Float64Array
  /** The FFT (length m) of the conjugate chirp, wrapped circularly. */
  readonly filterRe: Float64Array
  readonly filterIm: Float64Array
}

const MAX_RADIX = 31

// exp(-2 pi i k / n) with exact values at the quarter turns.
const twiddles = (n: number): readonly [Float64Array, Float64Array] => {
  const c = new Float64Array(n)
  const s = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    if ((4 * k) % n === 0) {
      const q = (4 * k) / n
      c[k] = q === 0 ? 1 : q === 2 ? -1 : 0
      s[k] = q === 1 ? -1 : q === 3 ? 1 : 0
    } else {
      const a = (2 * Math.PI * k) / n
      c[k] = Math.cos(a)
      s[k] = -Math.sin(a)
    }
  }
  return [c, s]
}

// n's radices, or undefined when a prime factor exceeds MAX_RADIX (Bluestein then).
const factor = (n: number): Array<number> | undefined => {
  const out = Fft.radices(n)
  return out.some((p) => p > MAX_RADIX) ? undefined : out
}

const plans = new Map<number, Plan>()

const planOf = (n: number): Plan => {
  let plan = plans.get(n)
  if (plan !== undefined) return plan
  const radices = factor(n)
  if (radices !== undefined) {
    const [cos, sin] = twiddles(n)
    plan = { n, cos, sin, radices }
  } else {
    let m = 1
    while (m < 2 * n - 1) m *= 2
    const sub = planOf(m)
    const chirpRe = new Float64Array(n)
    const chirpIm = new Float64Array(n)
    // r = t^2 mod 2n, exactly: (t + 1)^2 = t^2 + 2t + 1
    for (let t = 0, r = 0; t < n; r = (r + 2 * t + 1) % (2 * n), t++) {
      const a = (Math.PI * r) / n
      chirpRe[t] = Math.cos(a)
      chirpIm[t] = -Math.sin(a)
    }
    const fr = new Float64Array(m)
    const fi = new Float64Array(m)
    for (let t = 0; t < n; t++) {
      fr[t] = chirpRe[t]!
      fi[t] = -chirpIm[t]!
      if (t > 0) {
        fr[m - t] = chirpRe[t]!
        fi[m - t] = -chirpIm[t]!
      }
    }
    transformLine(sub, fr, fi, new Float64Array(m), new Float64Array(m), undefined)
    plan = {
      n,
      cos: new Float64Array(0),
      sin: new Float64Array(0),
      radices: [],
      bluestein: { m, sub, chirpRe, chirpIm, filterRe: fr, filterIm: fi }
    }
  }
  if (plans.size > 256) plans.clear()
  plans.set(n, plan)
  return plan
}

/**
 * The forward DFT of (re, im) in place, with scratch (sr, si) of the same length.
 * Stockham ping-pongs between the two and copies back when it ends in the scratch.
 */
const transformLine = (
  plan: Plan,
  re: Float64Array,
  im: Float64Array,
  sr: Float64Array,
  si: Float64Array,
  lines: ChirpLines | undefined
): void => {
  const n = plan.n
  if (n <= 1) return
  if (plan.bluestein !== undefined) {
    const m = plan.bluestein.m
    const own = lines ??
      { ar: new Float64Array(m), ai: new Float64Array(m), sr: new Float64Array(m), si: new Float64Array(m) }
    return bluestein(plan.bluestein, n, re, im, own)
  }
  const { cos, sin } = plan
  let xr = re
  let xi = im
  let yr = sr
  let yi = si
  let s = 1
  let len = n
  for (const r of plan.radices) {
    const m = len / r
    if (r === 4) {
      for (let p = 0; p < m; p++) {
        const w1 = s * p
        const c1 = cos[w1]!, s1 = sin[w1]!, c2 = cos[2 * w1]!, s2 = sin[2 * w1]!, c3 = cos[3 * w1]!, s3 = sin[3 * w1]!
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p
          const i1 = i0 + s * m
          const i2 = i1 + s * m
          const i3 = i2 + s * m
          const ar = xr[i0]!, ai = xi[i0]!, br = xr[i1]!, bi = xi[i1]!
          const cr = xr[i2]!, ci = xi[i2]!, dr = xr[i3]!, di = xi[i3]!
          const t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci
          const t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di
          // y0 = t0 + t2, y1 = t1 - i t3, y2 = t0 - t2, y3 = t1 + i t3
          const o = q + s * 4 * p
          yr[o] = t0r + t2r
          yi[o] = t0i + t2i
          const y1r = t1r + t3i, y1i = t1i - t3r
          yr[o + s] = y1r * c1 - y1i * s1
          yi[o + s] = y1r * s1 + y1i * c1
          const y2r = t0r - t2r, y2i = t0i - t2i
          yr[o + 2 * s] = y2r * c2 - y2i * s2
          yi[o + 2 * s] = y2r * s2 + y2i * c2
          const y3r = t1r - t3i, y3i = t1i + t3r
          yr[o + 3 * s] = y3r * c3 - y3i * s3
          yi[o + 3 * s] = y3r * s3 + y3i * c3
        }
      }
    } else if (r === 2) {
      for (let p = 0; p < m; p++) {
        const c1 = cos[s * p]!, s1 = sin[s * p]!
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p
          const i1 = i0 + s * m
          const ar = xr[i0]!, ai = xi[i0]!, br = xr[i1]!, bi = xi[i1]!
          const o = q + s * 2 * p
          yr[o] = ar + br
          yi[o] = ai + bi
          const dr = ar - br, di = ai - bi
          yr[o + s] = dr * c1 - di * s1
          yi[o + s] = dr * s1 + di * c1
        }
      }
    } else {
      // a direct radix-r butterfly: r outputs, each a sum of r inputs
      const step = n / r
      const ar = new Float64Array(r)
      const ai = new Float64Array(r)
      for (let p = 0; p < m; p++) {
        for (let q = 0; q < s; q++) {
          for (let j = 0; j < r; j++) {
            ar[j] = xr[q + s * (p + j * m)]!
            ai[j] = xi[q + s * (p + j * m)]!
          }
          const o = q + s * r * p
          for (let k = 0; k < r; k++) {
            let sr2 = 0
            let si2 = 0
            for (let j = 0; j < r; j++) {
              const w = step * ((j * k) % r)
              const c = cos[w]!, sn = sin[w]!
              sr2 += ar[j]! * c - ai[j]! * sn
              si2 += ar[j]! * sn + ai[j]! * c
            }
            const w = s * p * k
            const c = cos[w]!, sn = sin[w]!
            yr[o + s * k] = sr2 * c - si2 * sn
            yi[o + s * k] = sr2 * sn + si2 * c
          }
        }
      }
    }
    const tr = xr
    const ti = xi
    xr = yr
    xi = yi
    yr = tr
    yi = ti
    s *= r
    len = m
  }
  if (xr !== re) {
    re.set(xr)
    im.set(xi)
  }
}

const bluestein = (b: Bluestein, n: number, re: Float64Array, im: Float64Array, lines: ChirpLines): void => {
  const { chirpIm, chirpRe, filterIm, filterRe, m } = b
  const { ai, ar, si, sr } = lines
  // (the lines are reused: past n they must be zero again)
  ar.fill(0, n)
  ai.fill(0, n)
  for (let t = 0; t < n; t++) {
    const c = chirpRe[t]!, s = chirpIm[t]!
    ar[t] = re[t]! * c - im[t]! * s
    ai[t] = re[t]! * s + im[t]! * c
  }
  transformLine(b.sub, ar, ai, sr, si, undefined)
  // pointwise product, conjugated so the forward transform computes the inverse (conj(FFT(conj z)) = m IFFT(z))
  for (let k = 0; k < m; k++) {
    const xr = ar[k]!, xi = ai[k]!, fr = filterRe[k]!, fi = filterIm[k]!
    ar[k] = xr * fr - xi * fi
    ai[k] = -(xr * fi + xi * fr)
  }
  transformLine(b.sub, ar, ai, sr, si, undefined)
  const inv = 1 / m
  for (let k = 0; k < n; k++) {
    const cr = ar[k]! * inv, ci = -ai[k]! * inv
    const c = chirpRe[k]!, s = chirpIm[k]!
    re[k] = cr * c - ci * s
    im[k] = cr * s + ci * c
  }
}

/** The forward (or inverse, unscaled) DFT of every line of (re, im) along `axis` of `shape`, in place. */
const alongAxis = (
  re: Float64Array,
  im: Float64Array,
  shape: Shape,
  axis: number,
  inverse: boolean,
  work: Work
): void => {
  const n = shape[axis]!
  if (n <= 1) return
  let inner = 1
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!
  const outer = ShapeNs.sizeOf(shape) / (n * inner)
  const plan = planOf(n)
  const lr = work.take(n, false)
  const li = work.take(n, false)
  const sr = work.take(n, false)
  const si = work.take(n, false)
  const m = plan.bluestein?.m
  const lines = m === undefined
    ? undefined
    : { ar: work.take(m, false), ai: work.take(m, false), sr: work.take(m, false), si: work.take(m, false) }
  const sign = inverse ? -1 : 1
  for (let o = 0; o < outer; o++) {
    for (let q = 0; q < inner; q++) {
      const base = o * n * inner + q
      for (let t = 0; t < n; t++) {
        lr[t] = re[base + t * inner]!
        li[t] = sign * im[base + t * inner]!
      }
      transformLine(plan, lr, li, sr, si, lines)
      for (let t = 0; t < n; t++) {
        re[base + t * inner] = lr[t]!
        im[base + t * inner] = sign * li[t]!
      }
    }
  }
}

/** `fft` on a contiguous operand (interleaved complex storage). */
export const fft = (
  input: HostArray,
  inShape: Shape,
  inDType: DType.DType,
  params: Params<"fft">,
  outShape: Shape,
  outDType: DType.DType
): HostArray => {
  const work: Work = new PooledScratch("float64")
  try {
    return transform(input, inShape, inDType, params, outShape, outDType, work)
  } finally {
    work.close()
  }
}

const transform = (
  input: HostArray,
  inShape: Shape,
  inDType: DType.DType,
  { fftLengths, fftType }: Params<"fft">,
  outShape: Shape,
  outDType: DType.DType,
  work: Work
): HostArray => {
  const k = fftLengths.length
  const rank = inShape.length
  const out = DType.allocHost(outDType, ShapeNs.sizeOf(outShape))
  const outSize = ShapeNs.sizeOf(outShape)
  if (outSize === 0) return out
  const inSize = ShapeNs.sizeOf(inShape)
  const axes = Array.from({ length: k }, (_, i) => rank - k + i)
  const complexIn = DType.isComplex(inDType)
  let re = work.take(inSize, false)
  let im = work.take(inSize, !complexIn)
  if (complexIn) {
    for (let i = 0; i < inSize; i++) {
      re[i] = input[2 * i]!
      im[i] = input[2 * i + 1]!
    }
  } else {
    for (let i = 0; i < inSize; i++) re[i] = input[i]!
  }
  const total = fftLengths.reduce((a, b) => a * b, 1)
  if (fftType === "FFT" || fftType === "IFFT") {
    const inverse = fftType === "IFFT"
    for (const a of axes) alongAxis(re, im, inShape, a, inverse, work)
    const f = inverse ? 1 / total : 1
    for (let i = 0; i < inSize; i++) {
      out[2 * i] = re[i]! * f
      out[2 * i + 1] = im[i]! * f
    }
    return out
  }
  if (fftType === "RFFT") {
    // the last axis in full, cropped to n/2 + 1, then the others on the cropped lines
    const last = rank - 1
    alongAxis(re, im, inShape, last, false, work)
    const n = inShape[last]!
    const h = outShape[last]!
    const lines = inSize / Math.max(n, 1)
    const cr = work.take(outSize, true)
    const ci = work.take(outSize, true)
    if (n > 0) {
      for (let l = 0; l < lines; l++) {
        for (let t = 0; t < h; t++) {
          cr[l * h + t] = re[l * n + t]!
          ci[l * h + t] = im[l * n + t]!
        }
      }
    }
    for (const a of axes.slice(0, -1)) alongAxis(cr, ci, outShape, a, false, work)
    for (let i = 0; i < outSize; i++) {
      out[2 * i] = cr[i]!
      out[2 * i + 1] = ci[i]!
    }
    return out
  }
  // IRFFT: the other axes inverted first, then each last-axis line rebuilt in full
  for (const a of axes.slice(0, -1)) alongAxis(re, im, inShape, a, true, work)
  const last = rank - 1
  const h = inShape[last]!
  const n = outShape[last]!
  const lines = outSize / n
  const fr = work.take(outSize, false)
  const fi = work.take(outSize, false)
  for (let l = 0; l < lines; l++) {
    for (let t = 0; t < n; t++) {
      if (t < h) {
        fr[l * n + t] = re[l * h + t]!
        fi[l * n + t] = im[l * h + t]!
      } else {
        fr[l * n + t] = re[l * h + n - t]!
        fi[l * n + t] = -im[l * h + n - t]!
      }
    }
  }
  re = fr
  im = fi
  alongAxis(re, im, outShape, last, true, work)
  const f = 1 / total
  for (let i = 0; i < outSize; i++) out[i] = re[i]! * f
  return out
}
