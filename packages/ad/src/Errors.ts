/**
 * Typed failures of the differentiation API: the mistakes JAX reports with a
 * `TypeError` or `ValueError` (bad `argnums`, a non-scalar or integer output, an
 * integer input without `allowInt`, `hasAux` without a pair, mismatched tangents
 * or cotangents), as `Schema.TaggedError`s with JAX's messages.
 *
 * @since 0.1.0
 */
import type { CoreError, Tree } from "@diffect/core"
import { Schema } from "effect"
import type { UnboundAxisError } from "./Collectives.js"
import type { VmapError } from "./internal/batchingErrors.js"
import type { CustomRuleError, CustomVjpForwardModeError, NonLinearTransposeError } from "./internal/handlerErrors.js"

const ShapeSchema = Schema.Array(Schema.Number)
const fmtShape = (shape: ReadonlyArray<number>): string =>
  shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`

/**
 * `grad` of a function whose output is not a scalar (JAX's `_check_scalar`).
 * `shape` is the output's shape, or `null` when the output was not a tensor
 * (then `detail` describes it).
 *
 * @example
 * import { NonScalarOutputError } from "@diffect/ad"
 * new NonScalarOutputError({ shape: [3], detail: "" }).message
 * // "Gradient only defined for scalar-output functions. Output had shape: (3,). ..."
 *
 * @since 0.1.0
 */
export class NonScalarOutputError extends Schema.TaggedError<NonScalarOutputError>()("NonScalarOutputError", {
  shape: Schema.NullOr(ShapeSchema),
  detail: Schema.String
}) {
  override get message(): string {
    const head = "Gradient only defined for scalar-output functions."
    if (this.shape === null) return `${head} Output was ${this.detail}.`
    let size = 1
    for (const d of this.shape) size *= d
    // JAX's hint: a size-1 output only needs extracting; anything else needs reducing.
    const extract = size === 1
      ? `extract the scalar with output.reshape([])${this.shape.length === 1 ? " or output.at(0)" : ""}, `
      : ""
    return `${head} Output had shape: ${
      fmtShape(this.shape)
    }. To get the gradient, ${extract}reduce the output to a scalar with output.sum(), or use jacrev (or jacfwd) to differentiate a function with a non-scalar output.`
  }
}

/**
 * An input of the wrong dtype for a derivative (JAX's `_check_input_dtype_revderiv`
 * and `_check_input_dtype_jacfwd`):
 * - `"integer"`: an int/bool input to `grad`/`jacrev` without `allowInt`;
 * - `"holomorphic"`: `holomorphic: true` with a non-complex input;
 * - `"real"`: `jacfwd` with a non-real-floating input.
 *
 * @since 0.1.0
 */
export class InputDTypeError extends Schema.TaggedError<InputDTypeError>()("InputDTypeError", {
  transformation: Schema.String,
  dtype: Schema.String,
  kind: Schema.Literals(["integer", "holomorphic", "real"])
}) {
  override get message(): string {
    const name = this.transformation
    switch (this.kind) {
      case "holomorphic":
        return `${name} with holomorphic=True requires inputs with complex dtype, but got ${this.dtype}.`
      case "integer":
        return `${name} requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got ${this.dtype}. If you want to use Boolean- or integer-valued inputs, use vjp or set allowInt to true.`
      case "real":
        return `${name} requires real-valued inputs (input dtype that is a sub-dtype of np.floating), but got ${this.dtype}. For holomorphic differentiation, pass holomorphic=True. For differentiation of non-holomorphic functions involving complex inputs or integer inputs, use jvp directly.`
    }
  }
}

/**
 * An output of the wrong dtype for a derivative (JAX's `_check_output_dtype_revderiv`):
 * - `"complex"`: a complex output without `holomorphic`;
 * - `"integer"`: an integer or boolean output;
 * - `"holomorphic"`: `holomorphic: true` with a non-complex output.
 *
 * @since 0.1.0
 */
export class OutputDTypeError extends Schema.TaggedError<OutputDTypeError>()("OutputDTypeError", {
  transformation: Schema.String,
  dtype: Schema.String,
  kind: Schema.Literals(["complex", "integer", "holomorphic"])
}) {
  override get message(): string {
    const name = this.transformation
    switch (this.kind) {
      case "holomorphic":
        return `${name} with holomorphic=True requires outputs with complex dtype, but got ${this.dtype}.`
      case "complex":
        return `${name} requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got ${this.dtype}. For holomorphic differentiation, pass holomorphic=True. For differentiation of non-holomorphic functions involving complex outputs, use vjp directly.`
      case "integer":
        return `${name} requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got ${this.dtype}. For differentiation of functions with integer outputs, use vjp directly.`
    }
  }
}

/**
 * An invalid `argnums` (JAX's checks in `value_and_grad` and `_ensure_inbounds`):
 * - `"tooFewArguments"`: an index at or beyond the number of arguments;
 * - `"belowRange"`: a negative index below `-len(args)`;
 * - `"duplicate"`: an index given twice (JAX would silently differentiate one of them);
 * - `"empty"`: an empty array;
 * - `"notInteger"`: anything but an integer or an array of integers.
 *
 * @since 0.1.0
 */
export class ArgnumsError extends Schema.TaggedError<ArgnumsError>()("ArgnumsError", {
  argnums: Schema.String,
  nargs: Schema.Number,
  kind: Schema.Literals(["tooFewArguments", "belowRange", "duplicate", "empty", "notInteger"]),
  value: Schema.Number
}) {
  override get message(): string {
    switch (this.kind) {
      case "tooFewArguments":
        return `differentiating with respect to argnums=${this.argnums} requires at least ${
          this.value + 1
        } positional arguments to be passed by the caller, but got only ${this.nargs} positional arguments.`
      case "belowRange":
        return `argnums must have values greater than or equal to -len(args) and less than len(args), but got value ${this.value} for len(args) == ${this.nargs}.`
      case "duplicate":
        return `argnums must not repeat an argument, but got argnums=${this.argnums} (${this.value} appears more than once).`
      case "empty":
        return `argnums must be an integer or a non-empty array of integers, but got argnums=${this.argnums}.`
      case "notInteger":
        return `argnums must be an integer or an array of integers, but got argnums=${this.argnums}.`
    }
  }
}

/**
 * `hasAux: true` with a function that does not return a `[output, aux]` pair
 * (JAX's message from `ad.linearize`).
 *
 * @since 0.1.0
 */
export class AuxOutputError extends Schema.TaggedError<AuxOutputError>()("AuxOutputError", {
  got: Schema.String
}) {
  override get message(): string {
    return `expected function with aux output to return a two-element tuple, but got ${this.got}`
  }
}

/**
 * A value in a differentiated position (or a function's output) that is neither
 * a tensor, a JS number nor a boolean (JAX's "is not a valid JAX type").
 *
 * @since 0.1.0
 */
export class InvalidArgumentError extends Schema.TaggedError<InvalidArgumentError>()("InvalidArgumentError", {
  transformation: Schema.String,
  path: Schema.String,
  got: Schema.String
}) {
  override get message(): string {
    return `${this.transformation}: ${this.got} (${this.path}) is not a valid diffect type: expected a Tensor, a number or a boolean.`
  }
}

/**
 * Primals and tangents given to `jvp` that do not match (JAX's `_jvp` checks):
 * `"notArray"` (not arrays of arguments), `"structure"`, `"dtype"` or `"shape"`.
 *
 * @since 0.1.0
 */
export class TangentMismatchError extends Schema.TaggedError<TangentMismatchError>()("TangentMismatchError", {
  kind: Schema.Literals(["notArray", "structure", "dtype", "shape"]),
  primal: Schema.String,
  tangent: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    switch (this.kind) {
      case "notArray":
        return `primal and tangent arguments to jvp must be arrays of arguments; found ${this.primal} and ${this.tangent}.`
      case "structure":
        return `primal and tangent arguments to jvp must have the same tree structure; primals have tree structure ${this.primal} whereas tangents have tree structure ${this.tangent}.`
      case "dtype":
        return `primal and tangent arguments to jvp do not match; dtypes must be equal, or in case of int/bool primal dtype the tangent dtype must be float0. Got primal dtype ${this.primal} and so expected tangent dtype ${this.expected}, but got tangent dtype ${this.tangent} instead.`
      case "shape":
        return `jvp called with different primal and tangent shapes; Got primal shape ${this.primal} and tangent shape as ${this.tangent}`
    }
  }
}

/**
 * A cotangent given to a VJP function (or a tangent given to a linearized or
 * transposed function) whose tree structure or type does not match what the
 * function expects (JAX's "unexpected tree structure" and "unexpected JAX type"),
 * or a VJP function called with several arguments instead of one (`"arity"`).
 *
 * @since 0.1.0
 */
export class CotangentMismatchError extends Schema.TaggedError<CotangentMismatchError>()("CotangentMismatchError", {
  function: Schema.String,
  kind: Schema.Literals(["structure", "type", "arity"]),
  expected: Schema.String,
  got: Schema.String
}) {
  override get message(): string {
    if (this.kind === "arity") {
      return `The function returned by vjp applied to ${this.expected} was called with ${this.got} arguments, but functions returned by vjp must be called with a single argument corresponding to the single value returned by the function being differentiated (even if that returned value is an array or other container).`
    }
    if (this.kind === "structure") {
      return `unexpected tree structure of the argument to the ${this.function} function: expected ${this.expected} but got ${this.got}.`
    }
    if (this.function === "linearized") {
      // JAX's _lift_linearized message.
      return `linearized function called on tangent values inconsistent with the original primal values:\nGot tangent aval ${this.got} but expected ${this.expected}.`
    }
    return `unexpected type (e.g. shape/dtype) for argument to the ${this.function} function: got ${this.got}, but expected ${this.expected}.`
  }
}

/**
 * `linearTranspose` of a function whose dtypes it cannot transpose:
 * `"mixed"`: integer and inexact dtypes mixed (JAX's "linear_transpose only
 * supports ..."). `"integer"` is kept for compatibility and no longer raised:
 * integer -> integer maps are transposed on integers, as in JAX.
 *
 * @since 0.1.0
 */
export class LinearTransposeDTypeError extends Schema.TaggedError<LinearTransposeDTypeError>()(
  "LinearTransposeDTypeError",
  {
    kind: Schema.Literals(["mixed", "integer"]),
    inDTypes: Schema.Array(Schema.String),
    outDTypes: Schema.Array(Schema.String)
  }
) {
  override get message(): string {
    const sig = `[${this.inDTypes.join(", ")}] -> [${this.outDTypes.join(", ")}]`
    return this.kind === "mixed"
      ? `linearTranspose only supports [float or complex] -> [float or complex], and integer -> integer functions, but got ${sig}.`
      : `linearTranspose of integer -> integer functions is not supported yet, but got ${sig}. Convert the inputs to a floating dtype (np.astype) first.`
  }
}

/**
 * A transformation applied to something that is not a function (JAX's
 * `check_callable`).
 *
 * @since 0.1.0
 */
export class NotCallableError extends Schema.TaggedError<NotCallableError>()("NotCallableError", {
  transformation: Schema.String,
  got: Schema.String
}) {
  override get message(): string {
    return `${this.transformation}: Expected a callable value, got ${this.got}`
  }
}

/**
 * A function under a transformation returned an Effect that could not complete
 * synchronously (it waited on a timer, a promise, or another fiber). Tracing runs
 * user code synchronously, so such an Effect cannot be differentiated.
 *
 * @since 0.1.0
 */
export class AsyncEffectError extends Schema.TaggedError<AsyncEffectError>()("AsyncEffectError", {
  transformation: Schema.String
}) {
  override get message(): string {
    return `${this.transformation}: the function returned an Effect that cannot complete synchronously. Functions under a diffect transformation are traced synchronously: compute asynchronous inputs (files, timers, promises) before calling the transformed function, and pass them as arguments.`
  }
}

/**
 * The errors of the differentiation API.
 *
 * @since 0.1.0
 */
export type AdError =
  | NonScalarOutputError
  | InputDTypeError
  | OutputDTypeError
  | ArgnumsError
  | AuxOutputError
  | InvalidArgumentError
  | TangentMismatchError
  | CotangentMismatchError
  | LinearTransposeDTypeError
  | NotCallableError
  | AsyncEffectError

/**
 * Every typed failure a diffect transformation can report: the core's errors
 * (shapes, dtypes, tracers, backends, pytrees), the differentiation API's, the
 * handlers' (custom rules, transposition) and vmap's.
 *
 * @since 0.1.0
 */
export type DiffError =
  | CoreError
  | Tree.TreeStructureError
  | AdError
  | UnboundAxisError
  | VmapError
  | CustomRuleError
  | CustomVjpForwardModeError
  | NonLinearTransposeError
