/**
 * `np`'s products and polynomials beyond `dot`/`matmul`: `vdot`, `kron`,
 * `cross`, `polyval`, `convolve`/`correlate` (one `dot_general` against a
 * sliding-window gather), `trapezoid`, `interp`, `select`, and the dtype
 * queries `resultType`/`promoteTypes`.
 *
 * @since 0.1.0
 */
import { isComplex, isDType } from "../../DType.js"
import type { DType } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import { Tensor } from "../../Tensor.js"
import {
  anyValue,
  argumentError,
  checkAxis,
  checkOptions,
  integer,
  number,
  numberOrArray,
  string
} from "../../Validate.js"
import type { Check } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { convGeneralDilated } from "../lax/convolution.js"
import {
  preferredCast,
  prepare,
  productOptions,
  productSpec,
  promoteAll,
  resultType as promoted,
  toInexact,
  toTensor
} from "../npHelpers.js"
import { diff } from "./arrays.js"
import { list } from "./checks.js"
import { jitted } from "./jitted.js"
import { argsort, searchsorted } from "./sorting.js"

/**
 * The dot product of the flattened inputs, conjugating the first (`jnp.vdot`);
 * `precision` and `preferredElementType` as `np.dot`'s.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.vdot(np.array([[1, 2], [3, 4]]), np.array([[1, 1], [1, 1]])))) // 10
 *
 * @since 0.1.0
 */
export const vdot = (x: TensorLike, y: TensorLike, options?: np.PrecisionOptions): Tensor => {
  checkOptions("vdot", options, productSpec)
  const [a, b] = promoteAll("vdot", [np.ravel(x), np.ravel(y)])
  if (a!.shape[0] !== b!.shape[0]) {
    throw new ShapeError({ operation: "vdot", detail: `vectors of different sizes: ${a!.shape[0]} and ${b!.shape[0]}` })
  }
  return preferredCast(
    lax.dotGeneral(isComplex(a!.dtype) ? lax.conj(a!) : a!, b!, [[0], [0]], [[], []], productOptions(options)),
    options
  )
}

/**
 * The Kronecker product (`jnp.kron`): blocks of `x[i] * y`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.kron(np.array([1, 10]), np.array([1, 2, 3])))) // [1, 2, 3, 10, 20, 30]
 *
 * @since 0.1.0
 */
export const kron = (x: TensorLike, y: TensorLike): Tensor => {
  let [a, b] = promoteAll("kron", [toTensor(x), toTensor(y)]) as [Tensor, Tensor]
  const nd = Math.max(a.ndim, b.ndim)
  a = lax.reshape(a, [...new Array<number>(nd - a.ndim).fill(1), ...a.shape])
  b = lax.reshape(b, [...new Array<number>(nd - b.ndim).fill(1), ...b.shape])
  // Interleave: a's dims at even positions, b's at odd ones, then merge each pair.
  const shape = Array.from({ length: 2 * nd }, (_, i) => (i % 2 === 0 ? a.shape[i / 2]! : b.shape[(i - 1) / 2]!))
  const ea = lax.broadcastInDim(a, shape, Array.from({ length: nd }, (_, i) => 2 * i))
  const eb = lax.broadcastInDim(b, shape, Array.from({ length: nd }, (_, i) => 2 * i + 1))
  return lax.reshape(lax.mul(ea, eb), Array.from({ length: nd }, (_, i) => a.shape[i]! * b.shape[i]!))
}

/**
 * Options of `cross`: the axis of the vectors in `x` (`axisa`), in `y` (`axisb`) and in the
 * result (`axisc`), each -1 by default; `axis` sets all three (NumPy's and JAX's keywords).
 *
 * @since 0.1.0
 */
export interface CrossOptions {
  readonly axisa?: number | undefined
  readonly axisb?: number | undefined
  readonly axisc?: number | undefined
  readonly axis?: number | undefined
}

/**
 * The cross product of 3-vectors (2-vectors give the z component) along the
 * last axis, broadcasting the others (`jnp.cross`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cross(np.array([1, 0, 0]), np.array([0, 1, 0])))) // [0, 0, 1]
 * console.log(toJsSync(np.cross(np.array([1, 2]), np.array([3, 4])))) // -2
 *
 * @since 0.1.0
 */
export const cross = (x: TensorLike, y: TensorLike, options?: CrossOptions): Tensor => {
  checkOptions("cross", options, { axisa: integer, axisb: integer, axisc: integer, axis: integer })
  const axisa = options?.axis ?? options?.axisa ?? -1
  const axisb = options?.axis ?? options?.axisb ?? -1
  const axisc = options?.axis ?? options?.axisc ?? -1
  let a = toTensor(x)
  let b = toTensor(y)
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError({ operation: "cross", detail: "inputs must be vectors" })
  a = np.moveaxis(a, checkAxis("cross", axisa, a.ndim), -1)
  b = np.moveaxis(b, checkAxis("cross", axisb, b.ndim), -1)
  const na = a.shape[a.ndim - 1]!
  const nb = b.shape[b.ndim - 1]!
  if ((na !== 2 && na !== 3) || (nb !== 2 && nb !== 3)) {
    throw new ShapeError({
      operation: "cross",
      detail: "incompatible dimensions for cross product (dimension must be 2 or 3)"
    })
  }
  const part = (t: Tensor, i: number, n: number) =>
    i < n ? np.take(t, [i], { axis: -1 }) : np.zerosLike(np.take(t, [0], { axis: -1 }))
  const [a0, a1, a2] = [0, 1, 2].map((i) => part(a, i, na)) as [Tensor, Tensor, Tensor]
  const [b0, b1, b2] = [0, 1, 2].map((i) => part(b, i, nb)) as [Tensor, Tensor, Tensor]
  const z = np.subtract(np.multiply(a0, b1), np.multiply(a1, b0))
  if (na === 2 && nb === 2) return np.squeeze(z, { axis: -1 })
  const xC = np.subtract(np.multiply(a1, b2), np.multiply(a2, b1))
  const yC = np.subtract(np.multiply(a2, b0), np.multiply(a0, b2))
  const out = np.concatenate([xC, yC, z], { axis: -1 })
  return axisc === -1 ? out : np.moveaxis(out, -1, checkAxis("cross", axisc, out.ndim))
}

/**
 * Evaluates the polynomial with coefficients `p` (highest power first) at `x`,
 * by Horner's rule (`jnp.polyval`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.polyval(np.array([3, 0, 1]), np.array([5, -1])))) // [76, 4]
 *
 * @since 0.1.0
 */
export const polyval = (p: TensorLike, x: TensorLike): Tensor => {
  const coeffs = toTensor(p)
  if (coeffs.ndim !== 1) throw new ShapeError({ operation: "polyval", detail: "p must be a 1-D array of coefficients" })
  const n = coeffs.shape[0]!
  if (n === 0) return np.zerosLike(x)
  // JAX's promote_dtypes(p, x): integer coefficients at integer points stay integers
  const [c0, x0] = promoteAll("polyval", [coeffs, toTensor(x)]) as [Tensor, Tensor]
  return jitted("polyval", "", [c0, x0], (coeffs, x) => {
    let y = np.add(np.zerosLike(x!), np.index(coeffs!, 0))
    for (let i = 1; i < n; i++) y = np.add(np.multiply(y, x!), np.index(coeffs!, i))
    return y
  })
}

/** How much of a full convolution `convolve`/`correlate` keep. @since 0.1.0 */
export type ConvolveMode = "full" | "same" | "valid"

/** Outputs per segment of a long real correlation (see `correlate1d`). */
const SEGMENT = 256

// correlate(a, v)[k] = sum_j a[k + j - pad] v[j]: long real ones as convolutions of segments,
// the rest (short, integer, complex) as one gather of sliding windows and a dot.
const correlate1d = (
  op: string,
  a: Tensor,
  v: Tensor,
  mode: ConvolveMode,
  dot: ReturnType<typeof productOptions>
): Tensor => {
  const n = a.shape[0]!
  const m = v.shape[0]!
  if (n === 0 || m === 0) throw new ShapeError({ operation: op, detail: "inputs cannot be empty" })
  const [lo, hi] = mode === "full"
    ? [m - 1, m - 1]
    : mode === "same"
    ? [Math.floor(m / 2), m - Math.floor(m / 2) - 1] // JAX's _conv (more on the left for an even m)
    : [0, 0]
  const outLen = n + lo + hi - m + 1
  if (outLen <= 0) return lax.full([0], 0, dot.preferredElementType ?? a.dtype)
  if ((a.dtype === "float32" || a.dtype === "float64") && outLen > 2 * SEGMENT) {
    // A one-channel conv_general_dilated (JAX's _conv) over segments of the output: a batch of
    // SEGMENT outputs each, whose inputs overlap by m - 1. The convolution's tables grow with
    // (output positions) x (taps), which one long signal makes huge; the sliding windows gathered
    // below are outLen x m values (a 2^18-sample signal and a 257-tap filter: 270 MB of indices
    // and as much of patches, 4.2 s).
    // Segments at least as long as the filter, so the overlaps at most double the gathered inputs
    // (two 1e5-sample signals: 4e5 values, where 256-output segments gathered 7.8e7).
    const segment = Math.max(SEGMENT, m)
    const segments = Math.ceil(outLen / segment)
    const width = segment + m - 1
    const padded = lax.pad(a, lax.full([], 0, a.dtype), [[lo, hi + segments * segment - outLen, 0]])
    const starts = lax.mul(lax.iota("int32", [segments, width], 0), lax.full([segments, width], segment, "int32"))
    const pieces = lax.gather(padded, lax.add(starts, lax.iota("int32", [segments, width], 1)), 0)
    const y = convGeneralDilated(
      lax.reshape(pieces, [segments, 1, width]),
      lax.reshape(v, [1, 1, m]),
      [1],
      [[0, 0]],
      dot
    )
    return lax.slice(lax.reshape(y, [segments * segment]), [0], [outLen], null)
  }
  const padded = lax.pad(a, lax.full([], 0, a.dtype), [[lo, hi, 0]])
  const windows = lax.add(lax.iota("int32", [outLen, m], 0), lax.iota("int32", [outLen, m], 1))
  const patches = lax.gather(padded, windows, 0)
  return lax.dotGeneral(patches, v, [[1], [0]], [[], []], dot)
}

/** Options of `convolve` and `correlate`: the mode, and the products' `precision` and `preferredElementType`. @since 0.1.0 */
export interface ConvolveOptions extends np.PrecisionOptions {
  readonly mode?: ConvolveMode | undefined
}

const convolveArgs = (
  op: string,
  a: TensorLike,
  v: TensorLike,
  options: ConvolveOptions | undefined,
  defaultMode: ConvolveMode
) => {
  checkOptions(op, options, { mode: string, ...productSpec })
  const mode = options?.mode ?? defaultMode
  if (mode !== "full" && mode !== "same" && mode !== "valid") {
    throw argumentError(op, "mode", "\"full\", \"same\" or \"valid\"", mode)
  }
  // JAX's _conv: promote_dtypes_inexact (integers and bools convolve as float32), or with a
  // preferred dtype only promote_dtypes (integers convolve as integers)
  const promoted = promoteAll(op, [toTensor(a), toTensor(v)])
  const [x, w] = (options?.preferredElementType === undefined ? promoted.map(toInexact) : promoted) as [Tensor, Tensor]
  if (x.ndim !== 1 || w.ndim !== 1) {
    throw new ShapeError({ operation: op, detail: "only 1-dimensional inputs are supported" })
  }
  return { mode, x, w, dot: productOptions(options) }
}

/**
 * The discrete linear convolution of two 1-D arrays (`jnp.convolve`), `"full"`
 * by default; NumPy's rule swaps the inputs when `v` is longer. Integer and
 * bool inputs convolve as float32 (JAX promotes to inexact).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.convolve(np.array([1, 2, 3]), np.array([0, 1, 0.5])))) // [0, 1, 2.5, 4, 1.5]
 * console.log(toJsSync(np.convolve(np.array([1, 2, 3]), np.array([0, 1, 0.5]), { mode: "same" }))) // [1, 2.5, 4]
 *
 * @since 0.1.0
 */
export const convolve = (a: TensorLike, v: TensorLike, options?: ConvolveOptions): Tensor => {
  let { dot, mode, w, x } = convolveArgs("convolve", a, v, options, "full")
  if (w.shape[0]! > x.shape[0]!) [x, w] = [w, x]
  return preferredCast(correlate1d("convolve", x, lax.rev(w, [0]), mode, dot), options)
}

/**
 * The cross-correlation of two 1-D arrays (`jnp.correlate`), `"valid"` by
 * default; the second input is conjugated.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.correlate(np.array([1, 2, 3]), np.array([0, 1, 0.5])))) // [3.5]
 * console.log(toJsSync(np.correlate(np.array([1, 2, 3]), np.array([0, 1, 0.5]), { mode: "full" }))) // [0.5, 2, 3.5, 3, 0]
 *
 * @since 0.1.0
 */
export const correlate = (a: TensorLike, v: TensorLike, options?: ConvolveOptions): Tensor => {
  const { dot, mode, w, x } = convolveArgs("correlate", a, v, options, "valid")
  const conj = isComplex(w.dtype) ? lax.conj(w) : w
  // NumPy: a longer v swaps, then reverses the result
  const y = w.shape[0]! > x.shape[0]!
    ? lax.rev(correlate1d("correlate", conj, x, mode, dot), [0])
    : correlate1d("correlate", x, conj, mode, dot)
  return preferredCast(y, options)
}

/**
 * Options of `trapezoid`: sample points `x`, or a spacing `dx` (1; an array broadcasts against
 * `y`'s other axes), and the axis (-1). @since 0.1.0
 */
export interface TrapezoidOptions {
  readonly x?: TensorLike | undefined
  readonly dx?: TensorLike | undefined
  readonly axis?: number | undefined
}

/**
 * The integral of `y` by the trapezoidal rule (`jnp.trapezoid`): at the sample
 * points `x`, or evenly spaced `dx` apart.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.trapezoid(np.array([1, 2, 3])))) // 4
 * console.log(toJsSync(np.trapezoid(np.array([1, 2, 3]), { x: np.array([4, 6, 8]) }))) // 8
 * console.log(toJsSync(np.trapezoid(np.array([1, 2, 3]), { dx: 2 }))) // 8
 *
 * @since 0.1.0
 */
export const trapezoid = (y: TensorLike, options?: TrapezoidOptions): Tensor => {
  checkOptions("trapezoid", options, { x: anyValue, dx: numberOrArray, axis: integer })
  const x = options?.x
  const yt = toTensor(y)
  const axis = checkAxis("trapezoid", options?.axis ?? -1, yt.ndim)
  // as JAX: y and x (or dx) in one inexact dtype, the integration axis last
  let dx: Tensor
  let t: Tensor
  if (x === undefined || x === null) {
    t = toInexact(yt)
    dx = toTensor(options?.dx ?? 1)
    if (dx.ndim > t.ndim) throw new ShapeError({ operation: "trapezoid", detail: `dx has more dimensions than y` })
    if (dx.ndim > 0) dx = np.moveaxis(lax.reshape(dx, [...Array(t.ndim - dx.ndim).fill(1), ...dx.shape]), axis, -1)
  } else {
    const [ty, tx] = promoteAll("trapezoid", [toInexact(yt), toInexact(toTensor(x))])
    t = ty!
    dx = tx!.ndim === 1 ? diff(tx!) : np.moveaxis(diff(tx!, { axis }), axis, -1)
  }
  t = np.moveaxis(t, axis, -1)
  const n = t.shape[t.ndim - 1]!
  const at = (v: Tensor, lo: number, hi: number) =>
    lax.slice(v, v.shape.map((_, d) => (d === v.ndim - 1 ? lo : 0)), v.shape.map((m, d) => (d === v.ndim - 1 ? hi : m)))
  const squeezeLast = (v: Tensor) => lax.reshape(v, v.shape.slice(0, -1))
  // a spacing constant along the axis: dx (sum(y) - (y[0] + y[-1]) / 2), JAX's fast path
  if (dx.ndim === 0 || dx.shape[dx.ndim - 1] === 1) {
    if (n === 0) return np.multiply(np.sum(t, { axis: -1 }), 0)
    const d = dx.ndim === 0 ? dx : squeezeLast(at(dx, 0, 1))
    const ends = np.multiply(np.add(squeezeLast(at(t, 0, 1)), squeezeLast(at(t, n - 1, n))), 0.5)
    return np.multiply(d, np.subtract(np.sum(t, { axis: -1 }), ends))
  }
  // (fewer than two samples: empty slices, a sum of nothing)
  const pairs = np.add(at(t, Math.min(1, n), n), at(t, 0, Math.max(n - 1, 0)))
  return np.multiply(np.sum(np.multiply(dx, pairs), { axis: -1 }), 0.5)
}

/**
 * Options of `interp`: the values below and above the sample range (the end
 * values by default; arrays broadcast against `x`; `"extrapolate"` continues
 * the end segments' lines), a period (a scalar).
 *
 * @since 0.1.0
 */
export interface InterpOptions {
  readonly left?: TensorLike | "extrapolate" | undefined
  readonly right?: TensorLike | "extrapolate" | undefined
  readonly period?: TensorLike | undefined
}

const endValue: Check = {
  expected: "\"extrapolate\" or an array (a number, a JS array or a tensor)",
  test: (u) => u === "extrapolate" || numberOrArray.test(u) || typeof u === "boolean"
}

/**
 * One-dimensional piecewise-linear interpolation (`jnp.interp`): `xp` must be
 * increasing. `x` and `xp` are promoted together, `fp` on its own (so a
 * complex `fp` interpolates; a complex `x` is refused, as JAX). `left`,
 * `right` and `period` may be tensors (differentiable), or `left`/`right`
 * `"extrapolate"`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const xp = np.array([1, 2, 3])
 * const fp = np.array([3, 2, 0])
 * console.log(toJsSync(np.interp(np.array([0, 1.5, 2.72, 3.14]), xp, fp))) // [3, 2.5, 0.56, 0]
 * console.log(toJsSync(np.interp(np.array([0, 4]), xp, fp, { left: "extrapolate", right: "extrapolate" }))) // [4, -2]
 *
 * @since 0.1.0
 */
export const interp = (x: TensorLike, xp: TensorLike, fp: TensorLike, options?: InterpOptions): Tensor => {
  checkOptions("interp", options, { left: endValue, right: endValue, period: numberOrArray })
  const [xs, xps] = promoteAll("interp", [toInexact(toTensor(x)), toInexact(toTensor(xp))]) as [Tensor, Tensor]
  const fps = toInexact(toTensor(fp))
  if (xps.ndim !== 1 || fps.ndim !== 1 || xps.shape[0] !== fps.shape[0]) {
    throw new ShapeError({ operation: "interp", detail: "xp and fp must be one-dimensional arrays of equal size" })
  }
  if (isComplex(xs.dtype)) {
    throw new DTypeError({ operation: "interp", detail: `complex x values are not supported, got ${xs.dtype}` })
  }
  if (xps.shape[0] === 0) throw new ShapeError({ operation: "interp", detail: "xp and fp cannot be empty" })
  if (options?.period === 0) throw argumentError("interp", "period", "a non-zero period", options.period)
  const value = (v: TensorLike | "extrapolate" | undefined) =>
    v === undefined || v === "extrapolate" ? undefined : toTensor(v)
  const left = value(options?.left)
  const right = value(options?.right)
  const period = options?.period === undefined ? undefined : toTensor(options.period)
  if (period !== undefined && period.ndim !== 0) {
    throw new ShapeError({ operation: "interp", detail: `period must be a scalar, got shape [${period.shape}]` })
  }
  const extras = [left, right, period].filter((t): t is Tensor => t !== undefined)
  const flag = (v: unknown) => v === undefined ? "-" : v === "extrapolate" ? "e" : "v"
  // compiled when eager, as JAX's jitted `jnp.interp` (left, right and period are inputs, as JAX's)
  const statics = `${flag(options?.left)}|${flag(options?.right)}|${flag(options?.period)}`
  return jitted("interp", statics, [xs, xps, fps, ...extras], (xs, xps, fps, ...rest) => {
    let k = 0
    const next = (t: Tensor | undefined) => t === undefined ? undefined : rest[k++]!
    return interpOf(xs!, xps!, fps!, {
      left: next(left),
      right: next(right),
      period: next(period),
      extrapolateLeft: options?.left === "extrapolate",
      extrapolateRight: options?.right === "extrapolate"
    })
  })
}

interface InterpEnds {
  readonly left: Tensor | undefined
  readonly right: Tensor | undefined
  readonly period: Tensor | undefined
  readonly extrapolateLeft: boolean
  readonly extrapolateRight: boolean
}

const interpOf = (xs: Tensor, xps: Tensor, fps: Tensor, ends: InterpEnds): Tensor => {
  if (ends.period !== undefined) {
    const p = np.abs(ends.period)
    const wrap = (v: Tensor) => np.mod(v, p)
    xs = wrap(xs)
    const order = argsort(wrap(xps))
    const sx = np.take(wrap(xps), order)
    const sf = np.take(fps, order)
    xps = np.concatenate([np.subtract(np.take(sx, [-1]), p), sx, np.add(np.take(sx, [0]), p)])
    fps = np.concatenate([np.take(sf, [-1]), sf, np.take(sf, [0])])
  }
  const m = xps.shape[0]!
  const found = searchsorted(xps, xs, { side: "right" })
  const int = (v: number) => lax.full(found.shape, v, "int32")
  const i = lax.max(lax.min(found, int(Math.max(m - 1, 1))), int(1))
  const im1 = m === 1 ? int(0) : lax.sub(i, int(1))
  const x0 = np.take(xps, im1)
  const x1 = np.take(xps, m === 1 ? im1 : i)
  const f0 = np.take(fps, im1)
  const f1 = np.take(fps, m === 1 ? im1 : i)
  const dxv = np.subtract(x1, x0)
  // JAX's guard: a segment shorter than spacing(eps) gives its left value (no NaN gradient)
  const tiny = np.lessEqual(np.abs(dxv), xps.dtype === "float64" ? 2 ** -104 : 2 ** -46)
  const slope = np.divide(np.subtract(xs, x0), np.where(tiny, 1, dxv))
  let y = np.where(tiny, f0, np.add(f0, np.multiply(slope, np.subtract(f1, f0))))
  if (ends.period === undefined) {
    if (!ends.extrapolateLeft) y = np.where(np.less(xs, np.index(xps, 0)), ends.left ?? np.index(fps, 0), y)
    if (!ends.extrapolateRight) {
      y = np.where(np.greater(xs, np.index(xps, m - 1)), ends.right ?? np.index(fps, m - 1), y)
    }
  }
  return y
}

/**
 * `jnp.select`: for each element, the value of the first choice whose
 * condition holds, else `default` (0, weakly typed as JAX's Python int: it
 * takes the choices' dtype).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([0, 1, 2, 3, 4, 5])
 * console.log(toJsSync(np.select([np.less(x, 3), np.greater(x, 4)], [x, np.multiply(x, 10)], 42))) // [0, 1, 2, 42, 42, 50]
 *
 * @since 0.1.0
 */
export const select = (
  condlist: ReadonlyArray<TensorLike>,
  choicelist: ReadonlyArray<TensorLike>,
  defaultValue?: TensorLike
): Tensor => {
  list("select", "condlist", condlist, true)
  list("select", "choicelist", choicelist, true)
  if (condlist.length !== choicelist.length) {
    throw argumentError("select", "condlist", "as many conditions as choices", condlist)
  }
  // JAX's "condlist must be non-empty" (an empty select was the default 0)
  if (condlist.length === 0) throw argumentError("select", "condlist", "a non-empty list of conditions", condlist)
  // JAX's default is the Python int 0, weakly typed: it takes the choices' dtype (int32 stays int32)
  let out = defaultValue === undefined ? lax.full([], 0, "int32", true) : toTensor(defaultValue)
  for (let k = condlist.length - 1; k >= 0; k--) out = np.where(condlist[k]!, choicelist[k]!, out)
  return out
}

/**
 * The dtype NumPy's promotion (JAX's lattice, with JS numbers weak) gives
 * these arguments (`jnp.result_type`); dtype names count as strong.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.resultType(np.array([1], { dtype: "int32" }), 2.5)) // float32
 * console.log(np.resultType("int32", "float64")) // float64
 *
 * @since 0.1.0
 */
export const resultType = (...args: ReadonlyArray<TensorLike | DType>): DType => {
  if (args.length === 0) throw argumentError("resultType", "args", "at least one array or dtype", args)
  const typed = args.map((a) =>
    typeof a === "string" && isDType(a)
      ? { dtype: a, weakType: false }
      : ((t: Tensor) => ({ dtype: t.dtype, weakType: t.weakType }))(toTensor(a as TensorLike))
  )
  return promoted("resultType", typed)[0]
}

/**
 * The dtype two dtypes promote to (`jnp.promote_types`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.promoteTypes("int32", "float32")) // float32
 *
 * @since 0.1.0
 */
export const promoteTypes = (a: DType, b: DType): DType => resultType(a, b)

void prepare
void Tensor
void number
