/**
 * Shape primitives as strided copies (copy.ts) of core's `View` of the operand.
 * Reshape, squeeze and expand_dims share their operand's storage (buffers are
 * immutable and contiguous).
 */
import type { AbstractValue, Params } from "@diffect/core"
import { Shape, View } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { stridedCopy } from "./copy.js"

const bytesOf = (a: AbstractValue): number => Shape.sizeOf(a.shape) * wordsPerElement(a.dtype) * 4

/**
 * A new contiguous output of type `oa` holding `view` of `x`; padding positions
 * (a masked view) hold the one element of `fill`.
 */
const materialize = (runtime: Runtime, x: Storage, oa: AbstractValue, view: View.View, fill?: Storage): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const lanes = wordsPerElement(oa.dtype)
  if (view.mask !== undefined && fill !== undefined) {
    // A stride-0 copy of the scalar: every position, before the valid ones are written.
    stridedCopy(runtime, runtime.bind(fill), out.gpu, lanes, {
      shape: oa.shape,
      srcOffset: 0,
      srcStrides: oa.shape.map(() => 0),
      dstOffset: 0,
      dstStrides: Shape.stridesOf(oa.shape)
    })
  }
  stridedCopy(runtime, runtime.bind(x), out.gpu, lanes, View.copyOf(view))
  return out
}

/** `transpose`: output dim d reads operand dim `permutation[d]`. */
export const transpose = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"transpose">,
  oa: AbstractValue
): Storage => materialize(runtime, x, oa, View.transpose(View.contiguous(xa.shape), params.permutation))

/** `broadcast_in_dim`: operand dim i is output dim `broadcastDimensions[i]`; other dims repeat. */
export const broadcastInDim = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"broadcast_in_dim">,
  oa: AbstractValue
): Storage =>
  materialize(runtime, x, oa, View.broadcastInDim(View.contiguous(xa.shape), oa.shape, params.broadcastDimensions))

/** `rev`: reversed dims read with a negative stride from their last element. */
export const rev = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"rev">,
  oa: AbstractValue
): Storage => materialize(runtime, x, oa, View.rev(View.contiguous(xa.shape), params.dimensions))

/** `slice` with optional strides. */
export const slice = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"slice">,
  oa: AbstractValue
): Storage => materialize(runtime, x, oa, View.slice(View.contiguous(xa.shape), params))

/** `pad`: the padding value everywhere, then the operand's elements that land inside the output. */
export const pad = (
  runtime: Runtime,
  x: Storage,
  value: Storage,
  xa: AbstractValue,
  params: Params<"pad">,
  oa: AbstractValue
): Storage => materialize(runtime, x, oa, View.pad(View.contiguous(xa.shape), params.config), value)

/** `concatenate`: each operand padded into its block of the output; the blocks cover it. */
export const concatenate = (
  runtime: Runtime,
  xs: ReadonlyArray<Storage>,
  xas: ReadonlyArray<AbstractValue>,
  params: Params<"concatenate">,
  oa: AbstractValue
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  View.concatenateParts(xas.map((a) => a.shape), params.dimension).forEach((part, k) => {
    stridedCopy(runtime, runtime.bind(xs[k]!), out.gpu!, wordsPerElement(oa.dtype), View.copyOf(part))
  })
  return out
}
