/**
 * The primitive set: every operation diffect can run, transform and stage is one
 * of these. Each transformation has one rule table typed over `Primitive`, so
 * adding a primitive here makes the compiler list every table that lacks it.
 *
 * @since 0.1.0
 */
import type { DType } from "./DType.js"
import type { Shape } from "./Shape.js"

type NoParams = { readonly [K in never]: never }

/**
 * The parameters of each primitive, by name. Operands are tensors passed
 * positionally to `bind`; parameters are static (shapes, axes, dtypes).
 *
 * @since 0.1.0
 */
export interface PrimitiveParams {
  // elementwise unary
  readonly neg: NoParams
  readonly sin: NoParams
  readonly cos: NoParams
  readonly tan: NoParams
  readonly asin: NoParams
  readonly acos: NoParams
  readonly atan: NoParams
  readonly sinh: NoParams
  readonly cosh: NoParams
  readonly tanh: NoParams
  readonly exp: NoParams
  readonly log: NoParams
  readonly log1p: NoParams
  readonly expm1: NoParams
  readonly sqrt: NoParams
  readonly rsqrt: NoParams
  readonly abs: NoParams
  readonly sign: NoParams
  readonly floor: NoParams
  readonly ceil: NoParams
  readonly round: NoParams
  readonly logistic: NoParams
  readonly erf: NoParams
  /** `x ** y` for a static integer `y` (JAX's `integer_pow`). */
  readonly integer_pow: { readonly y: number }
  /** Logical not on bool (bitwise not on integers). */
  readonly not: NoParams
  // elementwise binary (operands already share a dtype and broadcast shape)
  readonly add: NoParams
  readonly sub: NoParams
  readonly mul: NoParams
  readonly div: NoParams
  readonly pow: NoParams
  readonly max: NoParams
  readonly min: NoParams
  readonly atan2: NoParams
  /** Remainder with the sign of the dividend (C's `fmod`, JAX's `lax.rem`). */
  readonly rem: NoParams
  readonly and: NoParams
  readonly or: NoParams
  /** Exclusive or: bitwise on integers, logical on bool (JAX's `xor`). */
  readonly xor: NoParams
  /** `x << y` on integers; counts >= the bit width give 0 (XLA's rule). */
  readonly shift_left: NoParams
  /** `x >> y` filling with zeros; counts >= the bit width give 0. */
  readonly shift_right_logical: NoParams
  /** `x >> y` filling with the sign bit; counts >= the bit width give all sign bits. */
  readonly shift_right_arithmetic: NoParams
  // comparisons (bool output)
  readonly eq: NoParams
  readonly ne: NoParams
  readonly lt: NoParams
  readonly le: NoParams
  readonly gt: NoParams
  readonly ge: NoParams
  /** `select(pred, onTrue, onFalse)`: elementwise choice; all three share a shape. */
  readonly select: NoParams
  // complex numbers
  /** `complex(re, im)` from two real operands of one dtype. */
  readonly complex: NoParams
  readonly real: NoParams
  readonly imag: NoParams
  readonly conj: NoParams
  readonly convert_element_type: { readonly dtype: DType; readonly weakType: boolean }
  /** Identity whose derivative is zero. */
  readonly stop_gradient: NoParams
  // reductions
  readonly reduce_sum: { readonly axes: ReadonlyArray<number> }
  readonly reduce_max: { readonly axes: ReadonlyArray<number> }
  readonly reduce_min: { readonly axes: ReadonlyArray<number> }
  readonly reduce_prod: { readonly axes: ReadonlyArray<number> }
  readonly argmax: { readonly axis: number }
  readonly argmin: { readonly axis: number }
  readonly cumsum: { readonly axis: number; readonly reverse: boolean }
  // shapes
  /** JAX's `broadcast_in_dim`: operand dim i becomes output dim `broadcastDimensions[i]`. */
  readonly broadcast_in_dim: { readonly shape: Shape; readonly broadcastDimensions: ReadonlyArray<number> }
  readonly reshape: { readonly newSizes: Shape }
  readonly transpose: { readonly permutation: ReadonlyArray<number> }
  readonly squeeze: { readonly dimensions: ReadonlyArray<number> }
  readonly expand_dims: { readonly dimensions: ReadonlyArray<number> }
  /** Reverse the order of elements along `dimensions`. */
  readonly rev: { readonly dimensions: ReadonlyArray<number> }
  readonly slice: {
    readonly startIndices: ReadonlyArray<number>
    readonly limitIndices: ReadonlyArray<number>
    readonly strides: ReadonlyArray<number> | null
  }
  /** `pad(x, paddingValue)`: `[low, high, interior]` per dimension; negative low/high crop. */
  readonly pad: { readonly config: ReadonlyArray<readonly [number, number, number]> }
  readonly concatenate: { readonly dimension: number }
  /**
   * `split(x)`: consecutive pieces of `sizes[i]` elements along `axis`, one output
   * per size (JAX's `split`, a primitive with several results; the transpose of
   * `concatenate`).
   */
  readonly split: { readonly sizes: ReadonlyArray<number>; readonly axis: number }
  /**
   * `gather(x, indices)`: NumPy's `take` along `axis`; output shape is
   * `x.shape[:axis] + indices.shape + x.shape[axis+1:]`. Out-of-range indices are
   * clamped (JAX's default for gathers); negative indices are normalized first by the ops API.
   */
  readonly gather: { readonly axis: number }
  /** `scatter_add(operand, indices, updates)`: the transpose of `gather`; adds updates at indices along `axis`. */
  readonly scatter_add: { readonly axis: number }
  /**
   * `dot_general(lhs, rhs)`: contraction with batch dimensions; output dims are
   * batch, then lhs free, then rhs free (JAX's order).
   */
  readonly dot_general: {
    readonly contracting: readonly [ReadonlyArray<number>, ReadonlyArray<number>]
    readonly batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>]
    /** JAX's `precision` (absent: `"default"`); see {@link Precision}. */
    readonly precision?: Precision
  }
  readonly iota: { readonly dtype: DType; readonly shape: Shape; readonly dimension: number }
  // collectives over named axes (bound by vmap's axisName)
  readonly psum: { readonly axisName: string }
  readonly pmax: { readonly axisName: string }
  readonly pmin: { readonly axisName: string }
  readonly axis_index: { readonly axisName: string }
}

/**
 * How `dot_general` accumulates float32 products (JAX's `lax.Precision`):
 * `"default"` and `"high"` accumulate in float32 (as XLA, XNNPACK and numpy's
 * sgemm on CPUs: sums of K terms carry about sqrt(K) float32 roundings);
 * `"highest"` accumulates in float64 and rounds the exact-to-float64 sum once.
 * Other dtypes always accumulate in their own precision.
 *
 * @since 0.1.0
 */
export type Precision = "default" | "high" | "highest"

/** The name of a primitive. @since 0.1.0 */
export type Primitive = keyof PrimitiveParams

/** The parameters of primitive `P`. @since 0.1.0 */
export type Params<P extends Primitive> = PrimitiveParams[P]

/** A rule table: one entry per primitive, checked by the compiler. @since 0.1.0 */
export type RuleTable<Rule extends { [P in Primitive]: unknown }> = { readonly [P in Primitive]: Rule[P] }

const unaryNames = [
  "neg",
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "tanh",
  "exp",
  "log",
  "log1p",
  "expm1",
  "sqrt",
  "rsqrt",
  "abs",
  "sign",
  "floor",
  "ceil",
  "round",
  "logistic",
  "erf",
  "integer_pow",
  "not",
  "real",
  "imag",
  "conj",
  "convert_element_type",
  "stop_gradient"
] as const satisfies ReadonlyArray<Primitive>

const binaryNames = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "max",
  "min",
  "atan2",
  "rem",
  "and",
  "or",
  "xor",
  "shift_left",
  "shift_right_logical",
  "shift_right_arithmetic",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "complex"
] as const satisfies ReadonlyArray<Primitive>

/** Elementwise primitives of one operand. @since 0.1.0 */
export type UnaryPrimitive = (typeof unaryNames)[number]
/** Elementwise primitives of two operands of one shape. @since 0.1.0 */
export type BinaryPrimitive = (typeof binaryNames)[number]
/** Elementwise primitives: a backend compiles them from the scalar kernel IR. @since 0.1.0 */
export type ElementwisePrimitive = UnaryPrimitive | BinaryPrimitive | "select"

/** @since 0.1.0 */
export const unaryPrimitives: ReadonlySet<Primitive> = new Set(unaryNames)
/** @since 0.1.0 */
export const binaryPrimitives: ReadonlySet<Primitive> = new Set(binaryNames)
/** @since 0.1.0 */
export const isElementwise = (p: Primitive): p is ElementwisePrimitive =>
  unaryPrimitives.has(p) || binaryPrimitives.has(p) || p === "select"
