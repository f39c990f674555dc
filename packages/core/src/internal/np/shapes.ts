/**
 * `np`'s shape and index helpers: `broadcastShapes`, `broadcastArrays`,
 * `rollaxis`, `resize`, `indices`, `ix_`, `diagIndices`, `diagIndicesFrom`,
 * `fillDiagonal` (functional, as JAX's), `trimZeros` (concrete input),
 * `copy`, `compress`, `extract` and `choose`; the dtype predicates
 * `iscomplex`, `isreal`, `iscomplexobj`, `isrealobj`, `isscalar`; and the
 * vector products `vecdot`, `matvec`, `vecmat`, `spacing`, `unwrap`,
 * `sortComplex`.
 *
 * @since 0.1.0
 */
import { isComplex, isInexact } from "../../DType.js"
import type { DType } from "../../DType.js"
import { ConcretizationError, DTypeError, IndexError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import { broadcastShapes as shapeBroadcast } from "../../Shape.js"
import type { Shape } from "../../Shape.js"
import { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import {
  anyValue,
  argumentError,
  axes as axesCheck,
  boolean,
  checkAxis,
  checkOptions,
  checkShape,
  dtype as dtypeCheck,
  inplaceFalse,
  integer,
  string
} from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { concreteValues } from "../concrete.js"
import { nextafter as laxNextafter } from "../lax/bits.js"
import { populationCount } from "../lax/extras.js"
import {
  normalizeAxes,
  preferredCast,
  prepare,
  productOptions,
  productSpec,
  promoteAll,
  toInexact,
  toTensor,
  toTensors
} from "../npHelpers.js"
import { integerIndices } from "./checks.js"
import { argsort, nonzero, sort } from "./sorting.js"

/**
 * The shape arrays of these shapes broadcast to (NumPy's rules).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.broadcastShapes([3, 1], [1, 4], [4])) // [3, 4]
 *
 * @since 0.1.0
 */
export const broadcastShapes = (...shapes: ReadonlyArray<Shape>): Shape =>
  shapeBroadcast(...shapes.map((s) => checkShape("broadcast_shapes", s)))

/**
 * Every array broadcast to their common shape.
 *
 * @example
 * import { np } from "diffect"
 * const [a, b] = np.broadcastArrays(np.zeros([3, 1]), np.zeros([4]))
 * console.log([a!.shape, b!.shape]) // [[3, 4], [3, 4]]
 *
 * @since 0.1.0
 */
export const broadcastArrays = (...arrays: ReadonlyArray<TensorLike>): Array<Tensor> => {
  const ts = toTensors(arrays)
  const shape = shapeBroadcast(...ts.map((t) => t.shape))
  return ts.map((t) => np.broadcastTo(t, shape))
}

/**
 * Moves `axis` to position `start` (NumPy's legacy `rollaxis`; `moveaxis` is clearer).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.rollaxis(np.zeros([3, 4, 5, 6]), 3, 1).shape) // [3, 6, 4, 5]
 *
 * @since 0.1.0
 */
export const rollaxis = (a: TensorLike, axis: number, start = 0): Tensor => {
  const t = toTensor(a)
  const ax = checkAxis("rollaxis", axis, t.ndim)
  if (!Number.isInteger(start) || start < -t.ndim || start > t.ndim) {
    throw argumentError("rollaxis", "start", `an integer in [${-t.ndim}, ${t.ndim}]`, start)
  }
  let s = start < 0 ? start + t.ndim : start
  if (ax < s) s -= 1
  return np.moveaxis(t, ax, s)
}

/**
 * `a` flattened and repeated (or cut) to `newShape` (NumPy's `resize`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.resize(np.array([1, 2, 3]), [2, 4]))) // [[1, 2, 3, 1], [2, 3, 1, 2]]
 *
 * @since 0.1.0
 */
export const resize = (a: TensorLike, newShape: Shape | number): Tensor => {
  const t = np.ravel(toTensor(a))
  const shape = checkShape("resize", newShape)
  const size = shape.reduce((x, y) => x * y, 1)
  const n = t.shape[0]!
  if (size === 0) return lax.full(shape, 0, t.dtype)
  if (n === 0) return lax.full(shape, 0, t.dtype)
  const reps = Math.ceil(size / n)
  const tiled = lax.reshape(lax.broadcastInDim(t, [reps, n], [1]), [reps * n])
  return lax.reshape(lax.slice(tiled, [0], [size]), shape)
}

/** Options of `indices`: the dtype (int32), and one broadcastable grid per axis (`sparse`). @since 0.1.0 */
export interface IndicesOptions {
  readonly dtype?: DType | undefined
  readonly sparse?: boolean | undefined
}

/**
 * The index grids of `dimensions` (`jnp.indices`): `indices(d)[k]` holds each
 * position's k-th index. With `sparse: true`, a list of one grid per axis, of
 * shape 1 except along its own axis, which broadcast together.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.indices([2, 3]))) // [[[0, 0, 0], [1, 1, 1]], [[0, 1, 2], [0, 1, 2]]]
 * const [rows, cols] = np.indices([2, 3], { sparse: true })
 * console.log(rows!.shape, cols!.shape) // [2, 1] [1, 3]
 *
 * @since 0.1.0
 */
export function indices(dimensions: Shape, options?: IndicesOptions & { readonly sparse?: false | undefined }): Tensor
export function indices(dimensions: Shape, options: IndicesOptions & { readonly sparse: true }): Array<Tensor>
export function indices(dimensions: Shape, options?: IndicesOptions): Tensor | Array<Tensor>
export function indices(dimensions: Shape, options?: IndicesOptions): Tensor | Array<Tensor> {
  checkOptions("indices", options, { dtype: dtypeCheck, sparse: boolean })
  const shape = checkShape("indices", dimensions)
  const dtype = options?.dtype ?? "int32"
  if (options?.sparse === true) {
    return shape.map((n, k) => lax.iota(dtype, shape.map((_, d) => (d === k ? n : 1)), k))
  }
  const grids = shape.map((_, k) => lax.iota(dtype, shape, k))
  return grids.length === 0 ? lax.full([0], 0, dtype) : lax.concatenate(grids.map((g) => lax.expandDims(g, [0])), 0)
}

/**
 * Open meshes from 1-d index arrays: the k-th has its values along axis k
 * (NumPy's `ix_`).
 *
 * @example
 * import { np } from "diffect"
 * const [r, c] = np.ix(np.array([0, 1]), np.array([2, 4, 5]))
 * console.log([r!.shape, c!.shape]) // [[2, 1], [1, 3]]
 *
 * @since 0.1.0
 */
export const ix = (...args: ReadonlyArray<TensorLike>): Array<Tensor> => {
  const n = args.length
  return args.map((a, k) => {
    const t = toTensor(a)
    if (t.ndim !== 1) {
      throw new ShapeError({ operation: "ix_", detail: `Cross index must be 1 dimensional, got [${t.shape}]` })
    }
    return lax.reshape(t, Array.from({ length: n }, (_, i) => (i === k ? t.shape[0]! : 1)))
  })
}

/**
 * The indices of the main diagonal of an `n`-wide, `ndim`-dimensional array.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.diagIndices(3))) // [[0, 1, 2], [0, 1, 2]]
 *
 * @since 0.1.0
 */
export const diagIndices = (n: number, ndim = 2): Array<Tensor> => {
  if (!integer.test(n) || n < 0 || n > 1e8) throw argumentError("diag_indices", "n", "a non-negative integer", n)
  if (!integer.test(ndim) || ndim < 0 || ndim > 64) {
    throw argumentError("diag_indices", "ndim", "an integer from 0 to 64", ndim)
  }
  return Array.from({ length: ndim }, () => lax.iota("int32", [n], 0))
}

/**
 * The main-diagonal indices of `arr`, whose dimensions must all be equal.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.diagIndicesFrom(np.zeros([2, 2])))) // [[0, 1], [0, 1]]
 *
 * @since 0.1.0
 */
export const diagIndicesFrom = (arr: TensorLike): Array<Tensor> => {
  const t = toTensor(arr)
  if (t.ndim < 2 || !t.shape.every((d) => d === t.shape[0])) {
    throw new ShapeError({
      operation: "diag_indices_from",
      detail: `input array must be at least 2-d and all dimensions of equal length, got [${t.shape}]`
    })
  }
  return diagIndices(t.shape[0]!, t.ndim)
}

/**
 * `a` with its main diagonal set to `val` (JAX's functional `fill_diagonal`,
 * `inplace=False`; `wrap` for tall matrices as NumPy).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fillDiagonal(np.zeros([2, 3]), 5))) // [[5, 0, 0], [0, 5, 0]]
 *
 * @since 0.1.0
 */
export const fillDiagonal = (
  a: TensorLike,
  val: TensorLike,
  options?: { readonly wrap?: boolean | undefined; readonly inplace?: false | undefined }
): Tensor => {
  checkOptions("fill_diagonal", options, {
    wrap: { expected: "a boolean", test: (u) => typeof u === "boolean" },
    inplace: inplaceFalse
  })
  const t = toTensor(a)
  if (t.ndim < 2) throw new ShapeError({ operation: "fill_diagonal", detail: "array must be at least 2-d" })
  if (t.ndim > 2 && !t.shape.every((d) => d === t.shape[0])) {
    throw new ShapeError({ operation: "fill_diagonal", detail: "All dimensions of input must be of equal length" })
  }
  const flat = np.ravel(t)
  const size = flat.shape[0]!
  // the flat positions of the diagonal: a step of 1 + the sum of the cumulative strides
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((x, y) => x * y, 1))
  const step = strides.reduce((x, y) => x + y, 0)
  const end = t.ndim === 2 && options?.wrap !== true ? Math.min(t.shape[0]!, t.shape[1]!) * t.shape[1]! : size
  const positions: Array<number> = []
  for (let p = 0; p < end && p < size; p += step) positions.push(p)
  const values = np.ravel(np.astype(toTensor(val), t.dtype))
  const v = values.shape[0] === 0 ? lax.full([positions.length], 0, t.dtype) : resize(values, [positions.length])
  const mask = lax.full([size], 0, "bool")
  const idx = np.array(positions, { dtype: "int32" })
  const hit = lax.scatter(mask, idx, lax.full([positions.length], 1, "bool"), 0, "set")
  const placed = lax.scatter(lax.full([size], 0, t.dtype), idx, v, 0, "set")
  return lax.reshape(lax.select(hit, placed, flat), t.shape)
}

/** Options of `trimZeros`: the axes to trim (JAX's `axis`; every axis by default). @since 0.1.0 */
export interface TrimZerosOptions {
  readonly axis?: number | ReadonlyArray<number> | undefined
}

/**
 * `filt` without its leading (`"f"`), trailing (`"b"`) or both (`"fb"`) zeros:
 * along each axis of `axis` (all by default, as JAX's), the slices that are
 * zero throughout are trimmed from either end. The input must be concrete
 * (the result's shape depends on it). A `trim` with neither letter returns
 * `filt` (JAX's).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.trimZeros(np.array([0, 0, 1, 0, 2, 0])))) // [1, 0, 2]
 * console.log(toJsSync(np.trimZeros(np.array([[0, 0, 0], [0, 1, 0], [0, 2, 0]]), "fb", { axis: 0 }))) // [[0, 1, 0], [0, 2, 0]]
 *
 * @since 0.1.0
 */
export const trimZeros = (filt: TensorLike, trim: string = "fb", options?: TrimZerosOptions): Tensor => {
  checkOptions("trim_zeros", options, { axis: axesCheck })
  const t = toTensor(filt)
  if (typeof trim !== "string") throw argumentError("trim_zeros", "trim", "\"f\", \"b\" or \"fb\"", trim)
  const lower = trim.toLowerCase()
  const [front, back] = [lower.includes("f"), lower.includes("b")]
  const axes = new Set(normalizeAxes("trim_zeros", options?.axis, t.ndim))
  if (axes.size === 0 || (!front && !back)) return t
  const nz = np.asarray(
    concreteValues(
      np.notEqual(t, np.zerosLike(t)),
      "Error arose in the `filt` argument of trim_zeros(): the result's shape depends on its values"
    ) as np.TensorLike,
    { dtype: "bool" }
  )
  const starts = t.shape.map(() => 0)
  const limits = [...t.shape]
  for (const ax of axes) {
    const others = t.shape.map((_, k) => k).filter((k) => k !== ax)
    const mask = toJsSync(others.length === 0 ? nz : np.any(nz, { axis: others })) as Array<boolean>
    const first = mask.indexOf(true)
    if (first < 0) {
      limits[ax] = 0
      continue
    }
    if (front) starts[ax] = first
    if (back) limits[ax] = mask.lastIndexOf(true) + 1
  }
  return lax.slice(t, starts, limits.map((l, k) => Math.max(l, starts[k]!)))
}

/**
 * A copy of `a` (tensors are immutable, so it is `a` itself as a value).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.copy(np.array([1, 2])))) // [1, 2]
 *
 * @since 0.1.0
 */
export const copy = (a: TensorLike): Tensor => toTensor(a)

/** Options of `compress` and `extract`: JAX's static `size` and its `fillValue`. @since 0.1.0 */
export interface CompressOptions {
  /** The number of results along the axis (padded with `fillValue`); required under transformations. */
  readonly size?: number | undefined
  /** The value of the padded entries (0 by default). */
  readonly fillValue?: TensorLike | undefined
}

const compressAlong = (
  op: string,
  condition: TensorLike,
  a: TensorLike,
  axisOption: number | undefined,
  options: CompressOptions | undefined
): Tensor => {
  const c0 = toTensor(condition)
  if (c0.ndim !== 1) throw new ShapeError({ operation: op, detail: `condition must be a 1D array, got [${c0.shape}]` })
  const c = c0.dtype === "bool" ? c0 : np.notEqual(c0, np.zerosLike(c0))
  const t0 = toTensor(a)
  const axis = axisOption === undefined ? 0 : checkAxis(op, axisOption, t0.ndim)
  // JAX's layout: the compressed axis first, both truncated to the shorter length
  const moved = axisOption === undefined ? np.ravel(t0) : np.moveaxis(t0, axis, 0)
  const n = Math.min(c.shape[0]!, moved.shape[0]!)
  const cut = lax.slice(c, [0], [n])
  const t = lax.slice(moved, moved.shape.map(() => 0), [n, ...moved.shape.slice(1)])
  let result: Tensor
  if (options?.size === undefined) {
    const [idx] = nonzero(cut)
    // a true entry past the end of `a` selects nothing there: JAX refuses it rather than drop it
    const extra = toJsSync(lax.slice(c, [n], [c.shape[0]!])) as Array<boolean>
    const out = extra.indexOf(true)
    if (out >= 0) throw new IndexError({ index: n + out, axis, size: n })
    result = np.take(t, idx!, { axis: 0 })
  } else {
    const size = options.size
    if (size < 0 || size > n) {
      throw argumentError(op, "size", `in [0, ${n}] (the length of the compressed axis)`, size)
    }
    // JAX's static-size form: unselected slices become fillValue, and a stable descending
    // sort of the condition brings the selected ones first, in order.
    const fill = np.astype(toTensor(options.fillValue ?? 0), t.dtype)
    const mask = lax.broadcastInDim(cut, t.shape, [0])
    const filled = np.where(mask, t, fill)
    const order = lax.slice(argsort(np.astype(cut, "int32"), { stable: true, descending: true }), [0], [size])
    result = np.take(filled, order, { axis: 0 })
  }
  return axisOption === undefined ? result : np.moveaxis(result, 0, axis)
}

/**
 * The slices of `a` along `axis` (flattened without one) where the 1-D
 * `condition` holds; `condition` must be concrete, or give `size` for a
 * static length padded with `fillValue` (0 by default), as JAX. A true
 * entry of `condition` past the end of the axis is an `IndexError` (JAX's
 * "out of bounds").
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.compress(np.array([false, true, true]), np.array([[1, 2], [3, 4], [5, 6]]), { axis: 0 }))) // [[3, 4], [5, 6]]
 * console.log(toJsSync(np.compress(np.array([false, true, false]), np.array([5, 2, 3]), { size: 3, fillValue: -1 }))) // [2, -1, -1]
 *
 * @since 0.1.0
 */
export const compress = (
  condition: TensorLike,
  a: TensorLike,
  options?: CompressOptions & { readonly axis?: number | undefined }
): Tensor => {
  checkOptions("compress", options, { axis: integer, size: integer, fillValue: anyValue })
  return compressAlong("compress", condition, a, options?.axis, options)
}

/**
 * The elements of `arr` where `condition` holds, both flattened (the longer
 * truncated to the shorter); `size` pads with `fillValue` (0 by default).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.arange(6)
 * console.log(toJsSync(np.extract(np.equal(np.mod(a, 2), 0), a))) // [0, 2, 4]
 * console.log(toJsSync(np.extract(np.equal(np.mod(a, 2), 0), a, { size: 5 }))) // [0, 2, 4, 0, 0]
 *
 * @since 0.1.0
 */
export const extract = (
  condition: TensorLike,
  arr: TensorLike,
  options?: CompressOptions
): Tensor => {
  checkOptions("extract", options, { size: integer, fillValue: anyValue })
  return compressAlong("extract", np.ravel(toTensor(condition)), np.ravel(toTensor(arr)), undefined, options)
}

/**
 * `choices[a[i]][i]` for each position (NumPy's `choose`, `mode: "raise"` for
 * concrete out-of-range indices, or `"wrap"`/`"clip"`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const choices = [np.array([0, 1, 2, 3]), np.array([10, 11, 12, 13]), np.array([20, 21, 22, 23])]
 * console.log(toJsSync(np.choose(np.array([2, 0, 1, 0], { dtype: "int32" }), choices))) // [20, 1, 12, 3]
 *
 * @since 0.1.0
 */
export const choose = (
  a: TensorLike,
  choices: ReadonlyArray<TensorLike>,
  options?: { readonly mode?: "raise" | "wrap" | "clip" | undefined }
): Tensor => {
  checkOptions("choose", options, { mode: string })
  if (!Array.isArray(choices) || choices.length === 0) {
    throw argumentError("choose", "choices", "a non-empty array of arrays", choices)
  }
  const idx0 = integerIndices("choose", "a", a)
  const cs = promoteAll("choose", toTensors(choices))
  const shape = shapeBroadcast(idx0.shape, ...cs.map((c) => c.shape))
  const n = cs.length
  const mode = options?.mode ?? "raise"
  let idx = np.broadcastTo(idx0, shape)
  if (mode === "wrap") idx = np.mod(idx, n)
  else if (mode === "clip") idx = np.clip(idx, { min: 0, max: n - 1 })
  else if (mode === "raise") {
    try {
      const v = toJsSync(np.ravel(idx)) as Array<number>
      if (v.some((i) => i < 0 || i >= n)) {
        throw argumentError("choose", "a", `indices in [0, ${n}) (mode "raise")`, a)
      }
    } catch (e) {
      if (!(e instanceof ConcretizationError)) throw e
      idx = np.clip(idx, { min: 0, max: n - 1 })
    }
  } else throw argumentError("choose", "mode", "\"raise\", \"wrap\" or \"clip\"", mode)
  let out = np.broadcastTo(cs[0]!, shape)
  for (let k = 1; k < n; k++) out = lax.select(np.equal(idx, k), np.broadcastTo(cs[k]!, shape), out)
  return out
}

/**
 * Elementwise: whether each entry has a non-zero imaginary part.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.iscomplex(np.array([{ re: 1, im: 0 }, { re: 1, im: 2 }])))) // [false, true]
 *
 * @since 0.1.0
 */
export const iscomplex = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isComplex(t.dtype) ? np.notEqual(np.imag(t), 0) : lax.full(t.shape, 0, "bool")
}
/**
 * Elementwise: whether each entry's imaginary part is zero.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isreal(np.array([{ re: 1, im: 0 }, { re: 1, im: 2 }])))) // [true, false]
 *
 * @since 0.1.0
 */
export const isreal = (x: TensorLike): Tensor => lax.not(iscomplex(x))
/** Whether `x`'s dtype is complex. @since 0.1.0 */
export const iscomplexobj = (x: TensorLike): boolean => isComplex(toTensor(x).dtype)
/** Whether `x`'s dtype is not complex. @since 0.1.0 */
export const isrealobj = (x: TensorLike): boolean => !iscomplexobj(x)
/**
 * Whether `x` is a scalar: a JS number or boolean, or a rank-0 tensor (JAX's rule).
 *
 * @example
 * import { np } from "diffect"
 * console.log([np.isscalar(1), np.isscalar(np.array(1)), np.isscalar(np.array([1]))]) // [true, true, false]
 *
 * @since 0.1.0
 */
export const isscalar = (x: unknown): boolean =>
  typeof x === "number" || typeof x === "boolean" || (x instanceof Tensor && Tensor.isGenuine(x) && x.ndim === 0)

/**
 * The dot product of vectors along `axis` (conjugating `x1`, as the Array
 * API's `vecdot`); `precision` and `preferredElementType` as `np.dot`'s.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.vecdot(np.array([[1, 2], [3, 4]]), np.array([1, 1])))) // [3, 7]
 *
 * @since 0.1.0
 */
export const vecdot = (
  x1: TensorLike,
  x2: TensorLike,
  options?: np.PrecisionOptions & { readonly axis?: number | undefined }
): Tensor => {
  checkOptions("vecdot", options, { axis: integer, ...productSpec })
  const [a, b] = promoteAll("vecdot", [toTensor(x1), toTensor(x2)]) as [Tensor, Tensor]
  const shape = shapeBroadcast(a.shape, b.shape)
  const axis = checkAxis("vecdot", options?.axis ?? -1, shape.length)
  // the vector axis last, the others batch axes of one dot_general (JAX: a vmapped dot)
  const last = (t: Tensor) => np.moveaxis(np.broadcastTo(t, shape), axis, -1)
  const batch = Array.from({ length: shape.length - 1 }, (_, i) => i)
  const y = lax.dotGeneral(
    last(isComplex(a.dtype) ? np.conj(a) : a),
    last(b),
    [[shape.length - 1], [shape.length - 1]],
    [batch, batch],
    productOptions(options)
  )
  return preferredCast(y, options)
}

/**
 * Matrix-vector products over the last two axes of `x1` and the last of `x2`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.matvec(np.array([[1, 2], [3, 4]]), np.array([1, -1])))) // [-1, -1]
 *
 * @since 0.1.0
 */
export const matvec = (x1: TensorLike, x2: TensorLike): Tensor => {
  const v = toTensor(x2)
  return np.squeeze(np.matmul(x1, np.expandDims(v, -1)), { axis: -1 })
}

/**
 * Vector-matrix products: `x1` (conjugated) times the last two axes of `x2`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.vecmat(np.array([1, -1]), np.array([[1, 2], [3, 4]])))) // [-2, -2]
 *
 * @since 0.1.0
 */
export const vecmat = (x1: TensorLike, x2: TensorLike): Tensor => {
  const v = toTensor(x1)
  const c = isComplex(v.dtype) ? np.conj(v) : v
  return np.squeeze(np.matmul(np.expandDims(c, -2), x2), { axis: -2 })
}

/**
 * The distance from `x` to the next representable value away from zero (NumPy's `spacing`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.spacing(np.array([1, -1], { dtype: "float64" })))) // [2.220446049250313e-16, -2.220446049250313e-16]
 *
 * @since 0.1.0
 */
export const spacing = (x: TensorLike): Tensor => {
  const t = toInexact(toTensor(x))
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError({ operation: "spacing", detail: `takes real floating inputs, got ${t.dtype}` })
  }
  const away = lax.select(
    lax.lt(t, lax.full(t.shape, 0, t.dtype)),
    lax.full(t.shape, -Infinity, t.dtype),
    lax.full(t.shape, Infinity, t.dtype)
  )
  return lax.sub(laxNextafter(t, away), t)
}

/**
 * Unwraps phase jumps larger than `discont` (default `period / 2`) along `axis`
 * by adding multiples of `period` (default 2 pi), as JAX and NumPy: the period
 * is taken in the input's (inexact) dtype first, so in float32 a period past the
 * largest float32 is infinite, and so are its half and the default `discont`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const phase = np.array([0, 3, 6.5, 9.5], { dtype: "float64" })
 * console.log(toJsSync(np.unwrap(phase, { period: 4 }))) // [0, -1, -1.5, -2.5]
 *
 * @since 0.1.0
 */
export const unwrap = (
  p: TensorLike,
  options?: {
    readonly discont?: number | undefined
    readonly axis?: number | undefined
    readonly period?: number | undefined
  }
): Tensor => {
  checkOptions("unwrap", options, {
    discont: { expected: "a number", test: (u) => typeof u === "number" },
    axis: integer,
    period: { expected: "a number", test: (u) => typeof u === "number" }
  })
  const t0 = toTensor(p)
  if (isComplex(t0.dtype)) throw new DTypeError({ operation: "unwrap", detail: "does not support complex inputs" })
  // (a JS number is a weak float: integer input becomes float, as with a float period in JAX)
  const t = isInexact(t0.dtype) ? t0 : toInexact(t0)
  const axis = checkAxis("unwrap", options?.axis ?? -1, t.ndim)
  const n = t.shape[axis]!
  if (n < 2) return t
  const inDtype = (v: number): number => (t.dtype === "float32" ? Math.fround(v) : v)
  const period = inDtype(options?.period ?? 2 * Math.PI)
  const interval = inDtype(period / 2)
  const discont = options?.discont ?? interval
  const sl = (lo: number, hi: number) =>
    lax.slice(t, t.shape.map((_, i) => (i === axis ? lo : 0)), t.shape.map((d, i) => (i === axis ? hi : d)))
  const dd = np.subtract(sl(1, n), sl(0, n - 1))
  let ddmod = np.subtract(np.mod(np.add(dd, interval), period), interval)
  // a jump of exactly +interval stays +interval when the difference was positive
  ddmod = np.where(np.logicalAnd(np.equal(ddmod, -interval), np.greater(dd, 0)), interval, ddmod)
  const correction = np.where(np.less(np.abs(dd), discont), 0, np.subtract(ddmod, dd))
  // the first element as it is (a -0 stays -0), the rest plus the running correction
  return np.concatenate([sl(0, 1), np.add(sl(1, n), np.astype(np.cumsum(correction, { axis }), t.dtype))], { axis })
}

/**
 * Complex numbers sorted by real part, then imaginary part (real input is made complex, as NumPy).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sortComplex(np.array([3, 1, 2])))) // [{ re: 1, im: 0 }, { re: 2, im: 0 }, { re: 3, im: 0 }]
 *
 * @since 0.1.0
 */
export const sortComplex = (a: TensorLike): Tensor => {
  const t = toTensor(a)
  const c = isComplex(t.dtype) ? t : lax.complex(toInexact(t), lax.full(t.shape, 0, toInexact(t).dtype))
  return sort(c, { axis: -1 })
}

/**
 * The next representable value after `x1` toward `x2` (`lax.nextafter` with
 * NumPy promotion and broadcasting).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nextafter(np.array([1], { dtype: "float64" }), 2))) // [1.0000000000000002]
 *
 * @since 0.1.0
 */
export const nextafter = (x1: TensorLike, x2: TensorLike): Tensor => {
  const [a, b] = prepare("nextafter", [x1, x2]) as [Tensor, Tensor]
  return laxNextafter(toInexact(a), np.astype(toInexact(b), toInexact(a).dtype))
}

/**
 * The number of set bits of each integer's absolute value (NumPy 2's `bitwise_count`), as uint8's values in int32.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseCount(np.array([0, 7, -7, 255], { dtype: "int32" })))) // [0, 3, 3, 8]
 *
 * @since 0.1.0
 */
export const bitwiseCount = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (t.dtype === "bool") return np.astype(t, "int32")
  if (t.dtype !== "int32" && t.dtype !== "uint32") {
    throw new DTypeError({ operation: "bitwise_count", detail: `takes integers or bool, got ${t.dtype}` })
  }
  return populationCount(t.dtype === "int32" ? lax.abs(t) : t)
}
