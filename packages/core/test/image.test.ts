/**
 * image.resize and image.scaleAndTranslate (JAX's jax.image): JAX's image_test
 * cases that need neither TensorFlow nor PIL (testResizeUp,
 * testScaleAndTranslateUp/Down/JITs/GradFinite/NegativeDims,
 * testResizePyTorchGolden, testResizeEmpty, testResizeWithUnusualShapes),
 * nearest against a JS loop, every method against a float64 NumPy
 * transcription of JAX's weights algorithm (written for these tests and kept
 * outside the repository; its outputs are quoted below), gradients against
 * central differences in float64, jit and vmap, and the errors.
 */
import { image, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, runSync, vmap } from "diffect"
import { failure, js } from "./npSetup.js"
import { assertGradient, assertNear, f64, flat } from "./signalSetup.js"

type Method = "linear" | "cubic" | "lanczos3" | "lanczos5" | "area" | "cubic-pytorch"

// JAX's image_test data
const upData = [64, 32, 32, 64, 50, 100]
const downData = [
  51,
  38,
  32,
  89,
  41,
  21,
  97,
  51,
  33,
  87,
  89,
  34,
  21,
  97,
  43,
  25,
  25,
  92,
  41,
  11,
  84,
  11,
  55,
  111,
  23,
  99,
  50,
  83,
  13,
  92,
  52,
  43,
  90,
  43,
  14,
  89,
  71,
  32,
  23,
  23,
  35,
  93
]
const f32 = (v: np.NestedArray) => np.array(v, { dtype: "float32" })
const resizeUpExpected: Record<"nearest" | "linear" | "lanczos3" | "lanczos5" | "cubic", Array<number>> = {
  nearest: [64, 64, 32, 32, 64, 64, 32, 32, 32, 32, 64, 64, 32, 32, 64, 64, 50, 50, 100, 100, 50, 50, 100, 100],
  linear: [
    64,
    56,
    40,
    32,
    56,
    52,
    44,
    40,
    40,
    44,
    52,
    56,
    36.5,
    45.625,
    63.875,
    73,
    45.5,
    56.875,
    79.625,
    91,
    50,
    62.5,
    87.5,
    100
  ],
  lanczos3: [
    75.8294,
    59.6281,
    38.4313,
    22.23,
    60.6851,
    52.0037,
    40.6454,
    31.964,
    35.8344,
    41.0779,
    47.9383,
    53.1818,
    24.6968,
    43.0769,
    67.1244,
    85.5045,
    35.7939,
    56.4713,
    83.5243,
    104.2017,
    44.8138,
    65.1949,
    91.8603,
    112.2413
  ],
  lanczos5: [
    77.5699,
    60.0223,
    40.6694,
    23.1219,
    61.8253,
    51.2369,
    39.5593,
    28.9709,
    35.7438,
    40.8875,
    46.5604,
    51.7041,
    21.5942,
    43.5299,
    67.7223,
    89.658,
    32.1213,
    56.784,
    83.984,
    108.6467,
    44.5802,
    66.183,
    90.0082,
    111.6109
  ],
  cubic: [
    70.1453,
    59.0252,
    36.9748,
    25.8547,
    59.3195,
    53.3386,
    41.4789,
    35.4981,
    36.383,
    41.285,
    51.0051,
    55.9071,
    30.2232,
    42.151,
    65.8032,
    77.731,
    41.6492,
    55.823,
    83.9288,
    98.1026,
    47.0363,
    62.2744,
    92.4903,
    107.7284
  ]
}
// JAX's testScaleAndTranslateDown expectations (scale [1, 0.35, 0.4, 1], translation [0, 0.2, 0.1, 0])
const downExpected: Record<"linear" | "lanczos3" | "lanczos5" | "cubic", readonly [Array<number>, Array<number>]> = {
  linear: [[43.5372, 59.3694, 53.6907, 49.3221, 56.8168, 55.4849, 0, 0, 0], [
    43.6071,
    89,
    59,
    37.1785,
    27.2857,
    58.3571,
    0,
    0,
    0
  ]],
  lanczos3: [[43.2884, 57.9091, 54.6439, 48.5856, 58.2427, 53.7551, 0, 0, 0], [
    44.139,
    87.8786,
    63.3111,
    25.1161,
    20.8795,
    53.6165,
    0,
    0,
    0
  ]],
  lanczos5: [[43.9209, 57.636, 54.9575, 48.9272, 58.1865, 53.1948, 0, 0, 0], [
    44.8835,
    85.5896,
    66.7231,
    16.9983,
    19.8891,
    47.1446,
    0,
    0,
    0
  ]],
  cubic: [[42.9935, 59.1687, 54.2138, 48.264, 58.2678, 54.4088, 0, 0, 0], [
    43.6426,
    88.8854,
    60.6638,
    31.4685,
    22.1204,
    58.3457,
    0,
    0,
    0
  ]]
}

// Within an absolute tolerance (JAX's assertAllClose with atol).
const assertAbs = (got: ReadonlyArray<number>, want: ReadonlyArray<number>, atol: number, what: string) => {
  assert.strictEqual(got.length, want.length, what)
  got.forEach((g, i) => assert.isTrue(Math.abs(g - want[i]!) <= atol, `${what}[${i}]: ${g} vs ${want[i]}`))
}

describe("image.resize: JAX's tests", () => {
  it("testResizeUp: every method, two layouts, float32, float64 and complex64", () => {
    const layouts = [[[3, 1, 2], [6, 1, 4]], [[1, 3, 2, 1], [1, 6, 4, 1]]] as const
    for (const method of ["nearest", "linear", "lanczos3", "lanczos5", "cubic"] as const) {
      for (const [inShape, outShape] of layouts) {
        for (const dtype of ["float32", "float64", "complex64"] as const) {
          const x = np.reshape(np.array(upData, { dtype }), [...inShape])
          const y = image.resize(x, [...outShape], method)
          assert.deepStrictEqual(y.shape, [...outShape])
          assert.strictEqual(y.dtype, dtype)
          const got = dtype === "complex64" ? flat(np.real(y)) : flat(y)
          assertAbs(got, resizeUpExpected[method], 1e-4, `${method} ${dtype} ${inShape}`)
          if (dtype === "complex64") assertAbs(flat(np.imag(y)), got.map(() => 0), 0, "imaginary part")
        }
      }
    }
  })

  it("testResizePyTorchGolden: bicubic-pytorch without antialiasing repeats the edges", () => {
    const x = np.divide(np.reshape(np.arange(10, { dtype: "float32" }), [2, 5]), 9)
    const want = [
      [-0.0703, -0.0373, 0.0156, 0.0855, 0.1306, 0.1966, 0.2418, 0.3116, 0.3646, 0.3976],
      [0.1141, 0.1471, 0.2001, 0.27, 0.3151, 0.3811, 0.4262, 0.4961, 0.549, 0.582],
      [0.418, 0.451, 0.5039, 0.5738, 0.6189, 0.6849, 0.73, 0.7999, 0.8529, 0.8859],
      [0.6024, 0.6354, 0.6884, 0.7582, 0.8034, 0.8694, 0.9145, 0.9844, 1.0373, 1.0703]
    ]
    assertAbs(flat(image.resize(x, [4, 10], "bicubic-pytorch", { antialias: false })), want.flat(), 1e-3, "golden")
  })

  it("testResizeEmpty: an output dimension of size 0 gives an empty array, for every method", () => {
    const cases = [[[1], [0]], [[5, 5], [5, 0]], [[5, 5], [0, 1]], [[5, 5], [0, 0]]] as const
    for (const method of ["nearest", "linear", "lanczos3", "lanczos5", "cubic", "area"] as const) {
      for (const antialias of [false, true]) {
        for (const [inShape, outShape] of cases) {
          const y = image.resize(np.ones([...inShape]), [...outShape], method, { antialias })
          assert.deepStrictEqual(y.shape, [...outShape])
          assert.strictEqual(y.dtype, "float32")
        }
      }
    }
  })

  it("testResizeWithUnusualShapes: the shape may be an integer tensor; a fractional size is an error", () => {
    const x = np.ones([3, 4])
    assert.deepStrictEqual(image.resize(x, np.array([10, 17], { dtype: "int32" }), "nearest").shape, [10, 17])
    const msg = failure(() => image.resize(x, [10.5, 17], "bicubic"), "ShapeError")
    assert.include(msg, "non-negative integer")
  })

  it("testResizeGradients: the gradient in the image is the transposed resampling (central differences)", () => {
    const x0 = [3, -1, 4, 1, -5, 9, 2, 6, -5, 3, 5, -8]
    const c = f64([0.5, -1, 2, 0.25, 1.5, -0.75, 1, 3, -2, 0.125, 0.5, 1, 2, -1, 0.5, 1.25, -0.5, 2, 1, 1])
    for (const method of ["linear", "lanczos3", "lanczos5", "cubic", "area", "cubic-pytorch"] as const) {
      for (const antialias of [false, true]) {
        for (const out of [[4, 5], [2, 2]] as const) {
          const k = out[0] * out[1]
          const f = (x: Tensor) =>
            np.sum(np.multiply(np.ravel(image.resize(x, [...out], method, { antialias })), lax.slice(c, [0], [k])))
          assertGradient(f, x0, [3, 4], 1e-7)
        }
      }
    }
  })
})

describe("image.resize: nearest", () => {
  it("reads floor((i + 0.5) * m / n) along each changed dimension, keeping the dtype (a JS loop)", () => {
    const [r, c] = [5, 7]
    const data = Array.from({ length: r * c }, (_, i) => (i * 37) % 101)
    const x = np.reshape(np.array(data, { dtype: "int32" }), [r, c])
    for (const [n, m] of [[2, 3], [9, 11], [5, 4], [1, 1], [10, 14], [3, 7]] as const) {
      const y = image.resize(x, [n, m], "nearest")
      assert.strictEqual(y.dtype, "int32")
      const want: Array<number> = []
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          want.push(data[Math.floor(((i + 0.5) * r) / n) * c + Math.floor(((j + 0.5) * c) / m)]!)
        }
      }
      assert.deepStrictEqual(flat(y), want, `${n}x${m}`)
    }
    assert.deepStrictEqual(js(image.resize(np.array([true, false]), [4], "nearest")), [true, true, false, false])
  })

  it("3 -> 10 reads [0, 0, 0, 1, 1, 1, 1, 2, 2, 2] (by hand)", () => {
    // (i + 0.5) * 3 / 10 for i = 0..9: 0.15 0.45 0.75 1.05 1.35 1.65 1.95 2.25 2.55 2.85
    assert.deepStrictEqual(flat(image.resize(f32([10, 20, 30]), [10], "nearest")), [
      10,
      10,
      10,
      20,
      20,
      20,
      20,
      30,
      30,
      30
    ])
  })
})

// python3 -c "from ref import *; print(resize([3,-1,4,1,-5,9,2], [3], m, aa))" (that transcription, float64)
const v7 = [3, -1, 4, 1, -5, 9, 2]
const downRef: Array<readonly [Method, boolean, Array<number>]> = [
  ["linear", true, [1.5, 0.647058823529, 3.5]],
  ["linear", false, [0.333333333333, 1.0, 6.66666666667]],
  ["cubic", true, [1.68951612903, 0.351648351648, 3.52822580645]],
  ["cubic", false, [-0.0714285714286, 1.0, 7.75]],
  ["lanczos3", true, [1.88800963563, 0.300753770054, 3.37954165814]],
  ["lanczos3", false, [-0.204746637543, 1.0, 8.18967892018]],
  ["lanczos5", true, [1.97589291424, 0.270272233411, 3.32857823068]],
  ["lanczos5", false, [-0.0122198567018, 1.0, 8.2616157374]],
  ["area", true, [1.42857142857, 0.142857142857, 4.0]],
  ["area", false, [1.42857142857, 0.142857142857, 4.0]],
  ["cubic-pytorch", true, [1.68951612903, 0.351648351648, 3.52822580645]],
  ["cubic-pytorch", false, [-0.296296296296, 1.0, 8.35185185185]]
]
// python3 -c "from ref import *; print(resize([3,-1,4,1,-5,9,2], [10], m, False))"
const upRef: Array<readonly [Method, Array<number>]> = [
  ["linear", [3.0, 0.8, 0.25, 3.75, 2.05, -1.1, -4.3, 5.5, 5.85, 2.0]],
  ["cubic", [
    3.24228028504,
    0.546800071044,
    -0.1953125,
    3.9198125,
    2.5903125,
    -1.6744375,
    -4.7263125,
    6.5078125,
    6.63157894737,
    1.57600950119
  ]],
  ["lanczos3", [
    3.46638795262,
    0.369119844793,
    -0.323172487149,
    3.82000494866,
    3.57384910065,
    -2.71190621736,
    -4.60435884811,
    6.57277185659,
    7.17408129523,
    1.04622728715
  ]],
  ["lanczos5", [
    3.56381923095,
    0.51268775113,
    -0.759232607188,
    3.69473844986,
    4.38231582546,
    -3.36756293402,
    -4.55538924177,
    6.74070516694,
    7.33044497516,
    0.74003637316
  ]],
  ["area", [3.0, 0.714285714286, -0.285714285714, 4.0, 1.85714285714, -0.714285714286, -5.0, 7.0, 6.0, 2.0]],
  ["cubic-pytorch", [
    3.325125,
    0.26478125,
    -0.18359375,
    3.89784375,
    2.96284375,
    -2.16640625,
    -4.64021875,
    6.35546875,
    7.322625,
    1.43103125
  ]]
]
// python3 -c "from ref import *; print(sat([3,-1,4,1,-5,9,2], [5], [0], [0.6], [0.3], m, aa))"
const satRef: Array<readonly [Method, boolean, Array<number>]> = [
  ["linear", true, [2.0, 1.5625, -0.235294117647, 3.64705882353, 2.875]],
  ["linear", false, [3.0, 1.5, 0, 6.66666666667, 2.0]],
  ["cubic", true, [1.97095959596, 1.77836411609, -0.622877569258, 3.63706233988, 3.1162507608]],
  ["cubic", false, [3.26315789474, 1.4375, -0.0578703703704, 7.65046296296, 1.125]],
  ["lanczos3", true, [1.61159909966, 2.12547023678, -0.902155265112, 3.34704446283, 3.93325411784]],
  ["lanczos3", false, [3.51094702838, 1.19777158774, -0.709643670108, 7.67590650123, -0.244565217391]],
  ["lanczos5", true, [1.08060997281, 2.36363830342, -1.07587186494, 3.14317814855, 4.62868920071]],
  ["lanczos5", false, [3.62226860637, 0.486563428952, -1.13358784388, 7.77774070976, -1.59165831394]],
  ["area", true, [2.42857142857, 1.5, -0.5, 4.1, 2.0]],
  ["area", false, [2.42857142857, 1.5, -0.5, 4.1, 2.0]],
  ["cubic-pytorch", true, [1.97095959596, 1.77836411609, -0.622877569258, 3.63706233988, 3.1162507608]],
  ["cubic-pytorch", false, [3.34722222222, 1.40625, -0.364583333333, 7.49421296296, 1.34375]]
]

describe("image: against a NumPy transcription of JAX's weights algorithm", () => {
  it("resize down (7 -> 3) with and without antialiasing, every kernel", () => {
    for (const [method, antialias, want] of downRef) {
      assertNear(flat(image.resize(f64(v7), [3], method, { antialias })), want, 1e-10, `${method} ${antialias}`)
    }
  })
  it("resize up (7 -> 10), every kernel (antialiasing has no effect upsampling)", () => {
    for (const [method, want] of upRef) {
      for (const antialias of [true, false]) {
        if (method === "cubic-pytorch" && antialias) continue // Keys' kernel then
        assertNear(flat(image.resize(f64(v7), [10], method, { antialias })), want, 1e-10, method)
      }
    }
  })
  it("scaleAndTranslate (7 -> 5, scale 0.6, translation 0.3), every kernel", () => {
    for (const [method, antialias, want] of satRef) {
      const y = image.scaleAndTranslate(f64(v7), [5], [0], f64([0.6]), f64([0.3]), method, { antialias })
      assertNear(flat(y), want, 1e-10, `${method} ${antialias}`)
    }
  })
  it("resize is scaleAndTranslate with scale n/m and no translation; 2-D is the two 1-D passes", () => {
    const x = np.reshape(f64(Array.from({ length: 35 }, (_, i) => ((i * 7) % 11) - 3 * (i % 3))), [5, 7])
    for (const method of ["linear", "cubic", "lanczos3", "lanczos5", "area", "cubic-pytorch"] as const) {
      for (const antialias of [true, false]) {
        for (const [n, m] of [[3, 4], [8, 9], [2, 10]] as const) {
          const opts = { antialias }
          const y = image.resize(x, [n, m], method, opts)
          const s = image.scaleAndTranslate(x, [n, m], [0, 1], f64([n / 5, m / 7]), f64([0, 0]), method, opts)
          assertNear(flat(y), flat(s), 1e-12, `${method} ${antialias} ${n}x${m}`)
          const twoPasses = image.resize(image.resize(x, [n, 7], method, opts), [n, m], method, opts)
          assertNear(flat(y), flat(twoPasses), 1e-12, `${method} separable`)
        }
      }
    }
  })
  it("JAX's aliases and ResizeMethod members name the same kernels; dims of unchanged size are untouched", () => {
    const x = np.reshape(f64([1, 5, 2, 8, 3, 7]), [2, 3])
    const pairs = [
      ["bilinear", "linear"],
      ["trilinear", "linear"],
      ["triangle", "linear"],
      ["bicubic", "cubic"],
      [
        "tricubic",
        "cubic"
      ],
      ["bicubic-pytorch", image.ResizeMethod.CUBIC_PYTORCH],
      [image.ResizeMethod.LANCZOS3, "lanczos3"]
    ] as const
    for (const [a, b] of pairs) {
      for (const antialias of [true, false]) {
        assertNear(
          flat(image.resize(x, [2, 5], a, { antialias })),
          flat(image.resize(x, [2, 5], b, { antialias })),
          0,
          a
        )
      }
    }
    // an identity resize returns the (promoted) image itself
    const ints = np.array([[1, 2], [3, 4]], { dtype: "int32" })
    const same = image.resize(ints, [2, 2], "lanczos5")
    assert.strictEqual(same.dtype, "float32")
    assert.deepStrictEqual(flat(same), [1, 2, 3, 4])
    assert.strictEqual(image.resize(ints, [2, 3], "linear").dtype, "float32")
    assert.strictEqual(image.resize(ints, [2, 3], "nearest").dtype, "int32")
    assert.strictEqual(image.scaleAndTranslate(ints, [2, 3], [1], [1.5], [0], "linear").dtype, "float32")
  })
})

describe("image.scaleAndTranslate: JAX's tests", () => {
  it("testScaleAndTranslateUp: the translation shifts, pixels mapping outside are 0", () => {
    const want: Record<"linear" | "lanczos3" | "lanczos5" | "cubic", Array<number>> = {
      linear: [0, 0, 0, 0, 56, 40, 32, 0, 52, 44, 40, 0, 44, 52, 56, 0, 45.625, 63.875, 73, 0, 56.875, 79.625, 91, 0],
      lanczos3: [
        0,
        0,
        0,
        0,
        59.6281,
        38.4313,
        22.23,
        0,
        52.0037,
        40.6454,
        31.964,
        0,
        41.0779,
        47.9383,
        53.1818,
        0,
        43.0769,
        67.1244,
        85.5045,
        0,
        56.4713,
        83.5243,
        104.2017,
        0
      ],
      lanczos5: [
        0,
        0,
        0,
        0,
        60.0223,
        40.6694,
        23.1219,
        0,
        51.2369,
        39.5593,
        28.9709,
        0,
        40.8875,
        46.5604,
        51.7041,
        0,
        43.5299,
        67.7223,
        89.658,
        0,
        56.784,
        83.984,
        108.6467,
        0
      ],
      cubic: [
        0,
        0,
        0,
        0,
        59.0252,
        36.9748,
        25.8547,
        0,
        53.3386,
        41.4789,
        35.4981,
        0,
        41.285,
        51.0051,
        55.9071,
        0,
        42.151,
        65.8032,
        77.731,
        0,
        55.823,
        83.9288,
        98.1026,
        0
      ]
    }
    const cases = [
      [[3, 1, 2], [6, 1, 4], [2, 1, 2], [1, 0, -1]],
      [[1, 3, 2, 1], [1, 6, 4, 1], [1, 2, 2, 1], [0, 1, -1, 0]]
    ] as const
    for (const method of ["linear", "lanczos3", "lanczos5", "cubic"] as const) {
      for (const [inShape, outShape, scale, translation] of cases) {
        for (const dtype of ["float32", "float64"] as const) {
          const x = np.reshape(np.array(upData, { dtype }), [...inShape])
          const dims = inShape.map((_, i) => i)
          const y = image.scaleAndTranslate(x, [...outShape], dims, f32([...scale]), f32([...translation]), method)
          assert.strictEqual(y.dtype, dtype)
          assertAbs(flat(y), want[method], 2e-3, `${method} ${inShape} ${dtype}`)
        }
      }
    }
  })

  it("testScaleAndTranslateDown: downsampling with and without antialiasing; identity dims may be left out", () => {
    const x = np.reshape(f32(downData), [1, 6, 7, 1])
    const scale = f32([1, 0.35, 0.4, 1])
    const translation = f32([0, 0.2, 0.1, 0])
    for (const method of ["linear", "lanczos3", "lanczos5", "cubic"] as const) {
      for (const antialias of [true, false]) {
        const want = downExpected[method][antialias ? 0 : 1]
        const all = image.scaleAndTranslate(x, [1, 3, 3, 1], [0, 1, 2, 3], scale, translation, method, { antialias })
        assertAbs(flat(all), want, 2e-3, `${method} ${antialias}`)
        const some = image.scaleAndTranslate(x, [1, 3, 3, 1], [1, 2], f32([0.35, 0.4]), f32([0.2, 0.1]), method, {
          antialias
        })
        assertAbs(flat(some), want, 2e-3, `${method} ${antialias} dims (1, 2)`)
      }
    }
  })

  it("testScaleAndTranslateJITs: jit with the scale and translation traced", () => {
    const x = np.reshape(f32(downData), [1, 6, 7, 1])
    for (const antialias of [true, false]) {
      const f = jit((img: Tensor, s: Tensor, t: Tensor) =>
        image.scaleAndTranslate(img, [1, 3, 3, 1], [0, 1, 2, 3], s, t, "linear", { antialias, precision: "highest" })
      )
      const y = runSync(f(x, f32([1, 0.35, 0.4, 1]), f32([0, 0.2, 0.1, 0]))) as Tensor
      assertAbs(flat(y), downExpected.linear[antialias ? 0 : 1], 2e-3, `jit ${antialias}`)
    }
  })

  it("testScaleAndTranslateGradFinite, and the gradients in scale and translation match central differences", () => {
    const x = np.reshape(f32(downData), [1, 6, 7, 1])
    for (const antialias of [true, false]) {
      const bySum = (s: Tensor, t: Tensor) =>
        np.sum(image.scaleAndTranslate(x, [1, 3, 3, 1], [0, 1, 2, 3], s, t, "linear", { antialias }))
      const gs = flat(runSync(grad((s: Tensor) => bySum(s, f32([0, 0.2, 0.1, 0])))(f32([1, 0.35, 0.4, 1]))) as Tensor)
      const gt = flat(runSync(grad((t: Tensor) => bySum(f32([1, 0.35, 0.4, 1]), t))(f32([0, 0.2, 0.1, 0]))) as Tensor)
      assert.isTrue([...gs, ...gt].every(Number.isFinite), `${gs} ${gt}`)
      assert.isTrue(gs.some((g) => g !== 0) && gt.some((g) => g !== 0), "the gradients depend on the warp")
    }
    // float64: d/d(scale, translation) of a weighted sum, for each kernel, at a point away from the kinks
    // (at scale 0.6, translation 0.3 the last centre maps to 6.5 = m - 0.5, the edge of the zeroing mask)
    const c = f64([0.5, -1, 2, 0.25, 1.5])
    for (const method of ["linear", "cubic", "lanczos3", "lanczos5", "area", "cubic-pytorch"] as const) {
      for (const antialias of [true, false]) {
        const opts = { antialias }
        const f = (st: Tensor) =>
          np.sum(np.multiply(
            image.scaleAndTranslate(f64(v7), [5], [0], lax.slice(st, [0], [1]), lax.slice(st, [1], [2]), method, opts),
            c
          ))
        assertGradient(f, [0.65, 0.3], [2], 1e-6)
      }
    }
  })

  it("testScaleAndTranslateNegativeDims: negative spatial dims count from the end", () => {
    const x = np.full([3, 3], 0.5)
    const a = image.scaleAndTranslate(x, [5, 5], [-2, -1], np.ones([2]), np.zeros([2]), "linear")
    const b = image.scaleAndTranslate(x, [5, 5], [0, 1], np.ones([2]), np.zeros([2]), "linear")
    assert.deepStrictEqual(flat(a), flat(b))
    // scale 1 on 3 -> 5: the last two output pixels map outside the input
    assert.deepStrictEqual(flat(a).slice(0, 5), [0.5, 0.5, 0.5, 0, 0])
  })
})

describe("image: transformations", () => {
  it("vmap over images is the per-image resize; vmap over scales the per-scale warp", () => {
    const imgs = np.reshape(f64(Array.from({ length: 24 }, (_, i) => Math.sin(i))), [2, 3, 4])
    const batched = runSync(vmap((x: Tensor) => image.resize(x, [5, 2], "cubic"))(imgs)) as Tensor
    assert.deepStrictEqual(batched.shape, [2, 5, 2])
    for (const b of [0, 1]) {
      assertNear(flat(batched).slice(b * 10, b * 10 + 10), flat(image.resize(imgs.at(b), [5, 2], "cubic")), 1e-14)
    }
    const scales = f64([[0.6], [1.7], [0.9]])
    const byScale = runSync(
      vmap((s: Tensor) => image.scaleAndTranslate(f64(v7), [5], [0], s, f64([0.3]), "lanczos3"))(scales)
    ) as Tensor
    for (const [i, s] of [0.6, 1.7, 0.9].entries()) {
      const one = image.scaleAndTranslate(f64(v7), [5], [0], f64([s]), f64([0.3]), "lanczos3")
      assertNear(flat(byScale).slice(i * 5, i * 5 + 5), flat(one), 1e-13, `scale ${s}`)
    }
  })
  it("nearest's gradient sums the cotangents of the outputs reading each pixel (3 -> 7 reads 0,0,1,1,1,2,2)", () => {
    const f = (v: Tensor) => np.sum(np.multiply(image.resize(v, [7], "nearest"), np.arange(7, { dtype: "float64" })))
    assert.deepStrictEqual(flat(runSync(grad(f)(f64([1, 2, 3]))) as Tensor), [0 + 1, 2 + 3 + 4, 5 + 6])
  })
  it("second derivatives in the scale: grad of grad against a central difference of the gradient", () => {
    const c = f64([0.5, -1, 2, 0.25, 1.5])
    const f = (s: Tensor) => np.sum(np.multiply(image.scaleAndTranslate(f64(v7), [5], [0], s, f64([0.3]), "cubic"), c))
    const g = (s: Tensor) => np.sum(runSync(grad(f)(s)) as Tensor)
    const h = 1e-5
    const fd = (flat(g(f64([0.65 + h])))[0]! - flat(g(f64([0.65 - h])))[0]!) / (2 * h)
    assertNear(flat(runSync(grad(g)(f64([0.65]))) as Tensor), [fd], 1e-6)
  })
  it("jit of resize matches the eager result", () => {
    const x = np.reshape(f32(downData), [6, 7])
    const f = jit((img: Tensor) => image.resize(img, [4, 3], "lanczos3"))
    assertNear(flat(runSync(f(x)) as Tensor), flat(image.resize(x, [4, 3], "lanczos3")), 1e-6)
  })
})

describe("image: errors", () => {
  const x = np.ones([3, 4])
  it("an unknown method names the methods", () => {
    const msg = failure(() => image.resize(x, [3, 4], "bilinearr" as never), "ArgumentError")
    assert.include(msg, "method must be one of \"nearest\", \"linear\"")
    assert.include(msg, "\"bilinearr\"")
  })
  it("a shape of another rank, a negative size, resizing an empty dimension", () => {
    assert.include(failure(() => image.resize(x, [3], "linear"), "ShapeError"), "shape must have length equal to")
    assert.include(failure(() => image.resize(x, [3, -1], "nearest"), "ShapeError"), "non-negative integer")
    assert.include(
      failure(() => image.resize(np.ones([0, 2]), [2, 2], "linear"), "ShapeError"),
      "dimension 0 of size 0"
    )
    assert.include(failure(() => image.resize(np.ones([0, 2]), [2, 2], "nearest"), "ShapeError"), "size 0 to size 2")
  })
  it("scaleAndTranslate: nearest, mismatched scale/translation, bad or repeated dims, a resized non-spatial dim", () => {
    const s = np.ones([2])
    const t = np.zeros([2])
    assert.include(
      failure(() => image.scaleAndTranslate(x, [3, 4], [0, 1], s, t, "nearest"), "ArgumentError"),
      "use resize"
    )
    assert.include(
      failure(() => image.scaleAndTranslate(x, [3, 4], [0, 1], np.ones([3]), t, "linear"), "ShapeError"),
      "scale must have one entry per spatial dimension"
    )
    assert.include(
      failure(() => image.scaleAndTranslate(x, [3, 4], [0], lax.slice(s, [0], [1]), t, "linear"), "ShapeError"),
      "translation must have one entry"
    )
    failure(() => image.scaleAndTranslate(x, [3, 4], [0, 2], s, t, "linear"), "AxisError")
    assert.include(failure(() => image.scaleAndTranslate(x, [3, 4], [1, -1], s, t, "linear"), "ShapeError"), "repeat")
    assert.include(
      failure(
        () => image.scaleAndTranslate(x, [3, 6], [0], lax.slice(s, [0], [1]), lax.slice(t, [0], [1]), "linear"),
        "ShapeError"
      ),
      "dimension 1 is not in spatialDims"
    )
    assert.include(failure(() => image.scaleAndTranslate(x, [3], [0], s, t, "linear"), "ShapeError"), "length equal")
  })
  it("options: unknown keys and bad values", () => {
    failure(() => image.resize(x, [3, 5], "linear", { antialiased: true } as never), "ArgumentError")
    assert.include(
      failure(() => image.resize(x, [3, 5], "linear", { precision: "max" as never }), "ArgumentError"),
      "\"highest\""
    )
    failure(() => image.resize(x, [3, 5], "linear", { antialias: 1 as never }), "ArgumentError")
  })
})
