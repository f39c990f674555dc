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
import { ArgumentError, DType, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { MaybeEffect } from "@diffect/core/Staging"

/** Padding of a pooling window: `"SAME"`, `"VALID"`, or `[low, high]` per spatial dimension. @since 0.1.0 */
export type PoolPadding = "SAME" | "VALID" | ReadonlyArray<readonly [number, number]>

/** Options of the pooling functions. @since 0.1.0 */
export interface PoolOptions {
  /** The window's stride per spatial dimension (default 1). */
  readonly strides?: ReadonlyArray<number> | undefined
  /** Default `"VALID"`. */
  readonly padding?: PoolPadding | undefined
}

const checkOptions = (op: string, options: unknown, extra: ReadonlyArray<string> = []): void => {
  if (options === undefined) return
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ArgumentError({ operation: op, argument: "options", expected: "an options object", got: String(options) })
  }
  for (const key of Object.keys(options)) {
    if (!["strides", "padding", ...extra].includes(key)) {
      throw new ArgumentError({
        operation: op,
        argument: "options",
        expected: `keys among strides, padding${extra.length > 0 ? ", " + extra.join(", ") : ""}`,
        got: `the unknown key ${JSON.stringify(key)}`
      })
    }
  }
}

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
  const op = "pool"
  const x = np.asarray(inputs)
  if (!Array.isArray(windowShape) || !windowShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ArgumentError({
      operation: op,
      argument: "windowShape",
      expected: "an array of positive integers",
      got: String(windowShape)
    })
  }
  const ns = windowShape.length
  const batchDims = x.ndim - (ns + 1)
  if (batchDims < 0) {
    throw new ShapeError({
      operation: op,
      detail:
        `inputs of shape [${x.shape}] need ${ns} spatial dimensions and a feature dimension for a window of [${windowShape}]`
    })
  }
  const strides = options?.strides ?? windowShape.map(() => 1)
  if (!Array.isArray(strides) || strides.length !== ns) {
    throw new ArgumentError({
      operation: op,
      argument: "strides",
      expected: `${ns} positive integers`,
      got: String(strides)
    })
  }
  const padding = options?.padding ?? "VALID"
  const lead = Array.from({ length: batchDims }, () => 1)
  const pads = typeof padding === "string"
    ? padding
    : [...lead.map(() => [0, 0] as const), ...padding, [0, 0] as const]
  if (typeof pads !== "string" && pads.length !== x.ndim) {
    throw new ArgumentError({
      operation: op,
      argument: "padding",
      expected: `"SAME", "VALID" or ${ns} (low, high) pairs`,
      got: String(padding)
    })
  }
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
  checkOptions("max_pool", options)
  const x = np.asarray(inputs)
  return pool(x, lowest(x.dtype), lax.max, windowShape, options)
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
  checkOptions("min_pool", options)
  const x = np.asarray(inputs)
  return pool(x, highest(x.dtype), lax.min, windowShape, options)
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
  checkOptions("avg_pool", options, ["countIncludePad"])
  const x = np.asarray(inputs)
  const xf = DType.isInexact(x.dtype) ? x : np.astype(x, "float32")
  const y = pool(xf, 0, lax.add, windowShape, options)
  if (options?.countIncludePad !== false) return np.divide(y, windowShape.reduce((a, b) => a * b, 1))
  const divShape = [...x.shape.slice(0, -1), 1]
  const ones = np.ones(divShape, { dtype: xf.dtype })
  return np.divide(y, pool(ones, 0, lax.add, windowShape, options))
}
