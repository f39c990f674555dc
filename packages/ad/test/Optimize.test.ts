/**
 * `optimize.minimize` with BFGS (JAX's jax.scipy.optimize.minimize; tests/scipy_optimize_test.py):
 * JAX's test functions against SciPy's minimizers (SciPy 1.17.1's `minimize(..., method="BFGS")`
 * results, quoted), test_fixes4594 and test_zakharov's thresholds, the bad-initial-values case,
 * the line search's failure where JAX's fails, jit, vmap, and typed errors.
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit } from "../src/Jit.js"
import { minimize } from "../src/Optimize.js"
import { vmap } from "../src/Vmap.js"
import { eggholder, himmelblau, matyas, rosenbrock } from "./optimizeFunctions.js"
import { run, thrown, values } from "./vmapSupport.js"

const assertNear = (got: Tensor, want: ReadonlyArray<number>, tol: number) =>
  (values(got) as Array<number>).forEach((v, i) => assert.closeTo(v, want[i]!, tol * (1 + Math.abs(want[i]!))))

describe("optimize.minimize (BFGS)", () => {
  it("JAX's test_minimize: the minimizers SciPy's BFGS finds, within 2e-4", () => {
    const cases: ReadonlyArray<readonly [string, (x: Tensor) => Tensor, Tensor, ReadonlyArray<number>]> = [
      ["rosenbrock", rosenbrock, np.zeros([2], { dtype: "float32" }), [1, 1]],
      ["himmelblau", himmelblau, np.ones([2], { dtype: "float32" }), [3, 2]],
      ["matyas", matyas, np.array([6, 6], { dtype: "float64" }), [0, 0]],
      // SciPy: [97.27335191, 111.09956986]
      ["eggholder", eggholder, np.array([100, 100], { dtype: "float64" }), [97.27335191, 111.09956986]]
    ]
    for (const [, f, x0, want] of cases) {
      const r = run(jit((x: Tensor) => minimize(f, x, { method: "BFGS", options: { gtol: 1e-6 } }).x)(x0))
      assertNear(r, want, 2e-4)
    }
  })

  it("the result's fields: success, status, the value, the gradient, the inverse Hessian of a quadratic", () => {
    const target = np.array([1, 2, 3], { dtype: "float64" })
    const q = (x: Tensor) => np.sum(np.square(np.subtract(x, target)))
    const r = minimize(q, np.zeros([3], { dtype: "float64" }), { method: "bfgs" })
    assert.isTrue(values(r.success) as boolean)
    assert.strictEqual(values(r.status), 0)
    assertNear(r.x, [1, 2, 3], 1e-10)
    assert.isBelow(values(r.fun) as number, 1e-20)
    assertNear(r.jac, [0, 0, 0], 1e-9)
    assert.strictEqual(r.nit.dtype, "int32")
    assert.isAtLeast(values(r.nfev) as number, values(r.nit) as number)
    // after a step along the gradient of sum((x - t)^2), the secant update gives the exact
    // inverse curvature 1/2 along that direction: H t = t / 2
    assertNear(np.matmul(r.hessInv!, target), [0.5, 1, 1.5], 1e-10)
  })

  it("JAX's test_fixes4594, test_zakharov and test_minimize_bad_initial_values", () => {
    const a = np.multiply(np.eye(2, { dtype: "float64" }), 1e4)
    const f = (x: Tensor) => np.mean(np.square(np.matmul(a, x)))
    assertNear(minimize(f, np.ones([2], { dtype: "float64" }), { method: "BFGS" }).x, [0, 0], 1e-6)
    const zakharov = (x: Tensor) => {
      const ii = np.arange(1, 7, { dtype: "float64" })
      const s2 = np.sum(np.multiply(np.multiply(0.5, ii), x))
      return np.add(np.add(np.sum(np.square(x)), np.square(s2)), np.power(s2, 4))
    }
    const z = minimize(zakharov, np.array([600, 700, 200, 100, 90, 1e4], { dtype: "float64" }), { method: "BFGS" })
    assert.isBelow(values(z.fun) as number, 1e-6)
    // SciPy (with the exact gradient): [3.58442833, -1.84812654]
    const bad = minimize(himmelblau, np.array([92, 0.001], { dtype: "float64" }), { method: "BFGS" })
    assertNear(bad.x, [3.58442833, -1.84812654], 2e-5)
  })

  it("fails where JAX's line search fails: Rosenbrock's banana from (-1.2, 1) stops with status 3", () => {
    // JAX's zoom fails at once on a reversed interval (a_hi < a_lo); a line-by-line NumPy transcription
    // of JAX's bfgs.py and line_search.py stops at the same point, after 8 iterations
    const banana = (p: Tensor) => {
      const [x, y] = [np.take(p, 0), np.take(p, 1)]
      return np.add(np.multiply(100, np.square(np.subtract(y, np.square(x)))), np.square(np.subtract(1, x)))
    }
    const r = minimize(banana, np.array([-1.2, 1], { dtype: "float64" }), { method: "BFGS" })
    assert.isFalse(values(r.success) as boolean)
    assert.strictEqual(values(r.status), 3)
    assert.strictEqual(values(r.nit), 8)
    assertNear(r.x, [-0.27780696, 0.04333878], 1e-7)
    assert.closeTo(values(r.fun) as number, 1.7472911993554827, 1e-10)
  })

  it("vmap over starting points and extra arguments (JAX's args)", () => {
    const shifted = (x: Tensor, c: Tensor) => np.sum(np.square(np.subtract(x, c)))
    const c = np.array([2, -1], { dtype: "float64" })
    const starts = np.array([[0, 0], [5, 5], [-3, 1]], { dtype: "float64" })
    const xs = run(vmap((x0: Tensor) => minimize(shifted, x0, { method: "BFGS", args: [c] }).x)(starts))
    ;(values(xs) as Array<Array<number>>).forEach((row) =>
      assertNear(np.array(row, { dtype: "float64" }), [2, -1], 1e-8)
    )
  })

  it("typed errors: the method, x0, args, fun's result", () => {
    const q = (x: Tensor) => np.sum(np.square(x))
    const x0 = np.zeros([2], { dtype: "float64" })
    assert.include(thrown(() => minimize(q, x0, { method: "Nelder-Mead" })).message, "\"BFGS\"")
    assert.strictEqual(thrown(() => minimize(q, x0, {} as never))._tag, "ArgumentError")
    assert.strictEqual(thrown(() => minimize(q, np.zeros([2, 2]), { method: "BFGS" }))._tag, "ShapeError")
    assert.strictEqual(
      thrown(() => minimize(q, np.zeros([2], { dtype: "int32" }), { method: "BFGS" }))._tag,
      "DTypeError"
    )
    assert.include(
      thrown(() => minimize(q, x0, { method: "BFGS", args: 45 as never })).message,
      "an array of extra arguments"
    )
    assert.include(thrown(() => minimize((x: Tensor) => x, x0, { method: "BFGS" })).message, "fun must return a scalar")
    assert.include(
      thrown(() => minimize(q, x0, { method: "BFGS", options: { gtoll: 1 } as never })).message,
      "unknown key"
    )
  })
})
