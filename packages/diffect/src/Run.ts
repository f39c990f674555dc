/**
 * Running diffect programs on the CPU: `runSync`, and the default backend that
 * makes eager operations work in plain scripts.
 *
 * @since 0.1.0
 */
import { runSyncOn } from "@diffect/ad"
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend, setDefaultBackend } from "@diffect/core"
import { Effect } from "effect"

// The typed-array layer provides one backend object; eager code uses that same object,
// so tensors computed eagerly can be passed to `runSync` programs without a copy.
const cpu = Effect.runSync(Effect.provide(
  Effect.gen(function*() {
    return yield* Backend
  }),
  TypedArrayBackend.layer
))

setDefaultBackend(cpu)

/**
 * Runs an Effect synchronously on the typed-array (CPU) backend and returns its
 * value. A failure is thrown as the tagged error itself (`ShapeError`,
 * `NonScalarOutputError`, ...), not wrapped, so `instanceof` and `_tag` work.
 *
 * @example
 * import { grad, np, runSync, type Tensor, toJsSync } from "diffect"
 * const g = runSync(grad((x: Tensor) => np.sum(np.square(x)))(np.array([1, 2])))
 * console.log(toJsSync(g)) // [2, 4]
 *
 * @category Reading values
 * @since 0.1.0
 */
export const runSync = <A, E>(effect: Effect.Effect<A, E, Backend>): A => runSyncOn(cpu, effect)

/**
 * The backend eager operations use in scripts (the typed-array backend object
 * that `TypedArrayBackend.layer` provides).
 *
 * @category Backends
 * @since 0.1.0
 */
export const defaultBackend = cpu
