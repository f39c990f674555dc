/**
 * Threads vs one thread, interleaved in one process (not a test): eager
 * elementwise kernels and reductions on large float32 arrays. Prints medians
 * and the ratio.
 *
 * Run: pnpm exec tsx packages/backend-typed-array/bench/threads.ts [sizes...]
 * (`--all`: split every kernel, whatever the threshold, to find the crossover)
 */
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { aval } from "@diffect/core"
import type { AbstractValue, FirstOrderPrimitive } from "@diffect/core"
import { setThreadMinWork } from "../src/internal/simd.js"

const one = makeTypedArrayBackend({ threads: 1 })
const two = makeTypedArrayBackend({ threads: 2 })

const random = (n: number): Float32Array => {
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1
  return a
}

/**
 * Untimed calls first: V8 runs a new WebAssembly module's Liftoff code until its
 * optimized tier is ready, which under load takes tens of calls of 1M elements.
 */
const WARMUP = 30

const median = (xs: Array<number>): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/** Times `primitive` on both backends, alternating, `samples` times each; checks the bits agree. */
const compare = (
  label: string,
  primitive: FirstOrderPrimitive,
  n: number,
  params: object,
  out: AbstractValue,
  samples: number
) => {
  const a = aval([n], "float32")
  const data = random(n)
  const x1 = one.fromHost(data, a)
  const x2 = two.fromHost(data, a)
  const run = (b: typeof one, x: typeof x1) => b.execute(primitive, [x], [a], params as never, [out])[0]!
  const t1: Array<number> = []
  const t2: Array<number> = []
  for (let s = 0; s < samples + WARMUP; s++) {
    // alternate which runs first (the second finds the operand in the cache)
    const timed = (b: typeof one, x: typeof x1) => {
      const t0 = performance.now()
      const r = run(b, x)
      return [r, performance.now() - t0] as const
    }
    const [[r1, d1], [r2, d2]] = s % 2 === 0
      ? [timed(one, x1), timed(two, x2)]
      : (([b, a]) => [a, b] as const)([timed(two, x2), timed(one, x1)])
    if (s >= WARMUP) {
      t1.push(d1)
      t2.push(d2)
    }
    const b1 = new Uint8Array((one.readSync!(r1, out) as Float32Array).buffer)
    const b2 = new Uint8Array((two.readSync!(r2, out) as Float32Array).buffer)
    if (b1.length !== b2.length || b1.some((v, i) => v !== b2[i])) throw new Error(`${label}: bits differ`)
    one.release?.(r1)
    two.release?.(r2)
  }
  const m1 = median(t1)
  const m2 = median(t2)
  console.log(
    `${label.padEnd(28)} 1 thread ${m1.toFixed(3)} ms, 2 threads ${m2.toFixed(3)} ms (${(m1 / m2).toFixed(2)}x)`
  )
}

const args = process.argv.slice(2)
if (args.includes("--all")) setThreadMinWork(-Infinity)
const sizes = args.filter((a) => a !== "--all").map(Number)
for (const n of sizes.length > 0 ? sizes : [1 << 20]) {
  compare(`execute exp f32[${n}]`, "exp", n, {}, aval([n], "float32"), 21)
  compare(`execute tanh f32[${n}]`, "tanh", n, {}, aval([n], "float32"), 21)
  compare(`execute sin f32[${n}]`, "sin", n, {}, aval([n], "float32"), 21)
  compare(`execute neg f32[${n}]`, "neg", n, {}, aval([n], "float32"), 21)
}
if (sizes.length === 0) {
  compare("execute reduce_sum f32[4M]", "reduce_sum", 1 << 22, { axes: [0] }, aval([], "float32"), 11)
}
one.close()
two.close()
