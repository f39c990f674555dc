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
import { PmapArgumentError, RunnerLostError, WorkerFailedError } from "./Errors.js"
import { lookup } from "./internal/registry.js"
import { shardArgs } from "./internal/shard.js"
import { decodeTree, encodeTree, fromWire, hostOfSync, hostOfWire, toWire } from "./internal/wire.js"
import type { WireTensor } from "./internal/wire.js"
import { isRemote } from "./Remote.js"
import type { Remote } from "./Remote.js"

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

const group = (rank: number | string): string => `diffect-rank-${rank}`

/**
 * The entity of one rank: entity id `"k"` lives in shard group `diffect-rank-k`.
 *
 * @internal
 */
export const RankEntity = Entity.make("DiffectRank", [StepRpc]).annotate(ClusterSchema.ShardGroup, group)

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

const runStep = (backend: Backend["Service"], rank: number, p: typeof StepRpc.payloadSchema.Type) =>
  Effect.gen(function*() {
    const f = yield* Effect.mapError(
      lookup(p.module, p.name),
      (detail) => new WorkerFailedError({ rank, errorTag: "RemoteLookupError", errorMessage: detail })
    )
    const inputs = p.tensors.map((w) => fromWire(w as WireTensor))
    const args = decodeTree(JSON.parse(p.tree), (i) => inputs[i]) as Array<unknown>
    const out = yield* Effect.suspend(() => {
      const r = withBackend(backend, () => f(...args))
      return Effect.isEffect(r) ? (r as Effect.Effect<unknown, unknown, Backend>) : Effect.succeed(r)
    }).pipe(Effect.provideService(Backend, backend))
    const wires: Array<WireTensor> = []
    const tree = encodeTree(out, (t: Tensor) => {
      const c = t as ConcreteTensor
      wires.push(toWire(hostOfSync(c), c.dtype, c.shape, c.weakType))
      return wires.length - 1
    }, "the result")
    return { tree: JSON.stringify(tree), tensors: wires }
  }).pipe(
    Effect.catchCause((cause) => {
      const error = Cause.squash(cause)
      return Effect.fail(
        new WorkerFailedError({
          rank,
          errorTag: typeof (error as { _tag?: unknown })?._tag === "string"
            ? (error as { _tag: string })._tag
            : "Defect",
          errorMessage: error instanceof Error ? error.message : String(error)
        })
      )
    })
  )

/**
 * A runner process of rank `rank`: serves the entity of that rank (and only
 * it: its shard group) at `host:port`, with its own typed-array backend. Needs
 * an `SqlClient` (e.g. `PgClient.layer` of `@effect/sql-pg`). Launch it with
 * `Layer.launch`.
 *
 * Starting runners: docs/guide/data-parallel.md.
 *
 * @category Layers
 * @since 0.1.0
 */
export const runner = (
  options: ClusterOptions & { readonly rank: number; readonly host: string; readonly port: number }
) => {
  const rank = options.rank
  const entity = RankEntity.toLayer(Effect.gen(function*() {
    const backend = yield* Backend
    // Idempotent by step number: a retried step is answered from the last result.
    let last: { readonly step: number; readonly result: typeof StepRpc.successSchema.Type } | undefined
    return {
      Step: ({ payload }) =>
        last !== undefined && last.step === payload.step
          ? Effect.succeed(last.result)
          : Effect.tap(runStep(backend, rank, payload), (result) =>
            Effect.sync(() => last = { step: payload.step, result }))
    }
  })).pipe(Layer.provide(TypedArrayBackend.layer))
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
      const send: ClusterMeshShape["send"] = (rank, payload) => {
        const lost = (detail: string) => new RunnerLostError({ rank, step: payload.step, detail })
        return clientFor(String(rank)).Step(payload).pipe(
          Effect.mapError((e): RunnerLostError | WorkerFailedError =>
            e._tag === "WorkerFailedError" ? e : lost(`${e._tag}: ${e.message}`)
          ),
          Effect.timeoutOption(timeout),
          Effect.flatMap((answer) =>
            Option.isSome(answer)
              ? Effect.succeed(answer.value)
              : Effect.fail(lost(`no answer within ${Duration.format(Duration.fromInputUnsafe(timeout))}`))
          )
        )
      }
      return { ranks: options.ranks, backend, send } satisfies ClusterMeshShape
    })).pipe(
      Layer.provide(TypedArrayBackend.layer),
      Layer.provide(NodeClusterSocket.layer({
        clientOnly: true,
        storage: "sql",
        shardingConfig: { ...defaults, availableShardGroups: groups(options.ranks), ...options.shardingConfig } as never
      }))
    )
}

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
      const reduced = withBackend(mesh.backend, () =>
        results[0]!.tensors.map((w, j) => {
          const parts = results.map((r) => hostOfWire(r.tensors[j] as WireTensor))
          const Ctor = parts[0]!.constructor as new(n: number) => (typeof parts)[number]
          const all = new Ctor(parts.reduce((n, p) => n + p.length, 0))
          let at = 0
          for (const p of parts) {
            all.set(p as never, at)
            at += p.length
          }
          const stacked = new ConcreteTensor(aval([ranks, ...w.shape], w.dtype as never, w.weakType), all, undefined)
          let total = lax.reduceSum(stacked, [0])
          if (options.reduce === "mean") {
            if (!DType.isInexact(total.dtype)) total = lax.convertElementType(total, "float32", total.weakType)
            total = lax.div(total, lax.full(total.shape, ranks, total.dtype, total.weakType))
          }
          return total
        }))
      return decodeTree(JSON.parse(results[0]!.tree), (i) => reduced[i]) as MapReduceResult<F>
    })
