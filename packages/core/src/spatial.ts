/**
 * `spatial`: JAX's `jax.scipy.spatial`. Its `transform` namespace holds
 * `Rotation` and `Slerp` (SciPy's `scipy.spatial.transform`).
 *
 * @since 0.1.0
 */
export * as transform from "./internal/spatial/rotation.js"
