import { grad, NonScalarOutputError, runSyncOn, stopGradient, valueAndGrad } from "@diffect/ad"
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { backend, expect, js, provideCpu, run, tensor, toJs } from "./gradHelpers.js"

const all = (x: Tensor) => x.shape.map((_, i) => i)
const sum = (x: Tensor) => lax.reduceSum(x, all(x))
const c = (x: Tensor, v: number) => lax.full(x.shape, v, x.dtype, true)
const sin = (x: Tensor) => lax.sin(x)

describe("grad", () => {
  it("of sin is cos (hand-derived), at float32", () => {
    const g = run(grad(sin)(tensor(0.5)))
    assert.strictEqual(g.dtype, "float32")
    expect.close(js(g), Math.cos(0.5), 1e-6)
  })

  it("of sum(x^2) is 2x for a vector", () => {
    expect.close(toJs(run(grad((x: Tensor) => sum(lax.mul(x, x)))(tensor([1, -2, 3])))), [2, -4, 6])
  })

  it("keeps float64 (no downcast) and matches central differences to 1e-9", () => {
    const f = (x: Tensor) => sum(lax.mul(lax.sin(x), lax.exp(x)))
    const x0 = [0.3, -1.2, 2.5]
    const g = run(grad(f)(tensor(x0, "float64")))
    assert.strictEqual(g.dtype, "float64")
    const exact = x0.map((v) => Math.exp(v) * (Math.sin(v) + Math.cos(v)))
    expect.close(js(g), exact, 1e-12)
    const h = 1e-6
    const fd = x0.map((v) => (Math.sin(v + h) * Math.exp(v + h) - Math.sin(v - h) * Math.exp(v - h)) / (2 * h))
    expect.close(js(g), fd, 1e-8)
  })

  it("of a JS number argument gives a weak float32 gradient (JAX's test_ad_weak_types)", () => {
    const g = run(grad((x: Tensor) => lax.mul(x, x))(3 as unknown as Tensor))
    assert.strictEqual(g.dtype, "float32")
    assert.isTrue(g.weakType)
    expect.close(js(g), 6)
  })

  it("nests: grad(grad(sin)) is -sin, grad^3 is -cos", () => {
    expect.close(js(run(grad(grad(sin))(tensor(1, "float64")))), -Math.sin(1), 1e-12)
    expect.close(js(run(grad(grad(grad(sin)))(tensor(1, "float64")))), -Math.cos(1), 1e-12)
  })

  it("has no perturbation confusion: d/dx [x * d/dy (x + y)] at 1 is 1", () => {
    const inner = (x: Tensor) => grad((y: Tensor) => lax.add(x, y))(c(x, 0))
    const f = (x: Tensor) => Effect.map(inner(x), (dy) => lax.mul(x, dy))
    expect.close(js(run(grad(f)(tensor(1)))), 1)
  })

  it("differentiates a function returning a foreign Effect (run synchronously)", () => {
    // d/dx [x cos x] = cos x - x sin x
    const f = (x: Tensor) => Effect.map(grad(sin)(x), (g) => lax.mul(x, g))
    expect.close(js(run(grad(f)(tensor(0.7, "float64")))), Math.cos(0.7) - 0.7 * Math.sin(0.7), 1e-12)
  })

  it("runSyncOn runs its own Effects directly and others through a fiber; failures are thrown as the tagged error", () => {
    expect.close(js(runSyncOn(backend, grad(sin)(tensor(0)))), 1)
    // (the mapping does no tensor work: eager ops outside a transformation use the default backend)
    const mapped = Effect.map(grad(sin)(tensor(0)), (g) => [g])
    expect.close(toJs(runSyncOn(backend, mapped)), [1])
    assert.throws(() => runSyncOn(backend, grad((x: Tensor) => lax.reshape(x, [1]))(tensor(0))), NonScalarOutputError)
    assert.throws(
      () => runSyncOn(backend, Effect.flatMap(grad(sin)(tensor(0)), () => grad((x: Tensor) => x)(tensor([1, 2])))),
      NonScalarOutputError
    )
  })

  it.effect("runs inside Effect.gen with the Backend from the context", () =>
    Effect.gen(function*() {
      const g = yield* grad((x: Tensor) => sum(lax.mul(x, c(x, 3))))(tensor([1, 2]))
      expect.close(js(g), [3, 3])
      const [v, g2] = yield* valueAndGrad((x: Tensor) => sum(lax.mul(x, x)))(tensor([1, 2]))
      expect.close(js(v), 5)
      expect.close(js(g2), [2, 4])
    }).pipe(provideCpu))

  it.effect("puts the user's own Effect failure in the error channel, unchanged", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(grad((_x: Tensor) => Effect.fail("boom" as const))(tensor(1)))
      assert.strictEqual(error, "boom")
    }).pipe(provideCpu))

  it("keeps null leaves of argument pytrees as null in the gradient", () => {
    const f = (p: { w: Tensor; b: null; n: [Tensor, undefined] }) => sum(lax.mul(p.w, p.n[0]))
    const g = run(grad(f)({ w: tensor([1, 2]), b: null, n: [tensor([3, 4]), undefined] }))
    assert.strictEqual(g.b, null)
    assert.strictEqual(g.n[1], undefined)
    expect.close(toJs(g.w), [3, 4])
    expect.close(toJs(g.n[0]), [1, 2])
  })

  it("gradient of |z|^2 for complex z is 2 conj(z) (JAX's convention)", () => {
    const f = (z: Tensor) => lax.real(lax.mul(z, lax.conj(z)))
    const g = run(grad(f)(tensor({ re: 1, im: 2 }, "complex64")))
    assert.strictEqual(g.dtype, "complex64")
    expect.close(js(g), { re: 2, im: -4 })
  })

  it("holomorphic: z^3 at 1+2i gives 3z^2 = -9+12i", () => {
    const f = (z: Tensor) => lax.mul(z, lax.mul(z, z))
    const g = run(grad(f, { holomorphic: true })(tensor({ re: 1, im: 2 }, "complex128")))
    assert.strictEqual(g.dtype, "complex128")
    expect.close(js(g), { re: -9, im: 12 }, 1e-12)
  })

  it("allowInt: an int32 input gets a float0 gradient of its shape", () => {
    const f = (x: Tensor, i: Tensor) => sum(lax.mul(x, lax.convertElementType(i, "float32")))
    const [gx, gi] = run(grad(f, { argnums: [0, 1], allowInt: true })(tensor([1, 2]), tensor([3, 4], "int32")))
    expect.close(js(gx), [3, 4])
    assert.strictEqual(gi.dtype, "float0")
    assert.deepStrictEqual([...gi.shape], [2])
  })

  it("stopGradient blocks the derivative: d/dx [x * sg(x)] at 3 is 3", () => {
    expect.close(js(run(grad((x: Tensor) => lax.mul(x, stopGradient(x)))(tensor(3)))), 3)
  })

  it("stopGradient maps over pytrees, keeps null and numbers, and refuses other leaves (JAX's core.typeof raises)", () => {
    assert.throws(
      () => stopGradient({ s: "label" }),
      /stopGradient: the leaf at \["s"\] must be a Tensor, a number or a boolean, got the string "label"/
    )
    const f = (x: Tensor) => {
      const t = stopGradient({ a: x, k: 3, n: null })
      assert.strictEqual(t.k, 3)
      assert.strictEqual(t.n, null)
      return lax.add(lax.mul(t.a, t.a), x)
    }
    expect.close(js(run(grad(f)(tensor(2)))), 1)
  })

  it("hasAux: [grad, aux] with aux returned as concrete values", () => {
    const f = (x: Tensor) => [lax.mul(x, lax.mul(x, x)), [lax.mul(x, x), "tag"]] as const
    const [g, aux] = run(grad(f, { hasAux: true })(tensor(3)))
    expect.close(js(g), 27)
    expect.close(js(aux[0]), 9)
    assert.strictEqual(aux[1], "tag")
    assert.strictEqual(aux[0].constructor.name, "ConcreteTensor")
  })

  it("hasAux under nesting: aux of an inner grad is differentiable by the outer one", () => {
    // JAX's test_grad_and_aux_nested: grad of (aux = x^3) is 3x^2 = 48 at 4.
    const f = (x: Tensor) =>
      Effect.map(
        grad((y: Tensor) => [lax.mul(y, lax.mul(y, y)), [lax.mul(y, lax.mul(y, y))]] as const, { hasAux: true })(x),
        ([, aux]) => aux[0]
      )
    expect.close(js(run(grad(f)(tensor(4)))), 48)
  })

  it("argnums: non-differentiated arguments are passed as-is, even non-tensors", () => {
    const f = (x: Tensor, label: string, y: Tensor) => {
      assert.strictEqual(label, "keep")
      return sum(lax.mul(x, y))
    }
    expect.close(js(run(grad(f, { argnums: 2 })(tensor([1, 2]), "keep", tensor([3, 4])))), [1, 2])
    expect.close(js(run(grad(f, { argnums: -1 })(tensor([1, 2]), "keep", tensor([3, 4])))), [1, 2])
    const [gy, gx] = run(grad(f, { argnums: [2, 0] })(tensor([1, 2]), "keep", tensor([3, 4])))
    expect.close(js(gy), [1, 2])
    expect.close(js(gx), [3, 4])
  })
})
