/**
 * A mesh worker's entry point: serves the mesh's RPC over the worker protocol.
 * Each worker has its own typed-array backend; a `Run` request imports the
 * function's module, maps the function over this worker's slices of the axis
 * (`vmapSpmd`, collectives through the shared exchange) and sends the results
 * back with their buffers transferred, except the outputs it keeps: those stay
 * in this worker's store of resident values (`Put` places a value there, `Get`
 * reads one back), and later calls name them by id.
 *
 * @internal
 */
import { vmapSpmd } from "@diffect/ad"
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend } from "@diffect/core"
import { aval, ConcreteTensor, isTensor } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { collectTensors } from "@diffect/core/Memory"
import { NodeRuntime, NodeWorkerRunner } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { RpcServer } from "effect/rpc"
import { workerData } from "node:worker_threads"
import { PmapArgumentError, ResidentLostError, WorkerFailedError } from "../Errors.js"
import { blockOf, isAxisLeaf, mapWithSpec, normalizeAxis } from "./axes.js"
import { finishExchange, makeCollectives } from "./exchange.js"
import { MeshRpcs } from "./protocol.js"
import type { PutRequest, RunRequest, RunResult } from "./protocol.js"
import { lookup } from "./registry.js"
import type { LeafAval } from "./resident.js"
import type { ResidentArg } from "./shard.js"
import { decodeTree, encodeTree, fromWire, hostOfSync, peekHostSync, toWire } from "./wire.js"
import type { WireTensor } from "./wire.js"

// The resident values of this worker, by id, and the blocks of them that mapped calls took
// (cached, so that their uploads to the backend are reused from call to call).
const store = new Map<number, unknown>()
const blocks = new Map<number, Map<string, unknown>>()

// The resident values the coordinator released: their tensors that no other resident value
// holds are freed now (their storage reused by the next step's allocations), not when the
// collector finds them.
const release = (ids: ReadonlyArray<number>): void => {
  const dropped: Array<unknown> = []
  for (const id of ids) {
    if (store.has(id)) dropped.push(store.get(id))
    store.delete(id)
    blocks.delete(id)
  }
  if (dropped.length === 0) return
  const tensors = collectTensors(dropped, new Set())
  for (const value of store.values()) {
    for (const t of collectTensors(value, new Set())) tensors.delete(t)
  }
  for (const t of tensors) (t as ConcreteTensor).releaseMemory("pmap (a released resident value)")
}

const held = (rank: number, id: number): unknown => {
  if (!store.has(id)) throw new ResidentLostError({ rank, id })
  return store.get(id)
}

// A tree's tensors replaced by f(tensor, leaf index), in the wire trees' order.
const mapTensors = (value: unknown, f: (t: Tensor, i: number) => unknown): unknown => {
  let i = 0
  const go = (v: unknown): unknown => {
    if (isTensor(v)) return f(v, i++)
    if (Array.isArray(v)) return v.map(go)
    if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v)) out[k] = go((v as Record<string, unknown>)[k])
      return out
    }
    return v
  }
  return go(value)
}

// This worker's block of a resident value along `axis` (its host data's view when contiguous).
const residentBlock = (r: RunRequest, ref: ResidentArg): unknown => {
  const value = held(r.rank, ref["~resident"])
  if (ref.axis === null) return value
  const key = `${ref.axis}:${r.rank}:${r.workers}`
  let byKey = blocks.get(ref["~resident"])
  if (byKey === undefined) blocks.set(ref["~resident"], byKey = new Map())
  const cached = byKey.get(key)
  if (cached !== undefined) return cached
  const block = mapTensors(value, (t) => {
    const c = t as ConcreteTensor
    const a = normalizeAxis(ref.axis!, c.ndim, "a resident tensor")
    const host = hostOfSync(c)
    const b = blockOf(host, c.shape, a, r.rank, r.workers)
    const shape = c.shape.map((d, i) => (i === a ? d / r.workers : d))
    const data = b.contiguous !== undefined ? host.subarray(b.contiguous.from, b.contiguous.to) : b.copy()
    return new ConcreteTensor(aval(shape, c.dtype, c.weakType), data as typeof host, undefined)
  })
  byKey.set(key, block)
  return block
}

const withoutResident = (spec: unknown): unknown =>
  spec === "resident" ? null : isAxisLeaf(spec) ? spec : Array.isArray(spec)
    ? spec.map(withoutResident)
    : Object.fromEntries(Object.entries(spec as Record<string, unknown>).map(([k, v]) => [k, withoutResident(v)]))

const avals = (value: unknown): Array<LeafAval> => {
  const out: Array<LeafAval> = []
  mapTensors(value, (t) => out.push({ shape: t.shape, dtype: t.dtype }))
  return out
}

const wireOf = (wires: Array<WireTensor>) => (t: Tensor): number => {
  const c = t as ConcreteTensor
  wires.push(toWire(peekHostSync(c), c.dtype, c.shape, c.weakType))
  return wires.length - 1
}

const forwarded = new Set([
  "CollectiveMismatchError",
  "CollectiveAbortedError",
  "CollectiveTracedError",
  "PmapArgumentError",
  "ResidentLostError",
  "WorkerFailedError"
])

// A failure as the coordinator sees it: this package's errors keep their class, others become WorkerFailedError.
const reportCause = (rank: number, cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  const tag = typeof error === "object" && error !== null ? (error as { _tag?: unknown })._tag : undefined
  if (typeof tag === "string" && forwarded.has(tag)) return Effect.fail(error as WorkerFailedError)
  return Effect.fail(
    new WorkerFailedError({
      rank,
      errorTag: typeof tag === "string" ? tag : error instanceof Error ? error.name : "Defect",
      errorMessage: error instanceof Error ? error.message : String(error)
    })
  )
}

const run = (backend: Backend["Service"], r: RunRequest) =>
  Effect.gen(function*() {
    const f = yield* Effect.mapError(
      lookup(r.module, r.name),
      (detail) => new WorkerFailedError({ rank: r.rank, errorTag: "RemoteLookupError", errorMessage: detail })
    )
    release(r.release)
    const inputs = r.tensors.map(fromWire)
    const args = decodeTree(r.args, (i) => inputs[i], (ref) => residentBlock(r, ref as ResidentArg)) as Array<unknown>
    const local = r.size / r.workers
    const mapped = vmapSpmd(f, {
      axisName: r.axisName,
      inAxes: r.inAxes as never,
      outAxes: withoutResident(r.outAxes) as never
    }, {
      size: r.size,
      offset: r.rank * local,
      // allGather, allReduce and allReduceMany through the shared exchange
      ...makeCollectives(r.exchange, r.rank, r.workers, r.slotBytes, r.axisName, backend)
    })(...args) as Effect.Effect<unknown, unknown, Backend>
    const out = yield* Effect.provideService(mapped, Backend, backend)
    finishExchange(r.exchange)
    const wires: Array<WireTensor> = []
    const kept: Array<Array<LeafAval>> = []
    const tree = yield* Effect.try({
      try: () =>
        mapWithSpec(r.outAxes, out, "the result", (subtree, leaf, where) => {
          if (leaf !== "resident") return encodeTree(subtree, wireOf(wires), where)
          const id = r.keep[kept.length]!
          store.set(id, subtree)
          kept.push(avals(subtree))
          return { "~resident": id }
        }, isTensor),
      catch: (e) => typeof e === "string" ? new PmapArgumentError({ detail: `pmap outAxes: ${e}` }) : e
    })
    return { out: tree, tensors: wires, kept } satisfies RunResult
  }).pipe(Effect.catchCause((cause) => reportCause(r.rank, cause)))

const put = (rank: number, r: PutRequest) =>
  Effect.sync(() => {
    release(r.release)
    const inputs = r.tensors.map(fromWire)
    store.set(r.id, decodeTree(r.tree, (i) => inputs[i]))
  }).pipe(Effect.catchCause((cause) => reportCause(rank, cause)))

const get = (rank: number, id: number, toRelease: ReadonlyArray<number>) =>
  Effect.try({
    try: () => {
      release(toRelease)
      const wires: Array<WireTensor> = []
      const tree = encodeTree(held(rank, id), wireOf(wires), "a resident value")
      return { tree, tensors: wires }
    },
    catch: (e) => e
  }).pipe(Effect.catchCause((cause) => reportCause(rank, cause)))

const Handlers = MeshRpcs.toLayer(Effect.gen(function*() {
  const backend = yield* Backend
  return {
    Run: ({ request }) => run(backend, request),
    Put: ({ request }) => put(request.rank, request),
    Get: ({ id, rank, release }) => get(rank, id, release)
  }
})).pipe(
  // The mesh's parallelism is its workers: by default each computes on one thread (Mesh.layer's kernelThreads).
  Layer.provide(
    TypedArrayBackend.layerWith({ threads: (workerData as { kernelThreads?: number } | null)?.kernelThreads ?? 1 })
  )
)

// No server spans: a worker has no tracer of its own to export them to (its runtime is this
// file's), so each request's span would be built and dropped (about 0.1-0.4 ms of a worker's CPU
// per call). The coordinator's client spans are the user's and stay.
NodeRuntime.runMain(
  Layer.launch(
    RpcServer.layer(MeshRpcs, { disableTracing: true }).pipe(
      Layer.provide(Handlers),
      Layer.provide(RpcServer.layerProtocolWorkerRunner),
      Layer.provide(NodeWorkerRunner.layer)
    )
  )
)
