/**
 * JAX's `_validate_preferred_element_type` for diffect's dtypes: the dtypes a
 * dot's `preferredElementType` may widen an operand's to (shared by
 * `lax.dotGeneral` and `lax.raggedDotGeneral`), and JAX's `precision`
 * aliases.
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isComplex, isFloating, isInteger, isUnsigned } from "../../DType.js"
import { DTypeError } from "../../Errors.js"
import type { Precision } from "../../Primitive.js"
import { argumentError } from "../../Validate.js"

/** Fails unless `input` may be computed as `preferred`. @internal */
export const checkPreferred = (op: string, input: DType, preferred: DType): void => {
  const bad = (why: string) => new DTypeError({ operation: op, detail: why })
  if (isInteger(input) && isFloating(preferred)) return
  const kind = (d: DType) => isInteger(d) ? "integral" : isFloating(d) ? "floating" : isComplex(d) ? "complex" : "other"
  if (kind(input) !== kind(preferred)) {
    throw bad(
      `input type ${input} is incompatible with preferredElementType ${preferred}: the compatible combinations ` +
        "are (integral, integral), (integral, floating), (floating, floating) and (complex, complex)"
    )
  }
  if (isInteger(input) && !isUnsigned(input) && isUnsigned(preferred)) {
    throw bad("preferredElementType must have the same signedness as the original type")
  }
  const bits = (d: DType) => d === "float64" || d === "complex64" ? 64 : d === "complex128" ? 128 : 32
  if (bits(preferred) < bits(input)) throw bad("preferredElementType must not be narrower than the original type")
}

/**
 * A `precision` as JAX's `canonicalize_precision` takes it: a `Precision`,
 * one of its aliases (`"float32"` is `"highest"`; `"tensorfloat32"` and
 * `"bfloat16_3x"` are `"high"`; `"bfloat16"` and `"fastest"` are `"default"`),
 * or a pair of them, one per operand.
 *
 * @since 0.1.0
 */
export type PrecisionLike = PrecisionName | readonly [PrecisionName, PrecisionName]

/** `Precision` and its aliases. @since 0.1.0 */
export type PrecisionName = Precision | "float32" | "tensorfloat32" | "bfloat16_3x" | "bfloat16" | "fastest"

const precisionNames: Record<string, Precision> = {
  default: "default",
  bfloat16: "default",
  fastest: "default",
  high: "high",
  tensorfloat32: "high",
  bfloat16_3x: "high",
  highest: "highest",
  float32: "highest"
}
const rank: Record<Precision, number> = { default: 0, high: 1, highest: 2 }

/**
 * The one `Precision` diffect computes with (undefined: none given): a pair's
 * more precise half, since one dot accumulates its products one way.
 *
 * @internal
 */
export const canonicalPrecision = (op: string, u: unknown): Precision | undefined => {
  if (u === undefined || u === null) return undefined
  const one = (v: unknown): Precision | undefined =>
    typeof v === "string" && Object.hasOwn(precisionNames, v) ? precisionNames[v] : undefined
  if (Array.isArray(u) && u.length === 2) {
    const [a, b] = [one(u[0]), one(u[1])]
    if (a !== undefined && b !== undefined) return rank[a] >= rank[b] ? a : b
  } else {
    const p = one(u)
    if (p !== undefined) return p
  }
  throw argumentError(
    op,
    "precision",
    `one of ${Object.keys(precisionNames).map((k) => `"${k}"`).join(", ")}, or a pair of them`,
    u
  )
}

// XLA's HigherPrecisionType as JAX's `_dot_general_dtype_rule` orders dtypes: complex first, then
// the exponent range, the mantissa, the bit width, signed over unsigned.
const dotRank = (d: DType): ReadonlyArray<number> => {
  const real = d === "complex64" ? "float32" : d === "complex128" ? "float64" : d
  const [maxexp, nmant] = real === "float32" ? [128, 23] : real === "float64" ? [1024, 52] : [-1, -1]
  const bits = real === "bool" ? 1 : real === "float64" ? 64 : 32
  return [isComplex(d) ? 1 : 0, maxexp, nmant, bits, isUnsigned(real) ? 0 : 1]
}

/**
 * The dtype of a dot of `a` and `b` dtypes (JAX's `_dot_general_dtype_rule`):
 * the higher-precision one, `preferred` where given (after its checks).
 *
 * @internal
 */
export const dotResultDType = (op: string, a: DType, b: DType, preferred: DType | undefined): DType => {
  const [ra, rb] = [dotRank(a), dotRank(b)]
  const k = ra.findIndex((v, i) => v !== rb[i])
  const result = k < 0 ? a : ra[k]! > rb[k]! ? a : b
  if (preferred === undefined) return result
  for (const d of [a, b]) if (d !== "bool") checkPreferred(op, d, preferred)
  return preferred
}
