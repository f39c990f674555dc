import { lax, np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

// Direct sums: the reference for convolve and correlate.
const fullConvolve = (a: ReadonlyArray<number>, v: ReadonlyArray<number>): Array<number> => {
  const out = new Array<number>(a.length + v.length - 1).fill(0)
  a.forEach((x, i) => v.forEach((y, j) => (out[i + j]! += x * y)))
  return out
}

describe("np products and polynomials", () => {
  it("vdot conjugates its first argument; kron; cross", () => {
    expect.tensor(np.vdot(f32([[1, 2], [3, 4]]), f32([5, 6, 7, 8])), "float32", 70)
    const z = np.vdot(np.array([{ re: 1, im: 2 }]), np.array([{ re: 3, im: 4 }]))
    // conj(1 + 2i)(3 + 4i) = 11 - 2i
    assert.deepStrictEqual(js(z), { re: 11, im: -2 })
    expect.tensor(np.kron(f32([[1, 2], [3, 4]]), f32([[0, 1], [1, 0]])), "float32", [
      [0, 1, 0, 2],
      [1, 0, 2, 0],
      [0, 3, 0, 4],
      [3, 0, 4, 0]
    ])
    expect.tensor(np.cross(f32([[1, 2, 3], [4, 5, 6]]), f32([4, 5, 6])), "float32", [[-3, 6, -3], [0, 0, 0]])
    expect.tensor(np.cross(f32([1, 2, 3]), f32([1, 2])), "float32", [-6, 3, 0])
    expect.tensor(np.cross(f32([[1], [0], [0]]), f32([[0], [1], [0]]), { axis: 0 }), "float32", [[0], [0], [1]])
    // np.cross(arange(6).reshape(3, 2), arange(6, 12).reshape(2, 3), axisa=0, axisb=1[, axisc=0])
    const ca = np.reshape(np.arange(6, { dtype: "float32" }), [3, 2])
    const cb = np.reshape(np.arange(6, 12, { dtype: "float32" }), [2, 3])
    expect.tensor(np.cross(ca, cb, { axisa: 0, axisb: 1 }), "float32", [[-12, 24, -12], [-17, 34, -17]])
    expect.tensor(np.cross(ca, cb, { axisa: 0, axisb: 1, axisc: 0 }), "float32", [[-12, -17], [24, 34], [-12, -17]])
    assert.include(failure(() => np.cross(f32([1, 2, 3, 4]), f32([1, 2, 3])), "ShapeError"), "dimension must be 2 or 3")
  })
  it("polyval by Horner's rule", () => {
    expect.tensor(np.polyval(f64([1, -2, 0, 5]), f64([0, 1, 2, -1])), "float64", [5, 4, 5, 2])
    expect.tensor(np.polyval(f32([]), f32([3])), "float32", [0])
  })
  it("convolve and correlate in the three modes against direct sums", () => {
    const a = [1, -2, 3.5, 0, 2]
    const v = [0.5, 1, -1]
    const full = fullConvolve(a, v)
    expect.tensor(np.convolve(f64(a), f64(v)), "float64", full, { tol: 1e-15 })
    expect.tensor(np.convolve(f64(a), f64(v), { mode: "same" }), "float64", full.slice(1, 6), { tol: 1e-15 })
    expect.tensor(np.convolve(f64(a), f64(v), { mode: "valid" }), "float64", full.slice(2, 5), { tol: 1e-15 })
    // the longer input second: NumPy swaps them ("same" has the longer one's length)
    expect.tensor(np.convolve(f64(v), f64(a), { mode: "same" }), "float64", full.slice(1, 6), { tol: 1e-15 })
    // correlate(a, v) = convolve(a, reversed v)
    const corr = fullConvolve(a, [...v].reverse())
    expect.tensor(np.correlate(f64(a), f64(v), { mode: "full" }), "float64", corr, { tol: 1e-15 })
    expect.tensor(np.correlate(f64(a), f64(v)), "float64", corr.slice(2, 5), { tol: 1e-15 })
    // NumPy: correlate([1, 2, 3], [0, 1, 0.5], "same") = [2, 3.5, 3]
    expect.tensor(np.correlate(f32([1, 2, 3]), f32([0, 1, 0.5]), { mode: "same" }), "float32", [2, 3.5, 3])
    assert.include(failure(() => np.convolve(f32([[1]]), f32([1])), "ShapeError"), "1-dimensional inputs")
  })
  it("long real signals (convolved in segments) against direct sums: every mode, odd and even filters, both float types", () => {
    const signal = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * s) + ((i * 7) % 5) / 4)
    for (const [n, m] of [[600, 37], [513, 4], [2049, 256], [1200, 1]] as const) {
      const a = signal(n, 0.37)
      const v = signal(m, 1.3)
      const full = fullConvolve(a, v)
      // "same" keeps the middle, one more value on the left for an even filter (JAX's _conv)
      const lo = Math.floor(m / 2)
      const want = { full, same: full.slice(m - 1 - lo, m - 1 - lo + n), valid: full.slice(m - 1, n) }
      for (const mode of ["full", "same", "valid"] as const) {
        expect.tensor(np.convolve(f64(a), f64(v), { mode }), "float64", want[mode], { tol: 1e-12 })
        expect.tensor(np.convolve(f32(a), f32(v), { mode }), "float32", want[mode], { tol: 2e-4 })
      }
      // the longer input second (swapped), and a correlation (the filter reversed)
      expect.tensor(np.convolve(f64(v), f64(a), { mode: "same" }), "float64", want.same, { tol: 1e-12 })
      expect.tensor(np.correlate(f64(a), f64([...v].reverse()), { mode: "full" }), "float64", full, { tol: 1e-12 })
    }
  })
  it("two 40,000-sample signals convolve (segments as long as the filter) and match direct sums", () => {
    // before: a ShapeError about 3.2e9 window elements (313 segments of 256 outputs, each with a
    // 40,000-tap window), where JAX convolves directly
    const n = 40_000
    const a = Array.from({ length: n }, (_, i) => Math.sin(i))
    const v = Array.from({ length: n }, (_, i) => Math.cos(i))
    const y = js(np.convolve(f64(a), f64(v))) as Array<number>
    assert.strictEqual(y.length, 2 * n - 1)
    // sum_{i+j=k} sin(i) cos(j), summed directly at a few outputs
    for (const k of [0, 1, 777, n - 1, n, 61_234, 2 * n - 2]) {
      let want = 0
      for (let i = Math.max(0, k - n + 1); i <= Math.min(k, n - 1); i++) want += a[i]! * v[k - i]!
      assert.approximately(y[k]!, want, 1e-9 * Math.max(1, Math.abs(want)), `output ${k}`)
    }
  })
  it("an integer convolution whose patch matrix cannot exist is a BackendError (the direct kernel takes floats only)", () => {
    const a = np.ones([1, 1, 100_000], { dtype: "int32" })
    const b = np.ones([1, 1, 50_000], { dtype: "int32" })
    assert.include(
      failure(() => js(lax.convGeneralDilated(a, b, [1], [[0, 0]])), "BackendError"),
      "patch matrix of 50001 output positions by 50000 taps"
    )
    // the same shapes in float32 run directly: every output sums 50,000 ones
    const y = js(lax.convGeneralDilated(np.ones([1, 1, 100_000]), np.ones([1, 1, 50_000]), [1], [[0, 0]]))
    assert.deepStrictEqual((y as Array<Array<Array<number>>>)[0]![0]!.slice(0, 3), [50_000, 50_000, 50_000])
  })
  it("trapezoid as JAX's: sample points x (1-d or y's shape), array dx, any axis", () => {
    expect.tensor(np.trapezoid(f32([1, 2, 3]), { x: f32([4, 6, 8]) }), "float32", 8)
    expect.tensor(np.trapezoid(f32([1, 2, 3]), { x: f32([0, 1, 3]) }), "float32", 6.5)
    // a 1-d x against a 2-d y
    expect.tensor(np.trapezoid(f32([[1, 2, 3], [4, 5, 6]]), { x: f32([0, 1, 3]) }), "float32", [6.5, 15.5])
    expect.tensor(np.trapezoid(f32([[1, 2], [3, 4], [5, 6]]), { x: f32([0, 1, 3]), axis: 0 }), "float32", [10, 13])
    // x of y's shape: each row its own sample points
    expect.tensor(np.trapezoid(f32([[1, 1, 1], [2, 2, 2]]), { x: f32([[0, 1, 2], [0, 2, 4]]) }), "float32", [2, 8])
    // an array dx broadcasts against y's other axes (here one spacing per column of an axis-0 integral)
    expect.tensor(np.trapezoid(f32([[1, 2], [3, 4], [5, 6]]), { dx: f32([[1], [2]]), axis: 0 }), "float32", [10, 13])
    expect.tensor(np.trapezoid(f32([[1, 2, 3], [4, 5, 6]]), { dx: f32([[1], [2]]) }), "float32", [4, 20])
    // one sample or none along the axis: no area
    expect.tensor(np.trapezoid(f32([[7], [8]])), "float32", [0, 0])
    expect.tensor(np.trapezoid(f32([7]), { x: f32([1]) }), "float32", 0)
    assert.include(
      failure(() => np.trapezoid(f32([1, 2]), { dx: "1" as never }), "ArgumentError"),
      "a number or an array"
    )
  })
  it("trapezoid, interp and select", () => {
    expect.tensor(np.trapezoid(f32([[0, 1, 2], [3, 4, 5]]), { dx: 2 }), "float32", [4, 16])
    expect.tensor(np.trapezoid(f32([1, 2, 3]), { x: f32([0, 1, 3]) }), "float32", 6.5)
    expect.tensor(np.interp(f64([0, 1.5, 2.72, 3.14]), f64([1, 2, 3]), f64([3, 2, 0])), "float64", [3, 2.5, 0.56, 0], {
      tol: 1e-12
    })
    expect.tensor(np.interp(f32([0, 4]), f32([1, 2, 3]), f32([3, 2, 0]), { left: -1, right: 9 }), "float32", [-1, 9])
    // NumPy's periodic example: interp([-180, -170, -185, 185, -10, -5, 0, 365], xp=[190, -190, 350, -350], fp=[5, 10, 3, 4], period=360)
    expect.tensor(
      np.interp(f64([-180, -170, -185, 185, -10, -5, 0, 365]), f64([190, -190, 350, -350]), f64([5, 10, 3, 4]), {
        period: 360
      }),
      "float64",
      [7.5, 5, 8.75, 6.25, 3, 3.25, 3.5, 3.75],
      { tol: 1e-12 }
    )
    const x = np.arange(6, { dtype: "float32" })
    expect.tensor(np.select([np.less(x, 3), np.greater(x, 4)], [x, np.multiply(x, 10)], 42), "float32", [
      0,
      1,
      2,
      42,
      42,
      50
    ])
  })
  it("resultType and promoteTypes follow JAX's lattice (JS numbers weak)", () => {
    assert.strictEqual(np.resultType(i32([1]), 2.5), "float32")
    assert.strictEqual(np.resultType(f32([1]), f64([1])), "float64")
    assert.strictEqual(np.resultType("int32", "bool"), "int32")
    assert.strictEqual(np.promoteTypes("int32", "complex64"), "complex64")
  })
})
