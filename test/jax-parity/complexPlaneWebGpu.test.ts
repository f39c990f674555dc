/**
 * JAX's testSuccessOnComplexPlane on the WebGPU backend (complex64; the port and its comparison:
 * complexPlane.test.ts and complexPlane.ts): every function holds in every region where JAX's CPU
 * backend does, the trigonometric and `exp`-based ones through the layer's Payne-Hanek reduction of
 * large arguments (the default off SwiftShader; `WebGpuOptions.trigReduction`). `square` too since
 * its `x y` is behind `Kernel.barrier` (Mesa's shader compiler had reassociated `2 (x y)` into
 * `(2 x) y`, which overflows near the largest float32; docs/numerics.md).
 */
import { WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { runCase } from "../conformance/compare.js"
import { failuresOf, functions, onGrid } from "./complexPlane.js"

const skip = await Backends.webGpuSkipReason()
const GPU_FUNCTIONS = new Set(Object.keys(functions))

describe.skipIf(skip !== undefined)("complex64 functions over the plane on WebGPU", () => {
  layer(WebGpuBackend.layer, { timeout: "60 seconds" })((it) => {
    for (const [name, f] of Object.entries(functions)) {
      if (!GPU_FUNCTIONS.has(name)) continue
      it.effect(name, () =>
        Effect.gen(function*() {
          const { data } = yield* runCase(yield* Backend, () => onGrid(f, "complex64"))
          const out = Array.from({ length: data.length / 2 }, (_, i) => ({ re: data[2 * i]!, im: data[2 * i + 1]! }))
          assert.deepStrictEqual(failuresOf(name, "complex64", out), [])
        }))
    }
  })
})
