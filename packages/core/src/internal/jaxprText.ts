/**
 * Jaxpr-style text shared by Program printing and jit's fusion plan printing.
 *
 * @since 0.1.0
 */

// Names a, b, ..., z, ba, bb, ... as jaxprs do (a bijective base-26 count).
export const varName = (i: number): string => {
  let s = ""
  let n = i
  do {
    s = String.fromCharCode(97 + (n % 26)) + s
    n = Math.floor(n / 26)
  } while (n > 0)
  return s
}

const isAval = (value: unknown): value is { shape: ReadonlyArray<number>; dtype: string } =>
  typeof value === "object" && value !== null && Array.isArray((value as { shape?: unknown }).shape) &&
  typeof (value as { dtype?: unknown }).dtype === "string" && "weakType" in value

export const formatParam = (value: unknown): string => {
  if (Array.isArray(value)) return `(${value.map(formatParam).join(", ")}${value.length === 1 ? "," : ""})`
  if (value === null) return "None"
  if (typeof value === "boolean") return value ? "True" : "False"
  // an abstract value (a callback's result types): `f32[2]`, as an equation's types print
  if (isAval(value)) return `${value.dtype}[${value.shape.join(",")}]`
  // a function (a custom rule): its name, as JAX prints `<function f>`, never its source
  if (typeof value === "function") return `<function ${value.name === "" ? "anonymous" : value.name}>`
  // a plain record (a convolution's dimension numbers): its fields, as JAX prints a NamedTuple's,
  // unless it names itself (a remat policy's own `toString`)
  if (
    typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype && !Object.hasOwn(value, "toString")
  ) {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${formatParam(v)}`).join(", ")}}`
  }
  return String(value)
}

/** `[k=v k2=v2]` as jaxprs print a primitive's parameters; empty when there are none. */
export const formatParams = (params: object): string => {
  const entries = Object.entries(params)
  return entries.length === 0 ? "" : `[${entries.map(([k, v]) => `${k}=${formatParam(v)}`).join(" ")}]`
}
