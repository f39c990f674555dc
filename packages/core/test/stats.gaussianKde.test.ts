/**
 * stats.gaussianKde (JAX's jax.scipy.stats.gaussian_kde): the density against
 * closed forms (two points, a mean of two normal densities) and a direct
 * weighted sum of bivariate normal densities computed in float64 JS, the
 * bandwidth rules, the integrals against Simpson's rule and closed forms,
 * gradients against central differences, jit and vmap with the estimator as a
 * pytree, and the typed errors for JAX's ValueErrors.
 */
import { np, stats } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit, runSync, vmap } from "diffect"
import { failure } from "./npSetup.js"
import {
  assertGradMatchesDifferences,
  assertRel,
  assertVectorGrad,
  f64,
  phi,
  simpsonGrid,
  vals as nested
} from "./statsSetup.js"

// every value of a tensor (scalar, vector or matrix) as one flat list
const vals = (t: Tensor): Array<number> => [nested(t)].flat(2) as Array<number>
const normal = (x: number, mean: number, variance: number) =>
  phi((x - mean) / Math.sqrt(variance)) / Math.sqrt(variance)

// 2-D data, its weights, and the weighted unbiased covariance (NumPy's aweights formula for
// normalized weights: sum w (x - m)(x - m)^T / (1 - sum w^2)), in float64 JS
const xs = [0.3, -1.2, 2.0, 0.7, -0.4]
const ys = [1.1, 0.2, -0.5, 2.2, 0.9]
const ws = [1, 2, 0.5, 1.5, 1]
const wsum = ws.reduce((a, b) => a + b)
const wn = ws.map((w) => w / wsum)
const mean2 = [xs, ys].map((v) => v.reduce((s, x, i) => s + wn[i]! * x, 0))
const sumW2 = wn.reduce((s, w) => s + w * w, 0)
const covJs = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, ma: number, mb: number) =>
  a.reduce((s, x, i) => s + wn[i]! * (x - ma) * (b[i]! - mb), 0) / (1 - sumW2)
const dataCov = [
  [covJs(xs, xs, mean2[0]!, mean2[0]!), covJs(xs, ys, mean2[0]!, mean2[1]!)],
  [covJs(ys, xs, mean2[1]!, mean2[0]!), covJs(ys, ys, mean2[1]!, mean2[1]!)]
]
// the bivariate normal density with covariance [[a, b], [b, c]]
const normal2 = (x: number, y: number, mx: number, my: number, [[a, b], [, c]]: Array<Array<number>>) => {
  const det = a! * c! - b! * b!
  const [dx, dy] = [x - mx, y - my]
  const q = (c! * dx * dx - 2 * b! * dx * dy + a! * dy * dy) / det
  return Math.exp(-q / 2) / (2 * Math.PI * Math.sqrt(det))
}
const scaled = (m: Array<Array<number>>, s: number) => m.map((r) => r.map((v) => v * s))
const kde2 = () => stats.gaussianKde(f64([xs, ys]), { weights: f64(ws) })

describe("stats.gaussianKde: the density", () => {
  it("two points: the mean of two normal densities with the data's variance times the factor squared", () => {
    const kde = stats.gaussianKde(f64([-1, 1]), { bwMethod: 0.5 })
    // the unbiased variance of [-1, 1] is 2; the kernels' is 2 * 0.25
    assertRel(vals(kde.covariance), [[0.5]].flat(), 1e-15)
    const points = [-2, -0.3, 0, 0.8, 3]
    const want = points.map((x) => (normal(x, -1, 0.5) + normal(x, 1, 0.5)) / 2)
    assertRel(vals(kde.evaluate(f64(points))), want, 1e-14, "evaluate")
    assertRel(vals(kde.pdf(f64(points))), want, 1e-14, "pdf")
    assertRel(vals(kde.logpdf(f64(points))), want.map(Math.log), 1e-14, "logpdf")
    // JAX's unbound methods
    assertRel(vals(stats.gaussianKde.evaluate(kde, f64(points))), want, 1e-14, "gaussianKde.evaluate")
    assertRel(vals(stats.gaussianKde.logpdf(kde, f64(points))), want.map(Math.log), 1e-14)
    // far out, logpdf stays finite where the density underflows
    assertRel(vals(kde.logpdf(f64([60]))), [Math.log(0.5) - (59 * 59) / 1 - 0.5 * Math.log(Math.PI)], 1e-13)
  })

  it("weighted 2-D data: Scott's factor, the weighted covariance and a direct sum of kernels", () => {
    const kde = kde2()
    const neff = 1 / sumW2
    assertRel(vals(kde.neff), [neff], 1e-14, "neff")
    assertRel(vals(kde.weights), wn, 1e-15, "weights")
    const f2 = Math.pow(neff, -1 / 6) ** 2
    const cov = scaled(dataCov, f2)
    assertRel(vals(kde.covariance).flat(), cov.flat(), 1e-13, "covariance")
    const inv = np.linalg.inv(f64(cov))
    assertRel(vals(kde.invCov).flat(), vals(inv).flat(), 1e-12, "invCov")
    assert.strictEqual(kde.d, 2)
    assert.strictEqual(kde.n, 5)
    const px = [0, 1.5, -2]
    const py = [0.5, -1, 3]
    const want = px.map((x, j) => xs.reduce((s, xi, i) => s + wn[i]! * normal2(x, py[j]!, xi, ys[i]!, cov), 0))
    assertRel(vals(kde.evaluate(f64([px, py]))), want, 1e-13, "evaluate")
    // one point as a vector of d coordinates
    assertRel(vals(kde.evaluate(f64([px[0]!, py[0]!]))), [want[0]!], 1e-13, "one point")
  })

  it("Silverman's factor, a scalar and a function of the data", () => {
    const data = [0.1, 0.9, -1.3, 2.4, 0.5, -0.2]
    const variance = (() => {
      const m = data.reduce((a, b) => a + b) / 6
      return data.reduce((s, x) => s + (x - m) ** 2, 0) / 5
    })()
    const silverman = Math.pow((6 * 3) / 4, -1 / 5)
    const k = stats.gaussianKde(f64(data), { bwMethod: "silverman" })
    assertRel(vals(k.covariance), [variance * silverman ** 2], 1e-14, "silverman")
    const scott = stats.gaussianKde(f64(data))
    assertRel(vals(scott.covariance), [variance * Math.pow(6, -2 / 5)], 1e-14, "scott")
    const byFunction = stats.gaussianKde(f64(data), { bwMethod: (kde) => np.multiply(0.1, kde.neff) })
    assertRel(vals(byFunction.covariance), [variance * 0.36], 1e-14, "function")
    assert.strictEqual(stats.gaussianKde(np.array([1, 2, 4])).covariance.dtype, "float32")
  })
})

describe("stats.gaussianKde: integrals", () => {
  const data = [0.1, 0.9, -1.3, 2.4, 0.5, -0.2]
  const kde = stats.gaussianKde(f64(data), { weights: f64([1, 2, 1, 0.5, 1, 3]) })
  const pdfGrid = (k: typeof kde) => (grid: Array<number>) => vals(k.pdf(f64(grid)))

  it("integrateBox1d against Simpson's rule of the density; the whole line has probability 1", () => {
    assertRel([vals(kde.integrateBox1d(-0.5, 1.2))[0]!], [simpsonGrid(pdfGrid(kde), -0.5, 1.2)], 1e-11)
    assertRel(vals(stats.gaussianKde.integrateBox1d(kde, -40, 40)), [1], 1e-14)
  })

  it("integrateGaussian against Simpson's rule (1-D) and the closed form sum w_i N(mean; x_i, C + cov) (2-D)", () => {
    const [m, v] = [0.4, 0.7]
    const want = simpsonGrid((g) => pdfGrid(kde)(g).map((p, i) => p * normal(g[i]!, m, v)), -15, 15, 4000)
    assertRel(vals(kde.integrateGaussian(m, v)), [want], 1e-11)
    const k2 = kde2()
    const c = [[0.5, 0.1], [0.1, 0.3]]
    const total = vals(k2.covariance).flat()
    const sum = [[total[0]! + 0.5, total[1]! + 0.1], [total[2]! + 0.1, total[3]! + 0.3]]
    const closed = xs.reduce((s, x, i) => s + wn[i]! * normal2(0.2, -0.1, x, ys[i]!, sum), 0)
    assertRel(vals(k2.integrateGaussian(f64([0.2, -0.1]), f64(c))), [closed], 1e-13)
  })

  it("integrateKde against Simpson's rule of the product of the two densities, either way round", () => {
    const other = stats.gaussianKde(f64([1.5, -0.5, 0.25]))
    const want = simpsonGrid((g) => pdfGrid(kde)(g).map((p, i) => p * vals(other.pdf(f64([g[i]!])))[0]!), -15, 15, 2000)
    assertRel(vals(kde.integrateKde(other)), [want], 1e-10)
    assertRel(vals(stats.gaussianKde.integrateKde(other, kde)), [want], 1e-10)
  })
})

describe("stats.gaussianKde: derivatives, jit, vmap", () => {
  it("the gradient in the points and in the data against central differences", () => {
    const kde = stats.gaussianKde(f64([0.1, 0.9, -1.3, 2.4]))
    assertGradMatchesDifferences((x) => kde.logpdf(x), [-1, 0, 0.7, 3])
    assertGradMatchesDifferences((x) => kde.pdf(x), [-1, 0, 0.7, 3])
    // the data move the kernels' centres, the covariance and the factor (through neff: fixed)
    assertVectorGrad((d) => np.sum(stats.gaussianKde(d).logpdf(f64([0, 1]))), [0.1, 0.9, -1.3, 2.4])
    assertVectorGrad((d) => stats.gaussianKde(d).integrateBox1d(-0.5, 1), [0.1, 0.9, -1.3, 2.4])
  })

  it("the estimator passes through jit as a pytree; vmap over points", () => {
    const kde = kde2()
    const points = f64([[0, 1.5, -2], [0.5, -1, 3]])
    const eager = vals(kde.evaluate(points))
    const jitted = runSync(jit((k: stats.GaussianKde, p: Tensor) => k.evaluate(p))(kde, points)) as Tensor
    assertRel(vals(jitted), eager, 1e-14)
    const mapped = runSync(vmap((p: Tensor) => np.reshape(kde.evaluate(p), []))(np.transpose(points))) as Tensor
    assertRel(vals(mapped), eager, 1e-14)
  })
})

describe("stats.gaussianKde: typed errors", () => {
  it("JAX's ValueErrors and NotImplementedErrors", () => {
    const kde = stats.gaussianKde(f64([1, 2, 4]))
    assert.include(failure(() => stats.gaussianKde(f64([1])), "ShapeError"), "`dataset` input should have multiple")
    assert.include(
      failure(() => stats.gaussianKde(np.complex(f64([1, 2]), f64([0, 1]))), "DTypeError"),
      "complex data is not supported"
    )
    assert.include(
      failure(() => stats.gaussianKde(f64([1, 2]), { weights: f64([[1, 1]]) }), "ShapeError"),
      "should be one-dimensional"
    )
    assert.include(
      failure(() => stats.gaussianKde(f64([1, 2]), { weights: f64([1, 1, 1]) }), "ShapeError"),
      "should be of length n"
    )
    assert.include(
      failure(() => stats.gaussianKde(f64([1, 2]), { bwMethod: "normal" as never }), "ArgumentError"),
      "'scott', 'silverman', a scalar, or a callable"
    )
    assert.include(
      failure(() => kde2().evaluate(f64([[1, 2, 3]])), "ShapeError"),
      "points have dimension 1, dataset has dimension 2"
    )
    assert.include(failure(() => kde.integrateGaussian(f64([0, 0]), 1), "ShapeError"), "mean does not have dimension 1")
    assert.include(
      failure(() => kde.integrateGaussian(0, f64([[1, 0], [0, 1]])), "ShapeError"),
      "covariance does not have dimension 1"
    )
    assert.include(failure(() => kde2().integrateBox1d(0, 1), "ShapeError"), "only handles 1D pdfs")
    assert.include(failure(() => kde.integrateBox1d(f64([0, 1]), 1), "ShapeError"), "must be scalars")
    assert.include(failure(() => kde.integrateKde(kde2()), "ShapeError"), "KDEs are not the same dimensionality")
    assert.include(
      failure(() => stats.gaussianKde.evaluate({} as never, f64([1])), "ArgumentError"),
      "kde must be a GaussianKde"
    )
  })
})
