/**
 * Exponential integrals and the scaled complementary error function for
 * `special` (JAX's `exp1`, `expi`, `expn`, `erfcx`), as lax compositions with
 * static iteration counts and JAX's derivatives as custom JVPs:
 *
 * - `E1(x)`: the power series `-gamma - ln x - sum (-x)^k / (k k!)` up to
 *   x = 1 (40 terms), the continued fraction of `e^-x / (x + 1 / (1 + 1 / (x + ...)))`
 *   (Lentz, 80 steps) above.
 * - `Ei(x)`: `-E1(-x)` for x < 0; for x > 0 the series `gamma + ln x + sum x^k / (k k!)`
 *   (all terms positive: no cancellation) up to x = 40 (160 terms), the
 *   asymptotic series `e^x / x sum k! / x^k` (truncated at its smallest term) beyond.
 * - `E_n(x)`: Numerical Recipes' `expint` (series for x <= 1, continued fraction above).
 * - `erfcx(x) = exp(x^2) erfc(x)`: the product up to x = 12 (both factors are
 *   accurate there, erfc is a primitive good to its denormals), the asymptotic
 *   series `1 / (x sqrt pi) sum (-1)^k (2k-1)!! / (2x^2)^k` beyond; for x < 0,
 *   `2 exp(x^2) - erfcx(-x)`.
 *
 * @since 0.1.0
 */
import { customJvpCall } from "../Handler.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { digamma, erfc } from "./lax/special.js"

const EULER = 0.5772156649015329
const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

// Lentz's clamp: keeps a denominator away from zero.
const tiny = (t: Tensor): Tensor => lax.select(lax.lt(lax.abs(t), c(t, 1e-300)), c(t, 1e-300), t)

// E_n(x) for integer n >= 0 (n as a tensor of the same dtype), x >= 0; Numerical Recipes' expint.
const expnRaw = (n: Tensor, x0: Tensor): Tensor => {
  const one = c(x0, 1)
  const small = lax.le(x0, one)
  // the continued fraction on x > 1 (safe value 2 elsewhere)
  const x = lax.select(small, c(x0, 2), x0)
  const nm1 = lax.sub(n, one)
  let b = lax.add(x, n)
  let cc = c(x, 1e300)
  let d = lax.div(one, b)
  let h = d
  for (let i = 1; i <= 80; i++) {
    const an = lax.mul(c(x, -i), lax.add(nm1, c(x, i)))
    b = lax.add(b, c(b, 2))
    d = lax.div(one, tiny(lax.add(lax.mul(an, d), b)))
    cc = tiny(lax.add(b, lax.div(an, cc)))
    h = lax.mul(h, lax.mul(d, cc))
  }
  const fraction = lax.mul(h, lax.exp(lax.neg(x)))
  // the series on x <= 1 (safe value 0.5 elsewhere): E_n(x) = (-x)^(n-1)/(n-1)! (psi(n) - ln x) - sum_{k != n-1} (-x)^k / ((k - n + 1) k!)
  const xs = lax.select(small, x0, c(x0, 0.5))
  const positiveN = lax.gt(n, c(n, 1))
  let ans = lax.select(positiveN, lax.div(one, nm1), lax.sub(lax.neg(lax.log(xs)), c(xs, EULER)))
  let fact = one
  for (let k = 1; k <= 40; k++) {
    const kk = c(xs, k)
    fact = lax.mul(fact, lax.div(lax.neg(xs), kk))
    const isPole = lax.eq(kk, nm1)
    const safeDen = lax.select(isPole, one, lax.sub(kk, nm1))
    const regular = lax.div(lax.neg(fact), safeDen)
    const pole = lax.mul(fact, lax.sub(digamma(lax.add(kk, one)), lax.log(xs)))
    ans = lax.add(ans, lax.select(isPole, pole, regular))
  }
  return lax.select(small, ans, fraction)
}

// E_0(x) = e^-x / x; n = 0 is outside the recurrences above.
const expn0 = (x: Tensor): Tensor => lax.div(lax.exp(lax.neg(x)), x)

/** `E_n(x)` with JAX's domain: NaN for n < 0 or x < 0, +inf at x = 0 for n <= 1, 1/(n-1) for n > 1. */
export const expnValue = (n: Tensor, x: Tensor): Tensor => {
  const bad = lax.or(lax.or(lax.lt(n, c(n, 0)), lax.lt(x, c(x, 0))), lax.or(lax.ne(x, x), lax.ne(n, n)))
  const zero = lax.eq(x, c(x, 0))
  const sx = lax.select(lax.or(bad, zero), c(x, 1), x)
  const sn = lax.select(lax.lt(n, c(n, 0)), c(n, 1), n)
  const general = expnRaw(lax.select(lax.eq(sn, c(sn, 0)), c(sn, 1), sn), sx)
  let out = lax.select(lax.eq(sn, c(sn, 0)), expn0(sx), general)
  const atZero = lax.select(lax.le(sn, c(sn, 1)), c(x, Infinity), lax.div(c(x, 1), lax.sub(sn, c(sn, 1))))
  out = lax.select(zero, atZero, out)
  const inf = lax.eq(x, c(x, Infinity))
  out = lax.select(inf, c(x, 0), out)
  return lax.select(bad, c(x, NaN), out)
}

/** `E_n(x)` with JAX's derivative in x: `-E_{n-1}(x)`. */
export const expn = (n: Tensor, x: Tensor): Tensor =>
  customJvpCall({
    name: "expn",
    f: ([m, u]) => [expnValue(m!, u!)],
    jvp: ([m, u], [, du]) => [[expnValue(m!, u!)], [lax.mul(lax.neg(expn(lax.sub(m!, c(m!, 1)), u!)), du!)]]
  }, [n, x])[0]!

/** `E1(x)`, JAX's derivative `-e^-x / x`. */
export const exp1 = (x: Tensor): Tensor =>
  customJvpCall({
    name: "exp1",
    f: ([u]) => [expnValue(c(u!, 1), u!)],
    jvp: ([u], [du]) => [[expnValue(c(u!, 1), u!)], [lax.mul(lax.neg(expn0(u!)), du!)]]
  }, [x])[0]!

// Ei(x) for x > 0.
const eiPositive = (x0: Tensor): Tensor => {
  const big = lax.gt(x0, c(x0, 40))
  const xs = lax.select(big, c(x0, 1), x0)
  let term = c(xs, 1)
  let sum = c(xs, 0)
  for (let k = 1; k <= 160; k++) {
    term = lax.mul(term, lax.div(xs, c(xs, k)))
    sum = lax.add(sum, lax.div(term, c(xs, k)))
  }
  const series = lax.add(lax.add(c(xs, EULER), lax.log(xs)), sum)
  // asymptotic: e^x / x (1 + 1/x + 2/x^2 + ...), terms up to k = 40 (decreasing while k < x)
  const xl = lax.select(big, x0, c(x0, 50))
  let t = c(xl, 1)
  let s = c(xl, 1)
  for (let k = 1; k <= 40; k++) {
    t = lax.mul(t, lax.div(c(xl, k), xl))
    s = lax.add(s, t)
  }
  const asymptotic = lax.mul(lax.div(lax.exp(xl), xl), s)
  return lax.select(big, asymptotic, series)
}

const expiValue = (x: Tensor): Tensor => {
  const neg = lax.lt(x, c(x, 0))
  const zero = lax.eq(x, c(x, 0))
  const pos = lax.select(lax.or(neg, zero), c(x, 1), x)
  const negative = lax.neg(expnValue(c(x, 1), lax.select(neg, lax.neg(x), c(x, 1))))
  const out = lax.select(neg, negative, eiPositive(pos))
  return lax.select(zero, c(x, -Infinity), out)
}

/** `Ei(x)`, JAX's derivative `e^x / x`. */
export const expi = (x: Tensor): Tensor =>
  customJvpCall({
    name: "expi",
    f: ([u]) => [expiValue(u!)],
    jvp: ([u], [du]) => [[expiValue(u!)], [lax.mul(lax.div(lax.exp(u!), u!), du!)]]
  }, [x])[0]!

const erfcxValue = (x: Tensor): Tensor => {
  const a = lax.abs(x)
  // the asymptotic series from 12, or from 9 in float32, whose exp(x^2) overflows past 9.4
  const big = lax.gt(a, c(a, x.dtype === "float32" ? 9 : 12))
  const ab = lax.select(big, a, c(a, 1))
  const direct = lax.mul(lax.exp(lax.mul(x, x)), erfc(lax.select(big, c(x, 1), a)))
  // 1 / (x sqrt pi) (1 - 1/(2x^2) + 3/(2x^2)^2 - 15/(2x^2)^3 ...), to the 12th term (converged past 9)
  const inv = lax.div(c(ab, 1), lax.mul(c(ab, 2), lax.mul(ab, ab)))
  let term = c(ab, 1)
  let sum = c(ab, 1)
  for (let k = 1; k <= 12; k++) {
    term = lax.mul(term, lax.mul(c(ab, -(2 * k - 1)), inv))
    sum = lax.add(sum, term)
  }
  const asymptotic = lax.div(sum, lax.mul(ab, c(ab, Math.sqrt(Math.PI))))
  const positive = lax.select(big, asymptotic, direct)
  // x < 0: 2 e^(x^2) - erfcx(|x|)
  const reflected = lax.sub(lax.mul(c(x, 2), lax.exp(lax.mul(x, x))), positive)
  return lax.select(lax.lt(x, c(x, 0)), reflected, positive)
}

/** `erfcx(x)`, JAX's derivative `2 x erfcx(x) - 2 / sqrt(pi)`. */
export const erfcx = (x: Tensor): Tensor =>
  customJvpCall({
    name: "erfcx",
    f: ([u]) => [erfcxValue(u!)],
    jvp: ([u], [du]) => {
      const y = erfcxValue(u!)
      return [[y], [lax.mul(lax.sub(lax.mul(lax.mul(c(u!, 2), u!), y), c(u!, 2 / Math.sqrt(Math.PI))), du!)]]
    }
  }, [x])[0]!

// Li2(y) = sum y^k / k^2 for |y| <= 1/2 (60 terms: 2^-60 below float64's epsilon).
const li2Series = (y: Tensor): Tensor => {
  let p = c(y, 1)
  let s = c(y, 0)
  for (let k = 1; k <= 60; k++) {
    p = lax.mul(p, y)
    s = lax.add(s, lax.div(p, c(y, k * k)))
  }
  return s
}

const PI2_6 = (Math.PI * Math.PI) / 6

// Li2(y) for real y <= 1, reduced to |y| <= 1/2: y > 1/2 by Euler's reflection, -1 <= y < -1/2 by
// Landen's identity, y < -1 by the inversion formula (whose Li2(1/y) lands in [-1, 0)).
const li2 = (y0: Tensor): Tensor => {
  const half = c(y0, 0.5)
  const one = c(y0, 1)
  // y < -1: Li2(y) = -pi^2/6 - ln^2(-y) / 2 - Li2(1/y)
  const inverted = lax.lt(y0, lax.neg(one))
  const y1 = lax.select(inverted, lax.div(one, lax.select(inverted, y0, lax.neg(one))), y0)
  // y in [-1, -1/2): Landen, Li2(y) = -Li2(y / (y - 1)) - ln^2(1 - y) / 2, with y / (y - 1) in (1/3, 1/2]
  const landen = lax.lt(y1, lax.neg(half))
  const yl = lax.select(landen, lax.div(y1, lax.sub(y1, one)), y1)
  // y in (1/2, 1]: Li2(y) = pi^2/6 - ln(y) ln(1 - y) - Li2(1 - y)
  const reflect = lax.gt(yl, half)
  const yr = lax.select(reflect, lax.sub(one, yl), yl)
  let v = li2Series(yr)
  const ly = lax.log(lax.select(reflect, yl, one))
  const l1y = lax.log(lax.select(reflect, lax.sub(one, yl), one))
  const reflTerm = lax.select(lax.eq(yl, one), c(yl, 0), lax.mul(ly, l1y))
  v = lax.select(reflect, lax.sub(lax.sub(c(v, PI2_6), reflTerm), v), v)
  const lnl = lax.log(lax.sub(one, lax.select(landen, y1, c(y1, 0))))
  v = lax.select(landen, lax.sub(lax.neg(v), lax.mul(c(v, 0.5), lax.mul(lnl, lnl))), v)
  const lnm = lax.log(lax.neg(lax.select(inverted, y0, lax.neg(one))))
  v = lax.select(inverted, lax.sub(lax.sub(c(v, -PI2_6), lax.mul(c(v, 0.5), lax.mul(lnm, lnm))), v), v)
  return v
}

/**
 * Spence's function as SciPy defines it, `integral from 1 to x of log(t) / (1 - t) dt`
 * = `Li2(1 - x)` for x >= 0 (JAX's `spence`); NaN for x < 0.
 */
export const spence = (x: Tensor): Tensor => {
  // (JAX's and SciPy's spence(inf) is NaN, not the limit -inf)
  const bad = lax.or(lax.or(lax.lt(x, c(x, 0)), lax.ne(x, x)), lax.eq(x, c(x, Infinity)))
  const safe = lax.select(bad, c(x, 1), x)
  const out = li2(lax.sub(c(safe, 1), safe))
  return lax.select(bad, c(x, NaN), out)
}
