/**
 * `hasAux`: a function returns `[output, aux]`. The aux tree is not differentiated,
 * but it may hold traced values; its tensors are made extra outputs of the trace
 * so that the transformation hands back their primal (concrete) values, never a
 * tracer of its own (JAX strips them the same way).
 */
import { isTensor, Tree } from "@diffect/core"
import { AuxOutputError } from "../Errors.js"
import { describe } from "./describe.js"

/** Where the aux data of one trace is kept: its structure, leaves, and which leaves are tensors. */
export interface AuxCapture {
  def: Tree.TreeDef | undefined
  leaves: Array<unknown>
  tensorAt: Array<number>
}

/** Checks that `out` is an `[output, aux]` pair, records the aux in `capture`, and returns the output. */
export const splitAux = (out: unknown, capture: AuxCapture): unknown => {
  if (!Array.isArray(out) || out.length !== 2) {
    const kind = Array.isArray(out) ? `an array of length ${out.length}` : isTensor(out) ? "a Tensor" : typeof out
    throw new AuxOutputError({ got: `${kind} with value ${describe(out)}` })
  }
  const [leaves, def] = Tree.flatten(out[1])
  capture.def = def
  capture.leaves = leaves
  capture.tensorAt = []
  for (let k = 0; k < leaves.length; k++) if (isTensor(leaves[k])) capture.tensorAt.push(k)
  return out[0]
}
