/**
 * Transposition of linear programs, and reverse mode (JAX's `vjp`, `linear_transpose`).
 *
 * @since 0.1.0
 */
import type { AbstractValue, Tensor } from "@diffect/core"

/**
 * Reverse-mode derivative on flat lists.
 *
 * @since 0.1.0
 */
export const vjpFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>
): readonly [outs: ReadonlyArray<Tensor>, vjpFn: (cotangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>] => {
  void [f, primals]
  throw new Error("vjpFlat: not implemented yet")
}

/**
 * Transpose of a linear function on flat lists.
 *
 * @since 0.1.0
 */
export const linearTransposeFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  avals: ReadonlyArray<AbstractValue>
): (cotangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor> => {
  void [f, avals]
  throw new Error("linearTransposeFlat: not implemented yet")
}
