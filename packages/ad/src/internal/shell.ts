/**
 * The Effect shell around the synchronous handler stack.
 *
 * A transformation's work (tracing the user's function, running the handlers)
 * is plain synchronous code that throws tagged errors. `transformation(name, body)`
 * wraps it as an `Effect<A, DiffError | E, Backend | R>`: it takes the `Backend`
 * from the context, installs it with `withBackend` for the synchronous run,
 * and turns thrown diffect errors into failures (anything else is a defect).
 *
 * User functions may return an Effect (an inner `grad(f)(x)` does). `resolve`
 * runs such an Effect synchronously with the caller's context. Effects made by
 * this module remember their body, so a nested transformation runs it directly,
 * without a fiber: `grad(grad(f))` costs no more than two handlers.
 */
import { activeBackend, Backend, withBackend } from "@diffect/core"
import type { BackendShape } from "@diffect/core"
import { Cause, Context, Effect, Exit } from "effect"
import { AsyncEffectError, isDiffError } from "../Errors.js"
import type { DiffError } from "../Errors.js"

// The synchronous body of every Effect made by `transformation`, by Effect object.
const syncBodies = new WeakMap<object, () => unknown>()

/** A failure of the user's own Effect, carried through the synchronous trace. */
class UserFailure {
  constructor(readonly error: unknown) {}
}

// The context of the running transformation, for user Effects that are not ours.
let currentContext: Context.Context<never> | undefined

const runBody = <A>(context: Context.Context<Backend>, body: () => A): Effect.Effect<A, unknown> => {
  const saved = currentContext
  currentContext = context as Context.Context<never>
  try {
    return Effect.succeed(withBackend(Context.get(context, Backend), body))
  } catch (e) {
    if (e instanceof UserFailure) return Effect.fail(e.error)
    if (isDiffError(e)) return Effect.fail(e)
    return Effect.die(e)
  } finally {
    currentContext = saved
  }
}

// Outside an Effect (a synchronous run, a script with a default backend), user
// Effects still get the active backend.
const backendContext = (): Context.Context<never> => {
  const backend = activeBackend()
  return (backend === undefined ? Context.empty() : Context.make(Backend, backend)) as Context.Context<never>
}

/**
 * Wraps the synchronous `body` of a transformation as an Effect needing a `Backend`.
 * `E` and `R` are the error and requirements of the user's function, when it
 * returns an Effect.
 */
export const transformation = <A, E = never, R = never>(
  body: () => A
): Effect.Effect<A, DiffError | E, Backend | R> => {
  const effect = Effect.flatMap(Effect.context<Backend>(), (context) => runBody(context, body))
  syncBodies.set(effect, body)
  return effect as Effect.Effect<A, DiffError | E, Backend | R>
}

/**
 * The value of a user function's result: the result itself, or, when it is an
 * Effect, the value of running it synchronously with the current context. Must
 * be called inside a transformation's body (or with a default backend).
 */
export const resolve = (name: string, out: unknown): unknown => {
  if (!Effect.isEffect(out)) return out
  const body = syncBodies.get(out)
  if (body !== undefined) return body()
  const context = currentContext ?? backendContext()
  const exit = Effect.runSyncExitWith(context)(out as Effect.Effect<unknown, unknown>)
  if (Exit.isSuccess(exit)) return exit.value
  for (const reason of exit.cause.reasons) {
    if (Cause.isFailReason(reason)) {
      throw isDiffError(reason.error) ? reason.error : new UserFailure(reason.error)
    }
  }
  for (const reason of exit.cause.reasons) {
    if (Cause.isDieReason(reason)) {
      if (Cause.isAsyncFiberError(reason.defect)) throw new AsyncEffectError({ transformation: name })
      throw reason.defect
    }
  }
  throw Cause.squash(exit.cause)
}

/**
 * Runs an Effect made by a transformation synchronously on `backend`: directly
 * when it is one of ours, else through `Effect.runSyncExitWith`. Failures are
 * thrown as the tagged error itself. For scripts, tests and the facade's `runSync`.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const runSyncOn = <A, E>(backend: BackendShape, effect: Effect.Effect<A, E, Backend>): A => {
  const body = syncBodies.get(effect)
  if (body !== undefined) {
    try {
      return withBackend(backend, body) as A
    } catch (e) {
      if (e instanceof UserFailure) throw e.error
      throw e
    }
  }
  const exit = Effect.runSyncExitWith(Context.make(Backend, backend))(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}
