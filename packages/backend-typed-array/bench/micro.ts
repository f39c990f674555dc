/**
 * Micro-benchmarks of the typed-array backend (not a test): the eager cost of
 * one elementwise primitive on a small tensor, and dense matmuls. Prints medians.
 *
 * Run: pnpm exec tsx packages/backend-typed-array/bench/micro.ts
 */
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { aval, lax, np, setDefaultBackend } from "@diffect/core"
import type { AbstractValue, DeviceBuffer } from "@diffect/core"

const backend = makeTypedArrayBackend()
setDefaultBackend(backend)

/**
 * Median seconds per call of `f`, over `samples` batches of `batch` calls, after
 * `warm` calls (default one batch): V8 tiers a wasm function up to optimized code
 * only after dozens of calls, which a large kernel reaches late.
 */
const median = (f: () => void, batch: number, samples: number, warm = batch): number => {
  for (let i = 0; i < warm; i++) f() // warm up (and compile)
  const times: Array<number> = []
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now()
    for (let i = 0; i < batch; i++) f()
    times.push((performance.now() - t0) / 1000 / batch)
  }
  times.sort((a, b) => a - b)
  return times[times.length >> 1]!
}

const fmt = (seconds: number): string =>
  seconds < 1e-3 ? `${(seconds * 1e6).toFixed(2)} us` : `${(seconds * 1e3).toFixed(2)} ms`

const random = (n: number): Float32Array => {
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1
  return a
}

const upload = (data: Float32Array, a: AbstractValue): DeviceBuffer => backend.fromHost(data, a)

// Eager elementwise: add of two float32[16] through backend.execute.
{
  const a = aval([16], "float32")
  const x = upload(random(16), a)
  const y = upload(random(16), a)
  const ins = [a, a]
  const t = median(() => backend.execute("add", [x, y], ins, {}, [a]), 10_000, 21)
  console.log(`execute add f32[16]:          ${fmt(t)}`)
  const u = median(() => backend.execute("sin", [x], [a], {}, [a]), 10_000, 21)
  console.log(`execute sin f32[16]:          ${fmt(u)}`)
}

// The same through the ops API: bind, abstract evaluation, dispatch, kernel.
{
  const x = np.array(random(16))
  const y = np.array(random(16))
  np.add(x, y) // uploads the host arrays once
  const t = median(() => np.add(x, y), 10_000, 21)
  console.log(`np.add f32[16]:               ${fmt(t)}`)
  const u = median(() => lax.add(x, y), 10_000, 21)
  console.log(`lax.add f32[16]:              ${fmt(u)}`)
  const s = median(() => np.multiply(x, 2), 10_000, 21)
  console.log(`np.multiply(f32[16], 2):      ${fmt(s)}`)
}

// Elementwise throughput: exp on float32[1M].
{
  const a = aval([1 << 20], "float32")
  const x = upload(random(1 << 20), a)
  const t = median(() => backend.execute("exp", [x], [a], {}, [a]), 5, 11, 60)
  console.log(`execute exp f32[1M]:          ${fmt(t)}`)
}

for (const n of [256, 1024]) {
  const a = aval([n, n], "float32")
  const x = upload(random(n * n), a)
  const y = upload(random(n * n), a)
  const params = { contracting: [[1], [0]], batch: [[], []] } as const
  const t = median(
    () => backend.execute("dot_general", [x, y], [a, a], params, [a]),
    n === 256 ? 10 : 1,
    n === 256 ? 21 : 5
  )
  const gflops = (2 * n * n * n) / t / 1e9
  console.log(`matmul f32[${n}x${n}]:         ${fmt(t)} (${gflops.toFixed(2)} GFLOP/s)`)
}

// Sum of 4M float32 values.
{
  const a = aval([1 << 22], "float32")
  const x = upload(random(1 << 22), a)
  const t = median(() => backend.execute("reduce_sum", [x], [a], { axes: [0] }, [aval([], "float32")]), 3, 11)
  console.log(`reduce_sum f32[4M]:           ${fmt(t)}`)
}
