/**
 * The backends the conformance suite runs on; whether WebGPU works here comes from
 * @diffect/test-utils (in CI an unavailable adapter is never skipped: the WebGPU half
 * then fails loudly through its layer).
 */
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { WebGpuBackend } from "@diffect/backend-webgpu"
import type { Backend } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import type * as LayerT from "effect/Layer"

/** A backend under test. */
export interface BackendUnderTest {
  readonly name: string
  readonly layer: LayerT.Layer<Backend, unknown>
  /** Why the backend is skipped on this machine, if it is. */
  readonly skip: string | undefined
}

const webGpuSkip = await Backends.webGpuSkipReason()

/** Both backends: the typed-array reference and WebGPU. */
export const backends: ReadonlyArray<BackendUnderTest> = [
  { name: "typed-array", layer: TypedArrayBackend.layer, skip: undefined },
  { name: "webgpu", layer: WebGpuBackend.layer, skip: webGpuSkip }
]
