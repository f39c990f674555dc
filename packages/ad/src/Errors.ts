/**
 * Typed failures of `@diffect/ad`, as `Schema.TaggedError`s with JAX's messages:
 * the mistakes JAX reports with a `TypeError` or `ValueError` (bad `argnums`, a
 * non-scalar or integer output, an integer input without `allowInt`, `hasAux`
 * without a pair, mismatched tangents or cotangents), vmap's and the named axes'
 * failures, and the handlers' (transposing something non-linear, malformed
 * custom rules). `DiffError` is the union of these and the core's, and
 * `diffErrors` the record of their classes by tag that the Effect shell uses to
 * tell a typed failure from a defect.
 *
 * @since 0.1.0
 */
import { coreErrors } from "@diffect/core"
import type { CoreError, ErrorClasses } from "@diffect/core"
import { Schema } from "effect"

const ShapeSchema = Schema.Array(Schema.Number)
const fmtShape = (shape: ReadonlyArray<number>): string =>
  shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`

/**
 * `grad` of a function whose output is not a scalar (JAX's `_check_scalar`).
 * `shape` is the output's shape, or `null` when the output was not a tensor
 * (then `detail` describes it).
 *
 * @example
 * import { NonScalarOutputError } from "diffect"
 * const e = new NonScalarOutputError({ shape: [3], detail: "" })
 * console.log(e.message) // Gradient only defined for scalar-output functions. Output had shape: (3,). ...
 *
 * @category Errors
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
 * - `"real"`: `jacfwd` with a non-real-floating input;
 * - `"numerical"`: a `float0` input to `grad`/`jacrev` (neither a number nor a bool).
 *
 * @category Errors
 * @since 0.1.0
 */
export class InputDTypeError extends Schema.TaggedError<InputDTypeError>()("InputDTypeError", {
  transformation: Schema.String,
  dtype: Schema.String,
  kind: Schema.Literals(["integer", "holomorphic", "real", "numerical"])
}) {
  override get message(): string {
    const name = this.transformation
    switch (this.kind) {
      case "numerical":
        return `${name} requires numerical-valued inputs (input dtype that is a sub-dtype of np.bool_ or np.number), but got ${this.dtype}.`
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
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
 * @category Errors
 * @since 0.1.0
 */
export class AsyncEffectError extends Schema.TaggedError<AsyncEffectError>()("AsyncEffectError", {
  transformation: Schema.String
}) {
  override get message(): string {
    return `${this.transformation}: the function returned an Effect that cannot complete synchronously. Functions under a diffect transformation are traced synchronously: compute asynchronous inputs (files, timers, promises) before calling the transformed function, and pass them as arguments.`
  }
}

// --- vmap and named axes

/**
 * A collective named an axis that no enclosing `vmap` binds. JAX's message.
 *
 * @example
 * import { np, psum, UnboundAxisError } from "diffect"
 * // Outside any vmap with axisName "batch":
 * try {
 *   psum(np.array([1, 2]), "batch")
 * } catch (e) {
 *   console.log(e instanceof UnboundAxisError) // true
 * }
 *
 * @category Errors
 * @since 0.1.0
 */
export class UnboundAxisError extends Schema.TaggedError<UnboundAxisError>()("UnboundAxisError", {
  axisName: Schema.String,
  available: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `unbound axis name: ${this.axisName}. The following axis names (e.g. defined by vmap) are available to collective operations: [${
      this.available.map((n) => `'${n}'`).join(", ")
    }]`
  }
}

/**
 * The mapped axes of vmap's arguments disagree in size, or no size can be
 * known (no mapped argument and no `axisSize`). JAX's `_mapped_axis_size` messages.
 *
 * @category Errors
 * @since 0.1.0
 */
export class VmapSizeError extends Schema.TaggedError<VmapSizeError>()("VmapSizeError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * An `inAxes` or `outAxes` entry outside the value's dimensions, or an axis spec
 * that is not an integer or `null`.
 *
 * @category Errors
 * @since 0.1.0
 */
export class VmapAxisError extends Schema.TaggedError<VmapAxisError>()("VmapAxisError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * An output that varies along the mapped axis where `outAxes` says `null`
 * (JAX's "vmap has mapped output but out_axes is None").
 *
 * @category Errors
 * @since 0.1.0
 */
export class VmapOutAxesError extends Schema.TaggedError<VmapOutAxesError>()("VmapOutAxesError", {
  axisName: Schema.NullOr(Schema.String),
  path: Schema.String,
  batchDim: Schema.Number
}) {
  override get message(): string {
    return this.axisName === null
      ? `vmap has mapped output but out_axes is None: at vmap out_axes${this.path}, got axis spec None but output was batched on axis ${this.batchDim}`
      : `vmap has mapped output (axis_name=${this.axisName}) but out_axes is None`
  }
}

/**
 * `inAxes`/`outAxes` whose structure is not a prefix of the arguments/outputs
 * (JAX's "vmap in_axes specification must be a tree prefix of the corresponding value").
 *
 * @category Errors
 * @since 0.1.0
 */
export class VmapSpecError extends Schema.TaggedError<VmapSpecError>()("VmapSpecError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * vmap's failures.
 *
 * @category Errors
 * @since 0.1.0
 */
export type VmapError = VmapSizeError | VmapAxisError | VmapOutAxesError | VmapSpecError

// --- the handlers: transposition and custom rules

/**
 * Transposition reached a primitive that is not linear in the operand being
 * transposed (JAX: "Transpose rule (for reverse-mode differentiation) for ... not
 * implemented" / "linear_transpose: ... not linear"). Raised by `linearTranspose`
 * on a non-linear function, and by reverse mode when a custom JVP rule is not
 * linear in its tangents.
 *
 * @category Errors
 * @since 0.1.0
 */
export class NonLinearTransposeError extends Schema.TaggedError<NonLinearTransposeError>()(
  "NonLinearTransposeError",
  { primitive: Schema.String, detail: Schema.String }
) {
  override get message(): string {
    return `Transpose rule (for reverse-mode differentiation) for '${this.primitive}' not implemented: ${this.detail}. Only functions linear in their inputs can be transposed; if this came from a custom JVP rule, its tangent output must be linear in the tangents.`
  }
}

/**
 * Differentiation of an output that has no derivative rule, as in JAX: the
 * eigenvectors of `eig` (`np.linalg.eig`; differentiate `np.linalg.eigvals`
 * instead, whose eigenvalues have JAX's rule). JAX's message.
 *
 * @category Errors
 * @since 0.1.0
 */
export class DerivativeNotImplementedError extends Schema.TaggedError<DerivativeNotImplementedError>()(
  "DerivativeNotImplementedError",
  { primitive: Schema.String, detail: Schema.String }
) {
  override get message(): string {
    return `${this.primitive}: ${this.detail}`
  }
}

/**
 * Reverse-mode differentiation (`grad`, `vjp`) of a `lax.whileLoop` or a
 * `lax.foriLoop` with traced bounds: the number of iterations is not known
 * when the backward pass is built. JAX's message.
 *
 * @category Errors
 * @since 0.1.0
 */
export class WhileLoopReverseModeError extends Schema.TaggedError<WhileLoopReverseModeError>()(
  "WhileLoopReverseModeError",
  {}
) {
  override get message(): string {
    return "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop."
  }
}

/**
 * A derivative JAX implements only for scatters whose indices do not repeat
 * (`scatter_mul` in its updates): pass `uniqueIndices: true` when they do not.
 * JAX's message.
 *
 * @category Errors
 * @since 0.1.0
 */
export class UniqueIndicesError extends Schema.TaggedError<UniqueIndicesError>()(
  "UniqueIndicesError",
  { primitive: Schema.String, detail: Schema.String }
) {
  override get message(): string {
    return `${this.primitive} gradients are only implemented if \`unique_indices=True\` (${this.detail}); pass { uniqueIndices: true } when the indices do not repeat`
  }
}

/**
 * Forward-mode differentiation (`jvp`, `jacfwd`, or evaluating `linearize`'s
 * linear function) of a function defined with `customVjp`, which only has a
 * reverse-mode rule. JAX's message.
 *
 * @category Errors
 * @since 0.1.0
 */
export class CustomVjpForwardModeError extends Schema.TaggedError<CustomVjpForwardModeError>()(
  "CustomVjpForwardModeError",
  { name: Schema.String }
) {
  override get message(): string {
    return `can't apply forward-mode autodiff (jvp) to a custom_vjp function (${this.name}): it only defines a reverse-mode rule. Use customJvp to define a rule that works in both modes.`
  }
}

/**
 * A custom differentiation rule returned something of the wrong structure: a
 * wrong number of outputs, tangents or cotangents, or shapes/dtypes that do not
 * match the primal values (JAX's custom_jvp / custom_vjp rule checks).
 *
 * @category Errors
 * @since 0.1.0
 */
export class CustomRuleError extends Schema.TaggedError<CustomRuleError>()("CustomRuleError", {
  name: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `Custom differentiation rule of ${this.name}: ${this.detail}`
  }
}

/**
 * A static argument of `jit` that cannot be a cache key (JAX: "Non-hashable
 * static arguments are not supported"): tensors, class instances and other
 * objects compared by identity. Static arguments may be numbers, strings,
 * booleans, `null`, `undefined`, bigints, functions (compared by identity), and
 * arrays and plain records of those (compared by value, like tuples).
 *
 * @example
 * import { UnhashableStaticArgError } from "diffect"
 * const e = new UnhashableStaticArgError({ argnum: 1, got: "ConcreteTensor" })
 * console.log(e.message) // Non-hashable static arguments are not supported. ...
 *
 * @category Errors
 * @since 0.1.0
 */
export class UnhashableStaticArgError extends Schema.TaggedError<UnhashableStaticArgError>()(
  "UnhashableStaticArgError",
  { argnum: Schema.Number, got: Schema.String }
) {
  override get message(): string {
    return `Non-hashable static arguments are not supported. An error occurred while trying to hash an object of type ${this.got}, argument ${this.argnum} of the jitted function. Static arguments must be numbers, strings, booleans, null, undefined, bigints, functions, or arrays and plain records of these; pass arrays (tensors) as traced arguments instead.`
  }
}

/**
 * `staticArgnums` of `jit` naming a position the call does not have, or not
 * integers (JAX's "jitted function has static_argnums=... but was called with
 * only ... positional arguments").
 *
 * @example
 * import { JitArgnumsError } from "diffect"
 * const e = new JitArgnumsError({ detail: "staticArgnums must be integers, got 0.5." })
 * console.log(e.message) // staticArgnums must be integers, got 0.5.
 *
 * @category Errors
 * @since 0.1.0
 */
export class JitArgnumsError extends Schema.TaggedError<JitArgnumsError>()("JitArgnumsError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * A call of a function compiled ahead of time (`jit(f).lower(...).compile()`)
 * that does not fit what it was compiled for (JAX's `TypeError`s of
 * `Compiled.__call__`): another argument structure or count, other argument
 * types, a traced argument (a transformation applied to it), or another
 * backend.
 *
 * @example
 * import { CompiledCallError } from "diffect"
 * const e = new CompiledCallError({ detail: "Argument types differ from the types for which this computation was compiled." })
 * console.log(e.message) // Argument types differ from the types for which this computation was compiled.
 *
 * @category Errors
 * @since 0.1.0
 */
export class CompiledCallError extends Schema.TaggedError<CompiledCallError>()("CompiledCallError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * jit's errors.
 *
 * @category Errors
 * @since 0.1.0
 */
export type JitError = UnhashableStaticArgError | JitArgnumsError | CompiledCallError

/**
 * The errors of the differentiation API.
 *
 * @category Errors
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
 * @category Errors
 * @since 0.1.0
 */
export type DiffError =
  | CoreError
  | AdError
  | UnboundAxisError
  | VmapError
  | JitError
  | CustomRuleError
  | CustomVjpForwardModeError
  | NonLinearTransposeError
  | WhileLoopReverseModeError
  | UniqueIndicesError
  | DerivativeNotImplementedError

/**
 * Every error class of diffect, by tag: total over `DiffError`, so an error
 * added to the union without a class here (or the reverse) does not compile.
 *
 * @example
 * import { diffErrors } from "diffect"
 * console.log(Object.keys(diffErrors).includes("NonScalarOutputError")) // true
 *
 * @category Errors
 * @since 0.1.0
 */
export const diffErrors: ErrorClasses<DiffError> = {
  ...coreErrors,
  NonScalarOutputError,
  InputDTypeError,
  OutputDTypeError,
  ArgnumsError,
  AuxOutputError,
  InvalidArgumentError,
  TangentMismatchError,
  CotangentMismatchError,
  LinearTransposeDTypeError,
  NotCallableError,
  AsyncEffectError,
  UnboundAxisError,
  VmapSizeError,
  VmapAxisError,
  VmapOutAxesError,
  VmapSpecError,
  UnhashableStaticArgError,
  JitArgnumsError,
  CompiledCallError,
  CustomRuleError,
  CustomVjpForwardModeError,
  NonLinearTransposeError,
  WhileLoopReverseModeError,
  UniqueIndicesError,
  DerivativeNotImplementedError
}

/**
 * Whether `u` is one of diffect's typed errors (to be put in the error channel)
 * rather than a defect: an instance of the class `diffErrors` files under its
 * tag, so a user's own tagged error of the same name is not mistaken for one.
 *
 * @example
 * import { isDiffError, ShapeError } from "diffect"
 * console.log(isDiffError(new ShapeError({ operation: "add", detail: "" }))) // true
 * console.log(isDiffError(new Error("boom"))) // false
 *
 * @category Errors
 * @since 0.1.0
 */
export const isDiffError = (u: unknown): u is DiffError => {
  if (!(u instanceof Error)) return false
  const tag: unknown = (u as { readonly _tag?: unknown })._tag
  return typeof tag === "string" && Object.hasOwn(diffErrors, tag) &&
    u instanceof diffErrors[tag as DiffError["_tag"]]
}
