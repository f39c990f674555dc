import { grad, valueAndGrad, vmap } from "@diffect/ad"
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { expect, js, provideCpu, run, tensor, toJs } from "./gradHelpers.js"

const all = (x: Tensor) => x.shape.map((_, i) => i)
const sum = (x: Tensor) => lax.reduceSum(x, all(x))
const dot = (a: Tensor, b: Tensor) => sum(lax.mul(a, b))

describe("valueAndGrad", () => {
  it("gives the value and the gradient of a pytree argument", () => {
    // loss(p, x) = sum((x*w + b)^2), w = 2, b = 1, x = [1, 2]:
    // value 3^2 + 5^2 = 34; dw = 2*3*1 + 2*5*2 = 26; db = 2*3 + 2*5 = 16
    const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => {
      const w = lax.broadcastInDim(p.w, x.shape, [])
      const b = lax.broadcastInDim(p.b, x.shape, [])
      const r = lax.add(lax.mul(x, w), b)
      return sum(lax.mul(r, r))
    }
    const [value, g] = run(valueAndGrad(loss)({ w: tensor(2), b: tensor(1) }, tensor([1, 2])))
    expect.close(js(value), 34)
    expect.close(toJs(g), { b: 16, w: 26 })
  })

  it("argnums as in JAX's test_value_and_grad_argnums: f = 1x + 2y + 3z", () => {
    const f = (x: Tensor, y: Tensor, z: Tensor) =>
      lax.add(lax.add(x, lax.mul(lax.full([], 2, "float32", true), y)), lax.mul(lax.full([], 3, "float32", true), z))
    const one = () => tensor(1)
    const [v0, g0] = run(valueAndGrad(f)(one(), one(), one()))
    expect.close(js(v0), 6)
    expect.close(js(g0), 1)
    expect.close(js(run(valueAndGrad(f, { argnums: 1 })(one(), one(), one()))[1]), 2)
    const [, [gz, gx]] = run(valueAndGrad(f, { argnums: [2, 0] })(one(), one(), one()))
    expect.close(js(gz), 3)
    expect.close(js(gx), 1)
  })

  it("hasAux gives [[value, aux], grad]", () => {
    const f = (x: Tensor) => [sum(lax.mul(x, x)), { norm2: sum(lax.mul(x, x)), n: 2 }] as const
    const [[value, aux], g] = run(valueAndGrad(f, { hasAux: true })(tensor([3, 4])))
    expect.close(js(value), 25)
    expect.close(js(aux.norm2), 25)
    assert.strictEqual(aux.n, 2)
    expect.close(js(g), [6, 8])
  })

  it("a constant output gives a zero gradient of the input's shape and dtype", () => {
    const [v, g] = run(valueAndGrad((_x: Tensor) => 1.5)(tensor([1, 2], "float64")))
    expect.close(js(v), 1.5)
    assert.strictEqual(g.dtype, "float64")
    expect.close(js(g), [0, 0])
  })

  it("gradients keep each input's dtype (float32 and float64 mixed)", () => {
    const f = (a: Tensor, b: Tensor) => lax.add(sum(lax.mul(a, a)), lax.convertElementType(sum(b), "float32"))
    const [, [ga, gb]] = run(valueAndGrad(f, { argnums: [0, 1] })(tensor([1, 2]), tensor([1, 2], "float64")))
    assert.strictEqual(ga.dtype, "float32")
    assert.strictEqual(gb.dtype, "float64")
    expect.close(js(ga), [2, 4])
    expect.close(js(gb), [1, 1])
  })

  it("heterogeneous complex and real inputs (JAX's test_heterogeneous_grad): |x|^2 + y", () => {
    const f = (t: [Tensor, Tensor]) => lax.add(lax.real(lax.mul(t[0], lax.conj(t[0]))), t[1])
    const g = run(grad(f)([tensor({ re: 1, im: 1 }, "complex128"), tensor(2, "float64")]))
    assert.strictEqual(g[0].dtype, "complex128")
    assert.strictEqual(g[1].dtype, "float64")
    expect.close(js(g[0]), { re: 2, im: -2 })
    expect.close(js(g[1]), 1)
  })

  it("property: the gradient of <a, x> + 0.5 |x|^2 is a + x (float64, random vectors)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (xs, as) => {
          const a = tensor(as.slice(0, xs.length), "float64")
          const f = (x: Tensor) => lax.add(dot(a, x), lax.mul(lax.full([], 0.5, "float64", true), dot(x, x)))
          const [v, g] = run(valueAndGrad(f)(tensor(xs, "float64")))
          const expectedValue = xs.reduce((s, x, i) => s + as[i]! * x + 0.5 * x * x, 0)
          expect.close(js(v), expectedValue, 1e-12)
          expect.close(js(g), xs.map((x, i) => as[i]! + x), 1e-12)
        }
      ),
      { numRuns: 50 }
    )
  })

  it.effect("runs in Effect.gen and composes with grad of its own result", () =>
    Effect.gen(function*() {
      // d/dx of (the value part of valueAndGrad(x^3)) = 3x^2
      const f = (x: Tensor) => Effect.map(valueAndGrad((y: Tensor) => lax.mul(y, lax.mul(y, y)))(x), ([v]) => v)
      const g = yield* grad(f)(tensor(2))
      expect.close(js(g), 12)
    }).pipe(provideCpu))
})

describe("valueAndGrad reduceAxes (with vmap)", () => {
  // f(w, x) = sum(w * x), w = [1, 1], xs = [[1, 2], [3, 4]]
  const f = (w: Tensor, x: Tensor) => dot(w, x)
  const w = () => tensor([1, 1])
  const xs = () => tensor([[1, 2], [3, 4]])

  it("without reduceAxes, per-example gradients", () => {
    const [values, gw] = run(vmap(valueAndGrad(f), { inAxes: [null, 0], axisName: "batch" })(w(), xs()))
    expect.close(toJs(values), [3, 7])
    expect.close(toJs(gw), [[1, 2], [3, 4]])
  })

  it("with reduceAxes: ['batch'], the unbatched w's gradient is summed: [4, 6]", () => {
    const [, gw] = run(
      vmap(valueAndGrad(f, { reduceAxes: ["batch"] }), { inAxes: [null, 0], axisName: "batch", outAxes: [0, null] })(
        w(),
        xs()
      )
    )
    expect.close(toJs(gw), [4, 6])
  })

  it("a single axis name may be given as a string", () => {
    const [, gw] = run(
      vmap(valueAndGrad(f, { reduceAxes: "batch" }), { inAxes: [null, 0], axisName: "batch", outAxes: [0, null] })(
        w(),
        xs()
      )
    )
    expect.close(toJs(gw), [4, 6])
  })

  it("a batched argument is not summed", () => {
    const [gw, gx] = run(
      vmap(grad(f, { argnums: [0, 1], reduceAxes: ["batch"] }), {
        inAxes: [null, 0],
        axisName: "batch",
        outAxes: [null, 0]
      })(
        w(),
        xs()
      )
    )
    expect.close(toJs(gw), [4, 6])
    expect.close(toJs(gx), [[1, 1], [1, 1]])
  })
})
