/**
 * The scaling LAPACK's drivers do before a factorization whose sums of squares could overflow or
 * underflow (dlascl on a norm outside [sqrt(smlnum), sqrt(bignum)]): a matrix whose largest
 * magnitude is past 2^400 or below 2^-400 is multiplied by a power of two that brings it near 1,
 * exactly, and the results that scale with it (eigenvalues, singular values, R, T) are divided by
 * the same power after. Without it a 1e300-scaled matrix's eigenvalues were NaN.
 */

/** The power of two to multiply a matrix of largest magnitude `largest` by (1 when none is needed). */
const safeScale = (largest: number): number =>
  largest > 2 ** 400 || (largest > 0 && largest < 2 ** -400)
    ? 2 ** -Math.max(-1000, Math.min(1000, Math.round(Math.log2(largest))))
    : 1

/** Multiplies `a` (and `b`, an imaginary part) by `safeScale` of their largest magnitude; gives it. */
export const scaleInPlace = (a: Float64Array, b?: Float64Array): number => {
  let largest = 0
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]!))
  if (b !== undefined) { for (let i = 0; i < b.length; i++) largest = Math.max(largest, Math.abs(b[i]!)) }
  const scale = safeScale(largest)
  if (scale !== 1) {
    for (let i = 0; i < a.length; i++) a[i] = a[i]! * scale
    if (b !== undefined) { for (let i = 0; i < b.length; i++) b[i] = b[i]! * scale }
  }
  return scale
}
