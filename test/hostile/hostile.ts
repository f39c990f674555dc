/**
 * Helpers of the hostile-input suite: what a call throws, and whether a thrown
 * value is one of diffect's tagged errors.
 */
import { thrown } from "@diffect/test-utils"
import * as diffect from "diffect"

/** The tags of every tagged error class the facade exports (Schema.TaggedError keeps `_tag` in its fields). */
export const diffectTags: ReadonlySet<string> = new Set(
  [...Object.values(diffect), ...Object.values(diffect.Tree)].flatMap((v) =>
    typeof v === "function" && v.prototype instanceof Error &&
      (v as unknown as { fields?: Record<string, unknown> }).fields?.["_tag"] !== undefined
      ? [v.name]
      : []
  )
)

/** A thrown diffect error, or `undefined` when the thrown value is anything else. */
export const asTagged = (e: unknown): { readonly _tag: string; readonly message: string } | undefined => {
  if (!(e instanceof Error)) return undefined
  const tag = (e as { readonly _tag?: unknown })._tag
  return typeof tag === "string" && (diffectTags.has(tag) || tag === "SchemaError")
    ? { _tag: tag, message: e.message }
    : undefined
}

/** The tagged error `f` throws (fails the test with what it threw or returned otherwise). */
export const caught = (f: () => unknown): { readonly _tag: string; readonly message: string } => {
  const e = thrown(f)
  const tagged = asTagged(e)
  if (tagged === undefined) throw new Error(`expected a tagged error, got ${String(e)}`, { cause: e })
  return tagged
}

/** Whether a message repeats its own prefix (`pad: pad: ...`, `add: add got ...`). */
export const doubledPrefix = (message: string): boolean => /(?:^|\s)([A-Za-z_][\w.]*): \1\b/.test(message)
