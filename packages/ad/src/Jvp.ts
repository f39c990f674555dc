/**
 * Forward-mode differentiation (JAX's `jvp`).
 *
 * @since 0.1.0
 */
import type { Tensor } from "@diffect/core"

/**
 * Forward-mode derivative on flat lists: evaluates `f` at `primals` and its
 * directional derivative along `tangents`.
 *
 * @since 0.1.0
 */
export const jvpFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>,
  tangents: ReadonlyArray<Tensor>
): readonly [ReadonlyArray<Tensor>, ReadonlyArray<Tensor>] => {
  void [f, primals, tangents]
  throw new Error("jvpFlat: not implemented yet")
}
