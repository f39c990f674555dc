/**
 * Schemas for tensors: `Tensor.schema({ dtype, shape })` is an `effect/Schema`
 * schema that accepts a `Tensor` of that dtype and shape. Pytrees of tensors are
 * described by plain Schema structs, tuples and classes of tensor schemas, so data
 * is validated at the edge and failures name the path:
 *
 * ```text
 * Expected f32[?,784], got f32[32,783]
 *   at ["w"]
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Schema, SchemaGetter, SchemaIssue } from "effect"
import type { SchemaAST } from "effect"
import { formatAval } from "./AbstractValue.js"
import { isDType, shortName } from "./DType.js"
import type { DType } from "./DType.js"
import { InvalidArrayError } from "./Errors.js"
import { fromLiteral } from "./internal/arrayLiteral.js"
import { summary, Tensor } from "./Tensor.js"
import { toJs } from "./ToJs.js"
import type { JsValue } from "./ToJs.js"
import { argumentError, checkArg, checkOptions, checkTensor } from "./Validate.js"
import type { Check } from "./Validate.js"

/**
 * What a tensor schema accepts. `dtype` omitted accepts every dtype; `shape`
 * omitted accepts every shape; `null` in `shape` is a free dimension.
 *
 * @since 0.1.0
 */
export interface Spec {
  readonly dtype?: DType | ReadonlyArray<DType> | undefined
  readonly shape?: ReadonlyArray<number | null> | undefined
}

/**
 * The schema of a tensor: decodes (and encodes) a `Tensor` unchanged after
 * checking its dtype and shape ({@link specOf} gives back what it accepts).
 *
 * @since 0.1.0
 */
export type TensorSchema = Schema.declareConstructor<Tensor, Tensor, readonly []>

const specDType: Check = {
  expected: "a dtype name or an array of them",
  test: (u) => isDType(u) || (Array.isArray(u) && u.every(isDType))
}
const specShape: Check = {
  expected: "an array of non-negative integers or null",
  test: (u) => Array.isArray(u) && u.every((d) => d === null || (Number.isInteger(d) && d >= 0))
}
const specObject: Check = { expected: "a spec ({ dtype, shape })", test: (u) => typeof u === "object" && u !== null }
const checkSpec = (operation: string, spec: unknown): void => {
  if (spec === undefined) return
  checkOptions(operation, spec, { dtype: specDType, shape: specShape })
}

/**
 * Formats a spec like JAX formats abstract values, with `?` for a free
 * dimension and `any` for a free dtype: `f32[?,784]`, `any[3]`, `f32[...]`.
 *
 * @example
 * import { TensorSchema } from "diffect"
 * console.log(TensorSchema.formatSpec({ dtype: "float32", shape: [null, 784] })) // f32[?,784]
 *
 * @since 0.1.0
 */
export const formatSpec = (spec: Spec): string => {
  checkArg("TensorSchema.formatSpec", "spec", spec, specObject)
  checkSpec("TensorSchema.formatSpec", spec)
  const d = spec.dtype
  const dtype = d === undefined ? "any" : typeof d === "string" ? shortName(d) : d.map(shortName).join("|")
  const shape = spec.shape === undefined ? "..." : spec.shape.map((n) => n === null ? "?" : String(n)).join(",")
  return `${dtype}[${shape}]`
}

/**
 * Whether a tensor matches a spec.
 *
 * @since 0.1.0
 */
export const matches = (spec: Spec, tensor: Tensor): boolean => {
  checkArg("TensorSchema.matches", "spec", spec, specObject)
  checkSpec("TensorSchema.matches", spec)
  checkTensor("TensorSchema.matches", "tensor", tensor)
  const d = spec.dtype
  if (d !== undefined && (typeof d === "string" ? d !== tensor.dtype : !d.includes(tensor.dtype))) return false
  const shape = spec.shape
  if (shape === undefined) return true
  const actual = tensor.shape
  if (actual.length !== shape.length) return false
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]
    if (s !== null && s !== actual[i]) return false
  }
  return true
}

const describeInput = (u: unknown): string => {
  if (u instanceof Tensor) return summary(u)
  if (u === null) return "null"
  if (u === undefined) return "undefined"
  if (Array.isArray(u)) return `an array of length ${u.length}`
  switch (typeof u) {
    case "number":
    case "boolean":
    case "bigint":
      return `${typeof u} ${String(u)}`
    case "string":
      return `string ${JSON.stringify(u.length > 20 ? u.slice(0, 20) + "..." : u)}`
    case "object":
      return Object.getPrototypeOf(u)?.constructor?.name ?? "object"
    default:
      return typeof u
  }
}

const fail = (message: string, u: unknown, options: SchemaAST.ParseOptions) =>
  Effect.fail(new SchemaIssue.InvalidValue({ message }, u, options))

const validateSpec = (spec: Spec): void => {
  if (spec.shape !== undefined) {
    for (const n of spec.shape) {
      if (n !== null && !(Number.isInteger(n) && n >= 0)) {
        throw new RangeError(
          `Tensor.schema: shape entries must be non-negative integers or null, got ${JSON.stringify(spec.shape)}`
        )
      }
    }
  }
}

/**
 * Makes the schema of a tensor with the given dtype and shape (`null` marks a
 * free dimension). Decoding anything else fails with a `SchemaError` whose
 * message names what was expected, what was found, and where.
 *
 * @example
 * import { Schema } from "effect"
 * import { np, Tensor } from "diffect"
 *
 * const Params = Schema.Struct({
 *   w: Tensor.schema({ dtype: "float32", shape: [784, 10] }),
 *   b: Tensor.schema({ dtype: "float32", shape: [10] })
 * })
 * const Batch = Tensor.schema({ dtype: "float32", shape: [null, 784] })
 * const params = Schema.decodeUnknownSync(Params)({ w: np.zeros([784, 10]), b: np.zeros([10]) })
 * console.log(params.w.shape, Schema.is(Batch)(np.zeros([32, 784]))) // [784, 10] true
 *
 * @since 0.1.0
 */
export function schema(spec: Spec = {}): TensorSchema {
  checkSpec("TensorSchema.schema", spec)
  validateSpec(spec)
  const expected = formatSpec(spec)
  return Schema.declareConstructor<Tensor>()(
    [],
    () => (u, _ast, options) => {
      // a forged tensor (Object.create(Tensor.prototype)) holds no aval to check
      if (!(u instanceof Tensor) || !Tensor.isGenuine(u)) {
        return fail(`Expected ${expected}, got ${describeInput(u)}`, u, options)
      }
      if (!matches(spec, u)) {
        return fail(`Expected ${expected}, got ${formatAval({ ...u.aval, weakType: false })}`, u, options)
      }
      return Effect.succeed(u)
    },
    { expected, title: `Tensor ${expected}`, "diffect/TensorSpec": spec }
  )
}

/**
 * The spec a tensor schema was made with, or `undefined` for other schemas.
 *
 * @since 0.1.0
 */
export const specOf = (schema: Schema.Top): Spec | undefined => {
  if (!Schema.isSchema(schema)) {
    throw argumentError("TensorSchema.specOf", "schema", "an effect/Schema schema", schema)
  }
  return (schema.ast.annotations as Record<string, unknown> | undefined)?.["diffect/TensorSpec"] as Spec | undefined
}

/**
 * The schema of a tensor encoded as JS values (nested arrays of numbers or
 * booleans, `{ re, im }` for complex): decoding makes a host tensor, encoding
 * reads it back.
 *
 * @since 0.1.0
 */
export type FromJsSchema = Schema.decodeTo<TensorSchema, Schema.Unknown>

/**
 * Like {@link schema}, but decoding also accepts JS values (JSON input): nested
 * arrays, numbers, booleans and `{ re, im }` become a host tensor of the spec's
 * dtype (when it names one; otherwise as `np.array` would type them), which is
 * then checked. Encoding reads a tensor back as nested arrays (`toJs`).
 *
 * @example
 * import { Schema } from "effect"
 * import { TensorSchema } from "diffect"
 *
 * const Batch = Schema.Struct({ x: TensorSchema.fromJs({ dtype: "float32", shape: [null, 2] }) })
 * const batch = Schema.decodeUnknownSync(Batch)({ x: [[1, 2], [3, 4]] })
 * console.log(String(batch.x)) // Array([[1., 2.], [3., 4.]], dtype=float32)
 * console.log(Schema.encodeSync(Batch)(batch)) // { x: [[1, 2], [3, 4]] }
 *
 * @since 0.1.0
 */
export const fromJs = (spec: Spec = {}): FromJsSchema => {
  checkSpec("TensorSchema.fromJs", spec)
  const target = schema(spec)
  const expected = formatSpec(spec)
  const dtype = typeof spec.dtype === "string" ? spec.dtype : undefined
  return Schema.Unknown.pipe(Schema.decodeTo(target, {
    decode: SchemaGetter.transformEffect((u: unknown, options) => {
      if (u instanceof Tensor) {
        return Tensor.isGenuine(u)
          ? Effect.succeed(u)
          : fail(`Expected ${expected}, got ${describeInput(u)}`, u, options)
      }
      try {
        return Effect.succeed<Tensor>(fromLiteral(u, dtype))
      } catch (e) {
        if (!(e instanceof InvalidArrayError)) throw e
        return fail(`Expected ${expected} or JS values for it, got an invalid array: ${e.message}`, u, options)
      }
    }),
    encode: SchemaGetter.transformEffect((t: Tensor, options) =>
      Effect.catch(
        toJs(t) as Effect.Effect<JsValue, { readonly message: string }>,
        (e) => fail(`Cannot encode ${formatAval(t.aval)} as JS values: ${e.message}`, t, options)
      )
    )
  }))
}
