/**
 * `np`'s statistics beyond the core reductions: the NaN-ignoring reductions,
 * weighted `average`, `ptp`, covariance and correlation, counting
 * (`bincount`, `histogram`, `digitize`), and the log-spaced ranges. All are
 * compositions of `lax` primitives (JAX's static `length` for `bincount`).
 *
 * @since 0.1.0
 */
import { isComplex, isInexact, realDType } from "../../DType.js"
import type { DType } from "../../DType.js"
import { ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import {
  anyValue,
  argumentError,
  boolean,
  checkArg,
  checkAxis,
  checkOptions,
  integer,
  number,
  string
} from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { normalizeAxes, toInexact, toTensor } from "../npHelpers.js"
import { diagonal } from "./arrays.js"
import { count, list } from "./checks.js"
import { log10 } from "./math.js"
import { searchsorted } from "./sorting.js"
import type { SearchsortedOptions } from "./sorting.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)
const whereSpec = { axis: anyValue, keepdims: boolean, where: anyValue, dtype: anyValue }

const replaceNaN = (t: Tensor, value: number): Tensor =>
  isInexact(t.dtype) ? lax.select(lax.ne(t, t), c(t, value), t) : t

/**
 * `sum` treating NaN as zero (`jnp.nansum`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nansum(np.array([1, NaN, 3])))) // 4
 *
 * @since 0.1.0
 */
export const nansum = (x: TensorLike, options?: np.ReduceWhereOptions & np.DTypeOptions): Tensor =>
  np.sum(replaceNaN(toTensor(x), 0), options)

/**
 * `prod` treating NaN as one (`jnp.nanprod`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanprod(np.array([2, NaN, 3])))) // 6
 *
 * @since 0.1.0
 */
export const nanprod = (x: TensorLike, options?: np.ReduceWhereOptions & np.DTypeOptions): Tensor =>
  np.prod(replaceNaN(toTensor(x), 1), options)

/**
 * The mean of the non-NaN entries (`jnp.nanmean`; NaN where all are NaN).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanmean(np.array([[1, NaN], [3, 5]]), { axis: 1 }))) // [1, 4]
 *
 * @since 0.1.0
 */
export const nanmean = (x: TensorLike, options?: np.MeanOptions): Tensor => {
  checkOptions("nanmean", options, whereSpec)
  let t = toInexact(toTensor(x))
  if (options?.dtype !== undefined) t = np.astype(t, options.dtype)
  const reduce = { axis: options?.axis, keepdims: options?.keepdims, where: options?.where }
  const count = np.sum(lax.convertElementType(lax.eq(t, t), realDType(t.dtype)), reduce)
  return np.divide(np.sum(replaceNaN(t, 0), reduce), count)
}

// JAX's _nan_reduction: NaN where a slice is all NaN (whatever `where` says), unless
// `initial` is given: then the NaNs are plain -inf/+inf, and an all-NaN slice reduces to `initial`.
const nanExtreme = (op: string, isMax: boolean) => (x: TensorLike, options?: np.ReduceWhereOptions): Tensor => {
  checkOptions(op, options, { ...whereSpec, initial: number })
  const t = toTensor(x)
  if (!isInexact(t.dtype)) return isMax ? np.max(t, options) : np.min(t, options)
  const filled = replaceNaN(t, isMax ? -Infinity : Infinity)
  const r = isMax ? np.max(filled, options) : np.min(filled, options)
  if (options?.initial !== undefined) return r
  const allNaN = np.all(lax.ne(t, t), { axis: options?.axis, keepdims: options?.keepdims })
  return lax.select(allNaN, lax.full(r.shape, NaN, r.dtype), r)
}

/**
 * The maximum ignoring NaN (`jnp.nanmax`; NaN where all are NaN, unless
 * `initial` is given: then such a slice gives `initial`, as JAX).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanmax(np.array([1, NaN, 3])))) // 3
 * console.log(toJsSync(np.nanmax(np.array([NaN, NaN]), { initial: 5 }))) // 5
 *
 * @since 0.1.0
 */
export const nanmax = nanExtreme("nanmax", true)

/**
 * The minimum ignoring NaN (`jnp.nanmin`; NaN where all are NaN, unless
 * `initial` is given, as `nanmax`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanmin(np.array([1, NaN, -3])))) // -3
 *
 * @since 0.1.0
 */
export const nanmin = nanExtreme("nanmin", false)

// An all-NaN slice gives -1, as in JAX.
const nanArg = (isMax: boolean) => (x: TensorLike, options?: np.ArgOptions): Tensor => {
  const t = toTensor(x)
  const filled = replaceNaN(t, isMax ? -Infinity : Infinity)
  const r = isMax ? np.argmax(filled, options) : np.argmin(filled, options)
  if (!isInexact(t.dtype)) return r
  const none = lax.not(np.any(lax.eq(t, t), { axis: options?.axis, keepdims: options?.keepdims }))
  return lax.select(none, lax.full(r.shape, -1, "int32"), r)
}

/**
 * The index of the maximum ignoring NaN (`jnp.nanargmax`; an all-NaN slice gives -1).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanargmax(np.array([1, NaN, 3])))) // 2
 *
 * @since 0.1.0
 */
export const nanargmax = nanArg(true)

/**
 * The index of the minimum ignoring NaN (`jnp.nanargmin`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanargmin(np.array([NaN, 2, 1])))) // 2
 *
 * @since 0.1.0
 */
export const nanargmin = nanArg(false)

/**
 * The variance of the non-NaN entries (`jnp.nanvar`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanvar(np.array([1, NaN, 3])))) // 1
 *
 * @since 0.1.0
 */
export const nanvar = (x: TensorLike, options?: np.VarOptions): Tensor => nanVariance("nanvar", x, options)

const nanVariance = (op: string, x: TensorLike, options?: np.VarOptions): Tensor => {
  checkOptions(op, options, { ...whereSpec, ddof: number, correction: number, mean: anyValue })
  let t = toInexact(toTensor(x))
  if (options?.dtype !== undefined) t = np.astype(t, options.dtype)
  const axes = normalizeAxes(op, options?.axis, t.ndim)
  const where = options?.where
  // a given mean (JAX's `mean`), used as given
  const m = options?.mean === undefined
    ? nanmean(t, { axis: axes, keepdims: true, where })
    : np.astype(toTensor(options.mean), t.dtype)
  const d = lax.select(lax.eq(t, t), lax.sub(t, np.broadcastTo(m, t.shape)), c(t, 0))
  const sq = isComplex(t.dtype) ? lax.real(lax.mul(d, lax.conj(d))) : lax.mul(d, d)
  const reduce = { axis: axes, keepdims: options?.keepdims, where }
  const ddof = options?.ddof ?? options?.correction ?? 0
  const n = lax.sub(np.sum(lax.convertElementType(lax.eq(t, t), sq.dtype), reduce), lax.full([], ddof, sq.dtype))
  // JAX's NaN where no degrees of freedom are left.
  const total = np.sum(sq, reduce)
  return lax.select(lax.gt(n, lax.zerosLike(n)), lax.div(total, n), lax.full(total.shape, NaN, total.dtype))
}

/**
 * The standard deviation of the non-NaN entries (`jnp.nanstd`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanstd(np.array([1, NaN, 3])))) // 1
 *
 * @since 0.1.0
 */
export const nanstd = (x: TensorLike, options?: np.VarOptions): Tensor => lax.sqrt(nanVariance("nanstd", x, options))

/**
 * The range `max - min` along `axis` (`jnp.ptp`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.ptp(np.array([[4, 9, 2], [1, 1, 1]]), { axis: 1 }))) // [7, 0]
 *
 * @since 0.1.0
 */
export const ptp = (x: TensorLike, options?: np.ReduceOptions): Tensor =>
  np.subtract(np.max(x, options), np.min(x, options))

/** Options of `average`: the axis, optional weights (along the axis, or shaped like the input). @since 0.1.0 */
export interface AverageOptions {
  readonly axis?: number | ReadonlyArray<number> | undefined
  readonly weights?: TensorLike | undefined
  readonly keepdims?: boolean | undefined
  /** Also return the sum of the weights (the count without weights), as JAX's `returned`. */
  readonly returned?: boolean | undefined
}

/**
 * The weighted mean along `axis` (`jnp.average`): `sum(w x) / sum(w)`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.average(np.array([1, 2, 3, 4]), { weights: np.array([4, 3, 2, 1]) }))) // 2
 *
 * @since 0.1.0
 */
export const average: {
  (x: TensorLike, options: AverageOptions & { readonly returned: true }): [Tensor, Tensor]
  (x: TensorLike, options?: AverageOptions): Tensor
} = ((x: TensorLike, options?: AverageOptions): Tensor | [Tensor, Tensor] => {
  checkOptions("average", options, { axis: anyValue, weights: anyValue, keepdims: boolean, returned: boolean })
  const t = toInexact(toTensor(x))
  const reduce = { axis: options?.axis, keepdims: options?.keepdims }
  if (options?.weights === undefined) {
    const avg = np.mean(t, reduce)
    if (options?.returned !== true) return avg
    const n = np.sum(lax.full(t.shape, 1, avg.dtype), reduce)
    return [avg, n]
  }
  let w = toTensor(options.weights)
  if (w.ndim !== t.ndim) {
    if (typeof options.axis !== "number" || w.ndim !== 1) {
      throw new ShapeError({
        operation: "average",
        detail: "weights differing in shape from the input need one axis and 1-D weights of its length"
      })
    }
    const axis = normalizeAxes("average", options.axis, t.ndim)[0]!
    if (w.shape[0] !== t.shape[axis]) {
      throw new ShapeError({ operation: "average", detail: "length of weights not compatible with specified axis" })
    }
    w = lax.broadcastInDim(w, t.shape, [axis])
  }
  const wsum = np.sum(np.broadcastTo(w, t.shape), reduce)
  const avg = np.divide(np.sum(np.multiply(t, w), reduce), wsum)
  return options.returned === true ? [avg, np.broadcastTo(np.astype(wsum, avg.dtype), avg.shape)] : avg
}) as never

/** Options of `cov`: more variables `y`, rows as variables (the default), normalization, weights. @since 0.1.0 */
export interface CovOptions {
  /** More variables, as `m`'s (JAX's `y`). */
  readonly y?: TensorLike | undefined
  readonly rowvar?: boolean | undefined
  /** Normalize by N instead of N - 1. */
  readonly bias?: boolean | undefined
  readonly ddof?: number | undefined
  readonly fweights?: TensorLike | undefined
  readonly aweights?: TensorLike | undefined
}

/**
 * The covariance matrix of the variables in the rows of `m` (columns with
 * `rowvar: false`), and of `y`'s as more variables when given (`jnp.cov(m, y)`),
 * with NumPy's weights and normalization.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cov(np.array([[0, 1, 2], [2, 1, 0]])))) // [[1, -1], [-1, 1]]
 * console.log(toJsSync(np.cov(np.array([-1, 0, 1]), { y: np.array([1, 0, -1]) }))) // [[1, -1], [-1, 1]]
 *
 * @since 0.1.0
 */
export const cov = (m: TensorLike, options?: CovOptions): Tensor => {
  checkOptions("cov", options, {
    y: anyValue,
    rowvar: boolean,
    bias: boolean,
    ddof: integer,
    fweights: anyValue,
    aweights: anyValue
  })
  const y = options?.y
  // each as a matrix of variables (rows), as JAX's atleast_2d and transpose
  const variables = (a: TensorLike, name: string): Tensor => {
    let t = toInexact(toTensor(a))
    if (t.ndim > 2) throw new ShapeError({ operation: "cov", detail: `${name} has more than 2 dimensions` })
    if (t.ndim < 2) t = lax.reshape(t, [1, t.ndim === 0 ? 1 : t.shape[0]!])
    return options?.rowvar === false && t.shape[0] !== 1 ? lax.transpose(t, [1, 0]) : t
  }
  let x = variables(m, "m")
  if (y !== undefined) x = np.concatenate([x, variables(y, "y")], { axis: 0 })
  const n = x.shape[1]!
  let w: Tensor | undefined
  if (options?.fweights !== undefined) w = np.astype(toTensor(options.fweights), x.dtype)
  if (options?.aweights !== undefined) {
    const a = np.astype(toTensor(options.aweights), x.dtype)
    w = w === undefined ? a : lax.mul(w, a)
  }
  const ddof = options?.ddof ?? (options?.bias === true ? 0 : 1)
  const wsum = w === undefined ? lax.full([], n, x.dtype) : lax.reduceSum(w, [0])
  const mean = w === undefined
    ? lax.div(lax.reduceSum(x, [1]), lax.full([x.shape[0]!], n, x.dtype))
    : lax.div(lax.reduceSum(lax.mul(x, lax.broadcastInDim(w, x.shape, [1])), [1]), np.broadcastTo(wsum, [x.shape[0]!]))
  const xc = lax.sub(x, lax.broadcastInDim(mean, x.shape, [0]))
  let fact: Tensor
  if (w === undefined) fact = lax.full([], n - ddof, x.dtype)
  else if (ddof === 0) fact = wsum
  else if (options?.aweights === undefined) fact = lax.sub(wsum, lax.full([], ddof, x.dtype))
  else {
    const a = np.astype(toTensor(options.aweights), x.dtype)
    fact = lax.sub(wsum, lax.div(lax.mul(lax.full([], ddof, x.dtype), lax.reduceSum(lax.mul(w, a), [0])), wsum))
  }
  const xw = w === undefined ? xc : lax.mul(xc, lax.broadcastInDim(w, x.shape, [1]))
  const prod = lax.dotGeneral(xw, isComplex(x.dtype) ? lax.conj(xc) : xc, [[1], [1]])
  const out = lax.div(prod, np.broadcastTo(fact, prod.shape))
  return x.shape[0] === 1 ? lax.reshape(out, []) : out
}

/**
 * Pearson correlation coefficients (`jnp.corrcoef`): `cov` normalized by the
 * standard deviations, clipped to [-1, 1].
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.corrcoef(np.array([[1, 2, 3], [2, 4, 7]])))) // [[1, 0.9933993], [0.9933993, 1]]
 *
 * @since 0.1.0
 */
export const corrcoef = (
  x: TensorLike,
  options?: { readonly y?: TensorLike | undefined; readonly rowvar?: boolean | undefined }
): Tensor => {
  checkOptions("corrcoef", options, { y: anyValue, rowvar: boolean })
  const cv = cov(x, options)
  if (cv.ndim === 0) return lax.div(cv, cv)
  const d = lax.sqrt(diagonal(cv))
  const n = d.shape[0]!
  const outer = lax.mul(lax.broadcastInDim(d, [n, n], [0]), lax.broadcastInDim(d, [n, n], [1]))
  const r = lax.div(cv, outer)
  return np.clip(r, { min: -1, max: 1 })
}

/** Options of `bincount`: weights, and JAX's static `length` (or NumPy's `minlength`). @since 0.1.0 */
export interface BincountOptions {
  readonly weights?: TensorLike | undefined
  readonly minlength?: number | undefined
  /** The number of bins (values at or above it are dropped); required under transformations. */
  readonly length?: number | undefined
}

/**
 * How many times each integer occurs (weighted by `weights`; negative values count in bin 0, as JAX clips them)
 * (`jnp.bincount`). Without `length`, the input must be concrete.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([0, 1, 1, 3], { dtype: "int32" })
 * console.log(toJsSync(np.bincount(x))) // [1, 2, 0, 1]
 * console.log(toJsSync(np.bincount(x, { weights: np.array([0.5, 1, 1, 2]), length: 2 }))) // [0.5, 2]
 *
 * @since 0.1.0
 */
export const bincount = (x: TensorLike, options?: BincountOptions): Tensor => {
  checkOptions("bincount", options, { weights: anyValue, minlength: integer, length: integer })
  const t = toTensor(x)
  if (t.ndim !== 1) throw new ShapeError({ operation: "bincount", detail: "only 1-dimensional input supported" })
  if (t.dtype !== "int32" && t.dtype !== "uint32" && t.dtype !== "bool") {
    throw new ShapeError({ operation: "bincount", detail: `input must be integers, got ${t.dtype}` })
  }
  // JAX clips negative values to bin 0 (clip(x, 0)); values past `length` are dropped
  const raw = lax.convertElementType(t, "int32")
  const idx = lax.max(raw, lax.full(raw.shape, 0, "int32"))
  let length = options?.length
  if (length === undefined) {
    const max = idx.shape[0] === 0 ? -1 : (toJsSync(np.max(idx)) as number)
    length = Math.max(max + 1, options?.minlength ?? 0)
  } else count("bincount", "length", length)
  count("bincount", "length", length)
  const w = options?.weights === undefined ? lax.full(idx.shape, 1, "int32") : toTensor(options.weights)
  const n = idx.shape[0]!
  // Entries past the last bin go to an extra bin that is dropped.
  const inRange = lax.and(lax.ge(idx, lax.full([n], 0, "int32")), lax.lt(idx, lax.full([n], length, "int32")))
  const at = lax.select(inRange, idx, lax.full([n], length, "int32"))
  const sums = lax.scatterAdd(lax.full([length + 1], 0, w.dtype), at, np.broadcastTo(w, [n]), 0)
  return lax.slice(sums, [0], [length])
}

/**
 * The index of the bin each value falls in (`jnp.digitize`): `i` with
 * `bins[i-1] <= x < bins[i]` for increasing bins (`right` puts equality on the
 * right edge).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.digitize(np.array([0.2, 6.4, 3, 1.6]), np.array([0, 1, 2.5, 4, 10])))) // [1, 4, 3, 2]
 *
 * @since 0.1.0
 */
export const digitize = (
  x: TensorLike,
  bins: TensorLike,
  options?: { readonly right?: boolean | undefined; readonly method?: SearchsortedOptions["method"] }
): Tensor => {
  checkOptions("digitize", options, { right: boolean, method: string })
  const b = toTensor(bins)
  if (b.ndim !== 1) throw new ShapeError({ operation: "digitize", detail: "bins must be a 1-dimensional array" })
  const n = b.shape[0]!
  if (n === 0) return lax.full(toTensor(x).shape, 0, "int32")
  // Decreasing bins: search the reversed bins (same side) and count from the other end (JAX's rule).
  const side = options?.right === true ? "left" : "right"
  const increasing = lax.le(lax.slice(b, [0], [1]), lax.slice(b, [n - 1], [n]))
  // (`method` is searchsorted's, as JAX passes it on)
  const method = options?.method
  const up = searchsorted(b, x, { side, method })
  const down = lax.sub(
    lax.full(up.shape, n, "int32"),
    searchsorted(lax.rev(b, [0]), x, { side, method })
  )
  return lax.select(np.broadcastTo(lax.reshape(increasing, []), up.shape), up, down)
}

/** Options of `histogram`: the bins (a count, 10 by default, or the edges), the range, weights, density. @since 0.1.0 */
export interface HistogramOptions {
  readonly bins?: number | TensorLike | undefined
  readonly range?: readonly [number, number] | undefined
  readonly weights?: TensorLike | undefined
  readonly density?: boolean | undefined
}

/**
 * The bin edges `histogram` uses (`jnp.histogram_bin_edges`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.histogramBinEdges(np.array([1, 2, 5]), { bins: 2 }))) // [1, 3, 5]
 *
 * @since 0.1.0
 */
export const histogramBinEdges = (a: TensorLike, options?: HistogramOptions): Tensor => {
  checkOptions("histogramBinEdges", options, { bins: anyValue, range: anyValue, weights: anyValue, density: boolean })
  const t = toInexact(np.ravel(a))
  const bins = options?.bins ?? 10
  if (typeof bins !== "number") return toInexact(toTensor(bins))
  count("histogram", "bins", bins)
  if (bins < 1) throw argumentError("histogram", "bins", "a positive number of bins", bins)
  let lo: Tensor
  let hi: Tensor
  if (options?.range !== undefined) {
    const [l, h] = list<number>("histogram", "range", options.range)
    if (typeof l !== "number" || typeof h !== "number") {
      throw argumentError("histogram", "range", "[min, max] numbers", options.range)
    }
    if (!(l <= h)) throw argumentError("histogram", "range", "[min, max] with min <= max", options.range)
    lo = lax.full([], l, t.dtype)
    hi = lax.full([], h, t.dtype)
  } else if (t.shape[0] === 0) {
    lo = lax.full([], 0, t.dtype)
    hi = lax.full([], 1, t.dtype)
  } else {
    lo = lax.reduceMin(t, [0])
    hi = lax.reduceMax(t, [0])
  }
  // An empty range widens to [lo - 0.5, hi + 0.5], as NumPy.
  const same = lax.eq(lo, hi)
  lo = lax.select(same, lax.sub(lo, lax.full([], 0.5, t.dtype)), lo)
  hi = lax.select(same, lax.add(hi, lax.full([], 0.5, t.dtype)), hi)
  const steps = lax.div(
    lax.convertElementType(lax.iota("int32", [bins + 1], 0), t.dtype),
    lax.full([bins + 1], bins, t.dtype)
  )
  return lax.add(
    lax.broadcastInDim(lo, [bins + 1], []),
    lax.mul(steps, lax.broadcastInDim(lax.sub(hi, lo), [bins + 1], []))
  )
}

/**
 * Counts of the values in each bin (`jnp.histogram`): returns the counts (or
 * densities) and the `bins + 1` edges; the last bin includes its right edge.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const { counts, edges } = np.histogram(np.array([1, 2, 2, 3, 5]), { bins: 2 })
 * console.log(toJsSync({ counts, edges })) // { counts: [3, 2], edges: [1, 3, 5] }
 *
 * @since 0.1.0
 */
export const histogram = (
  a: TensorLike,
  options?: HistogramOptions
): { readonly counts: Tensor; readonly edges: Tensor } => {
  const edges = histogramBinEdges(a, options)
  const t = toInexact(np.ravel(a))
  const nb = edges.shape[0]! - 1
  const idx0 = lax.sub(searchsorted(edges, t, { side: "right" }), lax.full(t.shape, 1, "int32"))
  // The last edge belongs to the last bin; values outside the edges are dropped.
  const last = lax.eq(t, lax.broadcastInDim(lax.slice(edges, [nb], [nb + 1]), t.shape, [0]))
  const idx = lax.select(last, lax.full(t.shape, nb - 1, "int32"), idx0)
  const inRange = lax.and(lax.ge(idx, lax.full(t.shape, 0, "int32")), lax.lt(idx, lax.full(t.shape, nb, "int32")))
  const w = options?.weights === undefined
    ? lax.full(t.shape, 1, t.dtype)
    : np.astype(np.ravel(options.weights), t.dtype)
  const counts = lax.slice(
    lax.scatterAdd(lax.full([nb + 1], 0, t.dtype), lax.select(inRange, idx, lax.full(t.shape, nb, "int32")), w, 0),
    [0],
    [nb]
  )
  if (options?.density !== true) return { counts, edges }
  const widths = lax.sub(lax.slice(edges, [1], [nb + 1]), lax.slice(edges, [0], [nb]))
  const total = lax.broadcastInDim(lax.reduceSum(counts, [0]), [nb], [])
  return { counts: lax.div(lax.div(counts, widths), total), edges }
}

/**
 * Options of `logspace`: the count (50), the endpoint, the base (10), the dtype, and the axis of
 * the samples in the result (0; with array `start` and `stop`, as `linspace`'s).
 *
 * @since 0.1.0
 */
export interface LogspaceOptions {
  readonly num?: number | undefined
  readonly endpoint?: boolean | undefined
  readonly base?: number | undefined
  readonly dtype?: DType | undefined
  readonly axis?: number | undefined
}

const logspaceSpec = { num: integer, endpoint: boolean, base: number, dtype: anyValue, axis: integer }

/** The float dtype `logspace`/`geomspace` compute array ends in: float64 inputs stay float64. */
const spaceDType = (start: Tensor, stop: Tensor, dtype: DType | undefined): DType =>
  dtype === "float64" || start.dtype === "float64" || stop.dtype === "float64" ? "float64" : "float32"

/**
 * `base ** linspace(start, stop)` (`jnp.logspace`). Number ends are computed in
 * float64 on the host and rounded once; array ends (broadcast together) give
 * one sequence per element, along `axis`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logspace(0, 3, { num: 4 }))) // [1, 10, 100, 1000]
 * console.log(toJsSync(np.logspace(np.array([0, 1]), 3, { num: 2, axis: 1 }))) // [[1, 1000], [10, 1000]]
 *
 * @since 0.1.0
 */
export const logspace = (start: TensorLike, stop: TensorLike, options?: LogspaceOptions): Tensor => {
  checkOptions("logspace", options, logspaceSpec)
  const base = options?.base ?? 10
  if (typeof start !== "number" || typeof stop !== "number") {
    const [a, b] = [toTensor(start), toTensor(stop)]
    const inner = spaceDType(a, b, options?.dtype)
    const exps = np.linspace(a, b, {
      num: options?.num,
      endpoint: options?.endpoint,
      axis: options?.axis,
      dtype: inner
    })
    return np.astype(np.power(lax.full([], base, inner), exps), options?.dtype ?? inner)
  }
  // one sequence: its only axis is 0 (or -1)
  if (options?.axis !== undefined) checkAxis("logspace", options.axis, 1)
  const exps = np.linspace(start, stop, { num: options?.num, endpoint: options?.endpoint, dtype: "float64" })
  const host = toJsSync(exps) as Array<number>
  return np.array(host.map((e) => base ** e), { dtype: options?.dtype ?? "float32" })
}

/**
 * Numbers spaced evenly on a log scale between `start` and `stop`
 * (`jnp.geomspace`); both must be non-zero with one sign. Number ends give
 * exact ends (NumPy's); array ends one sequence per element, along `axis`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.geomspace(1, 1000, { num: 4 }))) // [1, 10, 100, 1000]
 * console.log(toJsSync(np.geomspace(np.array([1, -1]), np.array([100, -100]), { num: 3, axis: 1 }))) // [[1, 10, 100], [-1, -10, -100]]
 *
 * @since 0.1.0
 */
export const geomspace = (start: TensorLike, stop: TensorLike, options?: Omit<LogspaceOptions, "base">): Tensor => {
  checkOptions("geomspace", options, { num: integer, endpoint: boolean, dtype: anyValue, axis: integer })
  if (typeof start !== "number" || typeof stop !== "number") {
    const [a, b] = [toTensor(start), toTensor(stop)]
    const inner = spaceDType(a, b, options?.dtype)
    const [fa, fb] = [np.astype(a, inner), np.astype(b, inner)]
    // JAX's arrangement: the sign of start, and the magnitudes on a log10 scale
    const sign = np.sign(fa)
    const magnitudes = logspace(log10(np.divide(fa, sign)), log10(np.divide(fb, sign)), {
      num: options?.num,
      endpoint: options?.endpoint,
      dtype: inner,
      axis: 0
    })
    const out = np.multiply(sign, magnitudes)
    const placed = options?.axis === undefined ? out : np.moveaxis(out, 0, options.axis)
    return np.astype(placed, options?.dtype ?? inner)
  }
  checkArg("geomspace", "start", start, number)
  checkArg("geomspace", "stop", stop, number)
  if (options?.axis !== undefined) checkAxis("geomspace", options.axis, 1)
  if (start === 0 || stop === 0 || Math.sign(start) !== Math.sign(stop)) {
    throw argumentError("geomspace", "start and stop", "non-zero numbers of one sign", [start, stop])
  }
  const sign = Math.sign(start)
  const exps = toJsSync(
    np.linspace(Math.log10(Math.abs(start)), Math.log10(Math.abs(stop)), {
      num: options?.num,
      endpoint: options?.endpoint,
      dtype: "float64"
    })
  ) as Array<number>
  const values = exps.map((e) => sign * 10 ** e)
  // The ends are exact, as NumPy makes them.
  if (values.length > 0) values[0] = start
  if (values.length > 1 && options?.endpoint !== false) values[values.length - 1] = stop
  return np.array(values, { dtype: options?.dtype ?? "float32" })
}
