/**
 * A mesh: a pool of worker threads, one per rank, that `pmap` maps over. Built
 * on Effect's worker and RPC modules (`effect/workers`, `effect/rpc`, and
 * `@effect/platform-node`'s `NodeWorker`): each rank is an RPC client over a
 * worker protocol of its own, so rank `k` is always the same thread. The
 * workers share one `SharedArrayBuffer` for collectives. The pool lives in the
 * layer's scope: closing it stops every worker.
 *
 * @since 0.1.0
 */
import { describeValue } from "@diffect/core/Validate"
import { NodeWorker } from "@effect/platform-node"
import { Cause, Context, Effect, Exit, Layer, Result, Semaphore } from "effect"
import { RpcClient } from "effect/rpc"
import { RpcClientError } from "effect/rpc/RpcClientError"
import { Worker } from "node:worker_threads"
import { PmapArgumentError, WorkerLostError } from "./Errors.js"
import type { ParallelError } from "./Errors.js"
import { abortExchange, exchangeSize, resetExchange } from "./internal/exchange.js"
import { checkOptionKeys } from "./internal/options.js"
import { MeshRpcs } from "./internal/protocol.js"
import type { GetResult, RunRequest, RunResult } from "./internal/protocol.js"
import { copiedBytes } from "./internal/wire.js"
import type { WireTensor } from "./internal/wire.js"

/**
 * Options of {@link Mesh.layer}.
 *
 * - `workers`: the number of worker threads (ranks `0 .. workers - 1`), at most 1,024.
 * - `slotBytes` (default 4 MiB): each worker's slot of the shared exchange;
 *   larger collectives go through in chunks of this size.
 * - `kernelThreads` (default 1): the threads each worker's typed-array backend
 *   may split a large kernel across. The mesh's parallelism is its workers, so
 *   one each by default: one worker per core, as JAX's pmap runs one program
 *   per device (more oversubscribes the cores).
 * - `execArgv`: Node options of the worker threads (by default none; from
 *   TypeScript sources, tsx's loader).
 * - `onSpawn`: called with each worker thread as it starts (to watch it).
 *
 * @category Models
 * @since 0.1.0
 */
export interface MeshOptions {
  readonly workers: number
  readonly slotBytes?: number | undefined
  readonly kernelThreads?: number | undefined
  readonly execArgv?: ReadonlyArray<string> | undefined
  readonly onSpawn?: ((worker: Worker, rank: number) => void) | undefined
}

/**
 * The bytes a mesh has copied to and from its workers since it started: tensor
 * data only (the requests' small skeletons aside), views on
 * `SharedArrayBuffer`s (resident values' data, which workers read in place)
 * not counted. For benchmarks: the difference over a step is its transfer.
 *
 * @category Models
 * @since 0.1.0
 */
export interface MeshTraffic {
  readonly calls: number
  readonly sentBytes: number
  readonly receivedBytes: number
}

/**
 * What a mesh provides: its number of workers, its traffic so far, and the
 * operations `pmap` and `Resident` are built on: `run` sends each rank its
 * request and gathers the results; `put` and `get` place and read a resident
 * value; `release` drops resident values (with the next request);
 * `reserve` allocates ids for resident values.
 *
 * @category Models
 * @since 0.1.0
 */
export interface MeshShape {
  readonly workers: number
  readonly traffic: () => MeshTraffic
  readonly run: (
    request: (rank: number) => Omit<RunRequest, "rank" | "workers" | "exchange" | "slotBytes" | "release">
  ) => Effect.Effect<ReadonlyArray<RunResult>, ParallelError>
  readonly put: (
    id: number,
    tree: unknown,
    tensors: () => ReadonlyArray<WireTensor>
  ) => Effect.Effect<void, ParallelError>
  readonly get: (id: number) => Effect.Effect<GetResult, ParallelError>
  readonly release: (ids: ReadonlyArray<number>) => Effect.Effect<void>
  readonly reserve: (n: number) => ReadonlyArray<number>
}

// The worker entry: the built file next to this module, or its TypeScript source under tsx.
const fromSources = import.meta.url.endsWith(".ts")
const workerEntry = new URL(fromSources ? "./internal/worker.ts" : "./internal/worker.js", import.meta.url)
const defaultExecArgv = (): Array<string> => {
  if (!fromSources) return []
  let tsx = "tsx"
  try {
    tsx = import.meta.resolve("tsx")
  } catch {
    // resolved from the working directory instead
  }
  return ["--import", tsx]
}

const lost = (rank: number, error: RpcClientError): WorkerLostError =>
  new WorkerLostError({ rank, detail: error.message })

// Of the ranks' failures, the one that explains the others: a lost worker first,
// then a worker's own failure; an aborted collective only when nothing else failed.
const priority = (e: ParallelError): number =>
  e._tag === "WorkerLostError" ? 0 : e._tag === "CollectiveAbortedError" ? 2 : 1

// The most workers a mesh starts (threads of one process; each holds a copy of the library).
const MAX_WORKERS = 1024

// The keys of MeshOptions: a misspelled one (`slotbytes`) would otherwise be silently the default.
const meshOptionKeys: ReadonlyArray<string> = ["workers", "slotBytes", "kernelThreads", "execArgv", "onSpawn"]

const make = (options: MeshOptions) =>
  Effect.gen(function*() {
    yield* checkOptionKeys("Mesh.layer", options, meshOptionKeys)
    const workers = options.workers
    if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
      return yield* new PmapArgumentError({
        detail: `Mesh.layer: workers must be an integer from 1 to ${MAX_WORKERS}, got ${describeValue(workers)}`
      })
    }
    const slotBytes = options.slotBytes ?? 4 * 1024 * 1024
    if (!Number.isInteger(slotBytes) || slotBytes < 8 || slotBytes % 8 !== 0) {
      return yield* new PmapArgumentError({
        detail: `Mesh.layer: slotBytes must be a positive multiple of 8, got ${describeValue(slotBytes)}`
      })
    }
    const kernelThreads = options.kernelThreads ?? 1
    if (!Number.isInteger(kernelThreads) || kernelThreads < 1) {
      return yield* new PmapArgumentError({
        detail: `Mesh.layer: kernelThreads must be a positive integer, got ${describeValue(kernelThreads)}`
      })
    }
    const bytes = exchangeSize(workers, slotBytes)
    const exchange = yield* Effect.try({
      try: () => new SharedArrayBuffer(bytes),
      catch: () =>
        new PmapArgumentError({
          detail:
            `Mesh.layer: the exchange of ${workers} workers x 2 slots of ${slotBytes} bytes (${bytes} bytes of shared memory) could not be allocated; use smaller slotBytes`
        })
    })
    const execArgv = options.execArgv ?? defaultExecArgv()
    const clients = yield* Effect.forEach(Array.from({ length: workers }, (_, rank) => rank), (rank) =>
      Effect.gen(function*() {
        const spawn = () => {
          const worker = new Worker(workerEntry, { execArgv: [...execArgv], workerData: { kernelThreads } })
          options.onSpawn?.(worker, rank)
          return worker
        }
        const protocol = yield* Layer.build(
          RpcClient.layerProtocolWorker({ size: 1, concurrency: 1 }).pipe(Layer.provide(NodeWorker.layer(spawn)))
        ).pipe(Effect.mapError((e) =>
          new WorkerLostError({ rank, detail: `the worker did not start: ${e.message}` })
        ))
        return yield* Effect.provideContext(RpcClient.make(MeshRpcs), protocol)
      }), { concurrency: "unbounded" })
    // One call at a time: the ranks share the exchange.
    const lock = yield* Semaphore.make(1)
    const scope = yield* Effect.scope
    // Every worker done with what it was sent: a request a worker answers comes after the ones
    // sent before it, and after the interruption of an interrupted one (the RPC protocol keeps
    // their order, and a worker's synchronous work runs to its end before it reads the next).
    // A ResidentLostError (id -1 is never placed) or a lost worker are answers too.
    const drain = Effect.forEach(
      clients,
      (client, rank) =>
        Effect.ignore(client.Get({ id: -1, rank, release: [] })),
      { concurrency: "unbounded", discard: true }
    )
    // `effect` under the lock. Interrupted, it returns at once (the exchange aborted, so a
    // worker waiting in a collective fails), but a worker may still be computing its part (JS
    // cannot pre-empt it) and would enter the old call's collectives after the next call reset
    // the exchange: it took the next call's values, or failed it with a CollectiveMismatchError.
    // So the lock is held, in the mesh's scope, until every worker has answered after it.
    // Closed with the layer's scope: the workers are stopping, and a call would hang or be
    // interrupted (the RPC clients are gone) instead of failing.
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => void (closed = true)))
    const closedError = new PmapArgumentError({
      detail:
        "Mesh: the mesh's scope is closed (its workers have stopped); use a Mesh inside the scope of the Mesh.layer that provides it"
    })
    const exclusive = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | PmapArgumentError> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          if (closed) return yield* closedError
          yield* restore(lock.take(1))
          if (closed) {
            yield* lock.release(1)
            return yield* closedError
          }
          const exit = yield* Effect.exit(restore(effect))
          if (Exit.hasInterrupts(exit) && !closed) {
            yield* Effect.forkIn(Effect.ensuring(drain, lock.release(1)), scope)
          } else {
            yield* lock.release(1)
          }
          return yield* exit
        })
      )
    let traffic: MeshTraffic = { calls: 0, sentBytes: 0, receivedBytes: 0 }
    const count = (sent: number, received: number) =>
      traffic = {
        calls: traffic.calls + 1,
        sentBytes: traffic.sentBytes + sent,
        receivedBytes: traffic.receivedBytes + received
      }
    // Resident values released since the last request: every rank drops them with the next one.
    let pending: Array<number> = []
    const takePending = (): ReadonlyArray<number> => {
      const out = pending
      pending = []
      return out
    }
    let nextId = 0

    // Every rank's part of one request, failures reduced to the one that explains the others.
    const onEveryRank = <A>(
      call: (rank: number) => Effect.Effect<A, ParallelError | RpcClientError>
    ): Effect.Effect<Array<A>, ParallelError> =>
      Effect.gen(function*() {
        resetExchange(exchange)
        const exits = yield* Effect.forEach(clients, (_, rank) =>
          call(rank).pipe(
            Effect.mapError((e): ParallelError => e instanceof RpcClientError ? lost(rank, e) : e),
            // Ranks waiting in a collective for this one must not wait forever.
            Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => abortExchange(exchange))),
            Effect.exit
          ), { concurrency: "unbounded" })
        const failures: Array<ParallelError> = []
        const results: Array<A> = []
        for (const exit of exits) {
          if (Exit.isSuccess(exit)) results.push(exit.value)
          else {
            const error = Cause.findError(exit.cause)
            if (Result.isSuccess(error)) failures.push(error.success)
            else return yield* Effect.failCause(exit.cause)
          }
        }
        if (failures.length > 0) {
          failures.sort((a, b) => priority(a) - priority(b))
          return yield* Effect.fail(failures[0]!)
        }
        return results
      })

    const run: MeshShape["run"] = (request) =>
      exclusive(Effect.suspend(() => {
        const release = takePending()
        let sent = 0
        return onEveryRank((rank) => {
          const part = request(rank)
          sent += copiedBytes(part.tensors)
          return clients[rank]!.Run({ request: { ...part, release, rank, workers, exchange, slotBytes } })
        }).pipe(
          Effect.tap((results) =>
            Effect.sync(() => count(sent, results.reduce((n, r) => n + copiedBytes(r.tensors), 0)))
          )
        )
      }))

    const put: MeshShape["put"] = (id, tree, tensors) =>
      exclusive(Effect.suspend(() => {
        const release = takePending()
        let sent = 0
        return onEveryRank((rank) => {
          const wires = tensors()
          sent += copiedBytes(wires)
          return clients[rank]!.Put({ request: { id, rank, release, tree, tensors: wires } })
        }).pipe(Effect.tap(() => Effect.sync(() => count(sent, 0))), Effect.asVoid)
      }))

    // From the first rank that still holds the value (a replaced worker holds nothing).
    const get: MeshShape["get"] = (id) =>
      exclusive(Effect.gen(function*() {
        let error: ParallelError | undefined
        for (let rank = 0; rank < workers; rank++) {
          const got = yield* clients[rank]!.Get({ id, rank, release: [] }).pipe(
            Effect.mapError((e): ParallelError => e instanceof RpcClientError ? lost(rank, e) : e),
            Effect.result
          )
          if (Result.isSuccess(got)) {
            count(0, copiedBytes(got.success.tensors))
            return got.success
          }
          error ??= got.failure
        }
        return yield* Effect.fail(error!)
      }))

    const release: MeshShape["release"] = (ids) => Effect.sync(() => void pending.push(...ids))
    const reserve: MeshShape["reserve"] = (n) => Array.from({ length: n }, () => nextId++)

    return { workers, traffic: () => traffic, run, put, get, release, reserve } satisfies MeshShape
  })

/**
 * The mesh service: provide it with `Mesh.layer({ workers })`.
 *
 * @example
 * import { Mesh } from "diffect/parallel"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   const mesh = yield* Mesh
 *   return mesh.workers
 * })
 * // The worker threads start with the layer and stop when its scope closes.
 * console.log(Effect.runSync(Effect.scoped(Effect.provide(program, Mesh.layer({ workers: 2 }))))) // 2
 *
 * @category Services
 * @since 0.1.0
 */
export class Mesh extends Context.Service<Mesh, MeshShape>()("@diffect/parallel/Mesh") {
  /**
   * A mesh of `workers` worker threads, stopped when the layer's scope closes.
   * Fails with `PmapArgumentError` for an invalid option, `WorkerLostError`
   * when a worker cannot start.
   *
   * @since 0.1.0
   */
  static readonly layer = (options: MeshOptions): Layer.Layer<Mesh, PmapArgumentError | WorkerLostError> =>
    Layer.effect(Mesh)(make(options))
}
