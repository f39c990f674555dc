/**
 * `debugNans` and `debugInfs` (JAX's `jax_debug_nans` and `jax_debug_infs`):
 * every operation's floating-point results checked, the first NaN (or
 * infinity) a `FloatingPointError` naming the operation that produced it.
 *
 * @since 0.1.0
 */
import { Context, Effect, Fiber } from "effect"
import { isComplex, isFloating } from "./DType.js"
import { FloatingPointError } from "./Errors.js"
import { hostView } from "./HostCallback.js"
import type { Tensor } from "./Tensor.js"

/** Which values the checks refuse. @category Debugging @since 0.1.0 */
export interface FloatChecks {
  readonly nans: boolean
  readonly infs: boolean
}

/**
 * The checks in force in this context (none unless provided by
 * {@link debugNans} or {@link debugInfs}).
 *
 * @category Debugging
 * @since 0.1.0
 */
export const FloatChecks: Context.Reference<FloatChecks> = Context.Reference<FloatChecks>("diffect/FloatChecks", {
  defaultValue: () => ({ nans: false, infs: false })
})

// How many fibers run with checks now: eager operations read the fiber's context only then.
let checking = 0

const withChecks = <A, E, R>(self: Effect.Effect<A, E, R>, add: Partial<FloatChecks>): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => checking++),
    () => Effect.flatMap(FloatChecks, (current) => Effect.provideService(self, FloatChecks, { ...current, ...add })),
    () => Effect.sync(() => checking--)
  )

/**
 * Runs `self` checking the results of every operation for NaN (JAX's
 * `jax_debug_nans`): the first one is a `FloatingPointError` naming the
 * primitive that produced it. Eager operations (and the primal and backward
 * passes of `grad` and the other transformations, which run them) are checked
 * one by one; a jitted function's results are checked when it returns, and a
 * NaN there reruns the function op by op to name the operation (JAX's
 * de-optimized rerun). Only for debugging: every result is read back.
 *
 * @example
 * import { Effect } from "effect"
 * import { debugNans, eager, np, TypedArrayBackend } from "diffect"
 * // (eager: the operation's error as the program's failure)
 * const program = eager(() => np.log(np.subtract(np.array([1, 2]), 2)))
 * const failure = Effect.runSync(Effect.flip(debugNans(program).pipe(Effect.provide(TypedArrayBackend.layer))))
 * console.log(failure.message) // invalid value (nan) encountered in log
 *
 * @category Debugging
 * @since 0.1.0
 */
export const debugNans = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | FloatingPointError, R> =>
  withChecks(self, { nans: true }) as Effect.Effect<A, E | FloatingPointError, R>

/**
 * {@link debugNans} for infinities (JAX's `jax_debug_infs`): the first
 * infinite result is a `FloatingPointError`. Combine both with
 * `debugNans(debugInfs(program))`.
 *
 * @example
 * import { Effect } from "effect"
 * import { debugInfs, eager, np, TypedArrayBackend } from "diffect"
 * const program = eager(() => np.divide(np.array([1, 2]), np.array([1, 0])))
 * const failure = Effect.runSync(Effect.flip(debugInfs(program).pipe(Effect.provide(TypedArrayBackend.layer))))
 * console.log(failure.message) // invalid value (inf) encountered in div
 *
 * @category Debugging
 * @since 0.1.0
 */
export const debugInfs = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | FloatingPointError, R> =>
  withChecks(self, { infs: true }) as Effect.Effect<A, E | FloatingPointError, R>

/**
 * The checks in force for the running fiber, or `undefined` when there are
 * none (the common case costs one comparison).
 *
 * @category Debugging
 * @since 0.1.0
 */
export const activeChecks = (): FloatChecks | undefined => {
  if (checking === 0) return undefined
  const fiber = Fiber.getCurrent()
  if (fiber === undefined) return undefined
  const checks = Context.get(fiber.context as Context.Context<never>, FloatChecks)
  return checks.nans || checks.infs ? checks : undefined
}

/**
 * Which value `checks` refuses first among `outputs` (floating dtypes only;
 * values a backend reads only asynchronously are not checked), or `undefined`.
 *
 * @category Debugging
 * @since 0.1.0
 */
export const invalidValue = (outputs: ReadonlyArray<Tensor>, checks: FloatChecks): "nan" | "inf" | undefined => {
  for (const t of outputs) {
    if (!(isFloating(t.dtype) || isComplex(t.dtype))) continue
    const host = hostView(t)
    if (host === undefined) continue
    for (let i = 0; i < host.length; i++) {
      const v = host[i]!
      if (checks.nans && Number.isNaN(v)) return "nan"
      if (checks.infs && (v === Infinity || v === -Infinity)) return "inf"
    }
  }
  return undefined
}

/**
 * Throws the `FloatingPointError` of `primitive` when `checks` refuses one of
 * its `outputs`.
 *
 * @category Debugging
 * @since 0.1.0
 */
export const checkOutputs = (primitive: string, outputs: ReadonlyArray<Tensor>, checks: FloatChecks): void => {
  const value = invalidValue(outputs, checks)
  if (value !== undefined) throw new FloatingPointError({ primitive, value, detail: "" })
}
