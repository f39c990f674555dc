/**
 * Acquiring a WebGPU adapter and device: `navigator.gpu` in a browser, Dawn's
 * Node bindings (the `webgpu` package) in Node.
 */
import { Effect } from "effect"
import { WebGpuUnavailableError } from "../Errors.js"
import { filterNativeStderr, fsIdle } from "./nativeStderr.js"

/** Where the layer gets its device from. @since 0.1.0 */
export type DeviceSource =
  | { readonly gpu: GPU }
  | { readonly adapter: GPUAdapter }
  | { readonly device: GPUDevice }

/** A device and whether the layer created it (and so must destroy it). */
export interface AcquiredDevice {
  readonly device: GPUDevice
  readonly owned: boolean
  readonly description: string
}

// Limits raised from WebGPU's defaults to what the adapter offers: compatibility
// mode defaults to 128 invocations per workgroup and 4 storage buffers per stage,
// while the kernels want 256 threads where the adapter allows it.
const wantedLimits = [
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupStorageSize",
  "maxStorageBuffersPerShaderStage",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupsPerDimension"
] as const

const unavailable = (reason: string) => new WebGpuUnavailableError({ reason })

const describeInfo = (info: GPUAdapterInfo | undefined, fallback: string): string => {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => !!s)
  return parts.length > 0 ? parts.join(" ") : fallback
}

const describe = (adapter: GPUAdapter): string => describeInfo(adapter.info, "WebGPU adapter")

/** Requests a device with the adapter's own limits for what the kernels need. */
export const requestDevice = (adapter: GPUAdapter): Effect.Effect<AcquiredDevice, WebGpuUnavailableError> =>
  Effect.tryPromise({
    try: async () => {
      const requiredLimits: Record<string, number> = {}
      for (const key of wantedLimits) {
        const value = adapter.limits[key]
        if (typeof value === "number") requiredLimits[key] = value
      }
      const device = await adapter.requestDevice({ requiredLimits })
      return { device, owned: true, description: describe(adapter) }
    },
    catch: (cause) => unavailable(`requestDevice failed: ${String(cause)}`)
  })

/**
 * An adapter from `gpu`: the default (core) feature level first, then the
 * compatibility level that OpenGL ES backends (Mesa's llvmpipe) need.
 */
export const requestAdapter = (gpu: GPU): Effect.Effect<GPUAdapter, WebGpuUnavailableError> =>
  Effect.tryPromise({
    // Dawn prints its limit warnings while the request call runs (not when it resolves).
    try: async () => {
      await fsIdle()
      const adapter = await filterNativeStderr(() => gpu.requestAdapter())
      if (adapter !== null) return adapter
      await fsIdle()
      return await filterNativeStderr(() =>
        gpu.requestAdapter({ featureLevel: "compatibility" } as GPURequestAdapterOptions)
      )
    },
    catch: (cause) => unavailable(`requestAdapter failed: ${String(cause)}`)
  }).pipe(
    Effect.flatMap((adapter) =>
      adapter === null
        ? Effect.fail(unavailable("requestAdapter() returned null (no usable adapter)"))
        : Effect.succeed(adapter)
    )
  )

// A specifier bundlers cannot see: browser bundles of this package must not pull
// in Dawn's Node bindings (the browser path never loads them).
const dawnModule = "webgpu"
const loadDawn = (): Promise<typeof import("webgpu")> => {
  // Mesa's EGL needs a platform without a display on headless Linux; a user's own setting wins.
  if (process.platform === "linux") process.env["EGL_PLATFORM"] ??= "surfaceless"
  return import(/* @vite-ignore */ dawnModule)
}

/**
 * Why loading Dawn failed, for `WebGpuUnavailableError`: a missing package (an
 * optional peer dependency, not installed with diffect) says how to install it.
 */
export const dawnLoadFailure = (cause: unknown): string => {
  const code = (cause as { code?: unknown } | null)?.code
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND"
    ? "the `webgpu` package (Dawn's Node bindings, an optional peer dependency of diffect) is not installed: run `npm i webgpu`"
    : `cannot load the \`webgpu\` package: ${String(cause)}`
}

let nodeGpu: Promise<GPU> | undefined

// One Dawn instance per process: creating instances repeatedly is slow and each
// holds native state. OpenGL ES is the backend that works on GPU-less Linux
// (Mesa's llvmpipe); where it has no adapter the default backends are tried.
/** This process's Dawn instance on OpenGL ES (tests take theirs here: one per process). @internal */
export const loadNodeGpu = (): Promise<GPU> =>
  nodeGpu ??= loadDawn().then((webgpu) => webgpu.create(["backend=opengles"]))

let nodeDefaultGpu: Promise<GPU> | undefined
const loadNodeDefaultGpu = (): Promise<GPU> => nodeDefaultGpu ??= loadDawn().then((webgpu) => webgpu.create([]))

const browserGpu = (): GPU | undefined =>
  typeof navigator !== "undefined" && "gpu" in navigator ? (navigator as { gpu?: GPU }).gpu : undefined

const isNode = (): boolean => typeof process !== "undefined" && typeof process.versions?.node === "string"

/** The platform's adapter: `navigator.gpu` when present, else Dawn in Node. */
export const defaultAdapter: Effect.Effect<GPUAdapter, WebGpuUnavailableError> = Effect.suspend(() => {
  const gpu = browserGpu()
  if (gpu !== undefined) return requestAdapter(gpu)
  if (!isNode()) return Effect.fail(unavailable("navigator.gpu is undefined (this browser has no WebGPU)"))
  const load = (get: () => Promise<GPU>) =>
    Effect.tryPromise({
      try: get,
      catch: (cause) => unavailable(dawnLoadFailure(cause))
    })
  return load(loadNodeGpu).pipe(
    Effect.flatMap(requestAdapter),
    Effect.catch((glError) =>
      load(loadNodeDefaultGpu).pipe(
        Effect.flatMap(requestAdapter),
        // Both attempts load the same package: a failure to load it is said once.
        Effect.mapError((e) =>
          unavailable(e.reason === glError.reason ? e.reason : `${glError.reason}; default backends: ${e.reason}`)
        )
      )
    )
  )
})

// Idle default devices, kept for the next layer instead of destroyed: creating a device
// costs tens of milliseconds and, with Dawn on Mesa, about 2.4 MB of native memory that
// destroying it does not return (measured: +214 MB RSS over 90 bare build/close cycles).
const idle: Array<AcquiredDevice> = []
const lost = new WeakSet<GPUDevice>()
const POOL = 4

/** Hands a default device back when its layer's scope closes (its buffers are already destroyed). */
export const releaseDefaultDevice = (acquired: AcquiredDevice): void => {
  if (lost.has(acquired.device) || idle.length >= POOL) acquired.device.destroy()
  else idle.push(acquired)
}

const requestPooledDevice = (adapter: GPUAdapter) =>
  Effect.map(requestDevice(adapter), (acquired) => {
    void acquired.device.lost.then(() => lost.add(acquired.device))
    return acquired
  })

/** The device for a source; `undefined` uses the platform default (a pooled device when one is idle). */
export const acquireDevice = (
  source: DeviceSource | undefined
): Effect.Effect<AcquiredDevice, WebGpuUnavailableError> => {
  if (source === undefined) {
    return Effect.suspend(() => {
      for (let d = idle.pop(); d !== undefined; d = idle.pop()) {
        if (!lost.has(d.device)) return Effect.succeed(d)
      }
      return Effect.flatMap(defaultAdapter, requestPooledDevice)
    })
  }
  if ("device" in source) {
    // (`adapterInfo` is newer than some implementations: a device without it is described generically)
    const info = (source.device as { readonly adapterInfo?: GPUAdapterInfo }).adapterInfo
    return Effect.succeed({ device: source.device, owned: false, description: describeInfo(info, "WebGPU device") })
  }
  if ("adapter" in source) return requestDevice(source.adapter)
  return Effect.flatMap(requestAdapter(source.gpu), requestDevice)
}
