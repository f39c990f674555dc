/**
 * The rules of the windowed reductions, as JAX's (jax/_src/lax/windowed_reductions.py):
 *
 * - `reduce_window_sum` is linear; its transpose pads the cotangent (strides
 *   become interior padding) and sums it over the same window with the base
 *   dilation as the stride.
 * - `reduce_window_max` / `_min`'s tangent is `select_and_gather_add`: the
 *   tangent at each window's selected element (JAX's `_reduce_window_chooser_jvp_rule`).
 * - `select_and_gather_add` and `select_and_scatter_add` are linear in their
 *   first operand and each other's transpose (max pooling's gradient is a
 *   `select_and_scatter_add`), with any dilation (JAX transposes only undilated
 *   windows; these kernels handle dilation, so the restriction is not needed).
 * - Batching inserts a size-1 window dimension at the batch dimension.
 *
 * @since 0.1.0
 */
import { bind1, Convolution, lax } from "@diffect/core"
import type { AbstractValue, Params, Tensor, WindowParams } from "@diffect/core"
import type { BatchDim } from "../internal/batchingAxes.js"
import { batchAtFront } from "../internal/batchingAxes.js"

type SelectParams = WindowParams & { readonly selectPrim: "ge" | "le" }

/** The tangent of `reduce_window_max` (`"ge"`) or `_min` (`"le"`). */
export const chooserTangent = (t: Tensor, x: Tensor, params: WindowParams, selectPrim: "ge" | "le"): Tensor =>
  bind1("select_and_gather_add", [t, x], { ...params, selectPrim })

/** JAX's `_reduce_window_sum_transpose_rule`. */
export const reduceWindowSumTranspose = (ct: Tensor, x: AbstractValue, params: WindowParams): Tensor => {
  // JAX's `_conv_general_vjp_lhs_padding` with the window as the kernel
  const config = x.shape.map((d, k): readonly [number, number, number] => {
    const lhsDilated = Convolution.dilateDim(d, params.baseDilation[k]!)
    const rhsDilated = Convolution.dilateDim(params.windowDimensions[k]!, params.windowDilation[k]!)
    const outDilated = Convolution.dilateDim(ct.shape[k]!, params.windowStrides[k]!)
    const before = rhsDilated - params.padding[k]![0] - 1
    const after = lhsDilated + rhsDilated - 1 - outDilated - before
    return [before, after, params.windowStrides[k]! - 1]
  })
  const padded = lax.pad(ct, lax.scalar(0, ct.dtype, ct.weakType), config)
  const ones = x.shape.map(() => 1)
  return bind1("reduce_window_sum", [padded], {
    windowDimensions: params.windowDimensions,
    windowStrides: params.baseDilation,
    padding: x.shape.map(() => [0, 0] as const),
    baseDilation: ones,
    windowDilation: params.windowDilation
  })
}

/** The transpose of `select_and_gather_add` in its tangents: a `select_and_scatter_add`. */
export const selectGatherTranspose = (ct: Tensor, x: Tensor, params: SelectParams): Tensor =>
  bind1("select_and_scatter_add", [ct, x], params)

/** The transpose of `select_and_scatter_add` in its source: a `select_and_gather_add`. */
export const selectScatterTranspose = (ct: Tensor, x: Tensor, params: SelectParams): Tensor =>
  bind1("select_and_gather_add", [ct, x], params)

// The window with a trivial leading dimension for a batch axis in front.
const withBatch = <P extends WindowParams>(params: P): P => ({
  ...params,
  windowDimensions: [1, ...params.windowDimensions],
  windowStrides: [1, ...params.windowStrides],
  padding: [[0, 0] as const, ...params.padding],
  baseDilation: [1, ...params.baseDilation],
  windowDilation: [1, ...params.windowDilation]
})

/** JAX's `_reduce_window_batch_rule` (the batch axis moved to the front first). */
export const reduceWindowBatch = <P extends "reduce_window_sum" | "reduce_window_max" | "reduce_window_min">(
  p: P,
  x: Tensor,
  d: BatchDim,
  params: Params<P>,
  size: number
): readonly [Tensor, BatchDim] => [bind1(p, [batchAtFront(x, d, size)], withBatch(params)), 0]

/** Batching of `select_and_gather_add` / `select_and_scatter_add`: both operands batched in front. */
export const selectBatch = <P extends "select_and_gather_add" | "select_and_scatter_add">(
  p: P,
  a: Tensor,
  x: Tensor,
  da: BatchDim,
  dx: BatchDim,
  params: Params<P>,
  size: number
): readonly [Tensor, BatchDim] => [
  bind1(p, [batchAtFront(a, da, size), batchAtFront(x, dx, size)], withBatch(params)),
  0
]
