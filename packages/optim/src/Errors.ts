/**
 * Typed failures of the optimizers: a bad argument to a constructor or a
 * schedule, a tree that is not made of tensors, a transformation that needs the
 * parameters called without them.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * An optimizer, transformation or schedule given an argument it cannot use
 * (a negative learning rate, a decay outside `[0, 1)`, a non-tensor leaf).
 *
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
 * `update` called without `params` on a transformation that reads them
 * (`addDecayedWeights`, and so `adamw` and `lion`). optax's message.
 *
 * @since 0.1.0
 */
export class MissingParamsError extends Schema.TaggedError<MissingParamsError>()("MissingParamsError", {
  transformation: Schema.String
}) {
  override get message(): string {
    return `${this.transformation}: You are using a transformation that requires the current value of parameters, but you are not passing \`params\` when calling \`update\`.`
  }
}
