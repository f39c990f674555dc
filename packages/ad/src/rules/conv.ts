/**
 * `conv_general_dilated`'s transpose and batching rules, as JAX's
 * (jax/_src/lax/convolution.py): each operand's cotangent is itself a
 * convolution (the lhs one with the kernel reversed and the strides turned into
 * lhs dilation, the rhs one with the cotangent as the kernel), and a batch
 * dimension is folded into the batch, feature or group dimensions.
 *
 * Ignoring space (m batch, j input feature, k output feature), the forward
 * contraction is `[m, j] [j, k] -> [m, k]`, so the lhs cotangent is
 * `[m, k] [k, j]` and the rhs one `[j, m] [m, k]`: feature groups of the
 * forward become batch groups of the rhs cotangent and vice versa.
 *
 * @since 0.1.0
 */
import { aval, bind1, Convolution, lax } from "@diffect/core"
import type { AbstractValue, ConvDimensionNumbers, Params, Tensor } from "@diffect/core"
import type { BatchDim } from "../internal/batchingAxes.js"
import { zerosOf } from "../internal/tangents.js"

type ConvParams = Params<"conv_general_dilated">

const conv = (lhs: Tensor, rhs: Tensor, params: ConvParams): Tensor => bind1("conv_general_dilated", [lhs, rhs], params)

/** Merges axis `src` into axis `dst` (numbered without `src`), `src` the major part (JAX's `_reshape_axis_into`). */
const reshapeAxisInto = (src: number, dst: number, x: Tensor): Tensor => {
  const perm: Array<number> = []
  for (let i = 0; i < x.ndim; i++) if (i !== src) perm.push(i)
  perm.splice(dst, 0, src)
  const shape = x.shape.filter((_, i) => i !== src)
  shape[dst] = shape[dst]! * x.shape[src]!
  const moved = perm.every((p, i) => p === i) ? x : lax.transpose(x, perm)
  return lax.reshape(moved, shape)
}

/** Splits axis `src` into `[size1, rest]` (JAX's `_reshape_axis_out_of`). */
const reshapeAxisOutOf = (src: number, size1: number, x: Tensor): Tensor => {
  const shape = x.shape.slice()
  shape.splice(src, 1, size1, x.shape[src]! / size1)
  return lax.reshape(x, shape)
}

const swapFirst = (spec: ReadonlyArray<number>): Array<number> => [spec[1]!, spec[0]!, ...spec.slice(2)]
const spatialOf = (shape: ReadonlyArray<number>, spec: ReadonlyArray<number>) => spec.slice(2).map((d) => shape[d]!)
const dilate = (xs: ReadonlyArray<number>, rs: ReadonlyArray<number>) =>
  xs.map((x, k) => Convolution.dilateDim(x, rs[k]!))

/** The cotangent of the lhs (JAX's `_conv_general_dilated_transpose_lhs`). */
export const convTransposeLhs = (ct: Tensor, lhs: AbstractValue, rhs: Tensor, params: ConvParams): Tensor => {
  const { batchGroupCount: bgc, dimensionNumbers: dn } = params
  const { lhsSpec, outSpec, rhsSpec } = dn
  let fgc = params.featureGroupCount
  let kernel = rhs
  if (fgc > 1 || bgc > 1) {
    const groups = fgc > 1 ? fgc : bgc
    kernel = reshapeAxisInto(rhsSpec[0]!, rhsSpec[1]!, reshapeAxisOutOf(rhsSpec[0]!, groups, kernel))
    fgc = groups
  }
  // JAX's `_conv_general_vjp_lhs_padding`
  const lhsDilated = dilate(spatialOf(lhs.shape, lhsSpec), params.lhsDilation)
  const rhsDilated = dilate(spatialOf(rhs.shape, rhsSpec), params.rhsDilation)
  const outDilated = dilate(spatialOf(ct.shape, outSpec), params.windowStrides)
  const padding = lhsDilated.map((l, k): readonly [number, number] => {
    const before = rhsDilated[k]! - params.padding[k]![0] - 1
    return [before, l + rhsDilated[k]! - 1 - outDilated[k]! - before]
  })
  const transposed: ConvDimensionNumbers = { lhsSpec: outSpec, rhsSpec: swapFirst(rhsSpec), outSpec: lhsSpec }
  let out = conv(ct, lax.rev(kernel, rhsSpec.slice(2)), {
    ...params,
    windowStrides: params.lhsDilation,
    padding,
    lhsDilation: params.windowStrides,
    dimensionNumbers: transposed,
    featureGroupCount: fgc,
    batchGroupCount: 1
  })
  if (bgc > 1) out = reshapeAxisInto(lhsSpec[1]!, lhsSpec[0]!, reshapeAxisOutOf(lhsSpec[1]!, bgc, out))
  return out
}

/** The cotangent of the rhs (JAX's `_conv_general_dilated_transpose_rhs`). */
export const convTransposeRhs = (ct: Tensor, lhs: Tensor, rhs: AbstractValue, params: ConvParams): Tensor => {
  if (ct.size === 0) return zerosOf(rhs)
  const { dimensionNumbers: dn } = params
  const { lhsSpec, outSpec, rhsSpec } = dn
  const fgc = params.batchGroupCount > 1 ? params.batchGroupCount : 1
  const bgc = params.featureGroupCount > 1 ? params.featureGroupCount : 1
  // JAX's `_conv_general_vjp_rhs_padding`
  const lhsDilated = dilate(spatialOf(lhs.shape, lhsSpec), params.lhsDilation)
  const rhsDilated = dilate(spatialOf(rhs.shape, rhsSpec), params.rhsDilation)
  const outDilated = dilate(spatialOf(ct.shape, outSpec), params.windowStrides)
  const padding = lhsDilated.map((l, k): readonly [number, number] => {
    const lo = params.padding[k]![0]
    return [lo, outDilated[k]! - l + rhsDilated[k]! - lo - 1]
  })
  return conv(lhs, ct, {
    ...params,
    windowStrides: params.rhsDilation,
    padding,
    rhsDilation: params.windowStrides,
    dimensionNumbers: { lhsSpec: swapFirst(lhsSpec), rhsSpec: swapFirst(outSpec), outSpec: swapFirst(rhsSpec) },
    featureGroupCount: fgc,
    batchGroupCount: bgc
  })
}

/** JAX's `_conv_general_dilated_batch_rule`. */
export const convBatch = (
  lhs: Tensor,
  rhs: Tensor,
  dl: BatchDim,
  dr: BatchDim,
  params: ConvParams
): readonly [Tensor, BatchDim] => {
  const { batchGroupCount: bgc, dimensionNumbers: dn, featureGroupCount: fgc } = params
  const { lhsSpec, outSpec, rhsSpec } = dn
  const size = dl !== null ? lhs.shape[dl]! : rhs.shape[dr!]!
  if (size === 0) {
    const unbatched = (x: Tensor, d: BatchDim) => aval(x.shape.filter((_, i) => i !== d), x.dtype, x.weakType)
    const [out] = Convolution.convEvalRule([unbatched(lhs, dl), unbatched(rhs, dr)], params)
    return [zerosOf(aval([0, ...out!.shape], out!.dtype, out!.weakType)), 0]
  }
  if (dl !== null && dr !== null) {
    const newLhs = bgc > 1 ? reshapeAxisInto(dl, lhsSpec[0]!, lhs) : reshapeAxisInto(dl, lhsSpec[1]!, lhs)
    const out = conv(newLhs, reshapeAxisInto(dr, rhsSpec[0]!, rhs), {
      ...params,
      featureGroupCount: bgc > 1 ? fgc : fgc * size,
      batchGroupCount: bgc > 1 ? bgc * size : bgc
    })
    return [reshapeAxisOutOf(outSpec[1]!, size, out), outSpec[1]!]
  }
  if (dl !== null) {
    if (bgc === 1) {
      const out = conv(reshapeAxisInto(dl, lhsSpec[0]!, lhs), rhs, params)
      return [reshapeAxisOutOf(outSpec[0]!, size, out), outSpec[0]!]
    }
    // the groups stay outermost in the batch dimension: (groups, vmapped, batch / groups)
    const b0 = lhsSpec[0]!
    let newLhs = reshapeAxisOutOf(b0 + (dl <= b0 ? 1 : 0), bgc, lhs)
    newLhs = reshapeAxisInto(dl + (b0 < dl ? 1 : 0), b0 + 1, newLhs)
    newLhs = reshapeAxisInto(b0, b0, newLhs)
    return [reshapeAxisOutOf(outSpec[0]!, size, conv(newLhs, rhs, params)), outSpec[0]!]
  }
  const drr = dr!
  if (fgc === 1 && bgc === 1) {
    const out = conv(lhs, reshapeAxisInto(drr, rhsSpec[0]!, rhs), params)
    return [reshapeAxisOutOf(outSpec[1]!, size, out), outSpec[1]!]
  }
  // the groups stay outermost in the kernel's output features, then the vmapped axis
  const groups = fgc > 1 ? fgc : bgc
  const o0 = rhsSpec[0]!
  let newRhs = reshapeAxisOutOf(o0 + (drr <= o0 ? 1 : 0), groups, rhs)
  newRhs = reshapeAxisInto(drr + (o0 < drr ? 1 : 0), o0 + 1, newRhs)
  newRhs = reshapeAxisInto(o0, o0, newRhs)
  let out = conv(lhs, newRhs, params)
  const f = outSpec[1]!
  out = reshapeAxisOutOf(f, groups, out)
  out = reshapeAxisOutOf(f + 1, size, out)
  return [reshapeAxisInto(f, f + 1, out), f]
}
