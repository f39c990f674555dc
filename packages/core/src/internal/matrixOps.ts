/**
 * Small matrix helpers over the last two dimensions shared by the Schur-based
 * functions of `linalg` (schur, sqrtm, funm, solveSylvester, rsf2csf, ...).
 */
import { complexDType, isComplex } from "../DType.js"
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as np from "../np.js"
import type { Tensor } from "../Tensor.js"
import type { Check } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { toInexact, toTensor } from "./npHelpers.js"

/** A check for one of the given strings. */
export const oneOf = (...values: ReadonlyArray<string>): Check => ({
  expected: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
  test: (u) => typeof u === "string" && values.includes(u)
})

/** The transpose over the last two dimensions. */
export const mT = (x: Tensor): Tensor => {
  const perm = x.shape.map((_, i) => i)
  perm[x.ndim - 2] = x.ndim - 1
  perm[x.ndim - 1] = x.ndim - 2
  return lax.transpose(x, perm)
}

/** The conjugate transpose over the last two dimensions. */
export const mH = (x: Tensor): Tensor => (isComplex(x.dtype) ? lax.conj(mT(x)) : mT(x))

/** Batched matrix product of equal batch dimensions at "highest" precision (JAX's `Precision.HIGHEST`). */
export const mm = (a: Tensor, b: Tensor): Tensor => {
  const batch = a.shape.slice(0, -2).map((_, i) => i)
  return lax.dotGeneral(a, b, [[a.ndim - 1], [b.ndim - 2]], [batch, batch], { precision: "highest" })
}

/** `x` in the complex dtype of its precision (as it is when complex). */
export const toComplex = (x: Tensor): Tensor =>
  isComplex(x.dtype) ? x : lax.convertElementType(x, complexDType(x.dtype), false)

/** `x` (an inexact tensor) in `dtype`. */
export const cast = (x: Tensor, like: Tensor): Tensor =>
  x.dtype === like.dtype ? x : lax.convertElementType(x, like.dtype, false)

/** An inexact `[..., n, n]` operand, else a ShapeError naming it. */
export const squareOperand = (op: string, name: string, a: TensorLike): Tensor => {
  const t = toInexact(toTensor(a))
  if (t.ndim < 2 || t.shape[t.ndim - 2] !== t.shape[t.ndim - 1]) {
    throw new ShapeError({
      operation: op,
      detail: `expected ${name} to be a (batched) square matrix, got ${name}.shape=(${t.shape.join(", ")})`
    })
  }
  return t
}

/** A constant `[m, n]` mask (true where `keep(i, j)`), broadcast to `shape` (`[..., m, n]`). */
export const mask = (shape: ReadonlyArray<number>, keep: (i: number, j: number) => boolean): Tensor => {
  const [m, n] = [shape.at(-2)!, shape.at(-1)!]
  const flat: Array<boolean> = []
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) flat.push(keep(i, j))
  const table = lax.reshape(np.array(flat, { dtype: "bool" }), [m, n])
  return lax.broadcastInDim(table, shape, [shape.length - 2, shape.length - 1])
}

/** The diagonal of `[..., n, n]` matrices as `[..., n]`. */
export const diagonalOf = (x: Tensor): Tensor => {
  const n = x.shape.at(-1)!
  const eye = lax.broadcastInDim(lax.eq(lax.iota("int32", [n, n], 0), lax.iota("int32", [n, n], 1)), x.shape, [
    x.ndim - 2,
    x.ndim - 1
  ])
  return lax.reduceSum(lax.select(eye, x, lax.full(x.shape, 0, x.dtype, false)), [x.ndim - 1])
}

/** `v` (`[..., n]`) along the rows (`v[..., :, None]`) or the columns (`v[..., None, :]`) of `[..., n, n]`. */
export const alongRows = (v: Tensor): Tensor => {
  const n = v.shape.at(-1)!
  return lax.broadcastInDim(v, [...v.shape, n], v.shape.map((_, i) => i))
}
export const alongCols = (v: Tensor): Tensor => {
  const n = v.shape.at(-1)!
  const batch = v.shape.slice(0, -1)
  return lax.broadcastInDim(v, [...batch, n, n], [...batch.map((_, i) => i), batch.length + 1])
}

/** Entry `[i, j]` of each matrix, as `[...]`. */
export const entry = (x: Tensor, i: number, j: number): Tensor => {
  const batch = x.shape.slice(0, -2)
  const s = lax.slice(x, [...batch.map(() => 0), i, j], [...batch, i + 1, j + 1])
  return lax.reshape(s, batch)
}

/** A `[...]` scalar per matrix broadcast over `[..., m, n]`. */
export const perMatrix = (s: Tensor, shape: ReadonlyArray<number>): Tensor =>
  lax.broadcastInDim(s, shape, s.shape.map((_, i) => i))
