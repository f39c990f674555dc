/**
 * Bit-level float functions: `bitcastConvertType` (the `bitcast_convert_type`
 * primitive between the 32-bit dtypes), and `nextafter` and `reducePrecision`
 * (XLA's algorithms on the bits for float32; for float64, which has no 64-bit
 * integer to bitcast to, exact float64 arithmetic on the `frexp`
 * decomposition).
 *
 * @since 0.1.0
 */
import { isComplex } from "../../DType.js"
import type { DType } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import { bind1, customJvpCall } from "../../Handler.js"
import * as lax from "../../lax.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkDTypeName } from "../../Validate.js"
import { frexp } from "../np/integer.js"

const tensor = (op: string, u: unknown, name = "x"): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}
const k = (like: Tensor, v: number, dtype: DType = like.dtype): Tensor => lax.full(like.shape, v, dtype)
// `y` weakly typed when `x` is (JAX keeps a unary op's weak type; the bit operations' strong constants drop it)
const keepWeak = (x: Tensor, y: Tensor): Tensor =>
  x.weakType && !y.weakType ? lax.convertElementType(y, y.dtype, true) : y

/**
 * The same bits read as another dtype (JAX's `lax.bitcast_convert_type`):
 * between float32, int32 and uint32 elementwise; float64 to one of those adds
 * a trailing axis of 2 (the low 32-bit word first, as XLA on little-endian
 * machines), and the reverse consumes a trailing axis of 2. Bool and complex
 * operands bitcast only to their own dtype (a copy, as JAX). A float64 NaN
 * reads as the canonical quiet NaN (its payload and sign are not kept).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.bitcastConvertType(np.array([1, -2], { dtype: "float32" }), "int32"))) // [1065353216, -1073741824]
 * console.log(toJsSync(lax.bitcastConvertType(np.array([1, -0.5], { dtype: "float64" }), "uint32"))) // [[0, 1072693248], [0, 3219128320]]
 *
 * @since 0.1.0
 */
export const bitcastConvertType = (operand: Tensor, newDtype: DType): Tensor => {
  const op = "bitcast_convert_type"
  const x = tensor(op, operand, "operand")
  const to = checkDTypeName(op, newDtype)
  if (x.dtype === to && !isWord(to)) return x.weakType ? lax.convertElementType(x, to, false) : x
  if (x.dtype === "bool" || to === "bool" || isComplex(x.dtype) || isComplex(to)) {
    throw new DTypeError({
      operation: op,
      detail: "bool and complex values bitcast only to their own dtype (JAX's rule), " +
        `got operand dtype ${x.dtype} and new dtype ${to}`
    })
  }
  if (x.dtype === "float64" && isWord(to)) {
    const [lo, hi] = float64Words(x)
    return bind1(op, [lax.concatenate([lax.expandDims(lo, [x.ndim]), lax.expandDims(hi, [x.ndim])], x.ndim)], {
      newDtype: to
    })
  }
  if (isWord(x.dtype) && to === "float64") {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== 2) {
      throw new ShapeError({
        operation: op,
        detail: `Attempting to convert array of shape (${x.shape.join(", ")}) from ${x.dtype} of size 32 bits ` +
          `to float64 of size 64 bits, but the last dimension is not 2 (2 * 32 = 64)`
      })
    }
    const words = bind1(op, [x], { newDtype: "uint32" })
    const last = x.ndim - 1
    const word = (i: number) =>
      lax.squeeze(
        lax.slice(words, x.shape.map((_, d) => (d === last ? i : 0)), x.shape.map((n, d) => (d === last ? i + 1 : n))),
        [last]
      )
    return float64OfWords(word(0), word(1))
  }
  // the primitive's own dtypes (and its error for bool, complex and other widths)
  return bind1(op, [x], { newDtype: to })
}

const isWord = (d: DType): boolean => d === "float32" || d === "int32" || d === "uint32"

// A float64's IEEE bits as two uint32 words (low, high), computed exactly in float64 arithmetic:
// sign, biased exponent and the 52-bit fraction field (a subnormal's is |x| 2^1074).
const float64Words = (x: Tensor): readonly [Tensor, Tensor] => {
  const a = lax.abs(x)
  const negative = lax.or(lax.lt(x, k(x, 0)), lax.and(lax.eq(x, k(x, 0)), lax.lt(lax.div(k(x, 1), x), k(x, 0))))
  const [m, e] = frexp(a)
  const normal = lax.ge(a, k(x, 2 ** -1022))
  const ef = lax.convertElementType(e, "float64")
  const biased = lax.select(normal, lax.add(ef, k(x, 1022)), k(x, 0))
  const fraction = lax.select(
    normal,
    lax.mul(lax.sub(lax.mul(m, k(x, 2)), k(x, 1)), k(x, 2 ** 52)),
    lax.mul(lax.mul(a, k(x, 2 ** 1022)), k(x, 2 ** 52))
  )
  const finite = lax.lt(a, k(x, Infinity))
  const nan = lax.ne(x, x)
  const fracHigh = lax.floor(lax.div(fraction, k(x, 2 ** 32)))
  let hi = lax.add(lax.mul(biased, k(x, 2 ** 20)), fracHigh)
  let lo = lax.sub(fraction, lax.mul(fracHigh, k(x, 2 ** 32)))
  // infinities 0x7ff00000 00000000, NaN the canonical quiet 0x7ff80000 00000000
  hi = lax.select(nan, k(x, 0x7ff80000), lax.select(finite, hi, k(x, 0x7ff00000)))
  lo = lax.select(lax.and(finite, lax.not(nan)), lo, k(x, 0))
  hi = lax.add(hi, lax.select(lax.and(negative, lax.not(nan)), k(x, 2 ** 31), k(x, 0)))
  return [lax.convertElementType(lo, "uint32"), lax.convertElementType(hi, "uint32")]
}

// The float64 with IEEE bits (low, high) (uint32 words), the inverse of float64Words.
const float64OfWords = (lo: Tensor, hi: Tensor): Tensor => {
  const l = lax.convertElementType(lo, "float64")
  const h = lax.convertElementType(hi, "float64")
  const negative = lax.ge(h, k(h, 2 ** 31))
  const rest = lax.select(negative, lax.sub(h, k(h, 2 ** 31)), h)
  const biased = lax.floor(lax.div(rest, k(h, 2 ** 20)))
  const fraction = lax.add(lax.mul(lax.sub(rest, lax.mul(biased, k(h, 2 ** 20))), k(h, 2 ** 32)), l)
  const f = lax.mul(fraction, k(h, 2 ** -52))
  // 2^(biased - 1023) in two exact halves (one power alone overflows at the ends of the range)
  const n = lax.sub(biased, k(h, 1023))
  const half = lax.floor(lax.mul(n, k(h, 0.5)))
  const normal = lax.mul(lax.mul(lax.add(k(h, 1), f), lax.pow(k(h, 2), half)), lax.pow(k(h, 2), lax.sub(n, half)))
  const subnormal = lax.mul(f, k(h, 2 ** -1022))
  const special = lax.select(lax.eq(fraction, k(h, 0)), k(h, Infinity), k(h, NaN))
  const magnitude = lax.select(
    lax.eq(biased, k(h, 0)),
    subnormal,
    lax.select(lax.eq(biased, k(h, 2047)), special, normal)
  )
  return lax.select(negative, lax.neg(magnitude), magnitude)
}

const floatPair = (op: string, x1: unknown, x2: unknown): readonly [Tensor, Tensor] => {
  const a = tensor(op, x1, "x1")
  const b = tensor(op, x2, "x2")
  if ((a.dtype !== "float32" && a.dtype !== "float64") || a.dtype !== b.dtype) {
    throw new DTypeError({
      operation: op,
      detail: `operands must share a floating dtype (float32 or float64), got ${a.dtype} and ${b.dtype}`
    })
  }
  if (a.shape.join(",") !== b.shape.join(",")) {
    throw new ShapeError({ operation: op, detail: `operands must share a shape, got [${a.shape}] and [${b.shape}]` })
  }
  return [a, b]
}

/**
 * The next representable value after `x1` in the direction of `x2` (JAX's
 * `lax.nextafter`; C's `nextafter`, subnormals included).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([1, 1, 0], { dtype: "float64" })
 * const y = np.array([2, 0, -1], { dtype: "float64" })
 * console.log(toJsSync(lax.nextafter(x, y))) // [1.0000000000000002, 0.9999999999999999, -5e-324]
 *
 * @since 0.1.0
 */
export const nextafter = (x1: Tensor, x2: Tensor): Tensor => {
  const [a, b] = floatPair("nextafter", x1, x2)
  const nan = lax.or(lax.ne(a, a), lax.ne(b, b))
  const same = lax.eq(a, b)
  const zero = lax.eq(a, k(a, 0))
  const away = lax.eq(lax.gt(b, a), lax.gt(a, k(a, 0)))
  let stepped: Tensor
  if (a.dtype === "float32") {
    const bits = bitcastConvertType(a, "int32")
    const magnitude = lax.and(bits, k(bits, 0x7fffffff))
    const sign = lax.and(bits, k(bits, -2147483648))
    const moved = lax.add(magnitude, lax.select(away, k(bits, 1), k(bits, -1)))
    const fromZero = lax.or(lax.and(bitcastConvertType(b, "int32"), k(bits, -2147483648)), k(bits, 1))
    stepped = bitcastConvertType(lax.select(zero, fromZero, lax.or(sign, moved)), "float32")
  } else {
    // one ulp of |x| = m 2^e (m in [0.5, 1)): 2^(e - 53), at least 2^-1074; half of it below a power of two
    const [m, e] = frexp(a)
    const ef = lax.convertElementType(e, "float64")
    const ulp = lax.max(lax.pow(k(a, 2), lax.sub(ef, k(a, 53))), k(a, 2 ** -1074))
    const powerOfTwo = lax.eq(lax.abs(m), k(a, 0.5))
    const down = lax.and(powerOfTwo, lax.not(away))
    const step = lax.select(down, lax.max(lax.mul(ulp, k(a, 0.5)), k(a, 2 ** -1074)), ulp)
    const towardB = lax.select(lax.gt(b, a), step, lax.neg(step))
    const fromZero = lax.select(lax.gt(b, a), k(a, 2 ** -1074), k(a, -(2 ** -1074)))
    // from an infinity (b differs, so it lies toward zero) the largest finite value of its sign
    const infinite = lax.eq(lax.abs(a), k(a, Infinity))
    const largest = lax.select(lax.gt(a, k(a, 0)), k(a, Number.MAX_VALUE), k(a, -Number.MAX_VALUE))
    stepped = lax.select(zero, fromZero, lax.select(infinite, largest, lax.add(a, towardB)))
  }
  const out = lax.select(nan, k(a, NaN), lax.select(same, b, stepped))
  // a binary op is weakly typed when both operands are (JAX's weak-type rule)
  return a.weakType && b.weakType ? keepWeak(a, out) : out
}

/**
 * `x` rounded (to nearest, ties to even) to a float format of `exponentBits`
 * exponent and `mantissaBits` mantissa bits, overflowing to infinity and
 * flushing values below its smallest normal to zero (JAX's
 * `lax.reduce_precision`, XLA's `ReducePrecision`: bfloat16 is 8 and 7, float16
 * 5 and 10). As XLA: with the operand's own exponent width a subnormal is
 * rounded, not flushed, and with no mantissa bits NaN becomes +infinity; a
 * format wider than the operand's leaves it as it is. The derivative passes
 * the tangent through (JAX rounds it as well).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([1 + 2 ** -11, 70000, 1e-6], { dtype: "float32" })
 * // to float16: 1 + 2^-11 (halfway) rounds to 1 (ties to even), 70000 overflows, 1e-6 is below float16's normals
 * console.log(toJsSync(lax.reducePrecision(x, 5, 10))) // [1, Infinity, 0]
 *
 * @since 0.1.0
 */
export const reducePrecision = (operand: Tensor, exponentBits: number, mantissaBits: number): Tensor => {
  const x = tensor("reduce_precision", operand, "operand")
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new DTypeError({
      operation: "reduce_precision",
      detail: `dtype ${x.dtype} is not accepted. Accepted dtypes are float32 and float64`
    })
  }
  if (!Number.isInteger(exponentBits) || exponentBits < 1) {
    throw argumentError("reduce_precision", "exponentBits", "a positive integer", exponentBits)
  }
  if (!Number.isInteger(mantissaBits) || mantissaBits < 0) {
    throw argumentError("reduce_precision", "mantissaBits", "a non-negative integer", mantissaBits)
  }
  // a format as wide as the operand's (or wider: float64's 11 and 52 for a float32) changes nothing there
  const e = Math.min(exponentBits, x.dtype === "float32" ? 8 : 11)
  const m = Math.min(mantissaBits, x.dtype === "float32" ? 23 : 52)
  // JAX's reduce_precision is linear to AD, its tangent rounded the same way; diffect's AD has no
  // linear rule for a composition, so the tangent passes through unrounded (the bit operations'
  // own derivative would be zero)
  return customJvpCall({
    name: "reduce_precision",
    f: ([u]) => [keepWeak(u!, rounded(u!, e, m))],
    jvp: ([u], [du]) => [[keepWeak(u!, rounded(u!, e, m))], [du!]]
  }, [x])[0]!
}

const rounded = (x: Tensor, exponentBits: number, mantissaBits: number): Tensor => {
  const isNan = lax.ne(x, x)
  let out: Tensor
  if (x.dtype === "float32") {
    let bits = bitcastConvertType(x, "uint32")
    if (mantissaBits < 23) {
      const shift = 23 - mantissaBits
      const lastMask = 2 ** shift
      const lastBit = lax.shiftRightLogical(lax.and(bits, k(bits, lastMask)), k(bits, shift))
      const bias = lax.add(lastBit, k(bits, lastMask / 2 - 1))
      bits = lax.and(lax.add(bits, bias), k(bits, (2 ** 32 - lastMask) >>> 0))
    }
    if (exponentBits < 8) {
      const expMask = 0x7f800000
      const reducedBias = 2 ** (exponentBits - 1) - 1
      const exponent = lax.and(bits, k(bits, expMask))
      const overflows = lax.gt(exponent, k(bits, (127 + reducedBias) * 2 ** 23))
      const underflows = lax.le(exponent, k(bits, (127 - reducedBias) * 2 ** 23))
      const signedZero = lax.and(bits, k(bits, 0x80000000))
      const signedInf = lax.or(signedZero, k(bits, expMask))
      bits = lax.select(overflows, signedInf, lax.select(underflows, signedZero, bits))
    }
    out = bitcastConvertType(bits, "float32")
  } else {
    // round the mantissa m in [0.5, 1) to mantissaBits + 1 significant bits, ties to even (exact in float64)
    const [m, e] = frexp(x)
    const ef = lax.convertElementType(e, "float64")
    const scale = k(x, 2 ** (mantissaBits + 1))
    const half = lax.floor(lax.mul(ef, k(x, 0.5)))
    let significand = lax.round(lax.mul(m, scale), { roundingMethod: "toNearestEven" })
    if (mantissaBits === 0) {
      // no mantissa bit: XLA's last kept bit is the exponent's lowest, so a tie (|m| = 3/4) goes up
      // only from an odd biased exponent (e + 1022 odd: e odd), which leaves it even (3 -> 2, 6 -> 8)
      const tie = lax.eq(lax.abs(m), k(x, 0.75))
      const eOdd = lax.ne(lax.sub(ef, lax.mul(half, k(x, 2))), k(x, 0))
      significand = lax.select(lax.and(tie, lax.not(eOdd)), lax.sign(m), significand)
    }
    const rounded = lax.mul(
      lax.mul(
        lax.div(significand, scale),
        lax.pow(k(x, 2), half)
      ),
      lax.pow(k(x, 2), lax.sub(ef, half))
    )
    const bias = 2 ** (exponentBits - 1) - 1
    // the largest finite value, and the smallest normal, of the reduced format
    const maxFinite = (2 - 2 ** -mantissaBits) * 2 ** bias
    const minNormal = 2 ** (1 - bias)
    const big = lax.gt(lax.abs(rounded), k(x, maxFinite))
    const small = lax.lt(lax.abs(rounded), k(x, minNormal))
    const signedZero = lax.mul(lax.sign(x), k(x, 0))
    const inf = lax.mul(lax.sign(x), k(x, Infinity))
    // with all 11 exponent bits XLA rounds only the mantissa bits, so a subnormal keeps its
    // exponent and rounds to a multiple of 2^(-1022 - mantissaBits) (float64's exact ulps below 2^-1022)
    const below = exponentBits === 11 ? subnormalRounded(x, mantissaBits) : signedZero
    out = lax.select(big, inf, lax.select(small, below, rounded))
    out = lax.select(lax.eq(lax.abs(x), k(x, Infinity)), x, out)
  }
  // with no mantissa bits left XLA's NaN becomes +infinity (its exponent handling's NaN, made positive)
  return lax.select(isNan, mantissaBits > 0 ? x : k(x, Infinity), out)
}

// A float64 subnormal rounded, ties to even, to a multiple of 2^(-1022 - mantissaBits): scaled up by
// that power of two (two exact steps, 2^1074 itself overflows), rounded, and scaled back.
const subnormalRounded = (x: Tensor, mantissaBits: number): Tensor => {
  const half = 511 + Math.floor(mantissaBits / 2)
  const rest = 1022 + mantissaBits - half
  const up = lax.mul(lax.mul(x, k(x, 2 ** half)), k(x, 2 ** rest))
  const rounded = lax.round(up, { roundingMethod: "toNearestEven" })
  return lax.mul(lax.mul(rounded, k(x, 2 ** -half)), k(x, 2 ** -rest))
}
