/**
 * The `Backend` service: where kernels run and data lives. The typed-array (CPU)
 * layer and the WebGPU layer both provide it. This module also selects the
 * active backend (`activeBackend`, `withBackend`, `setDefaultBackend`).
 *
 * The interface is shaped for an asynchronous device: `execute` enqueues a kernel
 * and returns output buffers at once (the work may still be pending); `read` is an
 * Effect that waits for the data. A synchronous backend may also offer `readSync`.
 *
 * @since 0.1.0
 */
import { Context, Fiber } from "effect"
import type { Effect } from "effect"
import type { AbstractValue } from "./AbstractValue.js"
import type { DType, HostArray } from "./DType.js"
import type { BackendError, UnsupportedDTypeError } from "./Errors.js"
import type { Params, Primitive } from "./Primitive.js"

/**
 * A buffer owned by one backend. Opaque to the core; each backend extends it.
 *
 * @since 0.1.0
 */
export interface DeviceBuffer {
  readonly backend: BackendShape
}

/**
 * What a backend provides.
 *
 * @since 0.1.0
 */
export interface BackendShape {
  readonly name: string
  /** Whether buffers of this dtype can live here (float64 on WebGPU cannot). */
  readonly supportsDType: (dtype: DType) => boolean
  /**
   * Adopts host data (diffect's storage layout: complex interleaved, bool as bytes).
   * Throws `UnsupportedDTypeError` for dtypes it cannot hold.
   */
  readonly fromHost: (data: HostArray, aval: AbstractValue) => DeviceBuffer
  /**
   * Enqueues primitive `primitive` on `inputs` (already validated by abstract
   * evaluation, whose results are `outAvals`) and returns the output buffers.
   */
  readonly execute: <P extends Primitive>(
    primitive: P,
    inputs: ReadonlyArray<DeviceBuffer>,
    inAvals: ReadonlyArray<AbstractValue>,
    params: Params<P>,
    outAvals: ReadonlyArray<AbstractValue>
  ) => ReadonlyArray<DeviceBuffer>
  /** Reads a buffer back to host memory, in storage layout. */
  readonly read: (buffer: DeviceBuffer, aval: AbstractValue) => Effect.Effect<HostArray, BackendError>
  /** Synchronous read, for backends whose memory is host memory. */
  readonly readSync?: (buffer: DeviceBuffer, aval: AbstractValue) => HostArray
}

/**
 * The backend service.
 *
 * @example
 * import { Backend, TypedArrayBackend } from "diffect"
 * import { Effect } from "effect"
 * const backendName = Effect.gen(function*() {
 *   const backend = yield* Backend
 *   return backend.name
 * })
 * console.log(await Effect.runPromise(backendName.pipe(Effect.provide(TypedArrayBackend.layer)))) // typed-array
 *
 * @since 0.1.0
 */
export class Backend extends Context.Service<Backend, BackendShape>()("diffect/Backend") {}

/** Errors a backend may raise while running. @since 0.1.0 */
export type BackendFailure = BackendError | UnsupportedDTypeError

let currentBackend: BackendShape | undefined
let defaultBackend: BackendShape | undefined

/**
 * The backend that evaluates primitives now: the one installed for a synchronous
 * run (`withBackend`), else the running fiber's `Backend` service, else the default
 * (the facade installs the typed-array backend), else none.
 *
 * @since 0.1.0
 */
export const activeBackend = (): BackendShape | undefined => currentBackend ?? fiberBackend() ?? defaultBackend

// Eager operations written directly in an `Effect.gen` body run inside a fiber: they use the
// fiber's `Backend`, so `Effect.provide(WebGpuBackend.layer)` covers them too.
const fiberBackend = (): BackendShape | undefined => {
  const fiber = Fiber.getCurrent()
  return fiber === undefined ? undefined : Context.getOrUndefined(fiber.context as Context.Context<Backend>, Backend)
}

/**
 * Runs synchronous `thunk` with `backend` evaluating primitives.
 *
 * @since 0.1.0
 */
export const withBackend = <A>(backend: BackendShape, thunk: () => A): A => {
  const saved = currentBackend
  currentBackend = backend
  try {
    return thunk()
  } finally {
    currentBackend = saved
  }
}

/**
 * Sets the backend used by eager operations outside any Effect (scripts, the
 * REPL). The `diffect` facade sets the typed-array backend.
 *
 * @since 0.1.0
 */
export const setDefaultBackend = (backend: BackendShape): void => {
  defaultBackend = backend
}
