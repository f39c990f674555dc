/**
 * Data parallelism across processes and machines on Effect Cluster. Each rank
 * is one entity (`DiffectRank`, id `"0"`, `"1"`, ...) whose shard group
 * `diffect-rank-k` only runner `k` serves, so rank `k` always runs on runner
 * `k`; runners and the coordinator share an SQL store (`@effect/sql-pg` in
 * practice) for shard locks and runner registration. The coordinator sends every
 * rank its block of the batch with the replicated parameters, gathers the
 * ranks' results, and reduces them in rank order (`mapReduce`); the caller
 * applies the update and sends the new parameters with the next step, so every
 * step broadcasts them. A step is identified by its number: a rank that gets the
 * same step again (a retry) answers from its cache without recomputing.
 *
 * The resident mode (`place`, `train`, `fetch`) keeps the training state and the
 * data in the runners instead: the state is cached runner-side by step number,
 * a step sends each rank the previous step's reduced gradient (each rank applies
 * the same update to its copy: the state of step `s` is the update of step
 * `s - 1`'s with it) and gets back the rank's gradient: the parameters and the
 * batch no longer travel.
 *
 * @since 0.1.0
 */
import type { Types } from "@diffect/ad"
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { aval, Backend, ConcreteTensor, DType, lax, withBackend } from "@diffect/core"
import type { Tensor, Tree } from "@diffect/core"
import { NodeClusterSocket } from "@effect/platform-node"
import { Cause, Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { ClusterSchema, Entity, RunnerAddress } from "effect/cluster"
import { Rpc } from "effect/rpc"
import { PmapArgumentError, ResidentLostError, RunnerLostError, WorkerFailedError } from "./Errors.js"
import { checkOptionKeys } from "./internal/options.js"
import { lookup } from "./internal/registry.js"
import { isResidentHandle, makeHandle } from "./internal/resident.js"
import type { LeafAval } from "./internal/resident.js"
import { shardArgs } from "./internal/shard.js"
import { copiedBytes, decodeTree, encodeTree, fromWire, hostOfWire, peekHostSync, toWire } from "./internal/wire.js"
import type { WireTensor } from "./internal/wire.js"
import { isRemote } from "./Remote.js"
import type { Remote } from "./Remote.js"
import type { Resident } from "./Resident.js"

const WireTensorSchema = Schema.Struct({
  dtype: Schema.String,
  shape: Schema.Array(Schema.Number),
  weakType: Schema.Boolean,
  data: Schema.Uint8Array
})

// The pytree skeleton travels as a string (markers and plain values, no tensor
// data); the tensors as raw bytes (the cluster's binary serialization).
const StepRpc = Rpc.make("Step", {
  payload: {
    step: Schema.Number,
    module: Schema.String,
    name: Schema.String,
    tree: Schema.String,
    tensors: Schema.Array(WireTensorSchema)
  },
  success: Schema.Struct({ tree: Schema.String, tensors: Schema.Array(WireTensorSchema) }),
  error: WorkerFailedError
})

const Wired = Schema.Struct({ tree: Schema.String, tensors: Schema.Array(WireTensorSchema) })

// The resident mode: place a value (a rank's block or the whole) under an id, optionally as the
// state of a step; read it back; one training step (state cached by step number).
const PlaceRpc = Rpc.make("Place", {
  payload: {
    id: Schema.Number,
    step: Schema.NullOr(Schema.Number),
    tree: Schema.String,
    tensors: Schema.Array(WireTensorSchema)
  },
  success: Schema.Void,
  error: WorkerFailedError
})
const FetchRpc = Rpc.make("Fetch", {
  payload: { id: Schema.Number },
  success: Schema.Struct({
    step: Schema.NullOr(Schema.Number),
    tree: Schema.String,
    tensors: Schema.Array(WireTensorSchema)
  }),
  error: Schema.Union([WorkerFailedError, ResidentLostError])
})
const TrainRpc = Rpc.make("Train", {
  payload: {
    step: Schema.Number,
    state: Schema.Number,
    module: Schema.String,
    name: Schema.String,
    updateModule: Schema.String,
    updateName: Schema.String,
    // the reduced gradient of step - 1 (absent on the state's first step)
    previous: Schema.NullOr(Wired),
    tree: Schema.String,
    tensors: Schema.Array(WireTensorSchema)
  },
  success: Wired,
  error: Schema.Union([WorkerFailedError, ResidentLostError])
})

const group = (rank: number | string): string => `diffect-rank-${rank}`

/**
 * The entity of one rank: entity id `"k"` lives in shard group `diffect-rank-k`.
 *
 * @internal
 */
export const RankEntity = Entity.make("DiffectRank", [StepRpc, PlaceRpc, FetchRpc, TrainRpc]).annotate(
  ClusterSchema.ShardGroup,
  group
)

const groups = (ranks: number): Array<string> => Array.from({ length: ranks }, (_, k) => group(k))

/**
 * Options of the cluster layers. `ranks` is the number of runners (ranks
 * `0 .. ranks - 1`); `shardingConfig` overrides Effect Cluster's settings
 * (the same on every process).
 *
 * @category Models
 * @since 0.1.0
 */
export interface ClusterOptions {
  readonly ranks: number
  readonly shardingConfig?: Record<string, unknown> | undefined
}

// Short lock expiry: a lost runner's rank moves to its replacement within seconds.
const defaults = {
  shardsPerGroup: 1,
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "5 seconds",
  refreshAssignmentsInterval: "500 millis"
}

// A failure inside a rank's function, as the coordinator sees it.
const failed = (rank: number) => (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  if (error instanceof ResidentLostError || error instanceof WorkerFailedError) return Effect.fail(error)
  return Effect.fail(
    new WorkerFailedError({
      rank,
      errorTag: typeof (error as { _tag?: unknown })?._tag === "string"
        ? (error as { _tag: string })._tag
        : "Defect",
      errorMessage: error instanceof Error ? error.message : String(error)
    })
  )
}

const lookupOn = (rank: number, module: string, name: string) =>
  Effect.mapError(
    lookup(module, name),
    (detail) => new WorkerFailedError({ rank, errorTag: "RemoteLookupError", errorMessage: detail })
  )

// f(...args) on this runner's backend (f may return a value or an Effect).
const apply = (
  backend: Backend["Service"],
  f: (...args: ReadonlyArray<unknown>) => unknown,
  args: ReadonlyArray<unknown>
) =>
  Effect.suspend(() => {
    const r = withBackend(backend, () => f(...args))
    return Effect.isEffect(r) ? (r as Effect.Effect<unknown, unknown, Backend>) : Effect.succeed(r)
  }).pipe(Effect.provideService(Backend, backend))

const encodeWired = (value: unknown, where: string) => {
  const wires: Array<WireTensor> = []
  const tree = encodeTree(value, (t: Tensor) => {
    const c = t as ConcreteTensor
    wires.push(toWire(peekHostSync(c), c.dtype, c.shape, c.weakType))
    return wires.length - 1
  }, where)
  return { tree: JSON.stringify(tree), tensors: wires }
}

const decodeWired = (
  w: { readonly tree: string; readonly tensors: ReadonlyArray<unknown> },
  resident?: (id: number) => unknown
) => {
  const inputs = w.tensors.map((t) => fromWire(t as WireTensor))
  return decodeTree(JSON.parse(w.tree), (i) => inputs[i], resident && ((ref) => resident(ref["~resident"])))
}

const runStep = (backend: Backend["Service"], rank: number, p: typeof StepRpc.payloadSchema.Type) =>
  Effect.gen(function*() {
    const f = yield* lookupOn(rank, p.module, p.name)
    const out = yield* apply(backend, f, decodeWired(p) as Array<unknown>)
    return encodeWired(out, "the result")
  }).pipe(
    Effect.catchCause(failed(rank)),
    Effect.mapError((e) =>
      e instanceof WorkerFailedError ? e : new WorkerFailedError({ rank, errorTag: e._tag, errorMessage: e.message })
    )
  )

// A value placed in a runner: the state of `step` (null: of whichever step first uses it).
interface Placed {
  step: number | null
  value: unknown
}

// One resident training step on a runner: the state of `step` (from the cache, or the update
// of step - 1's state with step - 1's reduced gradient), then f on it.
const trainStep = (
  backend: Backend["Service"],
  rank: number,
  placed: Map<number, Placed>,
  p: typeof TrainRpc.payloadSchema.Type
) =>
  Effect.gen(function*() {
    const entry = placed.get(p.state)
    if (entry === undefined) return yield* new ResidentLostError({ rank, id: p.state })
    const held = (id: number) => {
      const e = placed.get(id)
      if (e === undefined) throw new ResidentLostError({ rank, id })
      return e.value
    }
    if (entry.step === null) entry.step = p.step
    if (entry.step === p.step - 1 && p.previous !== null) {
      const update = yield* lookupOn(rank, p.updateModule, p.updateName)
      entry.value = yield* apply(backend, update, [entry.value, decodeWired(p.previous)])
      entry.step = p.step
    }
    if (entry.step !== p.step) {
      return yield* new WorkerFailedError({
        rank,
        errorTag: "ResidentStepError",
        errorMessage: `rank ${rank} holds the state of step ${entry.step}; step ${p.step} needs step ${
          p.step - 1
        }'s state and reduced gradient (place the state of step ${p.step} on it)`
      })
    }
    const f = yield* lookupOn(rank, p.module, p.name)
    const args = decodeWired(p, held) as Array<unknown>
    const out = yield* apply(backend, f, [entry.value, ...args])
    return encodeWired(out, "the result")
  }).pipe(Effect.catchCause(failed(rank)))

/**
 * A runner process of rank `rank`: serves the entity of that rank (and only
 * it: its shard group) at `host:port`, with its own typed-array backend (its
 * kernels on all cores, or on `kernelThreads` threads: 1 when several runners
 * share a machine). Needs
 * an `SqlClient` (e.g. `PgClient.layer` of `@effect/sql-pg`). Launch it with
 * `Layer.launch`.
 *
 * Starting runners: docs/guide/data-parallel.md.
 *
 * @category Layers
 * @since 0.1.0
 */
export const runner = (
  options: ClusterOptions & {
    readonly rank: number
    readonly host: string
    readonly port: number
    readonly kernelThreads?: number | undefined
  }
) => {
  const rank = options.rank
  const entity = RankEntity.toLayer(Effect.gen(function*() {
    const backend = yield* Backend
    // Idempotent by step number: a retried step is answered from the last result.
    let last: { readonly step: number; readonly result: typeof StepRpc.successSchema.Type } | undefined
    const placed = new Map<number, Placed>()
    let lastTrain: { readonly state: number; readonly step: number; readonly result: typeof Wired.Type } | undefined
    return {
      Step: ({ payload }) =>
        last !== undefined && last.step === payload.step
          ? Effect.succeed(last.result)
          : Effect.tap(runStep(backend, rank, payload), (result) =>
            Effect.sync(() => last = { step: payload.step, result })),
      Place: ({ payload }) =>
        Effect.sync(() => void placed.set(payload.id, { step: payload.step, value: decodeWired(payload) })),
      Fetch: ({ payload }) =>
        Effect.suspend(() => {
          const entry = placed.get(payload.id)
          if (entry === undefined) return Effect.fail(new ResidentLostError({ rank, id: payload.id }))
          return Effect.succeed({ step: entry.step, ...encodeWired(entry.value, "a placed value") })
        }),
      Train: ({ payload }) =>
        lastTrain !== undefined && lastTrain.state === payload.state && lastTrain.step === payload.step
          ? Effect.succeed(lastTrain.result)
          : Effect.tap(
            trainStep(backend, rank, placed, payload),
            (result) => Effect.sync(() => lastTrain = { state: payload.state, step: payload.step, result })
          )
    }
  })).pipe(
    Layer.provide(
      options.kernelThreads === undefined
        ? TypedArrayBackend.layer
        : TypedArrayBackend.layerWith({ threads: options.kernelThreads })
    )
  )
  return entity.pipe(Layer.provide(NodeClusterSocket.layer({
    storage: "sql",
    shardingConfig: {
      ...defaults,
      runnerAddress: Option.some(RunnerAddress.make(options.host, options.port)),
      availableShardGroups: groups(options.ranks),
      assignedShardGroups: [group(rank)],
      ...options.shardingConfig
    } as never
  })))
}

/**
 * The coordinator's view of the cluster: the number of ranks, and `step`, which
 * sends one rank its part of a step (used by {@link mapReduce}).
 *
 * @category Models
 * @since 0.1.0
 */
export interface ClusterMeshShape {
  readonly ranks: number
  readonly backend: Backend["Service"]
  readonly send: (
    rank: number,
    payload: typeof StepRpc.payloadSchema.Type
  ) => Effect.Effect<typeof StepRpc.successSchema.Type, RunnerLostError | WorkerFailedError>
  /** Places a value (or a rank's block of it) under `id` on `rank` (the resident mode). */
  readonly place: (
    rank: number,
    payload: typeof PlaceRpc.payloadSchema.Type
  ) => Effect.Effect<void, RunnerLostError | WorkerFailedError>
  /** Reads a placed value back from `rank`, with the step its state is of. */
  readonly fetch: (
    rank: number,
    id: number
  ) => Effect.Effect<typeof FetchRpc.successSchema.Type, RunnerLostError | WorkerFailedError | ResidentLostError>
  /** One rank's part of a resident training step. */
  readonly train: (
    rank: number,
    payload: typeof TrainRpc.payloadSchema.Type
  ) => Effect.Effect<typeof Wired.Type, RunnerLostError | WorkerFailedError | ResidentLostError>
  /** Allocates ids for placed values. */
  readonly reserve: () => number
  /** The reduced gradient of each resident state's last step (sent with its next step). */
  readonly reduced: Map<number, { readonly step: number; readonly wired: typeof Wired.Type }>
  /** The tensor bytes sent to and received from the runners so far (payloads' tensors only). */
  readonly traffic: () => { readonly calls: number; readonly sentBytes: number; readonly receivedBytes: number }
}

/**
 * The coordinator's connection to a cluster of `ranks` runners (client only: it
 * runs no entities). `timeout` (default 30 s) bounds one rank's part of a step:
 * past it the rank is considered lost (`RunnerLostError`). Needs an `SqlClient`.
 *
 * @category Services
 * @since 0.1.0
 */
export class ClusterMesh extends Context.Service<ClusterMesh, ClusterMeshShape>()("@diffect/parallel/ClusterMesh") {
  /**
   * The coordinator's layer (client-only sharding over the same SQL storage as the runners).
   *
   * @since 0.1.0
   */
  static readonly layer = (options: ClusterOptions & { readonly timeout?: Duration.Input | undefined }) =>
    Layer.effect(ClusterMesh)(Effect.gen(function*() {
      const clientFor = yield* RankEntity.client
      const backend = yield* Backend
      const timeout = options.timeout ?? "30 seconds"
      let traffic = { calls: 0, sentBytes: 0, receivedBytes: 0 }
      const count = (sent: ReadonlyArray<unknown>, received: ReadonlyArray<unknown>) =>
        traffic = {
          calls: traffic.calls + 1,
          sentBytes: traffic.sentBytes + copiedBytes(sent as ReadonlyArray<WireTensor>),
          receivedBytes: traffic.receivedBytes + copiedBytes(received as ReadonlyArray<WireTensor>)
        }
      // A rank's answer, or RunnerLostError when its runner is unreachable or silent past the timeout.
      const guarded = <A, E extends { readonly _tag: string }>(
        rank: number,
        step: number,
        call: Effect.Effect<A, E | { readonly _tag: string; readonly message: string }>
      ): Effect.Effect<A, RunnerLostError | E> => {
        const lost = (detail: string) => new RunnerLostError({ rank, step, detail })
        return call.pipe(
          Effect.mapError((e) =>
            e._tag === "WorkerFailedError" || e._tag === "ResidentLostError"
              ? e as E
              : lost(`${e._tag}: ${(e as { message?: string }).message}`)
          ),
          // The cluster's RPC client interrupts the requests in flight on a connection that closes
          // (a runner that exits or restarts): for the caller that is a lost rank, not an
          // interruption of its own fiber (which stays uncatchable here).
          Effect.catchCause((cause) =>
            Cause.hasInterruptsOnly(cause)
              ? Effect.fail(lost("the request was interrupted by the cluster (the connection to the runner closed)"))
              : Effect.failCause(cause)
          ),
          Effect.timeoutOption(timeout),
          Effect.flatMap((answer) =>
            Option.isSome(answer)
              ? Effect.succeed(answer.value)
              : Effect.fail(lost(`no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}`))
          )
        )
      }
      const send: ClusterMeshShape["send"] = (rank, payload) =>
        guarded<typeof StepRpc.successSchema.Type, WorkerFailedError>(
          rank,
          payload.step,
          clientFor(String(rank)).Step(payload)
        )
          .pipe(Effect.tap((r) => Effect.sync(() => count(payload.tensors, r.tensors))))
      const place: ClusterMeshShape["place"] = (rank, payload) =>
        guarded<void, WorkerFailedError>(rank, payload.step ?? -1, clientFor(String(rank)).Place(payload))
          .pipe(Effect.tap(() => Effect.sync(() => count(payload.tensors, []))))
      const fetch: ClusterMeshShape["fetch"] = (rank, id) =>
        guarded<typeof FetchRpc.successSchema.Type, WorkerFailedError | ResidentLostError>(
          rank,
          -1,
          clientFor(String(rank)).Fetch({ id })
        ).pipe(Effect.tap((r) => Effect.sync(() => count([], r.tensors))))
      const train: ClusterMeshShape["train"] = (rank, payload) =>
        guarded<typeof Wired.Type, WorkerFailedError | ResidentLostError>(
          rank,
          payload.step,
          clientFor(String(rank)).Train(payload)
        ).pipe(
          Effect.tap((r) =>
            Effect.sync(() => count([...payload.tensors, ...(payload.previous?.tensors ?? [])], r.tensors))
          )
        )
      let nextId = 0
      return {
        ranks: options.ranks,
        backend,
        send,
        place,
        fetch,
        train,
        reserve: () => nextId++,
        reduced: new Map(),
        traffic: () => traffic
      } satisfies ClusterMeshShape
    })).pipe(
      Layer.provide(TypedArrayBackend.layer),
      Layer.provide(NodeClusterSocket.layer({
        clientOnly: true,
        storage: "sql",
        shardingConfig: { ...defaults, availableShardGroups: groups(options.ranks), ...options.shardingConfig } as never
      }))
    )
}

// Each output leaf over the ranks, in rank order: the ranks' values stacked and summed along the
// new axis (as `psum` over a vmapped axis sums), divided by the number of ranks for "mean".
const reduceRanks = (
  mesh: ClusterMeshShape,
  results: ReadonlyArray<{ readonly tensors: ReadonlyArray<unknown> }>,
  reduce: "sum" | "mean" | undefined
): Array<Tensor> =>
  withBackend(mesh.backend, () =>
    (results[0]!.tensors as ReadonlyArray<WireTensor>).map((w, j) => {
      const parts = results.map((r) => hostOfWire(r.tensors[j] as WireTensor))
      const Ctor = parts[0]!.constructor as new(n: number) => (typeof parts)[number]
      const all = new Ctor(parts.reduce((n, p) => n + p.length, 0))
      let at = 0
      for (const p of parts) {
        all.set(p as never, at)
        at += p.length
      }
      const stacked = new ConcreteTensor(aval([mesh.ranks, ...w.shape], w.dtype as never, w.weakType), all, undefined)
      let total = lax.reduceSum(stacked, [0])
      if (reduce === "mean") {
        if (!DType.isInexact(total.dtype)) total = lax.convertElementType(total, "float32", total.weakType)
        total = lax.div(total, lax.full(total.shape, mesh.ranks, total.dtype, total.weakType))
      }
      return total
    }))

/**
 * Options of {@link mapReduce}: `step` (the step number: a retried step is
 * answered from the ranks' caches), `inAxes` (as `pmap`'s), and `reduce`
 * (`"sum"`, default, or `"mean"`: the sum divided by the number of ranks).
 *
 * @category Models
 * @since 0.1.0
 */
export interface MapReduceOptions {
  readonly step: number
  readonly inAxes?: 0 | null | ReadonlyArray<0 | null> | undefined
  readonly reduce?: "sum" | "mean" | undefined
}

/**
 * What `mapReduce(remote)` gives: the function's output pytree with every leaf a Tensor.
 *
 * @category Models
 * @since 0.1.0
 */
export type MapReduceResult<F extends Types.AnyFunction> = Tree.MapLeaves<Types.Unwrap<ReturnType<F>>, Tensor>

/**
 * One data-parallel step on the cluster: rank `k` runs `remote` on block `k` of
 * the mapped arguments' leading axis (and the unmapped arguments whole, e.g. the
 * parameters, broadcast every step); the coordinator gathers every rank's
 * output and reduces each leaf over the ranks in rank order (the ranks' values
 * stacked and summed along the new axis, as `psum` over a vmapped axis sums).
 * Fails with `RunnerLostError` when a rank does not answer (its runner died or
 * is unreachable): retry the same step (same `step` number) once the runner is
 * back.
 *
 * @example no-run
 * import { Effect, Layer } from "effect"
 * import type { SqlClient } from "effect/sql"
 * import { np, type Tensor, valueAndGrad } from "diffect"
 * import { Cluster, Remote } from "diffect/parallel"
 * const loss = (w: Tensor, x: Tensor) => np.mean(np.square(np.multiply(w, x)))
 * const grads = Remote.make(import.meta.url, "grads", (w: Tensor, x: Tensor) => valueAndGrad(loss)(w, x))
 * declare const SqlLive: Layer.Layer<SqlClient.SqlClient> // e.g. PgClient.layer of @effect/sql-pg
 * const step = Cluster.mapReduce(grads, { step: 0, inAxes: [null, 0], reduce: "mean" })(np.ones([3]), np.ones([8, 3]))
 * Effect.runPromise(Effect.provide(step, Cluster.ClusterMesh.layer({ ranks: 2 }).pipe(Layer.provide(SqlLive))))
 *
 * @category Steps
 * @since 0.1.0
 */
export const mapReduce =
  <F extends (...args: ReadonlyArray<any>) => any>(remote: Remote<F>, options: MapReduceOptions) =>
  (
    ...args: Parameters<F>
  ): Effect.Effect<MapReduceResult<F>, PmapArgumentError | RunnerLostError | WorkerFailedError, ClusterMesh> =>
    Effect.gen(function*() {
      if (!isRemote(remote)) {
        return yield* new PmapArgumentError({
          detail:
            "mapReduce: the function must be declared with Remote.make(import.meta.url, name, f) so that runners can import it"
        })
      }
      yield* checkOptionKeys("mapReduce", options, ["step", "inAxes", "reduce"])
      if (!Number.isInteger(options.step) || options.step < 0) {
        return yield* new PmapArgumentError({
          detail: `mapReduce: step must be a non-negative integer, got ${options.step}`
        })
      }
      const mesh = yield* ClusterMesh
      const ranks = mesh.ranks
      const sharded = yield* shardArgs("mapReduce", args, options.inAxes, ranks, "ranks")
      const tree = JSON.stringify(sharded.args)
      const results = yield* Effect.forEach(
        Array.from({ length: ranks }, (_, k) => k),
        (k) =>
          mesh.send(k, {
            step: options.step,
            module: remote.module,
            name: remote.name,
            tree,
            tensors: sharded.part(k)
          }),
        { concurrency: "unbounded" }
      )
      const reduced = reduceRanks(mesh, results, options.reduce)
      return decodeTree(JSON.parse(results[0]!.tree), (i) => reduced[i]) as MapReduceResult<F>
    })

/**
 * Options of {@link place}: `inAxes` (`null`, default: every rank gets the whole
 * value; `0`: rank `k` gets block `k` of every tensor's leading axis, e.g. its
 * shard of a dataset), `step` (the value is the training state of that step;
 * default: of whichever step first uses it), `into` (place under an existing
 * handle: restoring a replaced runner's state), `ranks` (default all).
 *
 * @category Models
 * @since 0.1.0
 */
export interface PlaceOptions<A> {
  readonly inAxes?: 0 | null | undefined
  readonly step?: number | undefined
  readonly into?: Resident<A> | undefined
  readonly ranks?: ReadonlyArray<number> | undefined
}

type ClusterError = PmapArgumentError | RunnerLostError | WorkerFailedError | ResidentLostError

/**
 * Places `value` in the runners (the resident mode): the training state, once,
 * or each rank's shard of the data. Gives the handle that {@link train} takes.
 *
 * @category Resident mode
 * @since 0.1.0
 */
export const place = <A>(
  value: A,
  options: PlaceOptions<A> = {}
): Effect.Effect<Resident<A>, ClusterError, ClusterMesh> =>
  Effect.gen(function*() {
    yield* checkOptionKeys("Cluster.place", options, ["inAxes", "step", "into", "ranks"])
    const mesh = yield* ClusterMesh
    const inAxes = options.inAxes ?? null
    if (inAxes !== 0 && inAxes !== null) {
      return yield* new PmapArgumentError({ detail: `Cluster.place: inAxes is 0 or null, got ${String(inAxes)}` })
    }
    const sharded = yield* shardArgs("Cluster.place", [value], [inAxes], mesh.ranks, "ranks", undefined, false)
    const tree = JSON.stringify(sharded.args[0])
    const id = options.into?.id ?? mesh.reserve()
    const ranks = options.ranks ?? Array.from({ length: mesh.ranks }, (_, k) => k)
    yield* Effect.forEach(
      ranks,
      (k) => mesh.place(k, { id, step: options.step ?? null, tree, tensors: sharded.part(k) }),
      { concurrency: "unbounded", discard: true }
    )
    const leaves: Array<LeafAval> = []
    encodeTree(value, (t) => leaves.push({ shape: t.shape, dtype: t.dtype }), "the value")
    return options.into ?? (makeHandle(id, mesh, leaves) as Resident<A>)
  })

/**
 * A placed value read back from rank `rank` (default 0), with the step its
 * state is of (`null`: not used by a step yet): a rank's shard for a value
 * placed with `inAxes: 0`. Fails with `ResidentLostError` when the rank does
 * not hold it (its runner was replaced).
 *
 * @category Resident mode
 * @since 0.1.0
 */
export const fetch = <A>(
  resident: Resident<A>,
  options: { readonly rank?: number | undefined } = {}
): Effect.Effect<
  { readonly value: Tree.MapLeaves<A, Tensor>; readonly step: number | null },
  ClusterError,
  ClusterMesh
> =>
  Effect.gen(function*() {
    const mesh = yield* ClusterMesh
    const got = yield* mesh.fetch(options.rank ?? 0, resident.id)
    const inputs = got.tensors.map((w) => fromWire(w as WireTensor))
    return { value: decodeTree(JSON.parse(got.tree), (i) => inputs[i]) as Tree.MapLeaves<A, Tensor>, step: got.step }
  })

/**
 * Options of {@link train}: `step` (the step number), `state` (the handle of
 * the placed training state), `inAxes` (of the remaining arguments, as
 * `mapReduce`'s; placed values are unmapped, each rank uses its own), `reduce`.
 *
 * @category Models
 * @since 0.1.0
 */
export interface TrainOptions<S> {
  readonly step: number
  readonly state: Resident<S>
  readonly inAxes?: 0 | null | ReadonlyArray<0 | null> | undefined
  readonly reduce?: "sum" | "mean" | undefined
}

/**
 * One resident training step: rank `k` brings its copy of the state to step
 * `step` (the state it holds for `step - 1`, updated with `update(state,
 * reducedOutput)` of step `step - 1`, which this call sends along; or the
 * placed state on its first step), runs `remote(state, ...args)` (e.g. the
 * value and gradient on its shard of the data, placed with `place(data, {
 * inAxes: 0 })` and sliced by the step number), and the coordinator reduces the
 * ranks' outputs in rank order as `mapReduce` does. Every rank applies the same
 * update to the same reduced output, so the states stay equal. Per step, each
 * rank receives the previous reduced output and sends its own: the parameters
 * and the batch do not travel. Idempotent by step number (a retried step is
 * answered from the ranks' caches); a replaced runner holds nothing
 * (`ResidentLostError`): place the state of the failed step on it (`fetch`
 * from a live rank, `place(..., { into, step, ranks })`) and retry.
 *
 * @category Resident mode
 * @since 0.1.0
 */
export const train = <
  F extends (state: any, ...args: ReadonlyArray<any>) => any,
  U extends (state: any, reduced: any) => any
>(
  remote: Remote<F>,
  update: Remote<U>,
  options: TrainOptions<Parameters<F>[0]>
) =>
(
  ...args: TrainArgs<F>
): Effect.Effect<MapReduceResult<F>, ClusterError, ClusterMesh> =>
  Effect.gen(function*() {
    if (!isRemote(remote) || !isRemote(update)) {
      return yield* new PmapArgumentError({
        detail: "Cluster.train: the step and the update must be declared with Remote.make(import.meta.url, name, f)"
      })
    }
    yield* checkOptionKeys("Cluster.train", options, ["step", "state", "inAxes", "reduce"])
    if (!Number.isInteger(options.step) || options.step < 0) {
      return yield* new PmapArgumentError({
        detail: `Cluster.train: step must be a non-negative integer, got ${options.step}`
      })
    }
    const mesh = yield* ClusterMesh
    if (!isResidentHandle(options.state) || options.state.mesh !== mesh) {
      return yield* new PmapArgumentError({ detail: "Cluster.train: state must be a handle given by Cluster.place" })
    }
    const sharded = yield* shardArgs("Cluster.train", args, options.inAxes ?? null, mesh.ranks, "ranks", mesh, false)
    if (sharded.mappedResidents) {
      return yield* new PmapArgumentError({
        detail:
          "Cluster.train: a placed value is unmapped (inAxes null): each rank uses its own (place a dataset with inAxes: 0 to give each rank its shard)"
      })
    }
    const tree = JSON.stringify(sharded.args)
    const last = mesh.reduced.get(options.state.id)
    const previous = last !== undefined && last.step === options.step - 1 ? last.wired : null
    const results = yield* Effect.forEach(
      Array.from({ length: mesh.ranks }, (_, k) => k),
      (k) =>
        mesh.train(k, {
          step: options.step,
          state: options.state.id,
          module: remote.module,
          name: remote.name,
          updateModule: update.module,
          updateName: update.name,
          previous,
          tree,
          tensors: sharded.part(k)
        }),
      { concurrency: "unbounded" }
    )
    const reduced = reduceRanks(mesh, results, options.reduce)
    const out = decodeTree(JSON.parse(results[0]!.tree), (i) => reduced[i])
    const wires = reduced.map((t) => {
      const c = t as ConcreteTensor
      return toWire(peekHostSync(c), c.dtype, c.shape, c.weakType)
    })
    mesh.reduced.set(options.state.id, { step: options.step, wired: { tree: results[0]!.tree, tensors: wires } })
    return out as MapReduceResult<F>
  })

/**
 * The arguments of `train(remote)` after the state: `remote`'s, each also as a
 * placed value's handle.
 *
 * @category Models
 * @since 0.1.0
 */
export type TrainArgs<F> = F extends (state: any, ...args: infer R) => any ? { [K in keyof R]: R[K] | Resident<R[K]> }
  : never
