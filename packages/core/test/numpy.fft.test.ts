import { np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
type C = { re: number; im: number }

// The oracle: the DFT by its definition, in float64.
const dft = (x: ReadonlyArray<C>, inverse = false): Array<C> => {
  const n = x.length
  return x.map((_, k) => {
    let re = 0
    let im = 0
    x.forEach((v, t) => {
      const a = ((inverse ? 2 : -2) * Math.PI * k * t) / n
      re += v.re * Math.cos(a) - v.im * Math.sin(a)
      im += v.re * Math.sin(a) + v.im * Math.cos(a)
    })
    return inverse ? { re: re / n, im: im / n } : { re, im }
  })
}
const signal = [0.5, -1.25, 3, 2, -0.75, 1.5, 0.25]
const cx = signal.map((re, i) => ({ re, im: (i % 3) - 1 }))

describe("np.fft", () => {
  it("fft and ifft against the definition; n crops and pads; norms", () => {
    expect.close(js(np.fft.fft(np.array(cx, { dtype: "complex128" }))), dft(cx), 1e-13)
    expect.close(js(np.fft.ifft(np.array(cx, { dtype: "complex128" }))), dft(cx, true), 1e-13)
    const real = signal.map((re) => ({ re, im: 0 }))
    expect.close(js(np.fft.fft(f64(signal), { n: 4 })), dft(real.slice(0, 4)), 1e-13)
    expect.close(js(np.fft.fft(f64(signal), { n: 9 })), dft([...real, { re: 0, im: 0 }, { re: 0, im: 0 }]), 1e-13)
    const ortho = dft(real).map(({ im, re }) => ({ re: re / Math.sqrt(7), im: im / Math.sqrt(7) }))
    expect.close(js(np.fft.fft(f64(signal), { norm: "ortho" })), ortho, 1e-13)
    expect.close(js(np.fft.ifft(np.fft.fft(f64(signal), { norm: "forward" }), { norm: "forward" })), real, 1e-13)
    assert.strictEqual(np.fft.fft(np.array([1, 2])).dtype, "complex64")
    assert.include(failure(() => np.fft.fft(f64([1]), { norm: "x" as never }), "ArgumentError"), "norm")
  })
  it("along an axis, and in n dimensions", () => {
    const m = [[1, 2, 0], [3, -1, 4]]
    const rows = m.map((r) => dft(r.map((re) => ({ re, im: 0 }))))
    expect.close(js(np.fft.fft(f64(m))), rows, 1e-13)
    const cols = js(np.fft.fft(f64(m), { axis: 0 })) as Array<Array<C>>
    assert.deepStrictEqual(cols.map((r) => r.map((v) => Math.round(v.re))), [[4, 1, 4], [-2, 3, -4]])
    // fft2 = fft over rows then columns
    expect.close(js(np.fft.fft2(f64(m))), js(np.fft.fft(np.fft.fft(f64(m), { axis: 1 }), { axis: 0 })), 1e-13)
    expect.close(js(np.real(np.fft.ifftn(np.fft.fftn(f64(m))))), m, 1e-13)
    // JAX's checks: an s longer than the rank (its first axis would wrap to the last), a 2-D
    // transform's s or axes not of two, a repeated axis
    const sq = f64([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]])
    assert.include(failure(() => np.fft.fftn(sq, { s: [4, 4, 4] }), "ShapeError"), "3 entries")
    assert.include(failure(() => np.fft.fft2(sq, { s: [4, 4, 4] }), "ShapeError"), "s of length 2")
    assert.include(failure(() => np.fft.rfft2(sq, { s: [2] }), "ShapeError"), "s of length 2")
    assert.include(failure(() => np.fft.ifft2(sq, { axes: [0] }), "ShapeError"), "only supports 2 axes")
    assert.include(failure(() => np.fft.fftn(sq, { axes: [0, 0] }), "ShapeError"), "repeated axes")
    assert.include(failure(() => np.fft.fftn(sq, { axes: [1, -1] }), "ShapeError"), "repeated axes")
  })
  it("rfft, irfft, hfft, ihfft and the n-dimensional real transforms", () => {
    const full = dft(signal.map((re) => ({ re, im: 0 })))
    expect.close(js(np.fft.rfft(f64(signal))), full.slice(0, 4), 1e-13)
    expect.close(js(np.fft.irfft(np.fft.rfft(f64(signal)), { n: 7 })), signal, 1e-13)
    const even = signal.slice(0, 6)
    expect.close(js(np.fft.irfft(np.fft.rfft(f64(even)))), even, 1e-13)
    // hfft(a) is the real FFT of the Hermitian signal whose first half is a
    expect.close(js(np.fft.hfft(f64([1, 2, 3]))), [8, -2, 0, -2], 1e-13)
    expect.close(
      js(np.fft.ihfft(np.fft.hfft(f64([1, 2, 3])))),
      [{ re: 1, im: 0 }, { re: 2, im: 0 }, { re: 3, im: 0 }],
      1e-13
    )
    const m = [[1, 2, 0, 5], [3, -1, 4, 2], [0, 1, 1, 0]]
    assert.deepStrictEqual(np.fft.rfftn(f64(m)).shape, [3, 3])
    expect.close(
      js(np.fft.rfftn(f64(m))),
      (js(np.fft.fftn(f64(m))) as Array<Array<C>>).map((r) => r.slice(0, 3)),
      1e-13
    )
    expect.close(js(np.fft.irfftn(np.fft.rfftn(f64(m)), { s: [3, 4] })), m, 1e-13)
    expect.close(js(np.fft.irfft2(np.fft.rfft2(f64(m)))), m, 1e-13)
  })
  it("fftfreq, rfftfreq, fftshift, ifftshift (NumPy's examples)", () => {
    // np.fft.fftfreq(8, d=0.1) = [0, 1.25, 2.5, 3.75, -5, -3.75, -2.5, -1.25]
    expect.tensor(np.fft.fftfreq(8, { d: 0.1 }), "float32", [0, 1.25, 2.5, 3.75, -5, -3.75, -2.5, -1.25])
    expect.tensor(np.fft.rfftfreq(5, { d: 0.5, dtype: "float64" }), "float64", [0, 0.4, 0.8])
    expect.tensor(np.fft.fftshift(f64([0, 1, 2, 3, 4, -5, -4, -3, -2, -1])), "float64", [
      -5,
      -4,
      -3,
      -2,
      -1,
      0,
      1,
      2,
      3,
      4
    ])
    const sq = f64([[0, 1, 2], [3, 4, -4], [-3, -2, -1]])
    expect.tensor(np.fft.fftshift(sq, { axes: 1 }), "float64", [[2, 0, 1], [-4, 3, 4], [-1, -3, -2]])
    expect.tensor(np.fft.ifftshift(np.fft.fftshift(sq)), "float64", js(sq))
  })
})
