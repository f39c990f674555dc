/**
 * stats' continuous distributions: densities against closed forms, CDFs against
 * Simpson's rule on the density (float64), the log forms in the far tails
 * against asymptotics, quantiles inverting the CDFs, and JAX's edge cases
 * (-inf outside the support, NaN for invalid parameters).
 */
import { np, stats } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect } from "./npSetup.js"
import { assertRel, f64, phi, simpson, simpsonGrid, vals } from "./statsSetup.js"

// the standard normal CDF by Simpson's rule on the density over [x - 10, x] (the mass below is
// under 1e-21 of it); 40000 panels make it accurate to about 1e-14 relative
const normCdf = (x: number) => (x < 0 ? simpson(phi, x - 10, x, 40000) : 1 - simpson(phi, -x - 10, -x, 40000))

describe("stats.norm", () => {
  const xs = [-6, -2.5, -1, 0, 0.3, 1.7, 4]
  it("logpdf / pdf: the closed form, with loc and scale broadcast against x", () => {
    assertRel(vals(stats.norm.pdf(f64(xs))), xs.map(phi), 1e-14, "pdf")
    const got = vals(stats.norm.logpdf(f64(xs), 1.5, f64([2])))
    assertRel(got, xs.map((x) => Math.log(phi((x - 1.5) / 2) / 2)), 1e-14, "logpdf")
  })
  it("cdf / sf / logcdf / logsf against Simpson's rule, and the far tail asymptotics", () => {
    const cdfs = xs.map(normCdf)
    assertRel(vals(stats.norm.cdf(f64(xs))), cdfs, 1e-12, "cdf")
    assertRel(vals(stats.norm.sf(f64(xs))), xs.map((x) => normCdf(-x)), 1e-12, "sf")
    assertRel(vals(stats.norm.logcdf(f64(xs))), cdfs.map(Math.log), 1e-12, "logcdf")
    assertRel(vals(stats.norm.logsf(f64(xs), 2, 3)), xs.map((x) => Math.log(normCdf(-(x - 2) / 3))), 1e-12, "logsf")
    // log Phi(-x) ~ -x^2/2 - log(x sqrt(2 pi)) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8) at x = 50
    const x = 50
    const asym = -x * x / 2 - Math.log(x * Math.sqrt(2 * Math.PI)) +
      Math.log(1 - 1 / x ** 2 + 3 / x ** 4 - 15 / x ** 6 + 105 / x ** 8)
    assertRel(vals(stats.norm.logcdf(f64([-x]))), [asym], 1e-14, "logcdf(-50)")
    assertRel(vals(stats.norm.logsf(f64([x]))), [asym], 1e-14, "logsf(50)")
  })
  it("ppf / isf invert the CDF; SciPy's 97.5% quantile 1.959963984540054; NaN outside [0, 1]", () => {
    const qs = [1e-6, 0.01, 0.3, 0.5, 0.8, 0.999]
    const x = vals(stats.norm.ppf(f64(qs)))
    x.forEach((v, i) => assert.closeTo(normCdf(v), qs[i]!, 1e-13 * Math.max(qs[i]!, 1e-3), `ppf(${qs[i]})`))
    assertRel(vals(stats.norm.ppf(f64([0.975]), 1, 2)), [1 + 2 * 1.959963984540054], 1e-14)
    assertRel(vals(stats.norm.isf(f64([0.025]))), [1.959963984540054], 1e-12)
    expect.tensor(stats.norm.ppf(f64([-0.5, 1.5, 0, 1])), "float64", [NaN, NaN, -Infinity, Infinity])
  })
  it("float32 and integer inputs compute in float32; JS numbers are weak", () => {
    expect.tensor(stats.norm.pdf(np.array([0, 1], { dtype: "float32" })), "float32", [phi(0), phi(1)], { tol: 1e-6 })
    expect.tensor(stats.norm.cdf(np.array([0, 1], { dtype: "int32" })), "float32", [0.5, normCdf(1)], { tol: 1e-6 })
    expect.tensor(stats.norm.logpdf(0), "float32", Math.log(phi(0)), { tol: 1e-6, weak: true })
  })
})

describe("stats.t, cauchy, laplace, logistic", () => {
  const xs = [-30, -2, -0.5, 0, 1, 3.5, 100]
  it("t: closed forms for df = 1 (Cauchy), 3 and 4; the density integrates to 1 for df = 2.5", () => {
    assertRel(vals(stats.t.pdf(f64(xs), 1)), xs.map((x) => 1 / (Math.PI * (1 + x * x))), 1e-13, "df 1")
    assertRel(
      vals(stats.t.pdf(f64(xs), 3)),
      xs.map((x) => 6 * Math.sqrt(3) / (Math.PI * (3 + x * x) ** 2)),
      1e-13,
      "df 3"
    )
    assertRel(
      vals(stats.t.pdf(f64(xs), 4, 1, 2)),
      xs.map((x) => (3 / 16) * (1 + ((x - 1) / 2) ** 2 / 4) ** -2.5),
      1e-13
    )
    // the substitution x = tan(u) makes the integrand smooth and the range finite
    const total = simpsonGrid(
      (us) => vals(stats.t.pdf(f64(us.map(Math.tan)), 2.5)).map((p, i) => p / Math.cos(us[i]!) ** 2),
      -Math.PI / 2,
      Math.PI / 2,
      4000
    )
    assert.closeTo(total, 1, 1e-9)
  })
  it("cauchy: the density, CDF, tails and quantiles in closed form", () => {
    assertRel(
      vals(stats.cauchy.logpdf(f64(xs), 1, 2)),
      xs.map((x) => -Math.log(2 * Math.PI * (1 + ((x - 1) / 2) ** 2))),
      1e-14
    )
    const cdf = xs.map((x) => 0.5 + Math.atan(x) / Math.PI)
    assertRel(vals(stats.cauchy.cdf(f64(xs))), cdf, 1e-13, "cdf")
    assertRel(vals(stats.cauchy.logcdf(f64(xs))), cdf.map(Math.log), 1e-13, "logcdf")
    assertRel(vals(stats.cauchy.sf(f64(xs))), xs.map((x) => 0.5 - Math.atan(x) / Math.PI), 1e-12, "sf")
    assertRel(vals(stats.cauchy.logsf(f64([1]))), [Math.log(0.25)], 1e-14)
    assertRel(vals(stats.cauchy.ppf(f64([0.1, 0.75]), 2, 3)), [2 + 3 * Math.tan(-0.4 * Math.PI), 5], 1e-13)
    assertRel(vals(stats.cauchy.isf(f64([0.1, 0.25]))), [Math.tan(0.4 * Math.PI), 1], 1e-13)
  })
  it("laplace: density and CDF on both sides, no overflow far out", () => {
    assertRel(vals(stats.laplace.pdf(f64(xs), 1, 2)), xs.map((x) => Math.exp(-Math.abs(x - 1) / 2) / 4), 1e-14)
    const cdf = (x: number) => (x <= 0 ? Math.exp(x) / 2 : 1 - Math.exp(-x) / 2)
    assertRel(vals(stats.laplace.cdf(f64(xs))), xs.map(cdf), 1e-14)
    expect.tensor(stats.laplace.cdf(f64([-800, 800])), "float64", [0, 1], { tol: 0 })
  })
  it("logistic: density, CDF, survival and quantiles; the log-density without overflow at |z| = 2000", () => {
    const pdf = (x: number) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2
    assertRel(vals(stats.logistic.pdf(f64(xs.slice(1, -1)))), xs.slice(1, -1).map(pdf), 1e-14)
    assertRel(vals(stats.logistic.logpdf(f64([2000, -2000]))), [-2000, -2000], 1e-14)
    assertRel(vals(stats.logistic.cdf(f64([1]), 0, 2)), [1 / (1 + Math.exp(-0.5))], 1e-15)
    assertRel(vals(stats.logistic.sf(f64([40]))), [1 / (1 + Math.exp(40))], 1e-14)
    assertRel(vals(stats.logistic.ppf(f64([0.2]), 1, 3)), [1 + 3 * Math.log(0.25)], 1e-14)
    assertRel(vals(stats.logistic.isf(f64([0.2]))), [Math.log(4)], 1e-14)
  })
})

describe("stats.expon, gamma, chi2", () => {
  it("expon: density, CDF near loc, log-CDF in both tails, ppf; below loc 0 / -inf", () => {
    assertRel(vals(stats.expon.logpdf(f64([0.5, 3]), 0.5, 2)), [-Math.log(2), -1.25 - Math.log(2)], 1e-14)
    expect.tensor(stats.expon.logpdf(f64([-1]), 0, 1), "float64", [-Infinity])
    assertRel(vals(stats.expon.cdf(f64([1e-10, 2]))), [-Math.expm1(-1e-10), 1 - Math.exp(-2)], 1e-15)
    assertRel(vals(stats.expon.logcdf(f64([1e-10, 50]))), [Math.log(-Math.expm1(-1e-10)), -Math.exp(-50)], 1e-14)
    expect.tensor(stats.expon.logcdf(f64([-1])), "float64", [-Infinity])
    assertRel(vals(stats.expon.sf(f64([2, -1]))), [Math.exp(-2), 1], 1e-15)
    assertRel(vals(stats.expon.ppf(f64([0.5]), 1, 3)), [1 + 3 * Math.LN2], 1e-15)
    expect.tensor(stats.expon.ppf(f64([NaN, -0.1])), "float64", [NaN, NaN])
  })
  it("gamma: closed forms for a = 3 and a = 1/2; logcdf / logsf accurate in both tails", () => {
    const xs = [0.01, 0.5, 2, 7, 30]
    const pdf3 = (x: number) => x * x * Math.exp(-x) / 2
    const sf3 = (x: number) => Math.exp(-x) * (1 + x + x * x / 2)
    assertRel(vals(stats.gamma.pdf(f64(xs), 3)), xs.map(pdf3), 1e-13, "pdf")
    assertRel(
      vals(stats.gamma.logpdf(f64(xs), 3, 1, 2)),
      xs.map((x) => (x < 1 ? -Infinity : Math.log(pdf3((x - 1) / 2) / 2))),
      1e-13
    )
    assertRel(vals(stats.gamma.sf(f64(xs), 3)), xs.map(sf3), 1e-12, "sf")
    assertRel(vals(stats.gamma.logsf(f64(xs.slice(1)), 3)), xs.slice(1).map((x) => Math.log(sf3(x))), 1e-12, "logsf")
    // P(3, x) = sum_k (-1)^k x^(k+3) / (2 k! (k+3)) near 0, where 1 - sf3 cancels
    const lowP = (x: number) => {
      let sum = 0
      let term = x ** 3 / 2
      for (let k = 0; k < 30; k++, term *= -x / k) sum += term / (k + 3)
      return sum
    }
    assertRel(vals(stats.gamma.cdf(f64([0.01, 0.5]), 3)), [lowP(0.01), lowP(0.5)], 1e-13)
    assertRel(vals(stats.gamma.logcdf(f64([0.01, 40]), 3)), [Math.log(lowP(0.01)), Math.log1p(-sf3(40))], 1e-13)
    assertRel(vals(stats.gamma.logsf(f64([0.01]), 3)), [Math.log1p(-lowP(0.01))], 1e-13)
    // a = 1/2: the density x^(-1/2) e^-x / sqrt(pi), a pole at 0
    assertRel(vals(stats.gamma.pdf(f64([0.25, 0]), 0.5)), [2 * Math.exp(-0.25) / Math.sqrt(Math.PI), Infinity], 1e-14)
    expect.tensor(stats.gamma.cdf(f64([-1, 0]), 2), "float64", [0, 0])
    expect.tensor(stats.gamma.sf(f64([-1]), 2), "float64", [1])
    expect.tensor(stats.gamma.pdf(f64([0, -1]), 1), "float64", [1, 0])
  })
  it("chi2: df = 4 in closed form, df = 2 at 0 (xlogy), SciPy's 95% critical value of df = 1", () => {
    const xs = [0.5, 3, 12]
    assertRel(vals(stats.chi2.pdf(f64(xs), 4)), xs.map((x) => x * Math.exp(-x / 2) / 4), 1e-13)
    assertRel(vals(stats.chi2.sf(f64(xs), 4)), xs.map((x) => Math.exp(-x / 2) * (1 + x / 2)), 1e-13)
    assertRel(vals(stats.chi2.logsf(f64([60]), 4)), [-30 + Math.log(31)], 1e-13)
    assertRel(vals(stats.chi2.logcdf(f64([0.5]), 4)), [Math.log1p(-Math.exp(-0.25) * 1.25)], 1e-12)
    assertRel(vals(stats.chi2.logpdf(f64([0, 2]), 2)), [-Math.LN2, -1 - Math.LN2], 1e-14)
    // scipy.stats.chi2.ppf(0.95, 1) = 3.841458820694124 (the table value)
    assertRel(vals(stats.chi2.cdf(f64([3.841458820694124]), 1)), [0.95], 1e-13)
    assertRel(vals(stats.chi2.pdf(f64([5]), 4, 1, 2)), [2 * Math.exp(-1) / 4 / 2], 1e-14)
    expect.tensor(stats.chi2.logpdf(f64([-1]), 3), "float64", [-Infinity])
  })
})

describe("stats.beta, uniform, pareto", () => {
  it("beta: Beta(2, 3) and the arcsine law Beta(1/2, 1/2) in closed form; tails; loc/scale", () => {
    const ys = [0.001, 0.2, 0.5, 0.93, 0.9999]
    assertRel(vals(stats.beta.pdf(f64(ys), 2, 3)), ys.map((y) => 12 * y * (1 - y) ** 2), 1e-13, "pdf")
    // the CDF y^2 (6 - 8y + 3y^2) and its complement (1 - y)^3 (1 + 3y): each used where it does not cancel
    const low = (y: number) => y * y * (6 - 8 * y + 3 * y * y)
    const high = (y: number) => (1 - y) ** 3 * (1 + 3 * y)
    const cdf = (y: number) => (y < 0.5 ? low(y) : 1 - high(y))
    const sf = (y: number) => (y < 0.5 ? 1 - low(y) : high(y))
    const logCdf = (y: number) => (y < 0.5 ? Math.log(low(y)) : Math.log1p(-high(y)))
    const logSf = (y: number) => (y < 0.5 ? Math.log1p(-low(y)) : Math.log(high(y)))
    assertRel(vals(stats.beta.cdf(f64(ys), 2, 3)), ys.map(cdf), 1e-12, "cdf")
    assertRel(vals(stats.beta.sf(f64(ys), 2, 3)), ys.map(sf), 1e-12, "sf")
    assertRel(vals(stats.beta.logsf(f64(ys), 2, 3)), ys.map(logSf), 1e-12, "logsf")
    assertRel(vals(stats.beta.logcdf(f64(ys), 2, 3)), ys.map(logCdf), 1e-12, "logcdf")
    assertRel(vals(stats.beta.pdf(f64(ys), 0.5, 0.5)), ys.map((y) => 1 / (Math.PI * Math.sqrt(y * (1 - y)))), 1e-13)
    assertRel(vals(stats.beta.cdf(f64(ys), 0.5, 0.5)), ys.map((y) => (2 / Math.PI) * Math.asin(Math.sqrt(y))), 1e-12)
    assertRel(vals(stats.beta.pdf(f64([3]), 2, 3, 1, 4)), [12 * 0.5 * 0.25 / 4], 1e-14)
  })
  it("beta: the ends by xlogy, -inf outside, NaN for non-positive parameters (JAX)", () => {
    expect.tensor(stats.beta.pdf(f64([0, 1, 0, -0.1, 1.1]), f64([1, 2, 0.5, 2, 2]), f64([2, 1, 2, 2, 2])), "float64", [
      2,
      2,
      Infinity,
      0,
      0
    ])
    expect.tensor(
      stats.beta.logpdf(f64([0.5, 0.5, 0.5]), f64([0, 1, 1]), f64([1, -1, 1]), 0, f64([1, 1, 0])),
      "float64",
      [
        NaN,
        NaN,
        NaN
      ]
    )
    expect.tensor(stats.beta.cdf(f64([-1, 2]), 2, 3), "float64", [0, 1])
  })
  it("uniform: density, CDF (0 at NaN, JAX's select default), quantiles", () => {
    expect.tensor(stats.uniform.pdf(f64([-1, 1, 3, 5, 6]), 1, 4), "float64", [0, 0.25, 0.25, 0.25, 0])
    expect.tensor(stats.uniform.cdf(f64([-1, 2, 6, NaN]), 1, 4), "float64", [0, 0.25, 1, 0])
    expect.tensor(stats.uniform.ppf(f64([0, 0.5, 1, 1.5]), 1, 4), "float64", [1, 3, 5, NaN])
  })
  it("pareto: the power laws in closed form, 0 / -inf below loc + scale, ppf inverting cdf", () => {
    const xs = [1.5, 4, 100]
    assertRel(vals(stats.pareto.pdf(f64(xs), 2.5)), xs.map((x) => 2.5 * x ** -3.5), 1e-14)
    assertRel(vals(stats.pareto.cdf(f64(xs), 2.5)), xs.map((x) => 1 - x ** -2.5), 1e-14)
    assertRel(vals(stats.pareto.logcdf(f64(xs), 2.5)), xs.map((x) => Math.log1p(-(x ** -2.5))), 1e-14)
    assertRel(
      vals(stats.pareto.sf(f64(xs), 2.5, 1, 2)),
      xs.map((x) => ((x - 1) / 2) ** -2.5).map((v, i) => (xs[i]! < 3 ? 1 : v)),
      1e-14
    )
    assertRel(vals(stats.pareto.logsf(f64([4]), 2.5)), [-2.5 * Math.log(4)], 1e-15)
    expect.tensor(stats.pareto.logpdf(f64([0.5]), 2), "float64", [-Infinity])
    assertRel(
      vals(stats.pareto.ppf(f64([0.3, 0.99]), 2.5, 1, 2)),
      [0.3, 0.99].map((q) => 1 + 2 * (1 - q) ** -0.4),
      1e-14
    )
  })
})

describe("stats.gennorm, gumbelR, gumbelL, vonmises, wrapcauchy", () => {
  const xs = [-3, -0.7, 0, 0.4, 2.5]
  it("gennorm: beta = 2 is N(0, 1/2), beta = 1 Laplace; the CDF against Simpson's rule on the density for beta = 3", () => {
    assertRel(vals(stats.gennorm.pdf(f64(xs), 2)), xs.map((x) => Math.exp(-x * x) / Math.sqrt(Math.PI)), 1e-14)
    assertRel(vals(stats.gennorm.logpdf(f64(xs), 1)), xs.map((x) => -Math.abs(x) - Math.LN2), 1e-14)
    assertRel(
      vals(stats.gennorm.cdf(f64(xs), 1)),
      xs.map((x) => (x <= 0 ? Math.exp(x) / 2 : 1 - Math.exp(-x) / 2)),
      1e-13
    )
    const cdfAt = (x: number) => 0.5 + simpsonGrid((g) => vals(stats.gennorm.pdf(f64(g), 3)), 0, x, 4000)
    assertRel(vals(stats.gennorm.cdf(f64([0.4, 1.1]), 3)), [cdfAt(0.4), cdfAt(1.1)], 1e-12)
  })
  it("gumbelR / gumbelL: closed forms, tails through expm1 and log1mexp, quantiles; NaN for scale <= 0", () => {
    const g = (x: number) => Math.exp(-x - Math.exp(-x))
    assertRel(vals(stats.gumbelR.pdf(f64(xs), 0.5, 2)), xs.map((x) => g((x - 0.5) / 2) / 2), 1e-14)
    assertRel(vals(stats.gumbelR.cdf(f64(xs))), xs.map((x) => Math.exp(-Math.exp(-x))), 1e-14)
    assertRel(vals(stats.gumbelR.sf(f64([30, 0]))), [-Math.expm1(-Math.exp(-30)), 1 - Math.exp(-1)], 1e-14)
    assertRel(vals(stats.gumbelR.logsf(f64([30, -3]))), [
      Math.log(-Math.expm1(-Math.exp(-30))),
      Math.log1p(-Math.exp(-Math.exp(3)))
    ], 1e-14)
    assertRel(vals(stats.gumbelR.ppf(f64([0.2]), 1, 2)), [1 - 2 * Math.log(-Math.log(0.2))], 1e-14)
    expect.tensor(stats.gumbelR.ppf(f64([0, 1])), "float64", [NaN, NaN])
    // gumbel_l is the reflection: pdf_l(x) = pdf_r(-x), cdf_l(x) = sf_r(-x)
    assertRel(vals(stats.gumbelL.pdf(f64(xs))), xs.map((x) => g(-x)), 1e-14)
    assertRel(vals(stats.gumbelL.cdf(f64(xs))), xs.map((x) => -Math.expm1(-Math.exp(x))), 1e-14)
    assertRel(vals(stats.gumbelL.logcdf(f64([-30]))), [Math.log(-Math.expm1(-Math.exp(-30)))], 1e-14)
    assertRel(vals(stats.gumbelL.sf(f64(xs))), xs.map((x) => Math.exp(-Math.exp(x))), 1e-14)
    assertRel(vals(stats.gumbelL.logsf(f64([2]))), [-Math.exp(2)], 1e-15)
    assertRel(vals(stats.gumbelL.ppf(f64([0.2]), 1, 2)), [1 + 2 * Math.log(-Math.log1p(-0.2))], 1e-14)
    expect.tensor(stats.gumbelL.logpdf(f64([1]), 0, f64([-1])), "float64", [NaN])
    expect.tensor(stats.gumbelR.cdf(f64([1]), 0, 0), "float64", [NaN])
  })
  it("vonmises / wrapcauchy: integrate to 1 over the circle; NaN for invalid parameters; wrapcauchy -inf off [0, 2 pi]", () => {
    for (const kappa of [0.3, 2, 50]) {
      const total = simpsonGrid((g) => vals(stats.vonmises.pdf(f64(g), kappa)), -Math.PI, Math.PI, 2000)
      assert.closeTo(total, 1, 1e-12, `kappa ${kappa}`)
    }
    // I0(1) = 1.2660658777520082 (A&S table 9.8): the density at 0 is e / (2 pi I0(1))
    assertRel(vals(stats.vonmises.pdf(f64([0]), 1)), [Math.E / (2 * Math.PI * 1.2660658777520082)], 1e-14)
    expect.tensor(stats.vonmises.logpdf(f64([0, 0]), f64([0, -1])), "float64", [NaN, NaN])
    const total = simpsonGrid((g) => vals(stats.wrapcauchy.pdf(f64(g), 0.6)), 0, 2 * Math.PI, 2000)
    assert.closeTo(total, 1, 1e-12)
    expect.tensor(stats.wrapcauchy.logpdf(f64([-0.1, 7, 1, 1]), f64([0.5, 0.5, 0, 1])), "float64", [
      -Infinity,
      -Infinity,
      NaN,
      NaN
    ])
  })
})

describe("stats.truncnorm", () => {
  const mass = (a: number, b: number) => simpson(phi, a, b, 6000)
  it("the density is the normal's over the mass of [a, b]; -inf outside; NaN for a >= b", () => {
    const xs = [-0.5, 0.2, 1.4]
    assertRel(vals(stats.truncnorm.pdf(f64(xs), -1, 1.5)), xs.map((x) => phi(x) / mass(-1, 1.5)), 1e-12)
    assertRel(vals(stats.truncnorm.logpdf(f64([3]), -1, 1.5, 1, 2)), [Math.log(phi(1) / 2 / mass(-1, 1.5))], 1e-12)
    expect.tensor(stats.truncnorm.logpdf(f64([-2, 2, 0]), f64([-1, -1, 1]), f64([1, 1, 1])), "float64", [
      -Infinity,
      -Infinity,
      NaN
    ])
    // far in the right tail, where 1 - Phi cancels: [10, 11]
    assertRel(vals(stats.truncnorm.logpdf(f64([10.5]), 10, 11)), [Math.log(phi(10.5) / mass(10, 11))], 1e-11)
    assertRel(vals(stats.truncnorm.logpdf(f64([-10.5]), -11, -10)), [Math.log(phi(10.5) / mass(10, 11))], 1e-11)
  })
  it("cdf / sf / logcdf / logsf against Simpson's rule, in the middle and the tails", () => {
    const cases: Array<readonly [number, number, number]> = [[-1, 1.5, 0.3], [-1, 1.5, 1.45], [10, 11, 10.2], [
      -11,
      -10,
      -10.2
    ], [0, Infinity, 2]]
    const ref = cases.map(([a, b, x]) => mass(a, x) / mass(a, Math.min(b, 14)))
    const refSf = cases.map(([a, b, x]) => mass(x, Math.min(b, 14)) / mass(a, Math.min(b, 14)))
    const at = (f: typeof stats.truncnorm.cdf) =>
      vals(f(f64(cases.map((k) => k[2])), f64(cases.map((k) => k[0])), f64(cases.map((k) => k[1]))))
    assertRel(at(stats.truncnorm.cdf), ref, 1e-11, "cdf")
    assertRel(at(stats.truncnorm.sf), refSf, 1e-11, "sf")
    assertRel(at(stats.truncnorm.logcdf), ref.map(Math.log), 1e-11, "logcdf")
    assertRel(at(stats.truncnorm.logsf), refSf.map(Math.log), 1e-11, "logsf")
    expect.tensor(stats.truncnorm.cdf(f64([-2, 2]), -1, 1), "float64", [0, 1])
  })
})
