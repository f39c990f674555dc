/**
 * @diffect/optim: optimizers as composable gradient transformations (optax's
 * design) over pytrees of tensors, and learning-rate schedules.
 *
 * @since 0.1.0
 */
export * from "./Alias.js"
export * from "./Errors.js"
export * from "./GradientTransformation.js"
export * as Schedule from "./Schedule.js"
export * from "./Transform.js"
