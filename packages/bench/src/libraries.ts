/**
 * The libraries compared, in table order; diffect is the subject.
 *
 * @since 0.1.0
 */
import type { Library } from "./Library.js"
import { diffect, diffectJit, diffectJitThreads, diffectThreads, diffectWebGpu } from "./libs/diffect.js"
import { jaxjs, jaxjsJit } from "./libs/jaxjs.js"
import { tfjsCpu, tfjsWasm } from "./libs/tfjs.js"

/** The library the others are compared with. @since 0.1.0 */
export const subject = "diffect"

/** The libraries of a default run. @since 0.1.0 */
export const libraries: ReadonlyArray<Library> = [
  diffect,
  diffectJit,
  diffectThreads,
  diffectJitThreads,
  tfjsCpu,
  tfjsWasm,
  jaxjs,
  jaxjsJit
]

/**
 * Libraries run only when named with `--libs`: diffect on WebGPU (on a machine
 * without a GPU it measures Mesa's software rasterizer, not a GPU).
 *
 * @since 0.1.0
 */
export const optionalLibraries: ReadonlyArray<Library> = [diffectWebGpu]
