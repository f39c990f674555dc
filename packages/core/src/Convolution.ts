/**
 * The geometry of `conv_general_dilated` (JAX's `_conv_general_dilated_shape_rule`
 * and `conv_shape_tuple`): operand validation with JAX's messages and the output
 * shape. Abstract evaluation, both backends' kernels and the transpose rules
 * share it.
 *
 * @since 0.1.0
 */
import { aval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import { isComplex, isFloating, isInteger } from "./DType.js"
import { DTypeError, Float0OperationError, ShapeError } from "./Errors.js"
import type { Params } from "./Primitive.js"
import { formatShape, maxElements } from "./Shape.js"

/**
 * A convolution in canonical order: batch `n`, features `c` (lhs) and `o`
 * (rhs output), `i` rhs input features per group, spatial sizes of the input,
 * kernel and output, and the groups (`groups` = feature or batch groups, one of
 * which is 1).
 *
 * @since 0.1.0
 */
export interface ConvGeometry {
  /** lhs batch size. */
  readonly n: number
  /** lhs feature size. */
  readonly c: number
  /** rhs output features. */
  readonly o: number
  /** rhs input features (per group). */
  readonly i: number
  readonly inSpatial: ReadonlyArray<number>
  readonly kernelSpatial: ReadonlyArray<number>
  readonly outSpatial: ReadonlyArray<number>
  /** Output batch (`n / batchGroupCount`). */
  readonly outBatch: number
}

/**
 * The size of `d` elements with `r - 1` zeros between neighbours (JAX's `_dilate_shape`).
 *
 * @example
 * import { Convolution } from "diffect/extend"
 * console.log(Convolution.dilateDim(3, 2)) // 5
 *
 * @since 0.1.0
 */
export const dilateDim = (d: number, r: number): number => (d === 0 ? 0 : 1 + r * (d - 1))

/**
 * The number of windows of `window` elements at `stride` in `d` elements (JAX's `stride_dim`, at least 0).
 *
 * @example
 * import { Convolution } from "diffect/extend"
 * console.log([Convolution.strideDim(7, 3, 2), Convolution.strideDim(2, 3, 1)]) // [3, 0]
 *
 * @since 0.1.0
 */
export const strideDim = (d: number, window: number, stride: number): number =>
  d < window ? 0 : Math.floor((d - window) / stride) + 1

const isPositiveInts = (xs: ReadonlyArray<number>): boolean => xs.every((x) => Number.isInteger(x) && x > 0)

/**
 * Validates `conv_general_dilated`'s operands and parameters (JAX's messages)
 * and computes its canonical geometry.
 *
 * @since 0.1.0
 */
export const convGeometry = (
  lhs: AbstractValue,
  rhs: AbstractValue,
  params: Params<"conv_general_dilated">
): ConvGeometry => {
  const op = "conv_general_dilated"
  const bad = (detail: string) => new ShapeError({ operation: op, detail })
  const { batchGroupCount: bgc, dimensionNumbers: dn, featureGroupCount: fgc } = params
  if (lhs.shape.length !== rhs.shape.length) {
    throw bad(
      `lhs and rhs must have the same number of dimensions, but got ${formatShape(lhs.shape)} and ${
        formatShape(rhs.shape)
      }.`
    )
  }
  const nd = lhs.shape.length
  if (nd < 2) throw bad(`operands need a batch and a feature dimension (rank >= 2), got ${formatShape(lhs.shape)}`)
  for (const [name, spec] of [["lhs", dn.lhsSpec], ["rhs", dn.rhsSpec], ["out", dn.outSpec]] as const) {
    const sorted = [...spec].sort((a, b) => a - b)
    if (spec.length !== nd || !sorted.every((d, k) => d === k)) {
      throw bad(`dimension numbers: ${name}Spec [${spec.join(", ")}] must be a permutation of 0..${nd - 1}`)
    }
  }
  const ns = nd - 2
  const lists = [
    ["windowStrides", params.windowStrides],
    ["lhsDilation", params.lhsDilation],
    ["rhsDilation", params.rhsDilation]
  ] as const
  for (const [name, xs] of lists) {
    if (xs.length !== ns) {
      throw bad(`window and ${name} must have the same number of dimensions, but got ${ns} and ${xs.length}`)
    }
    if (!isPositiveInts(xs)) throw bad(`${name} must be positive integers, got [${xs.join(", ")}]`)
  }
  if (params.padding.length !== ns) {
    throw bad(`wrong number of explicit pads for convolution: expected ${ns}, got ${params.padding.length}.`)
  }
  if (!Number.isInteger(fgc) || fgc <= 0) {
    throw bad(`feature_group_count must be a positive integer, got ${fgc}.`)
  }
  if (!Number.isInteger(bgc) || bgc <= 0) {
    throw bad(`batch_group_count must be a positive integer, got ${bgc}.`)
  }
  const c = lhs.shape[dn.lhsSpec[1]!]!
  const i = rhs.shape[dn.rhsSpec[1]!]!
  const o = rhs.shape[dn.rhsSpec[0]!]!
  const n = lhs.shape[dn.lhsSpec[0]!]!
  if (c % fgc !== 0) {
    throw bad(
      `feature_group_count must divide lhs feature dimension size, but ${fgc} does not divide ${c}.`
    )
  }
  if (c / fgc !== i) {
    throw bad(
      `lhs feature dimension size divided by feature_group_count must equal the rhs input feature dimension size, but ${c} // ${fgc} != ${i}.`
    )
  }
  if (o % fgc !== 0) {
    throw bad(
      `rhs output feature dimension size must be a multiple of feature_group_count, but ${o} is not a multiple of ${fgc}.`
    )
  }
  if (bgc > 1 && n % bgc !== 0) {
    throw bad(`batch_group_count must divide lhs batch dimension size, but ${bgc} does not divide ${n}.`)
  }
  if (o % bgc !== 0) {
    throw bad(
      `rhs output feature dimension size must be a multiple of batch_group_count, but ${o} is not a multiple of ${bgc}.`
    )
  }
  if (bgc > 1 && fgc > 1) {
    throw bad(
      `At most one of batch_group_count and feature_group_count may be > 1, got batch_group_count=${bgc} and feature_group_count=${fgc}`
    )
  }
  const inSpatial = dn.lhsSpec.slice(2).map((d) => lhs.shape[d]!)
  const kernelSpatial = dn.rhsSpec.slice(2).map((d) => rhs.shape[d]!)
  const outSpatial = inSpatial.map((d, k) => {
    const [lo, hi] = params.padding[k]!
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) {
      throw bad(`padding must be integer (low, high) pairs, got [${lo}, ${hi}]`)
    }
    const padded = dilateDim(d, params.lhsDilation[k]!) + lo + hi
    if (padded < 0) {
      throw bad(
        `Negative padding is larger than the size of the corresponding dimension: got padding [${lo}, ${hi}] for an lhs spatial size of ${d}`
      )
    }
    return strideDim(padded, dilateDim(kernelSpatial[k]!, params.rhsDilation[k]!), params.windowStrides[k]!)
  })
  // the output must fit (a backend that builds a patch matrix, every output position times every
  // tap, checks its own: long windows take the direct kernels, which build none, as XLA's do)
  const outSize = (n / bgc) * o * outSpatial.reduce((a, b) => a * b, 1)
  if (outSize > maxElements) {
    throw bad(
      `the output [${n / bgc}, ${o}, ${
        outSpatial.join(", ")
      }] has ${outSize} elements, more than the ${maxElements} an array may hold`
    )
  }
  return { n, c, o, i, inSpatial, kernelSpatial, outSpatial, outBatch: n / bgc }
}

/** `conv_general_dilated`'s abstract evaluation. @since 0.1.0 */
export const convEvalRule = (
  avals: ReadonlyArray<AbstractValue>,
  params: Params<"conv_general_dilated">
): ReadonlyArray<AbstractValue> => {
  const op = "conv_general_dilated"
  if (avals.length !== 2) throw new ShapeError({ operation: op, detail: `takes 2 operand(s), got ${avals.length}` })
  const [lhs, rhs] = avals as readonly [AbstractValue, AbstractValue]
  for (const a of [lhs, rhs]) {
    if (a.dtype === "float0") throw new Float0OperationError({ operation: op })
    if (!isFloating(a.dtype) && !isInteger(a.dtype)) {
      throw new DTypeError({
        operation: op,
        detail: `dtype ${a.dtype} is not accepted. Accepted dtypes are integer or floating` +
          (isComplex(a.dtype) ? " (lax.convGeneralDilated computes complex convolutions as three real ones)" : "")
      })
    }
  }
  if (lhs.dtype !== rhs.dtype) {
    throw new DTypeError({
      operation: op,
      detail: `lax.conv_general_dilated requires arguments to have the same dtypes, got ${lhs.dtype}, ${rhs.dtype}.`
    })
  }
  const g = convGeometry(lhs, rhs, params)
  const canonical = [g.outBatch, g.o, ...g.outSpatial]
  const shape = new Array<number>(canonical.length)
  params.dimensionNumbers.outSpec.forEach((d, k) => (shape[d] = canonical[k]!))
  return [aval(shape, lhs.dtype, lhs.weakType && rhs.weakType)]
}
