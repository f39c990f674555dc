/**
 * Options objects of the mesh and the cluster, checked before any work: options
 * that are not an object, or a key not among `keys` (a misspelled `in_axes`,
 * which would otherwise be silently the default), are a `PmapArgumentError`.
 * Values are checked where they are used.
 *
 * @internal
 */
import { describeValue } from "@diffect/core/Validate"
import { Effect } from "effect"
import { PmapArgumentError } from "../Errors.js"

/** @internal */
export const checkOptionKeys = (
  operation: string,
  options: unknown,
  keys: ReadonlyArray<string>
): Effect.Effect<void, PmapArgumentError> => {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return Effect.fail(
      new PmapArgumentError({
        detail: `${operation}: options must be an object ({ ${keys.join(", ")} }), got ${describeValue(options)}`
      })
    )
  }
  const unknown = Object.keys(options).find((k) => !keys.includes(k))
  return unknown === undefined ? Effect.void : Effect.fail(
    new PmapArgumentError({
      detail: `${operation}: options has the unknown key ${JSON.stringify(unknown)}; it takes ${keys.join(", ")}`
    })
  )
}
