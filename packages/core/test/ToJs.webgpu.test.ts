/**
 * toJs on an asynchronous backend (WebGPU through Dawn): each tensor is read from
 * the backend that holds it. Skipped where no WebGPU adapter exists (never in CI).
 */
import { WebGpuBackend } from "@diffect/backend-webgpu"
import { Backend, np, toJs, toJsSync, withBackend } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure } from "./npSetup.js"

const skipReason = await Backends.webGpuSkipReason()

describe.skipIf(skipReason !== undefined)("toJs on WebGPU", () => {
  layer(WebGpuBackend.layer, { timeout: "60 seconds" })((it) => {
    it.effect("reads a pytree of tensors computed on the GPU", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const tree = withBackend(backend, () => {
          const x = np.array([[1, 2], [3, 4]])
          return { y: x.matmul(x).add(1), s: x.sum(), b: x.gt(2), z: np.array([{ re: 1, im: 2 }]).mul(2), n: 7 }
        })
        const v = yield* toJs(tree)
        assert.deepStrictEqual(v, {
          y: [[8, 11], [16, 23]],
          s: 10,
          b: [[false, false], [true, true]],
          z: [{ re: 2, im: 4 }],
          n: 7
        })
      }))
    it.effect("toJsSync refuses a backend without synchronous reads, with a typed error", () =>
      Effect.gen(function*() {
        const backend = yield* Backend
        const y = withBackend(backend, () => np.array([1, 2]).mul(3))
        assert.include(failure(() => toJsSync(y), "BackendError"), "toJs")
        expect.close(yield* toJs(y), [3, 6])
      }))
  })
})
