/**
 * JAX's dynamic slicing (`lax.dynamic_slice`, `dynamic_update_slice` and their
 * `_in_dim`/`_index_in_dim` forms): slices whose start indices are traced values.
 *
 * They are compositions, not primitives: a dynamic slice is one `gather` per
 * sliced axis (indices `start + iota(size)`), a dynamic update is one `gather`
 * of the update per axis (each output position reads `update[j - start]`,
 * clamped) and a `select` on the window mask. Every transformation then comes
 * from the rules of `gather`, `select` and the comparisons: the transpose of a
 * dynamic slice is a `scatter_add` into zeros (JAX's dynamic_update_slice of
 * zeros), a batched start index is a batched gather (JAX's gather/scatter
 * batching of dynamic slices). Starts given as JS numbers become static
 * `slice`s. Start indices follow JAX: a negative start counts from the end,
 * then every start is clamped into `[0, dim - size]` so the window fits.
 *
 * Written with `bind1` only (lax re-exports these functions; importing lax here
 * would be an import cycle).
 */
import { aval } from "../AbstractValue.js"
import * as DType from "../DType.js"
import { DTypeError, IndexError, ShapeError } from "../Errors.js"
import { bind1 } from "../Handler.js"
import type { Shape } from "../Shape.js"
import { ConcreteTensor, Tensor } from "../Tensor.js"
import { toJsSync } from "../ToJs.js"
import { argumentError, boolean, checkArg, checkOptions } from "../Validate.js"
import type { Check } from "../Validate.js"

/** A start index: a JS integer, or a rank-0 int32 tensor (traced or not). @since 0.1.0 */
export type Index = Tensor | number

/**
 * Options of `dynamicSlice` and `dynamicUpdateSlice`: JAX's
 * `allow_negative_indices` (default `true`), one flag or one per dimension.
 * With `false` a negative start is not counted from the end: a JS number is
 * an error, a tensor start is clamped to 0 as any out-of-range start.
 *
 * @since 0.1.0
 */
export interface DynamicSliceOptions {
  readonly allowNegativeIndices?: boolean | ReadonlyArray<boolean> | undefined
}

/** Options of the `_in_dim` forms: one `allowNegativeIndices` flag. @since 0.1.0 */
export interface DynamicSliceInDimOptions {
  readonly allowNegativeIndices?: boolean | undefined
}

const flags: Check = {
  expected: "a boolean or an array of booleans",
  test: (u) => typeof u === "boolean" || (Array.isArray(u) && u.every((b) => typeof b === "boolean"))
}

// One allow-negative flag per dimension (JAX's _dynamic_slice_indices).
const negativeFlags = (p: string, options: DynamicSliceOptions | undefined, n: number): ReadonlyArray<boolean> => {
  checkOptions(p, options, { allowNegativeIndices: flags })
  const a = options?.allowNegativeIndices ?? true
  if (typeof a === "boolean") return Array.from({ length: n }, () => a)
  if (a.length !== n) {
    throw argumentError(p, "allowNegativeIndices", `a boolean or ${n} booleans (one per dimension)`, a)
  }
  return a
}

const tuple = (s: ReadonlyArray<number>): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`

const int32 = (v: number): Tensor => new ConcreteTensor(aval([], "int32"), Int32Array.of(v), undefined)
const bcast = (x: Tensor, shape: Shape, dims: ReadonlyArray<number>): Tensor =>
  bind1("broadcast_in_dim", [x], { shape, broadcastDimensions: dims })
const iota = (n: number): Tensor => bind1("iota", [], { dtype: "int32", shape: [n], dimension: 0 })
const clampScalar = (lo: number, x: Tensor, hi: number): Tensor =>
  bind1("min", [bind1("max", [x, int32(lo)], {}), int32(hi)], {})

// The start indices as a list: an array of indices, or a rank-1 int32 tensor (split).
const startList = (p: string, starts: unknown): ReadonlyArray<Index> => {
  if (starts instanceof Tensor && Tensor.isGenuine(starts)) {
    if (starts.ndim !== 1) {
      throw new ShapeError({
        operation: p,
        detail: `start_indices must be a sequence of scalars or a rank-1 array, got shape ${tuple(starts.shape)}`
      })
    }
    return Array.from(
      { length: starts.shape[0]! },
      (_, i) =>
        bind1("reshape", [bind1("slice", [starts], { startIndices: [i], limitIndices: [i + 1], strides: null })], {
          newSizes: []
        })
    )
  }
  if (!Array.isArray(starts)) throw argumentError(p, "startIndices", "an array of integers or int32 scalars", starts)
  return starts as ReadonlyArray<Index>
}

// One start index, checked: a JS integer stays a number; a tensor must be a rank-0 integer.
// A JS number as a rank-0 tensor of the operand's dtype and weak type (an integer one takes integers only, as lax's
// JS numbers beside a tensor).
const numberUpdate = (p: string, value: number, dtype: DType.DType, weak: boolean): Tensor => {
  if (!DType.isInexact(dtype) && dtype !== "bool" && !Number.isInteger(value)) {
    throw new DTypeError({ operation: p, detail: `update ${value} is not an integer, for an ${dtype} operand` })
  }
  const host = DType.allocHost(dtype, 1)
  host[0] = (dtype === "bool" ? Number(value !== 0) : value) as never
  return new ConcreteTensor(aval([], dtype, weak), host, undefined)
}

// JAX: the tensor start indices share one integer dtype (JS numbers are weak and take it)
const sameIndexType = (p: string, starts: ReadonlyArray<Index>): ReadonlyArray<Index> => {
  const types = new Set(
    starts.flatMap((s) => (s instanceof Tensor && (s.dtype === "int32" || s.dtype === "uint32") ? [s.dtype] : []))
  )
  if (types.size > 1) {
    throw new DTypeError({
      operation: p,
      detail: `index arguments to ${p} must be integers of the same type, got: ${[...types].join(", ")}`
    })
  }
  return starts
}

const checkIndex = (p: string, u: unknown): Index => {
  if (typeof u === "number") {
    if (!Number.isInteger(u)) {
      throw new DTypeError({ operation: p, detail: `index arguments to ${p} must be integers, got ${u}` })
    }
    return u
  }
  if (!(u instanceof Tensor) || !Tensor.isGenuine(u)) {
    throw argumentError(p, "each start index", "an integer or an int32 scalar Tensor", u)
  }
  if (u.dtype !== "int32" && u.dtype !== "uint32") {
    throw new DTypeError({ operation: p, detail: `index arguments to ${p} must be integers, got: ${u.dtype}` })
  }
  if (u.ndim !== 0) {
    throw new ShapeError({
      operation: p,
      detail: `start_indices must be scalars, got an index of shape ${tuple(u.shape)}`
    })
  }
  if (u.dtype === "int32") return u
  // an unsigned start is never negative: capped at the int32 maximum (it is clamped to the
  // dimension anyway), then int32
  const cap = new ConcreteTensor(aval([], "uint32"), Uint32Array.of(2147483647), undefined)
  return bind1("convert_element_type", [bind1("min", [u, cap], {})], { dtype: "int32", weakType: false })
}

// JAX's start: negative counts from the end (unless allowNegative is false: a JS number is then an
// error, a tensor is clamped to 0), then clamped so that `size` elements fit.
const normalizedStart = (
  start: Index,
  axis: number,
  dim: number,
  size: number,
  allowNegative: boolean
): Index => {
  if (typeof start === "number") {
    if (start < 0 && !allowNegative) throw new IndexError({ index: start, axis, size: dim })
    return Math.min(Math.max(start < 0 ? start + dim : start, 0), dim - size)
  }
  if (!allowNegative) return clampScalar(0, start, dim - size)
  const shifted = bind1(
    "select",
    [bind1("lt", [start, int32(0)], {}), bind1("add", [start, int32(dim)], {}), start],
    {}
  )
  return clampScalar(0, shifted, dim - size)
}

const checkTensor = (p: string, name: string, u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(p, name, "a Tensor", u)
}

/**
 * The `sliceSizes` window of `x` starting at `startIndices` (JAX's
 * `lax.dynamic_slice`). Each start is a JS integer or a rank-0 int32 tensor
 * (possibly traced), or all of them one rank-1 int32 tensor; a negative start
 * counts from the end, and starts are clamped so that the window fits inside
 * `x` (XLA's rule), never an error. `sliceSizes` may be a concrete rank-1
 * integer tensor; `allowNegativeIndices: false` turns off counting from the end
 * (see {@link DynamicSliceOptions}).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
 * console.log(toJsSync(lax.dynamicSlice(x, [1, np.array(1, { dtype: "int32" })], [1, 2]))) // [[5, 6]]
 * // starts are clamped: the window [1, 3) of size 3 would overrun, so it starts at 1
 * console.log(toJsSync(lax.dynamicSlice(np.array([1, 2, 3, 4]), [5], [3]))) // [2, 3, 4]
 *
 * @since 0.1.0
 */
export const dynamicSlice = (
  x: Tensor,
  startIndices: ReadonlyArray<Index> | Tensor,
  sizes: ReadonlyArray<number> | Tensor,
  options?: DynamicSliceOptions
): Tensor => {
  const p = "dynamic_slice"
  const v = checkTensor(p, "operand", x)
  const starts = sameIndexType(p, startList(p, startIndices)).map((s) => checkIndex(p, s))
  // a concrete integer tensor of sizes is read (JAX's testDynamicSliceArraySliceSizes); a traced one cannot be
  const sliceSizes: unknown = sizes instanceof ConcreteTensor && Tensor.isGenuine(sizes) && sizes.ndim === 1 &&
      (sizes.dtype === "int32" || sizes.dtype === "uint32")
    ? toJsSync(sizes)
    : sizes
  if (!Array.isArray(sliceSizes) || !sliceSizes.every(Number.isInteger)) {
    throw argumentError(p, "sliceSizes", "an array of integers or a concrete rank-1 integer Tensor", sizes)
  }
  if (starts.length !== v.ndim) {
    throw new ShapeError({
      operation: p,
      detail: `start_indices must have length equal to the number of dimensions of the operand, ` +
        `got ${starts.length} indices for operand shape ${tuple(v.shape)}`
    })
  }
  if (sliceSizes.length !== starts.length) {
    throw new ShapeError({
      operation: p,
      detail: `slice_sizes must have the same length as start_indices, ` +
        `got start_indices length ${starts.length} and slice_sizes ${tuple(sliceSizes)}`
    })
  }
  if (sliceSizes.some((s) => s < 0)) {
    throw new ShapeError({
      operation: p,
      detail: `slice slice_sizes must be greater than or equal to zero, got slice_sizes of ${tuple(sliceSizes)}`
    })
  }
  if (sliceSizes.some((s, i) => s > v.shape[i]!)) {
    throw new ShapeError({
      operation: p,
      detail: `slice slice_sizes must be less than or equal to operand shape, ` +
        `got slice_sizes ${tuple(sliceSizes)} for operand shape ${tuple(v.shape)}`
    })
  }
  const allow = negativeFlags(p, options, starts.length)
  // Static starts first, as one slice; then one gather per traced start.
  const lo = v.shape.map(() => 0)
  const hi = v.shape.slice()
  const traced: Array<readonly [number, Tensor]> = []
  starts.forEach((s, i) => {
    const dim = v.shape[i]!
    const size = sliceSizes[i]!
    const n = normalizedStart(s, i, dim, size, allow[i]!)
    if (typeof n === "number") {
      lo[i] = n
      hi[i] = n + size
    } else if (size === dim) {
      // the clamped start of a full-size window is 0
    } else traced.push([i, n])
  })
  let out = lo.every((l, i) => l === 0 && hi[i] === v.shape[i])
    ? v
    : bind1("slice", [v], { startIndices: lo, limitIndices: hi, strides: null })
  for (const [i, start] of traced) {
    const size = sliceSizes[i]!
    const idx = bind1("add", [iota(size), bcast(start, [size], [])], {})
    out = bind1("gather", [out, idx], { axis: i })
  }
  return out
}

/**
 * `x` with `update` written at `startIndices` (JAX's `lax.dynamic_update_slice`):
 * same rank and dtype, `update` no larger than `x` along any axis. Starts are
 * normalized and clamped as in {@link dynamicSlice}, so the whole update always
 * lands inside `x`; the same `allowNegativeIndices` option.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.zeros([5])
 * console.log(toJsSync(lax.dynamicUpdateSlice(x, np.array([1, 2]), [np.array(1, { dtype: "int32" })]))) // [0, 1, 2, 0, 0]
 * // clamped: start 4 becomes 3 so that both elements fit
 * console.log(toJsSync(lax.dynamicUpdateSlice(x, np.array([1, 2]), [4]))) // [0, 0, 0, 1, 2]
 *
 * @since 0.1.0
 */
export const dynamicUpdateSlice = (
  x: Tensor,
  update: Tensor | number,
  startIndices: ReadonlyArray<Index> | Tensor,
  options?: DynamicSliceOptions
): Tensor => {
  const p = "dynamic_update_slice"
  const v = checkTensor(p, "operand", x)
  // a JS number is a scalar of the operand's dtype (JAX's weakly typed Python scalar update)
  const u = typeof update === "number" ? numberUpdate(p, update, v.dtype, v.weakType) : checkTensor(p, "update", update)
  const starts = sameIndexType(p, startList(p, startIndices)).map((s) => checkIndex(p, s))
  if (u.ndim !== v.ndim) {
    throw new ShapeError({
      operation: p,
      detail: `update must have the same rank as operand, got update shape ${tuple(u.shape)} ` +
        `for operand shape ${tuple(v.shape)}`
    })
  }
  if (starts.length !== v.ndim) {
    throw new ShapeError({
      operation: p,
      detail: `start_indices must have length equal to the rank of operand, ` +
        `got ${starts.length} indices for operand shape ${tuple(v.shape)}`
    })
  }
  if (u.shape.some((d, i) => d > v.shape[i]!)) {
    throw new ShapeError({
      operation: p,
      detail: `update shape must be smaller than operand shape, got update shape ${tuple(u.shape)} ` +
        `for operand shape ${tuple(v.shape)}`
    })
  }
  if (u.dtype !== v.dtype) {
    throw new DTypeError({
      operation: p,
      detail: `lax.${p} requires arguments to have the same dtypes, got ${v.dtype}, ${u.dtype}`
    })
  }
  const allow = negativeFlags(p, options, starts.length)
  if (v.shape.some((d) => d === 0) || u.shape.some((d) => d === 0)) return v
  // Spread the update over x's shape: position j of axis i reads update[clamp(j - start, 0, m - 1)]
  // (a static start is a pad); the window mask picks the update inside, x outside.
  let spread = u
  let mask: Tensor | undefined
  starts.forEach((s, i) => {
    const dim = v.shape[i]!
    const m = u.shape[i]!
    if (m === dim) return
    const start = normalizedStart(s, i, dim, m, allow[i]!)
    const pos = iota(dim)
    const startT = typeof start === "number" ? int32(start) : start
    const rel = bind1("sub", [pos, bcast(startT, [dim], [])], {})
    const idx = bind1("min", [bind1("max", [rel, bcast(int32(0), [dim], [])], {}), bcast(int32(m - 1), [dim], [])], {})
    spread = bind1("gather", [spread, idx], { axis: i })
    const inside = bind1("and", [
      bind1("ge", [rel, bcast(int32(0), [dim], [])], {}),
      bind1("lt", [rel, bcast(int32(m), [dim], [])], {})
    ], {})
    const axisMask = bcast(inside, v.shape, [i])
    mask = mask === undefined ? axisMask : bind1("and", [mask, axisMask], {})
  })
  // every axis of the update is whole: the update replaces x
  if (mask === undefined) return u
  return bind1("select", [mask, spread, v], {})
}

const checkAxisOf = (p: string, axis: unknown, ndim: number): number => {
  if (typeof axis !== "number" || !Number.isInteger(axis)) throw argumentError(p, "axis", "an integer", axis)
  if (axis < -ndim || axis >= ndim) {
    throw new ShapeError({ operation: p, detail: `axis ${axis} is out of bounds for array of dimension ${ndim}` })
  }
  return axis < 0 ? axis + ndim : axis
}

/**
 * `sliceSize` elements of `x` along `axis` from `startIndex` (JAX's
 * `lax.dynamic_slice_in_dim`); the other axes whole.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.dynamicSliceInDim(np.array([[1, 2, 3], [4, 5, 6]]), 1, 2, 1))) // [[2, 3], [5, 6]]
 *
 * @since 0.1.0
 */
export const dynamicSliceInDim = (
  x: Tensor,
  startIndex: Index,
  sliceSize: number,
  axis = 0,
  options?: DynamicSliceInDimOptions
): Tensor => {
  const v = checkTensor("dynamic_slice_in_dim", "operand", x)
  const a = checkAxisOf("dynamic_slice_in_dim", axis, v.ndim)
  return dynamicSlice(
    v,
    v.shape.map((_, i) => (i === a ? startIndex : 0)),
    v.shape.map((d, i) => (i === a ? sliceSize : d)),
    inDim("dynamic_slice_in_dim", options)
  )
}

// The `_in_dim` forms' one flag (JAX's bool), checked, for every dimension.
const inDim = (p: string, options: DynamicSliceInDimOptions | undefined): DynamicSliceOptions | undefined => {
  checkOptions(p, options, { allowNegativeIndices: boolean })
  return options?.allowNegativeIndices === undefined
    ? undefined
    : { allowNegativeIndices: checkArg<boolean>(p, "allowNegativeIndices", options.allowNegativeIndices, boolean) }
}

/**
 * The sub-tensor at `index` along `axis` (JAX's `lax.dynamic_index_in_dim`),
 * keeping that axis with size 1 unless `keepdims` is `false`. The index is
 * normalized and clamped as in {@link dynamicSlice}.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[1, 2], [3, 4], [5, 6]])
 * console.log(toJsSync(lax.dynamicIndexInDim(x, np.array(-1, { dtype: "int32" }), 0, false))) // [5, 6]
 *
 * @since 0.1.0
 */
export const dynamicIndexInDim = (
  x: Tensor,
  index: Index,
  axis = 0,
  keepdims = true,
  options?: DynamicSliceInDimOptions
): Tensor => {
  const v = checkTensor("dynamic_index_in_dim", "operand", x)
  const a = checkAxisOf("dynamic_index_in_dim", axis, v.ndim)
  const out = dynamicSlice(
    v,
    v.shape.map((_, i) => (i === a ? index : 0)),
    v.shape.map((d, i) => (i === a ? 1 : d)),
    inDim("dynamic_index_in_dim", options)
  )
  return keepdims ? out : bind1("squeeze", [out], { dimensions: [a] })
}

/**
 * `x` with `update` written along `axis` from `startIndex` (JAX's
 * `lax.dynamic_update_slice_in_dim`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.dynamicUpdateSliceInDim(np.zeros([2, 3]), np.ones([2, 1]), 2, 1))) // [[0, 0, 1], [0, 0, 1]]
 *
 * @since 0.1.0
 */
export const dynamicUpdateSliceInDim = (
  x: Tensor,
  update: Tensor,
  startIndex: Index,
  axis: number,
  options?: DynamicSliceInDimOptions
): Tensor => {
  const v = checkTensor("dynamic_update_slice_in_dim", "operand", x)
  const a = checkAxisOf("dynamic_update_slice_in_dim", axis, v.ndim)
  return dynamicUpdateSlice(
    v,
    update,
    v.shape.map((_, i) => (i === a ? startIndex : 0)),
    inDim("dynamic_update_slice_in_dim", options)
  )
}

/**
 * `x` with `update` written at `index` along `axis` (JAX's
 * `lax.dynamic_update_index_in_dim`); `update` may lack that axis.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.dynamicUpdateIndexInDim(np.zeros([3, 2]), np.array([7, 8]), 1, 0))) // [[0, 0], [7, 8], [0, 0]]
 *
 * @since 0.1.0
 */
export const dynamicUpdateIndexInDim = (
  x: Tensor,
  update: Tensor,
  index: Index,
  axis: number,
  options?: DynamicSliceInDimOptions
): Tensor => {
  const v = checkTensor("dynamic_update_index_in_dim", "operand", x)
  const u = checkTensor("dynamic_update_index_in_dim", "update", update)
  const a = checkAxisOf("dynamic_update_index_in_dim", axis, v.ndim)
  const full = u.ndim === v.ndim - 1 ? bind1("expand_dims", [u], { dimensions: [a] }) : u
  return dynamicUpdateSlice(
    v,
    full,
    v.shape.map((_, i) => (i === a ? index : 0)),
    inDim("dynamic_update_index_in_dim", options)
  )
}
