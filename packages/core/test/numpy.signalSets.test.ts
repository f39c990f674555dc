/**
 * np's window functions, gradient, set operations and integer / float
 * decompositions: NumPy's documented values, closed forms and float64 JS
 * oracles.
 */
import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })
const f32 = (v: np.NestedArray) => np.array(v, { dtype: "float32" })

describe("np window functions (NumPy's formulas)", () => {
  it("hanning, hamming, blackman, bartlett against their closed forms", () => {
    const m = 7
    const n = Array.from({ length: m }, (_, k) => k)
    const t = n.map((k) => (2 * Math.PI * k) / (m - 1))
    expect.tensor(np.hanning(m), "float32", t.map((x) => 0.5 - 0.5 * Math.cos(x)))
    expect.tensor(np.hamming(m), "float32", t.map((x) => 0.54 - 0.46 * Math.cos(x)))
    expect.tensor(np.blackman(m), "float32", t.map((x) => 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x)))
    // NumPy's documented bartlett(12)
    expect.tensor(np.bartlett(12), "float32", [
      0,
      0.18181818,
      0.36363636,
      0.54545455,
      0.72727273,
      0.90909091,
      0.90909091,
      0.72727273,
      0.54545455,
      0.36363636,
      0.18181818,
      0
    ])
    expect.tensor(np.hanning(1), "float32", [1])
    expect.tensor(np.hanning(0), "float32", [])
  })
  it("kaiser: NumPy's documented kaiser(12, 14)", () => {
    expect.tensor(np.kaiser(12, 14), "float32", [
      7.72686684e-06,
      3.46009194e-03,
      4.65200189e-02,
      2.29737120e-01,
      5.99885316e-01,
      9.45674898e-01,
      9.45674898e-01,
      5.99885316e-01,
      2.29737120e-01,
      4.65200189e-02,
      3.46009194e-03,
      7.72686684e-06
    ], { tol: 1e-6 })
    assert.include(failure(() => np.kaiser(3, NaN), "ArgumentError"), "beta")
  })
})

describe("np.gradient", () => {
  it("NumPy's documented examples: uniform, spacing, coordinates, 2-d, axis", () => {
    const f = f64([1, 2, 4, 7, 11, 16])
    expect.tensor(np.gradient(f) as never, "float64", [1, 1.5, 2.5, 3.5, 4.5, 5])
    expect.tensor(np.gradient(f, [2]) as never, "float64", [0.5, 0.75, 1.25, 1.75, 2.25, 2.5])
    expect.tensor(np.gradient(f, [f64([0, 1, 1.5, 3.5, 4, 6])]) as never, "float64", [1, 3, 3.5, 6.7, 6.9, 2.5])
    const g = np.gradient(f64([[1, 2, 6], [3, 4, 5]])) as Array<never>
    assert.strictEqual(g.length, 2)
    expect.tensor(g[0]!, "float64", [[2, 2, -1], [2, 2, -1]])
    expect.tensor(g[1]!, "float64", [[1, 2.5, 4], [1, 1, 1]])
    expect.tensor(np.gradient(f64([[1, 2, 6], [3, 4, 5]]), [], { axis: 0 }) as never, "float64", [[2, 2, -1], [
      2,
      2,
      -1
    ]])
    assert.include(failure(() => np.gradient(f64([1])), "ShapeError"), "too small")
  })
})

describe("np set operations", () => {
  it("NumPy's documented examples", () => {
    expect.tensor(np.union1d(i32([-1, 0, 1]), i32([-2, 0, 2])), "int32", [-2, -1, 0, 1, 2])
    expect.tensor(np.intersect1d(i32([1, 3, 4, 3]), i32([3, 1, 2, 1])), "int32", [1, 3])
    expect.tensor(np.setdiff1d(i32([1, 2, 3, 2, 4, 1]), i32([3, 4, 5, 6])), "int32", [1, 2])
    expect.tensor(np.setxor1d(i32([1, 2, 3, 2, 4]), i32([2, 3, 5, 7, 5])), "int32", [1, 4, 5, 7])
    expect.tensor(np.isin(i32([[0, 2], [4, 6]]), i32([1, 2, 4, 8])), "bool", [[false, true], [true, false]])
  })
  it("static size pads with fillValue or the smallest result, and truncates", () => {
    // JAX's setdiff1d pads with fill_value=0 by default (not with the smallest result)
    expect.tensor(np.setdiff1d(i32([5, 1, 3]), i32([3]), { size: 4 }), "int32", [1, 5, 0, 0])
    expect.tensor(np.setdiff1d(i32([5, 1, 3, 1, 7]), i32([3, 9]), { size: 5 }), "int32", [1, 5, 7, 0, 0])
    expect.tensor(np.setdiff1d(i32([3]), i32([3, 9]), { size: 2 }), "int32", [0, 0])
    expect.tensor(np.setdiff1d(f32([-2, 4]), f32([4]), { size: 3 }), "float32", [-2, 0, 0])
    // intersect1d and setxor1d pad with the smallest result, or 0 when there is none (JAX launders the
    // zero padding through max, then min)
    expect.tensor(np.intersect1d(i32([-3, 1]), i32([-3]), { size: 3 }), "int32", [-3, -3, -3])
    expect.tensor(np.intersect1d(i32([3, 1]), i32([4]), { size: 2 }), "int32", [0, 0])
    expect.tensor(np.setxor1d(i32([3, 1, 1]), i32([1, 5]), { size: 4 }), "int32", [3, 5, 3, 3])
    expect.tensor(np.setxor1d(i32([3, 1]), i32([1, 3]), { size: 2 }), "int32", [0, 0])
    expect.tensor(np.intersect1d(i32([5, 1, 3]), i32([3, 5]), { size: 3, fillValue: -1 }), "int32", [3, 5, -1])
    expect.tensor(np.union1d(i32([3, 1]), i32([2]), { size: 2 }), "int32", [1, 2])
    expect.tensor(np.setxor1d(i32([]), i32([]), { size: 2, fillValue: 7 }), "int32", [7, 7])
  })
})

describe("np integer and float decompositions", () => {
  it("gcd and lcm (signs, zeros, Fibonacci worst case)", () => {
    expect.tensor(np.gcd(i32([12, 20, 0, -9, 0]), i32([18, 15, 0, 6, -4])), "int32", [6, 5, 0, 3, 4])
    // consecutive Fibonacci numbers take the most Euclid steps
    expect.tensor(np.gcd(i32([1836311903]), i32([1134903170])), "int32", [1])
    expect.tensor(np.lcm(i32([4, 6, 0, -3]), i32([6, 10, 5, 4])), "int32", [12, 30, 0, 12])
    assert.include(failure(() => np.gcd(np.array([1.5]), np.array([2])), "DTypeError"), "integer")
  })
  it("divmod, modf, ldexp, frexp", () => {
    const [q, r] = np.divmod(i32([7, -7, 7]), i32([2, 2, -2]))
    expect.tensor(q, "int32", [3, -4, -4])
    expect.tensor(r, "int32", [1, 1, -1])
    const [frac, whole] = np.modf(f64([2.5, -1.25, 0]))
    expect.tensor(frac, "float64", [0.5, -0.25, 0])
    expect.tensor(whole, "float64", [2, -1, 0])
    expect.tensor(np.ldexp(f64([0.75, 1, 3, 1]), i32([2, -3, 0, 1030])), "float64", [3, 0.125, 3, 2 ** 1030])
    // 0, infinities and NaN give themselves whatever the exponent (JAX's): -inf times a factor
    // 2^-450 that underflowed in float32 was NaN; and a float32 denormal result
    const special = f32([Infinity, -Infinity, NaN, 0, -0, 1, 3])
    expect.tensor(np.ldexp(special, i32([-900, -900, 5, 900, -900, -149, 300])), "float32", [
      Infinity,
      -Infinity,
      NaN,
      0,
      -0,
      2 ** -149,
      Infinity
    ])
    const xs = [8, 0.3, -5, 0, 1, 0.5, 1e-300, 3e300, 2 ** -1074, Infinity, -Infinity]
    const [m, e] = np.frexp(f64(xs))
    const mm = js(m) as Array<number>
    const ee = js(e) as Array<number>
    xs.forEach((x, i) => {
      if (!Number.isFinite(x) || x === 0) {
        assert.strictEqual(mm[i], x)
        assert.strictEqual(ee[i], 0)
        return
      }
      assert.isTrue(Math.abs(mm[i]!) >= 0.5 && Math.abs(mm[i]!) < 1, `mantissa of ${x}: ${mm[i]}`)
      assert.strictEqual(mm[i]! * 2 ** ee[i]!, x)
    })
    assert.strictEqual(e.dtype, "int32")
  })
  it("i0 against the float64 series", () => {
    expect.tensor(np.i0(f64([0, 1, 5])), "float64", [1, 1.2660658777520082, 27.239871823604442], { tol: 1e-13 })
  })
})

describe("np set operations with NaN (JAX's rules)", () => {
  it("setxor1d keeps a NaN from each input (NaN never equals its neighbour); unique collapses NaNs first", () => {
    // JAX: unique(ar1), unique(ar2) (equal_nan), sorted together, entries unequal to both neighbours
    expect.tensor(np.setxor1d(f32([NaN, 1]), f32([2])), "float32", [1, 2, NaN])
    expect.tensor(np.setxor1d(f32([NaN, 1]), f32([2, NaN])), "float32", [1, 2, NaN, NaN])
    expect.tensor(np.setxor1d(f32([NaN, NaN, 1]), f32([2, 1])), "float32", [2, NaN])
    // with a size, the padding is the smallest result, NaN once a result is NaN (JAX's min)
    expect.tensor(np.setxor1d(f32([NaN, 1]), f32([2, NaN]), { size: 6 }), "float32", [1, 2, NaN, NaN, NaN, NaN])
    expect.tensor(np.setxor1d(f32([4, 1]), f32([1, -2]), { size: 3 }), "float32", [-2, 4, -2])
  })
  it("setdiff1d counts NaNs as one value (JAX's unique with equal_nan)", () => {
    expect.tensor(np.setdiff1d(f32([NaN, 1, NaN]), f32([2])), "float32", [1, NaN])
    expect.tensor(np.intersect1d(f32([NaN, 1]), f32([NaN, 1])), "float32", [1])
  })
})

describe("np.histogramdd / histogram2d", () => {
  it("counts per cell against a JS loop; the closing edge; weights; density integrates to 1", () => {
    const xs = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3, -1]
    const ys = [0, 2, 1, 1, 0.5, 2, 2, 0, 1]
    const { counts, xedges, yedges } = np.histogram2d(f64(xs), f64(ys), { bins: [3, 2], range: [[0, 3], [0, 2]] })
    expect.tensor(xedges, "float64", [0, 1, 2, 3])
    expect.tensor(yedges, "float64", [0, 1, 2])
    const want = [[0, 0], [0, 0], [0, 0]]
    xs.forEach((x, i) => {
      if (x < 0 || x > 3) return
      const bx = Math.min(Math.floor(x), 2)
      const by = Math.min(Math.floor(ys[i]!), 1)
      want[bx]![by]! += 1
    })
    // JAX counts with bincount: int32 without weights (histogram itself counts in the inexact dtype)
    expect.tensor(counts, "int32", want)
    expect.tensor(np.histogram(f64(xs), { bins: 3 }).counts, "float64", [2, 3, 4])
    const w = np.histogramdd(np.stack([f64(xs), f64(ys)], { axis: 1 }), {
      bins: [3, 2],
      range: [[0, 3], [0, 2]],
      weights: f64(xs.map(() => 2))
    })
    expect.tensor(w.counts, "float64", want.map((r) => r.map((v) => 2 * v)))
    // weights are promoted to inexact with the sample: int32 weights sum as float32
    const wi = np.histogram2d(f32([0, 1, 2]), f32([0, 1, 2]), { bins: 2, weights: i32([1, 2, 3]) })
    expect.tensor(wi.counts, "float32", [[1, 0], [0, 5]])
    expect.tensor(np.histogramdd(f32([[0, 0], [1, 1]]), { bins: 2 }).counts, "int32", [[1, 0], [0, 1]])
    const d = np.histogramdd(np.stack([f64(xs), f64(ys)], { axis: 1 }), { bins: [3, 2], density: true })
    assert.deepStrictEqual(d.counts.shape, [3, 2])
    // density: the int32 counts cast to the sample's dtype first
    assert.strictEqual(d.counts.dtype, "float64")
    const cell = (js(np.diff(d.edges[0]!)) as Array<number>)[0]! * (js(np.diff(d.edges[1]!)) as Array<number>)[0]!
    assert.approximately((js(np.sum(d.counts)) as number) * cell, 1, 1e-12)
  })
})
