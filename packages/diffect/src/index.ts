/**
 * diffect: composable, effect-based automatic differentiation.
 *
 * The facade users import. Shared file: append exports.
 *
 * @since 0.1.0
 */
export * from "@diffect/ad"
export * from "@diffect/backend-typed-array"
export * from "@diffect/backend-webgpu"
export * from "@diffect/core"
export * from "@diffect/nn"
export * as optim from "@diffect/optim"
export * from "./Run.js"
