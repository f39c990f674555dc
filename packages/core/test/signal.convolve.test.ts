/**
 * signal's convolutions and detrend: convolve, correlate, convolve2d,
 * correlate2d and fftconvolve against direct sums in float64 JS (full output
 * cropped as SciPy's modes say), JAX's docstring examples, complex input,
 * detrend against the least-squares line computed by hand, gradients against
 * central differences, jit and vmap, and JAX's errors.
 */
import { np, signal } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit, runSync, vmap } from "diffect"
import { failure } from "./npSetup.js"
import { assertGradient, assertNear, f64, flat, randoms } from "./signalSetup.js"

type Mode = "full" | "same" | "valid"

// The full 2-d convolution of a [ra, ca] and b [rb, cb] by its sum, cropped to `mode` (SciPy:
// "same" is centred on a, "valid" keeps the points where the smaller fits inside the larger).
const conv2Ref = (
  a: ReadonlyArray<number>,
  [ra, ca]: readonly [number, number],
  b: ReadonlyArray<number>,
  [rb, cb]: readonly [number, number],
  mode: Mode,
  centre: (excess: number) => number = (e) => Math.floor(e / 2)
): { values: Array<number>; shape: [number, number] } => {
  const [rf, cf] = [ra + rb - 1, ca + cb - 1]
  const full = new Array<number>(rf * cf).fill(0)
  for (let i = 0; i < ra; i++) {
    for (let j = 0; j < ca; j++) {
      for (let k = 0; k < rb; k++) {
        for (let l = 0; l < cb; l++) full[(i + k) * cf + j + l]! += a[i * ca + j]! * b[k * cb + l]!
      }
    }
  }
  const [ro, co] = mode === "full"
    ? [rf, cf]
    : mode === "same"
    ? [ra, ca]
    : [Math.abs(ra - rb) + 1, Math.abs(ca - cb) + 1]
  const [r0, c0] = [centre(rf - ro), centre(cf - co)]
  const values: Array<number> = []
  for (let i = 0; i < ro; i++) for (let j = 0; j < co; j++) values.push(full[(r0 + i) * cf + c0 + j]!)
  return { values, shape: [ro, co] }
}

const flip2 = (b: ReadonlyArray<number>): Array<number> => [...b].reverse()
// SciPy's correlate2d centres "same" from the other end: the excess rounded up before the output
const ceilHalf = (e: number) => Math.ceil(e / 2)

describe("signal.convolve and signal.correlate", () => {
  it("JAX's docstring examples", () => {
    const x = np.array([1, 2, 3, 2, 1])
    const ones = np.array([1, 1, 1])
    // jax.scipy.signal.convolve's (and fftconvolve's) docstring
    for (const method of ["auto", "fft"] as const) {
      assertNear(flat(signal.convolve(x, ones, { method })), [1, 3, 6, 7, 6, 3, 1], 1e-6)
      assertNear(flat(signal.convolve(x, ones, { mode: "same", method })), [3, 6, 7, 6, 3], 1e-6)
      assertNear(flat(signal.convolve(x, ones, { mode: "valid", method })), [6, 7, 6], 1e-6)
    }
    // jax.scipy.signal.correlate's docstring
    const y = np.array([1, 3, 2])
    assertNear(flat(signal.correlate(x, y)), [2, 7, 13, 15, 11, 5, 1], 1e-6)
    assertNear(flat(signal.correlate(x, y, { mode: "same" })), [7, 13, 15, 11, 5], 1e-6)
    assertNear(flat(signal.correlate(x, y, { mode: "valid" })), [13, 15, 11], 1e-6)
    // convolve2d's and correlate2d's
    const x2 = np.array([[1, 2], [3, 4]])
    const y2 = np.array([[2, 1, 1], [4, 3, 4], [1, 3, 2]])
    assertNear(flat(signal.convolve2d(x2, y2)), [2, 5, 3, 2, 10, 22, 17, 12, 13, 30, 32, 20, 3, 13, 18, 8], 1e-6)
    assertNear(flat(signal.convolve2d(x2, y2, { mode: "same" })), [22, 17, 30, 32], 1e-6)
    assertNear(flat(signal.convolve2d(x2, y2, { mode: "valid" })), [22, 17, 30, 32], 1e-6)
    const x3 = np.array([[2, 1, 3], [1, 3, 1], [4, 1, 2]])
    const y3 = np.array([[1, 3], [4, 2]])
    assertNear(flat(signal.correlate2d(x3, y3)), [4, 10, 10, 12, 8, 15, 24, 7, 11, 28, 14, 9, 12, 7, 7, 2], 1e-6)
    assertNear(flat(signal.correlate2d(x3, y3, { mode: "same" })), [15, 24, 7, 28, 14, 9, 7, 7, 2], 1e-6)
    assertNear(flat(signal.correlate2d(x3, y3, { mode: "valid" })), [15, 24, 28, 14], 1e-6)
  })
  it("N-d convolve equals the direct sum, both orders, every mode and method", () => {
    const a = randoms(20, 3)
    const b = randoms(6, 4)
    for (const mode of ["full", "same", "valid"] as const) {
      for (const method of ["auto", "direct", "fft"] as const) {
        const want = conv2Ref(a, [4, 5], b, [2, 3], mode)
        const got = signal.convolve(np.reshape(f64(a), [4, 5]), np.reshape(f64(b), [2, 3]), { mode, method })
        assert.deepStrictEqual(got.shape, want.shape, `${mode} ${method}`)
        assertNear(flat(got), want.values, 1e-13, `${mode} ${method}`)
        // the smaller first: SciPy's "same" is then the shape of the first input
        const swapped = signal.convolve(np.reshape(f64(b), [2, 3]), np.reshape(f64(a), [4, 5]), { mode, method })
        const wantSwapped = conv2Ref(b, [2, 3], a, [4, 5], mode)
        assert.deepStrictEqual(swapped.shape, wantSwapped.shape, `swapped ${mode} ${method}`)
        assertNear(flat(swapped), wantSwapped.values, 1e-13, `swapped ${mode} ${method}`)
      }
    }
  })
  it("correlate is the convolution with the flipped conjugate (complex input)", () => {
    const a = np.array([{ re: 1, im: 2 }, { re: -1, im: 0.5 }, { re: 3, im: -1 }, { re: 0, im: 1 }], {
      dtype: "complex128"
    })
    const b = np.array([{ re: 2, im: -1 }, { re: 0.5, im: 1 }], { dtype: "complex128" })
    // full correlation: c[k] = sum_n a[n + k - (len b - 1)] conj(b[n])
    const [ar, ai] = [[1, -1, 3, 0], [2, 0.5, -1, 1]]
    const [br, bi] = [[2, 0.5], [-1, 1]]
    const re: Array<number> = []
    const im: Array<number> = []
    for (let k = 0; k < 5; k++) {
      let [sr, si] = [0, 0]
      for (let n = 0; n < 2; n++) {
        const m = n + k - 1
        if (m < 0 || m >= 4) continue
        // a[m] * conj(b[n])
        sr += ar[m]! * br[n]! + ai[m]! * bi[n]!
        si += ai[m]! * br[n]! - ar[m]! * bi[n]!
      }
      re.push(sr)
      im.push(si)
    }
    for (const method of ["direct", "fft"] as const) {
      const got = signal.correlate(a, b, { method })
      assert.strictEqual(got.dtype, "complex128")
      assertNear(flat(np.real(got)), re, 1e-13, `re ${method}`)
      assertNear(flat(np.imag(got)), im, 1e-13, `im ${method}`)
    }
  })
  it("promotes like JAX: integers to float32, float32 with float64 to float64", () => {
    assert.strictEqual(signal.convolve(np.array([1, 2]), np.array([1, 1], { dtype: "int32" })).dtype, "float32")
    assert.strictEqual(signal.convolve(np.array([1, 2], { dtype: "float32" }), f64([1])).dtype, "float64")
  })
})

describe("signal.convolve2d, correlate2d, fftconvolve", () => {
  it("convolve2d equals the direct sum; correlate2d the sum with the kernel flipped, for either larger input", () => {
    const a = randoms(12, 5)
    const b = randoms(4, 6)
    for (const mode of ["full", "same", "valid"] as const) {
      const want = conv2Ref(a, [3, 4], b, [2, 2], mode)
      assertNear(
        flat(signal.convolve2d(np.reshape(f64(a), [3, 4]), np.reshape(f64(b), [2, 2]), { mode })),
        want.values,
        1e-13
      )
      const wantC = conv2Ref(a, [3, 4], flip2(b), [2, 2], mode, ceilHalf)
      const gotC = signal.correlate2d(np.reshape(f64(a), [3, 4]), np.reshape(f64(b), [2, 2]), { mode })
      assert.deepStrictEqual(gotC.shape, wantC.shape)
      assertNear(flat(gotC), wantC.values, 1e-13, `correlate2d ${mode}`)
      // the larger second: SciPy's correlate2d(b, a) is correlate2d(a, b) reversed for full and valid
      const gotS = signal.correlate2d(np.reshape(f64(b), [2, 2]), np.reshape(f64(a), [3, 4]), { mode })
      const wantS = conv2Ref(b, [2, 2], flip2(a), [3, 4], mode, ceilHalf)
      assert.deepStrictEqual(gotS.shape, wantS.shape)
      assertNear(flat(gotS), wantS.values, 1e-13, `correlate2d swapped ${mode}`)
    }
  })
  it("convolve2d: JAX's boundary limits and 2-d inputs", () => {
    const x = f64([[1, 2], [3, 4]])
    assert.include(failure(() => signal.convolve2d(x, x, { boundary: "wrap" as never }), "ArgumentError"), "fill")
    assert.include(failure(() => signal.correlate2d(x, x, { fillvalue: 1 }), "ArgumentError"), "fill")
    assert.include(failure(() => signal.convolve2d(f64([1, 2]), f64([1])), "ShapeError"), "2-dimensional inputs")
  })
  it("fftconvolve batches the axes it does not convolve", () => {
    const a = randoms(10, 8)
    const b = randoms(6, 9)
    // rows of a [2, 5] with rows of b [2, 3], along axis 1
    const got = signal.fftconvolve(np.reshape(f64(a), [2, 5]), np.reshape(f64(b), [2, 3]), { axes: [1], mode: "same" })
    const want = [0, 1].flatMap((r) =>
      conv2Ref(a.slice(r * 5, r * 5 + 5), [1, 5], b.slice(r * 3, r * 3 + 3), [1, 3], "same").values
    )
    assert.deepStrictEqual(got.shape, [2, 5])
    assertNear(flat(got), want, 1e-13)
    assert.include(
      failure(() => signal.fftconvolve(f64([[1, 2]]), f64([[1], [2]]), { axes: 1 }), "ShapeError"),
      "mapped axes"
    )
    assert.include(
      failure(() => signal.fftconvolve(f64([[1, 2, 3]]), f64([[1], [2]]), { mode: "valid" }), "ShapeError"),
      "at least as large"
    )
  })
  it("errors: ranks differ, empty inputs, neither input larger, unknown mode or method", () => {
    failure(() => signal.convolve(f64([1, 2]), f64([[1]])), "ShapeError")
    assert.include(failure(() => signal.convolve(f64([]), f64([1])), "ShapeError"), "zero-size")
    assert.include(failure(() => signal.convolve(f64([[1, 2, 3]]), f64([[1], [2]])), "ShapeError"), "smaller")
    failure(() => signal.convolve(f64([1]), f64([1]), { mode: "circular" as never }), "ArgumentError")
    failure(() => signal.correlate(f64([1]), f64([1]), { method: "overlap" as never }), "ArgumentError")
  })
})

describe("signal.detrend", () => {
  it("JAX's docstring example", () => {
    const data = np.array([1, 4, 8, 8, 9])
    assertNear(flat(signal.detrend(data)), [-1, 0, 2, 0, -1], 1e-5)
    assertNear(flat(signal.detrend(data, { type: "constant" })), [-5, -2, 2, 2, 3], 1e-6)
  })
  it("removes the mean, or the least-squares line of each piece between breakpoints", () => {
    const x = randoms(9, 12)
    const mean = x.reduce((s, v) => s + v, 0) / 9
    assertNear(flat(signal.detrend(f64(x), { type: "constant" })), x.map((v) => v - mean), 1e-14)
    // the line through (t, x) by the normal equations, per piece
    const line = (piece: ReadonlyArray<number>) => {
      const n = piece.length
      const t = piece.map((_, i) => i)
      const [st, sx] = [t.reduce((s, v) => s + v, 0), piece.reduce((s, v) => s + v, 0)]
      const stt = t.reduce((s, v) => s + v * v, 0)
      const stx = t.reduce((s, v, i) => s + v * piece[i]!, 0)
      const slope = n === 1 ? 0 : (n * stx - st * sx) / (n * stt - st * st)
      const icpt = (sx - slope * st) / n
      return piece.map((v, i) => v - (icpt + slope * i))
    }
    assertNear(flat(signal.detrend(f64(x))), line(x), 1e-13, "linear")
    assertNear(
      flat(signal.detrend(f64(x), { bp: [3, 8] })),
      [...line(x.slice(0, 3)), ...line(x.slice(3, 8)), ...line(x.slice(8))],
      1e-13,
      "bp"
    )
    const m = np.reshape(f64(x.slice(0, 8)), [4, 2])
    const cols = [0, 1].map((c) => line([0, 1, 2, 3].map((r) => x[2 * r + c]!)))
    assertNear(
      flat(signal.detrend(m, { axis: 0 })),
      [0, 1, 2, 3].flatMap((r) => [cols[0]![r]!, cols[1]![r]!]),
      1e-13,
      "axis 0"
    )
  })
  it("differentiates, and errors for a bad type or breakpoints", () => {
    const w = f64(randoms(6, 2))
    assertGradient((x) => np.sum(np.multiply(signal.detrend(x, { bp: 2 }), w)), randoms(6, 3), [6])
    failure(() => signal.detrend(f64([1, 2]), { type: "quadratic" as never }), "ArgumentError")
    assert.include(failure(() => signal.detrend(f64([1, 2]), { bp: 5 }), "ArgumentError"), "breakpoints")
  })
})

describe("signal: derivatives, jit and vmap", () => {
  it("gradients of convolutions equal central differences", () => {
    const k = f64([0.5, -1, 2])
    const w = f64(randoms(7, 21))
    assertGradient((x) => np.sum(np.multiply(signal.convolve(x, k), w)), randoms(5, 1), [5])
    assertGradient((x) => np.sum(np.multiply(signal.fftconvolve(x, k), w)), randoms(5, 2), [5])
    assertGradient((x) => np.sum(np.square(signal.correlate2d(x, f64([[1, 2], [0, -1]])))), randoms(6, 3), [2, 3], 1e-6)
    assertGradient((x) => np.sum(np.sin(signal.convolve(f64([1, 2, 3, 4]), x, { mode: "same" }))), randoms(3, 4), [3])
  })
  it("jit and vmap agree with the eager values", () => {
    const xs = np.reshape(f64(randoms(12, 6)), [3, 4])
    const k = f64([1, -2, 0.5])
    const f = (x: Tensor) => signal.convolve(x, k, { mode: "same" })
    assertNear(flat(runSync(vmap(f)(xs)) as Tensor), [0, 1, 2].flatMap((i) => flat(f(np.index(xs, i)))), 1e-14, "vmap")
    const g = (x: Tensor) => signal.fftconvolve(x, np.reshape(k, [1, 3]))
    assertNear(flat(runSync(jit(g)(xs)) as Tensor), flat(g(xs)), 1e-14, "jit")
  })
})
