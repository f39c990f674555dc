// JAX parity: jax.custom_jvp and jax.custom_vjp as seen through the public API. Each
// case names the example of JAX's "Custom derivative rules" documentation
// (docs/notebooks/Custom_derivative_rules) whose behaviour it pins down.
import { customJvp, customVjp, CustomVjpForwardModeError, grad, jvp, vjp, vmap } from "@diffect/ad"
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, provideCpu, run, value } from "./parity.js"

// f(x, y) = sin(x) * y, with its derivative written by hand.
const fJvp = customJvp((x: Tensor, y: Tensor) => np.multiply(np.sin(x), y))
fJvp.defJvp(([x, y], [dx, dy]) => [
  fJvp(x, y),
  np.add(np.multiply(np.multiply(np.cos(x), dx), y), np.multiply(np.sin(x), dy))
])

const fVjp = customVjp((x: Tensor, y: Tensor) => np.multiply(np.sin(x), y))
fVjp.defVjp(
  (x, y) => [fVjp(x, y), [np.cos(x), np.sin(x), y]] as const,
  ([cosX, sinX, y], g) => [np.multiply(np.multiply(cosX, g), y), np.multiply(sinX, g)]
)

describe("custom rules parity", () => {
  it("custom_jvp: grad(f)(2., 3.) = 3 cos 2 = -1.2484405", () => {
    expect.close(value(grad(fJvp)(np.array(2), np.array(3))), -1.2484405, 1e-6)
    expect.close(value(grad(fJvp, { argnums: 1 })(np.array(2), np.array(3))), Math.sin(2), 1e-6)
  })

  it("custom_jvp: jvp uses the rule (primal out, and cos(x) dx y + sin(x) dy)", () => {
    const out = value(jvp(fJvp, [np.array(2), np.array(3)], [np.array(1), np.array(1)]))
    expect.close(out, [Math.sin(2) * 3, Math.cos(2) * 3 + Math.sin(2)], 1e-6)
  })

  it("custom_vjp: grad(f)(2., 3.) = -1.2484405 through the custom backward pass", () => {
    expect.close(value(grad(fVjp)(np.array(2), np.array(3))), -1.2484405, 1e-6)
    const [, pullback] = run(vjp(fVjp, np.array(2), np.array(3)))
    expect.close(value(pullback(np.array(1))), [3 * Math.cos(2), Math.sin(2)], 1e-6)
  })

  it("custom_vjp under forward mode is refused (JAX: can't apply forward-mode autodiff to a custom_vjp function)", () => {
    const e = failure(jvp(fVjp, [np.array(2), np.array(3)], [np.array(1), np.array(0)]))
    expect.error(e, CustomVjpForwardModeError, /forward-mode/)
  })

  it("custom_jvp rules are differentiated again: second derivatives of a cube with a custom rule", () => {
    const cube = customJvp((x: Tensor) => np.multiply(x, np.multiply(x, x)))
    cube.defJvp(([x], [t]) => [cube(x), np.multiply(np.multiply(3, np.square(x)), t)])
    expect.close(value(grad(grad(cube))(np.array(2))), 12)
  })

  it("custom rules under vmap (per-example gradients)", () => {
    const g = vmap(grad(fJvp), { inAxes: [0, null] })
    expect.close(value(g(np.array([0, 2]), np.array(3))), [3, 3 * Math.cos(2)], 1e-6)
    const h = vmap(grad(fVjp), { inAxes: [0, null] })
    expect.close(value(h(np.array([0, 2]), np.array(3))), [3, 3 * Math.cos(2)], 1e-6)
  })

  it.effect("custom rules inside Effect.gen", () =>
    Effect.gen(function*() {
      const g = yield* grad(fVjp)(np.array(0), np.array(5))
      expect.close(value(Effect.succeed(g)), 5)
    }).pipe(provideCpu))
})
