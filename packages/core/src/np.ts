/**
 * `np`: NumPy's names over `lax`, with NumPy broadcasting and JAX's dtype
 * promotion (weak types included). Every argument may be a tensor or a JS value
 * (`TensorLike`): JS numbers are weak floats, so `np.multiply(x, 2)` keeps x's
 * dtype. Every op is built from primitives only, so it works on tracers too.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([[1, 2], [3, 4]])
 * const y = np.sum(np.multiply(x, 2), { axis: 0 })
 * console.log(toJsSync(y)) // [8, 12]
 *
 * @since 0.1.0
 */
import { aval } from "./AbstractValue.js"
import { checkHostAlloc, isComplex, isInexact, isInteger } from "./DType.js"
import type { DType } from "./DType.js"
import { ArgumentError, BroadcastError, DTypeError, IndexError, ShapeError } from "./Errors.js"
import { containsTensor, fromLiteral, fromScalar, isComplexValue } from "./internal/arrayLiteral.js"
import type { Complex, TensorLike } from "./internal/arrayLiteral.js"
import { einsum as einsumImpl } from "./internal/einsum.js"
import { indexApply, indexGet, indexUpdate, takeAlong } from "./internal/indexing.js"
import type { GetOptions, IndexItem, TakeOptions, UpdateOptions } from "./internal/indexing.js"
import { integerIndices } from "./internal/np/checks.js"
import { jitted } from "./internal/np/jitted.js"
import {
  broadcastAll,
  broadcastTo as broadcastToImpl,
  cast,
  cumulativeReduce,
  nonzeroDivisor,
  normalizeAxes,
  preferredCast,
  prepare,
  productOptions,
  productSpec,
  promoteAll,
  toInexact,
  toTensor,
  toTensors
} from "./internal/npHelpers.js"
import { padEdge, padLinearRamp, padReflect, padStat, padWrap } from "./internal/padModes.js"
import { highest, lowest, masked, whereMask } from "./internal/reduceMask.js"
import * as lax from "./lax.js"
import type { Precision } from "./Primitive.js"
import { broadcastShapes, formatShape, shapeEquals, sizeOf } from "./Shape.js"
import type { Shape } from "./Shape.js"
import { ConcreteTensor, Tensor } from "./Tensor.js"
import { toJsSync } from "./ToJs.js"
import {
  anyValue,
  argumentError,
  axes as axesCheck,
  boolean,
  checkArg,
  checkAxis,
  checkDTypeName,
  checkOptions,
  checkShape,
  checkSize,
  dtype as dtypeCheck,
  everyElement,
  finite,
  integer,
  integers,
  number
} from "./Validate.js"
import type { Check, OptionSpec } from "./Validate.js"

export type { Complex, NestedArray, Scalar, TensorLike, TypedArray } from "./internal/arrayLiteral.js"
export type { GetOptions, IndexItem, IndexMode, TakeOptions, UpdateOptions } from "./internal/indexing.js"

/** Options of creation functions. @since 0.1.0 */
export interface DTypeOptions {
  readonly dtype?: DType | undefined
}

/** Options of reductions: axes (all when omitted) and whether to keep them as size 1. @since 0.1.0 */
export interface ReduceOptions {
  readonly axis?: number | ReadonlyArray<number> | undefined
  readonly keepdims?: boolean | undefined
}

// ---------------------------------------------------------------------------
// creation

/**
 * A tensor from JS values: numbers, booleans, complex `{ re, im }`, nested arrays,
 * typed arrays (Float32Array -> float32, Float64Array -> float64, Int32Array and
 * Uint8Array -> int32) or tensors (nested tensors are stacked). Numbers give
 * float32 unless `dtype` says otherwise; a bare number or complex scalar without a
 * dtype is weakly typed (as `jnp.array(2.0)`), everything else is strong. Ragged
 * input and unknown dtypes fail with `InvalidArrayError`.
 *
 * @example
 * import { np } from "diffect"
 * const x = np.array([[1, 2], [3, 4]])
 * console.log(x.dtype, x.shape) // float32 [2, 2]
 * console.log(np.array([1, 2], { dtype: "int32" }).dtype) // int32
 * console.log(np.array([{ re: 1, im: 2 }]).dtype) // complex64
 *
 * @since 0.1.0
 */
export const array = (value: TensorLike, options?: DTypeOptions): Tensor => {
  checkOptions("array", options, dtypeSpec)
  const dtype = options?.dtype
  if (value instanceof Tensor) return dtype === undefined ? value : astype(value, dtype)
  if (Array.isArray(value) && containsTensor(value)) {
    const t = toTensor(value)
    return dtype === undefined ? t : astype(t, dtype)
  }
  // A bare JS number (or complex value) without a dtype stays weakly typed, as
  // `jnp.array(2.0)` does in JAX; arrays of them and explicit dtypes are strong.
  const weak = dtype === undefined && (typeof value === "number" || isComplexLiteral(value))
  return fromLiteral(value, dtype, weak)
}

const isComplexLiteral = (u: unknown): boolean =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !ArrayBuffer.isView(u) && "re" in u && "im" in u

/**
 * Like `array`, but tensors pass through untouched (JAX's `jnp.asarray`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.asarray([1, 2])
 * console.log(y.dtype, toJsSync(y)) // float32 [1, 2]
 *
 * @since 0.1.0
 */
export const asarray = (value: TensorLike, options?: DTypeOptions): Tensor => array(value, options)

const dtypeSpec: OptionSpec = { dtype: dtypeCheck }
const creationDType = (op: string, options: DTypeOptions | undefined): DType => {
  checkOptions(op, options, dtypeSpec)
  return options?.dtype ?? "float32"
}

// A constant is filled on the host, like `np.array`: it needs no backend (module-level
// code works) and whichever backend first uses it adopts it, once.
const constant = (shape: Shape, value: number | Complex | boolean, dtype: DType, weak: boolean): Tensor => {
  const s = fromScalar(typeof value === "number" && isComplex(dtype) ? { re: value, im: 0 } : value, dtype, weak)
  if (shape.length === 0) return s
  const n = sizeOf(shape)
  const host = s.host!
  const data = new (host.constructor as new(n: number) => typeof host)(host.length * n)
  if (host.length === 1) data.fill(host[0]!)
  else for (let i = 0; i < n; i++) for (let j = 0; j < host.length; j++) data[i * host.length + j] = host[j]!
  return new ConcreteTensor(aval(shape, dtype, weak), data, undefined)
}

/**
 * A tensor of zeros (float32 unless `dtype` says otherwise).
 *
 * @example
 * import { np } from "diffect"
 * const z = np.zeros([2, 3])
 * console.log(z.dtype, z.shape) // float32 [2, 3]
 *
 * @since 0.1.0
 */
export const zeros = (shape: number | Shape, options?: DTypeOptions): Tensor =>
  constant(checkShape("zeros", shape), 0, creationDType("zeros", options), false)

/**
 * A tensor whose contents do not matter (JAX's `jnp.empty`, which gives zeros:
 * arrays are immutable, so there is nothing to leave uninitialized).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.empty([2, 3]).shape) // [2, 3]
 *
 * @since 0.1.0
 */
export const empty = (shape: number | Shape, options?: DTypeOptions): Tensor =>
  constant(checkShape("empty", shape), 0, creationDType("empty", options), false)

/**
 * A tensor of ones (float32 unless `dtype` says otherwise).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.ones([2], { dtype: "int32" }))) // [1, 1]
 *
 * @since 0.1.0
 */
export const ones = (shape: number | Shape, options?: DTypeOptions): Tensor =>
  constant(checkShape("ones", shape), 1, creationDType("ones", options), false)

/**
 * A tensor filled with `value`. Without `dtype`, a JS number gives a weak float32
 * (as `jnp.full` keeps a Python scalar's weak type); a tensor is broadcast.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.full([2], 7, { dtype: "int32" }))) // [7, 7]
 *
 * @since 0.1.0
 */
export const full = (shape: number | Shape, value: TensorLike, options?: DTypeOptions): Tensor => {
  const s = checkShape("full", shape)
  checkOptions("full", options, dtypeSpec)
  const dtype = options?.dtype
  if (typeof value === "number" || typeof value === "boolean" || isComplexValue(value)) {
    const weak = dtype === undefined && typeof value !== "boolean"
    const d = dtype ?? (typeof value === "number" ? "float32" : typeof value === "boolean" ? "bool" : "complex64")
    return constant(s, value, d, weak)
  }
  const t = toTensor(value)
  return broadcastTo(dtype === undefined ? t : astype(t, dtype), s)
}

/**
 * Options of `zerosLike`, `onesLike`, `fullLike` and `emptyLike`: the dtype,
 * and a shape in place of `x`'s (JAX's `shape`).
 *
 * @since 0.1.0
 */
export interface LikeOptions extends DTypeOptions {
  readonly shape?: ReadonlyArray<number> | undefined
}

const likeSpec: OptionSpec = { dtype: dtypeCheck, shape: anyValue }

/**
 * Zeros with the shape, dtype and weak type of `x`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.zerosLike(np.array([1, 2], { dtype: "int32" }))
 * console.log(y.dtype, toJsSync(y)) // int32 [0, 0]
 *
 * @since 0.1.0
 */
export const zerosLike = (x: TensorLike, options?: LikeOptions): Tensor => fullLike(x, 0, options)

/**
 * Ones with the shape, dtype and weak type of `x`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.onesLike(np.array([5, 6])))) // [1, 1]
 *
 * @since 0.1.0
 */
export const onesLike = (x: TensorLike, options?: LikeOptions): Tensor => fullLike(x, 1, options)

/**
 * `value` (a JS scalar or a tensor, broadcast) with the shape, dtype and weak type of
 * `x` (only the type of `x` is read).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fullLike(np.array([1, 2]), 7))) // [7, 7]
 *
 * @since 0.1.0
 */
export const fullLike = (x: TensorLike, value: TensorLike, options?: LikeOptions): Tensor => {
  const t = toTensor(x)
  checkOptions("fullLike", options, likeSpec)
  const shape = options?.shape === undefined ? t.shape : checkShape("fullLike", options.shape)
  const dtype = options?.dtype ?? t.dtype
  const weak = options?.dtype === undefined && t.weakType
  if (typeof value === "number" || typeof value === "boolean" || isComplexValue(value)) {
    return constant(shape, value, dtype, weak)
  }
  // A tensor (or traced) fill value is cast and broadcast, as lax.full_like does,
  // so that it stays differentiable.
  const v = toTensor(value)
  const cast = v.dtype === dtype && v.weakType === weak ? v : lax.convertElementType(v, dtype, weak)
  return broadcastTo(cast, shape)
}

/** Options of `arange`: the spacing (default 1) and the dtype. @since 0.1.0 */
export interface ArangeOptions extends DTypeOptions {
  readonly step?: number | undefined
}

const arangeSpec: OptionSpec = { step: finite, dtype: dtypeCheck }

/**
 * Evenly spaced values in `[start, stop)`; `arange(stop)` is `[0, stop)`. The
 * dtype is int32 when every argument is an integer (NumPy's rule), else float32.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.arange(5)
 * console.log(y.dtype, toJsSync(y)) // int32 [0, 1, 2, 3, 4]
 * const z = np.arange(0, 1, { step: 0.25 })
 * console.log(z.dtype, toJsSync(z)) // float32 [0, 0.25, 0.5, 0.75]
 *
 * @since 0.1.0
 */
export const arange: {
  (stop: number, options?: ArangeOptions): Tensor
  (start: number, stop: number, options?: ArangeOptions): Tensor
} = (start: number, stopOrOptions?: number | ArangeOptions, maybeOptions?: ArangeOptions): Tensor => {
  const twoBounds = typeof stopOrOptions === "number"
  const options = twoBounds ? maybeOptions : stopOrOptions
  checkArg("arange", twoBounds ? "start" : "stop", start, finite)
  if (twoBounds) checkArg("arange", "stop", stopOrOptions, finite)
  else if (maybeOptions !== undefined) throw argumentError("arange", "stop", "a finite number", stopOrOptions)
  checkOptions("arange", options, arangeSpec)
  const [lo, hi] = twoBounds ? [start, stopOrOptions] : [0, start]
  const step = options?.step ?? 1
  if (step === 0) throw new ShapeError({ operation: "arange", detail: "step must be non-zero" })
  const dtype = options?.dtype ?? ([lo, hi, step].every(Number.isInteger) ? "int32" : "float32")
  const n = Math.max(0, Math.ceil((hi - lo) / step))
  checkSize("arange", [n], n)
  // before the values are computed on the host: 2^31 of them took minutes, then failed to allocate
  checkHostAlloc(dtype, n)
  // JAX computes start + step * iota in the result dtype: an integer dtype truncates
  // start and step first (each must fit it, as JAX's conversion of a Python int) and
  // wraps like int32 arithmetic; float32 rounds each operation.
  if (dtype === "int32" || dtype === "uint32") {
    const a = intArgument("start", Math.trunc(lo), dtype)
    const d = intArgument("step", Math.trunc(step), dtype)
    const values = dtype === "int32" ? new Int32Array(n) : new Uint32Array(n)
    // Math.imul: the low 32 bits of d * i, exact where a float product would round
    for (let i = 0; i < n; i++) values[i] = a + Math.imul(d, i)
    return fromLiteral(values, dtype)
  }
  const r = dtype === "float32" ? Math.fround : (v: number) => v
  const values = dtype === "float32" ? new Float32Array(n) : new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = r(r(lo) + r(r(step) * i))
  return fromLiteral(values, dtype)
}

// JAX's OverflowError for a Python int that does not fit the dtype (jnp.arange(2**31, 2**31 + 2)
// gave [2147483647, 2147483647]).
const intArgument = (name: string, v: number, dtype: "int32" | "uint32"): number => {
  const [min, max] = dtype === "int32" ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1]
  if (v < min || v > max) {
    throw new DTypeError({
      operation: "arange",
      detail:
        `${name} ${v} too large to convert to ${dtype} (an ${dtype} arange needs start and step in [${min}, ${max}])`
    })
  }
  return v
}

/** Options of `linspace`: the number of values (default 50), whether `stop` is included, the dtype. @since 0.1.0 */
export interface LinspaceOptions extends DTypeOptions {
  readonly num?: number | undefined
  readonly endpoint?: boolean | undefined
  /** Where the new axis goes when `start`/`stop` are arrays (0 by default). */
  readonly axis?: number | undefined
  /** Also return the step (NaN when there is no interval: one value with the endpoint). */
  readonly retstep?: boolean | undefined
}

const linspaceSpec: OptionSpec = {
  num: integer,
  endpoint: boolean,
  dtype: dtypeCheck,
  axis: integer,
  retstep: boolean
}

/**
 * `num` evenly spaced values from `start` to `stop` (inclusive unless `endpoint: false`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.linspace(0, 1, { num: 5 }))) // [0, 0.25, 0.5, 0.75, 1]
 *
 * @since 0.1.0
 */
export const linspace: {
  (start: TensorLike, stop: TensorLike, options: LinspaceOptions & { readonly retstep: true }): [Tensor, Tensor]
  (start: TensorLike, stop: TensorLike, options?: LinspaceOptions): Tensor
} = ((start: TensorLike, stop: TensorLike, options?: LinspaceOptions): Tensor | [Tensor, Tensor] => {
  checkOptions("linspace", options, linspaceSpec)
  const num = options?.num ?? 50
  if (num < 0) throw new ShapeError({ operation: "linspace", detail: `num must be non-negative, got ${num}` })
  checkSize("linspace", [num], num)
  const endpoint = options?.endpoint ?? true
  const div = endpoint ? num - 1 : num
  const integral = options?.dtype === "int32" || options?.dtype === "uint32"
  if (typeof start !== "number" || typeof stop !== "number") {
    return linspaceArrays(toTensor(start), toTensor(stop), num, div, endpoint, integral, options)
  }
  checkArg("linspace", "start", start, number)
  checkArg("linspace", "stop", stop, number)
  const step = div > 0 ? (stop - start) / div : NaN
  const dtype = options?.dtype ?? "float32"
  checkHostAlloc(dtype, num)
  // float32 values are rounded once, as the conversion of float64 ones would
  const values = dtype === "float32" ? new Float32Array(num) : new Float64Array(num)
  for (let i = 0; i < num; i++) values[i] = i === 0 ? start : start + i * step
  if (endpoint && num > 1) values[num - 1] = stop
  // JAX floors for integer dtypes (a cast would truncate negative values up)
  if (integral) { for (let i = 0; i < num; i++) values[i] = Math.floor(values[i]!) }
  const out = fromLiteral(values, dtype)
  return options?.retstep === true ? [out, fromLiteral(step, integral ? "float32" : out.dtype)] : out
}) as never

// linspace between arrays (JAX's _linspace): start + (stop - start) * i / div along a new axis.
const linspaceArrays = (
  start: Tensor,
  stop: Tensor,
  num: number,
  div: number,
  endpoint: boolean,
  integral: boolean,
  options: LinspaceOptions | undefined
): Tensor | [Tensor, Tensor] => {
  const [a, b] = broadcastAll(promoteAll("linspace", [toInexact(start), toInexact(stop)])) as [Tensor, Tensor]
  const compute = options?.dtype !== undefined && isInexact(options.dtype) ? options.dtype : a.dtype
  const [s0, s1] = [cast(a, compute, false), cast(b, compute, false)]
  const shape = [num, ...s0.shape]
  const dims = s0.shape.map((_, i) => i + 1)
  const delta = lax.div(lax.sub(s1, s0), lax.full(s0.shape, div > 0 ? div : NaN, compute))
  const i = lax.broadcastInDim(lax.iota(compute, [num], 0), shape, [0])
  let out = lax.add(lax.broadcastInDim(s0, shape, dims), lax.mul(i, lax.broadcastInDim(delta, shape, dims)))
  if (num > 0 && div === 0) out = lax.broadcastInDim(s0, shape, dims)
  if (endpoint && num > 1) {
    const head = lax.slice(out, shape.map(() => 0), [num - 1, ...s0.shape])
    out = lax.concatenate([head, lax.broadcastInDim(s1, [1, ...s0.shape], dims)], 0)
  }
  if (integral) out = lax.floor(out)
  out = cast(out, options?.dtype ?? compute, false)
  out = moveaxis(out, 0, checkAxis("linspace", options?.axis ?? 0, out.ndim))
  return options?.retstep === true ? [out, delta] : out
}

/** Options of `eye`: the number of columns (default `n`), the diagonal `k` (default 0), the dtype. @since 0.1.0 */
export interface EyeOptions extends DTypeOptions {
  readonly m?: number | undefined
  readonly k?: number | undefined
}

const eyeSpec: OptionSpec = { m: integer, k: integer, dtype: dtypeCheck }

/**
 * A 2-D tensor with ones on the `k`-th diagonal and zeros elsewhere.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.eye(2))) // [[1, 0], [0, 1]]
 * console.log(toJsSync(np.eye(2, { m: 3, k: 1 }))) // [[0, 1, 0], [0, 0, 1]]
 *
 * @since 0.1.0
 */
export const eye = (n: number, options?: EyeOptions): Tensor => {
  checkArg("eye", "n", n, integer)
  checkOptions("eye", options, eyeSpec)
  const cols = options?.m ?? n
  const [rows] = checkShape("eye", [n, cols])
  const k = options?.k ?? 0
  const values = new Float64Array(rows! * cols)
  for (let i = 0; i < rows!; i++) {
    const j = i + k
    if (j >= 0 && j < cols) values[i * cols + j] = 1
  }
  return reshape(fromLiteral(values, options?.dtype ?? "float32"), [rows!, cols])
}

/**
 * The `n` by `n` identity matrix.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.identity(2))) // [[1, 0], [0, 1]]
 *
 * @since 0.1.0
 */
export const identity = (n: number, options?: DTypeOptions): Tensor => {
  checkOptions("identity", options, dtypeSpec)
  return eye(n, options)
}

// ---------------------------------------------------------------------------
// elementwise arithmetic

/**
 * `x + y`, broadcast and promoted (logical or on bool, as in NumPy).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.add(np.array([1, 2]), 10))) // [11, 12]
 *
 * @since 0.1.0
 */
export const add = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("add", [x, y]) as [Tensor, Tensor]
  return a.dtype === "bool" ? lax.or(a, b) : lax.add(a, b)
}

/**
 * `x - y`, broadcast and promoted.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.subtract(np.array([5, 7]), 2))) // [3, 5]
 *
 * @since 0.1.0
 */
export const subtract = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("subtract", [x, y]) as [Tensor, Tensor]
  return lax.sub(a, b)
}

/**
 * `x * y`, broadcast and promoted (logical and on bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.multiply(np.array([1, 2]), np.array([[1], [10]])))) // [[1, 2], [10, 20]]
 *
 * @since 0.1.0
 */
export const multiply = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("multiply", [x, y]) as [Tensor, Tensor]
  return a.dtype === "bool" ? lax.and(a, b) : lax.mul(a, b)
}

/**
 * `x / y` with an inexact result (integers divide as float32, like `jnp.divide`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.divide(np.array([1, 2], { dtype: "int32" }), np.array([2, 2], { dtype: "int32" }))
 * console.log(y.dtype, toJsSync(y)) // float32 [0.5, 1]
 *
 * @since 0.1.0
 */
export const divide = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("divide", [x, y]) as [Tensor, Tensor]
  return lax.div(toInexact(a), toInexact(b))
}

/**
 * Same as `divide`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.trueDivide(np.array([1, 3]), 2))) // [0.5, 1.5]
 *
 * @since 0.1.0
 */
export const trueDivide = divide

/**
 * Python's `x // y` (NumPy's and JAX's `floor_divide`). On integers, the
 * truncating quotient less one where the signs differ and the division was
 * inexact (so `7 // 0` is -2, from XLA's `7 / 0 = -1`, as in JAX); unsigned
 * integers truncate. On floats, CPython's `float_divmod`: the quotient of
 * `x - x % y`, stepped down where the remainder's sign is not the divisor's,
 * so that `x == y * (x // y) + x % y` as in Python (`1 // 0.1` is 9, while
 * `floor(1 / 0.1)` is 10); `x // 0` is `x / 0`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.floorDivide(np.array([7, -7], { dtype: "int32" }), np.array(2, { dtype: "int32" })))) // [3, -4]
 * console.log(toJsSync(np.floorDivide(np.array([1, -1]), np.array(0.5)))) // [2, -2]
 *
 * @since 0.1.0
 */
export const floorDivide = (x: TensorLike, y: TensorLike): Tensor => {
  let [a, b] = prepare("floorDivide", [x, y]) as [Tensor, Tensor]
  if (a.dtype === "bool") [a, b] = [cast(a, "int32", false), cast(b, "int32", false)]
  if (a.dtype === "uint32") return lax.div(a, b)
  if (a.dtype === "int32") {
    const q = lax.div(a, b)
    const adjust = lax.and(lax.ne(lax.sign(a), lax.sign(b)), lax.ne(lax.rem(a, b), lax.zerosLike(q)))
    return lax.select(adjust, lax.sub(q, lax.full(q.shape, 1, "int32", q.weakType)), q)
  }
  if (isComplex(a.dtype)) {
    throw new DTypeError({ operation: "floorDivide", detail: "complex dtypes are not accepted" })
  }
  return floatDivmod(a, b)[0]
}

// CPython's float_divmod (JAX's `_float_divmod`): the quotient of x - x % y, which is (nearly) an
// integer, and the remainder, each moved one step where the remainder's sign is not the divisor's.
const floatDivmod = (a: Tensor, b: Tensor): [Tensor, Tensor] => {
  const r = lax.rem(a, b)
  const zero = lax.zerosLike(r)
  const one = lax.full(r.shape, 1, r.dtype, r.weakType)
  const q = lax.div(lax.select(lax.eq(b, zero), a, lax.sub(a, r)), b)
  const step = lax.and(lax.ne(r, zero), lax.ne(lax.sign(b), lax.sign(r)))
  return [lax.round(lax.select(step, lax.sub(q, one), q)), lax.select(step, lax.add(r, b), r)]
}

/**
 * Remainder with the sign of the divisor (NumPy's `%`, `np.mod`), built from
 * `lax.rem` (which takes the dividend's sign). An integer remainder by zero is
 * 0, as in JAX (which divides by one there).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.mod(np.array([-3, 3]), 2))) // [1, 1]
 *
 * @since 0.1.0
 */
export const mod = (x: TensorLike, y: TensorLike): Tensor => {
  let [a, b] = prepare("mod", [x, y]) as [Tensor, Tensor]
  if (a.dtype === "bool") [a, b] = [cast(a, "int32", false), cast(b, "int32", false)]
  b = nonzeroDivisor(b)
  const r = lax.rem(a, b)
  const zero = lax.zerosLike(r)
  const fix = lax.and(lax.ne(r, zero), lax.ne(lax.lt(r, zero), lax.lt(b, zero)))
  return lax.select(fix, lax.add(r, b), r)
}

/**
 * Same as `mod`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.remainder(np.array([-3, 3]), 2))) // [1, 1]
 *
 * @since 0.1.0
 */
export const remainder = mod

/**
 * `x ** y`, as `jnp.power`. An integer JS exponent, or a concrete integer
 * scalar tensor, uses `integer_pow` (exact, keeps x's dtype; a negative one on
 * an integer base is a `DTypeError`). Integer (or boolean) bases and exponents
 * otherwise stay integers: binary exponentiation over the exponent's low 6
 * bits (JAX's `_pow_int_int`; more would overflow for any base above 1, and a
 * negative exponent gives an implementation-defined value, as under JAX's jit).
 * Otherwise both are promoted to an inexact dtype. As in JAX, the derivative
 * with an integer exponent `n` (a JS integer or an int32 tensor) is
 * `n * x ** (n - 1)` with `0 ** 0 = 1`, and 0 where `n` is 0: at `x = 0` it is 1
 * for `n = 1` and 0 otherwise, never NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.power(np.array([1, 2, 3]), 2))) // [1, 4, 9]
 * const ints = np.power(np.array([2, 3, 0], { dtype: "int32" }), np.array([3, 2, 0], { dtype: "int32" }))
 * console.log(ints.dtype, toJsSync(ints)) // int32 [8, 9, 1]
 *
 * @since 0.1.0
 */
export const power = (x: TensorLike, y: TensorLike): Tensor => {
  const scalar = typeof y === "number" ? y : concreteIntegerScalar(y)
  if (scalar !== undefined && Number.isInteger(scalar) && Math.abs(scalar) <= 0x7fffffff) {
    const t = toTensor(x)
    return lax.integerPow(t.dtype === "bool" ? cast(t, "int32", false) : t, scalar)
  }
  const integerExponent = y instanceof Tensor && (y.dtype === "int32" || y.dtype === "bool")
  const [a, b] = prepare("power", [x, y]) as [Tensor, Tensor]
  if (!isInexact(a.dtype)) return integerPower(a, b)
  const base = toInexact(a)
  const exponent = toInexact(b)
  if (!integerExponent) return lax.pow(base, exponent)
  // JAX keeps an integer exponent integral: where it is 0 the derivative is 0 (its
  // `_pow_jvp_lhs` selects it), not 0 * x ** -1, which is NaN at x = 0. The masked
  // exponent keeps that NaN out of the reverse pass too (0 * NaN would be NaN).
  const isZero = lax.eq(exponent, lax.zerosLike(exponent))
  const one = lax.full(exponent.shape, 1, exponent.dtype, exponent.weakType)
  const out = lax.pow(base, lax.select(isZero, one, exponent))
  return lax.select(isZero, lax.full(out.shape, 1, out.dtype, out.weakType), out)
}

// The value of an integer scalar tensor whose data is on the host (an eager value: JAX's
// `core.is_concrete`), else undefined.
const concreteIntegerScalar = (y: TensorLike): number | undefined =>
  y instanceof ConcreteTensor && y.ndim === 0 && (y.dtype === "int32" || y.dtype === "uint32") &&
    y.host !== undefined
    ? Number(y.host[0])
    : undefined

// Integer `a ** b` of one dtype (booleans as int32: JAX's numeric promotion), by binary
// exponentiation over b's low 6 bits: the accumulator starts at 0 where a is 0 and b is not
// (0 ** b = 0), else 1.
const integerPower = (a: Tensor, b: Tensor): Tensor => {
  const bool = a.dtype === "bool"
  let x = bool ? cast(a, "int32", a.weakType) : a
  let n = bool ? cast(b, "int32", b.weakType) : b
  const zero = lax.zerosLike(x)
  const one = lax.full(x.shape, 1, x.dtype, x.weakType)
  let acc = lax.select(lax.and(lax.eq(x, zero), lax.ne(n, zero)), zero, one)
  for (let bit = 0; bit < 6; bit++) {
    acc = lax.select(lax.ne(lax.and(n, one), zero), lax.mul(acc, x), acc)
    x = lax.mul(x, x)
    n = lax.shiftRightLogical(n, one)
  }
  return acc
}

/**
 * `-x`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.negative(np.array([1, -2])))) // [-1, 2]
 *
 * @since 0.1.0
 */
export const negative = (x: TensorLike): Tensor => lax.neg(toTensor(x))

/**
 * `+x` (the identity).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.positive(np.array([1, -2])))) // [1, -2]
 *
 * @since 0.1.0
 */
export const positive = (x: TensorLike): Tensor => toTensor(x)

/**
 * `1 / x`, inexact.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.reciprocal(np.array([2, 4])))) // [0.5, 0.25]
 *
 * @since 0.1.0
 */
export const reciprocal = (x: TensorLike): Tensor => lax.integerPow(toInexact(toTensor(x)), -1)

/**
 * `x * x` (bools square as int32, as JAX's).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.square(np.array([2, -3])))) // [4, 9]
 * console.log(np.square(np.array([true])).dtype) // int32
 *
 * @since 0.1.0
 */
export const square = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  // JAX's promote_dtypes_numeric: bool squares as int32
  return lax.integerPow(t.dtype === "bool" ? cast(t, "int32", false) : t, 2)
}

const inexactUnary = (f: (x: Tensor) => Tensor) => (x: TensorLike): Tensor => f(toInexact(toTensor(x)))

/**
 * Square root (integers are promoted to float32 first, as in `jnp`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sqrt(np.array([4, 9])))) // [2, 3]
 *
 * @since 0.1.0
 */
export const sqrt = inexactUnary(lax.sqrt)

/**
 * `e ** x`, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.exp(np.array([0, 1])))) // [1, 2.7182817]
 *
 * @since 0.1.0
 */
export const exp = inexactUnary(lax.exp)

/**
 * Natural logarithm.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.log(np.array([1, Math.E])))) // [0, 1]
 *
 * @since 0.1.0
 */
export const log = inexactUnary(lax.log)

/**
 * `log(1 + x)`, accurate near zero.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.log1p(np.array([1e-10])))) // [1e-10]
 *
 * @since 0.1.0
 */
export const log1p = inexactUnary(lax.log1p)

/**
 * `exp(x) - 1`, accurate near zero.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.expm1(np.array([1e-10])))) // [1e-10]
 *
 * @since 0.1.0
 */
export const expm1 = inexactUnary(lax.expm1)

/**
 * Sine (radians), elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sin(np.array([0, Math.PI / 2])))) // [0, 1]
 *
 * @since 0.1.0
 */
export const sin = inexactUnary(lax.sin)

/**
 * Cosine (radians), elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cos(np.array([0, Math.PI])))) // [1, -1]
 *
 * @since 0.1.0
 */
export const cos = inexactUnary(lax.cos)

/**
 * Tangent (radians), elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.tan(np.array([0, Math.PI / 4])))) // [0, 1]
 *
 * @since 0.1.0
 */
export const tan = inexactUnary(lax.tan)

/**
 * Inverse sine, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arcsin(np.array([0, 1])))) // [0, 1.5707964]
 *
 * @since 0.1.0
 */
export const arcsin = inexactUnary(lax.asin)

/**
 * Inverse cosine, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arccos(np.array([1, 0])))) // [0, 1.5707964]
 *
 * @since 0.1.0
 */
export const arccos = inexactUnary(lax.acos)

/**
 * Inverse tangent, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arctan(np.array([0, 1])))) // [0, 0.7853982]
 *
 * @since 0.1.0
 */
export const arctan = inexactUnary(lax.atan)

/**
 * Hyperbolic sine, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sinh(np.array([0])))) // [0]
 *
 * @since 0.1.0
 */
export const sinh = inexactUnary(lax.sinh)

/**
 * Hyperbolic cosine, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cosh(np.array([0])))) // [1]
 *
 * @since 0.1.0
 */
export const cosh = inexactUnary(lax.cosh)

/**
 * Hyperbolic tangent, elementwise.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.tanh(np.array([0, 100])))) // [0, 1]
 *
 * @since 0.1.0
 */
export const tanh = inexactUnary(lax.tanh)

/**
 * The error function.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.erf(np.array([0, 0.5])))) // [0, 0.5204999]
 *
 * @since 0.1.0
 */
export const erf = inexactUnary(lax.erf)

/**
 * The logistic sigmoid `1 / (1 + exp(-x))`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sigmoid(np.array([0])))) // [0.5]
 *
 * @since 0.1.0
 */
export const sigmoid = inexactUnary(lax.logistic)

/**
 * `atan2(y, x)`, the angle of the point `(x, y)`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arctan2(np.array([1, -1]), np.array([-1, -1])))) // [2.3561945, -2.3561945]
 *
 * @since 0.1.0
 */
export const arctan2 = (y: TensorLike, x: TensorLike): Tensor => {
  const [a, b] = prepare("arctan2", [y, x]) as [Tensor, Tensor]
  return lax.atan2(toInexact(a), toInexact(b))
}

/**
 * `|x|` (the modulus of complex values, as a real dtype).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.abs(np.array([{ re: 3, im: 4 }]))
 * console.log(y.dtype, toJsSync(y)) // float32 [5]
 *
 * @since 0.1.0
 */
export const abs = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return t.dtype === "bool" ? t : lax.abs(t)
}

/**
 * Same as `abs`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.absolute(np.array([-1, 2])))) // [1, 2]
 *
 * @since 0.1.0
 */
export const absolute = abs

/**
 * -1, 0 or 1 by the sign of `x` (numbers only: bool is a `DTypeError`, as
 * JAX's `lax.sign` and NumPy, which have no bool loop).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sign(np.array([-2, 0, 3])))) // [-1, 0, 1]
 *
 * @since 0.1.0
 */
export const sign = (x: TensorLike): Tensor => lax.sign(toTensor(x))

const roundingUnary = (f: (x: Tensor) => Tensor) => (x: TensorLike): Tensor => {
  const t = toTensor(x)
  // Integers (unsigned too) and booleans are already whole (jnp.floor's `isdtype(x, ('integral', 'bool'))`).
  return isInteger(t.dtype) || t.dtype === "bool" ? t : f(t)
}

/**
 * The largest integer not above `x` (integers pass through).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.floor(np.array([-1.5, 1.5])))) // [-2, 1]
 *
 * @since 0.1.0
 */
export const floor = roundingUnary(lax.floor)

/**
 * The smallest integer not below `x` (integers pass through).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.ceil(np.array([-1.5, 1.5])))) // [-1, 2]
 *
 * @since 0.1.0
 */
export const ceil = roundingUnary(lax.ceil)

/**
 * Rounds half to even (NumPy's rule) to `decimals` decimal places (default 0).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.round(np.array([0.5, 1.5, 2.5])))) // [0, 2, 2]
 * console.log(toJsSync(np.round(np.array([1.25]), { decimals: 1 }))) // [1.2]
 *
 * @since 0.1.0
 */
export const round = (x: TensorLike, options?: { readonly decimals?: number | undefined }): Tensor => {
  checkOptions("round", options, roundSpec)
  const decimals = options?.decimals ?? 0
  const t = toTensor(x)
  if (t.dtype === "int32" || t.dtype === "uint32" || t.dtype === "bool") {
    // JAX's NotImplementedError: integers are only rounded to non-negative decimals (a no-op)
    if (decimals < 0) throw argumentError("round", "decimals", "non-negative for an integer input", decimals)
    return t
  }
  // Beyond the dtype's precision rounding is a no-op (JAX compares with log10 of finfo.max).
  if (decimals > (t.dtype === "float32" || t.dtype === "complex64" ? 38 : 308)) return t
  const roundReal = (r: Tensor): Tensor => {
    if (decimals === 0) return lax.round(r, { roundingMethod: "toNearestEven" })
    const scale = 10 ** decimals
    return divide(lax.round(multiply(r, scale), { roundingMethod: "toNearestEven" }), scale)
  }
  return isComplex(t.dtype) ? lax.complex(roundReal(lax.real(t)), roundReal(lax.imag(t))) : roundReal(t)
}

const roundSpec: OptionSpec = { decimals: integer }

/** Options of `clip`: the bounds, either of which may be omitted. @since 0.1.0 */
export interface ClipOptions {
  readonly min?: TensorLike | undefined
  readonly max?: TensorLike | undefined
}

const clipSpec: OptionSpec = { min: anyValue, max: anyValue }

/**
 * Limits values to `[min, max]` (either bound may be omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.clip(np.array([-2, 0.5, 3]), { min: 0, max: 1 }))) // [0, 0.5, 1]
 *
 * @since 0.1.0
 */
export const clip = (x: TensorLike, options?: ClipOptions): Tensor => {
  checkOptions("clip", options, clipSpec)
  const y = toTensor(x)
  const lo = options?.min === undefined ? undefined : toTensor(options.min)
  const hi = options?.max === undefined ? undefined : toTensor(options.max)
  if (lo === undefined && hi === undefined) return y
  const bounds = [lo, hi].filter((b) => b !== undefined)
  return jitted("clip", `${lo !== undefined}|${hi !== undefined}`, [y, ...bounds], (y, a, b) => {
    let out = y!
    if (lo !== undefined) out = maximum(out, a!)
    if (hi !== undefined) out = minimum(out, lo !== undefined ? b! : a!)
    return out
  })
}

/**
 * Elementwise maximum (NaN propagates).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.maximum(np.array([1, 5]), 3))) // [3, 5]
 *
 * @since 0.1.0
 */
export const maximum = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("maximum", [x, y]) as [Tensor, Tensor]
  return lax.max(a, b)
}

/**
 * Elementwise minimum (NaN propagates).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.minimum(np.array([1, 5]), 3))) // [1, 3]
 *
 * @since 0.1.0
 */
export const minimum = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("minimum", [x, y]) as [Tensor, Tensor]
  return lax.min(a, b)
}

// ---------------------------------------------------------------------------
// comparisons and logic

const comparison = (name: string, f: (a: Tensor, b: Tensor) => Tensor) => (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare(name, [x, y]) as [Tensor, Tensor]
  return f(a, b)
}

// JAX's _comparison_op: complex numbers order lexicographically, real parts first, then imaginary
const ordering = (name: string, f: (a: Tensor, b: Tensor) => Tensor) => (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare(name, [x, y]) as [Tensor, Tensor]
  if (!isComplex(a.dtype)) return f(a, b)
  const [ra, rb] = [lax.real(a), lax.real(b)]
  return lax.select(lax.eq(ra, rb), f(lax.imag(a), lax.imag(b)), f(ra, rb))
}

/**
 * `x == y` elementwise (bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.equal(np.array([1, 2]), 2))) // [false, true]
 *
 * @since 0.1.0
 */
export const equal = comparison("equal", lax.eq)

/**
 * `x != y` elementwise (bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.notEqual(np.array([1, 2]), 2))) // [true, false]
 *
 * @since 0.1.0
 */
export const notEqual = comparison("notEqual", lax.ne)

/**
 * `x < y` elementwise (bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.less(np.array([1, 2]), 2))) // [true, false]
 *
 * @since 0.1.0
 */
export const less = ordering("less", lax.lt)

/**
 * `x <= y` elementwise (bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.lessEqual(np.array([1, 3]), 2))) // [true, false]
 *
 * @since 0.1.0
 */
export const lessEqual = ordering("lessEqual", lax.le)

/**
 * `x > y` elementwise (bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.greater(np.array([1, 3]), 2))) // [false, true]
 *
 * @since 0.1.0
 */
export const greater = ordering("greater", lax.gt)

/**
 * `x >= y` elementwise (bool).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.greaterEqual(np.array([1, 2]), 2))) // [false, true]
 *
 * @since 0.1.0
 */
export const greaterEqual = ordering("greaterEqual", lax.ge)

const truthy = (t: Tensor): Tensor => t.dtype === "bool" ? t : lax.ne(t, lax.zerosLike(t))

/**
 * Logical and of truth values (non-zero is true).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logicalAnd(np.array([1, 0]), true))) // [true, false]
 *
 * @since 0.1.0
 */
export const logicalAnd = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = broadcastAll([truthy(toTensor(x)), truthy(toTensor(y))]) as [Tensor, Tensor]
  return lax.and(a, b)
}

/**
 * Logical or of truth values.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logicalOr(np.array([true, false]), np.array([false, false])))) // [true, false]
 *
 * @since 0.1.0
 */
export const logicalOr = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = broadcastAll([truthy(toTensor(x)), truthy(toTensor(y))]) as [Tensor, Tensor]
  return lax.or(a, b)
}

/**
 * Logical not of truth values.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logicalNot(np.array([0, 2])))) // [true, false]
 *
 * @since 0.1.0
 */
export const logicalNot = (x: TensorLike): Tensor => lax.not(truthy(toTensor(x)))

/**
 * `x` where `condition` is true, else `y` (all three broadcast).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.where(np.array([true, false]), 1, 0))) // [1, 0]
 *
 * @since 0.1.0
 */
export const where = (condition: TensorLike, x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("where", [x, y]) as [Tensor, Tensor]
  const [c, a2, b2] = broadcastAll([truthy(toTensor(condition)), a, b]) as [Tensor, Tensor, Tensor]
  return lax.select(c, a2, b2)
}

/**
 * Whether each element is NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isnan(np.array([NaN, 1])))) // [true, false]
 *
 * @since 0.1.0
 */
export const isnan = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isInexact(t.dtype) ? lax.ne(t, t) : constant(t.shape, false, "bool", false)
}

/**
 * Whether each element is finite (not infinite and not NaN).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isfinite(np.array([Infinity, NaN, 1])))) // [false, false, true]
 *
 * @since 0.1.0
 */
export const isfinite = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (!isInexact(t.dtype)) return constant(t.shape, true, "bool", false)
  const m = lax.abs(t)
  return lax.lt(m, lax.full(m.shape, Infinity, m.dtype, m.weakType))
}

/**
 * Whether each element is positive or negative infinity.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isinf(np.array([-Infinity, 1])))) // [true, false]
 *
 * @since 0.1.0
 */
export const isinf = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (!isInexact(t.dtype)) return constant(t.shape, false, "bool", false)
  const m = lax.abs(t)
  return lax.eq(m, lax.full(m.shape, Infinity, m.dtype, m.weakType))
}

// ---------------------------------------------------------------------------
// reductions

/**
 * Options of `sum`, `prod`, `max`, `min`: `where` keeps only the entries where it is
 * true (broadcast to the input), `initial` is combined with the result (`max`/`min`
 * need it with `where`, having no identity). @since 0.1.0
 */
export interface ReduceWhereOptions extends ReduceOptions {
  readonly where?: TensorLike | undefined
  readonly initial?: number | undefined
}

const reduceSpec: OptionSpec = { axis: axesCheck, keepdims: boolean }
const whereSpec: OptionSpec = { ...reduceSpec, where: anyValue }
const initialSpec: OptionSpec = { ...whereSpec, initial: number }
const reduceDTypeSpec: OptionSpec = { ...initialSpec, dtype: dtypeCheck }

// JAX's combination of `initial` with a reduction's result (`op(initial, result)`).
const withInitial = (r: Tensor, initial: number | undefined, op: (a: Tensor, b: Tensor) => Tensor): Tensor =>
  initial === undefined ? r : op(r, lax.full(r.shape, initial, r.dtype, r.weakType))

// How many entries along `axes` `where` keeps, in `dtype` (the full count without a mask).
const countKept = (
  t: Tensor,
  axes: ReadonlyArray<number>,
  where: TensorLike | undefined,
  keepdims: boolean | undefined,
  dtype: DType
): Tensor => {
  if (where === undefined) {
    const n = sizeOf(axes.map((a) => t.shape[a]!))
    const shape = t.shape.filter((_, i) => !axes.includes(i))
    return keep(lax.full(shape, n, dtype), axes, keepdims)
  }
  return keep(lax.reduceSum(lax.convertElementType(whereMask(where, t.shape), dtype), axes), axes, keepdims)
}

// JAX's reductions end in the public lax.convert_element_type, whose result is never weak: a
// weak input (a JS number broadcast) reduces to a strong result.
const strong = (y: Tensor): Tensor => cast(y, y.dtype, false)

const keep = (y: Tensor, axes: ReadonlyArray<number>, keepdims: boolean | undefined): Tensor =>
  keepdims === true && axes.length > 0 ? lax.expandDims(y, [...axes].sort((a, b) => a - b)) : y

// Sums and products of bool count as int32, as in NumPy.
const numericForSum = (t: Tensor): Tensor => t.dtype === "bool" ? cast(t, "int32", false) : t

// JAX's ValueError for `where` without `initial` on a reduction without identity.
const noIdentity = (op: string) => argumentError(op, "initial", `given with where (${op} has no identity)`, undefined)

const checkNonEmpty = (op: string, t: Tensor, axes: ReadonlyArray<number>): void => {
  for (const a of axes) {
    if (t.shape[a] === 0) {
      throw new ShapeError({
        operation: op,
        detail: `zero-size array to reduction operation ${op} which has no identity (axis ${a} of shape ${
          formatShape(t.shape)
        })`
      })
    }
  }
}

/**
 * Sum over `axis` (all axes when omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sum(np.array([[1, 2], [3, 4]]), { axis: 1 }))) // [3, 7]
 *
 * @since 0.1.0
 */
export const sum = (x: TensorLike, options?: ReduceWhereOptions & DTypeOptions): Tensor => {
  checkOptions("sum", options, reduceDTypeSpec)
  const t0 = toTensor(x)
  // JAX's _reduction with a bool dtype: the input as bool, summed with or (its bool_op)
  const isBool = options?.dtype === "bool"
  let t = isBool ? t0 : numericForSum(t0)
  if (options?.dtype !== undefined) t = astype(t, options.dtype)
  const axes = normalizeAxes("sum", options?.axis, t.ndim)
  const r = (isBool ? lax.reduceMax : lax.reduceSum)(masked(t, options?.where, 0), axes)
  return strong(keep(withInitial(r, options?.initial, isBool ? lax.or : lax.add), axes, options?.keepdims))
}

/**
 * Product over `axis` (all axes when omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.prod(np.array([[1, 2], [3, 4]]), { axis: 0 }))) // [3, 8]
 *
 * @since 0.1.0
 */
export const prod = (x: TensorLike, options?: ReduceWhereOptions & DTypeOptions): Tensor => {
  checkOptions("prod", options, reduceDTypeSpec)
  const t0 = toTensor(x)
  // JAX's _reduction with a bool dtype: the input as bool, multiplied with and (its bool_op)
  const isBool = options?.dtype === "bool"
  let t = isBool ? t0 : numericForSum(t0)
  if (options?.dtype !== undefined) t = astype(t, options.dtype)
  const axes = normalizeAxes("prod", options?.axis, t.ndim)
  const r = (isBool ? lax.reduceMin : lax.reduceProd)(masked(t, options?.where, 1), axes)
  return strong(keep(withInitial(r, options?.initial, isBool ? lax.and : lax.mul), axes, options?.keepdims))
}

/**
 * Mean over `axis` (inexact: integers average as float32). With `dtype`, as
 * JAX: the input cast to it, summed, and divided by the count in it (an
 * integer dtype truncates).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.mean(np.array([1, 2, 3, 4])))) // 2.5
 * console.log(toJsSync(np.mean(np.array([1.5, 2.6]), { dtype: "int32" }))) // 1
 *
 * @since 0.1.0
 */
export const mean = (x: TensorLike, options?: MeanOptions): Tensor => {
  checkOptions("mean", options, meanSpec)
  // JAX's _mean: the sum in `dtype` (the input's inexact dtype by default) divided by the count
  // with lax.div, so an integer dtype truncates (mean([1.5, 2.6], dtype=int32) is 1)
  const t0 = toTensor(x)
  const t = options?.dtype === undefined ? toInexact(t0) : astype(numericForSum(t0), options.dtype)
  const axes = normalizeAxes("mean", options?.axis, t.ndim)
  const where = options?.where
  const total = keep(lax.reduceSum(masked(t, where, 0), axes), axes, options?.keepdims)
  // the count in the sum's dtype (JAX's _count with dtype=computation_dtype), complex included
  return lax.div(total, countKept(t, axes, where, options?.keepdims, t.dtype))
}

/** Options of `mean`: the axes, a `where` mask, and the dtype of the computation. @since 0.1.0 */
export interface MeanOptions extends ReduceOptions, DTypeOptions {
  readonly where?: TensorLike | undefined
}

const meanSpec: OptionSpec = { ...whereSpec, dtype: dtypeCheck }

/**
 * Maximum over `axis` (NaN propagates).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.max(np.array([[1, 5], [3, 4]]), { axis: 1 }))) // [5, 4]
 *
 * @since 0.1.0
 */
export const max = (x: TensorLike, options?: ReduceWhereOptions): Tensor => {
  checkOptions("max", options, initialSpec)
  const t = toTensor(x)
  const axes = normalizeAxes("max", options?.axis, t.ndim)
  const initial = options?.initial
  if (initial === undefined) {
    if (options?.where !== undefined) throw noIdentity("max")
    checkNonEmpty("max", t, axes)
  }
  const r = lax.reduceMax(masked(t, options?.where, lowest(t.dtype)), axes)
  return strong(keep(withInitial(r, initial, lax.max), axes, options?.keepdims))
}

/**
 * Minimum over `axis` (NaN propagates).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.min(np.array([[1, 5], [3, 4]])))) // 1
 *
 * @since 0.1.0
 */
export const min = (x: TensorLike, options?: ReduceWhereOptions): Tensor => {
  checkOptions("min", options, initialSpec)
  const t = toTensor(x)
  const axes = normalizeAxes("min", options?.axis, t.ndim)
  const initial = options?.initial
  if (initial === undefined) {
    if (options?.where !== undefined) throw noIdentity("min")
    checkNonEmpty("min", t, axes)
  }
  const r = lax.reduceMin(masked(t, options?.where, highest(t.dtype)), axes)
  return strong(keep(withInitial(r, initial, lax.min), axes, options?.keepdims))
}

// How many elements along `axes` are truthy (non-zero), as int32, with the reduced size.
// With `where`, the masked-out entries count as neither (`any` is false, `all` true there).
const countTruthy = (name: string, x: TensorLike, options?: WhereOptions): [Tensor, Tensor] => {
  checkOptions(name, options, whereSpec)
  const t = toTensor(x)
  const axes = normalizeAxes(name, options?.axis, t.ndim)
  const truthy = lax.convertElementType(t.dtype === "bool" ? t : notEqual(t, zerosLike(t)), "int32")
  const kept = countKept(t, axes, options?.where, options?.keepdims, "int32")
  return [keep(lax.reduceSum(masked(truthy, options?.where, 0), axes), axes, options?.keepdims), kept]
}

/** Options of `any`/`all`: the axes and a `where` mask. @since 0.1.0 */
export interface WhereOptions extends ReduceOptions {
  readonly where?: TensorLike | undefined
}

/**
 * Whether any element along `axis` (all axes when omitted) is truthy (`jnp.any`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.any(np.array([[true, false], [false, false]]), { axis: 1 }))) // [true, false]
 *
 * @since 0.1.0
 */
export const any = (x: TensorLike, options?: WhereOptions): Tensor => {
  const [count] = countTruthy("any", x, options)
  return greater(count, zerosLike(count))
}

/**
 * Whether every element along `axis` (all axes when omitted) is truthy (`jnp.all`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.all(np.array([[true, false], [true, true]]), { axis: 1 }))) // [false, true]
 *
 * @since 0.1.0
 */
export const all = (x: TensorLike, options?: WhereOptions): Tensor => {
  const [count, n] = countTruthy("all", x, options)
  return equal(count, n)
}

// NumPy's convention for ops taking one optional axis: none means the flattened array.
const alongAxis = (op: string, x: TensorLike, axis: number | undefined): readonly [Tensor, number] => {
  const t = toTensor(x)
  return axis === undefined ? [ravel(t), 0] : [t, checkAxis(op, axis, t.ndim)]
}
const oneAxisSpec: OptionSpec = { axis: integer }
const integerOrNull: Check = { expected: "an integer or null", test: (u) => u === null || Number.isInteger(u) }

/** Options of `argmax`/`argmin`: one axis (the flattened array when omitted). @since 0.1.0 */
export interface ArgOptions {
  readonly axis?: number | undefined
  readonly keepdims?: boolean | undefined
}

const argSpec: OptionSpec = { axis: integer, keepdims: boolean }
const argReduce = (op: "argmax" | "argmin", x: TensorLike, options?: ArgOptions): Tensor => {
  checkOptions(op, options, argSpec)
  const [t, axis] = alongAxis(op, x, options?.axis)
  const y = op === "argmax" ? lax.argmax(t, axis) : lax.argmin(t, axis)
  if (options?.keepdims !== true) return y
  return options.axis === undefined
    ? lax.reshape(y, new Array<number>(toTensor(x).ndim).fill(1))
    : keep(y, [axis], true)
}

/**
 * Index of the first maximum along `axis` (of the flattened array when omitted), int32.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.argmax(np.array([1, 3, 2])))) // 1
 *
 * @since 0.1.0
 */
export const argmax = (x: TensorLike, options?: ArgOptions): Tensor => argReduce("argmax", x, options)

/**
 * Index of the first minimum along `axis`, int32.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.argmin(np.array([3, 1, 2])))) // 1
 *
 * @since 0.1.0
 */
export const argmin = (x: TensorLike, options?: ArgOptions): Tensor => argReduce("argmin", x, options)

/**
 * Cumulative sum along `axis` (of the flattened array when omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cumsum(np.array([1, 2, 3])))) // [1, 3, 6]
 *
 * @since 0.1.0
 */
export const cumsum = (x: TensorLike, options?: { readonly axis?: number | undefined } & DTypeOptions): Tensor => {
  checkOptions("cumsum", options, cumsumSpec)
  return cumulativeReduce("cumsum", lax.cumsum, toTensor(x), options?.axis, options?.dtype)
}

/** Options of `var`/`std`: `ddof` is the delta degrees of freedom (0: population). @since 0.1.0 */
export interface VarOptions extends ReduceOptions, DTypeOptions {
  readonly ddof?: number | undefined
  /** JAX's name for `ddof` (the Array API's). */
  readonly correction?: number | undefined
  readonly where?: TensorLike | undefined
  /**
   * The mean over `axis` if already computed (JAX's `mean`), broadcast against
   * the input (keep the reduced axes, e.g. `keepdims: true`); used as given.
   */
  readonly mean?: TensorLike | undefined
}

const cumsumSpec: OptionSpec = { axis: integer, dtype: dtypeCheck }
const varSpec: OptionSpec = { ...whereSpec, ddof: number, correction: number, dtype: dtypeCheck, mean: anyValue }

// var and std: `op` names the function in errors (the exported `var` takes two arguments)
const varianceOf = (x: TensorLike, options: VarOptions | undefined, op: "var" | "std"): Tensor => {
  checkOptions(op, options, varSpec)
  if (options?.ddof !== undefined && options.correction !== undefined) {
    throw argumentError(op, "correction", "left out when ddof is given", options.correction)
  }
  let t = toInexact(toTensor(x))
  if (options?.dtype !== undefined) t = astype(t, options.dtype)
  const axes = normalizeAxes(op, options?.axis, t.ndim)
  const where = options?.where === undefined ? undefined : toTensor(options.where)
  const ddof = options?.ddof ?? options?.correction ?? 0
  const keepdims = options?.keepdims === true
  // a given mean, in the computation's dtype and broadcast to the input (JAX's a_mean)
  const given = options?.mean === undefined
    ? undefined
    : broadcastToImpl(astype(toTensor(options.mean), t.dtype), t.shape)
  const statics = `${axes.join(",")}|${ddof}|${keepdims}|${where !== undefined}|${given !== undefined}`
  const inputs = [t, ...(where === undefined ? [] : [where]), ...(given === undefined ? [] : [given])]
  // compiled when eager, as JAX's jitted `jnp.var`/`jnp.std` (the sqrt joins the same kernel)
  return jitted(op, statics, inputs, (t, ...rest) => {
    const w = where === undefined ? undefined : rest[0]
    const m = given === undefined ? undefined : rest[rest.length - 1]
    const v = varianceCore(t!, axes, w, ddof, keepdims, m)
    return op === "std" ? lax.sqrt(v) : v
  })
}

const varianceCore = (
  t: Tensor,
  axes: ReadonlyArray<number>,
  where: Tensor | undefined,
  ddof: number,
  keepdims: boolean,
  given?: Tensor
): Tensor => {
  const centered = subtract(t, given ?? mean(t, { axis: axes, keepdims: true, where }))
  // |x - mean|^2: real even for complex input.
  const sq = isComplex(t.dtype) ? lax.real(lax.mul(centered, lax.conj(centered))) : lax.mul(centered, centered)
  const total = keep(lax.reduceSum(masked(sq, where, 0), axes), axes, keepdims)
  const normalizer = lax.sub(countKept(sq, axes, where, keepdims, sq.dtype), lax.full([], ddof, sq.dtype))
  // JAX's NaN where no degrees of freedom are left (NumPy gives inf or a negative value).
  const positive = lax.gt(normalizer, lax.zerosLike(normalizer))
  return lax.select(positive, lax.div(total, normalizer), lax.full(total.shape, NaN, total.dtype))
}

const variance = (x: TensorLike, options?: VarOptions): Tensor => varianceOf(x, options, "var")

export {
  /**
   * Variance over `axis`: the mean of `|x - mean(x)|^2`, divided by `n - ddof`.
   *
   * @example
   * import { np, toJsSync } from "diffect"
   * console.log(toJsSync(np.var(np.array([1, 2, 3, 4])))) // 1.25
   *
   * @since 0.1.0
   */
  variance as var
}

/**
 * Standard deviation over `axis`: `sqrt(var)`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.std(np.array([1, 3])))) // 1
 *
 * @since 0.1.0
 */
export const std = (x: TensorLike, options?: VarOptions): Tensor => varianceOf(x, options, "std")

/**
 * `log(sum(exp(x)))` over `axis`, computed stably (the maximum is subtracted
 * first, and held constant under differentiation as in JAX).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logsumexp(np.array([1000, 1000])))) // 1000.6931
 *
 * @since 0.1.0
 */
export const logsumexp = (x: TensorLike, options?: ReduceOptions): Tensor => {
  checkOptions("logsumexp", options, reduceSpec)
  const t = toInexact(toTensor(x))
  const axes = normalizeAxes("logsumexp", options?.axis, t.ndim)
  const m = lax.reduceMax(t, axes)
  // An infinite (or NaN) maximum would make x - m NaN: shift by 0 instead.
  const shift = lax.stopGradient(lax.select(isfinite(m), m, lax.zerosLike(m)))
  const shiftKept = lax.expandDims(shift, [...axes].sort((a, b) => a - b))
  const s = lax.reduceSum(lax.exp(lax.sub(t, broadcastToImpl(shiftKept, t.shape))), axes)
  // strong, as JAX's (its shift is a strong max)
  return strong(keep(lax.add(lax.log(s), shift), axes, options?.keepdims))
}

// ---------------------------------------------------------------------------
// linear algebra

// (bools stay bool: dot_general's bool product is JAX's and NumPy's "any of and")
const promote2 = (op: string, x: TensorLike, y: TensorLike): [Tensor, Tensor] =>
  promoteAll(op, [toTensor(x), toTensor(y)]) as [Tensor, Tensor]

/**
 * JAX's `precision` of the matrix products (`np.dot`, `np.matmul`, `np.inner`,
 * `np.tensordot`, `np.einsumWith`, `np.vecdot`, `np.vdot`, `np.convolve`,
 * `np.correlate`): how float32 products accumulate, see `Precision`
 * (`"default"`: in float32; `"highest"`: in float64); and JAX's
 * `preferred_element_type`: the dtype the products accumulate in and the
 * result's (strong), so int32 operands can give a float32 product.
 *
 * @since 0.1.0
 */
export interface PrecisionOptions {
  readonly precision?: Precision | undefined
  readonly preferredElementType?: DType | undefined
}

/**
 * NumPy's `dot`: inner product of vectors, matrix product of matrices, and for
 * N-d arrays a sum over the last axis of `x` and the second-to-last of `y`.
 * `precision` and `preferredElementType` as in JAX (see `PrecisionOptions`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.dot(np.array([1, 2, 3]), np.array([4, 5, 6])))) // 32
 * console.log(toJsSync(np.dot(np.array([1, 2]), np.array([3, 4]), { precision: "highest" }))) // 11
 * const i = np.array([1, 2], { dtype: "int32" })
 * console.log(np.dot(i, i, { preferredElementType: "float32" }).dtype) // float32
 *
 * @since 0.1.0
 */
export const dot = (x: TensorLike, y: TensorLike, options?: PrecisionOptions): Tensor => {
  checkOptions("dot", options, productSpec)
  const [a, b] = promote2("dot", x, y)
  if (a.ndim === 0 || b.ndim === 0) {
    // (JAX: a dot_general without contraction, so the preferred dtype applies too)
    return options?.preferredElementType === undefined ? multiply(a, b) : preferredCast(
      lax.dotGeneral(a, b, [[], []], [[], []], productOptions(options)),
      options
    )
  }
  const bAxis = b.ndim === 1 ? 0 : b.ndim - 2
  return preferredCast(lax.dotGeneral(a, b, [[a.ndim - 1], [bAxis]], [[], []], productOptions(options)), options)
}

/**
 * NumPy's `matmul` (`@`): matrix product over the last two axes, with batch
 * axes broadcast; a 1-D operand is a row (left) or column (right) vector whose
 * axis is removed from the result. `precision` as in JAX (see `PrecisionOptions`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.matmul(np.ones([5, 2, 3]), np.ones([3, 4])).shape) // [5, 2, 4]
 * console.log(np.matmul(np.ones([2, 3]), np.ones([3, 4]), { precision: "highest" }).shape) // [2, 4]
 *
 * @since 0.1.0
 */
export const matmul = (x: TensorLike, y: TensorLike, options?: PrecisionOptions): Tensor => {
  checkOptions("matmul", options, productSpec)
  const dims = productOptions(options)
  const [a, b] = promote2("matmul", x, y)
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError({
      operation: "matmul",
      detail: `Input operand ${a.ndim === 0 ? 0 : 1} does not have enough dimensions (it is a scalar)`
    })
  }
  const a2 = a.ndim === 1 ? lax.reshape(a, [1, a.shape[0]!]) : a
  const b2 = b.ndim === 1 ? lax.reshape(b, [b.shape[0]!, 1]) : b
  const k1 = a2.shape[a2.ndim - 1]!
  const k2 = b2.shape[b2.ndim - 2]!
  if (k1 !== k2) {
    throw new ShapeError({
      operation: "matmul",
      detail: `Input operand 1 has a mismatch in its core dimension 0 (size ${k2} is different from ${k1}); shapes ${
        formatShape(a.shape)
      } and ${formatShape(b.shape)}`
    })
  }
  let out: Tensor
  if (b2.ndim === 2) {
    // No batch axes on the right: one contraction, the left's leading axes ride along.
    out = lax.dotGeneral(a2, b2, [[a2.ndim - 1], [0]], [[], []], dims)
  } else {
    const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2))
    const a3 = broadcastToImpl(a2, [...batch, ...a2.shape.slice(-2)])
    const b3 = broadcastToImpl(b2, [...batch, ...b2.shape.slice(-2)])
    const nb = batch.length
    const bdims = Array.from({ length: nb }, (_, i) => i)
    out = lax.dotGeneral(a3, b3, [[nb + 1], [nb]], [bdims, bdims], dims)
  }
  if (a.ndim === 1) out = lax.squeeze(out, [out.ndim - 2])
  if (b.ndim === 1) out = lax.squeeze(out, [out.ndim - 1])
  return preferredCast(out, options)
}

const tensordotSpec: OptionSpec = {
  ...productSpec,
  axes: {
    expected: "an integer or a pair of arrays of integers",
    test: (u) =>
      Number.isInteger(u) ||
      (Array.isArray(u) && u.length === 2 && u.every((v) => Array.isArray(v) && v.every(Number.isInteger)))
  }
}

/**
 * Sum of products over `axes` (default 2): the last `axes` axes of `x` with the
 * first of `y` (a number), or explicit pairs `[axesOfX, axesOfY]`; `precision`
 * as in JAX (see `PrecisionOptions`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.tensordot(np.ones([2, 3]), np.ones([3, 4]), { axes: 1 }).shape) // [2, 4]
 *
 * @since 0.1.0
 */
export const tensordot = (
  x: TensorLike,
  y: TensorLike,
  options?: {
    readonly axes?: number | readonly [ReadonlyArray<number>, ReadonlyArray<number>] | undefined
    readonly precision?: Precision | undefined
    readonly preferredElementType?: DType | undefined
  }
): Tensor => {
  checkOptions("tensordot", options, tensordotSpec)
  const axes = options?.axes ?? 2
  const [a, b] = promote2("tensordot", x, y)
  let ca: Array<number>
  let cb: Array<number>
  if (typeof axes === "number") {
    if (axes < 0 || axes > a.ndim || axes > b.ndim) {
      throw new ShapeError({
        operation: "tensordot",
        detail: `axes=${axes} exceeds the operands' dimensions`
      })
    }
    ca = Array.from({ length: axes }, (_, i) => a.ndim - axes + i)
    cb = Array.from({ length: axes }, (_, i) => i)
  } else {
    ca = axes[0].map((d) => checkAxis("tensordot", d, a.ndim))
    cb = axes[1].map((d) => checkAxis("tensordot", d, b.ndim))
  }
  return preferredCast(lax.dotGeneral(a, b, [ca, cb], [[], []], productOptions(options)), options)
}

/**
 * Einstein summation over any number of operands (`"ij,jk->ik"`,
 * `"bij,bjk->bik"`, `"ij->ji"`, traces and diagonals `"ii->"`, `"ii->i"`,
 * ellipses `"...ij,...jk->...ik"` broadcasting like NumPy). Implicit output (no
 * `->`) takes the ellipsis dimensions, then the labels that appear once, in
 * alphabetical order. Three or more operands are contracted pairwise in the
 * cheapest order (see `einsumWith`). Bools stay bool (JAX: sums are `or`,
 * products `and`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.einsum("ij,jk->ik", np.ones([2, 3]), np.ones([3, 4])).shape) // [2, 4]
 *
 * @since 0.1.0
 */
export const einsum = (subscripts: string, ...operands: ReadonlyArray<TensorLike>): Tensor => {
  checkArg("einsum", "subscripts", subscripts, { expected: "a string", test: (u) => typeof u === "string" })
  if (operands.length === 0) throw argumentError("einsum", "operands", "at least one operand", operands)
  return einsumBool(
    promoteAll("einsum", toTensors(operands)),
    (xs) => einsumImpl(subscripts, broadcastSingletons(subscripts, xs))
  )
}

// JAX's einsum on bools stays bool (its sums reduce with `or`, its dot_general multiplies with `and`):
// the product of 0/1 int32s summed, then compared with 0.
const einsumBool = (xs: Array<Tensor>, f: (xs: Array<Tensor>) => Tensor): Tensor => {
  if (xs[0]!.dtype !== "bool") return f(xs)
  const y = f(xs.map((t) => cast(t, "int32", false)))
  return lax.ne(y, lax.full(y.shape, 0, "int32"))
}

// JAX (through opt_einsum) lets an axis of size 1 stand for its label's size elsewhere
// ("ij,jk" of shapes (1, 2) and (1, 3) broadcasts the second's j): broadcast those first.
const broadcastSingletons = (subscripts: string, xs: Array<Tensor>): Array<Tensor> => {
  const terms = subscripts.replace(/\s/g, "").split("->")[0]!.split(",")
  if (terms.length !== xs.length) return xs
  const labelsOf = (term: string, ndim: number): Array<string | undefined> => {
    const dots = term.indexOf("...")
    if (dots < 0) return term.length === ndim ? [...term] : []
    const head = Array.from(term.slice(0, dots))
    const tail = Array.from(term.slice(dots + 3))
    const mid = ndim - head.length - tail.length
    return mid < 0 ? [] : [...head, ...new Array<undefined>(mid).fill(undefined), ...tail]
  }
  const labels = xs.map((x, i) => labelsOf(terms[i]!, x.ndim))
  const size = new Map<string, number>()
  labels.forEach((ls, i) =>
    ls.forEach((l, k) => {
      if (l !== undefined && xs[i]!.shape[k] !== 1) size.set(l, xs[i]!.shape[k]!)
    })
  )
  return xs.map((x, i) => {
    const target = x.shape.map((d, k) => {
      const l = labels[i]![k]
      return d === 1 && l !== undefined ? size.get(l) ?? 1 : d
    })
    return shapeEquals(target, x.shape) ? x : broadcastToImpl(x, target)
  })
}

/**
 * `einsum` with an explicit contraction planner: `"optimal"` (every pair
 * order; the default up to six operands) or `"greedy"` (opt_einsum's greedy
 * rule; the default beyond), and JAX's `precision` and `preferredElementType`
 * for every pairwise product (see `PrecisionOptions`).
 *
 * @example
 * import { np } from "diffect"
 * const y = np.einsumWith("ij,jk,kl->il", [np.ones([2, 3]), np.ones([3, 4]), np.ones([4, 5])], { optimize: "greedy" })
 * console.log(y.shape) // [2, 5]
 *
 * @since 0.1.0
 */
export const einsumWith = (
  subscripts: string,
  operands: ReadonlyArray<TensorLike>,
  options?: {
    readonly optimize?: "optimal" | "greedy" | undefined
    readonly precision?: Precision | undefined
    readonly preferredElementType?: DType | undefined
  }
): Tensor => {
  checkArg("einsum", "subscripts", subscripts, { expected: "a string", test: (u) => typeof u === "string" })
  checkOptions("einsum", options, { optimize: anyValue, ...productSpec })
  const optimize = options?.optimize
  if (optimize !== undefined && optimize !== "optimal" && optimize !== "greedy") {
    throw argumentError("einsum", "optimize", "\"optimal\" or \"greedy\"", optimize)
  }
  if (!Array.isArray(operands) || operands.length === 0) {
    throw argumentError("einsum", "operands", "a non-empty array of arrays", operands)
  }
  let xs = promoteAll("einsum", toTensors(operands))
  // the operands in the preferred dtype: every product and sum accumulates in it, as JAX's
  // dot_generals with preferred_element_type do
  const pref = options?.preferredElementType
  if (pref !== undefined && pref !== "bool") xs = xs.map((x) => cast(x, pref, false))
  return preferredCast(
    einsumBool(xs, (xs) => einsumImpl(subscripts, broadcastSingletons(subscripts, xs), optimize, options?.precision)),
    options
  )
}

/**
 * Outer product of the flattened operands.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.outer(np.array([1, 2]), np.array([3, 4])))) // [[3, 4], [6, 8]]
 *
 * @since 0.1.0
 */
export const outer = (x: TensorLike, y: TensorLike): Tensor => {
  const a = ravel(x)
  const b = ravel(y)
  // compiled when eager, as JAX's jitted `jnp.outer`
  return jitted(
    "outer",
    "",
    [a, b],
    (a, b) => multiply(lax.reshape(a!, [a!.size, 1]), lax.reshape(b!, [1, b!.size])),
    a.size * b.size
  )
}

/**
 * Inner product over the last axes of both operands; `precision` as in JAX
 * (see `PrecisionOptions`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.inner(np.array([1, 2]), np.array([3, 4])))) // 11
 *
 * @since 0.1.0
 */
export const inner = (x: TensorLike, y: TensorLike, options?: PrecisionOptions): Tensor => {
  checkOptions("inner", options, productSpec)
  const [a, b] = promote2("inner", x, y)
  if (a.ndim === 0 || b.ndim === 0) {
    return options?.preferredElementType === undefined ? multiply(a, b) : preferredCast(
      lax.dotGeneral(a, b, [[], []], [[], []], productOptions(options)),
      options
    )
  }
  return preferredCast(lax.dotGeneral(a, b, [[a.ndim - 1], [b.ndim - 1]], [[], []], productOptions(options)), options)
}

// ---------------------------------------------------------------------------
// shapes

/**
 * A tensor of the same data with a new shape; one dimension may be -1 (inferred).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.reshape(np.arange(6), [2, -1]).shape) // [2, 3]
 *
 * @since 0.1.0
 */
export const reshape = (x: TensorLike, shape: number | Shape, options?: OrderOptions): Tensor => {
  checkOptions("reshape", options, orderSpec)
  if (options?.order === "F") {
    // JAX's order="F": reshape the reversed axes to the reversed shape, then reverse back
    const r = reshape(transpose(x), typeof shape === "number" ? shape : [...shape].reverse())
    return transpose(r)
  }
  const t = toTensor(x)
  // -1 (inferred) aside, a shape like any other.
  const s = typeof shape === "number" ? [shape] : shape
  if (!Array.isArray(s)) throw argumentError("reshape", "shape", "an integer or an array of integers", shape)
  checkShape("reshape", s.map((d) => d === -1 ? 1 : d))
  const unknown = s.indexOf(-1)
  let sizes = s
  if (unknown >= 0) {
    if (s.indexOf(-1, unknown + 1) >= 0) {
      throw new ShapeError({ operation: "reshape", detail: "can only specify one unknown dimension" })
    }
    let known = 1
    for (const d of s) if (d !== -1) known *= d
    if (known === 0 || t.size % known !== 0) {
      throw new ShapeError({
        operation: "reshape",
        detail: `cannot reshape array of size ${t.size} into shape (${s.join(", ")})`
      })
    }
    sizes = s.map((d) => (d === -1 ? t.size / known : d))
  }
  return shapeEquals(sizes, t.shape) ? t : lax.reshape(t, sizes)
}

/**
 * The elements in a 1-D tensor (row-major order).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.ravel(np.ones([2, 3])).shape) // [6]
 *
 * @since 0.1.0
 */
export const ravel = (x: TensorLike, options?: OrderOptions): Tensor => {
  checkOptions("ravel", options, orderSpec)
  const t = options?.order === "F" ? transpose(x) : toTensor(x)
  return t.ndim === 1 ? t : lax.reshape(t, [t.size])
}

/** The index order of `reshape`/`ravel`: row-major `"C"` (the default) or column-major `"F"`. @since 0.1.0 */
export interface OrderOptions {
  readonly order?: "C" | "F" | undefined
}

const orderSpec: OptionSpec = { order: { expected: "\"C\" or \"F\"", test: (u) => u === "C" || u === "F" } }

const transposeSpec: OptionSpec = { axes: integers }

/**
 * Permutes the axes: `axes[i]` is the input axis that becomes axis `i`
 * (reversed when omitted).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.transpose(np.ones([2, 3])).shape) // [3, 2]
 * console.log(np.transpose(np.ones([2, 3, 4]), { axes: [1, 0, 2] }).shape) // [3, 2, 4]
 *
 * @since 0.1.0
 */
export const transpose = (x: TensorLike, options?: { readonly axes?: ReadonlyArray<number> | undefined }): Tensor => {
  checkOptions("transpose", options, transposeSpec)
  const t = toTensor(x)
  const axes = options?.axes
  const perm = axes === undefined
    ? Array.from({ length: t.ndim }, (_, i) => t.ndim - 1 - i)
    : axes.map((a) => checkAxis("transpose", a, t.ndim))
  if (perm.length !== t.ndim || new Set(perm).size !== perm.length) {
    throw new ShapeError({
      operation: "transpose",
      detail: `axes [${axes!.join(", ")}] are not a permutation of the ${t.ndim} axes of an array of shape ${
        formatShape(t.shape)
      }`
    })
  }
  if (perm.every((p, i) => p === i) && perm.length === t.ndim) return t
  return lax.transpose(t, perm)
}

/**
 * Swaps two axes.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.swapaxes(np.ones([2, 3, 4]), 0, 2).shape) // [4, 3, 2]
 *
 * @since 0.1.0
 */
export const swapaxes = (x: TensorLike, axis1: number, axis2: number): Tensor => {
  const t = toTensor(x)
  const a = checkAxis("swapaxes", axis1, t.ndim, "axis1")
  const b = checkAxis("swapaxes", axis2, t.ndim, "axis2")
  const perm = Array.from({ length: t.ndim }, (_, i) => (i === a ? b : i === b ? a : i))
  return transpose(t, { axes: perm })
}

/**
 * Moves axes to new positions, keeping the order of the others.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.moveaxis(np.ones([2, 3, 4]), 0, -1).shape) // [3, 4, 2]
 *
 * @since 0.1.0
 */
export const moveaxis = (
  x: TensorLike,
  source: number | ReadonlyArray<number>,
  destination: number | ReadonlyArray<number>
): Tensor => {
  const t = toTensor(x)
  const src = normalizeAxes("moveaxis", source, t.ndim)
  const dst = normalizeAxes("moveaxis", destination, t.ndim)
  if (src.length !== dst.length) {
    throw new ShapeError({
      operation: "moveaxis",
      detail: "`source` and `destination` arguments must have the same number of elements"
    })
  }
  const rest = Array.from({ length: t.ndim }, (_, i) => i).filter((i) => !src.includes(i))
  const perm = new Array<number>(t.ndim)
  const pairs = dst.map((d, i) => [d, src[i]!] as const).sort((p, q) => p[0] - q[0])
  for (const [d, s] of pairs) perm[d] = s
  let r = 0
  for (let i = 0; i < t.ndim; i++) if (perm[i] === undefined) perm[i] = rest[r++]!
  return transpose(t, { axes: perm })
}

/** Options of the ops over some axes (all of them, or as the op says, when omitted). @since 0.1.0 */
export interface AxisOptions {
  readonly axis?: number | ReadonlyArray<number> | undefined
}

const axisSpec: OptionSpec = { axis: axesCheck }

/**
 * Removes size-1 axes (all of them when `axis` is omitted).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.squeeze(np.ones([1, 3, 1])).shape) // [3]
 * console.log(np.squeeze(np.ones([1, 3, 1]), { axis: 0 }).shape) // [3, 1]
 *
 * @since 0.1.0
 */
export const squeeze = (x: TensorLike, options?: AxisOptions): Tensor => {
  checkOptions("squeeze", options, axisSpec)
  const axis = options?.axis
  const t = toTensor(x)
  const axes = axis === undefined
    ? t.shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : normalizeAxes("squeeze", axis, t.ndim)
  return axes.length === 0 ? t : lax.squeeze(t, axes)
}

/**
 * Inserts size-1 axes at the given positions of the result.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.expandDims(np.ones([3]), 0).shape) // [1, 3]
 *
 * @since 0.1.0
 */
export const expandDims = (x: TensorLike, axis: number | ReadonlyArray<number>): Tensor => {
  checkArg("expandDims", "axis", axis, axesCheck)
  const t = toTensor(x)
  const n = typeof axis === "number" ? 1 : axis.length
  return lax.expandDims(t, normalizeAxes("expandDims", axis, t.ndim + n))
}

/**
 * Broadcasts `x` to `shape` by NumPy's rules (`BroadcastError` naming both shapes).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.broadcastTo(np.array([1, 2]), [3, 2]).shape) // [3, 2]
 *
 * @since 0.1.0
 */
export const broadcastTo = (x: TensorLike, shape: number | Shape): Tensor => {
  const t = toTensor(x)
  const s = checkShape("broadcastTo", shape)
  if (t.ndim > s.length || !shapeEquals(broadcastShapes(t.shape, s), s)) {
    throw new BroadcastError({ shapes: [[...t.shape], [...s]] })
  }
  return broadcastToImpl(t, s)
}

const tensorList: Check = { expected: "an array of arrays", test: Array.isArray }

/**
 * Joins tensors along an existing axis (default 0), promoting their dtypes.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.concatenate([np.ones([2, 3]), np.zeros([1, 3])]).shape) // [3, 3]
 * console.log(np.concatenate([np.ones([2, 3]), np.zeros([2, 1])], { axis: 1 }).shape) // [2, 4]
 *
 * @since 0.1.0
 */
export const concatenate = (
  xs: ReadonlyArray<TensorLike>,
  options?: { readonly axis?: number | null | undefined }
): Tensor => {
  checkArg("concatenate", "xs", xs, tensorList)
  checkOptions("concatenate", options, { axis: integerOrNull })
  if (xs.length === 0) {
    throw new ShapeError({ operation: "concatenate", detail: "need at least one array to concatenate" })
  }
  // axis null: the flattened arrays, end to end (JAX's axis=None)
  if (options?.axis === null) return concatenate(Array.from(xs, (x) => ravel(x)))
  const ts = promoteAll("concatenate", toTensors(xs))
  if (ts[0]!.ndim === 0) {
    throw new ShapeError({ operation: "concatenate", detail: "zero-dimensional arrays cannot be concatenated" })
  }
  const axis = checkAxis("concatenate", options?.axis ?? 0, ts[0]!.ndim)
  return ts.length === 1 ? ts[0]! : lax.concatenate(ts, axis)
}

/**
 * Joins tensors of one shape along a new axis (default 0).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.stack([np.ones([3]), np.zeros([3])]).shape) // [2, 3]
 * console.log(np.stack([np.ones([3]), np.zeros([3])], { axis: 1 }).shape) // [3, 2]
 *
 * @since 0.1.0
 */
export const stack = (xs: ReadonlyArray<TensorLike>, options?: { readonly axis?: number | undefined }): Tensor => {
  checkArg("stack", "xs", xs, tensorList)
  checkOptions("stack", options, oneAxisSpec)
  if (xs.length === 0) throw new ShapeError({ operation: "stack", detail: "need at least one array to stack" })
  const ts = promoteAll("stack", toTensors(xs))
  const shape = ts[0]!.shape
  if (!ts.every((t) => shapeEquals(t.shape, shape))) {
    throw new ShapeError({
      operation: "stack",
      detail: `all input arrays must have the same shape, got ${ts.map((t) => formatShape(t.shape)).join(", ")}`
    })
  }
  const a = checkAxis("stack", options?.axis ?? 0, shape.length + 1)
  return lax.concatenate(ts.map((t) => lax.expandDims(t, [a])), a)
}

// The most parts `split` makes (each is a tensor).
const MAX_SPLIT_PARTS = 2 ** 20

/**
 * Splits into `sections` equal parts along `axis` (default 0), or at the given indices.
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.split(np.arange(6), 3).map((t) => t.shape)) // [[2], [2], [2]]
 * console.log(np.split(np.ones([2, 4]), [1], { axis: 1 }).map((t) => t.shape)) // [[2, 1], [2, 3]]
 *
 * @since 0.1.0
 */
export const split = (
  x: TensorLike,
  sections: number | ReadonlyArray<number>,
  options?: { readonly axis?: number | undefined }
): Array<Tensor> => {
  checkArg("split", "sections", sections, axesCheck)
  checkOptions("split", options, oneAxisSpec)
  const t = toTensor(x)
  const a = checkAxis("split", options?.axis ?? 0, t.ndim)
  const n = t.shape[a]!
  let cuts: Array<number>
  if (typeof sections === "number") {
    if (!Number.isInteger(sections) || sections <= 0 || n % sections !== 0) {
      throw new ShapeError({ operation: "split", detail: "array split does not result in an equal division" })
    }
    // an empty axis divides into any number of parts, each a tensor: more than this would exhaust
    // memory (NumPy's and JAX's split raise MemoryError there)
    if (sections > MAX_SPLIT_PARTS) {
      throw new ArgumentError({
        operation: "split",
        argument: "sections",
        expected: `at most ${MAX_SPLIT_PARTS} parts (each part is a tensor)`,
        got: String(sections)
      })
    }
    cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections)
  } else cuts = sections.map((c) => Math.min(Math.max(c < 0 ? c + n : c, 0), n))
  const bounds = [0, ...cuts, n]
  const out: Array<Tensor> = []
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = t.shape.map(() => 0)
    const limit = t.shape.slice()
    start[a] = bounds[i]!
    limit[a] = Math.max(bounds[i]!, bounds[i + 1]!)
    out.push(lax.slice(t, start, limit))
  }
  return out
}

/**
 * Elements at integer `indices` along `axis` (of the flattened array when
 * omitted), with JAX's out-of-bounds modes: by default (`"fill"`) negative
 * indices count from the end and indices out of range read `fillValue` (NaN
 * for floats, as `jnp.take`); `"clip"` clamps, `"wrap"` wraps around. JS and
 * tensor indices, eager, `vmap` and `grad` all follow the same rule (the
 * gradient of a filled element is zero).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.take(np.array([10, 20, 30]), [2, -1]))) // [30, 30]
 * console.log(toJsSync(np.take(np.array([10, 20, 30]), [3, 0]))) // [NaN, 10]
 * console.log(toJsSync(np.take(np.array([10, 20, 30]), [3, -5], { mode: "clip" }))) // [30, 10]
 * console.log(toJsSync(np.take(np.array([10, 20, 30]), [3, -5], { mode: "wrap" }))) // [10, 20]
 *
 * @since 0.1.0
 */
export const take = (x: TensorLike, indices: TensorLike, options?: TakeOptions): Tensor => {
  checkOptions("take", options, takeSpec)
  const [t, axis] = alongAxis("take", x, options?.axis)
  return takeAlong(t, indices, axis, options)
}
const takeSpec: OptionSpec = {
  axis: integer,
  mode: anyValue,
  fillValue: anyValue,
  uniqueIndices: boolean,
  indicesAreSorted: boolean
}

/**
 * The sub-tensor at integer index `i` of the first axis (`x[i]`); negative `i`
 * counts from the end, and out-of-range `i` fails with `IndexError`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.index(np.array([[1, 2], [3, 4]]), -1))) // [3, 4]
 *
 * @since 0.1.0
 */
export const index = (x: TensorLike, i: number): Tensor => {
  checkArg("index", "i", i, integer)
  const t = toTensor(x)
  if (t.ndim === 0) {
    throw new IndexError({ index: i, axis: 0, size: 0 })
  }
  const n = t.shape[0]!
  if (!Number.isInteger(i) || i < -n || i >= n) throw new IndexError({ index: i, axis: 0, size: n })
  const k = i < 0 ? i + n : i
  const start = t.shape.map(() => 0)
  const limit = t.shape.slice()
  start[0] = k
  limit[0] = k + 1
  return lax.squeeze(lax.slice(t, start, limit), [0])
}

/**
 * Reverses the order of elements along `axis` (all axes when omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.flip(np.array([1, 2, 3])))) // [3, 2, 1]
 * console.log(toJsSync(np.flip(np.array([[1, 2], [3, 4]]), { axis: 1 }))) // [[2, 1], [4, 3]]
 *
 * @since 0.1.0
 */
export const flip = (x: TensorLike, options?: AxisOptions): Tensor => {
  checkOptions("flip", options, axisSpec)
  const t = toTensor(x)
  return lax.rev(t, normalizeAxes("flip", options?.axis, t.ndim))
}

/** The modes of `pad` (JAX's names; `linearRamp` is accepted for `linear_ramp`). @since 0.1.0 */
export type PadMode =
  | "constant"
  | "edge"
  | "wrap"
  | "reflect"
  | "symmetric"
  | "linear_ramp"
  | "linearRamp"
  | "maximum"
  | "minimum"
  | "mean"
  | "median"
  | "empty"

/** A value per side: one for all, `[before, after]` for every axis, or one pair per axis. @since 0.1.0 */
export type PadPairs<A> = A | readonly [A, A] | ReadonlyArray<readonly [A, A]>

/**
 * A `pad` mode as a function (NumPy's and JAX's callable mode): called for
 * each 1-D lane along each axis, in turn, of the array zero-padded, with the
 * lane's pad widths, the axis and `kwargs` (the other keys of `pad`'s
 * options); it returns the lane padded (the same length).
 *
 * @since 0.1.0
 */
export type PadFunction = (
  vector: Tensor,
  iaxisPadWidth: readonly [number, number],
  iaxis: number,
  kwargs: Readonly<Record<string, unknown>>
) => TensorLike

/** Options of `pad`, as `jnp.pad`'s keywords. @since 0.1.0 */
export interface PadOptions {
  /** A mode's name, or a function (then the other keys are its `kwargs`). */
  readonly mode?: PadMode | PadFunction | undefined
  /** With a function as `mode`: anything it reads from `kwargs`. */
  readonly [kwarg: string]: unknown
  /** `constant`: the fill value, or per side. */
  readonly constantValues?: PadPairs<number | boolean | Complex> | undefined
  /** `maximum`/`minimum`/`mean`/`median`: how many edge entries the statistic reads. */
  readonly statLength?: PadPairs<number> | undefined
  /** `linear_ramp`: the values the ramps start from (0 by default). */
  readonly endValues?: PadPairs<number> | undefined
  /** `reflect`/`symmetric`: `odd` reflects through the edge value too. */
  readonly reflectType?: "even" | "odd" | undefined
}

const padModes: ReadonlyArray<string> = [
  "constant",
  "edge",
  "wrap",
  "reflect",
  "symmetric",
  "linear_ramp",
  "linearRamp",
  "maximum",
  "minimum",
  "mean",
  "median",
  "empty"
]
const isScalarValue = (u: unknown): boolean => typeof u === "number" || typeof u === "boolean" || isComplexValue(u)
const isPairOf = (test: (u: unknown) => boolean) => (u: unknown): boolean =>
  Array.isArray(u) && (u.length === 1 || u.length === 2) && everyElement(u, test)
// pairs of one length: JAX's `np.asarray(pad_width)` refuses a ragged `[[1, 2], [3]]` (it padded (3, 3))
const pairsOf = (expected: string, test: (u: unknown) => boolean): Check => ({
  expected: `${expected}, a pair [before, after] or an array of such pairs (all of one length)`,
  test: (u) =>
    test(u) || isPairOf(test)(u) ||
    (Array.isArray(u) && everyElement(u, isPairOf(test)) &&
      u.every((p: ReadonlyArray<unknown>) => p.length === (u[0] as ReadonlyArray<unknown>).length))
})
const padSpec: OptionSpec = {
  mode: { expected: padModes.map((m) => `"${m}"`).join(", "), test: (u) => padModes.includes(u as string) },
  constantValues: pairsOf("a number, a boolean or a complex value { re, im }", isScalarValue),
  statLength: pairsOf("a non-negative integer", (u) => Number.isInteger(u) && (u as number) >= 0),
  endValues: pairsOf("a number", (u) => typeof u === "number"),
  reflectType: { expected: "\"even\" or \"odd\"", test: (u) => u === "even" || u === "odd" }
}
const padWidthCheck = pairsOf("an integer", Number.isInteger)

// JAX's _broadcast_to_pairs: one value, [v], [before, after], [[before, after]] or a pair per axis.
const toPairs = <A>(name: string, v: PadPairs<A>, ndim: number): Array<readonly [A, A]> => {
  if (!Array.isArray(v)) return Array.from({ length: ndim }, () => [v as A, v as A] as const)
  const pairs = v as ReadonlyArray<unknown>
  if (!Array.isArray(pairs[0])) {
    const [lo, hi] = pairs.length === 1 ? [pairs[0], pairs[0]] : [pairs[0], pairs[1]]
    return Array.from({ length: ndim }, () => [lo as A, hi as A] as const)
  }
  const each = (pairs as ReadonlyArray<ReadonlyArray<A>>).map((p) => [p[0]!, p[p.length - 1]!] as const)
  if (each.length === 1) return Array.from({ length: ndim }, () => each[0]!)
  if (each.length !== ndim) {
    throw new ShapeError({ operation: "pad", detail: `${name} has ${each.length} pairs for ${ndim} axes` })
  }
  return each
}

/**
 * Pads a tensor (`jnp.pad`): `padWidth` is one width for every side, `[before, after]`
 * for every axis, or one `[before, after]` per axis; `mode` is one of NumPy's
 * (`constant` by default, with `constantValues`), or a function (see `PadFunction`).
 *
 * @example
 * import { np, type Tensor, toJsSync } from "diffect"
 * console.log(toJsSync(np.pad(np.array([1, 2]), 1))) // [0, 1, 2, 0]
 * console.log(toJsSync(np.pad(np.array([1, 2, 3]), [2, 1], { mode: "reflect" }))) // [3, 2, 1, 2, 3, 2]
 * // a function as the mode: each lane, padded with zeros, in; the padded lane out
 * const padWith = (v: Tensor, [lo, hi]: readonly [number, number], _axis: number, kwargs: Record<string, unknown>) => {
 *   const i = np.arange(v.shape[0]!)
 *   return np.where(np.logicalOr(np.less(i, lo), np.greaterEqual(i, v.shape[0]! - hi)), Number(kwargs.padder ?? 10), v)
 * }
 * console.log(toJsSync(np.pad(np.array([1, 2], { dtype: "int32" }), 1, { mode: padWith, padder: 7 }))) // [7, 1, 2, 7]
 *
 * @since 0.1.0
 */
export const pad = (x: TensorLike, padWidth: PadPairs<number>, options?: PadOptions): Tensor => {
  const func = typeof options?.mode === "function" ? options.mode : undefined
  // (a function's kwargs are any keys, as JAX passes **kwargs through)
  if (func === undefined) checkOptions("pad", options, padSpec)
  checkArg("pad", "padWidth", padWidth, padWidthCheck)
  const t = toTensor(x)
  if (t.ndim === 0) return t
  const widths = toPairs("padWidth", padWidth, t.ndim)
  for (const [lo, hi] of widths) {
    if (lo < 0 || hi < 0) {
      throw new ShapeError({ operation: "pad", detail: `widths must be non-negative integers, got [${lo}, ${hi}]` })
    }
  }
  // the result's size before any work (a reflect of 1e9 on two entries looped for minutes): its
  // bytes, as its allocation would fail, then its elements
  const padded = t.shape.map((d, i) => d + widths[i]![0] + widths[i]![1])
  checkHostAlloc(t.dtype, sizeOf(padded))
  checkShape("pad", padded)
  if (func !== undefined) {
    const { mode: _, ...kwargs } = options!
    return padWithFunction(t, widths, func, kwargs)
  }
  const mode = (options?.mode ?? "constant") as PadMode
  if (mode === "linear_ramp" || mode === "linearRamp") {
    // JAX's message for the other modes (an empty axis has no edge value); it was a slice's ShapeError
    t.shape.forEach((d, i) => {
      if (d === 0 && widths[i]![0] + widths[i]![1] > 0) {
        throw new ShapeError({ operation: "pad", detail: `cannot apply '${mode}' padding to an empty axis` })
      }
    })
    // an empty result (NumPy's): the ramps' edges would be slices of the empty axis
    if (sizeOf(t.shape) === 0) {
      const zero = fromScalar(isComplex(t.dtype) ? { re: 0, im: 0 } : 0, t.dtype, t.weakType)
      return lax.pad(t, zero, widths.map(([l, h]) => [l, h, 0] as const))
    }
  }
  switch (mode) {
    case "constant": {
      const fill = (value: number | boolean | Complex) =>
        fromScalar(typeof value === "number" && isComplex(t.dtype) ? { re: value, im: 0 } : value, t.dtype, t.weakType)
      const values = toPairs("constantValues", options?.constantValues ?? 0, t.ndim)
      // one lax.pad per side, so that each side takes its own value (JAX's _pad_constant)
      return widths.reduce((a, [lo, hi], i) => {
        const cfg = (l: number, h: number) => a.shape.map((_, k) => (k === i ? [l, h, 0] as const : [0, 0, 0] as const))
        const b = lo === 0 ? a : lax.pad(a, fill(values[i]![0]), cfg(lo, 0))
        return hi === 0 ? b : lax.pad(b, fill(values[i]![1]), cfg(0, hi))
      }, t)
    }
    case "empty":
      // jnp.empty is zeros
      return lax.pad(
        t,
        fromScalar(isComplex(t.dtype) ? { re: 0, im: 0 } : 0, t.dtype, t.weakType),
        widths.map(([lo, hi]) => [lo, hi, 0] as const)
      )
    case "edge":
      return padEdge(t, widths)
    case "wrap":
      return padPeriodic(t, widths, mode, false)
    case "reflect":
    case "symmetric":
      return padPeriodic(t, widths, mode, options?.reflectType === "odd")
    case "linear_ramp":
    case "linearRamp":
      return padLinearRamp(t, widths, toPairs("endValues", options?.endValues ?? 0, t.ndim))
    default: {
      const length = options?.statLength
      return padStat(t, widths, mode, length === undefined ? undefined : toPairs("statLength", length, t.ndim))
    }
  }
}

// JAX's _pad_func: zeros around `t`, then each axis's lanes through the function. JAX vmaps
// it (apply_along_axis); here each lane is one call, as NumPy's loop.
const padWithFunction = (
  t: Tensor,
  widths: ReadonlyArray<readonly [number, number]>,
  func: PadFunction,
  kwargs: Readonly<Record<string, unknown>>
): Tensor => {
  const zero = fromScalar(isComplex(t.dtype) ? { re: 0, im: 0 } : 0, t.dtype, t.weakType)
  let padded = lax.pad(t, zero, widths.map(([lo, hi]) => [lo, hi, 0] as const))
  for (let axis = 0; axis < padded.ndim; axis++) {
    const moved = moveaxis(padded, axis, -1)
    const n = moved.shape[moved.ndim - 1]!
    const lead = moved.shape.slice(0, -1)
    const rows = sizeOf(lead)
    if (rows === 0) continue
    const flat = lax.reshape(moved, [rows, n])
    const lanes = Array.from({ length: rows }, (_, r) => {
      const lane = lax.reshape(lax.slice(flat, [r, 0], [r + 1, n]), [n])
      const y = toTensor(func(lane, [widths[axis]![0], widths[axis]![1]], axis, kwargs))
      if (y.ndim !== 1 || y.shape[0] !== n) {
        throw new ShapeError({
          operation: "pad",
          detail: `the mode function must return the padded lane (shape [${n}]), got shape ${formatShape(y.shape)}`
        })
      }
      return y
    })
    const out = lax.concatenate(promoteAll("pad", lanes).map((y) => lax.reshape(y, [1, n])), 0)
    padded = moveaxis(lax.reshape(out, [...lead, n]), -1, axis)
  }
  return padded
}

/**
 * The wrap, reflect and symmetric modes, one axis at a time: JAX's loop of one
 * mirror image per axis length (padModes) while the widths are at most about
 * the axis, else the periodic extension in a few operations. JAX's loop runs
 * width / length times: `pad(ones([2]), 1e6, { mode: "reflect" })` made a
 * million concatenations (minutes), and wrap's copies hit JS's array limit (a
 * RangeError).
 */
const padPeriodic = (
  x: Tensor,
  widths: ReadonlyArray<readonly [number, number]>,
  mode: "wrap" | "reflect" | "symmetric",
  odd: boolean
): Tensor =>
  widths.reduce((a, [lo, hi], i) => {
    if (lo === 0 && hi === 0) return a
    const n = a.shape[i]!
    const only = widths.map((_, k) => (k === i ? [lo, hi] as const : [0, 0] as const))
    // a few mirror images, an empty axis (JAX's error) or a dtype without arithmetic: JAX's loop
    if (Math.max(lo, hi) <= 4 * n || n === 0 || (odd && a.dtype === "bool")) {
      return mode === "wrap" ? padWrap(a, only) : padReflect(a, only, mode, odd)
    }
    return extendPeriodically(a, i, lo, hi, mode, odd)
  }, x)

/**
 * Axis `i` of `a` extended by `lo` and `hi` entries, as the infinite extension
 * that wrap, reflect and symmetric padding are windows of: a period `p` (the
 * axis; the axis and its mirror image without or with the edges) repeated, and
 * for odd reflection the values of each period moved by `2 * (last - first)`
 * (two point reflections make a translation). The output is one period tiled and
 * sliced, whatever the widths.
 */
const extendPeriodically = (
  a: Tensor,
  i: number,
  lo: number,
  hi: number,
  mode: "wrap" | "reflect" | "symmetric",
  odd: boolean
): Tensor => {
  const n = a.shape[i]!
  const slice = (x: Tensor, start: number, stop: number) =>
    lax.slice(x, x.shape.map((_, k) => (k === i ? start : 0)), x.shape.map((d, k) => (k === i ? stop : d)))
  const first = slice(a, 0, 1)
  const last = slice(a, n - 1, n)
  const twice = (v: Tensor) => lax.add(v, v)
  const mirrored = (m: Tensor) => {
    const r = lax.rev(m, [i])
    return odd ? lax.sub(twice(lax.broadcastInDim(last, r.shape, r.shape.map((_, k) => k))), r) : r
  }
  const period = mode === "wrap" || (mode === "reflect" && n === 1)
    ? a
    : lax.concatenate([a, mirrored(mode === "reflect" ? slice(a, 1, n - 1) : a)], i)
  const p = period.shape[i]!
  // the extension's entries -lo .. n + hi - 1, in periods qMin .. qMax
  const qMin = Math.floor(-lo / p)
  const reps = Math.floor((n + hi - 1) / p) - qMin + 1
  const before = a.shape.slice(0, i)
  const after = a.shape.slice(i + 1)
  const tiledShape = [...before, reps, p, ...after]
  const spread = (v: Tensor, dims: ReadonlyArray<number>) => lax.broadcastInDim(v, tiledShape, dims)
  const keep = a.shape.map((_, k) => (k < i ? k : k + 1))
  let tiled = spread(period, keep)
  if (odd && mode !== "wrap") {
    const shift = twice(lax.sub(last, first))
    // int32 period numbers: also for uint32 (qMin < 0) and complex dtypes, which iota has not
    const q = lax.convertElementType(lax.add(lax.iota("int32", [reps], 0), lax.full([reps], qMin, "int32")), a.dtype)
    const drop = (v: Tensor) => lax.reshape(v, [...before, ...after])
    const perAxis = a.shape.map((_, k) => k).filter((k) => k !== i).map((k) => (k < i ? k : k + 1))
    tiled = lax.add(tiled, lax.mul(spread(q, [i]), spread(drop(shift), perAxis)))
  }
  const flat = lax.reshape(tiled, [...before, reps * p, ...after])
  const start = -lo - qMin * p
  return slice(flat, start, start + lo + n + hi)
}

/**
 * Repeats the whole tensor `reps` times along each axis.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.tile(np.array([1, 2]), 2))) // [1, 2, 1, 2]
 *
 * @since 0.1.0
 */
export const tile = (x: TensorLike, reps: number | ReadonlyArray<number>): Tensor => {
  let t = toTensor(x)
  let r = [...checkShape("tile", reps)]
  if (r.length < t.ndim) r = [...new Array<number>(t.ndim - r.length).fill(1), ...r]
  if (t.ndim < r.length) t = lax.reshape(t, [...new Array<number>(r.length - t.ndim).fill(1), ...t.shape])
  // [d0, d1] -> [1, d0, 1, d1] -> [r0, d0, r1, d1] -> [r0*d0, r1*d1]
  const interleaved = t.shape.flatMap((d) => [1, d])
  const target = t.shape.flatMap((d, i) => [r[i]!, d])
  checkShape("tile", target)
  const b = broadcastToImpl(lax.reshape(t, interleaved), target)
  return lax.reshape(b, t.shape.map((d, i) => d * r[i]!))
}

/** Options of `repeat`: the axis (the flattened array when omitted) and JAX's static output length. @since 0.1.0 */
export interface RepeatOptions {
  readonly axis?: number | undefined
  /**
   * The length of the result along the axis (`total_repeat_length`): needed when
   * `repeats` is traced; a shorter result is cut, a longer one repeats the last entry.
   */
  readonly totalRepeatLength?: number | undefined
}

const repeatSpec: OptionSpec = { axis: integer, totalRepeatLength: integer }

/**
 * Repeats each element `repeats` times along `axis` (of the flattened array when
 * omitted); `repeats` is one count, or one per element along the axis.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.repeat(np.array([1, 2]), 2))) // [1, 1, 2, 2]
 * console.log(toJsSync(np.repeat(np.array([1, 2, 3]), [2, 0, 1]))) // [1, 1, 3]
 *
 * @since 0.1.0
 */
export const repeat = (x: TensorLike, repeats: number | TensorLike, options?: RepeatOptions): Tensor => {
  checkOptions("repeat", options, repeatSpec)
  const total = options?.totalRepeatLength
  if (total !== undefined && total < 0) throw argumentError("repeat", "totalRepeatLength", "non-negative", total)
  if (typeof repeats === "number" && total === undefined) {
    checkArg("repeat", "repeats", repeats, integer)
    if (repeats < 0) {
      throw new ShapeError({ operation: "repeat", detail: `repeats must be a non-negative integer, got ${repeats}` })
    }
    const [t, axis] = alongAxis("repeat", x, options?.axis)
    const expanded = lax.expandDims(t, [axis + 1])
    const target = expanded.shape.slice()
    target[axis + 1] = repeats
    checkShape("repeat", target)
    const out = t.shape.slice()
    out[axis] = t.shape[axis]! * repeats
    return lax.reshape(broadcastToImpl(expanded, target), out)
  }
  return repeatEach(x, repeats, options?.axis, total)
}

// Per-element counts (JAX's scatter/cumsum path): output entry j takes input entry
// (number of exclusive cumulative counts <= j) - 1.
const repeatEach = (x: TensorLike, repeats: TensorLike, axisOption: number | undefined, total?: number): Tensor => {
  const src = toTensor(x)
  let r = integerIndices("repeat", "repeats", repeats, "integer counts")
  r = ravel(r)
  if (src.ndim === 0) {
    if (r.size !== 1) {
      throw new ShapeError({ operation: "repeat", detail: "a scalar is repeated by one count only" })
    }
    const n = total ?? (toJsSync(r) as Array<number>)[0]!
    return lax.broadcastInDim(src, [n], [])
  }
  const [t, axis] = alongAxis("repeat", src, axisOption)
  const len = t.shape[axis]!
  if (r.size !== 1 && r.size !== len) {
    throw new ShapeError({
      operation: "repeat",
      detail: `${r.size} repeats for an axis of length ${len}`
    })
  }
  r = broadcastToImpl(r, [len])
  let n = total
  if (n === undefined) {
    // without totalRepeatLength the counts must be concrete (JAX's concrete_or_error)
    const counts = toJsSync(r) as Array<number>
    if (counts.some((c) => c < 0)) {
      throw new ShapeError({ operation: "repeat", detail: `repeats must be non-negative, got [${counts.join(", ")}]` })
    }
    n = counts.reduce((a, b) => a + b, 0)
  }
  if (n === 0 || len === 0) {
    const shape = t.shape.slice()
    shape[axis] = len === 0 ? len : 0
    return len === 0 ? t : lax.slice(t, t.shape.map(() => 0), shape)
  }
  const exclusive = lax.sub(lax.cumsum(r, 0), r)
  const j = lax.iota("int32", [n, len], 0)
  const before = lax.le(lax.broadcastInDim(exclusive, [n, len], [1]), j)
  const idx = lax.sub(lax.reduceSum(lax.convertElementType(before, "int32"), [1]), lax.full([n], 1, "int32"))
  return take(t, idx, { axis })
}

// ---------------------------------------------------------------------------
// complex numbers and types

/**
 * The real part (the value itself for real dtypes).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.real(np.array([{ re: 1, im: 2 }]))
 * console.log(y.dtype, toJsSync(y)) // float32 [1]
 *
 * @since 0.1.0
 */
export const real = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isComplex(t.dtype) ? lax.real(t) : t
}

/**
 * The imaginary part (zeros for real dtypes).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.imag(np.array([{ re: 1, im: 2 }]))
 * console.log(y.dtype, toJsSync(y)) // float32 [2]
 *
 * @since 0.1.0
 */
export const imag = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isComplex(t.dtype) ? lax.imag(t) : zerosLike(t)
}

/**
 * The complex conjugate (the value itself for real dtypes).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.conj(np.array([{ re: 1, im: 2 }])))) // [{ re: 1, im: -2 }]
 *
 * @since 0.1.0
 */
export const conj = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isComplex(t.dtype) ? lax.conj(t) : t
}

/**
 * `re + i * im`: complex64 from float32 parts, complex128 from float64 parts.
 * Two JS numbers give a weak complex64 scalar (like a Python complex literal).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const y = np.complex(np.array([1, 2]), 0.5)
 * console.log(y.dtype, toJsSync(y)) // complex64 [{ re: 1, im: 0.5 }, { re: 2, im: 0.5 }]
 *
 * @since 0.1.0
 */
export const complex = (re: TensorLike, im: TensorLike): Tensor => {
  if (typeof re === "number" && typeof im === "number") return fromScalar({ re, im })
  const [a, b] = prepare("complex", [re, im]) as [Tensor, Tensor]
  if (isComplex(a.dtype)) {
    throw new DTypeError({ operation: "complex", detail: `parts must be real, got ${a.dtype}` })
  }
  return lax.complex(toInexact(a), toInexact(b))
}

/**
 * The argument (phase angle) of complex values, in radians (degrees with `deg: true`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.angle(np.array([{ re: 0, im: 1 }])))) // [1.5707964]
 *
 * @since 0.1.0
 */
export const angle = (x: TensorLike, options?: { readonly deg?: boolean | undefined }): Tensor => {
  checkOptions("angle", options, { deg: boolean })
  const t = toInexact(toTensor(x))
  const r = isComplex(t.dtype) ? lax.atan2(lax.imag(t), lax.real(t)) : lax.atan2(zerosLike(t), t)
  return options?.deg === true ? multiply(r, 180 / Math.PI) : r
}

/**
 * Converts to `dtype` (a strong type). Complex to real keeps the real part.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.astype(np.array([1.7, -1.7]), "int32"))) // [1, -1]
 *
 * @since 0.1.0
 */
export const astype = (x: TensorLike, dtype: DType): Tensor => {
  const d = checkDTypeName("astype", dtype)
  const t = toTensor(x)
  return t.dtype === d && !t.weakType ? t : lax.convertElementType(t, d, false)
}

/**
 * The identity, with a zero derivative.
 *
 * @example
 * import { grad, np, runSync, type Tensor, toJsSync } from "diffect"
 * // d/dx of x * stopGradient(x) is stopGradient(x): the second factor is a constant
 * const f = (x: Tensor) => np.sum(np.multiply(x, np.stopGradient(x)))
 * console.log(toJsSync(runSync(grad(f)(np.array([1, 2]))))) // [1, 2]
 *
 * @since 0.1.0
 */
export const stopGradient = (x: TensorLike): Tensor => lax.stopGradient(toTensor(x))

/**
 * JAX's indexed reads and updates (`x.at[idx].get/set/add/...`), functional:
 * each returns a new tensor. The index is written as `np.at(x, ...items)`, one
 * item per axis as in `x.at[i, j]`: integers, slice strings (`"1:3"`, `":"`,
 * `"::-1"`), `"..."`, `null` (a new axis) or integer arrays (a JS array or an
 * int32 tensor, NumPy's advanced indexing).
 *
 * @since 0.1.0
 */
export interface IndexRef {
  /** The indexed values (`x.at[idx].get()`; `x[idx]`). */
  get(options?: GetOptions): Tensor
  /** `x` with the indexed values replaced (with repeated indices, the last update wins). */
  set(values: TensorLike, options?: UpdateOptions): Tensor
  /** `x` with `values` added at the index (repeated indices accumulate). */
  add(values: TensorLike, options?: UpdateOptions): Tensor
  /** `x` with `values` subtracted at the index. */
  subtract(values: TensorLike, options?: UpdateOptions): Tensor
  /** `x` with the indexed values multiplied by `values`. */
  multiply(values: TensorLike, options?: UpdateOptions): Tensor
  /** `x` with the indexed values replaced by their minimum with `values`. */
  min(values: TensorLike, options?: UpdateOptions): Tensor
  /** `x` with the indexed values replaced by their maximum with `values`. */
  max(values: TensorLike, options?: UpdateOptions): Tensor
  /**
   * `x` with the indexed values divided by `values` (`x[idx] /= y`; a true division, so integers give
   * floats; repeated indices divide again).
   */
  divide(values: TensorLike, options?: UpdateOptions): Tensor
  /** `x` with the indexed values raised to `values` (`x[idx] **= y`; repeated indices multiply the exponents). */
  power(values: TensorLike, options?: UpdateOptions): Tensor
  /**
   * `x` with the elementwise `func` applied at the index; an element indexed n times has it applied
   * n times (`x.at[idx].apply(func)`).
   */
  apply(func: (x: Tensor) => Tensor, options?: UpdateOptions): Tensor
}

/**
 * The indexed view of `x` for reads and functional updates: JAX's `x.at[...]`.
 * Reads clamp out-of-bounds integer-array indices by default (mode
 * `"promise_in_bounds"`; `"fill"` reads `fillValue`), updates drop them (mode
 * `"fill"`/`"drop"`; `"clip"` clamps). JS integers out of range are an
 * `IndexError`. docs/guide/indexing.md maps JAX's syntax.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.zeros([3, 3])
 * console.log(toJsSync(np.at(x, 1, ":").set(5))) // [[0, 0, 0], [5, 5, 5], [0, 0, 0]]
 * console.log(toJsSync(np.at(np.zeros([4]), [0, 0, 3]).add(1))) // [2, 0, 0, 1]
 * console.log(toJsSync(np.at(np.arange(6).reshape([2, 3]), "...", [2, 0]).get())) // [[2, 0], [5, 3]]
 * // out-of-bounds updates are dropped, reads clamp unless asked to fill
 * console.log(toJsSync(np.at(np.zeros([2]), [1, 5]).set(7))) // [0, 7]
 * console.log(toJsSync(np.at(np.array([1, 2]), [5]).get({ mode: "fill" }))) // [NaN]
 *
 * @since 0.1.0
 */
export const at = (x: TensorLike, ...index: ReadonlyArray<IndexItem>): IndexRef => {
  const t = toTensor(x)
  // the options' keys and kinds (their modes are checked where they are read): a misspelt key,
  // as JAX's `fill_value`, read the default
  const u = <O>(method: string, options: O): O => {
    checkOptions(`at.${method}`, options, updateSpec)
    return options
  }
  return {
    get: (options) => {
      checkOptions("at.get", options, getSpec)
      return indexGet(t, index, options)
    },
    set: (values, options) => indexUpdate(t, index, "set", values, u("set", options)),
    add: (values, options) => indexUpdate(t, index, "add", values, u("add", options)),
    subtract: (values, options) => indexUpdate(t, index, "add", negative(values), u("subtract", options)),
    multiply: (values, options) => indexUpdate(t, index, "mul", values, u("multiply", options)),
    min: (values, options) => indexUpdate(t, index, "min", values, u("min", options)),
    max: (values, options) => indexUpdate(t, index, "max", values, u("max", options)),
    // JAX's forms: x / scatter_mul(ones_like(x), idx, y), and the same under power
    divide: (values, options) => divide(t, indexUpdate(onesLike(t), index, "mul", values, u("divide", options))),
    power: (values, options) => power(t, indexUpdate(onesLike(t), index, "mul", values, u("power", options))),
    apply: (func, options) => {
      if (typeof func !== "function") throw argumentError("at.apply", "func", "a function", func)
      return indexApply(t, index, func, u("apply", options))
    }
  }
}

const updateSpec: OptionSpec = {
  mode: anyValue,
  uniqueIndices: boolean,
  indicesAreSorted: boolean,
  wrapNegativeIndices: anyValue
}
const getSpec: OptionSpec = { ...updateSpec, fillValue: number }
