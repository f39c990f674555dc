/**
 * The exponentially scaled modified Bessel functions of orders 0 and 1, shared
 * by `special` (i0e, i1e, i0, i1) and `np.i0` (a module of its own: special.ts
 * imports np, so np cannot import special).
 */
import { customJvpCall } from "../Handler.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { epsOf } from "./seriesLoop.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

/**
 * `I_nu(x) e^-|x|` for nu = 0 or 1 with JAX's derivatives (bessel_i0e's and
 * bessel_i1e's JVP rules): `i0e' = i1e - sign(x) i0e` and
 * `i1e' = i0e - i1e (sign(x) + 1/x)`, 0.5 where |x| <= eps. Differentiating
 * the series instead goes through abs and sign at 0 (derivatives 1 and 0),
 * which gave -1 and 0 at x = 0 where the true derivatives are 0 and 0.5.
 */
export const besselIe = (nu: 0 | 1, t: Tensor): Tensor =>
  customJvpCall({
    name: nu === 0 ? "bessel_i0e" : "bessel_i1e",
    f: ([x]) => [besselIeValue(nu, x!)],
    jvp: ([x], [dx]) => {
      const y = besselIe(nu, x!)
      if (nu === 0) return [[y], [lax.mul(dx!, lax.sub(besselIe(1, x!), lax.mul(lax.sign(x!), y)))]]
      const eps = c(x!, epsOf(x!))
      const notTiny = lax.gt(lax.abs(x!), eps)
      const safe = lax.select(notTiny, x!, eps)
      const slope = lax.sub(besselIe(0, safe), lax.mul(y, lax.add(lax.sign(safe), lax.div(c(safe, 1), safe))))
      return [[y], [lax.mul(dx!, lax.select(notTiny, slope, c(x!, 0.5)))]]
    }
  }, [t])[0]!

// I_nu(x) e^-|x| for nu = 0 or 1: the power series up to |x| = 30 (terms built by ratios, so
// float32 does not overflow), the asymptotic series above (truncation below 1e-17 there).
const besselIeValue = (nu: 0 | 1, t: Tensor): Tensor => {
  const a = lax.abs(t)
  const small = lax.le(a, c(a, 30))
  const s = lax.select(small, a, c(a, 1))
  const q = lax.mul(c(s, 0.25), lax.mul(s, s))
  let term = nu === 0 ? c(s, 1) : lax.mul(c(s, 0.5), s)
  let sum = term
  for (let k = 1; k <= 80; k++) {
    term = lax.mul(term, lax.div(q, c(q, k * (k + nu))))
    sum = lax.add(sum, term)
  }
  const series = lax.mul(sum, lax.exp(lax.neg(s)))
  const b = lax.select(small, c(a, 31), a)
  const inv8x = lax.div(c(b, 1 / 8), b)
  const mu = 4 * nu * nu
  let coef = c(b, 1)
  let total = coef
  for (let k = 1; k <= 30; k++) {
    coef = lax.mul(coef, lax.mul(inv8x, c(b, -(mu - (2 * k - 1) ** 2) / k)))
    total = lax.add(total, coef)
  }
  // 1 / sqrt(2 pi b) as rsqrt(b) / sqrt(2 pi): 2 pi b overflowed for b past max / 2 pi (float32's
  // 3.4e38, float64's 1.8e308), and its rsqrt of inf made i0e and i1e 0 there
  const asym = lax.mul(total, lax.mul(lax.rsqrt(b), c(b, 1 / Math.sqrt(2 * Math.PI))))
  const out = lax.select(small, series, asym)
  return nu === 1 ? lax.mul(lax.sign(t), out) : out
}

/**
 * `I0(x) = e^|x| i0e(x)` with jnp.i0's custom JVP (JAX's `_i0_jvp`): the
 * composition's tangent, 0 where x = 0 (abs's derivative there is 1, which
 * would give I0'(0) = 1 instead of 0).
 */
export const besselI0 = (t: Tensor): Tensor =>
  customJvpCall({
    name: "i0",
    f: ([x]) => [i0Composed(x!)],
    jvp: ([x], [dx]) => {
      const y = i0Composed(x!)
      const slope = lax.mul(besselIe(1, x!), lax.exp(lax.abs(x!)))
      const tangent = lax.mul(dx!, slope)
      return [[y], [lax.select(lax.eq(x!, c(x!, 0)), lax.full(tangent.shape, 0, tangent.dtype), tangent)]]
    }
  }, [t])[0]!

const i0Composed = (x: Tensor): Tensor => lax.mul(besselIe(0, x), lax.exp(lax.abs(x)))
