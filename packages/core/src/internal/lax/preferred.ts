/**
 * JAX's `_validate_preferred_element_type` for diffect's dtypes: the dtypes a
 * dot's `preferredElementType` may widen an operand's to (shared by
 * `lax.dotGeneral` and `lax.raggedDotGeneral`).
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isComplex, isFloating, isInteger, isUnsigned } from "../../DType.js"
import { DTypeError } from "../../Errors.js"

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
