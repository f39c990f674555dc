/**
 * `eager`: runs a block of eager array code as an Effect whose failures are
 * diffect's tagged errors, so `Effect.catchTag` handles a bad `np` call.
 *
 * Eager operations (`np.add(x, y)` outside any transformation) return tensors
 * and throw tagged errors, like NumPy raising. Thrown inside `Effect.gen`, such
 * an error would be a defect; `yield* eager(() => ...)` makes it a failure of
 * the error type `CoreError`. Any other exception stays a defect (a bug, not a
 * user input error). See docs/architecture.md, "Eager errors in Effect".
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { type CoreError, coreErrors } from "./Errors.js"

const classes: ReadonlyArray<abstract new(...args: never) => CoreError> = Object.values(coreErrors)

/**
 * Whether `u` is one of the core's tagged errors.
 *
 * @category Errors
 * @since 0.1.0
 */
export const isCoreError = (u: unknown): u is CoreError => classes.some((c) => u instanceof c)

/**
 * Runs `thunk` (eager array code) as an Effect: its value, or the core's tagged
 * error it threw as a typed failure. It runs when the Effect runs, on the
 * fiber's backend.
 *
 * @example
 * import { eager, np, runSync } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   return yield* eager(() => np.add(np.zeros(2), np.zeros(3)))
 * }).pipe(Effect.catchTag("BroadcastError", (e) => Effect.succeed(e.message)))
 * console.log(runSync(program)) // Incompatible shapes for broadcasting: shapes=[(2,), (3,)]
 *
 * @category Reading values
 * @since 0.1.0
 */
export const eager = <A>(thunk: () => A): Effect.Effect<A, CoreError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(thunk())
    } catch (e) {
      if (isCoreError(e)) return Effect.fail(e)
      throw e
    }
  })
