// JAX parity: jax.lax.stop_gradient through the public API. Each case names the
// JAX documentation example or test whose behaviour it pins down.
import { grad, jacrev, jvp, stopGradient, vmap } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, value } from "./parity.js"

describe("jax.lax.stop_gradient parity", () => {
  it("docs ('Stopping gradients'): d/dx [x * sg(x)] at 3 is 3", () => {
    expect.close(value(grad((x: Tensor) => np.multiply(x, stopGradient(x)))(np.array(3))), 3)
  })

  it("the value passes through unchanged, the tangent is zero (jvp)", () => {
    expect.close(
      value(jvp((x: Tensor) => stopGradient(np.sin(x)), [np.array(1)], [np.array(1)])),
      [Math.sin(1), 0],
      1e-7
    )
  })

  it("docs (TD(0) update): the target r + v(s_next) is not differentiated", () => {
    // loss(theta) = 0.5 (r + sg(theta . s_next) - theta . s)^2; grad = -(r + theta.s_next - theta.s) s
    const s = np.array([1, 2])
    const sNext = np.array([3, 1])
    const loss = (theta: Tensor) => {
      const target = np.add(1, stopGradient(np.dot(theta, sNext)))
      return np.multiply(0.5, np.square(np.subtract(target, np.dot(theta, s))))
    }
    // theta = [0.5, 0.5]: theta.s = 1.5, theta.s_next = 2, td error = 1 + 2 - 1.5 = 1.5
    expect.close(value(grad(loss)(np.array([0.5, 0.5]))), [-1.5, -3])
  })

  it("maps over pytrees, keeps null; a string leaf raises (jax.lax.stop_gradient calls core.typeof on every leaf)", () => {
    assert.throws(() => stopGradient({ s: "label" }), /must be a Tensor, a number or a boolean/)
    const t = stopGradient({ a: np.array([1, 2]), n: null })
    assert.strictEqual(t.n, null)
    expect.close(value(jacrev((p: { a: Tensor }) => np.multiply(stopGradient(p).a, p.a))({ a: np.array([1, 2]) })), {
      a: [[1, 0], [0, 2]]
    })
  })

  it("an integer value passes through (no float0 involved)", () => {
    const i = stopGradient(np.array([1, 2], { dtype: "int32" }))
    assert.strictEqual(i.dtype, "int32")
    expect.close(
      value(
        grad((x: Tensor) =>
          np.sum(np.multiply(x, np.astype(stopGradient(np.array([1, 2], { dtype: "int32" })), "float32")))
        )(np.array([3, 4]))
      ),
      [1, 2]
    )
  })

  it("under vmap, per-example", () => {
    const g = vmap(grad((x: Tensor) => np.multiply(x, stopGradient(np.square(x)))))
    expect.close(value(g(np.array([1, 2, 3]))), [1, 4, 9])
  })
})
