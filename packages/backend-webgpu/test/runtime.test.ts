import { aval, BackendError } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeBackend } from "../src/internal/backend.js"
import { WebGpuBuffer } from "../src/internal/buffer.js"
import { loadNodeGpu } from "../src/internal/device.js"
import { Runtime, sizeClass } from "../src/internal/runtime.js"
import { skipReason } from "./setup.js"

const device = Effect.acquireRelease(
  Effect.promise(async () => {
    const adapter = await (await loadNodeGpu()).requestAdapter({ featureLevel: "compatibility" } as never)
    return adapter!.requestDevice()
  }),
  (d) => Effect.sync(() => d.destroy())
)

describe.skipIf(skipReason !== undefined)("WebGPU runtime", () => {
  it.effect("a device validation error surfaces as a BackendError on read, not as silent zeros", () =>
    Effect.scoped(Effect.gen(function*() {
      const runtime = new Runtime(yield* device)
      const backend = makeBackend(runtime)
      const out = runtime.allocate(16)
      // A shader that does not compile: its pipeline is invalid, and so is the dispatch.
      const broken = runtime.kernel("broken", 0, () => "@compute @workgroup_size(1) fn main() { let x: f32 = ; }")
      runtime.dispatch(broken, [], out.gpu!, [0, 0], 1)
      const error = yield* Effect.flip(backend.read(new WebGpuBuffer(backend, out), aval([4], "float32")))
      assert.instanceOf(error, BackendError)
      assert.include(error.message, "device error")
      runtime.close(false)
    })))

  it.effect("buffers are accounted for until released, and all of them at close", () =>
    Effect.scoped(Effect.gen(function*() {
      const runtime = new Runtime(yield* device)
      const a = runtime.allocate(64)
      const b = runtime.upload(new Float32Array([1, 2, 3]))
      assert.deepStrictEqual(runtime.memory(), { buffers: 2, bytes: 76 })
      runtime.retire(a)
      assert.deepStrictEqual(runtime.memory(), { buffers: 1, bytes: 12 })
      assert.strictEqual(runtime.allocate(0).gpu, undefined)
      runtime.close(false)
      assert.deepStrictEqual(runtime.memory(), { buffers: 0, bytes: 0 })
      assert.throws(() => runtime.allocate(4), /scope is closed/)
      void b
    })))

  it.effect("grids split beyond the per-dimension workgroup limit", () =>
    Effect.scoped(Effect.gen(function*() {
      const runtime = new Runtime(yield* device)
      const max = runtime.maxGroupsPerDim
      assert.deepStrictEqual(runtime.grid(1), [1, 1])
      assert.deepStrictEqual(runtime.grid(max), [max, 1])
      const [x, y] = runtime.grid(max * 3 + 1)
      assert.isAtMost(x, max)
      assert.isAtLeast(x * y, max * 3 + 1)
      runtime.close(false)
    })))

  it.effect("the pool: a released buffer serves the next request of its size class; under memoryLimit it goes first", () =>
    Effect.scoped(Effect.gen(function*() {
      const runtime = new Runtime(yield* device, 2 * 2 ** 20)
      assert.strictEqual(sizeClass(12), 16)
      assert.strictEqual(sizeClass(300), 320)
      assert.strictEqual(sizeClass(700_000), 786_432)
      const a = runtime.allocate(700_000)
      runtime.retire(a)
      assert.strictEqual(runtime.stats().pooledBuffers, 1)
      // the same size class: the same GPU buffer, nothing created
      const created = runtime.stats().buffersCreated
      const b = runtime.allocate(690_000)
      assert.strictEqual(b.gpu, a.gpu)
      assert.strictEqual(runtime.stats().buffersCreated, created)
      runtime.retire(b)
      // another class that fits the budget only without the pooled buffer: the pool is dropped
      const c = runtime.allocate(1_400_000)
      assert.notStrictEqual(c.gpu, a.gpu)
      assert.strictEqual(runtime.stats().pooledBuffers, 0)
      assert.deepStrictEqual(runtime.memory(), { buffers: 1, bytes: 1_400_000 })
      runtime.close(false)
      assert.strictEqual(runtime.stats().pooledBuffers, 0)
    })))
})
