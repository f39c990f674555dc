/**
 * `ensureCompileTimeEval` (JAX's `jax.ensure_compile_time_eval`): inside a
 * jitted function (or any staging), computations on concrete values run now,
 * while tracing, instead of being staged into the program.
 *
 * @since 0.1.0
 */
import { withDynamicHandler } from "@diffect/core"

/**
 * Runs `thunk` with no staging handler in charge of values that no
 * transformation traces (JAX's `jax.ensure_compile_time_eval()`): inside a
 * jitted function or a control-flow body, operations on constants compute
 * their values while the function is traced (so they can steer JS control
 * flow, or be folded once rather than computed on every call), where they
 * would otherwise be staged like every operation. Operations on traced values
 * (the jitted function's arguments, or anything computed from them) are still
 * staged. Outside any staging it just runs `thunk`.
 *
 * `thunk` must compute synchronously: an Effect it returns is run after the
 * staging handler is back in charge.
 *
 * @example
 * import { ensureCompileTimeEval, jit, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const f = jit((x: Tensor) => {
 *   // computed while tracing, so its value steers the branch (it would be a ConcretizationError otherwise)
 *   const positive = ensureCompileTimeEval(() => toJsSync(np.greater(np.sin(np.sin(np.array(3))), 0)))
 *   return positive ? np.sin(x) : np.cos(x)
 * })
 * console.log(toJsSync(runSync(f(np.array(0))))) // 0
 *
 * @category Compilation
 * @since 0.1.0
 */
export const ensureCompileTimeEval = <A>(thunk: () => A): A => withDynamicHandler(undefined, thunk)
