/**
 * vmap's typed failures, with JAX's messages. Re-exported by `Vmap.ts`.
 *
 * @internal
 */
import { Schema } from "effect"

/**
 * The mapped axes of vmap's arguments disagree in size, or no size can be
 * known (no mapped argument and no `axisSize`). JAX's `_mapped_axis_size` messages.
 *
 * @since 0.1.0
 */
export class VmapSizeError extends Schema.TaggedError<VmapSizeError>()("VmapSizeError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * An `inAxes` or `outAxes` entry outside the value's dimensions, or an axis spec
 * that is not an integer or `null`.
 *
 * @since 0.1.0
 */
export class VmapAxisError extends Schema.TaggedError<VmapAxisError>()("VmapAxisError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * An output that varies along the mapped axis where `outAxes` says `null`
 * (JAX's "vmap has mapped output but out_axes is None").
 *
 * @since 0.1.0
 */
export class VmapOutAxesError extends Schema.TaggedError<VmapOutAxesError>()("VmapOutAxesError", {
  axisName: Schema.NullOr(Schema.String),
  path: Schema.String,
  batchDim: Schema.Number
}) {
  override get message(): string {
    return this.axisName === null
      ? `vmap has mapped output but out_axes is None: at vmap out_axes${this.path}, got axis spec None but output was batched on axis ${this.batchDim}`
      : `vmap has mapped output (axis_name=${this.axisName}) but out_axes is None`
  }
}

/**
 * `inAxes`/`outAxes` whose structure is not a prefix of the arguments/outputs
 * (JAX's "vmap in_axes specification must be a tree prefix of the corresponding value").
 *
 * @since 0.1.0
 */
export class VmapSpecError extends Schema.TaggedError<VmapSpecError>()("VmapSpecError", {
  detail: Schema.String
}) {
  override get message(): string {
    return this.detail
  }
}

/**
 * vmap's failures.
 *
 * @since 0.1.0
 */
export type VmapError = VmapSizeError | VmapAxisError | VmapOutAxesError | VmapSpecError

/** @internal */
export const vmapErrorTags: ReadonlyArray<string> = [
  "VmapSizeError",
  "VmapAxisError",
  "VmapOutAxesError",
  "VmapSpecError"
]
