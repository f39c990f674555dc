import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { lax, np, optim, random, runSync, type Tensor, toJsSync, valueAndGrad } from "diffect"
import { Effect, Layer, Redacted, Result, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { loadIris } from "../../diffect/demo/data.js"
import { initParams, loss, type Params } from "../../diffect/demo/model.js"
import { Cluster, type PmapArgumentError, RunnerLostError } from "../src/index.js"
import { irisGradsCrashOnce, irisResidentGrads, irisUpdate } from "./fixtures/iris.js"

// CI (.ci/run) starts Debian's PostgreSQL and sets DIFFECT_TEST_PG; without a server these tests
// are skipped (the describe's name says why).
const pgUrl = process.env["DIFFECT_TEST_PG"]
if (pgUrl === undefined) {
  console.warn(
    "packages/parallel/test/Cluster.test.ts: SKIPPED, no PostgreSQL configured (set DIFFECT_TEST_PG=postgres://user@host:port/db)"
  )
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

const runnerScript = path.join(import.meta.dirname, "fixtures", "runner.ts")
const startRunner = (rank: number, ranks: number, port: number, url: string, log: Array<string>): ChildProcess => {
  const child = spawn(process.execPath, [
    "--import",
    "tsx",
    runnerScript,
    String(rank),
    String(ranks),
    String(port),
    url
  ], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  child.stdout!.on("data", (d) => log.push(`[runner ${rank}] ${d}`))
  child.stderr!.on("data", (d) => log.push(`[runner ${rank}] ${d}`))
  return child
}
// Stops a runner: SIGTERM, then SIGKILL if it has not exited within 3 s (no process outlives the test).
const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill("SIGTERM")
  })

// The demo's MLP on a fixed sequence of batches of 32 training rows, Adam as in the demo.
const steps = 8
const batch = 32
const ranks = 2
const optimizer = optim.adam(0.05)
const iris = loadIris(random.key(0))
// Rows [from, to) of the batch of `step`, as tensors.
const rows = (step: number, from = 0, to = batch): [Tensor, Tensor] => {
  const start = (step * batch) % (iris.train.n - batch) + from
  const n = to - from
  return [
    np.array(iris.train.x.slice(start * 4, (start + n) * 4)).reshape([n, 4]),
    np.array(iris.train.y.slice(start * 3, (start + n) * 3)).reshape([n, 3])
  ]
}
const params0 = runSync(initParams(random.key(1)))

type Grads = readonly [Tensor, Params]
const train = (gradsAt: (step: number, params: Params) => Grads): Array<number> => {
  let params = params0
  let state = optimizer.init(params)
  const curve: Array<number> = []
  for (let step = 0; step < steps; step++) {
    const [value, grads] = gradsAt(step, params)
    const [updates, next] = optimizer.update(grads, state, params)
    params = optim.applyUpdates(params, updates)
    state = next
    curve.push(toJsSync(value) as number)
  }
  return curve
}

// One process, the data-parallel algorithm: each rank's block in turn, then the ranks'
// results stacked in rank order and averaged (what the coordinator computes).
const meanOverRanks = (parts: ReadonlyArray<Tensor>): Tensor => {
  const total = lax.reduceSum(np.stack(parts as Array<Tensor>), [0])
  return lax.div(total, lax.full(total.shape, ranks, total.dtype, total.weakType))
}
const shardedReference = train((step, params) => {
  const per = Array.from({ length: ranks }, (_, k) => {
    const b = batch / ranks
    return runSync(valueAndGrad(loss)(params, ...rows(step, k * b, (k + 1) * b)))
  })
  const grads = Object.fromEntries(
    (["b1", "b2", "w1", "w2"] as const).map((name) => [name, meanOverRanks(per.map(([, g]) => g[name]))])
  ) as unknown as Params
  return [meanOverRanks(per.map(([v]) => v)), grads]
})
// One process, the plain full-batch step (the demo's).
const fullBatch = train((step, params) => runSync(valueAndGrad(loss)(params, ...rows(step))) as Grads)

describe("Cluster (two runner processes on localhost, PostgreSQL storage; skipped without DIFFECT_TEST_PG)", () => {
  it.live.skipIf(pgUrl === undefined)(
    "trains the demo's MLP on two runners: the loss curve equals the one-process run's, through a killed runner",
    () =>
      Effect.gen(function*() {
        // A fresh database per run: the cluster's tables start empty.
        const db = `diffect_test_${process.pid}_${Date.now()}`
        const admin = PgClient.layer({ url: Redacted.make(pgUrl!) })
        yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${db}`)).pipe(
          Effect.provide(admin)
        )
        const url = new URL(pgUrl!)
        url.pathname = `/${db}`
        const log: Array<string> = []
        const ports = [yield* Effect.promise(freePort), yield* Effect.promise(freePort)]
        const runners = ports.map((port, rank) => startRunner(rank, ranks, port, url.href, log))
        const allRunners = [...runners]
        const marker = path.join(mkdtempSync(path.join(tmpdir(), "diffect-cluster-")), "crashed")
        const stopAll = Effect.promise(() => Promise.all(allRunners.map(stop)))
        {
          const curve = yield* Effect.gen(function*() {
            let params = params0
            let state = optimizer.init(params)
            const curve: Array<number> = []
            let lostSeen = 0
            for (let step = 0; step < steps; step++) {
              const [x, y] = rows(step)
              // Rank 1's runner dies during step 3 (the marker does not exist yet then).
              const attempt = Cluster.mapReduce(irisGradsCrashOnce, {
                step,
                inAxes: [null, 0, 0, null],
                reduce: "mean"
              })(
                params,
                x,
                y,
                step === 3 ? marker : runnerScript
              )
              const [value, grads] = yield* attempt.pipe(
                Effect.tapError((e) =>
                  Effect.sync(() => {
                    if (e instanceof RunnerLostError) {
                      lostSeen++
                      // the killed runner's replacement: a new process for rank 1
                      if (runners[1]!.exitCode !== null) {
                        runners[1] = startRunner(1, ranks, ports[1]!, url.href, log)
                        allRunners.push(runners[1])
                      }
                    }
                  })
                ),
                Effect.retry({
                  schedule: Schedule.spaced("1 second"),
                  times: 60,
                  while: (e) => e instanceof RunnerLostError
                })
              )
              const [updates, next] = optimizer.update(grads, state, params)
              params = optim.applyUpdates(params, updates)
              state = next
              curve.push(toJsSync(value) as number)
            }
            assert.isAtLeast(lostSeen, 1, "the killed runner was noticed")
            return curve
          }).pipe(
            Effect.provide(
              Cluster.ClusterMesh.layer({ ranks, timeout: "8 seconds" }).pipe(
                Layer.provide(PgClient.layer({ url: Redacted.make(url.href) }))
              )
            ),
            Effect.tapCause(() => Effect.sync(() => console.log(log.join("")))),
            // Every runner process started (the replacement too) is stopped, whatever happened.
            Effect.ensuring(stopAll)
          )
          // Bit for bit: the same per-rank computations, reduced in the same order.
          assert.deepStrictEqual(curve, shardedReference)
          // And the plain one-process training, up to float32 rounding of the split sums.
          curve.forEach((v, i) => assert.closeTo(v, fullBatch[i]!, 1e-5 * Math.max(1, Math.abs(fullBatch[i]!))))
          assert.isBelow(curve[steps - 1]!, curve[0]!)
          assert.isTrue(allRunners.every((r) => r.exitCode !== null || r.signalCode !== null))
        }
      }),
    240_000
  )

  it.live.skipIf(pgUrl === undefined)(
    "resident mode: state and data stay in the runners, a step moves only gradients; equal curve through a killed runner",
    () =>
      Effect.gen(function*() {
        const db = `diffect_test_r_${process.pid}_${Date.now()}`
        yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${db}`)).pipe(
          Effect.provide(PgClient.layer({ url: Redacted.make(pgUrl!) }))
        )
        const url = new URL(pgUrl!)
        url.pathname = `/${db}`
        const log: Array<string> = []
        const ports = [yield* Effect.promise(freePort), yield* Effect.promise(freePort)]
        const runners = ports.map((port, rank) => startRunner(rank, ranks, port, url.href, log))
        const allRunners = [...runners]
        const marker = path.join(mkdtempSync(path.join(tmpdir(), "diffect-cluster-")), "crashed")
        const per = batch / ranks
        // Rank k's rows of every step, one after the other; the ranks' blocks stacked.
        const block = (k: number, i: 0 | 1) =>
          np.concatenate(Array.from({ length: steps }, (_, step) => rows(step, k * per, (k + 1) * per)[i]))
        const data = {
          x: np.concatenate([block(0, 0), block(1, 0)]),
          y: np.concatenate([block(0, 1), block(1, 1)])
        }
        const { curve, traffic } = yield* Effect.gen(function*() {
          const mesh = yield* Cluster.ClusterMesh
          // (the runners may still be starting: a lost rank is retried)
          const retryLost = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
            Effect.retry(effect, {
              schedule: Schedule.spaced("1 second"),
              times: 60,
              while: (e) => e._tag === "RunnerLostError"
            })
          const state = yield* Cluster.place({ params: params0, opt: optimizer.init(params0) }).pipe(retryLost)
          const placed = yield* Cluster.place(data, { inAxes: 0 }).pipe(retryLost)
          const curve: Array<number> = []
          const traffic: Array<{ sent: number; received: number }> = []
          let lostSeen = 0
          let restored = 0
          for (let step = 0; step < steps; step++) {
            const before = mesh.traffic()
            for (;;) {
              const attempt = yield* Effect.result(
                Cluster.train(irisResidentGrads, irisUpdate, { step, state, reduce: "mean" })(
                  placed,
                  step,
                  per,
                  step === 3 ? marker : ""
                )
              )
              if (Result.isSuccess(attempt)) {
                curve.push(toJsSync(attempt.success[0]) as number)
                break
              }
              const e = attempt.failure
              if (e._tag === "RunnerLostError") {
                lostSeen++
                if (runners[1]!.exitCode !== null || runners[1]!.signalCode !== null) {
                  runners[1] = startRunner(1, ranks, ports[1]!, url.href, log)
                  allRunners.push(runners[1])
                }
                yield* Effect.sleep("1 second")
              } else if (e._tag === "ResidentLostError") {
                // The replacement holds nothing: rank 0's state (of the step it reached) and rank 1's rows.
                assert.strictEqual(e.rank, 1)
                const live = yield* Cluster.fetch(state, { rank: 0 }).pipe(retryLost)
                yield* Cluster.place(live.value, { into: state, step: live.step ?? undefined, ranks: [1] }).pipe(
                  retryLost
                )
                yield* Cluster.place(data, { inAxes: 0, into: placed, ranks: [1] }).pipe(retryLost)
                restored++
              } else {
                return yield* Effect.fail(e)
              }
              assert.isBelow(lostSeen + restored, 60, "the step was retried too often")
            }
            const after = mesh.traffic()
            traffic.push({
              sent: after.sentBytes - before.sentBytes,
              received: after.receivedBytes - before.receivedBytes
            })
          }
          assert.isAtLeast(lostSeen, 1, "the killed runner was noticed")
          assert.strictEqual(restored, 1, "the replacement was restored once")
          return { curve, traffic }
        }).pipe(
          Effect.provide(
            Cluster.ClusterMesh.layer({ ranks, timeout: "8 seconds" }).pipe(
              Layer.provide(PgClient.layer({ url: Redacted.make(url.href) }))
            )
          ),
          Effect.tapCause(() => Effect.sync(() => console.log(log.join("")))),
          Effect.ensuring(Effect.promise(() => Promise.all(allRunners.map(stop))))
        )
        // Bit for bit: the same per-rank computations, reduced in the same order, the same update.
        assert.deepStrictEqual(curve, shardedReference)
        // Per step (the restart aside), each rank gets the previous step's reduced value and
        // gradient (none on the first step) and sends its own: 4 bytes of loss plus the parameters' size.
        const gradBytes = 4 + 4 * (4 * 16 + 16 + 16 * 3 + 3)
        traffic.forEach((t, step) => {
          if (step === 3) return
          assert.deepStrictEqual(
            t,
            { sent: step === 0 ? 0 : ranks * gradBytes, received: ranks * gradBytes },
            `step ${step}`
          )
        })
        assert.isTrue(allRunners.every((r) => r.exitCode !== null || r.signalCode !== null))
      }),
    240_000
  )
})

// The options checks run before the cluster is reached: no runners or database needed.
describe("Cluster steps' options", () => {
  const noCluster = Effect.provideService(Cluster.ClusterMesh, {} as never)
  it.effect("a misspelled key or options that are not an object are a PmapArgumentError", () =>
    Effect.gen(function*() {
      const stepTypo = yield* Effect.flip(
        (Cluster.mapReduce(irisResidentGrads, { stp: 0 } as never) as unknown as () => Effect.Effect<
          unknown,
          PmapArgumentError,
          Cluster.ClusterMesh
        >)().pipe(
          noCluster
        )
      )
      assert.strictEqual(stepTypo._tag, "PmapArgumentError")
      assert.match(stepTypo.message, /mapReduce: options has the unknown key "stp"; it takes step, inAxes, reduce/)
      const nullOptions = yield* Effect.flip(
        (Cluster.mapReduce(irisResidentGrads, null as never) as unknown as () => Effect.Effect<
          unknown,
          PmapArgumentError,
          Cluster.ClusterMesh
        >)().pipe(noCluster)
      )
      assert.match(nullOptions.message, /mapReduce: options must be an object .*got null/)
      const placeTypo = yield* Effect.flip(Cluster.place(np.ones([2]), { in_axes: 0 } as never).pipe(noCluster))
      assert.match(placeTypo.message, /Cluster.place: options has the unknown key "in_axes"/)
      const trainTypo = yield* Effect.flip(
        (Cluster.train(irisResidentGrads, irisUpdate, { step: 0, stat: null } as never) as unknown as () =>
          Effect.Effect<
            unknown,
            PmapArgumentError,
            Cluster.ClusterMesh
          >)().pipe(noCluster)
      )
      assert.match(trainTypo.message, /Cluster.train: options has the unknown key "stat"/)
    }))
})
