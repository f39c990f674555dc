/**
 * The backends of the test suites: the CPU backend, made the default for eager
 * operations by the vitest setup file (setup.ts) instead of by each test file, running
 * Effects on it, and whether WebGPU works on this machine.
 *
 * @since 0.1.0
 */
import { runSyncOn } from "@diffect/ad"
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend, type BackendShape, setDefaultBackend } from "@diffect/core"
import { assert } from "@effect/vitest"
import { Cause, Effect, Exit, Layer } from "effect"

/**
 * The CPU backend: the object `TypedArrayBackend.layer` provides (the diffect facade's
 * default too), so tensors computed eagerly in a test can be used by programs run with
 * that layer.
 *
 * @since 0.1.0
 */
export const cpu: BackendShape = Effect.runSync(Effect.provide(
  Effect.gen(function*() {
    return yield* Backend
  }),
  TypedArrayBackend.layer
))

/** Makes the CPU backend the default of eager operations (what setup.ts does). @since 0.1.0 */
export const useCpuByDefault = (): void => setDefaultBackend(cpu)

/** Provides the CPU backend's layer. @since 0.1.0 */
export const provideCpu = Effect.provide(TypedArrayBackend.layer)

/**
 * Runs an Effect synchronously on the CPU backend and returns its value; a failure is
 * thrown as the tagged error itself.
 *
 * @since 0.1.0
 */
export const run = <A, E>(effect: Effect.Effect<A, E, Backend>): A => runSyncOn(cpu, effect)

/**
 * The typed failure of an Effect run on the CPU backend (fails the test if it succeeds;
 * a defect is thrown).
 *
 * @since 0.1.0
 */
export const failure = <A, E>(effect: Effect.Effect<A, E, Backend>): E => {
  const exit = Effect.runSyncExit(Effect.provideService(effect, Backend, cpu))
  if (Exit.isSuccess(exit)) return assert.fail(`expected a failure, got the success ${String(exit.value)}`)
  const reason = exit.cause.reasons.find(Cause.isFailReason)
  if (reason !== undefined) return reason.error
  throw Cause.squash(exit.cause)
}

/**
 * Sets the environment Dawn's OpenGL ES backend needs on Mesa (a surfaceless EGL
 * platform), before any layer creates a GPU instance, so `pnpm test` needs none.
 *
 * @since 0.1.0
 */
export const prepareWebGpu = (): void => {
  process.env["EGL_PLATFORM"] ??= "surfaceless"
  process.env["XDG_RUNTIME_DIR"] ??= "/tmp"
}

let probe: Promise<string | undefined> | undefined

/**
 * Why the WebGPU tests are skipped on this machine, or `undefined` when they run: the
 * layer is built and released once. In CI (where Mesa is installed) an unavailable
 * adapter never skips: the WebGPU tests then fail loudly through their layer.
 *
 * @since 0.1.0
 */
export const webGpuSkipReason = (): Promise<string | undefined> => {
  prepareWebGpu()
  probe ??= Effect.runPromiseExit(Effect.scoped(Layer.build(WebGpuBackend.layer))).then((exit) => {
    if (Exit.isSuccess(exit) || process.env["CI"]) return undefined
    const reason = String(exit.cause)
    console.warn(`WebGPU tests skipped (no WebGPU adapter here, CI unset): ${reason}`)
    return reason
  })
  return probe
}
