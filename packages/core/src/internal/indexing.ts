/**
 * JAX's out-of-bounds modes for gathers and scatters (`GatherScatterMode`):
 * `"fill"` (gathers read `fillValue` out of bounds; scatters drop the update),
 * `"clip"` (indices clamped into range) and `"promise_in_bounds"` (the caller
 * promises; here it clamps, one of the behaviours JAX allows). The `gather` and
 * `scatter_add` primitives clamp, so `"fill"` is a clamped gather followed by a
 * `select` on the in-bounds mask: eager, vmap and grad share one definition
 * (the cotangent of a filled element is dropped by the select's transpose).
 */
import { aval, formatAval } from "../AbstractValue.js"
import { isComplex, isInexact } from "../DType.js"
import type { DType } from "../DType.js"
import { BackendError, DTypeError, IndexError, NonConcreteBooleanIndexError, ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import { broadcastShapes } from "../Shape.js"
import { ConcreteTensor, Tensor, Tracer } from "../Tensor.js"
import { argumentError } from "../Validate.js"
import { fromLiteral } from "./arrayLiteral.js"
import type { TensorLike } from "./arrayLiteral.js"
import { scatterApply } from "./lax/scatterApply.js"
import { broadcastTo, toTensor } from "./npHelpers.js"

/** Out-of-bounds mode of a gather or scatter (JAX's `GatherScatterMode`). @since 0.1.0 */
export type IndexMode = "fill" | "clip" | "promise_in_bounds"

/**
 * JAX's default fill of an out-of-bounds read: NaN for inexact dtypes, the most
 * negative int32, the largest uint32, and `true` for bool.
 */
export const defaultFill = (dtype: DType): number =>
  isInexact(dtype) ? NaN : dtype === "int32" ? -2147483648 : dtype === "uint32" ? 4294967295 : 1

/**
 * A tensor of `dtype` and `shape` filled with `value` (complex: `value + 0i`, as JAX's
 * `full_like(out, fill_value)` of a real fill: NaN is `nan+0j`).
 */
export const fillOf = (shape: ReadonlyArray<number>, value: number, dtype: DType): Tensor =>
  lax.full(shape, isComplex(dtype) ? { re: value, im: 0 } : value, dtype)

/** Integer indices as an int32 tensor: JS integers (any value) or an int32 tensor. */
export const indexTensor = (op: string, indices: TensorLike): Tensor => {
  if (indices instanceof Tensor) {
    if (!Tensor.isGenuine(indices)) throw argumentError(op, "indices", "a Tensor or nested arrays of integers", indices)
    if (indices.dtype !== "int32") {
      throw new DTypeError({ operation: op, detail: `indices must have dtype int32, got ${indices.dtype}` })
    }
    return indices
  }
  const raw = fromLiteral(indices, "float64") as ConcreteTensor
  const data = raw.host!
  const out = new Int32Array(data.length)
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (!Number.isInteger(v)) throw new DTypeError({ operation: op, detail: `indices must be integers, got ${v}` })
    out[i] = Math.max(Math.min(v, 2147483647), -2147483648)
  }
  return new ConcreteTensor(aval(raw.shape, "int32"), out, undefined)
}

const hostData = (t: Tensor): Int32Array | undefined =>
  t instanceof ConcreteTensor && t.host !== undefined ? (t.host as Int32Array) : undefined

// Whether every index is in `[lo, hi)`. A plain loop: `every` with a callback took about 3 ns an
// index, as long as the gather itself for a million of them.
const allWithin = (host: Int32Array, lo: number, hi: number): boolean => {
  for (let i = 0; i < host.length; i++) {
    const v = host[i]!
    if (v < lo || v >= hi) return false
  }
  return true
}

/** `select(i < 0, i + n, i)`: negative indices count from the end (on the host when concrete). */
export const normalizeIndex = (idx: Tensor, n: number): Tensor => {
  const host = hostData(idx)
  if (host !== undefined) {
    if (allWithin(host, 0, Infinity)) return idx
    const out = new Int32Array(host.length)
    for (let i = 0; i < host.length; i++) out[i] = host[i]! < 0 ? host[i]! + n : host[i]!
    return new ConcreteTensor(aval(idx.shape, "int32"), out, undefined)
  }
  return lax.select(lax.lt(idx, 0), lax.add(idx, n), idx)
}

/** `0 <= i < n`, or `undefined` when every index is known to be in bounds. */
export const inBounds = (idx: Tensor, n: number): Tensor | undefined => {
  const host = hostData(idx)
  if (host !== undefined && allWithin(host, 0, n)) return undefined
  return lax.and(lax.ge(idx, 0), lax.lt(idx, n))
}

/**
 * `x` where `valid` (of shape `x.shape[at : at + valid.ndim]`) holds, `fill`
 * elsewhere: the mask is broadcast along the other dimensions.
 */
export const fillWhere = (x: Tensor, valid: Tensor, at: number, fill: number): Tensor => {
  const mask = lax.broadcastInDim(valid, x.shape, valid.shape.map((_, i) => at + i))
  return lax.select(mask, x, fillOf(x.shape, fill, x.dtype))
}

/** Options of `np.take`. @since 0.1.0 */
export interface TakeOptions {
  /** The axis to take along; the flattened array when omitted. */
  readonly axis?: number | undefined
  /**
   * Out-of-bounds mode (JAX's): `"fill"` (default: negative indices count from
   * the end, others out of range read `fillValue`), `"clip"` (clamped into
   * range, negative to 0) or `"wrap"` (modulo the axis size).
   */
  readonly mode?: "fill" | "clip" | "wrap" | undefined
  /** The value read out of bounds in `"fill"` mode (default NaN for floats, see {@link defaultFill}). */
  readonly fillValue?: number | undefined
  /** JAX's gather hint that the indices do not repeat: accepted, with no effect on a read. */
  readonly uniqueIndices?: boolean | undefined
  /** JAX's gather hint that the indices are sorted: accepted, with no effect on the result. */
  readonly indicesAreSorted?: boolean | undefined
}

/** `take` along `axis` of `t` with JAX's modes (np.take's body; `t` and `axis` already checked). */
export const takeAlong = (t: Tensor, indices: TensorLike, axis: number, options?: TakeOptions): Tensor => {
  const mode = options?.mode ?? "fill"
  if (mode !== "fill" && mode !== "clip" && mode !== "wrap") {
    throw argumentError("take", "mode", "\"fill\", \"clip\" or \"wrap\"", mode)
  }
  const fillValue = options?.fillValue
  if (fillValue !== undefined && typeof fillValue !== "number") {
    throw argumentError("take", "fillValue", "a number", fillValue)
  }
  const idx = indexTensor("take", indices)
  const n = t.shape[axis]!
  if (n === 0) {
    if (idx.size !== 0) throw new IndexError({ index: 0, axis, size: 0 })
    return t
  }
  if (mode === "clip") return lax.gather(t, idx, axis)
  if (mode === "wrap") {
    const host = hostData(idx)
    const wrapped = host !== undefined
      ? new ConcreteTensor(aval(idx.shape, "int32"), host.map((v) => ((v % n) + n) % n), undefined)
      : lax.rem(lax.add(lax.rem(idx, n), n), n)
    return lax.gather(t, wrapped, axis)
  }
  const norm = normalizeIndex(idx, n)
  const out = lax.gather(t, norm, axis)
  const valid = inBounds(norm, n)
  return valid === undefined ? out : fillWhere(out, valid, axis, fillValue ?? defaultFill(t.dtype))
}

// ---------------------------------------------------------------------------
// Indexed reads and updates (JAX's `x.at[idx]`)

/**
 * One item of an index (NumPy's indexing, JAX's `x.at[...]`): a JS integer
 * (negative counts from the end), a slice as a string in Python's syntax
 * (`":"`, `"1:3"`, `"::-1"`), `"..."` (Python's `Ellipsis`), `null` (a new axis
 * of size 1, NumPy's `None`), integer indices (a JS array or an int32 tensor,
 * NumPy's advanced indexing), or a boolean mask (a bool tensor or nested JS
 * booleans over as many axes as its rank: its true positions, NumPy's
 * `nonzero`; a scalar `true`/`false` is a new axis of length 1/0; it must be
 * concrete, as JAX: a traced mask is a `NonConcreteBooleanIndexError`).
 *
 * @since 0.1.0
 */
export type IndexItem =
  | number
  | boolean
  | string
  | null
  | Tensor
  | ReadonlyArray<number | boolean | ReadonlyArray<unknown>>

/** Options of an indexed read. @since 0.1.0 */
export interface GetOptions {
  /**
   * Out-of-bounds mode for integer-array indices: `"promise_in_bounds"` (the
   * default, as `x.at[idx].get()`: clamped here), `"clip"`, or `"fill"` (reads
   * `fillValue`; `"drop"` is its other name, JAX's `FILL_OR_DROP`). Negative indices count
   * from the end first (see `wrapNegativeIndices`).
   */
  readonly mode?: IndexMode | "drop" | undefined
  readonly fillValue?: number | undefined
  /**
   * Whether negative indices count from the end (default `true`); with `false` they are
   * out of bounds, read by `mode` (JAX's `wrap_negative_indices`).
   */
  readonly wrapNegativeIndices?: boolean | undefined
  /** JAX's hint that the indices are sorted: accepted, with no effect on the result. */
  readonly indicesAreSorted?: boolean | undefined
  /** JAX's hint that the indices do not repeat: accepted, with no effect on a read. */
  readonly uniqueIndices?: boolean | undefined
}

/** Options of an indexed update. @since 0.1.0 */
export interface UpdateOptions {
  /**
   * Out-of-bounds mode for integer-array indices: `"fill"` (the default, JAX's
   * `FILL_OR_DROP`: updates out of bounds are dropped), `"clip"` or
   * `"promise_in_bounds"` (clamped).
   */
  readonly mode?: IndexMode | "drop" | undefined
  /** The caller's promise that indices do not repeat (needed to differentiate `multiply` in its updates). */
  readonly uniqueIndices?: boolean | undefined
  /** JAX's hint that the indices are sorted: accepted, with no effect on the result. */
  readonly indicesAreSorted?: boolean | undefined
  /**
   * Whether negative indices count from the end (default `true`); with `false` they are
   * out of bounds, dropped or clamped by `mode` (JAX's `wrap_negative_indices`).
   */
  readonly wrapNegativeIndices?: boolean | undefined
}

type Item =
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "slice"; readonly start: number; readonly step: number; readonly length: number }
  | { readonly kind: "new" }
  | { readonly kind: "array"; readonly indices: Tensor; readonly newAxis?: true }

const SLICE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/

// Python's slice.indices(n): the start, step and length of `start:stop:step` on an axis of n.
const sliceOf = (text: string, n: number): Item => {
  const m = SLICE.exec(text)
  if (m === null) {
    throw argumentError(
      "at",
      "index",
      "an integer, a slice string such as \"1:3\", \"...\", null or integer indices",
      text
    )
  }
  const step = m[3] === undefined ? 1 : Number(m[3])
  if (step === 0) throw argumentError("at", "index", "a slice with a non-zero step", text)
  const norm = (v: string | undefined, dflt: number, lo: number, hi: number) => {
    if (v === undefined) return dflt
    const k = Number(v)
    return k < 0 ? Math.max(k + n, lo) : Math.min(k, hi)
  }
  const start = step > 0 ? norm(m[1], 0, 0, n) : norm(m[1], n - 1, -1, n - 1)
  const stop = step > 0 ? norm(m[2], n, 0, n) : norm(m[2], -1, -1, n - 1)
  const length = step > 0
    ? Math.max(0, Math.ceil((stop - start) / step))
    : Math.max(0, Math.ceil((start - stop) / -step))
  return { kind: "slice", start, step, length }
}

// A boolean mask: a bool tensor, or nested JS arrays of booleans.
const isMask = (u: IndexItem): boolean =>
  typeof u === "boolean" || (u instanceof Tensor && u.dtype === "bool") ||
  (Array.isArray(u) && firstLeaf(u) !== undefined &&
    typeof firstLeaf(u) === "boolean")

const firstLeaf = (u: unknown): unknown => {
  let v = u
  while (Array.isArray(v)) {
    if (v.length === 0) return undefined
    v = v[0]
  }
  return v
}

// How many axes an index item consumes (a mask: its rank).
const consumed = (u: IndexItem): number =>
  u === null || u === "..." ? 0 : isMask(u) ? (u instanceof Tensor ? u.ndim : maskShape(u).length) : 1

const maskShape = (u: unknown): Array<number> => {
  const shape: Array<number> = []
  let v = u
  while (Array.isArray(v)) {
    shape.push(v.length)
    v = v[0]
  }
  return shape
}

/**
 * A concrete boolean mask as integer indices, one int32 array per axis it
 * covers (NumPy's `nonzero`, as JAX does eagerly); a mask known only while
 * tracing is JAX's `NonConcreteBooleanIndexError`.
 */
const maskIndices = (
  u: IndexItem,
  shape: ReadonlyArray<number>,
  d: number,
  position: number
): Array<Tensor> | boolean => {
  let t: Tensor = u instanceof Tensor ? u : fromLiteral(u as TensorLike, "bool")
  if (t instanceof Tracer) {
    const concrete = (t as { concreteValue?: () => unknown }).concreteValue?.()
    if (!(concrete instanceof ConcreteTensor)) throw new NonConcreteBooleanIndexError({ aval: formatAval(t.aval) })
    t = concrete
  }
  if (!Tensor.isGenuine(t) || !(t instanceof ConcreteTensor)) {
    throw argumentError("at", "index", "a boolean mask (a bool Tensor or nested arrays of booleans)", u)
  }
  // a scalar: NumPy's x[True] (a new axis of length 1) and x[False] (of length 0)
  if (t.ndim === 0) return Number((t.host ?? readHost(t))[0]) !== 0
  const want = shape.slice(d, d + t.ndim)
  if (want.length !== t.ndim || want.some((n, k) => n !== t.shape[k])) {
    throw new ShapeError({
      operation: "at",
      detail: `boolean index did not match shape of indexed array in index ${position}: got (${
        t.shape.join(", ")
      }), expected (${want.join(", ")})`
    })
  }
  const host = t.host ?? readHost(t)
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1))
  const hits: Array<number> = []
  for (let i = 0; i < host.length; i++) if (Number(host[i]) !== 0) hits.push(i)
  return t.shape.map((n, axis) =>
    new ConcreteTensor(
      aval([hits.length], "int32"),
      Int32Array.from(hits, (i) => Math.floor(i / strides[axis]!) % n),
      undefined
    )
  )
}

const readHost = (t: ConcreteTensor): ArrayLike<unknown> => {
  const buffer = t.buffer
  const read = buffer?.backend.readSync
  if (buffer === undefined || read === undefined) {
    throw new BackendError({
      backend: buffer?.backend.name ?? "none",
      detail:
        "a boolean mask index is read back to find its true positions, and this backend reads only asynchronously: make the mask with np.array (host data), or read it with toJs first"
    })
  }
  return read(buffer, t.aval)
}

// The index as items over every axis of `shape` (the ellipsis expanded, trailing axes whole).
// `strict`: a JS integer out of range is an IndexError (a read in its default mode, as JAX's
// jax_check_static_indices); otherwise it is an index like an integer array's, which the mode
// fills, drops or clamps (JAX: `x.at[10].get(mode="fill")` reads the fill value, `x.at[10].set(v)`
// is dropped).
const parseIndex = (
  shape: ReadonlyArray<number>,
  index: ReadonlyArray<IndexItem>,
  strict: boolean,
  wrap: boolean
): Array<Item> => {
  const ellipses = index.filter((u) => u === "...").length
  if (ellipses > 1) {
    throw new ShapeError({ operation: "at", detail: "an index can only have a single ellipsis ('...')" })
  }
  const used = index.reduce((n: number, u) => n + consumed(u), 0)
  if (used > shape.length) {
    throw new ShapeError({
      operation: "at",
      detail: `too many indices for array: array is ${shape.length}-dimensional, but ${used} were indexed`
    })
  }
  const full = ellipses === 0 ? [...index, "..."] : index
  const items: Array<Item> = []
  let d = 0
  for (const u of full) {
    if (u === "...") {
      for (let k = 0; k < shape.length - used; k++) {
        items.push({ kind: "slice", start: 0, step: 1, length: shape[d++]! })
      }
      continue
    }
    if (u === null) {
      items.push({ kind: "new" })
      continue
    }
    if (isMask(u)) {
      const arrays = maskIndices(u, shape, d, full.indexOf(u))
      if (typeof arrays === "boolean") {
        // JAX's expand_scalar_bool_indices: a new axis of size 1 indexed by arange(int(b)), an
        // advanced index ([0] or []) broadcast with the others as NumPy's 0-d boolean index
        const indices = lax.iota("int32", [arrays ? 1 : 0], 0)
        items.push({ kind: "array", indices, newAxis: true })
        continue
      }
      for (const indices of arrays) items.push({ kind: "array", indices })
      d += arrays.length
      continue
    }
    const n = shape[d]!
    if (typeof u === "number") {
      if (!Number.isInteger(u)) throw argumentError("at", "index", "an integer", u)
      const inRange = wrap ? u >= -n && u < n : u >= 0 && u < n
      if (inRange) items.push({ kind: "int", value: u < 0 ? u + n : u })
      else if (strict || n === 0) throw new IndexError({ index: u, axis: d, size: n })
      else items.push({ kind: "array", indices: indexTensor("at", u) })
    } else if (typeof u === "string") items.push(sliceOf(u, n))
    else {
      items.push({ kind: "array", indices: indexTensor("at", u as TensorLike) })
    }
    d++
  }
  return items
}

/** Where each position of an indexed view reads `x`: flat indices, in-bounds mask, result shape. */
interface Located {
  readonly shape: ReadonlyArray<number>
  readonly flat: Tensor
  readonly valid: Tensor | undefined
}

const locate = (
  shape: ReadonlyArray<number>,
  index: ReadonlyArray<IndexItem>,
  clip: boolean,
  strict: boolean,
  wrap: boolean
): Located => {
  const items = parseIndex(shape, index, strict, wrap)
  const arrays = items.filter((i) => i.kind === "array").map((i) => (i as { indices: Tensor }).indices)
  const advanced = (i: Item) => i.kind === "array" || (i.kind === "int" && arrays.length > 0)
  const bShape = arrays.length === 0 ? [] : broadcastShapes(...arrays.map((a) => a.shape))
  const advPos = items.flatMap((it, k) => (advanced(it) ? [k] : []))
  const adjacent = advPos.every((p, k) => k === 0 || p === advPos[k - 1]! + 1)
  // The result's dimensions, and where each item's dimensions land.
  const out: Array<number> = []
  const at = new Array<number>(items.length).fill(-1)
  let bAt = -1
  if (advPos.length > 0 && !adjacent) {
    bAt = 0
    out.push(...bShape)
  }
  items.forEach((it, k) => {
    if (advanced(it)) {
      if (bAt < 0) {
        bAt = out.length
        out.push(...bShape)
      }
    } else if (it.kind === "slice") {
      at[k] = out.length
      out.push(it.length)
    } else if (it.kind === "new") out.push(1)
  })
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
  const bDims = bShape.map((_, i) => bAt + i)
  let flat: Tensor | undefined
  let valid: Tensor | undefined
  let d = 0
  const addTerm = (term: Tensor) => (flat = flat === undefined ? term : lax.add(flat, term))
  items.forEach((it, k) => {
    // a new axis has size 1: its only index, 0, adds nothing to the flat position
    if (it.kind === "new" || (it.kind === "array" && it.newAxis === true)) return
    const n = shape[d]!
    const stride = strides[d]!
    d++
    if (it.kind === "int") {
      if (it.value !== 0) addTerm(lax.full(out, it.value * stride, "int32"))
    } else if (it.kind === "slice") {
      const pos = lax.iota("int32", out, at[k]!)
      addTerm(lax.add(lax.mul(pos, it.step * stride), it.start * stride))
    } else {
      let idx = wrap ? normalizeIndex(it.indices, n) : it.indices
      if (clip) idx = lax.max(lax.min(idx, n - 1), 0)
      else {
        const ok = inBounds(idx, n)
        if (ok !== undefined) {
          const okB = lax.broadcastInDim(broadcastTo(ok, bShape), out, bDims)
          valid = valid === undefined ? okB : lax.and(valid, okB)
        }
      }
      const idxB = lax.broadcastInDim(broadcastTo(idx, bShape), out, bDims)
      addTerm(stride === 1 ? idxB : lax.mul(idxB, stride))
    }
  })
  return { shape: out, flat: flat ?? lax.full(out, 0, "int32"), valid }
}

const modeOf = (op: string, mode: unknown, dflt: IndexMode): IndexMode => {
  const m = mode ?? dflt
  if (m === "drop") return "fill"
  if (m !== "fill" && m !== "clip" && m !== "promise_in_bounds") {
    throw argumentError(op, "mode", "\"fill\", \"drop\", \"clip\" or \"promise_in_bounds\"", m)
  }
  return m
}

const wrapOf = (op: string, wrap: unknown): boolean => {
  if (wrap === undefined) return true
  if (typeof wrap !== "boolean") throw argumentError(op, "wrapNegativeIndices", "a boolean", wrap)
  return wrap
}

/** `x.at[index].get()`: the indexed view of `x` (NumPy's indexing, JAX's modes). */
export const indexGet = (x: Tensor, index: ReadonlyArray<IndexItem>, options?: GetOptions): Tensor => {
  const mode = modeOf("at.get", options?.mode, "promise_in_bounds")
  const wrap = wrapOf("at.get", options?.wrapNegativeIndices)
  const { flat, shape, valid } = locate(x.shape, index, mode !== "fill", mode === "promise_in_bounds", wrap)
  const out = lax.gather(lax.reshape(x, [x.size]), flat, 0)
  if (valid === undefined) return out
  const fill = options?.fillValue ?? defaultFill(x.dtype)
  return lax.select(valid, out, fillOf(shape, fill, x.dtype))
}

/** How an indexed update combines: JAX's `set`, `add`, `multiply`, `min`, `max`. */
export type UpdateKind = "set" | "add" | "mul" | "min" | "max"

/** `x.at[index].set/add/multiply/min/max(values)`: a scatter into `x`, JAX's modes. */
export const indexUpdate = (
  x: Tensor,
  index: ReadonlyArray<IndexItem>,
  kind: UpdateKind,
  values: TensorLike,
  options?: UpdateOptions
): Tensor =>
  scatterAt(`at.${kind}`, x, index, options, (xf, idx, shape) => {
    const raw = toTensor(values)
    const v = broadcastTo(raw.dtype === x.dtype ? raw : lax.convertElementType(raw, x.dtype), shape)
    return kind === "add"
      ? lax.scatterAdd(xf, idx, v, 0)
      : lax.scatter(xf, idx, v, 0, kind, { uniqueIndices: options?.uniqueIndices ?? false })
  })

/**
 * `x` with the elementwise `func` applied at `index` (JAX's `x.at[idx].apply(func)`): an
 * element indexed n times has `func` applied n times; out-of-bounds indices are dropped
 * (mode `"fill"`, the default) or clamped.
 */
export const indexApply = (
  x: Tensor,
  index: ReadonlyArray<IndexItem>,
  func: (x: Tensor) => Tensor,
  options?: UpdateOptions
): Tensor =>
  scatterAt(
    "at.apply",
    x,
    index,
    options,
    (xf, idx) => scatterApply(xf, idx, func, 0, { uniqueIndices: options?.uniqueIndices ?? false })
  )

// A scatter into `x` flattened, at the flat positions `index` names: in mode "fill" (the default)
// the dropped positions name one extra slot past the end, cut off afterwards
const scatterAt = (
  op: string,
  x: Tensor,
  index: ReadonlyArray<IndexItem>,
  options: UpdateOptions | undefined,
  scatter: (xf: Tensor, idx: Tensor, shape: ReadonlyArray<number>) => Tensor
): Tensor => {
  const mode = modeOf(op, options?.mode, "fill")
  const wrap = wrapOf(op, options?.wrapNegativeIndices)
  const { flat, shape, valid } = locate(x.shape, index, mode !== "fill", false, wrap)
  const n = x.size
  let xf = lax.reshape(x, [n])
  let idx = flat
  if (valid !== undefined) {
    xf = lax.concatenate([xf, lax.full([1], 0, x.dtype)], 0)
    idx = lax.select(valid, flat, lax.full(shape, n, "int32"))
  }
  const combined = scatter(xf, idx, shape)
  return lax.reshape(valid === undefined ? combined : lax.slice(combined, [0], [n]), x.shape)
}
