/**
 * `np`'s sorting, searching and order statistics: `sort`, `argsort`,
 * `partition`, `lexsort`, `searchsorted`, `quantile` and its family, and the
 * functions JAX gives a static `size` (`unique`, `nonzero`, `argwhere`),
 * built on `lax.sort` and `lax.topK`.
 *
 * @since 0.1.0
 */
import { isComplex, isInexact } from "../../DType.js"
import type { DType } from "../../DType.js"
import { ConcretizationError, DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import { compiledWhenEager } from "../../Staging.js"
import { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import {
  anyValue,
  argumentError,
  axes as axesCheck,
  boolean,
  checkArg,
  checkAxis,
  checkOptions,
  dtype as dtypeCheck,
  integer,
  isOptionsObject,
  number,
  string
} from "../../Validate.js"
import type { OptionSpec } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { normalizeAxes, promoteAll, toInexact, toTensor } from "../npHelpers.js"
import { addAlong, takeAlong } from "./along.js"
import { count, list } from "./checks.js"
import { jitted } from "./jitted.js"

/** Options of `sort`/`argsort`: the axis (-1 by default; `null` flattens), and the order. @since 0.1.0 */
export interface SortOptions {
  readonly axis?: number | null | undefined
  readonly stable?: boolean | undefined
  readonly descending?: boolean | undefined
}

const sortSpec: OptionSpec = {
  axis: { expected: "an integer or null", test: (u) => u === null || Number.isInteger(u) },
  stable: boolean,
  descending: boolean,
  kind: anyValue
}

const sortAxis = (
  op: string,
  x: TensorLike,
  options: SortOptions | undefined,
  spec: OptionSpec = sortSpec
): readonly [Tensor, number] => {
  checkOptions(op, options, spec)
  const t = toTensor(x)
  if (options?.axis === null) return [np.ravel(t), 0]
  if (t.ndim === 0) {
    throw new ShapeError({ operation: op, detail: "cannot sort a 0-dimensional array (use axis: null)" })
  }
  return [t, checkAxis(op, options?.axis ?? -1, t.ndim)]
}

/**
 * A sorted copy along `axis` (`jnp.sort`): NaN last, `descending` reverses.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sort(np.array([[3, 1], [0, 2]])))) // [[1, 3], [0, 2]]
 * console.log(toJsSync(np.sort(np.array([3, 1, 2]), { descending: true }))) // [3, 2, 1]
 *
 * @since 0.1.0
 */
export const sort = (x: TensorLike, options?: SortOptions): Tensor => {
  const [t, axis] = sortAxis("sort", x, options)
  const sorted = lax.sort(t, { dimension: axis })
  return options?.descending === true ? lax.rev(sorted, [axis]) : sorted
}

/** Options of `argsort`: `sort`'s, and the indices' dtype (int32 by default). @since 0.1.0 */
export interface ArgsortOptions extends SortOptions {
  readonly dtype?: DType | undefined
}

/**
 * The indices that sort `x` along `axis` (`jnp.argsort`; stable: equal values
 * keep their order, also when `descending`), in `dtype` (int32 by default).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.argsort(np.array([3, 1, 2, 1])))) // [1, 3, 2, 0]
 * console.log(toJsSync(np.argsort(np.array([3, 1, 2, 1]), { descending: true }))) // [0, 2, 1, 3]
 * console.log(np.argsort(np.array([3, 1]), { dtype: "uint32" }).dtype) // uint32
 *
 * @since 0.1.0
 */
export const argsort = (x: TensorLike, options?: ArgsortOptions): Tensor => {
  const [t, axis] = sortAxis("argsort", x, options, { ...sortSpec, dtype: dtypeCheck })
  const indices = argsortAlong(t, axis, options?.descending === true)
  return options?.dtype === undefined ? indices : np.astype(indices, options.dtype)
}

const argsortAlong = (t: Tensor, axis: number, descending: boolean): Tensor => {
  let keys = t
  let iota = lax.iota("int32", t.shape, axis)
  // JAX's rule: a stable descending sort reverses before and after, so ties keep their order.
  if (descending) {
    keys = lax.rev(keys, [axis])
    iota = lax.rev(iota, [axis])
  }
  const [, indices] = lax.sortKeyVal(keys, iota, axis)
  return descending ? lax.rev(indices, [axis]) : indices
}

/**
 * `jnp.lexsort`: the indices that sort by the last key, then the one before
 * it, and so on (stable).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const surnames = np.array([1, 0, 1, 0])
 * const names = np.array([4, 3, 2, 1])
 * console.log(toJsSync(np.lexsort([names, surnames]))) // [3, 1, 2, 0]
 *
 * @since 0.1.0
 */
export const lexsort = (
  keys: ReadonlyArray<TensorLike> | Tensor,
  options?: { readonly axis?: number | undefined }
): Tensor => {
  checkOptions("lexsort", options, { axis: integer })
  // a tensor of keys: its rows along the first axis, as np.lexsort reads a 2-D array
  const ks = keys instanceof Tensor
    ? Array.from(
      { length: keys.ndim === 0 ? 1 : keys.shape[0]! },
      (_, i) => keys.ndim === 0 ? keys : np.take(keys, i, { axis: 0 })
    )
    : list<TensorLike>("lexsort", "keys", keys).map((k) => toTensor(k))
  // a tensor with no rows holds no key (JAX: "need sequence of keys with len > 0")
  if (ks.length === 0) throw new ShapeError({ operation: "lexsort", detail: "need sequence of keys with len > 0" })
  const shape = ks[0]!.shape
  for (const k of ks) {
    if (k.ndim !== shape.length || k.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError({ operation: "lexsort", detail: "all keys need to be the same shape" })
    }
  }
  if (shape.length === 0) throw new ShapeError({ operation: "lexsort", detail: "keys must be at least 1-dimensional" })
  const axis = checkAxis("lexsort", options?.axis ?? -1, shape.length)
  const iota = lax.iota("int32", shape, axis)
  const outs = lax.sort([...[...ks].reverse(), iota], { dimension: axis, numKeys: ks.length })
  return outs[outs.length - 1]!
}

const kthOf = (op: string, kth: number, n: number): number => {
  checkArg(op, "kth", kth, integer)
  const k = kth < 0 ? kth + n : kth
  if (k < 0 || k >= n) {
    throw new ShapeError({ operation: op, detail: `kth=${kth} out of bounds for an axis of length ${n}` })
  }
  return k
}

/**
 * `jnp.partition`: along `axis`, the element at `kth` is where a sort would
 * put it, smaller ones (sorted) before it and larger ones after it (JAX's
 * layout: the larger ones in descending order).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.partition(np.array([5, 1, 4, 2, 3]), 2))) // [1, 2, 3, 5, 4]
 *
 * @since 0.1.0
 */
export const partition = (x: TensorLike, kth: number, options?: { readonly axis?: number | undefined }): Tensor => {
  checkOptions("partition", options, { axis: integer })
  const t0 = toTensor(x)
  const axis = checkAxis("partition", options?.axis ?? -1, t0.ndim)
  const t = np.moveaxis(t0, axis, -1)
  const n = t.shape[t.ndim - 1]!
  const k = kthOf("partition", kth, n)
  const [negBottom] = lax.topK(np.negative(t), k + 1)
  const [top] = lax.topK(t, n - k - 1)
  return np.moveaxis(lax.concatenate([np.negative(negBottom), top], t.ndim - 1), -1, axis)
}

/**
 * `jnp.argpartition`: the indices that `partition` would take.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.argpartition(np.array([5, 1, 4, 2, 3]), 2))) // [1, 3, 4, 0, 2]
 *
 * @since 0.1.0
 */
export const argpartition = (x: TensorLike, kth: number, options?: { readonly axis?: number | undefined }): Tensor => {
  checkOptions("argpartition", options, { axis: integer })
  const t0 = toTensor(x)
  const axis = checkAxis("argpartition", options?.axis ?? -1, t0.ndim)
  const t = np.moveaxis(t0, axis, -1)
  const n = t.shape[t.ndim - 1]!
  const k = kthOf("argpartition", kth, n)
  const [, bottom] = lax.topK(np.negative(t), k + 1)
  // JAX's proxy: ones with the bottom positions zeroed; its top_k (ties to the lower index)
  // lists the other positions in increasing order.
  const proxy = lax.sub(lax.full(t.shape, 1, "int32"), bottomMask(bottom, n))
  const [, top] = lax.topK(proxy, n - k - 1)
  return np.moveaxis(lax.concatenate([bottom, top], t.ndim - 1), -1, axis)
}

// 1 where a position along the last axis is among `idx`'s (distinct, as top_k's are), else 0
// (int32): a scatter of ones. (Comparing every index with every position asked for a
// (kth + 1) x n array: 4 GB for kth = 1,000 of 2^20.)
const bottomMask = (idx: Tensor, n: number): Tensor => {
  const last = idx.ndim - 1
  const zeros = lax.full([...idx.shape.slice(0, last), n], 0, "int32")
  return addAlong(zeros, idx, lax.full(idx.shape, 1, "int32"), last)
}

// x < y in the sort order (NaN last): the comparison searchsorted needs.
const sortLess = (x: Tensor, y: Tensor): Tensor =>
  isInexact(x.dtype) && !isComplex(x.dtype)
    ? lax.or(lax.lt(x, y), lax.and(lax.eq(x, x), lax.ne(y, y)))
    : lax.lt(x, y)

/**
 * Options of `searchsorted`: which side of equal entries (`"left"` by default), an optional
 * sorter, and JAX's `method` (`"scan"` by default; every method gives the same indices).
 * @since 0.1.0
 */
export interface SearchsortedOptions {
  readonly side?: "left" | "right" | undefined
  readonly sorter?: TensorLike | undefined
  readonly method?: "scan" | "scan_unrolled" | "sort" | "compare_all" | undefined
}

const searchMethods: ReadonlyArray<string> = ["scan", "scan_unrolled", "sort", "compare_all"]

/** Comparing every query with every entry stays cheaper than a search up to this many pairs. */
const COMPARE_ALL_MAX = 1 << 16

/**
 * `jnp.searchsorted`: where each of `v` would be inserted into the sorted 1-D
 * `a` to keep it sorted (int32, shaped like `v`). A binary search of
 * `ceil(log2(|a| + 1))` steps, each a gather and a comparison per query (JAX's
 * `method="scan"`, the default, unrolled); `"compare_all"` compares every `v`
 * with every entry of `a` in one pass (O(|a| |v|) work and memory), which is
 * also what small searches run.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.array([1, 2, 2, 3])
 * console.log(toJsSync(np.searchsorted(a, np.array([2, 0, 5])))) // [1, 0, 4]
 * console.log(toJsSync(np.searchsorted(a, 2, { side: "right" }))) // 3
 *
 * @since 0.1.0
 */
export const searchsorted = (a: TensorLike, v: TensorLike, options?: SearchsortedOptions): Tensor => {
  checkOptions("searchsorted", options, { side: string, sorter: anyValue, method: string })
  const side = options?.side ?? "left"
  if (side !== "left" && side !== "right") throw argumentError("searchsorted", "side", "\"left\" or \"right\"", side)
  const method = options?.method ?? "scan"
  if (!searchMethods.includes(method)) {
    throw argumentError("searchsorted", "method", searchMethods.map((m) => `"${m}"`).join(", "), method)
  }
  let sorted = toTensor(a)
  if (sorted.ndim !== 1) {
    throw new ShapeError({
      operation: "searchsorted",
      detail: `a should be 1-dimensional, got shape (${sorted.shape})`
    })
  }
  if (options?.sorter !== undefined) sorted = np.take(sorted, options.sorter)
  const [s0, q0] = promoteAll("searchsorted", [sorted, toTensor(v)])
  // compiled when eager, as JAX's `jnp.searchsorted` is jitted (a million queries into 101 entries
  // were some ninety eager passes over the queries: 270-310 ms)
  const size = q0.shape.reduce((p, d) => p * d, 1)
  return compiledWhenEager("searchsorted", `${side}|${method}`, size, [s0, q0], ([s, q]) => [
    searchSorted(s!, q!, side, method)
  ])[0]!
}

const searchSorted = (s: Tensor, q: Tensor, side: "left" | "right", method: string): Tensor => {
  const n = s.shape[0]!
  const pairs = n * q.shape.reduce((p, d) => p * d, 1)
  if (method === "compare_all" || pairs <= COMPARE_ALL_MAX) {
    const shape = [...q.shape, n]
    const sb = lax.broadcastInDim(s, shape, [q.ndim])
    const qb = lax.broadcastInDim(q, shape, q.shape.map((_, i) => i))
    const before = side === "left" ? sortLess(sb, qb) : lax.not(sortLess(qb, sb))
    return lax.reduceSum(lax.convertElementType(before, "int32"), [q.ndim])
  }
  // The insertion index lies in [low, high]: each step halves the range at mid, going left when
  // the query is at most (left) or under (right) the entry there.
  let low = lax.full(q.shape, 0, "int32")
  let high = lax.full(q.shape, n, "int32")
  const one = lax.full(q.shape, 1, "int32")
  for (let level = 0; level < Math.ceil(Math.log2(n + 1)); level++) {
    const mid = lax.add(low, lax.shiftRightArithmetic(lax.sub(high, low), one))
    const entry = np.take(s, mid)
    const left = side === "left" ? lax.not(sortLess(entry, q)) : sortLess(q, entry)
    low = lax.select(left, low, mid)
    high = lax.select(left, mid, high)
  }
  return high
}

/** How `quantile` interpolates between the two nearest entries. @since 0.1.0 */
export type QuantileMethod = "linear" | "lower" | "higher" | "nearest" | "midpoint" | "inverted_cdf"

/** Options of `quantile`, `percentile`, `median` and their NaN-ignoring variants. @since 0.1.0 */
export interface QuantileOptions {
  readonly axis?: number | ReadonlyArray<number> | undefined
  readonly method?: QuantileMethod | undefined
  readonly keepdims?: boolean | undefined
  /**
   * Weights of the entries (`inverted_cdf` only, as in JAX): shaped like the input, or
   * like the reduced axes; negative or NaN weights make the result NaN.
   */
  readonly weights?: TensorLike | undefined
}

const quantileSpec: OptionSpec = { axis: axesCheck, method: string, keepdims: boolean, weights: anyValue }
const methods: ReadonlyArray<string> = ["linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf"]

const quantileImpl = (
  op: string,
  x: TensorLike,
  q: TensorLike,
  options: QuantileOptions | undefined,
  skipNaN: boolean
): Tensor => {
  checkOptions(op, options, quantileSpec)
  const method = options?.method ?? "linear"
  if (!methods.includes(method)) throw argumentError(op, "method", methods.map((m) => `"${m}"`).join(", "), method)
  let a = toInexact(toTensor(x))
  if (isComplex(a.dtype)) throw new DTypeError({ operation: op, detail: "quantiles of complex numbers are undefined" })
  if (typeof q === "number" && !(q >= 0 && q <= 1)) {
    throw argumentError(op, "q", "quantiles in the range [0, 1]", q)
  }
  // a JS number is made in a's dtype directly (no float32 rounding of 0.3 on the way to float64)
  const qs = typeof q === "number" ? lax.full([], q, a.dtype) : lax.convertElementType(toTensor(q), a.dtype)
  if (qs.ndim > 1) throw new ShapeError({ operation: op, detail: "q must be a scalar or 1-dimensional" })
  // Several axes are merged into one last axis (JAX's reshape of the reduced axes).
  const axes = options?.axis === undefined ? undefined : normalizeAxes(op, options.axis, a.ndim)
  const keptShape = a.shape.map((d, i) => (axes === undefined || axes.includes(i) ? 1 : d))
  const weights = options?.weights === undefined ? undefined : quantileWeights(op, a, options.weights, axes, method)
  const lastAxis = (t: Tensor): Tensor => {
    if (axes === undefined) return np.ravel(t)
    const others = t.shape.map((_, i) => i).filter((i) => !axes.includes(i))
    const merged = axes.reduce((m, i) => m * t.shape[i]!, 1)
    return lax.reshape(lax.transpose(t, [...others, ...axes]), [...others.map((i) => t.shape[i]!), merged])
  }
  a = lastAxis(a)
  const n = a.shape[a.ndim - 1]!
  if (n === 0) throw new ShapeError({ operation: op, detail: "cannot take a quantile of an empty array" })
  const rest = a.shape.slice(0, -1)
  const [sorted, sortedWeights] = weights === undefined
    ? [lax.sort(a, { dimension: a.ndim - 1 }), undefined]
    : lax.sort([a, lastAxis(weights)], { dimension: a.ndim - 1, numKeys: 1 }) as [Tensor, Tensor]
  const nq = qs.ndim === 0 ? 1 : qs.shape[0]!
  const outShape = [...rest, nq]
  const qb = lax.broadcastInDim(lax.reshape(qs, [nq]), outShape, [rest.length])
  const nans = lax.reduceSum(lax.convertElementType(lax.ne(sorted, sorted), a.dtype), [a.ndim - 1])
  const count = skipNaN
    ? lax.broadcastInDim(lax.sub(lax.full(rest, n, a.dtype), nans), outShape, rest.map((_, i) => i))
    : lax.full(outShape, n, a.dtype)
  const pos = lax.mul(qb, lax.max(lax.sub(count, 1), lax.full(outShape, 0, a.dtype)))
  const clampIdx = (v: Tensor) =>
    lax.convertElementType(lax.max(lax.min(v, lax.sub(count, 1)), lax.full(outShape, 0, a.dtype)), "int32")
  const lo = lax.floor(pos)
  const hi = lax.ceil(pos)
  const at = (i: Tensor) => takeAlong(sorted, clampIdx(i), a.ndim - 1)
  let r: Tensor
  switch (method as QuantileMethod) {
    case "lower":
      r = at(lo)
      break
    case "higher":
      r = at(hi)
      break
    case "nearest":
      // JAX's rule: the lower entry unless the upper one is strictly nearer (a tie goes down).
      r = lax.select(lax.le(lax.sub(pos, lo), lax.full(outShape, 0.5, a.dtype)), at(lo), at(hi))
      break
    case "midpoint":
      r = lax.mul(lax.add(at(lo), at(hi)), 0.5)
      break
    case "linear": {
      const w = lax.sub(pos, lo)
      r = lax.add(lax.mul(at(lo), lax.sub(1, w)), lax.mul(at(hi), w))
      break
    }
    case "inverted_cdf":
      r = invertedCdf(sorted, sortedWeights, qb, count)
  }
  const nan = lax.full(outShape, NaN, a.dtype)
  let empty = skipNaN
    ? lax.eq(count, lax.full(outShape, 0, a.dtype))
    : lax.broadcastInDim(lax.gt(nans, lax.full(rest, 0, a.dtype)), outShape, rest.map((_, i) => i))
  if (sortedWeights !== undefined) {
    // JAX: a negative or NaN weight anywhere in the slice makes its quantiles NaN
    const bad = lax.or(lax.lt(sortedWeights, lax.zerosLike(sortedWeights)), lax.ne(sortedWeights, sortedWeights))
    const anyBad = lax.gt(lax.reduceSum(lax.convertElementType(bad, "int32"), [a.ndim - 1]), lax.full(rest, 0, "int32"))
    empty = lax.or(empty, lax.broadcastInDim(anyBad, outShape, rest.map((_, i) => i)))
  }
  r = lax.select(empty, nan, r)
  // JAX's layout: the q dimension first, then the kept dimensions.
  r = lax.transpose(r, [rest.length, ...rest.map((_, i) => i)])
  if (options?.keepdims === true) r = lax.reshape(r, [nq, ...keptShape])
  return qs.ndim === 0 ? lax.reshape(r, r.shape.slice(1)) : r
}

// JAX's weights of a quantile: the input's shape, or the reduced axes' shape broadcast along them.
const quantileWeights = (
  op: string,
  a: Tensor,
  weights: TensorLike,
  axes: ReadonlyArray<number> | undefined,
  method: string
): Tensor => {
  if (method !== "inverted_cdf") {
    throw argumentError(op, "method", "\"inverted_cdf\" when weights are given (JAX supports no other)", method)
  }
  const w = lax.convertElementType(toInexact(toTensor(weights)), a.dtype)
  if (w.ndim === a.ndim && w.shape.every((d, i) => d === a.shape[i])) return w
  const reduced = axes?.map((i) => a.shape[i]!)
  if (
    axes === undefined || reduced === undefined || w.ndim !== axes.length || w.shape.some((d, i) => d !== reduced[i])
  ) {
    throw new ShapeError({
      operation: op,
      detail: `weights of shape (${w.shape.join(", ")}) must have the input's shape or the reduced axes' shape`
    })
  }
  return lax.broadcastInDim(w, a.shape, axes)
}

// JAX's inverted_cdf: the first sorted entry whose cumulative weight reaches q * total
// (unit weights without `weights`: index ceil(q n) - 1), NaN entries weighing nothing.
const invertedCdf = (sorted: Tensor, weights: Tensor | undefined, qb: Tensor, count: Tensor): Tensor => {
  const last = sorted.ndim - 1
  const valid = lax.eq(sorted, sorted)
  const raw = weights ?? lax.full(sorted.shape, 1, sorted.dtype)
  const usable = lax.and(valid, lax.ge(raw, lax.zerosLike(raw)))
  const clean = lax.select(usable, raw, lax.zerosLike(raw))
  const cum = lax.cumsum(clean, last)
  const n = sorted.shape[last]!
  const total = lax.slice(cum, cum.shape.map((_, i) => (i === last ? n - 1 : 0)), cum.shape)
  const target = lax.mul(
    qb,
    lax.broadcastInDim(lax.reshape(total, total.shape.slice(0, -1)), qb.shape, qb.shape.slice(0, -1).map((_, i) => i))
  )
  // [rest, nq, n]: how many cumulative weights fall short of each target
  const shape = [...qb.shape, n]
  const short = lax.lt(
    lax.broadcastInDim(cum, shape, [...cum.shape.slice(0, -1).map((_, i) => i), last + 1]),
    lax.broadcastInDim(target, shape, qb.shape.map((_, i) => i))
  )
  const idx = lax.reduceSum(lax.convertElementType(short, "int32"), [shape.length - 1])
  const limit = lax.sub(lax.convertElementType(count, "int32"), lax.full(idx.shape, 1, "int32"))
  const clamped = lax.max(lax.min(idx, limit), lax.full(idx.shape, 0, "int32"))
  return takeAlong(sorted, clamped, last)
}

/**
 * `jnp.quantile`: the `q`-th quantiles (`q` in [0, 1], a scalar or 1-D) along
 * `axis` (all axes when omitted), by `method` (`"linear"` interpolation by
 * default; `"inverted_cdf"` also takes `weights`). A slice holding NaN gives NaN. With
 * several `q`, their dimension comes first.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.quantile(np.array([1, 2, 3, 4]), 0.5))) // 2.5
 * console.log(toJsSync(np.quantile(np.array([[1, 5], [3, 2]]), [0, 1], { axis: 1 }))) // [[1, 2], [5, 3]]
 *
 * @since 0.1.0
 */
export const quantile = (x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor =>
  quantileImpl("quantile", x, q, options, false)

/**
 * `jnp.nanquantile`: `quantile` ignoring NaN (an all-NaN slice gives NaN).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanquantile(np.array([1, NaN, 3]), 0.5))) // 2
 *
 * @since 0.1.0
 */
export const nanquantile = (x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor =>
  quantileImpl("nanquantile", x, q, options, true)

const percent = (op: string, q: TensorLike): TensorLike => {
  if (typeof q === "number") {
    if (!(q >= 0 && q <= 100)) throw argumentError(op, "q", "percentiles in the range [0, 100]", q)
    return q / 100
  }
  return np.divide(q, 100)
}

/**
 * `jnp.percentile`: `quantile` with `q` in percent.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.percentile(np.array([1, 2, 3, 4, 5]), 25))) // 2
 *
 * @since 0.1.0
 */
export const percentile = (x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor =>
  quantileImpl("percentile", x, percent("percentile", q), options, false)

/**
 * `jnp.nanpercentile`: `percentile` ignoring NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanpercentile(np.array([1, NaN, 3]), 50))) // 2
 *
 * @since 0.1.0
 */
export const nanpercentile = (x: TensorLike, q: TensorLike, options?: QuantileOptions): Tensor =>
  quantileImpl("nanpercentile", x, percent("nanpercentile", q), options, true)

/** Options of `median`. @since 0.1.0 */
export interface MedianOptions {
  readonly axis?: number | ReadonlyArray<number> | undefined
  readonly keepdims?: boolean | undefined
}

/**
 * `jnp.median`: the middle value (the mean of the two middle ones for an even
 * count) along `axis` (all axes when omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.median(np.array([[10, 7, 4], [3, 2, 1]])))) // 3.5
 * console.log(toJsSync(np.median(np.array([[10, 7, 4], [3, 2, 1]]), { axis: 1 }))) // [7, 2]
 *
 * @since 0.1.0
 */
export const median = (x: TensorLike, options?: MedianOptions): Tensor =>
  quantileImpl("median", x, 0.5, { ...checkedMedian("median", options), method: "midpoint" }, false)

/**
 * `jnp.nanmedian`: `median` ignoring NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanmedian(np.array([1, NaN, 3, 10])))) // 3
 *
 * @since 0.1.0
 */
export const nanmedian = (x: TensorLike, options?: MedianOptions): Tensor =>
  quantileImpl("nanmedian", x, 0.5, { ...checkedMedian("nanmedian", options), method: "midpoint" }, true)

const checkedMedian = (op: string, options: MedianOptions | undefined): MedianOptions => {
  checkOptions(op, options, { axis: axesCheck, keepdims: boolean })
  return options ?? {}
}

// The static size of a size-dependent result: the option, or counted from a concrete array.
const staticSize = (op: string, size: number | undefined, counted: () => Tensor): number => {
  if (size !== undefined) return count(op, "size", size)
  try {
    return toJsSync(counted()) as number
  } catch (e) {
    if (!(e instanceof ConcretizationError)) throw e
    throw new ConcretizationError({
      detail: `${op}'s output size depends on the values; give the static size option (JAX's size=) ` +
        `to use ${op} under a transformation`
    })
  }
}

/** Options of `nonzero`, `flatnonzero` and `argwhere`: JAX's static `size` and `fillValue`. @since 0.1.0 */
export interface NonzeroOptions {
  /** The number of results (padded with `fillValue` or truncated); required under transformations. */
  readonly size?: number | undefined
  /** The index used for padding (0 by default). */
  readonly fillValue?: number | undefined
}

const nonzeroSpec: OptionSpec = { size: integer, fillValue: number }

// Flat positions of the truthy entries, in order, padded with -1 to `size`.
const truthyPositions = (op: string, x: Tensor, options: NonzeroOptions | undefined): Tensor => {
  checkOptions(op, options, nonzeroSpec)
  const flat = np.ravel(x)
  const n = flat.shape[0]!
  const mask = flat.dtype === "bool" ? flat : np.notEqual(flat, np.zerosLike(flat))
  const size = staticSize(op, options?.size, () => countNonzero(mask))
  if (n === 0) return lax.full([size], -1, "int32")
  // Positions of truthy entries sort before n (the others'); the first `size` are the answer.
  const iota = lax.iota("int32", [n], 0)
  const keyed = lax.select(mask, iota, lax.full([n], n, "int32"))
  let sorted = lax.sort(keyed)
  if (size > n) sorted = lax.concatenate([sorted, lax.full([size - n], n, "int32")], 0)
  const first = lax.slice(sorted, [0], [size])
  return lax.select(lax.eq(first, lax.full([size], n, "int32")), lax.full([size], -1, "int32"), first)
}

const unravelFlat = (pos: Tensor, shape: ReadonlyArray<number>, fill: number): Array<Tensor> => {
  const missing = lax.lt(pos, lax.full(pos.shape, 0, "int32"))
  let stride = 1
  const out: Array<Tensor> = []
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!
    const idx = lax.rem(lax.div(pos, lax.full(pos.shape, stride, "int32")), lax.full(pos.shape, n, "int32"))
    out.unshift(lax.select(missing, lax.full(pos.shape, fill, "int32"), idx))
    stride *= n
  }
  return out
}

/**
 * `jnp.nonzero`: for each dimension, the indices of the non-zero (truthy)
 * entries, in row-major order. `size` fixes the length (padding with
 * `fillValue`, 0 by default), as JAX requires under transformations.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [rows, cols] = np.nonzero(np.array([[1, 0], [0, 2]]))
 * console.log(toJsSync([rows!, cols!])) // [[0, 1], [0, 1]]
 * console.log(toJsSync(np.nonzero(np.array([0, 3, 0, 4]), { size: 3, fillValue: -1 })[0]!)) // [1, 3, -1]
 *
 * @since 0.1.0
 */
export const nonzero = (x: TensorLike, options?: NonzeroOptions): ReadonlyArray<Tensor> => {
  const t = toTensor(x)
  if (t.ndim === 0) {
    throw new ShapeError({ operation: "nonzero", detail: "calling nonzero on 0d arrays is not allowed (NumPy, JAX)" })
  }
  return unravelFlat(truthyPositions("nonzero", t, options), t.shape, options?.fillValue ?? 0)
}

/**
 * `jnp.flatnonzero`: the flat indices of the non-zero entries.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.flatnonzero(np.array([[0, 1], [2, 0]])))) // [1, 2]
 *
 * @since 0.1.0
 */
export const flatnonzero = (x: TensorLike, options?: NonzeroOptions): Tensor => {
  const pos = truthyPositions("flatnonzero", toTensor(x), options)
  return lax.select(
    lax.lt(pos, lax.full(pos.shape, 0, "int32")),
    lax.full(pos.shape, options?.fillValue ?? 0, "int32"),
    pos
  )
}

/**
 * `jnp.argwhere`: the indices of the non-zero entries, one row per entry
 * (shape `[count, ndim]`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.argwhere(np.array([[1, 0], [0, 2]])))) // [[0, 0], [1, 1]]
 *
 * @since 0.1.0
 */
export const argwhere = (x: TensorLike, options?: NonzeroOptions): Tensor => {
  const t = toTensor(x)
  const t1 = t.ndim === 0 ? lax.reshape(t, [1]) : t
  const cols = unravelFlat(truthyPositions("argwhere", t1, options), t1.shape, options?.fillValue ?? 0)
  const m = cols[0]!.shape[0]!
  const stacked = lax.concatenate(cols.map((c) => lax.reshape(c, [m, 1])), 1)
  return t.ndim === 0 ? lax.slice(stacked, [0, 0], [m, 0]) : stacked
}

/**
 * Options of the `unique` family: JAX's static `size` and `fillValue`, whether
 * NaNs are one value, and `axis` (the distinct slices along it, sorted
 * lexicographically, instead of the distinct entries of the flattened input).
 *
 * @since 0.1.0
 */
export interface UniqueOptions {
  readonly axis?: number | undefined
  readonly size?: number | undefined
  /** Pads `values` past the count (the smallest value by default, as JAX). */
  readonly fillValue?: number | undefined
  readonly equalNan?: boolean | undefined
}

/** What `uniqueAll` gives (NumPy 2's `unique_all`). @since 0.1.0 */
export interface UniqueAll {
  readonly values: Tensor
  /** The first index of each value in the flattened input. */
  readonly indices: Tensor
  /** For each input entry, the index of its value in `values` (the input's shape). */
  readonly inverseIndices: Tensor
  readonly counts: Tensor
}

const uniqueSpec: OptionSpec = { axis: integer, size: integer, fillValue: number, equalNan: boolean }

// The entries to make distinct, as rows `[n, m]`: the flattened input's entries (m = 1), or the
// slices along `axis` flattened; `restore` gives a `[k, m]` result the slices' shape again.
const uniqueRows = (op: string, t: Tensor, axis: number | undefined) => {
  if (axis === undefined) {
    const flat = np.ravel(t)
    return { rows: lax.reshape(flat, [flat.shape[0]!, 1]), restore: (r: Tensor) => lax.reshape(r, [r.shape[0]!]) }
  }
  const a = normalizeAxes(op, axis, t.ndim)[0]!
  const moved = np.moveaxis(t, a, 0)
  const rest = moved.shape.slice(1)
  const m = rest.reduce((p, d) => p * d, 1)
  return {
    rows: lax.reshape(moved, [moved.shape[0]!, m]),
    restore: (r: Tensor) => np.moveaxis(lax.reshape(r, [r.shape[0]!, ...rest]), 0, a)
  }
}

const uniqueImpl = (op: string, x: TensorLike, options: UniqueOptions | undefined): UniqueAll => {
  checkOptions(op, options, uniqueSpec)
  const t = toTensor(x)
  if (options?.axis !== undefined && t.ndim === 0) {
    throw new ShapeError({ operation: op, detail: "axis is given, but the input is a scalar (0-d)" })
  }
  const { restore, rows } = uniqueRows(op, t, options?.axis)
  const [n, m] = rows.shape as [number, number]
  // JAX pads with the smallest value by default, and an empty input has none
  if (n === 0 && options?.size !== undefined && options.size > 0 && options.fillValue === undefined) {
    throw argumentError(op, "fillValue", "given for a zero-sized input with a nonzero size (JAX)", undefined)
  }
  const iota = lax.iota("int32", [n], 0)
  // the rows sorted lexicographically (stably: equal rows keep their order), with their positions
  const columns = Array.from({ length: m }, (_, j) => lax.reshape(lax.slice(rows, [0, j], [n, j + 1]), [n]))
  const perm = m === 0 ? iota : lax.sort([...columns, iota], { dimension: 0, numKeys: m })[m]!
  const sorted = m === 1 ? lax.sort([columns[0]!, iota], { dimension: 0, numKeys: 1 })[0]! : lax.gather(rows, perm, 0)
  const sortedRows = m === 1 ? lax.reshape(sorted, [n, 1]) : sorted
  // A new value starts where the sorted row differs from the one before in any entry (NaNs equal
  // when equalNan).
  let starts: Tensor
  if (n === 0) starts = lax.full([0], 0, "bool")
  else {
    const prev = lax.slice(sortedRows, [0, 0], [n - 1, m])
    const next = lax.slice(sortedRows, [1, 0], [n, m])
    let differs = lax.ne(prev, next)
    if (options?.equalNan !== false && isInexact(rows.dtype)) {
      differs = lax.and(differs, lax.not(lax.and(lax.ne(prev, prev), lax.ne(next, next))))
    }
    const anyDiffers = m === 0
      ? lax.full([n - 1], 0, "bool")
      : lax.ne(lax.reduceMax(lax.convertElementType(differs, "int32"), [1]), lax.full([n - 1], 0, "int32"))
    starts = lax.concatenate([lax.full([1], 1, "bool"), anyDiffers], 0)
  }
  const size = staticSize(op, options?.size, () => countNonzero(starts))
  const group = lax.sub(lax.cumsum(lax.convertElementType(starts, "int32"), 0), lax.full([n], 1, "int32"))
  const positions = truthyPositions(op, starts, { size })
  const valid = lax.ge(positions, lax.full([size], 0, "int32"))
  const safe = lax.max(positions, lax.full([size], 0, "int32"))
  const fill = options?.fillValue !== undefined
    ? lax.full([size, m], options.fillValue, rows.dtype)
    : n === 0
    ? lax.full([size, m], 0, rows.dtype) // size 0 here
    : lax.broadcastInDim(lax.slice(sortedRows, [0, 0], [1, m]), [size, m], [0, 1])
  const validRows = lax.broadcastInDim(valid, [size, m], [0])
  const values = restore(n === 0 ? fill : lax.select(validRows, lax.gather(sortedRows, safe, 0), fill))
  // JAX's `perm[nonzero(mask, size=size)]`: nonzero pads with 0, so the padding is perm[0] (where
  // the smallest value first occurs), as the padded values are sorted[0]
  const indices = n === 0 ? lax.full([size], 0, "int32") : lax.gather(perm, safe, 0)
  // Counts: each entry adds one to its group (groups past `size` are dropped).
  const counts = n === 0 || size === 0
    ? lax.full([size], 0, "int32")
    : lax.scatterAdd(
      lax.full([size + 1], 0, "int32"),
      lax.min(group, lax.full([n], size, "int32")),
      lax.full([n], 1, "int32"),
      0
    )
  const inverseSorted = group
  const inverse = n === 0
    ? lax.full([0], 0, "int32")
    : lax.scatterAdd(lax.full([n], 0, "int32"), perm, inverseSorted, 0)
  return {
    values,
    indices,
    // JAX's shape: the input's for the flattened entries, one per slice along `axis`
    inverseIndices: options?.axis === undefined ? lax.reshape(inverse, t.shape) : inverse,
    counts: size === 0 || n === 0 ? counts : lax.slice(counts, [0], [size])
  }
}

/**
 * `jnp.unique`: the sorted distinct values of the flattened input (NaNs as one
 * value unless `equalNan: false`). `size` fixes the length (padded with
 * `fillValue`, the smallest value by default), as JAX requires under
 * transformations; without it the input must be concrete.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.unique(np.array([3, 1, 3, 2, 1])))) // [1, 2, 3]
 * console.log(toJsSync(np.unique(np.array([3, 1, 3]), { size: 4, fillValue: 0 }))) // [1, 3, 0, 0]
 * // the distinct rows, sorted lexicographically
 * console.log(toJsSync(np.unique(np.array([[2, 1], [0, 5], [2, 1]]), { axis: 0 }))) // [[0, 5], [2, 1]]
 *
 * @since 0.1.0
 */
export const unique: {
  (x: TensorLike, options: UniqueOptions & UniqueReturns & ReturnsSome): Array<Tensor>
  (x: TensorLike, options?: UniqueOptions & UniqueReturns): Tensor
} = ((x: TensorLike, options?: UniqueOptions & UniqueReturns): Tensor | Array<Tensor> => {
  // (a non-object, JAX's positional return_index, is refused rather than spread away)
  if (options !== undefined && !isOptionsObject(options)) {
    throw argumentError(
      "unique",
      "options",
      "an options object ({ returnIndex, returnInverse, returnCounts, ... })",
      options
    )
  }
  const { returnCounts, returnIndex, returnInverse, sorted, ...rest } = options ?? {}
  // (JAX's `sorted`: "unused by JAX", the values always come sorted)
  checkOptions("unique", { returnCounts, returnIndex, returnInverse, sorted }, returnsSpec)
  const all = uniqueImpl("unique", x, options === undefined ? undefined : rest)
  if (returnIndex !== true && returnInverse !== true && returnCounts !== true) return all.values
  // JAX's tuple: the values, then the requested extras in this order
  return [
    all.values,
    ...(returnIndex === true ? [all.indices] : []),
    ...(returnInverse === true ? [all.inverseIndices] : []),
    ...(returnCounts === true ? [all.counts] : [])
  ]
}) as never

/** `unique`'s extra results (JAX's `return_index`, `return_inverse`, `return_counts`). @since 0.1.0 */
export interface UniqueReturns {
  readonly returnIndex?: boolean | undefined
  readonly returnInverse?: boolean | undefined
  readonly returnCounts?: boolean | undefined
  /** JAX's `sorted` (unused by JAX: the values always come sorted). */
  readonly sorted?: boolean | undefined
}

type ReturnsSome = { readonly returnIndex: true } | { readonly returnInverse: true } | { readonly returnCounts: true }

const returnsSpec: OptionSpec = { returnIndex: boolean, returnInverse: boolean, returnCounts: boolean, sorted: boolean }

/**
 * `jnp.unique_values` (NumPy 2): the same as `unique`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.uniqueValues(np.array([2, 2, 1])))) // [1, 2]
 *
 * @since 0.1.0
 */
export const uniqueValues = (x: TensorLike, options?: UniqueOptions): Tensor =>
  uniqueImpl("uniqueValues", x, options).values

/**
 * `jnp.unique_counts`: the distinct values and how often each occurs.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const { counts, values } = np.uniqueCounts(np.array([3, 1, 3, 3]))
 * console.log(toJsSync({ values, counts })) // { counts: [1, 3], values: [1, 3] }
 *
 * @since 0.1.0
 */
export const uniqueCounts = (
  x: TensorLike,
  options?: UniqueOptions
): { readonly values: Tensor; readonly counts: Tensor } => {
  const all = uniqueImpl("uniqueCounts", x, options)
  return { values: all.values, counts: all.counts }
}

/**
 * `jnp.unique_inverse`: the distinct values and, for each input entry, the
 * index of its value (so `values[inverseIndices]` rebuilds the input).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const { inverseIndices, values } = np.uniqueInverse(np.array([3, 1, 3]))
 * console.log(toJsSync({ values, inverseIndices })) // { inverseIndices: [1, 0, 1], values: [1, 3] }
 *
 * @since 0.1.0
 */
export const uniqueInverse = (
  x: TensorLike,
  options?: UniqueOptions
): { readonly values: Tensor; readonly inverseIndices: Tensor } => {
  const all = uniqueImpl("uniqueInverse", x, options)
  return { values: all.values, inverseIndices: all.inverseIndices }
}

/**
 * `jnp.unique_all`: values, first indices, inverse indices and counts.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const u = np.uniqueAll(np.array([2, 1, 2]))
 * console.log(toJsSync({ ...u })) // { counts: [1, 2], indices: [1, 0], inverseIndices: [1, 0, 1], values: [1, 2] }
 *
 * @since 0.1.0
 */
export const uniqueAll = (x: TensorLike, options?: UniqueOptions): UniqueAll => uniqueImpl("uniqueAll", x, options)

/**
 * `jnp.count_nonzero`: how many entries are non-zero (truthy) along `axis`
 * (all axes when omitted), as int32.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.countNonzero(np.array([[0, 1, 7], [0, 0, 3]]), { axis: 1 }))) // [2, 1]
 *
 * @since 0.1.0
 */
export const countNonzero = (
  x: TensorLike,
  options?: { readonly axis?: number | ReadonlyArray<number> | undefined; readonly keepdims?: boolean | undefined }
): Tensor => {
  checkOptions("countNonzero", options, { axis: anyValue, keepdims: boolean })
  const t0 = toTensor(x)
  const axes = normalizeAxes("countNonzero", options?.axis, t0.ndim)
  const keepdims = options?.keepdims === true
  // compiled when eager, as JAX's jitted `jnp.count_nonzero` (the test, the cast and the sum in one pass)
  return jitted("countNonzero", `${axes.join(",")}|${keepdims}`, [t0], (t) => {
    const truthy = t!.dtype === "bool" ? t! : lax.ne(t!, lax.full(t!.shape, 0, t!.dtype))
    const counts = lax.reduceSum(lax.convertElementType(truthy, "int32"), axes)
    return keepdims ? lax.reshape(counts, t!.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : counts
  })
}
