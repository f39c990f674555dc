/**
 * JAX's testSuccessOnComplexPlane on the WebGPU backend (complex64; the port and its comparison:
 * complexPlane.test.ts and complexPlane.ts), for the functions that need no sine or cosine of a
 * large argument: the inverse functions, `sqrt` and the logarithms hold in every region where
 * JAX's CPU backend does. The others (`sin`, `cos`, `tan`, `exp`-based) reduce by Cody and Waite on
 * WebGPU, inexact past |x| = 8192 (docs/numerics.md: Payne and Hanek's reduction exists,
 * `Approximation.allDecomposedFullRange`, but is not WebGPU's default).
 */
import { WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { runCase } from "../conformance/compare.js"
import { failuresOf, functions, onGrid } from "./complexPlane.js"

const skip = await Backends.webGpuSkipReason()
const GPU_FUNCTIONS = new Set([
  "arcsin",
  "arccos",
  "arcsinh",
  "arccosh",
  "arctan",
  "arctanh",
  "sqrt",
  "log",
  "log10",
  "log1p"
])

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
