/**
 * The check the implicit solves (`customLinearSolve`, `customRoot`) make of a
 * user function's result: the tree and the shapes of their vector argument
 * (JAX's `_check_tree` and `_check_shapes`).
 *
 * @internal
 */
import { ShapeError, TreeStructureError } from "@diffect/core"
import type { AbstractValue, Tensor, Tree } from "@diffect/core"
import { Tree as TreeNs } from "@diffect/core"
import { leafToTensor } from "./args.js"

const shapes = (xs: ReadonlyArray<{ readonly shape: ReadonlyArray<number> }>) =>
  `[${xs.map((x) => `[${x.shape.join(", ")}]`).join(", ")}]`

/**
 * The leaves of `out`, `name()`'s result, as tensors with the tree `def` and
 * the shapes of `avals` (the argument named `like`), else JAX's errors.
 */
export const leavesLike = (
  operation: string,
  name: string,
  like: string,
  out: unknown,
  def: Tree.TreeDef,
  avals: ReadonlyArray<AbstractValue>
): Array<Tensor> => {
  const [leaves, outDef] = TreeNs.flatten(out)
  if (!TreeNs.treedefEquals(outDef, def)) {
    throw new TreeStructureError({
      operation,
      path: "",
      detail: `${name}() output pytree structure must match ${like}, got ${String(outDef)} and ${String(def)}`
    })
  }
  const ts = leaves.map((l, k) => leafToTensor(operation, l, out, k, `${name}()'s result`))
  const same = ts.every((t, i) =>
    t.shape.length === avals[i]!.shape.length && t.shape.every((d, k) => d === avals[i]!.shape[k])
  )
  if (!same) {
    throw new ShapeError({
      operation,
      detail: `${name}() output shapes must match ${like}, got ${shapes(ts)} and ${shapes(avals)}`
    })
  }
  return ts
}
