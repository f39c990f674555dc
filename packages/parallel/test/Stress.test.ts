/**
 * A mesh under hostile use: a call interrupted while a worker still computes
 * (JS cannot pre-empt it) must not leak into the next call through the shared
 * exchange; a worker that throws is a typed error and the mesh goes on; a
 * released argument, an empty mapped axis and a mesh used after its scope
 * closed are typed errors.
 */
import { assert, describe, it } from "@effect/vitest"
import { Memory, np, toJsSync } from "diffect"
import { Cause, Effect, Exit } from "effect"
import type { Worker } from "node:worker_threads"
import { Mesh, pmap, Resident } from "../src/index.js"
import { lateCollective, sum, throws } from "./fixtures/stress.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): { _tag?: string; message?: string } | undefined => {
  if (!Exit.isFailure(exit)) return undefined
  const found = Cause.findError(exit.cause)
  return found._tag === "Success" ? found.success as never : { _tag: "not a failure: " + Cause.pretty(exit.cause) }
}

describe("a mesh under stress", () => {
  it.live(
    "an interrupted call, a worker that throws, and a mesh used after its scope closed",
    () =>
      Effect.gen(function*() {
        const spawned: Array<{ readonly worker: Worker; readonly rank: number }> = []
        const x = np.array([1, 2], { dtype: "float64" })
        const mesh = yield* Effect.scoped(
          Effect.gen(function*() {
            assert.deepStrictEqual(toJsSync(yield* pmap(sum, { axisName: "i" })(x)), [3, 3])
            const victim = np.array(spawned.find((s) => s.rank === 1)!.worker.threadId)

            // Worker 1 computes for 3 s before its psum; the call times out after 300 ms. Worker 0
            // (waiting in the psum) is aborted, worker 1 goes on. The next call used to reset the
            // exchange while worker 1 was still in the old call: worker 1 then entered the old
            // psum against the new call's, and the new call failed with a CollectiveMismatchError.
            const late = pmap(lateCollective, { axisName: "i", inAxes: [0, null, null] })
            const start = performance.now()
            const timedOut = yield* Effect.exit(
              late(np.array([10, 20], { dtype: "float64" }), victim, np.array(3000)).pipe(Effect.timeout(300))
            )
            const waited = performance.now() - start
            assert.strictEqual(failureOf(timedOut)?._tag, "TimeoutError")
            // the interruption itself does not wait for the worker
            assert.isBelow(waited, 2500)
            // the next call waits for worker 1 to be done with the old one, then is right
            assert.deepStrictEqual(toJsSync(yield* pmap(sum, { axisName: "i" })(np.array([5, 7]))), [12, 12])
            assert.deepStrictEqual(toJsSync(yield* pmap(sum, { axisName: "i" })(x)), [3, 3])

            // A worker that throws before its collective: its peer waiting there is aborted, the
            // call fails with the thrower's error, and the mesh goes on.
            const thrown = failureOf(yield* Effect.exit(pmap(throws, { axisName: "i", inAxes: [0, null] })(x, victim)))
            assert.strictEqual(thrown?._tag, "WorkerFailedError")
            assert.include(thrown?.message, "boom in the remote step")
            assert.deepStrictEqual(toJsSync(yield* pmap(sum, { axisName: "i" })(x)), [3, 3])

            // A released argument was a defect (ReleasedTensorError thrown while sharding), an
            // axis of size 0 a WorkerFailedError about a NaN size.
            const gone = np.exp(x)
            Memory.release(gone)
            const reads: Array<Effect.Effect<unknown, unknown, Mesh>> = [
              pmap(sum, { axisName: "i" })(gone),
              Resident.replicate({ w: gone })
            ]
            for (const e of reads) {
              const failure = failureOf(yield* Effect.exit(e))
              assert.strictEqual(failure?._tag, "PmapArgumentError")
              assert.include(failure?.message, "cannot read ")
              assert.include(failure?.message, "ReleasedTensorError: Tensor(f64[2]) was released by Memory.release")
            }
            const empty = failureOf(yield* Effect.exit(pmap(sum, { axisName: "i" })(np.ones([0, 3]))))
            assert.strictEqual(
              empty?.message,
              "pmap: the mapped axis has size 0: each of the 2 workers of the mesh maps a block of it"
            )
            return yield* Mesh
          }).pipe(
            Effect.provide(Mesh.layer({ workers: 2, onSpawn: (worker, rank) => spawned.push({ worker, rank }) }))
          )
        )
        // Used after its scope closed: the caller was interrupted (the RPC clients are closed).
        const closed = [
          failureOf(yield* Effect.exit(pmap(sum, { axisName: "i" })(x).pipe(Effect.provideService(Mesh, mesh)))),
          failureOf(
            yield* Effect.exit(
              Resident.replicate({ w: x }).pipe(Effect.provideService(Mesh, mesh), Effect.timeout(10_000))
            )
          )
        ]
        for (const e of closed) {
          assert.strictEqual(e?._tag, "PmapArgumentError")
          assert.strictEqual(
            e?.message,
            "Mesh: the mesh's scope is closed (its workers have stopped); use a Mesh inside the scope of the Mesh.layer that provides it"
          )
        }
      }),
    180_000
  )
})
