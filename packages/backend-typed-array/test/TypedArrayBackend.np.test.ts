/**
 * The backend under the ops API: `np` calls bind primitives, abstract
 * evaluation validates them, and the typed-array backend runs the kernels.
 */
import { makeTypedArrayBackend, TypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend, np, toJs, toJsSync, withBackend } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect } from "./helpers.js"

const cpu = makeTypedArrayBackend()
const eager = <A>(f: () => A): A => withBackend(cpu, f)

describe("np on the typed-array backend", () => {
  it("matmul, sum, broadcasting arithmetic", () => {
    eager(() => {
      const a = np.array([[1, 2], [3, 4]])
      const b = np.array([[5, 6], [7, 8]])
      assert.deepStrictEqual(toJsSync(np.matmul(a, b)), [[19, 22], [43, 50]])
      assert.deepStrictEqual(toJsSync(np.sum(a, { axis: 0 })), [4, 6])
      assert.deepStrictEqual(toJsSync(np.multiply(a, 2)), [[2, 4], [6, 8]])
      assert.deepStrictEqual(toJsSync(np.add(a, np.array([10, 20]))), [[11, 22], [13, 24]])
    })
  })

  it("NumPy semantics: round half to even, argmax, cumsum, integer division", () => {
    eager(() => {
      assert.deepStrictEqual(toJsSync(np.round(np.array([0.5, 1.5, 2.5, -0.5]))), [0, 2, 2, -0])
      assert.strictEqual(toJsSync(np.argmax(np.array([1, 7, 7, 2]))), 1)
      assert.deepStrictEqual(toJsSync(np.cumsum(np.array([1, 2, 3]))), [1, 3, 6])
      assert.deepStrictEqual(toJsSync(np.maximum(np.array([NaN, 1]), np.array([0, 2]))), [NaN, 2])
    })
  })

  it("complex values: exp(i pi) = -1, sqrt(-4) = 2i", () => {
    eager(() => {
      const z = toJsSync(np.exp(np.array([{ re: 0, im: Math.PI }], { dtype: "complex128" }))) as Array<
        { re: number; im: number }
      >
      expect.close([z[0]!.re, z[0]!.im], [-1, 0], 1e-15)
      const s = toJsSync(np.sqrt(np.array([{ re: -4, im: 0 }]))) as Array<{ re: number; im: number }>
      expect.close([s[0]!.re, s[0]!.im], [0, 2])
    })
  })

  it.effect("TypedArrayBackend.layer provides the Backend service", () =>
    Effect.gen(function*() {
      const backend = yield* Backend
      assert.strictEqual(backend.name, "typed-array")
      assert.isTrue(backend.supportsDType("float64"))
      const y = withBackend(backend, () => np.multiply(np.array([1, 2, 3]), np.array([4, 5, 6])))
      assert.deepStrictEqual(yield* toJs(y), [4, 10, 18])
    }).pipe(Effect.provide(TypedArrayBackend.layer)))
})
