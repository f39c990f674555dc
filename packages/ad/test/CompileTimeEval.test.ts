/**
 * ensureCompileTimeEval (JAX's jax.ensure_compile_time_eval, tests/api_test.py's
 * test_ensure_compile_time_eval_*): constants computed while tracing, traced values still staged.
 */
import { ensureCompileTimeEval, jit } from "@diffect/ad"
import { ConcretizationError, lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { failure, js, run, tensor } from "./gradHelpers.js"

describe("ensureCompileTimeEval", () => {
  it("computes constants while tracing, so JS control flow can read them", () => {
    let traces = 0
    const f = jit((x: Tensor) => {
      traces++
      // sin(sin(3)) = 0.1406 > 0: the sin branch
      const positive = ensureCompileTimeEval(() => np.greater(np.sin(np.sin(np.array(3))), 0))
      return toJsSync(positive) === true ? np.sin(x) : np.cos(x)
    })
    assert.closeTo(js(run(f(tensor(0.5)))) as number, Math.sin(0.5), 1e-6)
    assert.closeTo(js(run(f(tensor(1)))) as number, Math.sin(1), 1e-6)
    assert.strictEqual(traces, 1)
    // without it, reading the staged constant is JAX's ConcretizationTypeError
    const g = jit((x: Tensor) => (toJsSync(np.greater(np.sin(np.array(3)), 0)) === true ? x : np.negative(x)))
    assert.instanceOf(failure(g(tensor(1))), ConcretizationError)
  })

  it("folds a constant computation out of the program; traced values are still staged", () => {
    const constant = () => np.sum(np.cos(np.zeros([10])))
    const f = (x: Tensor) => np.add(np.sin(x), constant())
    assert.match(run(jit(f).trace(tensor(1))).text, /cos[^]*reduce_sum/)
    const h = (x: Tensor) => np.add(np.sin(x), ensureCompileTimeEval(constant))
    assert.notMatch(run(jit(h).trace(tensor(1))).text, /cos|reduce_sum/)
    // the sin of the argument is staged even inside the context
    const inside = jit((x: Tensor) => ensureCompileTimeEval(() => np.add(np.sin(x), 1)))
    assert.match(run(inside.trace(tensor(0.25))).text, /sin/)
    assert.closeTo(js(run(inside(tensor(0.25)))) as number, Math.sin(0.25) + 1, 1e-6)
    assert.strictEqual(js(run(jit(h)(tensor(0)))), 10)
  })

  it("works in a control-flow body and outside any staging", () => {
    const ys = run(
      jit((xs: Tensor) =>
        lax.map((x: Tensor) => np.multiply(x, ensureCompileTimeEval(() => np.prod(np.array([2, 3])))), xs)
      )(tensor([1, 2, 3]))
    )
    assert.deepStrictEqual(js(ys), [6, 12, 18])
    assert.strictEqual(js(ensureCompileTimeEval(() => np.add(np.array(1), 2))), 3)
  })
})
