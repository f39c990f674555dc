/**
 * Pooling as Flax defines it (`flax.linen.pooling`: `pool`, `avg_pool`,
 * `max_pool`, `min_pool`; JAX itself has no pooling layer): a window over the
 * spatial dimensions of inputs laid out `(batch..., spatial..., features)` (or
 * `(spatial..., features)` without a batch), reduced by `lax.reduceWindow`.
 * Max and min pooling are the `reduce_window_max`/`_min` primitives, so their
 * gradient is JAX's `select_and_scatter_add` (each window's cotangent to its
 * first maximum).
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const x = np.array([[[1], [5], [2], [0]]]) // (batch 1, width 4, features 1)
 * console.log(toJsSync(np.ravel(nn.pooling.maxPool(x, [2], { strides: [2] })))) // [5, 2]
 * console.log(toJsSync(np.ravel(nn.pooling.avgPool(x, [2], { strides: [2] })))) // [3, 1]
 *
 * @since 0.1.0
 */
import { DType, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { MaybeEffect } from "@diffect/core/Staging"
import { anyValue, argumentError, boolean, checkOptions, describeValue } from "@diffect/core/Validate"
import { checkElements } from "./internal/validate.js"

/** Padding of a pooling window: `"SAME"`, `"VALID"`, or `[low, high]` per spatial dimension. @since 0.1.0 */
export type PoolPadding = "SAME" | "VALID" | ReadonlyArray<readonly [number, number]>

/** Options of the pooling functions. @since 0.1.0 */
export interface PoolOptions {
  /** The window's stride per spatial dimension (default 1). */
  readonly strides?: ReadonlyArray<number> | undefined
  /** Default `"VALID"`. */
  readonly padding?: PoolPadding | undefined
}

// strides and padding are checked by `pool`, against the window
const poolSpec = { strides: anyValue, padding: anyValue }

const positive = (d: unknown): boolean => Number.isInteger(d) && (d as number) > 0
const isPair = (p: unknown): boolean =>
  Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && Number.isInteger(p[1])
const describePair = (p: unknown): string =>
  Array.isArray(p) && p.length === 2 ? `[${describeValue(p[0])}, ${describeValue(p[1])}]` : describeValue(p)

/**
 * Flax's `pool`: `lax.reduceWindow` over the spatial dimensions (all but the
 * leading batch dimensions and the trailing feature dimension).
 *
 * @example
 * import { lax, nn, np, toJsSync } from "diffect"
 * const x = np.array([[1], [2], [3]]) // (width 3, features 1): no batch dimension
 * console.log(toJsSync(np.ravel(nn.pooling.pool(x, 0, lax.add, [2])))) // [3, 5]
 *
 * @since 0.1.0
 */
export const pool = (
  inputs: Tensor,
  init: number,
  reduceFn: (a: Tensor, b: Tensor) => MaybeEffect<Tensor>,
  windowShape: ReadonlyArray<number>,
  options?: PoolOptions
): Tensor => {
  checkOptions("pool", options, poolSpec)
  return poolOf(inputs, init, reduceFn, windowShape, options)
}

// `pool` with its options' keys already checked (avgPool's have countIncludePad too). The
// arrays are described by their first bad element: `String` hid nesting (`[2, [[[1]]]]` read
// `2,1`) and overflowed the stack on a deep one.
const poolOf = (
  inputs: Tensor,
  init: number,
  reduceFn: (a: Tensor, b: Tensor) => MaybeEffect<Tensor>,
  windowShape: ReadonlyArray<number>,
  options: PoolOptions | undefined
): Tensor => {
  const op = "pool"
  const x = np.asarray(inputs)
  checkElements(op, "windowShape", windowShape, "an array of positive integers", positive)
  const ns = windowShape.length
  const batchDims = x.ndim - (ns + 1)
  if (batchDims < 0) {
    throw new ShapeError({
      operation: op,
      detail:
        `inputs of shape [${x.shape}] need ${ns} spatial dimensions and a feature dimension for a window of [${windowShape}]`
    })
  }
  const stridesExpected = `an array of ${ns} positive integers (one per spatial dimension)`
  const strides = options?.strides === undefined
    ? windowShape.map(() => 1)
    : checkElements<number>(op, "strides", options.strides, stridesExpected, positive)
  if (strides.length !== ns) throw argumentError(op, "strides", stridesExpected, strides)
  const padding = options?.padding ?? "VALID"
  const lead = Array.from({ length: batchDims }, () => 1)
  // a string is lax.reduceWindow's to check ("SAME", "VALID", ...)
  if (typeof padding !== "string") {
    const expected = `"SAME", "VALID" or ${ns} (low, high) integer pairs`
    checkElements(op, "padding", padding, expected, isPair, describePair)
    if (padding.length !== ns) throw argumentError(op, "padding", expected, padding)
  }
  const pads = typeof padding === "string"
    ? padding
    : [...lead.map(() => [0, 0] as const), ...padding, [0, 0] as const]
  return lax.reduceWindow(x, init, reduceFn, [...lead, ...windowShape, 1], [...lead, ...strides, 1], pads)
}

const lowest = (dtype: string) => (dtype === "int32" ? -2147483648 : dtype === "uint32" ? 0 : -Infinity)
const highest = (dtype: string) => (dtype === "int32" ? 2147483647 : dtype === "uint32" ? 4294967295 : Infinity)

/**
 * Flax's `max_pool`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const x = np.arange(16).reshape([1, 4, 4, 1]).astype("float32")
 * console.log(toJsSync(np.ravel(nn.pooling.maxPool(x, [2, 2], { strides: [2, 2] })))) // [5, 7, 13, 15]
 *
 * @since 0.1.0
 */
export const maxPool = (inputs: Tensor, windowShape: ReadonlyArray<number>, options?: PoolOptions): Tensor => {
  checkOptions("max_pool", options, poolSpec)
  const x = np.asarray(inputs)
  return poolOf(x, lowest(x.dtype), lax.max, windowShape, options)
}

/**
 * Flax's `min_pool`.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const x = np.array([[[4], [2], [3], [1]]])
 * console.log(toJsSync(np.ravel(nn.pooling.minPool(x, [2])))) // [2, 2, 1]
 *
 * @since 0.1.0
 */
export const minPool = (inputs: Tensor, windowShape: ReadonlyArray<number>, options?: PoolOptions): Tensor => {
  checkOptions("min_pool", options, poolSpec)
  const x = np.asarray(inputs)
  return poolOf(x, highest(x.dtype), lax.min, windowShape, options)
}

/**
 * Flax's `avg_pool`: window sums divided by the window size, or (with
 * `countIncludePad: false`) by the number of real (non-padding) elements.
 *
 * @example
 * import { nn, np, toJsSync } from "diffect"
 * const x = np.array([[[1], [2], [3]]])
 * const same = { padding: "SAME" as const }
 * console.log(toJsSync(np.ravel(nn.pooling.avgPool(x, [2], same)))) // [1.5, 2.5, 1.5]
 * console.log(toJsSync(np.ravel(nn.pooling.avgPool(x, [2], { ...same, countIncludePad: false })))) // [1.5, 2.5, 3]
 *
 * @since 0.1.0
 */
export const avgPool = (
  inputs: Tensor,
  windowShape: ReadonlyArray<number>,
  options?: PoolOptions & { readonly countIncludePad?: boolean | undefined }
): Tensor => {
  checkOptions("avg_pool", options, { ...poolSpec, countIncludePad: boolean })
  const x = np.asarray(inputs)
  const xf = DType.isInexact(x.dtype) ? x : np.astype(x, "float32")
  const y = poolOf(xf, 0, lax.add, windowShape, options)
  if (options?.countIncludePad !== false) return np.divide(y, windowShape.reduce((a, b) => a * b, 1))
  const divShape = [...x.shape.slice(0, -1), 1]
  const ones = np.ones(divShape, { dtype: xf.dtype })
  return np.divide(y, poolOf(ones, 0, lax.add, windowShape, options))
}
