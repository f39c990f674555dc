/**
 * The backends the conformance suite runs on, and the environment Dawn needs.
 *
 * Dawn's OpenGL ES backend on Mesa needs a surfaceless EGL platform; setting it
 * here (before any layer creates a GPU instance) lets `pnpm test` run without
 * extra environment.
 */
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { WebGpuBackend } from "@diffect/backend-webgpu"
import type { Backend } from "@diffect/core"
import { Effect, Exit, Layer } from "effect"
import type * as LayerT from "effect/Layer"

process.env["EGL_PLATFORM"] ??= "surfaceless"
process.env["XDG_RUNTIME_DIR"] ??= "/tmp"

/** A backend under test. */
export interface BackendUnderTest {
  readonly name: string
  readonly layer: LayerT.Layer<Backend, unknown>
  /** Why the backend is skipped on this machine, if it is. */
  readonly skip: string | undefined
}

/**
 * Whether WebGPU works here: builds and releases the layer once. In CI (where
 * Mesa is installed) an unavailable adapter is never skipped: the WebGPU half
 * then fails loudly through its layer.
 */
const probeWebGpu = async (): Promise<string | undefined> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(WebGpuBackend.layer)))
  if (Exit.isSuccess(exit)) return undefined
  const reason = String(Exit.isFailure(exit) ? exit.cause : "unknown")
  if (process.env["CI"]) return undefined
  console.warn(`conformance: skipping the WebGPU half (no adapter, CI unset): ${reason}`)
  return reason
}

const webGpuSkip = await probeWebGpu()

/** Both backends: the typed-array reference and WebGPU. */
export const backends: ReadonlyArray<BackendUnderTest> = [
  { name: "typed-array", layer: TypedArrayBackend.layer, skip: undefined },
  { name: "webgpu", layer: WebGpuBackend.layer, skip: webGpuSkip }
]
