/**
 * JAX's out-of-bounds modes for gathers and scatters (`GatherScatterMode`):
 * `"fill"` (gathers read `fillValue` out of bounds; scatters drop the update),
 * `"clip"` (indices clamped into range) and `"promise_in_bounds"` (the caller
 * promises; here it clamps, one of the behaviours JAX allows). The `gather` and
 * `scatter_add` primitives clamp, so `"fill"` is a clamped gather followed by a
 * `select` on the in-bounds mask: eager, vmap and grad share one definition
 * (the cotangent of a filled element is dropped by the select's transpose).
 */
import { aval } from "../AbstractValue.js"
import { isComplex, isInexact } from "../DType.js"
import type { DType } from "../DType.js"
import { DTypeError, IndexError } from "../Errors.js"
import * as lax from "../lax.js"
import { ConcreteTensor, Tensor } from "../Tensor.js"
import { argumentError } from "../Validate.js"
import { fromLiteral } from "./arrayLiteral.js"
import type { TensorLike } from "./arrayLiteral.js"

/** Out-of-bounds mode of a gather or scatter (JAX's `GatherScatterMode`). @since 0.1.0 */
export type IndexMode = "fill" | "clip" | "promise_in_bounds"

/**
 * JAX's default fill of an out-of-bounds read: NaN for inexact dtypes, the most
 * negative int32, the largest uint32, and `true` for bool.
 */
export const defaultFill = (dtype: DType): number =>
  isInexact(dtype) ? NaN : dtype === "int32" ? -2147483648 : dtype === "uint32" ? 4294967295 : 1

/** A tensor of `like`'s dtype and `shape` filled with `value` (complex: `value + value i`). */
export const fillOf = (shape: ReadonlyArray<number>, value: number, dtype: DType): Tensor =>
  lax.full(shape, isComplex(dtype) ? { re: value, im: value } : value, dtype)

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

/** `select(i < 0, i + n, i)`: negative indices count from the end (on the host when concrete). */
export const normalizeIndex = (idx: Tensor, n: number): Tensor => {
  const host = hostData(idx)
  if (host !== undefined) {
    if (host.every((v) => v >= 0)) return idx
    return new ConcreteTensor(aval(idx.shape, "int32"), host.map((v) => (v < 0 ? v + n : v)), undefined)
  }
  return lax.select(lax.lt(idx, 0), lax.add(idx, n), idx)
}

/** `0 <= i < n`, or `undefined` when every index is known to be in bounds. */
export const inBounds = (idx: Tensor, n: number): Tensor | undefined => {
  const host = hostData(idx)
  if (host !== undefined && host.every((v) => v >= 0 && v < n)) return undefined
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
