/**
 * Typed failures of the core: shapes, dtypes, indices, tracers, backends.
 * Every error is a `Schema.TaggedError`, so it is both a value in an Effect's
 * error channel and a throwable `Error` with a clear message.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const ShapeSchema = Schema.Array(Schema.Number)
const fmt = (shape: ReadonlyArray<number>): string => shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`

/**
 * `operation: detail`, or the detail alone where it already opens with the operation's name (JAX's
 * own wording, quoted: "reshape dimensions must be a permutation ...", "cond requires at least
 * one branch"), which the prefix would only repeat.
 */
const withOperation = (operation: string, detail: string): string =>
  detail.startsWith(operation) && !/^[\w.]/.test(detail.slice(operation.length)) ? detail : `${operation}: ${detail}`

/**
 * Shapes that cannot be broadcast together (NumPy's rule).
 *
 * @category Errors
 * @since 0.1.0
 */
export class BroadcastError extends Schema.TaggedError<BroadcastError>()("BroadcastError", {
  shapes: Schema.Array(ShapeSchema)
}) {
  override get message(): string {
    return `Incompatible shapes for broadcasting: shapes=[${this.shapes.map(fmt).join(", ")}]`
  }
}

/** An axis outside `[-ndim, ndim)`. @category Errors @since 0.1.0 */
export class AxisError extends Schema.TaggedError<AxisError>()("AxisError", {
  axis: Schema.Number,
  ndim: Schema.Number
}) {
  override get message(): string {
    return `axis ${this.axis} is out of bounds for array of dimension ${this.ndim}`
  }
}

/** An operation given operands of incompatible shapes. @category Errors @since 0.1.0 */
export class ShapeError extends Schema.TaggedError<ShapeError>()("ShapeError", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return withOperation(this.operation, this.detail)
  }
}

/** An operation given operands of unsupported or mismatched dtypes. @category Errors @since 0.1.0 */
export class DTypeError extends Schema.TaggedError<DTypeError>()("DTypeError", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return withOperation(this.operation, this.detail)
  }
}

/**
 * Arithmetic on `float0`, the tangent type of integer inputs. JAX's message.
 *
 * @category Errors
 * @since 0.1.0
 */
export class Float0OperationError extends Schema.TaggedError<Float0OperationError>()("Float0OperationError", {
  operation: Schema.String
}) {
  override get message(): string {
    return `${this.operation}: float0s do not support any operations by design, because they are not compatible with non-trivial vector spaces. No implicit dtype conversion is done. You can use np.zeros_like(x, { dtype: x.dtype }) to convert a float0 array to a zero array of the same shape.`
  }
}

/** An integer index outside an axis. @category Errors @since 0.1.0 */
export class IndexError extends Schema.TaggedError<IndexError>()("IndexError", {
  index: Schema.Number,
  axis: Schema.Number,
  size: Schema.Number
}) {
  override get message(): string {
    return `index ${this.index} is out of bounds for axis ${this.axis} with size ${this.size}`
  }
}

/**
 * A boolean mask index whose value is not known while tracing (JAX's
 * `NonConcreteBooleanIndexError`): the result's shape would depend on it.
 * Concrete masks work eagerly; under `jit`/`vmap` use `np.where`, or
 * `np.nonzero` with a static `size`.
 *
 * @category Errors
 * @since 0.1.0
 */
export class NonConcreteBooleanIndexError
  extends Schema.TaggedError<NonConcreteBooleanIndexError>()("NonConcreteBooleanIndexError", {
    aval: Schema.String
  })
{
  override get message(): string {
    return `Array boolean indices must be concrete; got ${this.aval}. The shape of the result depends on the mask's values: use np.where(mask, x, other), or np.nonzero(mask, { size }) with a static size`
  }
}

/** Input that is not an array: ragged nesting, non-numeric entries, unknown dtype names. @category Errors @since 0.1.0 */
export class InvalidArrayError extends Schema.TaggedError<InvalidArrayError>()("InvalidArrayError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * A tracer used after the transformation that made it has returned (JAX's
 * `UnexpectedTracerError`), e.g. one stored in a closure and used later.
 *
 * @category Errors
 * @since 0.1.0
 */
export class EscapedTracerError extends Schema.TaggedError<EscapedTracerError>()("EscapedTracerError", {
  transformation: Schema.String
}) {
  override get message(): string {
    return `Encountered an unexpected tracer: a value traced by ${this.transformation} was used after that transformation returned. A function transformed by diffect must not save traced values in outer scopes.`
  }
}

/**
 * Asking for the concrete value of a traced value (JAX's `ConcretizationTypeError`):
 * reading it, or branching on it in JS, while a transformation is tracing it.
 *
 * @category Errors
 * @since 0.1.0
 */
export class ConcretizationError extends Schema.TaggedError<ConcretizationError>()("ConcretizationError", {
  detail: Schema.String
}) {
  override get message(): string {
    return `Abstract tracer value encountered where a concrete value is expected: ${this.detail}`
  }
}

/**
 * A control-flow construct used with values of the wrong kind or type (JAX's
 * `TypeError`s of `lax.cond`, `lax.switch`, `lax.while_loop`): a predicate
 * that is not a boolean scalar, an index that is not an integer, branches
 * whose outputs differ in structure or type, a loop carry whose type changes.
 *
 * @category Errors
 * @since 0.1.0
 */
export class ControlFlowError extends Schema.TaggedError<ControlFlowError>()("ControlFlowError", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return withOperation(this.operation, this.detail)
  }
}

/** A dtype the active backend cannot hold (float64 on WebGPU). @category Errors @since 0.1.0 */
export class UnsupportedDTypeError extends Schema.TaggedError<UnsupportedDTypeError>()("UnsupportedDTypeError", {
  backend: Schema.String,
  dtype: Schema.String
}) {
  override get message(): string {
    return `The ${this.backend} backend does not support dtype ${this.dtype}; diffect never downcasts silently. Convert explicitly (np.astype) or use a backend that supports it.`
  }
}

/**
 * A NaN (or, with `debugInfs`, an infinity) produced while `debugNans` checks
 * every operation's floating-point results (JAX's `FloatingPointError` under
 * `jax_debug_nans`): `primitive` is the operation that produced it, or a
 * jitted function whose op-by-op rerun did not reproduce it.
 *
 * @category Errors
 * @since 0.1.0
 */
export class FloatingPointError extends Schema.TaggedError<FloatingPointError>()("FloatingPointError", {
  primitive: Schema.String,
  value: Schema.Literals(["nan", "inf"]),
  detail: Schema.String
}) {
  override get message(): string {
    return `invalid value (${this.value}) encountered in ${this.primitive}${
      this.detail === "" ? "" : `. ${this.detail}`
    }`
  }
}

/** A failure inside a backend (device lost, out of memory, readback failed). @category Errors @since 0.1.0 */
export class BackendError extends Schema.TaggedError<BackendError>()("BackendError", {
  backend: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.backend} backend: ${this.detail}`
  }
}

/**
 * A tensor whose backend memory was released: made inside an ownership region
 * (a transformation, `Memory.scoped`) that closed without returning it, or
 * released with `Memory.release`. Never garbage data.
 *
 * @category Errors
 * @since 0.1.0
 */
export class ReleasedTensorError extends Schema.TaggedError<ReleasedTensorError>()("ReleasedTensorError", {
  tensor: Schema.String,
  region: Schema.String
}) {
  override get message(): string {
    // (the region says why: an explicit release, a donation, or a region that closed)
    if (this.region === "Memory.release") {
      return `${this.tensor} was released by Memory.release: its memory is freed, so it can no longer be read or used; release a tensor only after its last use`
    }
    if (this.region.includes("donat") || this.region.includes("carry")) {
      return `${this.tensor} was released by ${this.region}; a donated tensor can no longer be read or used`
    }
    return `${this.tensor} was released by ${this.region}: a tensor made inside a transformation or Memory.scoped lives only until it returns, unless it is part of the result (return it, or Memory.keep it)`
  }
}

/**
 * An allocation that would take a backend's live memory past the layer's
 * `memoryLimit`: a typed failure instead of a lost device.
 *
 * @category Errors
 * @since 0.1.0
 */
export class MemoryLimitError extends Schema.TaggedError<MemoryLimitError>()("MemoryLimitError", {
  backend: Schema.String,
  requested: Schema.Number,
  live: Schema.Number,
  limit: Schema.Number
}) {
  override get message(): string {
    return `${this.backend} backend: allocating ${this.requested} bytes with ${this.live} bytes live would exceed the layer's memoryLimit of ${this.limit} bytes (release tensors with Memory.scoped, or raise the limit)`
  }
}

/**
 * The tree's structure does not match the one expected (unflattening with the
 * wrong number of leaves, mapping over trees of different structures, a prefix
 * that is not a prefix).
 *
 * @category Errors
 * @since 0.1.0
 */
export class TreeStructureError extends Schema.TaggedError<TreeStructureError>()("TreeStructureError", {
  operation: Schema.String,
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return this.path === ""
      ? withOperation(this.operation, this.detail)
      : `${this.operation}: tree structure mismatch at ${this.path}: ${this.detail}`
  }
}

/**
 * An argument of the wrong kind (JAX's `TypeError`): a value where a tensor is
 * expected, a string axis, an options object that is not an object or has an
 * unknown key, an axis name that is not a string. `got` describes the value given.
 *
 * @example
 * import { ArgumentError } from "diffect"
 * const e = new ArgumentError({ operation: "sum", argument: "options", expected: "an options object", got: "the number 5" })
 * console.log(e.message) // sum: options must be an options object, got the number 5
 *
 * @category Errors
 * @since 0.1.0
 */
export class ArgumentError extends Schema.TaggedError<ArgumentError>()("ArgumentError", {
  operation: Schema.String,
  argument: Schema.String,
  expected: Schema.String,
  got: Schema.String
}) {
  override get message(): string {
    return `${this.operation}: ${this.argument} must be ${this.expected}, got ${this.got}`
  }
}

/**
 * Bytes that are not a valid safetensors file (a truncated header, bad JSON,
 * offsets outside the data, an unknown dtype).
 *
 * @category Errors
 * @since 0.1.0
 */
export class CheckpointFormatError extends Schema.TaggedError<CheckpointFormatError>()("CheckpointFormatError", {
  detail: Schema.String
}) {
  override get message(): string {
    return `Invalid safetensors data: ${this.detail}`
  }
}

/**
 * A checkpoint whose tensor names do not match the tree: a key the tree needs is
 * missing from the file, the file has keys the tree does not, two paths get one
 * name, or a leaf cannot be saved. `path` is the tree path (`Tree.keystr`).
 *
 * @category Errors
 * @since 0.1.0
 */
export class CheckpointKeyError extends Schema.TaggedError<CheckpointKeyError>()("CheckpointKeyError", {
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `Checkpoint${this.path === "" ? "" : ` at ${this.path}`}: ${this.detail}`
  }
}

/**
 * A tensor in a checkpoint that its schema rejects (another dtype or shape).
 *
 * @category Errors
 * @since 0.1.0
 */
export class CheckpointSchemaError extends Schema.TaggedError<CheckpointSchemaError>()("CheckpointSchemaError", {
  path: Schema.String,
  key: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `Checkpoint tensor "${this.key}" (at ${this.path === "" ? "the root" : this.path}): ${this.detail}`
  }
}

/**
 * An optimizer, transformation or schedule (`optim`) given an argument it cannot
 * use (a decay outside `[0, 1]`, a non-finite step size, a non-tensor leaf).
 * It lives with the core's errors so that, thrown inside a transformation or
 * `eager`, it is a typed failure like a bad `np` call, not a defect.
 *
 * @example
 * import { optim } from "diffect"
 * try {
 *   optim.sgd(Number.NaN)
 * } catch (e) {
 *   console.log((e as optim.OptimizerArgumentError).message) // scaleByLearningRate: `learningRate` must be a finite number, got NaN
 * }
 *
 * @category Errors
 * @since 0.1.0
 */
export class OptimizerArgumentError extends Schema.TaggedError<OptimizerArgumentError>()("OptimizerArgumentError", {
  function: Schema.String,
  argument: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.function}: \`${this.argument}\` ${this.detail}`
  }
}

/**
 * `update` called without `params` on an `optim` transformation that reads them
 * (`addDecayedWeights`, and so `adamw` and `lion`). optax's message.
 *
 * @category Errors
 * @since 0.1.0
 */
export class MissingParamsError extends Schema.TaggedError<MissingParamsError>()("MissingParamsError", {
  transformation: Schema.String
}) {
  override get message(): string {
    return `${this.transformation}: You are using a transformation that requires the current value of parameters, but you are not passing \`params\` when calling \`update\`.`
  }
}

/**
 * The errors of the core.
 *
 * @category Errors
 * @since 0.1.0
 */
export type CoreError =
  | ArgumentError
  | BroadcastError
  | AxisError
  | ShapeError
  | DTypeError
  | Float0OperationError
  | IndexError
  | NonConcreteBooleanIndexError
  | InvalidArrayError
  | EscapedTracerError
  | ConcretizationError
  | ControlFlowError
  | UnsupportedDTypeError
  | BackendError
  | FloatingPointError
  | ReleasedTensorError
  | MemoryLimitError
  | TreeStructureError
  | CheckpointFormatError
  | CheckpointKeyError
  | CheckpointSchemaError
  | OptimizerArgumentError
  | MissingParamsError

/**
 * A record of error classes keyed by their tags, total over the union `E`: the
 * compiler rejects a missing tag, an extra one, or a class filed under the wrong
 * tag. Each package's Errors module derives its set of tags from one of these.
 *
 * @category Errors
 * @since 0.1.0
 */
export type ErrorClasses<E extends { readonly _tag: string }> = {
  readonly [K in E["_tag"]]: abstract new(...args: never) => Extract<E, { readonly _tag: K }>
}

/**
 * Every error class of the core, by tag.
 *
 * @example
 * import { coreErrors } from "diffect"
 * console.log(Object.keys(coreErrors).includes("ShapeError")) // true
 *
 * @category Errors
 * @since 0.1.0
 */
export const coreErrors: ErrorClasses<CoreError> = {
  ArgumentError,
  BroadcastError,
  AxisError,
  ShapeError,
  DTypeError,
  Float0OperationError,
  IndexError,
  NonConcreteBooleanIndexError,
  InvalidArrayError,
  EscapedTracerError,
  ConcretizationError,
  ControlFlowError,
  UnsupportedDTypeError,
  BackendError,
  FloatingPointError,
  ReleasedTensorError,
  MemoryLimitError,
  TreeStructureError,
  CheckpointFormatError,
  CheckpointKeyError,
  CheckpointSchemaError,
  OptimizerArgumentError,
  MissingParamsError
}
