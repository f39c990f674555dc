/**
 * The WebGPU backend: kernels compiled to WGSL compute shaders, running on
 * `navigator.gpu` in a browser or on Dawn (the `webgpu` package) in Node.
 *
 * The layer acquires an adapter and a device in its scope; closing the scope
 * destroys every buffer the backend allocated and the device it created.
 * Between those, buffers whose tensors are garbage collected are freed by a
 * `FinalizationRegistry`: there is no `dispose`, `.ref` or `tidy`.
 *
 * @since 0.1.0
 */
import { Backend } from "@diffect/core"
import type { BackendShape } from "@diffect/core"
import { Context, Effect, Layer } from "effect"
import type { WebGpuUnavailableError } from "./Errors.js"
import { makeBackend } from "./internal/backend.js"
import { acquireDevice } from "./internal/device.js"
import type { DeviceSource } from "./internal/device.js"
import { Runtime } from "./internal/runtime.js"

/**
 * What the WebGPU layer exposes besides the `Backend`: the device, its
 * limits, and the backend's live GPU memory.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface WebGpuShape {
  readonly device: GPUDevice
  /** The adapter's vendor/architecture/description, for logs. */
  readonly description: string
  readonly limits: GPUSupportedLimits
  /** GPU buffers held by live tensors now: their count and total bytes. */
  readonly memory: () => { readonly buffers: number; readonly bytes: number }
  /** Submits the commands recorded so far (they are also submitted at the end of each synchronous section). */
  readonly flush: () => void
}

/**
 * The WebGPU device service, provided alongside `Backend` by the WebGPU layers.
 *
 * @example
 * import { WebGpu, WebGpuBackend } from "diffect"
 * import { Effect } from "effect"
 * const live = Effect.gen(function*() {
 *   const gpu = yield* WebGpu
 *   return gpu.memory().bytes
 * }).pipe(Effect.provide(WebGpuBackend.layer))
 * console.log(await Effect.runPromise(live)) // 0
 *
 * @category Backends
 * @since 0.1.0
 */
export class WebGpu extends Context.Service<WebGpu, WebGpuShape>()("diffect/WebGpu") {}

/**
 * Where the layer's device comes from: a `GPU` (such as `navigator.gpu`, or the
 * `webgpu` package's `create([...])`), an adapter, or a ready device. A device
 * passed in is not destroyed when the scope closes (its buffers are).
 *
 * @category Backends
 * @since 0.1.0
 */
export type WebGpuSource = DeviceSource

const make = (source: WebGpuSource | undefined) =>
  Effect.gen(function*() {
    const acquired = yield* acquireDevice(source)
    const runtime = yield* Effect.acquireRelease(
      Effect.sync(() => new Runtime(acquired.device)),
      (runtime) => Effect.sync(() => runtime.close(acquired.owned))
    )
    const backend: BackendShape = makeBackend(runtime)
    const gpu: WebGpuShape = {
      device: acquired.device,
      description: acquired.description,
      limits: acquired.device.limits,
      memory: () => runtime.memory(),
      flush: () => runtime.flush()
    }
    return Context.make(Backend, backend).pipe(Context.add(WebGpu, gpu))
  })

const layerWith = (source: WebGpuSource): Layer.Layer<Backend | WebGpu, WebGpuUnavailableError> =>
  Layer.effectContext(make(source))

/**
 * The WebGPU backend layers.
 *
 * - `layer`: the platform's WebGPU: `navigator.gpu` in a browser; in Node, Dawn
 *   from the `webgpu` package (OpenGL ES at the compatibility feature level,
 *   which runs on Mesa's software renderer, else Dawn's default backends).
 * - `layerWith({ gpu } | { adapter } | { device })`: a given GPU, adapter or device.
 *
 * Both fail with `WebGpuUnavailableError` when no adapter or device can be had.
 * float64 and complex128 are not supported (WGSL has no f64): uploading or
 * computing them fails with `UnsupportedDTypeError`.
 *
 * @example
 * import { np, toJs, WebGpuBackend } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   return yield* toJs(np.add(np.array([1, 2]), 1))
 * }).pipe(Effect.provide(WebGpuBackend.layer))
 * console.log(await Effect.runPromise(program)) // [2, 3]
 *
 * @category Backends
 * @since 0.1.0
 */
export const WebGpuBackend: {
  readonly layer: Layer.Layer<Backend | WebGpu, WebGpuUnavailableError>
  readonly layerWith: (source: WebGpuSource) => Layer.Layer<Backend | WebGpu, WebGpuUnavailableError>
} = {
  layer: Layer.effectContext(make(undefined)),
  layerWith
}
