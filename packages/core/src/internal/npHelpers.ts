/**
 * The machinery under `np`: turning JS values into tensors, JAX's dtype
 * promotion (weak types included) and NumPy broadcasting, all through `lax`
 * so that every op works on tracers as well as on concrete tensors.
 *
 * @since 0.1.0
 */
import { isComplex, isInexact, isInteger, promote } from "../DType.js"
import type { DType } from "../DType.js"
import { Float0OperationError, ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import type { Precision } from "../Primitive.js"
import { broadcastShapes, shapeEquals } from "../Shape.js"
import type { Shape } from "../Shape.js"
import { ConcreteTensor, Tensor } from "../Tensor.js"
import { checkAxis, checkTensor, dtype as dtypeCheck } from "../Validate.js"
import type { OptionSpec } from "../Validate.js"
import { containsTensor, fromLiteral, fromScalar, isComplexValue } from "./arrayLiteral.js"
import type { TensorLike } from "./arrayLiteral.js"

/**
 * Converts a `TensorLike` to a tensor: tensors pass through, JS scalars become
 * weak scalars (booleans: strong bool), arrays become strong host arrays.
 *
 * @since 0.1.0
 */
export const toTensor = (x: TensorLike): Tensor => {
  if (x instanceof Tensor) return checkTensor("array", "a tensor argument", x)
  if (typeof x === "number" || typeof x === "boolean" || isComplexValue(x)) return fromScalar(x)
  if (Array.isArray(x) && containsTensor(x)) return stackNested(x)
  return fromLiteral(x)
}

/**
 * `toTensor` of each element of a list of arrays, a hole (`[x, , y]`) converted as
 * the `undefined` it reads as (so it fails as `[x, undefined, y]` does: `.map` keeps
 * the hole, for `promoteAll` to crash on).
 *
 * @since 0.1.0
 */
export const toTensors = (xs: ReadonlyArray<TensorLike>): Array<Tensor> => Array.from(xs, (x) => toTensor(x))

// `[x, y]` of tensors (or nested arrays with tensor leaves) is their stack, as in
// `jnp.array([x, y])`; JS scalars among them promote like any operand.
const stackNested = (xs: ReadonlyArray<unknown>): Tensor => {
  const parts = promoteAll(
    "array",
    Array.from(xs, (x) => (Array.isArray(x) ? stackNested(x) : toTensor(x as TensorLike)))
  )
  const shape = parts[0]!.shape
  for (const p of parts) {
    if (!shapeEquals(p.shape, shape)) {
      throw new ShapeError({
        operation: "array",
        detail: `all entries must have the same shape to be stacked, got ${
          parts.map((q) => `(${q.shape.join(", ")})`).join(", ")
        }`
      })
    }
  }
  return lax.concatenate(parts.map((p) => lax.expandDims(p, [0])), 0)
}

/**
 * The promoted (dtype, weak) of several tensors by JAX's lattice; `float0`
 * operands fail with `Float0OperationError`.
 *
 * @since 0.1.0
 */
export const resultType = (
  op: string,
  xs: ReadonlyArray<{ readonly dtype: DType; readonly weakType: boolean }>
): readonly [DType, boolean] => {
  let dtype = xs[0]!.dtype
  let weak = xs[0]!.weakType
  if (dtype === "float0") throw new Float0OperationError({ operation: op })
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]!
    if (x.dtype === "float0") throw new Float0OperationError({ operation: op })
    // One dtype: the strong one wins (the lattice's rule, without its table lookup).
    if (x.dtype === dtype) weak = weak && x.weakType
    else [dtype, weak] = promote(dtype, weak, x.dtype, x.weakType)
  }
  // JAX's lattice_result_type: no weak bool results
  return [dtype, weak && dtype !== "bool"]
}

/**
 * Converts `x` to `dtype` and weak type (a no-op when it has both already), as JAX's
 * `_convert_element_type`: a change of weak type alone is a conversion too, so that a
 * weak operand made strong by promotion gets a weak cotangent back (its transpose).
 *
 * @since 0.1.0
 */
export const cast = (x: Tensor, dtype: DType, weakType: boolean): Tensor =>
  x.dtype === dtype && x.weakType === weakType ? x : lax.convertElementType(x, dtype, weakType)

/**
 * JAX's `_cumulative_reduction` (cumsum, cumprod, their nan variants, cumulativeSum/Prod):
 * no axis (or a scalar) flattens; NaNs become `fillNaN` first when given; bool accumulates
 * as int32; an explicit bool dtype accumulates `x != 0` as int32 (so [-1, 1] do not cancel)
 * and converts back. The result is strong, as JAX's closing `lax.convert_element_type`.
 *
 * @since 0.1.0
 */
export const cumulativeReduce = (
  op: string,
  scan: (t: Tensor, axis: number) => Tensor,
  t: Tensor,
  axis: number | undefined,
  dtype: DType | undefined,
  fillNaN?: number
): Tensor => {
  let a = axis === undefined || t.ndim === 0 ? lax.reshape(t, [t.shape.reduce((p, d) => p * d, 1)]) : t
  const ax = axis === undefined ? 0 : checkAxis(op, axis, a.ndim)
  if (fillNaN !== undefined && isInexact(a.dtype)) {
    a = lax.select(lax.ne(a, a), lax.full(a.shape, fillNaN, a.dtype, a.weakType), a)
  }
  if (dtype === "bool") {
    a = cast(a.dtype === "bool" ? a : lax.ne(a, lax.full(a.shape, 0, a.dtype, a.weakType)), "int32", false)
  } else a = cast(a, dtype ?? (a.dtype === "bool" ? "int32" : a.dtype), false)
  const out = scan(a, ax)
  return cast(out, dtype ?? out.dtype, false)
}

/** The products' options: JAX's `precision` and `preferred_element_type`. @since 0.1.0 */
export interface ProductOptions {
  readonly precision?: Precision | undefined
  readonly preferredElementType?: DType | undefined
}

/** The check of the products' options. @since 0.1.0 */
export const productSpec: OptionSpec = {
  precision: {
    expected: "\"default\", \"high\" or \"highest\"",
    test: (u) => u === "default" || u === "high" || u === "highest"
  },
  preferredElementType: dtypeCheck
}

/** `dot_general`'s options from a product's. @since 0.1.0 */
export const productOptions = (options: ProductOptions | undefined): ProductOptions => ({
  precision: options?.precision,
  preferredElementType: options?.preferredElementType
})

/**
 * A product's result in its preferred dtype, strong: JAX's products end in
 * `_convert_element_type(result, preferred_element_type, weak_type=False)`.
 *
 * @since 0.1.0
 */
export const preferredCast = (y: Tensor, options: ProductOptions | undefined): Tensor =>
  options?.preferredElementType === undefined ? y : cast(y, options.preferredElementType, false)

/** Promotes tensors to their common dtype. @since 0.1.0 */
export const promoteAll = (op: string, xs: ReadonlyArray<Tensor>): Array<Tensor> => {
  const [dtype, weak] = resultType(op, xs)
  return xs.map((x) => cast(x, dtype, weak))
}

/** Broadcasts `x` to `shape` (NumPy's trailing alignment). @since 0.1.0 */
export const broadcastTo = (x: Tensor, shape: Shape): Tensor => {
  if (shapeEquals(x.shape, shape)) return x
  const offset = shape.length - x.shape.length
  const dims = new Array<number>(x.shape.length)
  for (let i = 0; i < dims.length; i++) dims[i] = offset + i
  // Check like NumPy first, so the error names both shapes.
  broadcastShapes(x.shape, shape)
  return lax.broadcastInDim(x, shape, dims)
}

/** Broadcasts tensors to their common NumPy shape. @since 0.1.0 */
export const broadcastAll = (xs: ReadonlyArray<Tensor>): Array<Tensor> => {
  let same = true
  for (let i = 1; i < xs.length; i++) if (!shapeEquals(xs[i]!.shape, xs[0]!.shape)) same = false
  if (same) return xs.slice()
  const shape = broadcastShapes(...xs.map((x) => x.shape))
  return xs.map((x) => broadcastTo(x, shape))
}

// Host scalars for JS numbers, shared between calls: tensors are immutable, and a shared
// scalar is uploaded to a backend once (ConcreteTensor caches its upload), so `x.mul(2)` in
// a loop does not allocate and upload a new scalar each time. Bounded: cleared when full.
const scalarCache = new Map<string, Tensor>()
const scalarConstant = (value: number, dtype: DType, weak: boolean): Tensor => {
  // `${-0}` is "0": -0 gets a key of its own, or `x - 0` and `x - -0` would share a scalar
  const key = `${dtype}${weak ? "*" : ""}${Object.is(value, -0) ? "-0" : value}`
  let t = scalarCache.get(key)
  if (t === undefined) {
    if (scalarCache.size >= 512) scalarCache.clear()
    t = fromScalar(isComplex(dtype) ? { re: value, im: 0 } : value, dtype, weak) // Shared by every region: its uploads are never released by one of them.
    ;(t as ConcreteTensor).pinned = true
    scalarCache.set(key, t)
  }
  return t
}

// How a JS number takes part in promotion.
const weakFloat = { dtype: "float32", weakType: true } as const

/**
 * Operands of an elementwise op: converted, promoted and broadcast. JS numbers
 * are made directly in the promoted dtype (no conversion op is recorded).
 *
 * @since 0.1.0
 */
export const prepare = (op: string, args: ReadonlyArray<TensorLike>): Array<Tensor> => {
  let allTensors = true
  for (const a of args) if (!(a instanceof Tensor && Tensor.isGenuine(a))) allTensors = false
  if (allTensors) return broadcastAll(promoteAll(op, args as ReadonlyArray<Tensor>))
  // Scalars take part in promotion as weak types; then they are built in the result dtype.
  const typed = Array.from(args, (a) => (typeof a === "number" ? weakFloat : toTensor(a)))
  const [dtype, weak] = resultType(op, typed)
  const xs = args.map((a, i) =>
    typeof a === "number"
      ? scalarConstant(a, dtype, weak)
      : cast(typed[i] as Tensor, dtype, weak)
  )
  return broadcastAll(xs)
}

/**
 * An integer divisor with its zeros replaced by one: JAX's integer remainders
 * (`mod`, `fmod`) by zero are 0 that way, not XLA's `x % 0 = x`. Other dtypes
 * as they are.
 */
export const nonzeroDivisor = (b: Tensor): Tensor =>
  b.dtype === "int32" || b.dtype === "uint32"
    ? lax.select(lax.eq(b, lax.zerosLike(b)), lax.full(b.shape, 1, b.dtype, b.weakType), b)
    : b

/** Promotes integer and bool tensors to float32, for ops with inexact results (`jnp`'s `promote_args_inexact`). @since 0.1.0 */
export const toInexact = (x: Tensor): Tensor =>
  isInteger(x.dtype) || x.dtype === "bool" ? lax.convertElementType(x, "float32", x.weakType) : x

/**
 * Normalized, distinct axes (all axes when `axis` is undefined).
 *
 * @since 0.1.0
 */
export const normalizeAxes = (
  op: string,
  axis: number | ReadonlyArray<number> | undefined,
  ndim: number
): Array<number> => {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i)
  if (!Array.isArray(axis)) return [checkAxis(op, axis, ndim)]
  const axes = Array.from(axis, (a: unknown) => checkAxis(op, a, ndim))
  if (new Set(axes).size !== axes.length) {
    throw new ShapeError({ operation: op, detail: `duplicate value in 'axis': [${axes.join(", ")}]` })
  }
  return axes
}
