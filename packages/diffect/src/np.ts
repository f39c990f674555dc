/**
 * The facade's `np`: core's `jax.numpy` port, and the two functions built on
 * `vmap` (`vectorize`, `applyAlongAxis`), which core cannot import.
 *
 * @since 0.1.0
 */
export { applyAlongAxis, vectorize } from "@diffect/ad"
export type { Vectorized, VectorizeOptions } from "@diffect/ad"
export { frompyfunc } from "@diffect/ad"
export type { Ufunc, UfuncReduceOptions } from "@diffect/ad"
export * from "@diffect/core/np"
