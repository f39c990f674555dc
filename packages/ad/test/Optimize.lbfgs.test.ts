/**
 * `optimize.minimize` with JAX's experimental L-BFGS
 * (`method: "l-bfgs-experimental-do-not-rely-on-this"`; tests/scipy_optimize_test.py's TestLBFGS):
 * JAX's test functions against SciPy 1.17.1's `minimize(..., method="L-BFGS-B")` (no bounds, so
 * plain L-BFGS; results quoted), JAX's complex sphere and complex Rosenbrock, the limits' status
 * codes as JAX's loop sets them, vmap, and typed errors. Iteration and evaluation counts and the
 * iterates of the float64 cases are those of a line-by-line float64 NumPy transcription of JAX's
 * _lbfgs.py and line_search.py (kept outside the repository; its outputs are quoted).
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit } from "../src/Jit.js"
import { minimize } from "../src/Optimize.js"
import { vmap } from "../src/Vmap.js"
import { eggholder, himmelblau, matyas, rosenbrock } from "./optimizeFunctions.js"
import { run, thrown, values } from "./vmapSupport.js"

const LBFGS = "l-bfgs-experimental-do-not-rely-on-this"
const assertNear = (got: Tensor, want: ReadonlyArray<number>, atol: number) =>
  (values(got) as Array<number>).forEach((v, i) => assert.approximately(v, want[i]!, atol, `element ${i}`))

// complex values as [re, im] pairs
const pairs = (t: Tensor): Array<readonly [number, number]> => {
  const v = values(np.stack([np.real(t), np.imag(t)], { axis: -1 })) as Array<Array<number>>
  return v.map(([re, im]) => [re!, im!] as const)
}

describe("optimize.minimize (L-BFGS)", () => {
  it("JAX's TestLBFGS.test_minimize in float32 under jit: SciPy's L-BFGS-B minimizers", () => {
    const solve = (f: (x: Tensor) => Tensor, x0: Tensor) =>
      run(jit((x: Tensor) => minimize(f, x, { method: LBFGS, options: { gtol: 1e-7 } }).x)(x0))
    // SciPy: minimize(rosen, zeros(2), method="L-BFGS-B").x = [0.99999909, 0.99999909]
    assertNear(solve(rosenbrock, np.zeros([2])), [0.99999909, 0.99999909], 2e-5)
    // SciPy: [2.99999999, 1.99999997]
    assertNear(solve(himmelblau, np.zeros([2])), [2.99999999, 1.99999997], 2e-5)
    // SciPy stops early on Matyas: JAX compares with the true minimum (0, 0) at 1e-7
    assertNear(solve(matyas, np.full([2], 6)), [0, 0], 1e-7)
    // SciPy: [97.27334572, 111.09956629]; neither finds the global minimum, so 1e-3 (as JAX)
    assertNear(solve(eggholder, np.full([2], 100)), [97.27334572, 111.09956629], 1e-3)
  })

  it("in float64 the eggholder's local minimum agrees with SciPy's to 1e-5", () => {
    const r = minimize(eggholder, np.array([100, 100], { dtype: "float64" }), {
      method: LBFGS,
      options: { gtol: 1e-7 }
    })
    assertNear(r.x, [97.27334572, 111.09956629], 1e-5)
    assert.isTrue(values(r.success))
    assert.strictEqual(values(r.status), 0)
    assert.isUndefined(r.hessInv)
  })

  it("JAX's test_minimize_complex_sphere: from 0 to z0 = [1, 2 - 3i, 4, -5i]", () => {
    const z0 = np.complex(np.array([1, 2, 4, 0]), np.array([0, -3, 0, -5]))
    const f = (z: Tensor) => {
      const d = np.subtract(z, z0)
      return np.real(np.dot(np.conj(d), d))
    }
    const r = run(jit((z: Tensor) => minimize(f, z, { method: LBFGS, options: { gtol: 1e-6 } }).x)(np.zerosLike(z0)))
    assert.strictEqual(r.dtype, "complex64")
    const want = [[1, 0], [2, -3], [4, 0], [0, -5]]
    pairs(r).forEach(([re, im], i) => {
      assert.approximately(re, want[i]![0]!, 1e-6)
      assert.approximately(im, want[i]![1]!, 1e-6)
    })
  })

  it("JAX's test_complex_rosenbrock: a real function of 5 complex values, minimum at 1 + 1i", () => {
    const f = (z: Tensor) => rosenbrock(np.concatenate([np.real(z), np.imag(z)]))
    const z0 = np.zeros([5], { dtype: "complex128" })
    const r = run(jit((z: Tensor) => minimize(f, z, { method: LBFGS, options: { gtol: 1e-6 } }).x)(z0))
    for (const [re, im] of pairs(r)) {
      assert.approximately(re, 1, 2e-5)
      assert.approximately(im, 1, 2e-5)
    }
  })

  it("limits and their status codes follow JAX's loop: maxiter 1 runs 2 iterations and stops with 1", () => {
    // JAX's body sets status 1 when the iteration count it starts from is already maxiter
    // (unconstrained, this start converges at the third iteration)
    const x0 = np.zeros([2], { dtype: "float64" })
    const r = minimize(rosenbrock, x0, { method: LBFGS, options: { maxiter: 1 } })
    // transcription: status 1, k 2, nfev 14, x [0.16674059, 0.158408]
    assert.strictEqual(values(r.nit), 2)
    assert.strictEqual(values(r.nfev), 14)
    assertNear(r.x, [0.16674059, 0.158408], 1e-8)
    assert.strictEqual(values(r.status), 1)
    assert.isFalse(values(r.success))
    // maxfun counts the line searches' evaluations too: 1 stops after the first iteration
    const byFun = minimize(rosenbrock, x0, { method: LBFGS, options: { maxfun: 1 } })
    assert.strictEqual(values(byFun.nit), 1)
    assert.strictEqual(values(byFun.status), 2)
    assert.strictEqual(values(byFun.nfev), 8)
    assertNear(byFun.x, [0.00990099, 0], 1e-8)
    // an impossible ftol (every decrease is below it) stops with 4 after one iteration
    const byFtol = minimize(rosenbrock, x0, { method: LBFGS, options: { ftol: 1e10 } })
    assert.strictEqual(values(byFtol.nit), 1)
    assert.strictEqual(values(byFtol.status), 4)
    // converged: the gradient's norm is below gtol, status 0
    const done = minimize(rosenbrock, x0, { method: LBFGS })
    assert.strictEqual(values(done.status), 0)
    assert.strictEqual(values(done.nit), 3)
    assert.strictEqual(values(done.nfev), 15)
    assert.isBelow(Math.max(...(values(done.jac) as Array<number>).map(Math.abs)), 1e-5)
    assert.approximately(values(done.fun) as number, 0, 1e-10)
  })

  it("maxcor sets the memory: JAX's iterates with one pair and with ten on an ill-conditioned quadratic", () => {
    const t = np.array([1, -2, 3, 0.5], { dtype: "float64" })
    const w = np.array([1, 10, 100, 3], { dtype: "float64" })
    const q = (x: Tensor) => np.sum(np.multiply(w, np.square(np.subtract(x, t))))
    const x0 = np.zeros([4], { dtype: "float64" })
    // transcription: maxcor 1 ends with the line search failing (status 5) after 26 iterations,
    // 46 evaluations, at [1.00010804, -2.0000582, 3.00000397, 0.4999456]
    const short = minimize(q, x0, { method: LBFGS, options: { maxcor: 1 } })
    assert.strictEqual(values(short.status), 5)
    assert.strictEqual(values(short.nit), 26)
    assert.strictEqual(values(short.nfev), 46)
    assertNear(short.x, [1.00010804, -2.0000582, 3.00000397, 0.4999456], 1e-8)
    // maxcor 10: converged (status 0) after 10 iterations and 18 evaluations
    const long = minimize(q, x0, { method: LBFGS })
    assert.strictEqual(values(long.status), 0)
    assert.strictEqual(values(long.nit), 10)
    assert.strictEqual(values(long.nfev), 18)
    assertNear(long.x, [1, -2, 3, 0.5], 2e-8)
  })

  it("vmap over starting points and extra arguments", () => {
    const q = (x: Tensor, c: Tensor) => np.sum(np.square(np.subtract(x, c)))
    const starts = np.array([[0, 0], [5, -5], [-3, 2]], { dtype: "float64" })
    const c = np.array([1, 2], { dtype: "float64" })
    const xs = run(vmap((x0: Tensor) => minimize(q, x0, { method: LBFGS, args: [c] }).x)(starts))
    for (const row of values(xs) as Array<Array<number>>) {
      assert.approximately(row[0]!, 1, 1e-8)
      assert.approximately(row[1]!, 2, 1e-8)
    }
  })

  it("typed errors: complex x0 with BFGS, integer x0, a complex value, options of the wrong solver", () => {
    const q = (x: Tensor) => np.sum(np.square(x))
    const z = np.zeros([2], { dtype: "complex64" })
    const bfgs = thrown(() => minimize((v: Tensor) => np.real(np.sum(v)), z, { method: "BFGS" }))
    assert.strictEqual(bfgs._tag, "DTypeError")
    assert.include(bfgs.message, "real floating point, got complex64")
    assert.strictEqual(
      thrown(() => minimize(q, np.zeros([2], { dtype: "int32" }), { method: LBFGS }))._tag,
      "DTypeError"
    )
    const complexValue = thrown(() => minimize((v: Tensor) => np.sum(v), z, { method: LBFGS }))
    assert.strictEqual(complexValue._tag, "DTypeError")
    assert.include(complexValue.message, "fun must return a real scalar")
    // BFGS's lineSearchMaxiter is not an L-BFGS option, and maxcor must be positive
    const x0 = np.zeros([2])
    assert.include(
      thrown(() => minimize(q, x0, { method: LBFGS, options: { lineSearchMaxiter: 3 } as never })).message,
      "lineSearchMaxiter"
    )
    assert.strictEqual(thrown(() => minimize(q, x0, { method: LBFGS, options: { maxcor: 0 } }))._tag, "ArgumentError")
    assert.include(thrown(() => minimize(q, x0, { method: "lbfgs" })).message, LBFGS)
  })
})
