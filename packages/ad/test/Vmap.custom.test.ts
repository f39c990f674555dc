/**
 * Custom differentiation rules under vmap (JAX's `BatchTrace.process_custom_jvp_call`
 * and `process_custom_vjp_call`; api_test.py `CustomJVPTest.test_vmap`,
 * `CustomVJPTest.test_vmap`): the rule, not the primal implementation, is what
 * a differentiation outside (or inside) the vmap uses.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { psum } from "../src/Collectives.js"
import { customJvp, customVjp } from "../src/Custom.js"
import { grad } from "../src/Grad.js"
import { jvp } from "../src/Jvp.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertClose, run, values } from "./vmapSupport.js"

const sum = (x: Tensor): Tensor => lax.reduceSum(x, x.shape.map((_, i) => i))
const twice = (t: Tensor): Tensor => lax.add(t, t)

// sin with a deliberately wrong derivative (2t instead of cos(x) t): any result
// that shows cos came from differentiating the implementation, not the rule.
const fakeSin = customJvp((x: Tensor) => lax.sin(x)).defJvp(([x], [t]) => [lax.sin(x), twice(t)])

// Identity whose cotangent is clipped to [-1, 1] (JAX's clip_gradient example).
const clipGradient = customVjp((x: Tensor) => x).defVjp(
  (x) => [x, null],
  (_res, g) => [lax.max(lax.min(g, lax.full(g.shape, 1, g.dtype)), lax.full(g.shape, -1, g.dtype))]
)

// f(w, x) = w * x with a hand-written VJP that scales w's cotangent by 10.
const scaledMul = customVjp((w: Tensor, x: Tensor) => lax.mul(w, x)).defVjp(
  (w, x) => [lax.mul(w, x), [w, x] as const],
  ([w, x], g) => [lax.mul(lax.full(g.shape, 10, g.dtype), lax.mul(g, x)), lax.mul(g, w)]
)

describe("customJvp under vmap", () => {
  const x = arr([0.1, 0.5, 2])

  it("vmap of a custom function computes the primal", () => {
    const y = run(vmap(fakeSin)(x))
    assert.deepStrictEqual(y.shape, [3])
    assertClose(y, lax.sin(x))
  })

  it("grad of a sum over vmap uses the rule", () => {
    const g = run(grad((x: Tensor) => Effect.map(vmap(fakeSin)(x), sum))(x))
    assert.deepStrictEqual(values(g), [2, 2, 2])
  })

  it("vmap of grad uses the rule", () => {
    assert.deepStrictEqual(values(run(vmap(grad(fakeSin))(x))), [2, 2, 2])
  })

  it("jvp of vmap uses the rule, with the tangent batched like the primal", () => {
    const [y, dy] = run(jvp((x: Tensor) => vmap(fakeSin)(x), [x], [arr([1, 2, 3])]))
    assertClose(y, lax.sin(x))
    assert.deepStrictEqual(values(dy), [2, 4, 6])
  })

  it("the rule sees collectives of the vmap's axis", () => {
    // rule: tangent out = psum(t) over the batch
    const summed = customJvp((x: Tensor) => lax.sin(x)).defJvp(([x], [t]) => [lax.sin(x), psum(t, "i")])
    const [, dy] = run(jvp((x: Tensor) => vmap(summed, { axisName: "i" })(x), [x], [arr([1, 2, 3])]))
    assert.deepStrictEqual(values(dy), [6, 6, 6])
  })
})

describe("customVjp under vmap", () => {
  it("grad of a sum over vmap uses bwd (clipped cotangents)", () => {
    const x = arr([1, 2, 3])
    const g = run(
      grad((x: Tensor) => Effect.map(vmap(clipGradient)(x), (y) => sum(lax.mul(y, lax.full(y.shape, 5, y.dtype)))))(x)
    )
    assert.deepStrictEqual(values(g), [1, 1, 1])
  })

  it("vmap of grad uses bwd", () => {
    const g = run(vmap(grad((x: Tensor) => lax.mul(clipGradient(x), lax.full([], -3, "float64"))))(arr([1, 2])))
    assert.deepStrictEqual(values(g), [-1, -1])
  })

  it("the cotangent of an unbatched argument is summed over the batch", () => {
    const w = arr([2])
    const xs = arr([[1], [3], [4]])
    // d/dw sum_i (w * x_i) by the rule: 10 * sum_i x_i = 80; d/dx_i: w = 2
    const loss = (w: Tensor, xs: Tensor) => Effect.map(vmap(scaledMul, { inAxes: [null, 0] })(w, xs), sum)
    const [gw, gx] = run(grad(loss, { argnums: [0, 1] })(w, xs))
    assert.deepStrictEqual(values(gw), [80])
    assert.deepStrictEqual(values(gx), [[2], [2], [2]])
  })
})
