/**
 * JAX's convolution API over the `conv_general_dilated` primitive:
 * `convGeneralDilated` (string or explicit padding, string or numeric
 * dimension numbers, complex operands as three real convolutions as JAX's CPU
 * and GPU lowerings do), and the wrappers `conv`, `convWithGeneralPadding`,
 * `convTranspose`, `convDimensionNumbers` and `convGeneralDilatedPatches`.
 *
 * @since 0.1.0
 */
import { dilateDim } from "../../Convolution.js"
import { isComplex } from "../../DType.js"
import type { DType } from "../../DType.js"
import { ArgumentError, ShapeError } from "../../Errors.js"
import { bind1 } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { ConvDimensionNumbers } from "../../Primitive.js"
import type { Shape } from "../../Shape.js"
import { Tensor } from "../../Tensor.js"
import {
  anyValue,
  argumentError,
  checkArg,
  checkDTypeName,
  checkOptions,
  checkShape,
  integer,
  integers,
  string
} from "../../Validate.js"
import { canonicalPrecision, checkPreferred } from "./preferred.js"
import type { PrecisionLike } from "./preferred.js"

/**
 * A padding name; as JAX's `padtype_to_pads` (which upper-cases it) any case
 * is accepted: `"same"`, `"valid"`, `"same_lower"`.
 *
 * @since 0.1.0
 */
export type PaddingName = "SAME" | "SAME_LOWER" | "VALID" | "same" | "same_lower" | "valid"

/** Padding: `"SAME"`, `"SAME_LOWER"`, `"VALID"`, or `[low, high]` per spatial dimension. @since 0.1.0 */
export type ConvPadding = PaddingName | ReadonlyArray<readonly [number, number]>

/**
 * Dimension numbers: `undefined` (`NCHW`, `OIHW`, `NCHW`), three layout strings
 * (`["NHWC", "HWIO", "NHWC"]`: `N` batch, `C` feature, `O`/`I` kernel features,
 * any other letters spatial), or explicit specs.
 *
 * @since 0.1.0
 */
export type ConvDimensionNumbersLike = readonly [string, string, string] | ConvDimensionNumbers | undefined

/** Options of `convGeneralDilated`. @since 0.1.0 */
export interface ConvGeneralDilatedOptions {
  readonly lhsDilation?: ReadonlyArray<number> | undefined
  readonly rhsDilation?: ReadonlyArray<number> | undefined
  readonly dimensionNumbers?: ConvDimensionNumbersLike
  readonly featureGroupCount?: number | undefined
  readonly batchGroupCount?: number | undefined
  readonly precision?: PrecisionLike | undefined
  /** The result dtype (JAX's `preferred_element_type`): the operands are computed in it. */
  readonly preferredElementType?: DType | undefined
}

const typeError = (op: string, detail: string) =>
  new ArgumentError({ operation: op, argument: "dimensionNumbers", expected: "valid dimension numbers", got: detail })

const tensorArg = (op: string, name: string, u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

// JAX's `conv_general_permutations`: specs from layout strings.
const permutations = (op: string, specs: readonly [string, string, string]): ConvDimensionNumbers => {
  const pairs = [["N", "C"], ["O", "I"], ["N", "C"]] as const
  specs.forEach((spec, k) => {
    const [a, b] = pairs[k]!
    if (spec.split(a).length !== 2 || spec.split(b).length !== 2) {
      throw typeError(
        op,
        `convolution dimension_numbers[${k}] must contain the characters '${a}' and '${b}' exactly once, got ${spec}.`
      )
    }
    if (new Set(spec).size !== spec.length) {
      throw typeError(op, `convolution dimension_numbers[${k}] cannot have duplicate characters, got ${spec}.`)
    }
  })
  const spatial = (spec: string, k: number) => [...spec].filter((c) => !pairs[k]!.includes(c as never)).sort().join("")
  if (spatial(specs[0], 0) !== spatial(specs[1], 1) || spatial(specs[1], 1) !== spatial(specs[2], 2)) {
    throw typeError(
      op,
      `convolution dimension_numbers elements must each have the same set of spatial characters, got ${
        JSON.stringify(specs)
      }.`
    )
  }
  const rhs = specs[1]
  const perm = (spec: string, k: number): Array<number> => {
    const [a, b] = pairs[k]!
    const sp = [...spec].map((c, i) => [c, i] as const).filter(([c]) => c !== a && c !== b)
    if (k !== 1) sp.sort((x, y) => rhs.indexOf(x[0]) - rhs.indexOf(y[0]))
    return [spec.indexOf(a), spec.indexOf(b), ...sp.map(([, i]) => i)]
  }
  return { lhsSpec: perm(specs[0], 0), rhsSpec: perm(specs[1], 1), outSpec: perm(specs[2], 2) }
}

/**
 * JAX's `lax.conv_dimension_numbers`: dimension numbers in their explicit form
 * (`{ lhsSpec, rhsSpec, outSpec }`, each `[batch or out feature, feature, spatial...]`).
 *
 * @example
 * import { lax } from "diffect"
 * const dn = lax.convDimensionNumbers([1, 8, 8, 3], [3, 3, 3, 16], ["NHWC", "HWIO", "NHWC"])
 * console.log([dn.lhsSpec, dn.rhsSpec, dn.outSpec]) // [[0, 3, 1, 2], [3, 2, 0, 1], [0, 3, 1, 2]]
 *
 * @since 0.1.0
 */
export const convDimensionNumbers = (
  lhsShape: Shape,
  rhsShape: Shape,
  dimensionNumbers: ConvDimensionNumbersLike
): ConvDimensionNumbers => {
  const op = "conv_dimension_numbers"
  // (a number is a 1-d shape: the checked shapes, not the arguments, from here on)
  const lhs = checkShape(op, lhsShape)
  const rhs = checkShape(op, rhsShape)
  if (lhs.length !== rhs.length) {
    throw new ShapeError({
      operation: op,
      detail: `convolution requires lhs and rhs ndim to be equal, got ${lhs.length} and ${rhs.length}.`
    })
  }
  if (dimensionNumbers === undefined) {
    const iota = lhs.map((_, i) => i)
    return { lhsSpec: iota, rhsSpec: iota, outSpec: iota }
  }
  if (Array.isArray(dimensionNumbers)) {
    if (dimensionNumbers.length !== 3) {
      throw typeError(op, `convolution dimension_numbers list/tuple must be length 3, got ${dimensionNumbers.length}.`)
    }
    if (!dimensionNumbers.every((s) => typeof s === "string")) {
      throw typeError(op, "convolution dimension_numbers elements must be strings")
    }
    dimensionNumbers.forEach((s: string, i: number) => {
      if (s.length !== lhs.length) {
        throw typeError(
          op,
          `convolution dimension_numbers[${i}] must have len equal to the ndim of lhs and rhs, got ${s.length} for lhs and rhs shapes [${lhs}] and [${rhs}].`
        )
      }
    })
    return permutations(op, dimensionNumbers as unknown as readonly [string, string, string])
  }
  const dn = dimensionNumbers as ConvDimensionNumbers
  if (typeof dn !== "object" || dn === null) {
    throw argumentError(op, "dimensionNumbers", "three layout strings or { lhsSpec, rhsSpec, outSpec }", dn)
  }
  for (const key of ["lhsSpec", "rhsSpec", "outSpec"] as const) checkArg(op, key, dn[key], integers)
  return { lhsSpec: dn.lhsSpec, rhsSpec: dn.rhsSpec, outSpec: dn.outSpec }
}

const positiveInts = (op: string, name: string, u: unknown, n: number): ReadonlyArray<number> => {
  const xs = checkArg<ReadonlyArray<number>>(op, name, u, integers)
  if (xs.length !== n) throw argumentError(op, name, `${n} positive integers (one per spatial dimension)`, u)
  if (xs.some((x) => x < 1)) {
    throw new ArgumentError({ operation: op, argument: name, expected: "positive integers", got: `[${xs.join(", ")}]` })
  }
  return xs
}

/** JAX's `lax.padtype_to_pads`: explicit pads of `"SAME"`, `"SAME_LOWER"` or `"VALID"` (any case). @since 0.1.0 */
export const padtypeToPads = (
  inShape: ReadonlyArray<number>,
  windowShape: ReadonlyArray<number>,
  windowStrides: ReadonlyArray<number>,
  padding: PaddingName
): Array<readonly [number, number]> => {
  const op = "padtype_to_pads"
  const n = checkArg<ReadonlyArray<number>>(op, "inShape", inShape, integers).length
  if (checkArg<ReadonlyArray<number>>(op, "windowShape", windowShape, integers).length !== n) {
    throw argumentError(op, "windowShape", `${n} integers (one per input dimension)`, windowShape)
  }
  positiveInts(op, "windowStrides", windowStrides, n)
  const kind = typeof padding === "string" ? padding.toUpperCase() : padding
  if (kind === "VALID") return inShape.map(() => [0, 0] as const)
  if (kind !== "SAME" && kind !== "SAME_LOWER") {
    throw argumentError("padtype_to_pads", "padding", "\"SAME\", \"SAME_LOWER\" or \"VALID\" (any case)", padding)
  }
  return inShape.map((d, k) => {
    const s = windowStrides[k]!
    const out = Math.ceil(d / s)
    const total = Math.max((out - 1) * s + windowShape[k]! - d, 0)
    const half = Math.floor(total / 2)
    return kind === "SAME" ? [half, total - half] as const : [total - half, half] as const
  })
}

const optionSpec = {
  lhsDilation: integers,
  rhsDilation: integers,
  dimensionNumbers: anyValue,
  featureGroupCount: integer,
  batchGroupCount: integer,
  precision: anyValue,
  preferredElementType: string
}

/**
 * JAX's `lax.conv_general_dilated`: the general N-d convolution
 * (cross-correlation) with window strides, padding (`"SAME"`, `"SAME_LOWER"`,
 * `"VALID"` or explicit `[low, high]` pairs), lhs dilation (transposed
 * convolution), rhs dilation (atrous), dimension numbers and feature or batch
 * groups. Differentiable in both operands (the transposes are convolutions),
 * batchable, on every backend.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // one 1-d signal of 5 samples, one 2-tap kernel [1, -1]: differences
 * const x = np.array([[[1, 2, 4, 7, 11]]])
 * const k = np.array([[[1, -1]]])
 * console.log(toJsSync(lax.convGeneralDilated(x, k, [1], "VALID"))) // [[[-1, -2, -3, -4]]]
 * // stride 2 over [0, 1, 2, 4, 7, 11] (one zero of padding in front)
 * console.log(toJsSync(lax.convGeneralDilated(x, k, [2], [[1, 0]]))) // [[[-1, -2, -4]]]
 *
 * @since 0.1.0
 */
export const convGeneralDilated = (
  lhs: Tensor,
  rhs: Tensor,
  windowStrides: ReadonlyArray<number>,
  padding: ConvPadding,
  options?: ConvGeneralDilatedOptions
): Tensor => {
  const op = "conv_general_dilated"
  let l = tensorArg(op, "lhs", lhs)
  let r = tensorArg(op, "rhs", rhs)
  checkOptions(op, options, optionSpec)
  const preferred = options?.preferredElementType
  if (preferred !== undefined) {
    const p = checkDTypeName(op, preferred)
    checkPreferred(op, l.dtype, p)
    checkPreferred(op, r.dtype, p)
    if (l.dtype !== p) l = lax.convertElementType(l, p)
    if (r.dtype !== p) r = lax.convertElementType(r, p)
  }
  if (l.ndim !== r.ndim) {
    throw new ShapeError({
      operation: op,
      detail: `lhs and rhs must have the same number of dimensions, but got [${l.shape}] and [${r.shape}].`
    })
  }
  if (l.ndim < 2) {
    throw new ShapeError({ operation: op, detail: `operands need a batch and a feature dimension, got [${l.shape}]` })
  }
  const dn = convDimensionNumbers(l.shape, r.shape, options?.dimensionNumbers)
  const ns = l.ndim - 2
  const strides = positiveInts(op, "windowStrides", windowStrides, ns)
  const lhsDilation = options?.lhsDilation === undefined
    ? strides.map(() => 1)
    : positiveInts(op, "lhsDilation", options.lhsDilation, ns)
  const rhsDilation = options?.rhsDilation === undefined
    ? strides.map(() => 1)
    : positiveInts(op, "rhsDilation", options.rhsDilation, ns)
  let pads: ReadonlyArray<readonly [number, number]>
  if (typeof padding === "string") {
    if (lhsDilation.some((d) => d !== 1)) {
      throw argumentError(
        op,
        "padding",
        "explicit (low, high) pairs: string padding is not implemented for transposed convolution using this op; specify the padding exactly or use convTranspose",
        padding
      )
    }
    const window = dn.rhsSpec.slice(2).map((d, k) => dilateDim(r.shape[d]!, rhsDilation[k]!))
    pads = padtypeToPads(dn.lhsSpec.slice(2).map((d) => l.shape[d]!), window, strides, padding)
  } else {
    const ok = Array.isArray(padding) && padding.length === ns &&
      padding.every((p) => Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && Number.isInteger(p[1]))
    if (!ok) {
      throw argumentError(
        op,
        "padding",
        `"SAME", "SAME_LOWER", "VALID" or ${ns} (low, high) integer pairs`,
        padding
      )
    }
    pads = padding.map(([lo, hi]) => [lo, hi] as const)
  }
  const precision = canonicalPrecision(op, options?.precision)
  const params = {
    windowStrides: strides,
    padding: pads,
    lhsDilation,
    rhsDilation,
    dimensionNumbers: dn,
    featureGroupCount: options?.featureGroupCount ?? 1,
    batchGroupCount: options?.batchGroupCount ?? 1,
    ...(precision === undefined || precision === "default" ? {} : { precision })
  }
  if (!isComplex(l.dtype) || l.dtype !== r.dtype) return bind1(op, [l, r], params)
  // JAX's `_complex_mul` (Gauss): three real convolutions instead of four.
  const c = (a: Tensor, b: Tensor) => bind1(op, [a, b], params)
  const [xr, xi, yr, yi] = [lax.real(l), lax.imag(l), lax.real(r), lax.imag(r)]
  const k1 = c(lax.add(xr, xi), yr)
  const k2 = c(xr, lax.sub(yi, yr))
  const k3 = c(xi, lax.add(yr, yi))
  return lax.complex(lax.sub(k1, k3), lax.add(k1, k2))
}

/** The options of `conv`, `convWithGeneralPadding`, `convTranspose` and `convGeneralDilatedPatches`. @since 0.1.0 */
export interface ConvOptions {
  readonly precision?: PrecisionLike | undefined
  /** The result dtype (JAX's `preferred_element_type`), as `convGeneralDilated`'s. */
  readonly preferredElementType?: DType | undefined
}
const convOptionSpec = { precision: anyValue, preferredElementType: string }

/**
 * JAX's `lax.conv`: `convGeneralDilated` in `NCHW`/`OIHW` layout with `"SAME"` or `"VALID"` padding.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.arange(9).reshape([1, 1, 3, 3]).astype("float32")
 * const k = np.ones([1, 1, 2, 2])
 * console.log(toJsSync(lax.conv(x, k, [1, 1], "VALID"))) // [[[[8, 12], [20, 24]]]]
 *
 * @since 0.1.0
 */
export const conv = (
  lhs: Tensor,
  rhs: Tensor,
  windowStrides: ReadonlyArray<number>,
  padding: PaddingName,
  options?: ConvOptions
): Tensor => {
  checkOptions("conv", options, convOptionSpec)
  return convGeneralDilated(lhs, rhs, windowStrides, padding, options)
}

/**
 * JAX's `lax.conv_with_general_padding`: `convGeneralDilated` in `NCHW`/`OIHW`
 * layout with padding and both dilations.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[[1, 2, 3]]])
 * const k = np.array([[[1, 1]]])
 * // lhs dilation 2: [1, 0, 2, 0, 3], padded by one zero on each side
 * console.log(toJsSync(lax.convWithGeneralPadding(x, k, [1], [[1, 1]], [2], [1]))) // [[[1, 1, 2, 2, 3, 3]]]
 *
 * @since 0.1.0
 */
export const convWithGeneralPadding = (
  lhs: Tensor,
  rhs: Tensor,
  windowStrides: ReadonlyArray<number>,
  padding: ConvPadding,
  lhsDilation: ReadonlyArray<number> | undefined,
  rhsDilation: ReadonlyArray<number> | undefined,
  options?: ConvOptions
): Tensor => {
  checkOptions("conv_with_general_padding", options, convOptionSpec)
  return convGeneralDilated(lhs, rhs, windowStrides, padding, { lhsDilation, rhsDilation, ...options })
}

// JAX's `_conv_transpose_padding`: the pads of a transposed convolution for kernel size k and stride s.
const transposePadding = (k: number, s: number, padding: "SAME" | "VALID" | readonly [number, number]) => {
  let padLen: number
  let padA: number
  if (padding === "SAME") {
    padLen = k + s - 2
    padA = s > k - 1 ? k - 1 : Math.ceil(padLen / 2)
  } else if (padding === "VALID") {
    padLen = k + s - 2 + Math.max(k - s, 0)
    padA = k - 1
  } else {
    const pads = padding.map((p) => k - p - 1)
    padA = pads[0]!
    padLen = pads[0]! + pads[1]!
  }
  return [padA, padLen - padA] as const
}

/** Options of `convTranspose`. @since 0.1.0 */
export interface ConvTransposeOptions extends ConvOptions {
  readonly rhsDilation?: ReadonlyArray<number> | undefined
  /** Default: TensorFlow's layouts (`NHC`/`HIO`, `NHWC`/`HWIO`, `NHWDC`/`HWDIO`). */
  readonly dimensionNumbers?: ConvDimensionNumbersLike
  /** Flip the kernel's spatial axes and swap its feature axes (Keras's `Conv2DTranspose`). */
  readonly transposeKernel?: boolean | undefined
  /** Read explicit padding as the forward convolution's (PyTorch's convention). */
  readonly useConsistentPadding?: boolean | undefined
}

/**
 * JAX's `lax.conv_transpose`: a fractionally strided convolution (the strides
 * dilate the input), with the output padding of Keras's `Conv2DTranspose`.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // NHC layout: 3 samples, stride 2, a 2-tap kernel of ones
 * const x = np.array([[[1], [2], [3]]])
 * const k = np.ones([2, 1, 1])
 * console.log(toJsSync(np.ravel(lax.convTranspose(x, k, [2], "VALID")))) // [1, 1, 2, 2, 3, 3]
 *
 * @since 0.1.0
 */
export const convTranspose = (
  lhs: Tensor,
  rhs: Tensor,
  strides: ReadonlyArray<number>,
  padding: "SAME" | "VALID" | ReadonlyArray<readonly [number, number]>,
  options?: ConvTransposeOptions
): Tensor => {
  const op = "conv_transpose"
  const l = tensorArg(op, "lhs", lhs)
  let r = tensorArg(op, "rhs", rhs)
  checkOptions(op, options, {
    rhsDilation: integers,
    dimensionNumbers: anyValue,
    transposeKernel: { expected: "a boolean", test: (u) => typeof u === "boolean" },
    ...convOptionSpec,
    useConsistentPadding: { expected: "a boolean", test: (u) => typeof u === "boolean" }
  })
  if (l.ndim !== r.ndim || l.ndim < 2) {
    throw new ShapeError({
      operation: op,
      detail: `lhs and rhs must have one rank of at least 2, got [${l.shape}] and [${r.shape}]`
    })
  }
  const defaults: Record<number, readonly [string, string, string]> = {
    2: ["NC", "IO", "NC"],
    3: ["NHC", "HIO", "NHC"],
    4: ["NHWC", "HWIO", "NHWC"],
    5: ["NHWDC", "HWDIO", "NHWDC"]
  }
  const given = options?.dimensionNumbers
  if (given === undefined && defaults[l.ndim] === undefined) {
    throw new ShapeError({ operation: op, detail: "No 4+ dimensional dimension_number defaults." })
  }
  const dn = convDimensionNumbers(l.shape, r.shape, given ?? defaults[l.ndim])
  const ns = l.ndim - 2
  const kSpatial = dn.rhsSpec.slice(2).map((d) => r.shape[d]!)
  const rhsDilation = options?.rhsDilation ?? kSpatial.map(() => 1)
  const st = positiveInts(op, "strides", strides, ns)
  let pads: ConvPadding
  if (options?.useConsistentPadding === true || typeof padding === "string") {
    if (typeof padding === "string" && padding !== "SAME" && padding !== "VALID") {
      throw argumentError(op, "padding", "\"SAME\", \"VALID\" or (low, high) pairs", padding)
    }
    if (typeof padding !== "string" && (!Array.isArray(padding) || padding.length !== ns)) {
      throw argumentError(op, "padding", `"SAME", "VALID" or ${ns} (low, high) pairs`, padding)
    }
    pads = kSpatial.map((k, i) =>
      transposePadding(
        dilateDim(k, rhsDilation[i]!),
        st[i]!,
        typeof padding === "string" ? padding : padding[i]!
      )
    )
  } else {
    pads = padding
  }
  if (options?.transposeKernel === true) {
    r = lax.rev(r, dn.rhsSpec.slice(2))
    const perm = r.shape.map((_, i) => i)
    perm[dn.rhsSpec[0]!] = dn.rhsSpec[1]!
    perm[dn.rhsSpec[1]!] = dn.rhsSpec[0]!
    r = lax.transpose(r, perm)
  }
  return convGeneralDilated(l, r, st.map(() => 1), pads, {
    lhsDilation: st,
    rhsDilation,
    dimensionNumbers: dn,
    precision: options?.precision,
    preferredElementType: options?.preferredElementType
  })
}

/**
 * JAX's `lax.conv_general_dilated_patches`: the input windows a convolution with
 * these parameters would see, as features: output feature `c * taps + t` is
 * input feature `c` at kernel tap `t` (a convolution with an identity kernel,
 * so it differentiates and batches as one).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[[1, 2, 3, 4]]])
 * console.log(toJsSync(lax.convGeneralDilatedPatches(x, [2], [1], "VALID"))) // [[[1, 2, 3], [2, 3, 4]]]
 *
 * @since 0.1.0
 */
export const convGeneralDilatedPatches = (
  lhs: Tensor,
  filterShape: ReadonlyArray<number>,
  windowStrides: ReadonlyArray<number>,
  padding: ConvPadding,
  options?: ConvOptions & {
    readonly lhsDilation?: ReadonlyArray<number> | undefined
    readonly rhsDilation?: ReadonlyArray<number> | undefined
    readonly dimensionNumbers?: ConvDimensionNumbersLike
  }
): Tensor => {
  const op = "conv_general_dilated_patches"
  const l = tensorArg(op, "lhs", lhs)
  checkOptions(op, options, {
    lhsDilation: integers,
    rhsDilation: integers,
    dimensionNumbers: anyValue,
    ...convOptionSpec
  })
  const fs = checkArg<ReadonlyArray<number>>(op, "filterShape", filterShape, integers)
  if (fs.length !== l.ndim - 2 || fs.some((d) => d < 1)) {
    throw argumentError(op, "filterShape", `${l.ndim - 2} positive integers (one per spatial dimension)`, filterShape)
  }
  const taps = fs.reduce((a, b) => a * b, 1)
  // the rhs in (out feature, in feature, spatial...) order: [c * taps, 1, ...filterShape]
  const given = options?.dimensionNumbers
  const dn = convDimensionNumbers(l.shape, [1, 1, ...fs], given)
  const c = l.shape[dn.lhsSpec[1]!]!
  const eye = lax.convertElementType(
    lax.eq(
      lax.iota("int32", [taps, taps], 0),
      lax.iota("int32", [taps, taps], 1)
    ),
    l.dtype
  )
  const kernelCanonical = lax.reshape(
    lax.broadcastInDim(lax.reshape(eye, [1, taps, 1, taps]), [c, taps, 1, taps], [0, 1, 2, 3]),
    [c * taps, 1, ...fs]
  )
  // to the rhs layout of the dimension numbers
  const rank = l.ndim
  const perm = new Array<number>(rank)
  dn.rhsSpec.forEach((d, k) => (perm[d] = k))
  const kernel = lax.transpose(kernelCanonical, perm)
  return convGeneralDilated(l, kernel, windowStrides, padding, {
    lhsDilation: options?.lhsDilation,
    rhsDilation: options?.rhsDilation,
    dimensionNumbers: dn,
    featureGroupCount: c,
    precision: options?.precision,
    preferredElementType: options?.preferredElementType
  })
}
