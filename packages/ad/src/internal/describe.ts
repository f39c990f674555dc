/**
 * Short descriptions of arbitrary values for error messages: tensors print their
 * type (`Tensor(f32[3])`), containers their contents, up to a small depth.
 */
import { isTensor, summary } from "@diffect/core"
import { Effect } from "effect"

export const describe = (value: unknown, depth = 0): string => {
  if (isTensor(value)) return summary(value)
  if (Effect.isEffect(value)) return "an Effect (did you forget `yield*`?)"
  if (value === null) return "null"
  if (value === undefined) return "undefined"
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  // 2n, not 2: a bigint is not the number it prints as
  if (typeof value === "bigint") return `${value}n`
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`
  if (depth > 2) return "..."
  if (Array.isArray(value)) {
    const shown = value.slice(0, 8).map((v) => describe(v, depth + 1))
    return `[${shown.join(", ")}${value.length > 8 ? ", ..." : ""}]`
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value)
    // a generator object's constructor has no name: "an object", not " instance"
    if (proto !== Object.prototype && proto !== null) {
      const name = proto.constructor?.name
      return typeof name === "string" && name !== "" ? `${name} instance` : "an object"
    }
    const entries = Object.entries(value).slice(0, 8).map(([k, v]) => `${k}: ${describe(v, depth + 1)}`)
    return `{ ${entries.join(", ")} }`
  }
  return String(value)
}
