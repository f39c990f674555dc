/**
 * stats at the edges of their domains, against JAX's formulas
 * (jax/_src/scipy/stats/*.py), each case citing the rule it follows.
 */
import { np, stats, toJsSync } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { assertRel, f64, vals } from "./statsSetup.js"

describe("stats edges (JAX parity)", () => {
  it("gamma.sf is 1 below loc whatever a", () => {
    // gamma.py: where(y < 0, 1, gammaincc(a, y)) with y = (x - loc) / scale, a unchecked
    assert.deepStrictEqual(vals(stats.gamma.sf(f64([-1, -1, -1, 2]), f64([-1, 0, NaN, -1]))), [1, 1, 1, NaN])
    assertRel(vals(stats.gamma.sf(f64([-1, 2]), 1)), [1, Math.exp(-2)], 1e-15)
    // logsf is log(sf): 0 below loc whatever a
    assert.deepStrictEqual(vals(stats.gamma.logsf(f64([-1, -1, 2]), f64([-1, 0, -1]))).map(Math.abs), [0, 0, NaN])
  })

  it("chi2.logpdf keeps a NaN x (only x < loc is masked to -inf)", () => {
    // chi2.py: where(x < loc, -inf, log_probs): NaN < loc is false, the NaN flows through
    assert.deepStrictEqual(vals(stats.chi2.logpdf(f64([NaN, -1]), 3)).map(String), ["NaN", "-Infinity"])
    assert.deepStrictEqual(vals(stats.chi2.logpdf(f64([1]), 3, NaN)).map(String), ["NaN"])
  })

  it("gaussianKde: a number bwMethod is the factor in float64 (JAX squares the Python float)", () => {
    // kde.py: covariance = cov(dataset) * factor**2; cov([-1, 1]) = 2, so 2 * 0.4^2 in float64
    const kde = stats.gaussianKde(np.array([-1, 1], { dtype: "float64" }), { bwMethod: 0.4 })
    assert.deepStrictEqual(toJsSync(kde.covariance), [[2 * 0.4 * 0.4]])
    const byFn = stats.gaussianKde(np.array([-1, 1], { dtype: "float64" }), { bwMethod: () => 0.3 })
    assert.deepStrictEqual(toJsSync(byFn.covariance), [[2 * 0.3 * 0.3]])
  })
})
