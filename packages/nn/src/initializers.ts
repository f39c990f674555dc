/**
 * `nn.initializers`: JAX's `jax.nn.initializers`. Each builder returns an
 * `Initializer`, a function `(key, shape, dtype?) => Tensor` with JAX's
 * signature, drawing from `random` exactly as JAX does (so a key gives JAX's
 * weights), with JAX's fan conventions: for a weight of shape `[..., in, out]`
 * the fan-in is `in` times the receptive field (the product of the other
 * dimensions), the fan-out is `out` times it.
 *
 * @example
 * import { nn, random } from "diffect"
 * const init = nn.initializers.glorotNormal()
 * const w = init(random.key(0), [784, 128])
 * console.log(w.dtype, w.shape) // float32 [784, 128]
 *
 * @since 0.1.0
 */
import { np, Shape, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { checkShape } from "@diffect/core/Validate"
import * as random from "./random.js"

type FloatDType = random.FloatDType

/**
 * An initializer: `(key, shape, dtype = float32) => Tensor`.
 *
 * @since 0.1.0
 */
export type Initializer = (key: Tensor, shape: ReadonlyArray<number>, dtype?: FloatDType) => Tensor

const dtypeOr = (d: FloatDType | undefined, fallback: FloatDType | undefined): FloatDType => d ?? fallback ?? "float32"

/**
 * Zeros (the key is unused), JAX's `zeros`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.zeros(random.key(0), [2, 3]))) // [[0, 0, 0], [0, 0, 0]]
 *
 * @since 0.1.0
 */
export const zeros: Initializer = (_key, shape, dtype) => np.zeros(shape, { dtype: dtypeOr(dtype, undefined) })

/**
 * Ones (the key is unused), JAX's `ones`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.ones(random.key(0), [3]))) // [1, 1, 1]
 *
 * @since 0.1.0
 */
export const ones: Initializer = (_key, shape, dtype) => np.ones(shape, { dtype: dtypeOr(dtype, undefined) })

/**
 * An initializer filling with `value`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.constant(0.1)(random.key(0), [3]))) // [0.1, 0.1, 0.1]
 *
 * @since 0.1.0
 */
export const constant =
  (value: number, options?: { readonly dtype?: FloatDType | undefined }): Initializer => (_key, shape, dtype) =>
    np.full(shape, value, { dtype: dtypeOr(dtype, options?.dtype) })

/**
 * Uniform in `[0, scale)` (JAX's `uniform`, default scale 0.01).
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.uniform(0.5)(random.key(0), [3]))) // [0.4738335, 0.4892899, 0.1661457]
 *
 * @since 0.1.0
 */
export const uniform =
  (scale = 1e-2, options?: { readonly dtype?: FloatDType | undefined }): Initializer => (key, shape, dtype) => {
    const d = dtypeOr(dtype, options?.dtype)
    return np.multiply(random.uniform(key, shape, { dtype: d }), np.array(scale, { dtype: d }))
  }

/**
 * Normal with standard deviation `stddev` (JAX's `normal`, default 0.01).
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.normal(1)(random.key(0), [3]))) // [1.622642, 2.025265, -0.4335944]
 *
 * @since 0.1.0
 */
export const normal =
  (stddev = 1e-2, options?: { readonly dtype?: FloatDType | undefined }): Initializer => (key, shape, dtype) => {
    const d = dtypeOr(dtype, options?.dtype)
    return np.multiply(random.normal(key, shape, { dtype: d }), np.array(stddev, { dtype: d }))
  }

/**
 * A normal truncated to `[lower, upper]` standard deviations, scaled by `stddev`
 * (JAX's `truncated_normal`, defaults 0.01, -2, 2).
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.truncatedNormal(0.02)(random.key(0), [3]))) // [0.02911918, 0.03429497, -0.008253505]
 *
 * @since 0.1.0
 */
export const truncatedNormal = (
  stddev = 1e-2,
  options?: {
    readonly dtype?: FloatDType | undefined
    readonly lower?: number | undefined
    readonly upper?: number | undefined
  }
): Initializer =>
(key, shape, dtype) => {
  const d = dtypeOr(dtype, options?.dtype)
  const t = random.truncatedNormal(key, options?.lower ?? -2, options?.upper ?? 2, shape, { dtype: d })
  return np.multiply(t, np.array(stddev, { dtype: d }))
}

/** Axes of the fan computation (JAX's defaults: in -2, out -1, no batch axes). @since 0.1.0 */
export interface FanOptions {
  readonly inAxis?: number | ReadonlyArray<number> | undefined
  readonly outAxis?: number | ReadonlyArray<number> | undefined
  readonly batchAxis?: number | ReadonlyArray<number> | undefined
  readonly dtype?: FloatDType | undefined
}

/**
 * JAX's `_compute_fans`: `[fanIn, fanOut]` of a weight shape.
 *
 * @example
 * import { nn } from "diffect"
 * console.log(nn.initializers.computeFans([3, 3, 16, 32])) // [144, 288]
 *
 * @since 0.1.0
 */
export const computeFans = (given: ReadonlyArray<number>, options?: FanOptions): readonly [number, number] => {
  // a number is a 1-D shape (checkShape's reading); anything else not a shape is an ArgumentError
  const shape = checkShape("computeFans", given)
  const inAxis = options?.inAxis ?? -2
  if (typeof inAxis === "number" && inAxis === -2 && shape.length <= 1) {
    throw new ShapeError({
      operation: "computeFans",
      detail:
        `Can't compute input and output sizes of a ${shape.length}-dimensional weights tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.`
    })
  }
  const size = (axes: number | ReadonlyArray<number>) =>
    (typeof axes === "number" ? [axes] : axes).reduce((p, a) => p * shape[Shape.normalizeAxis(a, shape.length)]!, 1)
  const inSize = size(inAxis)
  const outSize = size(options?.outAxis ?? -1)
  const batchSize = size(options?.batchAxis ?? [])
  const receptive = Shape.sizeOf(shape) / inSize / outSize / batchSize
  return [inSize * receptive, outSize * receptive]
}

// The fans of a weight shape, and whether it has no elements: then they are 0 / 0 (NaN), and
// stand in as 1 so that the mode is still checked and the (empty) array drawn.
const zeroSizeFans = (
  given: ReadonlyArray<number>,
  options: FanOptions | undefined
): readonly [readonly [number, number], boolean] => {
  const fans = computeFans(given, options)
  const empty = Shape.sizeOf(checkShape("varianceScaling", given)) === 0
  return [empty ? [1, 1] : fans, empty]
}

/** Options of {@link varianceScaling}. @since 0.1.0 */
export type Mode = "fanIn" | "fanOut" | "fanAvg" | "fanGeoAvg"
/** @since 0.1.0 */
export type Distribution = "truncatedNormal" | "normal" | "uniform"

/**
 * JAX's `variance_scaling`: samples with variance `scale / n`, where `n` is the
 * fan-in, fan-out, their mean or their geometric mean (`mode`), from a
 * truncated normal (rescaled by its standard deviation on (-2, 2),
 * 0.87962566103423978), a normal, or a uniform on `[-sqrt(3 v), sqrt(3 v))`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * const w = nn.initializers.varianceScaling(2, "fanIn", "normal")(random.key(0), [2, 2])
 * console.log(toJsSync(w)) // [[1.622642, 2.025265], [-0.4335944, -0.07861735]]
 *
 * @since 0.1.0
 */
export const varianceScaling = (
  scale: number,
  mode: Mode,
  distribution: Distribution,
  options?: FanOptions
): Initializer =>
(key, shape, dtype) => {
  const d = dtypeOr(dtype, options?.dtype)
  const [fans, empty] = zeroSizeFans(shape, options)
  const [fanIn, fanOut] = fans
  const denominator = mode === "fanIn"
    ? fanIn
    : mode === "fanOut"
    ? fanOut
    : mode === "fanAvg"
    ? (fanIn + fanOut) / 2
    : mode === "fanGeoAvg"
    ? Math.sqrt(fanIn * fanOut)
    : NaN
  if (Number.isNaN(denominator)) {
    throw new ShapeError({
      operation: "varianceScaling",
      detail: `invalid mode for variance scaling initializer: ${String(mode)}`
    })
  }
  // a zero-size shape has no fans (0 / 0): its (empty) values need no variance
  const variance = np.array(empty ? 1 : scale / denominator, { dtype: d })
  switch (distribution) {
    case "truncatedNormal": {
      const stddev = np.divide(np.sqrt(variance), np.array(0.87962566103423978, { dtype: d }))
      return np.multiply(random.truncatedNormal(key, -2, 2, shape, { dtype: d }), stddev)
    }
    case "normal":
      return np.multiply(random.normal(key, shape, { dtype: d }), np.sqrt(variance))
    case "uniform":
      return np.multiply(
        random.uniform(key, shape, { dtype: d, minval: -1 }),
        np.sqrt(np.multiply(np.array(3, { dtype: d }), variance))
      )
    default:
      throw new ShapeError({
        operation: "varianceScaling",
        detail: `invalid distribution for variance scaling initializer: ${String(distribution)}`
      })
  }
}

/**
 * Glorot (Xavier) uniform: `varianceScaling(1, "fanAvg", "uniform")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.glorotUniform()(random.key(0), [2, 3]))) // [[0.9807893, 1.048516, -0.367431], [-0.06864396, 0.1531185, -0.7328462]]
 *
 * @since 0.1.0
 */
export const glorotUniform = (options?: FanOptions): Initializer => varianceScaling(1, "fanAvg", "uniform", options)

/**
 * Glorot (Xavier) normal: `varianceScaling(1, "fanAvg", "truncatedNormal")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.glorotNormal()(random.key(0), [2, 3]))) // [[1.046842, 1.232913, -0.2967157], [-0.05394943, 0.1207936, -0.6561745]]
 *
 * @since 0.1.0
 */
export const glorotNormal = (options?: FanOptions): Initializer =>
  varianceScaling(1, "fanAvg", "truncatedNormal", options)

/**
 * LeCun uniform: `varianceScaling(1, "fanIn", "uniform")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.lecunUniform()(random.key(0), [2, 3]))) // [[1.096556, 1.172276, -0.4108003], [-0.07674628, 0.1711917, -0.819347]]
 *
 * @since 0.1.0
 */
export const lecunUniform = (options?: FanOptions): Initializer => varianceScaling(1, "fanIn", "uniform", options)

/**
 * LeCun normal: `varianceScaling(1, "fanIn", "truncatedNormal")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.lecunNormal()(random.key(0), [2, 3]))) // [[1.170405, 1.378439, -0.3317383], [-0.0603173, 0.1350513, -0.7336254]]
 *
 * @since 0.1.0
 */
export const lecunNormal = (options?: FanOptions): Initializer =>
  varianceScaling(1, "fanIn", "truncatedNormal", options)

/**
 * He (Kaiming) uniform: `varianceScaling(2, "fanIn", "uniform")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.heUniform()(random.key(0), [2, 3]))) // [[1.550764, 1.657849, -0.5809593], [-0.1085356, 0.2421016, -1.158731]]
 *
 * @since 0.1.0
 */
export const heUniform = (options?: FanOptions): Initializer => varianceScaling(2, "fanIn", "uniform", options)

/**
 * He (Kaiming) normal: `varianceScaling(2, "fanIn", "truncatedNormal")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.heNormal()(random.key(0), [2, 3]))) // [[1.655203, 1.949407, -0.4691488], [-0.08530156, 0.1909914, -1.037503]]
 *
 * @since 0.1.0
 */
export const heNormal = (options?: FanOptions): Initializer => varianceScaling(2, "fanIn", "truncatedNormal", options)

/**
 * A (semi-)orthogonal matrix scaled by `scale`, its columns along `columnAxis`
 * (JAX's `orthogonal`): the other axes are flattened into rows.
 *
 * @example
 * import { nn, np, random, toJsSync } from "diffect"
 * const w = nn.initializers.orthogonal()(random.key(0), [3, 3], "float64")
 * console.log(toJsSync(np.round(np.matmul(np.transpose(w), w), { decimals: 12 }))) // [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
 *
 * @since 0.1.0
 */
export const orthogonal = (
  scale = 1,
  options?: { readonly columnAxis?: number | undefined; readonly dtype?: FloatDType | undefined }
): Initializer =>
(key, given, dtype) => {
  const d = dtypeOr(dtype, options?.dtype)
  const shape = checkShape("orthogonal", given)
  if (shape.length < 2) {
    throw new ShapeError({ operation: "orthogonal", detail: "orthogonal initializer requires at least a 2D shape" })
  }
  if (shape.some((s) => s === 0)) return np.zeros(shape, { dtype: d })
  const columnAxis = Shape.normalizeAxis(options?.columnAxis ?? -1, shape.length)
  const nCols = shape[columnAxis]!
  const nRows = Shape.sizeOf(shape) / nCols
  const q = random.orthogonal(key, nRows, { m: nCols, dtype: d })
  const rest = shape.filter((_, i) => i !== columnAxis)
  return np.multiply(np.array(scale, { dtype: d }), np.moveaxis(np.reshape(q, [...rest, nCols]), -1, columnAxis))
}
