/**
 * The typed errors of data-parallel maps: bad arguments to `pmap`, a worker
 * that died or failed, and a collective that the workers did not agree on.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * `pmap` was called with something it cannot map: an argument that is not a
 * pytree of tensors, a mapped axis whose size is not a multiple of the number
 * of workers, an invalid option, or a function that was not made with
 * `Remote.make`.
 *
 * @example
 * import { PmapArgumentError } from "diffect/parallel"
 * const e = new PmapArgumentError({ detail: "pmap: the mapped axis has size 3, not a multiple of the 2 workers" })
 * console.log(e.message) // pmap: the mapped axis has size 3, not a multiple of the 2 workers
 *
 * @category Errors
 * @since 0.1.0
 */
export class PmapArgumentError extends Schema.TaggedError<PmapArgumentError>()("PmapArgumentError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * A worker of the mesh died (its thread exited or crashed) while it ran its
 * part of a `pmap`. The other workers' parts of that call are abandoned
 * (their collectives are aborted); the mesh starts a fresh worker in its place,
 * so the call can be retried.
 *
 * @example
 * import { WorkerLostError } from "diffect/parallel"
 * const e = new WorkerLostError({ rank: 1, detail: "exit code 1" })
 * console.log(e.message) // worker 1 of the mesh was lost: exit code 1
 *
 * @category Errors
 * @since 0.1.0
 */
export class WorkerLostError extends Schema.TaggedError<WorkerLostError>()("WorkerLostError", {
  rank: Schema.Number,
  detail: Schema.String
}) {
  override get message(): string {
    return `worker ${this.rank} of the mesh was lost: ${this.detail}`
  }
}

/**
 * The function a worker ran failed: `errorTag` and `errorMessage` are those of
 * the error it raised (a diffect error keeps its tag, e.g. `ShapeError`).
 *
 * @example
 * import { WorkerFailedError } from "diffect/parallel"
 * const e = new WorkerFailedError({ rank: 0, errorTag: "ShapeError", errorMessage: "add got incompatible shapes" })
 * console.log(e.message) // worker 0 failed with ShapeError: add got incompatible shapes
 *
 * @category Errors
 * @since 0.1.0
 */
export class WorkerFailedError extends Schema.TaggedError<WorkerFailedError>()("WorkerFailedError", {
  rank: Schema.Number,
  errorTag: Schema.String,
  errorMessage: Schema.String
}) {
  override get message(): string {
    return `worker ${this.rank} failed with ${this.errorTag}: ${this.errorMessage}`
  }
}

/**
 * The workers called different collectives at the same point of the program
 * (different dtypes or sizes): SPMD programs must apply the same collectives
 * in the same order on every worker.
 *
 * @example
 * import { CollectiveMismatchError } from "diffect/parallel"
 * const e = new CollectiveMismatchError({ rank: 0, detail: "different sizes" })
 * console.log(e.message) // collective mismatch on worker 0: different sizes
 *
 * @category Errors
 * @since 0.1.0
 */
export class CollectiveMismatchError extends Schema.TaggedError<CollectiveMismatchError>()("CollectiveMismatchError", {
  rank: Schema.Number,
  detail: Schema.String
}) {
  override get message(): string {
    return `collective mismatch on worker ${this.rank}: ${this.detail}`
  }
}

/**
 * A collective was abandoned because another worker of the mesh was lost
 * (or the call was interrupted) while this one waited for it.
 *
 * @example
 * import { CollectiveAbortedError } from "diffect/parallel"
 * console.log(new CollectiveAbortedError({ rank: 0 })._tag) // CollectiveAbortedError
 *
 * @category Errors
 * @since 0.1.0
 */
export class CollectiveAbortedError extends Schema.TaggedError<CollectiveAbortedError>()("CollectiveAbortedError", {
  rank: Schema.Number
}) {
  override get message(): string {
    return `worker ${this.rank}: collective aborted (another worker of the mesh was lost or the call was interrupted)`
  }
}

/**
 * A collective over a worker-spanning axis reached the exchange with a value
 * that is not concrete. Inside the mapped function, `jit`, `scan`, `cond`,
 * `whileLoop`, `checkpoint` and custom rules run their collectives between
 * compiled pieces, on concrete values; this error guards the exchange, which
 * can only copy concrete values.
 *
 * @example
 * import { CollectiveTracedError } from "diffect/parallel"
 * console.log(new CollectiveTracedError({ axisName: "batch" }).axisName) // batch
 *
 * @category Errors
 * @since 0.1.0
 */
export class CollectiveTracedError extends Schema.TaggedError<CollectiveTracedError>()("CollectiveTracedError", {
  axisName: Schema.String
}) {
  override get message(): string {
    return `a collective over the worker axis '${this.axisName}' reached the exchange with a traced value; across workers, collectives run on concrete values (jit, scan, cond, whileLoop, checkpoint and custom rules run theirs between compiled pieces): apply the collective to computed values`
  }
}

/**
 * A rank of a cluster did not answer its part of a step: its runner died, was
 * stopped or is unreachable (or took longer than the coordinator's timeout).
 * Steps are idempotent by step number: retry the same step once the runner is
 * back (a rank that already computed it answers from its cache).
 *
 * @example
 * import { RunnerLostError } from "diffect/parallel"
 * const e = new RunnerLostError({ rank: 1, step: 7, detail: "no answer within 30s" })
 * console.log(e.message) // rank 1 was lost during step 7: no answer within 30s
 *
 * @category Errors
 * @since 0.1.0
 */
export class RunnerLostError extends Schema.TaggedError<RunnerLostError>()("RunnerLostError", {
  rank: Schema.Number,
  step: Schema.Number,
  detail: Schema.String
}) {
  override get message(): string {
    // step -1: a call that is not a step (placing or fetching a value)
    return `rank ${this.rank} was lost${this.step < 0 ? "" : ` during step ${this.step}`}: ${this.detail}`
  }
}

/**
 * A resident value (`Resident.replicate`, or an output kept with `outAxes:
 * "resident"`) is missing from a worker: the worker was lost and replaced since
 * the value was placed there (a fresh worker holds nothing). Recover with
 * `Resident.fetch` (it reads from a worker that still holds the value) and
 * `Resident.replicate`, or from a checkpoint.
 *
 * @example
 * import { ResidentLostError } from "diffect/parallel"
 * const e = new ResidentLostError({ rank: 1, id: 3 })
 * console.log(e.message) // worker 1 does not hold resident value #3 (the worker was replaced since it was placed there)
 *
 * @category Errors
 * @since 0.1.0
 */
export class ResidentLostError extends Schema.TaggedError<ResidentLostError>()("ResidentLostError", {
  rank: Schema.Number,
  id: Schema.Number
}) {
  override get message(): string {
    return `worker ${this.rank} does not hold resident value #${this.id} (the worker was replaced since it was placed there)`
  }
}

/**
 * Any error of this package.
 *
 * @category Errors
 * @since 0.1.0
 */
export type ParallelError =
  | PmapArgumentError
  | WorkerLostError
  | WorkerFailedError
  | CollectiveMismatchError
  | CollectiveAbortedError
  | CollectiveTracedError
  | RunnerLostError
  | ResidentLostError
