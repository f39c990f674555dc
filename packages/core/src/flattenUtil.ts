/**
 * `flattenUtil`: JAX's `jax.flatten_util`: `ravelPytree`, a pytree of arrays
 * as one flat vector and the function that rebuilds the tree from such a
 * vector (for optimizers and solvers written over vectors).
 *
 * @since 0.1.0
 */
import type * as DType from "./DType.js"
import { DTypeError, ShapeError } from "./Errors.js"
import { toTensor } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as np from "./numpy.js"
import { isTensor, type Tensor } from "./Tensor.js"
import * as Tree from "./Tree.js"

/**
 * Ravels a pytree of tensors (and JS numbers and booleans) into one 1-D tensor
 * (JAX's `ravel_pytree`): the leaves in `Tree.leaves` order, each raveled in
 * row-major order, concatenated, in the leaves' promoted dtype; a tree without
 * leaves gives an empty float32 vector. With it comes `unravel`, which splits
 * a vector of the same length back into the tree, each leaf in its own shape
 * and dtype. When the leaves share one dtype, `unravel` takes a vector of any
 * dtype (JAX's dtype-polymorphic case: a gradient's complex vector, say);
 * otherwise it takes only the promoted dtype.
 *
 * @example
 * import { flattenUtil, np, toJsSync } from "diffect"
 * const params = { w: np.array([[1, 2], [3, 4]]), b: np.array([5, 6]) }
 * const [flat, unravel] = flattenUtil.ravelPytree(params)
 * // b comes first: record keys are sorted, as JAX's dict keys
 * console.log(toJsSync(flat)) // [5, 6, 1, 2, 3, 4]
 * const back = unravel(np.multiply(flat, 10))
 * console.log(toJsSync(back.w)) // [[10, 20], [30, 40]]
 *
 * @since 0.1.0
 */
export const ravelPytree = <T>(
  tree: T
): readonly [flat: Tensor, unravel: (flat: Tensor) => Tree.MapLeaves<T, Tensor>] => {
  const [rawLeaves, def] = Tree.flatten(tree)
  const leaves = (rawLeaves as ReadonlyArray<unknown>).map((l) => (isTensor(l) ? l : toTensor(l as never)))
  const rebuild = (parts: ReadonlyArray<Tensor>) => Tree.unflatten(def, parts) as Tree.MapLeaves<T, Tensor>
  if (leaves.length === 0) {
    return [lax.full([0], 0, "float32"), (flat) => {
      checkLength(flat, 0)
      return rebuild([])
    }]
  }
  const fromTypes = leaves.map((l) => l.dtype)
  const toType: DType.DType = np.resultType(...leaves)
  const sizes = leaves.map((l) => l.size)
  const shapes = leaves.map((l) => l.shape)
  const total = sizes.reduce((a, b) => a + b, 0)
  const oneType = fromTypes.every((d) => d === toType)
  const flat = lax.concatenate(
    leaves.map((l) => lax.reshape(oneType ? l : lax.convertElementType(l, toType), [l.size])),
    0
  )
  const unravel = (vector: Tensor): Tree.MapLeaves<T, Tensor> => {
    if (!isTensor(vector)) throw new ShapeError({ operation: "unravel", detail: "expected a 1-D Tensor" })
    checkLength(vector, total)
    if (!oneType && vector.dtype !== toType) {
      throw new DTypeError({
        operation: "unravel",
        detail: `unravel function given array of dtype ${vector.dtype}, but expected dtype ${toType}`
      })
    }
    const chunks = lax.split(vector, sizes, 0)
    return rebuild(chunks.map((c, i) => {
      const leaf = lax.reshape(c, shapes[i]!)
      return oneType ? leaf : lax.convertElementType(leaf, fromTypes[i]!)
    }))
  }
  return [flat, unravel]
}

const checkLength = (vector: Tensor, n: number): void => {
  if (vector.ndim !== 1 || vector.shape[0] !== n) {
    throw new ShapeError({
      operation: "unravel",
      detail: `the unravel function expected an array of shape [${n}], got [${vector.shape.join(", ")}]`
    })
  }
}
