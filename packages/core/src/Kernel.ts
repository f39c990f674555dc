/**
 * The scalar kernel IR: a tiny typed expression language in which every
 * elementwise primitive is defined once (core/src/Lowering.ts) and
 * which each backend compiles into a loop (generated JS) or a shader (WGSL).
 * Modelled on jax-js's `AluExp` and tinygrad's low-level ops.
 *
 * An expression computes one scalar lane of one output element from lanes of
 * the same element of the inputs (`input(i, type, lane)`; complex values have
 * lane 0 = real part, lane 1 = imaginary part). Nodes are immutable plain
 * objects; a node used twice is the same object, so a compiler can bind it to a
 * local once (common subexpressions are shared by identity).
 *
 * Semantics every backend must honour (by scalar type):
 *
 * - `f32`/`f64`: IEEE 754. `f32` values may be computed in higher precision
 *   but are rounded to f32 when stored or `cast`. `max`/`min` propagate NaN
 *   (either operand NaN gives NaN, like `lax.max`); `rem` is C's `fmod` (sign
 *   of the dividend); `pow` is C's `pow` (`pow(1, NaN) = 1`, `pow(x, 0) = 1`);
 *   `round` rounds half to even; `sign` gives -1, 0 (keeping -0) or 1, and NaN
 *   for NaN; `atan2(y, x)` as in C.
 * - `i32`: two's complement, wrapping `add`/`sub`/`mul`/`neg`/`abs`. `div`
 *   truncates toward zero, `rem` has the dividend's sign (XLA's rules: `x / 0 =
 *   -1`, `x % 0 = x`, `MIN / -1 = MIN`, `MIN % -1 = 0`). `pow(x, y)` is integer
 *   power (y < 0 gives 0 except for x = 1 and x = -1). `not`/`and`/`or` are
 *   bitwise. `sign` gives -1/0/1.
 * - `u32`: unsigned, wrapping `add`/`sub`/`mul`/`neg` (modulo 2^32); `div`
 *   truncates, `x / 0` is 2^32 - 1 and `x % 0 = x` (XLA's rules for unsigned);
 *   comparisons are unsigned; `abs` is the identity and `sign` gives 0/1.
 * - Bitwise (`i32`, `u32`): `xor`, and shifts whose count is read as unsigned:
 *   `shl` and `shrl` (logical) give 0 for counts >= 32, `shra` (arithmetic)
 *   fills with the sign bit (XLA's rules).
 * - `bool`: values 0 and 1. `not`/`and`/`or` are logical; `eq`/`ne` compare.
 * - Comparisons (`eq`, `ne`, `lt`, `le`, `gt`, `ge`) take two operands of one
 *   type and give `bool`; every comparison with NaN is false except `ne`.
 * - `select(cond, a, b)`: `a` where `cond` is 1, else `b` (a backend may
 *   evaluate both).
 * - `cast`: float -> i32 truncates toward zero, saturates at the i32 range and
 *   maps NaN to 0; float -> u32 likewise at [0, 2^32 - 1]; i32 <-> u32 keep the
 *   bits (modulo 2^32); any -> bool is `x != 0` (NaN gives 1); bool -> number is 0/1;
 *   f64 -> f32 and i32 -> f32 round to nearest even.
 * - `const`: any f64 value, including `Infinity` and `NaN` (a backend that
 *   cannot write those as literals must encode them, e.g. WGSL bitcasts).
 * - `exponent(x)` (floats): the exponent `e` of `x` as a float, `2^e <= |x| <
 *   2^(e+1)` (subnormals included); 0 for zeros, infinities and NaN.
 *   `ldexp(x, n)` (floats, `n` an integral value of the same type): `x * 2^n`
 *   rounded once, for any `n` (overflow gives infinity, underflow zero). With
 *   `floor` and `round`, these are the bit-level steps the float32
 *   approximations of `Approximation.ts` need (range reduction, scaling).
 * - `barrier(x)` is `x`. A compiler that rewrites arithmetic (a GPU driver that
 *   contracts `a * b + c` into one fused operation or simplifies `(a + b) - a`
 *   to `b`) must treat its value as unknown: the error-free sums of
 *   `Approximation.ts` (Knuth's TwoSum) need their roundings as written.
 * - Transcendental ops (`exp`, `log`, `sin`, `pow`, ...; `Approximation.ts`
 *   lists them) are as accurate as the backend's math library, or decomposed
 *   into this IR when the backend declares so; docs/numerics.md has the bounds.
 *
 * @since 0.1.0
 */
import type { DType } from "./DType.js"

/**
 * The scalar types of the IR. Complex dtypes are pairs of their real scalar
 * type; `float0` has no lanes and no scalar type.
 *
 * @since 0.1.0
 */
export type ScalarType = "f32" | "f64" | "i32" | "u32" | "bool"

/**
 * Unary operations. All keep their operand's type except `isnan` (gives
 * `bool`). `isnan` is false on `i32` and `bool`.
 *
 * @since 0.1.0
 */
export type UnaryOp =
  | "neg"
  | "not"
  | "abs"
  | "sign"
  | "floor"
  | "ceil"
  | "round"
  | "sqrt"
  | "exp"
  | "log"
  | "log1p"
  | "expm1"
  | "sin"
  | "cos"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "sinh"
  | "cosh"
  | "tanh"
  | "exponent"
  | "isnan"
  | "barrier"

/**
 * Binary operations on two operands of one type. Arithmetic keeps the type;
 * comparisons give `bool`.
 *
 * @since 0.1.0
 */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "rem"
  | "pow"
  | "max"
  | "min"
  | "atan2"
  | "ldexp"
  | "and"
  | "or"
  | "xor"
  | "shl"
  | "shrl"
  | "shra"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"

/** Lane `lane` of input `index` at the current element. @since 0.1.0 */
export interface Input {
  readonly kind: "input"
  readonly type: ScalarType
  readonly index: number
  readonly lane: 0 | 1
}

/** A constant (`bool`: 0 or 1). @since 0.1.0 */
export interface Const {
  readonly kind: "const"
  readonly type: ScalarType
  readonly value: number
}

/** @since 0.1.0 */
export interface Unary {
  readonly kind: "unary"
  readonly type: ScalarType
  readonly op: UnaryOp
  readonly x: Expr
}

/** @since 0.1.0 */
export interface Binary {
  readonly kind: "binary"
  readonly type: ScalarType
  readonly op: BinaryOp
  readonly x: Expr
  readonly y: Expr
}

/** `cond ? onTrue : onFalse`; `cond` is `bool`. @since 0.1.0 */
export interface Select {
  readonly kind: "select"
  readonly type: ScalarType
  readonly cond: Expr
  readonly onTrue: Expr
  readonly onFalse: Expr
}

/** Conversion of `x` to `type` (see the module docs for the rules). @since 0.1.0 */
export interface Cast {
  readonly kind: "cast"
  readonly type: ScalarType
  readonly x: Expr
}

/**
 * A scalar expression.
 *
 * @example
 * import { Kernel } from "diffect/extend"
 * const x = Kernel.input(0, "f32")
 * // logistic for x >= 0: 1 / (1 + exp(-x))
 * const e = Kernel.div(Kernel.constant(1, "f32"), Kernel.add(Kernel.constant(1, "f32"), Kernel.exp(Kernel.neg(x))))
 * console.log(Kernel.format(e)) // div(1:f32, add(1:f32, exp(neg(in0:f32))))
 *
 * @since 0.1.0
 */
export type Expr = Input | Const | Unary | Binary | Select | Cast

const comparisons: ReadonlySet<BinaryOp> = new Set(["eq", "ne", "lt", "le", "gt", "ge"])

/**
 * The operands of an expression node, in order (none for an input or a
 * constant): for walks over the IR that keep their own stack.
 *
 * @example
 * import { Kernel } from "diffect/extend"
 * const x = Kernel.input(0, "f32")
 * console.log(Kernel.children(Kernel.add(x, Kernel.constant(1, "f32"))).length) // 2
 *
 * @since 0.1.0
 */
export const children = (e: Expr): ReadonlyArray<Expr> => {
  switch (e.kind) {
    case "input":
    case "const":
      return []
    case "unary":
    case "cast":
      return [e.x]
    case "binary":
      return [e.x, e.y]
    case "select":
      return [e.cond, e.onTrue, e.onFalse]
  }
}

/** Whether `op` is a comparison (its result is `bool`). @since 0.1.0 */
export const isComparison = (op: BinaryOp): boolean => comparisons.has(op)

/**
 * The scalar type of one lane of a dtype (`complex64` -> `f32`), or `undefined`
 * for `float0`.
 *
 * @since 0.1.0
 */
export const scalarType = (dtype: DType): ScalarType | undefined => {
  switch (dtype) {
    case "float32":
    case "complex64":
      return "f32"
    case "float64":
    case "complex128":
      return "f64"
    case "int32":
      return "i32"
    case "uint32":
      return "u32"
    case "bool":
      return "bool"
    case "float0":
      return undefined
  }
}

/** Whether a scalar type is a float type. @since 0.1.0 */
export const isFloatType = (t: ScalarType): boolean => t === "f32" || t === "f64"

/** Whether a scalar type is an integer type (`i32`, `u32`). @since 0.1.0 */
export const isIntType = (t: ScalarType): boolean => t === "i32" || t === "u32"

// ---------------------------------------------------------------------------
// Builders. Type errors here are bugs in a lowering, not user errors.

const typeMismatch = (what: string, a: ScalarType, b: ScalarType): never => {
  throw new Error(`internal: kernel IR ${what} of mismatched types ${a} and ${b}`)
}

/** Lane `lane` of input `index`, of scalar type `type`. @since 0.1.0 */
export const input = (index: number, type: ScalarType, lane: 0 | 1 = 0): Expr => ({ kind: "input", type, index, lane })

/** A constant of type `type`. @since 0.1.0 */
export const constant = (value: number, type: ScalarType): Expr => ({ kind: "const", type, value })

/** @since 0.1.0 */
export const unary = (op: UnaryOp, x: Expr): Expr => ({
  kind: "unary",
  type: op === "isnan" ? "bool" : x.type,
  op,
  x
})

/** @since 0.1.0 */
export const binary = (op: BinaryOp, x: Expr, y: Expr): Expr => {
  if (x.type !== y.type) typeMismatch(op, x.type, y.type)
  return { kind: "binary", type: comparisons.has(op) ? "bool" : x.type, op, x, y }
}

/** `cond ? onTrue : onFalse`. @since 0.1.0 */
export const select = (cond: Expr, onTrue: Expr, onFalse: Expr): Expr => {
  if (cond.type !== "bool") typeMismatch("select condition", cond.type, "bool")
  if (onTrue.type !== onFalse.type) typeMismatch("select", onTrue.type, onFalse.type)
  return { kind: "select", type: onTrue.type, cond, onTrue, onFalse }
}

/** Converts `x` to `type` (no node when the types agree). @since 0.1.0 */
export const cast = (x: Expr, type: ScalarType): Expr => x.type === type ? x : { kind: "cast", type, x }

const u = (op: UnaryOp) => (x: Expr): Expr => unary(op, x)
const b = (op: BinaryOp) => (x: Expr, y: Expr): Expr => binary(op, x, y)

/** @since 0.1.0 */
export const neg = u("neg")
/** Logical not on `bool`, bitwise on `i32`. @since 0.1.0 */
export const not = u("not")
/** @since 0.1.0 */
export const abs = u("abs")
/** @since 0.1.0 */
export const sign = u("sign")
/** @since 0.1.0 */
export const floor = u("floor")
/** @since 0.1.0 */
export const ceil = u("ceil")
/** Round half to even. @since 0.1.0 */
export const round = u("round")
/** @since 0.1.0 */
export const sqrt = u("sqrt")
/** @since 0.1.0 */
export const exp = u("exp")
/** @since 0.1.0 */
export const log = u("log")
/** @since 0.1.0 */
export const log1p = u("log1p")
/** @since 0.1.0 */
export const expm1 = u("expm1")
/** @since 0.1.0 */
export const sin = u("sin")
/** @since 0.1.0 */
export const cos = u("cos")
/** @since 0.1.0 */
export const tan = u("tan")
/** @since 0.1.0 */
export const asin = u("asin")
/** @since 0.1.0 */
export const acos = u("acos")
/** @since 0.1.0 */
export const atan = u("atan")
/** @since 0.1.0 */
export const sinh = u("sinh")
/** @since 0.1.0 */
export const cosh = u("cosh")
/** @since 0.1.0 */
export const tanh = u("tanh")
/** The binary exponent of a float as a float (0 for 0, infinities and NaN). @since 0.1.0 */
export const exponent = u("exponent")
/** @since 0.1.0 */
export const isnan = u("isnan")
/**
 * `x`, as a value an optimizing compiler must not see through (see the module
 * docs): it keeps a GPU driver from simplifying an error-free sum away.
 *
 * @example
 * import { Kernel } from "diffect/extend"
 * const [a, b] = [Kernel.input(0, "f32"), Kernel.input(1, "f32")]
 * // TwoSum's rounded sum, kept as computed
 * const s = Kernel.barrier(Kernel.add(a, b))
 * console.log(Kernel.format(s)) // barrier(add(in0:f32, in1:f32))
 *
 * @since 0.1.0
 */
export const barrier = u("barrier")

/** @since 0.1.0 */
export const add = b("add")
/** @since 0.1.0 */
export const sub = b("sub")
/** @since 0.1.0 */
export const mul = b("mul")
/** @since 0.1.0 */
export const div = b("div")
/** Remainder with the dividend's sign. @since 0.1.0 */
export const rem = b("rem")
/** @since 0.1.0 */
export const pow = b("pow")
/** NaN-propagating maximum. @since 0.1.0 */
export const max = b("max")
/** NaN-propagating minimum. @since 0.1.0 */
export const min = b("min")
/** @since 0.1.0 */
export const atan2 = b("atan2")
/** `x * 2^n` rounded once (`n` integral, of `x`'s type). @since 0.1.0 */
export const ldexp = b("ldexp")
/** Logical and on `bool`, bitwise on `i32`. @since 0.1.0 */
export const and = b("and")
/** Logical or on `bool`, bitwise on `i32`. @since 0.1.0 */
export const or = b("or")
/** Bitwise (logical on `bool`) exclusive or. @since 0.1.0 */
export const xor = b("xor")
/** Shift left; counts >= 32 give 0. @since 0.1.0 */
export const shl = b("shl")
/** Logical shift right; counts >= 32 give 0. @since 0.1.0 */
export const shrl = b("shrl")
/** Arithmetic shift right (sign fill); counts >= 32 give all sign bits. @since 0.1.0 */
export const shra = b("shra")
/** @since 0.1.0 */
export const eq = b("eq")
/** @since 0.1.0 */
export const ne = b("ne")
/** @since 0.1.0 */
export const lt = b("lt")
/** @since 0.1.0 */
export const le = b("le")
/** @since 0.1.0 */
export const gt = b("gt")
/** @since 0.1.0 */
export const ge = b("ge")

/**
 * Prints an expression as nested calls, for debugging and tests:
 * `add(in0:f32, 1:f32)`.
 *
 * @since 0.1.0
 */
export const format = (e: Expr): string => {
  switch (e.kind) {
    case "input":
      return `in${e.index}${e.lane === 1 ? ".im" : ""}:${e.type}`
    case "const":
      return `${e.value}:${e.type}`
    case "unary":
      return `${e.op}(${format(e.x)})`
    case "binary":
      return `${e.op}(${format(e.x)}, ${format(e.y)})`
    case "select":
      return `select(${format(e.cond)}, ${format(e.onTrue)}, ${format(e.onFalse)})`
    case "cast":
      return `${e.type}(${format(e.x)})`
  }
}
