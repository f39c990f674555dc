/**
 * `np.fft`: JAX's `jax.numpy.fft`, each transform the `fft` primitive (JAX's
 * `lax.fft`) along one axis at a time (the axis moved last and back), with the
 * crop or zero-padding to `n` and the `norm` scaling around it as JAX's
 * `_fft_core`. O(n log n) per line for every length on the typed-array backend
 * (see backend-typed-array/src/internal/fft.ts for the algorithms and error).
 *
 * @since 0.1.0
 */
import { isComplex } from "../../DType.js"
import type { DType } from "../../DType.js"
import { ShapeError } from "../../Errors.js"
import { bind1 } from "../../Handler.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { FftType } from "../../Primitive.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, checkAxis, checkOptions, integer, number, string } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { toTensor } from "../npHelpers.js"
import { roll } from "./arrays.js"
import { count, intList } from "./checks.js"

/** How a transform is scaled: `"backward"` (1/n on the inverse, the default), `"ortho"` (1/sqrt n both ways) or `"forward"`. @since 0.1.0 */
export type Norm = "backward" | "ortho" | "forward"

/** Options of the one-dimensional transforms: the length `n` (cropped or zero-padded), the axis (-1), the norm. @since 0.1.0 */
export interface FftOptions {
  readonly n?: number | undefined
  readonly axis?: number | undefined
  readonly norm?: Norm | undefined
}

/** Options of the n-dimensional transforms: the lengths `s`, the axes (the last `s.length`, or all), the norm. @since 0.1.0 */
export interface FftNOptions {
  readonly s?: ReadonlyArray<number> | undefined
  readonly axes?: ReadonlyArray<number> | undefined
  readonly norm?: Norm | undefined
}

const spec1 = { n: integer, axis: integer, norm: string }
const specN = { s: anyValue, axes: anyValue, norm: string }

const checkNorm = (op: string, norm: unknown): Norm => {
  const v = norm ?? "backward"
  if (v !== "backward" && v !== "ortho" && v !== "forward") {
    throw argumentError(op, "norm", "\"backward\", \"ortho\" or \"forward\"", v)
  }
  return v
}

const complexOf = (t: Tensor): Tensor =>
  isComplex(t.dtype) ? t : lax.convertElementType(t, t.dtype === "float64" ? "complex128" : "complex64")

// x with `axis` cropped or zero-padded to length n.
const fitLength = (x: Tensor, axis: number, n: number): Tensor => {
  const m = x.shape[axis]!
  if (m === n) return x
  if (m > n) return lax.slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === axis ? n : d)))
  return lax.pad(
    x,
    lax.full([], 0, x.dtype),
    x.shape.map((_, i): readonly [number, number, number] => (i === axis ? [0, n - m, 0] : [0, 0, 0]))
  )
}

const scale = (norm: Norm, n: number, inverse: boolean): number =>
  norm === "ortho" ? 1 / Math.sqrt(n) : (norm === "forward") !== inverse ? 1 / n : 1

// The `fft` primitive along one axis (moved last and back), rescaled from the primitive's
// convention (1/n on IFFT and IRFFT only) to `norm`'s.
const along = (x: Tensor, axis: number, type: FftType, n: number, norm: Norm): Tensor => {
  count("fft", "n", n, Math.max(1, x.size / Math.max(1, x.shape[axis]!)))
  const last = x.ndim - 1
  const moved = axis === last ? x : np.moveaxis(x, axis, -1)
  let y = bind1("fft", [moved], { fftType: type, fftLengths: [n] })
  const inverse = type === "IFFT" || type === "IRFFT"
  const f = scale(norm, n, inverse) / (inverse ? 1 / n : 1)
  if (f !== 1) y = lax.mul(y, lax.full([], f, y.dtype))
  return axis === last ? y : np.moveaxis(y, -1, axis)
}

// The complex DFT along one axis (inverse: conjugate kernel).
const dft = (x0: Tensor, axis: number, n: number, norm: Norm, inverse: boolean): Tensor => {
  if (n < 1) throw new ShapeError({ operation: "fft", detail: `invalid number of data points (${n}) specified` })
  return along(fitLength(complexOf(x0), axis, n), axis, inverse ? "IFFT" : "FFT", n, norm)
}

const oneAxis = (op: string, a: TensorLike, options: FftOptions | undefined) => {
  checkOptions(op, options, spec1)
  const x = toTensor(a)
  if (x.ndim === 0) throw new ShapeError({ operation: op, detail: "the input must have at least one dimension" })
  const axis = checkAxis(op, options?.axis ?? -1, x.ndim)
  return { x, axis, norm: checkNorm(op, options?.norm) }
}

/**
 * The one-dimensional discrete Fourier transform (`jnp.fft.fft`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.fft(np.array([1, 2, 3, 4])))) // [{ re: 10, im: 0 }, { re: -2, im: 2 }, { re: -2, im: 0 }, { re: -2, im: -2 }]
 *
 * @since 0.1.0
 */
export const fft = (a: TensorLike, options?: FftOptions): Tensor => {
  const { axis, norm, x } = oneAxis("fft", a, options)
  return dft(x, axis, options?.n ?? x.shape[axis]!, norm, false)
}

/**
 * The inverse of `fft` (`jnp.fft.ifft`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.ifft(np.fft.fft(np.array([1, 2, 3]))))) // [{ re: 1, im: 0 }, { re: 2, im: 0 }, { re: 3, im: 0 }]
 *
 * @since 0.1.0
 */
export const ifft = (a: TensorLike, options?: FftOptions): Tensor => {
  const { axis, norm, x } = oneAxis("ifft", a, options)
  return dft(x, axis, options?.n ?? x.shape[axis]!, norm, true)
}

// The DFT of a real input: only the n/2 + 1 non-negative frequencies.
const realDft = (x0: Tensor, axis: number, n: number, norm: Norm, op: string): Tensor => {
  if (isComplex(x0.dtype)) throw new ShapeError({ operation: op, detail: "the input must be real" })
  if (n < 1) throw new ShapeError({ operation: op, detail: `invalid number of data points (${n}) specified` })
  const real = x0.dtype === "float64" ? "float64" : "float32"
  return along(fitLength(np.astype(x0, real), axis, n), axis, "RFFT", n, norm)
}

// The real inverse of a Hermitian spectrum given by its n/2 + 1 first entries.
const realIdft = (x0: Tensor, axis: number, n: number, norm: Norm, op: string): Tensor => {
  if (n < 1) throw new ShapeError({ operation: op, detail: `invalid number of data points (${n}) specified` })
  return along(fitLength(complexOf(x0), axis, Math.floor(n / 2) + 1), axis, "IRFFT", n, norm)
}

/**
 * The DFT of a real input, non-negative frequencies only (`jnp.fft.rfft`): n/2 + 1 values.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.rfft(np.array([1, 2, 3, 4])))) // [{ re: 10, im: 0 }, { re: -2, im: 2 }, { re: -2, im: 0 }]
 *
 * @since 0.1.0
 */
export const rfft = (a: TensorLike, options?: FftOptions): Tensor => {
  const { axis, norm, x } = oneAxis("rfft", a, options)
  return realDft(x, axis, options?.n ?? x.shape[axis]!, norm, "rfft")
}

/**
 * The inverse of `rfft` (`jnp.fft.irfft`): `n` real values, `2 (m - 1)` by default.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.irfft(np.fft.rfft(np.array([1, 2, 3, 4]))))) // [1, 2, 3, 4]
 *
 * @since 0.1.0
 */
export const irfft = (a: TensorLike, options?: FftOptions): Tensor => {
  const { axis, norm, x } = oneAxis("irfft", a, options)
  return realIdft(x, axis, options?.n ?? 2 * (x.shape[axis]! - 1), norm, "irfft")
}

const swap = (norm: Norm): Norm => (norm === "backward" ? "forward" : norm === "forward" ? "backward" : norm)

/**
 * The FFT of a Hermitian-symmetric signal given by its first half (`jnp.fft.hfft`): real output.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.hfft(np.array([1, 2, 3])))) // [8, -2, 0, -2]
 *
 * @since 0.1.0
 */
export const hfft = (a: TensorLike, options?: FftOptions): Tensor => {
  const { axis, norm, x } = oneAxis("hfft", a, options)
  return realIdft(lax.conj(complexOf(x)), axis, options?.n ?? 2 * (x.shape[axis]! - 1), swap(norm), "hfft")
}

/**
 * The inverse of `hfft` (`jnp.fft.ihfft`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.ihfft(np.array([8, -2, 0, -2])))) // [{ re: 1, im: -0 }, { re: 2, im: -0 }, { re: 3, im: -0 }]
 *
 * @since 0.1.0
 */
export const ihfft = (a: TensorLike, options?: FftOptions): Tensor => {
  const { axis, norm, x } = oneAxis("ihfft", a, options)
  return lax.conj(realDft(x, axis, options?.n ?? x.shape[axis]!, swap(norm), "ihfft"))
}

const axesOf = (op: string, x: Tensor, options: FftNOptions | undefined, last?: number): Array<number> => {
  checkOptions(op, options, specN)
  const s = options?.s === undefined ? undefined : intList(op, "s", options.s)
  if (options?.axes !== undefined) intList(op, "axes", options.axes)
  // JAX's checks: the 2-D transforms take two axes and an s of two; s and axes agree in length; no
  // axis twice (an s longer than the rank would otherwise count axes from before the first)
  if (last !== undefined && s !== undefined && s.length !== last) {
    throw new ShapeError({ operation: op, detail: `${op} only supports s of length ${last}, got s = [${s}]` })
  }
  if (last !== undefined && options?.axes !== undefined && options.axes.length !== last) {
    throw new ShapeError({ operation: op, detail: `${op} only supports ${last} axes, got axes = [${options.axes}]` })
  }
  if (s !== undefined && options?.axes === undefined && s.length > x.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `s has ${s.length} entries but the array has ${x.ndim} dimensions; give axes for each entry`
    })
  }
  const axes = options?.axes ??
    (s !== undefined
      ? s.map((_, i) => x.ndim - s.length + i)
      : last !== undefined
      ? [...Array(last).keys()].map((i) => x.ndim - last + i)
      : [...x.shape.keys()])
  if (s !== undefined && s.length !== axes.length) {
    throw new ShapeError({ operation: op, detail: "shape and axes have different lengths" })
  }
  const checked = axes.map((a) => checkAxis(op, a, x.ndim))
  if (new Set(checked).size !== checked.length) {
    throw new ShapeError({ operation: op, detail: `${op} does not support repeated axes, got axes = [${axes}]` })
  }
  return checked
}

const nd = (op: string, inverse: boolean, last?: number) => (a: TensorLike, options?: FftNOptions): Tensor => {
  let x = toTensor(a)
  const axes = axesOf(op, x, options, last)
  const norm = checkNorm(op, options?.norm)
  axes.forEach((axis, i) => {
    x = dft(x, axis, options?.s?.[i] ?? x.shape[axis]!, norm, inverse)
  })
  return x
}

/**
 * The n-dimensional DFT over `axes` (all by default) (`jnp.fft.fftn`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.fftn(np.array([[1, 2], [3, 4]])))) // [[{ re: 10, im: 0 }, { re: -2, im: 0 }], [{ re: -4, im: 0 }, { re: 0, im: 0 }]]
 *
 * @since 0.1.0
 */
export const fftn = nd("fftn", false)
/**
 * The inverse of `fftn` (`jnp.fft.ifftn`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.real(np.fft.ifftn(np.fft.fftn(np.array([[1, 2], [3, 4]])))))) // [[1, 2], [3, 4]]
 *
 * @since 0.1.0
 */
export const ifftn = nd("ifftn", true)
/**
 * The DFT over the last two axes (`jnp.fft.fft2`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.fft.fft2(np.ones([3, 2, 2])).shape) // [3, 2, 2]
 *
 * @since 0.1.0
 */
export const fft2 = nd("fft2", false, 2)
/**
 * The inverse of `fft2` (`jnp.fft.ifft2`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.fft.ifft2(np.ones([2, 2])).dtype) // complex64
 *
 * @since 0.1.0
 */
export const ifft2 = nd("ifft2", true, 2)

const rnd = (op: string, last?: number) => (a: TensorLike, options?: FftNOptions): Tensor => {
  let x = toTensor(a)
  const axes = axesOf(op, x, options, last)
  const norm = checkNorm(op, options?.norm)
  const k = axes.length - 1
  x = realDft(x, axes[k]!, options?.s?.[k] ?? x.shape[axes[k]!]!, norm, op)
  for (let i = 0; i < k; i++) x = dft(x, axes[i]!, options?.s?.[i] ?? x.shape[axes[i]!]!, norm, false)
  return x
}

const irnd = (op: string, last?: number) => (a: TensorLike, options?: FftNOptions): Tensor => {
  let x = toTensor(a)
  const axes = axesOf(op, x, options, last)
  const norm = checkNorm(op, options?.norm)
  const k = axes.length - 1
  for (let i = 0; i < k; i++) x = dft(x, axes[i]!, options?.s?.[i] ?? x.shape[axes[i]!]!, norm, true)
  return realIdft(x, axes[k]!, options?.s?.[k] ?? 2 * (x.shape[axes[k]!]! - 1), norm, op)
}

/**
 * `rfft` over the last axis of `axes`, then `fft` over the others (`jnp.fft.rfftn`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.fft.rfftn(np.ones([4, 6])).shape) // [4, 4]
 *
 * @since 0.1.0
 */
export const rfftn = rnd("rfftn")
/**
 * The inverse of `rfftn` (`jnp.fft.irfftn`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.irfftn(np.fft.rfftn(np.array([[1, 2], [3, 4]]))))) // [[1, 2], [3, 4]]
 *
 * @since 0.1.0
 */
export const irfftn = irnd("irfftn")
/**
 * `rfftn` over the last two axes (`jnp.fft.rfft2`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.fft.rfft2(np.ones([2, 4, 4])).shape) // [2, 4, 3]
 *
 * @since 0.1.0
 */
export const rfft2 = rnd("rfft2", 2)
/**
 * `irfftn` over the last two axes (`jnp.fft.irfft2`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.fft.irfft2(np.ones([4, 3])).shape) // [4, 4]
 *
 * @since 0.1.0
 */
export const irfft2 = irnd("irfft2", 2)

const freqs = (op: string, n: number, d: number, values: ReadonlyArray<number>, dtype: DType | undefined): Tensor => {
  if (count(op, "n", n) < 1) throw argumentError(op, "n", "a positive integer", n)
  if (typeof d !== "number" || d === 0) throw argumentError(op, "d", "a non-zero sample spacing", d)
  return np.array(values.map((v) => v / (d * n)), { dtype: dtype ?? "float32" })
}

/**
 * The sample frequencies of an `n`-point DFT with spacing `d` (`jnp.fft.fftfreq`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.fftfreq(5, { d: 0.5 }))) // [0, 0.4, 0.8, -0.8, -0.4]
 *
 * @since 0.1.0
 */
export const fftfreq = (
  n: number,
  options?: { readonly d?: number | undefined; readonly dtype?: DType | undefined }
): Tensor => {
  checkOptions("fftfreq", options, { d: number, dtype: anyValue })
  count("fftfreq", "n", n)
  const half = Math.floor((n - 1) / 2) + 1
  const values = Array.from({ length: n }, (_, i) => (i < half ? i : i - n))
  return freqs("fftfreq", n, options?.d ?? 1, values, options?.dtype)
}

/**
 * The non-negative sample frequencies of `rfft` (`jnp.fft.rfftfreq`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.rfftfreq(4))) // [0, 0.25, 0.5]
 *
 * @since 0.1.0
 */
export const rfftfreq = (
  n: number,
  options?: { readonly d?: number | undefined; readonly dtype?: DType | undefined }
): Tensor => {
  checkOptions("rfftfreq", options, { d: number, dtype: anyValue })
  // as fftfreq: a size, checked before the values are built (a huge n hung building them)
  count("rfftfreq", "n", n)
  return freqs(
    "rfftfreq",
    n,
    options?.d ?? 1,
    Array.from({ length: Math.floor(n / 2) + 1 }, (_, i) => i),
    options?.dtype
  )
}

const shift =
  (op: string, inverse: boolean) =>
  (x: TensorLike, options?: { readonly axes?: number | ReadonlyArray<number> | undefined }): Tensor => {
    checkOptions(op, options, { axes: anyValue })
    const t = toTensor(x)
    const axes = options?.axes === undefined
      ? [...t.shape.keys()]
      : typeof options.axes === "number"
      ? [options.axes]
      : [...intList(op, "axes", options.axes)]
    const norm = axes.map((a) => checkAxis(op, a, t.ndim))
    const shifts = norm.map((a) => (inverse ? -1 : 1) * Math.floor(t.shape[a]! / 2))
    return norm.length === 0 ? t : roll(t, shifts, { axis: norm })
  }

/**
 * Moves the zero frequency to the center (`jnp.fft.fftshift`; all axes by default).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.fftshift(np.fft.fftfreq(5)))) // [-0.4, -0.2, 0, 0.2, 0.4]
 *
 * @since 0.1.0
 */
export const fftshift = shift("fftshift", false)

/**
 * The inverse of `fftshift` (`jnp.fft.ifftshift`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fft.ifftshift(np.fft.fftshift(np.array([0, 1, 2, 3, 4]))))) // [0, 1, 2, 3, 4]
 *
 * @since 0.1.0
 */
export const ifftshift = shift("ifftshift", true)
