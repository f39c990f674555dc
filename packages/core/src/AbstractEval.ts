/**
 * Abstract evaluation: the output shapes and dtypes of each primitive, and the
 * validation of its operands. Every evaluation and every trace goes through this
 * table, so it is the single place where a primitive's typing rules live (JAX's
 * `shape_rule` / `dtype_rule` / `weak_type_rule`).
 *
 * The success path allocates only the output avals: messages are built only
 * when a check fails.
 *
 * @since 0.1.0
 */
import { aval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import { convEvalRule } from "./Convolution.js"
import { isComplex, isFloating, isInteger, realDType } from "./DType.js"
import type { DType } from "./DType.js"
import { AxisError, DTypeError, Float0OperationError, ShapeError } from "./Errors.js"
import { fftEvalRule } from "./Fft.js"
import { linalgEvalRules } from "./internal/linalgEval.js"
import type { Params, Primitive } from "./Primitive.js"
import { formatShape, shapeEquals, sizeOf } from "./Shape.js"
import type { Shape } from "./Shape.js"
import { checkDims, checkSize } from "./Validate.js"
import { reduceWindowEval, selectEval } from "./Window.js"

/**
 * Abstract evaluation of one primitive: validates the operands' avals and the
 * static parameters, and gives the output avals.
 *
 * @since 0.1.0
 */
export type AbstractEvalRule<P extends Primitive> = (
  avals: ReadonlyArray<AbstractValue>,
  params: Params<P>
) => ReadonlyArray<AbstractValue>

// ---------------------------------------------------------------------------
// dtype classes (JAX's `_num`, `_float | _complex`, ...)

type DTypeClass = (d: DType) => boolean
const numeric: DTypeClass = (d) => isInteger(d) || d === "float32" || d === "float64" || isComplex(d)
const inexact: DTypeClass = (d) => isFloating(d) || isComplex(d)
const floating: DTypeClass = isFloating
const real: DTypeClass = (d) => isInteger(d) || isFloating(d)
const ordered: DTypeClass = (d) => d === "bool" || isInteger(d) || isFloating(d)
// max and min (and the reductions, scans and scatters built on them) also take complex values,
// ordered lexicographically (real part, then imaginary part) as JAX's lax.max/min
const extremal: DTypeClass = (d) => ordered(d) || isComplex(d)
const logical: DTypeClass = (d) => d === "bool" || isInteger(d)
const integer: DTypeClass = isInteger
const anyValue: DTypeClass = (d) => d !== "float0"
const complexOnly: DTypeClass = isComplex

const classNames = new Map<DTypeClass, string>([
  [numeric, "integer, floating or complex"],
  [inexact, "floating or complex (np promotes integers to float first)"],
  [floating, "floating"],
  [real, "integer or floating"],
  [ordered, "bool, integer or floating"],
  [extremal, "bool, integer, floating or complex"],
  [logical, "bool or integer"],
  [integer, "integer"],
  [anyValue, "any"],
  [complexOnly, "complex"]
])

const checkFloat0 = (op: string, avals: ReadonlyArray<AbstractValue>): void => {
  for (const a of avals) if (a.dtype === "float0") throw new Float0OperationError({ operation: op })
}

const checkClass = (op: string, a: AbstractValue, cls: DTypeClass): void => {
  if (a.dtype === "float0") throw new Float0OperationError({ operation: op })
  if (!cls(a.dtype)) {
    throw new DTypeError({
      operation: op,
      detail: `dtype ${a.dtype} is not accepted. Accepted dtypes are ${classNames.get(cls) ?? "other"}.`
    })
  }
}

const checkArity = (op: string, avals: ReadonlyArray<AbstractValue>, n: number): void => {
  if (avals.length !== n) {
    throw new ShapeError({ operation: op, detail: `takes ${n} operand(s), got ${avals.length}` })
  }
}

// A plain loop: this runs for every elementwise op.
const sameShape = (a: Shape, b: Shape): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const checkSameShape = (op: string, a: AbstractValue, b: AbstractValue): void => {
  if (a.shape !== b.shape && !sameShape(a.shape, b.shape)) {
    throw new ShapeError({
      operation: op,
      detail: `got incompatible shapes: ${formatShape(a.shape)} and ${formatShape(b.shape)}. ` +
        "lax operands must have equal shapes; np broadcasts them first."
    })
  }
}

const checkSameDType = (op: string, a: AbstractValue, b: AbstractValue): void => {
  if (a.dtype !== b.dtype) {
    throw new DTypeError({
      operation: op,
      detail: `lax.${op} requires arguments to have the same dtypes, got ${a.dtype}, ${b.dtype}. ` +
        "np promotes them first (np.astype converts explicitly)."
    })
  }
}

const checkAxis = (axis: number, ndim: number): void => {
  if (!Number.isInteger(axis) || axis < 0 || axis >= ndim) throw new AxisError({ axis, ndim })
}

// Distinct, in-range (non-negative: the ops API normalizes) axes.
const checkAxes = (op: string, axes: ReadonlyArray<number>, ndim: number): void => {
  for (let i = 0; i < axes.length; i++) {
    const axis = axes[i]!
    checkAxis(axis, ndim)
    for (let j = 0; j < i; j++) {
      if (axes[j] === axis) {
        throw new ShapeError({ operation: op, detail: `got repeated axis ${axis} in [${axes.join(", ")}]` })
      }
    }
  }
}

const checkShapeParam = (op: string, shape: Shape): void => {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError({
        operation: op,
        detail: `shape ${formatShape(shape)} must contain non-negative integers`
      })
    }
  }
  checkOutputSize(op, shape)
}

/**
 * An output shape within the elements an array may hold (and each dimension within an int32
 * index, as `Validate.checkShape`), checked when the primitive is bound, as JAX checks shapes:
 * `outer` of two 100,000-vectors failed late, with a host BackendError about 40 GB, when its
 * output was allocated.
 */
const checkOutputSize = (op: string, shape: Shape): Shape => {
  checkSize(op, shape, sizeOf(shape))
  checkDims(op, shape)
  return shape
}

// ---------------------------------------------------------------------------
// rule builders

/** Elementwise, one operand, same shape; dtype mapped by `out` (identity by default). */
const unaryRule = <P extends Primitive>(
  op: P,
  cls: DTypeClass,
  out?: (d: DType) => DType
): AbstractEvalRule<P> =>
(avals) => {
  checkArity(op, avals, 1)
  const x = avals[0]!
  checkClass(op, x, cls)
  return [out === undefined ? x : aval(x.shape, out(x.dtype), x.weakType)]
}

/** Elementwise, two operands of one shape and dtype; weak only if both are weak. */
const binaryRule =
  <P extends Primitive>(op: P, cls: DTypeClass, out?: (d: DType) => DType): AbstractEvalRule<P> => (avals) => {
    checkArity(op, avals, 2)
    const x = avals[0]!
    const y = avals[1]!
    checkClass(op, x, cls)
    checkClass(op, y, cls)
    checkSameShape(op, x, y)
    checkSameDType(op, x, y)
    if (out !== undefined) return [aval(x.shape, out(x.dtype), x.weakType && y.weakType)]
    return [x.weakType === y.weakType ? x : aval(x.shape, x.dtype, false)]
  }

/** Comparison: two operands of one shape and dtype, bool output (never weak). */
const compareRule = <P extends Primitive>(op: P, cls: DTypeClass): AbstractEvalRule<P> => (avals) => {
  checkArity(op, avals, 2)
  const x = avals[0]!
  const y = avals[1]!
  checkClass(op, x, cls)
  checkClass(op, y, cls)
  checkSameShape(op, x, y)
  checkSameDType(op, x, y)
  return [aval(x.shape, "bool", false)]
}

const reduceRule = <P extends "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod">(
  op: P,
  cls: DTypeClass
): AbstractEvalRule<P> =>
(avals, { axes }) => {
  checkArity(op, avals, 1)
  const x = avals[0]!
  checkClass(op, x, cls)
  checkAxes(op, axes, x.shape.length)
  const shape = x.shape.filter((_, i) => !axes.includes(i))
  return [aval(shape, x.dtype, x.weakType)]
}

// The cumulative reductions: the operand's aval, along a valid axis.
const scanRule = <P extends "cumsum" | "cumprod" | "cummax" | "cummin" | "cumlogsumexp">(
  op: P,
  cls: DTypeClass
): AbstractEvalRule<P> =>
(avals, { axis }) => {
  checkArity(op, avals, 1)
  const x = avals[0]!
  checkClass(op, x, cls)
  checkAxis(axis, x.shape.length)
  return [x]
}

const argRule = <P extends "argmax" | "argmin">(op: P): AbstractEvalRule<P> => (avals, { axis }) => {
  checkArity(op, avals, 1)
  const x = avals[0]!
  checkClass(op, x, ordered)
  checkAxis(axis, x.shape.length)
  if (x.shape[axis] === 0) {
    throw new ShapeError({ operation: op, detail: `attempt to get ${op} of an empty sequence` })
  }
  return [aval(x.shape.filter((_, i) => i !== axis), "int32", false)]
}

const collectiveRule = <P extends "psum" | "pmax" | "pmin">(op: P, cls: DTypeClass): AbstractEvalRule<P> => (avals) => {
  for (const a of avals) checkClass(op, a, cls)
  return avals
}

const toComplex = (d: DType): DType => (d === "float64" ? "complex128" : "complex64")

// ---------------------------------------------------------------------------
// the table

// `scatter_add` and `scatter`: updates of shape `x.shape[:axis] + indices.shape + x.shape[axis+1:]`.
const scatterRule = (
  op: "scatter_add" | "scatter",
  avals: ReadonlyArray<AbstractValue>,
  axis: number,
  cls: DTypeClass
): ReadonlyArray<AbstractValue> => {
  checkArity(op, avals, 3)
  const [x, idx, u] = avals as readonly [AbstractValue, AbstractValue, AbstractValue]
  checkClass(op, x, cls)
  checkClass(op, u, cls)
  if (idx.dtype !== "int32") {
    throw new DTypeError({ operation: op, detail: `indices must be int32, got ${idx.dtype}` })
  }
  checkAxis(axis, x.shape.length)
  checkSameDType(op, x, u)
  const expected = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)]
  if (!shapeEquals(expected, u.shape)) {
    throw new ShapeError({
      operation: op,
      detail: `updates of shape ${formatShape(u.shape)} do not match ${formatShape(expected)} (operand ${
        formatShape(x.shape)
      }, indices ${formatShape(idx.shape)}, axis ${axis})`
    })
  }
  return [x]
}

/**
 * One abstract-evaluation rule per primitive (a missing entry is a compile error).
 *
 * @example
 * import { AbstractEval, aval } from "diffect/extend"
 * console.log(AbstractEval.abstractEvalRules.add([aval([2], "float32"), aval([2], "float32", true)], {}))
 * // [{ shape: [2], dtype: "float32", weakType: false }]
 *
 * @since 0.1.0
 */
/**
 * A higher-order primitive's operands against the inputs of the program it
 * runs: same count, shapes and dtypes (weak types may differ: a weakly typed
 * operand is a value of the program's dtype).
 */
const checkProgramOperands = (
  op: string,
  avals: ReadonlyArray<AbstractValue>,
  inAvals: ReadonlyArray<AbstractValue>
): void => {
  if (avals.length !== inAvals.length) {
    throw new ShapeError({ operation: op, detail: `expected ${inAvals.length} operands, got ${avals.length}` })
  }
  avals.forEach((a, i) => {
    const want = inAvals[i]!
    if (!shapeEquals(a.shape, want.shape) || a.dtype !== want.dtype) {
      throw new ShapeError({
        operation: op,
        detail: `operand ${i} has type ${a.dtype}${formatShape(a.shape)} but the program expects ${want.dtype}${
          formatShape(want.shape)
        }`
      })
    }
  })
}

export const abstractEvalRules: { readonly [P in Primitive]: AbstractEvalRule<P> } = {
  neg: unaryRule("neg", numeric),
  sin: unaryRule("sin", inexact),
  cos: unaryRule("cos", inexact),
  tan: unaryRule("tan", inexact),
  asin: unaryRule("asin", inexact),
  acos: unaryRule("acos", inexact),
  atan: unaryRule("atan", inexact),
  sinh: unaryRule("sinh", inexact),
  cosh: unaryRule("cosh", inexact),
  tanh: unaryRule("tanh", inexact),
  exp: unaryRule("exp", inexact),
  log: unaryRule("log", inexact),
  log1p: unaryRule("log1p", inexact),
  expm1: unaryRule("expm1", inexact),
  sqrt: unaryRule("sqrt", inexact),
  rsqrt: unaryRule("rsqrt", inexact),
  // |z| of a complex z is real (JAX: abs of complex64 is float32).
  abs: unaryRule("abs", numeric, realDType),
  sign: unaryRule("sign", numeric),
  floor: unaryRule("floor", floating),
  ceil: unaryRule("ceil", floating),
  round: unaryRule("round", floating),
  logistic: unaryRule("logistic", inexact),
  erf: unaryRule("erf", floating),
  erfc: unaryRule("erfc", floating),
  erf_inv: unaryRule("erf_inv", floating),
  lgamma: unaryRule("lgamma", floating),
  digamma: unaryRule("digamma", floating),
  integer_pow: (avals, { y }) => {
    checkArity("integer_pow", avals, 1)
    const x = avals[0]!
    checkClass("integer_pow", x, numeric)
    if (!Number.isInteger(y) || y > 2147483647 || y < -2147483648) {
      throw new DTypeError({
        operation: "integer_pow",
        detail: `exponent must be an integer in the int32 range, got ${y}`
      })
    }
    if (y < 0 && x.dtype === "int32") {
      throw new DTypeError({
        operation: "integer_pow",
        detail: `integers cannot be raised to the negative power ${y}`
      })
    }
    return [x]
  },
  not: unaryRule("not", logical),
  real: unaryRule("real", complexOnly, realDType),
  imag: unaryRule("imag", complexOnly, realDType),
  // Conjugation is the identity on real dtypes (np.conj's behaviour); it keeps the dtype.
  conj: unaryRule("conj", inexact),
  convert_element_type: (avals, { dtype, weakType }) => {
    checkArity("convert_element_type", avals, 1)
    const x = avals[0]!
    checkFloat0("convert_element_type", avals)
    if (dtype === "float0") throw new Float0OperationError({ operation: "convert_element_type" })
    // complex -> real keeps the real part, as JAX and NumPy do (np.real says it explicitly).
    return [aval(x.shape, dtype, weakType)]
  },
  // stop_gradient is the identity on any value, float0 tangents included.
  stop_gradient: (avals) => {
    checkArity("stop_gradient", avals, 1)
    return avals
  },

  add: binaryRule("add", numeric),
  sub: binaryRule("sub", numeric),
  mul: binaryRule("mul", numeric),
  div: binaryRule("div", numeric),
  pow: binaryRule("pow", inexact),
  max: binaryRule("max", extremal),
  min: binaryRule("min", extremal),
  atan2: binaryRule("atan2", floating),
  rem: binaryRule("rem", real),
  and: binaryRule("and", logical),
  or: binaryRule("or", logical),
  xor: binaryRule("xor", logical),
  shift_left: binaryRule("shift_left", integer),
  shift_right_logical: binaryRule("shift_right_logical", integer),
  shift_right_arithmetic: binaryRule("shift_right_arithmetic", integer),
  eq: compareRule("eq", anyValue),
  ne: compareRule("ne", anyValue),
  lt: compareRule("lt", ordered),
  le: compareRule("le", ordered),
  gt: compareRule("gt", ordered),
  ge: compareRule("ge", ordered),
  complex: binaryRule("complex", floating, toComplex),
  select: (avals) => {
    checkArity("select", avals, 3)
    const [p, x, y] = avals as readonly [AbstractValue, AbstractValue, AbstractValue]
    checkFloat0("select", avals)
    if (p.dtype !== "bool") {
      throw new DTypeError({ operation: "select", detail: `predicate must be bool, got ${p.dtype}` })
    }
    checkSameShape("select", p, x)
    checkSameShape("select", x, y)
    checkSameDType("select", x, y)
    return [aval(x.shape, x.dtype, x.weakType && y.weakType)]
  },

  reduce_sum: reduceRule("reduce_sum", numeric),
  reduce_max: reduceRule("reduce_max", extremal),
  reduce_min: reduceRule("reduce_min", extremal),
  reduce_prod: reduceRule("reduce_prod", numeric),
  argmax: argRule("argmax"),
  argmin: argRule("argmin"),
  cumsum: scanRule("cumsum", numeric),
  cumprod: scanRule("cumprod", numeric),
  cummax: scanRule("cummax", extremal),
  cummin: scanRule("cummin", extremal),
  cumlogsumexp: scanRule("cumlogsumexp", floating),
  sort: (avals, { dimension, numKeys }) => {
    if (avals.length === 0) throw new ShapeError({ operation: "sort", detail: "needs at least one operand" })
    const x = avals[0]!
    for (const a of avals) {
      checkFloat0("sort", [a])
      checkSameShape("sort", x, a)
    }
    checkAxis(dimension, x.shape.length)
    if (!Number.isInteger(numKeys) || numKeys < 1 || numKeys > avals.length) {
      throw new ShapeError({
        operation: "sort",
        detail: `numKeys must be between 1 and the number of operands (${avals.length}), got ${numKeys}`
      })
    }
    return avals.map((a) => aval(a.shape, a.dtype, a.weakType))
  },
  top_k: (avals, { k }) => {
    checkArity("top_k", avals, 1)
    const x = avals[0]!
    checkClass("top_k", x, ordered)
    const n = x.shape[x.shape.length - 1]
    if (n === undefined) {
      throw new ShapeError({ operation: "top_k", detail: "the operand must have at least one dimension" })
    }
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new ShapeError({
        operation: "top_k",
        detail: `k must be between 0 and the last dimension (${n}), got ${k}`
      })
    }
    const shape = [...x.shape.slice(0, -1), k]
    return [aval(shape, x.dtype, x.weakType), aval(shape, "int32", false)]
  },

  broadcast_in_dim: (avals, { broadcastDimensions: dims, shape }) => {
    checkArity("broadcast_in_dim", avals, 1)
    const x = avals[0]!
    checkShapeParam("broadcast_in_dim", shape)
    const bad = (why: string) =>
      new ShapeError({
        operation: "broadcast_in_dim",
        detail: `cannot broadcast operand of shape ${formatShape(x.shape)} to ${
          formatShape(shape)
        } with broadcastDimensions [${dims.join(", ")}]: ${why}`
      })
    if (dims.length !== x.shape.length) throw bad("one broadcast dimension is needed per operand dimension")
    for (let i = 0; i < dims.length; i++) {
      const d = dims[i]!
      if (!Number.isInteger(d) || d < 0 || d >= shape.length) throw bad(`dimension ${d} is out of range`)
      if (i > 0 && d <= dims[i - 1]!) throw bad("broadcast dimensions must be strictly increasing")
      const n = x.shape[i]!
      if (n !== 1 && n !== shape[d]) throw bad(`operand dimension ${i} has size ${n}, target has ${shape[d]}`)
    }
    return [aval(shape, x.dtype, x.weakType)]
  },
  reshape: (avals, { newSizes }) => {
    checkArity("reshape", avals, 1)
    const x = avals[0]!
    checkShapeParam("reshape", newSizes)
    if (sizeOf(newSizes) !== sizeOf(x.shape)) {
      throw new ShapeError({
        operation: "reshape",
        detail: `cannot reshape array of shape ${formatShape(x.shape)} (size ${sizeOf(x.shape)}) into shape ${
          formatShape(newSizes)
        } (size ${sizeOf(newSizes)})`
      })
    }
    return [aval(newSizes, x.dtype, x.weakType)]
  },
  transpose: (avals, { permutation }) => {
    checkArity("transpose", avals, 1)
    const x = avals[0]!
    const n = x.shape.length
    const seen = new Array<boolean>(n).fill(false)
    const valid = permutation.length === n && permutation.every((p) => {
      if (!Number.isInteger(p) || p < 0 || p >= n || seen[p]) return false
      seen[p] = true
      return true
    })
    if (!valid) {
      throw new ShapeError({
        operation: "transpose",
        detail: `permutation [${permutation.join(", ")}] is not a permutation of the axes of an array of shape ${
          formatShape(x.shape)
        }`
      })
    }
    return [aval(permutation.map((p) => x.shape[p]!), x.dtype, x.weakType)]
  },
  squeeze: (avals, { dimensions }) => {
    checkArity("squeeze", avals, 1)
    const x = avals[0]!
    checkAxes("squeeze", dimensions, x.shape.length)
    for (const d of dimensions) {
      if (x.shape[d] !== 1) {
        throw new ShapeError({
          operation: "squeeze",
          detail: `cannot select an axis to squeeze out which has size not equal to one: axis ${d} of shape ${
            formatShape(x.shape)
          }`
        })
      }
    }
    return [aval(x.shape.filter((_, i) => !dimensions.includes(i)), x.dtype, x.weakType)]
  },
  expand_dims: (avals, { dimensions }) => {
    checkArity("expand_dims", avals, 1)
    const x = avals[0]!
    const outNdim = x.shape.length + dimensions.length
    checkAxes("expand_dims", dimensions, outNdim)
    const shape = new Array<number>(outNdim)
    let j = 0
    for (let i = 0; i < outNdim; i++) shape[i] = dimensions.includes(i) ? 1 : x.shape[j++]!
    return [aval(shape, x.dtype, x.weakType)]
  },
  rev: (avals, { dimensions }) => {
    checkArity("rev", avals, 1)
    const x = avals[0]!
    checkAxes("rev", dimensions, x.shape.length)
    return [x]
  },
  slice: (avals, { limitIndices, startIndices, strides }) => {
    checkArity("slice", avals, 1)
    const x = avals[0]!
    const n = x.shape.length
    const bad = (why: string) =>
      new ShapeError({
        operation: "slice",
        detail: `operand of shape ${formatShape(x.shape)} with start [${startIndices.join(", ")}], limit [${
          limitIndices.join(", ")
        }]${strides === null ? "" : `, strides [${strides.join(", ")}]`}: ${why}`
      })
    if (startIndices.length !== n || limitIndices.length !== n || (strides !== null && strides.length !== n)) {
      throw bad("one start, limit (and stride) is needed per dimension")
    }
    const shape = new Array<number>(n)
    for (let i = 0; i < n; i++) {
      const s = startIndices[i]!
      const l = limitIndices[i]!
      const st = strides === null ? 1 : strides[i]!
      if (!Number.isInteger(s) || !Number.isInteger(l) || s < 0 || l < s || l > x.shape[i]!) {
        throw bad(`dimension ${i} needs 0 <= start <= limit <= ${x.shape[i]}`)
      }
      if (!Number.isInteger(st) || st < 1) throw bad(`stride ${st} must be a positive integer`)
      shape[i] = Math.ceil((l - s) / st)
    }
    return [aval(shape, x.dtype, x.weakType)]
  },
  pad: (avals, { config }) => {
    checkArity("pad", avals, 2)
    const [x, v] = avals as readonly [AbstractValue, AbstractValue]
    checkClass("pad", x, anyValue)
    checkClass("pad", v, anyValue)
    if (v.shape.length !== 0) {
      throw new ShapeError({
        operation: "pad",
        detail: `padding value must be a scalar, got shape ${formatShape(v.shape)}`
      })
    }
    checkSameDType("pad", x, v)
    if (config.length !== x.shape.length) {
      throw new ShapeError({
        operation: "pad",
        detail: `config has ${config.length} entries for an operand of shape ${formatShape(x.shape)}`
      })
    }
    const shape = config.map(([lo, hi, interior], i) => {
      const d = x.shape[i]!
      if (![lo, hi, interior].every(Number.isInteger) || interior < 0) {
        throw new ShapeError({
          operation: "pad",
          detail: `config [${lo}, ${hi}, ${interior}] of dimension ${i} must be integers with interior >= 0`
        })
      }
      const out = lo + hi + d + Math.max(0, d - 1) * interior
      if (out < 0) {
        throw new ShapeError({
          operation: "pad",
          detail: `config [${lo}, ${hi}, ${interior}] gives negative size ${out} for dimension ${i} of size ${d}`
        })
      }
      return out
    })
    return [aval(checkOutputSize("pad", shape), x.dtype, x.weakType)]
  },
  concatenate: (avals, { dimension }) => {
    if (avals.length === 0) {
      throw new ShapeError({ operation: "concatenate", detail: "needs at least one operand" })
    }
    const first = avals[0]!
    const n = first.shape.length
    checkAxis(dimension, n)
    let total = 0
    let weak = true
    for (const a of avals) {
      checkSameDType("concatenate", first, a)
      const ok = a.shape.length === n && a.shape.every((d, i) => i === dimension || d === first.shape[i])
      if (!ok) {
        throw new ShapeError({
          operation: "concatenate",
          detail: `operands must have equal shapes except in dimension ${dimension}, got ${
            avals.map((b) => formatShape(b.shape)).join(", ")
          }`
        })
      }
      total += a.shape[dimension]!
      weak &&= a.weakType
    }
    const shape = first.shape.slice()
    shape[dimension] = total
    return [aval(checkOutputSize("concatenate", shape), first.dtype, weak)]
  },
  split: (avals, { axis, sizes }) => {
    checkArity("split", avals, 1)
    const x = avals[0]!
    const n = x.shape.length
    if (!Number.isInteger(axis) || axis < 0 || axis >= n) {
      throw new ShapeError({
        operation: "split",
        detail: `Attempting to split along axis ${axis} of a ${n}-dimensional array`
      })
    }
    let total = 0
    for (const s of sizes) {
      if (!Number.isInteger(s) || s < 0) {
        throw new ShapeError({
          operation: "split",
          detail: `Sizes passed to split must be nonnegative integers, got [${sizes.join(", ")}]`
        })
      }
      total += s
    }
    if (total !== x.shape[axis]) {
      throw new ShapeError({
        operation: "split",
        detail:
          `Sum of sizes passed to split must be equal to the dimension of the operand along axis=${axis}; got sum=${total} and shape=${
            formatShape(x.shape)
          }`
      })
    }
    return sizes.map((s) => {
      const shape = x.shape.slice()
      shape[axis] = s
      return aval(shape, x.dtype, x.weakType)
    })
  },
  gather: (avals, { axis }) => {
    checkArity("gather", avals, 2)
    const [x, idx] = avals as readonly [AbstractValue, AbstractValue]
    checkClass("gather", x, anyValue)
    if (idx.dtype !== "int32") {
      throw new DTypeError({ operation: "gather", detail: `indices must be int32, got ${idx.dtype}` })
    }
    checkAxis(axis, x.shape.length)
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)]
    return [aval(checkOutputSize("gather", shape), x.dtype, x.weakType)]
  },
  scatter_add: (avals, { axis }) => scatterRule("scatter_add", avals, axis, numeric),
  scatter: (avals, { axis, combine }) =>
    scatterRule("scatter", avals, axis, combine === "set" ? anyValue : combine === "mul" ? numeric : extremal),
  dot_general: (avals, { batch, contracting }) => {
    checkArity("dot_general", avals, 2)
    const [x, y] = avals as readonly [AbstractValue, AbstractValue]
    checkClass("dot_general", x, numeric)
    checkClass("dot_general", y, numeric)
    checkSameDType("dot_general", x, y)
    const [lc, rc] = contracting
    const [lb, rb] = batch
    const bad = (why: string) =>
      new ShapeError({
        operation: "dot_general",
        detail: `operands ${formatShape(x.shape)} and ${formatShape(y.shape)} with contracting [[${lc.join(", ")}], [${
          rc.join(", ")
        }]], batch [[${lb.join(", ")}], [${rb.join(", ")}]]: ${why}`
      })
    if (lc.length !== rc.length) throw bad("lhs and rhs need the same number of contracting dimensions")
    if (lb.length !== rb.length) throw bad("lhs and rhs need the same number of batch dimensions")
    checkAxes("dot_general", [...lc, ...lb], x.shape.length)
    checkAxes("dot_general", [...rc, ...rb], y.shape.length)
    for (let i = 0; i < lc.length; i++) {
      if (x.shape[lc[i]!] !== y.shape[rc[i]!]) {
        throw bad(`contracting dimension sizes differ: ${x.shape[lc[i]!]} and ${y.shape[rc[i]!]}`)
      }
    }
    for (let i = 0; i < lb.length; i++) {
      if (x.shape[lb[i]!] !== y.shape[rb[i]!]) {
        throw bad(`batch dimension sizes differ: ${x.shape[lb[i]!]} and ${y.shape[rb[i]!]}`)
      }
    }
    const shape: Array<number> = lb.map((d) => x.shape[d]!)
    for (let i = 0; i < x.shape.length; i++) if (!lc.includes(i) && !lb.includes(i)) shape.push(x.shape[i]!)
    for (let i = 0; i < y.shape.length; i++) if (!rc.includes(i) && !rb.includes(i)) shape.push(y.shape[i]!)
    return [aval(checkOutputSize("dot_general", shape), x.dtype, x.weakType && y.weakType)]
  },
  conv_general_dilated: convEvalRule,
  bitcast_convert_type: (avals, { newDtype }) => {
    checkArity("bitcast_convert_type", avals, 1)
    const x = avals[0]!
    const words = (d: DType) => d === "float32" || d === "int32" || d === "uint32"
    if (!words(x.dtype) || !words(newDtype)) {
      throw new DTypeError({
        operation: "bitcast_convert_type",
        detail: `bitcasts go between the 32-bit dtypes float32, int32 and uint32, got ${x.dtype} to ${newDtype} ` +
          "(a 64-bit bitcast needs 64-bit integers, which diffect does not have)"
      })
    }
    return [aval(x.shape, newDtype, false)]
  },
  reduce_window_sum: reduceWindowEval("reduce_window_sum"),
  reduce_window_max: reduceWindowEval("reduce_window_max"),
  reduce_window_min: reduceWindowEval("reduce_window_min"),
  select_and_gather_add: selectEval("select_and_gather_add"),
  select_and_scatter_add: selectEval("select_and_scatter_add"),
  fft: fftEvalRule,
  iota: (avals, { dimension, dtype, shape }) => {
    checkArity("iota", avals, 0)
    if (!real(dtype)) {
      throw new DTypeError({ operation: "iota", detail: `dtype ${dtype} is not accepted; use int32 or a float` })
    }
    checkShapeParam("iota", shape)
    checkAxis(dimension, shape.length)
    return [aval(shape, dtype, false)]
  },
  ...linalgEvalRules,
  psum: collectiveRule("psum", numeric),
  pmax: collectiveRule("pmax", ordered),
  pmin: collectiveRule("pmin", ordered),
  axis_index: (avals) => {
    checkArity("axis_index", avals, 0)
    return [aval([], "int32", false)]
  },
  all_gather: (avals, { axis, axisSize, tiled }) => {
    checkArity("all_gather", avals, 1)
    const x = avals[0]!
    const rank = x.shape.length
    checkAxis(axis, tiled ? rank : rank + 1)
    const shape = tiled
      ? x.shape.map((d, i) => (i === axis ? d * axisSize : d))
      : [...x.shape.slice(0, axis), axisSize, ...x.shape.slice(axis)]
    return [aval(shape, x.dtype, x.weakType)]
  },
  psum_scatter: (avals, { axisSize, scatterDimension, tiled }) => {
    checkArity("psum_scatter", avals, 1)
    const x = avals[0]!
    checkClass("psum_scatter", x, numeric)
    checkAxis(scatterDimension, x.shape.length)
    const n = x.shape[scatterDimension]!
    if (tiled ? n % axisSize !== 0 : n !== axisSize) {
      throw new ShapeError({
        operation: "psum_scatter",
        detail: tiled
          ? `the scatter dimension (${scatterDimension}, of size ${n}) must be a multiple of the axis size ${axisSize}`
          : `the scatter dimension (${scatterDimension}, of size ${n}) must equal the axis size ${axisSize}`
      })
    }
    const shape = tiled
      ? x.shape.map((d, i) => (i === scatterDimension ? d / axisSize : d))
      : x.shape.filter((_, i) => i !== scatterDimension)
    return [aval(shape, x.dtype, x.weakType)]
  },
  ppermute: (avals) => {
    checkArity("ppermute", avals, 1)
    return [avals[0]!]
  },
  all_to_all: (avals, { axisSize, concatAxis, splitAxis }) => {
    checkArity("all_to_all", avals, 1)
    const x = avals[0]!
    checkAxis(splitAxis, x.shape.length)
    checkAxis(concatAxis, x.shape.length)
    const n = x.shape[splitAxis]!
    if (n % axisSize !== 0) {
      throw new ShapeError({
        operation: "all_to_all",
        detail: `the split axis (${splitAxis}, of size ${n}) must be a multiple of the axis size ${axisSize}`
      })
    }
    const split = x.shape.map((d, i) => (i === splitAxis ? d / axisSize : d))
    // JAX's abstract evaluation: the result is not weakly typed
    return [aval(split.map((d, i) => (i === concatAxis ? d * axisSize : d)), x.dtype, false)]
  },
  debug_callback: () => [],
  pure_callback: (_avals, { resultAvals }) => resultAvals,
  io_callback: (_avals, { resultAvals }) => resultAvals,
  jit_call: (avals, { program }) => {
    checkProgramOperands("jit_call", avals, program.inAvals)
    return program.outAvals
  },
  cond: (avals, { branches }) => {
    const index = avals[0]
    if (index === undefined || index.dtype !== "int32" || index.shape.length !== 0) {
      throw new DTypeError({
        operation: "cond",
        detail: `the index must be an int32 scalar, got ${
          index === undefined ? "none" : `${index.dtype}${formatShape(index.shape)}`
        }`
      })
    }
    if (branches.length === 0) throw new ShapeError({ operation: "cond", detail: "cond requires at least one branch" })
    const outs = branches[0]!.outAvals
    branches.forEach((b, k) => {
      checkProgramOperands("cond", avals.slice(1), b.inAvals)
      if (
        b.outAvals.length !== outs.length ||
        !b.outAvals.every((a, i) => a.dtype === outs[i]!.dtype && shapeEquals(a.shape, outs[i]!.shape))
      ) {
        throw new ShapeError({ operation: "cond", detail: `branch ${k} gives other output types than branch 0` })
      }
    })
    return outs
  },
  while: (avals, { body, bodyConsts, cond, condConsts }) => {
    const carry = avals.slice(condConsts + bodyConsts)
    checkProgramOperands("while", [...avals.slice(0, condConsts), ...carry], cond.inAvals)
    checkProgramOperands("while", avals.slice(condConsts), body.inAvals)
    const pred = cond.outAvals
    if (pred.length !== 1 || pred[0]!.dtype !== "bool" || pred[0]!.shape.length !== 0) {
      throw new DTypeError({ operation: "while", detail: "the cond program must give one bool scalar" })
    }
    if (!body.outAvals.every((a, i) => a.dtype === carry[i]?.dtype && shapeEquals(a.shape, carry[i]!.shape))) {
      throw new ShapeError({ operation: "while", detail: "the body program must give the carry's types" })
    }
    return carry.map((a) => ({ shape: a.shape, dtype: a.dtype, weakType: a.weakType }))
  },
  remat: (avals, { program }) => {
    checkProgramOperands("remat", avals, program.inAvals)
    return program.outAvals
  },
  linear_solve: (avals, { constCounts, solve }) => {
    const before = constCounts[0] + constCounts[1]
    checkProgramOperands("linear_solve", [
      ...avals.slice(before, before + constCounts[2]),
      ...avals.slice(before + constCounts[2] + constCounts[3])
    ], solve.inAvals)
    return solve.outAvals
  },
  checkpoint_name: (avals) => {
    checkArity("checkpoint_name", avals, 1)
    return [avals[0]!]
  },
  scan: (avals, { length, numCarry, numConsts, program }) => {
    // the xs operands are stacked slices: check them against the body's slice avals
    const fixed = numConsts + numCarry
    const xs = avals.slice(fixed)
    xs.forEach((a, i) => {
      if (a.shape[0] !== length) {
        throw new ShapeError({
          operation: "scan",
          detail: `xs operand ${i} has leading dimension ${
            a.shape[0] ?? "(none: rank 0)"
          }, expected the length ${length}`
        })
      }
    })
    checkProgramOperands("scan", [
      ...avals.slice(0, fixed),
      ...xs.map((a) => aval(a.shape.slice(1), a.dtype, a.weakType))
    ], program.inAvals)
    const outs = program.outAvals
    return [
      ...outs.slice(0, numCarry),
      ...outs.slice(numCarry).map((a) => aval([length, ...a.shape], a.dtype, a.weakType))
    ]
  }
}
