/**
 * np's shape and index helpers, dtype predicates, vector products, spacing,
 * unwrap: NumPy's documented values and hand-derived ones.
 */
import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const f32 = (v: np.NestedArray) => np.array(v, { dtype: "float32" })

describe("np shape and index helpers", () => {
  it("broadcastShapes/Arrays, rollaxis, resize, indices, ix_", () => {
    assert.deepStrictEqual(np.broadcastShapes([5, 1, 4], [3, 1]), [5, 3, 4])
    assert.include(failure(() => np.broadcastShapes([2], [3]), "BroadcastError"), "Incompatible")
    assert.deepStrictEqual(np.rollaxis(np.zeros([3, 4, 5, 6]), 1, 4).shape, [3, 5, 6, 4])
    assert.deepStrictEqual(np.rollaxis(np.zeros([3, 4, 5, 6]), 2).shape, [5, 3, 4, 6])
    expect.tensor(np.resize(i32([[0, 1], [2, 3]]), [2, 3]), "int32", [[0, 1, 2], [3, 0, 1]])
    expect.tensor(np.resize(i32([1, 2]), 5), "int32", [1, 2, 1, 2, 1])
    const grid = np.indices([2, 3])
    assert.deepStrictEqual(grid.shape, [2, 2, 3])
    expect.tensor(np.indices([2, 2], { dtype: "float32" }), "float32", [[[0, 0], [1, 1]], [[0, 1], [0, 1]]])
    // sparse: one grid per axis, shape 1 except along its own axis (JAX's sparse=True)
    const [rows, cols] = np.indices([2, 3], { sparse: true })
    expect.tensor(rows!, "int32", [[0], [1]])
    expect.tensor(cols!, "int32", [[0, 1, 2]])
    assert.deepStrictEqual(np.indices([], { sparse: true }), [])
    assert.deepStrictEqual(np.indices([]).shape, [0])
    const [r, c] = np.ix(i32([0, 1]), i32([2, 4]))
    assert.deepStrictEqual([r!.shape, c!.shape], [[2, 1], [1, 2]])
    expect.close(js(np.add(np.multiply(r!, 10), c!)), [[2, 4], [12, 14]])
  })
  it("diagIndices, fillDiagonal (wrap), trimZeros, compress, extract, choose", () => {
    expect.tensor(np.fillDiagonal(i32([[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]), 4), "int32", [[4, 0], [0, 4], [0, 0], [
      0,
      0
    ], [0, 0]])
    // NumPy's wrap: a tall matrix restarts the diagonal after a blank row
    expect.tensor(np.fillDiagonal(np.zeros([5, 3], { dtype: "int32" }), 4, { wrap: true }), "int32", [
      [4, 0, 0],
      [0, 4, 0],
      [0, 0, 4],
      [0, 0, 0],
      [4, 0, 0]
    ])
    expect.tensor(np.fillDiagonal(np.zeros([3, 3, 3], { dtype: "int32" }), 1), "int32", [
      [[1, 0, 0], [0, 0, 0], [0, 0, 0]],
      [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
      [[0, 0, 0], [0, 0, 0], [0, 0, 1]]
    ])
    expect.tensor(np.trimZeros(i32([0, 0, 0, 1, 2, 3, 0, 2, 1, 0])), "int32", [1, 2, 3, 0, 2, 1])
    expect.tensor(np.trimZeros(i32([0, 0, 0, 1, 2, 3, 0, 2, 1, 0]), "b"), "int32", [0, 0, 0, 1, 2, 3, 0, 2, 1])
    // N-D along every axis by default, or the given ones (JAX's axis; NumPy 2.2's values)
    const grid = i32([[0, 0, 0, 0], [0, 1, 0, 0], [0, 2, 3, 0], [0, 0, 0, 0]])
    expect.tensor(np.trimZeros(grid), "int32", [[1, 0], [2, 3]])
    expect.tensor(np.trimZeros(grid, "f"), "int32", [[1, 0, 0], [2, 3, 0], [0, 0, 0]])
    expect.tensor(np.trimZeros(grid, "fb", { axis: 0 }), "int32", [[0, 1, 0, 0], [0, 2, 3, 0]])
    assert.deepStrictEqual(np.trimZeros(np.zeros([3, 2])).shape, [0, 0])
    // JAX reads trim case-insensitively, and without "f" or "b" returns filt
    expect.tensor(np.trimZeros(i32([0, 1, 0]), "F"), "int32", [1, 0])
    expect.tensor(np.trimZeros(i32([0, 1, 0]), "x"), "int32", [0, 1, 0])
    const a = i32([[1, 2], [3, 4], [5, 6]])
    expect.tensor(np.compress(np.array([false, true]), a, { axis: 1 }), "int32", [[2], [4], [6]])
    expect.tensor(np.compress(np.array([false, true]), a), "int32", [2])
    expect.tensor(np.extract(np.greater(a, 3), a), "int32", [4, 5, 6])
    const choices = [i32([0, 1, 2, 3]), i32([10, 11, 12, 13]), i32([20, 21, 22, 23]), i32([30, 31, 32, 33])]
    expect.tensor(np.choose(i32([2, 3, 1, 0]), choices), "int32", [20, 31, 12, 3])
    expect.tensor(np.choose(i32([2, 4, 1, 0]), choices, { mode: "clip" }), "int32", [20, 31, 12, 3])
    expect.tensor(np.choose(i32([2, 4, 1, 0]), choices, { mode: "wrap" }), "int32", [20, 1, 12, 3])
    assert.include(failure(() => np.choose(i32([2, 4, 1, 0]), choices), "ArgumentError"), "indices in")
  })
})

describe("np predicates, vector products, spacing, unwrap", () => {
  it("iscomplex / isreal / iscomplexobj / isscalar", () => {
    expect.tensor(np.iscomplex(np.array([1, 2])), "bool", [false, false])
    assert.isTrue(np.iscomplexobj(np.array([{ re: 1, im: 0 }])))
    assert.isFalse(np.isrealobj(np.array([{ re: 1, im: 0 }])))
    assert.deepStrictEqual([np.isscalar(3.1), np.isscalar([3.1]), np.isscalar(false)], [true, false, true])
  })
  it("vecdot conjugates its first argument; matvec and vecmat", () => {
    expect.tensor(np.vecdot(np.array([{ re: 0, im: 1 }]), np.array([{ re: 0, im: 1 }])), "complex64", { re: 1, im: 0 })
    expect.tensor(np.vecdot(f64([[0, 0, 1], [1, 0, 0]]), f64([0, 1, 2])), "float64", [2, 0])
    expect.tensor(np.matvec(f64([[[1, 0], [0, 2]]]), f64([3, 4])), "float64", [[3, 8]])
    expect.tensor(np.vecmat(f64([3, 4]), f64([[1, 0], [0, 2]])), "float64", [3, 8])
  })
  it("spacing is one ulp away from zero; unwrap (NumPy's examples)", () => {
    expect.tensor(np.spacing(f64([1, 1e10, 0])), "float64", [2 ** -52, 2 ** -52 * 2 ** 33, 5e-324], { tol: 0 })
    const phase = np.add(np.linspace(0, Math.PI, { num: 5, dtype: "float64" }), 0)
    const jumped = np.where(np.greater(np.arange(5), 2), np.add(phase, Math.PI), phase)
    const u = js(np.unwrap(jumped)) as Array<number>
    // numpy.unwrap([0, pi/4, pi/2, 7pi/4, 2pi]) = [0, pi/4, pi/2, -pi/4, 0]
    const want = [0, Math.PI / 4, Math.PI / 2, -Math.PI / 4, 0]
    u.forEach((v, i) => assert.approximately(v, want[i]!, 1e-12))
    expect.tensor(np.unwrap(i32([0, 1, 2, -1, 0]), { period: 4 }), "float32", [0, 1, 2, 3, 4])
  })
  it("unwrap takes the period in the input's dtype (JAX's promote_dtypes), keeps the first element, and refuses complex", () => {
    // 3.5e38 is infinite in float32: so are the interval and the default discont, and nothing is corrected
    expect.tensor(np.unwrap(f32([0, 3e38]), { period: 3.5e38 }), "float32", [0, Math.fround(3e38)], { tol: 0 })
    // in float64 the same period is finite: the jump of 3e38 > 1.75e38 is wrapped by one period
    expect.tensor(np.unwrap(f64([0, 3e38]), { period: 3.5e38 }), "float64", [0, 3e38 - 3.5e38], { tol: 1e-14 })
    // a discont above period / 2 keeps jumps below it (NumPy's: [0, 3.5] with discont 4)
    expect.tensor(np.unwrap(f64([0, 3.5]), { discont: 4 }), "float64", [0, 3.5], { tol: 0 })
    expect.tensor(np.unwrap(f64([0, 3.5])), "float64", [0, 3.5 - 2 * Math.PI], { tol: 1e-15 })
    // the first element is the input's own: -0 stays -0
    assert.isTrue(Object.is((js(np.unwrap(f64([-0, 1]))) as Array<number>)[0], -0))
    // along an interior axis
    const x = f64([[[0, 0.5], [2 * Math.PI + 0.1, 2 * Math.PI + 0.6], [4 * Math.PI + 0.2, 4 * Math.PI + 0.7]]])
    expect.close(js(np.unwrap(x, { axis: 1 })), [[[0, 0.5], [0.1, 0.6], [0.2, 0.7]]], 1e-12)
    assert.include(failure(() => np.unwrap(np.array([{ re: 1, im: 0 }, { re: 0, im: 1 }])), "DTypeError"), "complex")
  })
})
