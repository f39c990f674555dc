/**
 * Copies of frozen operands (`DType.freezeHost`: storage no one writes again, as `np.array`'s
 * own copies) kept in a WebAssembly kernel's memory between products, so that a product whose
 * operand is already there reads it in place instead of copying it in again, and its packed
 * forms (a row-major lhs in row groups, a rhs in column panels), so that a product finds them
 * packed. B1's jitted step copied its inputs (x twice, W1, W2 twice: 2.1 MB) into the GEMM's
 * memory and packed x and W2^T on every call.
 *
 * The copies live above the kernel's scratch (the products' packed operands and results, which
 * start at 0): `base` follows the largest scratch any product asked for, and a product asking
 * for more moves it up and drops every copy. Copies are allocated upwards from `base` and all
 * dropped at once when the next one would pass `RESIDENT_MAX_BYTES` (unless the product being set
 * up reads one of them already: its other operands then go to its scratch); a copy is keyed weakly by
 * its storage, so a collected array leaves only its bytes behind until that drop. Nothing is
 * ever written into a resident copy after it was made, and a frozen storage never changes, so a
 * copy found is the operand's current value. A copy is made the second time a product asks for the
 * operand in that layout: an operand used once (a streamed batch) is copied into scratch only.
 *
 * @internal
 */
import { DType } from "@diffect/core"

/** Operands under this (64 KiB) are copied per product: a copy that small costs less than the lookup. */
export const RESIDENT_MIN_BYTES = 64 * 1024

/** The most bytes of resident copies one kernel memory holds (32 MiB) before they are all dropped. */
export const RESIDENT_MAX_BYTES = 32 * 1024 * 1024

// scratch tops are rounded up to this, so that a product slightly larger than the last does not drop every copy
const BASE_ALIGN = 1024 * 1024

interface Copy {
  /** The source's first byte within its storage. */
  readonly from: number
  readonly bytes: number
  /** `""` for a copy as it is, else the packed form's name (`residentLayout`). */
  readonly layout: string
  /** The copy's address in the kernel's memory. */
  readonly at: number
}

/** One kernel memory's resident copies. */
export interface ResidentOperands {
  base: number
  top: number
  copies: WeakMap<ArrayBufferLike, Array<Copy>>
  /** Whether the product now being set up reads a resident copy (then none may be dropped until it ends). */
  inUse: boolean
  /** The operands (byte offset and layout, by storage) a product has asked for once. */
  readonly seen: WeakMap<ArrayBufferLike, Array<string>>
}

export const makeResidentOperands = (): ResidentOperands => ({
  base: 0,
  top: 0,
  copies: new WeakMap(),
  inUse: false,
  seen: new WeakMap()
})

let allowed = true

/** Products that found their operand resident, and copies made (for tests). */
export const residentCounts = { hits: 0, copies: 0 }

/** Allows (`true`, the default) or forbids resident copies; returns whether they are allowed. For tests and benchmarks. */
export const setResidentOperands = (on: boolean): boolean => {
  allowed = on
  return on
}

const drop = (r: ResidentOperands): void => {
  r.top = 0
  r.copies = new WeakMap()
}

/**
 * A product starts, with scratch up to `bytes`: copies in the way are dropped and the region
 * moves above it.
 */
export const claimScratch = (r: ResidentOperands, bytes: number): void => {
  r.inUse = false
  if (bytes <= r.base) return
  drop(r)
  r.base = Math.ceil(bytes / BASE_ALIGN) * BASE_ALIGN
}

/**
 * The address (bytes) of `src[off, off + len)` resident in the kernel's memory in `layout` (`""`: as
 * it is; else a packed form, named by everything its bytes depend on besides the source), made now
 * by `write(at)` into `size` bytes if it is not there; `undefined` when `src` is not frozen float32
 * storage of at least `RESIDENT_MIN_BYTES`, there is no room (see the module's comment), or the
 * memory cannot grow. `grow` makes the memory at least that many bytes long (`false` when it
 * cannot). The caller reads `memory.buffer` afresh after this call (and `write` inside it):
 * growing an unshared memory detaches the old buffer.
 */
export const residentLayout = (
  r: ResidentOperands,
  grow: (bytes: number) => boolean,
  src: Float32Array | Float64Array,
  off: number,
  len: number,
  layout: string,
  size: number,
  write: (at: number) => void
): number | undefined => {
  const bytes = len * 4
  if (!allowed || bytes < RESIDENT_MIN_BYTES || !(src instanceof Float32Array) || !DType.isFrozenHost(src)) {
    return undefined
  }
  const storage = src.buffer
  const from = src.byteOffset + off * 4
  const list = r.copies.get(storage)
  if (list !== undefined) {
    for (const c of list) {
      if (c.from === from && c.layout === layout && c.bytes >= bytes) {
        if (!grow(c.at + size)) return undefined
        residentCounts.hits++
        r.inUse = true
        return c.at
      }
    }
  }
  // an operand is made resident the second time a product asks for it: one used once (a batch of a
  // dataset, streamed) stays in the product's scratch, whose memory is warm
  const key = `${from} ${layout}`
  const seen = r.seen.get(storage)
  if (seen === undefined) {
    r.seen.set(storage, [key])
    return undefined
  }
  if (!seen.includes(key)) {
    seen.push(key)
    return undefined
  }
  const rounded = Math.ceil(size / 64) * 64
  if (rounded > RESIDENT_MAX_BYTES) return undefined
  if (r.top + rounded > RESIDENT_MAX_BYTES) {
    // the product may read one of the copies already: then this operand goes to its scratch
    if (r.inUse) return undefined
    drop(r)
  }
  const at = r.base + r.top
  if (!grow(at + rounded)) return undefined
  r.top += rounded
  r.inUse = true
  residentCounts.copies++
  write(at)
  const copy: Copy = { from, bytes, layout, at }
  const current = r.copies.get(storage)
  if (current === undefined) r.copies.set(storage, [copy])
  else current.push(copy)
  return at
}

/**
 * The address (bytes) of a resident copy of `src[off, off + len)` as it is, with `slack` readable
 * elements after it (see `residentLayout`).
 */
export const residentCopy = (
  r: ResidentOperands,
  memory: WebAssembly.Memory,
  grow: (bytes: number) => boolean,
  src: Float32Array | Float64Array,
  off: number,
  len: number,
  slack: number
): number | undefined =>
  residentLayout(
    r,
    grow,
    src,
    off,
    len,
    "",
    (len + slack) * 4,
    (at) => new Float32Array(memory.buffer, at, len).set(src.subarray(off, off + len))
  )
