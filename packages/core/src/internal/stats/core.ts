/**
 * `stats`'s functions over samples (JAX's `jax.scipy.stats._core`): `mode`,
 * `rankdata` and `sem`. Ties are found on a sorted copy: a run of equal values
 * starts where a value differs from its predecessor, and a running max (min,
 * from the end) of those positions gives each element its run's bounds.
 *
 * @since 0.1.0
 */
import { isInexact } from "../../DType.js"
import * as lax from "../../laxNamespace.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"
import type { Check } from "../../Validate.js"
import { boolean, checkAxis, checkOptions, integer } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { toInexact, toTensor } from "../npHelpers.js"

const propagateOnly: Check = {
  expected: "\"propagate\" (JAX implements no other here)",
  test: (u) => u === "propagate"
}
const propagateOrOmit: Check = { expected: "\"propagate\" or \"omit\"", test: (u) => u === "propagate" || u === "omit" }
const methods = ["average", "min", "max", "dense", "ordinal"] as const
const methodCheck: Check = {
  expected: methods.map((m) => `"${m}"`).join(", "),
  test: (u) => (methods as ReadonlyArray<unknown>).includes(u)
}
const axisOrNull: Check = { expected: "an integer or null", test: (u) => u === null || Number.isInteger(u) }

// For x sorted along its last axis: where each element's run of equal values starts and ends
// (positions, int32) and whether it starts one. NaNs count as equal to each other.
const runs = (sorted: Tensor): { readonly start: Tensor; readonly end: Tensor; readonly first: Tensor } => {
  const last = sorted.ndim - 1
  const n = sorted.shape[last]!
  const idx = lax.iota("int32", sorted.shape, last)
  const lead = sorted.shape.slice(0, -1)
  const prev = lax.sliceInDim(sorted, 0, n - 1, 1, last)
  const next = lax.sliceInDim(sorted, 1, n, 1, last)
  let same = lax.eq(prev, next)
  if (isInexact(sorted.dtype)) same = lax.or(same, lax.and(lax.ne(prev, prev), lax.ne(next, next)))
  const differs = lax.not(same)
  const yes = lax.full([...lead, 1], 1, "bool", false)
  const first = lax.concatenate([yes, differs], last)
  const final = lax.concatenate([differs, yes], last)
  const start = lax.cummax(lax.select(first, idx, lax.full(idx.shape, 0, "int32", false)), last)
  const end = lax.cummin(lax.select(final, idx, lax.full(idx.shape, n - 1, "int32", false)), last, true)
  return { start, end, first }
}

/** Options of {@link mode}. @since 0.1.0 */
export interface ModeOptions {
  /** The axis to take the mode along (default 0); `null` flattens first. */
  readonly axis?: number | null | undefined
  /** Only `"propagate"` (JAX's default; it implements no other). */
  readonly nanPolicy?: "propagate" | undefined
  /** Keep the reduced axis with length 1 (default false). */
  readonly keepdims?: boolean | undefined
}

/** The most common value along an axis and how often it occurs. @since 0.1.0 */
export interface ModeResult {
  readonly mode: Tensor
  readonly count: Tensor
}

/**
 * The most common value along `axis` (the smallest of those tied) and its count
 * (`jax.scipy.stats.mode`); NaNs count as one value. An empty axis gives NaN and 0.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * const { mode, count } = stats.mode(np.array([[3, 1], [3, 2], [1, 2]]))
 * console.log(toJsSync(mode), toJsSync(count)) // [3, 2] [2, 2]
 *
 * @since 0.1.0
 */
export const mode = (a: TensorLike, options?: ModeOptions): ModeResult => {
  checkOptions("mode", options, { axis: axisOrNull, nanPolicy: propagateOnly, keepdims: boolean })
  const x = np.atleast1d(a)
  const keepdims = options?.keepdims === true
  const axisOption = options?.axis === undefined ? 0 : options.axis
  const axis = axisOption === null ? null : checkAxis("mode", axisOption, x.ndim)
  const outShape = axis === null
    ? (keepdims ? x.shape.map(() => 1) : [])
    : x.shape.flatMap((s, i) => (i === axis ? (keepdims ? [1] : []) : [s]))
  const moved = axis === null ? np.ravel(x) : np.moveaxis(x, axis, -1)
  const n = moved.shape[moved.ndim - 1]!
  if (n === 0) {
    return { mode: lax.full(outShape, NaN, "float32", false), count: lax.full(outShape, 0, "float32", false) }
  }
  const sorted = lax.sort(moved, { dimension: moved.ndim - 1 })
  const { end, start } = runs(sorted)
  const counts = lax.add(lax.sub(end, start), lax.full(end.shape, 1, "int32", false))
  const best = np.argmax(counts, { axis: -1, keepdims: true })
  return {
    mode: lax.reshape(np.takeAlongAxis(sorted, best, -1), outShape),
    count: lax.reshape(np.max(counts, { axis: -1 }), outShape)
  }
}

/** Options of {@link rankdata}. @since 0.1.0 */
export interface RankdataOptions {
  /** How ties are ranked (default `"average"`): their mean, min or max rank, dense ranks, or the order they come in. */
  readonly method?: "average" | "min" | "max" | "dense" | "ordinal" | undefined
  /** Rank along this axis (each slice separately); `null`, the default, ranks the flattened array. */
  readonly axis?: number | null | undefined
  /** Only `"propagate"`: a slice with a NaN ranks as all NaN. */
  readonly nanPolicy?: "propagate" | undefined
}

/**
 * The ranks (from 1) of the data, ties resolved by `method`
 * (`jax.scipy.stats.rankdata`), as float32.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * const a = np.array([0, 2, 3, 2])
 * console.log(toJsSync(stats.rankdata(a))) // [1, 2.5, 4, 2.5]
 * console.log(toJsSync(stats.rankdata(a, { method: "min" }))) // [1, 2, 4, 2]
 * console.log(toJsSync(stats.rankdata(a, { method: "dense" }))) // [1, 2, 3, 2]
 *
 * @since 0.1.0
 */
export const rankdata = (a: TensorLike, options?: RankdataOptions): Tensor => {
  checkOptions("rankdata", options, { method: methodCheck, axis: axisOrNull, nanPolicy: propagateOnly })
  const method = options?.method ?? "average"
  const x = toTensor(a)
  const axisOption = options?.axis ?? null
  const axis = axisOption === null ? null : checkAxis("rankdata", axisOption, x.ndim)
  const moved = axis === null ? np.ravel(x) : np.moveaxis(x, axis, -1)
  const last = moved.ndim - 1
  const n = moved.shape[last]!
  const toFloat = (t: Tensor) => lax.convertElementType(t, "float32", false)
  let ranks: Tensor
  if (n === 0) ranks = toFloat(moved)
  else {
    const sorter = np.argsort(moved, { axis: -1 })
    const inverse = np.argsort(sorter, { axis: -1 })
    const one = lax.full(moved.shape, 1, "int32", false)
    if (method === "ordinal") ranks = toFloat(lax.add(inverse, one))
    else {
      const sorted = np.takeAlongAxis(moved, sorter, -1)
      const { end, first, start } = runs(sorted)
      const atInverse = (t: Tensor) => np.takeAlongAxis(t, inverse, -1)
      if (method === "dense") {
        ranks = toFloat(atInverse(lax.cumsum(lax.convertElementType(first, "int32", false), last)))
      } else {
        const lo = toFloat(lax.add(atInverse(start), one))
        const hi = toFloat(lax.add(atInverse(end), one))
        ranks = method === "min"
          ? lo
          : method === "max"
          ? hi
          : lax.mul(lax.add(lo, hi), lax.full(lo.shape, 0.5, "float32", false))
      }
    }
    if (isInexact(moved.dtype)) {
      const hasNaN = np.any(lax.ne(moved, moved), { axis: -1, keepdims: true })
      ranks = lax.select(np.broadcastTo(hasNaN, ranks.shape), lax.full(ranks.shape, NaN, "float32", false), ranks)
    }
  }
  return axis === null ? lax.reshape(ranks, x.shape.length === 0 ? [1] : [x.size]) : np.moveaxis(ranks, -1, axis)
}

/** Options of {@link sem}. @since 0.1.0 */
export interface SemOptions {
  /** The axis (default 0); `null` uses all the data. */
  readonly axis?: number | null | undefined
  /** Delta degrees of freedom of the standard deviation (default 1). */
  readonly ddof?: number | undefined
  /** `"propagate"` (default: NaN in, NaN out) or `"omit"` (NaNs left out). */
  readonly nanPolicy?: "propagate" | "omit" | undefined
  /** Keep the reduced axis with length 1 (default false). */
  readonly keepdims?: boolean | undefined
}

/**
 * The standard error of the mean, `std(a, ddof) / sqrt(count)` (`jax.scipy.stats.sem`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // std with ddof 1 is sqrt(5/3); over sqrt(4)
 * console.log(toJsSync(stats.sem(np.array([1, 2, 3, 4], { dtype: "float64" })))) // 0.6454972243679028
 *
 * @since 0.1.0
 */
export const sem = (a: TensorLike, options?: SemOptions): Tensor => {
  checkOptions("sem", options, { axis: axisOrNull, ddof: integer, nanPolicy: propagateOrOmit, keepdims: boolean })
  const b = toInexact(toTensor(a))
  const axisOption = options?.axis === undefined ? 0 : options.axis
  const axis = axisOption === null ? undefined : checkAxis("sem", axisOption, b.ndim)
  const reduce = { axis, ddof: options?.ddof ?? 1, keepdims: options?.keepdims === true }
  if (options?.nanPolicy === "omit") {
    const count = np.sum(lax.convertElementType(lax.eq(b, b), b.dtype, false), { axis, keepdims: reduce.keepdims })
    return lax.div(np.nanstd(b, reduce), lax.sqrt(count))
  }
  const size = axis === undefined ? b.size : b.shape[axis]!
  const std = np.std(b, reduce)
  return lax.div(std, lax.full(std.shape, Math.sqrt(size), std.dtype, true))
}
