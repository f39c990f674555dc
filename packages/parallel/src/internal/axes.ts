/**
 * Axis specifications of `pmap` (JAX's `in_axes`/`out_axes`: an integer,
 * negative counting from the end, `null`, or a pytree prefix of the value
 * holding those; `"resident"` in `outAxes`), and the host-side splitting of a
 * tensor into one block per worker along an axis and the inverse concatenation.
 *
 * @internal
 */
import type { DType } from "@diffect/core"

/** A leaf of an axis specification. @internal */
export type AxisLeaf = number | null | "resident"

const isPlainRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && Object.getPrototypeOf(u) === Object.prototype

/** Whether `spec` is a leaf of an axis specification. @internal */
export const isAxisLeaf = (spec: unknown): spec is AxisLeaf =>
  spec === null || spec === "resident" || (typeof spec === "number" && Number.isInteger(spec))

/**
 * Walks `spec`, a prefix of `value`, and rebuilds `value` with each subtree
 * under a spec leaf replaced by `visit(subtree, leaf, where)`. Containers are
 * arrays and plain records (the wire trees' containers); `isLeaf` marks values
 * that are leaves although they look like containers (wire markers). Throws a
 * message (a string) when `spec` is not a prefix of `value` or has a bad leaf.
 *
 * @internal
 */
export const mapWithSpec = (
  spec: unknown,
  value: unknown,
  where: string,
  visit: (subtree: unknown, leaf: AxisLeaf, where: string) => unknown,
  isLeaf: (u: unknown) => boolean = () => false
): unknown => {
  if (isAxisLeaf(spec)) return visit(value, spec, where)
  if (Array.isArray(spec)) {
    if (!Array.isArray(value) || isLeaf(value) || value.length !== spec.length) {
      throw `the specification at ${where} is an array of ${spec.length} entries; the value there is not an array of ${spec.length} entries: the specification must be a tree prefix of the value`
    }
    return value.map((v, i) => mapWithSpec(spec[i], v, `${where}[${i}]`, visit, isLeaf))
  }
  if (isPlainRecord(spec)) {
    if (!isPlainRecord(value) || isLeaf(value)) {
      throw `the specification at ${where} is a record; the value there is not: the specification must be a tree prefix of the value`
    }
    const keys = Object.keys(spec).sort()
    const valueKeys = Object.keys(value).sort()
    if (keys.join("\u0000") !== valueKeys.join("\u0000")) {
      throw `the specification at ${where} has keys [${keys.join(", ")}]; the value there has [${
        valueKeys.join(", ")
      }]: the specification must be a tree prefix of the value`
    }
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value)) out[k] = mapWithSpec(spec[k], value[k], `${where}['${k}']`, visit, isLeaf)
    return out
  }
  throw `the specification at ${where} is ${
    typeof spec === "number" ? `${spec} (not an integer)` : JSON.stringify(spec) ?? String(spec)
  }: its leaves are integers (axes), null (not mapped) or "resident" (outAxes only)`
}

/** `axis` (negative counting from the end) as an index into `ndim` axes, or a message. @internal */
export const normalizeAxis = (axis: number, ndim: number, what: string): number => {
  const a = axis < 0 ? axis + ndim : axis
  if (a < 0 || a >= ndim) throw `axis ${axis} is out of bounds for ${what} of ${ndim} dimensions`
  return a
}

const rowBlocks = (shape: ReadonlyArray<number>, axis: number) => {
  let outer = 1
  for (let i = 0; i < axis; i++) outer *= shape[i]!
  let inner = 1
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!
  return { outer, inner }
}

/**
 * Block `k` of `parts` along `axis` of a row-major host array of `shape`:
 * `[from, to)` of `host` when the block is contiguous (the axis is the first
 * of size > 1), otherwise a copy.
 *
 * @internal
 */
export const blockOf = (
  host: DType.HostArray,
  shape: ReadonlyArray<number>,
  axis: number,
  k: number,
  parts: number
): {
  readonly contiguous: { readonly from: number; readonly to: number } | undefined
  readonly copy: () => DType.HostArray
} => {
  const rows = shape[axis]! / parts
  const { outer, inner } = rowBlocks(shape, axis)
  const span = rows * inner
  const contiguous = outer === 1 ? { from: k * span, to: (k + 1) * span } : undefined
  const copy = (): DType.HostArray => {
    const Ctor = host.constructor as new(n: number) => DType.HostArray
    const out = new Ctor(outer * span)
    const stride = shape[axis]! * inner
    for (let o = 0; o < outer; o++) {
      out.set(host.subarray(o * stride + k * span, o * stride + (k + 1) * span) as never, o * span)
    }
    return out
  }
  return { contiguous, copy }
}

/**
 * The concatenation of `parts` (row-major host arrays of the same `shape`)
 * along `axis`, in order.
 *
 * @internal
 */
export const concatAlong = (
  parts: ReadonlyArray<DType.HostArray>,
  shape: ReadonlyArray<number>,
  axis: number
): DType.HostArray => {
  const { outer, inner } = rowBlocks(shape, axis)
  const span = shape[axis]! * inner
  const Ctor = parts[0]!.constructor as new(n: number) => DType.HostArray
  const out = new Ctor(outer * span * parts.length)
  const stride = span * parts.length
  parts.forEach((p, k) => {
    for (let o = 0; o < outer; o++) out.set(p.subarray(o * span, (o + 1) * span) as never, o * stride + k * span)
  })
  return out
}
