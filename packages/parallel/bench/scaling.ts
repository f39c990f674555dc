/**
 * The step-time scaling curve of docs/benchmarks.md ("Data parallelism"): the B1 MLP's value and
 * gradient at batch 1,024 in one process (jit), on a Mesh of 1 and 2 worker threads (pmap with
 * pmean), and, when DIFFECT_TEST_PG names a PostgreSQL server, on two Cluster runner processes
 * on localhost (mapReduce) with the communication cost per step (the same bytes, no compute).
 *
 * `pnpm exec tsx packages/parallel/bench/scaling.ts [steps]` (SKIP_LOCAL=1 or SKIP_CLUSTER=1 runs one
 * part: in one process, the cluster part was once interrupted right after the mesh part, unexplained).
 */
import { PgClient } from "@effect/sql-pg"
import { np, runSync, type Tensor } from "diffect"
import { Cause, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import * as path from "node:path"
import { Cluster, Mesh, pmap } from "../src/index.js"
import { b1Echo, b1Grads, b1Step, type Params, valueAndGradJit } from "./b1.js"

const steps = Number(process.argv[2] ?? 10)
const batch = 1024
const sizes = [784, 256, 256, 10] as const

// Deterministic inputs (a linear congruential generator): the timings do not depend on them.
let seed = 12345
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const f32 = (n: number, scale: number, shift = 0) => Float32Array.from({ length: n }, () => (rand() - shift) * scale)
const params: Params = {
  w1: np.array(f32(sizes[0] * sizes[1], 2 / Math.sqrt(sizes[0]), 0.5)).reshape([sizes[0], sizes[1]]),
  b1: np.array(f32(sizes[1], 0.2, 0.5)),
  w2: np.array(f32(sizes[1] * sizes[2], 2 / Math.sqrt(sizes[1]), 0.5)).reshape([sizes[1], sizes[2]]),
  b2: np.array(f32(sizes[2], 0.2, 0.5)),
  w3: np.array(f32(sizes[2] * sizes[3], 2 / Math.sqrt(sizes[2]), 0.5)).reshape([sizes[2], sizes[3]]),
  b3: np.array(f32(sizes[3], 0.2, 0.5))
}
const xData = f32(batch * sizes[0], 1)
const yData = new Float32Array(batch * sizes[3])
for (let i = 0; i < batch; i++) yData[i * sizes[3] + Math.floor(rand() * sizes[3])] = 1
const x = (parts: number): Tensor => np.array(xData).reshape([parts, batch / parts, sizes[0]])
const y = (parts: number): Tensor => np.array(yData).reshape([parts, batch / parts, sizes[3]])

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const timeSteps = <E, R>(step: () => Effect.Effect<unknown, E, R>) =>
  Effect.gen(function*() {
    // warm-up: workers load diffect, jit traces and compiles (the third call is the first at speed)
    for (let i = 0; i < 4; i++) yield* step()
    const times: Array<number> = []
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now()
      yield* step()
      times.push(performance.now() - t0)
    }
    return median(times)
  })

const rows: Array<[string, number]> = []
const report = (name: string, ms: number) => {
  rows.push([name, ms])
  console.log(`${name}: ${ms.toFixed(1)} ms per step`)
}

// One process, then a Mesh of 1 and of 2 worker threads.
const local = (x1: Tensor, y1: Tensor) =>
  Effect.gen(function*() {
    report("one process (jit)", yield* timeSteps(() => Effect.sync(() => runSync(valueAndGradJit(params, x1, y1)))))
    for (const workers of [1, 2]) {
      const ms = yield* timeSteps(() =>
        pmap(b1Step, { axisName: "batch", inAxes: [null, 0, 0], outAxes: null })(params, x(workers), y(workers))
      ).pipe(Effect.provide(Mesh.layer({ workers })))
      report(`Mesh, ${workers} worker${workers > 1 ? "s" : ""} (pmap)`, ms)
    }
  })

const program = Effect.gen(function*() {
  const x1 = np.array(xData).reshape([batch, sizes[0]])
  const y1 = np.array(yData).reshape([batch, sizes[3]])
  if (process.env["SKIP_LOCAL"] === undefined) yield* local(x1, y1)
  const pg = process.env["DIFFECT_TEST_PG"]
  if (process.env["SKIP_CLUSTER"] !== undefined) return
  if (pg === undefined) {
    console.log("Cluster: skipped (set DIFFECT_TEST_PG to a PostgreSQL URL)")
    return
  }
  const db = `diffect_bench_${process.pid}`
  yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${db}`)).pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(pg) }))
  )
  const url = new URL(pg)
  url.pathname = `/${db}`
  const script = path.join(import.meta.dirname, "../test/fixtures/runner.ts")
  const ports = yield* Effect.promise(() => Promise.all([freePort(), freePort()]))
  const runners: Array<ChildProcess> = ports.map((port, rank) =>
    spawn(process.execPath, ["--import", "tsx", script, String(rank), "2", String(port), url.href], {
      stdio: ["ignore", "ignore", "inherit"]
    })
  )
  const stopAll = Effect.promise(() =>
    Promise.all(runners.map((r) =>
      new Promise<void>((resolve) => {
        if (r.exitCode !== null || r.signalCode !== null) return resolve()
        const timer = setTimeout(() => r.kill("SIGKILL"), 3000)
        r.once("exit", () => (clearTimeout(timer), resolve()))
        r.kill("SIGTERM")
      })
    ))
  )
  yield* Effect.gen(function*() {
    let step = 0
    const mr = (f: typeof b1Grads) => () =>
      Cluster.mapReduce(f, { step: step++, inAxes: [null, 0, 0], reduce: "mean" })(params, x1, y1).pipe(
        Effect.tap(() => Effect.sync(() => console.error(`cluster step ${step - 1} done`)))
      )
    report("Cluster, 2 runners (mapReduce)", yield* timeSteps(mr(b1Grads)))
    report("Cluster, 2 runners, communication only", yield* timeSteps(mr(b1Echo as unknown as typeof b1Grads)))
  }).pipe(
    Effect.provide(
      Cluster.ClusterMesh.layer({ ranks: 2, timeout: "120 seconds" }).pipe(
        Layer.provide(PgClient.layer({ url: Redacted.make(url.href) }))
      )
    ),
    Effect.ensuring(stopAll)
  )
})

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

await Effect.runPromise(program.pipe(Effect.tapCause((cause) => Effect.sync(() => console.error(Cause.pretty(cause))))))
const base = rows.find(([n]) => n.startsWith("Mesh, 1"))?.[1]
for (const [name, ms] of rows) {
  console.log(`| ${name} | ${ms.toFixed(1)} |${base === undefined ? "" : ` ${(base / ms).toFixed(2)}x |`}`)
}
