// JAX parity: jax.linearize. Each case names the test in jax/tests/api_test.py (or
// the docstring) whose behaviour it pins down.
import { linearize, linearizeWith } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, run, value } from "./parity.js"

describe("jax.linearize parity", () => {
  it("docstring: f(x) = 3 sin x + cos(x / 2) at 2, jvp at 3", () => {
    const f = (x: Tensor) => np.add(np.multiply(3, np.sin(x)), np.cos(np.divide(x, 2)))
    const [y, fJvp] = run(linearize(f, np.array(2, { dtype: "float64" })))
    expect.close(value(Effect.succeed(y)), 3 * Math.sin(2) + Math.cos(1), 1e-14)
    expect.close(value(fJvp(np.array(3, { dtype: "float64" }))), 3 * (3 * Math.cos(2) - 0.5 * Math.sin(1)), 1e-14)
  })

  it("the linear function can be applied many times without re-running f", () => {
    let calls = 0
    const f = (x: Tensor) => {
      calls++
      return np.multiply(x, x)
    }
    const [, fJvp] = run(linearize(f, np.array([1, 2])))
    expect.close(value(fJvp(np.array([1, 0]))), [2, 0])
    expect.close(value(fJvp(np.array([0, 1]))), [0, 4])
    expect.close(calls, 1)
  })

  it("test_linearize_instantiates_zero_outputs: a constant output has a zero tangent", () => {
    const [, fJvp] = run(linearize((x: Tensor) => [x, 1], np.array(3)))
    expect.close(value(fJvp(np.array(1))), [1, 0])
  })

  it("test_linearize_aux", () => {
    const [y, fJvp, aux] = run(
      linearizeWith((x: Tensor) => [np.sin(x), { c: np.cos(x) }], { hasAux: true })(np.array(0))
    )
    expect.close(value(Effect.succeed([y, aux])), [0, { c: 1 }])
    expect.close(value(fJvp(np.array(2))), 2)
  })
})
