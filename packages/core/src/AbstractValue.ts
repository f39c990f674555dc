/**
 * `AbstractValue`: what tracing knows about a tensor without its data (a shape,
 * a dtype and JAX's weak-type bit). Abstract evaluation, backends and handlers
 * all speak in abstract values, so this module sits below `Tensor`.
 *
 * @since 0.1.0
 */
import { shortName } from "./DType.js"
import type { DType } from "./DType.js"
import type { Shape } from "./Shape.js"

/**
 * The abstract value of a tensor: what tracing knows without the data.
 * `weakType` marks values derived only from JS numbers (JAX's weak types).
 *
 * @category Tensors
 * @since 0.1.0
 */
export interface AbstractValue {
  readonly shape: Shape
  readonly dtype: DType
  readonly weakType: boolean
}

/** @category Tensors @since 0.1.0 */
export const aval = (shape: Shape, dtype: DType, weakType = false): AbstractValue => ({ shape, dtype, weakType })

/** Formats an abstract value like JAX's jaxpr printer: `f32[3,4]` (weak types are not shown). @category Tensors @since 0.1.0 */
export const formatAval = (a: AbstractValue): string => `${shortName(a.dtype)}[${a.shape.join(",")}]`
