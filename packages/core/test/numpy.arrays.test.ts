import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })
const m34 = () => np.reshape(np.arange(12, { dtype: "float32" }), [3, 4])

describe("np array manipulation", () => {
  it("diagonal, trace and diag with offsets and axes", () => {
    // [[0 1 2 3] [4 5 6 7] [8 9 10 11]]
    expect.tensor(np.diagonal(m34()), "float32", [0, 5, 10])
    expect.tensor(np.diagonal(m34(), { offset: 2 }), "float32", [2, 7])
    expect.tensor(np.diagonal(m34(), { offset: -1 }), "float32", [4, 9])
    expect.tensor(np.diagonal(m34(), { offset: 5 }), "float32", [])
    const t = np.reshape(np.arange(8, { dtype: "float32" }), [2, 2, 2])
    // NumPy: a.diagonal(0, 0, 1) of arange(8).reshape(2,2,2) is [[0, 6], [1, 7]]
    expect.tensor(np.diagonal(t), "float32", [[0, 6], [1, 7]])
    expect.tensor(np.diagonal(t, { axis1: 1, axis2: 2 }), "float32", [[0, 3], [4, 7]])
    expect.tensor(np.trace(m34()), "float32", 15)
    expect.tensor(np.trace(m34(), { offset: 1 }), "float32", 18)
    expect.tensor(np.diag(f32([1, 2]), { k: 1 }), "float32", [[0, 1, 0], [0, 0, 2], [0, 0, 0]])
    expect.tensor(np.diag(f32([1, 2]), { k: -1 }), "float32", [[0, 0, 0], [1, 0, 0], [0, 2, 0]])
    expect.tensor(np.diag(m34(), { k: -2 }), "float32", [8])
    expect.tensor(np.diagflat(f32([[1, 2]])), "float32", [[1, 0], [0, 2]])
    assert.include(failure(() => np.diagonal(f32([1])), "ShapeError"), "two dimensions")
  })
  it("triangles and their indices", () => {
    expect.tensor(np.triu(m34(), { k: 1 }), "float32", [[0, 1, 2, 3], [0, 0, 6, 7], [0, 0, 0, 11]])
    expect.tensor(np.tril(m34(), { k: -1 }), "float32", [[0, 0, 0, 0], [4, 0, 0, 0], [8, 9, 0, 0]])
    expect.tensor(np.tri(3, { m: 2, k: -1, dtype: "int32" }), "int32", [[0, 0], [1, 0], [1, 1]])
    const [r, c] = np.triuIndices(3, { k: 1 })
    assert.deepStrictEqual(js(r!), [0, 0, 1])
    assert.deepStrictEqual(js(c!), [1, 2, 2])
    const [lr, lc] = np.trilIndices(3, { k: -1, m: 4 })
    assert.deepStrictEqual([js(lr!), js(lc!)], [[1, 2, 2], [0, 0, 1]])
    assert.deepStrictEqual(js(np.triuIndicesFrom(np.ones([2, 3]))[1]!), [0, 1, 2, 1, 2])
  })
  it("stacks and atleast*", () => {
    expect.tensor(np.vstack([f32([1, 2]), f32([[3, 4], [5, 6]])]), "float32", [[1, 2], [3, 4], [5, 6]])
    expect.tensor(np.hstack([f32([[1], [2]]), f32([[3], [4]])]), "float32", [[1, 3], [2, 4]])
    assert.deepStrictEqual(np.dstack([f32([[1, 2]]), f32([[3, 4]])]).shape, [1, 2, 2])
    expect.tensor(np.columnStack([f32([1, 2]), f32([[3], [4]])]), "float32", [[1, 3], [2, 4]])
    assert.deepStrictEqual(np.atleast1d(f32([])).shape, [0])
    assert.deepStrictEqual(np.atleast2d(np.array(1)).shape, [1, 1])
    assert.deepStrictEqual(np.atleast3d(np.ones([2, 3])).shape, [2, 3, 1])
  })
  it("meshgrid: xy and ij indexing, sparse", () => {
    const [x, y] = np.meshgrid([f32([1, 2, 3]), f32([4, 5])], { indexing: "ij" })
    expect.tensor(x!, "float32", [[1, 1], [2, 2], [3, 3]])
    expect.tensor(y!, "float32", [[4, 5], [4, 5], [4, 5]])
    const [sx, sy] = np.meshgrid([f32([1, 2, 3]), f32([4, 5])], { sparse: true })
    assert.deepStrictEqual([sx!.shape, sy!.shape], [[1, 3], [2, 1]])
    const three = np.meshgrid([f32([1, 2]), f32([3, 4, 5]), f32([6])])
    assert.deepStrictEqual(three.map((t) => t.shape), [[3, 2, 1], [3, 2, 1], [3, 2, 1]])
  })
  it("roll over the flattened array, one axis and several", () => {
    expect.tensor(np.roll(m34(), 2), "float32", [[10, 11, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]])
    expect.tensor(np.roll(f32([[1, 2, 3], [4, 5, 6]]), [1, -1], { axis: [0, 1] }), "float32", [[5, 6, 4], [2, 3, 1]])
    expect.tensor(np.roll(f32([1, 2, 3]), 7, { axis: 0 }), "float32", [3, 1, 2])
  })
  it("takeAlongAxis and putAlongAxis (functional; negative indices count from the end)", () => {
    const a = f32([[10, 30, 20], [60, 40, 50]])
    expect.tensor(np.takeAlongAxis(a, i32([[0], [-1]]), 1), "float32", [[10], [50]])
    expect.tensor(np.takeAlongAxis(a, i32([[1, 0, 1]]), 0), "float32", [[60, 30, 50]])
    expect.tensor(np.takeAlongAxis(a, i32([4, 0]), null), "float32", [40, 10])
    expect.tensor(np.putAlongAxis(a, i32([[2], [0]]), 99, 1), "float32", [[10, 30, 99], [99, 40, 50]])
    expect.tensor(np.putAlongAxis(a, i32([[1, 0, 1]]), f32([[7, 8, 9]]), 0), "float32", [[10, 8, 20], [7, 40, 9]])
    // out of range: dropped (JAX's scatter), not written into the next row; -1 is the last
    expect.tensor(np.putAlongAxis(a, i32([[3], [-1]]), 99, 1), "float32", [[10, 30, 20], [60, 40, 99]])
    expect.tensor(np.putAlongAxis(a, i32([[2, -3, 5]]), 7, 0), "float32", [[10, 30, 20], [60, 40, 50]])
    expect.tensor(np.putAlongAxis(f32([1, 2, 3]), i32([5, -4]), 9, 0), "float32", [1, 2, 3])
    const u = np.array([4294967295, 1], { dtype: "uint32" })
    expect.tensor(np.putAlongAxis(f32([1, 2, 3]), u, 9, 0), "float32", [1, 9, 3])
    assert.include(failure(() => np.takeAlongAxis(a, i32([0]), 1), "ShapeError"), "same number of dimensions")
  })
  it("a size error names the output's shape (tri, diag, triuIndices are n x m)", () => {
    assert.include(failure(() => np.tri(1e5), "ShapeError"), "shape (100000, 100000) would have 10000000000")
    assert.include(failure(() => np.diag(np.ones([1e5])), "ShapeError"), "shape (100000, 100000)")
    assert.include(failure(() => np.triuIndices(1e5, { m: 3e4 }), "ShapeError"), "shape (100000, 30000)")
  })
  it("takeAlongAxis out of range: JAX's default mode \"fill\" (gather fill values), \"clip\", fillValue", () => {
    // indices in [-n, 0) count from the end; the rest out of range read NaN (inexact), INT_MIN (int32),
    // UINT_MAX (uint32) or true (bool), JAX's gather fill
    const idx = i32([-1, 3, -4])
    expect.tensor(np.takeAlongAxis(f32([10, 30, 20]), idx, 0), "float32", [20, NaN, NaN])
    expect.tensor(np.takeAlongAxis(i32([10, 30, 20]), idx, 0), "int32", [20, -2147483648, -2147483648])
    const u = np.array([10, 30, 20], { dtype: "uint32" })
    expect.tensor(np.takeAlongAxis(u, idx, 0), "uint32", [20, 4294967295, 4294967295])
    const b = np.array([false, false, false], { dtype: "bool" })
    expect.tensor(np.takeAlongAxis(b, idx, 0), "bool", [false, true, true])
    expect.tensor(np.takeAlongAxis(f32([10, 30, 20]), idx, 0, { fillValue: -1 }), "float32", [20, -1, -1])
    // JAX's wrap_negative_indices: false makes -1 out of range (filled, or clamped to 0 with "clip")
    const signed = i32([-1, 1, 3])
    expect.tensor(np.takeAlongAxis(f32([10, 30, 20]), signed, 0, { wrapNegativeIndices: false }), "float32", [
      NaN,
      30,
      NaN
    ])
    const clipped = np.takeAlongAxis(f32([10, 30, 20]), signed, 0, { wrapNegativeIndices: false, mode: "clip" })
    expect.tensor(clipped, "float32", [10, 30, 20])
    // and true wraps them also where the mode promises in-range indices (which by default do not wrap)
    const promised = { wrapNegativeIndices: true, mode: "promise_in_bounds" } as const
    expect.tensor(np.takeAlongAxis(f32([10, 30, 20]), i32([-1, 0]), 0, promised), "float32", [20, 10])
    // "clip": counted from the end, then clamped into range
    expect.tensor(np.takeAlongAxis(f32([10, 30, 20]), idx, 0, { mode: "clip" }), "float32", [20, 20, 10])
    // unsigned indices never count from the end
    const big = np.array([4294967295, 1], { dtype: "uint32" })
    expect.tensor(np.takeAlongAxis(f32([10, 30, 20]), big, 0), "float32", [NaN, 30])
    // along an inner axis, with the other axis broadcast
    const a = f32([[1, 2, 3], [4, 5, 6]])
    expect.tensor(np.takeAlongAxis(a, i32([[0, 5], [-1, -3]]), 1), "float32", [[1, NaN], [6, 4]])
    expect.tensor(np.takeAlongAxis(a, i32([[2, -3, -2]]), 0), "float32", [[NaN, NaN, 3]])
    assert.include(
      failure(() => np.takeAlongAxis(a, i32([[0]]), 1, { mode: "wrap" as never }), "ArgumentError"),
      "mode"
    )
  })
  it("append, arraySplit and the fixed-axis splits", () => {
    expect.tensor(np.append(f32([[1, 2]]), f32([[3, 4]]), { axis: 0 }), "float32", [[1, 2], [3, 4]])
    assert.deepStrictEqual(np.arraySplit(np.arange(8), 3).map((t) => js(t)), [[0, 1, 2], [3, 4, 5], [6, 7]])
    assert.deepStrictEqual(np.arraySplit(np.arange(2), 3).map((t) => js(t)), [[0], [1], []])
    assert.deepStrictEqual(np.hsplit(np.arange(4), 2).map((t) => js(t)), [[0, 1], [2, 3]])
    assert.deepStrictEqual(np.vsplit(np.ones([4, 1]), 2).map((t) => t.shape), [[2, 1], [2, 1]])
  })
  it("diff and ediff1d", () => {
    expect.tensor(np.diff(f32([[1, 3, 6], [0, 5, 5]])), "float32", [[2, 3], [5, 0]])
    expect.tensor(np.diff(f32([[1, 3, 6], [0, 5, 5]]), { axis: 0 }), "float32", [[-1, 2, -1]])
    expect.tensor(np.diff(f32([1, 2]), { prepend: 0, append: f32([5]) }), "float32", [1, 1, 3])
    expect.tensor(np.diff(f32([1, 4, 9, 16]), { n: 3 }), "float32", [0])
    assert.deepStrictEqual(js(np.diff(np.array([true, true, false]))), [false, true])
    expect.tensor(np.ediff1d(f32([1, 2, 4]), { toEnd: f32([9]) }), "float32", [1, 2, 9])
  })
  it("unravelIndex and ravelMultiIndex are inverse (NumPy's examples)", () => {
    // np.unravel_index([22, 41, 37], (7, 6)) -> ([3, 6, 6], [4, 5, 1])
    const [r, c] = np.unravelIndex(i32([22, 41, 37]), [7, 6])
    assert.deepStrictEqual([js(r!), js(c!)], [[3, 6, 6], [4, 5, 1]])
    // np.ravel_multi_index([[3, 6, 6], [4, 5, 1]], (7, 6)) -> [22, 41, 37]
    expect.tensor(np.ravelMultiIndex([i32([3, 6, 6]), i32([4, 5, 1])], [7, 6]), "int32", [22, 41, 37])
    expect.tensor(np.ravelMultiIndex([i32([3, 6, 6]), i32([4, 5, 1])], [4, 6], { mode: "clip" }), "int32", [22, 23, 19])
    expect.tensor(np.ravelMultiIndex([i32([3, 6, 6]), i32([4, 5, 1])], [4, 4], { mode: "wrap" }), "int32", [12, 9, 9])
    // no dimensions: index 0 of a 0-d array (JAX's jnp.ravel_multi_index((), ()); a TypeError before)
    expect.tensor(np.ravelMultiIndex([], []), "int32", 0)
  })
  it("ravelMultiIndex: JAX's modes, orders and dtype", () => {
    // np.ravel_multi_index(([3, 6, 6], [4, 5, 1]), (7, 6), order="F") -> [31, 41, 13]
    expect.tensor(np.ravelMultiIndex([i32([3, 6, 6]), i32([4, 5, 1])], [7, 6], { order: "F" }), "int32", [31, 41, 13])
    // three dimensions: order="F" -> [7, 38], order="C" -> [30, 43]
    const three = [i32([1, 2]), i32([2, 0]), i32([0, 3])]
    expect.tensor(np.ravelMultiIndex(three, [3, 4, 5], { order: "F" }), "int32", [7, 38])
    expect.tensor(np.ravelMultiIndex(three, [3, 4, 5]), "int32", [30, 43])
    // JAX's default mode is "raise": an out-of-bounds index is an error, not a clipped one
    assert.include(failure(() => np.ravelMultiIndex([i32([1, 7]), i32([0, 0])], [7, 6]), "IndexError"), "7")
    assert.include(failure(() => np.ravelMultiIndex([i32([1]), i32([-1])], [7, 6]), "IndexError"), "-1")
    // "ignore" does not check nor coerce: the plain sum of index times stride
    expect.tensor(np.ravelMultiIndex([i32([1]), i32([7])], [7, 6], { mode: "ignore" }), "int32", [13])
    expect.tensor(np.ravelMultiIndex([i32([1, 2])], [3], { dtype: "uint32" }), "uint32", [1, 2])
    assert.include(failure(() => np.ravelMultiIndex([i32([1])], [3], { order: "K" as "C" }), "ArgumentError"), "order")
    assert.include(
      failure(() => np.ravelMultiIndex([i32([1])], [3], { mode: "nearest" as "clip" }), "ArgumentError"),
      "mode"
    )
    assert.include(
      failure(() => np.ravelMultiIndex([i32([1]), i32([1])], [65536, 65536]), "ArgumentError"),
      "large enough"
    )
  })
})
