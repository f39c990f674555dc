/**
 * The typed-array backend's kernel table: one entry per primitive, checked by
 * the compiler. Elementwise primitives compile their kernel IR lowering
 * (core/src/Lowering.ts) into cached JS loops; the others are
 * structured kernels.
 */
import { DType, fromKinds, Shape, View } from "@diffect/core"
import type { AbstractValue, ElementwisePrimitive, FirstOrderPrimitive, Params, Primitive } from "@diffect/core"
import { isWideFloat32, lowerElementwise } from "@diffect/core/Lowering"
import { compileElementwise, decomposeForBackend } from "./codegen.js"
import type { ElementwiseLoop } from "./codegen.js"
import { convGeneralDilated } from "./conv.js"
import { dotGeneral } from "./dot.js"
import { eig } from "./eig.js"
import { fft } from "./fft.js"
import { gather, scatter, scatterAdd } from "./gather.js"
import { hessenberg } from "./hessenberg.js"
import {
  cholesky,
  choleskyComplex,
  eigh,
  lu,
  luComplex,
  qr,
  svd,
  triangularSolve,
  triangularSolveComplex
} from "./linalg.js"
import { eighComplex, qrComplex, svdComplex } from "./linalgComplex.js"
import { argReduce, cumsum, reduce, scan } from "./reduce.js"
import { schur } from "./schur.js"
import { compileSimd, type SimdLoop, simdMin } from "./simd.js"
import { sort, topK } from "./sort.js"
import { storageView } from "./storageViews.js"
import { materialize, splitAtAxis } from "./strided.js"
import type { Pool } from "./threads.js"
import { reduceWindow, selectAndGatherAdd, selectAndScatterAdd } from "./window.js"

type HostArray = DType.HostArray

/** What a backend gives its kernels: its thread pool (absent: one thread). */
export interface KernelContext {
  readonly pool?: Pool | undefined
  /** Arrays to write the outputs into (see `BackendShape.execute`), where the kernel can. */
  readonly outputs?: ReadonlyArray<HostArray | undefined> | undefined
}

/** A kernel: input arrays (storage layout) and avals in, output arrays out. */
export type Kernel<P extends Primitive> = (
  inputs: ReadonlyArray<HostArray>,
  inAvals: ReadonlyArray<AbstractValue>,
  params: Params<P>,
  outAvals: ReadonlyArray<AbstractValue>,
  context?: KernelContext
) => ReadonlyArray<HostArray>

const loops = new Map<string, ElementwiseLoop>()

/** The compiled loop of an elementwise primitive for these dtypes (compiled once, then cached). */
export const elementwiseLoop = <P extends ElementwisePrimitive>(
  primitive: P,
  inAvals: ReadonlyArray<AbstractValue>,
  params: Params<P>,
  outDType: DType.DType
): ElementwiseLoop => {
  let key: string = primitive
  for (let i = 0; i < inAvals.length; i++) key += "," + inAvals[i]!.dtype
  key += ">" + outDType
  if (primitive === "integer_pow") key += "^" + (params as Params<"integer_pow">).y
  let loop = loops.get(key)
  if (loop === undefined) {
    const inDTypes = inAvals.map((a) => a.dtype)
    const outs = lowerElementwise(primitive, inDTypes, outDType, params)
    const wide = isWideFloat32(primitive, inDTypes, outDType)
    const js = compileElementwise(outs, inDTypes.map(DType.lanes), { wide }).loop
    const float = outDType === "float32" ? "f32" : outDType === "float64" ? "f64" : undefined
    if (float === undefined || wide || !inDTypes.every((d) => d === outDType)) {
      loop = js
    } else {
      // the same bits as the JS loop (float32 rounded at every step); compiled on the first large call
      let simd: SimdLoop | undefined | null
      const lanes = decomposeForBackend(outs)
      const min = simdMin(lanes)
      loop = (out, ins, n, pool) => {
        if (n >= min) {
          simd ??= compileSimd(float, [n], ins.map(() => ({ kind: "flat" })), lanes) ?? null
          if (simd !== null) return simd(ins as ReadonlyArray<DType.HostArray>, [out as DType.HostArray], n, pool)
        }
        js(out, ins, n)
      }
    }
    loops.set(key, loop)
  }
  return loop
}

const elementwise = <P extends ElementwisePrimitive>(primitive: P): Kernel<P> => {
  // The last signature seen and its loop: eager code repeats one signature, and this
  // skips building the cache key on each call. The first operand's dtype and the
  // output's determine the loop, except for select (predicate first) and integer_pow (params).
  const memo = primitive !== "select" && primitive !== "integer_pow"
  let lastIn0: DType.DType | undefined
  let lastOut: DType.DType | undefined
  let lastLoop: ElementwiseLoop | undefined
  return (inputs, inAvals, params, outAvals, context) => {
    const outAval = outAvals[0]!
    const n = Shape.sizeOf(outAval.shape)
    const out = DType.allocHost(outAval.dtype, n)
    if (out.length === 0) return [out]
    const in0 = inAvals[0]!.dtype
    let loop = lastLoop
    if (loop === undefined || !memo || in0 !== lastIn0 || outAval.dtype !== lastOut) {
      loop = elementwiseLoop(primitive, inAvals, params, outAval.dtype)
      lastIn0 = in0
      lastOut = outAval.dtype
      lastLoop = loop
    }
    loop(out, inputs, n, context?.pool)
    return [out]
  }
}

// Shares the input array: buffers are immutable, so a reshape is a new aval on the same data.
const same: Kernel<Primitive> = (inputs) => [inputs[0]!]

const collective = (name: string): Kernel<Primitive> => () => {
  throw new Error(
    `internal: the collective ${name} reached the typed-array backend; collectives only run under vmap, whose handler replaces them`
  )
}

const lanesOf = (a: AbstractValue): number => DType.lanes(a.dtype)

// The index-mapping primitives: each is a view of its operand (core's View), materialized.
const viewKernel = <P extends Primitive>(
  toView: (x: AbstractValue, params: Params<P>, out: AbstractValue) => View.View
): Kernel<P> =>
(inputs, [x], params, [out]) => [materialize(inputs[0]!, toView(x!, params, out!), out!.dtype, inputs[1])]

const broadcastView = viewKernel<"broadcast_in_dim">((x, { broadcastDimensions }, out) =>
  View.broadcastInDim(View.contiguous(x.shape), out.shape, broadcastDimensions)
)
const broadcastInDim: Kernel<"broadcast_in_dim"> = (inputs, inAvals, params, outAvals) => {
  const src = inputs[0]!
  const out = outAvals[0]!
  // A real scalar (a JS number in eager code) is a fill.
  if (src.length !== 1) return broadcastView(inputs, inAvals, params, outAvals)
  const dst = DType.allocHost(out.dtype, Shape.sizeOf(out.shape))
  // A fresh buffer is +0: fill unless the value is +0 itself (a -0 must be written).
  if (!Object.is(src[0], 0)) dst.fill(src[0]!)
  return [dst]
}

const transpose = viewKernel<"transpose">((x, { permutation }) => View.transpose(View.contiguous(x.shape), permutation))
const rev = viewKernel<"rev">((x, { dimensions }) => View.rev(View.contiguous(x.shape), dimensions))
const sliceView = viewKernel<"slice">((x, params) => View.slice(View.contiguous(x.shape), params))
// A slice that is one contiguous block of its operand (leading-axis slices: a scan's step of xs)
// shares the operand's memory, as a reshape does (buffers are immutable; the backend marks the
// storage shared, so it is never donated or overwritten).
const slice: Kernel<"slice"> = (inputs, inAvals, params, outAvals, context) => {
  const x = inAvals[0]!
  const view = View.slice(View.contiguous(x.shape), params)
  const size = Shape.sizeOf(view.shape)
  const rowMajor = Shape.stridesOf(view.shape)
  if (size > 0 && view.mask === undefined && view.shape.every((n, d) => n <= 1 || view.strides[d] === rowMajor[d])) {
    const lanes = lanesOf(x)
    return [storageView(inputs[0]!.subarray(view.offset * lanes, (view.offset + size) * lanes))]
  }
  return sliceView(inputs, inAvals, params, outAvals, context)
}
const pad = viewKernel<"pad">((x, { config }) => View.pad(View.contiguous(x.shape), config))

const concatenate: Kernel<"concatenate"> = (inputs, inAvals, { dimension }, [out]) => {
  const lanes = lanesOf(out!)
  // every element is written (no clearing of recycled storage: a scan's stacked ys are megabytes)
  const dst = DType.allocHostUnfilled(out!.dtype, Shape.sizeOf(out!.shape))
  // Each operand fills one block of every row of the dimensions before the axis: one native copy
  // per operand and row (a scan's stacked ys: one copy per step).
  const [rows, total, inner] = splitAtAxis(out!.shape, dimension)
  const rowOut = total * inner * lanes
  let at = 0
  inputs.forEach((x, i) => {
    const width = inAvals[i]!.shape[dimension < 0 ? dimension + out!.shape.length : dimension]! * inner * lanes
    if (width === 0) return
    for (let r = 0; r < rows; r++) dst.set(x.subarray(r * width, (r + 1) * width) as Float64Array, r * rowOut + at)
    at += width
  })
  return [dst]
}

// One strided copy per piece: piece k is the slice that starts where piece k-1 ends along `axis`.
const split: Kernel<"split"> = (inputs, [x], { axis }, outAvals) => {
  let start = 0
  return outAvals.map((out) => {
    const startIndices = x!.shape.map((_, d) => (d === axis ? start : 0))
    const limitIndices = x!.shape.map((n, d) => (d === axis ? start + out.shape[axis]! : n))
    start += out.shape[axis]!
    return materialize(inputs[0]!, View.slice(View.contiguous(x!.shape), { startIndices, limitIndices }), out.dtype)
  })
}

const iota: Kernel<"iota"> = (_inputs, _inAvals, { dimension }, [out]) => {
  const shape = out!.shape
  const n = Shape.sizeOf(shape)
  const dst = DType.allocHost(out!.dtype, n)
  const lanes = lanesOf(out!)
  if (lanes === 0) return [dst]
  const dim = dimension < 0 ? dimension + shape.length : dimension
  const stride = Shape.stridesOf(shape)[dim]!
  const size = shape[dim]!
  for (let i = 0; i < n; i++) dst[i * lanes] = Math.floor(i / stride) % size
  return [dst]
}

const convertDTypes = elementwise("convert_element_type")
// A change of weak type only keeps the data.
const convertElementType: Kernel<"convert_element_type"> = (inputs, inAvals, params, outAvals) =>
  inAvals[0]!.dtype === outAvals[0]!.dtype ? [inputs[0]!] : convertDTypes(inputs, inAvals, params, outAvals)

/**
 * Every primitive's kernel: elementwise primitives compile their kernel-IR
 * lowering (`elementwise`, derived from the kind table), except the two that
 * can keep their input's data; the others are listed (a missing entry is a
 * compile error).
 *
 * @since 0.1.0
 */
export const kernels: { readonly [P in FirstOrderPrimitive]: Kernel<P> } = fromKinds<
  { readonly [P in FirstOrderPrimitive]: Kernel<P> }
>(
  elementwise,
  {
    reduce_sum: (inputs, [x], { axes }, [out]) => [reduce("sum", inputs[0]!, x!.shape, x!.dtype, axes, out!.dtype)],
    reduce_max: (inputs, [x], { axes }, [out]) => [reduce("max", inputs[0]!, x!.shape, x!.dtype, axes, out!.dtype)],
    reduce_min: (inputs, [x], { axes }, [out]) => [reduce("min", inputs[0]!, x!.shape, x!.dtype, axes, out!.dtype)],
    reduce_prod: (inputs, [x], { axes }, [out]) => [reduce("prod", inputs[0]!, x!.shape, x!.dtype, axes, out!.dtype)],
    argmax: (inputs, [x], { axis }) => [argReduce(true, inputs[0]!, x!.shape, x!.dtype, axis)],
    argmin: (inputs, [x], { axis }) => [argReduce(false, inputs[0]!, x!.shape, x!.dtype, axis)],
    cumsum: (inputs, [x], { axis, reverse }, [out]) => [
      cumsum(inputs[0]!, x!.shape, x!.dtype, axis, reverse, out!.dtype)
    ],
    cumprod: (inputs, [x], { axis, reverse }) => [scan("prod", inputs[0]!, x!.shape, x!.dtype, axis, reverse)],
    cummax: (inputs, [x], { axis, reverse }) => [scan("max", inputs[0]!, x!.shape, x!.dtype, axis, reverse)],
    cummin: (inputs, [x], { axis, reverse }) => [scan("min", inputs[0]!, x!.shape, x!.dtype, axis, reverse)],
    cumlogsumexp: (inputs, [x], { axis, reverse }) => [
      scan("logsumexp", inputs[0]!, x!.shape, x!.dtype, axis, reverse)
    ],
    sort: (inputs, xs, { dimension, numKeys }) =>
      sort(inputs, xs.map((a) => a.dtype), xs[0]!.shape, dimension, numKeys),
    top_k: (inputs, [x], { k }) => topK(inputs[0]!, x!.dtype, x!.shape, k),
    broadcast_in_dim: broadcastInDim,
    reshape: same,
    checkpoint_name: same,
    transpose,
    squeeze: same,
    expand_dims: same,
    rev,
    slice,
    pad,
    concatenate,
    split,
    gather: (inputs, [x], { axis }) => [gather(inputs[0]!, x!.shape, x!.dtype, inputs[1]!, axis)],
    scatter_add: (inputs, [x], { axis }) => [scatterAdd(inputs[0]!, x!.shape, x!.dtype, inputs[1]!, inputs[2]!, axis)],
    scatter: (inputs, [x], { axis, combine }) => [
      scatter(inputs[0]!, x!.shape, x!.dtype, inputs[1]!, inputs[2]!, axis, combine)
    ],
    dot_general: (inputs, [l, r], { batch, contracting, precision }, [out], context) => [
      dotGeneral(
        inputs[0]!,
        l!.shape,
        inputs[1]!,
        r!.shape,
        l!.dtype,
        contracting,
        batch,
        out!.dtype,
        precision,
        context?.pool,
        context?.outputs?.[0]
      )
    ],
    conv_general_dilated: (inputs, [l, r], params, [out], context) => [
      convGeneralDilated(inputs[0]!, inputs[1]!, l!, r!, params, out!, context?.pool)
    ],
    reduce_window_sum: (inputs, [x], params, [out]) => [
      reduceWindow("sum", inputs[0]!, x!.shape, x!.dtype, params, out!.shape)
    ],
    reduce_window_max: (inputs, [x], params, [out]) => [
      reduceWindow("max", inputs[0]!, x!.shape, x!.dtype, params, out!.shape)
    ],
    reduce_window_min: (inputs, [x], params, [out]) => [
      reduceWindow("min", inputs[0]!, x!.shape, x!.dtype, params, out!.shape)
    ],
    select_and_gather_add: (inputs, [t, x], params, [out]) => [
      selectAndGatherAdd(inputs[0]!, inputs[1]!, x!.shape, t!.dtype, params, out!.shape)
    ],
    select_and_scatter_add: (inputs, [s, x], params) => [
      selectAndScatterAdd(inputs[0]!, inputs[1]!, x!.shape, s!.dtype, params)
    ],
    fft: (inputs, [x], params, [out]) => [fft(inputs[0]!, x!.shape, x!.dtype, params, out!.shape, out!.dtype)],
    // the same bytes under another 32-bit view (buffers are immutable, so sharing is safe)
    bitcast_convert_type: (inputs, _avals, { newDtype }) => {
      const src = inputs[0]!
      const View = newDtype === "float32" ? Float32Array : newDtype === "int32" ? Int32Array : Uint32Array
      return [storageView(new View(src.buffer as ArrayBuffer, src.byteOffset, src.length))]
    },
    iota,
    cholesky: (inputs, [x], _params, [out]) => [
      DType.isComplex(x!.dtype) ? choleskyComplex(inputs[0]!, x!, out!) : cholesky(inputs[0]!, x!, out!)
    ],
    triangular_solve: (inputs, [a, b], params, [out]) => [
      (DType.isComplex(a!.dtype) ? triangularSolveComplex : triangularSolve)(
        inputs[0]!,
        inputs[1]!,
        a!,
        b!,
        params,
        out!
      )
    ],
    lu: (inputs, [x], _params, outs) => (DType.isComplex(x!.dtype) ? luComplex : lu)(inputs[0]!, x!, outs),
    qr: (inputs, [x], params, outs) => (DType.isComplex(x!.dtype) ? qrComplex : qr)(inputs[0]!, x!, params, outs),
    eigh: (inputs, [x], params, outs) => (DType.isComplex(x!.dtype) ? eighComplex : eigh)(inputs[0]!, x!, params, outs),
    svd: (inputs, [x], params, outs) => (DType.isComplex(x!.dtype) ? svdComplex : svd)(inputs[0]!, x!, params, outs),
    eig: (inputs, [x], params, outs) => eig(inputs[0]!, x!, params, outs),
    schur: (inputs, [x], params, outs) => schur(inputs[0]!, x!, params, outs),
    hessenberg: (inputs, [x], _params, outs) => hessenberg(inputs[0]!, x!, outs),
    psum: collective("psum"),
    pmax: collective("pmax"),
    pmin: collective("pmin"),
    axis_index: collective("axis_index"),
    all_gather: collective("all_gather"),
    psum_scatter: collective("psum_scatter"),
    ppermute: collective("ppermute"),
    all_to_all: collective("all_to_all")
  },
  { convert_element_type: convertElementType, stop_gradient: same }
)
