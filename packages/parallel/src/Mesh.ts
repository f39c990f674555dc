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
import { NodeWorker } from "@effect/platform-node"
import { Cause, Context, Effect, Exit, Layer, Result, Semaphore } from "effect"
import { RpcClient } from "effect/rpc"
import { RpcClientError } from "effect/rpc/RpcClientError"
import { Worker } from "node:worker_threads"
import { PmapArgumentError, WorkerLostError } from "./Errors.js"
import type { ParallelError } from "./Errors.js"
import { abortExchange, exchangeSize, resetExchange } from "./internal/exchange.js"
import { MeshRpcs } from "./internal/protocol.js"
import type { RunRequest, RunResult } from "./internal/protocol.js"

/**
 * Options of {@link Mesh.layer}.
 *
 * - `workers`: the number of worker threads (ranks `0 .. workers - 1`).
 * - `slotBytes` (default 4 MiB): each worker's slot of the shared exchange;
 *   larger collectives go through in chunks of this size.
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
  readonly execArgv?: ReadonlyArray<string> | undefined
  readonly onSpawn?: ((worker: Worker, rank: number) => void) | undefined
}

/**
 * What a mesh provides: its number of workers, and `run`, which sends each rank
 * its request and gathers the results (used by `pmap`).
 *
 * @category Models
 * @since 0.1.0
 */
export interface MeshShape {
  readonly workers: number
  readonly run: (
    request: (rank: number) => Omit<RunRequest, "rank" | "workers" | "exchange" | "slotBytes">
  ) => Effect.Effect<ReadonlyArray<RunResult>, ParallelError>
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

const make = (options: MeshOptions) =>
  Effect.gen(function*() {
    const workers = options.workers
    if (!Number.isInteger(workers) || workers < 1) {
      return yield* new PmapArgumentError({ detail: `Mesh.layer: workers must be a positive integer, got ${workers}` })
    }
    const slotBytes = options.slotBytes ?? 4 * 1024 * 1024
    if (!Number.isInteger(slotBytes) || slotBytes < 8 || slotBytes % 8 !== 0) {
      return yield* new PmapArgumentError({
        detail: `Mesh.layer: slotBytes must be a positive multiple of 8, got ${slotBytes}`
      })
    }
    const exchange = new SharedArrayBuffer(exchangeSize(workers, slotBytes))
    const execArgv = options.execArgv ?? defaultExecArgv()
    const clients = yield* Effect.forEach(Array.from({ length: workers }, (_, rank) => rank), (rank) =>
      Effect.gen(function*() {
        const spawn = () => {
          const worker = new Worker(workerEntry, { execArgv: [...execArgv] })
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

    const run: MeshShape["run"] = (request) =>
      lock.withPermits(1)(Effect.gen(function*() {
        resetExchange(exchange)
        const exits = yield* Effect.forEach(clients, (client, rank) =>
          client.Run({ request: { ...request(rank), rank, workers, exchange, slotBytes } }).pipe(
            Effect.mapError((e): ParallelError =>
              e instanceof RpcClientError ? lost(rank, e) : e
            ),
            // Ranks waiting in a collective for this one must not wait forever.
            Effect.onExit((exit) =>
              Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => abortExchange(exchange))
            ),
            Effect.exit
          ), { concurrency: "unbounded" })
        const failures: Array<ParallelError> = []
        const results: Array<RunResult> = []
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
      }))

    return { workers, run } satisfies MeshShape
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
