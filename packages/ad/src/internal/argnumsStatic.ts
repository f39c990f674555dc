/**
 * The `staticArgnums` / `donateArgnums` of jit and makeProgram: integers (negative
 * ones count from the end) naming positional arguments, checked as JAX's jit does.
 *
 * @since 0.1.0
 */
import { describeValue as describeAny } from "@diffect/core/Validate"
import { JitArgnumsError } from "../Errors.js"

// A number as itself, anything else described (never throws, unlike String of a symbol's template
// or of an object without a prototype).
const shown = (u: unknown): string => (typeof u === "number" ? String(u) : describeAny(u))

/** The positions `spec` names among `nargs` arguments, or `JitArgnumsError`. */
export const normalizeArgnums = (
  name: "staticArgnums" | "donateArgnums",
  spec: number | ReadonlyArray<number> | undefined,
  nargs: number,
  what = "jitted function"
): ReadonlySet<number> => {
  const list = spec === undefined ? [] : typeof spec === "number" ? [spec] : spec
  if (!Array.isArray(list)) {
    throw new JitArgnumsError({
      detail: `${name} must be an integer or an array of integers, got ${shown(spec)}.`
    })
  }
  const out = new Set<number>()
  for (const k of list) {
    if (!Number.isInteger(k)) {
      throw new JitArgnumsError({ detail: `${name} must be integers, got ${shown(k)}.` })
    }
    const i = k < 0 ? k + nargs : k
    if (i < 0 || i >= nargs) {
      throw new JitArgnumsError({
        detail: `${what} has ${name}=(${list.join(", ")}${
          list.length === 1 ? "," : ""
        }) but was called with only ${nargs} positional argument${nargs === 1 ? "" : "s"}.`
      })
    }
    out.add(i)
  }
  return out
}
