/**
 * Shape primitives as strided copies (copy.ts). Reshape, squeeze and
 * expand_dims share their operand's storage (buffers are immutable).
 */
import type { AbstractValue, Params } from "@diffect/core"
import { Shape } from "@diffect/core"
import { wordsPerElement } from "../buffer.js"
import type { Runtime, Storage } from "../runtime.js"
import { stridedCopy } from "./copy.js"

const bytesOf = (a: AbstractValue): number => Shape.sizeOf(a.shape) * wordsPerElement(a.dtype) * 4

/**
 * A new contiguous output of type `oa` holding the view of `x` that starts at
 * `srcOffset` with `srcStrides` (one per output dimension, in elements).
 */
const copyView = (
  runtime: Runtime,
  x: Storage,
  oa: AbstractValue,
  srcOffset: number,
  srcStrides: ReadonlyArray<number>
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  stridedCopy(runtime, runtime.bind(x), out.gpu, wordsPerElement(oa.dtype), {
    shape: oa.shape,
    srcOffset,
    srcStrides,
    dstOffset: 0,
    dstStrides: Shape.stridesOf(oa.shape)
  })
  return out
}

/** `transpose`: output dim d reads operand dim `permutation[d]`. */
export const transpose = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"transpose">,
  oa: AbstractValue
): Storage => {
  const inStrides = Shape.stridesOf(xa.shape)
  return copyView(runtime, x, oa, 0, params.permutation.map((p) => inStrides[p]!))
}

/** `broadcast_in_dim`: operand dim i is output dim `broadcastDimensions[i]`; other dims repeat. */
export const broadcastInDim = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"broadcast_in_dim">,
  oa: AbstractValue
): Storage => {
  const inStrides = Shape.stridesOf(xa.shape)
  const srcStrides = new Array<number>(oa.shape.length).fill(0)
  params.broadcastDimensions.forEach((d, i) => {
    if (xa.shape[i] !== 1) srcStrides[d] = inStrides[i]!
  })
  return copyView(runtime, x, oa, 0, srcStrides)
}

/** `rev`: reversed dims read with a negative stride from their last element. */
export const rev = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"rev">,
  oa: AbstractValue
): Storage => {
  let offset = 0
  const srcStrides = Shape.stridesOf(xa.shape).map((s, d) => {
    if (!params.dimensions.includes(d)) return s
    offset += (xa.shape[d]! - 1) * s
    return -s
  })
  return copyView(runtime, x, oa, offset, srcStrides)
}

/** `slice` with optional strides. */
export const slice = (
  runtime: Runtime,
  x: Storage,
  xa: AbstractValue,
  params: Params<"slice">,
  oa: AbstractValue
): Storage => {
  let offset = 0
  const srcStrides = Shape.stridesOf(xa.shape).map((s, d) => {
    offset += params.startIndices[d]! * s
    return s * (params.strides?.[d] ?? 1)
  })
  return copyView(runtime, x, oa, offset, srcStrides)
}

/**
 * `pad`: fill with the padding value (a stride-0 copy of the scalar), then copy
 * the operand's elements that land inside the output (negative low/high crop).
 */
export const pad = (
  runtime: Runtime,
  x: Storage,
  value: Storage,
  xa: AbstractValue,
  params: Params<"pad">,
  oa: AbstractValue
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const lanes = wordsPerElement(oa.dtype)
  const outStrides = Shape.stridesOf(oa.shape)
  stridedCopy(runtime, runtime.bind(value), out.gpu, lanes, {
    shape: oa.shape,
    srcOffset: 0,
    srcStrides: oa.shape.map(() => 0),
    dstOffset: 0,
    dstStrides: outStrides
  })
  const inStrides = Shape.stridesOf(xa.shape)
  const shape: Array<number> = []
  const srcStrides: Array<number> = []
  const dstStrides: Array<number> = []
  let srcOffset = 0
  let dstOffset = 0
  for (let d = 0; d < xa.shape.length; d++) {
    const [low, , interior] = params.config[d]!
    const step = interior + 1
    const n = xa.shape[d]!
    // Operand index i lands at output position low + i * step; keep those inside.
    const first = Math.max(0, Math.ceil(-low / step))
    const last = Math.min(n - 1, Math.floor((oa.shape[d]! - 1 - low) / step))
    if (last < first) return out
    shape.push(last - first + 1)
    srcOffset += first * inStrides[d]!
    dstOffset += (low + first * step) * outStrides[d]!
    srcStrides.push(inStrides[d]!)
    dstStrides.push(step * outStrides[d]!)
  }
  stridedCopy(runtime, runtime.bind(x), out.gpu, lanes, { shape, srcOffset, srcStrides, dstOffset, dstStrides })
  return out
}

/** `concatenate`: each operand copied into its block of the output. */
export const concatenate = (
  runtime: Runtime,
  xs: ReadonlyArray<Storage>,
  xas: ReadonlyArray<AbstractValue>,
  params: Params<"concatenate">,
  oa: AbstractValue
): Storage => {
  const out = runtime.allocate(bytesOf(oa))
  if (out.gpu === undefined) return out
  const outStrides = Shape.stridesOf(oa.shape)
  const axis = params.dimension
  let position = 0
  xs.forEach((x, k) => {
    const xa = xas[k]!
    stridedCopy(runtime, runtime.bind(x), out.gpu!, wordsPerElement(oa.dtype), {
      shape: xa.shape,
      srcOffset: 0,
      srcStrides: Shape.stridesOf(xa.shape),
      dstOffset: position * outStrides[axis]!,
      dstStrides: outStrides
    })
    position += xa.shape[axis]!
  })
  return out
}
