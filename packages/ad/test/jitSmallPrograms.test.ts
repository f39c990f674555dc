/**
 * jit on small programs, where a call's fixed costs and per-call gathers
 * dominate (B4's Hessian and HVP): index maps of array constants are folded
 * at compile time, and the per-call path keeps the cache's semantics.
 */
import { evalProgram, hessian, jit, runSyncOn } from "@diffect/ad"
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { aval, lax, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { compileExecutable } from "../src/internal/executable.js"
import { planFusion } from "../src/internal/fusion.js"
import { simplifyProgram } from "../src/internal/simplify.js"
import { makeProgramFlat } from "../src/internal/staging.js"
import { backend, js, run, tensor } from "./gradHelpers.js"

/** The top-level equations of a lowered program's text (their primitive or `fusion`). */
const topLevel = (text: string): Array<string> =>
  text.split("\n").filter((l) => l.startsWith("    ") && !l.startsWith("        ") && l.includes("=")).map((l) =>
    /= (\w+)/.exec(l)![1]!
  )

const rosenbrock = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  const head = lax.slice(x, [0], [n - 1])
  const tail = lax.slice(x, [1], [n])
  return np.sum(
    np.add(np.multiply(np.square(np.subtract(tail, np.square(head))), 100), np.square(np.subtract(1, head)))
  )
}

/** The Rosenbrock Hessian by hand: tridiagonal. */
const rosenbrockHessian = (x: ReadonlyArray<number>): Array<Array<number>> => {
  const n = x.length
  const h = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  for (let i = 0; i < n - 1; i++) {
    h[i]![i]! += 1200 * x[i]! * x[i]! - 400 * x[i + 1]! + 2
    h[i + 1]![i + 1]! += 200
    h[i]![i + 1] = -400 * x[i]!
    h[i + 1]![i] = -400 * x[i]!
  }
  return h
}

describe("jit of small programs", () => {
  it("folds slices, transposes and reversals of array constants into constants (read contiguously)", () => {
    const c = tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    const g = (x: Tensor) =>
      np.add(
        np.multiply(x, lax.slice(c, [0, 1], [3, 4])),
        np.add(np.transpose(lax.slice(c, [0, 0], [3, 3])), lax.rev(lax.slice(c, [0, 1], [3, 4]), [1]))
      )
    const f = jit(g)
    const x = tensor([[0.5, -1, 2], [3, 0.25, -2], [1, 1, 1]])
    const lowered = run(f.lower(x))
    // one kernel; its inputs are x and three [3, 3] constants, no index map of c runs per call
    assert.deepStrictEqual(topLevel(lowered.text), ["fusion"])
    assert.notMatch(lowered.text, /= (slice|transpose|rev)\[/)
    assert.deepStrictEqual(lowered.program.consts.map((t) => t.shape), [[3, 3], [3, 3], [3, 3]])
    assert.deepStrictEqual(js(lowered.program.consts[0]!), [[2, 3, 4], [6, 7, 8], [10, 11, 12]])
    // same bits as eager
    assert.deepStrictEqual(js(run(f(x))), js(withBackend(backend, () => g(x))))
    assert.deepStrictEqual(js(run(f(x))), [[1 + 1 + 4, -3 + 5 + 3, 8 + 9 + 2], [
      18 + 2 + 8,
      1.75 + 6 + 7,
      -16 + 10 + 6
    ], [10 + 3 + 12, 11 + 7 + 11, 12 + 11 + 10]])
  })

  it("a constant over the fold limit stays one constant read through the slice", () => {
    const big = np.reshape(np.arange(2 * 40000, { dtype: "float32" }), [2, 40000])
    const f = jit((x: Tensor) => np.add(x, lax.slice(big, [0, 0], [2, 39999])))
    const x = np.zeros([2, 39999])
    const lowered = run(f.lower(x))
    assert.deepStrictEqual(lowered.program.consts.map((t) => t.shape), [[2, 40000]])
    assert.match(lowered.text, /slice\[startIndices=\(0, 0\) limitIndices=\(2, 39999\)/)
    const y = js(run(f(x))) as Array<Array<number>>
    assert.deepStrictEqual([y[0]![0], y[0]![39998], y[1]![0], y[1]![39998]], [0, 39998, 40000, 79998])
  })

  it("jit(hessian(f)) of the 100-d Rosenbrock function reads jacfwd's basis as folded constants", () => {
    const xs = Array.from({ length: 100 }, (_, i) => Math.fround(Math.sin(i) * 0.5 + 0.7))
    const x = tensor(xs)
    const h = jit(hessian(rosenbrock))
    const text = run(h.lower(x)).text
    // the [100, 100] basis is not sliced on every call
    assert.notMatch(text, /:f32\[100,99\] = slice/)
    const got = js(run(h(x))) as Array<Array<number>>
    const want = rosenbrockHessian(xs)
    for (let i = 0; i < 100; i++) {
      for (let j = 0; j < 100; j++) {
        assert.approximately(got[i]![j]!, want[i]![j]!, 1e-3 * Math.max(1, Math.abs(want[i]![j]!)), `H[${i}][${j}]`)
      }
    }
    assert.deepStrictEqual(h.cacheInfo(), { size: 1, hits: 1, misses: 1 })
  })

  it("a call with the last call's tensor types reuses its trace; the cache's counts, order and bound hold", () => {
    let traces = 0
    const f = jit((x: Tensor, y: Tensor) => {
      traces++
      return np.add(np.multiply(x, 2), y)
    }, { cacheSize: 2 })
    const a = tensor([1, 2])
    const b = tensor([3, 4])
    // the same types again and again (the fast path): one trace, every later call a hit
    for (let i = 0; i < 5; i++) assert.deepStrictEqual(js(run(f(a, b))), [5, 8])
    assert.deepStrictEqual(f.cacheInfo(), { size: 1, hits: 4, misses: 1 })
    // new tensors of the same types hit too; a weak scalar, a new dtype or shape retraces
    assert.deepStrictEqual(js(run(f(b, a))), [7, 10])
    assert.deepStrictEqual(js(run(f(a, 1 as unknown as Tensor))), [3, 5])
    assert.deepStrictEqual(js(run(f(a, tensor(1)))), [3, 5])
    assert.strictEqual(traces, 3)
    // [a, b] types were evicted (cacheSize 2: the two scalar signatures are newer)
    assert.deepStrictEqual(f.cacheInfo(), { size: 2, hits: 5, misses: 3 })
    run(f(a, b)) // retraced: evicts the weak scalar signature, the least recently used
    assert.strictEqual(traces, 4)
    run(f(a, 1 as unknown as Tensor)) // retraced: evicts the strong scalar one
    assert.strictEqual(traces, 5)
    run(f(a, b))
    assert.strictEqual(traces, 5)
    assert.deepStrictEqual(f.cacheInfo(), { size: 2, hits: 6, misses: 5 })
    // after clearCache the last signature is traced again
    f.clearCache()
    assert.deepStrictEqual(js(run(f(a, b))), [5, 8])
    assert.strictEqual(traces, 6)
    assert.deepStrictEqual(f.cacheInfo(), { size: 1, hits: 0, misses: 1 })
    // a pytree argument takes the general path and hits the same way
    const g = jit((p: { x: Tensor; y: Tensor }) => {
      traces++
      return np.subtract(p.x, p.y)
    })
    assert.deepStrictEqual(js(run(g({ x: a, y: b }))), [-2, -2])
    assert.deepStrictEqual(js(run(g({ x: b, y: a }))), [2, 2])
    assert.deepStrictEqual(g.cacheInfo(), { size: 1, hits: 1, misses: 1 })
    assert.strictEqual(traces, 7)
  })

  it("a small program is run again after its first call (warm), releasing all it makes; a large one is not", () => {
    const tracked = makeTypedArrayBackend({ threads: 1, trackMemory: true })
    const g = (x: Tensor, y: Tensor) => [np.sum(np.multiply(np.tanh(x), y)), np.add(np.exp(x), y)]
    const compile = (n: number) => {
      const program = makeProgramFlat(([x, y]) => g(x!, y!), [aval([n], "float32"), aval([n], "float32")])
      const { program: simple, uniform } = simplifyProgram(program, tracked)
      return { exe: compileExecutable(simple, planFusion(simple, true), uniform, tracked), simple }
    }
    const small = compile(100)
    assert.isTrue(small.exe.warmable)
    assert.isFalse(compile(1 << 17).exe.warmable)
    // a product or a factorization costs more than its sizes say: never run again
    for (const h of [(a: Tensor) => np.matmul(a, a), (a: Tensor) => np.linalg.svdvals(a)]) {
      const program = makeProgramFlat(([a]) => [h(a!)], [aval([4, 4], "float32")])
      const { program: simple, uniform } = simplifyProgram(program, tracked)
      assert.isFalse(compileExecutable(simple, planFusion(simple, true), uniform, tracked).warmable)
    }
    const inputs = withBackend(tracked, () => [np.linspace(-1, 1, { num: 100 }), np.linspace(0, 2, { num: 100 })])
    const want = withBackend(tracked, () => evalProgram(small.simple, small.simple.consts, inputs)).map(js)
    const outs = small.exe.run(inputs)
    assert.deepStrictEqual(outs.map(js), want)
    const before = tracked.memory()!
    small.exe.warm(inputs, 20)
    // nothing it made is alive; the arena is the same
    assert.deepStrictEqual(tracked.memory()!.buffers, before.buffers)
    assert.deepStrictEqual(tracked.memory()!.bytes, before.bytes)
    assert.deepStrictEqual(small.exe.run(inputs).map(js), want)
    assert.deepStrictEqual(outs.map(js), want, "the first call's results are untouched")
    // through jit: the first call warms (same results, one trace, counted once)
    let traces = 0
    const f = jit((x: Tensor, y: Tensor) => {
      traces++
      return g(x, y)
    })
    const [a, b] = runSyncOn(tracked, f(inputs[0]!, inputs[1]!)) as Array<Tensor>
    assert.deepStrictEqual([js(a!), js(b!)], want)
    assert.strictEqual(traces, 1)
    assert.deepStrictEqual(f.cacheInfo(), { size: 1, hits: 0, misses: 1 })
    tracked.close()
  })
})
