import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

describe("np second names and small conveniences", () => {
  it("Array API names are the NumPy functions", () => {
    assert.strictEqual(np.acos, np.arccos)
    assert.strictEqual(np.pow, np.power)
    assert.strictEqual(np.concat, np.concatenate)
    expect.tensor(np.atanh(f32([0.5])), "float32", [Math.atanh(0.5)])
    assert.deepStrictEqual(np.permuteDims(np.ones([2, 3, 4]), [1, 2, 0]).shape, [3, 4, 2])
    assert.deepStrictEqual(np.matrixTranspose(np.ones([2, 3, 4])).shape, [2, 4, 3])
  })
  it("rot90 in both directions and flips", () => {
    const a = f32([[1, 2, 3], [4, 5, 6]])
    // NumPy: rot90([[1,2,3],[4,5,6]]) = [[3,6],[2,5],[1,4]]; k=-1 (= 3) = [[4,1],[5,2],[6,3]]
    expect.tensor(np.rot90(a), "float32", [[3, 6], [2, 5], [1, 4]])
    expect.tensor(np.rot90(a, { k: -1 }), "float32", [[4, 1], [5, 2], [6, 3]])
    expect.tensor(np.rot90(a, { k: 2 }), "float32", [[6, 5, 4], [3, 2, 1]])
    expect.tensor(np.fliplr(a), "float32", [[3, 2, 1], [6, 5, 4]])
    expect.tensor(np.flipud(a), "float32", [[4, 5, 6], [1, 2, 3]])
  })
  it("the bitwise family on int32 and bool; floats refused", () => {
    expect.tensor(np.bitwiseAnd(i32([12, -1]), i32([10, 7])), "int32", [8, 7])
    expect.tensor(np.bitwiseXor(np.array([true, false]), np.array([true, true])), "bool", [false, true])
    expect.tensor(np.rightShift(i32([-16]), i32([2])), "int32", [-4])
    expect.tensor(np.invert(i32([5])), "int32", [-6])
    assert.include(failure(() => np.bitwiseOr(f32([1]), f32([2])), "DTypeError"), "integer or bool")
    expect.tensor(np.logicalXor(f32([0, 2, 0]), f32([1, 3, 0])), "bool", [true, false, false])
  })
  it("shape queries, unstack, fabs, emptyLike", () => {
    assert.deepStrictEqual([np.ndim(np.ones([2, 3])), np.shape(np.ones([2, 3])), np.size(np.ones([2, 3]))], [
      2,
      [2, 3],
      6
    ])
    assert.deepStrictEqual(np.unstack(np.ones([2, 3]), { axis: 1 }).map((t) => t.shape), [[2], [2], [2]])
    // an empty axis has no slices (JAX's empty tuple)
    assert.deepStrictEqual(np.unstack(np.zeros([0, 3])), [])
    assert.deepStrictEqual(np.unstack(np.zeros([2, 0]), { axis: 1 }), [])
    expect.tensor(np.fabs(i32([-3])), "float32", [3])
    expect.tensor(np.emptyLike(i32([1, 2])), "int32", [0, 0])
  })
  it("topK, NumPy's constants and newaxis", () => {
    const [values, indices] = np.topK(np.array([[1, 5, 3, 5], [0, -1, 2, 9]]), 2)
    expect.tensor(values, "float32", [[5, 5], [9, 2]])
    expect.tensor(indices, "int32", [[1, 3], [3, 2]])
    assert.strictEqual(np.pi, Math.PI)
    assert.strictEqual(np.e, Math.E)
    assert.strictEqual(np.inf, Infinity)
    assert.isNaN(np.nan)
    assert.closeTo(np.eulerGamma, 0.5772156649015329, 1e-16)
    assert.deepStrictEqual(np.at(np.ones([2, 3]), ":", np.newaxis).get().shape, [2, 1, 3])
  })
})
