/**
 * The measurement of issue 15's memory goal (not a test: it takes ~45 minutes on
 * llvmpipe): the 64x512 training loop on WebGPU for 10,000 steps with no forced
 * GC, printing live GPU memory (after each step's work is submitted) every 500
 * steps and its range at the end. CI runs 150 steps (webgpu.test.ts).
 * Run: `EGL_PLATFORM=surfaceless pnpm exec tsx test/memory/measure10k.ts [steps]`.
 */
import { WebGpu, WebGpuBackend } from "diffect"
import { Effect } from "effect"
import { train } from "./training.js"
const steps = Number(process.argv[2] ?? 10000)
const t0 = performance.now()
let min = Infinity, max = 0, minB = Infinity, maxB = 0
const program = Effect.gen(function*() {
  const gpu = yield* WebGpu
  const live = () => {
    gpu.flush()
    return gpu.memory()
  }
  yield* train(steps, live, (k, now) => {
    min = Math.min(min, now.bytes)
    max = Math.max(max, now.bytes)
    minB = Math.min(minB, now.buffers)
    maxB = Math.max(maxB, now.buffers)
    if (k % 500 === 0 || k === steps - 1 || steps <= 20) {
      console.log(
        `step ${k} t=${
          ((performance.now() - t0) / 1000).toFixed(0)
        }s live=${now.bytes} B (${now.buffers} buffers) min=${min} max=${max} buffers ${minB}-${maxB} rss=${
          (process.memoryUsage().rss / 2 ** 20).toFixed(0)
        }MB`
      )
    }
  })
}).pipe(Effect.provide(WebGpuBackend.layer))
await Effect.runPromise(program as never)
console.log(
  `done ${steps} steps in ${
    ((performance.now() - t0) / 1000).toFixed(0)
  } s; live bytes min ${min} max ${max}; buffers ${minB}-${maxB}`
)
process.exit(0)
