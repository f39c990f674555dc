/**
 * JAX's `lax.conv_general_dilated_local`: a locally connected (unshared)
 * convolution, built as JAX builds it: the input's patches, then one
 * `dot_general` that contracts each output position's patch with that
 * position's own kernel (output positions are batch dimensions of the product).
 * It differentiates and batches as those two do.
 *
 * @since 0.1.0
 */
import * as lax from "../../lax.js"
import type { Precision } from "../../Primitive.js"
import { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, checkOptions, integers, string } from "../../Validate.js"
import { convDimensionNumbers, convGeneralDilatedPatches } from "./convolution.js"
import type { ConvDimensionNumbersLike, ConvPadding } from "./convolution.js"

const op = "conv_general_dilated_local"

/**
 * The options of `convGeneralDilatedLocal` (JAX's keyword arguments).
 *
 * @since 0.1.0
 */
export interface ConvLocalOptions {
  readonly lhsDilation?: ReadonlyArray<number> | undefined
  readonly rhsDilation?: ReadonlyArray<number> | undefined
  readonly dimensionNumbers?: ConvDimensionNumbersLike
  readonly precision?: Precision | undefined
}

/**
 * Locally connected convolution (JAX's `lax.conv_general_dilated_local`): a
 * convolution whose kernel differs at each output position. `rhs`'s spatial
 * dimensions are the output's spatial positions, its `I` dimension the patch
 * (input feature major, then the receptive window in `rhsSpec`'s spatial
 * order: `lax.convGeneralDilatedPatches`' feature order), its `O` dimension the
 * output features. `filterShape` is the receptive window. Shapes that do not
 * fit fail with `ShapeError` (from the product), as in JAX.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // one channel of length 4, windows of 2, a different kernel at each of the 3 positions
 * const x = np.array([[[1, 2, 3, 4]]])
 * // w is indexed by output feature, window tap, output position
 * const w = np.array([[[1, 0, 0], [0, 1, 0]]])
 * console.log(toJsSync(lax.convGeneralDilatedLocal(x, w, [1], "VALID", [2]))) // [[[1, 3, 0]]]
 *
 * @since 0.1.0
 */
export const convGeneralDilatedLocal = (
  lhs: Tensor,
  rhs: Tensor,
  windowStrides: ReadonlyArray<number>,
  padding: ConvPadding,
  filterShape: ReadonlyArray<number>,
  options?: ConvLocalOptions
): Tensor => {
  if (!(lhs instanceof Tensor && Tensor.isGenuine(lhs))) throw argumentError(op, "lhs", "a Tensor", lhs)
  if (!(rhs instanceof Tensor && Tensor.isGenuine(rhs))) throw argumentError(op, "rhs", "a Tensor", rhs)
  checkOptions(op, options, {
    lhsDilation: integers,
    rhsDilation: integers,
    dimensionNumbers: anyValue,
    precision: string
  })
  if (rhs.ndim !== lhs.ndim) {
    throw argumentError(op, "rhs", `a tensor of rank ${lhs.ndim} (the rank of lhs)`, rhs)
  }
  const patches = convGeneralDilatedPatches(lhs, filterShape, windowStrides, padding, {
    lhsDilation: options?.lhsDilation,
    rhsDilation: options?.rhsDilation,
    dimensionNumbers: options?.dimensionNumbers,
    precision: options?.precision
  })
  const dn = convDimensionNumbers(lhs.shape, [1, 1, ...filterShape], options?.dimensionNumbers)
  const outSpec = dn.outSpec
  const rhsSpec = dn.rhsSpec
  // Output positions are batch dimensions: the patches' spatial dimensions in their storage
  // order, each paired with the rhs dimension of the same spatial position.
  const order = outSpec.slice(2).map((_, i) => i).sort((a, b) => outSpec[2 + a]! - outSpec[2 + b]!)
  const lhsBatch = order.map((i) => outSpec[2 + i]!)
  const rhsBatch = order.map((i) => rhsSpec[2 + i]!)
  const product = lax.dotGeneral(patches, rhs, [[outSpec[1]!], [rhsSpec[1]!]], [lhsBatch, rhsBatch], {
    precision: options?.precision
  })
  // [positions..., N, O] to the output layout: N and O back where outSpec puts them.
  const rank = product.ndim
  const perm = new Array<number>(rank)
  perm[outSpec[0]!] = rank - 2
  perm[outSpec[1]!] = rank - 1
  let next = 0
  for (let d = 0; d < rank; d++) if (perm[d] === undefined) perm[d] = next++
  return lax.transpose(product, perm)
}
