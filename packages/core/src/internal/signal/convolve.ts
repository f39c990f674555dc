/**
 * `signal`'s convolutions (JAX's `jax.scipy.signal.convolve`, `correlate`,
 * `convolve2d`, `correlate2d`, `fftconvolve`): the direct ones are one
 * `conv_general_dilated` of the two arrays as a single-channel image and a
 * flipped kernel, N-dimensional, with JAX's padding for each mode; the FFT one
 * is a real (or complex) n-dimensional FFT product, cropped to the mode.
 *
 * @since 0.1.0
 */
import { ShapeError } from "../../Errors.js"
import { convGeneralDilated } from "../../internal/lax/convolution.js"
import * as lax from "../../lax.js"
import * as np from "../../numpy.js"
import type { Precision } from "../../Primitive.js"
import { formatShape } from "../../Shape.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, checkAxis, checkOptions, string } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { complexTensor, promoteInexact } from "./common.js"

/** How much of the full convolution to keep. @since 0.1.0 */
export type Mode = "full" | "same" | "valid"

/** Options of `convolve` and `correlate`: the mode (`"full"`), the method (`"auto"`, `"direct"` or `"fft"`), the precision of the direct method. @since 0.1.0 */
export interface ConvolveOptions {
  readonly mode?: Mode | undefined
  readonly method?: "auto" | "direct" | "fft" | undefined
  readonly precision?: Precision | undefined
}

/** Options of `convolve2d` and `correlate2d`: the mode, the boundary (only JAX's `"fill"` with `fillvalue` 0), the precision. @since 0.1.0 */
export interface Convolve2dOptions {
  readonly mode?: Mode | undefined
  readonly boundary?: "fill" | undefined
  readonly fillvalue?: number | undefined
  readonly precision?: Precision | undefined
}

/** Options of `fftconvolve`: the mode (`"full"`) and the axes to convolve over (all; the others must agree and are batched). @since 0.1.0 */
export interface FftConvolveOptions {
  readonly mode?: Mode | undefined
  readonly axes?: number | ReadonlyArray<number> | undefined
}

const checkMode = (op: string, mode: unknown): Mode => {
  const m = mode ?? "full"
  if (m !== "full" && m !== "same" && m !== "valid") {
    throw argumentError(op, "mode", "\"full\", \"same\" or \"valid\"", m)
  }
  return m
}

const sameRank = (op: string, a: Tensor, b: Tensor): void => {
  if (a.ndim !== b.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `in1 and in2 must have the same number of dimensions, got ${formatShape(a.shape)} and ${
        formatShape(b.shape)
      }`
    })
  }
}

// JAX's `_convolve_nd`: the larger input slides under the flipped smaller one.
const convolveNd = (op: string, a: Tensor, b: Tensor, mode: Mode, precision: Precision | undefined): Tensor => {
  sameRank(op, a, b)
  if (a.size === 0 || b.size === 0) {
    throw new ShapeError({
      operation: op,
      detail: `zero-size arrays not supported in convolutions, got shapes ${formatShape(a.shape)} and ${
        formatShape(b.shape)
      }.`
    })
  }
  let [in1, in2] = promoteInexact(op, a, b) as [Tensor, Tensor]
  const noSwap = in1.shape.every((s, i) => s >= in2.shape[i]!)
  const swap = in1.shape.every((s, i) => s <= in2.shape[i]!)
  if (!(noSwap || swap)) {
    throw new ShapeError({ operation: op, detail: "One input must be smaller than the other in every dimension." })
  }
  const shapeO = in2.shape
  if (swap) [in1, in2] = [in2, in1]
  const shape = in2.shape
  const kernel = lax.rev(in2, [...shape.keys()])
  const padding = shape.map((s, i): readonly [number, number] => {
    const so = shapeO[i]!
    return mode === "valid"
      ? [0, 0]
      : mode === "same"
      ? [s - 1 - Math.floor((so - 1) / 2), s - so + Math.floor((so - 1) / 2)]
      : [s - 1, s - 1]
  })
  const lead = (t: Tensor) => lax.reshape(t, [1, 1, ...t.shape])
  const out = convGeneralDilated(
    lead(in1),
    lead(kernel),
    shape.map(() => 1),
    padding,
    precision === undefined ? {} : { precision }
  )
  return lax.reshape(out, out.shape.slice(2))
}

const convolveOptions = (op: string, options: ConvolveOptions | undefined) => {
  checkOptions(op, options, { mode: string, method: string, precision: anyValue })
  const mode = checkMode(op, options?.mode)
  const method = options?.method ?? "auto"
  if (method !== "auto" && method !== "direct" && method !== "fft") {
    throw argumentError(op, "method", "\"auto\", \"direct\" or \"fft\"", method)
  }
  return { method, mode }
}

/**
 * The N-dimensional convolution of two arrays of the same rank
 * (`jax.scipy.signal.convolve`): `"full"` by default; `method: "fft"` is
 * `fftconvolve`, `"auto"` and `"direct"` a direct convolution (as JAX).
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * console.log(toJsSync(signal.convolve(np.array([1, 2, 3]), np.array([0, 1, 0.5])))) // [0, 1, 2.5, 4, 1.5]
 * console.log(toJsSync(signal.convolve(np.array([1, 2, 3]), np.array([0, 1, 0.5]), { mode: "same" }))) // [1, 2.5, 4]
 *
 * @since 0.1.0
 */
export const convolve = (in1: TensorLike, in2: TensorLike, options?: ConvolveOptions): Tensor => {
  const { method, mode } = convolveOptions("convolve", options)
  if (method === "fft") return fftconvolve(in1, in2, { mode })
  return convolveNd("convolve", np.asarray(in1), np.asarray(in2), mode, options?.precision)
}

/**
 * The N-dimensional cross-correlation (`jax.scipy.signal.correlate`): the
 * convolution with `in2` conjugated and flipped, `"full"` by default.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * console.log(toJsSync(signal.correlate(np.array([1, 2, 3]), np.array([0, 1, 0.5])))) // [0.5, 2, 3.5, 3, 0]
 *
 * @since 0.1.0
 */
export const correlate = (in1: TensorLike, in2: TensorLike, options?: ConvolveOptions): Tensor => {
  convolveOptions("correlate", options)
  const b = np.asarray(in2)
  return convolve(in1, lax.rev(np.conj(b), [...b.shape.keys()]), options)
}

const options2d = (op: string, a: Tensor, b: Tensor, options: Convolve2dOptions | undefined): Mode => {
  checkOptions(op, options, { mode: string, boundary: anyValue, fillvalue: anyValue, precision: anyValue })
  if ((options?.boundary ?? "fill") !== "fill" || (options?.fillvalue ?? 0) !== 0) {
    throw argumentError(op, "boundary", "\"fill\" with fillvalue 0 (all JAX supports)", options?.boundary)
  }
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError({ operation: op, detail: "only 2-dimensional inputs are supported" })
  }
  return checkMode(op, options?.mode)
}

/**
 * The 2-d convolution (`jax.scipy.signal.convolve2d`), zero-filled boundary only.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const x = np.array([[1, 2], [3, 4]])
 * console.log(toJsSync(signal.convolve2d(x, np.array([[1, 1]])))) // [[1, 3, 2], [3, 7, 4]]
 *
 * @since 0.1.0
 */
export const convolve2d = (in1: TensorLike, in2: TensorLike, options?: Convolve2dOptions): Tensor => {
  const [a, b] = [np.asarray(in1), np.asarray(in2)]
  const mode = options2d("convolve2d", a, b, options)
  return convolveNd("convolve2d", a, b, mode, options?.precision)
}

/**
 * The 2-d cross-correlation (`jax.scipy.signal.correlate2d`), zero-filled
 * boundary only, with JAX's handling of which input is larger.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const x = np.array([[1, 2], [3, 4]])
 * console.log(toJsSync(signal.correlate2d(x, np.array([[1, -1]]), { mode: "valid" }))) // [[-1], [-1]]
 *
 * @since 0.1.0
 */
export const correlate2d = (in1: TensorLike, in2: TensorLike, options?: Convolve2dOptions): Tensor => {
  const op = "correlate2d"
  const [a, b] = [np.asarray(in1), np.asarray(in2)]
  const mode = options2d(op, a, b, options)
  const precision = options?.precision
  const flip = (t: Tensor) => lax.rev(t, [0, 1])
  const swap = a.shape.every((s, i) => s <= b.shape[i]!)
  const sameShape = a.shape.every((s, i) => s === b.shape[i]!)
  if (mode === "same" || (mode === "valid" && !(swap && !sameShape)) || (mode === "full" && !swap)) {
    return flip(convolveNd(op, flip(a), np.conj(b), mode, precision))
  }
  const result = convolveNd(op, flip(b), np.conj(a), mode, precision)
  return mode === "full" ? np.conj(result) : result
}

/**
 * The convolution by FFTs over `axes` (`jax.scipy.signal.fftconvolve`): real
 * inputs use `rfftn`, complex ones `fftn`; the other axes are batched and must
 * agree in size.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const y = signal.fftconvolve(np.array([1, 2, 3], { dtype: "float64" }), np.array([0, 1, 0.5], { dtype: "float64" }))
 * console.log(toJsSync(y)) // [0, 1, 2.5, 4, 1.5]
 *
 * @since 0.1.0
 */
export const fftconvolve = (in1: TensorLike, in2: TensorLike, options?: FftConvolveOptions): Tensor => {
  const op = "fftconvolve"
  checkOptions(op, options, { mode: string, axes: anyValue })
  let [a, b] = promoteInexact(op, in1, in2) as [Tensor, Tensor]
  if (a.ndim !== b.ndim) {
    throw new ShapeError({ operation: op, detail: "in1 and in2 should have the same dimensionality" })
  }
  const mode = checkMode(op, options?.mode)
  const rawAxes = options?.axes
  const axes = rawAxes === undefined
    ? [...a.shape.keys()]
    : (typeof rawAxes === "number" ? [rawAxes] : Array.isArray(rawAxes) ? rawAxes : [rawAxes]).map((ax: unknown) =>
      checkAxis(op, ax, a.ndim, "axes")
    )
  const conv = new Set(axes)
  const mapped = [...a.shape.keys()].filter((i) => !conv.has(i))
  if (mapped.some((i) => a.shape[i] !== b.shape[i])) {
    throw new ShapeError({
      operation: op,
      detail: `mapped axes must have same shape; got in1.shape=${formatShape(a.shape)} in2.shape=${
        formatShape(b.shape)
      } axes=[${axes}]`
    })
  }
  if (a.size === 0 || b.size === 0) {
    throw new ShapeError({ operation: op, detail: "zero-size arrays not supported in convolutions" })
  }
  const ax = [...conv].sort((x, y) => x - y)
  if (mode === "valid") {
    const noSwap = ax.every((i) => a.shape[i]! >= b.shape[i]!)
    const swap = ax.every((i) => a.shape[i]! <= b.shape[i]!)
    if (!(noSwap || swap)) {
      throw new ShapeError({
        operation: op,
        detail: "For 'valid' mode, One input must be at least as large as the other in every dimension."
      })
    }
    if (swap) [a, b] = [b, a]
  }
  const full = a.shape.map((s, i) => (conv.has(i) ? s + b.shape[i]! - 1 : s))
  let y: Tensor
  if (ax.every((i) => a.shape[i] === 1 || b.shape[i] === 1)) {
    y = np.multiply(a, b)
  } else {
    const s = ax.map((i) => full[i]!)
    const complex = complexTensor(a)
    const fa = complex ? np.fft.fftn(a, { s, axes: ax }) : np.fft.rfftn(a, { s, axes: ax })
    const fb = complex ? np.fft.fftn(b, { s, axes: ax }) : np.fft.rfftn(b, { s, axes: ax })
    y = complex
      ? np.fft.ifftn(np.multiply(fa, fb), { s, axes: ax })
      : np.fft.irfftn(np.multiply(fa, fb), { s, axes: ax })
  }
  const out = full.map((f, i) =>
    !conv.has(i) ? f : mode === "full" ? f : mode === "same" ? a.shape[i]! : a.shape[i]! - b.shape[i]! + 1
  )
  const start = full.map((f, i) => Math.floor((f - out[i]!) / 2))
  return lax.slice(y, start, start.map((s0, i) => s0 + out[i]!))
}
