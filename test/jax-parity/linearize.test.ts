// JAX parity: jax.linearize. Each case names the test in jax/tests/api_test.py (or
// the docstring) whose behaviour it pins down.
import { CotangentMismatchError, grad, linearize, linearTranspose, vmap } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, run, value } from "./parity.js"

describe("jax.linearize parity", () => {
  it("docstring: f(x) = 3 sin x + cos(x / 2) at 2, jvp at 3", () => {
    const f = (x: Tensor) => np.add(np.multiply(3, np.sin(x)), np.cos(np.divide(x, 2)))
    const [y, fJvp] = run(linearize(f, [np.array(2, { dtype: "float64" })]))
    expect.close(value(Effect.succeed(y)), 3 * Math.sin(2) + Math.cos(1), 1e-14)
    expect.close(value(fJvp(np.array(3, { dtype: "float64" }))), 3 * (3 * Math.cos(2) - 0.5 * Math.sin(1)), 1e-14)
  })

  it("the linear function can be applied many times without re-running f", () => {
    let calls = 0
    const f = (x: Tensor) => {
      calls++
      return np.multiply(x, x)
    }
    const [, fJvp] = run(linearize(f, [np.array([1, 2])]))
    expect.close(value(fJvp(np.array([1, 0]))), [2, 0])
    expect.close(value(fJvp(np.array([0, 1]))), [0, 4])
    expect.close(calls, 1)
  })

  it("test_linearize_instantiates_zero_outputs: a constant output has a zero tangent", () => {
    const [, fJvp] = run(linearize((x: Tensor) => [x, 1], [np.array(3)]))
    expect.close(value(fJvp(np.array(1))), [1, 0])
  })

  it("test_linearize_aux", () => {
    const [y, fJvp, aux] = run(
      linearize((x: Tensor) => [np.sin(x), { c: np.cos(x) }], [np.array(0)], { hasAux: true })
    )
    expect.close(value(Effect.succeed([y, aux])), [0, { c: 1 }])
    expect.close(value(fJvp(np.array(2))), 2)
  })

  it("docstring of linearize: the linear function can be vmapped (a Jacobian column per basis vector)", () => {
    const [, f] = run(linearize((x: Tensor) => np.multiply(np.sin(x), 3), [np.array([0, 1])]))
    expect.close(value(vmap(f)(np.eye(2))), [[3, 0], [0, 3 * Math.cos(1)]], 1e-6)
    const t = run(linearTranspose((x: Tensor) => np.multiply(x, 2), np.array([0, 0])))
    expect.close(value(vmap(t)(np.eye(2))), [[[2, 0], [0, 2]]])
    // and differentiated: d/dv [cos(1) v] = cos(1)
    const g = grad((v: Tensor) => Effect.flatMap(linearize(np.sin, [np.array(1)]), ([, df]) => df(v)))
    expect.close(value(g(np.array(1))), Math.cos(1), 1e-6)
  })

  it("test_linearize_aval_error: an int primal takes a float0 tangent, not an int one", () => {
    const [, f] = run(linearize((x: Tensor) => x, [np.ones([2], { dtype: "int32" })]))
    expect.close(value(f(np.zeros([2], { dtype: "float0" }))), [0, 0])
    expect.error(
      failure(f(np.ones([2], { dtype: "int32" }))),
      CotangentMismatchError,
      /^linearized function called on tangent values inconsistent with the original primal values:\nGot tangent aval int32\(2,\) but expected float0\(2,\)\./
    )
  })
})
