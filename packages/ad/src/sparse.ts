/**
 * `sparse`: JAX's `jax.scipy.sparse` (its `linalg` iterative solvers).
 *
 * @since 0.1.0
 */
export * as linalg from "./SparseLinalg.js"
