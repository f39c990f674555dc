import { assert, describe, it } from "@effect/vitest"
import { Backend, np, toJs, toJsSync } from "diffect"
import { ConcreteTensor, defaultBackend, makeTypedArrayBackend, withBackend } from "diffect/extend"
import { Effect, Layer } from "effect"

// A second CPU backend object, distinct from the facade's default: the owner of a
// result's buffer tells which backend ran the kernel.
const ownerOf = (x: unknown) => (x as ConcreteTensor).buffer?.backend

describe("eager operations inside Effect.gen", () => {
  it.effect("run on the fiber's Backend, not the default one", () => {
    const backend = makeTypedArrayBackend()
    return Effect.gen(function*() {
      const y = np.sum(np.multiply(np.array([1, 2, 3]), np.array([4, 5, 6])))
      assert.strictEqual(ownerOf(y), backend)
      assert.strictEqual(yield* toJs(y), 32)
    }).pipe(Effect.provide(Layer.succeed(Backend, backend)))
  })

  it("outside any fiber use the default backend", () => {
    const y = np.add(np.array([1]), np.array([2]))
    assert.strictEqual(ownerOf(y), defaultBackend)
  })
})

describe("tensors crossing backends", () => {
  it("a CPU result is used by another backend object (copied once, cached)", () => {
    const other = makeTypedArrayBackend()
    const x = np.multiply(np.array([1, 2, 3]), 2) // computed on the default backend
    const y = withBackend(other, () => np.add(x, 1))
    assert.strictEqual(ownerOf(y), other)
    assert.deepStrictEqual(toJsSync(y), [3, 5, 7])
    assert.strictEqual((x as ConcreteTensor).bufferFor(other), (x as ConcreteTensor).bufferFor(other))
  })
})
