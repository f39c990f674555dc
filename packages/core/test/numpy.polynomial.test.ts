/**
 * np's polynomial helpers and array editing (insert, delete, piecewise):
 * NumPy's documented values and hand-derived ones.
 */
import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure } from "./npSetup.js"

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

describe("np polynomials", () => {
  it("vander (NumPy's documented examples, exact integer powers)", () => {
    const x = i32([1, 2, 3, 5])
    expect.tensor(np.vander(x, { N: 3 }), "int32", [[1, 1, 1], [4, 2, 1], [9, 3, 1], [25, 5, 1]])
    expect.tensor(np.vander(x), "int32", [[1, 1, 1, 1], [8, 4, 2, 1], [27, 9, 3, 1], [125, 25, 5, 1]])
    expect.tensor(np.vander(x, { increasing: true, N: 2 }), "int32", [[1, 1], [1, 2], [1, 3], [1, 5]])
    expect.tensor(np.vander(x, { N: 0 }), "int32", [[], [], [], []])
  })
  it("poly, polyadd, polysub, polymul, polydiv, polyder, polyint (NumPy's examples)", () => {
    expect.tensor(np.poly(f64([0, 0, 0])), "float64", [1, 0, 0, 0])
    expect.tensor(np.poly(f64([-0.5, 0, 0.5])), "float64", [1, 0, -0.25, 0])
    expect.tensor(np.polyadd(i32([1, 2]), i32([9, 5, 4])), "int32", [9, 6, 6])
    expect.tensor(np.polysub(i32([2, 10, -2]), i32([3, 10, -4])), "int32", [-1, 0, 2])
    expect.tensor(np.polymul(f64([1, 2, 3]), f64([9, 5, 1])), "float64", [9, 23, 38, 17, 3])
    const [q, r] = np.polydiv(f64([3, 5, 2]), f64([2, 1]))
    expect.tensor(q, "float64", [1.5, 1.75])
    expect.tensor(r, "float64", [0, 0, 0.25])
    // (x^3 - 1) / (x - 1) = x^2 + x + 1
    const [q2, r2] = np.polydiv(f64([1, 0, 0, -1]), f64([1, -1]))
    expect.tensor(q2, "float64", [1, 1, 1])
    expect.tensor(r2, "float64", [0, 0, 0, 0])
    expect.tensor(np.polyder(f64([1, 1, 1, 1]), 3), "float64", [6])
    expect.tensor(np.polyder(f64([1, 1, 1, 1]), 5), "float64", [])
    expect.tensor(np.polyint(f64([1, 1, 1]), { m: 2 }), "float64", [1 / 12, 1 / 6, 0.5, 0, 0])
    expect.tensor(np.polyint(f64([1, 1, 1]), { m: 2, k: [3, 5] }), "float64", [1 / 12, 1 / 6, 0.5, 3, 5])
  })
  it("polyfit recovers an exact polynomial and fits a line by least squares", () => {
    const x = f64([0, 1, 2, 3, 4])
    expect.tensor(np.polyfit(x, np.polyval(f64([2, -1, 0.5]), x), 2), "float64", [2, -1, 0.5], { tol: 1e-10 })
    // NumPy's example: polyfit(x, y, 1) of (0,0) (1,0.8) (2,0.9) (3,0.1) (4,-0.8) (5,-1)
    expect.tensor(
      np.polyfit(f64([0, 1, 2, 3, 4, 5]), f64([0, 0.8, 0.9, 0.1, -0.8, -1]), 1),
      "float64",
      [-0.30285714, 0.75714286],
      { tol: 1e-7 }
    )
  })
})

describe("np.insert, np.delete, np.piecewise", () => {
  it("delete at positions, negative ones, along an axis", () => {
    const a = i32([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    expect.tensor(np.delete(a, 1, { axis: 0 }), "int32", [[1, 2, 3, 4], [9, 10, 11, 12]])
    expect.tensor(np.delete(a, [1, 3, 5]), "int32", [1, 3, 5, 7, 8, 9, 10, 11, 12])
    expect.tensor(np.delete(i32([1, 2, 3]), [-1, 2]), "int32", [1, 2])
    assert.include(failure(() => np.delete(i32([1, 2]), 5), "ArgumentError"), "positions in")
  })
  it("delete at tensor positions: concrete integers, a boolean mask, unique positions (JAX's assume_unique_indices)", () => {
    const v = i32([10, 20, 30, 40, 50])
    // NumPy: np.delete(v, [3, 0, 3]) -> [20, 30, 50]; np.delete(v, [T, F, F, T, F]) -> [20, 30, 50]
    expect.tensor(np.delete(v, i32([3, 0, 3])), "int32", [20, 30, 50])
    expect.tensor(np.delete(v, np.array([true, false, false, true, false])), "int32", [20, 30, 50])
    // unique positions, in any order, negative ones from the end: np.delete(v, [-1, 1]) -> [10, 30, 40]
    expect.tensor(np.delete(v, i32([-1, 1]), { assumeUniqueIndices: true }), "int32", [10, 30, 40])
    expect.tensor(np.delete(v, i32([3, 0]), { assumeUniqueIndices: true }), "int32", [20, 30, 50])
    expect.tensor(
      np.delete(i32([[1, 2, 3], [4, 5, 6]]), i32([2, 0]), { axis: 1, assumeUniqueIndices: true }),
      "int32",
      [
        [2],
        [5]
      ]
    )
    assert.include(failure(() => np.delete(v, np.array([true, false])), "ShapeError"), "length matching")
    assert.include(failure(() => np.delete(v, np.array([1.5])), "ArgumentError"), "integer or boolean")
  })
  it("insert: a block at one position, one value per position (original indices)", () => {
    const a = i32([[1, 1], [2, 2], [3, 3]])
    // NumPy: np.insert(a, 1, 5) flattens: [1, 5, 1, 2, 2, 3, 3]
    expect.tensor(np.insert(a, 1, 5), "int32", [1, 5, 1, 2, 2, 3, 3])
    expect.tensor(np.insert(a, 1, 5, { axis: 1 }), "int32", [[1, 5, 1], [2, 5, 2], [3, 5, 3]])
    expect.tensor(np.insert(a, [1], [[1], [2], [3]], { axis: 1 }), "int32", [[1, 1, 1], [2, 2, 2], [3, 3, 3]])
    const b = np.ravel(a)
    expect.tensor(np.insert(b, [2, 2], [5, 6]), "int32", [1, 1, 5, 6, 2, 2, 3, 3])
    expect.tensor(np.insert(b, [2, 2], [7.13, 0]), "int32", [1, 1, 7, 0, 2, 2, 3, 3])
    expect.tensor(np.insert(i32([1, 2, 3]), 3, [8, 9]), "int32", [1, 2, 3, 8, 9])
  })
  it("piecewise: later conditions win, the extra function is the default", () => {
    const x = f64([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
    expect.tensor(np.piecewise(x, [np.less(x, 0), np.greaterEqual(x, 0)], [-1, 1]), "float64", [-1, -1, -1, 1, 1, 1])
    expect.tensor(
      np.piecewise(x, [np.less(x, 0), np.greaterEqual(x, 0)], [(t) => np.negative(t), (t) => t]),
      "float64",
      [2.5, 1.5, 0.5, 0.5, 1.5, 2.5]
    )
    expect.tensor(np.piecewise(x, [np.greater(x, 1), np.greater(x, 2)], [1, 2, -1]), "float64", [-1, -1, -1, -1, 1, 2])
    assert.include(failure(() => np.piecewise(x, [np.less(x, 0)], [1, 2, 3]), "ShapeError"), "output functions")
  })
})
