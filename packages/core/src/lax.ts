/**
 * `lax`: the primitives as functions, with JAX's `lax` strictness: binary
 * operands must already share a dtype and a rank (the `np` namespace promotes
 * and broadcasts freely). As in JAX's lax, a rank-0 operand is broadcast to the
 * other's shape, size-1 dimensions broadcast against equal ranks, and a JS
 * number is accepted wherever JAX accepts a Python scalar: it takes the other
 * operand's dtype when it converts to it exactly (any number for an inexact
 * dtype, an integer for int32), and is a weak float32 alone. Rules of every
 * transformation are written with these.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const y = lax.sin(np.array([0, 1]))
 * console.log(toJsSync(y)) // [0, 0.8414710]
 * // lax is strict: no implicit promotion, both operands float32 here
 * console.log(toJsSync(lax.add(y, np.array([1, 1])))) // [1, 1.8414710]
 *
 * @since 0.1.0
 */
import { aval } from "./AbstractValue.js"
import { allocHost, isComplex, isInexact, toInt32 } from "./DType.js"
import type { DType } from "./DType.js"
import { DTypeError, ShapeError } from "./Errors.js"
import { bind, bind1 } from "./Handler.js"
import { canonicalPrecision, dotResultDType } from "./internal/lax/preferred.js"
import type { PrecisionLike } from "./internal/lax/preferred.js"
import type { Params, Primitive, ScatterCombine } from "./Primitive.js"
import { formatShape } from "./Shape.js"
import type { Shape } from "./Shape.js"
import { resolveOutput } from "./Staging.js"
import type { MaybeEffect } from "./Staging.js"
import { ConcreteTensor, Tensor } from "./Tensor.js"
import * as Tree from "./Tree.js"
import {
  argumentError,
  boolean,
  checkArg,
  checkDTypeName,
  checkKeys,
  checkOptions,
  checkShape,
  everyElement,
  integer,
  integers
} from "./Validate.js"
import type { Check } from "./Validate.js"

/** A lax operand: a tensor, or a JS number (JAX's Python scalar). @since 0.1.0 */
export type Operand = Tensor | number

// The operand as a tensor: a genuine Tensor, or a JS number as a weak float32 scalar.
const operand = (p: string, name: string, u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  if (typeof u === "number") return scalar(u, "float32", true)
  throw argumentError(p, name, "a Tensor or a JS number", u)
}

// A JS number beside a tensor takes its dtype, when it converts exactly (JAX's Python
// scalars are weakly typed and lax requires equal dtypes).
const numberLike = (p: string, value: number, like: Tensor): Tensor => {
  const d = like.dtype
  if (isInexact(d) || (d === "int32" && toInt32(value) === value)) return scalar(value, d, true)
  throw new DTypeError({
    operation: p,
    detail: `the JS number ${value} cannot be an operand beside a ${d} operand without changing its value; ` +
      `convert explicitly, or use the np function, which promotes`
  })
}

// JAX's lax broadcasting: a rank-0 operand takes the other's shape; equal ranks broadcast
// their size-1 dimensions. Anything else goes to the primitive, whose check names both shapes.
const broadcastPair = (x: Tensor, y: Tensor): readonly [Tensor, Tensor] => {
  const xs = x.shape
  const ys = y.shape
  if (xs === ys) return [x, y]
  if (xs.length === ys.length) {
    let same = true
    for (let i = 0; i < xs.length; i++) if (xs[i] !== ys[i]) same = false
    if (same) return [x, y]
    const out = xs.map((d, i) => (d === 1 ? ys[i]! : d))
    for (let i = 0; i < out.length; i++) if (ys[i] !== 1 && ys[i] !== out[i]) return [x, y]
    const dims = xs.map((_, i) => i)
    return [
      out.every((d, i) => d === xs[i]) ? x : broadcastInDim(x, out, dims),
      out.every((d, i) => d === ys[i]) ? y : broadcastInDim(y, out, dims)
    ]
  }
  if (xs.length === 0) return [broadcastInDim(x, ys, []), y]
  if (ys.length === 0) return [x, broadcastInDim(y, xs, [])]
  return [x, y]
}

const unary = <P extends Primitive>(p: P) => (x: Operand): Tensor => bind1(p, [operand(p, "x", x)], {} as Params<P>)
const binary = <P extends Primitive>(p: P) => (x: Operand, y: Operand): Tensor => {
  const a = typeof x === "number" && typeof y !== "number" ? numberLike(p, x, operand(p, "y", y)) : operand(p, "x", x)
  const b = typeof y === "number" ? numberLike(p, y, a) : operand(p, "y", y)
  const [bx, by] = broadcastPair(a, b)
  return bind1(p, [bx, by], {} as Params<P>)
}

/** @since 0.1.0 */
export const neg = unary("neg")
/** @since 0.1.0 */
export const sin = unary("sin")
/** @since 0.1.0 */
export const cos = unary("cos")
/** @since 0.1.0 */
export const tan = unary("tan")
/** @since 0.1.0 */
export const asin = unary("asin")
/** @since 0.1.0 */
export const acos = unary("acos")
/** @since 0.1.0 */
export const atan = unary("atan")
/** @since 0.1.0 */
export const sinh = unary("sinh")
/** @since 0.1.0 */
export const cosh = unary("cosh")
/** @since 0.1.0 */
export const tanh = unary("tanh")
/** @since 0.1.0 */
export const exp = unary("exp")
/** @since 0.1.0 */
export const log = unary("log")
/** @since 0.1.0 */
export const log1p = unary("log1p")
/** @since 0.1.0 */
export const expm1 = unary("expm1")
/** @since 0.1.0 */
export const sqrt = unary("sqrt")
/** @since 0.1.0 */
export const rsqrt = unary("rsqrt")
/** @since 0.1.0 */
export const abs = unary("abs")
/** @since 0.1.0 */
export const sign = unary("sign")
/** @since 0.1.0 */
export const floor = unary("floor")
/** @since 0.1.0 */
export const ceil = unary("ceil")
const roundHalfEven = unary("round")

/**
 * How `round` breaks ties (JAX's `lax.RoundingMethod`): `"awayFromZero"`
 * (JAX's default: 2.5 -> 3, -0.5 -> -1) or `"toNearestEven"` (NumPy's and
 * `jnp.round`'s: 2.5 -> 2, -0.5 -> -0).
 *
 * @since 0.1.0
 */
export type RoundingMethod = "awayFromZero" | "toNearestEven"

const roundingMethod: Check = {
  expected: `"awayFromZero" or "toNearestEven"`,
  test: (u) => u === "awayFromZero" || u === "toNearestEven"
}

/**
 * Rounds to the nearest integer, ties away from zero unless `roundingMethod`
 * is `"toNearestEven"` (JAX's `lax.round(x, rounding_method)`, whose default is
 * `AWAY_FROM_ZERO`; `np.round` rounds half to even). Its derivative is zero.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([0.5, 1.5, 2.5, -0.5])
 * console.log(toJsSync(lax.round(x))) // [1, 2, 3, -1]
 * console.log(toJsSync(lax.round(x, { roundingMethod: "toNearestEven" }))) // [0, 2, 2, -0]
 *
 * @since 0.1.0
 */
export const round = (x: Operand, options?: { readonly roundingMethod?: RoundingMethod }): Tensor => {
  checkOptions("round", options, { roundingMethod })
  const t = operand("round", "x", x)
  const even = roundHalfEven(t)
  if (options?.roundingMethod === "toNearestEven" || !isInexact(t.dtype) || isComplex(t.dtype)) return even
  // Ties are exact (x - even is exact within 0.5 of x); a tie's away value is sign(x) ceil(|x|),
  // whose derivative is zero like the primitive's.
  const half = full(t.shape, 0.5, t.dtype, t.weakType)
  const tie = eq(abs(sub(t, even)), half)
  return select(tie, mul(sign(t), ceil(abs(t))), even)
}
/** `1 / (1 + exp(-x))`. @since 0.1.0 */
export const logistic = unary("logistic")
/** @since 0.1.0 */
export const erf = unary("erf")
/** @since 0.1.0 */
export const not = unary("not")
/** @since 0.1.0 */
export const real = unary("real")
/** @since 0.1.0 */
export const imag = unary("imag")
/** @since 0.1.0 */
export const conj = unary("conj")
/** Identity with a zero derivative. @since 0.1.0 */
export const stopGradient = unary("stop_gradient")
/** `x ** y` for a static integer `y` in the int32 range. @since 0.1.0 */
export const integerPow = (x: Operand, y: number): Tensor => {
  if (typeof y !== "number") throw argumentError("integer_pow", "y", "an integer", y)
  return bind1("integer_pow", [operand("integer_pow", "x", x)], { y })
}

/** @since 0.1.0 */
export const add = binary("add")
/** @since 0.1.0 */
export const sub = binary("sub")
/** @since 0.1.0 */
export const mul = binary("mul")
/** @since 0.1.0 */
export const div = binary("div")
const powSameDType = binary("pow")
/**
 * `x ** y` (JAX's `lax.pow`): `y` has `x`'s inexact dtype, or is an integer
 * tensor (JAX converts it to `x`'s dtype; `x ** 0` is 1 with a zero
 * derivative, even at `x = 0`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([2, -2, 0])
 * console.log(toJsSync(lax.pow(x, np.array([3, -1, 0], { dtype: "int32" })))) // [8, -0.5, 1]
 *
 * @since 0.1.0
 */
export const pow = (x: Operand, y: Operand): Tensor => {
  if (
    x instanceof Tensor && y instanceof Tensor && isInexact(x.dtype) && (y.dtype === "int32" || y.dtype === "uint32")
  ) {
    const [bx, by] = broadcastPair(x, y)
    // JAX's rule for an integer exponent: the derivative in x is 0 where y = 0
    const zero = eq(by, scalar(0, y.dtype, true))
    const one = full(by.shape, 1, x.dtype)
    const value = bind1("pow", [bx, select(zero, one, convertElementType(by, x.dtype))], {})
    return select(zero, one, value)
  }
  return powSameDType(x, y)
}
/** @since 0.1.0 */
export const max = binary("max")
/** @since 0.1.0 */
export const min = binary("min")
/** @since 0.1.0 */
export const atan2 = binary("atan2")
/** Remainder with the dividend's sign (C's `fmod`). @since 0.1.0 */
export const rem = binary("rem")
/** @since 0.1.0 */
export const and = binary("and")
/** @since 0.1.0 */
export const or = binary("or")
/** Exclusive or (bitwise on integers, logical on bool). @since 0.1.0 */
export const xor = binary("xor")
/** `x << y` on integers; counts >= 32 give 0. @since 0.1.0 */
export const shiftLeft = binary("shift_left")
/** `x >> y` filling with zeros; counts >= 32 give 0. @since 0.1.0 */
export const shiftRightLogical = binary("shift_right_logical")
/** `x >> y` filling with the sign bit. @since 0.1.0 */
export const shiftRightArithmetic = binary("shift_right_arithmetic")
/** @since 0.1.0 */
export const eq = binary("eq")
/** @since 0.1.0 */
export const ne = binary("ne")
/** @since 0.1.0 */
export const lt = binary("lt")
/** @since 0.1.0 */
export const le = binary("le")
/** @since 0.1.0 */
export const gt = binary("gt")
/** @since 0.1.0 */
export const ge = binary("ge")
/** Complex number from real and imaginary parts of one real dtype. @since 0.1.0 */
export const complex = binary("complex")
/**
 * `select(pred, onTrue, onFalse)`: the branches share a shape; `pred` has that
 * shape or is a scalar (JAX's `select_n` accepts both; a scalar is broadcast here,
 * so the primitive itself always sees equal shapes).
 *
 * @since 0.1.0
 */
export const select = (pred: Tensor | boolean, onTrue: Operand, onFalse: Operand): Tensor => {
  // a JS boolean is a bool scalar, as JAX's `select(True, ...)`
  const p = typeof pred === "boolean" ? scalar(pred ? 1 : 0, "bool", false) : operand("select", "pred", pred)
  let t = typeof onTrue === "number" && typeof onFalse !== "number"
    ? numberLike("select", onTrue, operand("select", "onFalse", onFalse))
    : operand("select", "onTrue", onTrue)
  let f = typeof onFalse === "number" ? numberLike("select", onFalse, t) : operand("select", "onFalse", onFalse)
  ;[t, f] = broadcastPair(t, f)
  return bind1("select", [p.ndim === 0 && t.ndim > 0 ? broadcastInDim(p, t.shape, []) : p, t, f], {})
}

/**
 * Converts to `dtype` (JAX's `convert_element_type`): float -> int saturates
 * and sends NaN to 0 (XLA's convert). A JS number converts from its own value,
 * as JAX's Python scalars: an integer wraps modulo 2^32 into int32/uint32
 * (NumPy's cast of a Python int), any other number is a float64.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.convertElementType(np.array([2.7, -1e10, NaN]), "int32"))) // [2, -2147483648, 0]
 * // JAX's testConvertElementTypeOOB: convert_element_type(2 ** 32, 'int32') == 0
 * console.log(toJsSync(lax.convertElementType(2 ** 32, "int32"))) // 0
 * console.log(toJsSync(lax.convertElementType(0.1, "float64"))) // 0.1
 *
 * @since 0.1.0
 */
export const convertElementType = (x: Operand, dtype: DType, weakType = false): Tensor => {
  const d = checkDTypeName("convert_element_type", dtype)
  if (typeof x === "number" && d !== "float0") return numberAs(x, d, weakType)
  return bind1("convert_element_type", [operand("convert_element_type", "x", x)], { dtype: d, weakType })
}

// A JS number as a scalar of `dtype`: exactly where it can be, an integer wrapped into 32 bits
// (a Python int's NumPy cast), a non-integer converted from float64 by the primitive (saturating).
const numberAs = (x: number, dtype: DType, weakType: boolean): Tensor => {
  if (isInexact(dtype)) return scalar(x, dtype, weakType)
  if (dtype === "bool") return scalar(x !== 0 ? 1 : 0, "bool", weakType)
  if (Number.isInteger(x)) {
    const bits = dtype === "uint32" ? BigInt.asUintN(32, BigInt(x)) : BigInt.asIntN(32, BigInt(x))
    return scalar(Number(bits), dtype, weakType)
  }
  return bind1("convert_element_type", [scalar(x, "float64")], { dtype, weakType })
}

/** @since 0.1.0 */
export const reduceSum = (x: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bind1("reduce_sum", [t("reduce_sum", x)], { axes: ints("reduce_sum", "axes", axes) })
/** @since 0.1.0 */
export const reduceMax = (x: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bind1("reduce_max", [t("reduce_max", x)], { axes: ints("reduce_max", "axes", axes) })
/** @since 0.1.0 */
export const reduceMin = (x: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bind1("reduce_min", [t("reduce_min", x)], { axes: ints("reduce_min", "axes", axes) })
/** @since 0.1.0 */
export const reduceProd = (x: Tensor, axes: ReadonlyArray<number>): Tensor =>
  bind1("reduce_prod", [t("reduce_prod", x)], { axes: ints("reduce_prod", "axes", axes) })
const indexDType: Check = {
  expected: `"int32" or "uint32"`,
  test: (u) => u === "int32" || u === "uint32"
}
const argIndex = (p: "argmax" | "argmin", x: Tensor, axis: number, dtype: DType): Tensor => {
  const d = checkArg<DType>(p, "indexDtype", dtype, indexDType)
  const i = bind1(p, [t(p, x)], { axis: int(p, "axis", axis) })
  return d === "int32" ? i : convertElementType(i, d)
}
/**
 * Index of the first maximum along `axis` (JAX's `lax.argmax`; NaN counts as the
 * maximum), as `indexDtype` (default int32).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.argmax(np.array([[1, 5], [3, 2]]), 0, "uint32"))) // [1, 0]
 *
 * @since 0.1.0
 */
export const argmax = (x: Tensor, axis: number, indexDtype: DType = "int32"): Tensor =>
  argIndex("argmax", x, axis, indexDtype)
/**
 * Index of the first minimum along `axis` (JAX's `lax.argmin`; NaN counts as the
 * minimum), as `indexDtype` (default int32).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.argmin(np.array([3, NaN, 1]), 0))) // 1
 *
 * @since 0.1.0
 */
export const argmin = (x: Tensor, axis: number, indexDtype: DType = "int32"): Tensor =>
  argIndex("argmin", x, axis, indexDtype)
const cumulative =
  <P extends "cumsum" | "cumprod" | "cummax" | "cummin" | "cumlogsumexp">(p: P) =>
  (x: Tensor, axis = 0, reverse = false): Tensor => {
    const v = t(p, x)
    const a = int(p, "axis", axis)
    return bind1(p, [v], {
      axis: a < 0 && a >= -v.ndim ? a + v.ndim : a,
      reverse: checkArg(p, "reverse", reverse, boolean)
    } as Params<P>)
  }

/**
 * Inclusive cumulative sum along `axis` (JAX's `lax.cumsum`; from the end when
 * `reverse`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cumsum(np.array([1, 2, 3]), 0, true))) // [6, 5, 3]
 *
 * @since 0.1.0
 */
export const cumsum = cumulative("cumsum")
/**
 * Inclusive cumulative product along `axis` (JAX's `lax.cumprod`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cumprod(np.array([1, 2, 3, 4])))) // [1, 2, 6, 24]
 *
 * @since 0.1.0
 */
export const cumprod = cumulative("cumprod")
/**
 * Running maximum along `axis` (JAX's `lax.cummax`; NaN propagates).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cummax(np.array([1, 3, 2, 5])))) // [1, 3, 3, 5]
 *
 * @since 0.1.0
 */
export const cummax = cumulative("cummax")
/**
 * Running minimum along `axis` (JAX's `lax.cummin`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cummin(np.array([3, 1, 2]), 0, true))) // [1, 1, 2]
 *
 * @since 0.1.0
 */
export const cummin = cumulative("cummin")
/**
 * Running `log(sum(exp(x)))` along `axis` (JAX's `lax.cumlogsumexp`), without
 * overflow.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cumlogsumexp(np.array([0, 0, 1000])))) // [0, 0.6931472, 1000]
 *
 * @since 0.1.0
 */
export const cumlogsumexp = cumulative("cumlogsumexp")

/** Options of `lax.sort`. @since 0.1.0 */
export interface SortOptions {
  /** The dimension to sort along (default -1, the last). */
  readonly dimension?: number | undefined
  /** Keep the order of equal keys (always kept here; JAX's default). */
  readonly isStable?: boolean | undefined
  /** How many leading operands are keys, compared lexicographically (default 1). */
  readonly numKeys?: number | undefined
}

const sortParams = (ndim: number, options: SortOptions | undefined): Params<"sort"> => {
  // (JAX's positional `lax.sort(x, 0)` is an error here, not the last dimension)
  checkOptions("sort", options, { dimension: integer, isStable: boolean, numKeys: integer })
  const d = int("sort", "dimension", options?.dimension ?? -1)
  return {
    dimension: d < 0 && d >= -ndim ? d + ndim : d,
    isStable: checkArg("sort", "isStable", options?.isStable ?? true, boolean),
    numKeys: int("sort", "numKeys", options?.numKeys ?? 1)
  }
}

/**
 * JAX's `lax.sort`: sorts `operand` along `dimension`; given several operands
 * (one shape), reorders them all by the first `numKeys`, compared
 * lexicographically. Floats order with -0 equal to 0 and NaN last; complex
 * numbers by real, then imaginary part. Stable.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.sort(np.array([3, NaN, -1, 2])))) // [-1, 2, 3, NaN]
 * const [k, v] = lax.sort([np.array([2, 1, 2, 1]), np.array([10, 20, 30, 40])])
 * console.log(toJsSync([k!, v!])) // [[1, 1, 2, 2], [20, 40, 10, 30]]
 *
 * @since 0.1.0
 */
export const sort: {
  (operand: Tensor, options?: SortOptions): Tensor
  (operands: ReadonlyArray<Tensor>, options?: SortOptions): ReadonlyArray<Tensor>
} = ((operand: Tensor | ReadonlyArray<Tensor>, options?: SortOptions): Tensor | ReadonlyArray<Tensor> => {
  if (Array.isArray(operand)) {
    const xs = tensors("sort", operand)
    return bind("sort", xs, sortParams(xs[0]?.ndim ?? 0, options))
  }
  const x = t("sort", operand)
  return bind("sort", [x], sortParams(x.ndim, options))[0]!
}) as never

/**
 * JAX's `lax.sort_key_val`: `values` reordered as `keys` sorts (stable).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [k, v] = lax.sortKeyVal(np.array([3, 1, 2]), np.array([0, 1, 2], { dtype: "int32" }))
 * console.log(toJsSync([k, v])) // [[1, 2, 3], [1, 2, 0]]
 *
 * @since 0.1.0
 */
export const sortKeyVal = (
  keys: Tensor,
  values: Tensor,
  dimension = -1,
  isStable = true
): readonly [Tensor, Tensor] => {
  const [k, v] = sort([t("sort_key_val", keys, "keys"), t("sort_key_val", values, "values")], { dimension, isStable })
  return [k!, v!]
}

/**
 * JAX's `lax.top_k`: the `k` largest entries along `axis` (default -1, the
 * last), largest first (equal values: the lower index first), and their int32
 * indices.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [values, indices] = lax.topK(np.array([1, 5, 3, 5]), 3)
 * console.log(toJsSync([values, indices])) // [[5, 5, 3], [1, 3, 2]]
 * const [v0] = lax.topK(np.array([[1, 5], [3, 2]]), 1, { axis: 0 })
 * console.log(toJsSync(v0)) // [[3, 5]]
 *
 * @since 0.1.0
 */
export const topK = (
  operand: Tensor,
  k: number,
  options?: { readonly axis?: number | undefined; readonly isStable?: boolean | undefined }
): readonly [Tensor, Tensor] => {
  checkOptions("top_k", options, { axis: integer, isStable: boolean })
  const x = t("top_k", operand, "operand")
  const a0 = options?.axis ?? -1
  const axis = a0 < 0 ? a0 + x.ndim : a0
  if (x.ndim === 0 || axis < 0 || axis >= x.ndim) {
    throw new ShapeError({
      operation: "top_k",
      detail: `axis ${a0} is out of bounds for an operand of rank ${x.ndim}`
    })
  }
  const last = x.ndim - 1
  // the primitive works on the last axis: swap `axis` there and back
  const perm = x.shape.map((_, d) => (d === axis ? last : d === last ? axis : d))
  const moved = axis === last ? x : transpose(x, perm)
  const [values, indices] = bind("top_k", [moved], { k: int("top_k", "k", k) })
  return axis === last ? [values!, indices!] : [transpose(values!, perm), transpose(indices!, perm)]
}

/**
 * JAX's `lax.associative_scan`: the inclusive scan of `elems` (a pytree of
 * tensors sharing their length along `axis`: one tensor, a list, an object)
 * under an associative `combine`, in O(log n) steps of whole-array operations
 * (slices, `combine`, interleaving pads), so it is differentiated, batched and
 * run on every backend like any composition. `combine` gets two pytrees of the
 * structure of `elems` (earlier, later) and returns one.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [s] = lax.associativeScan(([a], [b]) => [lax.add(a!, b!)], [np.array([1, 2, 3, 4, 5])])
 * console.log(toJsSync(s!)) // [1, 3, 6, 10, 15]
 * // one tensor (JAX's testAssociativeScanUnstructured)
 * console.log(toJsSync(lax.associativeScan(lax.mul, np.array([1, 2, 3, 4])))) // [1, 2, 6, 24]
 *
 * @since 0.1.0
 */
export const associativeScan = <T>(
  combine: (a: T, b: T) => MaybeEffect<T>,
  elems: T,
  options?: { readonly reverse?: boolean | undefined; readonly axis?: number | undefined }
): T => {
  if (typeof combine !== "function") throw argumentError("associative_scan", "combine", "a function", combine)
  checkOptions("associative_scan", options, { reverse: boolean, axis: integer })
  const [leaves, def] = Tree.flatten(elems)
  const xs = tensors("associative_scan", leaves)
  if (xs.length === 0) return elems
  // `combine` on leaves: its result must have the structure of `elems`
  const combineLeaves = (a: ReadonlyArray<Tensor>, b: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const [out, outDef] = Tree.flatten(
      resolveOutput("associative_scan", combine(Tree.unflatten<T>(def, a), Tree.unflatten<T>(def, b)))
    )
    if (!Tree.treedefEquals(outDef, def) || out.length !== a.length) {
      throw argumentError(
        "associative_scan",
        "combine",
        "a function returning a pytree of the structure of elems",
        "a different structure"
      )
    }
    const outs = tensors("associative_scan", out)
    // combine keeps its arguments' shapes (a shape it changes would make the recursion never end)
    outs.forEach((o, i) => {
      if (o.ndim !== a[i]!.ndim || o.shape.some((d, k) => d !== a[i]!.shape[k])) {
        throw new ShapeError({
          operation: "associative_scan",
          detail: `combine must return elements of its arguments' shapes: leaf ${i} came back [${
            o.shape.join(", ")
          }] from [${a[i]!.shape.join(", ")}]`
        })
      }
    })
    return outs
  }
  const ndim = xs[0]!.ndim
  const a0 = int("associative_scan", "axis", options?.axis ?? 0)
  const axis = a0 < 0 ? a0 + ndim : a0
  const reverse = checkArg("associative_scan", "reverse", options?.reverse ?? false, boolean)
  const n = xs[0]!.shape[axis]
  // JAX's check: the leaves share their length along the axis (of the first leaf's rank); their
  // ranks may differ (a matrix and a vector per step)
  if (n === undefined || xs.some((x) => x.shape[axis] !== n)) {
    throw argumentError("associative_scan", "elems", `tensors sharing their length along axis ${a0}`, elems)
  }
  const sliceAxis = (x: Tensor, start: number, stop: number, stride = 1): Tensor =>
    slice(
      x,
      x.shape.map((_, d) => (d === axis ? start : 0)),
      x.shape.map((s, d) => (d === axis ? Math.max(start, stop < 0 ? s + stop : stop) : s)),
      stride === 1 ? null : x.shape.map((_, d) => (d === axis ? stride : 1))
    )
  // Interleaves a (length m or m + 1) with b (length m) along the axis: a0 b0 a1 b1 ...
  const interleave = (a: Tensor, b: Tensor): Tensor => {
    const even = a.shape[axis] === b.shape[axis]
    const cfg = (lo: number, hi: number) =>
      a.shape.map((_, d): readonly [number, number, number] => (d === axis ? [lo, hi, 1] : [0, 0, 0]))
    const zero = full([], 0, a.dtype)
    const pa = pad(a, zero, cfg(0, even ? 1 : 0))
    const pb = pad(b, zero, cfg(1, even ? 0 : 1))
    return a.dtype === "bool" ? or(pa, pb) : add(pa, pb)
  }
  const run = (es: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const len = es[0]!.shape[axis]!
    if (len < 2) return es
    const reduced = combineLeaves(es.map((e) => sliceAxis(e, 0, -1, 2)), es.map((e) => sliceAxis(e, 1, len, 2)))
    const odd = run(reduced)
    const even = len % 2 === 0
      ? combineLeaves(odd.map((e) => sliceAxis(e, 0, -1)), es.map((e) => sliceAxis(e, 2, len, 2)))
      : combineLeaves(odd, es.map((e) => sliceAxis(e, 2, len, 2)))
    const evens = es.map((e, i) => concatenate([sliceAxis(e, 0, 1), even[i]!], axis))
    return evens.map((e, i) => interleave(e, odd[i]!))
  }
  const flip = (ys: ReadonlyArray<Tensor>) => (reverse ? ys.map((y) => rev(y, [axis])) : ys)
  return Tree.unflatten<T>(def, flip(run(flip(xs))))
}

/** @since 0.1.0 */
export const broadcastInDim = (x: Tensor, shape: Shape, broadcastDimensions: ReadonlyArray<number>): Tensor =>
  bind1("broadcast_in_dim", [t("broadcast_in_dim", x)], {
    shape: checkShape("broadcast_in_dim", shape),
    broadcastDimensions: ints("broadcast_in_dim", "broadcastDimensions", broadcastDimensions)
  })
/**
 * `x` with the shape `newSizes` (JAX's `lax.reshape`); `dimensions`, when
 * given, is the order in which `x`'s axes are read (a transpose first).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[1, 2, 3], [4, 5, 6]])
 * console.log(toJsSync(lax.reshape(x, [3, 2], [1, 0]))) // [[1, 4], [2, 5], [3, 6]]
 *
 * @since 0.1.0
 */
export const reshape = (x: Tensor, newSizes: Shape, dimensions?: ReadonlyArray<number> | null): Tensor => {
  const v = t("reshape", x)
  const perm = dimensions === undefined || dimensions === null ? null : ints("reshape", "dimensions", dimensions)
  if (
    perm !== null && (perm.length !== v.ndim || perm.some((d, i) => !(d >= 0 && d < v.ndim) || perm.indexOf(d) !== i))
  ) {
    throw new ShapeError({
      operation: "reshape",
      detail: `reshape dimensions must be a permutation of operand dimensions, got dimensions [${
        perm.join(", ")
      }] for shape ${formatShape(v.shape)}`
    })
  }
  const read = perm === null || perm.every((d, i) => d === i) ? v : transpose(v, perm)
  return bind1("reshape", [read], { newSizes: checkShape("reshape", newSizes) })
}
/** @since 0.1.0 */
export const transpose = (x: Tensor, permutation: ReadonlyArray<number>): Tensor =>
  bind1("transpose", [t("transpose", x)], { permutation: ints("transpose", "permutation", permutation) })
// A negative axis counts from the end of a rank-`ndim` shape (JAX's canonicalize_axis); one out
// of range is left for the primitive's check to name.
const canonical = (dims: ReadonlyArray<number>, ndim: number): ReadonlyArray<number> =>
  dims.map((d) => (d < 0 && d >= -ndim ? d + ndim : d))
/** Removes the size-1 `dimensions` (negative ones count from the end). @since 0.1.0 */
export const squeeze = (x: Tensor, dimensions: ReadonlyArray<number>): Tensor => {
  const v = t("squeeze", x)
  return bind1("squeeze", [v], { dimensions: canonical(ints("squeeze", "dimensions", dimensions), v.ndim) })
}
/** Inserts size-1 axes at `dimensions` of the result (negative ones count from its end). @since 0.1.0 */
export const expandDims = (x: Tensor, dimensions: ReadonlyArray<number>): Tensor => {
  const v = t("expand_dims", x)
  const dims = ints("expand_dims", "dimensions", dimensions)
  return bind1("expand_dims", [v], { dimensions: canonical(dims, v.ndim + dims.length) })
}
/** @since 0.1.0 */
export const rev = (x: Tensor, dimensions: ReadonlyArray<number>): Tensor =>
  bind1("rev", [t("rev", x)], { dimensions: ints("rev", "dimensions", dimensions) })
/** @since 0.1.0 */
export const slice = (
  x: Tensor,
  startIndices: ReadonlyArray<number>,
  limitIndices: ReadonlyArray<number>,
  strides: ReadonlyArray<number> | null = null
): Tensor =>
  bind1("slice", [t("slice", x)], {
    startIndices: ints("slice", "startIndices", startIndices),
    limitIndices: ints("slice", "limitIndices", limitIndices),
    strides: strides === null ? null : ints("slice", "strides", strides)
  })
/**
 * `x` padded with `paddingValue` (JAX's `lax.pad`): `config[i] = [low, high,
 * interior]` for dimension `i`; negative `low`/`high` crop. A JS number takes
 * `x`'s dtype, as JAX's Python scalars.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([1, 2, 3], { dtype: "int32" })
 * console.log(toJsSync(lax.pad(x, 0, [[0, 0, 1]]))) // [1, 0, 2, 0, 3]
 * console.log(toJsSync(lax.pad(x, -1, [[-1, 2, 0]]))) // [2, 3, -1, -1]
 *
 * @since 0.1.0
 */
export const pad = (
  x: Tensor,
  paddingValue: Operand,
  config: ReadonlyArray<readonly [number, number, number]>
): Tensor => {
  const v = t("pad", x)
  const p = typeof paddingValue === "number"
    ? numberLike("pad", paddingValue, v)
    : t("pad", paddingValue, "paddingValue")
  return bind1("pad", [v, p], { config: checkArg("pad", "config", config, padConfig) })
}
/** @since 0.1.0 */
export const concatenate = (xs: ReadonlyArray<Tensor>, dimension: number): Tensor =>
  bind1("concatenate", tensors("concatenate", xs), { dimension: int("concatenate", "dimension", dimension) })
/**
 * Splits `x` along `axis` into consecutive pieces of `sizes[i]` elements (JAX's
 * `lax.split`): one primitive with one output per size. A negative `axis` counts
 * from the end.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const [a, b] = lax.split(np.array([1, 2, 3, 4, 5]), [2, 3], 0)
 * console.log(toJsSync([a!, b!])) // [[1, 2], [3, 4, 5]]
 *
 * @since 0.1.0
 */
export const split = (x: Tensor, sizes: ReadonlyArray<number>, axis: number): ReadonlyArray<Tensor> => {
  const v = t("split", x)
  const a = int("split", "axis", axis)
  return bind("split", [v], { sizes: ints("split", "sizes", sizes), axis: a < 0 ? a + v.ndim : a })
}
/**
 * NumPy's `take` along one axis, not XLA's gather: `gather(x, indices, axis)`
 * has shape `x.shape[:axis] + indices.shape + x.shape[axis + 1:]`, element
 * `x[..., indices[j], ...]`. `indices` is int32 of any shape and `axis` is
 * non-negative. An index out of range is clamped into `[0, n - 1]` (a negative
 * index reads element 0: it does not count from the end), as JAX's
 * `mode="clip"`; JAX's default `fill_or_drop` would read NaN there. JAX's
 * `dimension_numbers`, `slice_sizes`, `mode` and `fill_value` are not taken
 * (see docs/jax-differences.md; `np.take` and indexing cover the other uses).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[0, 1, 2], [3, 4, 5]])
 * console.log(toJsSync(lax.gather(x, np.array([2, 0], { dtype: "int32" }), 1))) // [[2, 0], [5, 3]]
 * // clamped: -1 reads element 0, 5 the last one
 * console.log(toJsSync(lax.gather(np.array([10, 20, 30]), np.array([-1, 5], { dtype: "int32" }), 0))) // [10, 30]
 *
 * @since 0.1.0
 */
export const gather = (x: Tensor, indices: Tensor, axis: number): Tensor =>
  bind1("gather", [t("gather", x), t("gather", indices, "indices")], { axis: int("gather", "axis", axis) })
/**
 * Adds `updates` into `operand` at `indices` along `axis` (JAX's
 * `scatter_add` in `gather`'s one-axis form, not XLA's dimension numbers):
 * `updates` has `gather`'s result shape, `operand.shape[:axis] + indices.shape
 * + operand.shape[axis + 1:]`; repeated indices add up. An index out of range
 * is clamped into `[0, n - 1]`, so its update lands on the edge element, where
 * JAX's default mode (`fill_or_drop`) drops it.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const i = np.array([1, 1, 5], { dtype: "int32" })
 * // index 5 is clamped to 2
 * console.log(toJsSync(lax.scatterAdd(np.zeros([3]), i, np.array([1, 2, 4]), 0))) // [0, 3, 4]
 *
 * @since 0.1.0
 */
export const scatterAdd = (operand: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor =>
  bind1("scatter_add", [
    t("scatter_add", operand, "operand"),
    t("scatter_add", indices, "indices"),
    t("scatter_add", updates, "updates")
  ], { axis: int("scatter_add", "axis", axis) })
/**
 * Combines `updates` into `operand` at `indices` along `axis` (JAX's `scatter`,
 * `scatter_mul`, `scatter_min`, `scatter_max`) in `gather`'s one-axis form
 * (see `scatterAdd` for the shapes): `combine` is `"set"`, `"mul"`, `"min"` or
 * `"max"`; indices out of range are clamped into `[0, n - 1]` (JAX's default
 * mode drops those updates), and updates apply in index order (with repeated
 * indices, `"set"` keeps the last). `uniqueIndices` promises that indices do
 * not repeat (needed for the derivative of `"mul"` in the updates).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const i = np.array([0, 2, 0], { dtype: "int32" })
 * console.log(toJsSync(lax.scatter(np.zeros([3]), i, np.array([1, 2, 3]), 0, "set"))) // [3, 0, 2]
 * console.log(toJsSync(lax.scatter(np.ones([3]), i, np.array([4, 5, 6]), 0, "max"))) // [6, 1, 5]
 *
 * @since 0.1.0
 */
export const scatter = (
  operand: Tensor,
  indices: Tensor,
  updates: Tensor,
  axis: number,
  combine: ScatterCombine,
  options?: { readonly uniqueIndices?: boolean | undefined }
): Tensor => {
  if (combine !== "set" && combine !== "mul" && combine !== "min" && combine !== "max") {
    throw argumentError("scatter", "combine", "\"set\", \"mul\", \"min\" or \"max\"", combine)
  }
  checkOptions("scatter", options, { uniqueIndices: boolean })
  return bind1("scatter", [
    t("scatter", operand, "operand"),
    t("scatter", indices, "indices"),
    t("scatter", updates, "updates")
  ], {
    axis: int("scatter", "axis", axis),
    combine,
    uniqueIndices: checkArg("scatter", "uniqueIndices", options?.uniqueIndices ?? false, boolean)
  })
}
export type { PrecisionLike, PrecisionName } from "./internal/lax/preferred.js"

/** Options of `lax.dotGeneral` and `lax.dot`. @since 0.1.0 */
export interface DotOptions {
  /** JAX's `precision` (see `Precision`), one of its aliases or a pair (see `PrecisionLike`). */
  readonly precision?: PrecisionLike | undefined
  /**
   * The result dtype (JAX's `preferred_element_type`): the operands are
   * computed in it (an integer may widen to a float, a float to a wider float).
   */
  readonly preferredElementType?: DType | undefined
}

/**
 * JAX's `lax.dot_general`: contracts `contracting[0]` of `lhs` with
 * `contracting[1]` of `rhs`, batched over `batch`; the result's dimensions are
 * the batch ones, then `lhs`'s free ones, then `rhs`'s.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const a = np.array([[1, 2]], { dtype: "int32" })
 * const b = np.array([[3], [4]], { dtype: "int32" })
 * console.log(toJsSync(lax.dotGeneral(a, b, [[1], [0]], [[], []], { preferredElementType: "float32" }))) // [[11]]
 *
 * @since 0.1.0
 */
export const dotGeneral = (
  lhs: Tensor,
  rhs: Tensor,
  contracting: readonly [ReadonlyArray<number>, ReadonlyArray<number>],
  batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>] = [[], []],
  options?: DotOptions
): Tensor => {
  // any other key is a mistake (`precison`, JAX's snake case `preferred_element_type`)
  checkKeys("dot_general", options, dotKeys)
  const [l, r] = [t("dot_general", lhs, "lhs"), t("dot_general", rhs, "rhs")]
  const dims = {
    contracting: checkArg<typeof contracting>("dot_general", "contracting", contracting, dimPairs),
    batch: checkArg<typeof batch>("dot_general", "batch", batch, dimPairs)
  }
  const preferred = options?.preferredElementType
  // JAX's dtype rule: mixed operands compute in the higher-precision dtype (both converted to it,
  // as JAX's CPU lowering does), or in preferredElementType
  const out = dotResultDType(
    "dot_general",
    l.dtype,
    r.dtype,
    preferred === undefined ? undefined : checkDTypeName("dot_general", preferred)
  )
  // a bool dot is XLA's OR of ANDs: an integer count of the true products, then != 0
  const compute = out === "bool" ? "int32" : out
  const operands = [l, r].map((x) => (x.dtype === compute ? x : convertElementType(x, compute)))
  const precision = canonicalPrecision("dot_general", options?.precision)
  const y = bind1(
    "dot_general",
    operands,
    precision === undefined || precision === "default" ? dims : { ...dims, precision }
  )
  return out === "bool" ? ne(y, full(y.shape, 0, "int32")) : y
}

/**
 * JAX's `lax.dot`: vector-vector, matrix-vector, vector-matrix and
 * matrix-matrix products (operands of rank 1 or 2; the last axis of `lhs`
 * with the first of `rhs`), with JAX's `precision` (see `Precision`) and
 * `preferredElementType`.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const y = lax.dot(np.array([[1, 2], [3, 4]]), np.array([1, 1]), { precision: "highest" })
 * console.log(toJsSync(y)) // [3, 7]
 *
 * @since 0.1.0
 */
export const dot = (lhs: Tensor, rhs: Tensor, options?: DotOptions): Tensor => {
  checkKeys("dot", options, dotKeys)
  const l = t("dot", lhs, "lhs")
  const r = t("dot", rhs, "rhs")
  if (l.ndim < 1 || l.ndim > 2 || r.ndim < 1 || r.ndim > 2 || l.shape[l.ndim - 1] !== r.shape[0]) {
    throw new ShapeError({
      operation: "dot",
      detail: `Incompatible shapes for dot: got ${formatShape(l.shape)} and ${formatShape(r.shape)}.`
    })
  }
  return dotGeneral(l, r, [[l.ndim - 1], [0]], [[], []], options)
}

const dotKeys = ["precision", "preferredElementType"]

// Static parameters and tensor operands of the structural functions, checked for their kind
// (their values are checked by abstract evaluation).
const t = (p: string, u: unknown, name = "x"): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(p, name, "a Tensor", u)
}
const tensors = (p: string, u: unknown): ReadonlyArray<Tensor> => {
  if (!Array.isArray(u)) throw argumentError(p, "operands", "an array of Tensors", u)
  return Array.from(u, (x) => t(p, x, "each operand"))
}
const ints = (p: string, name: string, u: unknown): ReadonlyArray<number> => checkArg(p, name, u, integers)
const int = (p: string, name: string, u: unknown): number => checkArg(p, name, u, integer)
const padConfig: Check = {
  expected: "an array of [low, high, interior] integer triples",
  test: (u) =>
    Array.isArray(u) && everyElement(u, (c) => Array.isArray(c) && c.length === 3 && everyElement(c, Number.isInteger))
}
const dimPairs: Check = {
  expected: "a pair of arrays of integers",
  test: (u) =>
    Array.isArray(u) && u.length === 2 && everyElement(u, (d) => Array.isArray(d) && everyElement(d, Number.isInteger))
}
/** @since 0.1.0 */
export const iota = (dtype: DType, shape: Shape, dimension = 0): Tensor =>
  bind1("iota", [], {
    dtype: checkDTypeName("iota", dtype),
    shape: checkShape("iota", shape),
    dimension: int("iota", "dimension", dimension)
  })

/**
 * A rank-0 host tensor. With `weakType` it behaves like a JS number in promotion.
 * A complex `value` is given as `{ re, im }`.
 *
 * @since 0.1.0
 */
export const scalar = (
  value: number | { readonly re: number; readonly im: number },
  dtype: DType,
  weakType = false
): Tensor => {
  const d = checkDTypeName("scalar", dtype)
  checkArg("scalar", "value", value, scalarValue)
  const data = allocHost(d, 1)
  if (typeof value === "number") data[0] = d === "int32" ? toInt32(value) : value
  else {
    data[0] = value.re
    if (isComplex(dtype)) data[1] = value.im
  }
  return new ConcreteTensor(aval([], dtype, weakType), data, undefined)
}

/** `shape`-shaped tensor filled with `value`. @since 0.1.0 */
export const full = (
  shape: Shape,
  value: number | { readonly re: number; readonly im: number },
  dtype: DType,
  weakType = false
): Tensor => {
  const dims = checkShape("full", shape)
  const s = scalar(value, dtype, weakType)
  return dims.length === 0 ? s : broadcastInDim(s, dims, [])
}

/** Zeros of the same shape and dtype as `x` (weak type kept). @since 0.1.0 */
export const zerosLike = (x: Tensor): Tensor => {
  const v = t("zerosLike", x)
  return full(v.shape, 0, v.dtype, v.weakType)
}

const scalarValue: Check = {
  expected: "a number or a complex value { re, im }",
  test: (u) =>
    typeof u === "number" ||
    (typeof u === "object" && u !== null && typeof (u as { re?: unknown }).re === "number" &&
      typeof (u as { im?: unknown }).im === "number")
}

// Dynamic slicing (JAX's dynamic_slice family): compositions of gather and select.
export {
  dynamicIndexInDim,
  dynamicSlice,
  dynamicSliceInDim,
  dynamicUpdateIndexInDim,
  dynamicUpdateSlice,
  dynamicUpdateSliceInDim
} from "./internal/dynamicSlicing.js"
export type { Index } from "./internal/dynamicSlicing.js"
// Staged control flow (JAX's lax.cond / lax.switch): higher-order primitives.
export {
  /**
   * `lax.cond(pred, trueFn, falseFn, ...operands)` (JAX's `lax.cond`).
   *
   * @since 0.1.0
   */
  cond,
  /**
   * `lax.switch(index, branches, ...operands)` (JAX's `lax.switch`; the index is clamped).
   *
   * @since 0.1.0
   */
  switchOn as switch,
  /**
   * `lax.whileLoop(condFn, bodyFn, init)` (JAX's `lax.while_loop`).
   *
   * @since 0.1.0
   */
  whileLoop
} from "./internal/controlFlow.js"

// Loops (JAX's scan, map and fori_loop with static bounds): the higher-order primitive `scan`.
export { foriLoop, map, scan } from "./internal/scan.js"
export type { ScanOptions } from "./internal/scan.js"
