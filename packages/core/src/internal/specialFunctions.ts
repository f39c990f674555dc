/**
 * The special functions of the elementwise lowering, as kernel IR: erf and
 * erfc (Cody's rational approximations), erf's inverse (Giles' approximation
 * refined by Newton steps on erf), log-gamma and digamma (shifted Stirling and
 * asymptotic series, with reflection below 1/2). Every backend compiles these,
 * so each function has one algorithm everywhere.
 *
 * @since 0.1.0
 */
import * as K from "../Kernel.js"
import type { Expr } from "../Kernel.js"

const k = (value: number, t: K.ScalarType): Expr => K.constant(value, t)

// W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969) 631-638: the coefficients of SPECFUN's CALERF, at their
// published precision (each literal is read as the nearest f64, as intended).
/* oxlint-disable no-loss-of-precision */
const erfA = [
  3.16112374387056560e0,
  1.13864154151050156e2,
  3.77485237685302021e2,
  3.20937758913846947e3,
  1.85777706184603153e-1
]
const erfB = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3]
const erfC = [
  5.64188496988670089e-1,
  8.88314979438837594e0,
  6.61191906371416295e1,
  2.98635138197400131e2,
  8.81952221241769090e2,
  1.71204761263407058e3,
  2.05107837782607147e3,
  1.23033935479799725e3,
  2.15311535474403846e-8
]
const erfD = [
  1.57449261107098347e1,
  1.17693950891312499e2,
  5.37181101862009858e2,
  1.62138957456669019e3,
  3.29079923573345963e3,
  4.36261909014324716e3,
  3.43936767414372164e3,
  1.23033935480374942e3
]
const erfP = [
  3.05326634961232344e-1,
  3.60344899949804439e-1,
  1.25781726111229246e-1,
  1.60837851487422766e-2,
  6.58749161529837803e-4,
  1.63153871373020978e-2
]
const erfQ = [
  2.56852019228982242e0,
  1.87295284992346047e0,
  5.27905102951428412e-1,
  6.05183413124413191e-2,
  2.33520497626869185e-3
]

const invSqrtPi = 5.6418958354775628695e-1
/* oxlint-enable no-loss-of-precision */

/**
 * Cody's rational approximation: `num(z) / den(z)` in CALERF's Horner form,
 * where `num` starts from `top * z` and adds `nums[0..n-1]`, ending with `last`.
 */
const rational = (
  z: Expr,
  top: number,
  nums: ReadonlyArray<number>,
  dens: ReadonlyArray<number>,
  numLast: number,
  denLast: number
): [Expr, Expr] => {
  const t = z.type
  let num = K.mul(k(top, t), z)
  let den = z
  for (let i = 0; i < nums.length; i++) {
    num = K.mul(K.add(num, k(nums[i]!, t)), z)
    den = K.mul(K.add(den, k(dens[i]!, t)), z)
  }
  return [K.add(num, k(numLast, t)), K.add(den, k(denLast, t))]
}

/**
 * erf(x), accurate to about 1e-16 absolute in float64 (Cody's three intervals).
 *
 * @since 0.1.0
 */
export const erf = (x: Expr): Expr => {
  const t = x.type
  const y = K.abs(x)
  const ysq = K.mul(y, y)
  // |x| <= 0.46875: erf = x * R1(x^2)
  const [n1, d1] = rational(ysq, erfA[4]!, erfA.slice(0, 3), erfB.slice(0, 3), erfA[3]!, erfB[3]!)
  const small = K.div(K.mul(x, n1), d1)
  // 0.46875 < |x| <= 4: erfc = exp(-x^2) * R2(|x|)
  const [n2, d2] = rational(y, erfC[8]!, erfC.slice(0, 7), erfD.slice(0, 7), erfC[7]!, erfD[7]!)
  const expm = K.exp(K.neg(ysq))
  const erfcMid = K.mul(expm, K.div(n2, d2))
  // |x| > 4: erfc = exp(-x^2) / |x| * (1/sqrt(pi) - R3(1/x^2) / x^2)
  const inv = K.div(k(1, t), ysq)
  const [n3, d3] = rational(inv, erfP[5]!, erfP.slice(0, 4), erfQ.slice(0, 4), erfP[4]!, erfQ[4]!)
  const r3 = K.div(K.mul(inv, n3), d3)
  const erfcBig = K.mul(expm, K.div(K.sub(k(invSqrtPi, t), r3), y))
  const erfcLarge = K.select(K.le(y, k(4, t)), erfcMid, erfcBig)
  const mag = K.sub(k(1, t), erfcLarge)
  const large = K.select(K.lt(x, k(0, t)), K.neg(mag), mag)
  return K.select(K.le(y, k(0.46875, t)), small, large)
}

/**
 * erfc(x) = 1 - erf(x) without cancellation for large x: Cody's second and
 * third intervals give erfc directly (relative error about 1e-16 times x^2,
 * from rounding x^2 in exp(-x^2)); negative x use 2 - erfc(|x|).
 *
 * @since 0.1.0
 */
export const erfc = (x: Expr): Expr => {
  const t = x.type
  const y = K.abs(x)
  const ysq = K.mul(y, y)
  const [n1, d1] = rational(ysq, erfA[4]!, erfA.slice(0, 3), erfB.slice(0, 3), erfA[3]!, erfB[3]!)
  const small = K.sub(k(1, t), K.div(K.mul(x, n1), d1))
  const [n2, d2] = rational(y, erfC[8]!, erfC.slice(0, 7), erfD.slice(0, 7), erfC[7]!, erfD[7]!)
  const expm = K.exp(K.neg(ysq))
  const mid = K.mul(expm, K.div(n2, d2))
  const inv = K.div(k(1, t), ysq)
  const [n3, d3] = rational(inv, erfP[5]!, erfP.slice(0, 4), erfQ.slice(0, 4), erfP[4]!, erfQ[4]!)
  const r3 = K.div(K.mul(inv, n3), d3)
  const big = K.mul(expm, K.div(K.sub(k(invSqrtPi, t), r3), y))
  const tail = K.select(K.le(y, k(4, t)), mid, big)
  const large = K.select(K.lt(x, k(0, t)), K.sub(k(2, t), tail), tail)
  return K.select(K.le(y, k(0.46875, t)), small, large)
}

// M. Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): the
// single-precision polynomials in w = -log(1 - x^2).
const gilesCentral = [
  2.81022636e-8,
  3.43273939e-7,
  -3.5233877e-6,
  -4.39150654e-6,
  2.1858087e-4,
  -1.25372503e-3,
  -4.17768164e-3,
  2.46640727e-1,
  1.50140941
]
const gilesTail = [
  -2.00214257e-4,
  1.00950558e-4,
  1.34934322e-3,
  -3.67342844e-3,
  5.73950773e-3,
  -7.6224613e-3,
  9.43887047e-3,
  1.00167406,
  2.83297682
]
const horner = (w: Expr, cs: ReadonlyArray<number>): Expr => {
  let p = k(cs[0]!, w.type)
  for (let i = 1; i < cs.length; i++) p = K.add(k(cs[i]!, w.type), K.mul(p, w))
  return p
}

/**
 * `y >= 0` with `erfc(y) = z` for `z` in (0, 1], from the guess `y0`: Newton's steps on
 * `log erfc(y) = log z`, whose slope `-2 exp(-y^2) / (sqrt(pi) erfc(y))` is about `-2y` (so the
 * steps converge from a guess 10% off), each step's factor `erfc(y) exp(y^2)` taken as
 * `exp(log erfc(y) + y^2)` so that it does not overflow in the far tail.
 */
const erfcInvSteps = (z: Expr, y0: Expr, steps: number): Expr => {
  const t = z.type
  const logZ = K.log(z)
  let y = y0
  for (let i = 0; i < steps; i++) {
    const le = K.log(erfc(y))
    const scaled = K.exp(K.add(le, K.mul(y, y)))
    y = K.add(y, K.mul(K.sub(le, logZ), K.mul(k(Math.sqrt(Math.PI) / 2, t), scaled)))
  }
  return y
}

/**
 * The inverse of erf on (-1, 1): Giles' approximation (about 1e-7 relative), then Newton's steps:
 * on erf below |x| = 1/2 (two in float64, one in float32), and beyond it on the complement,
 * `erfc(|y|) = 1 - |x|` (exact there), through `erfcInvSteps` (three in float64, one in float32),
 * starting where `1 - |x| < 1e-7` from the asymptotic `y^2 = -log z - log(sqrt(pi log(1/z)))`,
 * since Giles' single-precision fit is not made for float64's far tail: near 1, Newton on erf
 * cancels (erfinv(1 - 1e-14) was 0.9% off). ±inf at ±1 and NaN beyond.
 *
 * @since 0.1.0
 */
export const erfInv = (x: Expr): Expr => {
  const t = x.type
  const one = k(1, t)
  const w = K.neg(K.log(K.mul(K.sub(one, x), K.add(one, x))))
  const central = horner(K.sub(w, k(2.5, t)), gilesCentral)
  const tail = horner(K.sub(K.sqrt(w), k(3, t)), gilesTail)
  const guess = K.mul(K.select(K.lt(w, k(5, t)), central, tail), x)
  const finite = K.lt(K.abs(x), one)
  // |x| < 1/2: Newton on erf(y) = x: y -= (erf(y) - x) * sqrt(pi)/2 * exp(y^2)
  let y = guess
  for (let i = 0; i < (t === "f64" ? 2 : 1); i++) {
    const safe = K.select(finite, y, k(0, t))
    const step = K.mul(K.sub(erf(safe), x), K.mul(k(Math.sqrt(Math.PI) / 2, t), K.exp(K.mul(safe, safe))))
    y = K.select(finite, K.sub(safe, step), y)
  }
  // |x| >= 1/2: Newton on erfc(|y|) = 1 - |x|, in safe arguments (the others' lanes are discarded)
  const a = K.abs(x)
  const upper = K.and(K.ge(a, k(0.5, t)), finite)
  const z = K.select(upper, K.sub(one, a), k(0.5, t))
  const logInv = K.neg(K.log(z))
  const asymptotic = K.sqrt(K.sub(logInv, K.mul(k(0.5, t), K.log(K.mul(k(Math.PI, t), logInv)))))
  const start = K.select(upper, K.select(K.lt(z, k(1e-7, t)), asymptotic, K.abs(guess)), k(0.5, t))
  const far = erfcInvSteps(z, start, t === "f64" ? 3 : 1)
  y = K.select(upper, K.select(K.lt(x, k(0, t)), K.neg(far), far), y)
  const edge = K.mul(K.sign(x), k(Infinity, t))
  return K.select(K.eq(K.abs(x), one), edge, K.select(K.gt(K.abs(x), one), k(NaN, t), y))
}

// sin(pi x) and cos(pi x) with the argument reduced to [-1/2, 1/2] first, so
// that integers give exact zeros of sin and half-integers of cos.
const sinCosPi = (x: Expr): readonly [Expr, Expr] => {
  const t = x.type
  const n = K.round(x)
  const r = K.sub(x, n)
  const pr = K.mul(k(Math.PI, t), r)
  // (-1)^n: n mod 2 from n - 2 round(n / 2)
  const odd = K.ne(K.sub(n, K.mul(k(2, t), K.round(K.mul(n, k(0.5, t))))), k(0, t))
  const s = K.sin(pr)
  const c = K.cos(pr)
  return [K.select(odd, K.neg(s), s), K.select(odd, K.neg(c), c)]
}

// ln(sqrt(2 pi))
const halfLog2Pi = 0.5 * Math.log(2 * Math.PI)

// lgamma(z) for z >= 8 by Stirling's series to z^-13 (the next term, 3617 / (122400 z^15),
// is below 1e-15 at z = 8).
const stirling = (z: Expr): Expr => {
  const t = z.type
  const inv = K.div(k(1, t), z)
  const inv2 = K.mul(inv, inv)
  // 1/12 - 1/(360 z^2) + 1/(1260 z^4) - 1/(1680 z^6) + 1/(1188 z^8) - 691/(360360 z^10) + 1/(156 z^12)
  const series = K.mul(
    inv,
    horner(inv2, [1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12])
  )
  return K.add(K.add(K.sub(K.mul(K.sub(z, k(0.5, t)), K.log(z)), z), k(halfLog2Pi, t)), series)
}

/**
 * log|Gamma(x)|: Stirling's series at x + 8 for x < 8 (less the log of the
 * shift's product), reflection `log(pi / |sin(pi x)|) - lgamma(1 - x)` below
 * 1/2; +inf at the poles (0, -1, -2, ...) and at +-inf. Absolute error about 10 ulps of the
 * result's scale (relative error is larger near the zeros at 1 and 2).
 *
 * @since 0.1.0
 */
export const lgamma = (x: Expr): Expr => {
  const t = x.type
  const reflect = K.lt(x, k(0.5, t))
  const z = K.select(reflect, K.sub(k(1, t), x), x)
  // z < 8: lgamma(z) = lgamma(z + 8) - log(z (z + 1) ... (z + 7))
  const shift = K.lt(z, k(8, t))
  let prod = z
  for (let i = 1; i < 8; i++) prod = K.mul(prod, K.add(z, k(i, t)))
  const zs = K.select(shift, K.add(z, k(8, t)), z)
  const lg = K.select(shift, K.sub(stirling(zs), K.log(prod)), stirling(zs))
  const [s] = sinCosPi(x)
  const reflected = K.sub(K.log(K.div(k(Math.PI, t), K.abs(s))), lg)
  const out = K.select(reflect, reflected, lg)
  // lgamma(+-inf) = +inf (XLA's Lgamma; |Gamma| -> 0 faster than any power as x -> -inf, but the
  // reflection is undefined there); NaN stays NaN; the zeros at 1 and 2 exact (Stirling's series
  // at 9 and 10 less the shift's log leaves 1.8e-15 there, in every log-pmf at its boundary)
  const zero = K.or(K.eq(x, k(1, t)), K.eq(x, k(2, t)))
  return K.select(K.eq(K.abs(x), k(Infinity, t)), k(Infinity, t), K.select(zero, k(0, t), out))
}

/**
 * digamma(x) = d/dx lgamma(x): the recurrence up to x + 10, then the
 * asymptotic series to z^-14 (truncation below 1e-16 for z >= 10); reflection
 * `digamma(1 - x) - pi / tan(pi x)` below 1/2. NaN at the poles (0, -1, ...).
 *
 * @since 0.1.0
 */
export const digamma = (x: Expr): Expr => {
  const t = x.type
  const reflect = K.lt(x, k(0.5, t))
  const z = K.select(reflect, K.sub(k(1, t), x), x)
  const shift = K.lt(z, k(10, t))
  let sum = k(0, t)
  for (let i = 0; i < 10; i++) sum = K.add(sum, K.div(k(1, t), K.add(z, k(i, t))))
  const zs = K.select(shift, K.add(z, k(10, t)), z)
  const inv = K.div(k(1, t), zs)
  const inv2 = K.mul(inv, inv)
  // log z - 1/(2z) - (1/12 z^-2 - 1/120 z^-4 + 1/252 z^-6 - 1/240 z^-8 + 1/132 z^-10 - 691/32760 z^-12 + 1/12 z^-14)
  const series = K.mul(inv2, horner(inv2, [1 / 12, -691 / 32760, 1 / 132, -1 / 240, 1 / 252, -1 / 120, 1 / 12]))
  const asym = K.sub(K.sub(K.log(zs), K.mul(k(0.5, t), inv)), series)
  const psi = K.select(shift, K.sub(asym, sum), asym)
  const [s, c] = sinCosPi(x)
  const reflected = K.sub(psi, K.div(K.mul(k(Math.PI, t), c), s))
  const pole = K.and(reflect, K.eq(s, k(0, t)))
  const out = K.select(reflect, reflected, psi)
  return K.select(pole, k(NaN, t), K.select(K.eq(x, k(Infinity, t)), x, out))
}
