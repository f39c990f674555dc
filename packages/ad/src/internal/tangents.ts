/**
 * Small helpers shared by the differentiation handlers and their rules: tangent
 * types, symbolic zeros (`null`) and constants shaped like a value.
 */
import { ConcreteTensor, DType, lax } from "@diffect/core"
import type { AbstractValue, Tensor } from "@diffect/core"

/** The tangent type of a primal type (JAX's `to_tangent_aval`): ints and bools get float0. */
export const tangentAval = (a: AbstractValue): AbstractValue =>
  DType.isInteger(a.dtype) || a.dtype === "bool" ? { shape: a.shape, dtype: "float0", weakType: false } : a

/** Whether values of this type have only the trivial (float0) tangent. */
export const hasTrivialTangent = (a: AbstractValue): boolean =>
  DType.isInteger(a.dtype) || a.dtype === "bool" || a.dtype === "float0"

const emptyFloat0 = new Uint8Array(0)

/** A materialized zero of an abstract value (float0 zeros carry no data). */
export const zerosOf = (a: AbstractValue): Tensor =>
  a.dtype === "float0" ? new ConcreteTensor(a, emptyFloat0, undefined) : lax.full(a.shape, 0, a.dtype, a.weakType)

/** A zero tangent for a primal of type `a`. */
export const zeroTangent = (a: AbstractValue): Tensor => zerosOf(tangentAval(a))

/** `t`, or a materialized zero tangent for a primal of type `a` when `t` is symbolic zero. */
export const instantiate = (t: Tensor | null, primal: AbstractValue): Tensor => t ?? zeroTangent(primal)

/** A weakly typed constant of `x`'s shape and dtype: it adopts `x`'s dtype and weakness in arithmetic. */
export const constLike = (x: Tensor, value: number): Tensor => lax.full(x.shape, value, x.dtype, true)

/** `a + b` where either may be a symbolic zero. */
export const addTangents = (a: Tensor | null, b: Tensor | null): Tensor | null =>
  a === null ? b : b === null ? a : lax.add(a, b)

/**
 * Converts a tangent (or cotangent) between dtypes the way JAX's
 * `convert_element_type` does: complex to real keeps the real part.
 */
export const convertTangent = (t: Tensor, dtype: DType.DType, weakType: boolean): Tensor => {
  const r = DType.isComplex(t.dtype) && !DType.isComplex(dtype) ? lax.real(t) : t
  return r.dtype === dtype && r.weakType === weakType ? r : lax.convertElementType(r, dtype, weakType)
}
