/**
 * The RPC a mesh's coordinator sends to its workers (`effect/rpc` over the
 * worker protocol: structured clone, tensors' buffers transferred).
 *
 * @internal
 */
import { Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { Transferable } from "effect/workers"
import {
  CollectiveAbortedError,
  CollectiveMismatchError,
  CollectiveTracedError,
  PmapArgumentError,
  ResidentLostError,
  WorkerFailedError
} from "../Errors.js"
import type { LeafAval } from "./resident.js"
import type { WireTensor } from "./wire.js"
import { transfers } from "./wire.js"

/** One worker's part of a `pmap` call. @internal */
export interface RunRequest {
  readonly module: string
  readonly name: string
  readonly rank: number
  readonly workers: number
  readonly axisName: string
  /** The size of the whole mapped axis. */
  readonly size: number
  /** One axis specification per positional argument (JAX's in_axes). */
  readonly inAxes: ReadonlyArray<unknown>
  /** The outputs' axis specification (JAX's out_axes), `"resident"` for outputs kept in the workers. */
  readonly outAxes: unknown
  /** The ids under which to keep the `"resident"` outputs, in the specification's order. */
  readonly keep: ReadonlyArray<number>
  /** Resident values to drop first (released since the last request). */
  readonly release: ReadonlyArray<number>
  readonly exchange: SharedArrayBuffer
  readonly slotBytes: number
  readonly args: unknown
  readonly tensors: ReadonlyArray<WireTensor>
}

/**
 * A worker's results: its slices of the mapped outputs, the unmapped ones, and
 * the types of the tensors of each output it kept.
 *
 * @internal
 */
export interface RunResult {
  readonly out: unknown
  readonly tensors: ReadonlyArray<WireTensor>
  readonly kept: ReadonlyArray<ReadonlyArray<LeafAval>>
}

/** A value to keep in a worker (`Resident.replicate`). @internal */
export interface PutRequest {
  readonly id: number
  readonly rank: number
  readonly release: ReadonlyArray<number>
  readonly tree: unknown
  readonly tensors: ReadonlyArray<WireTensor>
}

/** A kept value read back (`Resident.fetch`). @internal */
export interface GetResult {
  readonly tree: unknown
  readonly tensors: ReadonlyArray<WireTensor>
}

const RunRequestSchema = Transferable.schema(
  Schema.Any as unknown as Schema.declare<RunRequest>,
  (r) => transfers(r.tensors)
)
const RunResultSchema = Transferable.schema(
  Schema.Any as unknown as Schema.declare<RunResult>,
  (r) => transfers(r.tensors)
)
const PutRequestSchema = Transferable.schema(
  Schema.Any as unknown as Schema.declare<PutRequest>,
  (r) => transfers(r.tensors)
)
const GetResultSchema = Transferable.schema(
  Schema.Any as unknown as Schema.declare<GetResult>,
  (r) => transfers(r.tensors)
)

/** The failures a worker reports (a lost worker is the client's `RpcClientError`). @internal */
export const RunError = Schema.Union([
  WorkerFailedError,
  CollectiveMismatchError,
  CollectiveAbortedError,
  CollectiveTracedError,
  PmapArgumentError,
  ResidentLostError
])

/** @internal */
export class MeshRpcs extends RpcGroup.make(
  Rpc.make("Run", { payload: { request: RunRequestSchema }, success: RunResultSchema, error: RunError }),
  Rpc.make("Put", { payload: { request: PutRequestSchema }, success: Schema.Void, error: RunError }),
  Rpc.make("Get", {
    payload: { id: Schema.Number, rank: Schema.Number, release: Schema.Array(Schema.Number) },
    success: GetResultSchema,
    error: RunError
  })
) {}
