/**
 * Shape helpers shared by `fft` (jax.scipy.fft), `signal`, `ndimage` and
 * `interpolate`: slices along one axis, a length fitted by cropping or zero
 * padding, constants along one axis, and JAX's `promote_dtypes_inexact`.
 *
 * @since 0.1.0
 */
import { isComplex } from "../../DType.js"
import type { DType } from "../../DType.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { argumentError } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { promoteAll, toInexact, toTensor } from "../npHelpers.js"

/** `x[lo:hi:stride]` along `axis`. @since 0.1.0 */
export const sliceAxis = (x: Tensor, axis: number, lo: number, hi: number, stride = 1): Tensor =>
  lax.slice(
    x,
    x.shape.map((_, i) => (i === axis ? lo : 0)),
    x.shape.map((d, i) => (i === axis ? hi : d)),
    stride === 1 ? null : x.shape.map((_, i) => (i === axis ? stride : 1))
  )

/** `x` with `axis` cropped or zero-padded at the end to length `n` (JAX's `lax.pad` by `n - size`). @since 0.1.0 */
export const fitAxis = (x: Tensor, axis: number, n: number): Tensor => {
  const m = x.shape[axis]!
  if (m === n) return x
  if (m > n) return sliceAxis(x, axis, 0, n)
  return lax.pad(
    x,
    lax.full([], 0, x.dtype),
    x.shape.map((_, i): readonly [number, number, number] => (i === axis ? [0, n - m, 0] : [0, 0, 0]))
  )
}

/** A 1-d constant laid along `axis` of an `ndim`-dimensional array (size 1 elsewhere), in `dtype`. @since 0.1.0 */
export const alongAxis = (values: ReadonlyArray<number>, axis: number, ndim: number, dtype: DType): Tensor => {
  const v = np.array(Float64Array.from(values), { dtype })
  return lax.reshape(v, Array.from({ length: ndim }, (_, i) => (i === axis ? values.length : 1)))
}

/** The real dtype of the same precision (`float64` for `complex128`). @since 0.1.0 */
export const realOf = (dtype: DType): DType => dtype === "complex128" || dtype === "float64" ? "float64" : "float32"

/** The complex dtype of the same precision. @since 0.1.0 */
export const complexOf = (dtype: DType): DType =>
  dtype === "complex128" || dtype === "float64" ? "complex128" : "complex64"

/** JAX's `promote_dtypes_inexact`: one common dtype, integers and bools to float32; no broadcasting. @since 0.1.0 */
export const promoteInexact = (op: string, ...xs: ReadonlyArray<TensorLike>): Array<Tensor> =>
  promoteAll(op, xs.map((x) => toInexact(toTensor(x))))

/** Whether the tensor is complex. @since 0.1.0 */
export const complexTensor = (x: Tensor): boolean => isComplex(x.dtype)

/** `v` if at least 1, else an `ArgumentError`. @since 0.1.0 */
export const positive = (op: string, name: string, v: number): number => {
  if (v < 1) throw argumentError(op, name, "a positive integer", v)
  return v
}
