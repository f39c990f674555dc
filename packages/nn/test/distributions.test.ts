/**
 * jax.random's derived distributions: sample means and variances against the
 * distributions' closed forms (fixed keys, so deterministic; tolerances are
 * five standard errors of the mean and 10% of the variance), supports, shapes,
 * binomial's two algorithms and its edge cases, multinomial's row sums.
 */
import { assert, describe, it } from "@effect/vitest"
import { BroadcastError, np, random, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { flat } from "./helpers.js"

const N = 10000
const moments = (t: Tensor) => {
  const v = flat(t)
  const mean = v.reduce((a, b) => a + b, 0) / v.length
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)
  return { mean, variance, values: v }
}
const check = (name: string, t: Tensor, mean: number, variance: number) => {
  const m = moments(t)
  assert.isBelow(Math.abs(m.mean - mean), 5 * Math.sqrt(variance / N), `${name} mean ${m.mean} vs ${mean}`)
  assert.isBelow(Math.abs(m.variance - variance), 0.1 * variance, `${name} variance ${m.variance} vs ${variance}`)
  return m
}
const key = (i: number) => random.key(100 + i)
const shape = { shape: [N] }

describe("derived distributions: moments against closed forms", () => {
  it("chisquare, f, t", () => {
    check("chisquare(3)", random.chisquare(key(0), 3, shape), 3, 6)
    const fm = moments(random.f(key(1), 4, 10, shape))
    // mean d2 / (d2 - 2); the variance 2 d2^2 (d1 + d2 - 2) / (d1 (d2 - 2)^2 (d2 - 4)) = 1.5625
    assert.isBelow(Math.abs(fm.mean - 1.25), 5 * Math.sqrt(1.5625 / N))
    assert.isTrue(fm.values.every((v) => v > 0))
    check("t(6)", random.t(key(2), 6, shape), 0, 1.5)
  })

  it("lognormal, pareto, rayleigh, maxwell, double-sided maxwell", () => {
    const s2 = 0.25
    check("lognormal(0.5)", random.lognormal(key(3), 0.5, shape), Math.exp(s2 / 2), (Math.exp(s2) - 1) * Math.exp(s2))
    const p = check("pareto(10)", random.pareto(key(4), 10, shape), 10 / 9, 10 / (81 * 8))
    assert.isTrue(p.values.every((v) => v >= 1))
    check("rayleigh(2)", random.rayleigh(key(5), 2, shape), 2 * Math.sqrt(Math.PI / 2), ((4 - Math.PI) / 2) * 4)
    check("maxwell", random.maxwell(key(6), [N]), 2 * Math.sqrt(2 / Math.PI), 3 - 8 / Math.PI)
    check("doubleSidedMaxwell(1, 2)", random.doubleSidedMaxwell(key(7), 1, 2, shape), 1, 12)
  })

  it("triangular, wald, geometric, generalized normal", () => {
    const tr = check("triangular(0, 1, 3)", random.triangular(key(8), 0, 1, 3, shape), 4 / 3, 7 / 18)
    assert.isTrue(tr.values.every((v) => v >= 0 && v <= 3))
    check("wald(2)", random.wald(key(9), 2, shape), 2, 8)
    const g = random.geometric(key(10), 0.3, shape)
    assert.strictEqual(g.dtype, "int32")
    const gm = check("geometric(0.3)", g, 1 / 0.3, 0.7 / 0.09)
    assert.isTrue(gm.values.every((v) => Number.isInteger(v) && v >= 1))
    // E|x|^2 for density exp(-|x|^p) / (2 Gamma(1 + 1/p)): Gamma(3/p) / Gamma(1/p); p = 1.5: Gamma(2) / Gamma(2/3)
    check("generalizedNormal(1.5)", random.generalizedNormal(key(11), 1.5, shape), 0, 1 / 1.3541179394264)
    check("generalizedNormal(2)", random.generalizedNormal(key(12), 2, shape), 0, 0.5)
  })

  it("binomial: inversion (n q <= 10), BTRS above, p > 1/2 by symmetry", () => {
    for (const [n, p, k] of [[20, 0.3, 13], [200, 0.4, 14], [50, 0.85, 15], [1000, 0.5, 16]] as const) {
      const b = check(`binomial(${n}, ${p})`, random.binomial(key(k), n, p, shape), n * p, n * p * (1 - p))
      assert.isTrue(b.values.every((v) => Number.isInteger(v) && v >= 0 && v <= n), `binomial(${n}, ${p}) support`)
    }
  })

  it("binomial edge cases (JAX's): p = 0 and 1, n = 0, NaN and negative n or bad p, infinite n", () => {
    assert.deepStrictEqual(toJsSync(random.binomial(key(17), 7, 0, { shape: [3] })), [0, 0, 0])
    assert.deepStrictEqual(toJsSync(random.binomial(key(18), 7, 1, { shape: [3] })), [7, 7, 7])
    assert.deepStrictEqual(toJsSync(random.binomial(key(19), 0, 0.4, { shape: [2] })), [0, 0])
    const bad = flat(random.binomial(key(20), np.array([-1, NaN, 5, 5]), np.array([0.5, 0.5, -0.1, NaN])))
    assert.isTrue(bad.every(Number.isNaN))
    assert.deepStrictEqual(toJsSync(random.binomial(key(21), Infinity, 0.3, { shape: [1] })), [Infinity])
    // p = -0 (the fuzz's multinomial reached it through a clipped ratio): no successes, and the
    // inversion's loop ends (its geometric draws were -inf, so it never did)
    assert.deepStrictEqual(toJsSync(random.binomial(key(23), 7, -0, { shape: [3] })), [0, 0, 0])
    assert.deepStrictEqual(toJsSync(random.binomial(key(24), 7, np.array([-0, 1, -0], { dtype: "float64" }))), [
      0,
      7,
      0
    ])
    const counts = random.multinomial(key(25), 3, np.array([[0.5, -0, 0.5], [-0, -0, 1]]))
    assert.deepStrictEqual(toJsSync(counts.sum({ axis: -1 })), [3, 3])
    assert.deepStrictEqual(flat(counts).slice(3), [0, 0, 3])
  })

  it("multinomial: rows sum to n; category means n p_i; batch shapes", () => {
    const p = np.array([0.2, 0.3, 0.5])
    const counts = random.multinomial(key(22), 10, p, { shape: [4000] })
    assert.deepStrictEqual(counts.shape, [4000, 3])
    const rows = toJsSync(counts) as Array<Array<number>>
    assert.isTrue(rows.every((r) => r.reduce((a, b) => a + b, 0) === 10 && r.every((c) => c >= 0)))
    ;[0.2, 0.3, 0.5].forEach((pi, i) => {
      const mean = rows.reduce((a, r) => a + r[i]!, 0) / rows.length
      assert.isBelow(Math.abs(mean - 10 * pi), 5 * Math.sqrt((10 * pi * (1 - pi)) / rows.length))
    })
    const batched = random.multinomial(key(23), np.array([5, 50]), np.array([[0.5, 0.5], [0.1, 0.9]]))
    assert.deepStrictEqual(batched.shape, [2, 2])
    const b = toJsSync(batched) as Array<Array<number>>
    assert.deepStrictEqual(b.map((r) => r[0]! + r[1]!), [5, 50])
  })

  it("shapes: parameters broadcast to the shape; JAX's error otherwise", () => {
    assert.deepStrictEqual(random.chisquare(key(24), np.array([1, 2, 3])).shape, [3])
    assert.deepStrictEqual(random.t(key(25), np.array([1, 2]), { shape: [4, 2] }).shape, [4, 2])
    assert.deepStrictEqual(random.doubleSidedMaxwell(key(26), np.array([0, 1]), 1, { shape: [3] }).shape, [3, 2])
    assert.throws(() => random.chisquare(key(27), np.array([1, 2, 3]), { shape: [2] }), BroadcastError)
    assert.strictEqual(random.lognormal(key(28), 1, { shape: [2], dtype: "float64" }).dtype, "float64")
  })
})
