/**
 * `fft`: JAX's `jax.scipy.fft`, the discrete cosine transform of type 2 (the
 * only type JAX implements) and its inverse, one- and n-dimensional, built as
 * JAX builds them from `np.fft`: Makhoul's reordering (even samples, then the
 * odd ones reversed), one complex FFT, and a quarter-wave phase twiddle. Being
 * compositions of `np.fft` and `lax` ops, they differentiate, batch and compile.
 * (The file is not named fft.ts: `Fft.ts`, the primitive's module, would clash
 * with it on case-insensitive file systems.)
 *
 * @example
 * import { fft, np, toJsSync } from "diffect"
 * console.log(toJsSync(fft.dct(np.array([1, 2, 3, 4], { dtype: "float64" })))) // [20, -6.308644059797899, 0, -0.44834152916796555]
 *
 * @since 0.1.0
 */
import { isComplex } from "./DType.js"
import { ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { count, intList } from "./internal/np/checks.js"
import { toInexact, toTensor } from "./internal/npHelpers.js"
import { alongAxis, complexOf, fitAxis, realOf, sliceAxis } from "./internal/signal/common.js"
import * as lax from "./lax.js"
import * as np from "./numpy.js"
import type { Tensor } from "./Tensor.js"
import { anyValue, argumentError, checkAxis, checkOptions, integer } from "./Validate.js"

/** How a DCT is scaled: `"backward"` (the default: none forward, `1/(2N)` on the inverse) or `"ortho"`. @since 0.1.0 */
export type DctNorm = "backward" | "ortho"

/** Options of `dct` and `idct`: the type (2), the length `n` (cropped or zero-padded), the axis (-1), the norm. @since 0.1.0 */
export interface DctOptions {
  readonly type?: 2 | undefined
  readonly n?: number | undefined
  readonly axis?: number | undefined
  readonly norm?: DctNorm | undefined
}

/** Options of `dctn` and `idctn`: the type (2), the lengths `s`, the axes (the last `s.length`, or all), the norm. @since 0.1.0 */
export interface DctNOptions {
  readonly type?: 2 | undefined
  readonly s?: number | ReadonlyArray<number> | undefined
  readonly axes?: number | ReadonlyArray<number> | undefined
  readonly norm?: DctNorm | undefined
}

const spec1 = { type: anyValue, n: integer, axis: integer, norm: anyValue }
const specN = { type: anyValue, s: anyValue, axes: anyValue, norm: anyValue }

const checkCommon = (
  op: string,
  options: { readonly type?: unknown; readonly norm?: unknown } | undefined
): DctNorm => {
  const type = options?.type ?? 2
  if (type !== 2) throw argumentError(op, "type", "2 (JAX implements only the DCT of type 2)", type)
  const norm = options?.norm ?? "backward"
  if (norm !== "backward" && norm !== "ortho") throw argumentError(op, "norm", "\"backward\" or \"ortho\"", norm)
  return norm
}

// The quarter-wave twiddle exp(-i pi sign k / (2N)) along `axis`, as [cos, sin] of the angle pi k / (2N).
const twiddle = (n: number, axis: number, ndim: number, like: Tensor): readonly [Tensor, Tensor] => {
  const dtype = realOf(like.dtype)
  const angles = Array.from({ length: n }, (_, k) => (Math.PI * k) / (2 * n))
  return [alongAxis(angles.map(Math.cos), axis, ndim, dtype), alongAxis(angles.map(Math.sin), axis, ndim, dtype)]
}

// cos + i sign sin as a complex constant, `exp(i sign pi k / (2N))`.
const phase = (n: number, sign: number, axis: number, ndim: number, like: Tensor): Tensor => {
  const [c, s] = twiddle(n, axis, ndim, like)
  return lax.complex(c, sign === 1 ? s : lax.neg(s))
}

// Makhoul's order: x[0], x[2], ..., then the odd samples reversed.
const interleave = (x: Tensor, axis: number): Tensor => {
  const n = x.shape[axis]!
  const evens = sliceAxis(x, axis, 0, n, 2)
  const odds = lax.rev(sliceAxis(x, axis, Math.min(1, n), n, 2), [axis])
  return lax.concatenate([evens, odds], axis)
}

// The inverse of `interleave`: out[2i] = v[i], out[2i + 1] = v[N - 1 - i].
const deinterleave = (v: Tensor, axis: number): Tensor => {
  const n = v.shape[axis]!
  const order = Array.from({ length: n }, (_, j) => (j % 2 === 0 ? j / 2 : n - 1 - (j - 1) / 2))
  return np.take(v, np.array(order, { dtype: "int32" }), { axis })
}

// SciPy's orthonormal scaling: 1/sqrt(4N) on the first coefficient, 1/sqrt(2N) on the rest.
const orthoNorm = (x: Tensor, axis: number): Tensor => {
  const n = x.shape[axis]!
  const f = Array.from({ length: n }, (_, k) => 1 / Math.sqrt((k === 0 ? 4 : 2) * n))
  return lax.mul(x, alongAxis(f, axis, x.ndim, x.dtype))
}

// A real or complex tensor split into real parts, transformed, and rejoined (JAX's complex rule).
const splitComplex = (x: Tensor, f: (re: Tensor) => Tensor): Tensor =>
  isComplex(x.dtype) ? lax.complex(f(lax.real(x)), f(lax.imag(x))) : f(x)

const dct1 = (x: Tensor, axis: number, norm: DctNorm): Tensor => {
  const n = x.shape[axis]!
  const spectrum = np.fft.fft(interleave(x, axis), { axis })
  const [c, s] = twiddle(n, axis, x.ndim, spectrum)
  // 2 Re(V exp(-i pi k / 2N)) = 2 (Re V cos + Im V sin)
  const out = lax.mul(
    lax.add(lax.mul(lax.real(spectrum), c), lax.mul(lax.imag(spectrum), s)),
    lax.full([], 2, c.dtype)
  )
  return norm === "ortho" ? orthoNorm(out, axis) : out
}

const idct1 = (x: Tensor, axis: number, norm: DctNorm): Tensor => {
  const n = x.shape[axis]!
  let y = norm === "backward" ? orthoNorm(x, axis) : x
  y = orthoNorm(y, axis)
  const w = lax.mul(phase(n, 1, axis, x.ndim, y), lax.full([], 2 * n, complexOf(y.dtype)))
  const spectrum = lax.mul(lax.convertElementType(y, complexOf(y.dtype)), w)
  return deinterleave(lax.real(np.fft.ifft(spectrum, { axis })), axis)
}

const prepare1 = (op: string, x: TensorLike, options: DctOptions | undefined) => {
  checkOptions(op, options, spec1)
  const norm = checkCommon(op, options)
  const t0 = toTensor(x)
  const t = isComplex(t0.dtype) ? t0 : toInexact(t0)
  if (t.ndim === 0) throw new ShapeError({ operation: op, detail: "the input must have at least one dimension" })
  const axis = checkAxis(op, options?.axis ?? -1, t.ndim)
  const n = options?.n === undefined ? t.shape[axis]! : count(op, "n", options.n, t.size / Math.max(1, t.shape[axis]!))
  if (n === 0) throw argumentError(op, "n", "a positive length", options?.n)
  return { t: fitAxis(t, axis, n), axis, norm }
}

/**
 * The discrete cosine transform of type 2 along one axis (`jax.scipy.fft.dct`):
 * `y[k] = 2 sum_n x[n] cos(pi k (2n + 1) / (2N))`, with SciPy's orthonormal
 * scaling for `norm: "ortho"`. Complex input is transformed part by part.
 *
 * @example
 * import { fft, np, toJsSync } from "diffect"
 * const x = np.array([1, 2, 3, 4], { dtype: "float64" })
 * console.log(toJsSync(fft.dct(x, { n: 2 }))) // [6, -1.4142135623730951]
 * console.log(toJsSync(fft.dct(x, { norm: "ortho" }))) // [5, -2.2304424973876626, 0, -0.15851266778110734]
 *
 * @since 0.1.0
 */
export const dct = (x: TensorLike, options?: DctOptions): Tensor => {
  const { axis, norm, t } = prepare1("dct", x, options)
  return splitComplex(t, (re) => dct1(re, axis, norm))
}

/**
 * The inverse of `dct` (`jax.scipy.fft.idct`), the DCT of type 3 scaled by
 * `1/(2N)` (`"backward"`) or orthonormally.
 *
 * @example
 * import { fft, np, toJsSync } from "diffect"
 * const y = fft.dct(np.array([1, 2, 3, 4], { dtype: "float64" }))
 * console.log(toJsSync(fft.idct(y))) // [1, 2, 3, 4]
 *
 * @since 0.1.0
 */
export const idct = (x: TensorLike, options?: DctOptions): Tensor => {
  const { axis, norm, t } = prepare1("idct", x, options)
  return splitComplex(t, (re) => idct1(re, axis, norm))
}

// The axes and lengths of dctn/idctn, JAX's defaults: the last len(s) axes, or all.
const prepareN = (op: string, x: TensorLike, options: DctNOptions | undefined) => {
  checkOptions(op, options, specN)
  const norm = checkCommon(op, options)
  const t0 = toTensor(x)
  let t = isComplex(t0.dtype) ? t0 : toInexact(t0)
  const s = options?.s === undefined
    ? undefined
    : typeof options.s === "number"
    ? [options.s]
    : intList(op, "s", options.s)
  if (s !== undefined && s.length > t.ndim) {
    throw new ShapeError({ operation: op, detail: `s must have at most x.ndim (${t.ndim}) elements, got ${s.length}` })
  }
  const rawAxes = options?.axes === undefined
    ? undefined
    : typeof options.axes === "number"
    ? [options.axes]
    : intList(op, "axes", options.axes)
  const axes = rawAxes === undefined
    ? Array.from({ length: s?.length ?? t.ndim }, (_, i) => t.ndim - (s?.length ?? t.ndim) + i)
    : rawAxes.map((a) => checkAxis(op, a, t.ndim, "axes"))
  if (new Set(axes).size !== axes.length) throw argumentError(op, "axes", "distinct axes", options?.axes)
  if (s !== undefined && s.length !== axes.length) {
    throw new ShapeError({ operation: op, detail: "s and axes have different lengths" })
  }
  if (s !== undefined) {
    s.forEach((n, i) => {
      count(op, "s", n, t.size / Math.max(1, t.shape[axes[i]!]!))
      if (n === 0) throw argumentError(op, "s", "positive lengths", options?.s)
      t = fitAxis(t, axes[i]!, n)
    })
  }
  if (axes.some((a) => t.shape[a] === 0)) {
    throw new ShapeError({ operation: op, detail: "cannot transform an empty axis" })
  }
  return { axes, norm, t }
}

// JAX's two-axis DCT from one 2-d FFT: 2 Re(W1 (W2 V[k1, k2] + W2* V[k1, -k2])).
const dct2 = (x: Tensor, axis1: number, axis2: number, norm: DctNorm): Tensor => {
  const [n1, n2] = [x.shape[axis1]!, x.shape[axis2]!]
  const v = np.fft.fftn(interleave(interleave(x, axis1), axis2), { axes: [axis1, axis2] })
  const mirrored = np.roll(lax.rev(v, [axis2]), 1, { axis: axis2 })
  const inner = lax.add(
    lax.mul(phase(n2, -1, axis2, x.ndim, v), v),
    lax.mul(phase(n2, 1, axis2, x.ndim, v), mirrored)
  )
  const out = lax.mul(lax.real(lax.mul(phase(n1, -1, axis1, x.ndim, v), inner)), lax.full([], 2, x.dtype))
  return norm === "ortho" ? orthoNorm(orthoNorm(out, axis1), axis2) : out
}

const dctAxes = (x: Tensor, axes: ReadonlyArray<number>, norm: DctNorm): Tensor => {
  if (axes.length === 1) return dct1(x, axes[0]!, norm)
  if (axes.length === 2) return dct2(x, axes[0]!, axes[1]!, norm)
  let y = x
  for (let i = 0; i < axes.length; i += 2) y = dctAxes(y, axes.slice(i, i + 2), norm)
  return y
}

/**
 * The n-dimensional DCT of type 2 (`jax.scipy.fft.dctn`) over `axes`, each
 * axis cropped or zero-padded to its length in `s`; pairs of axes share one
 * 2-d FFT, as in JAX.
 *
 * @example
 * import { fft, np, toJsSync } from "diffect"
 * const x = np.array([[1, 2], [3, 4]], { dtype: "float64" })
 * console.log(toJsSync(fft.dctn(x))) // [[40, -5.656854249492381], [-11.313708498984761, 0]]
 *
 * @since 0.1.0
 */
export const dctn = (x: TensorLike, options?: DctNOptions): Tensor => {
  const { axes, norm, t } = prepareN("dctn", x, options)
  return axes.length === 0 ? t : splitComplex(t, (re) => dctAxes(re, axes, norm))
}

/**
 * The inverse of `dctn` (`jax.scipy.fft.idctn`): `idct` along each axis in turn.
 *
 * @example
 * import { fft, np, toJsSync } from "diffect"
 * const x = np.array([[1, 2], [3, 4]], { dtype: "float64" })
 * console.log(toJsSync(fft.idctn(fft.dctn(x, { norm: "ortho" }), { norm: "ortho" }))) // [[1, 2], [3, 4]]
 *
 * @since 0.1.0
 */
export const idctn = (x: TensorLike, options?: DctNOptions): Tensor => {
  const { axes, norm, t } = prepareN("idctn", x, options)
  return splitComplex(t, (re) => axes.reduce((y, axis) => idct1(y, axis, norm), re))
}
