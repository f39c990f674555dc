/**
 * `np`'s set operations on flattened arrays (`isin`, `union1d`,
 * `intersect1d`, `setdiff1d`, `setxor1d`): sort, mark the entries to keep,
 * and compact them in order. The result's length depends on the values, so,
 * as in JAX, a static `size` (padded with `fillValue`; by default 0 for
 * `setdiff1d`, the smallest result for the others) is needed under
 * transformations; without it the inputs must be concrete.
 *
 * @since 0.1.0
 */
import { isComplex, isInexact } from "../../DType.js"
import { ConcretizationError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import { argumentError, boolean, checkOptions, integer, number } from "../../Validate.js"
import type { Check, OptionSpec } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { promoteAll, toTensor } from "../npHelpers.js"
import { sort, unique } from "./sorting.js"

/** Options of the set operations: JAX's static `size` and `fillValue`. @since 0.1.0 */
export interface SetOptions {
  /** The result's length (padded with `fillValue` or truncated); required under transformations. */
  readonly size?: number | undefined
  /**
   * Pads the result past its count. JAX's defaults: 0 for `setdiff1d`; the smallest result for
   * `union1d`, `intersect1d` and `setxor1d` (for the last two NaN if a result is NaN, 0 if there is
   * none).
   */
  readonly fillValue?: number | undefined
  /** Accepted for NumPy's signature; the result is the same either way. */
  readonly assumeUnique?: boolean | undefined
}

const setSpec: OptionSpec = { size: integer, fillValue: number, assumeUnique: boolean }

/**
 * Whether each element of `element` is in `testElements` (NumPy's `isin`; a
 * comparison of every pair, so it differentiates to nothing and batches).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isin(np.array([1, 2, 3, 4]), np.array([2, 4, 6])))) // [false, true, false, true]
 * console.log(toJsSync(np.isin(np.array([1, 2]), np.array([2]), { invert: true }))) // [true, false]
 *
 * @since 0.1.0
 */
export const isin = (
  element: TensorLike,
  testElements: TensorLike,
  options?: {
    readonly invert?: boolean | undefined
    readonly assumeUnique?: boolean | undefined
    /** JAX's algorithm choice (`"auto"` by default); every one gives the same result here. */
    readonly method?: "auto" | "compare_all" | "binary_search" | "sort" | undefined
  }
): Tensor => {
  checkOptions("isin", options, { invert: boolean, assumeUnique: boolean, method: isinMethod })
  const [e, t] = promoteAll("isin", [toTensor(element), np.ravel(toTensor(testElements))]) as [Tensor, Tensor]
  const found = t.shape[0] === 0
    ? lax.full(e.shape, 0, "bool")
    : np.any(np.equal(np.expandDims(e, -1), t), { axis: -1 })
  return options?.invert === true ? lax.not(found) : found
}

const isinMethod: Check = {
  expected: "\"auto\", \"compare_all\", \"binary_search\" or \"sort\"",
  test: (u) => u === "auto" || u === "compare_all" || u === "binary_search" || u === "sort"
}

// What pads a result past its count when no `fillValue` is given: JAX's `setdiff1d` pads with 0;
// `intersect1d` and `setxor1d` with the smallest result (laundered through `max` then `min`, so NaN
// when a result is NaN, and 0 when there is none).
type DefaultFill = "zero" | "smallest"

// The kept entries of a sorted 1-d array, in order: `size` of them (padded) or all, when concrete.
const compact = (
  op: string,
  sorted: Tensor,
  keep: Tensor,
  options: SetOptions | undefined,
  defaultFill: DefaultFill
): Tensor => {
  const n = sorted.shape[0]!
  let size: number
  if (options?.size !== undefined) {
    if (options.size < 0 || options.size > 1e9) {
      throw argumentError(op, "size", "a non-negative integer (at most 1e9)", options.size)
    }
    size = options.size
  } else {
    try {
      size = toJsSync(np.sum(np.astype(keep, "int32"))) as number
    } catch (e) {
      if (!(e instanceof ConcretizationError)) throw e
      throw new ConcretizationError({
        detail: `${op}'s output size depends on the values; give the static size option (JAX's size=) to use ` +
          `${op} under a transformation`
      })
    }
  }
  if (n === 0) return lax.full([size], options?.fillValue ?? 0, sorted.dtype)
  if (size === 0) return lax.full([0], 0, sorted.dtype)
  // positions of kept entries sort before n; the first `size` are the answer
  const iota = lax.iota("int32", [n], 0)
  let order = lax.sort(lax.select(keep, iota, lax.full([n], n, "int32")))
  if (size > n) order = lax.concatenate([order, lax.full([size - n], n, "int32")], 0)
  const first = lax.slice(order, [0], [size])
  const valid = lax.lt(first, lax.full([size], n, "int32"))
  const values = lax.gather(sorted, lax.min(first, lax.full([size], n - 1, "int32")), 0)
  let fill: Tensor
  if (options?.fillValue !== undefined) fill = lax.full([size], options.fillValue, sorted.dtype)
  else if (defaultFill === "zero") fill = lax.full([size], 0, sorted.dtype)
  else {
    // the smallest result (the first, as they are sorted), NaN if one is NaN, 0 if there is none
    const zero = lax.full([size], 0, sorted.dtype)
    let smallest = lax.broadcastInDim(lax.slice(values, [0], [1]), [size], [0])
    if (isInexact(sorted.dtype) && !isComplex(sorted.dtype)) {
      const anyNan = np.any(lax.and(valid, lax.ne(values, values)))
      smallest = lax.select(lax.broadcastInDim(anyNan, [size], []), lax.full([size], NaN, sorted.dtype), smallest)
    }
    fill = lax.select(lax.broadcastInDim(lax.slice(valid, [0], [1]), [size], [0]), smallest, zero)
  }
  return lax.select(valid, values, fill)
}

// The sorted flattened input and a mask of each value's first occurrence (NaNs count as one value,
// as JAX's `unique` with `equal_nan=True`, which its set operations call).
const sortedFirst = (x: Tensor): readonly [Tensor, Tensor] => {
  const s = sort(np.ravel(x))
  const n = s.shape[0]!
  if (n === 0) return [s, lax.full([0], 0, "bool")]
  const next = lax.slice(s, [1], [n])
  const prev = lax.slice(s, [0], [n - 1])
  let differs = lax.ne(next, prev)
  if (isInexact(s.dtype)) differs = lax.and(differs, lax.not(lax.and(lax.ne(next, next), lax.ne(prev, prev))))
  return [s, lax.concatenate([lax.full([1], 1, "bool"), differs], 0)]
}

/**
 * The sorted distinct values found in either array.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.union1d(np.array([-1, 0, 1]), np.array([-2, 0, 2])))) // [-2, -1, 0, 1, 2]
 *
 * @since 0.1.0
 */
export const union1d = (ar1: TensorLike, ar2: TensorLike, options?: SetOptions): Tensor => {
  checkOptions("union1d", options, setSpec)
  const [a, b] = promoteAll("union1d", [np.ravel(toTensor(ar1)), np.ravel(toTensor(ar2))]) as [Tensor, Tensor]
  return unique(lax.concatenate([a, b], 0), { size: options?.size, fillValue: options?.fillValue })
}

/**
 * The sorted distinct values found in both arrays (with `returnIndices`, also where each
 * first occurs in each flattened input).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.intersect1d(np.array([1, 3, 4, 3]), np.array([3, 1, 2, 1])))) // [1, 3]
 * const [common, i1, i2] = np.intersect1d(np.array([1, 3, 4, 3]), np.array([3, 1, 2, 1]), { returnIndices: true })
 * console.log(toJsSync([common, i1, i2])) // [[1, 3], [0, 1], [1, 0]]
 *
 * @since 0.1.0
 */
export const intersect1d: {
  (ar1: TensorLike, ar2: TensorLike, options: SetOptions & { readonly returnIndices: true }): [Tensor, Tensor, Tensor]
  (ar1: TensorLike, ar2: TensorLike, options?: SetOptions & { readonly returnIndices?: boolean | undefined }): Tensor
} = ((ar1: TensorLike, ar2: TensorLike, options?: SetOptions & { readonly returnIndices?: boolean | undefined }) => {
  const { returnIndices, ...rest } = options ?? {}
  checkOptions("intersect1d", rest, setSpec)
  checkOptions("intersect1d", { returnIndices }, { returnIndices: boolean })
  const [a, b] = promoteAll("intersect1d", [np.ravel(toTensor(ar1)), np.ravel(toTensor(ar2))]) as [Tensor, Tensor]
  const [s, first] = sortedFirst(a)
  const common = compact("intersect1d", s, lax.and(first, isin(s, b)), rest, "smallest")
  if (returnIndices !== true) return common
  // the first index of each common value in each flattened input (NumPy's return_indices)
  const firstIndex = (t: Tensor) => {
    if (t.shape[0] === 0 || common.shape[0] === 0) return lax.full([common.shape[0]!], 0, "int32")
    const eq = lax.eq(
      lax.broadcastInDim(t, [common.shape[0]!, t.shape[0]!], [1]),
      lax.broadcastInDim(common, [common.shape[0]!, t.shape[0]!], [0])
    )
    return np.argmax(eq, { axis: 1 })
  }
  return [common, firstIndex(a), firstIndex(b)]
}) as never

/**
 * The sorted distinct values of `ar1` that are not in `ar2`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.setdiff1d(np.array([1, 2, 3, 2, 4, 1]), np.array([3, 4, 5, 6])))) // [1, 2]
 * console.log(toJsSync(np.setdiff1d(np.array([1, 2]), np.array([2]), { size: 3, fillValue: -1 }))) // [1, -1, -1]
 * // padded with 0 by default (JAX's fill_value)
 * console.log(toJsSync(np.setdiff1d(np.array([5, 1, 3]), np.array([3]), { size: 4 }))) // [1, 5, 0, 0]
 *
 * @since 0.1.0
 */
export const setdiff1d = (ar1: TensorLike, ar2: TensorLike, options?: SetOptions): Tensor => {
  checkOptions("setdiff1d", options, setSpec)
  const [a, b] = promoteAll("setdiff1d", [np.ravel(toTensor(ar1)), np.ravel(toTensor(ar2))]) as [Tensor, Tensor]
  const [s, first] = sortedFirst(a)
  // JAX pads with 0 (its fill_value default), not with the smallest result
  return compact("setdiff1d", s, lax.and(first, isin(s, b, { invert: true })), options, "zero")
}

/**
 * The sorted distinct values found in exactly one of the arrays. As in JAX, a
 * NaN in each input gives two NaNs (NaN never equals NaN).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.setxor1d(np.array([1, 2, 3, 4]), np.array([3, 4, 5, 6])))) // [1, 2, 5, 6]
 * console.log(toJsSync(np.setxor1d(np.array([NaN, 1]), np.array([2, NaN])))) // [1, 2, NaN, NaN]
 *
 * @since 0.1.0
 */
export const setxor1d = (ar1: TensorLike, ar2: TensorLike, options?: SetOptions): Tensor => {
  checkOptions("setxor1d", options, setSpec)
  const [a, b] = promoteAll("setxor1d", [np.ravel(toTensor(ar1)), np.ravel(toTensor(ar2))]) as [Tensor, Tensor]
  // JAX's rule: the distinct values of each input (NaNs as one), sorted together; an entry is kept
  // when it differs from both neighbours, so a NaN from each input gives two NaNs (NaN != NaN)
  const [sa, firstA] = sortedFirst(a)
  const [sb, firstB] = sortedFirst(b)
  const n = sa.shape[0]! + sb.shape[0]!
  if (n === 0) return compact("setxor1d", lax.concatenate([sa, sb], 0), lax.full([0], 0, "bool"), options, "smallest")
  // the distinct entries first (sorted), the repeats after them
  const repeat = lax.convertElementType(lax.not(lax.concatenate([firstA, firstB], 0)), "int32")
  const [repeatSorted, aux] = lax.sort([repeat, lax.concatenate([sa, sb], 0)], { dimension: 0, numKeys: 2 }) as [
    Tensor,
    Tensor
  ]
  const distinct = lax.eq(repeatSorted, lax.full([n], 0, "int32"))
  const next = lax.slice(aux, [1], [n])
  const prev = lax.slice(aux, [0], [n - 1])
  const neighbours = lax.ne(next, prev)
  const yes = lax.full([1], 1, "bool")
  // the entry after the last distinct one is a repeat, so it never counts as an equal neighbour
  const differsAfter = lax.or(
    lax.concatenate([neighbours, yes], 0),
    lax.not(lax.concatenate([lax.slice(distinct, [1], [n]), lax.full([1], 0, "bool")], 0))
  )
  const differsBefore = lax.concatenate([yes, neighbours], 0)
  return compact("setxor1d", aux, lax.and(distinct, lax.and(differsBefore, differsAfter)), options, "smallest")
}
