/**
 * Storage recycling for host arrays: a free list of `ArrayBuffer`s by byte
 * length. A backend hands back the storage of a buffer it released and owned
 * alone; the next allocation of the same length takes it (zero-filled) instead
 * of asking the engine for fresh memory. Fresh `ArrayBuffer`s are what drives
 * V8's collections in a loop that allocates megabytes per step (each one counts
 * as external memory, and their total since the last full collection starts the
 * next one), and a fresh large one costs page faults on first touch. This is
 * XLA's allocator idea (device memory reused as soon as a buffer dies) for the
 * host backend; see docs/architecture.md, "Recycled host storage".
 *
 * @internal
 */

/**
 * Storage smaller than this (4 KiB) is not pooled. Above 64 bytes V8 gives every new typed array a
 * backing store of its own, at 2.5-4 us each in Node 22 whatever the size (a loop of 100,000),
 * where a pooled one is a map lookup and a clear. Measured (2026-12-06, alternating processes,
 * against 256 KiB, the floor until then): the jitted B6 step's medians 13.7-19.1 -> 13.2-16.6 ms
 * (minimums 4-9% lower in six pairs), B4's Hessian 0.056 -> 0.033 ms, the B2 chain 0.036 ->
 * 0.030 ms, B1 eager medians 4.70-6.58 against 4.85-6.25 ms (four of five pairs lower) and
 * jitted 3.55-3.61 against 3.65-3.82 ms (two pairs). (An earlier measurement of 4 KiB and 128 KiB floors, the eager
 * B1 step at 9-12 against 6.0-6.6 ms, no longer holds.) A floor of 256 bytes measured the same;
 * 4 KiB keeps the free lists short (64 MiB of them at most 16 Ki arrays).
 */
export const POOL_MIN_BYTES = 4 * 1024

/** The most bytes the free lists hold at once; storage handed back beyond it is left to the collector. */
export const POOL_MAX_BYTES = 64 * 1024 * 1024

const free = new Map<number, Array<ArrayBuffer>>()
// Storage now in a free list: handing the same storage back twice would give it to two owners.
const pooled = new WeakSet<ArrayBuffer>()
let pooledBytes = 0

/**
 * Takes a free `ArrayBuffer` of exactly `bytes` (zero-filled unless `zero` is
 * false: then its old contents remain), or `undefined`.
 */
export const takeStorage = (bytes: number, zero = true): ArrayBuffer | undefined => {
  if (bytes < POOL_MIN_BYTES) return undefined
  const list = free.get(bytes)
  if (list === undefined) return undefined
  while (list.length > 0) {
    const storage = list.pop()!
    pooled.delete(storage)
    pooledBytes -= bytes
    // a transferred storage is detached (length 0): drop it
    if (storage.byteLength !== bytes) continue
    if (zero) new Uint8Array(storage).fill(0)
    return storage
  }
  return undefined
}

/**
 * Hands `array`'s storage to the free list. The caller guarantees that nothing
 * else references it (no other array over the same storage, no reader holding
 * it). Storage that is shared memory, a part of a larger buffer, detached, too
 * small, already pooled, or over the limit is left alone.
 */
export const recycleStorage = (array: ArrayBufferView): void => {
  const storage = array.buffer
  const bytes = storage.byteLength
  if (
    !(storage instanceof ArrayBuffer) || bytes < POOL_MIN_BYTES || array.byteOffset !== 0 ||
    array.byteLength !== bytes || pooled.has(storage) || pooledBytes + bytes > POOL_MAX_BYTES ||
    frozen.has(storage)
  ) return
  let list = free.get(bytes)
  if (list === undefined) free.set(bytes, list = [])
  list.push(storage)
  pooled.add(storage)
  pooledBytes += bytes
}

/**
 * Frozen storage is never written again (`np.array`'s own copies): a kernel may keep a copy of it
 * keyed by its identity (the GEMM's resident operands) and the free lists never take it. Only
 * storage of this size and up (64 KiB) is marked: smaller copies cost less than the lookup, and
 * reading `.buffer` of an array on V8's heap costs an allocation.
 */
export const FROZEN_MIN_BYTES = 64 * 1024

const frozen = new WeakSet<ArrayBufferLike>()

/** Marks `array`'s whole storage frozen (when `array` is at least `FROZEN_MIN_BYTES`). */
export const freezeStorage = (array: ArrayBufferView): void => {
  if (array.byteLength >= FROZEN_MIN_BYTES) frozen.add(array.buffer)
}

/** Whether `array`'s storage is frozen (never for arrays under `FROZEN_MIN_BYTES`). */
export const isFrozenStorage = (array: ArrayBufferView): boolean =>
  array.byteLength >= FROZEN_MIN_BYTES && frozen.has(array.buffer)

/** The bytes the free lists hold now. */
export const pooledStorageBytes = (): number => pooledBytes

/** Empties the free lists (their storage is left to the collector). */
export const clearStoragePool = (): void => {
  free.clear()
  pooledBytes = 0
}

/** Fresh storage of this size and up (256 KiB) comes from `Buffer.allocUnsafeSlow`, not cleared. */
export const FRESH_UNFILLED_MIN_BYTES = 256 * 1024

type AllocUnsafe = (bytes: number) => Uint8Array

// Node's `Buffer.allocUnsafeSlow`: an `ArrayBuffer` of its own whose memory is not zeroed.
const allocUnsafe: AllocUnsafe | undefined = (() => {
  const B = (globalThis as { readonly Buffer?: { readonly allocUnsafeSlow?: AllocUnsafe } }).Buffer
  const f = B?.allocUnsafeSlow
  return typeof f === "function" ? (bytes) => f.call(B, bytes) : undefined
})()

/**
 * Fresh storage of `bytes` whose contents are unspecified, for a kernel that
 * writes every element: Node's `Buffer.allocUnsafeSlow` where the runtime has
 * it (the C allocator's `malloc`, not `calloc`, which clears memory that the
 * allocator reuses: 1.07 MB of fresh outputs per step took 225-330 us that way
 * against 360-500 us zeroed). `undefined` under `FRESH_UNFILLED_MIN_BYTES` (the engine's
 * small arrays are cheap) and where the runtime has no such allocation.
 */
export const freshUnfilled = (bytes: number): ArrayBuffer | undefined => {
  if (allocUnsafe === undefined || bytes < FRESH_UNFILLED_MIN_BYTES) return undefined
  const u = allocUnsafe(bytes)
  // an array of its own (allocUnsafeSlow never slices Node's shared pool); checked all the same
  return u.byteOffset === 0 && u.buffer.byteLength === bytes && u.buffer instanceof ArrayBuffer ? u.buffer : undefined
}
