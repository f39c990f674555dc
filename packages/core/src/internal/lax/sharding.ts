/**
 * JAX's `lax.with_sharding_constraint` on one device: diffect runs on a single
 * device with no mesh, where every value is already fully placed, so the
 * constraint is the identity on the tree of values once its shardings are
 * checked as JAX checks them (a tree prefix of the values, no empty leaf).
 *
 * @since 0.1.0
 */
import { Tensor } from "../../Tensor.js"
import { broadcastPrefix, leaves } from "../../Tree.js"
import { argumentError } from "../../Validate.js"

const op = "with_sharding_constraint"

/**
 * Constrains the sharding of the values of tree `x` (JAX's
 * `lax.with_sharding_constraint`). `shardings` is one sharding for every value,
 * or a tree prefix of `x` whose leaves are shardings (any value: a string, a
 * class instance; diffect has one device and reads none of them). With one
 * device the result is `x` itself, as in JAX without a mesh. A `shardings` that
 * is not a prefix of `x` fails with `TreeStructureError`; a `null` or
 * `undefined` sharding, or a leaf of `x` that is not a tensor or number, with
 * `ArgumentError`.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const params = { w: np.array([1, 2]), b: np.array(3) }
 * const out = lax.withShardingConstraint(params, { w: "replicated", b: "replicated" })
 * console.log(toJsSync(out.w), toJsSync(out.b)) // [1, 2] 3
 *
 * @since 0.1.0
 */
export const withShardingConstraint = <T>(x: T, shardings: unknown): T => {
  for (const leaf of leaves(x)) {
    if (!(typeof leaf === "number" || (leaf instanceof Tensor && Tensor.isGenuine(leaf)))) {
      throw argumentError(op, "x", "a tree of tensors or numbers", leaf)
    }
  }
  // JAX flattens the shardings up to x's structure treating None as a leaf, then refuses it
  // (an unspecified sharding is "not allowed").
  const perLeaf = broadcastPrefix<unknown>(shardings, x, { isLeaf: (u) => u === null || u === undefined })
  for (const s of perLeaf) {
    if (s === null || s === undefined) {
      throw argumentError(op, "shardings", "a sharding for each value (null and undefined are not shardings)", s)
    }
  }
  return x
}
