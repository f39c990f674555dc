/**
 * `disableJit` (JAX's `jax.disable_jit`): jitted functions run op by op, for
 * debugging (a `console.log` in a jitted function then prints values, and
 * errors point at the operation that raised them).
 *
 * @since 0.1.0
 */
import { Context, Effect } from "effect"

/**
 * Whether jitted functions run op by op in this context (false unless
 * provided, for instance by {@link disableJit}).
 *
 * @category Compilation
 * @since 0.1.0
 */
export const JitDisabled: Context.Reference<boolean> = Context.Reference<boolean>("diffect/JitDisabled", {
  defaultValue: () => false
})

/**
 * Runs `self` with every jitted function inside it (at any depth, under any
 * transformation) calling its function directly instead of tracing and
 * compiling it, as JAX's `jax.disable_jit()` does: values can be read and
 * printed in the function, and the function runs again on every call. Static
 * and donated arguments are passed as they are (nothing is donated).
 *
 * @example
 * import { Effect } from "effect"
 * import { disableJit, jit, np, toJsSync, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * const seen: Array<unknown> = []
 * // reading a value inside a jitted function is a ConcretizationError, unless jit is disabled
 * const f = jit((x: Tensor) => {
 *   seen.push(toJsSync(x))
 *   return np.square(x)
 * })
 * const y = Effect.runSync(disableJit(f(np.array([1, 2]))).pipe(Effect.provide(TypedArrayBackend.layer)))
 * console.log(toJsSync(y), seen) // [1, 4] [[1, 2]]
 *
 * @category Compilation
 * @since 0.1.0
 */
export const disableJit = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => disabling++),
    () => Effect.provideService(self, JitDisabled, true),
    () => Effect.sync(() => disabling--)
  )

// How many fibers run under disableJit now: a jitted call reads its context only then.
let disabling = 0

/**
 * Whether jit is disabled in `context` (the running transformation's); one
 * comparison while no fiber runs under {@link disableJit}.
 *
 * @category Compilation
 * @since 0.1.0
 */
export const jitDisabledIn = (context: Context.Context<never> | undefined): boolean =>
  disabling > 0 && context !== undefined && Context.get(context, JitDisabled)
