/**
 * stats under the transformations: gradients of every family against float64
 * central differences of the same function (and against closed forms in
 * fast-check properties), jit and vmap against the eager values, and float32.
 */
import { np, stats } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, runSync, vmap } from "diffect"
import * as fc from "fast-check"
import { assertGradMatchesDifferences as assertGrad, assertRel, assertVectorGrad, f64, vals } from "./statsSetup.js"

const gradAt = (f: (t: Tensor) => Tensor, x: number): number =>
  vals(runSync(grad((t: Tensor) => np.sum(f(t)))(f64([x]))) as Tensor)[0]!

describe("stats gradients against central differences (float64)", () => {
  it("norm: logpdf in x, loc, scale; logcdf into the far tail; ppf in q", () => {
    assertGrad((x) => stats.norm.logpdf(x, 0.5, 2), [-3, 0.1, 4])
    assertGrad((m) => stats.norm.logpdf(1.5, m, 2), [-1, 2])
    assertGrad((s) => stats.norm.logpdf(1.5, 0, s), [0.5, 3])
    assertGrad((x) => stats.norm.logcdf(x), [-30, -3, 0, 5])
    assertGrad((x) => stats.norm.logsf(x, 1, 2), [-4, 3])
    assertGrad((q) => stats.norm.ppf(q), [0.05, 0.5, 0.9], 1e-6, 1e-4)
    assertGrad((x) => stats.truncnorm.logpdf(x, -1, 2), [-0.5, 1.5])
    assertGrad((a) => stats.truncnorm.logpdf(0.5, a, 2), [-1, 0.2])
    assertGrad((x) => stats.truncnorm.logcdf(x, -1, 2), [-0.5, 1.5])
  })
  it("t, cauchy, laplace, logistic, expon, uniform, pareto, gennorm", () => {
    assertGrad((x) => stats.t.logpdf(x, 3.5), [-2, 0.3])
    assertGrad((df) => stats.t.logpdf(0.7, df, 0.1, 1.5), [0.8, 4, 30])
    assertGrad((x) => stats.cauchy.cdf(x, 1, 2), [-3, 2])
    assertGrad((q) => stats.cauchy.ppf(q), [0.2, 0.7], 1e-6, 1e-4)
    assertGrad((s) => stats.laplace.logpdf(0.5, 0, s), [0.5, 2])
    assertGrad((x) => stats.laplace.cdf(x), [-2, 1.5])
    assertGrad((x) => stats.logistic.logpdf(x, 1, 2), [-5, 0.5, 30])
    assertGrad((x) => stats.expon.logcdf(x, 0, 2), [0.3, 5])
    assertGrad((s) => stats.uniform.logpdf(0.2, 0, s), [1, 3])
    assertGrad((b) => stats.pareto.logpdf(2.5, b), [0.5, 3])
    assertGrad((b) => stats.gennorm.logpdf(0.8, b), [0.7, 2.5])
  })
  it("gamma, chi2, beta: densities in the shapes, CDFs in x and (gamma) the shape", () => {
    assertGrad((a) => stats.gamma.logpdf(1.7, a, 0, 2), [0.5, 3])
    assertGrad((x) => stats.gamma.cdf(x, 2.5), [0.5, 4])
    assertGrad((a) => stats.gamma.cdf(2, a), [0.8, 3], 1e-6)
    assertGrad((x) => stats.gamma.logsf(x, 1.5), [0.3, 6])
    assertGrad((x) => stats.chi2.logpdf(x, 3), [0.5, 5])
    assertGrad((x) => stats.chi2.sf(x, 3), [0.5, 5])
    assertGrad((a) => stats.beta.logpdf(0.3, a, 2.5), [0.7, 4])
    assertGrad((b) => stats.beta.logpdf(0.3, 1.5, b), [0.7, 4])
    assertGrad((x) => stats.beta.cdf(x, 2, 3.5), [0.1, 0.6])
    assertGrad((x) => stats.beta.logsf(x, 2, 3.5), [0.1, 0.6])
  })
  it("gumbel, vonmises, wrapcauchy", () => {
    assertGrad((x) => stats.gumbelR.logpdf(x, 1, 2), [-2, 3])
    assertGrad((x) => stats.gumbelR.logsf(x), [-1, 4])
    assertGrad((x) => stats.gumbelL.logcdf(x), [-4, 1])
    assertGrad((k) => stats.vonmises.logpdf(0.4, k), [0.5, 3, 40])
    assertGrad((c) => stats.wrapcauchy.logpdf(1.2, c), [0.2, 0.8])
  })
  it("discrete: the parameters of poisson, bernoulli, binom, geom, nbinom, betabinom", () => {
    assertGrad((mu) => stats.poisson.logpmf(3, mu), [0.5, 6])
    assertGrad((mu) => stats.poisson.cdf(3, mu), [0.5, 6], 1e-6)
    assertGrad((p) => stats.bernoulli.logpmf(1, p), [0.2, 0.7])
    assertGrad((p) => stats.binom.logpmf(4, 10, p), [0.2, 0.7])
    assertGrad((p) => stats.geom.logpmf(3, p), [0.2, 0.7])
    assertGrad((n) => stats.nbinom.logpmf(3, n, 0.4), [0.5, 4])
    assertGrad((a) => stats.betabinom.logpmf(3, 10, a, 2), [0.5, 4])
  })
  it("multivariateNormal in x, the mean and the covariance; dirichlet in alpha and x", () => {
    const cov = f64([[4, 2, 0.6], [2, 3, 1], [0.6, 1, 2]])
    assertVectorGrad((m) => stats.multivariateNormal.logpdf(f64([1, -1, 0.5]), m, cov), [0.2, 0.1, -0.3])
    assertVectorGrad((x) => stats.multivariateNormal.logpdf(x, f64([0, 0, 0]), cov), [1, -1, 0.5])
    // the covariance's entries as a flat vector (symmetric perturbations: the matrix is symmetrized)
    assertVectorGrad(
      (c) => stats.multivariateNormal.logpdf(f64([1, -1, 0.5]), f64([0, 0, 0]), c.reshape([3, 3])),
      [4, 2, 0.6, 2, 3, 1, 0.6, 1, 2],
      1e-6
    )
    assertVectorGrad((a) => stats.dirichlet.logpdf(f64([0.2, 0.3, 0.5]), a), [0.7, 2, 3.5])
  })
})

describe("stats gradients against closed forms (fast-check)", () => {
  it("norm.logpdf: d/dx = -(x - loc) / scale^2, d/dscale = z^2 / scale - 1 / scale", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        (x, loc, scale) => {
          const dx = gradAt((t) => stats.norm.logpdf(t, loc, scale), x)
          const ds = gradAt((t) => stats.norm.logpdf(x, loc, t), scale)
          const z = (x - loc) / scale
          assert.closeTo(dx, -(x - loc) / scale ** 2, 1e-12 * (1 + Math.abs(dx)))
          assert.closeTo(ds, (z * z - 1) / scale, 1e-11 * (1 + Math.abs(ds)))
        }
      ),
      { numRuns: 25 }
    )
  })
  it("gamma.logpdf: d/dx = (a - 1) / x - 1; beta.logpdf: d/dx = (a - 1) / x - (b - 1) / (1 - x)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 8, noNaN: true }),
        fc.double({ min: 0.2, max: 8, noNaN: true }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (a, b, x) => {
          const g = gradAt((t) => stats.gamma.logpdf(t, a), 10 * x)
          assert.closeTo(g, (a - 1) / (10 * x) - 1, 1e-12 * (1 + Math.abs(g)))
          const h = gradAt((t) => stats.beta.logpdf(t, a, b), x)
          const want = (a - 1) / x - (b - 1) / (1 - x)
          assert.closeTo(h, want, 1e-11 * (1 + Math.abs(want)))
        }
      ),
      { numRuns: 25 }
    )
  })
  it("poisson.logpmf: d/dmu = k / mu - 1; t.logpdf: d/dx = -(df + 1) x / (df + x^2)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (k, mu, x) => {
          const g = gradAt((t) => stats.poisson.logpmf(k, t), mu)
          assert.closeTo(g, k / mu - 1, 1e-12 * (1 + Math.abs(g)))
          const df = mu / 5
          const h = gradAt((t) => stats.t.logpdf(t, df), x)
          assert.closeTo(h, -(df + 1) * x / (df + x * x), 1e-12 * (1 + Math.abs(h)))
        }
      ),
      { numRuns: 25 }
    )
  })
})

describe("stats under jit and vmap; float32", () => {
  it("jit gives the eager values (norm, gamma, beta, poisson, truncnorm, multivariateNormal)", () => {
    const x = f64([0.1, 0.4, 0.8])
    const cases: Array<(t: Tensor) => Tensor> = [
      (t) => stats.norm.logcdf(t, 0.2, 1.5),
      (t) => stats.gamma.cdf(t, 2.5),
      (t) => stats.beta.logpdf(t, 2, 3),
      (t) => stats.poisson.cdf(np.floor(np.multiply(t, 10)), 3),
      (t) => stats.truncnorm.logpdf(t, 0, 1),
      (t) => stats.multivariateNormal.logpdf(t, f64([0, 0, 0]), f64([[2, 1, 0], [1, 2, 0], [0, 0, 1]]))
    ]
    for (const f of cases) assertRel(vals(np.ravel(runSync(jit(f)(x)) as Tensor)), vals(np.ravel(f(x))), 1e-15)
  })
  it("vmap over samples and over parameters gives the per-item values", () => {
    const mean = f64([0.5, -1])
    const cov = f64([[2, 0.3], [0.3, 1]])
    const xs = f64([[1, 2], [0, 0], [-1, 3]])
    const batched = runSync(vmap((x: Tensor) => stats.multivariateNormal.logpdf(x, mean, cov))(xs)) as Tensor
    assertRel(vals(batched), vals(stats.multivariateNormal.logpdf(xs, mean, cov)), 1e-14)
    const shapes = f64([0.5, 2, 7])
    const perShape = runSync(vmap((a: Tensor) => stats.gamma.logpdf(f64([0.5, 3]), a))(shapes)) as Tensor
    const want = [0.5, 2, 7].flatMap((a) => vals(stats.gamma.logpdf(f64([0.5, 3]), a)))
    assertRel((vals(perShape) as unknown as Array<Array<number>>).flat(), want, 1e-14)
    const alphas = f64([[1, 2, 3], [0.5, 0.5, 4]])
    const dir = runSync(vmap((a: Tensor) => stats.dirichlet.logpdf(f64([0.2, 0.3, 0.5]), a))(alphas)) as Tensor
    assertRel(
      vals(dir),
      [[1, 2, 3], [0.5, 0.5, 4]].map((a) =>
        (vals(stats.dirichlet.logpdf(f64([0.2, 0.3, 0.5]), f64(a)).reshape([1])))[0]!
      ),
      1e-14
    )
  })
  it("float32 inputs give float32 results near the float64 ones", () => {
    const x32 = np.array([0.2, 0.5, 0.9], { dtype: "float32" })
    const x64 = f64([0.2, 0.5, 0.9])
    const pairs: Array<(t: Tensor) => Tensor> = [
      (t) => stats.norm.logpdf(t, 0.1, 2),
      (t) => stats.t.pdf(t, 3),
      (t) => stats.beta.cdf(t, 2, 3),
      (t) => stats.gamma.logsf(t, 1.5),
      (t) => stats.poisson.pmf(np.round(np.multiply(t, 10)), 4),
      (t) => stats.truncnorm.cdf(t, 0, 1),
      (t) => stats.gumbelR.logpdf(t)
    ]
    for (const f of pairs) {
      const r = f(x32)
      assert.strictEqual(r.dtype, "float32")
      assertRel(vals(r), vals(f(x64)), 1e-5)
    }
  })
})
