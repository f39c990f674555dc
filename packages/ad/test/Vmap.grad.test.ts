/**
 * vmap composed with differentiation (JAX's tests/batching_test.py
 * `testJacobian*`, `testPerExampleGradients`, api_test.py `test_grad_and_aux`
 * under vmap, the `reduce_axes` example of `jax.value_and_grad`): per-example
 * gradients, gradients through a batch, forward mode over and under vmap.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { pmean, psum } from "../src/Collectives.js"
import { grad, valueAndGrad } from "../src/Grad.js"
import { jacfwd, jacrev } from "../src/Jacobian.js"
import { jvp } from "../src/Jvp.js"
import { vjp } from "../src/Vjp.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertClose, prng, randomTensor, run, values } from "./vmapSupport.js"

const sum = (x: Tensor): Tensor => lax.reduceSum(x, x.shape.map((_, i) => i))
const mulAll = (x: Tensor, y: Tensor): Tensor => lax.mul(x, y)
// f(w, x) = sum(sin(w * x)); df/dw = x * cos(w * x) (hand-derived).
const f = (w: Tensor, x: Tensor): Tensor => sum(lax.sin(mulAll(w, x)))
const dfdw = (w: Tensor, x: Tensor): Tensor => lax.mul(x, lax.cos(mulAll(w, x)))

describe("per-example gradients: vmap(grad(f))", () => {
  it("the reduceAxes example of jax.value_and_grad: per-example gradients of sum(w*x)", () => {
    const loss = (w: Tensor, x: Tensor) => sum(lax.mul(w, x))
    const w = arr([1, 1])
    const xs = arr([[1, 2], [3, 4]])
    const perExample = run(vmap(grad(loss), { inAxes: [null, 0] })(w, xs))
    assert.deepStrictEqual(values(perExample), [[1, 2], [3, 4]])
    const [v, g] = run(vmap(valueAndGrad(loss), { inAxes: [null, 0], axisName: "batch" })(w, xs))
    assert.deepStrictEqual(values(v), [3, 7])
    assert.deepStrictEqual(values(g), [[1, 2], [3, 4]])
  })

  it("reduceAxes sums the gradient of an unbatched argument over the named axis", () => {
    const loss = (w: Tensor, x: Tensor) => sum(lax.mul(w, x))
    const w = arr([1, 1])
    const xs = arr([[1, 2], [3, 4]])
    const [v, g] = run(
      vmap(valueAndGrad(loss, { reduceAxes: ["batch"] }), { inAxes: [null, 0], axisName: "batch" })(w, xs)
    )
    assert.deepStrictEqual(values(v), [3, 7])
    // The summed gradient does not vary along the batch; outAxes 0 broadcasts it.
    assert.deepStrictEqual(values(g), [[4, 6], [4, 6]])
    const gOnly = run(
      vmap(grad(loss, { reduceAxes: ["batch"] }), { inAxes: [null, 0], axisName: "batch", outAxes: null })(w, xs)
    )
    assert.deepStrictEqual(values(gOnly), [4, 6])
    // With argnums [0, 1]: x is batched along "batch", so its gradient is not summed.
    const [gw, gx] = run(
      vmap(grad(loss, { argnums: [0, 1], reduceAxes: ["batch"] }), { inAxes: [null, 0], axisName: "batch" })(w, xs)
    )
    assert.deepStrictEqual(values(gw), [[4, 6], [4, 6]])
    assert.deepStrictEqual(values(gx), [[1, 1], [1, 1]])
  })

  it("matches the hand-derived gradient for every example (property, float64)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = prng(seed)
        const n = rng.int(1, 4)
        const d = rng.int(1, 3)
        const w = randomTensor(rng, [d])
        const xs = randomTensor(rng, [n, d])
        const g = run(vmap(grad(f), { inAxes: [null, 0] })(w, xs))
        const expected = lax.concatenate(
          Array.from(
            { length: n },
            (_, i) => lax.reshape(dfdw(w, lax.reshape(lax.slice(xs, [i, 0], [i + 1, d]), [d])), [1, d])
          ),
          0
        )
        assert.deepStrictEqual(g.shape, [n, d])
        assertClose(g, expected, 1e-12)
      }),
      { numRuns: 30 }
    )
  })

  it("with the batch on another axis, and the gradient with respect to the batched argument", () => {
    const xsT = arr([[1, 3], [2, 4]]) // examples are columns
    const w = arr([0.5, -1])
    const gw = run(vmap(grad(f), { inAxes: [null, 1], outAxes: 1 })(w, xsT))
    const gx = run(vmap(grad(f, { argnums: 1 }), { inAxes: [null, 1], outAxes: 1 })(w, xsT))
    // column i of gw is x_i * cos(w * x_i); of gx, w * cos(w * x_i).
    assert.deepStrictEqual(gw.shape, [2, 2])
    assertClose(gw, dfdw(lax.broadcastInDim(w, [2, 2], [0]), xsT))
    const wb = lax.broadcastInDim(w, [2, 2], [0])
    assertClose(gx, lax.mul(wb, lax.cos(lax.mul(wb, xsT))))
  })
})

describe("gradients through a batch: grad(vmap(f))", () => {
  it("the gradient of a summed vmap is the sum of per-example gradients (inside Effect.gen)", () => {
    const w = arr([0.3, -0.7])
    const xs = arr([[1, 2], [3, 4], [-1, 0.5]])
    const total = (w: Tensor) =>
      Effect.gen(function*() {
        const perExample = yield* vmap((x: Tensor) => f(w, x))(xs)
        return lax.reduceSum(perExample, [0])
      })
    const g = run(grad(total)(w))
    assert.deepStrictEqual(g.shape, [2])
    let expected = lax.full([2], 0, "float64")
    for (let i = 0; i < 3; i++) {
      expected = lax.add(expected, dfdw(w, lax.reshape(lax.slice(xs, [i, 0], [i + 1, 2]), [2])))
    }
    assertClose(g, expected, 1e-12)
  })

  it("a per-row vmap inside grad, with the function returning vmap's Effect", () => {
    const xs = arr([[1, 2], [3, 4]])
    const w = arr([0.1, 0.2])
    const rows = (w: Tensor) => vmap((x: Tensor) => f(w, x))(xs)
    const g = run(grad((w: Tensor) => lax.reduceSum(run(rows(w)), [0]))(w))
    const gEffect = run(vjp(rows, [w]))
    const [out, pullback] = gEffect
    assert.deepStrictEqual(out.shape, [2])
    const [ct] = run(pullback(arr([1, 1])))
    assertClose(ct, g, 1e-12)
  })

  it("pmean inside vmap inside grad: the gradient of a batch mean", () => {
    // g(w) = sum over the batch of pmean(f(w, x_i)) = n * mean_i f(w, x_i); each example sees the mean.
    const xs = arr([[1, 2], [3, 4]])
    const w = arr([0.4, 0.1])
    const meanLoss = (w: Tensor) =>
      lax.reduceSum(run(vmap((x: Tensor) => pmean(f(w, x), "b"), { axisName: "b" })(xs)), [0])
    const g = run(grad(meanLoss)(w))
    assert.deepStrictEqual(g.shape, [2])
    const expected = lax.add(dfdw(w, arr([1, 2])), dfdw(w, arr([3, 4])))
    assertClose(g, expected, 1e-12)
  })
})

describe("forward mode and vmap", () => {
  it("jvp of vmap(sin)", () => {
    const x = arr([0, 1, 2])
    const t = arr([1, 2, 3])
    const [y, dy] = run(jvp((x: Tensor) => run(vmap(lax.sin)(x)), [x], [t]))
    assert.deepStrictEqual(dy.shape, [3])
    assertClose(y, lax.sin(x))
    assertClose(dy, lax.mul(lax.cos(x), t))
  })

  it("vmap of jvp: one tangent direction per example", () => {
    const x = arr([0.5, 1.5])
    const ts = arr([[1, 0], [0, 1], [2, 3]])
    const push = (t: Tensor) => jvp((x: Tensor) => lax.mul(x, lax.sin(x)), [x], [t])
    const [ys, dys] = run(vmap(push, { outAxes: [null, 0] })(ts))
    // d/dx (x sin x) = sin x + x cos x
    const slope = lax.add(lax.sin(x), lax.mul(x, lax.cos(x)))
    assert.deepStrictEqual(dys.shape, [3, 2])
    assertClose(ys, lax.mul(x, lax.sin(x)))
    assertClose(dys, lax.mul(lax.broadcastInDim(slope, [3, 2], [1]), ts))
  })

  it("batched Jacobians: vmap(jacfwd(f)) and vmap(jacrev(f)) agree with the hand-derived Jacobian", () => {
    // g(x) = x * sum(x): J = diag(sum(x)) + x 1^T
    const g = (x: Tensor) => lax.mul(x, lax.broadcastInDim(sum(x), x.shape, []))
    const xs = arr([[1, 2], [3, -1]])
    const jf = run(vmap(jacfwd(g))(xs))
    const jr = run(vmap(jacrev(g))(xs))
    const expected = [[[1 + 2 + 1, 1], [2, 1 + 2 + 2]], [[2 + 3, 3], [-1, 2 - 1]]]
    assert.deepStrictEqual(values(jf), expected)
    assert.deepStrictEqual(values(jr), expected)
  })

  it("psum is linear: its jvp under a named vmap is the psum of tangents", () => {
    const x = arr([1, 2, 3])
    const t = arr([0.5, 0, -1])
    const [y, dy] = run(
      vmap((x: Tensor, t: Tensor) => jvp((v: Tensor) => psum(lax.mul(v, v), "i"), [x], [t]), {
        axisName: "i"
      })(x, t)
    )
    assert.deepStrictEqual(values(y), [14, 14, 14])
    // d sum(x^2) = sum(2 x t) = 1 + 0 - 6
    assert.deepStrictEqual(values(dy), [-5, -5, -5])
  })
})

describe("reduceAxes under nested transformations", () => {
  it("an argument batched under an outer grad is still seen as batched (no psum)", () => {
    const c = arr([1, 10])
    // inner: gradient of sum(x * x * c) with respect to x, with reduceAxes: 2 x c (x is batched).
    const loss = (x: Tensor, c: Tensor) => sum(lax.mul(lax.mul(x, x), c))
    const inner = grad(loss, { reduceAxes: ["b"] })
    const outer = grad((x: Tensor) => Effect.map(inner(x, c), sum))
    const g = run(vmap(outer, { axisName: "b" })(arr([[1, 2], [3, 4]])))
    assert.deepStrictEqual(values(g), [[2, 20], [2, 20]])
  })
})

describe("higher order under vmap", () => {
  it("vmap(grad(grad(f))): second derivatives per example", () => {
    // d²/dx² (x sin x) = 2 cos x - x sin x
    const xs = arr([0, 1, -2])
    const g2 = run(vmap(grad(grad((x: Tensor) => lax.mul(lax.sin(x), x))))(xs))
    assert.deepStrictEqual(g2.shape, [3])
    assertClose(g2, lax.sub(lax.mul(lax.full([3], 2, "float64"), lax.cos(xs)), lax.mul(xs, lax.sin(xs))), 1e-12)
  })

  it("grad(grad(vmap)) differentiates twice through the batch", () => {
    // f(x) = sum_k (x * a_k)^3 = 9 x^3 for a = [1, 2]; f''(x) = 54 x
    const a = arr([1, 2])
    const f = (x: Tensor) =>
      Effect.map(vmap((y: Tensor) => lax.integerPow(y, 3))(lax.mul(lax.broadcastInDim(x, [2], []), a)), sum)
    assert.deepStrictEqual(values(run(grad(grad(f))(arr(1)))), 54)
    assert.deepStrictEqual(values(run(grad(grad(f))(arr(-0.5)))), -27)
  })
})
