/**
 * Reductions with JAX's `where=` and `initial=` arguments, shared by nn and the
 * losses: masked-out elements are replaced by the reduction's identity first, so
 * every reduction is still one primitive and differentiates like one.
 *
 * @since 0.1.0
 */
import { DType, lax, np, Shape, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { argumentError } from "@diffect/core/Validate"
import { checkElements } from "./validate.js"

/** An axis option as JAX takes it: one axis, several, or `null` for all. @since 0.1.0 */
export type Axis = number | ReadonlyArray<number> | null

/**
 * Normalized, distinct axes; `null` means all axes. An axis of another kind
 * (`"0"`, `{}`, `["a"]`) is an `ArgumentError` naming `axis`, one out of range an
 * `AxisError`.
 *
 * @since 0.1.0
 */
export const axesOf = (operation: string, axis: Axis, ndim: number): Array<number> => {
  if (axis === null) return Array.from({ length: ndim }, (_, i) => i)
  const expected = "an integer, an array of integers or null"
  if (typeof axis === "number" && !Number.isInteger(axis)) throw argumentError(operation, "axis", expected, axis)
  const axes = typeof axis === "number"
    ? [Shape.normalizeAxis(axis, ndim)]
    : checkElements<number>(operation, "axis", axis, expected, Number.isInteger).map((a) =>
      Shape.normalizeAxis(a, ndim)
    )
  if (new Set(axes).size !== axes.length) {
    throw new ShapeError({ operation, detail: `duplicate value in 'axis': [${axes.join(", ")}]` })
  }
  return axes.sort((a, b) => a - b)
}

/** Integer and bool tensors become float32 (jnp's `promote_args_inexact`). @since 0.1.0 */
export const inexact = (x: np.TensorLike): Tensor => {
  const t = np.asarray(x)
  return DType.isInexact(t.dtype) ? t : lax.convertElementType(t, "float32", t.weakType)
}

/** A `where` mask broadcast to `x`'s shape, checked to be bool. @since 0.1.0 */
export const maskFor = (operation: string, where: np.TensorLike, x: Tensor): Tensor => {
  const w = np.asarray(where)
  if (w.dtype !== "bool") {
    throw new ShapeError({ operation, detail: `'where' must be a boolean array, got dtype ${w.dtype}` })
  }
  return np.broadcastTo(w, x.shape)
}

/** Sum over `axes` of the elements `where` selects (all when `where` is null), keeping the axes. @since 0.1.0 */
export const sumWhere = (x: Tensor, axes: ReadonlyArray<number>, where: Tensor | null): Tensor =>
  np.sum(where === null ? x : np.where(where, x, 0), { axis: axes, keepdims: true })

/** Maximum over `axes` of the selected elements and `initial`, keeping the axes. @since 0.1.0 */
export const maxWhere = (
  x: Tensor,
  axes: ReadonlyArray<number>,
  where: Tensor | null,
  initial: number | undefined
): Tensor => {
  if (where !== null && initial === undefined) {
    throw new ShapeError({
      operation: "max",
      detail: "reduction operation max does not have an identity, so to use a where mask one has to specify 'initial'"
    })
  }
  const safe = where === null ? x : np.where(where, x, initial!)
  if (axes.some((a) => x.shape[a] === 0) && initial !== undefined) {
    // Nothing to reduce: only `initial` remains (np.max itself refuses an empty axis).
    return np.full(x.shape.map((d, i) => (axes.includes(i) ? 1 : d)), initial, { dtype: x.dtype })
  }
  const m = np.max(safe, { axis: axes, keepdims: true })
  return initial === undefined ? m : np.maximum(m, initial)
}

/** Number of selected elements along `axes` (the axes' size when `where` is null), as `dtype`. @since 0.1.0 */
export const countWhere = (x: Tensor, axes: ReadonlyArray<number>, where: Tensor | null): Tensor =>
  where === null
    ? np.full([], Shape.sizeOf(axes.map((a) => x.shape[a]!)), { dtype: x.dtype })
    : np.sum(np.astype(where, x.dtype), { axis: axes, keepdims: true })

/** Mean over `axes` of the selected elements, keeping the axes. @since 0.1.0 */
export const meanWhere = (x: Tensor, axes: ReadonlyArray<number>, where: Tensor | null): Tensor =>
  np.divide(sumWhere(x, axes, where), countWhere(x, axes, where))
