/**
 * `signal`'s spectral estimates (JAX's `jax.scipy.signal.stft`, `istft`,
 * `csd`, `welch`): overlapping segments gathered along the last axis,
 * detrended, windowed and transformed by `np.fft`, as JAX's
 * `_spectral_helper` (`istft`, the inverse, is in istft.ts). Compositions of
 * gathers and FFTs, so they differentiate and batch.
 *
 * @since 0.1.0
 */
import { ArgumentError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../numpy.js"
import { broadcastShapes } from "../../Shape.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, boolean, checkAxis, checkOptions, finite, integer } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { complexOf, complexTensor, positive, promoteInexact, realOf, sliceAxis } from "./common.js"
import { detrend as detrendImpl } from "./detrend.js"
import { arrayWindow, isWindowName, namedWindow } from "./windows.js"
import type { Window } from "./windows.js"

/** How segments are detrended: `"constant"`, `"linear"`, `false` (not at all) or a function of the segments (along their last axis). @since 0.1.0 */
export type Detrend = "constant" | "linear" | false | ((segments: Tensor) => Tensor)

/** How `stft` extends the signal at both ends by half a segment. @since 0.1.0 */
export type Boundary = "even" | "odd" | "constant" | "zeros" | null

/** Options shared by `stft`, `csd` and `welch` (SciPy's names, camelCase). @since 0.1.0 */
export interface SpectralOptions {
  /** The sampling frequency (1). */
  readonly fs?: number | undefined
  /** The window (`"hann"`). */
  readonly window?: Window | undefined
  /** The segment length (256 for `stft`; the whole signal or the window's length otherwise, capped at the signal's). */
  readonly nperseg?: number | undefined
  /** The overlap of segments (`nperseg / 2`, rounded down). */
  readonly noverlap?: number | undefined
  /** The FFT length (`nperseg`). */
  readonly nfft?: number | undefined
  /** Whether a real signal gets the one-sided spectrum (true). */
  readonly returnOnesided?: boolean | undefined
  /** The axis of the signal (-1). */
  readonly axis?: number | undefined
}

/** Options of `stft`. @since 0.1.0 */
export interface StftOptions extends SpectralOptions {
  /** The detrending of each segment (`false`). */
  readonly detrend?: Detrend | undefined
  /** The extension at both ends (`"zeros"`). */
  readonly boundary?: Boundary | undefined
  /** Whether the signal is zero-padded to a whole number of segments (true). */
  readonly padded?: boolean | undefined
}

/** Options of `csd` and `welch`. @since 0.1.0 */
export interface WelchOptions extends SpectralOptions {
  /** The detrending of each segment (`"constant"`). */
  readonly detrend?: Detrend | undefined
  /** `"density"` (V²/Hz, the default) or `"spectrum"` (V²). */
  readonly scaling?: "density" | "spectrum" | undefined
  /** How the segments' periodograms are averaged: `"mean"` or `"median"` (bias-corrected). */
  readonly average?: "mean" | "median" | undefined
}

const spectralSpec = {
  fs: finite,
  window: anyValue,
  nperseg: integer,
  noverlap: integer,
  nfft: integer,
  returnOnesided: boolean,
  axis: integer,
  detrend: anyValue
}

// `t` zero-padded on the last axis by `lo` before and `hi` after.
const padLast = (t: Tensor, lo: number, hi: number): Tensor =>
  lax.pad(
    t,
    lax.full([], 0, t.dtype),
    t.shape.map((_, i): readonly [number, number, number] => (i === t.ndim - 1 ? [lo, hi, 0] : [0, 0, 0]))
  )

// Python's modulo (the sign of the divisor).
const pmod = (a: number, b: number): number => ((a % b) + b) % b

// `n` samples of each end of the last axis, extended as the boundary says.
const extend = (x: Tensor, boundary: Exclude<Boundary, null>, n: number): Tensor => {
  if (n < 1) return x
  const last = x.ndim - 1
  const len = x.shape[last]!
  const flip = (t: Tensor) => lax.rev(t, [last])
  const first = sliceAxis(x, last, 0, 1)
  const end = sliceAxis(x, last, len - 1, len)
  const repeat = (t: Tensor) => np.repeat(t, n, { axis: last })
  if (boundary === "zeros") return padLast(x, n, n)
  if (boundary === "constant") return lax.concatenate([repeat(first), x, repeat(end)], last)
  if (n > len - 1) {
    throw new ShapeError({
      operation: "stft",
      detail: `The extension length n (${n}) is too big. It must not exceed x.shape[axis]-1, which is ${len - 1}.`
    })
  }
  const left = flip(sliceAxis(x, last, 1, n + 1))
  const right = flip(sliceAxis(x, last, len - n - 1, len - 1))
  if (boundary === "even") return lax.concatenate([left, x, right], last)
  const two = lax.full([], 2, x.dtype)
  return lax.concatenate([lax.sub(lax.mul(two, first), left), x, lax.sub(lax.mul(two, end), right)], last)
}

// The segments of the last axis, [..., nseg, nperseg], windowed and transformed.
const segmentFft = (
  x: Tensor,
  win: Tensor,
  detrendFn: (t: Tensor) => Tensor,
  nperseg: number,
  noverlap: number,
  nfft: number,
  twoSided: boolean
): Tensor => {
  const len = x.shape[x.ndim - 1]!
  let segs: Tensor
  if (nperseg === 1 && noverlap === 0) {
    segs = lax.expandDims(x, [x.ndim])
  } else {
    const step = nperseg - noverlap
    const nseg = len >= nperseg ? Math.floor((len - nperseg) / step) + 1 : 0
    const idx = Array.from({ length: nseg }, (_, s) => Array.from({ length: nperseg }, (_, k) => s * step + k))
    segs = nseg === 0
      ? lax.full([...x.shape.slice(0, -1), 0, nperseg], 0, x.dtype)
      : np.take(x, np.array(idx, { dtype: "int32" }), { axis: -1 })
  }
  segs = detrendFn(segs)
  if (complexTensor(win) && !complexTensor(segs)) segs = lax.convertElementType(segs, complexOf(segs.dtype))
  segs = np.multiply(win, segs)
  return twoSided ? np.fft.fft(segs, { n: nfft }) : np.fft.rfft(np.real(segs), { n: nfft })
}

interface Helper {
  readonly freqs: Tensor
  readonly time: Tensor
  readonly result: Tensor
}

// JAX's `_spectral_helper` for mode "psd" (y may be given) and "stft".
const spectralHelper = (
  op: string,
  xIn: TensorLike,
  yIn: TensorLike | undefined,
  options: WelchOptions & StftOptions,
  mode: "psd" | "stft",
  defaults: { readonly nperseg: number | undefined; readonly detrend: Detrend; readonly scaling: string }
): Helper => {
  const fs = options.fs ?? 1
  const windowArg = options.window ?? "hann"
  const boundary = mode === "stft" ? options.boundary === undefined ? "zeros" : options.boundary : null
  if (boundary !== null && !["even", "odd", "constant", "zeros"].includes(boundary)) {
    throw argumentError(op, "boundary", "\"even\", \"odd\", \"constant\", \"zeros\" or null", boundary)
  }
  const padded = mode === "stft" ? options.padded ?? true : false
  let [x, y] = (yIn === undefined ? promoteInexact(op, xIn) : promoteInexact(op, xIn, yIn)) as [Tensor, Tensor?]
  if (x.ndim === 0) throw new ShapeError({ operation: op, detail: "the signal must have at least one dimension" })
  const axis = checkAxis(op, options.axis ?? -1, x.ndim)
  const drop = (s: ReadonlyArray<number>) => s.filter((_, i) => i !== axis)
  let outer: ReadonlyArray<number> = drop(x.shape)
  if (y !== undefined) {
    if (x.ndim !== y.ndim) {
      throw new ShapeError({ operation: op, detail: `two-arguments must have the same rank (${x.ndim} vs ${y.ndim}).` })
    }
    try {
      outer = broadcastShapes(outer, drop(y.shape))
    } catch {
      throw new ShapeError({ operation: op, detail: "x and y cannot be broadcast together." })
    }
  }
  const resultDtype = complexOf(x.dtype)
  const freqDtype = realOf(x.dtype)
  const inputLength = x.shape[axis]!
  let nperseg: number
  let win: Tensor
  const npersegArg = options.nperseg ?? defaults.nperseg
  if (npersegArg !== undefined) positive(op, "nperseg", npersegArg)
  if (isWindowName(windowArg)) {
    // SciPy warns and shortens a segment longer than the signal
    nperseg = Math.min(npersegArg ?? inputLength, inputLength)
    win = namedWindow(op, windowArg, Math.max(nperseg, 1), x.dtype)
  } else {
    win = arrayWindow(op, windowArg, x.dtype)
    if (win.size === 0) throw new ShapeError({ operation: op, detail: "window must not be empty" })
    nperseg = npersegArg ?? win.size
    if (inputLength < win.size) throw new ShapeError({ operation: op, detail: "window is longer than input signal" })
    if (nperseg !== win.size) {
      throw new ArgumentError({
        operation: op,
        argument: "nperseg",
        expected: `the window's length (${win.size})`,
        got: `${nperseg}`
      })
    }
  }
  const noverlap = options.noverlap ?? Math.floor(nperseg / 2)
  const nfft = options.nfft ?? nperseg
  if (x.size === 0 || (y !== undefined && y.size === 0)) {
    const shape: ReadonlyArray<number> = y === undefined
      ? x.shape
      : [...outer.slice(0, axis), Math.min(x.shape[axis]!, y.shape[axis]!), ...outer.slice(axis)]
    return {
      freqs: lax.full(shape, 0, freqDtype),
      time: lax.full(shape, 0, freqDtype),
      result: lax.full(shape, 0, resultDtype)
    }
  }
  x = np.moveaxis(x, axis, -1)
  if (y !== undefined) {
    y = np.moveaxis(y, axis, -1)
    const [lx, ly] = [x.shape[x.ndim - 1]!, y.shape[y.ndim - 1]!]
    if (lx < ly) x = padLast(x, 0, ly - lx)
    if (ly < lx) y = padLast(y, 0, lx - ly)
  }
  if (nfft < nperseg) throw argumentError(op, "nfft", `at least nperseg (${nperseg})`, nfft)
  if (noverlap < 0 || noverlap >= nperseg) {
    throw argumentError(op, "noverlap", `from 0 to nperseg - 1 (${nperseg - 1})`, noverlap)
  }
  const nstep = nperseg - noverlap
  if (boundary !== null) {
    x = extend(x, boundary, Math.floor(nperseg / 2))
    if (y !== undefined) y = extend(y, boundary, Math.floor(nperseg / 2))
  }
  if (padded) {
    const nadd = pmod(pmod(-(x.shape[x.ndim - 1]! - nperseg), nstep), nperseg)
    x = padLast(x, 0, nadd)
    if (y !== undefined) y = padLast(y, 0, nadd)
  }
  const detrendArg = options.detrend === undefined ? defaults.detrend : options.detrend
  const detrendFn: (t: Tensor) => Tensor = detrendArg === false
    ? (t) => t
    : typeof detrendArg === "function"
    ? detrendArg
    : detrendArg === "constant" || detrendArg === "linear"
    ? (t) => detrendImpl(t, { type: detrendArg, axis: -1 })
    : (() => {
      throw argumentError(op, "detrend", "\"constant\", \"linear\", false or a function", detrendArg)
    })()
  const scaling = mode === "stft" ? "spectrum" : options.scaling ?? defaults.scaling
  const sumWin = (t: Tensor) => np.sum(t)
  let scale: Tensor
  if (scaling === "density") scale = np.divide(1, np.multiply(fs, sumWin(np.multiply(win, win))))
  else if (scaling === "spectrum") scale = np.divide(1, np.square(sumWin(win)))
  else throw argumentError(op, "scaling", "\"density\" or \"spectrum\"", scaling)
  if (mode === "stft") scale = np.sqrt(scale)
  const twoSided = (options.returnOnesided ?? true) === false || complexTensor(x) ||
    (y !== undefined && complexTensor(y))
  const freqs = twoSided
    ? np.fft.fftfreq(nfft, { d: 1 / fs, dtype: freqDtype })
    : np.fft.rfftfreq(nfft, { d: 1 / fs, dtype: freqDtype })
  let result = segmentFft(x, win, detrendFn, nperseg, noverlap, nfft, twoSided)
  if (y !== undefined) {
    result = np.multiply(np.conj(result), segmentFft(y, win, detrendFn, nperseg, noverlap, nfft, twoSided))
  } else if (mode === "psd") result = np.multiply(np.conj(result), result)
  result = np.multiply(result, np.astype(scale, complexOf(scale.dtype)))
  if (!twoSided && mode === "psd") {
    const nf = result.shape[result.ndim - 1]!
    const end = nfft % 2 === 1 ? nf : nf - 1
    const f = Array.from({ length: nf }, (_, k) => (k >= 1 && k < end ? 2 : 1))
    result = np.multiply(result, np.array(f, { dtype: realOf(result.dtype) }))
  }
  const len = x.shape[x.ndim - 1]!
  const times: Array<number> = []
  for (let t = nperseg / 2; t < len - nperseg / 2 + 1; t += nstep) {
    times.push((boundary !== null ? t - nperseg / 2 : t) / fs)
  }
  result = np.astype(result, resultDtype)
  if (y === undefined && mode !== "stft") result = np.real(result)
  return { freqs, time: np.array(times, { dtype: freqDtype }), result: np.moveaxis(result, -1, axis) }
}

/**
 * The short-time Fourier transform (`jax.scipy.signal.stft`): `[f, t, Zxx]`,
 * the frequencies, the segment times and the spectrum of each segment, with
 * the frequency axis at `axis` and time last. SciPy's defaults: Hann window of
 * 256 points (capped at the signal's length), half overlap, zero-extended ends,
 * zero-padded to whole segments.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const [f, t, Z] = signal.stft(np.array([0, 1, 0, -1, 0, 1, 0, -1], { dtype: "float64" }), { nperseg: 4 })
 * console.log(toJsSync(f), toJsSync(t), Z.shape) // [0, 0.25, 0.5] [0, 2, 4, 6, 8] [3, 5]
 *
 * @since 0.1.0
 */
export const stft = (x: TensorLike, options?: StftOptions): readonly [f: Tensor, t: Tensor, Zxx: Tensor] => {
  checkOptions("stft", options, { ...spectralSpec, boundary: anyValue, padded: boolean })
  const { freqs, result, time } = spectralHelper("stft", x, undefined, options ?? {}, "stft", {
    nperseg: 256,
    detrend: false,
    scaling: "spectrum"
  })
  return [freqs, time, result]
}

/**
 * The cross power spectral density of `x` and `y` by Welch's method
 * (`jax.scipy.signal.csd`): `[f, Pxy]`, the averaged products of the segments'
 * spectra, complex. Without `y` it is `welch`'s estimate.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const x = np.array([1, -1, 1, -1, 1, -1, 1, -1], { dtype: "float64" })
 * const [f, p] = signal.csd(x, x, { nperseg: 4, window: "boxcar", detrend: false })
 * console.log(toJsSync(f), toJsSync(np.real(p))) // [0, 0.25, 0.5] [0, 0, 4]
 *
 * @since 0.1.0
 */
export const csd = (x: TensorLike, y: TensorLike | null, options?: WelchOptions): readonly [f: Tensor, Pxy: Tensor] => {
  const op = y === null ? "welch" : "csd"
  checkOptions(op, options, { ...spectralSpec, scaling: anyValue, average: anyValue })
  const average = options?.average ?? "mean"
  if (average !== "mean" && average !== "median") throw argumentError(op, "average", "\"mean\" or \"median\"", average)
  const { freqs, result } = spectralHelper(op, x, y ?? undefined, options ?? {}, "psd", {
    nperseg: undefined,
    detrend: "constant",
    scaling: "density"
  })
  let p = y === null ? result : np.astype(result, complexOf(result.dtype))
  if (p.ndim >= 2 && p.size > 0) {
    const nseg = p.shape[p.ndim - 1]!
    if (nseg > 1) {
      if (average === "median") {
        let bias = 1
        for (let i = 2; i < nseg; i += 2) bias += 1 / (i + 1) - 1 / i
        const med = (t: Tensor) => np.median(t, { axis: -1 })
        p = complexTensor(p) ? lax.complex(med(np.real(p)), med(np.imag(p))) : med(p)
        p = np.divide(p, bias)
      } else {
        p = np.mean(p, { axis: -1 })
      }
    } else {
      p = lax.reshape(p, p.shape.slice(0, -1))
    }
  }
  return [freqs, p]
}

/**
 * The power spectral density by Welch's method (`jax.scipy.signal.welch`):
 * `[f, Pxx]`, the mean (or median) periodogram of overlapping detrended,
 * windowed segments; SciPy's defaults (Hann, segments of the whole signal,
 * half overlap, density scaling, one-sided).
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const x = np.array([1, -1, 1, -1, 1, -1, 1, -1], { dtype: "float64" })
 * const [f, p] = signal.welch(x, { nperseg: 4, window: "boxcar", detrend: false })
 * console.log(toJsSync(f), toJsSync(p)) // [0, 0.25, 0.5] [0, 0, 4]
 *
 * @since 0.1.0
 */
export const welch = (x: TensorLike, options?: WelchOptions): readonly [f: Tensor, Pxx: Tensor] => {
  const [f, p] = csd(x, null, options)
  return [f, np.real(p)]
}
