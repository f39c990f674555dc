/**
 * stats' discrete and multivariate distributions: masses against exact
 * products and binomial coefficients, CDFs against sums of the mass, the
 * multivariate normal against an explicit inverse and determinant, the
 * Dirichlet against the beta; JAX's edge cases and shape errors.
 */
import { np, stats } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure } from "./npSetup.js"
import { assertRel, choose, f64, lgamma, vals } from "./statsSetup.js"

const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })
const range = (n: number) => Array.from({ length: n }, (_, i) => i)
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))

describe("stats.poisson", () => {
  it("pmf: mu^k e^-mu / k!; -inf at non-integers and below loc; xlogy at mu = 0", () => {
    const ks = range(15)
    assertRel(vals(stats.poisson.pmf(f64(ks), 3.5)), ks.map((k) => 3.5 ** k * Math.exp(-3.5) / factorial(k)), 1e-13)
    assertRel(vals(stats.poisson.logpmf(f64([5]), 2, 3)), [Math.log(2 * 2 * Math.exp(-2) / 2)], 1e-14)
    expect.tensor(stats.poisson.logpmf(f64([1.5, -1, 0, 1]), f64([2, 2, 0, 0])), "float64", [
      -Infinity,
      -Infinity,
      0,
      -Infinity
    ])
  })
  it("cdf: the running sum of the pmf (floor at non-integers); 0 below the support", () => {
    const pmf = range(30).map((k) => Math.exp(k * Math.log(7.2) - 7.2 - lgamma(k + 1)))
    const sums = pmf.map((_, k) => pmf.slice(0, k + 1).reduce((a, b) => a + b, 0))
    assertRel(vals(stats.poisson.cdf(f64(range(30)), 7.2)), sums, 1e-13)
    assertRel(vals(stats.poisson.cdf(f64([2.7, -0.5]), 7.2)), [sums[2]!, 0], 1e-13)
  })
  it("entropy: -sum p log p for small and medium mu, the asymptotic form above 100, 0 at mu = 0", () => {
    const direct = (mu: number) => {
      let h = 0
      for (let k = 0; k < 600; k++) {
        const p = Math.exp(k * Math.log(mu) - mu - lgamma(k + 1))
        if (p > 0) h -= p * Math.log(p)
      }
      return h
    }
    // JAX's truncation: k < ceil(mu + 20) below 10, k < ceil(mu + 10 sqrt(mu) + 20) below 100
    const truncated = (mu: number, bound: number) => {
      let h = 0
      for (let k = 0; k < bound; k++) {
        const p = Math.exp(k * Math.log(mu) - mu - lgamma(k + 1))
        h -= p * Math.log(p)
      }
      return h
    }
    const mus = [0.5, 4, 30]
    const bounds = [Math.ceil(20.5), Math.ceil(24), Math.ceil(30 + 10 * Math.sqrt(30) + 20)]
    const got = vals(stats.poisson.entropy(f64(mus)))
    assertRel(got, mus.map((mu, i) => truncated(mu, bounds[i]!)), 1e-12)
    assertRel(got, mus.map(direct), 1e-9)
    // above 100 JAX uses log(2 pi e mu)/2 - 1/(12 mu): within 1/(24 mu^2) of the sum
    const [h] = vals(stats.poisson.entropy(f64([150])))
    assert.closeTo(h!, 0.5 * Math.log(2 * Math.PI * Math.E * 150) - 1 / 1800, 1e-15)
    assert.closeTo(h!, direct(150), 1e-5)
    expect.tensor(stats.poisson.entropy(f64([0])), "float64", [0])
  })
})

describe("stats.bernoulli, binom, geom, nbinom, betabinom", () => {
  it("bernoulli: pmf, cdf and ppf with JAX's NaN rules", () => {
    expect.tensor(
      stats.bernoulli.pmf(f64([0, 1, 2, 0, 1]), f64([0.3, 0.3, 0.3, 0, 1])),
      "float64",
      [0.7, 0.3, 0, 1, 1],
      {
        tol: 1e-15
      }
    )
    expect.tensor(stats.bernoulli.logpmf(f64([2, 3]), 0.3, 2), "float64", [Math.log(0.7), Math.log(0.3)], {
      tol: 1e-15
    })
    expect.tensor(
      stats.bernoulli.cdf(f64([-1, 0, 0.5, 1, 3, NaN, 0]), f64([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 1.5])),
      "float64",
      [
        0,
        0.7,
        0.7,
        1,
        1,
        NaN,
        NaN
      ]
    )
    expect.tensor(stats.bernoulli.ppf(f64([0, 0.7, 0.71, 1, -0.1]), 0.3), "float64", [0, 0, 1, 1, NaN], { weak: false })
  })
  it("binom: C(n, k) p^k (1 - p)^(n - k); sums to 1; the certain cases p = 0, 1 and n = 0; -inf outside", () => {
    const ks = range(13)
    const want = ks.map((k) => choose(12, k) * 0.35 ** k * 0.65 ** (12 - k))
    const got = vals(stats.binom.pmf(f64(ks), 12, 0.35))
    assertRel(got, want, 1e-12)
    assert.closeTo(got.reduce((a, b) => a + b, 0), 1, 1e-14)
    expect.tensor(stats.binom.pmf(f64([0, 5, 0, 3]), f64([5, 5, 0, 5]), f64([0, 1, 0.5, 0])), "float64", [1, 1, 1, 0])
    expect.tensor(stats.binom.logpmf(f64([-1, 6, 6]), 5, 0.5, f64([0, 0, 1])), "float64", [
      -Infinity,
      -Infinity,
      Math.log(1 / 32)
    ])
  })
  it("geom and nbinom: (1 - p)^(k - 1) p; C(k + n - 1, k) p^n (1 - p)^k summing to 1 for non-integer n", () => {
    assertRel(vals(stats.geom.pmf(f64([1, 2, 5]), 0.2)), [0.2, 0.16, 0.8 ** 4 * 0.2], 1e-14)
    expect.tensor(stats.geom.logpmf(f64([0, 3]), 0.2, f64([0, 3])), "float64", [-Infinity, -Infinity])
    assertRel(
      vals(stats.nbinom.pmf(f64([0, 1, 4]), 3, 0.4)),
      [0, 1, 4].map((k) => choose(k + 2, k) * 0.4 ** 3 * 0.6 ** k),
      1e-13
    )
    const total = vals(stats.nbinom.pmf(f64(range(400)), 2.5, 0.3)).reduce((a, b) => a + b, 0)
    assert.closeTo(total, 1, 1e-13)
    expect.tensor(stats.nbinom.logpmf(f64([1]), 2, 0.5, 2), "float64", [-Infinity])
  })
  it("betabinom: uniform for a = b = 1; sums to 1 with mean n a / (a + b); JAX's -inf and NaN", () => {
    expect.tensor(stats.betabinom.pmf(f64(range(6)), 5, 1, 1), "float64", range(6).map(() => 1 / 6), { tol: 1e-14 })
    const ks = range(11)
    // C(n, k) B(k + a, n - k + b) / B(a, b) with the beta functions from log-gamma
    const lbeta = (a: number, b: number) => lgamma(a) + lgamma(b) - lgamma(a + b)
    const want = ks.map((k) => choose(10, k) * Math.exp(lbeta(k + 2.5, 10 - k + 1.5) - lbeta(2.5, 1.5)))
    const got = vals(stats.betabinom.pmf(f64(ks), 10, 2.5, 1.5))
    assertRel(got, want, 1e-12)
    assert.closeTo(got.reduce((a, b) => a + b, 0), 1, 1e-13)
    assert.closeTo(got.reduce((a, p, k) => a + k * p, 0), 10 * 2.5 / 4, 1e-12)
    expect.tensor(
      stats.betabinom.logpmf(
        f64([-1, 11, 0, 0, 0, 0]),
        f64([10, 10, 0, -1, 2, 2]),
        f64([1, 1, 1, 1, 0, 1]),
        f64([1, 1, 1, 1, 1, -1])
      ),
      "float64",
      [
        -Infinity,
        -Infinity,
        0,
        NaN,
        NaN,
        NaN
      ]
    )
  })
  it("multinomial: n! prod p^x / x!, batched over leading axes; -inf when the counts miss n; integer counts only", () => {
    const p = f64([0.2, 0.3, 0.5])
    const want = (x: Array<number>) =>
      factorial(6) * x.reduce((a, xi, i) => a * [0.2, 0.3, 0.5][i]! ** xi / factorial(xi), 1)
    assertRel(
      vals(stats.multinomial.pmf(i32([[1, 2, 3], [0, 0, 6], [2, 2, 2]]), 6, p)),
      [[1, 2, 3], [0, 0, 6], [2, 2, 2]].map(want),
      1e-13
    )
    expect.tensor(stats.multinomial.logpmf(i32([1, 2, 2]), 6, p), "float64", -Infinity)
    expect.tensor(stats.multinomial.pmf(i32([[1, 1], [2, 0]]), i32([2, 3]), f64([0.5, 0.5])), "float64", [0.5, 0])
    assert.include(failure(() => stats.multinomial.pmf(f64([1, 2]), 3, p), "DTypeError"), "integer")
    assert.include(failure(() => stats.multinomial.pmf(i32([1, 2]), 2.5, f64([0.5, 0.5])), "DTypeError"), "integer")
  })
})

describe("stats.multivariateNormal", () => {
  // the 3 x 3 covariance [[4, 2, 0.6], [2, 3, 1], [0.6, 1, 2]], its inverse by cofactors and its determinant
  const cov = [[4, 2, 0.6], [2, 3, 1], [0.6, 1, 2]]
  const det = (m: Array<Array<number>>) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!)
  const inverse = (m: Array<Array<number>>) => {
    const d = det(m)
    return range(3).map((i) =>
      range(3).map((j) => {
        const rows = range(3).filter((r) => r !== j)
        const cols = range(3).filter((c) => c !== i)
        const minor = m[rows[0]!]![cols[0]!]! * m[rows[1]!]![cols[1]!]! -
          m[rows[0]!]![cols[1]!]! * m[rows[1]!]![cols[0]!]!
        return ((i + j) % 2 === 0 ? 1 : -1) * minor / d
      })
    )
  }
  const logpdf = (x: Array<number>, mean: Array<number>, c: Array<Array<number>>) => {
    const y = x.map((v, i) => v - mean[i]!)
    const inv = inverse(c)
    const quad = range(3).reduce((s, i) => s + range(3).reduce((t, j) => t + y[i]! * inv[i]![j]! * y[j]!, 0), 0)
    return -quad / 2 - 1.5 * Math.log(2 * Math.PI) - Math.log(det(c)) / 2
  }
  it("logpdf against the explicit inverse and determinant, batched over x (one factor)", () => {
    const xs = [[1, -1, 0.5], [0, 0, 0], [3, 2, -4]]
    const mean = [0.5, -0.2, 0.1]
    assertRel(
      vals(stats.multivariateNormal.logpdf(f64(xs), f64(mean), f64(cov))),
      xs.map((x) => logpdf(x, mean, cov)),
      1e-13
    )
    assertRel(vals(stats.multivariateNormal.pdf(f64(xs[0]!), f64(mean), f64(cov)).reshape([1])), [
      Math.exp(logpdf(xs[0]!, mean, cov))
    ], 1e-13)
  })
  it("batched covariances broadcast against batched x and mean", () => {
    const cov2 = [[2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 3]]
    const xs = [[1, -1, 0.5], [0, 0.3, 0]]
    const means = [[0, 0, 0]]
    const got = vals(stats.multivariateNormal.logpdf(f64(xs), f64(means), f64([cov, cov2])))
    assertRel(got, [logpdf(xs[0]!, [0, 0, 0], cov), logpdf(xs[1]!, [0, 0, 0], cov2)], 1e-13)
    // x [2, 1, 3] against covariances [2, 3, 3]: the batch shape (2, 2)
    const grid = stats.multivariateNormal.logpdf(f64([[xs[0]!], [xs[1]!]]), f64([0, 0, 0]), f64([cov, cov2]))
    assert.deepStrictEqual(grid.shape, [2, 2])
  })
  it("a scalar covariance is a multiple of the identity; a scalar mean the univariate normal", () => {
    const x = [1, 2, -1]
    const want = -(1 + 4 + 1) / (2 * 2.5) - 1.5 * Math.log(2 * Math.PI * 2.5)
    assertRel([vals(stats.multivariateNormal.logpdf(f64(x), f64([0, 0, 0]), 2.5).reshape([1]))[0]!], [want], 1e-14)
    assertRel([vals(stats.multivariateNormal.logpdf(f64([x]), f64([1, 1, 1]), 2.5))[0]!], [
      -(0 + 1 + 4) / 5 - 1.5 * Math.log(5 * Math.PI)
    ], 1e-14)
    assertRel(vals(stats.multivariateNormal.logpdf(f64([1, 3]), np.array(1, { dtype: "float64" }), 4)), [
      -0.5 * Math.log(8 * Math.PI),
      -0.5 - 0.5 * Math.log(8 * Math.PI)
    ], 1e-14)
  })
  it("a covariance that is not positive definite gives NaN; mismatched shapes a ShapeError", () => {
    expect.tensor(stats.multivariateNormal.logpdf(f64([0, 0]), f64([0, 0]), f64([[1, 2], [2, 1]])), "float64", NaN)
    assert.include(
      failure(() => stats.multivariateNormal.logpdf(f64([0, 0]), f64([0, 0]), f64([1, 1])), "ShapeError"),
      "cov"
    )
    assert.include(
      failure(
        () => stats.multivariateNormal.logpdf(f64([0, 0, 0]), f64([0, 0, 0]), f64([[1, 0], [0, 1]])),
        "ShapeError"
      ),
      "(..., 3, 3)"
    )
    failure(() => stats.multivariateNormal.logpdf(f64([0, 0, 0]), f64([0, 0]), f64([[1, 0], [0, 1]])), "BroadcastError")
  })
})

describe("stats.dirichlet", () => {
  it("the density Gamma(sum a) / prod Gamma(a_i) prod x_i^(a_i - 1); K - 1 entries; the beta for K = 2", () => {
    const x = [0.2, 0.3, 0.5]
    const want = factorial(8) / (1 * 2 * 6) * 0.2 * 0.3 ** 2 * 0.5 ** 3
    assertRel([vals(stats.dirichlet.pdf(f64(x), f64([2, 3, 4])).reshape([1]))[0]!], [want], 1e-13)
    assertRel([vals(stats.dirichlet.pdf(f64([0.2, 0.3]), f64([2, 3, 4])).reshape([1]))[0]!], [want], 1e-13)
    // columns are samples: x [K, N]
    const ys = [0.1, 0.45, 0.8]
    const got = vals(stats.dirichlet.logpdf(f64([ys, ys.map((y) => 1 - y)]), f64([2.5, 0.7])))
    assertRel(got, vals(stats.beta.logpdf(f64(ys), 2.5, 0.7)), 1e-13)
  })
  it("-inf off the simplex; alpha must be one-dimensional and match x's first axis", () => {
    expect.tensor(stats.dirichlet.logpdf(f64([[0.5, 0.2], [0.6, 0.8]]), f64([1, 1])), "float64", [-Infinity, 0])
    expect.tensor(stats.dirichlet.logpdf(f64([0, 1]), f64([2, 2])), "float64", -Infinity)
    assert.include(
      failure(() => stats.dirichlet.logpdf(f64([0.5, 0.5]), f64([[1, 1]])), "ShapeError"),
      "one-dimensional"
    )
    assert.include(
      failure(() => stats.dirichlet.logpdf(f64([0.2, 0.2, 0.2, 0.4]), f64([1, 1])), "ShapeError"),
      "entries"
    )
  })
})
