/**
 * JAX's smaller `lax` functions that are compositions of the primitives: the
 * inverse hyperbolic functions and `cbrt` (floating operands, no promotion, as
 * lax), `besselI0e`/`besselI1e`, the `bitwise*` names, `populationCount` and
 * `clz` (bit tricks on 32-bit integers), the bitwise reductions
 * `reduceAnd`/`reduceOr`/`reduceXor`, the `scatter*` combinations,
 * `batchMatmul`, `collapse`, `broadcastToRank`, `indexInDim`, `sliceInDim` and
 * `tile`.
 *
 * @since 0.1.0
 */
import { isComplex, isFloating, isInteger } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import { customJvpCall } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { Precision } from "../../Primitive.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkAxis, checkOptions, string } from "../../Validate.js"
import { besselIe } from "../bessel.js"
import { arccosh, arcsinh, arctanh } from "../np/math.js"
import { realCbrt } from "./cbrt.js"

const tensor = (op: string, u: unknown, name = "x"): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}
const floating = (op: string, u: unknown): Tensor => {
  const t = tensor(op, u)
  if (!isFloating(t.dtype)) {
    throw new DTypeError({
      operation: op,
      detail: `dtype ${t.dtype} is not accepted. Accepted dtypes are floating (lax does not promote)`
    })
  }
  return t
}
// asinh, acosh and atanh take complex operands too (JAX's `_float | _complex`)
const inexactOperand = (op: string, u: unknown): Tensor => {
  const t = tensor(op, u)
  if (!isFloating(t.dtype) && !isComplex(t.dtype)) {
    throw new DTypeError({
      operation: op,
      detail: `dtype ${t.dtype} is not accepted. Accepted dtypes are floating and complex (lax does not promote)`
    })
  }
  return t
}
const int32ish = (op: string, u: unknown): Tensor => {
  const t = tensor(op, u)
  if (!isInteger(t.dtype)) {
    throw new DTypeError({ operation: op, detail: `dtype ${t.dtype} is not accepted. Accepted dtypes are integer` })
  }
  return t
}
const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype)
// `y` weakly typed when `x` is: a unary op keeps its operand's weak type (JAX's testUnaryWeakTypes),
// which the strong constants of a composition would drop
const keepWeak = (x: Tensor, y: Tensor): Tensor =>
  x.weakType && !y.weakType ? lax.convertElementType(y, y.dtype, true) : y

/**
 * Inverse hyperbolic sine (JAX's `lax.asinh`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.asinh(np.array([0, 1], { dtype: "float64" })))) // [0, 0.881373587019543]
 *
 * @since 0.1.0
 */
export const asinh = (x: Tensor): Tensor => arcsinh(inexactOperand("asinh", x))
/**
 * Inverse hyperbolic cosine (JAX's `lax.acosh`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.acosh(np.array([1, 2], { dtype: "float64" })))) // [0, 1.3169578969248166]
 *
 * @since 0.1.0
 */
export const acosh = (x: Tensor): Tensor => arccosh(inexactOperand("acosh", x))
/**
 * Inverse hyperbolic tangent (JAX's `lax.atanh`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.atanh(np.array([0, 0.5], { dtype: "float64" })))) // [0, 0.5493061443340549]
 *
 * @since 0.1.0
 */
export const atanh = (x: Tensor): Tensor =>
  customJvpCall({
    name: "atanh",
    f: ([u]) => [arctanh(u!)],
    // JAX's rule, g / (1 + x) / (1 - x): +inf at x = +-1, where differentiating the composition
    // 0.5 log1p(2a / (1 - a)) gives 0 * inf = NaN
    jvp: ([u], [du]) => [[arctanh(u!)], [lax.div(lax.div(du!, lax.add(c(u!, 1), u!)), lax.sub(c(u!, 1), u!))]]
  }, [inexactOperand("atanh", x)])[0]!
/**
 * Cube root (JAX's `lax.cbrt`), real for negative inputs, within one ulp
 * (subnormals and the largest floats included).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cbrt(np.array([27, -8], { dtype: "float64" })))) // [3, -2]
 *
 * @since 0.1.0
 */
export const cbrt = (x: Tensor): Tensor => realCbrt(floating("cbrt", x))

/**
 * `exp(-|x|) I0(x)` (JAX's `lax.bessel_i0e`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.besselI0e(np.array([0, 1], { dtype: "float64" })))) // [1, 0.46575960759364043]
 *
 * @since 0.1.0
 */
export const besselI0e = (x: Tensor): Tensor => besselIe(0, floating("bessel_i0e", x))
/**
 * `exp(-|x|) I1(x)` (JAX's `lax.bessel_i1e`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.besselI1e(np.array([1], { dtype: "float64" })))) // [0.2079104153497085]
 *
 * @since 0.1.0
 */
export const besselI1e = (x: Tensor): Tensor => besselIe(1, floating("bessel_i1e", x))

/** Bitwise (logical on bool) and: JAX's `lax.bitwise_and`. @since 0.1.0 */
export const bitwiseAnd = (x: Tensor, y: Tensor): Tensor => lax.and(x, y)
/** Bitwise (logical on bool) or: JAX's `lax.bitwise_or`. @since 0.1.0 */
export const bitwiseOr = (x: Tensor, y: Tensor): Tensor => lax.or(x, y)
/** Bitwise (logical on bool) exclusive or: JAX's `lax.bitwise_xor`. @since 0.1.0 */
export const bitwiseXor = (x: Tensor, y: Tensor): Tensor => lax.xor(x, y)
/** Bitwise (logical on bool) not: JAX's `lax.bitwise_not`. @since 0.1.0 */
export const bitwiseNot = (x: Tensor): Tensor => lax.not(x)

/**
 * The number of set bits of each 32-bit integer (JAX's `lax.population_count`;
 * two's complement for int32).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.populationCount(np.array([0, 7, 255, -1], { dtype: "int32" })))) // [0, 3, 8, 32]
 *
 * @since 0.1.0
 */
export const populationCount = (x: Tensor): Tensor => {
  const t = int32ish("population_count", x)
  // pairs, nibbles, then bytes summed by shifts (no multiplication, which could round)
  let v = lax.sub(t, lax.and(lax.shiftRightLogical(t, c(t, 1)), c(t, 0x55555555)))
  v = lax.add(lax.and(v, c(t, 0x33333333)), lax.and(lax.shiftRightLogical(v, c(t, 2)), c(t, 0x33333333)))
  v = lax.and(lax.add(v, lax.shiftRightLogical(v, c(t, 4))), c(t, 0x0f0f0f0f))
  v = lax.add(v, lax.shiftRightLogical(v, c(t, 8)))
  v = lax.add(v, lax.shiftRightLogical(v, c(t, 16)))
  return keepWeak(t, lax.and(v, c(t, 0x3f)))
}

/**
 * The number of leading zero bits of each 32-bit integer (JAX's `lax.clz`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.clz(np.array([0, 1, 255, -1], { dtype: "int32" })))) // [32, 31, 24, 0]
 *
 * @since 0.1.0
 */
export const clz = (x: Tensor): Tensor => {
  const t = int32ish("clz", x)
  let y = t
  let bits = c(t, 0)
  for (const s of [16, 8, 4, 2, 1]) {
    const shifted = lax.shiftRightLogical(y, c(t, s))
    const nonzero = lax.ne(shifted, c(t, 0))
    bits = lax.add(bits, lax.select(nonzero, c(t, s), c(t, 0)))
    y = lax.select(nonzero, shifted, y)
  }
  bits = lax.add(bits, lax.select(lax.ne(y, c(t, 0)), c(t, 1), c(t, 0)))
  return keepWeak(t, lax.sub(c(t, 32), bits))
}

// A bitwise reduction: bool by min/max/parity, integers bit by bit.
const bitReduce = (op: string, kind: "and" | "or" | "xor", x: Tensor, axes: ReadonlyArray<number>): Tensor => {
  const t = tensor(op, x, "operand")
  const reduceBool = (b: Tensor): Tensor => {
    if (kind === "and") return lax.reduceMin(b, axes)
    if (kind === "or") return lax.reduceMax(b, axes)
    const n = lax.reduceSum(lax.convertElementType(b, "int32"), axes)
    return lax.ne(lax.rem(n, lax.full(n.shape, 2, "int32")), lax.full(n.shape, 0, "int32"))
  }
  if (t.dtype === "bool") return reduceBool(t)
  if (!isInteger(t.dtype)) {
    throw new DTypeError({
      operation: op,
      detail: `dtype ${t.dtype} is not accepted. Accepted dtypes are bool or integer`
    })
  }
  let out: Tensor | undefined
  for (let b = 0; b < 32; b++) {
    const bit = lax.ne(lax.and(lax.shiftRightLogical(t, c(t, b)), c(t, 1)), c(t, 0))
    const r = lax.convertElementType(reduceBool(bit), t.dtype)
    const shifted = lax.shiftLeft(r, lax.full(r.shape, b, t.dtype))
    out = out === undefined ? shifted : lax.or(out, shifted)
  }
  return out!
}

/**
 * Bitwise (logical on bool) and over `axes` (JAX's `lax.reduce_and`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.reduceAnd(np.array([[true, false], [true, true]]), [1]))) // [false, true]
 * console.log(toJsSync(lax.reduceAnd(np.array([6, 3], { dtype: "int32" }), [0]))) // 2
 *
 * @since 0.1.0
 */
export const reduceAnd = (operand: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bitReduce("reduce_and", "and", operand, axes)
/**
 * Bitwise (logical on bool) or over `axes` (JAX's `lax.reduce_or`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.reduceOr(np.array([6, 3], { dtype: "int32" }), [0]))) // 7
 *
 * @since 0.1.0
 */
export const reduceOr = (operand: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bitReduce("reduce_or", "or", operand, axes)
/**
 * Bitwise (logical on bool) exclusive or over `axes` (JAX's `lax.reduce_xor`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.reduceXor(np.array([6, 3], { dtype: "int32" }), [0]))) // 5
 *
 * @since 0.1.0
 */
export const reduceXor = (operand: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bitReduce("reduce_xor", "xor", operand, axes)

/**
 * `scatter` multiplying the updates in (JAX's `lax.scatter_mul`, on diffect's
 * one-axis form of the indices; out-of-range indices are clamped, see
 * `lax.scatter`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([1, 2, 3], { dtype: "float32" })
 * const idx = np.array([0, 2, 0], { dtype: "int32" })
 * console.log(toJsSync(lax.scatterMul(x, idx, np.array([2, 10, 3], { dtype: "float32" }), 0))) // [6, 2, 30]
 *
 * @since 0.1.0
 */
export const scatterMul = (operand: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor =>
  lax.scatter(operand, indices, updates, axis, "mul")
/**
 * `scatter` keeping the smaller value (JAX's `lax.scatter_min`, on diffect's one-axis
 * form of the indices; out-of-range indices are clamped, see `lax.scatter`).
 *
 * @since 0.1.0
 */
export const scatterMin = (operand: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor =>
  lax.scatter(operand, indices, updates, axis, "min")
/**
 * `scatter` keeping the larger value (JAX's `lax.scatter_max`, on diffect's one-axis
 * form of the indices; out-of-range indices are clamped, see `lax.scatter`).
 *
 * @since 0.1.0
 */
export const scatterMax = (operand: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor =>
  lax.scatter(operand, indices, updates, axis, "max")
/**
 * `scatter_add` of the negated updates (JAX's `lax.scatter_sub`, on diffect's
 * one-axis form of the indices; out-of-range indices are clamped, see
 * `lax.scatterAdd`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([10, 10], { dtype: "float32" })
 * const idx = np.array([1, 1], { dtype: "int32" })
 * console.log(toJsSync(lax.scatterSub(x, idx, np.array([1, 2], { dtype: "float32" }), 0))) // [10, 7]
 *
 * @since 0.1.0
 */
export const scatterSub = (operand: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor =>
  lax.scatterAdd(operand, indices, lax.neg(tensor("scatter_sub", updates, "updates")), axis)

/**
 * JAX's `lax.batch_matmul`: matrix products over matching leading dimensions.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const a = np.array([[[1, 2]], [[3, 4]]])
 * console.log(toJsSync(lax.batchMatmul(a, np.array([[[1], [1]], [[2], [0]]])))) // [[[3]], [[6]]]
 *
 * @since 0.1.0
 */
export const batchMatmul = (
  lhs: Tensor,
  rhs: Tensor,
  options?: { readonly precision?: Precision | undefined }
): Tensor => {
  checkOptions("batch_matmul", options, { precision: string })
  const l = tensor("batch_matmul", lhs, "lhs")
  const r = tensor("batch_matmul", rhs, "rhs")
  if (l.ndim < 2 || l.ndim !== r.ndim) {
    throw new ShapeError({
      operation: "batch_matmul",
      detail: `lhs and rhs must have one rank of at least 2, got [${l.shape}] and [${r.shape}]`
    })
  }
  const n = l.ndim
  const batch = Array.from({ length: n - 2 }, (_, i) => i)
  return lax.dotGeneral(l, r, [[n - 1], [n - 2]], [batch, batch], options)
}

/**
 * Merges dimensions `[start, stop)` into one (JAX's `lax.collapse`).
 *
 * @example
 * import { lax, np } from "diffect"
 * console.log(lax.collapse(np.zeros([2, 3, 4]), 0, 2).shape) // [6, 4]
 *
 * @since 0.1.0
 */
export const collapse = (operand: Tensor, startDimension: number, stopDimension?: number | null): Tensor => {
  const t = tensor("collapse", operand, "operand")
  // Python's slice(start, stop).indices(ndim), as JAX's: negative counts from the end, clamped
  const bound = (v: number, name: string) => {
    if (!Number.isInteger(v)) throw argumentError("collapse", name, "an integer", v)
    return Math.min(Math.max(v < 0 ? v + t.ndim : v, 0), t.ndim)
  }
  const start = bound(startDimension, "startDimension")
  const stop = stopDimension === undefined || stopDimension === null ? t.ndim : bound(stopDimension, "stopDimension")
  if (stop < start) {
    throw argumentError("collapse", "stopDimension", `at least startDimension (${start})`, stopDimension)
  }
  const merged = t.shape.slice(start, stop).reduce((a, b) => a * b, 1)
  return lax.reshape(t, [...t.shape.slice(0, start), merged, ...t.shape.slice(stop)])
}

/**
 * `x` with leading size-1 dimensions up to `rank` (JAX's `lax.broadcast_to_rank`).
 *
 * @example
 * import { lax, np } from "diffect"
 * console.log(lax.broadcastToRank(np.zeros([3]), 3).shape) // [1, 1, 3]
 *
 * @since 0.1.0
 */
export const broadcastToRank = (x: Tensor, rank: number): Tensor => {
  const t = tensor("broadcast_to_rank", x)
  if (!Number.isInteger(rank) || rank < t.ndim || rank > 64) {
    throw argumentError("broadcast_to_rank", "rank", `an integer from ${t.ndim} to 64`, rank)
  }
  return lax.reshape(t, [...Array.from({ length: rank - t.ndim }, () => 1), ...t.shape])
}

/**
 * `operand[start:limit:stride]` along `axis` (JAX's `lax.slice_in_dim`; negative bounds count from the end).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.sliceInDim(np.array([[1, 2, 3], [4, 5, 6]]), 0, 3, 2, 1))) // [[1, 3], [4, 6]]
 *
 * @since 0.1.0
 */
export const sliceInDim = (
  operand: Tensor,
  startIndex: number | null | undefined,
  limitIndex: number | null | undefined,
  stride = 1,
  axis = 0
): Tensor => {
  const t = tensor("slice_in_dim", operand, "operand")
  const a = checkAxis("slice_in_dim", axis, t.ndim)
  const n = t.shape[a]!
  const norm = (v: number | null | undefined, dflt: number, name: string) => {
    if (v === undefined || v === null) return dflt
    if (!Number.isInteger(v)) throw argumentError("slice_in_dim", name, "an integer", v)
    return Math.min(Math.max(v < 0 ? v + n : v, 0), n)
  }
  const start = norm(startIndex, 0, "startIndex")
  const limit = Math.max(norm(limitIndex, n, "limitIndex"), start)
  if (!Number.isInteger(stride) || stride < 1) {
    throw argumentError("slice_in_dim", "stride", "a positive integer", stride)
  }
  return lax.slice(
    t,
    t.shape.map((_, i) => (i === a ? start : 0)),
    t.shape.map((d, i) => (i === a ? limit : d)),
    t.shape.map((_, i) => (i === a ? stride : 1))
  )
}

/**
 * `operand[index]` along `axis`, keeping the dimension unless `keepdims` is
 * false (JAX's `lax.index_in_dim`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.indexInDim(np.array([[1, 2], [3, 4]]), -1, 1, false))) // [2, 4]
 *
 * @since 0.1.0
 */
export const indexInDim = (operand: Tensor, index: number, axis = 0, keepdims = true): Tensor => {
  const t = tensor("index_in_dim", operand, "operand")
  const a = checkAxis("index_in_dim", axis, t.ndim)
  const n = t.shape[a]!
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw argumentError("index_in_dim", "index", `an integer in [${-n}, ${n})`, index)
  }
  const i = index < 0 ? index + n : index
  const s = sliceInDim(t, i, i + 1, 1, a)
  return keepdims ? s : lax.reshape(s, t.shape.filter((_, k) => k !== a))
}

/**
 * `operand` repeated `reps[i]` times along each axis (JAX's `lax.tile`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.tile(np.array([[1, 2]]), [2, 2]))) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 *
 * @since 0.1.0
 */
export const tile = (operand: Tensor, reps: ReadonlyArray<number>): Tensor => {
  const t = tensor("tile", operand, "operand")
  if (!Array.isArray(reps) || reps.length !== t.ndim || !reps.every((r) => Number.isInteger(r) && r >= 0)) {
    throw argumentError("tile", "reps", `${t.ndim} non-negative integers`, reps)
  }
  // [r0, d0, r1, d1, ...] by broadcasting, then merged pairwise
  const shape = t.shape.flatMap((d, i) => [reps[i]!, d])
  const b = lax.broadcastInDim(t, shape, t.shape.map((_, i) => 2 * i + 1))
  return lax.reshape(b, t.shape.map((d, i) => d * reps[i]!))
}
