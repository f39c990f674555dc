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
 * import { Effect } from "effect"
 * import { WebGpuBackend } from "@diffect/backend-webgpu"
 * const program = Effect.void.pipe(
 *   Effect.provide(WebGpuBackend.layer),
 *   Effect.catchTag("WebGpuUnavailableError", (e) => Effect.log(e.message))
 * )
 *
 * @since 0.1.0
 */
export class WebGpuUnavailableError extends Schema.TaggedError<WebGpuUnavailableError>()("WebGpuUnavailableError", {
  reason: Schema.String
}) {
  override get message(): string {
    return `WebGPU is not available: ${this.reason}. In Node, the \`webgpu\` package needs a GPU driver or Mesa's software GL (apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri; EGL_PLATFORM=surfaceless); in a browser, WebGPU must be enabled. Use TypedArrayBackend.layer to run on the CPU.`
  }
}
