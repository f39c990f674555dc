/**
 * Failures specific to the WebGPU backend.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * No WebGPU adapter or device could be obtained: the browser has no
 * `navigator.gpu`, the adapter request returned `null`, or device creation
 * failed. The layer fails with it instead of crashing.
 *
 * @example
 * import { WebGpuBackend } from "diffect"
 * import { Effect } from "effect"
 * const noGpu = { requestAdapter: async () => null } as unknown as GPU
 * const program = Effect.succeed("webgpu").pipe(
 *   Effect.provide(WebGpuBackend.layerWith({ gpu: noGpu })),
 *   Effect.catchTag("WebGpuUnavailableError", (e) => Effect.succeed(`no WebGPU: ${e.message}`))
 * )
 * console.log(await Effect.runPromise(program)) // no WebGPU: ...
 *
 * @category Errors
 * @since 0.1.0
 */
export class WebGpuUnavailableError extends Schema.TaggedError<WebGpuUnavailableError>()("WebGpuUnavailableError", {
  reason: Schema.String
}) {
  override get message(): string {
    return `WebGPU is not available: ${this.reason}. In Node, the \`webgpu\` package needs a GPU driver or Mesa's software GL (apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri; EGL_PLATFORM=surfaceless); in a browser, WebGPU must be enabled. Use TypedArrayBackend.layer to run on the CPU.`
  }
}
