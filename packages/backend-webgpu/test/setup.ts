/**
 * Shared by the WebGPU tests: the environment Dawn needs, whether WebGPU works
 * here, and a way to force garbage collection.
 */
import { Effect, Exit, Layer } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { WebGpuBackend } from "../src/index.js"

// Dawn's OpenGL ES backend on Mesa needs a surfaceless EGL platform; set before
// any layer creates the GPU instance, so `pnpm test` needs no extra environment.
process.env["EGL_PLATFORM"] ??= "surfaceless"
process.env["XDG_RUNTIME_DIR"] ??= "/tmp"

const probe = async (): Promise<string | undefined> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(WebGpuBackend.layer)))
  // In CI (Mesa installed) an unavailable adapter must fail loudly, never skip.
  if (Exit.isSuccess(exit) || process.env["CI"]) return undefined
  const reason = String(exit.cause)
  console.warn(`backend-webgpu tests skipped (no WebGPU adapter here, CI unset): ${reason}`)
  return reason
}

/** Why the WebGPU tests are skipped on this machine (`undefined`: they run). */
export const skipReason: string | undefined = await probe()

/**
 * Forces a full garbage collection: `global.gc` under `--expose-gc`, else one
 * obtained by enabling the flag at run time (V8 then exposes `gc` to new contexts).
 */
export const gc: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

/** Lets FinalizationRegistry callbacks run after a collection. */
export const collect = Effect.promise(async () => {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
})
