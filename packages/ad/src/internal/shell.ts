/**
 * The Effect shell around the synchronous handler stack.
 *
 * A transformation's work (tracing the user's function, running the handlers)
 * is plain synchronous code that throws tagged errors. `transformation(name, body)`
 * wraps it as an `Effect<A, DiffError | E, Backend | R>`: it takes the `Backend`
 * from the context, installs it with `withBackend` for the synchronous run,
 * and turns thrown diffect errors into failures (anything else is a defect).
 * The outermost transformation is an ownership region (`Memory`): what its body
 * made and did not return is released when it returns.
 *
 * A body may also be a generator (`stepwise`): staged work (a backward pass)
 * yields between primitives, and the outermost transformation run as an Effect
 * gives the scheduler a turn every few milliseconds, so timers, other fibers
 * and interruption get in. Nested, such a body runs to the end at once.
 *
 * User functions may return an Effect (an inner `grad(f)(x)` does). `resolve`
 * runs such an Effect synchronously with the caller's context. Effects made by
 * this module remember their body, so a nested transformation runs it directly,
 * without a fiber: `grad(grad(f))` costs no more than two handlers.
 */
import {
  activeBackend,
  Backend,
  BackendError,
  currentNameStack,
  Memory,
  ScopedNameStack,
  withBackend,
  withNameStack
} from "@diffect/core"
import type { BackendShape, NameStack } from "@diffect/core"
import { installOutputResolver } from "@diffect/core/Staging"
import { Cause, Context, Effect, Exit } from "effect"
import { AsyncEffectError, isDiffError } from "../Errors.js"
import type { DiffError } from "../Errors.js"

// The synchronous body of every Effect made by `transformation`, by Effect object.
const syncBodies = new WeakMap<object, () => unknown>()

/** A failure of the user's own Effect, carried through the synchronous trace. */
class UserFailure {
  constructor(readonly error: unknown) {}
}

/** The user's own Effect was interrupted (`Effect.interrupt` in a traced function). */
class UserInterrupt {}

// The context of the running transformation, for user Effects that are not ours.
let currentContext: Context.Context<never> | undefined

/** The context of the transformation running now (its Effect's services), if any. */
export const runningContext = (): Context.Context<never> | undefined => currentContext

const label = "the transformation that made it"

// Runs one synchronous slice of a transformation: thrown diffect errors and the user's
// failures become failures, an interruption of the user's Effect an interruption.
const sliceSync = <A>(
  context: Context.Context<Backend>,
  body: () => A
): { readonly ok: true; readonly value: A } | {
  readonly ok: false
  readonly effect: Effect.Effect<never, unknown>
} => {
  const saved = currentContext
  currentContext = context as Context.Context<never>
  try {
    return { ok: true, value: withBackend(Context.get(context, Backend), body) }
  } catch (e) {
    if (e instanceof UserFailure) return { ok: false, effect: Effect.fail(e.error) }
    if (e instanceof UserInterrupt) return { ok: false, effect: Effect.interrupt }
    if (isDiffError(e)) return { ok: false, effect: Effect.fail(e) }
    return { ok: false, effect: Effect.die(e) }
  } finally {
    currentContext = saved
  }
}

const slice = <A>(context: Context.Context<Backend>, body: () => A): Effect.Effect<A, unknown> => {
  const r = sliceSync(context, body)
  return r.ok ? Effect.succeed(r.value) : r.effect
}

// The name stack a scope gave the Effect (`namedScope` around a transformation), if any.
const scopedStack = (context: Context.Context<Backend>): NameStack | undefined =>
  Context.get(context as Context.Context<never>, ScopedNameStack)

const runBody = <A>(context: Context.Context<Backend>, body: () => A): Effect.Effect<A, unknown> => {
  const stack = scopedStack(context)
  const tidy = () => Memory.tidy(body, { label })
  return slice(context, stack === undefined ? tidy : () => withNameStack(stack, tidy))
}

// Where the scheduler gets a turn: a timer (a macrotask), so pending timeouts fire first.
const SLICE_MS = 2
const turn = Effect.sleep(0)

/**
 * Staged work that yields between steps; its return value is the result. A
 * step may also yield an Effect to wait for (a device read: a `whileLoop`'s
 * predicate on WebGPU); the Effect's value is what that `yield` gives back.
 */
export type Steps<A> = Generator<void | Effect.Effect<unknown, unknown>, A, unknown>

/**
 * Runs steps to the end, synchronously. An Effect a step waits for must
 * complete synchronously (a CPU read does); one that cannot (a WebGPU read) is
 * a `BackendError`: only the outermost transformation, run as an Effect, can
 * wait for the device.
 */
export const drain = <A>(steps: Steps<A>): A => {
  let input: unknown = undefined
  for (;;) {
    const r = steps.next(input)
    if (r.done === true) return r.value
    input = r.value === undefined ? undefined : waitSync(r.value)
  }
}

const waitSync = (effect: Effect.Effect<unknown, unknown>): unknown => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw new BackendError({
    backend: activeBackend()?.name ?? "none",
    detail:
      "a staged loop needs a value read from the device, and this backend reads asynchronously: run the jitted function as the outermost Effect (not inside another transformation or a memory region)"
  })
}

// The outermost stepwise transformation: slices of at most SLICE_MS in its region, a turn
// of the scheduler between them (interruptible there); the region closes however it ends.
// Work that finishes in its first slice (a small compiled program) returns at once: no
// continuation or exit handler is built for it.
const runSteps = <A>(context: Context.Context<Backend>, body: () => Steps<A>): Effect.Effect<A, unknown> => {
  if (Memory.insideRegion()) return runBody(context, () => drain(body()))
  const session = new Memory.Session(label)
  let steps: Steps<A> | undefined
  let input: unknown = undefined
  // each slice runs in the scope's name stack, or in the one current when the work began
  const stack = scopedStack(context) ?? currentNameStack()
  const run = () =>
    session.run(() =>
      withNameStack(stack, () => {
        steps ??= body()
        const start = performance.now()
        for (;;) {
          const r = steps.next(input)
          input = undefined
          if (r.done === true) return { done: true as const, value: r.value }
          // a step waits for the device: the slice ends, the read resumes it
          if (r.value !== undefined) return { done: false as const, wait: r.value }
          if (performance.now() - start > SLICE_MS) return { done: false as const, wait: undefined }
        }
      })
    )
  type Slice = ReturnType<typeof run>
  const after = (r: Slice): Effect.Effect<A, unknown> =>
    r.done
      ? Effect.succeed(r.value)
      : r.wait !== undefined
      ? Effect.flatMap(r.wait, (value) => {
        input = value
        return next()
      })
      : Effect.flatMap(turn, next)
  const next = (): Effect.Effect<A, unknown> => Effect.flatMap(slice(context, run), after)
  const finish = (exit: Exit.Exit<A, unknown>) => {
    if (Exit.isFailure(exit)) steps?.return(undefined as never)
    session.finish(Exit.isSuccess(exit) ? Memory.collectTensors(exit.value, new Set()) : new Set())
  }
  const first = sliceSync(context, run)
  if (first.ok && first.value.done) {
    finish(Exit.succeed(first.value.value))
    return Effect.succeed(first.value.value)
  }
  const rest = first.ok ? after(first.value) : first.effect
  return rest.pipe(Effect.onExit((exit) => Effect.sync(() => finish(exit))))
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
  const owned = () => Memory.transformationBody(body)
  const effect = Effect.contextWith((context: Context.Context<Backend>) => runBody(context, owned))
  syncBodies.set(effect, owned)
  return effect as Effect.Effect<A, DiffError | E, Backend | R>
}

/**
 * A transformation whose body is a generator: it yields between the steps of
 * staged work (a backward pass), so that run as an Effect it can be
 * interrupted and lets timers and other fibers run (see the module docs).
 */
export const stepwise = <A, E = never, R = never>(
  body: () => Steps<A>
): Effect.Effect<A, DiffError | E, Backend | R> => {
  const effect = Effect.contextWith((context: Context.Context<Backend>) => runSteps(context, body))
  syncBodies.set(effect, () => drain(body()))
  return effect as Effect.Effect<A, DiffError | E, Backend | R>
}

/**
 * The value of a user function's result: the result itself, or, when it is an
 * Effect, the value of running it synchronously with the current context. Must
 * be called inside a transformation's body (or with a default backend). An
 * Effect that cannot complete synchronously is interrupted (its finalizers
 * run) and is an `AsyncEffectError`; one that was interrupted interrupts the
 * transformation.
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
      // inside a transformation the failure travels to its Effect's error channel; outside one
      // (eager control flow, checkpoint) the caller gets the user's own error, never the wrapper
      throw isDiffError(reason.error) || currentContext === undefined ? reason.error : new UserFailure(reason.error)
    }
  }
  for (const reason of exit.cause.reasons) {
    if (Cause.isDieReason(reason)) {
      if (Cause.isAsyncFiberError(reason.defect)) {
        // the fiber would go on detached, its later failures lost: stop it
        ;(reason.defect as { readonly fiber: { interruptUnsafe(): void } }).fiber.interruptUnsafe()
        throw new AsyncEffectError({ transformation: name })
      }
      throw reason.defect
    }
  }
  if (exit.cause.reasons.some(Cause.isInterruptReason)) throw new UserInterrupt()
  throw Cause.squash(exit.cause)
}

// Control flow's bodies and branches may be jitted functions (`lax.scan(jit(step), ...)`): their
// Effects run in place while the body is staged, as `checkpoint` runs its function's
installOutputResolver(resolve)

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
      return withBackend(backend, () => Memory.tidy(body, { label })) as A
    } catch (e) {
      if (e instanceof UserFailure) throw e.error
      if (e instanceof UserInterrupt) throw Cause.squash(Cause.interrupt())
      throw e
    }
  }
  const exit = Effect.runSyncExitWith(Context.make(Backend, backend))(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw Cause.squash(exit.cause)
}
