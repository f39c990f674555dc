/**
 * `np` against JAX's jax.numpy, from a differential sweep: each case is a place where
 * diffect's result differed from JAX's. Values are NumPy 2.4.6's on the same inputs
 * (quoted) or JAX's own rule where JAX departs from NumPy (the JAX source is cited).
 */
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, DTypeError, grad, jit, np, ShapeError, type Tensor, toJsSync, vmap } from "diffect"
import { expect, thrown, value } from "./parity.js"

const f32 = (x: Parameters<typeof np.array>[0]) => np.array(x, { dtype: "float32" })
const f64 = (x: Parameters<typeof np.array>[0]) => np.array(x, { dtype: "float64" })
const mask = [[true, false, true, true], [false, false, true, true], [true, true, true, false]]
const a = [[1, 5, -2, 5], [3, 4, 0, 7], [-1, 2, 2, -4]]

describe("reductions: where, initial, ddof (jax/_src/numpy/reductions.py)", () => {
  it("sum, prod, mean with where keep only the masked-in entries", () => {
    // np.sum(a, axis=1, where=mask) == [4, 7, 3]; np.prod(...) == [-10, 0, -4]
    expect.close(toJsSync(np.sum(f32(a), { axis: 1, where: mask })), [4, 7, 3])
    expect.close(toJsSync(np.prod(f32(a), { axis: 1, where: mask })), [-10, 0, -4])
    // NumPy 2.4.6: np.mean(a, axis=1, where=mask) == [1.3333334, 3.5, 1.0]
    expect.close(toJsSync(np.mean(f32(a), { axis: 1, where: mask })), [4 / 3, 3.5, 1])
    // nothing kept: 0 / 0
    assert.isNaN(toJsSync(np.mean(f32([1, 2]), { where: [false, false] })) as number)
  })

  it("initial is combined with the result, and makes max of an empty axis defined", () => {
    // np.sum(a, axis=0, initial=4) == [7, 15, 4, 12]; np.max(a, axis=0, initial=4) == [4, 5, 4, 7]
    expect.close(toJsSync(np.sum(f32(a), { axis: 0, initial: 4 })), [7, 15, 4, 12])
    expect.close(toJsSync(np.max(f32(a), { axis: 0, initial: 4 })), [4, 5, 4, 7])
    expect.close(toJsSync(np.min(np.zeros([0, 2]), { axis: 0, initial: 3 })), [3, 3])
    // np.max(a, axis=1, initial=-10, where=mask) == [5, 7, 2]
    expect.close(toJsSync(np.max(f32(a), { axis: 1, initial: -10, where: mask })), [5, 7, 2])
    const y = np.max(np.array(a, { dtype: "int32" }), { axis: 1, initial: 1, where: mask })
    assert.strictEqual(y.dtype, "int32")
    expect.close(toJsSync(y), [5, 7, 2])
  })

  it("max with where but no initial is an ArgumentError (JAX's ValueError: no identity)", () => {
    assert.instanceOf(thrown(() => np.max(f32(a), { where: mask })), ArgumentError)
  })

  it("any and all with where ignore the masked-out entries", () => {
    const z = f32([[0, 1], [0, 0]])
    assert.deepStrictEqual(toJsSync(np.all(z, { axis: 1, where: [false, true] })), [true, false])
    assert.deepStrictEqual(toJsSync(np.any(z, { axis: 1, where: [true, false] })), [false, false])
  })

  it("var and std with where and ddof; no degrees of freedom left is NaN as in JAX", () => {
    // NumPy 2.4.6: np.var(a, axis=1, ddof=1, where=mask) == [12.333333333333334, 24.5, 3.0],
    // np.var(a, axis=1, correction=1) == [11.583333333333334, 8.333333333333334, 8.25]
    expect.close(toJsSync(np.var(f64(a), { axis: 1, ddof: 1, where: mask })), [37 / 3, 24.5, 3], 1e-12)
    expect.close(toJsSync(np.var(f64(a), { axis: 1, correction: 1 })), [139 / 12, 25 / 3, 8.25], 1e-12)
    // JAX: _where(normalizer > 0, result, nan); NumPy gives inf here
    assert.isNaN(toJsSync(np.var(f32([1, 2]), { ddof: 2 })) as number)
    assert.isNaN(toJsSync(np.std(f32([1, 2]), { ddof: 3 })) as number)
    assert.isNaN(toJsSync(np.nanvar(f32([1, NaN, 2]), { ddof: 2 })) as number)
  })

  it("mean and var take a dtype", () => {
    const m = np.mean(f32([1, 2, 4]), { dtype: "float64" })
    assert.strictEqual(m.dtype, "float64")
    expect.close(toJsSync(m), 7 / 3, 1e-15)
  })

  it("nan reductions take where; an all-NaN slice stays NaN for nanmax", () => {
    const x = f32([[1, NaN, -2, 5], [3, NaN, NaN, 7]])
    // np.nanmean(x, axis=1, where=[[T,T,F,T],[F,T,T,T]]) == [3, 7]
    const w = [[true, true, false, true], [false, true, true, true]]
    expect.close(toJsSync(np.nanmean(x, { axis: 1, where: w })), [3, 7])
    expect.close(toJsSync(np.nansum(x, { axis: 1, where: w })), [6, 7])
    expect.close(toJsSync(np.nanmax(x, { axis: 1, initial: 6 })), [6, 7])
  })

  it("nanargmax and nanargmin of an all-NaN slice are -1 (JAX's _nanargmax)", () => {
    const x = f32([[NaN, NaN], [1, NaN]])
    assert.deepStrictEqual(toJsSync(np.nanargmax(x, { axis: 1 })), [-1, 0])
    assert.deepStrictEqual(toJsSync(np.nanargmin(x, { axis: 1 })), [-1, 0])
  })

  it("average returns the sum of the weights with returned", () => {
    // np.average([[1,2,3],[4,5,6]], axis=0, weights=[1,3], returned=True) == ([3.25, 4.25, 5.25], [4, 4, 4])
    const [avg, wsum] = np.average(f64([[1, 2, 3], [4, 5, 6]]), { axis: 0, weights: f64([1, 3]), returned: true })
    expect.close(toJsSync(avg), [3.25, 4.25, 5.25], 1e-12)
    expect.close(toJsSync(wsum), [4, 4, 4], 1e-12)
    const [m, n] = np.average(f64([[1, 2, 3], [4, 5, 6]]), { axis: 0, returned: true })
    expect.close(toJsSync(m), [2.5, 3.5, 4.5], 1e-12)
    expect.close(toJsSync(n), [2, 2, 2], 1e-12)
  })
})

describe("quantile (jax/_src/numpy/reductions.py _quantile)", () => {
  it("takes a tuple of axes, as median does", () => {
    const x = np.reshape(np.arange(24, { dtype: "float64" }), [2, 3, 4])
    // NumPy 2.4.6: np.quantile(x, 0.3, axis=(0, 2)) == [2.1, 6.1, 10.1] (position 0.3 * 7 = 2.1
    // in the 8 sorted values [0..3, 12..15] of row 0), np.median(x, axis=(0, 2)) == [7.5, 11.5, 15.5]
    expect.close(toJsSync(np.quantile(x, 0.3, { axis: [0, 2] })), [2.1, 6.1, 10.1], 1e-12)
    expect.close(toJsSync(np.median(x, { axis: [0, 2], keepdims: true })), [[[7.5], [11.5], [15.5]]], 1e-12)
  })

  it("inverted_cdf, with weights: the first sorted entry whose cumulative weight reaches q * total", () => {
    // sorted [1, 2, 4, 5, 8] with weights [2, 3, 0.5, 1, 1]: cumulative [2, 5, 5.5, 6.5, 7.5];
    // targets 7.5 q for q = 0.1, 0.3, 0.5, 0.9 are 0.75, 2.25, 3.75, 6.75 -> [1, 2, 2, 8] (NumPy agrees)
    const w = f64([1, 2, 0.5, 3, 1])
    const x = f64([5, 1, 4, 2, 8])
    expect.close(toJsSync(np.quantile(x, f64([0.1, 0.3, 0.5, 0.9]), { method: "inverted_cdf", weights: w })), [
      1,
      2,
      2,
      8
    ])
    // unit weights: index ceil(q n) - 1 of the sorted values; np.quantile(..., [0.4, 0.5]) == [3, 4]
    expect.close(toJsSync(np.quantile(f64([5, 1, 4, 2, 8, 7, 3]), f64([0.4, 0.5]), { method: "inverted_cdf" })), [3, 4])
    // weights along the reduced axis; a negative weight gives NaN (JAX's bad_weights)
    expect.close(
      toJsSync(
        np.quantile(f64([[5, 1, 4], [2, 8, 3]]), 0.5, { axis: 1, method: "inverted_cdf", weights: f64([1, 3, 1]) })
      ),
      [1, 8]
    )
    assert.isNaN(
      toJsSync(np.quantile(f64([5, 2, 1, 4]), 0.5, { method: "inverted_cdf", weights: f64([1, -1, 1, 1]) })) as number
    )
  })

  it("nearest takes the lower entry on a tie (high_weight <= 0.5), unlike NumPy's round-half-even", () => {
    // sorted [1, 2, 4, 5, 7, 8], q = 0.3: position 1.5, JAX takes index 1 (NumPy index 2 -> 4)
    expect.close(toJsSync(np.quantile(f64([5, 1, 4, 2, 8, 7]), 0.3, { method: "nearest" })), 2)
    expect.close(toJsSync(np.quantile(f64([5, 1, 4, 2, 8, 7]), 0.5, { method: "nearest" })), 4)
  })
})

describe("pad: every mode of jnp.pad (jax/_src/numpy/lax_numpy.py _pad_*)", () => {
  const m = np.reshape(np.arange(6, { dtype: "float64" }), [2, 3])
  // NumPy 2.4.6's np.pad(np.arange(6.).reshape(2, 3), ((1, 2), (3, 1)), mode=...)
  const numpy: Record<string, unknown> = {
    edge: [[0, 0, 0, 0, 1, 2, 2], [0, 0, 0, 0, 1, 2, 2], [3, 3, 3, 3, 4, 5, 5], [3, 3, 3, 3, 4, 5, 5], [
      3,
      3,
      3,
      3,
      4,
      5,
      5
    ]],
    reflect: [[4, 5, 4, 3, 4, 5, 4], [1, 2, 1, 0, 1, 2, 1], [4, 5, 4, 3, 4, 5, 4], [1, 2, 1, 0, 1, 2, 1], [
      4,
      5,
      4,
      3,
      4,
      5,
      4
    ]],
    symmetric: [[2, 1, 0, 0, 1, 2, 2], [2, 1, 0, 0, 1, 2, 2], [5, 4, 3, 3, 4, 5, 5], [5, 4, 3, 3, 4, 5, 5], [
      2,
      1,
      0,
      0,
      1,
      2,
      2
    ]],
    wrap: [[3, 4, 5, 3, 4, 5, 3], [0, 1, 2, 0, 1, 2, 0], [3, 4, 5, 3, 4, 5, 3], [0, 1, 2, 0, 1, 2, 0], [
      3,
      4,
      5,
      3,
      4,
      5,
      3
    ]],
    maximum: [[5, 5, 5, 3, 4, 5, 5], [2, 2, 2, 0, 1, 2, 2], [5, 5, 5, 3, 4, 5, 5], [5, 5, 5, 3, 4, 5, 5], [
      5,
      5,
      5,
      3,
      4,
      5,
      5
    ]],
    mean: [[2.5, 2.5, 2.5, 1.5, 2.5, 3.5, 2.5], [1, 1, 1, 0, 1, 2, 1], [4, 4, 4, 3, 4, 5, 4], [
      2.5,
      2.5,
      2.5,
      1.5,
      2.5,
      3.5,
      2.5
    ], [2.5, 2.5, 2.5, 1.5, 2.5, 3.5, 2.5]],
    linear_ramp: [[0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 2, 0], [0, 1, 2, 3, 4, 5, 0], [0, 0.5, 1, 1.5, 2, 2.5, 0], [
      0,
      0,
      0,
      0,
      0,
      0,
      0
    ]]
  }
  for (const [mode, want] of Object.entries(numpy)) {
    it(`mode ${mode} equals NumPy's`, () => {
      const got = np.pad(m, [[1, 2], [3, 1]], { mode: mode as np.PadMode })
      expect.close(toJsSync(got), want, 1e-12)
    })
  }

  it("widths beyond the axis reflect, mirror and wrap repeatedly", () => {
    const v = f64([1, 2, 3])
    expect.close(toJsSync(np.pad(v, [5, 7], { mode: "reflect" })), [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2])
    expect.close(toJsSync(np.pad(v, [5, 7], { mode: "symmetric" })), [2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2, 3, 3])
    expect.close(toJsSync(np.pad(v, [5, 7], { mode: "wrap" })), [2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1])
  })

  it("reflectType odd, statLength, endValues, per-side constants, integer means", () => {
    const v = f64([1, 2, 3, 4])
    expect.close(toJsSync(np.pad(v, [3, 3], { mode: "reflect", reflectType: "odd" })), [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7])
    expect.close(toJsSync(np.pad(v, [3, 3], { mode: "symmetric", reflectType: "odd" })), [
      -1,
      0,
      1,
      1,
      2,
      3,
      4,
      4,
      5,
      6
    ])
    expect.close(toJsSync(np.pad(f64([1, 5, 2, 8, 3]), [2, 3], { mode: "mean", statLength: 2 })), [
      3,
      3,
      1,
      5,
      2,
      8,
      3,
      5.5,
      5.5,
      5.5
    ])
    // NumPy: [5, 3, 1, 2, 3, 1.6666666666666665, 0.33333333333333326, -1]
    expect.close(toJsSync(np.pad(f64([1, 2, 3]), [2, 3], { mode: "linear_ramp", endValues: [5, -1] })), [
      5,
      3,
      1,
      2,
      3,
      5 / 3,
      1 / 3,
      -1
    ], 1e-12)
    expect.close(toJsSync(np.pad(m, [[1, 0], [0, 2]], { constantValues: [[7, 8], [5, 6]] })), [
      [7, 7, 7, 6, 6],
      [0, 1, 2, 6, 6],
      [3, 4, 5, 6, 6]
    ])
    // the mean 1.5 of an int32 array rounds half to even: 2
    const p = np.pad(np.array([1, 2], { dtype: "int32" }), [1, 1], { mode: "mean" })
    assert.strictEqual(p.dtype, "int32")
    assert.deepStrictEqual(toJsSync(p), [2, 1, 2, 2])
  })
})

describe("shapes: repeat counts, order F, concatenate axis null", () => {
  const m = np.reshape(np.arange(6, { dtype: "float64" }), [2, 3])

  it("repeat takes one count per element (np.repeat(m, [2, 0, 1], axis=1))", () => {
    expect.close(toJsSync(np.repeat(m, [2, 0, 1], { axis: 1 })), [[0, 0, 2], [3, 3, 5]])
    expect.close(toJsSync(np.repeat(f64([1, 2, 3]), np.array([2, 0, 1], { dtype: "int32" }))), [1, 1, 3])
    // totalRepeatLength: JAX cuts a longer result and repeats the last entry to fill a shorter one
    expect.close(toJsSync(np.repeat(f64([1, 2, 3]), [2, 0, 1], { totalRepeatLength: 5 })), [1, 1, 3, 3, 3])
    expect.close(toJsSync(np.repeat(f64([1, 2, 3]), [2, 0, 1], { totalRepeatLength: 2 })), [1, 1])
  })

  it("ravel and reshape in column-major order", () => {
    expect.close(toJsSync(np.ravel(m, { order: "F" })), [0, 3, 1, 4, 2, 5])
    expect.close(toJsSync(np.reshape(m, [3, 2], { order: "F" })), [[0, 4], [3, 2], [1, 5]])
  })

  it("concatenate with axis null joins the flattened arrays", () => {
    expect.close(toJsSync(np.concatenate([m, f64([7, 8])], { axis: null })), [0, 1, 2, 3, 4, 5, 7, 8])
  })
})

describe("elementwise", () => {
  it("angle takes deg", () => {
    expect.close(toJsSync(np.angle(f32([-1, 1]), { deg: true })), [180, 0])
    expect.close(toJsSync(np.angle(np.array([{ re: 0, im: 1 }]), { deg: true })), [90])
  })

  it("round: complex parts separately; integers with negative decimals are refused as in JAX", () => {
    expect.close(toJsSync(np.round(np.array([{ re: 1.5, im: -2.5 }]))), [{ re: 2, im: -2 }])
    assert.instanceOf(thrown(() => np.round(np.array([1250], { dtype: "int32" }), { decimals: -2 })), ArgumentError)
    assert.deepStrictEqual(toJsSync(np.round(np.array([7], { dtype: "uint32" }), { decimals: 1 })), [7])
  })
})

describe("ranges, sorting, counting", () => {
  it("digitize with decreasing bins searches the reversed bins on the same side (JAX's digitize)", () => {
    const bins = f32([10, 4, 2.5, 1, 0])
    // NumPy 2.4.6: [4, 1, 2, 3] and, with right=True, [4, 1, 2, 4]
    assert.deepStrictEqual(toJsSync(np.digitize(f32([0.2, 6.4, 3.0, 1.0]), bins)), [4, 1, 2, 3])
    assert.deepStrictEqual(toJsSync(np.digitize(f32([0.2, 6.4, 3.0, 1.0]), bins, { right: true })), [4, 1, 2, 4])
  })

  it("arange in an integer dtype truncates start and step first; linspace floors", () => {
    // JAX's _arange: convert_element_type(step=0.5, int32) is 0, so every value is start (NumPy agrees)
    assert.deepStrictEqual(toJsSync(np.arange(0, 2.5, { step: 0.5, dtype: "int32" })), [0, 0, 0, 0, 0])
    // JAX's _linspace floors integer results: -5 + 10/3 = -1.67 -> -2 (NumPy: [-5, -2, 1, 5])
    assert.deepStrictEqual(toJsSync(np.linspace(-5, 5, { num: 4, dtype: "int32" })), [-5, -2, 1, 5])
  })

  it("linspace between arrays, along an axis, and with retstep", () => {
    // np.linspace([0, 10], [1, 20], 3, axis=-1) == [[0, 0.5, 1], [10, 15, 20]]
    expect.close(toJsSync(np.linspace(f32([0, 10]), f32([1, 20]), { num: 3, axis: -1 })), [[0, 0.5, 1], [10, 15, 20]])
    const [v, step] = np.linspace(0, 1, { num: 5, retstep: true })
    expect.close(toJsSync(v), [0, 0.25, 0.5, 0.75, 1])
    expect.close(toJsSync(step), 0.25)
  })

  it("unique returns the index, inverse and counts on request, in JAX's order", () => {
    // np.unique([3, 1, 3, 2, 1], return_index=True, return_inverse=True, return_counts=True)
    const [values, index, inverse, counts] = np.unique(f32([3, 1, 3, 2, 1]), {
      returnIndex: true,
      returnInverse: true,
      returnCounts: true
    })
    assert.deepStrictEqual(toJsSync([values, index, inverse, counts]), [[1, 2, 3], [1, 3, 0], [2, 0, 2, 1, 0], [
      2,
      1,
      2
    ]])
    const [v2, c2] = np.unique(f32([2, 2, 5]), { returnCounts: true })
    assert.deepStrictEqual(toJsSync([v2, c2]), [[2, 5], [2, 1]])
  })

  it("lexsort takes a 2-D tensor of keys (rows), the last the primary key", () => {
    assert.deepStrictEqual(toJsSync(np.lexsort(np.array([[1, 5, 1], [9, 4, 9]], { dtype: "int32" }))), [1, 0, 2])
  })
})

describe("convolve, correlate, polyfit", () => {
  it("mode same with an even kernel pads more on the left (JAX's _conv: (m // 2, m - m // 2 - 1))", () => {
    // NumPy 2.4.6 agrees: correlate -> [3, 4, 6, -2], convolve -> [2, 2, 7, 7]
    expect.close(toJsSync(np.correlate(f64([1, 2, 3, 4]), f64([1, 0, -1, 2]), { mode: "same" })), [3, 4, 6, -2])
    expect.close(toJsSync(np.convolve(f64([1, 2, 3, 4]), f64([1, 0, -1, 5]), { mode: "same" })), [2, 2, 7, 7])
    expect.close(toJsSync(np.convolve(f64([1, 0, -1, 5]), f64([1, 2, 3, 4, 5, 6]), { mode: "same" })), [
      2,
      2,
      7,
      12,
      17,
      15
    ])
  })

  it("a long signal's convolution (in segments) differentiates: the gradients are the adjoint correlations", () => {
    // y = convolve(a, v, same) is bilinear: d sum(c * y)/da = correlate(c, v) placed back, and
    // d/dv likewise; checked against the short path (one gather and a dot) on the same data
    const n = 700
    const m = 9
    const a = f64(Array.from({ length: n }, (_, i) => Math.sin(i * 0.31)))
    const v = f64(Array.from({ length: m }, (_, i) => Math.cos(i * 1.7)))
    const c = f64(Array.from({ length: n }, (_, i) => ((i * 13) % 7) - 3))
    const loss = (x: Tensor, w: Tensor) => np.sum(np.multiply(c, np.convolve(x, w, { mode: "same" })))
    const [ga, gv] = value(grad(loss, { argnums: [0, 1] })(a, v)) as unknown as [Array<number>, Array<number>]
    // direct: out[k] = sum_j a[k + lo - j] v[j] with lo = m // 2 (an odd m: (m - 1) / 2)
    const av = toJsSync(a) as Array<number>
    const vv = toJsSync(v) as Array<number>
    const cv = toJsSync(c) as Array<number>
    const lo = Math.floor(m / 2)
    const wantA = av.map((_, i) =>
      vv.reduce((s, w, j) => s + (i - lo + j >= 0 && i - lo + j < n ? cv[i - lo + j]! * w : 0), 0)
    )
    const wantV = vv.map((_, j) =>
      cv.reduce((s, ck, k) => s + (k + lo - j >= 0 && k + lo - j < n ? ck * av[k + lo - j]! : 0), 0)
    )
    expect.close(ga, wantA, 1e-10)
    expect.close(gv, wantV, 1e-10)
  })

  it("polyfit weights the residuals by w", () => {
    // weighted normal equations with w^2 = [1, 4, 1, 4]: 44a + 18b = 194, 18a + 10b = 76,
    // so a = 572/116, b = -148/116 (NumPy: [4.93103448275862, -1.2758620689655147])
    const c = np.polyfit(f64([0, 1, 2, 3]), f64([1, 3, 7, 14]), 1, { w: f64([1, 2, 1, 2]) })
    expect.close(toJsSync(c), [572 / 116, -148 / 116], 1e-12)
    const [c2, , rank] = np.polyfit(f64([0, 1, 2, 3]), f64([1, 3, 7, 13]), 2, { full: true })
    expect.close(toJsSync(c2), [1, 1, 1], 1e-12)
    assert.strictEqual(toJsSync(rank), 3)
  })
})

describe("counting and gradients of the new options", () => {
  it("bincount counts negative values in bin 0 (JAX's clip(x, 0))", () => {
    assert.deepStrictEqual(toJsSync(np.bincount(np.array([-1, 2], { dtype: "int32" }))), [1, 0, 1])
    assert.deepStrictEqual(toJsSync(np.bincount(np.array([-3], { dtype: "int32" }))), [1])
  })

  it("gradients flow through where, initial and pad modes", () => {
    // d/dx sum(x, where=[T, F, T]) = [1, 0, 1]; d/dx max(x, initial=2) at [1, 3, 0] = [0, 1, 0]
    const x = f64([1, 3, 0])
    expect.close(value(grad((t: Tensor) => np.sum(t, { where: [true, false, true] }))(x)), [1, 0, 1])
    expect.close(value(grad((t: Tensor) => np.max(t, { initial: 2 }))(x)), [0, 1, 0])
    // var with where over [x0, x2] = (x0 - x2)^2 / 4: gradient [(x0 - x2) / 2, 0, -(x0 - x2) / 2]
    expect.close(value(grad((t: Tensor) => np.var(t, { where: [true, false, true] }))(x)), [0.5, 0, -0.5], 1e-12)
    // symmetric padding copies x0 once more on the left and x2 once more on the right
    expect.close(value(grad((t: Tensor) => np.sum(np.pad(t, [1, 1], { mode: "symmetric" })))(x)), [2, 1, 2])
    // edge padding by 2 on the right: x2 appears three times
    expect.close(value(grad((t: Tensor) => np.sum(np.pad(t, [0, 2], { mode: "edge" })))(x)), [1, 1, 3])
  })
})

describe("complex inverse hyperbolic functions (JAX's lax.asinh/acosh/atanh take complex input)", () => {
  const z = np.array([{ re: 0.5, im: 0.5 }, { re: -2, im: 0.3 }, { re: 0, im: 2 }, { re: 2, im: 0 }], {
    dtype: "complex128"
  })
  // NumPy 2.4.6's principal values on the same points
  it("arcsinh", () => {
    expect.close(toJsSync(np.arcsinh(z)), [
      { re: 0.5306375309525179, im: 0.45227844715119064 },
      { re: -1.4516490266745097, im: 0.13360214054359706 },
      { re: 1.3169578969248166, im: 1.5707963267948966 },
      { re: 1.4436354751788103, im: 0 }
    ], 1e-12)
  })
  it("arccosh", () => {
    expect.close(toJsSync(np.arccosh(z)), [
      { re: 0.5306375309525179, im: 1.118517879643706 },
      { re: 1.3338227904809452, im: 2.9708921821535967 },
      { re: 1.4436354751788103, im: 1.5707963267948966 },
      { re: 1.3169578969248166, im: 0 }
    ], 1e-12)
  })
  it("arctanh, with +0 imaginary part on the cut (1, inf) giving +pi/2", () => {
    expect.close(toJsSync(np.arctanh(z)), [
      { re: 0.40235947810852507, im: 0.5535743588970452 },
      { re: -0.5302493029870837, im: 1.474902255801544 },
      { re: 0, im: 1.1071487177940904 },
      { re: 0.5493061443340549, im: 1.5707963267948966 }
    ], 1e-12)
  })
})

describe("set operations", () => {
  it("intersect1d returns the first indices of the common values with returnIndices", () => {
    // np.intersect1d([1, 3, 4, 3], [3, 1, 2, 1], return_indices=True) == ([1, 3], [0, 1], [1, 0])
    const [common, i1, i2] = np.intersect1d(f32([1, 3, 4, 3]), f32([3, 1, 2, 1]), { returnIndices: true })
    assert.deepStrictEqual(toJsSync([common, i1, i2]), [[1, 3], [0, 1], [1, 0]])
  })
})

describe("einsum", () => {
  it("an axis of size 1 broadcasts against its label's size (opt_einsum's rule, which JAX follows)", () => {
    // np.einsum("ij,jk", [[1, 2]], [[1, 2]]): j is 2 and 1, so the second is [[1, 2], [1, 2]]: [[3, 6]]
    expect.close(toJsSync(np.einsum("ij,jk", f32([[1, 2]]), f32([[1, 2]]))), [[3, 6]])
    // np.einsum("ij,ij->i", [[1, 2], [3, 4]], [[1, 2]]) == [5, 11]
    expect.close(toJsSync(np.einsum("ij,ij->i", f32([[1, 2], [3, 4]]), f32([[1, 2]]))), [5, 11])
    expect.close(toJsSync(np.einsum("i,i->i", f32([1, 2, 3]), f32([2]))), [2, 4, 6])
  })
})

describe("signed zeros", () => {
  it("arcsinh and arctanh keep the sign of a zero (JAX's lax.asinh(-0.) is -0.), with derivative 1 there", () => {
    const out = toJsSync(np.arcsinh(f64([-0, 0]))) as Array<number>
    assert.isTrue(Object.is(out[0], -0) && Object.is(out[1], 0))
    const th = toJsSync(np.arctanh(f32([-0, 0]))) as Array<number>
    assert.isTrue(Object.is(th[0], -0) && Object.is(th[1], 0))
    expect.close(value(grad((x: Tensor) => np.arcsinh(x))(f64(-0))), 1)
    expect.close(value(grad((x: Tensor) => np.arctanh(x))(f64(-0))), 1)
  })
})

describe("roll by a tensor shift (jax/_src/numpy/lax_numpy.py, _roll_dynamic)", () => {
  const x = () => np.reshape(np.arange(12, { dtype: "float32" }), [3, 4])
  const i32 = (v: number | Array<number>) => np.array(v, { dtype: "int32" })

  it("a concrete or traced shift gives the static roll: flattened, one axis, per axis, broadcast", () => {
    for (const k of [-5, -1, 0, 1, 2, 4, 13]) {
      expect.close(toJsSync(np.roll(x(), i32(k))), toJsSync(np.roll(x(), k)))
      expect.close(toJsSync(np.roll(x(), i32(k), { axis: 1 })), toJsSync(np.roll(x(), k, { axis: 1 })))
      // jax.jit(lambda s: jnp.roll(x, s, axis=0))(k)
      expect.close(
        value(jit((s: Tensor) => np.roll(x(), s, { axis: 0 }))(i32(k))),
        toJsSync(np.roll(x(), k, { axis: 0 }))
      )
    }
    expect.close(
      toJsSync(np.roll(x(), i32([1, -3]), { axis: [0, 1] })),
      toJsSync(np.roll(x(), [1, -3], { axis: [0, 1] }))
    )
    // one shift broadcast over two axes; two shifts along one axis add up
    expect.close(toJsSync(np.roll(x(), i32([2]), { axis: [0, 1] })), toJsSync(np.roll(x(), [2, 2], { axis: [0, 1] })))
    expect.close(toJsSync(np.roll(x(), i32([1, 2]), { axis: 1 })), toJsSync(np.roll(x(), 3, { axis: 1 })))
  })

  it("vmapped over the shift, and differentiated with respect to the array (the cotangent rolled back)", () => {
    const rolled = value(vmap((s: Tensor) => np.roll(x(), s, { axis: 1 }))(i32([0, 1, 5])))
    expect.close(rolled, [0, 1, 5].map((k) => toJsSync(np.roll(x(), k, { axis: 1 }))))
    const w = np.multiply(x(), 0.5)
    const g = value(grad((y: Tensor) => np.sum(np.multiply(np.roll(y, i32(3), { axis: 1 }), w)))(x()))
    expect.close(g, toJsSync(np.roll(w, -3, { axis: 1 })))
  })

  it("a shift of rank 2, shifts that do not broadcast against the axes, or a float shift are typed errors", () => {
    expect.error(
      thrown(() => np.roll(x(), np.zeros([2, 1], { dtype: "int32" }), { axis: 0 })),
      ShapeError,
      /scalars or 1D arrays/
    )
    expect.error(thrown(() => np.roll(x(), i32([1, 2, 3]), { axis: [0, 1] })), ShapeError, /incompatible shapes/)
    expect.error(thrown(() => np.roll(x(), np.array(1.5))), ArgumentError, /an integer tensor/)
  })
})

describe("complex operands (jax/_src/numpy/ufuncs.py)", () => {
  it("rint rounds each part half to even; frexp refuses complex, as JAX's", () => {
    // jnp.rint(jnp.array([1.5+2.5j, 3.26-1.74j])) == [2.+2.j, 3.-2.j]
    const z = np.array([{ re: 1.5, im: 2.5 }, { re: 3.26, im: -1.74 }], { dtype: "complex64" })
    expect.close(toJsSync(np.rint(z)), [{ re: 2, im: 2 }, { re: 3, im: -2 }])
    const e = thrown(() => np.frexp(z))
    assert.instanceOf(e, DTypeError)
    assert.match((e as Error).message, /frexp does not support complex-valued inputs/)
  })

  it("logaddexp and logaddexp2 take complex values (jax/_src/lax/other.py); hypot and copysign refuse them", () => {
    // JAX: max + log1p(exp((a + b) - 2 max)) with the lexicographic max, the imaginary part wrapped
    // into [-pi, pi] ([-pi/ln 2, pi/ln 2]); values from that formula in Python's cmath
    const a = np.array([{ re: 1, im: 2 }, { re: 1, im: 3 }, { re: -0.5, im: 0.5 }], { dtype: "complex128" })
    const b = np.array([{ re: 3, im: -1 }, { re: 1, im: 3.1 }, { re: 2, im: 0 }], { dtype: "complex128" })
    expect.close(toJsSync(np.logaddexp(a, b)), [
      { re: 2.856394780842109, im: -0.9779503462008972 },
      { re: 1.691896659379126, im: 3.05 },
      { re: 2.070233313869284, im: 0.03669276813146638 }
    ], 1e-14)
    expect.close(toJsSync(np.logaddexp2(a, b)), [
      { re: 2.8559701367188146, im: -0.6484442794634608 },
      { re: 1.9991333925183838, im: 3.05 },
      { re: 2.223806445003726, im: 0.07421384830398647 }
    ], 1e-14)
    expect.error(thrown(() => np.hypot(a, b)), DTypeError, /jnp\.hypot is not well defined for complex-valued inputs/)
    expect.error(thrown(() => np.copysign(a, b)), DTypeError, /copysign does not support complex-valued inputs/)
  })

  it("sinc takes complex values: sin(pi z) / (pi z), 1 at 0", () => {
    // numpy.sinc(0.5+0.5j) == 0.79869632-0.79869632j
    const z = np.array([{ re: 0.5, im: 0.5 }, { re: 0, im: 0 }], { dtype: "complex128" })
    expect.close(toJsSync(np.sinc(z)), [{ re: 0.7986963159564631, im: -0.7986963159564631 }, { re: 1, im: 0 }], 1e-14)
  })
})
