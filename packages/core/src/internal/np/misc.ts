/**
 * The remaining jax.numpy names: dtype introspection (`finfo`, `iinfo`,
 * `canCast`, `isdtype`, `issubdtype`), construction (`fromfunction`, `block`,
 * `maskIndices`), functional updates (`put`, `place`), `applyOverAxes`,
 * `iterable`, bit packing (`packbits`, `unpackbits`), `roots`,
 * `einsumPath` and the one-argument `where`, each with JAX's semantics.
 *
 * @since 0.1.0
 */
import { dtypes, isComplex, isDType, isFloating } from "../../DType.js"
import type { DType } from "../../DType.js"
import { ArgumentError, ConcretizationError, DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as linalg from "../../linalg.js"
import * as np from "../../np.js"
import { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import {
  anyValue,
  argumentError,
  boolean,
  checkArg,
  checkAxis,
  checkDTypeName,
  checkOptions,
  checkShape,
  everyElement,
  inplaceFalse,
  integer,
  isOptionsObject,
  number,
  string
} from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { contractionPlan } from "../einsum.js"
import { broadcastedIota } from "../lax/special.js"
import { toTensor, toTensors } from "../npHelpers.js"
import { atleast1d } from "./arrays.js"
import { argsort, nonzero } from "./sorting.js"
import type { NonzeroOptions } from "./sorting.js"

const dtypeOf = (op: string, u: unknown): DType => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u.dtype
  if (typeof u === "string") return u as DType
  throw argumentError(op, "dtype", "a dtype name or a Tensor", u)
}

// A dtype argument whose name is checked (a misspelt one made `issubdtype`/`isdtype` false, as
// JAX's `np.dtype(...)` refuses it); a missing one named by its argument.
const knownDType = (op: string, argument: string, u: unknown): DType => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u.dtype
  if (typeof u === "string") return checkDTypeName(op, u)
  throw argumentError(op, argument, "a dtype name or a Tensor", u)
}

/** Machine limits of a float dtype (NumPy's `finfo`). @since 0.1.0 */
export interface FInfo {
  readonly dtype: DType
  readonly bits: number
  readonly eps: number
  readonly epsneg: number
  readonly max: number
  readonly min: number
  readonly tiny: number
  readonly smallestNormal: number
  readonly smallestSubnormal: number
  readonly resolution: number
  readonly precision: number
  readonly nmant: number
  readonly nexp: number
  readonly maxexp: number
  readonly minexp: number
}

const F32: Omit<FInfo, "dtype"> = {
  bits: 32,
  eps: 2 ** -23,
  epsneg: 2 ** -24,
  max: 3.4028234663852886e38,
  min: -3.4028234663852886e38,
  tiny: 2 ** -126,
  smallestNormal: 2 ** -126,
  smallestSubnormal: 2 ** -149,
  resolution: 1e-6,
  precision: 6,
  nmant: 23,
  nexp: 8,
  maxexp: 128,
  minexp: -126
}
const F64: Omit<FInfo, "dtype"> = {
  bits: 64,
  eps: 2 ** -52,
  epsneg: 2 ** -53,
  max: Number.MAX_VALUE,
  min: -Number.MAX_VALUE,
  tiny: 2 ** -1022,
  smallestNormal: 2 ** -1022,
  smallestSubnormal: 2 ** -1074,
  resolution: 1e-15,
  precision: 15,
  nmant: 52,
  nexp: 11,
  maxexp: 1024,
  minexp: -1022
}

/**
 * The limits of a floating dtype (JAX's `jnp.finfo`; a complex dtype gives its
 * real part's, as NumPy's).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.finfo("float32").eps) // 1.1920928955078125e-7
 *
 * @since 0.1.0
 */
export const finfo = (dtype: DType | Tensor): FInfo => {
  const d = dtypeOf("finfo", dtype)
  if (d === "float32" || d === "complex64") return { dtype: "float32", ...F32 }
  if (d === "float64" || d === "complex128") return { dtype: "float64", ...F64 }
  throw new DTypeError({ operation: "finfo", detail: `data type ${String(d)} not inexact` })
}

/** Machine limits of an integer dtype (NumPy's `iinfo`). @since 0.1.0 */
export interface IInfo {
  readonly dtype: DType
  readonly bits: number
  readonly min: number
  readonly max: number
}

/**
 * The limits of an integer dtype (JAX's `jnp.iinfo`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.iinfo("int32").max) // 2147483647
 *
 * @since 0.1.0
 */
export const iinfo = (dtype: DType | Tensor): IInfo => {
  const d = dtypeOf("iinfo", dtype)
  if (d === "int32") return { dtype: d, bits: 32, min: -2147483648, max: 2147483647 }
  if (d === "uint32") return { dtype: d, bits: 32, min: 0, max: 4294967295 }
  throw new DTypeError({ operation: "iinfo", detail: `Invalid integer data type ${String(d)}.` })
}

// NumPy's kinds and their same_kind order (u and i share one: NumPy's simplified ordering).
const kindOrder = (d: DType): number =>
  d === "bool" ? 0 : d === "int32" || d === "uint32" ? 1 : d === "float32" || d === "float64" ? 2 : 3
const SAFE: Readonly<Record<string, ReadonlyArray<DType>>> = {
  bool: ["bool", "int32", "uint32", "float32", "float64", "complex64", "complex128"],
  int32: ["int32", "float64", "complex128"],
  uint32: ["uint32", "float64", "complex128"],
  float32: ["float32", "float64", "complex64", "complex128"],
  float64: ["float64", "complex128"],
  complex64: ["complex64", "complex128"],
  complex128: ["complex128"]
}

/**
 * Whether a cast between dtypes can happen under a casting rule (NumPy's and
 * JAX's `can_cast`): `"no"`/`"equiv"` (same dtype), `"safe"` (every value
 * kept, the default), `"same_kind"` (safe, or within a kind such as float64
 * to float32) or `"unsafe"`.
 *
 * @example
 * import { np } from "diffect"
 * console.log([np.canCast("int32", "float64"), np.canCast("int32", "float32"), np.canCast("float64", "float32", "same_kind")]) // [true, false, true]
 *
 * @since 0.1.0
 */
export const canCast = (
  from: DType | Tensor,
  to: DType,
  casting: "no" | "equiv" | "safe" | "same_kind" | "unsafe" = "safe"
): boolean => {
  const a = knownDType("canCast", "from", from)
  const b = knownDType("canCast", "to", to)
  // (float0, which no cast reaches), named by its own argument
  for (const [name, d] of [["from", a], ["to", b]] as const) {
    if (SAFE[d] === undefined) {
      throw argumentError(
        "canCast",
        name,
        "a dtype name (bool, int32, uint32, float32, float64, complex64, complex128)",
        d
      )
    }
  }
  switch (casting) {
    case "no":
    case "equiv":
      return a === b
    case "safe":
      return SAFE[a]!.includes(b)
    case "same_kind":
      return SAFE[a]!.includes(b) || kindOrder(a) >= kindOrder(b) && kindOrder(a) === kindOrder(b)
    case "unsafe":
      return true
    default:
      throw argumentError("canCast", "casting", "\"no\", \"equiv\", \"safe\", \"same_kind\" or \"unsafe\"", casting)
  }
}

/** A kind of `isdtype` (the Array API's names). @since 0.1.0 */
export type DTypeKind =
  | "bool"
  | "signed integer"
  | "unsigned integer"
  | "integral"
  | "real floating"
  | "complex floating"
  | "numeric"

const dtypeKinds: ReadonlyArray<DTypeKind> = [
  "bool",
  "signed integer",
  "unsigned integer",
  "integral",
  "real floating",
  "complex floating",
  "numeric"
]

const inKind = (d: DType, kind: DTypeKind | DType): boolean => {
  switch (kind) {
    case "signed integer":
      return d === "int32"
    case "unsigned integer":
      return d === "uint32"
    case "integral":
      return d === "int32" || d === "uint32"
    case "real floating":
      return d === "float32" || d === "float64"
    case "complex floating":
      return isComplex(d)
    case "numeric":
      return d !== "bool" && d !== "float0"
    default:
      return d === kind
  }
}

/**
 * Whether `dtype` is of `kind` (the Array API's and JAX's `isdtype`): a kind
 * name, a dtype, or an array of them (any matches).
 *
 * @example
 * import { np } from "diffect"
 * console.log([np.isdtype("float32", "real floating"), np.isdtype("int32", ["bool", "integral"])]) // [true, true]
 *
 * @since 0.1.0
 */
export const isdtype = (
  dtype: DType | Tensor,
  kind: DTypeKind | DType | ReadonlyArray<DTypeKind | DType>
): boolean => {
  const d = knownDType("isdtype", "dtype", dtype)
  const kinds: ReadonlyArray<DTypeKind | DType> = typeof kind === "string" ? [kind] : kind
  if (!Array.isArray(kinds) || !everyElement(kinds, (k) => typeof k === "string")) {
    throw argumentError("isdtype", "kind", "a kind name, a dtype name, or an array of them", kind)
  }
  for (const k of kinds) {
    // JAX: "Unrecognized kind='real_floating' expected one of [...]" (a misspelt kind was false)
    if (!(dtypeKinds as ReadonlyArray<string>).includes(k) && !isDType(k)) {
      throw argumentError("isdtype", "kind", `one of ${[...new Set([...dtypeKinds, ...dtypes])].join(", ")}`, k)
    }
  }
  return (kinds as ReadonlyArray<DTypeKind | DType>).some((k) => inKind(d, k))
}

/** NumPy's abstract dtype categories (`np.issubdtype`'s second argument). @since 0.1.0 */
export type DTypeCategory =
  | "generic"
  | "number"
  | "integer"
  | "signedinteger"
  | "unsignedinteger"
  | "inexact"
  | "floating"
  | "complexfloating"

const dtypeCategories: ReadonlyArray<DTypeCategory> = [
  "generic",
  "number",
  "integer",
  "signedinteger",
  "unsignedinteger",
  "inexact",
  "floating",
  "complexfloating"
]

/**
 * Whether `dtype` is `parent` or below it in NumPy's type hierarchy (JAX's
 * `issubdtype`; `parent` a dtype or a category such as `"floating"`).
 *
 * @example
 * import { np } from "diffect"
 * console.log([np.issubdtype("float32", "floating"), np.issubdtype("int32", "inexact")]) // [true, false]
 *
 * @since 0.1.0
 */
export const issubdtype = (dtype: DType | Tensor, parent: DType | DTypeCategory): boolean => {
  const d = knownDType("issubdtype", "dtype", dtype)
  // a category, else a dtype (JAX's `np.dtype(b)`: a misspelt category was false)
  if (!(dtypeCategories as ReadonlyArray<unknown>).includes(parent)) knownDType("issubdtype", "parent", parent)
  switch (parent) {
    case "generic":
      return true
    case "number":
      return d !== "bool" && d !== "float0"
    case "integer":
      return d === "int32" || d === "uint32"
    case "signedinteger":
      return d === "int32"
    case "unsignedinteger":
      return d === "uint32"
    case "inexact":
      return isFloating(d) || isComplex(d)
    case "floating":
      return isFloating(d)
    case "complexfloating":
      return isComplex(d)
    default:
      return d === parent
  }
}

/**
 * `f` called with one index array per axis of `shape` (JAX's `fromfunction`:
 * broadcasted iotas in `dtype`, float32 by default).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fromfunction((i, j) => np.add(np.multiply(i, 10), j), [2, 3]))) // [[0, 1, 2], [10, 11, 12]]
 *
 * @since 0.1.0
 */
export const fromfunction = <A>(
  f: (...indices: Array<Tensor>) => A,
  shape: ReadonlyArray<number>,
  options?: { readonly dtype?: DType | undefined }
): A => {
  if (typeof f !== "function") throw argumentError("fromfunction", "function", "a function", f)
  // (a number is a 1-d shape: the checked shape from here on)
  const dims = checkShape("fromfunction", shape)
  checkOptions("fromfunction", options, { dtype: string })
  const dtype = checkDTypeName("fromfunction", options?.dtype ?? "float32")
  return f(...dims.map((_, d) => broadcastedIota(dtype, dims, d)))
}

type Nested = TensorLike | ReadonlyArray<Nested>

/**
 * Assembles an array from nested lists of blocks (JAX's `block`): the innermost
 * lists are concatenated along the last axis, the next level along the
 * second-to-last, and so on; blocks are first raised to the common rank by
 * leading unit axes.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.eye(2)
 * console.log(toJsSync(np.block([[a, np.zeros([2, 1])], [np.ones([1, 2]), np.array([[5]])]]))) // [[1, 0, 0], [0, 1, 0], [1, 1, 5]]
 *
 * @since 0.1.0
 */
export const block = (arrays: ReadonlyArray<Nested>): Tensor => {
  if (!Array.isArray(arrays)) return atleast1d(toTensor(arrays as TensorLike))
  // lists are the block structure, everything else a block
  // the lists on the path from the top: a list inside itself would recurse without end
  const open = new Set<unknown>()
  const depthOf = (x: Nested): number => {
    if (!Array.isArray(x)) return 0
    if (x.length === 0) throw new ShapeError({ operation: "block", detail: "Lists cannot be empty" })
    if (open.has(x)) {
      throw new ArgumentError({
        operation: "block",
        argument: "arrays",
        expected: "nested lists of tensors",
        got: "a list that contains itself"
      })
    }
    // the result's rank is at least the depth, and ranks stop at 64 (also: no stack overflow)
    if (open.size >= 64) {
      throw new ShapeError({ operation: "block", detail: "Lists are nested deeper than 64 levels (the largest rank)" })
    }
    open.add(x)
    const ds = (x as ReadonlyArray<Nested>).map(depthOf)
    open.delete(x)
    if (ds.some((d) => d !== ds[0])) throw new ShapeError({ operation: "block", detail: "List depths are mismatched" })
    return 1 + ds[0]!
  }
  const depth = depthOf(arrays)
  const leaves: Array<Tensor> = []
  const collect = (x: Nested): void => {
    if (Array.isArray(x)) { for (const e of x as ReadonlyArray<Nested>) collect(e) }
    else leaves.push(toTensor(x as TensorLike))
  }
  collect(arrays)
  const rank = Math.max(depth, ...leaves.map((l) => l.ndim))
  const raise = (t: Tensor) => (t.ndim === rank ? t : np.reshape(t, [...Array(rank - t.ndim).fill(1), ...t.shape]))
  const build = (x: Nested, level: number): Tensor => {
    if (!Array.isArray(x)) return raise(toTensor(x as TensorLike))
    const parts = (x as ReadonlyArray<Nested>).map((e) => build(e, level + 1))
    return np.concatenate(parts, { axis: rank - depth + level })
  }
  return build(arrays, 0)
}

// `v` repeated cyclically to `n` values (NumPy's put/place semantics).
const tileTo = (v: Tensor, n: number): Tensor => {
  const flat = np.ravel(v)
  const reps = Math.ceil(n / flat.size)
  return lax.slice(np.tile(flat, reps), [0], [n], null)
}

/**
 * `a` with the flat positions `ind` set to `v` (repeated cyclically), as a new
 * array (JAX's `put` with `inplace=False`). With mode `undefined` (JAX's
 * `None`, its indices going through `unravel_index`) negative indices from
 * `-a.size` count from the end and the others out of range are clamped into
 * range; `"clip"` clamps every index into `[0, a.size)` (negatives to 0),
 * `"wrap"` wraps them modulo `a.size`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.put(np.zeros([5]), np.array([0, 2, 4], { dtype: "int32" }), np.array([1, 2])))) // [1, 0, 2, 0, 1]
 * const ind = np.array([10, -7], { dtype: "int32" })
 * console.log(toJsSync(np.put(np.array([1, 2, 3, 4, 5]), ind, np.array([7, 9])))) // [9, 2, 3, 4, 7]
 * console.log(toJsSync(np.put(np.array([1, 2, 3, 4, 5]), np.array([-1], { dtype: "int32" }), np.array([7])))) // [1, 2, 3, 4, 7]
 * console.log(toJsSync(np.put(np.array([1, 2, 3, 4, 5]), np.array([-1], { dtype: "int32" }), np.array([7]), { mode: "clip" }))) // [7, 2, 3, 4, 5]
 *
 * @since 0.1.0
 */
export const put = (
  a: TensorLike,
  ind: TensorLike,
  v: TensorLike,
  options?: { readonly mode?: "clip" | "wrap" | undefined; readonly inplace?: false | undefined }
): Tensor => {
  checkOptions("put", options, { mode: anyValue, inplace: inplaceFalse })
  const arr = toTensor(a)
  let idx = np.ravel(toTensor(ind))
  const vals = toTensor(v)
  if (arr.size === 0 || idx.size === 0 || vals.size === 0) return arr
  const mode = options?.mode
  if (mode !== undefined && mode !== "clip" && mode !== "wrap") {
    throw argumentError("put", "mode", "undefined, \"clip\" or \"wrap\" (\"raise\" needs concrete indices)", mode)
  }
  if (idx.dtype !== "int32") {
    throw new DTypeError({ operation: "put", detail: `indices must have an integer dtype, got ${idx.dtype}` })
  }
  const int = (v: number) => lax.full(idx.shape, v, "int32")
  // JAX's unravel_index: i in [-size, 0) counts from the end, the rest out of range clamps
  if (mode === undefined) idx = lax.select(lax.lt(idx, int(0)), lax.add(idx, int(arr.size)), idx)
  if (mode === undefined || mode === "clip") idx = lax.min(lax.max(idx, int(0)), int(arr.size - 1))
  // floor modulo (NumPy's wrap): ((i % n) + n) % n
  if (mode === "wrap") idx = lax.rem(lax.add(lax.rem(idx, int(arr.size)), int(arr.size)), int(arr.size))
  const updated = np.at(np.ravel(arr), idx).set(np.astype(tileTo(vals, idx.size), arr.dtype))
  return np.reshape(updated, arr.shape)
}

/**
 * `arr` with the positions where `mask` is true filled, in order, with `vals`
 * (repeated cyclically), as a new array (JAX's `place` with `inplace=False`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.place(np.zeros([5]), np.array([true, false, true, true, false]), np.array([7, 8])))) // [7, 0, 8, 7, 0]
 *
 * @since 0.1.0
 */
export const place = (
  arr: TensorLike,
  mask: TensorLike,
  vals: TensorLike,
  options?: { readonly inplace?: false | undefined }
): Tensor => {
  checkOptions("place", options, { inplace: inplaceFalse })
  const data = toTensor(arr)
  const m = np.ravel(np.broadcastTo(np.astype(toTensor(mask), "bool"), data.shape))
  const v = toTensor(vals)
  if (data.size === 0 || v.size === 0) return data
  const tiled = np.astype(tileTo(v, data.size), data.dtype)
  const order = np.astype(np.cumsum(np.astype(m, "int32")), "int32")
  const picked = np.take(
    tiled,
    lax.max(lax.sub(order, lax.full(order.shape, 1, "int32")), lax.full(order.shape, 0, "int32"))
  )
  return np.reshape(np.where(m, picked, np.ravel(data)), data.shape)
}

/**
 * The indices of an `n` x `n` array where `maskFunc(ones, k)` is non-zero
 * (JAX's `mask_indices`, e.g. with `(a, k) => np.triu(a, { k })`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.maskIndices(3, (a, k) => np.triu(a, { k }), 1))) // [[0, 0, 1], [1, 2, 2]]
 *
 * @since 0.1.0
 */
export const maskIndices = (
  n: number,
  maskFunc: (a: Tensor, k: number) => Tensor,
  k = 0
): ReadonlyArray<Tensor> => {
  if (!Number.isSafeInteger(n) || n < 0 || n > 46340) {
    throw argumentError("maskIndices", "n", "a non-negative integer (n * n elements)", n)
  }
  if (typeof maskFunc !== "function") throw argumentError("maskIndices", "mask_func", "a function", maskFunc)
  checkArg("maskIndices", "k", k, integer)
  return nonzero(maskFunc(np.ones([n, n], { dtype: "int32" }), k))
}

/**
 * Applies `func(a, axis)` over each of `axes` in turn (JAX's
 * `apply_over_axes`): a result one rank lower gets its axis back (size 1), one
 * of the same rank is used as is.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const a = np.reshape(np.arange(6), [2, 3])
 * console.log(toJsSync(np.applyOverAxes((x, axis) => np.sum(x, { axis }), a, [0, 1]))) // [[15]]
 *
 * @since 0.1.0
 */
export const applyOverAxes = (
  func: (a: Tensor, axis: number) => Tensor,
  a: TensorLike,
  axes: number | ReadonlyArray<number>
): Tensor => {
  if (typeof func !== "function") throw argumentError("applyOverAxes", "func", "a function", func)
  let t = toTensor(a)
  const list = typeof axes === "number" ? [axes] : Array.isArray(axes) ? axes : undefined
  if (list === undefined) throw argumentError("applyOverAxes", "axes", "an integer or an array of integers", axes)
  for (const ax of list) {
    const axis = checkAxis("applyOverAxes", ax, t.ndim)
    const b = func(t, axis)
    if (!(b instanceof Tensor && Tensor.isGenuine(b))) {
      throw argumentError("applyOverAxes", "func", "a function returning a Tensor", b)
    }
    if (b.ndim === t.ndim) t = b
    else if (b.ndim === t.ndim - 1) t = np.expandDims(b, axis)
    else {throw new ShapeError({
        operation: "applyOverAxes",
        detail: "function is not returning an array of the correct shape"
      })}
  }
  return t
}

/**
 * Whether `y` can be iterated (NumPy's `iterable`): JS iterables and tensors of
 * rank 1 or more (a rank-0 tensor is not).
 *
 * @example
 * import { np } from "diffect"
 * console.log([np.iterable([1, 2]), np.iterable(np.array(3)), np.iterable(np.zeros([2]))]) // [true, false, true]
 *
 * @since 0.1.0
 */
export const iterable = (y: unknown): boolean => {
  if (y instanceof Tensor) return Tensor.isGenuine(y) && y.ndim > 0
  return y !== null && y !== undefined && typeof (y as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
}

const bitorderOf = (op: string, b: unknown): "big" | "little" => {
  const v = b ?? "big"
  if (v !== "big" && v !== "little") throw argumentError(op, "bitorder", "\"big\" or \"little\"", v)
  return v
}

/**
 * Packs the truth values of an integer or bool array into bytes along `axis`
 * (all flattened by default), padding with zeros to a multiple of 8 (JAX's
 * `packbits`). diffect has no uint8, so the bytes are uint32 values 0..255.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.packbits(np.array([1, 0, 1, 1, 0, 0, 0, 0, 1], { dtype: "int32" })))) // [176, 128]
 *
 * @since 0.1.0
 */
export const packbits = (
  a: TensorLike,
  options?: { readonly axis?: number | undefined; readonly bitorder?: "big" | "little" | undefined }
): Tensor => {
  checkOptions("packbits", options, { axis: integer, bitorder: anyValue })
  let t = toTensor(a)
  if (isFloating(t.dtype) || isComplex(t.dtype)) {
    throw new DTypeError({ operation: "packbits", detail: "Expected an input array of integer or boolean data type" })
  }
  const order = bitorderOf("packbits", options?.bitorder)
  let axis: number
  if (options?.axis === undefined) {
    t = np.ravel(t)
    axis = 0
  } else axis = checkAxis("packbits", options.axis, t.ndim)
  const bits = np.astype(np.notEqual(t, 0), "uint32")
  const n = t.shape[axis]!
  const padded = Math.ceil(n / 8) * 8
  const widths = bits.shape.map((_, d): readonly [number, number] => [0, d === axis ? padded - n : 0])
  const p = np.pad(bits, widths)
  const shape = [...p.shape.slice(0, axis), padded / 8, 8, ...p.shape.slice(axis + 1)]
  const weights = Array.from({ length: 8 }, (_, i) => 2 ** (order === "big" ? 7 - i : i))
  const w = np.reshape(np.array(weights, { dtype: "uint32" }), [8, ...Array(t.ndim - axis - 1).fill(1)])
  return np.sum(np.multiply(np.reshape(p, shape), w), { axis: axis + 1, dtype: "uint32" })
}

/**
 * Unpacks bytes (integers 0..255) into their bits along `axis` (all flattened
 * by default), keeping the first `count` bits when given (JAX's `unpackbits`);
 * the result is uint32 zeros and ones (diffect has no uint8).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.unpackbits(np.array([176, 128], { dtype: "uint32" }), { count: 9 }))) // [1, 0, 1, 1, 0, 0, 0, 0, 1]
 *
 * @since 0.1.0
 */
export const unpackbits = (
  a: TensorLike,
  options?: {
    readonly axis?: number | undefined
    readonly count?: number | undefined
    readonly bitorder?: "big" | "little" | undefined
  }
): Tensor => {
  checkOptions("unpackbits", options, { axis: integer, count: integer, bitorder: anyValue })
  let t = toTensor(a)
  if (t.dtype !== "uint32" && t.dtype !== "int32") {
    throw new DTypeError({
      operation: "unpackbits",
      detail: `Expected an input array of unsigned byte data type, got ${t.dtype}`
    })
  }
  const order = bitorderOf("unpackbits", options?.bitorder)
  let axis: number
  if (options?.axis === undefined) {
    t = np.ravel(t)
    axis = 0
  } else axis = checkAxis("unpackbits", options.axis, t.ndim)
  const u = np.astype(t, "uint32")
  const shifts = Array.from({ length: 8 }, (_, i) => (order === "big" ? 7 - i : i))
  const s = np.reshape(np.array(shifts, { dtype: "uint32" }), [8, ...Array(t.ndim - axis - 1).fill(1)])
  const expanded = np.expandDims(u, axis + 1)
  const shape8 = [...expanded.shape.slice(0, axis + 1), 8, ...expanded.shape.slice(axis + 2)]
  const wide = np.broadcastTo(expanded, shape8)
  const bits = lax.and(lax.shiftRightLogical(wide, np.broadcastTo(s, shape8)), lax.full(shape8, 1, "uint32"))
  const merged = np.reshape(bits, [...t.shape.slice(0, axis), t.shape[axis]! * 8, ...t.shape.slice(axis + 1)])
  const count = options?.count
  if (count === undefined) return merged
  const n = merged.shape[axis]!
  const keep = count < 0 ? Math.max(0, n + count) : count
  if (keep <= n) return np.take(merged, np.arange(keep, { dtype: "int32" }), { axis })
  const widths = merged.shape.map((_, d): readonly [number, number] => [0, d === axis ? keep - n : 0])
  return np.pad(merged, widths)
}

/**
 * The roots of the polynomial with coefficients `p` (highest power first), as
 * the eigenvalues of its companion matrix (JAX's `roots`; trailing zeros give
 * zero roots). Complex output; the eigenvalues come from `np.linalg.eigvals`
 * (the typed-array backend). Leading zeros are stripped, so `p` must be
 * concrete; with `stripZeros: false` (JAX's `strip_zeros=False`) they are
 * kept, the result has `p.length - 1` entries with NaN for the roots they
 * remove, and `p` may be traced (under `jit`, `vmap`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * // x^2 - 3x + 2 = (x - 1)(x - 2)
 * console.log(toJsSync(np.real(np.sort(np.real(np.roots(np.array([1, -3, 2], { dtype: "float64" }))))))) // [1.0000000000000002, 1.9999999999999998]
 * // a leading zero kept: its root is NaN
 * console.log(toJsSync(np.isnan(np.real(np.roots(np.array([0, 1, -1]), { stripZeros: false }))))) // [false, true]
 *
 * @since 0.1.0
 */
export const roots = (p: TensorLike, options?: { readonly stripZeros?: boolean | undefined }): Tensor => {
  checkOptions("roots", options, { stripZeros: boolean })
  const t0 = atleast1d(toTensor(p))
  if (t0.ndim !== 1) throw new ShapeError({ operation: "roots", detail: "Input must be a rank-1 array." })
  const inexact = isFloating(t0.dtype) || isComplex(t0.dtype) ? t0 : np.astype(t0, "float32")
  const cdtype = inexact.dtype === "float64" || inexact.dtype === "complex128" ? "complex128" : "complex64"
  if (t0.size < 2) return np.zeros([0], { dtype: cdtype })
  if (options?.stripZeros === false) return rootsWithZeros(inexact, cdtype)
  let values: Array<number>
  try {
    values = toJsSync(np.abs(t0)) as Array<number>
  } catch (e) {
    if (!(e instanceof ConcretizationError)) throw e
    throw new ConcretizationError({
      detail: "roots needs concrete coefficients: the number of roots depends on their values; under a " +
        "transformation pass stripZeros: false (leading zeros then give NaN roots)"
    })
  }
  let lo = 0
  while (lo < values.length && values[lo] === 0) lo++
  let hi = values.length
  while (hi > lo && values[hi - 1] === 0) hi--
  const trailing = values.length - hi
  const core = lax.slice(inexact, [lo], [hi], null)
  const found = core.size < 2 ? np.zeros([0], { dtype: cdtype }) : companionRoots(core, cdtype)
  return np.concatenate([found, np.zeros([trailing], { dtype: cdtype })], { axis: 0 })
}

// The eigenvalues of the companion matrix (first row -p[1:] / p[0], ones on the subdiagonal).
const companionRoots = (core: Tensor, cdtype: DType): Tensor => {
  const n = core.size - 1
  const first = np.divide(np.negative(lax.slice(core, [1], [n + 1], null)), lax.slice(core, [0], [1], null))
  const sub = np.astype(np.eye(n - 1, { m: n }), core.dtype)
  const companion = np.concatenate([np.reshape(first, [1, n]), sub], { axis: 0 })
  return np.astype(linalg.eigvals(companion), cdtype)
}

// JAX's _roots_with_zeros: the leading zeros rolled to the end (their roots are zeros, sorted
// last), then the last `leading` roots set to NaN; all-zero coefficients become ones first.
const rootsWithZeros = (p: Tensor, cdtype: DType): Tensor => {
  const n = p.size
  const isZero = np.equal(p, 0)
  const allZero = np.all(isZero)
  const leading = np.where(allZero, lax.full([], n, "int32"), np.argmin(np.astype(isZero, "int32")))
  const safe = np.where(allZero, np.onesLike(p), p)
  const shifted = lax.add(lax.iota("int32", [n], 0), lax.broadcastInDim(leading, [n], []))
  const rolled = np.take(safe, lax.rem(shifted, lax.full([n], n, "int32")))
  const found = companionRoots(rolled, cdtype)
  // a stable sort on "is zero" moves the zero roots last
  const order = argsort(np.astype(np.equal(found, 0), "int32"))
  const sorted = np.take(found, order)
  const keep = np.less(np.arange(n - 1), np.subtract(lax.full([], n - 1, "int32"), leading))
  const nan = lax.full([n - 1], NaN, cdtype === "complex128" ? "float64" : "float32")
  return np.where(keep, sorted, lax.complex(nan, nan))
}

/**
 * The pairwise contraction order `einsum` uses for these operands (JAX's
 * `einsum_path`, opt_einsum's path format: each step names two positions of
 * the current operand list, whose product is appended at its end), and the
 * planned number of multiply-adds.
 *
 * @example
 * import { np } from "diffect"
 * const [path] = np.einsumPath("ij,jk,kl->il", np.ones([10, 100]), np.ones([100, 5]), np.ones([5, 50]))
 * console.log(path) // [[0, 1], [0, 1]]
 *
 * @since 0.1.0
 */
export const einsumPath = (
  subscripts: string,
  ...operands: ReadonlyArray<TensorLike>
): readonly [path: ReadonlyArray<readonly [number, number]>, cost: number] => {
  if (typeof subscripts !== "string") throw argumentError("einsumPath", "subscripts", "a string", subscripts)
  const { cost, path } = contractionPlan(subscripts, toTensors(operands))
  return [path.map(({ i, j }) => [Math.min(i, j), Math.max(i, j)] as const), cost]
}

/**
 * JAX's `jnp.where`: with `x` and `y`, `x` where `condition` is true, else `y`
 * (all three broadcast); with `condition` alone, the indices of its nonzero
 * entries, one tensor per axis (`nonzero`, with its `size` and `fillValue`).
 * Giving one of `x` and `y` without the other is an `ArgumentError`, as in JAX.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.where(np.array([true, false]), 1, 0))) // [1, 0]
 * console.log(np.where(np.array([0, 3, 0, 5])).map((t) => toJsSync(t))) // [[1, 3]]
 * console.log(toJsSync(np.where(np.array([[1, 0], [0, 1]]), { size: 3, fillValue: -1 })[1]!)) // [0, 1, -1]
 *
 * @since 0.1.0
 */
export const where: {
  (condition: TensorLike, options?: NonzeroOptions): ReadonlyArray<Tensor>
  (condition: TensorLike, x: TensorLike, y: TensorLike): Tensor
} = ((condition: TensorLike, x?: unknown, y?: unknown): Tensor | ReadonlyArray<Tensor> => {
  if (y === undefined && (x === undefined || isOptionsObject(x))) {
    checkOptions("where", x, { size: integer, fillValue: number })
    return nonzero(condition, x as NonzeroOptions | undefined)
  }
  if (x === undefined || y === undefined) {
    throw new ArgumentError({
      operation: "where",
      argument: "x and y",
      expected: "given together, or neither (then where(condition) gives the indices of its nonzero entries)",
      got: `only ${x === undefined ? "y" : "x"}`
    })
  }
  return np.where(condition, x as TensorLike, y as TensorLike)
}) as never
