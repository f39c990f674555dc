/**
 * Test helpers: float64 tensors, flat reads, float64 central finite differences
 * of a scalar function compared with `grad`, and vmap against a loop.
 */
import { Close } from "@diffect/test-utils"
import { grad, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"

/** A float64 tensor. */
export const f64 = (v: np.NestedArray | number): Tensor => np.array(v as np.TensorLike, { dtype: "float64" })

/** The flat values of a tensor, as numbers. */
export const flat = (t: Tensor): Array<number> => {
  const v = toJsSync(t) as unknown
  return (Array.isArray(v) ? v.flat(Infinity) : [v]).map((x) => (typeof x === "boolean" ? Number(x) : (x as number)))
}

/** Asserts `actual` is within `tol` (absolute + relative) of `expected`, elementwise. */
export const assertClose = (actual: Tensor | ReadonlyArray<number>, expected: ReadonlyArray<number>, tol = 1e-12) =>
  Close.assertClose(Array.isArray(actual) ? actual : flat(actual as Tensor), expected, tol)

/** Central differences in float64 of the scalar function `f` at `x` (flat), step `h`. */
export const finiteGradient = (
  f: (x: Tensor) => Tensor,
  x: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  h = 1e-6
) =>
  x.map((_, i) => {
    const at = (d: number) => {
      const y = [...x]
      y[i] = y[i]! + d
      return flat(f(np.reshape(f64(y), shape)))[0]!
    }
    return (at(h) - at(-h)) / (2 * h)
  })

/** `grad(f)` at a float64 point, flat. */
export const gradient = (f: (x: Tensor) => Tensor, x: ReadonlyArray<number>, shape: ReadonlyArray<number>) =>
  flat(runSync(grad(f)(np.reshape(f64([...x]), shape))) as Tensor)

/** `vmap(f)` over the rows of `xs` equals stacking `f` of each row. */
export const assertVmapMatchesLoop = (f: (x: Tensor) => Tensor, xs: Tensor, tol = 1e-12) => {
  const batched = runSync(vmap(f)(xs)) as Tensor
  const rows = Array.from({ length: xs.shape[0]! }, (_, i) => f(np.index(xs, i)))
  assertClose(batched, flat(np.stack(rows)), tol)
}
