/**
 * The staging handler: builds a Program.
 *
 * @since 0.1.0
 */
import type { AbstractValue, Tensor } from "@diffect/core"
import type { Program } from "./Program.js"

/**
 * Stages `f` on inputs of the given abstract values into a Program.
 *
 * @since 0.1.0
 */
export const makeProgramFlat = (
  f: (inputs: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  avals: ReadonlyArray<AbstractValue>
): Program => {
  void [f, avals]
  throw new Error("makeProgramFlat: not implemented yet")
}
