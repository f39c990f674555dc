/**
 * Host tensors from JS values: numbers, booleans, complex `{ re, im }`, nested
 * arrays and typed arrays (`np.array`). Nothing here touches a backend: the
 * result is a host `ConcreteTensor` adopted by the first backend that uses it.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { aval } from "../AbstractValue.js"
import { allocHost, freezeHost, isComplex, toInt32 } from "../DType.js"
import type { DType, HostArray } from "../DType.js"
import { InvalidArrayError } from "../Errors.js"
import { maxElements } from "../Shape.js"
import { ConcreteTensor, Tensor } from "../Tensor.js"
import { checkDTypeName, checkTensor, describeValue } from "../Validate.js"

/**
 * A complex scalar written as a JS value.
 *
 * @since 0.1.0
 */
export interface Complex {
  readonly re: number
  readonly im: number
}

/** A JS scalar: a number (a weak float in ops), a boolean or a complex value. @since 0.1.0 */
export type Scalar = number | boolean | Complex

/** Nested JS arrays of scalars (or of tensors, which `np.array` stacks). @since 0.1.0 */
export interface NestedArray extends ReadonlyArray<Scalar | Tensor | NestedArray> {}

/** Typed arrays `np.array` accepts, each read as one dtype (see `typedArrayDType`). @since 0.1.0 */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array

/** Anything the ops accept in place of a tensor. @since 0.1.0 */
export type TensorLike = Tensor | Scalar | NestedArray | TypedArray

/** @since 0.1.0 */
export const isComplexValue = (u: unknown): u is Complex =>
  typeof u === "object" && u !== null && typeof (u as Complex).re === "number" &&
  typeof (u as Complex).im === "number" && !(u instanceof Tensor)

/**
 * The dtype of a typed array: Float32Array -> float32, Float64Array -> float64,
 * Uint32Array -> uint32, Int32Array (and the narrower integer arrays, Uint8Array and
 * Uint8ClampedArray included) -> int32. Uint8Array is read as integers, not as bool:
 * image bytes keep their values. The 64-bit and the float16 arrays have no diffect
 * dtype that holds every value: they are refused (see `fromLiteral`).
 */
const typedArrayDType = (a: TypedArray): DType =>
  a instanceof Float32Array
    ? "float32"
    : a instanceof Float64Array
    ? "float64"
    : a instanceof Uint32Array
    ? "uint32"
    : "int32"

/**
 * The message for an Effect given where a tensor is expected: almost always a
 * transformation's result used without `yield*`.
 *
 * @since 0.1.0
 */
export const forgottenYield =
  "Expected a tensor, got an Effect: did you forget `yield*`? In Effect.gen, `const g = yield* grad(f)(x)` runs the transformation; `grad(f)(x)` alone only describes it (or use runSync outside Effect)."

/** Validates a user-given dtype name. @since 0.1.0 */
export const checkDType = (dtype: unknown): DType => checkDTypeName("array", dtype)

const isTypedArray = (u: unknown): u is TypedArray =>
  u instanceof Float32Array || u instanceof Float64Array || u instanceof Int32Array || u instanceof Int16Array ||
  u instanceof Int8Array || u instanceof Uint8Array || u instanceof Uint8ClampedArray || u instanceof Uint16Array ||
  u instanceof Uint32Array

/** NumPy's limit on the number of dimensions; deeper nesting (or a cycle) is refused. */
const maxDepth = 64

const pathString = (path: ReadonlyArray<number>): string => path.map((i) => `[${i}]`).join("")

// What the scalar leaves are made of: decides the default dtype (complex > float > bool).
const KIND_BOOL = 0
const KIND_REAL = 1
const KIND_COMPLEX = 2

/** Whether a nested array has a tensor among its leaves (then `np.array` stacks). @since 0.1.0 */
export const containsTensor = (value: unknown, depth = 0): boolean => {
  if (value instanceof Tensor) return true
  if (!Array.isArray(value)) return false
  if (depth > maxDepth) throw tooDeep([])
  for (const v of value) if (containsTensor(v, depth + 1)) return true
  return false
}

const tooDeep = (path: ReadonlyArray<number>): InvalidArrayError =>
  new InvalidArrayError({
    detail: `Cannot make an array from a nested array deeper than ${maxDepth} levels${
      path.length > 0 ? ` (at ${pathString(path.slice(0, 8))}...)` : ""
    }: is it circular (an array that contains itself)?`
  })

/**
 * The host tensor of a JS value. Types are strong (as `jnp.array` makes them):
 * numbers give float32, booleans bool, complex values complex64, unless `dtype`
 * says otherwise. Ragged nesting and non-numeric entries fail with
 * `InvalidArrayError` naming the path.
 *
 * @since 0.1.0
 */
export const fromLiteral = (value: unknown, dtype?: DType, weakType = false): ConcreteTensor => {
  if (dtype !== undefined) checkDType(dtype)
  if (Effect.isEffect(value)) throw new InvalidArrayError({ detail: forgottenYield })
  if (ArrayBuffer.isView(value) && !isTypedArray(value)) {
    throw new InvalidArrayError({
      detail: `Cannot make an array from ${
        describeValue(value)
      }: diffect has no dtype for all its values; convert it first (Float64Array.from, or Int32Array.from when every value fits an int32)`
    })
  }
  if (isTypedArray(value)) {
    const own = typedArrayDType(value)
    const target = dtype ?? own
    const data = allocHost(target, value.length)
    fill(data, target, value, KIND_REAL)
    // the library's own copy, never written again: kernels may keep copies of it (DType.freezeHost)
    freezeHost(data)
    return new ConcreteTensor(aval([value.length], target, weakType), data, undefined)
  }
  // Shape from the first element at each depth, then a checked walk of every element.
  const shape: Array<number> = []
  let probe: unknown = value
  while (Array.isArray(probe)) {
    if (shape.length === maxDepth) throw tooDeep(shape.map(() => 0))
    shape.push(probe.length)
    probe = probe[0]
  }
  let size = 1
  for (const d of shape) size *= d
  if (size > maxElements) {
    throw new InvalidArrayError({
      detail: `Cannot make an array of shape (${shape.join(", ")}): more than ${maxElements} elements`
    })
  }
  const flat = new Array<unknown>(size)
  let kind = KIND_BOOL
  let n = 0
  const walk = (v: unknown, depth: number, path: Array<number>): void => {
    if (depth < shape.length) {
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        throw new InvalidArrayError({
          detail: `Ragged nested array: the element at ${pathString(path)} is ${
            describeValue(v)
          }, expected an array of length ${
            shape[depth]
          } (inhomogeneous shape after ${depth} dimension(s); the detected shape was (${
            shape.slice(0, depth).join(", ")
          }) + inhomogeneous part)`
        })
      }
      for (let i = 0; i < v.length; i++) {
        path.push(i)
        walk(v[i], depth + 1, path)
        path.pop()
      }
      return
    }
    if (v instanceof Tensor) checkTensor("array", "an entry", v)
    if (typeof v === "number") kind = Math.max(kind, KIND_REAL)
    else if (typeof v === "boolean") {
      // booleans are their own kind
    } else if (isComplexValue(v)) kind = KIND_COMPLEX
    else if (Array.isArray(v)) {
      throw new InvalidArrayError({
        detail: `Ragged nested array: the element at ${
          pathString(path)
        } is an array, but its siblings are scalars (inhomogeneous shape after ${depth} dimension(s))`
      })
    } else {
      throw new InvalidArrayError({
        detail: `Cannot make an array from ${describeValue(v)} at ${
          pathString(path) || "the top level"
        }: entries must be numbers, booleans or complex values { re, im }`
      })
    }
    flat[n++] = v
  }
  walk(value, 0, [])
  // No entries at all (`[]`, `[[]]`) is float32, as in JAX; bool needs a boolean.
  const target = dtype ??
    (kind === KIND_COMPLEX ? "complex64" : kind === KIND_REAL || n === 0 ? "float32" : "bool")
  const data = allocHost(target, size)
  fill(data, target, flat, kind)
  freezeHost(data)
  return new ConcreteTensor(aval(shape, target, weakType), data, undefined)
}

// Writes scalars into storage layout, converting as XLA's convert does (int32 truncates
// toward zero and saturates, NaN -> 0: `DType.toInt32`; bool is `x != 0`). Complex values into a real dtype fail instead of losing the
// imaginary part silently.
const fill = (data: HostArray, dtype: DType, src: ArrayLike<unknown>, kind: number): void => {
  if (dtype === "float0") return
  if (isComplex(dtype)) {
    for (let i = 0; i < src.length; i++) {
      const v = src[i]
      if (typeof v === "object") {
        data[2 * i] = (v as Complex).re
        data[2 * i + 1] = (v as Complex).im
      } else data[2 * i] = Number(v)
    }
    return
  }
  if (kind === KIND_COMPLEX) {
    throw new InvalidArrayError({
      detail:
        `Cannot make a ${dtype} array from complex values without discarding their imaginary parts; use a complex dtype, or np.real afterwards`
    })
  }
  if (dtype === "bool") {
    for (let i = 0; i < src.length; i++) data[i] = src[i] ? 1 : 0
    return
  }
  if (dtype === "int32") {
    for (let i = 0; i < src.length; i++) data[i] = toInt32(Number(src[i]))
    return
  }
  for (let i = 0; i < src.length; i++) data[i] = Number(src[i])
}

/**
 * The host scalar of a JS number, boolean or complex value, as ops see it: a
 * number is a weak float32 (JAX's Python float), a boolean a strong bool, a
 * complex value a weak complex64.
 *
 * @since 0.1.0
 */
export const fromScalar = (value: Scalar, dtype?: DType, weakType?: boolean): ConcreteTensor => {
  if (typeof value === "number") {
    const d = dtype ?? "float32"
    const data = allocHost(d, 1)
    if (d !== "float0") data[0] = d === "bool" ? (value !== 0 ? 1 : 0) : d === "int32" ? toInt32(value) : value
    return new ConcreteTensor(aval([], d, weakType ?? true), data, undefined)
  }
  if (typeof value === "boolean") {
    const d = dtype ?? "bool"
    const data = allocHost(d, 1)
    if (d !== "float0") data[0] = value ? 1 : 0
    return new ConcreteTensor(aval([], d, weakType ?? false), data, undefined)
  }
  const d = dtype ?? "complex64"
  if (!isComplex(d)) return fromLiteral(value, d)
  const data = allocHost(d, 1)
  data[0] = value.re
  data[1] = value.im
  return new ConcreteTensor(aval([], d, weakType ?? true), data, undefined)
}
