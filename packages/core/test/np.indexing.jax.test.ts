/**
 * Ports of JAX's tests/lax_numpy_indexing_test.py: `np.at(x, ...).get()` against NumPy's
 * indexing (JAX's values equal NumPy's for in-bounds indices; the expected values below are
 * NumPy 2.4's `np.arange(size).reshape(shape)[idx]`), JAX's out-of-bounds modes, and the
 * dtypes and weak types of indexed updates.
 */
import { aval, ConcreteTensor, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const i32 = (v: number | ReadonlyArray<number>): Tensor => np.array(v as Array<number>, { dtype: "int32" })
const flat = (v: unknown): Array<unknown> => (Array.isArray(v) ? v.flatMap(flat) : [v])

// [shape, index, NumPy's result shape, NumPy's flattened values]
const cases: ReadonlyArray<
  readonly [ReadonlyArray<number>, ReadonlyArray<np.IndexItem>, ReadonlyArray<number>, ReadonlyArray<number>]
> = [
  [[4], [1], [], [1]],
  [[4], [-1], [], [3]],
  [[4], [-4], [], [0]],
  [[3, 4], [0], [4], [0, 1, 2, 3]],
  [[3, 4], [2, -1], [], [11]],
  [[3, 4, 5], [1, -2], [5], [30, 31, 32, 33, 34]],
  [[10], ["1:3"], [2], [1, 2]],
  [[10], ["::2"], [5], [0, 2, 4, 6, 8]],
  [[10], ["::-1"], [10], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
  [[10], ["8:1:-3"], [3], [8, 5, 2]],
  [[10], ["-3:"], [3], [7, 8, 9]],
  [[10], [":-3"], [7], [0, 1, 2, 3, 4, 5, 6]],
  [[10], ["-1:-8:-2"], [4], [9, 7, 5, 3]],
  [[10], ["5:100"], [5], [5, 6, 7, 8, 9]],
  [[10], ["-100:3"], [3], [0, 1, 2]],
  [[10], ["3:1"], [0], []],
  [[10], ["100::-1"], [10], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]],
  [[10], ["::-3"], [4], [9, 6, 3, 0]],
  [[10], ["-20:20:3"], [4], [0, 3, 6, 9]],
  [[10], ["9:-20:-4"], [3], [9, 5, 1]],
  [[3, 4, 5], ["..."], [3, 4, 5], [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    49,
    50,
    51,
    52,
    53,
    54,
    55,
    56,
    57,
    58,
    59
  ]],
  [[3, 4, 5], ["...", 1], [3, 4], [1, 6, 11, 16, 21, 26, 31, 36, 41, 46, 51, 56]],
  [[3, 4, 5], [1, "..."], [4, 5], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]],
  [[3, 4, 5], [0, "...", "1:3"], [4, 2], [1, 2, 6, 7, 11, 12, 16, 17]],
  [[3, 4, 5], ["...", null], [3, 4, 5, 1], [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    49,
    50,
    51,
    52,
    53,
    54,
    55,
    56,
    57,
    58,
    59
  ]],
  [[3, 4, 5], [null, 1, null, "::-2"], [1, 1, 2, 5], [35, 36, 37, 38, 39, 25, 26, 27, 28, 29]],
  [[3, 4, 5], [null], [1, 3, 4, 5], [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    38,
    39,
    40,
    41,
    42,
    43,
    44,
    45,
    46,
    47,
    48,
    49,
    50,
    51,
    52,
    53,
    54,
    55,
    56,
    57,
    58,
    59
  ]],
  [[3, 4, 5], [1, null, "...", null, 2], [1, 4, 1], [22, 27, 32, 37]],
  [[3], [null, null], [1, 1, 3], [0, 1, 2]],
  [[], [null], [1], [0]],
  [[], ["..."], [], [0]],
  [[5], [[0, 1, -1]], [3], [0, 1, 4]],
  [[5], [[[0, 1], [2, -5]]], [2, 2], [0, 1, 2, 0]],
  [[3, 4], [[0, 2], [1, 3]], [2], [1, 11]],
  [[3, 4], [[[0], [2]], [1, 3]], [2, 2], [1, 3, 9, 11]],
  [[3, 4, 5], [":", [0, 2], [1, 3]], [3, 2], [1, 13, 21, 33, 41, 53]],
  [[3, 4, 5], [[0, 2], ":", [1, 3]], [2, 4], [1, 6, 11, 16, 43, 48, 53, 58]],
  [[3, 4, 5], [[0, 2], 1], [2, 5], [5, 6, 7, 8, 9, 45, 46, 47, 48, 49]],
  [[3, 4, 5], [1, ":", [0, 2]], [2, 4], [20, 25, 30, 35, 22, 27, 32, 37]],
  [[3, 4, 5], [":", 1, [0, 2]], [3, 2], [5, 7, 25, 27, 45, 47]],
  [[3, 4, 5], [[0, 2], ":", 1], [2, 4], [1, 6, 11, 16, 41, 46, 51, 56]],
  [[3, 4, 5], [null, [0, 2], [1, 3]], [1, 2, 5], [5, 6, 7, 8, 9, 55, 56, 57, 58, 59]],
  [[3, 4, 5], [[0, 2], null, [1, 3]], [2, 1, 5], [5, 6, 7, 8, 9, 55, 56, 57, 58, 59]],
  [[3, 4, 5], ["...", [0, 2]], [3, 4, 2], [
    0,
    2,
    5,
    7,
    10,
    12,
    15,
    17,
    20,
    22,
    25,
    27,
    30,
    32,
    35,
    37,
    40,
    42,
    45,
    47,
    50,
    52,
    55,
    57
  ]],
  [[3, 4, 5], [[[0, 1]], "1:3", [[1], [2]]], [2, 2, 2], [6, 11, 26, 31, 7, 12, 27, 32]],
  [[3, 4, 5], ["::-1", [3, 0], "1::2"], [3, 2, 2], [56, 58, 41, 43, 36, 38, 21, 23, 16, 18, 1, 3]],
  [[3, 4, 5], [[0, 2], "...", [1, 3]], [2, 4], [1, 6, 11, 16, 43, 48, 53, 58]],
  [[3, 4, 5], [[2], [1], [4]], [1], [49]],
  [[3, 4, 5], [i32(1)], [4, 5], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]],
  [[3, 4, 5], [":", i32(1), [0, 1]], [3, 2], [5, 6, 25, 26, 45, 46]],
  [[3, 4, 5], [i32([])], [0, 4, 5], []],
  [[3, 4, 5], [":", i32([]), 2], [3, 0], []],
  [[5], [[true, false, true, false, true]], [3], [0, 2, 4]],
  [[2, 3], [[[true, false, true], [false, true, true]]], [4], [0, 2, 4, 5]],
  [[2, 3], [[true, false]], [1, 3], [0, 1, 2]],
  [[2, 3], [":", [true, false, true]], [2, 2], [0, 2, 3, 5]],
  [[2, 3, 4], ["...", [true, false, true, true]], [2, 3, 3], [
    0,
    2,
    3,
    4,
    6,
    7,
    8,
    10,
    11,
    12,
    14,
    15,
    16,
    18,
    19,
    20,
    22,
    23
  ]],
  [[2, 3, 4], [[true, false], "...", 1], [1, 3], [1, 5, 9]],
  [[2, 3, 4], [[false, false]], [0, 3, 4], []],
  [[2, 3], [null, [true, true]], [1, 2, 3], [0, 1, 2, 3, 4, 5]],
  [[2, 3], [[true, true], null], [2, 1, 3], [0, 1, 2, 3, 4, 5]],
  [[2, 3], [true], [1, 2, 3], [0, 1, 2, 3, 4, 5]],
  [[2, 3], [false], [0, 2, 3], []],
  [[2, 3], [true, 1], [1, 3], [3, 4, 5]],
  [[2, 3], [0, true], [1, 3], [0, 1, 2]],
  [[2, 3], [[0, 1], true], [2, 3], [0, 1, 2, 3, 4, 5]],
  [[2, 3], ["...", true], [2, 3, 1], [0, 1, 2, 3, 4, 5]],
  [[2, 3, 4], [[true, false], ":", [1, 2]], [2, 3], [1, 5, 9, 2, 6, 10]],
  [[2, 3, 4], [[[true, false, true], [false, true, false]], [1, 2, 3]], [3], [1, 10, 19]],
  [[2, 3, 4], [1, [true, false, true]], [2, 4], [12, 13, 14, 15, 20, 21, 22, 23]],
  [[3, 4], [1, "::-1"], [4], [7, 6, 5, 4]],
  [[0], ["..."], [0], []],
  [[2, 0], [0], [0], []],
  [[2, 0], [0, "1:"], [0], []]
]

describe("np.at(...).get() against NumPy's indexing (STATIC_INDEXING_TESTS, ADVANCED_INDEXING_TESTS, MIXED_ADVANCED_INDEXING_TESTS, testBooleanIndexing*)", () => {
  it("ints, negative ints, slices with steps, ellipsis, new axes, integer arrays, masks and scalar booleans", () => {
    for (const [shape, index, outShape, values] of cases) {
      const size = shape.reduce((a, b) => a * b, 1)
      const out = np.at(np.arange(size, { dtype: "int32" }).reshape([...shape]), ...index).get()
      const what = `shape ${JSON.stringify(shape)}, index ${JSON.stringify(index)}`
      assert.deepStrictEqual([...out.shape], [...outShape], what)
      assert.deepStrictEqual(flat(js(out)), [...values], what)
    }
  })
  it("testWrongNumberOfIndices and testIndexingEmptyDimension: too many indices, an integer on an empty axis", () => {
    assert.include(failure(() => np.at(np.zeros([3]), ":", 5).get(), "ShapeError"), "too many indices")
    assert.include(failure(() => np.at(np.ones([2, 0]), 0, 0).get(), "IndexError"), "size 0")
    // ... whatever the mode: XLA cannot index an axis of size 0
    assert.include(failure(() => np.at(np.ones([2, 0]), 0, 0).get({ mode: "fill" }), "IndexError"), "size 0")
    expect.tensor(np.at(np.ones([2, 0]), 0, "1:3:2").get(), "float32", [])
  })
})

describe("out-of-bounds indices (testIndexOutOfBounds, testWrapNegativeIndices1D, STATIC_INDEXING_OUT_OF_BOUNDS_TESTS)", () => {
  const x = np.add(np.arange(5, { dtype: "int32" }), i32(1))
  const idx = i32([-10, -6, -5, -4, 0, 3, 4, 5, 6, 100])
  it("testIndexOutOfBounds: a slice past the end stops at it; clip clamps, fill reads NaN, INT_MIN, UINT_MAX or fillValue", () => {
    expect.tensor(np.at(x, ":10").get(), "int32", [1, 2, 3, 4, 5])
    expect.tensor(np.at(x, idx).get({ mode: "clip" }), "int32", [1, 1, 1, 2, 1, 4, 5, 5, 5, 5])
    expect.tensor(np.at(np.astype(x, "float32"), idx).get({ mode: "fill" }), "float32", [
      NaN,
      NaN,
      1,
      2,
      1,
      4,
      5,
      NaN,
      NaN,
      NaN
    ])
    const imin = -2147483648
    expect.tensor(np.at(x, idx).get({ mode: "fill" }), "int32", [imin, imin, 1, 2, 1, 4, 5, imin, imin, imin])
    const umax = 4294967295
    expect.tensor(np.at(np.astype(x, "uint32"), idx).get({ mode: "fill" }), "uint32", [
      umax,
      umax,
      1,
      2,
      1,
      4,
      5,
      umax,
      umax,
      umax
    ])
    expect.tensor(np.at(x, idx).get({ mode: "fill", fillValue: 7 }), "int32", [7, 7, 1, 2, 1, 4, 5, 7, 7, 7])
    expect.tensor(np.at(np.array([true, false]), [5]).get({ mode: "fill" }), "bool", [true])
  })
  it("the complex fill is fillValue + 0i (JAX's full_like(out, nan) is nan+0j), as np.take's", () => {
    const z = np.array([{ re: 1, im: 2 }])
    expect.tensor(np.at(z, [0, 5]).get({ mode: "fill" }), "complex64", [{ re: 1, im: 2 }, { re: NaN, im: 0 }])
    expect.tensor(np.at(z, [5]).get({ mode: "fill", fillValue: 7 }), "complex64", [{ re: 7, im: 0 }])
    expect.tensor(np.take(z, [3], { mode: "fill" }), "complex64", [{ re: NaN, im: 0 }])
    expect.tensor(np.takeAlongAxis(z, i32([3]), 0, { mode: "fill" }), "complex64", [{ re: NaN, im: 0 }])
  })
  it("a JS integer out of range reads by an explicit mode (fill, clip; JAX checks static indices only in promise_in_bounds)", () => {
    expect.tensor(np.at(np.astype(x, "float32"), 10).get({ mode: "fill" }), "float32", NaN)
    expect.tensor(np.at(np.astype(x, "float32"), -10).get({ mode: "drop", fillValue: 7 }), "float32", 7)
    expect.tensor(np.at(x, 10).get({ mode: "clip" }), "int32", 5)
    expect.tensor(np.at(x, -10).get({ mode: "clip" }), "int32", 1)
    // (3, 4, 5)[3, 2] and [-4, 4] clamp per axis
    const y = np.arange(60, { dtype: "int32" }).reshape([3, 4, 5])
    expect.tensor(np.at(y, 3, 2).get({ mode: "clip" }), "int32", [50, 51, 52, 53, 54])
    expect.tensor(np.at(y, -4, 4).get({ mode: "clip" }), "int32", [15, 16, 17, 18, 19])
    expect.tensor(np.at(np.ones([3, 3]), 3).get({ mode: "fill", fillValue: 7 }), "float32", [7, 7, 7])
    // the default mode keeps diffect's static check (JAX's jax_check_static_indices)
    assert.include(failure(() => np.at(x, 10).get(), "IndexError"), "index 10 is out of bounds for axis 0 with size 5")
    assert.isString(failure(() => np.at(x, -6).get({ mode: "promise_in_bounds" }), "IndexError"))
  })
  it("updates at a JS integer out of range are dropped, or clamped with clip (testStaticIndexingGrads of IndexedUpdateTest: mode None)", () => {
    expect.tensor(np.at(x, 10).set(0), "int32", [1, 2, 3, 4, 5])
    expect.tensor(np.at(x, -6).add(i32(9)), "int32", [1, 2, 3, 4, 5])
    expect.tensor(np.at(x, 10).set(0, { mode: "drop" }), "int32", [1, 2, 3, 4, 5])
    expect.tensor(np.at(x, 10).set(0, { mode: "clip" }), "int32", [1, 2, 3, 4, 0])
    expect.tensor(np.at(x, -10).multiply(i32(3), { mode: "clip" }), "int32", [3, 2, 3, 4, 5])
    // (3, 3)[2, -4]: the second index is out of range, the whole update dropped
    expect.tensor(np.at(np.zeros([3, 3]), 2, -4).set(1), "float32", [[0, 0, 0], [0, 0, 0], [0, 0, 0]])
    const z = np.at(np.zeros([3, 4, 5]), -4, 4).add(np.arange(5), { mode: "clip" })
    expect.tensor(np.at(z, 0, 3).get(), "float32", [0, 1, 2, 3, 4])
    expect.tensor(np.sum(z), "float32", 10)
  })
  it("testWrapNegativeIndices1D: wrapNegativeIndices false makes negative indices out of bounds", () => {
    const data = np.arange(5, { dtype: "int32" })
    const ix = i32([-12, -5, -1, 0, 3, 4, 5, 11])
    // NumPy: ok = 0 <= i < 5; fill mode reads 99 outside, clip clamps
    expect.tensor(np.at(data, ix).get({ mode: "fill", fillValue: 99, wrapNegativeIndices: false }), "int32", [
      99,
      99,
      99,
      0,
      3,
      4,
      99,
      99
    ])
    expect.tensor(np.at(data, ix).get({ mode: "clip", wrapNegativeIndices: false }), "int32", [0, 0, 0, 0, 3, 4, 4, 4])
    expect.tensor(np.at(data, ix).get({ mode: "fill", fillValue: 99 }), "int32", [99, 0, 4, 0, 3, 4, 99, 99])
    expect.tensor(np.at(data, -1).set(9, { wrapNegativeIndices: false, mode: "drop" }), "int32", [0, 1, 2, 3, 4])
    expect.tensor(np.at(data, [-1, 1, 7]).add(i32(10), { wrapNegativeIndices: false, mode: "clip" }), "int32", [
      10,
      11,
      2,
      3,
      14
    ])
    expect.tensor(np.at(data, [-1, 1]).add(i32(10), { wrapNegativeIndices: false }), "int32", [0, 11, 2, 3, 4])
    assert.isString(failure(() => np.at(data, -1).get({ wrapNegativeIndices: false }), "IndexError"))
    assert.isString(failure(() => np.at(data, 0).get({ wrapNegativeIndices: 1 as never }), "ArgumentError"))
  })
  it("indicesAreSorted and uniqueIndices are accepted hints (testAdvancedIndexingSorted)", () => {
    const data = np.arange(6, { dtype: "int32" })
    expect.tensor(np.at(data, [1, 3, 5]).get({ indicesAreSorted: true, uniqueIndices: true }), "int32", [1, 3, 5])
    expect.tensor(
      np.at(data, [0, 2]).add(i32([10, 20]), { indicesAreSorted: true, uniqueIndices: true }),
      "int32",
      [10, 1, 22, 3, 4, 5]
    )
  })
})

describe("indexed updates (IndexedUpdateTest)", () => {
  it("repeated indices: add accumulates, multiply multiplies, min/max combine, set takes the last (NumPy's ufunc.at and x[i] = v)", () => {
    expect.tensor(np.at(np.zeros([3]), [0, 0, 2, 0]).add(np.array([1, 2, 3, 4])), "float32", [7, 0, 3])
    expect.tensor(np.at(np.zeros([3]), [0, 0, 2, 0]).set(np.array([1, 2, 3, 4])), "float32", [4, 0, 3])
    expect.tensor(np.at(np.ones([3]), [0, 0, 2]).multiply(np.array([2, 3, 4])), "float32", [6, 1, 4])
    expect.tensor(np.at(np.full([3], 5), [0, 0, 2]).min(np.array([2, 3, 7])), "float32", [2, 5, 5])
    expect.tensor(np.at(np.full([3], 5), [0, 0, 2]).max(np.array([2, 9, 7])), "float32", [9, 5, 7])
  })
  it("mixed advanced and basic updates land where NumPy's x[idx] = v writes", () => {
    // x = zeros((3, 4)); x[[0, 2], 1:3] = [[1, 2], [3, 4]]
    expect.tensor(np.at(np.zeros([3, 4]), [0, 2], "1:3").set(np.array([[1, 2], [3, 4]])), "float32", [
      [0, 1, 2, 0],
      [0, 0, 0, 0],
      [0, 3, 4, 0]
    ])
    // x = zeros((2, 3, 4)); x[[0, 1], :, [1, 3]] = [[1, 2, 3], [4, 5, 6]] (the advanced axis first)
    expect.tensor(np.at(np.zeros([2, 3, 4]), [0, 1], ":", [1, 3]).set(np.array([[1, 2, 3], [4, 5, 6]])), "float32", [
      [[0, 1, 0, 0], [0, 2, 0, 0], [0, 3, 0, 0]],
      [[0, 0, 0, 4], [0, 0, 0, 5], [0, 0, 0, 6]]
    ])
    // a boolean mask: x[[True, False, True, False, False]] = [7, 8]
    expect.tensor(
      np.at(np.arange(5, { dtype: "int32" }), [true, false, true, false, false]).set(i32([7, 8])),
      "int32",
      [
        7,
        1,
        8,
        3,
        4
      ]
    )
  })
  it("testIndexingWeakTypes: updates of a weak array stay weak", () => {
    const x = lax.convertElementType(np.arange(5), "float32", true)
    for (const out of [np.at(x, 0).set(1), np.at(x, 0).add(1), np.at(x, 0).multiply(1)]) {
      assert.strictEqual(out.dtype, "float32")
      assert.isTrue(out.weakType)
    }
    expect.tensor(np.at(x, 0).set(np.array(1, { dtype: "float64" })), "float32", [1, 1, 2, 3, 4], { weak: true })
    expect.tensor(np.at(np.arange(3, { dtype: "float32" }), 0).set(np.array(1, { dtype: "float64" })), "float32", [
      1,
      1,
      2
    ], { weak: false })
  })
  it("testIndexingTypePromotion and testScatterValuesCastToTargetDType: values take the array's dtype", () => {
    const x = np.arange(5, { dtype: "int32" })
    expect.tensor(np.at(x, 0).set(2.7), "int32", [2, 1, 2, 3, 4], { weak: false })
    expect.tensor(np.at(x, 0).set(np.array(-3.5)), "int32", [-3, 1, 2, 3, 4])
    expect.tensor(np.at(np.zeros([2]), 0).set({ re: 3, im: 4 }), "float32", [3, 0])
    expect.tensor(np.at(np.array([{ re: 1, im: 1 }]), 0).set(2), "complex64", [{ re: 2, im: 0 }])
    expect.tensor(np.at(np.array([false, false]), 0).set(2), "bool", [true, false])
    const w = new ConcreteTensor(aval([], "int32", true), new Int32Array([4]), undefined)
    expect.tensor(np.at(np.zeros([2], { dtype: "uint32" }), 1).set(w), "uint32", [0, 4])
  })
  it("divide, power and apply (JAX's x.at[idx].divide/power/apply): repeated indices act again", () => {
    const x = np.array([1, 2, 3, 4], { dtype: "float32" })
    expect.tensor(np.at(x, i32([0, 0, 2])).divide(2), "float32", [0.25, 2, 1.5, 4])
    // a true division: integers give floats, as jnp.divide
    expect.tensor(np.at(np.array([4, 8], { dtype: "int32" }), 1).divide(2), "float32", [4, 4])
    // scatter_mul of the exponents: 2 * 2 at index 1
    expect.tensor(np.at(x, i32([1, 1, 3])).power(2), "float32", [1, 16, 3, 16])
    expect.tensor(np.at(x, i32([0, 2, 2])).apply((v) => np.multiply(v, 2)), "float32", [2, 2, 12, 4])
    // out of bounds dropped (mode "fill"), negative indices wrap, clamped with "clip"
    expect.tensor(np.at(x, i32([0, 7])).apply((v) => np.multiply(v, 10)), "float32", [10, 2, 3, 4])
    expect.tensor(np.at(x, -1).apply((v) => np.multiply(v, 10)), "float32", [1, 2, 3, 40])
    expect.tensor(np.at(x, i32([7])).apply((v) => np.multiply(v, 10), { mode: "clip" }), "float32", [1, 2, 3, 40])
    const m = np.arange(6, { dtype: "float64" }).reshape([2, 3])
    expect.tensor(np.at(m, 1, i32([0, 0])).apply(np.sqrt), "float64", [[0, 1, 2], [Math.sqrt(Math.sqrt(3)), 4, 5]])
    assert.include(failure(() => np.at(x, 0).apply(3 as never), "ArgumentError"), "func")
  })
})
