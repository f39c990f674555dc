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
  WorkerFailedError
} from "../Errors.js"
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
  /** Per positional argument: mapped along its leading axis (0) or not (null). */
  readonly inAxes: ReadonlyArray<0 | null>
  /** Every output mapped along its leading axis (0) or none (null: the same on every worker). */
  readonly outAxes: 0 | null
  readonly exchange: SharedArrayBuffer
  readonly slotBytes: number
  readonly args: unknown
  readonly tensors: ReadonlyArray<WireTensor>
}

/** A worker's results: its slices of the mapped outputs, and the unmapped ones. @internal */
export interface RunResult {
  readonly out: unknown
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

/** The failures a worker reports (a lost worker is the client's `RpcClientError`). @internal */
export const RunError = Schema.Union([
  WorkerFailedError,
  CollectiveMismatchError,
  CollectiveAbortedError,
  CollectiveTracedError,
  PmapArgumentError
])

/** @internal */
export class MeshRpcs extends RpcGroup.make(
  Rpc.make("Run", { payload: { request: RunRequestSchema }, success: RunResultSchema, error: RunError })
) {}
