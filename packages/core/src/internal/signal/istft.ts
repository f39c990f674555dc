/**
 * `signal.istft` (JAX's `jax.scipy.signal.istft`): the inverse FFT of each
 * segment, windowed, overlap-added by reshapes (JAX's `_overlap_and_add`) and
 * divided by the overlap-added squared window.
 *
 * @since 0.1.0
 */
import { ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, boolean, checkAxis, checkOptions, finite, integer } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { complexOf, positive, realOf, sliceAxis } from "./common.js"
import { arrayWindow, isWindowName, namedWindow } from "./windows.js"
import type { Window } from "./windows.js"

/** Options of `istft`. @since 0.1.0 */
export interface IstftOptions {
  readonly fs?: number | undefined
  readonly window?: Window | undefined
  readonly nperseg?: number | undefined
  readonly noverlap?: number | undefined
  readonly nfft?: number | undefined
  /** Whether the input is a one-sided spectrum (true). */
  readonly inputOnesided?: boolean | undefined
  /** Whether `stft` extended the signal (true): half a segment is cut from both ends. */
  readonly boundary?: boolean | undefined
  readonly timeAxis?: number | undefined
  readonly freqAxis?: number | undefined
}

// Overlap-add of frames [..., nframes, seglen] spaced `step` apart, by reshapes only: each frame
// split into blocks of `step`, blocks of the same offset laid end to end, the offsets summed.
const overlapAdd = (x: Tensor, step: number): Tensor => {
  const batch = x.shape.slice(0, -2)
  const [nframes, seglen] = x.shape.slice(-2) as [number, number]
  const b = batch.reduce((p, d) => p * d, 1)
  const outSize = step * (nframes - 1) + seglen
  const blocks = Math.floor((seglen - 1) / step) + 1
  let y = lax.reshape(x, [b, nframes, seglen])
  y = lax.pad(y, lax.full([], 0, y.dtype), [[0, 0, 0], [0, 0, 0], [0, blocks * step - seglen, 0]])
  y = lax.transpose(lax.reshape(y, [b, nframes, blocks, step]), [0, 2, 1, 3])
  y = lax.pad(y, lax.full([], 0, y.dtype), [[0, 0, 0], [0, 0, 0], [0, nframes, 0], [0, 0, 0]])
  const shrunk = 2 * nframes - 1
  y = lax.slice(lax.reshape(y, [b, blocks * 2 * nframes * step]), [0, 0], [b, blocks * shrunk * step])
  y = np.sum(lax.reshape(y, [b, blocks, shrunk * step]), { axis: 1 })
  return lax.reshape(lax.slice(y, [0, 0], [b, outSize]), [...batch, outSize])
}

/**
 * The inverse short-time Fourier transform (`jax.scipy.signal.istft`): `[t, x]`,
 * by windowed overlap-add of the inverse FFTs, normalized by the summed
 * squared window; `istft(stft(x))` is `x` for a window whose overlapping
 * squares sum to a constant (Hann at half overlap).
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const x = np.array([1, 2, 3, 4, 5, 6, 7, 8], { dtype: "float64" })
 * const [, y] = signal.istft(signal.stft(x, { nperseg: 4 })[2], { nperseg: 4 })
 * console.log(toJsSync(y)) // [1, 2, 3, 4, 5, 6, 7, 8]
 *
 * @since 0.1.0
 */
export const istft = (Zxx: TensorLike, options?: IstftOptions): readonly [t: Tensor, x: Tensor] => {
  const op = "istft"
  checkOptions(op, options, {
    fs: finite,
    window: anyValue,
    nperseg: integer,
    noverlap: integer,
    nfft: integer,
    inputOnesided: boolean,
    boundary: boolean,
    timeAxis: integer,
    freqAxis: integer
  })
  let z = np.asarray(Zxx)
  if (z.ndim < 2 || z.size === 0) {
    throw new ShapeError({ operation: op, detail: "Input stft must be at least 2d and not empty" })
  }
  const freqAxis = checkAxis(op, options?.freqAxis ?? -2, z.ndim, "freqAxis")
  const timeAxis = checkAxis(op, options?.timeAxis ?? -1, z.ndim, "timeAxis")
  if (freqAxis === timeAxis) throw argumentError(op, "timeAxis", "an axis other than freqAxis", options?.timeAxis)
  z = np.astype(z, complexOf(z.dtype === "float64" || z.dtype === "complex128" ? "float64" : "float32"))
  const onesided = options?.inputOnesided ?? true
  const nDefault = onesided ? 2 * (z.shape[freqAxis]! - 1) : z.shape[freqAxis]!
  const nperseg = options?.nperseg || nDefault // Python's `or`: 0 means the default
  positive(op, "nperseg", nperseg)
  let nfft = options?.nfft ?? nDefault
  if (options?.nfft === undefined && onesided && nperseg === nDefault + 1) nfft += 1 // odd nperseg, no padding
  if (nfft < nperseg) throw argumentError(op, "nfft", `at least nperseg (${nperseg})`, nfft)
  const noverlap = options?.noverlap || Math.floor(nperseg / 2)
  if (noverlap < 0 || noverlap >= nperseg) {
    throw argumentError(op, "noverlap", `from 0 to nperseg - 1 (${nperseg - 1})`, noverlap)
  }
  const nstep = nperseg - noverlap
  if (timeAxis !== z.ndim - 1 || freqAxis !== z.ndim - 2) {
    const outer = [...z.shape.keys()].filter((i) => i !== timeAxis && i !== freqAxis)
    z = lax.transpose(z, [...outer, freqAxis, timeAxis])
  }
  const frames = onesided ? np.fft.irfft(z, { axis: -2, n: nfft }) : np.fft.ifft(z, { axis: -2, n: nfft })
  let xsubs = sliceAxis(frames, frames.ndim - 2, 0, Math.min(nperseg, nfft))
  const w = options?.window ?? "hann"
  const win = isWindowName(w) ? namedWindow(op, w, nperseg, realOf(xsubs.dtype)) : arrayWindow(op, w, xsubs.dtype)
  if (win.shape[0] !== nperseg) {
    throw new ShapeError({ operation: op, detail: `window must have length of ${nperseg}` })
  }
  xsubs = np.multiply(xsubs, np.sum(win)) // undoes the "spectrum" scaling
  const winCol = lax.reshape(win, [...Array<number>(xsubs.ndim - 2).fill(1), nperseg, 1])
  let x = overlapAdd(np.swapaxes(np.multiply(xsubs, winCol), -2, -1), nstep)
  const nframes = xsubs.shape[xsubs.ndim - 1]!
  const winSq = np.repeat(np.multiply(winCol, winCol), nframes, { axis: -1 })
  let norm = overlapAdd(np.swapaxes(winSq, -2, -1), nstep)
  if (options?.boundary ?? true) {
    // Python's x[..., h:-h] (empty when h is 0, as in JAX)
    const h = Math.floor(nperseg / 2)
    const cut = (t: Tensor) => {
      const len = t.shape[t.ndim - 1]!
      const lo = h === 0 ? 0 : Math.min(h, len)
      return sliceAxis(t, t.ndim - 1, lo, h === 0 ? 0 : Math.max(lo, len - h))
    }
    x = cut(x)
    norm = cut(norm)
  }
  x = np.divide(x, np.where(np.greater(norm, 1e-10), norm, 1))
  if (x.ndim > 1 && timeAxis !== z.ndim - 1) {
    x = np.moveaxis(x, -1, freqAxis < timeAxis ? timeAxis - 1 : timeAxis)
  }
  const fs = options?.fs ?? 1
  const time = np.array(Array.from({ length: x.shape[0]! }, (_, i) => i / fs), { dtype: realOf(x.dtype) })
  return [time, x]
}
