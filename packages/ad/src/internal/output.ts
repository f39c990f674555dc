/**
 * The output side of a traced pytree function: flatten what the user's function
 * returned (after splitting off aux data) into tensors, remember its structure,
 * and append the aux tensors as extra outputs (see aux.ts).
 */
import { Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { leafToTensor } from "./args.js"
import { splitAux } from "./aux.js"
import type { AuxCapture } from "./aux.js"

/** What one trace of a pytree function recorded about its output. */
export interface OutCapture {
  def: Tree.TreeDef | undefined
  /** Number of main (non-aux) output leaves. */
  count: number
  readonly aux: AuxCapture
}

export const makeOutCapture = (): OutCapture => ({
  def: undefined,
  count: 0,
  aux: { def: undefined, leaves: [], tensorAt: [] }
})

/**
 * Flattens `out` into tensors (JS numbers become weak float32 scalars) and records
 * its structure in `capture`; with `hasAux`, splits `[output, aux]` first and
 * appends the aux tensors.
 */
export const flattenOutput = (
  name: string,
  out: unknown,
  hasAux: boolean,
  capture: OutCapture
): Array<Tensor> => {
  const main = hasAux ? splitAux(out, capture.aux) : out
  const [leaves, def] = Tree.flatten(main)
  capture.def = def
  capture.count = leaves.length
  const tensors = leaves.map((leaf, k) => leafToTensor(name, leaf, main, k, "the output"))
  if (hasAux) { for (const k of capture.aux.tensorAt) tensors.push(capture.aux.leaves[k] as Tensor) }
  return tensors
}
