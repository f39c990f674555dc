/**
 * Typed failures raised by the differentiation handlers themselves (not by the
 * public API's argument checks): reverse mode on something that is not linear,
 * forward mode through a `customVjp` function, malformed custom rules.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Transposition reached a primitive that is not linear in the operand being
 * transposed (JAX: "Transpose rule (for reverse-mode differentiation) for ... not
 * implemented" / "linear_transpose: ... not linear"). Raised by `linearTranspose`
 * on a non-linear function, and by reverse mode when a custom JVP rule is not
 * linear in its tangents.
 *
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
 * Forward-mode differentiation (`jvp`, `jacfwd`, or evaluating `linearize`'s
 * linear function) of a function defined with `customVjp`, which only has a
 * reverse-mode rule. JAX's message.
 *
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
