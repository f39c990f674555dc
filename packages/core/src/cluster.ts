/**
 * `cluster`: JAX's `jax.scipy.cluster`. Its `vq` namespace holds `vq`
 * (SciPy's `scipy.cluster.vq.vq`).
 *
 * @since 0.1.0
 */
export * as vq from "./internal/cluster/vq.js"
