/**
 * A mesh worker's entry point: serves the mesh's RPC over the worker protocol.
 * Each worker has its own typed-array backend; a `Run` request imports the
 * function's module, maps the function over this worker's slices of the axis
 * (`vmapSpmd`, collectives through the shared exchange) and sends the results
 * back with their buffers transferred.
 *
 * @internal
 */
import { vmapSpmd } from "@diffect/ad"
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend } from "@diffect/core"
import type { ConcreteTensor, Tensor } from "@diffect/core"
import { NodeRuntime, NodeWorkerRunner } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { RpcServer } from "effect/rpc"
import { WorkerFailedError } from "../Errors.js"
import { makeAllGather } from "./exchange.js"
import { MeshRpcs } from "./protocol.js"
import type { RunRequest, RunResult } from "./protocol.js"
import { lookup } from "./registry.js"
import { decodeTree, encodeTree, fromWire, hostOfSync, toWire } from "./wire.js"
import type { WireTensor } from "./wire.js"

const forwarded = new Set([
  "CollectiveMismatchError",
  "CollectiveAbortedError",
  "CollectiveTracedError",
  "PmapArgumentError",
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
    const inputs = r.tensors.map(fromWire)
    const args = decodeTree(r.args, (i) => inputs[i]) as Array<unknown>
    const local = r.size / r.workers
    const allGather = makeAllGather(r.exchange, r.rank, r.workers, r.slotBytes, r.axisName)
    const mapped = vmapSpmd(f, { axisName: r.axisName, inAxes: r.inAxes as Array<0 | null>, outAxes: r.outAxes }, {
      size: r.size,
      offset: r.rank * local,
      allGather
    })(...args) as Effect.Effect<unknown, unknown, Backend>
    const out = yield* Effect.provideService(mapped, Backend, backend)
    const wires: Array<WireTensor> = []
    const tree = encodeTree(out, (t: Tensor) => {
      const c = t as ConcreteTensor
      wires.push(toWire(hostOfSync(c), c.dtype, c.shape, c.weakType))
      return wires.length - 1
    }, "the result")
    return { out: tree, tensors: wires } satisfies RunResult
  }).pipe(Effect.catchCause((cause) => reportCause(r.rank, cause)))

const Handlers = MeshRpcs.toLayer(Effect.gen(function*() {
  const backend = yield* Backend
  return { Run: ({ request }) => run(backend, request) }
})).pipe(Layer.provide(TypedArrayBackend.layer))

NodeRuntime.runMain(
  Layer.launch(
    RpcServer.layer(MeshRpcs).pipe(
      Layer.provide(Handlers),
      Layer.provide(RpcServer.layerProtocolWorkerRunner),
      Layer.provide(NodeWorkerRunner.layer)
    )
  )
)
