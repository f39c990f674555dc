/**
 * `np`: NumPy's names over `lax` (JAX's `jax.numpy`), with NumPy broadcasting
 * and JAX's dtype promotion. The functions live in topic modules (np.ts holds
 * the core set; internal/np/ the rest) and are all re-exported here as one
 * namespace, so a topic module can use the core set without an import cycle.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cumprod(np.array([1, 2, 3])))) // [1, 2, 6]
 *
 * @since 0.1.0
 */
export * from "./internal/np/aliases.js"
export * from "./internal/np/arrays.js"
export * from "./internal/np/cumulative.js"
export * from "./internal/np/histograms.js"
export * from "./internal/np/integer.js"
export * from "./internal/np/linear.js"
export * from "./internal/np/math.js"
export * from "./internal/np/misc.js"
export * from "./internal/np/polynomial.js"
export * from "./internal/np/sets.js"
export * from "./internal/np/shapes.js"
export * from "./internal/np/signal.js"
export * from "./internal/np/sorting.js"
export * from "./internal/np/stats.js"
export * as linalg from "./linalg.js"
export * from "./np.js"
// the one- and three-argument `where` (np.ts keeps the three-argument one for the topic modules)
export { where } from "./internal/np/misc.js"
/** `np.fft`: JAX's `jax.numpy.fft`. @since 0.1.0 */
export * as fft from "./internal/np/fft.js"
