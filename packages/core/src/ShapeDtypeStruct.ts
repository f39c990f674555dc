/**
 * `ShapeDtypeStruct` (JAX's `jax.ShapeDtypeStruct`): a shape and a dtype standing for a tensor
 * that is never made, for the functions that only need its type: `evalShape`, `makeProgram`,
 * `jit(f).lower` and `linearTranspose`.
 *
 * @since 0.1.0
 */
import type { AbstractValue } from "./AbstractValue.js"
import type { DType } from "./DType.js"
import { ShapeError } from "./Errors.js"
import { formatShape } from "./Shape.js"
import type { Shape } from "./Shape.js"
import { argumentError, boolean, checkDTypeName, checkOptions } from "./Validate.js"

/**
 * The type of a tensor, without its values: `shape`, `dtype` and `weakType` (JAX's
 * `jax.ShapeDtypeStruct`). A leaf of pytrees. `evalShape` returns them, and the staging
 * functions (`evalShape`, `makeProgram`, `jit(f).lower`, `linearTranspose`) take them in place of
 * tensors; a shape may be larger than memory, since nothing is allocated.
 *
 * @example
 * import { ShapeDtypeStruct } from "diffect"
 * const s = new ShapeDtypeStruct([2, 3], "float32")
 * console.log(String(s), s.size, s.ndim) // ShapeDtypeStruct(shape=(2, 3), dtype=float32) 6 2
 *
 * @category Tensors
 * @since 0.1.0
 */
export class ShapeDtypeStruct implements AbstractValue {
  readonly shape: Shape
  readonly dtype: DType
  readonly weakType: boolean
  constructor(shape: ReadonlyArray<number>, dtype: DType, options?: { readonly weakType?: boolean }) {
    const operation = "ShapeDtypeStruct"
    if (!Array.isArray(shape) || shape.length > 64) {
      throw argumentError(operation, "shape", "an array of at most 64 non-negative integers", shape)
    }
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ShapeError({
        operation,
        detail: `Shapes must be 1D sequences of concrete values of non-negative integer type, got ${
          formatShape(shape.map((d) => (typeof d === "number" ? d : NaN)))
        }`
      })
    }
    checkOptions(operation, options, { weakType: boolean })
    this.shape = [...shape]
    this.dtype = checkDTypeName(operation, dtype)
    this.weakType = options?.weakType ?? false
  }
  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length
  }
  /** The number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1)
  }
  /** JAX's repr: `ShapeDtypeStruct(shape=(2, 3), dtype=float32)`, with `weak_type=True` when weak. */
  toString(): string {
    return `ShapeDtypeStruct(shape=${formatShape(this.shape)}, dtype=${this.dtype}${
      this.weakType ? ", weak_type=True" : ""
    })`
  }
}

/**
 * Whether `u` is a {@link ShapeDtypeStruct}.
 *
 * @category Tensors
 * @since 0.1.0
 */
export const isShapeDtypeStruct = (u: unknown): u is ShapeDtypeStruct => u instanceof ShapeDtypeStruct
