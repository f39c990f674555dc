/**
 * `losses`: optax's loss functions (`optax.losses`), elementwise or reduced over
 * the class axis as optax defines them; average them yourself (`np.mean`).
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * const logits = np.array([[1.2, -0.8, -0.5], [0.9, -1.2, 1.1]])
 * console.log(toJsSync(losses.softmaxCrossEntropyWithIntegerLabels(logits, np.array([0, 1], { dtype: "int32" })))) // [0.2761, 2.9518]
 *
 * @since 0.1.0
 */
import { DType, DTypeError, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { checkKeys } from "@diffect/core/Validate"
import type { Axis } from "./internal/reduce.js"
import { axesOf, maskFor } from "./internal/reduce.js"
import { logSigmoid, logSoftmax, logsumexp } from "./nn.js"

type TensorLike = np.TensorLike

const floating = (operation: string, name: string, x: TensorLike): Tensor => {
  const t = np.asarray(x)
  if (!DType.isFloating(t.dtype)) {
    throw new DTypeError({ operation, detail: `${name} must be a floating-point array, got dtype ${t.dtype}` })
  }
  return t
}

/** `where` with the class axis dropped (`[batch]`) gets it back, as optax expands it. */
const whereFor = (operation: string, where: TensorLike | undefined, logits: Tensor, axis: Axis): Tensor | undefined => {
  if (where === undefined) return undefined
  let w = np.asarray(where)
  if (w.ndim !== logits.ndim) w = np.expandDims(w, axesOf(operation, axis, logits.ndim))
  return maskFor(operation, w, logits)
}

/** Options of the softmax cross entropies. @since 0.1.0 */
export interface CrossEntropyOptions {
  /** The class axis or axes (default -1). */
  readonly axis?: Axis | undefined
  /** Classes to include; `[batch]`-shaped masks are expanded along the class axis. */
  readonly where?: TensorLike | undefined
}

/**
 * `-sum(labels * logSoftmax(logits))` over the class axis (optax's
 * `softmax_cross_entropy`); `labels` are probabilities (e.g. one-hot).
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * const logits = np.array([[1.2, -0.8, -0.5], [0.9, -1.2, 1.1]])
 * console.log(toJsSync(losses.softmaxCrossEntropy(logits, np.array([[1, 0, 0], [0, 1, 0]])))) // [0.2761, 2.9518]
 *
 * @since 0.1.0
 */
export const softmaxCrossEntropy = (logits: TensorLike, labels: TensorLike, options?: CrossEntropyOptions): Tensor => {
  checkKeys("softmaxCrossEntropy", options, ["axis", "where"])
  const x = floating("softmaxCrossEntropy", "logits", logits)
  const axis = options?.axis === undefined ? -1 : options.axis
  // checked here, so that a bad axis is this function's error, not logSoftmax's
  const axes = axesOf("softmaxCrossEntropy", axis, x.ndim)
  const where = whereFor("softmaxCrossEntropy", options?.where, x, axis)
  const logProbs = logSoftmax(x, { axis, where })
  const terms = np.multiply(labels, logProbs)
  return np.negative(
    np.sum(where === undefined ? terms : np.where(where, terms, 0), { axis: axes })
  )
}

/**
 * `logsumexp(logits) - logits[label]` over the class axis (optax's
 * `softmax_cross_entropy_with_integer_labels`); `labels` are integer class indices
 * with the logits' shape minus the class axes. Rows whose `where` is all false
 * give 0. As in optax, a negative label counts from the last class, and a label
 * outside `[-classes, classes)` gives NaN.
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * const logits = np.array([[1.2, -0.8, -0.5], [0.9, -1.2, 1.1]])
 * console.log(toJsSync(losses.softmaxCrossEntropyWithIntegerLabels(logits, np.array([0, 1], { dtype: "int32" })))) // [0.2761, 2.9518]
 *
 * @since 0.1.0
 */
export const softmaxCrossEntropyWithIntegerLabels = (
  logits: TensorLike,
  labels: TensorLike,
  options?: CrossEntropyOptions
): Tensor => {
  checkKeys("softmaxCrossEntropyWithIntegerLabels", options, ["axis", "where"])
  let x = floating("softmaxCrossEntropyWithIntegerLabels", "logits", logits)
  const y = np.asarray(labels)
  if (!DType.isInteger(y.dtype)) {
    throw new DTypeError({
      operation: "softmaxCrossEntropyWithIntegerLabels",
      detail: `labels must be an integer array, got dtype ${y.dtype}`
    })
  }
  const axes = axesOf("softmaxCrossEntropyWithIntegerLabels", options?.axis === undefined ? -1 : options.axis, x.ndim)
  let where = whereFor("softmaxCrossEntropyWithIntegerLabels", options?.where, x, axes)
  // Several class axes: move them last and flatten them into one, as optax does.
  const batchAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i))
  const flatten = (t: Tensor): Tensor => {
    const moved = np.transpose(t, { axes: [...batchAxes, ...axes] })
    return np.reshape(moved, [...batchAxes.map((a) => t.shape[a]!), -1])
  }
  x = flatten(x)
  if (where !== undefined) where = flatten(where)
  if (y.shape.join() !== x.shape.slice(0, -1).join()) {
    throw new ShapeError({
      operation: "softmaxCrossEntropyWithIntegerLabels",
      detail: `labels shape [${y.shape}] must be the logits' batch shape [${x.shape.slice(0, -1)}]`
    })
  }
  const classes = x.shape[x.ndim - 1]!
  // optax takes the label's logit with take_along_axis: a negative label counts from the end (-1
  // is the last class), and one out of [-classes, classes) reads NaN (JAX's "fill" mode)
  const wrapped = DType.isUnsigned(y.dtype) ? y : np.where(np.less(y, 0), np.add(y, classes), y)
  const inRange = np.logicalAnd(np.greaterEqual(wrapped, 0), np.less(wrapped, classes))
  const hit = np.equal(
    lax.expandDims(wrapped, [y.ndim]),
    lax.iota(y.dtype, [...y.shape.map(() => 1), classes], y.ndim)
  )
  const labelLogits = np.where(inRange, np.sum(np.where(hit, x, 0), { axis: -1 }), NaN)
  const normalizers = logsumexp(x, { axis: -1, where })
  const out = np.subtract(normalizers, labelLogits)
  return where === undefined ? out : np.where(np.any(where, { axis: -1 }), out, 0)
}

/**
 * Elementwise `-labels log sigmoid(logits) - (1 - labels) log sigmoid(-logits)`
 * (optax's `sigmoid_binary_cross_entropy`).
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * console.log(toJsSync(losses.sigmoidBinaryCrossEntropy(np.array([0]), np.array([1])))) // [0.6931472]
 *
 * @since 0.1.0
 */
export const sigmoidBinaryCrossEntropy = (logits: TensorLike, labels: TensorLike): Tensor => {
  const x = floating("sigmoidBinaryCrossEntropy", "logits", logits)
  const y = np.astype(labels, x.dtype)
  return np.subtract(
    np.negative(np.multiply(y, logSigmoid(x))),
    np.multiply(np.subtract(1, y), logSigmoid(np.negative(x)))
  )
}

const errorsOf = (operation: string, predictions: TensorLike, targets: TensorLike | undefined): Tensor => {
  const p = floating(operation, "predictions", predictions)
  if (targets === undefined) return p
  const t = np.asarray(targets)
  if (t.shape.join() !== p.shape.join()) {
    throw new ShapeError({ operation, detail: `predictions shape [${p.shape}] and targets shape [${t.shape}] differ` })
  }
  return np.subtract(p, t)
}

/**
 * Elementwise `(predictions - targets)^2` (optax's `squared_error`).
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * console.log(toJsSync(losses.squaredError(np.array([1, 2]), np.array([0, 0])))) // [1, 4]
 *
 * @since 0.1.0
 */
export const squaredError = (predictions: TensorLike, targets?: TensorLike): Tensor =>
  np.square(errorsOf("squaredError", predictions, targets))

/**
 * Elementwise `0.5 (predictions - targets)^2` (optax's `l2_loss`).
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * console.log(toJsSync(losses.l2Loss(np.array([1, 2]), np.array([0, 0])))) // [0.5, 2]
 *
 * @since 0.1.0
 */
export const l2Loss = (predictions: TensorLike, targets?: TensorLike): Tensor =>
  np.multiply(0.5, np.square(errorsOf("l2Loss", predictions, targets)))

/**
 * Elementwise Huber loss: quadratic `0.5 e^2` for `|e| <= delta`, linear
 * `delta (|e| - delta) + 0.5 delta^2` beyond (optax's `huber_loss`, default
 * `delta` 1). Unlike `squaredError`, `targets` may broadcast against
 * `predictions`, as in optax.
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * console.log(toJsSync(losses.huberLoss(np.array([0.5, 3]), np.array([0, 0])))) // [0.125, 2.5]
 *
 * @since 0.1.0
 */
export const huberLoss = (
  predictions: TensorLike,
  targets?: TensorLike,
  options?: { readonly delta?: number | undefined }
): Tensor => {
  checkKeys("huberLoss", options, ["delta"])
  // optax's huber_loss checks only the dtype: targets broadcast against predictions
  const p = floating("huberLoss", "predictions", predictions)
  const e = np.abs(targets === undefined ? p : np.subtract(p, targets))
  const delta = options?.delta ?? 1
  const quadratic = np.minimum(e, delta)
  return np.add(np.multiply(0.5, np.square(quadratic)), np.multiply(delta, np.subtract(e, quadratic)))
}

/** Options of {@link cosineSimilarity}. @since 0.1.0 */
export interface CosineSimilarityOptions {
  /** Lower bound of the squared norms (default 0). */
  readonly epsilon?: number | undefined
  /** Default -1. */
  readonly axis?: Axis | undefined
  readonly where?: TensorLike | undefined
}

/**
 * Cosine of the angle between `predictions` and `targets` along `axis` (optax's
 * `cosine_similarity`): `sum(a b) / (|a| |b|)`, norms clipped below by
 * `sqrt(epsilon)`.
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * console.log(toJsSync(losses.cosineSimilarity(np.array([1, 0]), np.array([1, 1])))) // 0.7071068
 * // a target of lower rank broadcasts against each row (optax's broadcasting)
 * console.log(toJsSync(losses.cosineSimilarity(np.array([[1, 2, 3], [1, 1, 1]]), np.array([2, 0, 1])))) // [0.5976143, 0.7745967]
 *
 * @since 0.1.0
 */
export const cosineSimilarity = (
  predictions: TensorLike,
  targets: TensorLike,
  options?: CosineSimilarityOptions
): Tensor => {
  checkKeys("cosineSimilarity", options, ["axis", "epsilon", "where"])
  const a = floating("cosineSimilarity", "predictions", predictions)
  const b = floating("cosineSimilarity", "targets", targets)
  const axis = options?.axis === undefined ? -1 : options.axis
  const where = options?.where === undefined ? null : np.asarray(options.where)
  const masked = (t: Tensor): Tensor => (where === null ? t : np.where(where, t, 0))
  const eps = options?.epsilon ?? 0
  // Each operand's norm over `axis` of its own rank, as optax reduces them, so a `[dim]` target
  // broadcasts against `[batch, dim]` predictions; the product sums over the broadcast rank.
  const unit = (t: Tensor): Tensor => {
    const norm2 = np.sum(masked(np.square(t)), { axis: axesOf("cosineSimilarity", axis, t.ndim), keepdims: true })
    return np.divide(t, np.sqrt(np.clip(norm2, { min: eps })))
  }
  const product = masked(np.multiply(unit(a), unit(b)))
  return np.sum(product, { axis: axesOf("cosineSimilarity", axis, product.ndim) })
}

/**
 * `1 - cosineSimilarity` (optax's `cosine_distance`).
 *
 * @example
 * import { losses, np, toJsSync } from "diffect"
 * console.log(toJsSync(losses.cosineDistance(np.array([1, 0]), np.array([0, 1])))) // 1
 *
 * @since 0.1.0
 */
export const cosineDistance = (
  predictions: TensorLike,
  targets: TensorLike,
  options?: CosineSimilarityOptions
): Tensor => np.subtract(1, cosineSimilarity(predictions, targets, options))
