/**
 * The step-time scaling curve of docs/benchmarks.md ("Data parallelism"): one SGD training step
 * of the B1 MLP at batch 1,024 (value and gradient, then the update), in one process (jit), and
 * on a Mesh of 1 and 2 worker threads, each both ways: "sent" (`pmap` of the value and gradient:
 * the parameters and the batch go to the workers every step, the averaged gradient comes back and
 * the coordinator applies the update) and "resident" (the parameters and the dataset live in the
 * workers, `outAxes: "resident"`, `donate`: a step sends its number and gets the loss back),
 * "resident-jit" (resident, the whole step jitted with the gradient's `pmean` inside: `pmap` of a
 * jitted training step, one step per call), and "resident-steps" (resident, with a whole step jitted, the gradient's `pmean` inside, and
 * `stepsPerCall` steps per call: the dispatch and the round trip are paid once per call, as a JAX
 * program pays them once per `lax.fori_loop` of steps; times are per step).
 * The variants run interleaved in one process (rounds of a few steps each, in turn), so a
 * machine whose load changes affects them alike; per variant it reports the median wall time of
 * a step, the CPU time of a step (process.cpuUsage: every thread of the process, workers
 * included), and the tensor bytes copied to and from the workers per step (the mesh's
 * `traffic()`). When DIFFECT_TEST_PG names a PostgreSQL server, it then runs the Cluster part:
 * two runner processes on localhost (one kernel thread each): `Cluster.mapReduce` per step (the
 * parameters and the batch sent), the same bytes without computation (the communication cost),
 * and `Cluster.train` (resident: the state and the data in the runners, only the reduced and the
 * ranks' gradients travel), with the bytes each moves per step. A rank lost while the runners
 * start is retried (RunnerLostError).
 *
 * Before the timed rounds every variant runs WARMUP steps (default 300), interleaved: V8 keeps
 * optimizing the step's JavaScript (Effect's runtime, RPC, `pmap`, dispatch) for a few hundred
 * steps, on its compiler threads, in the coordinator and in every worker. Those threads took about
 * 3 ms of CPU per two-worker step over steps 20-220 and 1.4 ms over steps 300-500 (Linux's
 * per-thread CPU times): a two-worker mesh pays for them with the two cores it computes on, a
 * one-worker mesh with the idle one, so a short warm-up understates the scaling of a long training
 * run. The coordinator thread's CPU per step is reported where `/proc/thread-self` exists.
 *
 * `pnpm exec tsx packages/parallel/bench/scaling.ts [rounds] [steps per round]` (SKIP_LOCAL=1 or
 * SKIP_CLUSTER=1 runs one part; WORKERS=1,2,4 the meshes' sizes (default 1,2; each must divide
 * 1,024); MODES=resident, or another comma-separated list of the modes "one process", "one
 * thread" (the one process on one kernel thread), "sent", "resident", "resident-jit" and "resident-steps", times
 * only those: the other variants' garbage is collected during the steps that follow them, and the
 * sent steps' incoming arrays are collected by the same workers as the resident steps). Prints a
 * markdown table ready for docs/benchmarks.md.
 */
import { PgClient } from "@effect/sql-pg"
import { Backend, np, runSync, type Tensor } from "diffect"
import { makeTypedArrayBackend } from "diffect/extend"
import { Cause, Context, Effect, Layer, Redacted, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { loadavg } from "node:os"
import * as path from "node:path"
import { Cluster, Mesh, pmap, Resident } from "../src/index.js"
import {
  b1Echo,
  b1Grads,
  b1ResidentGrads,
  b1Step,
  b1Train,
  b1TrainJitted,
  b1TrainSteps,
  b1Update,
  batches,
  batchRows,
  type Params,
  sgd,
  stepsPerCall,
  valueAndGradJit
} from "./b1.js"

const rounds = Number(process.argv[2] ?? 5)
const perRound = Number(process.argv[3] ?? 4)
const warmup = Number(process.env["WARMUP"] ?? 300)
if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`WARMUP: a step count, got ${process.env["WARMUP"]}`)
const batch = 1024
const meshSizes = (process.env["WORKERS"] ?? "1,2").split(",").map(Number)
if (meshSizes.some((w) => !Number.isInteger(w) || w < 1 || batch % w !== 0)) {
  throw new Error(`WORKERS: sizes that divide ${batch}, got ${process.env["WORKERS"]}`)
}
const sizes = [784, 256, 256, 10] as const

// Deterministic inputs (a linear congruential generator): the timings do not depend on them.
let seed = 12345
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const f32 = (n: number, scale: number, shift = 0) => Float32Array.from({ length: n }, () => (rand() - shift) * scale)
const params0: Params = {
  w1: np.array(f32(sizes[0] * sizes[1], 2 / Math.sqrt(sizes[0]), 0.5)).reshape([sizes[0], sizes[1]]),
  b1: np.array(f32(sizes[1], 0.2, 0.5)),
  w2: np.array(f32(sizes[1] * sizes[2], 2 / Math.sqrt(sizes[1]), 0.5)).reshape([sizes[1], sizes[2]]),
  b2: np.array(f32(sizes[2], 0.2, 0.5)),
  w3: np.array(f32(sizes[2] * sizes[3], 2 / Math.sqrt(sizes[2]), 0.5)).reshape([sizes[2], sizes[3]]),
  b3: np.array(f32(sizes[3], 0.2, 0.5))
}
// `batches` batches of 1,024 rows, one after the other.
const xData = f32(batches * batch * sizes[0], 1)
const yData = new Float32Array(batches * batch * sizes[3])
for (let i = 0; i < batches * batch; i++) yData[i * sizes[3] + Math.floor(rand() * sizes[3])] = 1
const xAll = np.array(xData).reshape([batches * batch, sizes[0]])
const yAll = np.array(yData).reshape([batches * batch, sizes[3]])
// Batch s split in `w` blocks of rows: [w, batch / w, features] (what a sent step sends).
const split = (t: Tensor, s: number, w: number): Tensor => batchRows(t, s).reshape([w, batch / w, t.shape[1]!])
// The dataset as `w` blocks, block k holding its rows of every batch: [w, batches * batch / w, features].
const blocks = (t: Tensor, w: number): Tensor =>
  np.transpose(t.reshape([batches, w, batch / w, t.shape[1]!]), { axes: [1, 0, 2, 3] }).reshape([
    w,
    batches * batch / w,
    t.shape[1]!
  ])

interface Variant {
  readonly name: string
  readonly workers: number
  readonly mode: "one process" | "one thread" | "sent" | "resident" | "resident-jit" | "resident-steps"
  /** Call `s`: one step, or `stepsPerCall` steps (`s * stepsPerCall ...`). */
  readonly step: (s: number) => Effect.Effect<unknown, unknown>
  readonly stepsPerCall?: number
  readonly traffic: () => { readonly sent: number; readonly received: number }
  readonly wall: Array<number>
  readonly cpuSteps: Array<number>
  cpu: number
  coordinatorCpu: number | undefined
  steps: number
  sent: number
  received: number
}

// This thread's CPU time in ms (user + system, clock ticks of 10 ms) on Linux; undefined elsewhere.
const threadCpuMs = (): number | undefined => {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const noTraffic = () => ({ sent: 0, received: 0 })

const local = Effect.gen(function*() {
  const variants: Array<Variant> = []
  const add = (
    v: Omit<Variant, "wall" | "cpuSteps" | "cpu" | "coordinatorCpu" | "steps" | "sent" | "received">
  ) => variants.push({ ...v, wall: [], cpuSteps: [], cpu: 0, coordinatorCpu: 0, steps: 0, sent: 0, received: 0 })

  let p1 = params0
  add({
    name: "one process (jit), kernels on all cores",
    workers: 0,
    mode: "one process",
    traffic: noTraffic,
    step: (s) =>
      Effect.sync(() => {
        const [, g] = runSync(valueAndGradJit(p1, batchRows(xAll, s), batchRows(yAll, s)))
        p1 = runSync(sgd(p1, g as Params))
      })
  })
  // The same on one kernel thread (what each mesh worker uses).
  const single = makeTypedArrayBackend({ threads: 1 })
  let p0 = params0
  add({
    name: "one process (jit), one kernel thread",
    workers: 0,
    mode: "one thread",
    traffic: noTraffic,
    step: (s) =>
      Effect.gen(function*() {
        const [, g] = yield* valueAndGradJit(p0, batchRows(xAll, s), batchRows(yAll, s))
        p0 = yield* sgd(p0, g as Params)
      }).pipe(Effect.provideService(Backend, single))
  })
  for (const workers of meshSizes) {
    const context = yield* Layer.build(Mesh.layer({ workers }))
    const mesh = Context.get(context, Mesh)
    const traffic = () => ({ sent: mesh.traffic().sentBytes, received: mesh.traffic().receivedBytes })
    const xs = Array.from({ length: batches }, (_, s) => split(xAll, s, workers))
    const ys = Array.from({ length: batches }, (_, s) => split(yAll, s, workers))
    let p = params0
    const sentStep = pmap(b1Step, { axisName: "batch", inAxes: [null, 0, 0], outAxes: null })
    add({
      name: `Mesh, ${workers} worker${workers > 1 ? "s" : ""}, sent`,
      workers,
      mode: "sent",
      traffic,
      step: (s) =>
        Effect.gen(function*() {
          const { grad } = yield* sentStep(p, xs[s % batches]!, ys[s % batches]!)
          p = runSync(sgd(p, grad as Params))
        }).pipe(Effect.provideContext(context))
    })
    const setup = Effect.gen(function*() {
      const state = yield* Resident.replicate(params0)
      const data = yield* Resident.replicate({ x: blocks(xAll, workers), y: blocks(yAll, workers) })
      return { state, data }
    }).pipe(Effect.provideContext(context))
    const meshName = `Mesh, ${workers} worker${workers > 1 ? "s" : ""}, resident`
    // A resident variant: its own replicated state, donated to each call of `remote`.
    const resident = (
      remote: typeof b1Train,
      mode: Variant["mode"],
      suffix: string,
      perCall?: number
    ) =>
      Effect.gen(function*() {
        const replicated = yield* setup
        let state = replicated.state
        const call = pmap(remote, {
          axisName: "batch",
          inAxes: [null, 0, null],
          outAxes: ["resident", null],
          donate: [0]
        })
        add({
          name: `${meshName}${suffix}`,
          workers,
          mode,
          ...(perCall === undefined ? {} : { stepsPerCall: perCall }),
          traffic,
          step: (s) =>
            Effect.gen(function*() {
              const [next] = yield* call(state, replicated.data, s)
              state = next
            }).pipe(Effect.provideContext(context))
        })
      })
    yield* resident(b1Train, "resident", "")
    yield* resident(b1TrainJitted, "resident-jit", ", jitted step")
    yield* resident(b1TrainSteps, "resident-steps", `, ${stepsPerCall} steps per call (jitted step)`, stepsPerCall)
  }

  const modes = process.env["MODES"]?.split(",").map((m) => m.trim())
  if (modes !== undefined) variants.splice(0, variants.length, ...variants.filter((v) => modes.includes(v.mode)))
  // Warm-up: workers load diffect, jit traces and compiles every batch's slice, and V8 optimizes
  // the steps' code (see the header), the variants in turn.
  // (as many steps for each: a variant of several steps per call warms up with fewer calls)
  for (let s = 0; s < Math.max(warmup, batches + 2); s++) {
    for (const v of variants) if (s * (v.stepsPerCall ?? 1) < Math.max(warmup, batches + 2)) yield* v.step(s)
  }
  let s = 0
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      const t0 = v.traffic()
      const c0 = process.cpuUsage()
      const m0 = threadCpuMs()
      for (let i = 0; i < perRound; i++) {
        const w0 = performance.now()
        const s0 = process.cpuUsage()
        yield* v.step(s++)
        const sc = process.cpuUsage(s0)
        const k = v.stepsPerCall ?? 1
        v.wall.push((performance.now() - w0) / k)
        v.cpuSteps.push((sc.user + sc.system) / 1000 / k)
      }
      const c = process.cpuUsage(c0)
      const m1 = threadCpuMs()
      const t1 = v.traffic()
      v.cpu += (c.user + c.system) / 1000
      v.coordinatorCpu = m0 === undefined || m1 === undefined || v.coordinatorCpu === undefined
        ? undefined
        : v.coordinatorCpu + m1 - m0
      v.steps += perRound * (v.stepsPerCall ?? 1)
      v.sent += t1.sent - t0.sent
      v.received += t1.received - t0.received
    }
    console.error(`round ${r + 1}/${rounds} done (load ${loadavg()[0]!.toFixed(1)})`)
  }
  return variants
})

const mb = (bytes: number) => (bytes / 1e6).toFixed(bytes === 0 ? 0 : 3)

const table = (variants: ReadonlyArray<Variant>) => {
  const wall = (v: Variant) => median(v.wall)
  const one = variants.find((v) => v.mode === "one process")
  const lines = [
    `B1 MLP, batch 1,024, one SGD step; ${warmup} warm-up steps, then ${rounds} rounds of ${perRound} steps per variant, interleaved${
      process.env["MODES"] === undefined ? "" : ` (modes: ${process.env["MODES"]})`
    }; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(", ")}; ${
      new Date().toISOString().slice(0, 16)
    } UTC.`,
    "",
    "| configuration | wall ms/step (median) | wall ms/step (min) | CPU ms/step (mean; all threads) | CPU ms/step (min) | coordinator thread CPU ms/step (mean) | MB to workers/step | MB back/step | wall speedup vs 1 worker (same mode, medians) | wall speedup vs one process (all cores, medians) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  ]
  for (const v of variants) {
    const base = variants.find((u) => u.mode === v.mode && u.workers === 1)
    lines.push(
      `| ${v.name} | ${wall(v).toFixed(1)} | ${Math.min(...v.wall).toFixed(1)} | ${(v.cpu / v.steps).toFixed(1)} | ${
        Math.min(...v.cpuSteps).toFixed(1)
      } | ${v.coordinatorCpu === undefined ? "-" : (v.coordinatorCpu / v.steps).toFixed(1)} | ${
        mb(v.sent / v.steps)
      } | ${mb(v.received / v.steps)} | ${
        base === undefined || v.workers <= 1 ? "-" : `${(wall(base) / wall(v)).toFixed(2)}x`
      } | ${one === undefined || v === one ? "-" : `${(wall(one) / wall(v)).toFixed(2)}x`} |`
    )
  }
  return lines.join("\n")
}

// Two Cluster runner processes on localhost (PostgreSQL storage): mapReduce of the value and
// gradient per step, and the same bytes with no computation (the communication cost).
const cluster = (pg: string) =>
  Effect.gen(function*() {
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
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, DIFFECT_KERNEL_THREADS: "1" }
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
    const x1 = batchRows(xAll, 0)
    const y1 = batchRows(yAll, 0)
    const rows: Array<string> = []
    yield* Effect.gen(function*() {
      const mesh = yield* Cluster.ClusterMesh
      // A lost rank (a runner still starting, or a connection that closed) fails the step with
      // RunnerLostError: the same step number is retried.
      const retried = <A, E extends { readonly _tag: string; readonly message: string }, R>(
        effect: Effect.Effect<A, E, R>
      ) =>
        effect.pipe(
          Effect.tapError((e) => Effect.sync(() => console.error(`cluster: ${e._tag}: ${e.message} (retrying)`))),
          Effect.retry({ schedule: Schedule.spaced("1 second"), times: 60, while: (e) => e._tag === "RunnerLostError" })
        )
      const time = (name: string, step: (s: number) => Effect.Effect<unknown, any, Cluster.ClusterMesh>) =>
        Effect.gen(function*() {
          for (let s = 0; s < 4; s++) yield* retried(step(s))
          const times: Array<number> = []
          const t0 = mesh.traffic()
          const c0 = process.cpuUsage()
          const n = rounds * perRound
          for (let s = 4; s < 4 + n; s++) {
            const w0 = performance.now()
            yield* retried(step(s))
            times.push(performance.now() - w0)
          }
          const c = process.cpuUsage(c0)
          const t1 = mesh.traffic()
          rows.push(
            `| ${name} | ${median(times).toFixed(1)} | ${((c.user + c.system) / 1000 / n).toFixed(1)} | ${
              mb((t1.sentBytes - t0.sentBytes) / n)
            } | ${mb((t1.receivedBytes - t0.receivedBytes) / n)} |`
          )
        })
      let step = 0
      yield* time("Cluster, 2 runners, sent (mapReduce)", () =>
        Cluster.mapReduce(b1Grads, { step: step++, inAxes: [null, 0, 0], reduce: "mean" })(params0, x1, y1))
      yield* time("Cluster, 2 runners, sent, communication only", () =>
        Cluster.mapReduce(b1Echo as unknown as typeof b1Grads, { step: step++, inAxes: [null, 0, 0], reduce: "mean" })(
          params0,
          x1,
          y1
        ))
      const state = yield* retried(Cluster.place(params0))
      const data = yield* retried(Cluster.place({ x: xAll, y: yAll }, { inAxes: 0 }))
      yield* time("Cluster, 2 runners, resident (train)", (s) =>
        Cluster.train(b1ResidentGrads, b1Update, { step: s, state, reduce: "mean" })(data, s))
    }).pipe(
      Effect.provide(
        Cluster.ClusterMesh.layer({ ranks: 2, timeout: "120 seconds" }).pipe(
          Layer.provide(PgClient.layer({ url: Redacted.make(url.href) }))
        )
      ),
      Effect.ensuring(stopAll)
    )
    return [
      "Cluster: 2 runner processes on localhost (PostgreSQL storage), one kernel thread each; CPU: the coordinator's process only.",
      "",
      "| configuration | wall ms/step (median) | coordinator CPU ms/step | MB to runners/step | MB back/step |",
      "| --- | --- | --- | --- | --- |",
      ...rows
    ].join("\n")
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

const program = Effect.gen(function*() {
  const out: Array<string> = []
  if (process.env["SKIP_LOCAL"] === undefined) out.push(table(yield* Effect.scoped(local)))
  const pg = process.env["DIFFECT_TEST_PG"]
  if (process.env["SKIP_CLUSTER"] === undefined) {
    if (pg === undefined) console.error("Cluster: skipped (set DIFFECT_TEST_PG to a PostgreSQL URL)")
    else out.push(yield* cluster(pg))
  }
  console.log(out.join("\n\n"))
})

await Effect.runPromise(program.pipe(Effect.tapCause((cause) => Effect.sync(() => console.error(Cause.pretty(cause))))))
