/**
 * Argument validation for the public wrappers (`np`, `lax`, `Tree`, the
 * transformations, and the functions of packages built on the core): every argument is checked for its kind before any work,
 * so bad input is a tagged error with the operation's name, never a crash, a
 * hang or a silently ignored value. The primitives' own checks (shapes agree,
 * axes in range) stay in abstract evaluation; nothing here runs in `bind`.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { dtypes, isDType } from "./DType.js"
import type { DType } from "./DType.js"
import { ArgumentError, AxisError, InvalidArrayError, ShapeError } from "./Errors.js"
import { formatShape, maxElements } from "./Shape.js"
import type { Shape } from "./Shape.js"
import { summary, Tensor } from "./Tensor.js"

const typedArrayName = (u: object): string | undefined =>
  ArrayBuffer.isView(u) ? (u.constructor as { readonly name?: string } | undefined)?.name ?? "typed array" : undefined

// " (a Map)" for an instance of a class, else "": read from the prototype's own `constructor`
// (no user getter runs; a proxy's trap that throws is caught).
const instanceOf = (u: object): string => {
  try {
    const proto: unknown = Object.getPrototypeOf(u)
    if (proto === null || Object.getPrototypeOf(proto) === null) return ""
    const ctor: unknown = Object.getOwnPropertyDescriptor(proto, "constructor")?.value
    const name = typeof ctor === "function" ? Object.getOwnPropertyDescriptor(ctor, "name")?.value : undefined
    return typeof name === "string" && name !== "" ? ` (a ${name.length > 40 ? `${name.slice(0, 40)}...` : name})` : ""
  } catch {
    return ""
  }
}

/**
 * A short description of any JS value for messages: `the string "1"`, `the
 * bigint 10n`, `a function`, `an array of length 3`, `Tensor(f32[2])`. Never
 * throws (no `JSON.stringify` of bigints, no user `toString`).
 *
 * @since 0.1.0
 */
export const describeValue = (u: unknown): string => {
  switch (typeof u) {
    case "number":
      return `the number ${u}`
    case "string":
      return `the string ${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}...` : u)}`
    case "bigint":
      return `the bigint ${u}n`
    case "boolean":
      return `the boolean ${u}`
    case "symbol":
      return "a symbol"
    case "function":
      return "a function"
    case "undefined":
      return "undefined"
  }
  if (u === null) return "null"
  if (Array.isArray(u)) return `an array of length ${u.length}`
  if (u instanceof Tensor) return Tensor.isGenuine(u) ? summary(u) : "a forged Tensor (made without its constructor)"
  if (Effect.isEffect(u)) return "an Effect (did you forget `yield*`?)"
  const typed = typedArrayName(u as object)
  if (typed !== undefined) return `a ${typed}`
  return `an object${instanceOf(u as object)}`
}

/** The error for an argument of the wrong kind. @since 0.1.0 */
export const argumentError = (operation: string, argument: string, expected: string, got: unknown): ArgumentError =>
  new ArgumentError({ operation, argument, expected, got: describeValue(got) })

/**
 * A tensor argument: a genuine `Tensor` (one made by its constructor), else an
 * `ArgumentError`. An `instanceof` and a private-field brand check: no cost worth
 * measuring on the eager path.
 *
 * @since 0.1.0
 */
export const checkTensor = (operation: string, argument: string, u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(operation, argument, "a Tensor", u)
}

/** A check of one option's value, with what it expects (for the message). @since 0.1.0 */
export interface Check {
  readonly expected: string
  readonly test: (u: unknown) => boolean
}

const isInt = (u: unknown): boolean => Number.isInteger(u)

/**
 * Whether every element of `xs` passes `test`, a hole (`[1, , 2]`, `new Array(2)`)
 * tested as the `undefined` it reads as: `Array#every` and `#map` skip holes, which
 * let them through the checks.
 *
 * @since 0.1.0
 */
export const everyElement = (xs: ReadonlyArray<unknown>, test: (u: unknown) => boolean): boolean => {
  for (let i = 0; i < xs.length; i++) if (!test(xs[i])) return false
  return true
}

/** An integer (a JS number with no fractional part). @since 0.1.0 */
export const integer: Check = { expected: "an integer", test: isInt }
/** A JS number (NaN and infinities included). @since 0.1.0 */
export const number: Check = { expected: "a number", test: (u) => typeof u === "number" }
/** A finite JS number. @since 0.1.0 */
export const finite: Check = { expected: "a finite number", test: (u) => Number.isFinite(u) }
/** A boolean. @since 0.1.0 */
export const boolean: Check = { expected: "a boolean", test: (u) => typeof u === "boolean" }
/** A string. @since 0.1.0 */
export const string: Check = { expected: "a string", test: (u) => typeof u === "string" }
/** A function. @since 0.1.0 */
export const func: Check = { expected: "a function", test: (u) => typeof u === "function" }
/** An axis or an array of axes. @since 0.1.0 */
export const axes: Check = {
  expected: "an integer or an array of integers",
  test: (u) => isInt(u) || (Array.isArray(u) && everyElement(u, isInt))
}
/** An array of integers. @since 0.1.0 */
export const integers: Check = {
  expected: "an array of integers",
  test: (u) => Array.isArray(u) && everyElement(u, isInt)
}
/** A dtype name (a string that is not one fails as `checkDTypeName` says). @since 0.1.0 */
export const dtype: Check = { expected: `a dtype name (${dtypes.join(", ")})`, test: (u) => typeof u === "string" }
/** An axis name or an array of them. @since 0.1.0 */
export const axisNames: Check = {
  expected: "an axis name (a string) or an array of axis names",
  test: (u) => typeof u === "string" || (Array.isArray(u) && everyElement(u, (n) => typeof n === "string"))
}
/** Any value (checked later, by its use). @since 0.1.0 */
export const anyValue: Check = { expected: "any value", test: () => true }
/**
 * JAX's `inplace` keyword of its functional updates (`put`, `place`, `put_along_axis`,
 * `fill_diagonal`), which JAX requires to be `False`: ported code passes it.
 *
 * @since 0.1.0
 */
export const inplaceFalse: Check = {
  expected: "false (tensors are immutable: the updated array is returned, as JAX's inplace=False)",
  test: (u) => u === false
}

/** Which keys an options object may have, and the check of each. @since 0.1.0 */
export type OptionSpec = { readonly [key: string]: Check }

/**
 * A number or an array (a JS array, a typed array or a tensor): `trapezoid`'s `dx`.
 *
 * @since 0.1.0
 */
export const numberOrArray: Check = {
  expected: "a number or an array",
  test: (u) => typeof u === "number" || Array.isArray(u) || ArrayBuffer.isView(u) || u instanceof Tensor
}

/**
 * Whether `u` can be an options object: a plain object (an object literal, or one
 * with no prototype), so not an array, a typed array or a tensor (a function taking
 * an optional options object after optional arrays, as `np.where`, tells the two
 * apart by it), nor a `Map` or a class instance, whose entries are not its keys
 * (`np.sum(x, new Map([["axis", 1]]))` summed everything).
 *
 * @since 0.1.0
 */
export const isOptionsObject = (u: unknown): u is object => {
  if (typeof u !== "object" || u === null) return false
  // `Object.prototype` is the one prototype with none of its own (another realm's too)
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/**
 * Validates an options object: `undefined`, or a plain object whose keys are
 * all in `spec` and whose defined values pass their check. A value of the wrong
 * kind (`np.sum(x, 5)`), an unknown key (`{ axes: 0 }`) or a bad value
 * (`{ axis: "1" }`) is an `ArgumentError`; nothing is ignored.
 *
 * @since 0.1.0
 */
export const checkOptions = (operation: string, options: unknown, spec: OptionSpec): void => {
  if (options === undefined) return
  if (!isOptionsObject(options)) {
    throw argumentError(operation, "options", `an options object ({ ${Object.keys(spec).join(", ")} })`, options)
  }
  for (const key in options) {
    if (!Object.hasOwn(spec, key)) {
      throw new ArgumentError({
        operation,
        argument: "options",
        expected: Object.keys(spec).length === 0
          ? "empty"
          : `an object with keys among ${Object.keys(spec).join(", ")}`,
        got: `the unknown key ${JSON.stringify(key)}`
      })
    }
    const value = (options as Record<string, unknown>)[key]
    const check = spec[key]!
    if (value !== undefined && !check.test(value)) throw argumentError(operation, key, check.expected, value)
    if (check === dtype && value !== undefined) checkDTypeName(operation, value)
  }
}

/**
 * `checkOptions` for an options object whose values are checked where they are
 * used: only its keys (a key not in `keys` is an `ArgumentError`).
 *
 * @since 0.1.0
 */
export const checkKeys = (operation: string, options: unknown, keys: ReadonlyArray<string>): void =>
  checkOptions(operation, options, Object.fromEntries(keys.map((k) => [k, anyValue])))

/**
 * Validates a positional argument against a check.
 *
 * @since 0.1.0
 */
export const checkArg = <A>(operation: string, argument: string, u: unknown, check: Check): A => {
  if (!check.test(u)) throw argumentError(operation, argument, check.expected, u)
  return u as A
}

/**
 * Validates a user-given dtype name (`InvalidArrayError` for a name diffect does
 * not have, `ArgumentError` for a value that is not a string).
 *
 * @since 0.1.0
 */
export const checkDTypeName = (operation: string, u: unknown): DType => {
  if (isDType(u)) return u
  if (typeof u !== "string") throw argumentError(operation, "dtype", dtype.expected, u)
  const known = ["float16", "bfloat16", "int8", "int16", "int64", "uint8", "uint16", "uint32", "uint64"]
  throw new InvalidArrayError({
    detail: `${operation}: ${
      known.includes(u)
        ? `dtype ${u} is not supported by diffect`
        // a long name is cut, as describeValue cuts strings (a 1 MB name made a 1 MB message)
        : `unknown dtype ${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}...` : u)}`
    }: expected one of ${dtypes.join(", ")}`
  })
}

/**
 * Validates a shape given by a user (a number or an array of numbers): entries
 * are non-negative integers, each at most `maxElements` (a zero-size array too:
 * its dimensions are still int32 indices, and `[2 ** 32, 0]` gave `toJs` a
 * RangeError), and the total size is at most `maxElements` (checked before
 * anything is allocated). JAX's message for a shape of the wrong kind.
 *
 * @since 0.1.0
 */
export const checkShape = (operation: string, u: unknown): Shape => {
  const shape = typeof u === "number" ? [u] : u
  if (!Array.isArray(shape) || shape.length > 64 || !everyElement(shape, (d) => typeof d === "number")) {
    throw argumentError(
      operation,
      "shape",
      "a non-negative integer or an array of at most 64 of them",
      u
    )
  }
  let size = 1
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError({
        operation,
        detail: `Shapes must be 1D sequences of concrete values of non-negative integer type, got ${formatShape(shape)}`
      })
    }
    size *= d
  }
  checkSize(operation, shape, size)
  checkDims(operation, shape)
  return shape
}

/**
 * Fails when one dimension exceeds `maxElements`, even in a zero-size shape
 * (`[2 ** 32, 0]`, `[1e300, 0]`): a dimension is an int32 index like any other.
 *
 * @since 0.1.0
 */
export const checkDims = (operation: string, shape: Shape): void => {
  for (const d of shape) {
    if (d > maxElements) {
      throw new ShapeError({
        operation,
        detail: `the dimension ${d} of shape ${formatShape(shape)} is more than the ${maxElements} an axis may hold`
      })
    }
  }
}

/** Fails when `size` elements exceed `maxElements`. @since 0.1.0 */
export const checkSize = (operation: string, shape: Shape, size: number): void => {
  if (size > maxElements) {
    throw new ShapeError({
      operation,
      detail: `an array of shape ${
        formatShape(shape)
      } would have ${size} elements, more than the ${maxElements} an array may hold`
    })
  }
}

/**
 * Normalizes one axis: an integer in `[-ndim, ndim)` (`ArgumentError` when it is
 * not an integer, `AxisError` when out of range).
 *
 * @since 0.1.0
 */
export const checkAxis = (operation: string, u: unknown, ndim: number, argument = "axis"): number => {
  if (!Number.isInteger(u)) throw argumentError(operation, argument, "an integer", u)
  const axis = u as number
  if (axis < -ndim || axis >= ndim) throw new AxisError({ axis, ndim })
  return axis < 0 ? axis + ndim : axis
}
