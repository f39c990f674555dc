import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

describe("np statistics", () => {
  it("the nan* reductions ignore NaN; all-NaN slices give NaN", () => {
    const x = f32([[1, NaN, 3], [NaN, NaN, NaN]])
    expect.tensor(np.nansum(x, { axis: 1 }), "float32", [4, 0])
    expect.tensor(np.nanprod(x, { axis: 1 }), "float32", [3, 1])
    expect.tensor(np.nanmean(x, { axis: 1 }), "float32", [2, NaN])
    expect.tensor(np.nanmax(x, { axis: 1 }), "float32", [3, NaN])
    expect.tensor(np.nanmin(x, { axis: 1, keepdims: true }), "float32", [[1], [NaN]])
    expect.tensor(np.nanargmax(f32([NaN, 2, 7, NaN])), "int32", 2)
    expect.tensor(np.nanargmin(f32([[NaN, 2], [3, -1]]), { axis: 1 }), "int32", [1, 1])
    expect.tensor(np.nanvar(f64([1, NaN, 3, 5])), "float64", 8 / 3, { tol: 1e-15 })
    expect.tensor(np.nanstd(f64([1, NaN, 3, 5]), { ddof: 1 }), "float64", 2, { tol: 1e-15 })
    expect.tensor(np.nanmax(i32([4, 2])), "int32", 4)
  })
  it("average with weights along an axis, ptp", () => {
    const x = f32([[1, 2], [3, 4]])
    expect.tensor(np.average(x), "float32", 2.5)
    expect.tensor(np.average(x, { axis: 1, weights: f32([3, 1]) }), "float32", [1.25, 3.25])
    expect.tensor(np.average(x, { weights: f32([[1, 0], [0, 1]]) }), "float32", 2.5)
    assert.include(
      failure(() => np.average(x, { weights: f32([1, 2, 3]), axis: 0 }), "ShapeError"),
      "length of weights"
    )
    expect.tensor(np.ptp(x, { axis: 0 }), "float32", [2, 2])
  })
  it("cov and corrcoef (NumPy's examples)", () => {
    // np.cov([[0, 2], [1, 1], [2, 0]], rowvar=False) = [[1, -1], [-1, 1]]
    expect.tensor(np.cov(f64([[0, 2], [1, 1], [2, 0]]), { rowvar: false }), "float64", [[1, -1], [-1, 1]], {
      tol: 1e-15
    })
    // x = [-2.1, -1, 4.3], y = [3, 1.1, 0.12]: cov = [[11.71, -4.286], [-4.286, 2.14413]]
    expect.tensor(np.cov(f64([[-2.1, -1, 4.3], [3, 1.1, 0.12]])), "float64", [[11.71, -4.286], [
      -4.286,
      2.1441333333333334
    ]], {
      tol: 1e-12
    })
    expect.tensor(np.cov(f64([-2.1, -1, 4.3])), "float64", 11.71, { tol: 1e-12 })
    expect.tensor(np.cov(f64([1, 2, 4]), { bias: true }), "float64", 14 / 9, { tol: 1e-15 })
    // frequency weights repeat observations: fweights [1, 2] on [1, 4] is the sample [1, 4, 4]
    expect.tensor(np.cov(f64([1, 4]), { fweights: i32([1, 2]) }), "float64", 3, { tol: 1e-15 })
    const r = np.corrcoef(f64([[1, 2, 3], [3, 2, 1], [1, 2, 4]]))
    expect.close(js(r), [[1, -1, 0.9819805060619657], [-1, 1, -0.9819805060619657], [
      0.9819805060619657,
      -0.9819805060619657,
      1
    ]], 1e-12)
  })
  it("cov and corrcoef with y (NumPy's cov(x, y) example; rows of y join m's variables)", () => {
    // np.cov([-2.1, -1, 4.3], [3, 1.1, 0.12]) = [[11.71, -4.286], [-4.286, 2.14413333]]
    const want = [[11.71, -4.286], [-4.286, 2.1441333333333334]]
    expect.tensor(np.cov(f64([-2.1, -1, 4.3]), { y: f64([3, 1.1, 0.12]) }), "float64", want, { tol: 1e-12 })
    // rowvar: false transposes each of m and y
    expect.tensor(
      np.cov(f64([[-2.1], [-1], [4.3]]), { y: f64([[3], [1.1], [0.12]]), rowvar: false }),
      "float64",
      want,
      {
        tol: 1e-12
      }
    )
    expect.tensor(np.cov(f64([-1, 0, 1]), { y: f64([1, 0, -1]), bias: true }), "float64", [[2 / 3, -2 / 3], [
      -2 / 3,
      2 / 3
    ]], { tol: 1e-15 })
    // a 2-d m and a 1-d y: three variables
    const c3 = js(np.cov(f64([[0, 1, 2], [2, 1, 0]]), { y: f64([0, 2, 4]) })) as Array<Array<number>>
    expect.close(c3, [[1, -1, 2], [-1, 1, -2], [2, -2, 4]], 1e-14)
    // corrcoef(x, y): perfectly anti-correlated
    expect.close(js(np.corrcoef(f64([-1, 0, 1]), { y: f64([1, 0, -1]) })), [[1, -1], [-1, 1]], 1e-15)
    assert.include(
      failure(() => np.cov(f64([1, 2]), { y: f64([[[1, 2]]]) }), "ShapeError"),
      "y has more than 2 dimensions"
    )
    // unequal numbers of observations: concatenate's shape error
    failure(() => np.cov(f64([1, 2, 3]), { y: f64([1, 2]) }), "ShapeError")
  })
  it("bincount, digitize and histogram", () => {
    expect.tensor(np.bincount(i32([0, 1, 1, 3, 2, 1, 7])), "int32", [1, 3, 1, 1, 0, 0, 0, 1])
    expect.tensor(np.bincount(i32([0, 1, 1, 9]), { length: 3 }), "int32", [1, 2, 0])
    expect.tensor(np.bincount(i32([1]), { minlength: 3 }), "int32", [0, 1, 0])
    expect.tensor(np.bincount(i32([0, 1, 1, 2, 2, 2]), { weights: f32([0.3, 0.5, 0.2, 0.7, 1, -0.6]) }), "float32", [
      0.3,
      0.7,
      1.1
    ])
    assert.include(failure(() => np.bincount(f32([1])), "ShapeError"), "integers")
    // NumPy's digitize example, increasing and decreasing bins
    expect.tensor(np.digitize(f32([0.2, 6.4, 3, 1.6]), f32([0, 1, 2.5, 4, 10])), "int32", [1, 4, 3, 2])
    expect.tensor(np.digitize(f32([0.2, 6.4, 3, 1.6]), f32([10, 4, 2.5, 1, 0])), "int32", [4, 1, 2, 3])
    expect.tensor(np.digitize(f32([1, 2.5]), f32([0, 1, 2.5]), { right: true }), "int32", [1, 2])
    const h = np.histogram(f32([1, 2, 1]), { bins: f32([0, 1, 2, 3]) })
    expect.tensor(h.counts, "float32", [0, 2, 1])
    const d = np.histogram(np.arange(4, { dtype: "float32" }), { bins: f32([0, 1, 2, 3]), density: true })
    expect.tensor(d.counts, "float32", [0.25, 0.25, 0.5])
    const r = np.histogram(f32([-5, 0.5, 1, 9]), { bins: 2, range: [0, 1] })
    expect.tensor(r.counts, "float32", [0, 2])
    expect.tensor(r.edges, "float32", [0, 0.5, 1])
  })
  it("logspace and geomspace", () => {
    expect.tensor(np.logspace(2, 3, { num: 4, dtype: "float64" }), "float64", [
      100,
      215.44346900318845,
      464.15888336127773,
      1000
    ], {
      tol: 1e-13
    })
    expect.tensor(np.logspace(0, 3, { num: 4, base: 2 }), "float32", [1, 2, 4, 8])
    expect.tensor(np.geomspace(-1000, -1, { num: 4 }), "float32", [-1000, -100, -10, -1])
    expect.tensor(np.geomspace(1, 16, { num: 4, endpoint: false }), "float32", [1, 2, 4, 8])
    assert.include(failure(() => np.geomspace(0, 1), "ArgumentError"), "non-zero")
  })
  it("logspace and geomspace with array ends and axis (JAX's signature; NumPy's values)", () => {
    // np.logspace([0., 1.], 2, num=3) -> [[1, 10], [10, 31.62...], [100, 100]]; axis=1 -> its transpose
    const root = Math.sqrt(1000)
    expect.tensor(np.logspace(f64([0, 1]), 2, { num: 3 }), "float64", [[1, 10], [10, root], [100, 100]], { tol: 1e-13 })
    expect.tensor(np.logspace(f64([0, 1]), 2, { num: 3, axis: 1 }), "float64", [[1, 10, 100], [10, root, 100]], {
      tol: 1e-13
    })
    // np.geomspace([1., -1.], [100., -100.], num=3, axis=-1) -> [[1, 10, 100], [-1, -10, -100]]
    expect.tensor(np.geomspace(f64([1, -1]), f64([100, -100]), { num: 3, axis: -1 }), "float64", [[1, 10, 100], [
      -1,
      -10,
      -100
    ]], { tol: 1e-13 })
    // np.geomspace([2., -8.], [32., -2.], num=3) -> [[2, -8], [8, -4], [32, -2]]
    expect.tensor(np.geomspace(f64([2, -8]), f64([32, -2]), { num: 3 }), "float64", [[2, -8], [8, -4], [32, -2]], {
      tol: 1e-13
    })
    // number ends: one sequence, whose only axis is 0 (or -1)
    expect.tensor(np.logspace(0, 2, { num: 3, axis: -1 }), "float32", [1, 10, 100])
    assert.include(failure(() => np.logspace(0, 2, { num: 3, axis: 1 }), "AxisError"), "axis 1")
  })
})
