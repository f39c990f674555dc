/**
 * `image`: JAX's `jax.image`, `resize` and `scaleAndTranslate`: an array
 * resampled along some of its dimensions by a separable kernel (linear, Keys
 * cubic, PyTorch's cubic, Lanczos 3 and 5, area) or by nearest neighbour, with
 * half-pixel centres and, when downsampling, an antialiasing filter (the
 * kernel widened by the inverse scale). Each resampled dimension is one
 * contraction with a weights matrix (JAX's `compute_weight_mat`), so the
 * result differentiates in the image and, for `scaleAndTranslate`, in the
 * scale and translation; it batches and compiles.
 *
 * @example
 * import { image, np, toJsSync } from "diffect"
 * const x = np.array([[0, 1], [2, 3]], { dtype: "float32" })
 * console.log(toJsSync(image.resize(x, [2, 4], "linear"))) // [[0, 0.25, 0.75, 1], [2, 2.25, 2.75, 3]]
 *
 * @since 0.1.0
 */
import * as DType from "./DType.js"
import { ArgumentError, ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { promoteAll, toInexact, toTensor } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as np from "./numpy.js"
import type { Precision } from "./Primitive.js"
import { formatShape } from "./Shape.js"
import { Tensor } from "./Tensor.js"
import { toJsSync } from "./ToJs.js"
import { argumentError, boolean, checkAxis, checkOptions, checkShape } from "./Validate.js"

/**
 * The resize methods (JAX's `ResizeMethod` enum, whose members are these
 * strings here).
 *
 * @since 0.1.0
 */
export const ResizeMethod = {
  NEAREST: "nearest",
  LINEAR: "linear",
  LANCZOS3: "lanczos3",
  LANCZOS5: "lanczos5",
  CUBIC: "cubic",
  CUBIC_PYTORCH: "cubic-pytorch",
  AREA: "area"
} as const

/** One of `ResizeMethod`'s members. @since 0.1.0 */
export type ResizeMethod = (typeof ResizeMethod)[keyof typeof ResizeMethod]

/**
 * A method as `resize` takes it: a `ResizeMethod`, or one of JAX's other
 * names for them (`"bilinear"`, `"trilinear"`, `"triangle"`, `"bicubic"`,
 * `"tricubic"`, `"bicubic-pytorch"`).
 *
 * @since 0.1.0
 */
export type ResizeMethodName =
  | ResizeMethod
  | "bilinear"
  | "trilinear"
  | "triangle"
  | "bicubic"
  | "tricubic"
  | "bicubic-pytorch"

/**
 * Options of `resize` and `scaleAndTranslate` (JAX's keyword arguments).
 *
 * @since 0.1.0
 */
export interface ResizeOptions {
  /**
   * Whether downsampling widens the kernel by the inverse scale, a low-pass
   * filter (default `true`). No effect when upsampling, nor for `"nearest"`
   * and `"area"`.
   */
  readonly antialias?: boolean | undefined
  /** The precision of the contractions (JAX's default: `"highest"`). */
  readonly precision?: Precision | undefined
}

// JAX's ResizeMethod.from_string
const methodNames: Readonly<Record<string, ResizeMethod>> = {
  nearest: "nearest",
  linear: "linear",
  bilinear: "linear",
  trilinear: "linear",
  triangle: "linear",
  lanczos3: "lanczos3",
  lanczos5: "lanczos5",
  cubic: "cubic",
  bicubic: "cubic",
  tricubic: "cubic",
  "cubic-pytorch": "cubic-pytorch",
  "bicubic-pytorch": "cubic-pytorch",
  area: "area"
}

const parseMethod = (op: string, method: unknown): ResizeMethod => {
  if (typeof method === "string" && Object.hasOwn(methodNames, method)) return methodNames[method]!
  throw argumentError(op, "method", `one of ${Object.keys(methodNames).map((m) => `"${m}"`).join(", ")}`, method)
}

const precisions = {
  expected: "\"default\", \"high\" or \"highest\"",
  test: (u: unknown) => u === "default" || u === "high" || u === "highest"
}
const optionSpec = { antialias: boolean, precision: precisions }

// A shape given as JS numbers or as a concrete integer tensor (JAX's canonicalize_shape takes a jnp array).
const parseShape = (op: string, shape: unknown): ReadonlyArray<number> => {
  if (shape instanceof Tensor) {
    if (!DType.isInteger(shape.dtype) || shape.ndim !== 1) {
      throw argumentError(op, "shape", "an array of non-negative integers (or a 1-D integer tensor)", shape)
    }
    return checkShape(op, toJsSync(shape))
  }
  return checkShape(op, shape)
}

const checkRank = (op: string, x: Tensor, shape: ReadonlyArray<number>): void => {
  if (shape.length !== x.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `shape must have length equal to the number of dimensions of x; ${formatShape(shape)} vs ${
        formatShape(x.shape)
      }`
    })
  }
}

// The resampling method with antialiasing folded in: JAX's cubic-pytorch is its cubic when
// antialiasing, and else the OpenCV kernel (a = -0.75) with the edges repeated.
interface Kernel {
  readonly method: Exclude<ResizeMethod, "nearest">
  readonly radius: number
  readonly edgePadding: boolean
}
const kernelOf = (method: Exclude<ResizeMethod, "nearest">, antialias: boolean): Kernel => {
  const m = method === "cubic-pytorch" && antialias ? "cubic" : method
  const radius = { linear: 1, lanczos3: 3, lanczos5: 5, cubic: 2, "cubic-pytorch": 2, area: 1 }[m]
  return { method: m, radius, edgePadding: m === "cubic-pytorch" }
}

// JAX's threshold under which a column of weights (the output pixel sees nothing) is zeroed.
const weightSumEpsilon = 1000 * 2 ** -23

// ---------------------------------------------------------------------------
// The weights of `resize`, on the host in float64: the scales are static there.

const hostKernel = (method: Exclude<ResizeMethod, "nearest" | "area">): (x: number) => number => {
  switch (method) {
    case "linear":
      return (x) => Math.max(0, 1 - Math.abs(x))
    case "cubic":
      // Keys' kernel with a = -0.5 (Pillow's, TensorFlow's)
      return (x) => x >= 2 ? 0 : x >= 1 ? ((-0.5 * x + 2.5) * x - 4) * x + 2 : ((1.5 * x - 2.5) * x) * x + 1
    case "cubic-pytorch":
      // a = -0.75 (OpenCV's, PyTorch's without antialiasing)
      return (x) => x >= 2 ? 0 : x >= 1 ? ((-0.75 * x + 3.75) * x - 6) * x + 3 : ((1.25 * x - 2.25) * x) * x + 1
    case "lanczos3":
    case "lanczos5": {
      const r = method === "lanczos3" ? 3 : 5
      return (x) =>
        x > r ? 0 : x > 1e-3 ? (r * Math.sin(Math.PI * x) * Math.sin(Math.PI * x / r)) / (Math.PI ** 2 * x * x) : 1
    }
  }
}

// The [m, n] weights taking m input pixels to n output pixels at `scale` (JAX's compute_weight_mat, translation 0).
const hostWeights = (m: number, n: number, scale: number, kernel: Kernel, antialias: boolean): Float64Array => {
  const inv = 1 / scale
  const kernelScale = antialias ? Math.max(inv, 1) : 1
  const k = kernel.edgePadding ? kernel.radius : 0
  const w = new Float64Array(m * n)
  const f = kernel.method === "area" ? undefined : hostKernel(kernel.method)
  for (let i = 0; i < n; i++) {
    const sample = (i + 0.5) * inv - 0.5
    // the expanded input index e (edge padding: k pixels beyond each edge, folded onto the edge)
    for (let e = -k; e < m + k; e++) {
      const v = f === undefined
        ? Math.max(0, Math.min((i + 1) * inv, e + 1) - Math.max(i * inv, e))
        : f(Math.abs(sample - e) / kernelScale)
      w[Math.min(Math.max(e, 0), m - 1) * n + i]! += v
    }
    let total = 0
    for (let j = 0; j < m; j++) total += w[j * n + i]!
    const inside = kernel.edgePadding || (sample >= -0.5 && sample <= m - 0.5)
    for (let j = 0; j < m; j++) {
      w[j * n + i] = inside && Math.abs(total) > weightSumEpsilon ? w[j * n + i]! / total : 0
    }
  }
  return w
}

// `x` contracted along `d` with the [m, n] matrix `w`: dimension d of size m becomes one of size n.
const contract = (x: Tensor, d: number, w: Tensor, precision: Precision): Tensor => {
  const y = lax.dotGeneral(x, w, [[d], [0]], [[], []], { precision })
  const perm = Array.from({ length: x.ndim }, (_, i) => (i < d ? i : i === d ? x.ndim - 1 : i - 1))
  return lax.transpose(y, perm)
}

// JAX's _resize_nearest: output pixel i reads floor((i + 0.5) * m / n), computed in float32 as JAX does.
const resizeNearest = (x: Tensor, shape: ReadonlyArray<number>): Tensor => {
  let y = x
  for (let d = 0; d < shape.length; d++) {
    const m = x.shape[d]!
    const n = shape[d]!
    if (m === n) continue
    const offsets = Int32Array.from(
      { length: n },
      (_, i) => Math.floor(Math.fround(Math.fround(Math.fround(i + 0.5) * m) / n))
    )
    y = np.take(y, np.array(offsets, { dtype: "int32" }), { axis: d })
  }
  return y
}

const checkResizable = (op: string, x: Tensor, shape: ReadonlyArray<number>): void => {
  for (let d = 0; d < shape.length; d++) {
    if (x.shape[d] === 0 && shape[d] !== 0) {
      throw new ShapeError({
        operation: op,
        detail: `cannot resize dimension ${d} of size 0 to size ${shape[d]}: there are no pixels to sample`
      })
    }
  }
}

/**
 * `image` resampled to `shape` (JAX's `jax.image.resize`). `shape` names every
 * dimension: a batch or channel dimension is one left at its size, and any
 * dimension whose size changes is resampled. Output pixel `i` of a dimension
 * of `m` input pixels resized to `n` is centred at input coordinate
 * `(i + 0.5) * m / n - 0.5` (half-pixel centres).
 *
 * - `"nearest"`: the input pixel `floor((i + 0.5) * m / n)`; the dtype is
 *   kept, and `antialias`/`precision` are ignored.
 * - `"linear"` (`"bilinear"`, `"trilinear"`, `"triangle"`), `"cubic"`
 *   (`"bicubic"`, `"tricubic"`: Keys' kernel, a = -0.5), `"lanczos3"`,
 *   `"lanczos5"`, `"area"` (a box filter of the output pixel's extent), and
 *   `"cubic-pytorch"` (`"bicubic-pytorch"`: PyTorch's a = -0.75 with the edges
 *   repeated, or Keys' when antialiasing): the weights of each output pixel
 *   are normalized to sum to 1; integer and bool images become float32.
 *
 * With `antialias` (the default), downsampling widens the kernel by the
 * inverse scale. There is no `alignCorners`: `scaleAndTranslate` with
 * `scale = (n - 1) / (m - 1)` and `translation = 0.5 * (1 - scale)` is
 * PyTorch's `align_corners=True`.
 *
 * @example
 * import { image, np, toJsSync } from "diffect"
 * const x = np.array([64, 32, 50, 100], { dtype: "float32" })
 * console.log(toJsSync(image.resize(x, [8], "nearest"))) // [64, 64, 32, 32, 50, 50, 100, 100]
 * console.log(toJsSync(image.resize(x, [2], "linear"))) // [48.28571319580078, 68.85714721679688]
 * console.log(toJsSync(image.resize(x, [2], "linear", { antialias: false }))) // [48, 75]
 * console.log(toJsSync(image.resize(x, [3], "linear", { antialias: false }))) // [58.666664123535156, 41, 91.66666412353516]
 * console.log(toJsSync(image.resize(x, [3], "area"))) // [56, 41, 87.5]
 *
 * @since 0.1.0
 */
export const resize = (
  image: TensorLike,
  shape: ReadonlyArray<number> | Tensor,
  method: ResizeMethodName,
  options?: ResizeOptions
): Tensor => {
  const op = "resize"
  checkOptions(op, options, optionSpec)
  const x = toTensor(image)
  const out = parseShape(op, shape)
  checkRank(op, x, out)
  const m = parseMethod(op, method)
  checkResizable(op, x, out)
  if (m === "nearest") return resizeNearest(x, out)
  const antialias = options?.antialias ?? true
  const precision = options?.precision ?? "highest"
  const kernel = kernelOf(m, antialias)
  let y = toInexact(x)
  // as JAX: a dimension of unchanged size is left alone, since every kernel interpolates
  for (let d = 0; d < out.length; d++) {
    const [mIn, nOut] = [x.shape[d]!, out[d]!]
    if (mIn === nOut) continue
    const scale = nOut === 0 ? 1 : nOut / mIn
    // made in the image's real dtype on the host: no float64 constant reaches a device without float64
    const real = y.dtype === "complex64" ? "float32" : y.dtype === "complex128" ? "float64" : y.dtype
    const w = lax.reshape(np.array(hostWeights(mIn, nOut, scale, kernel, antialias), { dtype: real }), [mIn, nOut])
    y = contract(y, d, w.dtype === y.dtype ? w : np.astype(w, y.dtype), precision)
  }
  return y
}

// ---------------------------------------------------------------------------
// The weights of `scaleAndTranslate`, as tensor arithmetic: the scale and the
// translation may be traced, and differentiate.

const tensorKernel = (method: Exclude<ResizeMethod, "nearest" | "area">, x: Tensor): Tensor => {
  const zero = np.zerosLike(x)
  switch (method) {
    case "linear":
      return np.maximum(0, np.subtract(1, np.abs(x)))
    case "cubic":
    case "cubic-pytorch": {
      const a = method === "cubic" ? -0.5 : -0.75
      const near = np.add(np.multiply(np.multiply(np.subtract(np.multiply(a + 2, x), a + 3), x), x), 1)
      const far = np.subtract(
        np.multiply(np.add(np.multiply(np.subtract(np.multiply(a, x), 5 * a), x), 8 * a), x),
        4 * a
      )
      return np.where(np.greaterEqual(x, 2), zero, np.where(np.greaterEqual(x, 1), far, near))
    }
    case "lanczos3":
    case "lanczos5": {
      const r = method === "lanczos3" ? 3 : 5
      const y = np.multiply(np.multiply(r, np.sin(np.multiply(Math.PI, x))), np.sin(np.multiply(Math.PI / r, x)))
      // x^2 replaced by 1 at 0, so that neither branch of the where divides by zero (and its gradient stays finite)
      const denom = np.where(np.notEqual(x, 0), np.multiply(Math.PI ** 2, np.multiply(x, x)), np.onesLike(x))
      const out = np.where(np.greater(x, 1e-3), np.divide(y, denom), np.onesLike(x))
      return np.where(np.greater(x, r), zero, out)
    }
  }
}

// JAX's compute_weight_mat with traced scalars `scale` and `translation` (one dtype): [m, n].
const tensorWeights = (
  m: number,
  n: number,
  scale: Tensor,
  translation: Tensor,
  kernel: Kernel,
  antialias: boolean
): Tensor => {
  const dtype = scale.dtype
  const inv = np.divide(1, scale)
  const kernelScale = antialias ? np.maximum(inv, 1) : 1
  const outIdx = np.arange(n, { dtype })
  const sample = np.subtract(np.subtract(np.multiply(np.add(outIdx, 0.5), inv), np.multiply(translation, inv)), 0.5)
  const k = kernel.edgePadding ? kernel.radius : 0
  const col = (t: Tensor) => lax.reshape(t, [t.size, 1])
  const row = (t: Tensor) => lax.reshape(t, [1, t.size])
  let w: Tensor
  if (kernel.method === "area") {
    // the overlap of output pixel i's extent [L_i, R_i] projected back with input pixel j's [j, j + 1]
    const left = np.subtract(np.multiply(outIdx, inv), np.multiply(translation, inv))
    const right = np.add(left, inv)
    const inLeft = np.arange(m, { dtype })
    w = np.maximum(
      0,
      np.subtract(np.minimum(row(right), col(np.add(inLeft, 1))), np.maximum(row(left), col(inLeft)))
    )
  } else {
    const expanded = np.arange(-k, m + k, { dtype })
    w = tensorKernel(kernel.method, np.divide(np.abs(np.subtract(row(sample), col(expanded))), kernelScale))
  }
  if (kernel.edgePadding) {
    // the k rows beyond each edge fold onto the edge pixel (JAX's scatter-add onto the clamped indices)
    const fold = new Float64Array(m * (m + 2 * k))
    for (let e = 0; e < m + 2 * k; e++) fold[Math.min(Math.max(e - k, 0), m - 1) * (m + 2 * k) + e] = 1
    const p = lax.reshape(np.array(fold, { dtype }), [m, m + 2 * k])
    w = lax.dotGeneral(p, w, [[1], [0]], [[], []], { precision: "highest" })
  }
  const total = np.sum(w, { axis: 0, keepdims: true })
  const safe = np.where(np.notEqual(total, 0), total, np.onesLike(total))
  w = np.where(np.greater(np.abs(total), weightSumEpsilon), np.divide(w, safe), np.zerosLike(w))
  if (kernel.edgePadding) return w
  // an output pixel whose centre maps outside the input is zero
  const inside = np.logicalAnd(np.greaterEqual(sample, -0.5), np.lessEqual(sample, m - 0.5))
  return np.where(row(inside), w, np.zerosLike(w))
}

// The K entries of a [K] scale or translation, as scalars.
const entries = (t: Tensor): Array<Tensor> =>
  Array.from({ length: t.size }, (_, i) => lax.reshape(lax.slice(t, [i], [i + 1]), []))

/**
 * `image` resampled to `shape` along `spatialDims` by a scale and a
 * translation per dimension (JAX's `jax.image.scale_and_translate`): input
 * coordinate `x` of dimension `spatialDims[k]` goes to
 * `x * scale[k] + translation[k]` in the output, pixels having half-integer
 * centres, and an output pixel whose centre maps outside the input is 0 (the
 * edges are repeated instead for `"cubic-pytorch"` without antialiasing).
 * `scale` and `translation` may be traced, and the result differentiates in
 * them and in the image. The methods are `resize`'s except `"nearest"`.
 * Dimensions not in `spatialDims` must keep their size in `shape` (JAX would
 * return the input's size there, not `shape`'s).
 *
 * @example
 * import { image, np, toJsSync } from "diffect"
 * const x = np.array([64, 32, 50, 100], { dtype: "float32" })
 * // shift right by one pixel: the first output pixel maps outside the input
 * console.log(toJsSync(image.scaleAndTranslate(x, [4], [0], [1], [1], "linear"))) // [0, 64, 32, 50]
 * // PyTorch's align_corners=True for 4 -> 7 pixels
 * const s = 6 / 3
 * console.log(toJsSync(image.scaleAndTranslate(x, [7], [0], [s], [0.5 * (1 - s)], "linear"))) // [64, 48, 32, 41, 50, 75, 100]
 *
 * @since 0.1.0
 */
export const scaleAndTranslate = (
  image: TensorLike,
  shape: ReadonlyArray<number> | Tensor,
  spatialDims: ReadonlyArray<number>,
  scale: TensorLike,
  translation: TensorLike,
  method: ResizeMethodName,
  options?: ResizeOptions
): Tensor => {
  const op = "scaleAndTranslate"
  checkOptions(op, options, optionSpec)
  const x = toInexact(toTensor(image))
  const out = parseShape(op, shape)
  checkRank(op, x, out)
  const m = parseMethod(op, method)
  if (m === "nearest") {
    throw new ArgumentError({
      operation: op,
      argument: "method",
      expected: "a method other than \"nearest\" (nearest-neighbour resampling is not supported by " +
        "scaleAndTranslate, as in JAX; use resize)",
      got: "the string \"nearest\""
    })
  }
  if (!Array.isArray(spatialDims)) throw argumentError(op, "spatialDims", "an array of dimensions", spatialDims)
  const dims = spatialDims.map((d) => checkAxis(op, d, x.ndim, "spatialDims"))
  if (new Set(dims).size !== dims.length) {
    throw new ShapeError({ operation: op, detail: `spatialDims must not repeat a dimension, got [${spatialDims}]` })
  }
  let [s, t] = [toInexact(toTensor(scale)), toInexact(toTensor(translation))]
  for (const [name, v] of [["scale", s], ["translation", t]] as const) {
    if (v.ndim !== 1 || v.size !== dims.length) {
      throw new ShapeError({
        operation: op,
        detail: `${name} must have one entry per spatial dimension: ${dims.length} spatial dimensions, ` +
          `${name} of shape ${formatShape(v.shape)}`
      })
    }
    if (DType.isComplex(v.dtype)) {
      throw argumentError(op, name, "a real array", v)
    }
  }
  for (let d = 0; d < out.length; d++) {
    if (!dims.includes(d) && out[d] !== x.shape[d]) {
      throw new ShapeError({
        operation: op,
        detail: `dimension ${d} is not in spatialDims, so its size cannot change: shape ${formatShape(out)} ` +
          `vs image ${formatShape(x.shape)}`
      })
    }
  } // JAX's promote_dtypes_inexact(scale, translation)

  ;[s, t] = promoteAll(op, [s, t]) as [Tensor, Tensor]
  const antialias = options?.antialias ?? true
  const precision = options?.precision ?? "highest"
  const kernel = kernelOf(m, antialias)
  const [ss, ts] = [entries(s), entries(t)]
  let y = x
  dims.forEach((d, i) => {
    const w = tensorWeights(x.shape[d]!, out[d]!, ss[i]!, ts[i]!, kernel, antialias)
    y = contract(y, d, w.dtype === y.dtype ? w : np.astype(w, y.dtype), precision)
  })
  return y
}
