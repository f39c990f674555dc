// The declarations name WebGPU's types (GPUDevice, ...): consumers get them from @webgpu/types.
/// <reference types="@webgpu/types" preserve="true" />
/**
 * The WebGPU backend: kernels compiled to WGSL compute shaders, running on
 * `navigator.gpu` in a browser or on Dawn (the `webgpu` package) in Node.
 *
 * The layer acquires an adapter and a device in its scope; closing the scope
 * destroys every buffer the backend allocated. The default layer's device goes
 * back to a small pool for the next layer (a new Dawn device costs native
 * memory that destroying it does not return); others are destroyed.
 * Between those, buffers are released by the ownership regions of the
 * transformations and `Memory.scoped` (see `Memory`), and, as a backstop,
 * when their tensors are garbage collected (a `FinalizationRegistry`).
 *
 * @since 0.1.0
 */
import { Backend } from "@diffect/core"
import type { Approximation, BackendShape } from "@diffect/core"
import { anyValue, checkOptions } from "@diffect/core/Validate"
import { Context, Effect, Layer } from "effect"
import type { WebGpuUnavailableError } from "./Errors.js"
import { makeBackend } from "./internal/backend.js"
import { acquireDevice, releaseDefaultDevice } from "./internal/device.js"
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
  /** How the shaders reduce large trigonometric arguments (`WebGpuOptions.trigReduction`, or the adapter's default). */
  readonly trigReduction: Approximation.TrigReduction
  /** GPU buffers held by live tensors now: their count and total bytes. */
  readonly memory: () => { readonly buffers: number; readonly bytes: number }
  /** Submits the commands recorded so far (they are also submitted at the end of each synchronous section). */
  readonly flush: () => void
  /**
   * Counters since the layer was built, for tests and profiling: shader
   * dispatches recorded, command buffers submitted, GPU buffers (storage and
   * readback) and bind groups created (a compiled program in steady state
   * creates none: released buffers go to a pool by size class, bind groups are
   * cached), and the free storage buffers the pool holds now (destroyed when
   * the scope closes).
   */
  readonly stats: () => WebGpuStats
}

/**
 * What `WebGpu.stats()` reports.
 *
 * @category Backends
 * @since 0.1.0
 */
export interface WebGpuStats {
  readonly dispatches: number
  readonly submits: number
  readonly buffersCreated: number
  readonly bindGroupsCreated: number
  readonly pooledBuffers: number
  readonly pooledBytes: number
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

/**
 * What `layerWith` takes: a source (or none, for the platform's default),
 * `memoryLimit`, the most bytes of GPU memory live tensors may hold: an
 * allocation past it fails with `MemoryLimitError` (a typed failure, where
 * exhausting the device would lose it), and `trigReduction`, how `sin`, `cos`
 * and `tan` reduce arguments past |x| = 8192: `"payneHanek"` (exact over all
 * float32, within 1, 1.01 and 2.5 ulp; the default, except on SwiftShader) or
 * `"codyWaite"` (shorter shaders, whose error grows past 8192: `sin(1e8)` is off
 * by whole units; the default on SwiftShader, whose shader compiler took 60 s
 * over one Payne-Hanek sine).
 *
 * @category Backends
 * @since 0.1.0
 */
export type WebGpuOptions = (WebGpuSource | { readonly gpu?: undefined }) & {
  readonly memoryLimit?: number
  readonly trigReduction?: Approximation.TrigReduction
}

const sourceOf = (options: WebGpuOptions | undefined): WebGpuSource | undefined =>
  options === undefined || !("gpu" in options || "adapter" in options || "device" in options) ||
    ("gpu" in options && options.gpu === undefined)
    ? undefined
    : options as WebGpuSource

const make = (options: WebGpuOptions | undefined) =>
  Effect.gen(function*() {
    const acquired = yield* acquireDevice(sourceOf(options))
    const runtime = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Runtime(acquired.device, options?.memoryLimit, acquired.description, options?.trigReduction)
      ),
      (runtime) =>
        Effect.sync(() => {
          // a default device goes back to the pool (its buffers destroyed); others as owned
          const pooled = sourceOf(options) === undefined
          runtime.close(acquired.owned && !pooled)
          if (pooled) releaseDefaultDevice(acquired)
        })
    )
    const backend: BackendShape = makeBackend(runtime)
    const gpu: WebGpuShape = {
      device: acquired.device,
      description: acquired.description,
      limits: acquired.device.limits,
      trigReduction: runtime.trigReduction,
      memory: () => runtime.memory(),
      flush: () => runtime.flush(),
      stats: () => runtime.stats()
    }
    return Context.make(Backend, backend).pipe(Context.add(WebGpu, gpu))
  })

// Checked when the layer is made: a bad option is an ArgumentError thrown there.
const layerWith = (options: WebGpuOptions): Layer.Layer<Backend | WebGpu, WebGpuUnavailableError> => {
  checkOptions("WebGpuBackend.layerWith", options, {
    gpu: anyValue,
    adapter: anyValue,
    device: anyValue,
    memoryLimit: { expected: "a non-negative number of bytes", test: (u) => typeof u === "number" && u >= 0 },
    trigReduction: { expected: "\"payneHanek\" or \"codyWaite\"", test: (u) => u === "payneHanek" || u === "codyWaite" }
  })
  return Layer.effectContext(make(options))
}

/**
 * The WebGPU backend layers.
 *
 * - `layer`: the platform's WebGPU: `navigator.gpu` in a browser; in Node, Dawn
 *   from the `webgpu` package (OpenGL ES at the compatibility feature level,
 *   which runs on Mesa's software renderer, else Dawn's default backends).
 * - `layerWith({ gpu } | { adapter } | { device })`: a given GPU, adapter or
 *   device; each may add `memoryLimit`, a budget of live GPU bytes
 *   (`layerWith({ memoryLimit: 256 * 2 ** 20 })` alone uses the default device),
 *   and `trigReduction` (`WebGpuOptions`).
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
  readonly layerWith: (options: WebGpuOptions) => Layer.Layer<Backend | WebGpu, WebGpuUnavailableError>
} = {
  layer: Layer.effectContext(make(undefined)),
  layerWith
}
