/**
 * np against JAX's documented behaviour where diffect once differed: compress/extract's
 * static size, nan reductions with `initial`, set ops' errors, reductions' dtypes and
 * weak types, interp's options, the polynomial functions' options and the products'
 * preferredElementType. Values come from JAX's docstrings or are derived by hand.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, np, runSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { expect, failure } from "./npSetup.js"

const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

describe("np.compress / np.extract", () => {
  it("size pads with fillValue (0 by default), not with a[0]", () => {
    expect.tensor(np.extract(np.array([false, true, false]), i32([5, 2, 3]), { size: 3 }), "int32", [2, 0, 0])
    expect.tensor(np.compress(np.array([false, true, false]), i32([5, 2, 3]), { size: 3, fillValue: -1 }), "int32", [
      2,
      -1,
      -1
    ])
    expect.tensor(np.extract(np.array([true, false, true]), i32([5, 2, 3]), { size: 2, fillValue: 9 }), "int32", [5, 3])
    const a = i32([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    // JAX's docstring: slices along the axis, padded with fill rows
    expect.tensor(np.compress(i32([0, 1, 1]), a, { axis: 0, size: 3, fillValue: 0 }), "int32", [[5, 6, 7, 8], [
      9,
      10,
      11,
      12
    ], [0, 0, 0, 0]])
    expect.tensor(np.compress(i32([1, 0, 1]), a, { axis: 1 }), "int32", [[1, 3], [5, 7], [9, 11]])
    // JAX's docstring: vmap of extract with a static size
    const f = (c: Tensor, x: Tensor) => np.extract(c, x, { size: 4, fillValue: 0 })
    const out = runSync(vmap(f)(np.equal(np.mod(a, 3), 0), a)) as Tensor
    expect.tensor(out, "int32", [[3, 0, 0, 0], [6, 0, 0, 0], [9, 12, 0, 0]])
  })
  it("JAX's errors: size out of range, out-of-bounds condition, 2-D condition", () => {
    assert.include(
      failure(() => np.compress(np.array([false, true, true]), i32([5, 2, 3]), { size: 4 }), "ArgumentError"),
      "size must be in [0, 3]"
    )
    assert.include(
      failure(() => np.compress(np.array([false, true, true, true]), i32([5, 2, 3])), "IndexError"),
      "index 3 is out of bounds"
    )
    // a false entry past the end is ignored (JAX's docstring: a long mask is truncated)
    expect.tensor(np.extract(np.array([true, false, true, false, false]), i32([1, 2, 3])), "int32", [1, 3])
    assert.include(
      failure(() => np.compress(np.array([[false, true], [true, true]]), i32([5, 2, 3, 4])), "ShapeError"),
      "condition must be a 1D array"
    )
    assert.include(
      failure(() => np.extract(np.array([true]), i32([1]), { bogus: 1 } as never), "ArgumentError"),
      "extract"
    )
  })
})

describe("np.nanmin / np.nanmax", () => {
  it("initial: an all-NaN slice reduces to initial (JAX's nan_if_all_nan=initial is None)", () => {
    expect.tensor(np.nanmin(np.array([NaN, NaN]), { initial: 5 }), "float32", 5)
    expect.tensor(np.nanmax(np.array([[NaN, NaN], [1, NaN]]), { axis: 1, initial: -2 }), "float32", [-2, 1])
    expect.tensor(np.nanmax(np.array([[NaN, NaN], [1, NaN]]), { axis: 1 }), "float32", [NaN, 1])
    expect.tensor(np.nanmin(np.array([3, NaN, 7]), { initial: 5 }), "float32", 3)
  })
})

describe("np.unique family", () => {
  it("an empty input with a nonzero size needs fillValue (JAX's _unique)", () => {
    const empty = np.array([], { dtype: "float32" })
    assert.include(failure(() => np.unique(empty, { size: 2 }), "ArgumentError"), "fillValue must be given")
    assert.include(failure(() => np.uniqueCounts(empty, { size: 1 }), "ArgumentError"), "uniqueCounts")
    assert.include(failure(() => np.union1d(empty, empty, { size: 1 }), "ArgumentError"), "fillValue")
    expect.tensor(np.unique(empty, { size: 2, fillValue: 7 }), "float32", [7, 7])
    expect.tensor(np.unique(empty, { size: 0 }), "float32", [])
    expect.tensor(np.unique(empty), "float32", [])
  })
})

describe("np reductions: weak types and bool dtypes", () => {
  it("a weak input reduces to a strong result (JAX's closing lax.convert_element_type)", () => {
    const w = np.full([2, 2], 1.5)
    assert.isTrue(w.weakType)
    expect.tensor(np.sum(w), "float32", 6, { weak: false })
    expect.tensor(np.prod(w), "float32", 5.0625, { weak: false })
    expect.tensor(np.max(w, { axis: 0 }), "float32", [1.5, 1.5], { weak: false })
    expect.tensor(np.min(w, { initial: 0 }), "float32", 0, { weak: false })
    expect.tensor(np.nansum(w), "float32", 6, { weak: false })
    expect.tensor(np.nanprod(w), "float32", 5.0625, { weak: false })
    expect.tensor(np.ptp(w), "float32", 0, { weak: false })
    expect.tensor(np.trace(w), "float32", 3, { weak: false })
    expect.tensor(np.cumsum(w), "float32", [1.5, 3, 4.5, 6], { weak: false })
    expect.tensor(np.cumprod(w, { axis: 1 }), "float32", [[1.5, 2.25], [1.5, 2.25]], { weak: false })
    expect.tensor(np.nancumsum(w, { axis: 0 }), "float32", [[1.5, 1.5], [3, 3]], { weak: false })
    expect.tensor(np.cumulativeSum(np.full([2], 1.5)), "float32", [1.5, 3], { weak: false })
    expect.tensor(np.logsumexp(np.full([2], 0)), "float32", Math.LN2, { weak: false })
  })
  it("a bool dtype reduces with or / and (JAX's bool_op), and accumulates x != 0", () => {
    expect.tensor(np.sum(i32([0, 2, 0]), { dtype: "bool" }), "bool", true)
    expect.tensor(np.sum(i32([[0, 0], [0, 3]]), { dtype: "bool", axis: 1 }), "bool", [false, true])
    expect.tensor(np.sum(i32([0, 0]), { dtype: "bool", initial: 1 }), "bool", true)
    expect.tensor(np.prod(i32([1, 2, 0]), { dtype: "bool" }), "bool", false)
    expect.tensor(np.prod(np.array([0.5, -1]), { dtype: "bool" }), "bool", true)
    expect.tensor(np.prod(i32([1, 0]), { dtype: "bool", where: np.array([true, false]) }), "bool", true)
    // [-1, 1] must not cancel: the running count of non-zeros, not the running sum
    expect.tensor(np.cumsum(i32([-1, 1, 0]), { dtype: "bool" }), "bool", [true, true, true])
    expect.tensor(np.cumsum(i32([0, 0, 2]), { dtype: "bool" }), "bool", [false, false, true])
    expect.tensor(np.cumprod(i32([2, 0, 3]), { dtype: "bool" }), "bool", [true, false, false])
    expect.tensor(np.nancumsum(np.array([NaN, 0, 1]), { dtype: "bool" }), "bool", [false, false, true])
    expect.tensor(np.cumulativeProd(i32([2, 3]), { dtype: "bool", includeInitial: true }), "bool", [true, true, true])
    // nancumsum replaces NaN before converting to an integer dtype (JAX's fill_nan first)
    expect.tensor(np.nancumsum(np.array([1.5, NaN, 2.5]), { dtype: "int32" }), "int32", [1, 1, 3])
  })
})

describe("np.sign", () => {
  it("refuses bool (JAX's sign_p accepts numbers only)", () => {
    assert.include(failure(() => np.sign(np.array([true, false])), "DTypeError"), "bool")
    expect.tensor(np.sign(i32([-3, 0, 2])), "int32", [-1, 0, 1])
  })
})

describe("np.interp", () => {
  const xp = np.array([0, 1, 2])
  const fp = np.array([10, 20, 40])
  it("left / right \"extrapolate\" continue the end segments (JAX's _interp)", () => {
    const opts = { left: "extrapolate", right: "extrapolate" } as const
    expect.tensor(np.interp(np.array([-1, 0.5, 3]), xp, fp, opts), "float32", [0, 15, 60])
    expect.tensor(np.interp(np.array([-1, 3]), xp, fp, { right: "extrapolate" }), "float32", [10, 60])
    assert.include(
      failure(() => np.interp(np.array([1]), xp, fp, { left: "bogus" as never }), "ArgumentError"),
      "extrapolate"
    )
  })
  it("tensor left / right / period, differentiable in left", () => {
    expect.tensor(
      np.interp(np.array([-1, 1, 5]), xp, fp, { left: np.array(7), right: np.array([1, 2, 3]) }),
      "float32",
      [
        7,
        20,
        3
      ]
    )
    const periodic = np.interp(np.array([-0.5, 2.5]), np.array([0, 1, 2]), np.array([0, 1, 2]), { period: np.array(3) })
    // period 3: -0.5 is 2.5, between 2 (value 2) and 3 = 0 + period (value 0)
    expect.tensor(periodic, "float32", [1, 1])
    const g = runSync(grad((l: Tensor) => np.sum(np.interp(np.array([-1, -2, 1]), xp, fp, { left: l })))(np.array(7)))
    expect.tensor(g as Tensor, "float32", 2)
  })
  it("fp is promoted on its own: a complex fp interpolates, a complex x is refused", () => {
    const c = np.interp(np.array([0.5]), np.array([0, 1]), np.array([{ re: 0, im: 0 }, { re: 2, im: 4 }]))
    expect.tensor(c, "complex64", [{ re: 1, im: 2 }])
    const x64 = np.interp(np.array([0.5], { dtype: "float64" }), np.array([0, 1]), np.array([0, 1]))
    assert.strictEqual(x64.dtype, "float64")
    assert.include(
      failure(() => np.interp(np.array([{ re: 0, im: 1 }]), np.array([0, 1]), np.array([0, 1])), "DTypeError"),
      "complex x"
    )
  })
  it("a segment of zero width gives its left value, even extrapolated (JAX's dx0 guard)", () => {
    expect.tensor(
      np.interp(np.array([2, 3]), np.array([0, 2, 2]), np.array([0, 5, 9]), { right: "extrapolate" }),
      "float32",
      [
        5,
        5
      ]
    )
  })
})
