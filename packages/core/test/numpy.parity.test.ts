/**
 * np against JAX's documented behaviour where diffect once differed: compress/extract's
 * static size, nan reductions with `initial`, set ops' errors, reductions' dtypes and
 * weak types, interp's options, the polynomial functions' options and the products'
 * preferredElementType. Values come from JAX's docstrings or are derived by hand.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, np, runSync, vmap } from "diffect"
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

describe("np polynomials", () => {
  it("roots: stripZeros false keeps length len(p) - 1 with NaN roots, and traces (JAX's _roots_with_zeros)", () => {
    const r = np.roots(np.array([0, 1, -3, 2]), { stripZeros: false })
    assert.deepStrictEqual(r.shape, [3])
    expect.tensor(r, "complex64", [{ re: 2, im: 0 }, { re: 1, im: 0 }, { re: NaN, im: NaN }], { tol: 1e-5 })
    const traced = runSync(jit((p: Tensor) => np.roots(p, { stripZeros: false }))(np.array([1, -3, 2]))) as Tensor
    expect.tensor(traced, "complex64", [{ re: 2, im: 0 }, { re: 1, im: 0 }], { tol: 1e-5 })
    // all-zero coefficients: every root undefined
    expect.tensor(np.roots(np.array([0, 0, 0]), { stripZeros: false }), "complex64", [{ re: NaN, im: NaN }, {
      re: NaN,
      im: NaN
    }])
    // the default strips, and refuses traced coefficients with JAX's advice
    assert.include(
      failure(() => runSync(jit((p: Tensor) => np.roots(p))(np.array([1, -3, 2]))), "ConcretizationError"),
      "stripZeros: false"
    )
    assert.include(failure(() => np.roots(np.array([1, 2]), { strip: true } as never), "ArgumentError"), "stripZeros")
    expect.tensor(np.roots(np.array(3)), "complex64", [])
  })
  it("poly: a scalar is one root, a square matrix its eigenvalues, no roots the 0-d 1 (JAX's poly)", () => {
    expect.tensor(np.poly(np.array(2)), "float32", [1, -2])
    const none = np.poly(np.array([], { dtype: "float32" }))
    assert.deepStrictEqual(none.shape, [])
    expect.tensor(none, "float32", 1)
    expect.tensor(np.poly(np.array([[1, 0], [0, 2]])), "complex64", [{ re: 1, im: 0 }, { re: -3, im: 0 }, {
      re: 2,
      im: 0
    }], { tol: 1e-5 })
    // JAX's docstring: round(poly([[2, 1, 5], [3, 4, 7], [1, 3, 5]])) is [1, -11, 9, -15]
    const m = np.poly(np.array([[2, 1, 5], [3, 4, 7], [1, 3, 5]]))
    expect.tensor(np.real(m), "float32", [1, -11, 9, -15], { tol: 1e-5 })
    assert.include(failure(() => np.poly(np.ones([2, 3])), "ShapeError"), "square")
  })
  it("polymul / polydiv trimLeadingZeros (JAX's docstrings) and unknown keys", () => {
    expect.tensor(np.polymul(i32([2, 1, 0]), i32([0, 5, 0, 3])), "float32", [0, 10, 5, 6, 3, 0])
    expect.tensor(np.polymul(i32([2, 1, 0]), i32([0, 5, 0, 3]), { trimLeadingZeros: true }), "float32", [
      10,
      5,
      6,
      3,
      0
    ])
    const [q, r] = np.polydiv(i32([5, 7, 9]), i32([4, 1]), { trimLeadingZeros: true })
    expect.tensor(q, "float32", [1.25, 1.4375])
    expect.tensor(r, "float32", [7.5625])
    expect.tensor(np.polydiv(i32([5, 7, 9]), i32([4, 1]))[1], "float32", [0, 0, 7.5625])
    assert.include(failure(() => np.polymul(i32([1]), i32([1]), { bogus: 1 } as never), "ArgumentError"), "bogus")
    assert.include(failure(() => np.polydiv(i32([1]), i32([1]), { bogus: 1 } as never), "ArgumentError"), "bogus")
  })
  it("polyfit cov: inv(A^T A) times the residual variance (derived by hand)", () => {
    const x = np.array([0, 1, 2, 3], { dtype: "float64" })
    const y = np.array([0, 1, 1, 2], { dtype: "float64" })
    // A^T A = [[14, 6], [6, 4]], its inverse [[0.2, -0.3], [-0.3, 0.7]]; residuals sum to 0.2 over 4 - 2 dof
    const [c, v] = np.polyfit(x, y, 1, { cov: true })
    expect.tensor(c, "float64", [0.6, 0.1], { tol: 1e-12 })
    expect.tensor(v, "float64", [[0.02, -0.03], [-0.03, 0.07]], { tol: 1e-12 })
    expect.tensor(np.polyfit(x, y, 1, { cov: "unscaled" })[1], "float64", [[0.2, -0.3], [-0.3, 0.7]], { tol: 1e-12 })
    const [, v2] = np.polyfit(x, np.stack([y, np.multiply(y, 2)], { axis: 1 }), 1, { cov: true })
    assert.deepStrictEqual(v2.shape, [2, 2, 2])
    expect.tensor(v2, "float64", [[[0.02, 0.08], [-0.03, -0.12]], [[-0.03, -0.12], [0.07, 0.28]]], { tol: 1e-12 })
    assert.include(
      failure(() => np.polyfit(np.array([0, 1]), np.array([0, 1]), 1, { cov: true }), "ArgumentError"),
      "more points"
    )
    const full = np.polyfit(x, y, 1, { full: true })
    // rcond as an array, as JAX's lax.asarray(rcond): len(x) * eps of float64
    expect.tensor(full[4], "float32", 4 * 2.220446049250313e-16, { tol: 1e-20 })
  })
  it("polyint: k as a tensor, promoted with p and differentiable (JAX's docstring)", () => {
    expect.tensor(np.polyint(i32([12, 12, 6]), { m: 2, k: np.array([4, 5]) }), "float32", [1, 2, 3, 4, 5])
    expect.tensor(np.polyint(i32([3, 2, 1]), { m: 2, k: np.array([1, 2]) }), "float32", [0.25, 1 / 3, 0.5, 1, 2])
    expect.tensor(np.polyint(i32([3, 2, 1]), { m: 2, k: np.array(7) }), "float32", [0.25, 1 / 3, 0.5, 7, 7])
    assert.strictEqual(np.polyint(np.array([1]), { k: np.array([1], { dtype: "float64" }) }).dtype, "float64")
    const g = runSync(grad((k: Tensor) => np.sum(np.polyint(np.array([2]), { k })))(np.array([3]))) as Tensor
    expect.tensor(g, "float32", [1])
    assert.include(failure(() => np.polyint(np.array([1]), { m: 2, k: [1, 2, 3] }), "ArgumentError"), "length 1 or m")
  })
})

describe("np products: preferredElementType, precision, unknown keys", () => {
  const i = i32([1, 2])
  const j = i32([3, 4])
  const m = i32([[1, 2], [3, 4]])
  const f32 = { preferredElementType: "float32" } as const
  it("int32 operands accumulate in and return the preferred dtype, strong (JAX's preferred_element_type)", () => {
    expect.tensor(np.dot(i, j, f32), "float32", 11, { weak: false })
    expect.tensor(np.dot(i, 2, f32), "float32", [2, 4])
    expect.tensor(np.matmul(m, j, f32), "float32", [11, 25])
    expect.tensor(np.tensordot(m, m, { axes: 1, ...f32 }), "float32", [[7, 10], [15, 22]])
    expect.tensor(np.inner(i, j, f32), "float32", 11)
    expect.tensor(np.vdot(i, j, f32), "float32", 11)
    expect.tensor(np.vecdot(m, j, f32), "float32", [11, 25])
    expect.tensor(np.einsumWith("ij,j->i", [m, j], f32), "float32", [11, 25])
    // JAX's _conv: with a preferred dtype the integers are not promoted to inexact first
    expect.tensor(np.convolve(i32([1, 2, 3]), i32([0, 1]), { preferredElementType: "int32" }), "int32", [0, 1, 2, 3])
    expect.tensor(np.correlate(i32([1, 2, 3]), i32([0, 1]), f32), "float32", [2, 3])
    expect.tensor(np.convolve(i32([1, 2, 3]), i32([0, 1])), "float32", [0, 1, 2, 3])
  })
  it("vecdot keeps the complex conjugate, and vdot / correlate refuse unknown keys", () => {
    const a = np.array([{ re: 0, im: 1 }, { re: 2, im: 0 }])
    expect.tensor(np.vecdot(a, a), "complex64", { re: 5, im: 0 })
    assert.include(failure(() => np.vdot(i, j, { bogus: 1 } as never), "ArgumentError"), "bogus")
    assert.include(failure(() => np.correlate(i, j, { bogus: 1 } as never), "ArgumentError"), "bogus")
    assert.include(failure(() => np.correlate(i, j, { precision: "low" as never }), "ArgumentError"), "precision")
    expect.tensor(np.correlate(np.array([1, 2, 3]), np.array([0, 1, 0.5]), { precision: "highest" }), "float32", [3.5])
  })
})

describe("np.pad with a function as the mode", () => {
  // NumPy's pad_with example, functional: the lane's pad positions set to kwargs.padder (10 by default)
  const padWith = (v: Tensor, [lo, hi]: readonly [number, number], _axis: number, kwargs: Record<string, unknown>) => {
    const n = v.shape[0]!
    const i = np.arange(n)
    const edge = np.logicalOr(np.less(i, lo), np.greaterEqual(i, n - hi))
    return np.where(edge, np.array(Number(kwargs["padder"] ?? 10), { dtype: v.dtype }), v)
  }
  it("each axis's lanes of the zero-padded array through the function (NumPy's example)", () => {
    const a = np.reshape(np.arange(6), [2, 3])
    const ten = [10, 10, 10, 10, 10, 10, 10]
    expect.tensor(np.pad(a, 2, { mode: padWith }), "int32", [
      ten,
      ten,
      [10, 10, 0, 1, 2, 10, 10],
      [10, 10, 3, 4, 5, 10, 10],
      ten,
      ten
    ])
    const out = np.pad(a, [[0, 1], [1, 0]], { mode: padWith, padder: 100 })
    expect.tensor(out, "int32", [[100, 0, 1, 2], [100, 3, 4, 5], [100, 100, 100, 100]])
    // the function sees the lane's widths and axis
    const seen: Array<string> = []
    np.pad(np.zeros([1, 2]), [[1, 0], [0, 2]], {
      mode: (v, w, axis) => {
        seen.push(`${axis}:${w.join(",")}:${v.shape[0]}`)
        return v
      }
    })
    assert.deepStrictEqual(seen, ["0:1,0:2", "0:1,0:2", "0:1,0:2", "0:1,0:2", "1:0,2:4", "1:0,2:4"])
    assert.include(failure(() => np.pad(np.zeros([2]), 1, { mode: () => np.zeros([3]) }), "ShapeError"), "padded lane")
  })
})

describe("np hints and options from JAX's signatures", () => {
  it("take's gather hints, isin's and digitize's methods, unique's sorted: accepted, same results", () => {
    const x = i32([10, 20, 30])
    expect.tensor(np.take(x, i32([0, 2]), { uniqueIndices: true, indicesAreSorted: true }), "int32", [10, 30])
    for (const method of ["auto", "compare_all", "binary_search", "sort"] as const) {
      expect.tensor(np.isin(i32([1, 5, 3]), i32([3, 1]), { method }), "bool", [true, false, true])
    }
    assert.include(failure(() => np.isin(x, x, { method: "fast" as never }), "ArgumentError"), "method")
    const bins = np.array([0, 1, 2])
    for (const method of ["scan", "sort", "compare_all"] as const) {
      expect.tensor(np.digitize(np.array([-1, 0.5, 1, 3]), bins, { method }), "int32", [0, 1, 2, 3])
    }
    assert.include(failure(() => np.digitize(x, bins, { method: "fast" as never }), "ArgumentError"), "method")
    expect.tensor(np.unique(i32([3, 1, 3]), { sorted: true }), "int32", [1, 3])
  })
  it("argsort's dtype is the indices' (JAX's dtype)", () => {
    expect.tensor(np.argsort(i32([3, 1, 2]), { dtype: "uint32" }), "uint32", [1, 2, 0])
    expect.tensor(np.argsort(i32([3, 1, 2]), { dtype: "float32", descending: true }), "float32", [0, 2, 1])
    assert.include(failure(() => np.sort(i32([3, 1]), { dtype: "int32" } as never), "ArgumentError"), "dtype")
  })
})

describe("np products of bools", () => {
  it("stay bool, any of and (JAX's dot_general of bools)", () => {
    const a = np.array([[true, false], [false, false]])
    const b = np.array([[true, true], [false, true]])
    expect.tensor(np.matmul(a, b), "bool", [[true, true], [false, false]])
    expect.tensor(np.dot(np.array([true, false]), np.array([false, true])), "bool", false)
    expect.tensor(np.inner(np.array([true, true]), np.array([false, true])), "bool", true)
    expect.tensor(np.tensordot(a, b, { axes: 1 }), "bool", [[true, true], [false, false]])
  })

  it("less, lessEqual, greater, greaterEqual order complex numbers lexicographically (JAX's _comparison_op)", () => {
    const c = (v: ReadonlyArray<readonly [number, number]>) =>
      np.array(v.map(([re, im]) => ({ re, im })) as never, { dtype: "complex64" })
    const a = c([[1, 2], [1, 0], [2, -5], [0, 9]])
    const b = c([[1, 1], [1, 0], [1, 9], [0, 9]])
    expect.tensor(np.greater(a, b), "bool", [true, false, true, false])
    expect.tensor(np.less(a, b), "bool", [false, false, false, false])
    expect.tensor(np.greaterEqual(a, b), "bool", [true, true, true, true])
    expect.tensor(np.lessEqual(a, b), "bool", [false, true, false, true])
    expect.tensor(np.greater(c([[0, 1], [0, -1]]), 0), "bool", [true, false])
  })
})
