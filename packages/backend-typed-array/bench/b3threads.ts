/**
 * B3 (jit of valueAndGrad of sum(tanh(x) * x), x: f32[4M]) on one thread and on
 * `threads` threads, interleaved in one process (not a test). Prints medians.
 *
 * Run: pnpm exec tsx packages/backend-typed-array/bench/b3threads.ts [threads]
 */
import { jit, np, type Tensor, valueAndGrad } from "diffect"
import { ConcreteTensor, makeTypedArrayBackend, runSyncOn } from "diffect/extend"
import { Effect } from "effect"

const threads = Number(process.argv[2] ?? 2)
const one = makeTypedArrayBackend({ threads: 1 })
const many = makeTypedArrayBackend({ threads })
const n = 1 << 22
const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.001) * 2)
const read = (t: Tensor) => {
  const c = t as ConcreteTensor
  return c.host ?? c.buffer!.backend.readSync!(c.buffer!, c.aval)
}
const step = jit(valueAndGrad((x: Tensor) => x.tanh().mul(x).sum()))
const run = (b: typeof one, x: Tensor) => runSyncOn(b, Effect.map(step(x), ([v, g]) => [read(v), read(g)] as const))
const x1 = runSyncOn(one, Effect.sync(() => np.array(data)))
const x2 = runSyncOn(many, Effect.sync(() => np.array(data)))
const t1: Array<number> = []
const t2: Array<number> = []
// 10 untimed calls: V8 tiers the kernels' WebAssembly up from Liftoff meanwhile
for (let s = 0; s < 35; s++) {
  // alternate which runs first (the second finds x in the cache)
  const timed = (b: typeof one, x: Tensor) => {
    const t0 = performance.now()
    const r = run(b, x)
    return [r, performance.now() - t0] as const
  }
  const [[[v1, g1], d1], [[v2, g2], d2]] = s % 2 === 0
    ? [timed(one, x1), timed(many, x2)]
    : (([b, a]) => [a, b] as const)([timed(many, x2), timed(one, x1)])
  if (s >= 10) {
    t1.push(d1)
    t2.push(d2)
  }
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]))
  if (!same(v1, v2) || !same(g1, g2)) throw new Error("bits differ")
}
const med = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
console.log(
  `B3 jit: 1 thread ${med(t1).toFixed(2)} ms, ${threads} threads ${med(t2).toFixed(2)} ms (${
    (med(t1) / med(t2)).toFixed(2)
  }x)`
)
one.close()
many.close()
