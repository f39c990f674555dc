/**
 * The regularized incomplete gamma and beta functions (JAX's `lax.igamma`,
 * `lax.igammac`, `lax.betainc`) as compositions: the power series of `P(a, x)`
 * below `x = a + 1` and Lentz's continued fraction of `Q(a, x)` above it;
 * Lentz's continued fraction of `I_x(a, b)` on the side of `(a + 1) / (a + b + 2)`
 * where it converges fast, the symmetry `I_x(a, b) = 1 - I_{1-x}(b, a)` on the
 * other. The gamma functions' expansions run as JAX's do, in a `lax.whileLoop`
 * until every element has converged to its dtype's precision (each element
 * stops updating once its own terms are below eps; the continued fraction for
 * at most JAX's 2000 steps): large parameters (`a = 10^5` near `x = a` takes
 * about 2,700 series terms) converge as small ones do. Their derivatives have
 * JAX's rules (`igammaGradA` in `a`, the density in `x`). The beta function's
 * fraction takes a static 128 steps (256 partial numerators), converged for
 * parameters up to about 10^4, and is differentiated as it is computed. Out of the domain (negative parameters, `x < 0`,
 * `x` outside [0, 1]) the result is NaN, as JAX's; zero and infinite parameters give JAX's limits.
 *
 * @since 0.1.0
 */
import { isFloating } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import { customJvpCall } from "../../Handler.js"
import * as lax from "../../lax.js"
import { Tensor } from "../../Tensor.js"
import { argumentError } from "../../Validate.js"
import { epsOf, untilConverged } from "../seriesLoop.js"
import { digamma, lgamma } from "./special.js"

/** JAX's limit on the gamma functions' continued fractions; their series have none (this one guards a hang). */
const GAMMA_FRACTION_STEPS = 2000
const SERIES_STEPS = 1_000_000
/**
 * The incomplete beta function's continued fraction takes a static number of steps (an even and an
 * odd partial numerator each), so that reverse mode differentiates it in all three arguments
 * (JAX's has only the x-derivative).
 */
const BETA_FRACTION_STEPS = 128

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

const floats = (op: string, xs: ReadonlyArray<unknown>, names: ReadonlyArray<string>): Array<Tensor> => {
  const ts = xs.map((u, i) => {
    if (u instanceof Tensor && Tensor.isGenuine(u)) return u
    throw argumentError(op, names[i]!, "a Tensor", u)
  })
  for (const t of ts) {
    if (!isFloating(t.dtype)) {
      throw new DTypeError({
        operation: op,
        detail: `dtype ${t.dtype} is not accepted. Accepted dtypes are floating (lax does not promote)`
      })
    }
    if (t.dtype !== ts[0]!.dtype || t.shape.join(",") !== ts[0]!.shape.join(",")) {
      throw new ShapeError({
        operation: op,
        detail: `operands must share a dtype and a shape, got ${ts.map((x) => `${x.dtype}[${x.shape}]`).join(", ")}`
      })
    }
  }
  return ts
}

// Lentz's clamp: keeps a denominator away from zero.
const tiny = (t: Tensor): Tensor => lax.select(lax.lt(lax.abs(t), c(t, 1e-30)), c(t, 1e-30), t)

// P(a, x) by its series where `series` (x < a + 1) and Q(a, x) by its continued fraction elsewhere,
// each loop running only on its own elements.
const gammaParts = (
  a: Tensor,
  x: Tensor,
  series: Tensor
): readonly [series: Tensor, fraction: Tensor] => {
  const eps = epsOf(x)
  const prefix = lax.exp(lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lgamma(a)))
  // JAX's `_igamma_series`: sum_n x^n / ((a + 1) ... (a + n))
  const [, , ans] = untilConverged([a, c(a, 1), c(a, 1)], series, SERIES_STEPS, ([r0, term0, ans0]) => {
    const r = lax.add(r0!, c(r0!, 1))
    const term = lax.mul(term0!, lax.div(x, r))
    const sum = lax.add(ans0!, term)
    return { values: [r, term, sum], going: lax.gt(lax.div(term, sum), c(sum, eps)) }
  })
  // Lentz's continued fraction of Q
  const b0 = lax.sub(lax.add(x, c(x, 1)), a)
  const d0 = lax.div(c(x, 1), tiny(b0))
  const [, , , , h] = untilConverged(
    [c(x, 0), b0, c(x, 1e30), d0, d0],
    lax.not(series),
    GAMMA_FRACTION_STEPS,
    ([i0, b1, cc0, d1, h0]) => {
      const i = lax.add(i0!, c(i0!, 1))
      const an = lax.mul(lax.neg(i), lax.sub(i, a))
      const b = lax.add(b1!, c(b1!, 2))
      const d = lax.div(c(x, 1), tiny(lax.add(lax.mul(an, d1!), b)))
      const cc = tiny(lax.add(b, lax.div(an, cc0!)))
      const delta = lax.mul(d, cc)
      return {
        values: [i, b, cc, d, lax.mul(h0!, delta)],
        going: lax.gt(lax.abs(lax.sub(delta, c(delta, 1))), c(delta, eps))
      }
    }
  )
  return [lax.div(lax.mul(ans!, prefix), a), lax.mul(h!, prefix)]
}

const igammaBoth = (op: string, a0: unknown, x0: unknown): readonly [p: Tensor, q: Tensor] => {
  const [a, x] = floats(op, [a0, x0], ["a", "x"]) as [Tensor, Tensor]
  const nan = c(x, NaN)
  const zero = lax.eq(x, c(x, 0))
  const inf = lax.eq(x, c(x, Infinity))
  const aZero = lax.eq(a, c(a, 0))
  const aInf = lax.eq(a, c(a, Infinity))
  // JAX's domain: a < 0, x < 0, NaN, and the undetermined corners (0, 0) and (inf, inf)
  const bad = lax.or(
    lax.or(lax.lt(a, c(a, 0)), lax.lt(x, c(x, 0))),
    lax.or(lax.or(lax.ne(a, a), lax.ne(x, x)), lax.or(lax.and(aZero, zero), lax.and(aInf, inf)))
  )
  // evaluate on safe arguments, then patch the edges
  const sa = lax.select(lax.or(bad, lax.or(aZero, aInf)), c(a, 1), a)
  const sx = lax.select(lax.or(bad, lax.or(zero, inf)), c(x, 1), x)
  const useSeries = lax.lt(sx, lax.add(sa, c(sa, 1)))
  const [series, fraction] = gammaParts(sa, sx, useSeries)
  let p = lax.select(useSeries, series, lax.sub(c(x, 1), fraction))
  let q = lax.select(useSeries, lax.sub(c(x, 1), series), fraction)
  // a = 0 puts all of the mass at 0 (JAX's igammac is 0 there; its igamma 1 for x >= 1, SciPy's
  // everywhere); a = inf puts it at infinity
  p = lax.select(lax.or(zero, aInf), c(x, 0), lax.select(lax.or(inf, aZero), c(x, 1), p))
  q = lax.select(lax.or(zero, aInf), c(x, 1), lax.select(lax.or(inf, aZero), c(x, 0), q))
  return [lax.select(bad, nan, p), lax.select(bad, nan, q)]
}

// JAX's `_igamma_series` in DERIVATIVE (dP/da) or SAMPLE_DERIVATIVE (dx/da at fixed P) mode:
// the series P = ax / a * sum_n c_n, c_n = x^n / ((a + 1) ... (a + n)), with dc_n/da carried along,
// on the `enabled` elements.
const seriesDerivative = (ax: Tensor, x: Tensor, a: Tensor, sample: boolean, enabled: Tensor): Tensor => {
  const eps = epsOf(x)
  const [, , ans, , dAns] = untilConverged(
    [a, c(a, 1), c(a, 1), c(a, 0), c(a, 0)],
    enabled,
    SERIES_STEPS,
    ([r0, term0, ans0, dTerm0, dAns0]) => {
      const r = lax.add(r0!, c(r0!, 1))
      const dTerm = lax.sub(lax.mul(dTerm0!, lax.div(x, r)), lax.div(lax.mul(term0!, x), lax.mul(r, r)))
      const dAns = lax.add(dAns0!, dTerm)
      const term = lax.mul(term0!, lax.div(x, r))
      return {
        values: [r, term, lax.add(ans0!, term), dTerm, dAns],
        going: lax.gt(lax.abs(lax.div(dTerm, dAns)), c(dAns, eps))
      }
    }
  )
  const dLogAx = lax.sub(lax.log(x), digamma(lax.add(a, c(a, 1))))
  const inner = lax.add(lax.mul(ans!, dLogAx), dAns!)
  return sample ? lax.neg(lax.div(lax.mul(inner, x), a)) : lax.div(lax.mul(ax, inner), a)
}

// JAX's `_igammac_continued_fraction` (Cephes' igamc recurrence, rescaled past 1/eps) in
// DERIVATIVE (dQ/da) or SAMPLE_DERIVATIVE mode, with the recurrence's a-derivatives carried along,
// on the `enabled` elements, until the derivative's change is below eps (at most 2000 steps).
const fractionDerivative = (ax: Tensor, x: Tensor, a: Tensor, sample: boolean, enabled: Tensor): Tensor => {
  const eps = epsOf(x)
  const y0 = lax.sub(c(a, 1), a)
  const z0 = lax.add(lax.add(x, y0), c(x, 1))
  const pkm1 = lax.add(x, c(x, 1))
  const qkm1 = lax.mul(z0, x)
  const ans0 = lax.div(pkm1, qkm1)
  const dqkm1 = lax.neg(x)
  const dAns0 = lax.div(lax.neg(lax.mul(ans0, dqkm1)), qkm1)
  const big = c(x, 1 / eps)
  const small = c(x, eps)
  // [k, y, z, pkm2, qkm2, pkm1, qkm1, dpkm2, dqkm2, dpkm1, dqkm1, ans, dAns]
  const init = [c(x, 0), y0, z0, c(x, 1), x, pkm1, qkm1, c(x, 0), c(x, 0), c(x, 0), dqkm1, ans0, dAns0]
  const out = untilConverged(init, enabled, GAMMA_FRACTION_STEPS, (v) => {
    const kk = lax.add(v[0]!, c(x, 1))
    const y = lax.add(v[1]!, c(x, 1))
    const z = lax.add(v[2]!, c(x, 2))
    const [pkm2, qkm2, pkm1, qkm1, dpkm2, dqkm2, dpkm1, dqkm1, ans0, dAns0] = v.slice(3) as Array<Tensor>
    const yc = lax.mul(y, kk)
    const pk = lax.sub(lax.mul(pkm1, z), lax.mul(pkm2, yc))
    const qk = lax.sub(lax.mul(qkm1, z), lax.mul(qkm2, yc))
    const nonzero = lax.ne(qk, c(qk, 0))
    const safeQ = lax.select(nonzero, qk, c(qk, 1))
    const ans = lax.select(nonzero, lax.div(pk, safeQ), ans0)
    const dpk = lax.add(lax.sub(lax.sub(lax.mul(dpkm1, z), pkm1), lax.mul(dpkm2, yc)), lax.mul(pkm2, kk))
    const dqk = lax.add(lax.sub(lax.sub(lax.mul(dqkm1, z), qkm1), lax.mul(dqkm2, yc)), lax.mul(qkm2, kk))
    const dAns = lax.select(nonzero, lax.div(lax.sub(dpk, lax.mul(ans, dqk)), safeQ), dAns0)
    const change = lax.select(nonzero, lax.abs(lax.sub(dAns, dAns0)), c(x, 1))
    const rescale = lax.gt(lax.abs(pk), big)
    const scaled = (t: Tensor) => lax.select(rescale, lax.mul(t, small), t)
    return {
      values: [
        kk,
        y,
        z,
        scaled(pkm1),
        scaled(qkm1),
        scaled(pk),
        scaled(qk),
        scaled(dpkm1),
        scaled(dqkm1),
        scaled(dpk),
        scaled(dqk),
        ans,
        dAns
      ],
      going: lax.gt(change, c(x, eps))
    }
  })
  const dLogAx = lax.sub(lax.log(x), digamma(a))
  const inner = lax.add(lax.mul(out[11]!, dLogAx), out[12]!)
  return sample ? lax.neg(lax.mul(inner, x)) : lax.mul(ax, inner)
}

// JAX's `igamma_grad_a_impl` / `random_gamma_grad_impl`: the series where x <= max(1, a), the
// fraction (whose sign flips: it differentiates Q = 1 - P) beyond; 0 at x = 0; NaN outside the domain.
const gammaDerivative = (op: string, a0: unknown, x0: unknown, sample: boolean): Tensor => {
  const [a, x] = floats(op, [a0, x0], ["a", "x"]) as [Tensor, Tensor]
  const isNan = lax.or(lax.ne(a, a), lax.ne(x, x))
  const zero = lax.eq(x, c(x, 0))
  const domain = lax.or(lax.lt(x, c(x, 0)), lax.le(a, c(a, 0)))
  const logAx = lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lgamma(a))
  const maxLog = x.dtype === "float64" ? Math.log(Number.MAX_VALUE) : Math.log(3.4028234663852886e38)
  const underflow = lax.lt(logAx, c(x, -maxLog))
  const disabled = lax.or(lax.or(zero, domain), lax.or(isNan, underflow))
  // evaluate on safe arguments, then patch
  const sa = lax.select(disabled, c(a, 1), a)
  const sx = lax.select(disabled, c(x, 1), x)
  const ax = lax.exp(lax.sub(lax.sub(lax.mul(sa, lax.log(sx)), sx), lgamma(sa)))
  const useFraction = lax.and(lax.gt(sx, c(sx, 1)), lax.gt(sx, sa))
  // each branch on arguments valid for it (the other's values are discarded)
  const fa = lax.select(useFraction, sa, c(sa, 1))
  const fx = lax.select(useFraction, sx, c(sx, 2))
  const fax = lax.select(useFraction, ax, c(ax, 1))
  const ga = lax.select(useFraction, c(sa, 1), sa)
  const gx = lax.select(useFraction, c(sx, 0.5), sx)
  const gax = lax.select(useFraction, c(ax, 1), ax)
  const live = lax.not(disabled)
  let out = lax.select(
    useFraction,
    lax.neg(fractionDerivative(fax, fx, fa, sample, lax.and(live, useFraction))),
    seriesDerivative(gax, gx, ga, sample, lax.and(live, lax.not(useFraction)))
  )
  // where P's prefactor underflows dP/da is 0 to the dtype's precision (JAX leaves the loops disabled: 0)
  out = lax.select(lax.or(zero, underflow), c(x, 0), out)
  return lax.select(lax.or(domain, isNan), c(x, NaN), out)
}

/**
 * The derivative of the regularized lower incomplete gamma function `P(a, x)`
 * with respect to `a` (JAX's `lax.igamma_grad_a`): JAX's algorithm, the
 * series and Cephes' continued fraction with their a-derivatives carried
 * along. NaN for `a <= 0` or `x < 0`, 0 at `x = 0`.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // at a = 1: -e^-x (ln x + Euler's gamma) - E1(x), which is -E1(1) - gamma / e at x = 1
 * const g = lax.igammaGradA(np.array([1], { dtype: "float64" }), np.array([1], { dtype: "float64" }))
 * console.log(toJsSync(g)) // [-0.43172971063489807]
 *
 * @since 0.1.0
 */
export const igammaGradA = (a: Tensor, x: Tensor): Tensor => gammaDerivative("igamma_grad_a", a, x, false)

/**
 * The derivative of a `Gamma(a, 1)` sample `x` with respect to `a` at a fixed
 * quantile, `-(dP/da) / (dP/dx)` (JAX's `lax.random_gamma_grad`, the implicit
 * reparameterization gradient `random.gamma` uses), computed without the
 * prefactor `x^a e^-x / Gamma(a)` so it neither underflows nor overflows.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // at a = 1, x = 1: -(dP/da) / (dP/dx) = (E1(1) + gamma / e) e
 * const one = np.array([1], { dtype: "float64" })
 * console.log(toJsSync(lax.randomGammaGrad(one, one))) // [1.1735630272247273]
 *
 * @since 0.1.0
 */
export const randomGammaGrad = (a: Tensor, x: Tensor): Tensor => gammaDerivative("random_gamma_grad", a, x, true)

// P's x-derivative, x^(a-1) e^-x / Gamma(a) (JAX's igamma_gradx).
const densityOf = (a: Tensor, x: Tensor): Tensor =>
  lax.exp(lax.sub(lax.sub(lax.mul(lax.sub(a, c(a, 1)), lax.log(x)), x), lgamma(a)))

// igamma / igammac with JAX's JVPs: igamma_grad_a in a, the density in x.
const withGradients = (op: string, complement: boolean) => (a: Tensor, x: Tensor): Tensor => {
  const [ta, tx] = floats(op, [a, x], ["a", "x"]) as [Tensor, Tensor]
  const value = ([u, v]: ReadonlyArray<Tensor>) => igammaBoth(op, u!, v!)[complement ? 1 : 0]
  return customJvpCall({
    name: op,
    f: (args) => [value(args)],
    jvp: ([u, v], [du, dv]) => {
      const dp = lax.add(lax.mul(igammaGradA(u!, v!), du!), lax.mul(densityOf(u!, v!), dv!))
      return [[value([u!, v!])], [complement ? lax.neg(dp) : dp]]
    }
  }, [ta, tx])[0]!
}

/**
 * The regularized lower incomplete gamma function `P(a, x)` (JAX's `lax.igamma`),
 * differentiable in both arguments with JAX's rules (`igammaGradA` in `a`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const a = np.array([1, 2, 0.5], { dtype: "float64" })
 * const x = np.array([1, 3, 2], { dtype: "float64" })
 * // 1 - e^-1, 1 - 4 e^-3, erf(sqrt(2))
 * console.log(toJsSync(lax.igamma(a, x))) // [0.6321205588285577, 0.8008517265285442, 0.9544997361036416]
 *
 * @since 0.1.0
 */
export const igamma = withGradients("igamma", false)

/**
 * The regularized upper incomplete gamma function `Q(a, x) = 1 - P(a, x)`,
 * computed directly where it is small (JAX's `lax.igammac`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const a = np.array([1, 3], { dtype: "float64" })
 * console.log(toJsSync(lax.igammac(a, np.array([30, 1], { dtype: "float64" })))) // [9.357622968840175e-14, 0.9196986029286058]
 *
 * @since 0.1.0
 */
export const igammac = withGradients("igammac", true)

// Lentz's continued fraction of the incomplete beta function (Numerical Recipes' betacf).
const betaFraction = (a: Tensor, b: Tensor, x: Tensor): Tensor => {
  const one = c(x, 1)
  const qab = lax.add(a, b)
  const qap = lax.add(a, one)
  const qam = lax.sub(a, one)
  let cc = one
  let d = lax.div(one, tiny(lax.sub(one, lax.div(lax.mul(qab, x), qap))))
  let h = d
  for (let m = 1; m <= BETA_FRACTION_STEPS; m++) {
    const m2 = c(x, 2 * m)
    const mm = c(x, m)
    let aa = lax.div(lax.mul(lax.mul(mm, lax.sub(b, mm)), x), lax.mul(lax.add(qam, m2), lax.add(a, m2)))
    d = lax.div(one, tiny(lax.add(one, lax.mul(aa, d))))
    cc = tiny(lax.add(one, lax.div(aa, cc)))
    h = lax.mul(h, lax.mul(d, cc))
    aa = lax.div(
      lax.neg(lax.mul(lax.mul(lax.add(a, mm), lax.add(qab, mm)), x)),
      lax.mul(lax.add(a, m2), lax.add(qap, m2))
    )
    d = lax.div(one, tiny(lax.add(one, lax.mul(aa, d))))
    cc = tiny(lax.add(one, lax.div(aa, cc)))
    h = lax.mul(h, lax.mul(d, cc))
  }
  return h
}

/**
 * The regularized incomplete beta function `I_x(a, b)` (JAX's `lax.betainc`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const f = (v: Array<number>) => np.array(v, { dtype: "float64" })
 * // I_x(1, 1) = x; I_x(2, 1) = x^2; I_0.5(a, a) = 0.5
 * console.log(toJsSync(lax.betainc(f([1, 2, 3.5]), f([1, 1, 3.5]), f([0.3, 0.3, 0.5])))) // [0.3, 0.09, 0.5]
 *
 * @since 0.1.0
 */
export const betainc = (a: Tensor, b: Tensor, x: Tensor): Tensor => {
  const [ta, tb, tx] = floats("betainc", [a, b, x], ["a", "b", "x"]) as [Tensor, Tensor, Tensor]
  const one = c(tx, 1)
  const inf = c(ta, Infinity)
  // JAX's limits: a = 0 (or b = inf) puts the mass at x = 0, b = 0 (or a = inf) at x = 1
  const aZero = lax.or(lax.eq(ta, c(ta, 0)), lax.eq(tb, inf))
  const bZero = lax.or(lax.eq(tb, c(tb, 0)), lax.eq(ta, inf))
  const bad = lax.or(
    lax.or(lax.or(lax.lt(ta, c(ta, 0)), lax.lt(tb, c(tb, 0))), lax.and(aZero, bZero)),
    lax.or(
      lax.or(lax.lt(tx, c(tx, 0)), lax.gt(tx, one)),
      lax.or(lax.ne(tx, tx), lax.or(lax.ne(ta, ta), lax.ne(tb, tb)))
    )
  )
  const limit = lax.or(aZero, bZero)
  const sa = lax.select(lax.or(bad, limit), one, ta)
  const sb = lax.select(lax.or(bad, limit), one, tb)
  const edge0 = lax.eq(tx, c(tx, 0))
  const edge1 = lax.eq(tx, one)
  const sx = lax.select(lax.or(bad, lax.or(edge0, edge1)), c(tx, 0.5), tx)
  const logFront = lax.add(
    lax.sub(lax.sub(lgamma(lax.add(sa, sb)), lgamma(sa)), lgamma(sb)),
    lax.add(lax.mul(sa, lax.log(sx)), lax.mul(sb, lax.log(lax.sub(one, sx))))
  )
  const front = lax.exp(logFront)
  const direct = lax.lt(sx, lax.div(lax.add(sa, one), lax.add(lax.add(sa, sb), c(sa, 2))))
  const xa = lax.select(direct, sa, sb)
  const xb = lax.select(direct, sb, sa)
  const xx = lax.select(direct, sx, lax.sub(one, sx))
  const part = lax.div(lax.mul(front, betaFraction(xa, xb, xx)), xa)
  let out = lax.select(direct, part, lax.sub(one, part))
  out = lax.select(edge0, c(tx, 0), lax.select(edge1, one, out))
  out = lax.select(lax.and(bZero, lax.not(edge1)), c(tx, 0), out)
  out = lax.select(lax.and(aZero, lax.not(edge0)), one, out)
  return lax.select(bad, c(tx, NaN), out)
}
