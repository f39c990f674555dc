/**
 * Long runs and hostile ends: a region does not hold what a loop released
 * early (a jitted loop run for minutes ran out of heap), a `Memory.scoped`
 * failure keeps the tensors its typed error carries, and interrupted jitted
 * loops leave the backend's live buffers where they were.
 */
import { assert, describe, it } from "@effect/vitest"
import { Backend, jit, lax, Memory, np, runSync, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { makeTypedArrayBackend } from "diffect/extend"
import { Effect, Exit, Fiber } from "effect"

describe("a region holds only what is still live", () => {
  it("tensors released early (a loop's steps) leave the region's list: it stays bounded", () => {
    const session = new Memory.Session("test")
    const x = np.array([0.5, 0.25])
    let last: Tensor | undefined
    session.run(() => {
      for (let k = 0; k < 20_000; k++) {
        const t = np.exp(x)
        if (last !== undefined) Memory.release(last)
        last = t
      }
    })
    // before, the list held all 20,000 (released) tensors until the region closed
    assert.isBelow(session.region.owned.length, 2048)
    assert.isFalse(Memory.isReleased(last))
    session.finish(new Set())
    assert.isTrue(Memory.isReleased(last))
  })

  it("a jitted whileLoop of 100,000 iterations leaves a bounded list, and the right value", () => {
    const count = jit((x: Tensor, n: Tensor) =>
      lax.whileLoop((c: Tensor) => np.less(c, n), (c: Tensor) => np.add(c, 1), x)
    )
    runSync(count(np.array(0), np.array(1)))
    const session = new Memory.Session("test")
    const out = session.run(() => runSync(count(np.array(0), np.array(100_000))))
    assert.strictEqual(toJsSync(out), 100_000)
    // ~3 tensors per iteration were held (about 250 bytes of heap each, 20 MB/s of a loop)
    assert.isBelow(session.region.owned.length, 2048)
    session.finish(new Set([out]))
    assert.strictEqual(toJsSync(out), 100_000)
  })
})

describe("Memory.scoped returns through both channels", () => {
  it("a typed failure's tensors are kept; the rest is released", () => {
    let temp: Tensor | undefined
    const exit = Effect.runSyncExit(
      Memory.scoped(Effect.suspend(() => {
        temp = np.exp(np.arange(3))
        return Effect.fail({ best: np.add(temp, 1) })
      }))
    )
    assert.isTrue(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) ? (exit.cause.reasons[0] as { error: { best: Tensor } }).error : undefined
    // before, the error's tensor was released with the region: reading it was a ReleasedTensorError
    assert.deepStrictEqual(toJsSync(error!.best), [2, 3.7182817459106445, 8.389056205749512])
    assert.isTrue(Memory.isReleased(temp))
  })
})

describe("interrupted jitted loops leave no buffers", () => {
  const backend = makeTypedArrayBackend({ trackMemory: true })
  const provide = Effect.provideService(Backend, backend)
  const live = () => backend.memory()!.buffers
  // sum(c) stays below 4, so the loop never ends on its own
  const forever = jit((x: Tensor, n: Tensor) =>
    lax.whileLoop((c: Tensor) => np.less(np.sum(c), n), (c: Tensor) => np.add(np.sin(c), 1), x)
  )
  const scanned = jit((x: Tensor, xs: Tensor) =>
    lax.scan((c: Tensor, xi: Tensor) => [np.add(np.sin(c), xi), np.cos(c)] as const, x, xs)
  )
  const x = np.array([0.5, 0.25])

  it.live("Effect.timeout, Effect.race and Fiber.interrupt; the backend works after", () =>
    Effect.gen(function*() {
      // compiled once (the programs' arenas stay with the cache)
      const warm = yield* forever(x, np.array(0))
      assert.deepStrictEqual(toJsSync(warm), [0.5, 0.25])
      yield* scanned(x, np.ones([2, 2]))
      const xs = np.ones([200_000, 2])
      // a loop's first run past its first iteration allocates what its cache entry keeps
      yield* Effect.exit(forever(x, np.array(10)).pipe(Effect.timeout(30)))
      yield* Effect.exit(scanned(x, xs).pipe(Effect.timeout(20)))
      const before = live()
      const runs: Array<Effect.Effect<unknown, unknown, Backend>> = [
        forever(x, np.array(10)).pipe(Effect.timeout(30)),
        Effect.race(forever(x, np.array(10)), Effect.sleep(30)),
        Effect.gen(function*() {
          const fiber = yield* Effect.forkChild(forever(x, np.array(10)))
          yield* Effect.sleep(30)
          yield* Fiber.interrupt(fiber)
        }),
        scanned(x, xs).pipe(Effect.timeout(20)),
        Effect.all(
          Array.from({ length: 6 }, (_, i) =>
            Effect.race(forever(np.array([i, 0]), np.array(10)), Effect.sleep(10 + 5 * i))),
          { concurrency: "unbounded" }
        )
      ]
      const exits: Array<string> = []
      for (const run of runs) {
        exits.push((yield* Effect.exit(run))._tag)
        assert.strictEqual(live(), before)
      }
      // the timeouts fired (the races and the interruption end with the sleeps)
      assert.deepStrictEqual(exits, ["Failure", "Success", "Success", "Failure", "Success"])
      const [c] = yield* scanned(np.array([0, 0]), np.ones([3, 2]))
      // c1 = sin 0 + 1 = 1, c2 = sin 1 + 1, c3 = sin(c2) + 1 (float32)
      const c2 = Math.fround(Math.fround(Math.sin(1)) + 1)
      assert.closeTo((toJsSync(c) as Array<number>)[0]!, Math.sin(c2) + 1, 1e-6)
    }).pipe(provide), 60_000)
})
