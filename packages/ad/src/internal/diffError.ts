/**
 * Which thrown values are diffect's typed errors (to be put in the error channel)
 * and which are defects. A tag-name set rather than "any tagged error": a user's
 * own tagged error thrown from their function must not pass for a `DiffError`.
 */
import type { DiffError } from "../Errors.js"

export type { DiffError }

const tags = new Set<string>([
  // core (core/src/Errors.ts)
  "BroadcastError",
  "AxisError",
  "ShapeError",
  "DTypeError",
  "Float0OperationError",
  "IndexError",
  "InvalidArrayError",
  "EscapedTracerError",
  "ConcretizationError",
  "UnsupportedDTypeError",
  "BackendError",
  "TreeStructureError",
  // ad (ad/src/Errors.ts)
  "NonScalarOutputError",
  "InputDTypeError",
  "OutputDTypeError",
  "ArgnumsError",
  "AuxOutputError",
  "InvalidArgumentError",
  "TangentMismatchError",
  "CotangentMismatchError",
  "LinearTransposeDTypeError",
  "NotCallableError",
  "AsyncEffectError",
  // vmap (ad/src/Collectives.ts, ad/src/internal/batchingErrors.ts)
  "UnboundAxisError",
  "VmapSizeError",
  "VmapAxisError",
  "VmapOutAxesError",
  "VmapSpecError",
  // handlers (ad/src/internal/handlerErrors.ts)
  "NonLinearTransposeError",
  "CustomVjpForwardModeError",
  "CustomRuleError"
])

/** Whether `u` is one of diffect's tagged errors. */
export const isDiffError = (u: unknown): u is DiffError => {
  if (!(u instanceof Error)) return false
  const tag: unknown = (u as unknown as { readonly _tag?: unknown })._tag
  return typeof tag === "string" && tags.has(tag)
}

/** Adds tags of errors defined elsewhere in diffect (e.g. by vmap or the handlers). */
export const registerDiffErrorTags = (...names: ReadonlyArray<string>): void => {
  for (const name of names) tags.add(name)
}
