/**
 * lax's small compositions: bit counting against JS's own (Math.clz32, a loop
 * popcount) on random int32s, the bitwise reductions against a fold, and
 * hand-derived values for the shape helpers.
 */
import { lax, np, toJsSync } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { expect, failure } from "./npSetup.js"

const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })
const popcount = (v: number) => {
  let n = 0
  for (let u = v >>> 0; u !== 0; u >>>= 1) n += u & 1
  return n
}

describe("lax bit functions", () => {
  it("populationCount and clz equal a bit loop and Math.clz32 on random int32s", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2147483648, max: 2147483647 }), { minLength: 1, maxLength: 20 }),
        (xs) => {
          const t = i32(xs)
          assert.deepStrictEqual(toJsSync(lax.populationCount(t)), xs.map(popcount))
          assert.deepStrictEqual(toJsSync(lax.clz(t)), xs.map((v) => Math.clz32(v)))
        }
      ),
      { numRuns: 50 }
    )
    expect.tensor(lax.clz(np.array([0, 1, 4294967295], { dtype: "uint32" })), "uint32", [32, 31, 0])
  })
  it("reduceAnd / reduceOr / reduceXor equal a fold (int32 bitwise, bool logical)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2147483648, max: 2147483647 }), { minLength: 1, maxLength: 8 }), (xs) => {
        const t = i32(xs)
        assert.strictEqual(toJsSync(lax.reduceAnd(t, [0])), xs.reduce((a, b) => a & b))
        assert.strictEqual(toJsSync(lax.reduceOr(t, [0])), xs.reduce((a, b) => a | b))
        assert.strictEqual(toJsSync(lax.reduceXor(t, [0])), xs.reduce((a, b) => a ^ b))
      }),
      { numRuns: 30 }
    )
    const b = np.array([[true, false, true], [true, true, true]])
    expect.tensor(lax.reduceAnd(b, [1]), "bool", [false, true])
    expect.tensor(lax.reduceOr(b, [0]), "bool", [true, true, true])
    expect.tensor(lax.reduceXor(b, [1]), "bool", [false, true])
    assert.include(failure(() => lax.reduceAnd(np.array([1.5]), [0]), "DTypeError"), "bool or integer")
  })
})

describe("lax shape and product helpers", () => {
  it("dot, batchMatmul, collapse, broadcastToRank, sliceInDim, indexInDim, tile", () => {
    expect.tensor(lax.dot(np.array([[1, 2], [3, 4]]), np.array([[1], [1]])), "float32", [[3], [7]])
    expect.tensor(lax.dot(np.array([1, 2]), np.array([3, 4])), "float32", 11)
    expect.tensor(lax.batchMatmul(np.ones([2, 1, 3]), np.ones([2, 3, 2])), "float32", [[[3, 3]], [[3, 3]]])
    assert.deepStrictEqual(lax.collapse(np.zeros([2, 3, 4]), 1).shape, [2, 12])
    assert.deepStrictEqual(lax.broadcastToRank(np.zeros([2]), 2).shape, [1, 2])
    expect.tensor(lax.sliceInDim(i32([0, 1, 2, 3, 4]), -3, undefined), "int32", [2, 3, 4])
    expect.tensor(lax.indexInDim(i32([[1, 2], [3, 4]]), 1), "int32", [[3, 4]])
    expect.tensor(lax.tile(i32([1, 2]), [3]), "int32", [1, 2, 1, 2, 1, 2])
    expect.tensor(lax.tile(i32([[1], [2]]), [1, 2]), "int32", [[1, 1], [2, 2]])
  })
  it("scatterMul / Min / Max / Sub combine in index order", () => {
    const x = np.array([5, 5, 5], { dtype: "float32" })
    const idx = i32([0, 0, 2])
    const u = np.array([2, 8, 1], { dtype: "float32" })
    expect.tensor(lax.scatterMul(x, idx, u, 0), "float32", [80, 5, 5])
    expect.tensor(lax.scatterMin(x, idx, u, 0), "float32", [2, 5, 1])
    expect.tensor(lax.scatterMax(x, idx, u, 0), "float32", [8, 5, 5])
    expect.tensor(lax.scatterSub(x, idx, u, 0), "float32", [-5, 5, 4])
  })
  it("inverse hyperbolics and cbrt refuse integers (lax does not promote)", () => {
    expect.tensor(lax.asinh(np.array([Math.sinh(1.5)], { dtype: "float64" })), "float64", [1.5], { tol: 1e-14 })
    assert.include(failure(() => lax.acosh(i32([1])), "DTypeError"), "floating")
  })
})
