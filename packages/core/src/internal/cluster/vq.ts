/**
 * `cluster.vq`: JAX's `jax.scipy.cluster.vq` (SciPy's vector quantization).
 *
 * @since 0.1.0
 */
import { ShapeError } from "../../Errors.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"
import { checkOptions } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { promoteInexact } from "../signal/common.js"

/**
 * Assigns each observation (a row of `obs`, `[M, N]`, or a value of a 1-D
 * `obs`) the nearest code (a row of `codeBook`, `[K, N]`) by Euclidean
 * distance: `[codes, distances]`, int32 indices and their distances, `[M]`
 * each (JAX's `vq`; the first of equally near codes wins). `checkFinite` is
 * accepted and unused, as in JAX.
 *
 * @example
 * import { cluster, toJsSync } from "diffect"
 * // JAX's docstring
 * const [codes, distances] = cluster.vq.vq(
 *   [[1.1, 2.1, 3.1], [5.9, 4.8, 6.2]],
 *   [[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]
 * )
 * console.log(toJsSync(codes)) // [0, 3]
 * console.log(toJsSync(distances)) // [0.1732050, 1.9209373]
 *
 * @since 0.1.0
 */
export const vq = (
  obs: TensorLike,
  codeBook: TensorLike,
  options?: { readonly checkFinite?: boolean | undefined }
): readonly [codes: Tensor, distances: Tensor] => {
  const op = "cluster.vq.vq"
  checkOptions(op, options, { checkFinite: { expected: "a boolean", test: (u) => typeof u === "boolean" } })
  let [o, c] = promoteInexact(op, obs, codeBook) as [Tensor, Tensor]
  if (o.ndim !== c.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `obs and codeBook must have the same rank, got shapes [${o.shape.join(", ")}] and [${c.shape.join(", ")}]`
    })
  }
  if (o.ndim === 1) [o, c] = [np.expandDims(o, -1), np.expandDims(c, -1)]
  if (o.ndim !== 2) {
    throw new ShapeError({ operation: op, detail: `obs and codeBook must be 1- or 2-dimensional, got rank ${o.ndim}` })
  }
  if (o.shape[1] !== c.shape[1]) {
    throw new ShapeError({
      operation: op,
      detail: `observations have ${o.shape[1]} features but codes have ${c.shape[1]}`
    })
  }
  if (c.shape[0] === 0) throw new ShapeError({ operation: op, detail: "codeBook has no codes" })
  // [M, K] distances, then the nearest code of each row
  const dist = np.linalg.norm(np.subtract(np.expandDims(o, 1), np.expandDims(c, 0)), { axis: -1 })
  const codes = np.argmin(dist, { axis: -1 })
  return [codes, np.squeeze(np.takeAlongAxis(dist, np.expandDims(codes, -1), -1), { axis: -1 })]
}
