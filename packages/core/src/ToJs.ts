/**
 * Reading tensors back as JS values: `toJs` (an Effect, for any backend) and
 * `toJsSync` (for host data and synchronous backends such as the CPU one).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { peekHost } from "./Backend.js"
import type { DType, HostArray } from "./DType.js"
import {
  ArgumentError,
  BackendError,
  ConcretizationError,
  DTypeError,
  EscapedTracerError,
  ShapeError
} from "./Errors.js"
import type { ReleasedTensorError } from "./Errors.js"
import type { Complex } from "./internal/arrayLiteral.js"
import { installTruthReader } from "./internal/treeTruth.js"
import { formatShape } from "./Shape.js"
import type { Shape } from "./Shape.js"
import { ConcreteTensor, summary, Tensor, Tracer } from "./Tensor.js"
import * as Tree from "./Tree.js"
import { argumentError } from "./Validate.js"

/**
 * A tensor as JS values: a number (int and float dtypes), a boolean (bool), a
 * `{ re, im }` (complex), or nested arrays of them. float0 elements read as 0.
 *
 * @category Reading values
 * @since 0.1.0
 */
export type JsValue = number | boolean | Complex | ReadonlyArray<JsValue>

/**
 * The type of `toJs(tree)`: every tensor in `T` replaced by its `JsValue`.
 *
 * @category Reading values
 * @since 0.1.0
 */
export type ToJs<T> = T extends Tensor ? JsValue
  : T extends ReadonlyArray<unknown> ? { -readonly [K in keyof T]: ToJs<T[K]> }
  : T extends (...args: ReadonlyArray<any>) => unknown ? T
  : T extends object ? { -readonly [K in keyof T]: ToJs<T[K]> }
  : T

/**
 * The ranks `toJs(tensor, { rank })` reads with a precise type: a scalar, and arrays nested up
 * to four deep.
 *
 * @category Reading values
 * @since 0.1.0
 */
export type Rank = 0 | 1 | 2 | 3 | 4

/**
 * An int or float tensor of rank `R` as JS numbers: `number`, `Array<number>`,
 * `Array<Array<number>>`, ...
 *
 * @category Reading values
 * @since 0.1.0
 */
export type Numbers<R extends Rank> = R extends 0 ? number
  : R extends 1 ? Array<number>
  : R extends 2 ? Array<Array<number>>
  : R extends 3 ? Array<Array<Array<number>>>
  : Array<Array<Array<Array<number>>>>

/**
 * Options of `toJs(tensor, options)` and `toJsSync(tensor, options)`: the rank the
 * tensor must have, which types the result.
 *
 * @category Reading values
 * @since 0.1.0
 */
export interface ToJsOptions<R extends Rank> {
  readonly rank: R
}

const element = (data: HostArray, dtype: DType, i: number): JsValue => {
  switch (dtype) {
    case "bool":
      return data[i] !== 0
    case "complex64":
    case "complex128":
      return { re: data[2 * i]!, im: data[2 * i + 1]! }
    case "float0":
      return 0
    default:
      return data[i]!
  }
}

/**
 * The most bytes of JS heap a read may build (1 GiB): past the engine's heap a
 * process aborts with no error to catch (`toJsSync` of a zero-size
 * `[2 ** 31 - 1, 0]` made two billion empty arrays).
 */
const maxJsBytes = 2 ** 30

// An estimate of the heap the nested arrays of `shape` take: 32 bytes an array, 8 a slot, 40 a
// complex value's object; refused before anything is read (BackendError, the host's resource
// error, as its largest-array one).
const jsSizeError = (dtype: DType, shape: Shape): BackendError | undefined => {
  let arrays = 0
  let slots = 0
  let count = 1
  for (const d of shape) {
    arrays += count
    count *= d
    slots += count
  }
  const bytes = 32 * arrays + 8 * slots + (dtype === "complex64" || dtype === "complex128" ? 40 * count : 0)
  if (bytes > maxJsBytes) {
    return new BackendError({
      backend: "host",
      detail: `reading a tensor of shape ${
        formatShape(shape)
      } as nested JS arrays would take about ${bytes} bytes of JS heap, more than the ${maxJsBytes} a read may take: read it in slices`
    })
  }
  return undefined
}

/**
 * Host data in storage layout as nested JS arrays of `shape`; a shape whose
 * arrays would take more than 1 GiB of JS heap is a `BackendError`.
 *
 * @category Tensors
 * @since 0.1.0
 */
export const hostToJs = (data: HostArray, dtype: DType, shape: Shape): JsValue => {
  const tooLarge = jsSizeError(dtype, shape)
  if (tooLarge !== undefined) throw tooLarge
  let offset = 0
  const build = (depth: number): JsValue => {
    if (depth === shape.length) return element(data, dtype, offset++)
    const n = shape[depth]!
    const out = new Array<JsValue>(n)
    for (let i = 0; i < n; i++) out[i] = build(depth + 1)
    return out
  }
  return build(0)
}

// The transformation that stages the value (the end of the chain of tracers that know their
// primal): under jit, JAX's hint about static arguments and structured control flow applies.
const stagedBy = (t: Tensor): string | undefined => {
  let x: Tensor | undefined = t
  let last: Tracer | undefined
  while (x instanceof Tracer) {
    last = x
    x = x.concreteValue()
  }
  return last?.handler.name
}

// A read of a traced value: escaped when the transformation that traced it has returned (JAX's
// UnexpectedTracerError), else a concretization while it traces
const concretization = (t: Tensor): ConcretizationError | EscapedTracerError => {
  let x: Tensor | undefined = t
  while (x instanceof Tracer) {
    if (!x.handler.active) return new EscapedTracerError({ transformation: x.handler.name })
    x = x.concreteValue()
  }
  return tracing(t)
}

const tracing = (t: Tensor): ConcretizationError =>
  new ConcretizationError({
    detail: stagedBy(t) === "jit"
      ? `${
        String(t)
      } cannot be read while jit traces it: the jitted function's output must not depend on reading traced values. If the value only decides control flow, use lax.cond or lax.whileLoop; if it is really a constant, mark the argument static with jit(f, { staticArgnums })`
      : `${String(t)} cannot be read (toJs, Number(x), x > 0) while ${
        stagedBy(t) ?? "a transformation"
      } traces it; return it from the transformed function instead, and choose between values with np.where or lax.cond`
  })

// Host data a tensor has without reading a device (undefined: a device read is needed).
const hostData = (t: ConcreteTensor): HostArray | undefined => t.aval.dtype === "float0" ? new Uint8Array(0) : t.host

// Looks through tracers that know their concrete value (JVP primals); undefined when none does.
const concrete = (t: Tensor): ConcreteTensor | undefined => {
  let x: Tensor | undefined = t
  while (x instanceof Tracer) x = x.concreteValue()
  return x instanceof ConcreteTensor ? x : undefined
}

// The errors of reading a tensor.
type ReadError = BackendError | ConcretizationError | EscapedTracerError | ReleasedTensorError

// A forged tensor (made without its constructor) holds no value: it read as a traced one.
const forged = (t: Tensor, operation: string): ArgumentError | undefined =>
  Tensor.isGenuine(t) ? undefined : argumentError(operation, "tensor", "a tensor made by its constructor", t)

const readEffect = (
  traced: Tensor
): Effect.Effect<JsValue, ReadError> => {
  const fake = forged(traced, "toJs")
  // a defect, as a forged tensor's getters throw elsewhere: it is no value of the API's types
  if (fake !== undefined) return Effect.die(fake)
  const t = concrete(traced)
  if (t === undefined) return Effect.fail(concretization(traced))
  const released = t.releasedError()
  if (released !== undefined) return Effect.fail(released)
  // before a device read
  const tooLarge = jsSizeError(t.dtype, t.shape)
  if (tooLarge !== undefined) return Effect.fail(tooLarge)
  const host = hostData(t)
  if (host !== undefined) return Effect.succeed(hostToJs(host, t.dtype, t.shape))
  const buffer = t.buffer!
  return Effect.map(buffer.backend.read(buffer, t.aval), (data) => hostToJs(data, t.dtype, t.shape))
}

/**
 * Reads every tensor of a pytree back as nested JS arrays (scalars as numbers,
 * bool as booleans, complex as `{ re, im }`); other leaves are kept. Each tensor is
 * read from the backend that holds it. A value traced by forward-mode
 * differentiation (grad, jvp, vjp, linearize) reads as its concrete primal, so JS
 * code can branch on it as in JAX; staged or batched values (makeProgram, vmap)
 * fail with `ConcretizationError`.
 *
 * A tensor's rank and dtype are not part of its type, so the result is typed
 * `JsValue`. `toJs(tensor, { rank })` types it precisely (`{ rank: 1 }` gives
 * `Array<number>`), after checking that the tensor has that rank (`ShapeError`)
 * and an int or float dtype (`DTypeError`); `item` reads one number.
 *
 * @example
 * import { Effect } from "effect"
 * import { np, toJs, TypedArrayBackend } from "diffect"
 * const program = toJs({ w: np.array([[1, 2]]), n: 3 }) // an Effect: reading may be asynchronous
 * console.log(await Effect.runPromise(program.pipe(Effect.provide(TypedArrayBackend.layer)))) // { n: 3, w: [[1, 2]] }
 * const row = toJs(np.arange(3), { rank: 1 }) // Effect<Array<number>, ...>
 * const total = row.pipe(Effect.map((xs) => xs.reduce((a, b) => a + b, 0)))
 * console.log(await Effect.runPromise(total.pipe(Effect.provide(TypedArrayBackend.layer)))) // 3
 *
 * @category Reading values
 * @since 0.1.0
 */
export const toJs: {
  <R extends Rank>(
    tensor: Tensor,
    options: ToJsOptions<R>
  ): Effect.Effect<
    Numbers<R>,
    | BackendError
    | ConcretizationError
    | EscapedTracerError
    | ReleasedTensorError
    | ShapeError
    | DTypeError
    | ArgumentError
  >
  <T>(tree: T): Effect.Effect<ToJs<T>, ReadError>
} = (<T>(tree: T, options?: ToJsOptions<Rank>) => {
  if (options !== undefined) {
    const invalid = optionsError("toJs", options) ?? numbersError(tree, "toJs", options.rank)
    if (invalid !== undefined) return Effect.fail(invalid)
  }
  if (tree instanceof Tensor) return readEffect(tree)
  const [leaves, def] = Tree.flatten(tree)
  return Effect.map(
    Effect.forEach(
      leaves,
      (leaf): Effect.Effect<unknown, ReadError> => leaf instanceof Tensor ? readEffect(leaf) : Effect.succeed(leaf),
      {
        concurrency: "unbounded"
      }
    ),
    (values) => Tree.unflatten<ToJs<T>>(def, values)
  )
}) as typeof toJs

const readSync = (traced: Tensor): JsValue => {
  const fake = forged(traced, "toJsSync")
  if (fake !== undefined) throw fake
  const t = concrete(traced)
  if (t === undefined) throw concretization(traced)
  const host = hostData(t)
  if (host !== undefined) return hostToJs(host, t.dtype, t.shape)
  const buffer = t.buffer!
  // converted to JS numbers at once: the storage does not escape
  const data = peekHost(buffer, t.aval)
  if (data === undefined) {
    throw new BackendError({
      backend: buffer.backend.name,
      detail: "this backend cannot read synchronously; use toJs (an Effect) instead of toJsSync"
    })
  }
  return hostToJs(data, t.dtype, t.shape)
}

/**
 * `toJs` for host data and synchronous backends (the CPU backend): returns the
 * values directly, and throws `BackendError` for a backend without `readSync`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.array([1, 2]).mul(3))) // [3, 6]
 * const xs: Array<number> = toJsSync(np.arange(3), { rank: 1 })
 * console.log(xs.map((i) => i * 10)) // [0, 10, 20]
 *
 * @category Reading values
 * @since 0.1.0
 */
export const toJsSync: {
  <R extends Rank>(tensor: Tensor, options: ToJsOptions<R>): Numbers<R>
  <T>(tree: T): ToJs<T>
} = (<T>(tree: T, options?: ToJsOptions<Rank>) => {
  if (options !== undefined) {
    const invalid = optionsError("toJsSync", options) ?? numbersError(tree, "toJsSync", options.rank)
    if (invalid !== undefined) throw invalid
  }
  if (tree instanceof Tensor) return readSync(tree)
  return Tree.map(tree, (leaf: unknown) => (leaf instanceof Tensor ? readSync(leaf) : leaf))
}) as typeof toJsSync

/**
 * Reads a one-element int or float tensor as a number (NumPy's and JAX's
 * `x.item()`): a scalar loss, an accuracy, a count. Another size is a
 * `ShapeError`, a bool or complex tensor a `DTypeError` (read those with `toJs`).
 *
 * @example
 * import { Effect } from "effect"
 * import { item, np, TypedArrayBackend } from "diffect"
 * const mean = item(np.mean(np.array([1, 2, 4])))
 * console.log(await Effect.runPromise(mean.pipe(Effect.provide(TypedArrayBackend.layer)))) // 2.3333333
 *
 * @category Reading values
 * @since 0.1.0
 */
export const item = (
  tensor: Tensor
): Effect.Effect<
  number,
  BackendError | ConcretizationError | EscapedTracerError | ReleasedTensorError | ShapeError | DTypeError
> => {
  const invalid = numbersError(tensor, "item", undefined)
  if (invalid !== undefined) return Effect.fail(invalid)
  return Effect.map(readEffect(tensor), firstNumber)
}

/**
 * `item` for host data and synchronous backends (the CPU backend): returns the
 * number directly, and throws the same errors.
 *
 * @example
 * import { itemSync, np } from "diffect"
 * const loss = np.sum(np.square(np.array([1, 2])))
 * console.log(itemSync(loss) < 10) // true
 *
 * @category Reading values
 * @since 0.1.0
 */
export const itemSync = (tensor: Tensor): number => {
  const invalid = numbersError(tensor, "itemSync", undefined)
  if (invalid !== undefined) throw invalid
  return firstNumber(readSync(tensor))
}

installTruthReader((t) => toJsSync(t))

// The one number of a size-1 value, at any depth of nesting.
const firstNumber = (value: JsValue): number => {
  let v = value
  while (Array.isArray(v)) v = v[0]!
  return v as number
}

// The options of a rank-typed read: an object whose only key is `rank` (checked with the value).
const optionsError = (operation: string, options: unknown): ArgumentError | undefined => {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return argumentError(operation, "options", "an options object ({ rank })", options)
  }
  const unknown = Object.keys(options).find((k) => k !== "rank")
  if (unknown !== undefined) {
    return new ArgumentError({
      operation,
      argument: "options",
      expected: "an object with the key rank",
      got: `the unknown key ${JSON.stringify(unknown)}`
    })
  }
  // a rank the types allow: "1" passed as 1 (the message read `{ rank: 1 } needs a tensor of
  // rank 1, got ... (rank 1)`), and -1 or 1.5 as ranks no tensor has
  const rank = (options as { readonly rank?: unknown }).rank
  return ranks.includes(rank as Rank) ? undefined : argumentError(operation, "options.rank", "0, 1, 2, 3 or 4", rank)
}

const ranks: ReadonlyArray<Rank> = [0, 1, 2, 3, 4]

// Why a value cannot be read as numbers of a rank (undefined: it can); `rank` undefined is
// `item`'s check, a size of one. The checks use the abstract value only, before any read.
const numbersError = (
  value: unknown,
  operation: string,
  rank: Rank | undefined
): ShapeError | DTypeError | undefined => {
  if (!(value instanceof Tensor)) {
    return new DTypeError({
      operation,
      detail: `reads a tensor as numbers, got ${
        value === null ? "null" : typeof value
      }; pytrees are read with toJs(tree)`
    })
  }
  const dtype = value.dtype
  if (dtype === "bool" || dtype === "complex64" || dtype === "complex128") {
    return new DTypeError({
      operation,
      detail: `reads int and float tensors as numbers, got ${
        summary(value)
      } (${dtype}); read it with toJs(tensor) (booleans or { re, im })`
    })
  }
  if (rank === undefined) {
    if (value.size === 1) return undefined
    return new ShapeError({
      operation,
      detail: `can only convert a tensor of size 1 to a number, got ${summary(value)} (size ${value.size})`
    })
  }
  if (value.shape.length === rank) return undefined
  return new ShapeError({
    operation,
    detail: `{ rank: ${rank} } needs a tensor of rank ${rank}, got ${summary(value)} (rank ${value.shape.length})`
  })
}
