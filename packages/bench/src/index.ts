/**
 * @diffect/bench: benchmarks of diffect against TensorFlow.js and jax-js.
 * Run with `pnpm bench`; this module exports the harness for reuse.
 *
 * @since 0.1.0
 */
export * from "./Bench.js"
export * from "./Cases.js"
export * from "./Harness.js"
export * from "./Library.js"
export * from "./Report.js"
