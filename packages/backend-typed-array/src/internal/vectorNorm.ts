/**
 * The 2-norm of a (complex) strided vector without the underflow or overflow of its plain sum of
 * squares (LAPACK's dnrm2 and dznrm2 scale for the same reason). The square of an entry below
 * 1.5e-154 is a denormal that has lost bits, or 0: a Householder reflector built from such a sum
 * was not orthogonal (eigh of `[[3, 1.6e-162], [1.6e-162, -7]]` gave an eigenvector of norm 0.46,
 * and its gradient was wrong by half), and one above 1.3e154 overflows to infinity.
 */

/**
 * Below this a column's norm is negligible: its entries are denormals, short of bits, and a
 * reflector built from them was orthogonal only to 1e-13. The drivers that scale a matrix whose
 * largest magnitude is below 2^-400 (safeScale.ts) give such a column no reflector, its entries
 * zeroed or ignored: a perturbation of A below 2^-600 ||A||, far under rounding. Those whose
 * convention is a real diagonal (complex QR's R, the Hessenberg reduction's subdiagonal) scale
 * the column up by a power of two instead, exactly, as LAPACK's zlarfg does.
 */
export const NEGLIGIBLE = 2 ** -1000

/** The power of two a negligible column or phase is scaled up by: its entries become normal numbers. */
const UP = 2 ** 600

/**
 * Where a column's `norm` is negligible, multiplies its entries `(re, im)[at + i * stride]`,
 * `i < len`, by a power of two in place (exactly) and gives that power, else 1: the reflector of
 * the scaled column is the same and built from full-precision numbers, its `beta` to be divided
 * back (LAPACK's zlarfg rescales so).
 */
export const scaleUpNegligible = (
  re: Float64Array,
  im: Float64Array,
  at: number,
  len: number,
  stride: number,
  norm: number
): number => {
  if (!(norm < NEGLIGIBLE)) return 1
  for (let i = 0, p = at; i < len; i++, p += stride) {
    re[p] = re[p]! * UP
    im[p] = im[p]! * UP
  }
  return UP
}

/** Largest magnitudes whose squares sum without loss: outside them the sum is scaled by a power of two. */
const SMALL = 2 ** -450
const LARGE = 2 ** 450

/**
 * `sqrt(sum |x_i|^2)` over `re[at + i * stride]` (and `im`, the imaginary parts), `0 <= i < len`.
 * NaN when an entry is NaN, infinity when one is infinite.
 */
export const vectorNorm = (
  re: Float64Array,
  at: number,
  len: number,
  stride: number,
  im?: Float64Array
): number => {
  let big = 0
  for (let i = 0, p = at; i < len; i++, p += stride) {
    // (Math.max keeps a NaN)
    big = Math.max(big, Math.abs(re[p]!), im === undefined ? 0 : Math.abs(im[p]!))
  }
  if (big === 0 || !Number.isFinite(big)) return big
  // a power of two scales exactly; entries far below the largest add nothing at double precision
  // (the exponent clamped: 2^1074, for the smallest denormal, is infinite)
  const scale = big >= SMALL && big <= LARGE ? 1 : 2 ** -Math.max(-1000, Math.min(1000, Math.round(Math.log2(big))))
  let sum = 0
  for (let i = 0, p = at; i < len; i++, p += stride) {
    const a = re[p]! * scale
    sum += a * a
    if (im !== undefined) {
      const b = im[p]! * scale
      sum += b * b
    }
  }
  return Math.sqrt(sum) / scale
}

/**
 * `x / |x|` of a complex number as `[re, im]` (`[1, 0]` for zero), of unit modulus to rounding also
 * where x is denormal (scaled up by a power of two first, exactly): a phase short of bits made a
 * unitary factor unitary only to 1e-14.
 */
export const unitPhase = (re: number, im: number): readonly [number, number] => {
  const up = Math.abs(re) + Math.abs(im) < NEGLIGIBLE ? UP : 1
  const r = Math.hypot(re * up, im * up)
  return r === 0 ? [1, 0] : [(re * up) / r, (im * up) / r]
}
