/**
 * signal's spectral functions: stft against a direct windowed DFT of the
 * zero-extended, zero-padded signal (float64 JS), JAX's docstring example,
 * istft(stft(x)) = x for the Hann window at half overlap, welch and csd
 * against periodograms summed by hand (density and spectrum scaling, the
 * one-sided doubling, mean and median), gradients against central
 * differences, jit and vmap, and the errors.
 */
import { np, signal } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { jit, runSync, vmap } from "diffect"
import { failure } from "./npSetup.js"
import { assertGradient, assertNear, f64, flat, randoms } from "./signalSetup.js"

const hann = (n: number): Array<number> => Array.from({ length: n }, (_, k) => Math.sin((Math.PI * k) / n) ** 2)

// The one-sided DFT of one windowed segment, as [re, im] per frequency.
const dft = (seg: ReadonlyArray<number>, win: ReadonlyArray<number>, nfft: number): Array<[number, number]> =>
  Array.from({ length: Math.floor(nfft / 2) + 1 }, (_, k) => {
    let [re, im] = [0, 0]
    seg.forEach((v, j) => {
      const a = (-2 * Math.PI * k * j) / nfft
      re += v * win[j]! * Math.cos(a)
      im += v * win[j]! * Math.sin(a)
    })
    return [re, im]
  })

// SciPy's segments: starts 0, step, ... while a whole segment fits.
const segments = (x: ReadonlyArray<number>, nperseg: number, step: number): Array<Array<number>> => {
  const out: Array<Array<number>> = []
  for (let s = 0; s + nperseg <= x.length; s += step) out.push(x.slice(s, s + nperseg))
  return out
}

describe("signal.stft and signal.istft", () => {
  it("stft is the DFT of each windowed segment of the zero-extended signal, scaled by 1/sum(window)", () => {
    const x = randoms(21, 4)
    const nperseg = 8
    const [f, t, z] = signal.stft(f64(x), { nperseg, fs: 2 })
    // zeros extension by nperseg / 2 at both ends, then padding to whole steps of 4
    const ext = [...Array<number>(4).fill(0), ...x, ...Array<number>(4).fill(0)]
    const nadd = (((-(ext.length - nperseg)) % 4) + 4) % 4
    const padded = [...ext, ...Array<number>(nadd).fill(0)]
    const segs = segments(padded, nperseg, 4)
    const win = hann(nperseg)
    const scale = 1 / win.reduce((s, v) => s + v, 0)
    const spectra = segs.map((s) => dft(s, win, nperseg))
    assert.deepStrictEqual(z.shape, [5, segs.length])
    assertNear(flat(f), [0, 0.25, 0.5, 0.75, 1], 1e-15, "freqs at fs 2")
    assertNear(flat(t), segs.map((_, i) => (i * 4) / 2), 1e-15, "times")
    // Zxx[freq, segment]
    const re = [0, 1, 2, 3, 4].flatMap((k) => spectra.map((s) => s[k]![0] * scale))
    const im = [0, 1, 2, 3, 4].flatMap((k) => spectra.map((s) => s[k]![1] * scale))
    assertNear(flat(np.real(z)), re, 1e-13, "re")
    assertNear(flat(np.imag(z)), im, 1e-13, "im")
  })
  it("JAX's docstring example: stft of 8 samples with nperseg 4, and istft back", () => {
    const x = np.array([1, 2, 3, 2, 1, 0, 1, 2])
    const [, , z] = signal.stft(x, { nperseg: 4 })
    assertNear(flat(np.real(z)), [1, 2.5, 1, 1, 0.5, -0.5, -1.5, -0.5, -0.5, 0, 0, 0.5, 0, 0, -0.5], 1e-6, "re")
    assertNear(flat(np.imag(z)), [0, 0, 0, 0, 0, 0.5, 0, -0.5, 0.5, -0.5, 0, 0, 0, 0, 0], 1e-6, "im")
    const [, back] = signal.istft(z)
    assertNear(flat(back), [1, 2, 3, 2, 1, 0, 1, 2], 1e-6)
  })
  it("istft(stft(x)) = x for Hann at half overlap, odd and even lengths, along an axis", () => {
    for (const [n, nperseg] of [[32, 8], [37, 10], [50, 16]] as const) {
      const x = randoms(n, n)
      const [, , z] = signal.stft(f64(x), { nperseg })
      const [time, y] = signal.istft(z, { nperseg })
      assertNear(flat(y).slice(0, n), x, 1e-13, `n=${n}`)
      assert.strictEqual(flat(time)[1], 1)
    }
    const m = np.reshape(f64(randoms(40, 9)), [20, 2])
    const [, , z] = signal.stft(m, { nperseg: 8, axis: 0 })
    // 28 extended samples: 6 segments, frequency at axis 0, time last
    assert.deepStrictEqual(z.shape, [5, 2, 6])
    const [, y] = signal.istft(z, { timeAxis: -1, freqAxis: 0 })
    assert.deepStrictEqual(y.shape, [2, 20])
    assertNear(flat(np.transpose(y)), flat(m), 1e-13, "axis 0")
  })
  it("two-sided for complex input; boundary and padding options", () => {
    const x = np.array([{ re: 1, im: 1 }, { re: 0, im: 2 }, { re: -1, im: 0 }, { re: 2, im: -1 }], {
      dtype: "complex128"
    })
    const [f, , z] = signal.stft(x, { nperseg: 4, boundary: null, padded: false, window: "boxcar" })
    assertNear(flat(f), [0, 0.25, -0.5, -0.25], 1e-15)
    // one segment, the plain DFT / 4: X[0] = (2 + 2i) / 4
    assertNear([flat(np.real(z))[0]!, flat(np.imag(z))[0]!], [0.5, 0.5], 1e-15)
  })
})

describe("signal.welch and signal.csd", () => {
  it("welch is the mean one-sided periodogram of the detrended Hann-windowed segments", () => {
    const x = randoms(40, 6)
    const [nperseg, fs] = [16, 10]
    const [f, p] = signal.welch(f64(x), { nperseg, fs })
    const win = hann(nperseg)
    const scale = 1 / (fs * win.reduce((s, v) => s + v * v, 0))
    const segs = segments(x, nperseg, 8).map((s) => {
      const m = s.reduce((a, v) => a + v, 0) / s.length
      return s.map((v) => v - m)
    })
    const want = Array.from({ length: 9 }, (_, k) => {
      const mean = segs.reduce((a, s) => {
        const [re, im] = dft(s, win, nperseg)[k]!
        return a + re * re + im * im
      }, 0) / segs.length
      return mean * scale * (k === 0 || k === 8 ? 1 : 2)
    })
    assertNear(flat(f), Array.from({ length: 9 }, (_, k) => (k * fs) / nperseg), 1e-14, "freqs")
    assertNear(flat(p), want, 1e-13, "Pxx")
    assert.strictEqual(p.dtype, "float64")
  })
  it("a unit sine's power: the spectrum scaling puts amplitude^2 / 2 in its bin (boxcar)", () => {
    const x = Array.from({ length: 64 }, (_, n) => 3 * Math.sin((2 * Math.PI * 4 * n) / 16))
    const [, p] = signal.welch(f64(x), { nperseg: 16, window: "boxcar", scaling: "spectrum" })
    const v = flat(p)
    assertNear([v[4]!], [4.5], 1e-12)
    assert.isBelow(Math.abs(v[3]!) + Math.abs(v[5]!), 1e-20)
  })
  it("csd of x with y is the mean of conj(X) Y; the median average divides by SciPy's bias", () => {
    const x = randoms(24, 2)
    const y = randoms(24, 3)
    const nperseg = 8
    const [, pxy] = signal.csd(f64(x), f64(y), { nperseg, window: "boxcar", detrend: false, scaling: "spectrum" })
    assert.strictEqual(pxy.dtype, "complex128")
    const sx = segments(x, nperseg, 4).map((s) => dft(s, Array<number>(nperseg).fill(1), nperseg))
    const sy = segments(y, nperseg, 4).map((s) => dft(s, Array<number>(nperseg).fill(1), nperseg))
    const cross = (k: number) =>
      sx.map((a, i) => {
        const [ar, ai] = a[k]!
        const [br, bi] = sy[i]![k]!
        const d = k === 0 || k === 4 ? 1 : 2
        return [(ar * br + ai * bi) * d / 64, (ar * bi - ai * br) * d / 64] as const
      })
    const mean = (k: number, part: 0 | 1) => cross(k).reduce((a, c) => a + c[part], 0) / sx.length
    assertNear(flat(np.real(pxy)), [0, 1, 2, 3, 4].map((k) => mean(k, 0)), 1e-13, "re")
    assertNear(flat(np.imag(pxy)), [0, 1, 2, 3, 4].map((k) => mean(k, 1)), 1e-13, "im")
    // 5 segments: the median of the periodograms over 1 + (1/3 - 1/2) + (1/5 - 1/4)
    const [, med] = signal.welch(f64(x), { nperseg, window: "boxcar", detrend: false, average: "median" })
    const pers = sx.map((s) => s.map(([re, im], k) => (re * re + im * im) * (k === 0 || k === 4 ? 1 : 2) / 8))
    const bias = 1 + (1 / 3 - 1 / 2) + (1 / 5 - 1 / 4)
    const medianOf = (v: Array<number>) => v.sort((a, b) => a - b)[2]!
    assertNear(flat(med), [0, 1, 2, 3, 4].map((k) => medianOf(pers.map((q) => q[k]!)) / bias), 1e-13, "median")
  })
})

describe("signal spectral: derivatives, jit, vmap, errors", () => {
  it("gradients equal central differences", () => {
    assertGradient((x) => np.sum(signal.welch(x, { nperseg: 8 })[1]), randoms(20, 1), [20], 1e-6)
    assertGradient((x) => np.sum(np.abs(signal.stft(x, { nperseg: 6 })[2])), randoms(12, 2), [12], 1e-6)
    const w = f64(randoms(16, 3))
    assertGradient((x) => np.sum(np.multiply(signal.istft(signal.stft(x, { nperseg: 8 })[2])[1], w)), randoms(16, 4), [
      16
    ], 1e-6)
  })
  it("jit and vmap agree with the eager values", () => {
    const xs = np.reshape(f64(randoms(48, 5)), [3, 16])
    const f = (x: Tensor) => signal.welch(x, { nperseg: 8 })[1]
    assertNear(flat(runSync(vmap(f)(xs)) as Tensor), flat(f(xs)), 1e-14, "vmap")
    const g = (x: Tensor) => np.abs(signal.stft(x, { nperseg: 8 })[2])
    assertNear(flat(runSync(jit(g)(xs)) as Tensor), flat(g(xs)), 1e-14, "jit")
  })
  it("errors: bad overlap, nfft, window, detrend, scaling, average, axes", () => {
    const x = f64(randoms(16, 1))
    failure(() => signal.stft(x, { nperseg: 8, noverlap: 8 }), "ArgumentError")
    failure(() => signal.welch(x, { nperseg: 8, nfft: 4 }), "ArgumentError")
    failure(() => signal.welch(x, { window: "kaiser" as never }), "ArgumentError")
    assert.include(failure(() => signal.welch(x, { window: f64([1, 1]), nperseg: 3 }), "ArgumentError"), "window")
    failure(() => signal.welch(x, { window: f64([[1, 1]]) }), "ShapeError")
    failure(() => signal.welch(x, { detrend: "cubic" as never }), "ArgumentError")
    failure(() => signal.welch(x, { scaling: "power" as never }), "ArgumentError")
    failure(() => signal.welch(x, { average: "max" as never }), "ArgumentError")
    failure(() => signal.istft(x), "ShapeError")
    failure(() => signal.istft(np.reshape(x, [4, 4]), { timeAxis: 0, freqAxis: 0 }), "ArgumentError")
    failure(() => signal.stft(x, { boundary: "periodic" as never }), "ArgumentError")
  })
})
