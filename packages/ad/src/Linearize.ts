/**
 * Linearization (JAX's `linearize`).
 *
 * @since 0.1.0
 */
import type { Tensor } from "@diffect/core"
import type { Program } from "./Program.js"

/**
 * Evaluates `f` at `primals` and stages its linear part into a Program.
 *
 * @since 0.1.0
 */
export const linearizeFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>
): readonly [
  outs: ReadonlyArray<Tensor>,
  jvpFn: (tangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  program: Program
] => {
  void [f, primals]
  throw new Error("linearizeFlat: not implemented yet")
}
