/**
 * JVP and transpose of the collectives (psum, pmax, pmin, axis_index) when the
 * differentiation runs inside vmap, so that the collective meets a JVP tracer.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { axisIndex, jvpFlat, pmax, pmin, psum, vjpFlat, vmapFlat } from "../src/index.js"
import { scalar, tensor, values } from "./finiteDifferencesUtil.js"

// Per-example jvp inside a vmap over axis "i" (the JVP handler outranks vmap's).
const jvpInsideVmap = (f: (x: Tensor) => Tensor, xs: Tensor, ts: Tensor) =>
  vmapFlat(
    ([x, t]) => {
      const [[y], [ty]] = jvpFlat(([a]) => [f(a!)], [x!], [t!])
      return [y!, ty!]
    },
    [xs, ts],
    [0, 0],
    [0, 0],
    { axisName: "i" }
  )

const gradInsideVmap = (f: (x: Tensor) => Tensor, xs: Tensor) =>
  vmapFlat(
    ([x]) => {
      const [, vjpFn] = vjpFlat(([a]) => [f(a!)], [x!])
      return vjpFn([scalar(1)])
    },
    [xs],
    [0],
    [0],
    { axisName: "i" }
  )[0]!

describe("collectives under differentiation", () => {
  it("psum is linear: its tangent is the psum of the tangents", () => {
    const [y, t] = jvpInsideVmap((x) => psum(lax.sin(x), "i"), tensor([0, 1, 2]), tensor([1, 2, 3]))
    const s = Math.sin(0) + Math.sin(1) + Math.sin(2)
    values(y!).forEach((v) => assert.closeTo(v, s, 1e-15))
    const dt = 1 * Math.cos(0) + 2 * Math.cos(1) + 3 * Math.cos(2)
    values(t!).forEach((v) => assert.closeTo(v, dt, 1e-15))
  })

  it("psum transposes to psum: per-example gradients of x_i * psum(x)", () => {
    // f_i = x_i * S with S = sum_j x_j. With psum's transpose a psum (JAX's rule), the
    // cotangents of every example flow through S: ct_i = S + sum_k x_k = d/dx_i sum_k f_k = 2S.
    const g = gradInsideVmap((x) => lax.mul(x, psum(x, "i")), tensor([1, 2, 3]))
    assert.deepStrictEqual(values(g), [12, 12, 12])
    // a function whose psum term is linear: f_i = 3 psum(x): ct_i = sum_k 3 = 9
    assert.deepStrictEqual(values(gradInsideVmap((x) => lax.mul(scalar(3), psum(x, "i")), tensor([1, 2, 3]))), [
      9,
      9,
      9
    ])
  })

  it("pmax and pmin pass the tangent of the extremal example (ties share it)", () => {
    const [, t] = jvpInsideVmap((x) => pmax(x, "i"), tensor([1, 5, 2]), tensor([10, 20, 30]))
    assert.deepStrictEqual(values(t!), [20, 20, 20])
    const [, tt] = jvpInsideVmap((x) => pmin(x, "i"), tensor([1, 5, 1]), tensor([10, 20, 30]))
    assert.deepStrictEqual(values(tt!), [20, 20, 20])
  })

  it("axis_index has no tangent", () => {
    const [y, t] = jvpInsideVmap(
      (x) => lax.mul(x, lax.convertElementType(axisIndex("i"), "float64")),
      tensor([1, 1, 1]),
      tensor([1, 1, 1])
    )
    assert.deepStrictEqual(values(y!), [0, 1, 2])
    assert.deepStrictEqual(values(t!), [0, 1, 2])
  })
})
