/**
 * `customGradient` (JAX's jax.custom_gradient): api_test.py's custom_gradient
 * cases, its docstring's log1pexp, compositions, and the errors.
 */
import { customGradient, grad, jit, jvp, vmap } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { js, run, thrown, toJs } from "./gradHelpers.js"

describe("customGradient", () => {
  it("test_custom_gradient: x ** 2 with the vjp g * x; its grad and grad of grad", () => {
    const f = customGradient((x: Tensor) => [np.square(x), (g: Tensor) => [np.multiply(g, x)]] as const)
    assert.strictEqual(js(f(np.array(3))), 9)
    assert.strictEqual(js(run(grad(f)(np.array(3)))), 3)
    // the vjp closes over x, hoisted as a residual: differentiable again (d/dx x = 1)
    assert.strictEqual(js(run(grad(grad(f))(np.array(3)))), 1)
  })

  it("test_custom_gradient_2: two arguments, a vjp giving (y, x)", () => {
    const f = customGradient((x: Tensor, y: Tensor) => [np.multiply(x, y), () => [y, x]] as const)
    assert.strictEqual(js(f(np.array(3), np.array(4))), 12)
    assert.deepStrictEqual(toJs(run(grad(f, { argnums: [0, 1] })(np.array(3), np.array(4)))), [4, 3])
  })

  it("test_custom_gradient_3: a vector argument, the true gradient scaled by arange(3, 6)", () => {
    const f = customGradient((x: Tensor) =>
      [np.sum(np.sin(x)), () => [np.multiply(np.cos(x), np.arange(3, 6, { dtype: "float32" }))]] as const
    )
    const x = np.arange(3, { dtype: "float32" })
    assert.closeTo(js(f(x)) as number, Math.sin(1) + Math.sin(2), 1e-6)
    const g = js(run(grad(f)(x))) as Array<number>
    ;[3 * Math.cos(0), 4 * Math.cos(1), 5 * Math.cos(2)].forEach((w, i) => assert.closeTo(g[i]!, w, 1e-6))
  })

  it("JAX's log1pexp: a stable gradient at 100 (1, where autodiff of log1p(exp(x)) gives NaN); jit and vmap", () => {
    const log1pexp = customGradient((x: Tensor) => {
      const e = np.exp(x)
      return [np.log1p(e), (g: Tensor) => [np.multiply(g, np.subtract(1, np.divide(1, np.add(1, e))))]] as const
    })
    assert.isNaN(js(run(grad((x: Tensor) => np.log1p(np.exp(x)))(np.array(100)))) as number)
    assert.strictEqual(js(run(jit(grad(log1pexp))(np.array(100)))), 1)
    // 1 - 1 / (1 + e^x): 0.5, 0.7310586, 0.26894143 in float32
    assert.deepStrictEqual(js(run(vmap(grad(log1pexp))(np.array([0, 1, -1])))), [
      0.5,
      0.7310585975646973,
      0.26894140243530273
    ])
  })

  it("errors: forward mode (a customVjp function's), a function not returning [value, vjp], a vjp not returning an array", () => {
    const f = customGradient(function square(x: Tensor) {
      return [np.square(x), (g: Tensor) => [g]] as const
    })
    const e = thrown(() => run(jvp(f, [np.array(1)], [np.array(1)])))
    assert.strictEqual(e.tag, "CustomVjpForwardModeError")
    assert.include(e.message, "square")
    const bad = customGradient(((x: Tensor) => np.sin(x)) as never) as unknown as (x: Tensor) => Tensor
    assert.include(thrown(() => run(grad(bad)(np.array(0)))).message, "must return [value, vjp]")
    const notArray = customGradient((x: Tensor) => [np.sin(x), (g: Tensor) => g as never] as const)
    assert.include(thrown(() => run(grad(notArray)(np.array(0)))).message, "one cotangent per argument")
    assert.strictEqual(thrown(() => customGradient(3 as never)).tag, "NotCallableError")
  })
})
