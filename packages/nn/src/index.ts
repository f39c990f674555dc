/**
 * @diffect/nn: the neural-network toolkit, JAX's `jax.nn` (activations,
 * softmax, attention, `nn.initializers`), JAX's `jax.random`, and optax's losses.
 *
 * Shared file: append exports, keep one line per module.
 *
 * @since 0.1.0
 */
export * as losses from "./losses.js"
export * as nn from "./nn.js"
export * as random from "./random.js"
