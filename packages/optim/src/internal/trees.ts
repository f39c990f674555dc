/**
 * Leafwise helpers over trees of tensors shared by the transformations.
 */
import { DType, np, Tensor, Tree } from "@diffect/core"
import { describeValue } from "@diffect/core/Validate"
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

/**
 * The leaves of `tree` (a state's moments, the params), which must be tensors in
 * the structure and of the shapes of the updates' leaves `like` (built as `def`):
 * a state made by `init` for other parameters (restored from a checkpoint of
 * another model) fails naming the path, rather than broadcasting a `[1]` moment
 * over a `[3]` update silently or failing with a bare broadcast error.
 */
export const leavesLike = (
  fn: string,
  argument: string,
  def: Tree.TreeDef,
  tree: unknown,
  like: ReadonlyArray<Tensor>,
  likeName = "updates"
): Array<Tensor> => {
  let leaves: Array<unknown>
  try {
    leaves = Tree.flattenUpTo(def, tree)
  } catch (e) {
    if ((e as { readonly _tag?: unknown })?._tag !== "TreeStructureError") throw e
    throw new OptimizerArgumentError({
      function: fn,
      argument,
      detail: `must have the structure of ${likeName} (${(e as Error).message})`
    })
  }
  for (let i = 0; i < leaves.length; i++) {
    const x = leaves[i]
    const u = like[i]!
    if (x instanceof Tensor && sameShape(x.shape, u.shape)) continue
    const path = Tree.keystr(Tree.flattenWithPath(Tree.unflatten(def, like))[0][i]![0])
    throw new OptimizerArgumentError({
      function: fn,
      argument: `${argument}${path}`,
      detail: `must be a tensor of shape ${formatShape(u.shape)} (the shape of ${likeName}${path}), got ${
        x instanceof Tensor ? `shape ${formatShape(x.shape)}` : describeValue(x)
      }${argument.startsWith("state") ? "; was the state made by init for other parameters?" : ""}`
    })
  }
  return leaves as Array<Tensor>
}

// A shape as JAX prints it: (3,) and (2, 3).
export const formatShape = (shape: ReadonlyArray<number>): string =>
  `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`

const sameShape = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/**
 * Applies `f` leafwise over `trees` (all of the first one's structure and
 * shapes; `names` name them in errors) and rebuilds that structure.
 */
export const mapTensors = <T>(
  fn: string,
  trees: readonly [T, ...Array<unknown>],
  f: (...leaves: Array<Tensor>) => Tensor,
  names: ReadonlyArray<string> = ["updates"]
): T => {
  const [first, def] = tensorLeaves(fn, names[0]!, trees[0])
  const rest = trees.slice(1).map((t, i) => leavesLike(fn, names[i + 1] ?? `trees[${i + 1}]`, def, t, first, names[0]))
  const out = first.map((x, i) => f(x, ...rest.map((leaves) => leaves[i]!)))
  return Tree.unflatten<T>(def, out)
}

/** `|x|^2`, real for complex `x` (optax's `abs_sq`). */
export const absSq = (x: Tensor): Tensor => DType.isComplex(x.dtype) ? np.square(np.abs(x)) : np.square(x)
