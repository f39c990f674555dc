/**
 * `signal`: JAX's `jax.scipy.signal`. Convolutions and cross-correlations
 * (direct, N-dimensional, by `conv_general_dilated`; or by FFTs), `detrend`,
 * and the spectral estimates `stft`, `istft`, `csd` and `welch` with SciPy's
 * defaults. SciPy's positional parameters after the arrays are options
 * (`signal.convolve(a, b, { mode: "same" })`). Everything is built from `lax`
 * and `np`, so it differentiates, batches and compiles.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * console.log(toJsSync(signal.convolve(np.array([1, 1, 1]), np.array([1, 2])))) // [1, 3, 3, 2]
 *
 * @since 0.1.0
 */
export * from "./internal/signal/convolve.js"
export * from "./internal/signal/detrend.js"
export * from "./internal/signal/istft.js"
export * from "./internal/signal/spectral.js"
export type { Window } from "./internal/signal/windows.js"
