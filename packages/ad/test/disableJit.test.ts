/**
 * `disableJit` (JAX's jax.disable_jit): jitted functions run op by op inside
 * it, at any depth and under transformations; outside it they trace and
 * compile as before.
 */
import { disableJit, grad, jit, vmap } from "@diffect/ad"
import { np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { js, provideCpu } from "./gradHelpers.js"

describe("disableJit", () => {
  it("the function runs on every call, with values it can read; outside, it traces once and refuses reads", () => {
    const seen: Array<unknown> = []
    const f = jit((x: Tensor) => {
      seen.push(toJsSync(x))
      return np.square(x)
    })
    const disabled = (x: Tensor) => Effect.runSync(provideCpu(disableJit(f(x))))
    assert.deepStrictEqual(js(disabled(np.array([1, 2]))), [1, 4])
    assert.deepStrictEqual(js(disabled(np.array([3, 4]))), [9, 16])
    assert.deepStrictEqual(seen, [[1, 2], [3, 4]])
    // nothing was traced
    assert.deepStrictEqual(f.cacheInfo(), { size: 0, hits: 0, misses: 0 })
    // enabled again: reading the traced value is JAX's ConcretizationError
    const e = Effect.runSync(Effect.flip(provideCpu(f(np.array([1, 2])))))
    assert.strictEqual((e as { _tag: string })._tag, "ConcretizationError")
  })

  it("nested: a jit inside another, under grad and vmap, runs its function on every call", () => {
    let calls = 0
    const inner = jit((x: Tensor) => {
      calls++
      return np.sin(x)
    })
    const outer = jit((x: Tensor) => Effect.map(inner(x), (y) => np.sum(y)))
    const program = Effect.gen(function*() {
      const g = yield* grad(outer)(np.array([0, 1]))
      const v = yield* vmap((x: Tensor) => inner(x))(np.array([0.5, 2]))
      const w = yield* outer(np.array([0, 0]))
      return [js(g), js(v), js(w)]
    })
    const [g, v, w] = Effect.runSync(provideCpu(disableJit(program)))
    // d/dx sum(sin(x)) = cos(x)
    assert.deepStrictEqual(g, [1, Math.fround(Math.cos(1))])
    assert.deepStrictEqual(v, [Math.fround(Math.sin(0.5)), Math.fround(Math.sin(2))])
    assert.strictEqual(w, 0)
    assert.strictEqual(calls, 3)
    assert.deepStrictEqual([inner.cacheInfo().misses, outer.cacheInfo().misses], [0, 0])
    // enabled: each jitted function traces (inner at its two signatures, under grad's and vmap's
    // tracers; outer once), and a second run retraces nothing and runs no function
    Effect.runSync(provideCpu(program))
    const traced = calls
    Effect.runSync(provideCpu(program))
    assert.deepStrictEqual([inner.cacheInfo().misses, outer.cacheInfo().misses], [2, 1])
    assert.strictEqual(calls, traced)
  })
})
