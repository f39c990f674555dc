/**
 * `nn.initializers`: JAX's `jax.nn.initializers`. Each builder returns an
 * `Initializer`, a function `(key, shape, dtype?) => Tensor` with JAX's
 * signature, drawing from `random` exactly as JAX does (so a key gives JAX's
 * weights), with JAX's fan conventions: for a weight of shape `[..., in, out]`
 * the fan-in is `in` times the receptive field (the product of the other
 * dimensions), the fan-out is `out` times it. JAX's keyword arguments are an
 * options object, checked when the initializer is made (`glorotNormal({ inAxis: 0 })`;
 * a positional dtype or `in_axis` is an `ArgumentError`).
 *
 * @example
 * import { nn, random } from "diffect"
 * const init = nn.initializers.glorotNormal()
 * const w = init(random.key(0), [784, 128])
 * console.log(w.dtype, w.shape) // float32 [784, 128]
 *
 * @since 0.1.0
 */
import { lax, np, Shape, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import * as Validate from "@diffect/core/Validate"
import type { OptionSpec } from "@diffect/core/Validate"
import { splitN } from "./internal/keys.js"
import { realDType } from "./internal/sampling.js"
import * as random from "./random.js"

type FloatDType = random.FloatDType
type InexactDType = random.InexactDType

/**
 * An initializer: `(key, shape, dtype = float32) => Tensor`. The dtype may be
 * complex where JAX's initializer takes one (`normal`, `orthogonal`,
 * `varianceScaling` and its specializations, the constants); the others
 * refuse it with a `DTypeError`, as JAX's samplers do.
 *
 * @since 0.1.0
 */
export type Initializer = (key: Tensor, shape: ReadonlyArray<number>, dtype?: InexactDType) => Tensor

const dtypeOr = (d: InexactDType | undefined, fallback: InexactDType | undefined): InexactDType =>
  d ?? fallback ?? "float32"

// The makers' options, checked when the initializer is made: a positional JAX argument
// (`constant(1, "float64")`, JAX's `constant(value, dtype)`) or a snake_case key (`in_axis`)
// is an ArgumentError naming the options, not silently the default.
const dtypeSpec: OptionSpec = { dtype: Validate.dtype }
const fanSpec: OptionSpec = {
  inAxis: Validate.axes,
  outAxis: Validate.axes,
  batchAxis: Validate.axes,
  dtype: Validate.dtype
}
const orthogonalSpec: OptionSpec = { columnAxis: Validate.integer, dtype: Validate.dtype }
// a scale, standard deviation or fill value: a number, or an array broadcast against the draw (JAX's ArrayLike)
const scalar = (operation: string, argument: string, u: unknown): void => {
  Validate.checkArg(operation, argument, u, Validate.numberOrArray)
}

// (a complex dtype reaches random.uniform / truncatedNormal, whose DTypeError is JAX's ValueError)
const realOnly = (d: InexactDType): FloatDType => d as FloatDType

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
 * // JAX's constant(value, dtype): the dtype is an option here
 * console.log(nn.initializers.constant(1, { dtype: "float64" })(random.key(0), [2]).dtype) // float64
 *
 * @since 0.1.0
 */
export const constant = (value: number, options?: { readonly dtype?: InexactDType | undefined }): Initializer => {
  scalar("constant", "value", value)
  Validate.checkOptions("constant", options, dtypeSpec)
  return (_key, shape, dtype) => np.full(shape, value, { dtype: dtypeOr(dtype, options?.dtype) })
}

/**
 * Uniform in `[0, scale)` (JAX's `uniform`, default scale 0.01).
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.uniform(0.5)(random.key(0), [3]))) // [0.4738335, 0.4892899, 0.1661457]
 *
 * @since 0.1.0
 */
export const uniform = (scale = 1e-2, options?: { readonly dtype?: FloatDType | undefined }): Initializer => {
  scalar("uniform", "scale", scale)
  Validate.checkOptions("uniform", options, dtypeSpec)
  return (key, shape, dtype) => {
    const d = realOnly(dtypeOr(dtype, options?.dtype))
    return np.multiply(random.uniform(key, shape, { dtype: d }), np.array(scale, { dtype: d }))
  }
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
export const normal = (stddev = 1e-2, options?: { readonly dtype?: InexactDType | undefined }): Initializer => {
  scalar("normal", "stddev", stddev)
  Validate.checkOptions("normal", options, dtypeSpec)
  return (key, shape, dtype) => {
    const d = dtypeOr(dtype, options?.dtype)
    return np.multiply(random.normal(key, shape, { dtype: d }), np.array(stddev, { dtype: d }))
  }
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
): Initializer => {
  scalar("truncatedNormal", "stddev", stddev)
  Validate.checkOptions("truncatedNormal", options, {
    dtype: Validate.dtype,
    lower: Validate.numberOrArray,
    upper: Validate.numberOrArray
  })
  return (key, shape, dtype) => {
    const d = realOnly(dtypeOr(dtype, options?.dtype))
    const t = random.truncatedNormal(key, options?.lower ?? -2, options?.upper ?? 2, shape, { dtype: d })
    return np.multiply(t, np.array(stddev, { dtype: d }))
  }
}

/** Axes of the fan computation (JAX's defaults: in -2, out -1, no batch axes). @since 0.1.0 */
export interface FanOptions {
  readonly inAxis?: number | ReadonlyArray<number> | undefined
  readonly outAxis?: number | ReadonlyArray<number> | undefined
  readonly batchAxis?: number | ReadonlyArray<number> | undefined
  readonly dtype?: InexactDType | undefined
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
  Validate.checkOptions("computeFans", options, fanSpec)
  const shape = Validate.checkShape("computeFans", given)
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
  const empty = Shape.sizeOf(Validate.checkShape("varianceScaling", given)) === 0
  return [empty ? [1, 1] : fans, empty]
}

/** Options of {@link varianceScaling}. @since 0.1.0 */
export type Mode = "fanIn" | "fanOut" | "fanAvg" | "fanGeoAvg"
/** @since 0.1.0 */
export type Distribution = "truncatedNormal" | "normal" | "uniform"

// JAX's _complex_uniform and _complex_truncated_normal: a modulus and a uniform angle from the two
// keys of a split; the modulus is sqrt(2 u) (uniform on the disk of radius sqrt 2, E|z|^2 = 1) or
// the inverse CDF of a complex normal's modulus truncated to `upper`.
const complexPolar = (
  key: Tensor,
  shape: ReadonlyArray<number>,
  dtype: "complex64" | "complex128",
  upper: number | null
): Tensor => {
  const real = realDType(dtype)
  const [kr, kTheta] = splitN(key, 2)
  const c = (v: number) => np.array(v, { dtype: real })
  const u = random.uniform(kr!, shape, { dtype: real })
  const r = upper === null
    ? np.sqrt(np.multiply(c(2), u))
    : np.sqrt(np.negative(np.log(np.subtract(c(1), np.multiply(c(1 - Math.exp(-(upper ** 2))), u)))))
  const theta = np.multiply(c(2 * Math.PI), random.uniform(kTheta!, shape, { dtype: real }))
  return lax.complex(np.multiply(r, np.cos(theta)), np.multiply(r, np.sin(theta)))
}

/**
 * JAX's `variance_scaling`: samples with variance `scale / n`, where `n` is the
 * fan-in, fan-out, their mean or their geometric mean (`mode`), from a
 * truncated normal (rescaled by its standard deviation on (-2, 2),
 * 0.87962566103423978), a normal, or a uniform on `[-sqrt(3 v), sqrt(3 v))`.
 * A complex dtype draws, as JAX does, a complex normal (its modulus truncated
 * at 2, rescaled by 0.95311164380491208), a complex normal, or a uniform on a
 * disk.
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
): Initializer => scaling("varianceScaling", scale, mode, distribution, options)

// varianceScaling, its arguments checked under the name the user called (glorotNormal, ...)
const scaling = (
  operation: string,
  scale: number,
  mode: Mode,
  distribution: Distribution,
  options: FanOptions | undefined
): Initializer => {
  // `scale / fan` in JS: a string scale drew NaN weights
  Validate.checkArg(operation, "scale", scale, Validate.number)
  Validate.checkOptions(operation, options, fanSpec)
  return (key, shape, dtype) => scaled(key, shape, dtype, scale, mode, distribution, options)
}

const scaled = (
  key: Tensor,
  shape: ReadonlyArray<number>,
  dtype: InexactDType | undefined,
  scale: number,
  mode: Mode,
  distribution: Distribution,
  options: FanOptions | undefined
): Tensor => {
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
  if ((d === "complex64" || d === "complex128") && distribution !== "normal") {
    if (distribution === "truncatedNormal") {
      // the standard deviation of a complex standard normal whose modulus is truncated to 2
      const stddev = np.divide(np.sqrt(variance), np.array(0.9531116438049121, { dtype: d }))
      return np.multiply(complexPolar(key, shape, d, 2), stddev)
    }
    if (distribution === "uniform") return np.multiply(complexPolar(key, shape, d, null), np.sqrt(variance))
  }
  switch (distribution) {
    case "truncatedNormal": {
      const stddev = np.divide(np.sqrt(variance), np.array(0.87962566103423978, { dtype: d }))
      return np.multiply(random.truncatedNormal(key, -2, 2, shape, { dtype: realOnly(d) }), stddev)
    }
    case "normal":
      return np.multiply(random.normal(key, shape, { dtype: d }), np.sqrt(variance))
    case "uniform":
      return np.multiply(
        random.uniform(key, shape, { dtype: realOnly(d), minval: -1 }),
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
export const glorotUniform = (options?: FanOptions): Initializer =>
  scaling("glorotUniform", 1, "fanAvg", "uniform", options)

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
  scaling("glorotNormal", 1, "fanAvg", "truncatedNormal", options)

/**
 * LeCun uniform: `varianceScaling(1, "fanIn", "uniform")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.lecunUniform()(random.key(0), [2, 3]))) // [[1.096556, 1.172276, -0.4108003], [-0.07674628, 0.1711917, -0.819347]]
 *
 * @since 0.1.0
 */
export const lecunUniform = (options?: FanOptions): Initializer =>
  scaling("lecunUniform", 1, "fanIn", "uniform", options)

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
  scaling("lecunNormal", 1, "fanIn", "truncatedNormal", options)

/**
 * He (Kaiming) uniform: `varianceScaling(2, "fanIn", "uniform")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.heUniform()(random.key(0), [2, 3]))) // [[1.550764, 1.657849, -0.5809593], [-0.1085356, 0.2421016, -1.158731]]
 *
 * @since 0.1.0
 */
export const heUniform = (options?: FanOptions): Initializer => scaling("heUniform", 2, "fanIn", "uniform", options)

/**
 * He (Kaiming) normal: `varianceScaling(2, "fanIn", "truncatedNormal")`.
 *
 * @example
 * import { nn, random, toJsSync } from "diffect"
 * console.log(toJsSync(nn.initializers.heNormal()(random.key(0), [2, 3]))) // [[1.655203, 1.949407, -0.4691488], [-0.08530156, 0.1909914, -1.037503]]
 *
 * @since 0.1.0
 */
export const heNormal = (options?: FanOptions): Initializer =>
  scaling("heNormal", 2, "fanIn", "truncatedNormal", options)

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
  options?: { readonly columnAxis?: number | undefined; readonly dtype?: InexactDType | undefined }
): Initializer => {
  scalar("orthogonal", "scale", scale)
  Validate.checkOptions("orthogonal", options, orthogonalSpec)
  return (key, given, dtype) => {
    const d = dtypeOr(dtype, options?.dtype)
    const shape = Validate.checkShape("orthogonal", given)
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
}

/**
 * A delta-orthogonal convolution kernel (JAX's `delta_orthogonal`, Xiao et
 * al. 2018): for a 3-, 4- or 5-D shape `[...spatial, in, out]` with
 * `in <= out`, an {@link orthogonal} `[in, out]` matrix at the centre of the
 * spatial window (index `(k - 1) // 2` on each spatial axis) and zeros
 * elsewhere.
 *
 * @example
 * import { nn, np, random, toJsSync } from "diffect"
 * const w = nn.initializers.deltaOrthogonal()(random.key(0), [3, 2, 2], "float64")
 * console.log(toJsSync(np.greater(np.sum(np.abs(w), { axis: [1, 2] }), 0))) // [false, true, false]
 * const centre = np.index(w, 1)
 * console.log(toJsSync(np.round(np.matmul(np.transpose(centre), centre), { decimals: 12 }))) // [[1, 0], [0, 1]]
 *
 * @since 0.1.0
 */
export const deltaOrthogonal = (
  scale = 1,
  options?: { readonly columnAxis?: number | undefined; readonly dtype?: InexactDType | undefined }
): Initializer => {
  scalar("deltaOrthogonal", "scale", scale)
  Validate.checkOptions("deltaOrthogonal", options, orthogonalSpec)
  return (key, given, dtype) => {
    const d = dtypeOr(dtype, options?.dtype)
    const shape = Validate.checkShape("deltaOrthogonal", given)
    if (shape.length < 3 || shape.length > 5) {
      throw new ShapeError({
        operation: "deltaOrthogonal",
        detail: `Delta orthogonal initializer requires a 3D, 4D or 5D shape, got [${shape}]`
      })
    }
    const [fanIn, fanOut] = shape.slice(-2) as [number, number]
    if (fanOut < fanIn) {
      throw new ShapeError({
        operation: "deltaOrthogonal",
        detail: `\`fan_in\` must be less or equal than \`fan_out\`, got shape [${shape}]`
      })
    }
    const ortho = orthogonal(scale, { columnAxis: options?.columnAxis, dtype: d })(key, [fanIn, fanOut], d)
    // the matrix times the indicator of the window's centre, broadcast over the spatial axes
    const spatial = shape.slice(0, -2)
    let centre: Tensor | null = null
    spatial.forEach((k, i) => {
      const here = np.equal(lax.iota("int32", [...spatial, 1, 1], i), Math.floor((k - 1) / 2))
      centre = centre === null ? here : np.logicalAnd(centre, here)
    })
    return np.multiply(np.astype(centre!, d), ortho)
  }
}

/**
 * Alias of {@link heNormal} (JAX's `kaiming_normal`).
 *
 * @example
 * import { nn } from "diffect"
 * console.log(nn.initializers.kaimingNormal === nn.initializers.heNormal) // true
 *
 * @since 0.1.0
 */
export const kaimingNormal = heNormal

/**
 * Alias of {@link heUniform} (JAX's `kaiming_uniform`).
 *
 * @example
 * import { nn } from "diffect"
 * console.log(nn.initializers.kaimingUniform === nn.initializers.heUniform) // true
 *
 * @since 0.1.0
 */
export const kaimingUniform = heUniform

/**
 * Alias of {@link glorotNormal} (JAX's `xavier_normal`).
 *
 * @example
 * import { nn } from "diffect"
 * console.log(nn.initializers.xavierNormal === nn.initializers.glorotNormal) // true
 *
 * @since 0.1.0
 */
export const xavierNormal = glorotNormal

/**
 * Alias of {@link glorotUniform} (JAX's `xavier_uniform`).
 *
 * @example
 * import { nn } from "diffect"
 * console.log(nn.initializers.xavierUniform === nn.initializers.glorotUniform) // true
 *
 * @since 0.1.0
 */
export const xavierUniform = glorotUniform
