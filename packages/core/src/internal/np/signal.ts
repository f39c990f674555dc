/**
 * `np`'s window functions (`hanning`, `hamming`, `blackman`, `bartlett`,
 * `kaiser`: NumPy's formulas, evaluated in float64 and returned as float32,
 * JAX's default float) and `gradient` (second-order central differences inside,
 * first-order one-sided at the edges, NumPy's non-uniform formula for
 * coordinate arrays: a composition of slices, so it differentiates and batches).
 *
 * @since 0.1.0
 */
import { isInexact } from "../../DType.js"
import { ArgumentError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, axes as axesCheck, checkAxis, checkOptions, finite, integer } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { toInexact, toTensor } from "../npHelpers.js"
import { diff } from "./arrays.js"

// x[lo:hi] along `axis`.
const sliceAlong = (x: Tensor, lo: number, hi: number, _stride: number, axis: number): Tensor =>
  lax.slice(x, x.shape.map((_, i) => (i === axis ? lo : 0)), x.shape.map((d, i) => (i === axis ? hi : d)))

const windowLength = (op: string, m: unknown): number => {
  if (!integer.test(m)) throw argumentError(op, "M", "an integer", m)
  if ((m as number) > 1e8) throw argumentError(op, "M", "at most 1e8 points", m)
  return Math.max(m as number, 0)
}

const fromValues = (values: ReadonlyArray<number>): Tensor => np.array(values, { dtype: "float32" })

// NumPy's cosine-sum windows: a0 - a1 cos(2 pi n / (M - 1)) + a2 cos(4 pi n / (M - 1)).
const cosineWindow = (op: string, m: unknown, a0: number, a1: number, a2: number): Tensor => {
  const n = windowLength(op, m)
  if (n === 1) return fromValues([1])
  return fromValues(
    Array.from({ length: n }, (_, k) => {
      const t = (2 * Math.PI * k) / (n - 1)
      return a0 - a1 * Math.cos(t) + a2 * Math.cos(2 * t)
    })
  )
}

/**
 * The Hann window of `M` points, `0.5 - 0.5 cos(2 pi n / (M - 1))`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.hanning(5))) // [0, 0.5, 1, 0.5, 0]
 *
 * @since 0.1.0
 */
export const hanning = (M: number): Tensor => cosineWindow("hanning", M, 0.5, 0.5, 0)

/**
 * The Hamming window of `M` points, `0.54 - 0.46 cos(2 pi n / (M - 1))`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.hamming(3))) // [0.08, 1, 0.08]
 *
 * @since 0.1.0
 */
export const hamming = (M: number): Tensor => cosineWindow("hamming", M, 0.54, 0.46, 0)

/**
 * The Blackman window of `M` points.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.blackman(3))) // [0, 1, 0]
 *
 * @since 0.1.0
 */
export const blackman = (M: number): Tensor => cosineWindow("blackman", M, 0.42, 0.5, 0.08)

/**
 * The Bartlett (triangular) window of `M` points.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bartlett(5))) // [0, 0.5, 1, 0.5, 0]
 *
 * @since 0.1.0
 */
export const bartlett = (M: number): Tensor => {
  const n = windowLength("bartlett", M)
  if (n === 1) return fromValues([1])
  return fromValues(Array.from({ length: n }, (_, k) => 1 - Math.abs((2 * k - (n - 1)) / (n - 1))))
}

// The modified Bessel function I0 by its power series (converges for every x; float64).
const besselI0 = (x: number): number => {
  const q = (x * x) / 4
  let term = 1
  let sum = 1
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k)
    sum += term
    if (term < sum * 1e-17) break
  }
  return sum
}

/**
 * The Kaiser window of `M` points with shape parameter `beta`,
 * `I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta)`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.kaiser(3, 0))) // [1, 1, 1]
 * console.log(toJsSync(np.kaiser(3, 5))) // [0.03671089, 1, 0.03671089]
 *
 * @since 0.1.0
 */
export const kaiser = (M: number, beta: number): Tensor => {
  const n = windowLength("kaiser", M)
  if (!finite.test(beta)) throw argumentError("kaiser", "beta", "a finite number", beta)
  if (n === 1) return fromValues([1])
  const alpha = (n - 1) / 2
  const denom = besselI0(beta)
  return fromValues(
    Array.from({ length: n }, (_, k) => {
      const r = (k - alpha) / alpha
      return besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / denom
    })
  )
}

/** Options of `gradient`. @since 0.1.0 */
export interface GradientOptions {
  /** The axis or axes to differentiate along (all by default). */
  readonly axis?: number | ReadonlyArray<number> | undefined
  /** Only 1 (NumPy's default; JAX supports no other). */
  readonly edgeOrder?: 1 | undefined
}

/**
 * `jnp.gradient`: the gradient of sampled values `f`, one array per axis (one
 * array when a single axis is asked for). Each spacing is a number (uniform)
 * or a 1-d array of coordinates along its axis (NumPy's second-order formula
 * for uneven steps); one spacing serves every axis.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const f = np.array([1, 2, 4, 7, 11, 16], { dtype: "float32" })
 * console.log(toJsSync(np.gradient(f))) // [1, 1.5, 2.5, 3.5, 4.5, 5]
 * console.log(toJsSync(np.gradient(f, [2]))) // [0.5, 0.75, 1.25, 1.75, 2.25, 2.5]
 * const x = np.array([0, 1, 1.5, 3.5, 4, 6], { dtype: "float32" })
 * console.log(toJsSync(np.gradient(f, [x]))) // [1, 3, 3.5, 6.7, 6.9, 2.5]
 *
 * @since 0.1.0
 */
export const gradient = (
  f: TensorLike,
  spacing: ReadonlyArray<number | TensorLike> = [],
  options?: GradientOptions
): Tensor | Array<Tensor> => {
  const op = "gradient"
  const t0 = toTensor(f)
  const t = isInexact(t0.dtype) ? t0 : toInexact(t0)
  checkOptions(op, options, { axis: axesCheck, edgeOrder: anyValue })
  if (options?.edgeOrder !== undefined && options.edgeOrder !== 1) {
    throw argumentError(op, "edgeOrder", "1 (JAX supports only first-order edges)", options.edgeOrder)
  }
  const axisOpt = options?.axis
  const single = typeof axisOpt === "number"
  const axes = axisOpt === undefined
    ? t.shape.map((_, i) => i)
    : (single ? [axisOpt] : axisOpt as ReadonlyArray<number>).map((a) => checkAxis(op, a, t.ndim))
  if (!Array.isArray(spacing)) throw argumentError(op, "spacing", "an array of spacings", spacing)
  if (spacing.length !== 0 && spacing.length !== 1 && spacing.length !== axes.length) {
    throw new ArgumentError({
      operation: op,
      argument: "spacing",
      expected: `none, one, or one per axis (${axes.length})`,
      got: `${spacing.length} spacings`
    })
  }
  const outs = axes.map((axis, k) => {
    const n = t.shape[axis]!
    if (n < 2) {
      throw new ShapeError({
        operation: op,
        detail:
          "Shape of array too small to calculate a numerical gradient, at least (edge_order + 1) elements are required."
      })
    }
    const h = spacing.length === 0 ? 1 : spacing.length === 1 ? spacing[0]! : spacing[k]!
    const part = (lo: number, hi: number) => sliceAlong(t, lo, hi, 1, axis)
    const along = (v: Tensor) => {
      // a 1-d coefficient vector along `axis`, broadcast against the slices
      const shape = t.shape.map((_, i) => (i === axis ? v.shape[0]! : 1))
      return np.reshape(np.astype(v, t.dtype), shape)
    }
    if (typeof h === "number") {
      if (!Number.isFinite(h)) throw argumentError(op, "spacing", "finite numbers or coordinate arrays", h)
      const first = np.divide(np.subtract(part(1, 2), part(0, 1)), h)
      const last = np.divide(np.subtract(part(n - 1, n), part(n - 2, n - 1)), h)
      const inner = n > 2 ? [np.divide(np.subtract(part(2, n), part(0, n - 2)), 2 * h)] : []
      return np.concatenate([first, ...inner, last], { axis })
    }
    const x = np.astype(toTensor(h), t.dtype)
    if (x.ndim !== 1 || x.shape[0] !== n) {
      throw new ShapeError({
        operation: op,
        detail: `when 1d, distances must match the length of the corresponding dimension (${n}), got shape [${x.shape}]`
      })
    }
    const dx = diff(x)
    const d0 = sliceAlong(dx, 0, 1, 1, 0)
    const dl = sliceAlong(dx, n - 2, n - 1, 1, 0)
    const first = np.divide(np.subtract(part(1, 2), part(0, 1)), along(d0))
    const last = np.divide(np.subtract(part(n - 1, n), part(n - 2, n - 1)), along(dl))
    if (n === 2) return np.concatenate([first, last], { axis })
    const dx1 = sliceAlong(dx, 0, n - 2, 1, 0)
    const dx2 = sliceAlong(dx, 1, n - 1, 1, 0)
    const sum = np.add(dx1, dx2)
    const a = along(np.negative(np.divide(dx2, np.multiply(dx1, sum))))
    const b = along(np.divide(np.subtract(dx2, dx1), np.multiply(dx1, dx2)))
    const c = along(np.divide(dx1, np.multiply(dx2, sum)))
    const inner = np.add(
      np.add(np.multiply(a, part(0, n - 2)), np.multiply(b, part(1, n - 1))),
      np.multiply(c, part(2, n))
    )
    return np.concatenate([first, inner, last], { axis })
  })
  return single || outs.length === 1 ? outs[0]! : outs
}
