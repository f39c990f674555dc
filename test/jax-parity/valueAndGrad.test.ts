// JAX parity: jax.value_and_grad. Each case names the test in jax/tests/api_test.py
// (or the JAX documentation) whose behaviour it pins down.
import { valueAndGrad, vmap } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, provideCpu, run, value } from "./parity.js"

describe("jax.value_and_grad parity", () => {
  it("test_value_and_grad_argnums: (y, 1.0), (y, 2.0), (y, (3.0, 1.0))", () => {
    const f = (x: Tensor, y: Tensor, z: Tensor) =>
      np.add(np.add(np.multiply(1, x), np.multiply(2, y)), np.multiply(3, z))
    const args = () => [np.array(1), np.array(1), np.array(1)] as const
    expect.close(value(valueAndGrad(f)(...args())), [6, 1])
    expect.close(value(valueAndGrad(f, { argnums: 1 })(...args())), [6, 2])
    expect.close(value(valueAndGrad(f, { argnums: [2, 0] })(...args())), [6, [3, 1]])
  })

  it("docstring of grad: grad(tanh)(0.2) = 0.961043", () => {
    expect.close(value(valueAndGrad(np.tanh)(np.array(0.2))), [Math.tanh(0.2), 0.961043], 1e-6)
  })

  it("hasAux gives ((value, aux), grad)", () => {
    const f = (x: Tensor) => [np.sum(np.square(x)), { mean: np.mean(x) }]
    expect.close(value(valueAndGrad(f, { hasAux: true })(np.array([1, 2, 3]))), [[14, { mean: 2 }], [2, 4, 6]])
  })

  it("test_grad_of_bool: value_and_grad with allowInt gives the value and a float0 gradient", () => {
    const [v, g] = run(valueAndGrad((pred: Tensor) => np.where(pred, 1, 2), { allowInt: true })(np.array(true)))
    expect.close(value(Effect.succeed(v)), 1)
    assert.strictEqual(g.dtype, "float0")
  })

  it("test_heterogeneous_grad: (|x|^2 + y) at (1+1j, 2.) gives (2-2j, 1.) with the inputs' dtypes", () => {
    const f = (t: [Tensor, Tensor]) => np.add(np.square(np.abs(t[0])), t[1])
    const [, g] = run(
      valueAndGrad(f)([np.array({ re: 1, im: 1 }, { dtype: "complex128" }), np.array(2, { dtype: "float64" })])
    )
    assert.deepStrictEqual([g[0].dtype, g[1].dtype], ["complex128", "float64"])
    expect.close(value(Effect.succeed(g)), [{ re: 2, im: -2 }, 1], 1e-12)
  })

  it("reduce_axes (JAX's former reduce_axes docs): per-example vs summed gradient of a shared weight", () => {
    // f(w, x) = sum(w * x), w = [1, 1], xs = [[1, 2], [3, 4]]
    const f = (w: Tensor, x: Tensor) => np.sum(np.multiply(w, x))
    const w = np.array([1, 1])
    const xs = np.array([[1, 2], [3, 4]])
    expect.close(value(vmap(valueAndGrad(f), { inAxes: [null, 0], axisName: "batch" })(w, xs)), [[3, 7], [[1, 2], [
      3,
      4
    ]]])
    const reduced = vmap(valueAndGrad(f, { reduceAxes: ["batch"] }), {
      inAxes: [null, 0],
      axisName: "batch",
      outAxes: [0, null]
    })
    expect.close(value(reduced(w, xs)), [[3, 7], [4, 6]])
  })

  it.effect("inside Effect.gen", () =>
    Effect.gen(function*() {
      const [v, g] = yield* valueAndGrad((x: Tensor) => np.sum(np.exp(x)))(np.array([0, 0], { dtype: "float64" }))
      expect.close(value(Effect.succeed([v, g])), [2, [1, 1]], 1e-15)
    }).pipe(provideCpu))
})
