/**
 * Real helpers for elementwise lowerings, written as kernel IR (core/src/Kernel.ts): constants of
 * a float type, `hypot` without overflow, the sign bit, `copysign`. Shared by the lowering table
 * and the complex functions built on it.
 */
import * as K from "../Kernel.js"
import type { Expr, ScalarType } from "../Kernel.js"

/** A constant of scalar type `t`. */
export const k = (value: number, t: ScalarType): Expr => K.constant(value, t)

/** The largest finite value of a float type. */
export const largestFinite = (t: ScalarType): number => (t === "f32" ? 3.4028234663852886e38 : Number.MAX_VALUE)

/** The smallest positive normal value of a float type. */
export const smallestNormal = (t: ScalarType): number => (t === "f32" ? 2 ** -126 : 2 ** -1022)

/** `sqrt(a^2 + b^2)` without overflow or underflow (scaled by the larger magnitude). */
export const hypot = (a: Expr, b: Expr): Expr => {
  const t = a.type
  const aa = K.abs(a)
  const ab = K.abs(b)
  const m = K.max(aa, ab)
  const n = K.min(aa, ab)
  const r = K.div(n, m)
  const scaled = K.mul(m, K.sqrt(K.add(k(1, t), K.mul(r, r))))
  // n == 0 covers m == 0 (r would be 0/0); m == inf would give inf * NaN.
  return K.select(K.eq(n, k(0, t)), m, K.select(K.eq(m, k(Infinity, t)), m, scaled))
}

/**
 * `log(hypot(a, b))`, finite wherever the logarithm is: past half the largest value (where the
 * hypot itself overflows: log|1.8e308 (1 + i)| is 710.13, not inf) as `log m + log1p(r^2) / 2`
 * with `m` the larger magnitude and `r` the ratio; the logarithm of the hypot elsewhere.
 */
export const logHypot = (a: Expr, b: Expr): Expr => {
  const t = a.type
  const m = K.max(K.abs(a), K.abs(b))
  const r = K.div(K.min(K.abs(a), K.abs(b)), m)
  const far = K.mul(k(0.5, t), K.log1p(K.mul(r, r)))
  // (an infinite part makes the ratio inf / inf: the logarithm is inf)
  const large = K.select(K.eq(m, k(Infinity, t)), m, K.add(K.log(m), far))
  return K.select(K.gt(m, k(largestFinite(t) / 2, t)), large, K.log(hypot(a, b)))
}

/** Whether `x` has its sign bit set (true for -0 too, unlike `x < 0`). */
export const signBit = (x: Expr): Expr => {
  const t = x.type
  return K.or(K.lt(x, k(0, t)), K.lt(K.div(k(1, t), x), k(0, t)))
}

/** `|mag|` with the sign of `sgn` (C's `copysign`). */
export const copysign = (mag: Expr, sgn: Expr): Expr => {
  const a = K.abs(mag)
  return K.select(signBit(sgn), K.neg(a), a)
}

/**
 * `zero * other` for a signed zero `zero`, without the NaN that `0 * inf` gives: the zero with the
 * product's sign (`sin(0) cosh(1e300)` is 0, not NaN).
 */
export const zeroTimes = (zero: Expr, other: Expr): Expr => K.select(signBit(other), K.neg(zero), zero)
