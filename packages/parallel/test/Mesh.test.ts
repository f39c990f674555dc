import { assert, describe, it } from "@effect/vitest"
import { np, runSync, type Tensor, toJsSync, vmap } from "diffect"
import { Effect, Exit, Schedule } from "effect"
import type { Worker } from "node:worker_threads"
import { Mesh, pmap } from "../src/index.js"
import { collectives, die, extraCollective, mismatch } from "./fixtures/steps.js"

const exited = (worker: Worker): Promise<number> =>
  new Promise((resolve) => worker.once("exit", (code) => resolve(code)))

describe("Mesh", () => {
  it.live(
    "closing the mesh's scope stops its workers; a lost worker is a typed error and is replaced",
    () =>
      Effect.gen(function*() {
        const spawned: Array<{ readonly worker: Worker; readonly rank: number; readonly exit: Promise<number> }> = []
        const mesh = Mesh.layer({
          workers: 2,
          onSpawn: (worker, rank) => spawned.push({ worker, rank, exit: exited(worker) })
        })
        const victims = yield* Effect.scoped(
          Effect.gen(function*() {
            const x = np.array([1, 2, 3, 4], { dtype: "float64" })
            const first = yield* pmap(collectives, { axisName: "i" })(x)
            assert.deepStrictEqual(toJsSync(first.sum), [10, 10, 10, 10])
            assert.strictEqual(spawned.length, 2)
            const rank1 = spawned.find((s) => s.rank === 1)!

            // Kill worker 1 in the middle of a call: it exits before its psum, so worker 0 waits
            // there until the coordinator aborts the collective.
            const lost = yield* Effect.exit(
              pmap(die, { axisName: "i", inAxes: [0, null] })(x, np.array(rank1.worker.threadId))
            )
            assert.isTrue(Exit.isFailure(lost))
            const error = Exit.isFailure(lost) ? lost.cause.reasons[0] : undefined
            assert.strictEqual(error?._tag, "Fail")
            const failure = (error as { error: { _tag: string; rank: number } }).error
            assert.strictEqual(failure._tag, "WorkerLostError")
            assert.strictEqual(failure.rank, 1)
            assert.strictEqual(yield* Effect.promise(() => rank1.exit), 1)

            // The mesh replaces the worker: the same call, retried, succeeds (with the new thread's id
            // as the victim no one matches).
            const again = yield* pmap(collectives, { axisName: "i" })(x).pipe(
              Effect.retry({ schedule: Schedule.spaced("500 millis"), times: 40 })
            )
            assert.deepStrictEqual(toJsSync(again.sum), [10, 10, 10, 10])
            assert.strictEqual(spawned.filter((s) => s.rank === 1).length, 2)

            // Workers that disagree on a collective fail with a typed error instead of hanging.
            const rank0 = spawned.find((s) => s.rank === 0)!
            const bad = yield* Effect.flip(
              pmap(mismatch, { axisName: "i", inAxes: [0, null] })(x, np.array(rank0.worker.threadId))
            )
            assert.strictEqual(bad._tag, "CollectiveMismatchError", bad.message)
            // A worker that applies one collective more than its peer fails instead of waiting forever.
            const extra = yield* Effect.flip(
              pmap(extraCollective, { axisName: "i", inAxes: [0, null] })(x, np.array(rank0.worker.threadId)).pipe(
                Effect.timeout("60 seconds")
              )
            )
            assert.strictEqual(extra._tag, "CollectiveMismatchError", extra.message)
            assert.include(extra.message, "worker 0 waits in a collective over 'i' that another worker never applies")
            return spawned.slice()
          }).pipe(Effect.provide(mesh))
        )
        // Scope closed: every worker thread the mesh started has exited.
        const codes = yield* Effect.promise(() => Promise.all(victims.map((s) => s.exit)))
        assert.strictEqual(codes.length, 3)
      }),
    180_000
  )

  it.effect("bad arguments are typed errors", () =>
    Effect.gen(function*() {
      const odd = yield* Effect.flip(pmap(collectives, { axisName: "i" })(np.ones([3, 2])))
      assert.strictEqual(odd._tag, "PmapArgumentError")
      assert.strictEqual(odd.message, "pmap: the mapped axis has size 3, not a multiple of the 2 workers of the mesh")
      // A plain function cannot reach the workers: the type says so, and so does the error.
      const plain = ((x: Tensor) => x) as unknown as Parameters<typeof pmap>[0]
      const notRemote = yield* Effect.flip(pmap(plain, { axisName: "i" })(np.ones([2])))
      assert.strictEqual(notRemote._tag, "PmapArgumentError")
      const badMesh = yield* Effect.flip(Effect.provide(Effect.void, Mesh.layer({ workers: 0 })))
      assert.strictEqual(badMesh._tag, "PmapArgumentError")
      const badThreads = yield* Effect.flip(Effect.provide(Effect.void, Mesh.layer({ workers: 1, kernelThreads: 0 })))
      assert.strictEqual(badThreads.message, "Mesh.layer: kernelThreads must be a positive integer, got the number 0")
      // options of the wrong kind, too many workers, a symbol, an exchange too large to allocate
      const layerError = (options: unknown) =>
        Effect.flip(Effect.provide(Effect.void, Mesh.layer(options as Parameters<typeof Mesh.layer>[0])))
      assert.match((yield* layerError(null)).message, /options must be an object .*, got null/)
      assert.match((yield* layerError({ workers: 1e9 })).message, /workers must be an integer from 1 to 1024/)
      assert.match((yield* layerError({ workers: Symbol("w") })).message, /got a symbol/)
      const huge = yield* layerError({ workers: 2, slotBytes: 2 ** 40 })
      assert.strictEqual(huge._tag, "PmapArgumentError")
      assert.match(huge.message, /could not be allocated; use smaller slotBytes/)
      // a misspelled option was silently the default
      assert.match(
        (yield* layerError({ workers: 1, slotbytes: 64 })).message,
        /unknown key "slotbytes"; it takes workers, slotBytes/
      )
      const badKey = yield* Effect.flip(pmap(collectives, { axisName: "i", in_axes: 0 } as never)(np.ones([2, 3])))
      assert.strictEqual(badKey._tag, "PmapArgumentError")
      assert.match(badKey.message, /pmap: options has the unknown key "in_axes"; it takes axisName, inAxes/)
    }).pipe(Effect.provide(Mesh.layer({ workers: 2 }))))

  it.effect(
    "collectives through slots smaller than their payloads (chunks over alternating slot sets) equal vmap's",
    () =>
      Effect.gen(function*() {
        // 64-byte slots: 8 float64 per round; each worker's 4 x 5 block goes through in 3 rounds.
        const x = np.array(
          Array.from({ length: 8 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(3 * i + j) * 10 ** (j % 4))),
          { dtype: "float64" }
        )
        const out = yield* pmap(collectives, { axisName: "i" })(x)
        const expected = runSync(vmap(collectives.f, { axisName: "i" })(x))
        for (const key of ["sum", "mean", "max", "min", "index", "centered"] as const) {
          const a = [toJsSync(out[key])].flat(2) as Array<number>
          const e = [toJsSync(expected[key])].flat(2) as Array<number>
          assert.strictEqual(a.length, e.length)
          a.forEach((v, i) => assert.isTrue(Object.is(v, e[i]), `${key}[${i}]: ${v} !== ${e[i]}`))
        }
      }).pipe(Effect.provide(Mesh.layer({ workers: 2, slotBytes: 64 }))),
    120_000
  )
})
