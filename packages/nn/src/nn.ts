/**
 * `nn`: JAX's `jax.nn`, activations, softmax and friends, one-hot encoding and
 * dot-product attention, written over `np`/`lax` so every function works under
 * every transformation. The custom derivatives are JAX's: `relu` and `relu6` have
 * derivative 0 at their kinks, `softmax` has JAX's custom JVP, and `softplus`
 * (like `jnp.logaddexp`) differentiates to `sigmoid` everywhere.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.relu(np.array([-1, 0, 2])))) // [0, 0, 2]
 * console.log(toJsSync(nn.softmax(np.array([1, 2, 3])))) // [0.0900306, 0.2447285, 0.6652410]
 *
 * @since 0.1.0
 */
import { axisIndex, axisSize, customJvp } from "@diffect/ad"
import { DType, DTypeError, lax, np, ShapeError, special } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { argumentError, checkAxis, checkKeys } from "@diffect/core/Validate"
import type { Axis } from "./internal/reduce.js"
import { axesOf, inexact, maskFor, maxWhere, meanWhere, sumWhere } from "./internal/reduce.js"

export * as initializers from "./initializers.js"
export * from "./internal/moreActivations.js"
export type { Axis } from "./internal/reduce.js"
export * from "./internal/scaledDotGeneral.js"
export * from "./internal/scaledMatmul.js"
export * as pooling from "./pooling.js"

type TensorLike = np.TensorLike

const zerosAs = (t: Tensor): Tensor => lax.full(t.shape, 0, t.dtype, t.weakType)

// JAX's weak Python int constants (`jnp.maximum(x, 0)`): an integer `x` keeps its dtype, a bool
// becomes a weak int32, where a JS number would make it float32.
const integral = (x: TensorLike): Tensor => {
  const t = np.asarray(x)
  return t.dtype === "bool" ? lax.convertElementType(t, "int32", true) : t
}
const weakConstant = (t: Tensor, v: number): Tensor | number =>
  DType.isInexact(t.dtype) ? v : lax.full([], v, t.dtype, true)

// ---------------------------------------------------------------------------
// elementwise activations

const reluImpl = customJvp((x: Tensor): Tensor => np.maximum(x, weakConstant(x, 0))).defJvp(([x], [t]) => [
  reluImpl(x),
  lax.select(np.greater(x, 0), t, zerosAs(t))
])

/**
 * Rectified linear unit, `max(x, 0)`; its derivative at 0 is 0 (JAX's custom JVP,
 * after "Numerical influence of ReLU'(0) on backpropagation"). Integer inputs
 * keep their dtype (bool becomes int32), as in JAX.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.relu(np.array([-2, -0.5, 0, 0.5, 2])))) // [0, 0, 0, 0.5, 2]
 * console.log(nn.relu(np.array([-2, 3], { dtype: "int32" })).dtype) // int32
 *
 * @since 0.1.0
 */
export const relu = (x: TensorLike): Tensor => reluImpl(integral(x))

const relu6Impl = customJvp((x: Tensor): Tensor => np.minimum(np.maximum(x, 0), 6)).defJvp(([x], [t]) => [
  relu6Impl(x),
  lax.select(np.logicalAnd(np.greater(x, 0), np.less(x, 6)), t, zerosAs(t))
])

/**
 * `min(max(x, 0), 6)`; its derivative is 0 at both kinks (JAX's custom JVP).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.relu6(np.array([-1, 3, 7])))) // [0, 3, 6]
 *
 * @since 0.1.0
 */
export const relu6 = (x: TensorLike): Tensor => relu6Impl(np.asarray(x))

// max(x, 0) + log1p(exp(-|x|)), with jnp.logaddexp's derivative sigmoid(x) (the max's
// kink at 0 would otherwise give a one-sided derivative there).
const softplusImpl = customJvp((x: Tensor): Tensor =>
  np.add(np.maximum(x, 0), np.log1p(np.exp(np.negative(np.abs(x)))))
).defJvp(([x], [t]) => [softplusImpl(x), np.multiply(t, lax.logistic(x))])

/**
 * `log(1 + exp(x))`, computed without overflow (JAX's `jnp.logaddexp(x, 0)`).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.softplus(np.array([0, 100])))) // [0.6931472, 100]
 *
 * @since 0.1.0
 */
export const softplus = (x: TensorLike): Tensor => softplusImpl(inexact(x))

/**
 * The logistic sigmoid `1 / (1 + exp(-x))`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.sigmoid(np.array([0])))) // [0.5]
 *
 * @since 0.1.0
 */
export const sigmoid = (x: TensorLike): Tensor => lax.logistic(inexact(x))

/**
 * `log(sigmoid(x)) = -softplus(-x)`, finite for large negative `x`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.logSigmoid(np.array([0, -100])))) // [-0.6931472, -100]
 *
 * @since 0.1.0
 */
export const logSigmoid = (x: TensorLike): Tensor => np.negative(softplus(np.negative(inexact(x))))

/**
 * `x / (|x| + 1)`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.softSign(np.array([-3, 1])))) // [-0.75, 0.5]
 *
 * @since 0.1.0
 */
export const softSign = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return np.divide(t, np.add(np.abs(t), 1))
}

/**
 * SiLU (swish), `x * sigmoid(x)`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.silu(np.array([0, 1])))) // [0, 0.7311]
 *
 * @since 0.1.0
 */
export const silu = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return np.multiply(t, lax.logistic(t))
}

/**
 * Alias of {@link silu}.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.swish(np.array([1])))) // [0.7311]
 *
 * @since 0.1.0
 */
export const swish = silu

/**
 * Mish, `x * tanh(softplus(x))`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.mish(np.array([1])))) // [0.8651]
 *
 * @since 0.1.0
 */
export const mish = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return np.multiply(t, np.tanh(softplus(t)))
}

/** Options of {@link elu} and {@link celu}. @since 0.1.0 */
export interface AlphaOptions {
  /** Default 1. */
  readonly alpha?: number | undefined
}

/**
 * Exponential linear unit: `x` for `x > 0`, else `alpha * (exp(x) - 1)`. The
 * exponential is taken of `min(x, 0)` only, so large `x` gives no inf (and no
 * NaN gradient), as in JAX.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.elu(np.array([-1, 2])))) // [-0.6321206, 2]
 *
 * @since 0.1.0
 */
export const elu = (x: TensorLike, options?: AlphaOptions): Tensor => {
  checkKeys("elu", options, ["alpha"])
  const t = inexact(x)
  const positive = np.greater(t, 0)
  const alpha = options?.alpha ?? 1
  return np.where(positive, t, np.multiply(alpha, np.expm1(np.where(positive, 0, t))))
}

/**
 * Scaled ELU with the self-normalizing constants `lambda = 1.0507...`,
 * `alpha = 1.6732...`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.selu(np.array([1])))) // [1.0507]
 *
 * @since 0.1.0
 */
export const selu = (x: TensorLike): Tensor => np.multiply(1.0507009873554805, elu(x, { alpha: 1.6732632423543772 }))

/**
 * Continuously differentiable ELU: `max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.celu(np.array([-1]), { alpha: 2 }))) // [-0.7869387]
 *
 * @since 0.1.0
 */
export const celu = (x: TensorLike, options?: AlphaOptions): Tensor => {
  checkKeys("celu", options, ["alpha"])
  const t = inexact(x)
  const alpha = options?.alpha ?? 1
  return np.add(np.maximum(t, 0), np.multiply(alpha, np.expm1(np.divide(np.minimum(t, 0), alpha))))
}

/**
 * `x` for `x >= 0`, else `negativeSlope * x` (default slope 0.01).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.leakyRelu(np.array([-2, 3]), { negativeSlope: 0.1 }))) // [-0.2, 3]
 *
 * @since 0.1.0
 */
export const leakyRelu = (x: TensorLike, options?: { readonly negativeSlope?: number | undefined }): Tensor => {
  checkKeys("leakyRelu", options, ["negativeSlope"])
  const t = inexact(x)
  return np.where(np.greaterEqual(t, 0), t, np.multiply(options?.negativeSlope ?? 0.01, t))
}

/**
 * `x` clipped to `[-1, 1]`. Integer inputs keep their dtype (bool becomes
 * int32), as in JAX.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.hardTanh(np.array([-2, 0.5, 2])))) // [-1, 0.5, 1]
 * console.log(toJsSync(nn.hardTanh(np.array([-3, 0, 5], { dtype: "int32" })))) // [-1, 0, 1]
 *
 * @since 0.1.0
 */
export const hardTanh = (x: TensorLike): Tensor => {
  const t = integral(x)
  // (an unsigned input is never below -1: its -1 branch is skipped rather than wrapped)
  const lower = DType.isUnsigned(t.dtype) ? t : np.where(np.less(t, -1), weakConstant(t, -1), t)
  return np.where(np.greater(t, 1), weakConstant(t, 1), lower)
}

/**
 * `relu6(x + 3) / 6`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.hardSigmoid(np.array([-4, 0, 4])))) // [0, 0.5, 1]
 *
 * @since 0.1.0
 */
export const hardSigmoid = (x: TensorLike): Tensor => np.divide(relu6(np.add(inexact(x), 3)), 6)

/**
 * `x * hardSigmoid(x)` (hard swish).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.hardSilu(np.array([-4, 1, 4])))) // [0, 0.6666667, 4]
 *
 * @since 0.1.0
 */
export const hardSilu = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return np.multiply(t, hardSigmoid(t))
}

/**
 * Alias of {@link hardSilu}.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.hardSwish(np.array([1])))) // [0.6666667]
 *
 * @since 0.1.0
 */
export const hardSwish = hardSilu

/**
 * GELU. With `approximate: true` (JAX's default) the tanh form
 * `x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`; with `false` the exact
 * `x/2 erfc(-x/sqrt 2) = x/2 (1 + erf(x/sqrt 2))`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.gelu(np.array([1]), { approximate: false }))) // [0.8413]
 *
 * @since 0.1.0
 */
export const gelu = (x: TensorLike, options?: { readonly approximate?: boolean | undefined }): Tensor => {
  checkKeys("gelu", options, ["approximate"])
  const t = inexact(x)
  if (options?.approximate ?? true) {
    const inner = np.multiply(Math.sqrt(2 / Math.PI), np.add(t, np.multiply(0.044715, np.power(t, 3))))
    return np.multiply(t, np.multiply(0.5, np.add(1, np.tanh(inner))))
  }
  // JAX's x/2 erfc(-x/sqrt 2): 1 + erf(x/sqrt 2) would cancel to 0 in the negative tail
  return np.multiply(np.multiply(0.5, t), lax.erfc(np.multiply(np.negative(t), Math.SQRT1_2)))
}

/**
 * Gated linear unit: split `x` in two halves along `axis` (default -1) and return
 * `first * sigmoid(second)`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.glu(np.array([2, 0])))) // [1]
 *
 * @since 0.1.0
 */
export const glu = (x: TensorLike, options?: { readonly axis?: number | undefined }): Tensor => {
  checkKeys("glu", options, ["axis"])
  const t = np.asarray(x)
  // one axis, as JAX's `x.shape[axis]` (an array took its first entry)
  const axis = checkAxis("glu", options?.axis ?? -1, t.ndim)
  if (t.shape[axis]! % 2 !== 0) {
    throw new ShapeError({
      operation: "glu",
      detail: `axis size must be divisible by 2, got size ${t.shape[axis]} on axis ${axis}`
    })
  }
  const [a, b] = np.split(t, 2, { axis }) as [Tensor, Tensor]
  return np.multiply(a, sigmoid(b))
}

// ---------------------------------------------------------------------------
// softmax and friends

/** Options of {@link softmax} and {@link logSoftmax}. @since 0.1.0 */
export interface SoftmaxOptions {
  /** The axis or axes to normalize over (default -1; `null` for all). */
  readonly axis?: Axis | undefined
  /** Elements to include; the output is 0 (softmax) or -inf (logSoftmax) elsewhere. */
  readonly where?: TensorLike | undefined
  /** Softmax only: the lower bound of the maximum subtracted for stability (default -inf), JAX's `initial`. */
  readonly initial?: number | undefined
}

interface SoftmaxStatic {
  readonly axes: ReadonlyArray<number>
  readonly where: Tensor | null
  readonly initial: number
}

const softmaxPrimal = (x: Tensor, s: SoftmaxStatic): Tensor => {
  const m = maxWhere(x, s.axes, s.where, s.initial)
  const safe = s.where === null ? x : np.where(s.where, x, s.initial)
  const e = np.exp(np.subtract(safe, m))
  const y = np.divide(e, sumWhere(e, s.axes, s.where))
  return s.where === null ? y : np.where(s.where, y, 0)
}

// JAX's `_softmax` custom JVP: y * (t - sum(y * t)); `where` and `initial` are not differentiated.
const softmaxImpl = customJvp(softmaxPrimal).defJvp(([x, s], [t]) => {
  const y = softmaxImpl(x, s)
  return [y, np.multiply(y, np.subtract(t, sumWhere(np.multiply(y, t), s.axes, s.where)))]
})

/**
 * Softmax over `axis` (default the last): `exp(x - max) / sum(exp(x - max))`,
 * with JAX's custom JVP `y * (t - sum(y * t))`. With `where`, only the selected
 * elements are normalized and the rest are 0. If any input is `+inf` the result
 * is NaN (`inf / inf`), as in JAX.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.softmax(np.array([[1, 1], [0, Math.log(3)]])))) // [[0.5, 0.5], [0.25, 0.75]]
 *
 * @since 0.1.0
 */
export const softmax = (x: TensorLike, options?: SoftmaxOptions): Tensor => {
  checkKeys("softmax", options, ["axis", "where", "initial"])
  const t = inexact(x)
  const axes = axesOf("softmax", options?.axis === undefined ? -1 : options.axis, t.ndim)
  const where = options?.where === undefined ? null : maskFor("softmax", options.where, t)
  return softmaxImpl(t, { axes, where, initial: options?.initial ?? -Infinity })
}

/**
 * `log(softmax(x))`, computed stably as `x - max - log(sum(exp(x - max)))` with
 * the maximum held constant under differentiation (JAX's `log_softmax`).
 * Masked-out elements (`where`) are `-inf`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.logSoftmax(np.array([0, Math.log(3)])))) // [-1.3862944, -0.2876821]
 *
 * @since 0.1.0
 */
export const logSoftmax = (x: TensorLike, options?: Omit<SoftmaxOptions, "initial">): Tensor => {
  checkKeys("logSoftmax", options, ["axis", "where"])
  const t = inexact(x)
  const axes = axesOf("logSoftmax", options?.axis === undefined ? -1 : options.axis, t.ndim)
  const where = options?.where === undefined ? null : maskFor("logSoftmax", options.where, t)
  const m = maxWhere(t, axes, where, -Infinity)
  const safe = where === null ? t : np.where(where, t, -Infinity)
  const shifted = np.subtract(safe, lax.stopGradient(m))
  const result = np.subtract(shifted, np.log(sumWhere(np.exp(shifted), axes, where)))
  return where === null ? result : np.where(where, result, -Infinity)
}

/** Options of {@link logsumexp}. @since 0.1.0 */
export type LogsumexpOptions = special.LogsumexpOptions

/**
 * `log(sum(b * exp(x)))` over `axis` (all axes by default), computed stably
 * (JAX's `jax.nn.logsumexp`, i.e. `jax.scipy.special.logsumexp`: this is
 * `special.logsumexp`). A negative sum gives NaN; {@link logsumexpWithSign}
 * returns the sign instead.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.logsumexp(np.array([1000, 1000])))) // 1000.6931
 *
 * @since 0.1.0
 */
export const logsumexp = (x: TensorLike, options?: LogsumexpOptions): Tensor => special.logsumexp(x, options)

/**
 * `logsumexp` with `return_sign=True`: `[log|sum(b * exp(x))|, sign(sum)]`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.logsumexpWithSign(np.array([0, 0]), { b: np.array([1, -2]) }))) // [0, -1]
 *
 * @since 0.1.0
 */
export const logsumexpWithSign = (x: TensorLike, options?: LogsumexpOptions): readonly [Tensor, Tensor] =>
  special.logsumexpWithSign(x, options)

/**
 * `log(mean(exp(x)))` over `axis` (all by default), stably (JAX's
 * `logmeanexp`: `logsumexp` minus the log of the number of elements, counting
 * only `where`'s when given).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.logmeanexp(np.array([0, Math.log(3)])))) // 0.6931472
 *
 * @since 0.1.0
 */
export const logmeanexp = (x: TensorLike, options?: Omit<LogsumexpOptions, "b">): Tensor => {
  checkKeys("logmeanexp", options, ["axis", "where", "keepdims"])
  const a = inexact(x)
  const lse = logsumexp(a, options)
  const ones = options?.where === undefined
    ? np.onesLike(a)
    : np.astype(np.broadcastTo(np.asarray(options.where), a.shape), a.dtype)
  const count = np.sum(ones, { axis: options?.axis ?? undefined, keepdims: options?.keepdims ?? false })
  return np.subtract(lse, np.log(count))
}

/** Options of {@link standardize}. @since 0.1.0 */
export interface StandardizeOptions {
  /** Default -1. */
  readonly axis?: Axis | undefined
  /** Use this mean instead of computing it. */
  readonly mean?: TensorLike | undefined
  /** Use this variance instead of computing it. */
  readonly variance?: TensorLike | undefined
  /** Default 1e-5. */
  readonly epsilon?: number | undefined
  readonly where?: TensorLike | undefined
  /** `"fast"` (JAX's default): `mean(x^2) - mean(x)^2` clipped at 0; `"stable"`: `mean((x - mean)^2)`. */
  readonly algorithm?: "fast" | "stable" | undefined
}

/**
 * `(x - mean) / sqrt(variance + epsilon)` over `axis` (JAX's `jax.nn.standardize`).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * console.log(toJsSync(nn.standardize(np.array([1, 3]), { epsilon: 0 }))) // [-1, 1]
 *
 * @since 0.1.0
 */
export const standardize = (x: TensorLike, options?: StandardizeOptions): Tensor => {
  checkKeys("standardize", options, ["axis", "where", "mean", "variance", "algorithm", "epsilon"])
  const t = inexact(x)
  const axes = axesOf("standardize", options?.axis === undefined ? -1 : options.axis, t.ndim)
  const where = options?.where === undefined ? null : maskFor("standardize", options.where, t)
  const mean = options?.mean === undefined ? meanWhere(t, axes, where) : np.asarray(options.mean)
  let variance: Tensor
  if (options?.variance !== undefined) variance = np.asarray(options.variance)
  else if (options?.algorithm === "stable") variance = meanWhere(np.square(np.subtract(t, mean)), axes, where)
  else if (options?.algorithm === undefined || options.algorithm === "fast") {
    variance = np.clip(np.subtract(meanWhere(np.square(t), axes, where), np.square(mean)), { min: 0 })
  } else {
    throw new ShapeError({
      operation: "standardize",
      detail: `Unknown algorithm '${String(options.algorithm)}'. Expected 'fast' or 'stable'.`
    })
  }
  return np.multiply(np.subtract(t, mean), lax.rsqrt(inexact(np.add(variance, options?.epsilon ?? 1e-5))))
}

/** Options of {@link oneHot}. @since 0.1.0 */
export interface OneHotOptions {
  /** Default float32. */
  readonly dtype?: DType.DType | undefined
  /**
   * The new axis (default -1), or the name (names) of a `vmap` axis of size
   * `numClasses`: then each instance compares `x` with its `axisIndex`.
   */
  readonly axis?: number | string | ReadonlyArray<string> | undefined
}

/**
 * One-hot encoding: `x[..., None] == arange(numClasses)` along `axis` (default the
 * new last axis), as `dtype` (default float32). Indices outside `[0, numClasses)`
 * encode as all zeros, as in JAX. A named `axis` (JAX's `axis: AxisName`) encodes
 * along a mapped axis: `x == axisIndex(axis)`, whose size must be `numClasses`.
 *
 * @example
 * import { nn, np, runSync, toJsSync, vmap } from "diffect"
 * console.log(toJsSync(nn.oneHot(np.array([0, 2, -1], { dtype: "int32" }), 3))) // [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
 * // along the mapped axis "i": instance i holds row i of the transposed encoding
 * const mapped = vmap((a) => nn.oneHot(a, 3, { axis: "i" }), { axisName: "i", inAxes: null, axisSize: 3 })
 * console.log(toJsSync(runSync(mapped(np.array([0, 2], { dtype: "int32" }))))) // [[1, 0], [0, 0], [0, 1]]
 *
 * @since 0.1.0
 */
export const oneHot = (x: TensorLike, numClasses: number, options?: OneHotOptions): Tensor => {
  checkKeys("oneHot", options, ["dtype", "axis"])
  const t = np.asarray(x)
  if (typeof numClasses !== "number") throw argumentError("oneHot", "numClasses", "a non-negative integer", numClasses)
  if (!Number.isInteger(numClasses) || numClasses < 0) {
    throw new ShapeError({
      operation: "oneHot",
      detail: `num_classes must be a non-negative integer, got ${numClasses}`
    })
  }
  const dtype = options?.dtype ?? DType.defaultFloat
  const axis = options?.axis ?? -1
  if (typeof axis !== "number") {
    if (typeof axis !== "string" && !(Array.isArray(axis) && axis.every((a) => typeof a === "string"))) {
      throw argumentError("oneHot", "axis", "an integer or the name (names) of a mapped axis", axis)
    }
    // JAX's _one_hot: a name is a mapped axis, one class per instance
    const size = axisSize(axis)
    if (size !== numClasses) {
      throw new ShapeError({
        operation: "oneHot",
        detail: `Expected num_classes to match the size of axis ${String(axis)}, but ${numClasses} != ${size}`
      })
    }
    return np.astype(np.equal(t, axisIndex(axis)), dtype)
  }
  const [outAxis] = axesOf("oneHot", axis, t.ndim + 1)
  const lhs = lax.expandDims(t, [outAxis!])
  const rhsShape = Array.from({ length: t.ndim + 1 }, (_, i) => (i === outAxis ? numClasses : 1))
  const rhs = lax.iota(t.dtype === "bool" ? "int32" : t.dtype, rhsShape, outAxis)
  return np.astype(np.equal(lhs, rhs), dtype)
}

// ---------------------------------------------------------------------------
// attention

/** Options of {@link dotProductAttention}. @since 0.1.0 */
export interface AttentionOptions {
  /** Added to the logits; broadcastable to `[B, N, T, S]` (missing leading axes are added). */
  readonly bias?: TensorLike | undefined
  /** Boolean; `false` masks a logit out. Broadcastable to `[B, N, T, S]` (missing leading axes are added). */
  readonly mask?: TensorLike | undefined
  /** Logit scale; default `1 / sqrt(H)`. */
  readonly scale?: number | undefined
  /** Apply a causal mask (query `t` attends to keys `s <= t`). */
  readonly isCausal?: boolean | undefined
  /** int32 `[B]`: the valid queries of each batch element; the rest attend to nothing and output 0. */
  readonly querySeqLengths?: TensorLike | undefined
  /** int32 `[B]`: the valid keys and values of each batch element. */
  readonly keyValueSeqLengths?: TensorLike | undefined
  /** `[left, right]` (or one number for both): query `t` attends to keys `t - left <= s <= t + right`. */
  readonly localWindowSize?: number | readonly [number, number] | undefined
  /**
   * The backend: `"xla"` or `undefined` (JAX's default, which falls back to
   * XLA), the only one in diffect; JAX's `"cudnn"` is refused.
   */
  readonly implementation?: "xla" | undefined
  /**
   * Also return the logsumexp of the (masked) logits over the keys, `[B, T, N]`
   * (`[T, N]` for a 3-D query), in the key's dtype and held constant under
   * differentiation (JAX's `return_residual`, FlashAttention-2's residual).
   */
  readonly returnResidual?: boolean | undefined
}

// JAX's _ensure_4d: leading axes added up to rank 4.
const ensure4d = (name: string, t: Tensor): Tensor => {
  if (t.ndim < 4) return lax.expandDims(t, Array.from({ length: 4 - t.ndim }, (_, i) => i))
  if (t.ndim !== 4) {
    throw new ShapeError({
      operation: "dotProductAttention",
      detail: `${name} ndim should be 4, but got ${t.ndim}`
    })
  }
  return t
}

/**
 * Scaled dot-product attention (JAX's `jax.nn.dot_product_attention`, its XLA
 * implementation): `softmax(q k^T * scale + bias, masked) v` with JAX's layout,
 * `query` `[B, T, N, H]`, `key`/`value` `[B, S, K, H]` (the batch may be omitted),
 * where `N` is a multiple of `K` (grouped-query attention). Masked logits become
 * `-0.7 * float32max`, and the softmax runs in float32, as in JAX. Output
 * `[B, T, N, H]`; with `returnResidual: true`, `[output, logsumexp]`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const q = np.ones([1, 2, 1, 4])
 * const kv = np.array([[[[1, 0, 0, 0]], [[0, 1, 0, 0]]]])
 * console.log(toJsSync(nn.dotProductAttention(q, kv, kv, { isCausal: true }))) // [[[[1, 0, 0, 0]], [[0.5, 0.5, 0, 0]]]]
 * // the residual: logsumexp over the keys of the logits (0.5 each here), [B, T, N]
 * const [, lse] = nn.dotProductAttention(q, kv, kv, { isCausal: true, returnResidual: true })
 * console.log(toJsSync(lse)) // [[[0.5], [1.1931472]]]
 *
 * @since 0.1.0
 */
export const dotProductAttention: {
  (
    query: TensorLike,
    key: TensorLike,
    value: TensorLike,
    options: AttentionOptions & { readonly returnResidual: true }
  ): readonly [Tensor, Tensor]
  (
    query: TensorLike,
    key: TensorLike,
    value: TensorLike,
    options?: AttentionOptions & { readonly returnResidual?: false | undefined }
  ): Tensor
  (
    query: TensorLike,
    key: TensorLike,
    value: TensorLike,
    options?: AttentionOptions
  ): Tensor | readonly [Tensor, Tensor]
} = ((
  query: TensorLike,
  key: TensorLike,
  value: TensorLike,
  options?: AttentionOptions
): Tensor | readonly [Tensor, Tensor] => {
  checkKeys("dotProductAttention", options, [
    "bias",
    "mask",
    "scale",
    "isCausal",
    "querySeqLengths",
    "keyValueSeqLengths",
    "localWindowSize",
    "implementation",
    "returnResidual"
  ])
  const implementation: unknown = options?.implementation
  if (implementation !== undefined && implementation !== "xla") {
    // JAX's "cudnn" is cuDNN's flash attention, a GPU kernel diffect does not have
    throw argumentError(
      "dotProductAttention",
      "implementation",
      "\"xla\" or undefined (JAX's \"cudnn\" flash attention is not available in diffect)",
      implementation
    )
  }
  const returnResidual: unknown = options?.returnResidual ?? false
  if (typeof returnResidual !== "boolean") {
    throw argumentError("dotProductAttention", "returnResidual", "a boolean", returnResidual)
  }
  const q3 = np.asarray(query)
  if (q3.ndim !== 3 && q3.ndim !== 4) {
    throw new ShapeError({
      operation: "dotProductAttention",
      detail: `query ndim should be 3 or 4, but got ${q3.ndim}`
    })
  }
  const q = ensure4d("query", q3)
  const k = ensure4d("key", np.asarray(key))
  const v = ensure4d("value", np.asarray(value))
  const [B, S, K, H] = k.shape as [number, number, number, number]
  const [qB, T, N, qH] = q.shape as [number, number, number, number]
  const fail = (detail: string): never => {
    throw new ShapeError({ operation: "dotProductAttention", detail })
  }
  const dtypeFail = (name: string, got: DType.DType): never => {
    throw new DTypeError({
      operation: "dotProductAttention",
      detail: `${name} dtype should be ${k.dtype}, but got ${got}`
    })
  }
  if (v.shape.join() !== k.shape.join()) fail(`value shape should be [${k.shape}]: but got [${v.shape}]`)
  if (v.dtype !== k.dtype) dtypeFail("value", v.dtype)
  if (qB !== B || qH !== H) fail(`query shape should be [${B}, -1, -1, ${H}]: but got [${q.shape}]`)
  if (q.dtype !== k.dtype) dtypeFail("query", q.dtype)
  if (N % K !== 0) fail(`The number of query heads must be a multiple of key/value heads, but got ${N} vs ${K}`)
  const G = N / K
  const logitsDType: DType.DType = k.dtype === "float64" ? "float64" : "float32"
  const scale = options?.scale ?? 1 / Math.sqrt(H)
  // [B, T, K, G, H] x [B, S, K, H] -> [B, K, G, T, S]
  const qg = np.reshape(q, [B, T, K, G, H])
  let logits = np.astype(np.einsum("BTKGH,BSKH->BKGTS", qg, k), logitsDType)
  logits = np.multiply(logits, np.array(scale, { dtype: logitsDType }))
  const toGrouped = (name: string, m: Tensor): Tensor => {
    const m4 = ensure4d(name, m)
    if (m4.shape[1] !== 1 && m4.shape[1] !== N) fail(`${name} heads should be 1 or ${N}, but got [${m4.shape}]`)
    const full = np.broadcastTo(m4, [B, N, T, S])
    return np.reshape(full, [B, K, G, T, S])
  }
  if (options?.bias !== undefined) logits = np.add(logits, toGrouped("bias", np.asarray(options.bias)))
  let mask: Tensor | null = null
  if (options?.mask !== undefined) {
    const m = np.asarray(options.mask)
    if (m.dtype !== "bool") {
      throw new DTypeError({
        operation: "dotProductAttention",
        detail: `mask dtype should be bool, but got ${m.dtype}`
      })
    }
    mask = toGrouped("mask", m)
  }
  const andMask = (m: Tensor) => {
    mask = mask === null ? np.broadcastTo(m, [B, K, G, T, S]) : np.logicalAnd(mask, m)
  }
  const keyPos = lax.iota("int32", [T, S], 1)
  const queryPos = lax.iota("int32", [T, S], 0)
  if (options?.isCausal === true) andMask(np.lessEqual(keyPos, queryPos))
  const window = options?.localWindowSize
  if (window !== undefined) {
    const [left, right] = typeof window === "number" ? [window, window] : window
    if (!Number.isInteger(left) || !Number.isInteger(right)) {
      throw argumentError("dotProductAttention", "localWindowSize", "an integer or a pair of integers", window)
    }
    andMask(
      np.logicalAnd(np.lessEqual(queryPos, np.add(keyPos, left)), np.greaterEqual(queryPos, np.subtract(keyPos, right)))
    )
  }
  const lengths = (name: string, u: TensorLike | undefined): Tensor | null => {
    if (u === undefined) return null
    const l = np.asarray(u)
    if (l.dtype !== "int32") {
      throw new DTypeError({
        operation: "dotProductAttention",
        detail: `${name} dtype should be int32, but got ${l.dtype}`
      })
    }
    if (l.ndim !== 1 || l.shape[0] !== B) fail(`${name} shape should be [${B}]: but got [${l.shape}]`)
    return l
  }
  const qLengths = lengths("querySeqLengths", options?.querySeqLengths)
  const kvLengths = lengths("keyValueSeqLengths", options?.keyValueSeqLengths)
  // [B, 1, 1, T, S] padding masks (JAX's _get_padding_mask_logits)
  if (qLengths !== null) andMask(np.less(lax.iota("int32", [B, 1, 1, T, S], 3), np.reshape(qLengths, [B, 1, 1, 1, 1])))
  if (kvLengths !== null) {
    andMask(np.less(lax.iota("int32", [B, 1, 1, T, S], 4), np.reshape(kvLengths, [B, 1, 1, 1, 1])))
  }
  if (mask !== null) logits = np.where(mask, logits, np.array(-0.7 * 3.4028234663852886e38, { dtype: logitsDType }))
  const logits32 = np.astype(logits, "float32")
  const probs = np.astype(softmax(logits32, { axis: -1 }), k.dtype)
  const encoded = np.einsum("BKGTS,BSKH->BTKGH", probs, v)
  let out = np.reshape(encoded, [B, T, N, H])
  // padded queries output 0 (JAX's _get_padding_mask_encoded)
  if (qLengths !== null) {
    const valid = np.less(lax.iota("int32", [B, T, 1, 1], 1), np.reshape(qLengths, [B, 1, 1, 1]))
    out = np.multiply(out, np.astype(valid, out.dtype))
  }
  const squeezed = q3.ndim === 3 ? np.squeeze(out, { axis: 0 }) : out
  if (!returnResidual) return squeezed
  // JAX's lse residual: [B, K, G, T] -> [B, T, K, G] -> [B, T, N], a constant
  const lse = np.astype(special.logsumexp(logits32, { axis: -1 }), k.dtype)
  const residual = lax.stopGradient(np.reshape(np.transpose(lse, { axes: [0, 3, 1, 2] }), [B, T, N]))
  return [squeezed, q3.ndim === 3 ? np.squeeze(residual, { axis: 0 }) : residual] as const
}) as typeof dotProductAttention
