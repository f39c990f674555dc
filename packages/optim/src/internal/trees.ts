/**
 * Leafwise helpers over trees of tensors shared by the transformations.
 */
import { DType, np, Tensor, Tree } from "@diffect/core"
import { OptimizerArgumentError } from "../Errors.js"

/** The tensor leaves of `tree` and its structure; a leaf that is not a tensor fails naming its path. */
export const tensorLeaves = (fn: string, argument: string, tree: unknown): [Array<Tensor>, Tree.TreeDef] => {
  const [pairs, def] = Tree.flattenWithPath(tree)
  const out = new Array<Tensor>(pairs.length)
  for (let i = 0; i < pairs.length; i++) {
    const [path, leaf] = pairs[i]!
    if (!(leaf instanceof Tensor)) {
      throw new OptimizerArgumentError({
        function: fn,
        argument: `${argument}${Tree.keystr(path)}`,
        detail: `must be a tensor, got ${typeof leaf === "object" ? String(leaf) : `${typeof leaf} ${String(leaf)}`}`
      })
    }
    out[i] = leaf
  }
  return [out, def]
}

/** The leaves of `tree`, which must have the structure `def` (TreeStructureError names the mismatch). */
export const leavesLike = (def: Tree.TreeDef, tree: unknown): Array<Tensor> =>
  Tree.flattenUpTo(def, tree) as Array<Tensor>

/**
 * Applies `f` leafwise over `trees` (all of the first one's structure) and
 * rebuilds that structure.
 */
export const mapTensors = <T>(
  fn: string,
  trees: readonly [T, ...Array<unknown>],
  f: (...leaves: Array<Tensor>) => Tensor
): T => {
  const [first, def] = tensorLeaves(fn, "updates", trees[0])
  const rest = trees.slice(1).map((t) => leavesLike(def, t))
  const out = first.map((x, i) => f(x, ...rest.map((leaves) => leaves[i]!)))
  return Tree.unflatten<T>(def, out)
}

/** `|x|^2`, real for complex `x` (optax's `abs_sq`). */
export const absSq = (x: Tensor): Tensor => DType.isComplex(x.dtype) ? np.square(np.abs(x)) : np.square(x)
