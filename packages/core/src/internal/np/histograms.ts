/**
 * Multi-dimensional histograms (`histogramdd`, `histogram2d`): each
 * coordinate is binned as `histogram` bins (the last edge closes the last
 * bin; values outside the edges are dropped), the per-dimension bins are
 * combined into one flat index, and one `scatter_add` counts (or sums the
 * weights).
 *
 * @since 0.1.0
 */
import { ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, boolean, checkOptions, checkShape } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { promoteAll, toInexact, toTensor } from "../npHelpers.js"
import { searchsorted } from "./sorting.js"
import { histogramBinEdges } from "./stats.js"

/** Options of `histogramdd`: bins (one count for all, one per dimension, or edge arrays), ranges, weights, density. @since 0.1.0 */
export interface HistogramddOptions {
  readonly bins?: number | ReadonlyArray<number | TensorLike> | undefined
  readonly range?: ReadonlyArray<readonly [number, number] | undefined> | undefined
  readonly weights?: TensorLike | undefined
  readonly density?: boolean | undefined
}

/**
 * The histogram of `N` points in `D` dimensions (`sample` of shape `[N, D]`):
 * counts of shape `bins` and the edges of each dimension. As JAX's (a
 * `bincount`), the counts are int32 without weights, in the inexact dtype of
 * the sample and weights with them, and in the sample's with `density`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const pts = np.array([[0, 0], [1, 1], [1, 0.2], [0.5, 0.9]])
 * const { counts } = np.histogramdd(pts, { bins: 2 })
 * // x and y edges [0, 0.5, 1]; a value on an inner edge goes to the bin above it
 * console.log(toJsSync(counts)) // [[1, 0], [1, 2]]
 *
 * @since 0.1.0
 */
export const histogramdd = (
  sample: TensorLike,
  options?: HistogramddOptions
): { readonly counts: Tensor; readonly edges: Array<Tensor> } => {
  checkOptions("histogramdd", options, { bins: anyValue, range: anyValue, weights: anyValue, density: boolean })
  // JAX: the sample (with the weights, if any) promoted to inexact
  const weights0 = options?.weights === undefined ? undefined : toTensor(options.weights)
  const s0 = weights0 === undefined
    ? toInexact(toTensor(sample))
    : (promoteAll("histogramdd", [toTensor(sample), weights0]).map(toInexact)[0]!)
  const s = s0.ndim === 1 ? lax.reshape(s0, [s0.shape[0]!, 1]) : s0
  if (s.ndim !== 2) {
    throw new ShapeError({ operation: "histogramdd", detail: `sample must be [N, D], got [${s0.shape}]` })
  }
  const [n, d] = [s.shape[0]!, s.shape[1]!]
  const bins = options?.bins ?? 10
  const binsOf = (k: number) => {
    if (typeof bins === "number") return bins
    if (!Array.isArray(bins) || bins.length !== d) {
      throw argumentError("histogramdd", "bins", `a count, or ${d} counts or edge arrays`, bins)
    }
    return bins[k]!
  }
  const range = options?.range
  if (range !== undefined && (!Array.isArray(range) || range.length !== d)) {
    throw argumentError("histogramdd", "range", `${d} [min, max] pairs`, range)
  }
  const cols = Array.from({ length: d }, (_, k) => lax.reshape(lax.slice(s, [0, k], [n, k + 1]), [n]))
  const edges = cols.map((col, k) =>
    histogramBinEdges(col, {
      bins: binsOf(k) as number | TensorLike,
      ...(range?.[k] === undefined ? {} : { range: range[k] })
    })
  )
  const sizes = edges.map((e) => e.shape[0]! - 1)
  const total = sizes.reduce((a, b) => a * b, 1)
  // the counts' shape before any binning (it failed later, as 'full' of total + 1 entries)
  checkShape("histogramdd", sizes)
  let flat = lax.full([n], 0, "int32")
  let valid = lax.full([n], 1, "bool")
  let stride = total
  cols.forEach((col, k) => {
    const nb = sizes[k]!
    stride /= nb
    const e = np.astype(edges[k]!, col.dtype)
    const idx0 = lax.sub(searchsorted(e, col, { side: "right" }), lax.full([n], 1, "int32"))
    const last = lax.eq(col, lax.broadcastInDim(lax.slice(e, [nb], [nb + 1]), [n], [0]))
    const idx = lax.select(last, lax.full([n], nb - 1, "int32"), idx0)
    valid = lax.and(valid, lax.and(lax.ge(idx, lax.full([n], 0, "int32")), lax.lt(idx, lax.full([n], nb, "int32"))))
    flat = lax.add(flat, lax.mul(idx, lax.full([n], stride, "int32")))
  })
  // JAX's bincount: int32 counts without weights, sums in the weights' (inexact) dtype with them
  const w = weights0 === undefined ? lax.full([n], 1, "int32") : np.astype(np.ravel(weights0), s.dtype)
  if (w.shape[0] !== n) {
    throw new ShapeError({ operation: "histogramdd", detail: `weights must have one entry per sample (${n})` })
  }
  const at = lax.select(valid, flat, lax.full([n], total, "int32"))
  let counts = lax.reshape(lax.slice(lax.scatterAdd(lax.full([total + 1], 0, w.dtype), at, w, 0), [0], [total]), sizes)
  if (options?.density === true) {
    counts = np.astype(counts, s.dtype)
    // divide by the sample total and each cell's volume (the outer product of the bin widths)
    let volume: Tensor = lax.full([], 1, s.dtype)
    edges.forEach((e, k) => {
      const nb = sizes[k]!
      const width = np.astype(lax.sub(lax.slice(e, [1], [nb + 1]), lax.slice(e, [0], [nb])), s.dtype)
      const shape = sizes.map((m, j) => (j === k ? m : 1))
      volume = np.multiply(volume, lax.reshape(width, shape))
    })
    counts = np.divide(np.divide(counts, np.sum(counts)), volume)
  }
  return { counts, edges }
}

/**
 * The 2-d histogram of points `(x, y)`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const { counts, xedges } = np.histogram2d(np.array([0, 1, 2, 3]), np.array([0, 0, 1, 1]), { bins: 2 })
 * console.log(toJsSync(counts), toJsSync(xedges)) // [[2, 0], [0, 2]] [0, 1.5, 3]
 *
 * @since 0.1.0
 */
export const histogram2d = (
  x: TensorLike,
  y: TensorLike,
  options?: HistogramddOptions
): { readonly counts: Tensor; readonly xedges: Tensor; readonly yedges: Tensor } => {
  const tx = np.ravel(toTensor(x))
  const ty = np.ravel(toTensor(y))
  if (tx.shape[0] !== ty.shape[0]) {
    throw new ShapeError({
      operation: "histogram2d",
      detail: `x and y must have one length, got ${tx.shape[0]} and ${ty.shape[0]}`
    })
  }
  // JAX stacks x and y (one promoted dtype), and histogramdd makes it inexact
  const [a, b] = promoteAll("histogram2d", [tx, ty]).map(toInexact) as [Tensor, Tensor]
  const pts = lax.concatenate([lax.expandDims(a, [1]), lax.expandDims(b, [1])], 1)
  const { counts, edges } = histogramdd(pts, options)
  return { counts, xedges: edges[0]!, yedges: edges[1]! }
}
