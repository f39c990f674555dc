/**
 * `ops`: JAX's `jax.ops`, the segment reductions (`segmentSum`, `segmentProd`,
 * `segmentMax`, `segmentMin`): rows of `data` reduced by the segment each
 * belongs to, as scatters into an array of the reduction's identity.
 *
 * @since 0.1.0
 */
import * as DType from "./DType.js"
import { ArgumentError, ConcretizationError, ShapeError } from "./Errors.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { indexTensor } from "./internal/indexing.js"
import { toTensor } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as np from "./numpy.js"
import type { Tensor } from "./Tensor.js"
import { toJsSync } from "./ToJs.js"
import { boolean, checkOptions } from "./Validate.js"

/**
 * Options of the segment reductions (JAX's keyword arguments).
 *
 * @since 0.1.0
 */
export interface SegmentOptions {
  /**
   * How many segments (the output's first dimension). Default: the largest
   * id + 1, which needs concrete ids (under `jit`, give it).
   */
  readonly numSegments?: number | undefined
  /** A hint that the ids are sorted (the values do not depend on it). */
  readonly indicesAreSorted?: boolean | undefined
  /** A hint that no id repeats (the values do not depend on it). */
  readonly uniqueIndices?: boolean | undefined
  /**
   * Reduce each run of `bucketSize` rows into its own output first, then
   * reduce the buckets (JAX's option, for the accuracy of long sums and
   * products).
   */
  readonly bucketSize?: number | undefined
  /**
   * Ids outside `[0, numSegments)`: `"drop"` (JAX's default, negative ones
   * too: they are not wrapped) or `"clip"` to the nearest segment.
   */
  readonly mode?: "drop" | "clip" | "fill" | "promise_in_bounds" | undefined
}

type Kind = "add" | "multiply" | "max" | "min"

// the identity of each reduction in `dtype` (JAX's _get_identity)
const identity = (kind: Kind, dtype: DType.DType): number => {
  if (kind === "add") return 0
  if (kind === "multiply") return 1
  const max = kind === "max"
  // bool: false for max, true for min
  if (dtype === "bool") return max ? 0 : 1
  if (dtype === "int32") return max ? -(2 ** 31) : 2 ** 31 - 1
  if (dtype === "uint32") return max ? 0 : 2 ** 32 - 1
  return max ? -Infinity : Infinity
}

const nonNegativeInteger = {
  expected: "a non-negative integer",
  test: (u: unknown) => typeof u === "number" && Number.isInteger(u) && u >= 0
}
const positiveInteger = {
  expected: "a positive integer",
  test: (u: unknown) => typeof u === "number" && Number.isInteger(u) && u >= 1
}
const modes = {
  expected: "\"drop\", \"clip\", \"fill\" or \"promise_in_bounds\"",
  test: (u: unknown) => u === "drop" || u === "clip" || u === "fill" || u === "promise_in_bounds"
}

const segmentReduce = (op: string, kind: Kind) =>
(
  data: TensorLike,
  segmentIds: TensorLike,
  options?: SegmentOptions
): Tensor => {
  checkOptions(op, options, {
    numSegments: nonNegativeInteger,
    indicesAreSorted: boolean,
    uniqueIndices: boolean,
    bucketSize: positiveInteger,
    mode: modes
  })
  const x = toTensor(data)
  // JS integers or an int32 tensor
  const ids = indexTensor(op, segmentIds)
  if (x.ndim === 0 || ids.ndim !== 1 || ids.shape[0] !== x.shape[0]) {
    throw new ShapeError({
      operation: op,
      detail: `segmentIds must have one id per row of data: data has shape [${x.shape.join(", ")}], ` +
        `segmentIds [${ids.shape.join(", ")}]`
    })
  }
  let numSegments = options?.numSegments
  if (numSegments === undefined) {
    try {
      numSegments = ids.size === 0 ? 0 : (toJsSync(np.max(ids)) as number) + 1
    } catch (e) {
      if (!(e instanceof ConcretizationError)) throw e
      throw new ConcretizationError({
        detail: `${op}'s numSegments defaults to the largest id + 1, which needs concrete ids; ` +
          `give numSegments to use ${op} under a transformation`
      })
    }
  }
  // JAX's _segment_update: ids that are all negative leave a negative count
  if (numSegments < 0) {
    throw new ArgumentError({
      operation: op,
      argument: "numSegments",
      expected: "non-negative (it defaults to the largest id + 1)",
      got: String(numSegments)
    })
  }
  // "fill" and "promise_in_bounds" drop too (JAX's FILL_OR_DROP for a scatter)
  const mode = options?.mode === "clip" ? "clip" : "drop"
  const scatterOptions = {
    mode,
    wrapNegativeIndices: false,
    indicesAreSorted: options?.indicesAreSorted ?? false,
    uniqueIndices: options?.uniqueIndices ?? false
  } as const
  const rowShape = x.shape.slice(1)
  const fill = identity(kind, x.dtype)
  const bucketSize = options?.bucketSize
  if (bucketSize === undefined) {
    const out = lax.full([numSegments, ...rowShape], fill, x.dtype)
    return np.at(out, ids)[kind](x, scatterOptions)
  }
  // row i goes to bucket floor(i / bucketSize), then the buckets reduce
  const buckets = Math.ceil(ids.size / bucketSize)
  const out = lax.full([buckets, numSegments, ...rowShape], fill, x.dtype)
  const bucketOf = lax.div(np.arange(ids.size, { dtype: "int32" }), bucketSize)
  const scattered = np.at(out, bucketOf, ids)[kind](x, scatterOptions)
  const reduced = kind === "add"
    ? np.sum(scattered, { axis: 0 })
    : kind === "multiply"
    ? np.prod(scattered, { axis: 0 })
    : kind === "max"
    ? np.max(scattered, { axis: 0 })
    : np.min(scattered, { axis: 0 })
  return reduced.dtype === x.dtype ? reduced : np.astype(reduced, x.dtype)
}

/**
 * Sums the rows of `data` by segment (JAX's `jax.ops.segment_sum`): row `i`
 * adds into output row `segmentIds[i]`; the output has `numSegments` rows
 * (default: the largest id + 1), 0 where no row went, and ids outside the
 * segments are dropped.
 *
 * @example
 * import { ops, np, toJsSync } from "diffect"
 * // JAX's docstring
 * const data = np.arange(6, { dtype: "int32" })
 * console.log(toJsSync(ops.segmentSum(data, np.array([0, 0, 1, 1, 2, 2], { dtype: "int32" })))) // [1, 5, 9]
 * // a segment no row belongs to sums to 0; id 7 is outside 4 segments and dropped
 * console.log(toJsSync(ops.segmentSum(np.array([1, 2, 3]), [3, 0, 7], { numSegments: 4 }))) // [2, 0, 0, 1]
 *
 * @since 0.1.0
 */
export const segmentSum: (data: TensorLike, segmentIds: TensorLike, options?: SegmentOptions) => Tensor = segmentReduce(
  "segmentSum",
  "add"
)

/**
 * Multiplies the rows of `data` by segment (JAX's `jax.ops.segment_prod`): 1
 * where no row went.
 *
 * @example
 * import { ops, np, toJsSync } from "diffect"
 * const data = np.arange(6, { dtype: "int32" })
 * console.log(toJsSync(ops.segmentProd(data, np.array([0, 0, 1, 1, 2, 2], { dtype: "int32" })))) // [0, 6, 20]
 *
 * @since 0.1.0
 */
export const segmentProd: (data: TensorLike, segmentIds: TensorLike, options?: SegmentOptions) => Tensor =
  segmentReduce("segmentProd", "multiply")

/**
 * The maximum of the rows of `data` by segment (JAX's
 * `jax.ops.segment_max`): -inf (the dtype's least integer, false) where no row
 * went.
 *
 * @example
 * import { ops, np, toJsSync } from "diffect"
 * const data = np.arange(6, { dtype: "int32" })
 * console.log(toJsSync(ops.segmentMax(data, np.array([0, 0, 1, 1, 2, 2], { dtype: "int32" })))) // [1, 3, 5]
 * console.log(toJsSync(ops.segmentMax(np.array([1, 2]), [0, 0], { numSegments: 2 }))) // [2, -Infinity]
 *
 * @since 0.1.0
 */
export const segmentMax: (data: TensorLike, segmentIds: TensorLike, options?: SegmentOptions) => Tensor = segmentReduce(
  "segmentMax",
  "max"
)

/**
 * The minimum of the rows of `data` by segment (JAX's
 * `jax.ops.segment_min`): +inf (the dtype's greatest integer, true) where no
 * row went.
 *
 * @example
 * import { ops, np, toJsSync } from "diffect"
 * const data = np.arange(6, { dtype: "int32" })
 * console.log(toJsSync(ops.segmentMin(data, np.array([0, 0, 1, 1, 2, 2], { dtype: "int32" })))) // [0, 2, 4]
 *
 * @since 0.1.0
 */
export const segmentMin: (data: TensorLike, segmentIds: TensorLike, options?: SegmentOptions) => Tensor = segmentReduce(
  "segmentMin",
  "min"
)
