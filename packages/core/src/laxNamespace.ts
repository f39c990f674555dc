/**
 * The `lax` namespace as the facade exports it: the primitives of lax.ts and
 * `lax.linalg` (laxLinalg.ts), joined here so that neither module imports the
 * other's namespace (laxLinalg.ts is written with lax.ts).
 *
 * @since 0.1.0
 */
export * from "./internal/lax/bits.js"
export * from "./internal/lax/composite.js"
export * from "./internal/lax/convLocal.js"
export * from "./internal/lax/convolution.js"
export * from "./internal/lax/extras.js"
export * from "./internal/lax/fft.js"
export * from "./internal/lax/incomplete.js"
export * from "./internal/lax/more.js"
export * from "./internal/lax/platform.js"
export * from "./internal/lax/ragged.js"
export * from "./internal/lax/rng.js"
export * from "./internal/lax/scaledDot.js"
export * from "./internal/lax/scatterApply.js"
export * from "./internal/lax/sharding.js"
export * from "./internal/lax/special.js"
export * from "./internal/lax/stacking.js"
export * from "./internal/lax/stage.js"
export * from "./internal/lax/windowed.js"
export * from "./lax.js"
export * as linalg from "./laxLinalg.js"
