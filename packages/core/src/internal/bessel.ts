/**
 * The exponentially scaled modified Bessel functions of orders 0 and 1, shared
 * by `special` (i0e, i1e, i0, i1) and `np.i0` (a module of its own: special.ts
 * imports np, so np cannot import special).
 */
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

// I_nu(x) e^-|x| for nu = 0 or 1: the power series up to |x| = 30 (terms built by ratios, so
// float32 does not overflow), the asymptotic series above (truncation below 1e-17 there).
export const besselIe = (nu: 0 | 1, t: Tensor): Tensor => {
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
  const asym = lax.mul(total, lax.rsqrt(lax.mul(c(b, 2 * Math.PI), b)))
  const out = lax.select(small, series, asym)
  return nu === 1 ? lax.mul(lax.sign(t), out) : out
}
