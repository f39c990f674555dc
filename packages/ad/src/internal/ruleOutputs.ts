/**
 * What the custom-rule builders (`customJvp`, `customVjp`, `customVmap`,
 * `closureConvert`) and jit's signature checks share: a function's name for
 * messages, a leaf type as JAX prints it, and a rule's output flattened.
 */
import { isTensor, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { CustomRuleError } from "../Errors.js"

/** A function's name in a message, `<anonymous>` for an unnamed one. */
export const nameOf = (f: { readonly name: string }): string => (f.name.length > 0 ? f.name : "<anonymous>")

/** A leaf type as JAX prints it in messages: `float32[3,4]`. */
export const typeStr = (a: { readonly dtype: string; readonly shape: ReadonlyArray<number> }): string =>
  `${a.dtype}[${a.shape.join(",")}]`

/** A function's or rule's output flattened: its structure and its leaves, which must be tensors. */
export const flattenOut = (name: string, out: unknown): { leaves: Array<Tensor>; def: Tree.TreeDef } => {
  const [leaves, def] = Tree.flatten(out)
  for (const leaf of leaves) {
    if (!isTensor(leaf)) {
      throw new CustomRuleError({ name, detail: `outputs must be pytrees of tensors, but found ${String(leaf)}` })
    }
  }
  return { leaves: leaves as Array<Tensor>, def }
}
