/**
 * Deterministic memory on WebGPU (issue 15): the 64x512 training loop keeps
 * live GPU memory flat and small with no forced GC, a layer's memoryLimit is a
 * typed failure, and closed layers are collectable (nothing of a closed device
 * stays reachable from host tensors or the shared scalar cache).
 */
import { Backends } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Backend, eager, np, toJs, TypedArrayBackend, WebGpu, WebGpuBackend } from "diffect"
import { Context, Effect, Exit, Layer } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { train } from "./training.js"

const skip = (await Backends.webGpuSkipReason()) !== undefined

const gc: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

describe.skipIf(skip)("WebGPU memory without the garbage collector", () => {
  it.effect("the 64x512 training loop keeps live GPU memory flat and under 64 MB", () =>
    Effect.gen(function*() {
      const gpu = yield* WebGpu
      const samples: Array<{ buffers: number; bytes: number }> = []
      // memory after each step's work is submitted (released buffers are destroyed then)
      const live = () => {
        gpu.flush()
        return gpu.memory()
      }
      const { loss } = yield* train(150, live, (_, now) => samples.push(now))
      const value = (yield* toJs(loss)) as number
      assert.isTrue(Number.isFinite(value))
      // the same live set after every step, from the first (nothing waits for the garbage collector,
      // which would free a buffer at an unpredictable step)
      assert.strictEqual(new Set(samples.map((s) => s.bytes)).size, 1, JSON.stringify(samples.slice(0, 5)))
      assert.isBelow(Math.max(...samples.map((s) => s.bytes)), 64 * 2 ** 20)
    }).pipe(Effect.provide(WebGpuBackend.layer)), 300_000)

  it.effect("an allocation past memoryLimit is a MemoryLimitError, not a lost device", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        eager(() => np.exp(np.ones([1 << 16]))).pipe(
          Effect.provide(WebGpuBackend.layerWith({ memoryLimit: 64 * 1024 }))
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      assert.strictEqual((reason as { error?: { _tag?: string } } | undefined)?.error?._tag, "MemoryLimitError")
      // within the budget the same layer computes
      const ok = yield* eager(() => np.exp(np.ones([1024]))).pipe(
        Effect.flatMap((t) => toJs(np.sum(t))),
        Effect.provide(WebGpuBackend.layerWith({ memoryLimit: 64 * 1024 }))
      )
      assert.closeTo(ok as number, 1024 * Math.E, 1e-2)
    }), 120_000)

  it.effect(
    "closed layers are collectable: host tensors and shared scalars keep no device alive (100 cycles)",
    () =>
      Effect.gen(function*() {
        const host = np.array([1, 2, 3])
        const refs: Array<WeakRef<object>> = []
        const settle = Effect.gen(function*() {
          for (let i = 0; i < 6; i++) {
            gc()
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
          }
        })
        let rssAfter10 = 0
        for (let i = 0; i < 100; i++) {
          if (i === 10) {
            yield* settle
            rssAfter10 = process.memoryUsage().rss
          }
          yield* Effect.scoped(Effect.gen(function*() {
            const ctx = yield* Layer.build(WebGpuBackend.layer)
            const backend = Context.get(ctx, Backend)
            refs.push(new WeakRef(backend))
            // uploads of a long-lived host tensor and of a cached JS scalar
            const y = yield* Effect.provideService(eager(() => np.multiply(np.add(host, 2), 3)), Backend, backend)
            assert.deepStrictEqual(yield* Effect.provideService(toJs(y), Backend, backend), [9, 12, 15])
          }))
        }
        yield* settle
        const growth = (process.memoryUsage().rss - rssAfter10) / 2 ** 20
        console.log(`RSS after 100 build/close cycles: ${growth.toFixed(1)} MB more than after 10`)
        const alive = refs.filter((r) => r.deref() !== undefined).length
        // the last layer's objects may still be referenced from this fiber's stack
        assert.isAtMost(alive, 1, `${alive} of ${refs.length} backends still reachable`)
        // it grew by 3.4 MB per cycle (closed devices stayed reachable, and each new device costs
        // native memory Dawn keeps); the default device is now pooled
        assert.isBelow(growth, 30, `RSS grew by ${growth} MB over 90 build/close cycles`)
      }),
    300_000
  )
})

describe.skipIf(skip)("a tensor from a closed layer", () => {
  it.effect("names the closed layer in its error, on its own backend and on another", () =>
    Effect.gen(function*() {
      const y = yield* Effect.scoped(Effect.gen(function*() {
        const ctx = yield* Layer.build(WebGpuBackend.layer)
        return yield* Effect.provideService(eager(() => np.exp(np.array([1, 2]))), Backend, Context.get(ctx, Backend))
      }))
      const read = yield* Effect.flip(toJs(y))
      assert.strictEqual(read._tag, "BackendError")
      assert.match(read.message, /WebGPU layer #\d+'s scope is closed/)
      const used = yield* Effect.flip(eager(() => np.add(y, 1)))
      assert.strictEqual(used._tag, "BackendError")
      assert.match(used.message, /a tensor of the webgpu backend cannot be used: WebGPU layer #\d+'s scope is closed/)
    }).pipe(Effect.provide(TypedArrayBackend.layer)), 120_000)
})
