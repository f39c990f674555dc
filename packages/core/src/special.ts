/**
 * `special`: JAX's `jax.scipy.special` (SciPy's names in camelCase). Each
 * function promotes integers to float32 as JAX does, and is built from `lax`
 * (the primitives `erf`, `erfc`, `erf_inv`, `lgamma`, `digamma`, and
 * compositions), so it differentiates, batches and runs on every backend.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.gammaln(np.array([5])))) // [3.1780539]
 *
 * @since 0.1.0
 */
import { isComplex } from "./DType.js"
import { ConcretizationError, DTypeError, ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { besselIe } from "./internal/bessel.js"
import { complexGamma, complexLoggamma } from "./internal/complexGamma.js"
import * as expint from "./internal/expint.js"
import { hyp1f1 as hyp1f1Impl } from "./internal/hyp1f1.js"
import { hyp2f1 as hyp2f1Impl } from "./internal/hyp2f1.js"
import { legendreDerivatives, legendreTable, stackTable } from "./internal/legendre.js"
import { normalizeAxes, prepare, toInexact, toTensor } from "./internal/npHelpers.js"
import { dawsn as dawsnImpl, fresnel as fresnelImpl, sici as siciImpl } from "./internal/oscillatoryIntegrals.js"
import { owensT as owensTImpl } from "./internal/owensT.js"
import { sphHarmY as sphHarmYImpl } from "./internal/sphericalHarmonics.js"
import { wofz as wofzImpl } from "./internal/wofz.js"
import * as lax from "./laxNamespace.js"
import * as np from "./numpy.js"
import type { Tensor } from "./Tensor.js"
import { toJsSync } from "./ToJs.js"
import {
  anyValue,
  argumentError,
  axes as axesCheck,
  boolean,
  checkArg,
  checkOptions,
  checkShape,
  integer
} from "./Validate.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)
const real = (op: string, x: TensorLike): Tensor => {
  const t = toInexact(toTensor(x))
  if (isComplex(t.dtype)) throw new DTypeError({ operation: op, detail: "complex arguments are not supported" })
  return t
}
// Two arguments promoted together (JS numbers weak) and broadcast, then made inexact.
const realPair = (op: string, x: TensorLike, y: TensorLike): readonly [Tensor, Tensor] => {
  const [a, b] = prepare(op, [x, y]) as [Tensor, Tensor]
  return [real(op, a), real(op, b)]
}
// Any number of arguments promoted together and broadcast, then made inexact.
const realAll = (op: string, xs: ReadonlyArray<TensorLike>): Array<Tensor> => prepare(op, xs).map((t) => real(op, t))

/**
 * The error function.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.erf(np.array([1])))) // [0.8427008]
 *
 * @since 0.1.0
 */
export const erf = (x: TensorLike): Tensor => lax.erf(real("erf", x))
/**
 * `1 - erf(x)`, accurate for large x.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.erfc(np.array([4])))) // [1.5417259e-8]
 *
 * @since 0.1.0
 */
export const erfc = (x: TensorLike): Tensor => lax.erfc(real("erfc", x))
/**
 * The inverse error function.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.erfinv(np.array([0.5])))) // [0.4769363]
 *
 * @since 0.1.0
 */
export const erfinv = (x: TensorLike): Tensor => lax.erfInv(real("erfinv", x))
/**
 * `log|Gamma(x)|`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.gammaln(np.array([0.5, 10])))) // [0.5723649, 12.801827]
 *
 * @since 0.1.0
 */
export const gammaln = (x: TensorLike): Tensor => lax.lgamma(real("gammaln", x))
/**
 * The sign of Gamma(x): -1 on (-2k-1, -2k) and at -0, NaN at the poles (the negative integers)
 * and for NaN, else 1 (+0 included), as JAX's.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.gammasgn(np.array([2, -0.5, -1.5])))) // [1, -1, 1]
 *
 * @since 0.1.0
 */
export const gammasgn = (x: TensorLike): Tensor => {
  const t = real("gammasgn", x)
  const fl = lax.floor(t)
  const negative = lax.lt(t, c(t, 0))
  // JAX's: NaN at the poles (negative integers) and for NaN; -1 where floor(x) is odd below 0, and
  // at -0 (Gamma(-0) = -inf); +1 elsewhere, +0 included
  const negOdd = lax.and(negative, lax.eq(lax.rem(fl, c(t, 2)), c(t, -1)))
  const minusZero = lax.and(lax.eq(t, c(t, 0)), lax.lt(lax.div(c(t, 1), t), c(t, 0)))
  const pole = lax.or(lax.and(negative, lax.eq(t, fl)), lax.ne(t, t))
  // JAX selects among NumPy scalars of x's dtype: a strong result
  const strong = (v: number) => lax.full(t.shape, v, t.dtype, false)
  return lax.select(pole, strong(NaN), lax.select(lax.or(negOdd, minusZero), strong(-1), strong(1)))
}
/**
 * The Gamma function, `gammasgn(x) exp(gammaln(x))`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.gamma(np.array([5, 0.5])))) // [24, 1.7724539]
 *
 * @since 0.1.0
 */
export const gamma = (x: TensorLike): Tensor => {
  const z = toInexact(toTensor(x))
  if (isComplex(z.dtype)) return complexGamma(z)
  const t = real("gamma", z)
  return lax.mul(gammasgn(t), lax.exp(lax.lgamma(t)))
}
/**
 * The principal branch of `log(Gamma(x))` (SciPy's and JAX's `loggamma`): on
 * real input `log(Gamma(x))` for `x > 0` and NaN elsewhere (where Gamma is
 * negative or infinite, the branch cut; `gammaln` gives `log|Gamma(x)|`).
 * Complex arguments are not supported.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.loggamma(np.array([3, -0.5])))) // [0.6931472, NaN]
 *
 * @since 0.1.0
 */
export const loggamma = (x: TensorLike): Tensor => {
  const z = toInexact(toTensor(x))
  // complex z: SciPy's principal branch (JAX's _complex_loggamma_scipy)
  if (isComplex(z.dtype)) return complexLoggamma(z)
  const t = real("loggamma", z)
  return lax.select(lax.gt(t, lax.zerosLike(t)), lax.lgamma(t), lax.full(t.shape, NaN, t.dtype, t.weakType))
}
/**
 * `n!` as `Gamma(n + 1)` (0 below 0).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.factorial(np.array([0, 5, -1])))) // [1, 120, 0]
 *
 * @since 0.1.0
 */
export const factorial = (n: TensorLike): Tensor => {
  const t = real("factorial", n)
  return lax.select(lax.lt(t, c(t, 0)), c(t, 0), lax.exp(lax.lgamma(lax.add(t, c(t, 1)))))
}
/**
 * The digamma function.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.digamma(np.array([1])))) // [-0.5772157]
 *
 * @since 0.1.0
 */
export const digamma = (x: TensorLike): Tensor => lax.digamma(real("digamma", x))
/**
 * The `n`-th derivative of digamma: `n` a non-negative integer, or an integer-typed array of
 * them broadcast against `x` (JAX's: NaN for a negative order; a float array is refused).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.polygamma(1, np.array([1])))) // [1.644934]
 * console.log(toJsSync(special.polygamma(np.array([0, 1, 2], { dtype: "int32" }), np.array([1], { dtype: "float64" })))) // [-0.5772156649015329, 1.6449340668482264, -2.4041138063191885]
 *
 * @since 0.1.0
 */
export const polygamma = (n: number | TensorLike, x: TensorLike): Tensor => {
  if (typeof n === "number") return lax.polygamma(n, real("polygamma", x))
  const order = toTensor(n)
  if (order.dtype !== "int32" && order.dtype !== "uint32") {
    throw new DTypeError({
      operation: "polygamma",
      detail: `argument n must be of integer type, got dtype ${order.dtype}`
    })
  }
  const [m, t] = realPair("polygamma", order, x)
  return lax.polygamma(m, t)
}
/**
 * The Hurwitz zeta function `sum_k (q + k)^-x` (Riemann's at q = 1).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.zeta(np.array([2, 4]), np.array([1, 1])))) // [1.644934, 1.0823232]
 *
 * @since 0.1.0
 */
export const zeta = (x: TensorLike, q: TensorLike = 1): Tensor => lax.zeta(...realPair("zeta", x, q))
/** Stirling's correction `lgamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2)`, for x >= 8 (to x^-13). */
const stirlingCorrection = (x: Tensor): Tensor => {
  const inv = lax.div(c(x, 1), x)
  const inv2 = lax.mul(inv, inv)
  let series = c(x, 1 / 156)
  for (const coef of [-691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12]) {
    series = lax.add(c(x, coef), lax.mul(series, inv2))
  }
  return lax.mul(inv, series)
}
/**
 * `log|B(a, b)|` from log-gamma; where the larger argument `b` is 8 or more, `lgamma(b) -
 * lgamma(a + b)` comes from Stirling's formula as `-(a + b - 1/2) log1p(a/b) - a (log b - 1)`
 * plus the difference of the corrections (JAX's `algdiv` route), which keeps the digits that the
 * difference of two large log-gammas cancels (betaln(0.1, 1e10) was 5e-4 off).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.betaln(np.array([1]), np.array([2])))) // [-0.6931472]
 *
 * @since 0.1.0
 */
export const betaln = (a: TensorLike, b: TensorLike): Tensor => {
  const [x0, y0] = realPair("betaln", a, b)
  const x = lax.min(x0, y0)
  const y = lax.max(x0, y0)
  const small = lax.sub(lax.add(lax.lgamma(x), lax.lgamma(y)), lax.lgamma(lax.add(x, y)))
  const large = lax.ge(y, c(y, 8))
  // (on safe arguments where b < 8)
  const sx = lax.select(large, x, c(x, 1))
  const sy = lax.select(large, y, c(y, 8))
  const u = lax.mul(lax.add(sy, lax.sub(sx, c(sx, 0.5))), lax.log1p(lax.div(sx, sy)))
  const v = lax.mul(sx, lax.sub(lax.log(sy), c(sy, 1)))
  const w = lax.sub(stirlingCorrection(sy), stirlingCorrection(lax.add(sx, sy)))
  const ratio = lax.sub(lax.sub(w, u), v)
  return lax.select(large, lax.add(lax.lgamma(x), ratio), small)
}
/**
 * The Beta function.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.beta(np.array([2]), np.array([3])))) // [0.083333336]
 *
 * @since 0.1.0
 */
export const beta = (a: TensorLike, b: TensorLike): Tensor => {
  const [x, y] = realPair("beta", a, b)
  return lax.mul(lax.mul(gammasgn(x), gammasgn(y)), lax.mul(gammasgn(lax.add(x, y)), lax.exp(betaln(x, y))))
}
/** Whether `y` is a number outside `(low, inf)` (NaN is not). */
const outside = (y: Tensor, low: number): Tensor =>
  lax.and(lax.eq(y, y), lax.not(lax.and(lax.gt(y, c(y, low)), lax.lt(y, c(y, Infinity)))))

/**
 * `x log y`, 0 where x = 0 (even for y = 0).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.xlogy(np.array([0, 2]), np.array([0, Math.E])))) // [0, 2]
 *
 * @since 0.1.0
 */
export const xlogy = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = realPair("xlogy", x, y)
  // JAX's: 0 where x = 0 unless y is NaN. There y outside (0, inf) is replaced by 1, so that the
  // value is 0 (not 0 * -inf or 0 * inf) and the gradients stay finite.
  const safe = lax.select(lax.and(lax.eq(a, c(a, 0)), outside(b, 0)), c(b, 1), b)
  return lax.mul(a, lax.log(safe))
}
/**
 * `x log(1 + y)`, 0 where x = 0.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.xlog1py(np.array([0, 2]), np.array([-1, 0])))) // [0, 0]
 *
 * @since 0.1.0
 */
export const xlog1py = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = realPair("xlog1py", x, y)
  // (as xlogy: 0 where x = 0 unless y is NaN)
  const safe = lax.select(lax.and(lax.eq(a, c(a, 0)), outside(b, -1)), c(b, 0), b)
  return lax.mul(a, lax.log1p(safe))
}
/**
 * `-x log x`, 0 at 0, -inf below.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.entr(np.array([0, 0.5, -1])))) // [0, 0.3465736, -Infinity]
 *
 * @since 0.1.0
 */
export const entr = (x: TensorLike): Tensor => {
  const t = real("entr", x)
  const pos = lax.gt(t, c(t, 0))
  const v = lax.neg(lax.mul(t, lax.log(lax.select(pos, t, c(t, 1)))))
  // (NaN stays NaN, as JAX's)
  return lax.select(pos, v, lax.select(lax.eq(t, c(t, 0)), c(t, 0), lax.select(lax.ne(t, t), t, c(t, -Infinity))))
}
/**
 * `x log(x / y)` (0 at x = 0, inf where y = 0 < x, ...) (`rel_entr`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.relEntr(np.array([1, 0]), np.array([Math.E, 1])))) // [-1, 0]
 *
 * @since 0.1.0
 */
export const relEntr = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = realPair("relEntr", x, y)
  const both = lax.and(lax.gt(a, c(a, 0)), lax.gt(b, c(b, 0)))
  const v = lax.mul(a, lax.log(lax.div(lax.select(both, a, c(a, 1)), lax.select(both, b, c(b, 1)))))
  const zero = lax.and(lax.eq(a, c(a, 0)), lax.ge(b, c(b, 0)))
  return lax.select(both, v, lax.select(zero, c(a, 0), c(a, Infinity)))
}
/**
 * `x log(x / y) - x + y` (`kl_div`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.klDiv(np.array([1]), np.array([1])))) // [0]
 *
 * @since 0.1.0
 */
export const klDiv = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = realPair("klDiv", x, y)
  return lax.add(lax.sub(relEntr(a, b), a), b)
}
/**
 * The logistic sigmoid `1 / (1 + exp(-x))`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.expit(np.array([0])))) // [0.5]
 *
 * @since 0.1.0
 */
export const expit = (x: TensorLike): Tensor => lax.logistic(real("expit", x))
/**
 * `log(p / (1 - p))`, the inverse of `expit`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.logit(np.array([0.5, 1])))) // [0, Infinity]
 *
 * @since 0.1.0
 */
export const logit = (p: TensorLike): Tensor => {
  const t = real("logit", p)
  return lax.sub(lax.log(t), lax.log1p(lax.neg(t)))
}
/**
 * The standard normal CDF `(1 + erf(x / sqrt 2)) / 2`, via erfc for accuracy in the tails.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.ndtr(np.array([0, -3])))) // [0.5, 0.0013498980]
 *
 * @since 0.1.0
 */
export const ndtr = (x: TensorLike): Tensor => {
  const t = real("ndtr", x)
  return lax.mul(c(t, 0.5), lax.erfc(lax.mul(t, c(t, -Math.SQRT1_2))))
}
/**
 * The log of the standard normal CDF, accurate far in the lower tail (the
 * asymptotic series below -20 in float64, -9 in float32, where erfc underflows).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.logNdtr(np.array([0, -40], { dtype: "float64" })))) // [-0.6931471805599453, -804.6084420137538]
 *
 * @since 0.1.0
 */
export const logNdtr = (x: TensorLike): Tensor => {
  const t = real("logNdtr", x)
  const lower = t.dtype === "float64" ? -20 : -9
  const safe = lax.select(lax.lt(t, c(t, lower)), c(t, lower), t)
  // log(ndtr(x)) = log1p(-ndtr(-x)) above 0: no cancellation in 1 - tiny. That branch runs on 1
  // where it is not taken: at x <= -5.4 (float32; -8.3 in float64) ndtr(-x) rounds to 1, and the
  // unselected log1p(-1) = -inf would make the gradient NaN
  const positive = lax.gt(safe, c(t, 0))
  const direct = lax.select(
    positive,
    lax.log1p(lax.neg(ndtr(lax.neg(lax.select(positive, safe, c(t, 1)))))),
    lax.log(ndtr(safe))
  )
  // -x^2/2 - log(-x) - log(2 pi)/2 + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 - 945/x^10)
  const tail = lax.select(lax.lt(t, c(t, lower)), t, c(t, lower - 1))
  const inv2 = lax.div(c(t, 1), lax.mul(tail, tail))
  let series = c(t, -945)
  for (const coef of [105, -15, 3, -1, 1]) series = lax.add(c(t, coef), lax.mul(series, inv2))
  const asym = lax.sub(
    lax.sub(lax.mul(c(t, -0.5), lax.mul(tail, tail)), lax.log(lax.neg(tail))),
    c(t, 0.5 * Math.log(2 * Math.PI))
  )
  return lax.select(lax.lt(t, c(t, lower)), lax.add(asym, lax.log(series)), direct)
}
/**
 * The inverse of `ndtr`: `-sqrt(2) y` where `erfc(y) = 2p` for p below 1/2 (`+sqrt(2) y` with
 * `1 - p` above, exact there), so that tiny probabilities keep their digits (`2p - 1` rounds to
 * -1 below p = 1.1e-16: ndtri(1e-20) was -inf). y starts from erfinv's approximation, or from the
 * asymptotic `y^2 = log(1/z) - log(sqrt(pi log(1/z)))` where `z = 2p < 1e-7`, and takes Newton's
 * steps on `log erfc(y) = log z` (three in float64, one in float32).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.ndtri(np.array([0.5, 0.975], { dtype: "float64" })))) // [0, 1.959963984540054]
 *
 * @since 0.1.0
 */
export const ndtri = (p: TensorLike): Tensor => {
  const t = real("ndtri", p)
  const lower = lax.lt(t, c(t, 0.5))
  const inside = lax.and(lax.gt(t, c(t, 0)), lax.lt(t, c(t, 1)))
  // z = 2 min(p, 1 - p) in (0, 1] (safe 1 elsewhere)
  const z = lax.select(inside, lax.mul(c(t, 2), lax.select(lower, t, lax.sub(c(t, 1), t))), c(t, 1))
  const far = lax.lt(z, c(t, 1e-7))
  // (on a safe argument elsewhere: log(pi log(1/z)) at z = 1 would make the gradient NaN)
  const logInv = lax.neg(lax.log(lax.select(far, z, c(t, 1e-8))))
  const asymptotic = lax.sqrt(lax.sub(logInv, lax.mul(c(t, 0.5), lax.log(lax.mul(c(t, Math.PI), logInv)))))
  const guess = lax.abs(lax.erfInv(lax.sub(c(t, 1), z)))
  let y = lax.select(far, asymptotic, guess)
  const logZ = lax.log(z)
  for (let i = 0; i < (t.dtype === "float64" ? 3 : 1); i++) {
    // log erfc(y) as log erfcx(y) - y^2: erfc itself is a denormal short of bits past y = 26.5
    // (p below 1e-307; float32's past 9.2), where the step went 1e-6 off (ndtri(5e-324))
    const scaled = expint.erfcx(y)
    const le = lax.sub(lax.log(scaled), lax.mul(y, y))
    y = lax.add(y, lax.mul(lax.sub(le, logZ), lax.mul(c(t, Math.sqrt(Math.PI) / 2), scaled)))
  }
  const x = lax.mul(c(t, Math.SQRT2), lax.select(lower, lax.neg(y), y))
  const edges = lax.select(
    lax.eq(t, c(t, 0)),
    c(t, -Infinity),
    lax.select(lax.eq(t, c(t, 1)), c(t, Infinity), c(t, NaN))
  )
  return lax.select(inside, x, edges)
}

/**
 * The exponentially scaled modified Bessel function of order 0, `exp(-|x|) I0(x)`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.i0e(np.array([0, 1], { dtype: "float64" })))) // [1, 0.46575960759364043]
 *
 * @since 0.1.0
 */
export const i0e = (x: TensorLike): Tensor => besselIe(0, real("i0e", x))
/**
 * The exponentially scaled modified Bessel function of order 1, `exp(-|x|) I1(x)`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.i1e(np.array([1], { dtype: "float64" })))) // [0.2079104153497085]
 *
 * @since 0.1.0
 */
export const i1e = (x: TensorLike): Tensor => besselIe(1, real("i1e", x))
/**
 * The modified Bessel function of order 0.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.i0(np.array([1], { dtype: "float64" })))) // [1.2660658777520082]
 *
 * @since 0.1.0
 */
export const i0 = (x: TensorLike): Tensor => {
  const t = real("i0", x)
  return lax.mul(i0e(t), lax.exp(lax.abs(t)))
}
/**
 * The modified Bessel function of order 1.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.i1(np.array([1], { dtype: "float64" })))) // [0.5651591039924851]
 *
 * @since 0.1.0
 */
export const i1 = (x: TensorLike): Tensor => {
  const t = real("i1", x)
  return lax.mul(i1e(t), lax.exp(lax.abs(t)))
}
/**
 * Options of {@link logsumexp} (JAX's `axis`, `b`, `keepdims`, `where`; `return_sign` is
 * {@link logsumexpWithSign}).
 *
 * @since 0.1.0
 */
export interface LogsumexpOptions {
  /** Axes to reduce (default `null`: all). */
  readonly axis?: number | ReadonlyArray<number> | null | undefined
  /** Scale factors of the exponentials, broadcastable to `x`: `log(sum(b * exp(x)))`. */
  readonly b?: TensorLike | undefined
  readonly keepdims?: boolean | undefined
  /** Elements to include (a bool array broadcastable to `x`). */
  readonly where?: TensorLike | undefined
}

const logsumexpParts = (
  op: string,
  x: TensorLike,
  options: LogsumexpOptions | undefined,
  withSign: boolean
): readonly [Tensor, Tensor] => {
  checkOptions(op, options, { axis: anyValue, b: anyValue, keepdims: boolean, where: anyValue })
  let a = toInexact(toTensor(x))
  let where: Tensor | null = null
  if (options?.where !== undefined) {
    const w = toTensor(options.where)
    if (w.dtype !== "bool") {
      throw new DTypeError({ operation: op, detail: `'where' must be a boolean array, got dtype ${w.dtype}` })
    }
    where = np.broadcastTo(w, a.shape)
  }
  let b: Tensor | null = null
  if (options?.b !== undefined) {
    // a and b promoted together and broadcast (jnp's promote_args_inexact); b = 0 drops its term
    ;[a, b] = prepare(op, [a, options.b]).map((t) => toInexact(t)) as [Tensor, Tensor]
    if (where !== null) where = np.broadcastTo(where, a.shape)
    a = np.where(np.notEqual(b, 0), a, -Infinity)
  }
  const axes = options?.axis === undefined || options.axis === null
    ? a.shape.map((_, i) => i)
    : normalizeAxes(op, options.axis, a.ndim)
  // complex inputs (JAX's): the shift is the largest real part, and the sum's complex log is kept
  // unless its sign is asked for
  const complex = isComplex(a.dtype)
  const re = complex ? np.real(a) : a
  const masked = where === null ? re : np.where(where, re, -Infinity)
  const amax = axes.some((d) => a.shape[d] === 0)
    ? np.full(a.shape.map((d, i) => (axes.includes(i) ? 1 : d)), -Infinity, { dtype: re.dtype })
    : np.max(masked, { axis: axes, keepdims: true })
  // the maximum is held constant under differentiation (JAX's); a non-finite one shifts by 0
  const shift = lax.stopGradient(np.where(np.isfinite(amax), amax, 0))
  let e = np.exp(np.subtract(a, shift))
  if (b !== null) e = np.multiply(e, b)
  const s = np.sum(where === null ? e : np.where(where, e, 0), { axis: axes, keepdims: true })
  const sign = np.sign(s)
  const out = np.add(complex && !withSign ? np.log(s) : np.log(np.abs(s)), shift)
  return options?.keepdims === true ? [out, sign] : [np.squeeze(out, { axis: axes }), np.squeeze(sign, { axis: axes })]
}

/**
 * `log(sum(b * exp(x)))` over `axis` (all axes by default), stably (JAX's
 * `jax.scipy.special.logsumexp`, which is `jax.nn.logsumexp`): the maximum is
 * subtracted first and held constant under differentiation; `where` selects
 * the elements; a negative sum (with `b`) is NaN, and {@link logsumexpWithSign}
 * returns its sign instead.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.logsumexp(np.array([1000, 1000])))) // 1000.6931
 * console.log(toJsSync(special.logsumexp(np.array([0, 0]), { b: np.array([1, 2]) }))) // 1.0986123
 *
 * @since 0.1.0
 */
export const logsumexp = (x: TensorLike, options?: LogsumexpOptions): Tensor => {
  const [out, sign] = logsumexpParts("logsumexp", x, options, false)
  // a negative real sum is NaN (a complex one has its log)
  return options?.b === undefined || isComplex(out.dtype) ? out : np.where(np.less(sign, 0), NaN, out)
}

/**
 * `logsumexp` with JAX's `return_sign=True`: `[log|sum(b * exp(x))|, sign(sum)]`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.logsumexpWithSign(np.array([0, 0]), { b: np.array([1, -2]) }))) // [0, -1]
 *
 * @since 0.1.0
 */
export const logsumexpWithSign = (x: TensorLike, options?: LogsumexpOptions): readonly [Tensor, Tensor] =>
  logsumexpParts("logsumexp", x, options, true)
/**
 * `exp(x) / sum(exp(x))` along `axis` (the last by default).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.softmax(np.array([0, Math.log(3)])))) // [0.25, 0.75]
 *
 * @since 0.1.0
 */
export const softmax = (x: TensorLike, options?: { readonly axis?: number | undefined }): Tensor => {
  checkOptions("softmax", options, { axis: axesCheck })
  const t = real("softmax", x)
  const axis = options?.axis ?? -1
  // JAX's form: exp(x - max) / sum(exp(x - max)), the max held constant (it cancels)
  const m = lax.stopGradient(np.max(t, { axis, keepdims: true }))
  const shifted = lax.sub(t, np.broadcastTo(lax.select(lax.isFinite(m), m, lax.zerosLike(m)), t.shape))
  const e = lax.exp(shifted)
  return lax.div(e, np.broadcastTo(np.sum(e, { axis, keepdims: true }), t.shape))
}
/**
 * `x - logsumexp(x)` along `axis` (the last by default).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.logSoftmax(np.array([0, 0])))) // [-0.6931472, -0.6931472]
 *
 * @since 0.1.0
 */
export const logSoftmax = (x: TensorLike, options?: { readonly axis?: number | undefined }): Tensor => {
  checkOptions("logSoftmax", options, { axis: axesCheck })
  const t = real("logSoftmax", x)
  return lax.sub(t, np.broadcastTo(np.logsumexp(t, { axis: options?.axis ?? -1, keepdims: true }), t.shape))
}
/**
 * The log of the multivariate gamma function of dimension `d`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.multigammaln(np.array([2], { dtype: "float64" }), 2))) // [0.45158270528945]
 *
 * @since 0.1.0
 */
export const multigammaln = (a: TensorLike, d: number): Tensor => {
  checkArg("multigammaln", "d", d, integer)
  if (d > 1000) throw argumentError("multigammaln", "d", "a dimension up to 1000", d)
  if (d < 1) throw argumentError("multigammaln", "d", "a positive integer", d)
  const t = real("multigammaln", a)
  let sum = c(t, (d * (d - 1)) / 4 * Math.log(Math.PI))
  for (let j = 0; j < d; j++) sum = lax.add(sum, lax.lgamma(lax.sub(t, c(t, j / 2))))
  return sum
}

/**
 * The regularized lower incomplete gamma function `P(a, x)` (`lax.igamma`
 * with NumPy promotion and broadcasting).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.gammainc(np.array([1], { dtype: "float64" }), 2))) // [0.8646647167633873]
 *
 * @since 0.1.0
 */
export const gammainc = (a: TensorLike, x: TensorLike): Tensor => lax.igamma(...realPair("gammainc", a, x))

/**
 * The regularized upper incomplete gamma function `Q(a, x) = 1 - P(a, x)` (`lax.igammac`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.gammaincc(np.array([1], { dtype: "float64" }), 2))) // [0.1353352832366127]
 *
 * @since 0.1.0
 */
export const gammaincc = (a: TensorLike, x: TensorLike): Tensor => lax.igammac(...realPair("gammaincc", a, x))

/**
 * The regularized incomplete beta function `I_x(a, b)` (`lax.betainc`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.betainc(np.array([2], { dtype: "float64" }), 1, 0.5))) // [0.25]
 *
 * @since 0.1.0
 */
export const betainc = (a: TensorLike, b: TensorLike, x: TensorLike): Tensor => {
  const [ta, tb, tx] = prepare("betainc", [a, b, x]) as [Tensor, Tensor, Tensor]
  return lax.betainc(real("betainc", ta), real("betainc", tb), real("betainc", tx))
}

/**
 * The Box-Cox transform `(x^lmbda - 1) / lmbda`, `log(x)` at `lmbda = 0` (SciPy's `boxcox`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.boxcox(np.array([1, 4], { dtype: "float64" }), 0.5))) // [0, 2]
 *
 * @since 0.1.0
 */
export const boxcox = (x: TensorLike, lmbda: TensorLike): Tensor => {
  const [t, l] = realPair("boxcox", x, lmbda)
  const zero = lax.eq(l, c(l, 0))
  const safe = lax.select(zero, c(l, 1), l)
  // expm1(l log x) / l keeps precision for small l
  const power = lax.div(lax.expm1(lax.mul(safe, lax.log(t))), safe)
  return lax.select(zero, lax.log(t), power)
}

/**
 * The Box-Cox transform of `1 + x`: `((1 + x)^lmbda - 1) / lmbda`, `log1p(x)` at `lmbda = 0` (SciPy's `boxcox1p`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.boxcox1p(np.array([0, 3], { dtype: "float64" }), 0.5))) // [0, 2]
 *
 * @since 0.1.0
 */
export const boxcox1p = (x: TensorLike, lmbda: TensorLike): Tensor => {
  const [t, l] = realPair("boxcox1p", x, lmbda)
  const zero = lax.eq(l, c(l, 0))
  const safe = lax.select(zero, c(l, 1), l)
  const power = lax.div(lax.expm1(lax.mul(safe, lax.log1p(t))), safe)
  return lax.select(zero, lax.log1p(t), power)
}

/**
 * The Pochhammer symbol (rising factorial) `Gamma(z + m) / Gamma(z)` (SciPy's `poch`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.poch(np.array([3, 0.5], { dtype: "float64" }), 2))) // [12, 0.75]
 *
 * @since 0.1.0
 */
export const poch = (z: TensorLike, m: TensorLike): Tensor => {
  const [a, b] = realPair("poch", z, m)
  const top = lax.add(a, b)
  const sign = lax.mul(gammasgn(top), gammasgn(a))
  // (JAX's: 1 where m = 0, whatever z)
  return lax.select(lax.eq(b, c(b, 0)), c(a, 1), lax.mul(sign, lax.exp(lax.sub(lax.lgamma(top), lax.lgamma(a)))))
}

/**
 * The binomial coefficient `N choose k` as a float (SciPy's `comb` with
 * `exact=False`): 0 outside `0 <= k <= N`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.comb(np.array([10, 10, 4], { dtype: "float64" }), np.array([3, 11, 2])))) // [120, 0, 6]
 *
 * @since 0.1.0
 */
export const comb = (N: TensorLike, k: TensorLike): Tensor => {
  const [n, kk] = realPair("comb", N, k)
  const one = c(n, 1)
  const inside = lax.and(lax.ge(kk, c(kk, 0)), lax.and(lax.le(kk, n), lax.ge(n, c(n, 0))))
  const v = lax.exp(
    lax.sub(
      lax.sub(lax.lgamma(lax.add(n, one)), lax.lgamma(lax.add(kk, one))),
      lax.lgamma(lax.add(lax.sub(n, kk), one))
    )
  )
  // integer arguments give integers: round away the lgamma error
  const integral = lax.and(lax.eq(lax.floor(n), n), lax.eq(lax.floor(kk), kk))
  return lax.select(inside, lax.select(integral, lax.round(v, { roundingMethod: "toNearestEven" }), v), c(n, 0))
}

/**
 * The exponential integral `E1(x) = integral from x to inf of e^-t / t dt`
 * (JAX's `exp1`; derivative `-e^-x / x`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.exp1(np.array([1], { dtype: "float64" })))) // [0.21938393439552029]
 *
 * @since 0.1.0
 */
export const exp1 = (x: TensorLike): Tensor => expint.exp1(real("exp1", x))

/**
 * The exponential integral `Ei(x)`, the principal value of the integral of
 * `e^t / t` up to x (JAX's `expi`; derivative `e^x / x`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.expi(np.array([1], { dtype: "float64" })))) // [1.8951178163559368]
 *
 * @since 0.1.0
 */
export const expi = (x: TensorLike): Tensor => expint.expi(real("expi", x))

/**
 * The generalized exponential integral `E_n(x)` for integer `n >= 0` (JAX's
 * `expn`; derivative in x `-E_{n-1}(x)`, none in n).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // E_2(1) = e^-1 - E_1(1)
 * console.log(toJsSync(special.expn(2, np.array([1], { dtype: "float64" })))) // [0.14849550677592208]
 *
 * @since 0.1.0
 */
export const expn = (n: TensorLike, x: TensorLike): Tensor => {
  const [a, b] = realPair("expn", n, x)
  return expint.expn(a, b)
}

/**
 * The scaled complementary error function `exp(x^2) erfc(x)` (JAX's `erfcx`),
 * accurate where `erfc` underflows.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.erfcx(np.array([0, 30], { dtype: "float64" })))) // [1, 0.018795888861416751]
 *
 * @since 0.1.0
 */
export const erfcx = (x: TensorLike): Tensor => {
  const t = toInexact(toTensor(x))
  // complex z: erfcx(z) = w(i z), Faddeeva's function (JAX's)
  if (isComplex(t.dtype)) return wofzImpl(lax.complex(lax.neg(lax.imag(t)), lax.real(t)))
  return expint.erfcx(t)
}

/**
 * Spence's function, SciPy's convention: `integral from 1 to x of log(t) / (1 - t) dt`,
 * i.e. the dilogarithm `Li2(1 - x)`, for x >= 0 (JAX's `spence`; NaN below 0).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // spence(0) = pi^2 / 6, spence(1) = 0, spence(2) = -pi^2 / 12
 * console.log(toJsSync(special.spence(np.array([0, 1, 2], { dtype: "float64" })))) // [1.6449340668482264, 0, -0.8224670334241132]
 *
 * @since 0.1.0
 */
export const spence = (x: TensorLike): Tensor => expint.spence(real("spence", x))

/**
 * The Bernoulli numbers `B_0 .. B_n` (JAX's and SciPy's `bernoulli`, with
 * `B_1 = -1/2`), float32: the even ones from `B_2k = (-1)^(k+1) 2 (2k)! zeta(2k) /
 * (2 pi)^2k` in float64 (the factorial and the power as one running product;
 * zeta as 49 terms and the Euler-Maclaurin tail, to float64 precision, where
 * JAX's 49 terms alone leave `B_4` 2.5e-6 off), the odd ones past `B_1` zero.
 *
 * @example
 * import { special, toJsSync } from "diffect"
 * console.log(toJsSync(special.bernoulli(6))) // [1, -0.5, 0.16666667, 0, -0.033333335, 0, 0.023809524]
 *
 * @since 0.1.0
 */
export const bernoulli = (n: number): Tensor => {
  checkArg("bernoulli", "n", n, integer)
  if (n < 0) throw argumentError("bernoulli", "n", "a non-negative integer", n)
  checkShape("bernoulli", [n + 1])
  const out = new Float64Array(n + 1)
  out[0] = 1
  if (n >= 1) out[1] = -0.5
  const twoPiSquared = 4 * Math.PI * Math.PI
  // 2 m! / (2 pi)^m, from m = 2
  let scale = 4 / twoPiSquared
  for (let m = 2; m <= n; m += 2) {
    if (m > 2) scale *= ((m - 1) * m) / twoPiSquared
    // zeta(m): the terms below N, then the tail from N by Euler-Maclaurin
    const N = 50
    let zeta = 0
    for (let k = 1; k < N; k++) zeta += k ** -m
    zeta += N ** (1 - m) / (m - 1) + N ** -m / 2 + (m * N ** (-m - 1)) / 12 -
      (m * (m + 1) * (m + 2) * N ** (-m - 3)) / 720
    out[m] = (m % 4 === 0 ? -1 : 1) * scale * zeta
  }
  return np.array(Float32Array.from(out))
}

/** Options of `besselJn`: the highest order `v` (default 0) and the recurrence's length. @since 0.1.0 */
export interface BesselJnOptions {
  readonly v?: number | undefined
  /** Where the backward recurrence starts (JAX's `n_iter`, default 50): it must exceed `|z|` well. */
  readonly nIter?: number | undefined
}

/**
 * The Bessel functions of the first kind `J_0(z) .. J_v(z)` (JAX's
 * `bessel_jn`), stacked along a new first axis: Miller's algorithm, the
 * recurrence `J_(k-1) = (2k / z) J_k - J_(k+1)` run downwards from order `nIter`
 * (where `J` is negligible) and normalized by `J_0 + 2 (J_2 + J_4 + ...) = 1`.
 * Accurate while `|z|` is well below `nIter`; NaN at `z = 0`, as JAX's.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * const [j0, j1] = toJsSync(special.besselJn(np.array([1], { dtype: "float64" }), { v: 1 })) as Array<Array<number>>
 * console.log(j0, j1) // [0.7651976865579666] [0.44005058574493355]
 *
 * @since 0.1.0
 */
export const besselJn = (z: TensorLike, options?: BesselJnOptions): Tensor => {
  checkOptions("besselJn", options, { v: integer, nIter: integer })
  const v = options?.v ?? 0
  const nIter = options?.nIter ?? 50
  if (v < 0) throw argumentError("besselJn", "v", "a non-negative integer", v)
  if (nIter < v + 1 || nIter < 2) throw argumentError("besselJn", "nIter", `an integer above v (${v}) and 1`, nIter)
  const t = real("besselJn", z)
  const c = (k: number) => lax.full(t.shape, k, t.dtype, t.weakType)
  // from J_(nIter + 1) = 0 and J_nIter tiny: every order down to 0, unnormalized
  let above = c(0)
  let here = c(1e-16)
  const orders: Array<Tensor> = new Array(nIter + 1)
  orders[nIter] = here
  let evens = nIter % 2 === 0 && nIter > 0 ? here : c(0)
  for (let k = nIter; k >= 1; k--) {
    const below = lax.sub(lax.div(lax.mul(c(2 * k), here), t), above)
    above = here
    here = below
    orders[k - 1] = below
    if ((k - 1) % 2 === 0 && k - 1 > 0) evens = lax.add(evens, below)
  }
  const norm = lax.add(orders[0]!, lax.mul(c(2), evens))
  return np.stack(orders.slice(0, v + 1).map((j) => lax.div(j, norm)))
}

/**
 * The sine and cosine integrals `[Si(x), Ci(x)]` (JAX's and SciPy's `sici`):
 * `Si(x) = int_0^x sin t / t dt` (odd), `Ci(x) = gamma + log|x| + int_0^|x|
 * (cos t - 1) / t dt` (`Ci(0) = -inf`, NaN at `-inf`). Power series up to
 * |x| = 4, the continued fraction of `E1(i x)` beyond; differentiable
 * (`sin x / x`, `cos x / x`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * const [si, ci] = special.sici(np.array([1, 10], { dtype: "float64" }))
 * console.log(toJsSync(si), toJsSync(ci)) // [0.946083070367183, 1.658347594218874] [0.3374039229009681, -0.04545643300445537]
 *
 * @since 0.1.0
 */
export const sici = (x: TensorLike): readonly [Tensor, Tensor] => siciImpl(real("sici", x))

/**
 * The Fresnel integrals `[S(x), C(x)]` (JAX's and SciPy's `fresnel`):
 * `S(x) = int_0^x sin(pi t^2 / 2) dt`, `C(x) = int_0^x cos(pi t^2 / 2) dt`, both
 * odd, 1/2 at infinity. Power series up to |x| = 1.5, the continued fraction of
 * erfc beyond; differentiable (`sin(pi x^2 / 2)`, `cos(pi x^2 / 2)`).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * const [s, c] = special.fresnel(np.array([1, 3], { dtype: "float64" }))
 * console.log(toJsSync(s), toJsSync(c)) // [0.4382591473903548, 0.4963129989673751] [0.7798934003768228, 0.6057207892976856]
 *
 * @since 0.1.0
 */
export const fresnel = (x: TensorLike): readonly [Tensor, Tensor] => fresnelImpl(real("fresnel", x))

/**
 * Dawson's integral `F(x) = exp(-x^2) int_0^x exp(t^2) dt` (JAX's and SciPy's
 * `dawsn`): odd, `1 / (2x)` asymptotically; the integral's positive series up
 * to |x| = 6 and the asymptotic series beyond; derivative `1 - 2 x F(x)`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.dawsn(np.array([1, 10], { dtype: "float64" })))) // [0.5380795069127684, 0.05025384718759853]
 *
 * @since 0.1.0
 */
export const dawsn = (x: TensorLike): Tensor => dawsnImpl(real("dawsn", x))

/**
 * Owen's T function `T(h, a) = (1 / 2 pi) int_0^a exp(-h^2 (1 + x^2) / 2) /
 * (1 + x^2) dx` (JAX's and SciPy's `owens_t`), broadcast over `h` and `a`: even
 * in h, odd in a; Gauss-Legendre quadrature for |a| <= 1 and the reflection
 * identity beyond. The probability that a standard bivariate normal pair falls
 * between the lines x = h and y = a x; differentiable.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * console.log(toJsSync(special.owensT(np.array([0, 1], { dtype: "float64" }), np.array(1, { dtype: "float64" })))) // [0.125, 0.06674188216570098]
 *
 * @since 0.1.0
 */
export const owensT = (h: TensorLike, a: TensorLike): Tensor => {
  const [th, ta] = realPair("owensT", h, a)
  return owensTImpl(th, ta)
}

/**
 * Kummer's confluent hypergeometric function `1F1(a; b; x) = sum_k (a)_k /
 * (b)_k x^k / k!` (JAX's and SciPy's `hyp1f1`), broadcast over real `a`, `b`,
 * `x`: JAX's Taylor series for |x| < 100 and asymptotic series beyond, with
 * Kummer's transformation `e^x 1F1(b - a; b; -x)` for negative x (accurate
 * where JAX's alternating series is not); `1F1(0; b; x) = 1` (SciPy's NaN at
 * a = b = 0 aside), `1F1(a; a; x) = e^x`, `1F1(a; 0; x) = inf`. Differentiable in
 * all three arguments (JAX's derivative series in a and b; `a / b 1F1(a + 1;
 * b + 1; x)` in x).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // 1F1(1; 2; x) = (e^x - 1) / x
 * console.log(toJsSync(special.hyp1f1(1, 2, np.array([1, -2], { dtype: "float64" })))) // [1.718281828459045, 0.43233235838169365]
 *
 * @since 0.1.0
 */
export const hyp1f1 = (a: TensorLike, b: TensorLike, x: TensorLike): Tensor => {
  const [ta, tb, tx] = realAll("hyp1f1", [a, b, x]) as [Tensor, Tensor, Tensor]
  return hyp1f1Impl(ta, tb, tx)
}

/**
 * Gauss's hypergeometric function `2F1(a, b; c; x) = sum_k (a)_k (b)_k / (c)_k
 * x^k / k!` (JAX's and SciPy's `hyp2f1`), broadcast over real `a`, `b`, `c` and
 * real `x <= 1`: JAX's cases (1 at x = 0, inf where c is a non-positive
 * integer, for x > 1 and at x = 1 when c - a - b <= 0, Gauss's sum at x = 1,
 * Euler's transformation, the terminating polynomial, the Taylor series, the
 * expansion about x = 1 for integer c - a - b), plus the connection formula in
 * 1 - x beyond x = 0.9 and Pfaff's transformation for x < 0 where JAX's series
 * converges slowly or diverges. Differentiable in all four arguments (JAX's
 * series in a, b, c; `a b / c 2F1(a + 1, b + 1; c + 1; x)` in x).
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // 2F1(1, 1; 2; x) = -log(1 - x) / x
 * console.log(toJsSync(special.hyp2f1(1, 1, 2, np.array([0.5, -3], { dtype: "float64" })))) // [1.3862943611198906, 0.46209812037329684]
 *
 * @since 0.1.0
 */
export const hyp2f1 = (a: TensorLike, b: TensorLike, c: TensorLike, x: TensorLike): Tensor => {
  const [ta, tb, tc, tx] = realAll("hyp2f1", [a, b, c, x]) as [Tensor, Tensor, Tensor, Tensor]
  return hyp2f1Impl(ta, tb, tc, tx)
}

/**
 * The Faddeeva function `w(z) = exp(-z^2) erfc(-i z)` (JAX's and SciPy's
 * `wofz`) of complex `z` (real input is made complex: float32 to complex64,
 * float64 to complex128): Weideman's 32-term rational approximation in the
 * upper half-plane and `2 exp(-z^2) - w(-z)` below, as JAX; `w'(z) = -2 z w(z)
 * + 2 i / sqrt(pi)`.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // on the imaginary axis, w(i y) = erfcx(y)
 * console.log(toJsSync(special.wofz(np.array([{ re: 0, im: 1 }], { dtype: "complex128" })))) // [{ re: 0.42758357615580705, im: 0 }]
 *
 * @since 0.1.0
 */
export const wofz = (z: TensorLike): Tensor => {
  const t = toInexact(toTensor(z))
  if (isComplex(t.dtype)) return wofzImpl(t)
  const zero = lax.full(t.shape, 0, t.dtype, t.weakType)
  return wofzImpl(lax.complex(t, zero))
}

/**
 * The highest degree of a Legendre table: the table is built by a recurrence
 * of about `n^2 / 2` steps, each a few tensor operations (degree 1024 takes
 * seconds; the fuzz's 23,055 exhausted the heap).
 */
const MAX_LEGENDRE_DEGREE = 1024

const checkLegendreDegree = (op: string, argument: string, n: number): void => {
  if (n > MAX_LEGENDRE_DEGREE) {
    throw argumentError(op, argument, `at most ${MAX_LEGENDRE_DEGREE} (the Legendre table grows as its square)`, n)
  }
}

// lpmn's and lpmnValues' arguments as JAX checks them: m = n, a 1-D float32 or float64 z
const legendreArguments = (op: string, m: number, n: number, z: TensorLike): Tensor => {
  checkArg(op, "m", m, integer)
  checkArg(op, "n", n, integer)
  if (n < 0) throw argumentError(op, "n", "a non-negative integer", n)
  checkLegendreDegree(op, "n", n)
  if (m !== n) {
    throw argumentError(op, "m", `equal to n (${n}): computations for m != n are not supported, as in JAX`, m)
  }
  const t = toTensor(z)
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError({ operation: op, detail: `z.dtype=${t.dtype} is not supported: z must be float32 or float64` })
  }
  if (t.ndim !== 1) {
    throw new ShapeError({ operation: op, detail: `z must be a 1D array, got shape (${t.shape.join(", ")})` })
  }
  // the table must be allocatable (a huge n is a typed error, not an exhausted heap)
  checkShape(op, [n + 1, n + 1, Math.max(1, t.shape[0]!)])
  return t
}

/**
 * The associated Legendre functions of the first kind `P_l^m(z)` for all
 * orders and degrees `0 <= m, l <= n` (JAX's `lpmn_values`; JAX requires
 * `m = n`), with the Condon-Shortley phase, shape `(n + 1, n + 1, len(z))`
 * (order, degree, point), zero where `m > l`. With `isNormalized` each is
 * scaled by `sqrt((2l + 1) (l - m)! / (4 pi (l + m)!))`, the spherical
 * harmonics' normalization. Differentiable in z.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // P_1^0(z) = z, P_1^1(z) = -sqrt(1 - z^2)
 * const p = special.lpmnValues(1, 1, np.array([0.6], { dtype: "float64" }), false)
 * console.log(toJsSync(p)) // [[[1], [0.6]], [[0], [-0.8]]]
 *
 * @since 0.1.0
 */
export const lpmnValues = (m: number, n: number, z: TensorLike, isNormalized: boolean): Tensor => {
  const t = legendreArguments("lpmnValues", m, n, z)
  checkArg("lpmnValues", "isNormalized", isNormalized, boolean)
  return stackTable(legendreTable(n, t, isNormalized))
}

/**
 * The associated Legendre functions of the first kind and their derivatives in
 * z (JAX's `lpmn`; JAX requires `m = n`): `[P, dP/dz]`, each of shape
 * `(n + 1, n + 1, len(z))` (order, degree, point), unnormalized, with the
 * Condon-Shortley phase; the derivatives by JAX's recurrence (at m = 1,
 * `(l (l + 1) P_l^0 - P_l^2) / (2 sqrt(1 - z^2))`), infinite at `z = +-1` where
 * the functions are not differentiable.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // P_1^1(z) = -sqrt(1 - z^2), whose derivative is z / sqrt(1 - z^2)
 * const [p, dp] = special.lpmn(1, 1, np.array([0.6], { dtype: "float64" }))
 * console.log(toJsSync(p), toJsSync(dp)) // [[[1], [0.6]], [[0], [-0.8]]] [[[0], [1]], [[0], [0.75]]]
 *
 * @since 0.1.0
 */
export const lpmn = (m: number, n: number, z: TensorLike): readonly [Tensor, Tensor] => {
  const t = legendreArguments("lpmn", m, n, z)
  const table = legendreTable(n, t, false)
  return [stackTable(table), stackTable(legendreDerivatives(table, t))]
}

/** Options of `sphHarmY`: the highest degree (JAX's `n_max`). @since 0.1.0 */
export interface SphHarmYOptions {
  /** The largest degree in `n`, the Legendre table's size (read from `n` when omitted; degrees above it read it). */
  readonly nMax?: number | undefined
}

/**
 * The spherical harmonics `Y_n^m(theta, phi)` (JAX's and SciPy's `sph_harm_y`;
 * SciPy's argument order: degree `n`, order `m`, colatitude `theta` in [0, pi],
 * longitude `phi` in [0, 2 pi]), orthonormal on the sphere with the
 * Condon-Shortley phase: `sqrt((2n + 1) (n - m)! / (4 pi (n + m)!)) P_n^m(cos
 * theta) e^(i m phi)`, and `(-1)^m conj(Y_n^|m|)` for m < 0. `n` and `m` are
 * integer-valued vectors of one length (values for `n < 0` or `|m| > n` are
 * undefined, as in JAX), `theta` a scalar or vector, `phi` broadcasting with
 * them; the j-th harmonic is taken at the j-th theta, or the last when theta is
 * shorter (JAX's clipped read). `nMax` (JAX's `n_max`) must be given under jit.
 * Complex64 for float32 angles, complex128 for float64; differentiable in the
 * angles.
 *
 * @example
 * import { special, np, toJsSync } from "diffect"
 * // Y_0^0 = 1 / (2 sqrt(pi)); Y_1^0(theta, phi) = sqrt(3 / (4 pi)) cos(theta)
 * const y = special.sphHarmY(np.array([0, 1]), np.array([0, 0]), np.array(0, { dtype: "float64" }), np.array(0, { dtype: "float64" }))
 * console.log(toJsSync(y)) // [{ re: 0.28209479177387814, im: 0 }, { re: 0.4886025119029199, im: 0 }]
 *
 * @since 0.1.0
 */
export const sphHarmY = (
  n: TensorLike,
  m: TensorLike,
  theta: TensorLike,
  phi: TensorLike,
  options?: SphHarmYOptions
): Tensor => {
  checkOptions("sphHarmY", options, { nMax: integer })
  const tn = toTensor(n)
  const tm = toTensor(m)
  if (isComplex(tn.dtype) || isComplex(tm.dtype)) {
    throw new DTypeError({ operation: "sphHarmY", detail: "the degree n and order m must be real integers" })
  }
  if (tn.ndim !== 1) {
    throw new ShapeError({ operation: "sphHarmY", detail: `n must be a 1D array, got shape (${tn.shape.join(", ")})` })
  }
  // theta and phi share a dtype but not a shape (theta indexes the table's points)
  const [rawTheta, rawPhi] = [real("sphHarmY", theta), real("sphHarmY", phi)]
  const dtype = rawTheta.dtype === "float64" || rawPhi.dtype === "float64" ? "float64" : "float32"
  const [angleTheta, anglePhi] = [np.astype(rawTheta, dtype), np.astype(rawPhi, dtype)]
  const th = angleTheta.ndim === 0 ? np.reshape(angleTheta, [1]) : angleTheta
  if (th.ndim !== 1) {
    throw new ShapeError({
      operation: "sphHarmY",
      detail: `theta must be a scalar or a 1D array, got shape (${th.shape.join(", ")})`
    })
  }
  let nMax = options?.nMax
  if (nMax === undefined) {
    try {
      nMax = tn.size === 0 ? 0 : Math.max(0, Math.trunc(toJsSync(np.max(tn)) as number))
    } catch (e) {
      if (!(e instanceof ConcretizationError)) throw e
      throw new ConcretizationError({
        detail:
          "sphHarmY: the nMax option must be given to use sphHarmY within jit (it fixes the size of the Legendre table)"
      })
    }
  }
  if (!Number.isSafeInteger(nMax) || nMax < 0) throw argumentError("sphHarmY", "nMax", "a non-negative integer", nMax)
  checkLegendreDegree("sphHarmY", "nMax (the largest degree n)", nMax)
  // the Legendre table must be allocatable (a huge degree is a typed error, not an exhausted heap)
  checkShape("sphHarmY", [nMax + 1, nMax + 1, Math.max(1, th.shape[0]!)])
  return sphHarmYImpl(tn, tm, th, anglePhi, nMax)
}
