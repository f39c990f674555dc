/**
 * Micro-benchmark of the WebGPU backend (not a test): the host-side cost of
 * enqueueing one small elementwise op, and matmul throughput.
 * Run: `pnpm exec tsx packages/backend-webgpu/bench/micro.ts` (EGL_PLATFORM=surfaceless on Mesa).
 */
import { Backend, lax, np, withBackend } from "@diffect/core"
import type { BackendShape, ConcreteTensor, Tensor } from "@diffect/core"
import { Context, Effect, Layer } from "effect"
import { WebGpu, WebGpuBackend } from "../src/index.js"

process.env["EGL_PLATFORM"] ??= "surfaceless"

const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const read = (backend: BackendShape, t: Tensor) => backend.read((t as ConcreteTensor).bufferFor(backend)!, t.aval)

const program = Effect.scoped(Effect.gen(function*() {
  const ctx = yield* Layer.build(WebGpuBackend.layer)
  const backend = Context.get(ctx, Backend)
  const gpu = Context.get(ctx, WebGpu)
  console.log(`adapter: ${gpu.description}`)
  const x = withBackend(backend, () => np.add(np.ones([16]), 0))
  yield* read(backend, withBackend(backend, () => lax.add(x, x)))

  // Enqueue cost: ops recorded in one synchronous section, per op (median of rounds).
  const perOp: Array<number> = []
  for (let round = 0; round < 15; round++) {
    const n = 2000
    const t0 = performance.now()
    withBackend(backend, () => {
      let y = x
      for (let i = 0; i < n; i++) y = lax.add(y, x)
      return y
    })
    perOp.push(((performance.now() - t0) / n) * 1000)
    gpu.flush()
    yield* Effect.promise(() => gpu.device.queue.onSubmittedWorkDone())
  }
  console.log(`enqueue one add on f32[16]: ${median(perOp).toFixed(1)} us (median of 15 rounds of 2000)`)

  // Round trip: one op and its readback.
  const trips: Array<number> = []
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now()
    yield* read(backend, withBackend(backend, () => lax.add(x, x)))
    trips.push(performance.now() - t0)
  }
  console.log(`add + read back f32[16]: ${median(trips).toFixed(2)} ms`)

  for (const n of [256, 512]) {
    const a = withBackend(backend, () => np.add(np.ones([n, n]), 0))
    yield* read(backend, withBackend(backend, () => np.matmul(a, a)))
    const times: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      yield* read(backend, withBackend(backend, () => np.sum(np.matmul(a, a))))
      times.push(performance.now() - t0)
    }
    const ms = median(times)
    console.log(
      `matmul ${n}x${n} f32 (+ sum + read): ${ms.toFixed(1)} ms, ${((2 * n ** 3) / ms / 1e6).toFixed(2)} GFLOP/s`
    )
  }
}))

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
