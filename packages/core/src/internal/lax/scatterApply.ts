/**
 * `lax.scatterApply` (JAX's `lax.scatter_apply`) on diffect's scatter
 * convention: one axis, int32 indices clamped into range, each index naming a
 * whole slice. A repeated index applies `func` again (JAX's duplicate-index
 * semantics), so the result is `func` applied `count` times where an index
 * occurs `count` times. When the indices are known (eager, or constants of a
 * traced function) the applications unroll into selects, which differentiate
 * (JAX's scatter_apply does not); traced indices take a `whileLoop` up to the
 * largest count.
 *
 * @since 0.1.0
 */
import { aval } from "../../AbstractValue.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { formatShape } from "../../Shape.js"
import { ConcreteTensor, Tensor } from "../../Tensor.js"
import { argumentError, boolean, checkAxis, checkOptions, func as funcCheck } from "../../Validate.js"

const op = "scatter_apply"

const tensorArg = (u: unknown, name: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

// func(x) checked to keep x's shape and dtype (it replaces x's elements)
const applyChecked = (func: (x: Tensor) => Tensor, x: Tensor): Tensor => {
  const y: unknown = func(x)
  if (!(y instanceof Tensor && Tensor.isGenuine(y))) throw argumentError(op, "func's result", "a Tensor", y)
  if (y.dtype !== x.dtype || formatShape(y.shape) !== formatShape(x.shape)) {
    throw new ShapeError({
      operation: op,
      detail: `func must map its argument elementwise to the same shape and dtype, got ${y.dtype}${
        formatShape(y.shape)
      } from ${x.dtype}${formatShape(x.shape)}`
    })
  }
  return y
}

/**
 * `operand` with `func` applied to the slices at `scatterIndices` along `axis`
 * (JAX's `lax.scatter_apply`, with diffect's one-axis scatter convention in
 * place of XLA's dimension numbers: as `lax.scatter`, indices are int32 of any
 * shape, clamped into range, each naming the slice `operand[..., i, ...]`).
 * An index that occurs n times applies `func` n times, as in JAX. `func` must
 * be elementwise (JAX traces it on scalars; diffect applies it to the whole
 * operand and keeps the indexed slices). `uniqueIndices` promises that no
 * index repeats (one application); `indicesAreSorted` is accepted, as JAX's
 * performance hint.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([1, 2, 3, 4])
 * const i = np.array([0, 2, 2], { dtype: "int32" })
 * // index 2 occurs twice: doubled twice
 * console.log(toJsSync(lax.scatterApply(x, i, (v) => lax.mul(v, 2)))) // [2, 2, 12, 4]
 *
 * @since 0.1.0
 */
export const scatterApply = (
  operand: Tensor,
  scatterIndices: Tensor,
  func: (x: Tensor) => Tensor,
  axis = 0,
  options?: { readonly uniqueIndices?: boolean | undefined; readonly indicesAreSorted?: boolean | undefined }
): Tensor => {
  const x = tensorArg(operand, "operand")
  const idx = tensorArg(scatterIndices, "scatterIndices")
  if (typeof func !== "function") throw argumentError(op, "func", funcCheck.expected, func)
  checkOptions(op, options, { uniqueIndices: boolean, indicesAreSorted: boolean })
  if (idx.dtype !== "int32") {
    throw new DTypeError({ operation: op, detail: `indices must be int32, got ${idx.dtype}` })
  }
  if (x.ndim === 0) throw new ShapeError({ operation: op, detail: "operand must have at least one dimension" })
  const a = checkAxis(op, axis, x.ndim)
  const n = x.shape[a]!
  if (n === 0 || idx.size === 0) return x
  const host = idx instanceof ConcreteTensor ? idx.host as Int32Array | undefined : undefined
  const spread = (counts: Tensor) => lax.broadcastInDim(counts, x.shape, [a])
  if (host !== undefined) {
    // known indices: count on the host and unroll the applications
    const counts = new Int32Array(n)
    for (const i of host) {
      const j = Math.min(Math.max(i, 0), n - 1)
      counts[j] = counts[j]! + 1
    }
    const most = options?.uniqueIndices === true ? Math.min(1, Math.max(...counts)) : Math.max(...counts)
    const c = spread(new ConcreteTensor(aval([n], "int32"), counts, undefined))
    let y = x
    for (let k = 0; k < most; k++) y = lax.select(lax.gt(c, k), applyChecked(func, y), y)
    return y
  }
  const ones = lax.full(idx.shape, 1, "int32")
  const counts = lax.scatterAdd(lax.full([n], 0, "int32"), idx, ones, 0)
  if (options?.uniqueIndices === true) return lax.select(lax.gt(spread(counts), 0), applyChecked(func, x), x)
  const most = lax.reduceMax(counts, [0])
  const c = spread(counts)
  const [, , y] = lax.whileLoop(
    ([k, m]: ReadonlyArray<Tensor>) => lax.lt(k!, m!),
    ([k, m, y]: ReadonlyArray<Tensor>) => [lax.add(k!, 1), m!, lax.select(lax.gt(c, k!), applyChecked(func, y!), y!)],
    [lax.scalar(0, "int32"), most, x]
  ) as ReadonlyArray<Tensor>
  return y!
}
