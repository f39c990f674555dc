/**
 * Bits to floats as JAX does: uniform from the mantissa bits, normal through
 * XLA's float32 `erf_inv`, and the float constants the samplers use.
 *
 * @since 0.1.0
 */
import { DType, DTypeError, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { compiledWhenEager } from "@diffect/core/Staging"
import { argumentError, describeValue } from "@diffect/core/Validate"
import { partitionable, shapeOf, splitN } from "./keys.js"
import type { ShapeLike } from "./keys.js"
import * as threefry from "./threefry.js"

type TensorLike = np.TensorLike
/** A float dtype for samples. @since 0.1.0 */
export type FloatDType = "float32" | "float64"

export const floatDType = (operation: string, dtype: DType.DType | undefined): FloatDType => {
  const d = dtype ?? "float32"
  if (d !== "float32" && d !== "float64") {
    const got = typeof d === "string" ? d : describeValue(d)
    throw new DTypeError({ operation, detail: `dtype argument to \`${operation}\` must be a float dtype, got ${got}` })
  }
  return d
}

/** A float or complex dtype for samples (JAX's inexact dtypes). @since 0.1.0 */
export type InexactDType = FloatDType | "complex64" | "complex128"

export const inexactDType = (operation: string, dtype: DType.DType | undefined): InexactDType => {
  const d = dtype ?? "float32"
  if (d !== "float32" && d !== "float64" && d !== "complex64" && d !== "complex128") {
    const got = typeof d === "string" ? d : describeValue(d)
    throw new DTypeError({
      operation,
      detail: `dtype argument to \`${operation}\` must be a float or complex dtype, got ${got}`
    })
  }
  return d
}

/** The real dtype of a float or complex dtype. @since 0.1.0 */
export const realDType = (d: InexactDType): FloatDType =>
  d === "complex64" ? "float32" : d === "complex128" ? "float64" : d

export const asFloat = (x: TensorLike, dtype: FloatDType): Tensor => {
  const t = np.asarray(x)
  return t.dtype === dtype && !t.weakType ? t : lax.convertElementType(t, dtype)
}

// [0, 1) from the mantissa bits: JAX's "bits >> (nbits - nmant) | bits(1.0), bitcast, minus 1",
// which is exactly the integer of those bits times 2^-nmant.
export const floatsFromBits = (b: Tensor | readonly [Tensor, Tensor]): Tensor => {
  if (!Array.isArray(b)) {
    const b32 = b as Tensor
    const m = lax.shiftRightLogical(b32, lax.full(b32.shape, 9, "uint32"))
    return lax.mul(lax.convertElementType(m, "float32"), lax.full(b32.shape, 2 ** -23, "float32"))
  }
  const [hi, lo] = b as readonly [Tensor, Tensor]
  // (hi:lo >> 12) * 2^-52 = hi * 2^-32 + (lo >> 12) * 2^-52, both exact in float64.
  const loM = lax.shiftRightLogical(lo, lax.full(lo.shape, 12, "uint32"))
  return lax.add(
    lax.mul(lax.convertElementType(hi, "float64"), lax.full(hi.shape, 2 ** -32, "float64")),
    lax.mul(lax.convertElementType(loM, "float64"), lax.full(hi.shape, 2 ** -52, "float64"))
  )
}

// (compiled when eager: compiled.ts)
export const unitFloats = (key: Tensor, shape: ReadonlyArray<number>, dtype: FloatDType): Tensor => {
  const p = partitionable()
  const n = shape.reduce((a, d) => a * d, 1)
  return compiledWhenEager("unitFloats", `${shape}|${dtype}|${p}`, n, [key], ([k]) => [
    floatsFromBits(dtype === "float32" ? threefry.bits32(k!, shape, p) : threefry.bits64(k!, shape, p))
  ])[0]!
}

// One [0, 1) draw per key of a batch [n, 2] (`uniform(key_i, [])`).
export const unitFloatsBatch = (keys: Tensor, dtype: FloatDType): Tensor =>
  floatsFromBits(
    dtype === "float32"
      ? threefry.bits32Batch(keys, partitionable())
      : threefry.bits64Batch(keys, partitionable())
  )

// JAX's scaling: max(minval, floats * (maxval - minval) + minval).
export const scaleUniform = (floats: Tensor, lo: Tensor, hi: Tensor): Tensor =>
  np.maximum(lo, np.broadcastTo(np.add(np.multiply(floats, np.subtract(hi, lo)), lo), floats.shape))

export const uniformImpl = (
  key: Tensor,
  shape: ReadonlyArray<number>,
  dtype: FloatDType,
  minval: TensorLike,
  maxval: TensorLike
): Tensor => {
  const lo = asFloat(minval, dtype)
  const hi = asFloat(maxval, dtype)
  if (lo.ndim > shape.length || hi.ndim > shape.length) {
    throw new ShapeError({
      operation: "uniform",
      detail: `minval and maxval must broadcast to the shape [${shape.join(", ")}]`
    })
  }
  return scaleUniform(unitFloats(key, shape, dtype), lo, hi)
}

// XLA's ErfInv for float32 (M. Giles, "Approximating the erfinv function"): the
// same polynomial in the same order of operations as JAX's erf_inv on the CPU.
const ERFINV_LT5 = [
  2.81022636e-08,
  3.43273939e-07,
  -3.5233877e-06,
  -4.39150654e-06,
  0.00021858087,
  -0.00125372503,
  -0.00417768164,
  0.246640727,
  1.50140941
]
const ERFINV_GE5 = [
  -0.000200214257,
  0.000100950558,
  0.00134934322,
  -0.00367342844,
  0.00573950773,
  -0.0076224613,
  0.00943887047,
  1.00167406,
  2.83297682
]

/** The inverse error function (see `random.erfInv`). @since 0.1.0 */
export const erfInvImpl = (t: Tensor): Tensor => {
  const c = (v: number) => lax.full(t.shape, v, t.dtype)
  let w = lax.neg(lax.log1p(lax.neg(lax.mul(t, t))))
  const lt = lax.lt(w, c(5))
  w = lax.select(lt, lax.sub(w, c(2.5)), lax.sub(lax.sqrt(w), c(3)))
  const coef = (i: number) => lax.select(lt, c(ERFINV_LT5[i]!), c(ERFINV_GE5[i]!))
  let p = coef(0)
  for (let i = 1; i < 9; i++) p = lax.add(coef(i), lax.mul(p, w))
  let result = lax.mul(p, t)
  if (t.dtype === "float64") {
    // Newton on erf(y) = x: y -= (erf(y) - x) / (2/sqrt(pi) exp(-y^2)); quadratic from ~1e-7.
    for (let i = 0; i < 2; i++) {
      const deriv = lax.mul(c(2 / Math.sqrt(Math.PI)), lax.exp(lax.neg(lax.mul(result, result))))
      result = lax.sub(result, lax.div(lax.sub(lax.erf(result), t), deriv))
    }
  }
  const edge = lax.eq(lax.abs(t), c(1))
  return lax.select(edge, lax.mul(t, c(Infinity)), result)
}

// nextafter(-1, 0): the open interval keeps erf_inv finite.
export const normalLow = (dtype: FloatDType): number => (dtype === "float32" ? -(1 - 2 ** -24) : -(1 - 2 ** -53))

export const normalFromFloats = (floats: Tensor, dtype: FloatDType): Tensor => {
  const u = scaleUniform(floats, np.array(normalLow(dtype), { dtype }), np.array(1, { dtype }))
  return lax.mul(lax.full(u.shape, Math.SQRT2, dtype), erfInvImpl(u))
}

export const normalImpl = (key: Tensor, shape: ReadonlyArray<number>, dtype: InexactDType): Tensor => {
  if (dtype === "complex64" || dtype === "complex128") {
    // JAX's _normal: real and imaginary parts from the two halves of a split, each of variance 1/2
    const real = realDType(dtype)
    const [kRe, kIm] = splitN(key, 2)
    const half = (k: Tensor) => lax.div(normalImpl(k, shape, real), lax.full(shape, Math.SQRT2, real))
    return lax.complex(half(kRe!), half(kIm!))
  }
  const n = shape.reduce((a, d) => a * d, 1)
  return compiledWhenEager("normal", `${shape}|${dtype}|${partitionable()}`, n, [key], ([k]) => [
    normalFromFloats(unitFloats(k!, shape, dtype), dtype)
  ])[0]!
}

// JAX's `_safe_int_to_float`: a u32[2, ...] pair (a 64-bit fixed-point fraction) as a float32 in (0, 1)
// with all its leading zeros in the exponent.
export const safeIntToFloat = (hi: Tensor, lo: Tensor): Tensor => {
  const c = (v: number) => lax.full(hi.shape, v, "uint32")
  const hiclz = lax.clz(hi)
  const loclz = lax.clz(lo)
  const hiAll = lax.eq(hiclz, c(32))
  let mantissa = lax.or(
    lax.shiftLeft(hi, hiclz),
    lax.select(hiAll, lax.shiftLeft(lo, loclz), lax.shiftRightLogical(lo, lax.sub(c(32), hiclz)))
  )
  mantissa = lax.and(lax.shiftRightLogical(mantissa, c(32 - 23 - 1)), c((1 << 23) - 1))
  let exp = lax.shiftLeft(lax.sub(c(126), lax.select(hiAll, lax.add(c(32), loclz), hiclz)), c(23))
  exp = lax.and(exp, c((1 << 30) - (1 << 22)))
  return lax.bitcastConvertType(lax.or(exp, mantissa), "float32")
}

// C's nextafter in float32 or float64, on the host.
export const nextAfter = (x: number, toward: number, dtype: FloatDType): number => {
  if (Number.isNaN(x) || x === toward) return x
  if (dtype === "float64") {
    const b = new Float64Array([x])
    const i = new BigInt64Array(b.buffer)
    if (x === 0) return toward > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE
    i[0] = i[0]! + ((toward > x) === (x > 0) ? 1n : -1n)
    return b[0]!
  }
  const f = new Float32Array([x])
  const i = new Int32Array(f.buffer)
  if (x === 0) return toward > 0 ? 2 ** -149 : -(2 ** -149)
  i[0] = i[0]! + ((toward > x) === (x > 0) ? 1 : -1)
  return f[0]!
}

/** Float constants by dtype (`finfo`). @since 0.1.0 */
export const FINFO = {
  float32: { tiny: 1.1754943508222875e-38, eps: 2 ** -23, epsneg: 2 ** -24 },
  float64: { tiny: 2.2250738585072014e-308, eps: 2 ** -52, epsneg: 2 ** -53 }
} as const

/**
 * The output shape of a sampler with parameters: given (the parameters must broadcast to it), or
 * the parameters' broadcast shape. Internal: not part of `random` (distributions.ts is re-exported).
 */
export const outShape = (op: string, shape: ShapeLike | undefined, params: ReadonlyArray<Tensor>): Array<number> => {
  const broadcast = np.broadcastShapes(...params.map((p) => p.shape))
  if (shape === undefined) return [...broadcast]
  const s = shapeOf(op, shape)
  // JAX's _check_shape: the parameters broadcast to the shape (not the other way round)
  if (np.broadcastShapes(s, broadcast).join(",") !== s.join(",")) {
    throw new ShapeError({
      operation: op,
      detail: `parameter shapes must be broadcast-compatible with shape argument, and the result of ` +
        `broadcasting the shapes must equal the shape argument, but got result [${np.broadcastShapes(s, broadcast)}] ` +
        `for shape argument [${s}].`
    })
  }
  return s
}

/** The sampling algorithm of the gamma family and poisson (JAX's `method`). @since 0.1.0 */
export type SamplerMethod = "exact" | "approximate"

// JAX's `method` argument: "exact" (the rejection samplers diffect has) is the default; JAX's
// loop-free "approximate" samplers (2026) are not ported yet, so they are refused, not replaced.
export const checkMethod = (operation: string, method: unknown): void => {
  if (method === undefined || method === "exact") return
  if (method === "approximate") {
    throw argumentError(
      operation,
      "method",
      "\"exact\" (JAX's loop-free \"approximate\" sampler is not available in diffect)",
      method
    )
  }
  throw argumentError(operation, "method", "one of \"exact\", \"approximate\"", method)
}
