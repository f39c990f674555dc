/**
 * Threefry-2x32 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * the Random123 library) and JAX's key derivation on top of it, written over
 * uint32 primitives (`add` wraps, `xor`, `shift_left`, `shift_right_logical`,
 * `or`), so it runs eagerly, stages, and batches like any other code. The
 * algorithms are jax/_src/random/threefry2x32.py's: `threefry2x32` is the
 * 20-round hash of one pair of 32-bit words, `threefry_2x32` hashes a flat count
 * array by pairing its two halves, and split / fold_in / random_bits come in
 * JAX's two streams (`jax_threefry_partitionable` on: JAX's default; off: the
 * legacy stream its older pinned values use).
 *
 * @since 0.1.0
 */
import { lax, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { compiledWhenEager } from "@diffect/core/Staging"

const u32 = (shape: ReadonlyArray<number>, value: number): Tensor => lax.full(shape, value >>> 0, "uint32")

const rotateLeft = (x: Tensor, r: number): Tensor =>
  lax.or(lax.shiftLeft(x, u32(x.shape, r)), lax.shiftRightLogical(x, u32(x.shape, 32 - r)))

const ROTATIONS = [[13, 15, 26, 6], [17, 29, 16, 24]] as const

/**
 * The Threefry-2x32 hash of the word pairs `(x0, x1)` (equal shapes, uint32)
 * under the key `(k0, k1)` (uint32 scalars, or arrays of the words' leading dimensions): 20 rounds with
 * a key injection every 4, JAX's `threefry2x32_p`.
 *
 * @since 0.1.0
 */
export const threefry2x32 = (k0: Tensor, k1: Tensor, x0: Tensor, x1: Tensor): readonly [Tensor, Tensor] => {
  const shape = x0.shape
  // Keys cover the leading dimensions of the words (one key per row of a batch).
  const bcast = (k: Tensor) => k.ndim === shape.length ? k : lax.broadcastInDim(k, shape, k.shape.map((_, d) => d))
  const ks = [bcast(k0), bcast(k1)]
  ks.push(lax.xor(lax.xor(ks[0]!, ks[1]!), u32(shape, 0x1BD11BDA)))
  let a = lax.add(x0, ks[0]!)
  let b = lax.add(x1, ks[1]!)
  for (let i = 0; i < 5; i++) {
    for (const r of ROTATIONS[i % 2]!) {
      a = lax.add(a, b)
      b = lax.xor(a, rotateLeft(b, r))
    }
    a = lax.add(a, ks[(i + 1) % 3]!)
    b = lax.add(lax.add(b, ks[(i + 2) % 3]!), u32(shape, i + 1))
  }
  return [a, b]
}

/** The two words of a key `uint32[2]`, as scalars. @since 0.1.0 */
export const keyWords = (key: Tensor): readonly [Tensor, Tensor] => [
  lax.reshape(lax.slice(key, [0], [1], null), []),
  lax.reshape(lax.slice(key, [1], [2], null), [])
]

/**
 * JAX's `threefry_2x32(keypair, count)`: hashes a count array of any shape by
 * pairing its first and second halves (padded with one zero when the size is
 * odd), and returns an array of the count's shape.
 *
 * @since 0.1.0
 */
export const threefry2x32Counts = (key: Tensor, count: Tensor): Tensor => {
  const [k0, k1] = keyWords(key)
  const n = count.shape.reduce((p, d) => p * d, 1)
  let flat = lax.reshape(count, [n])
  if (n % 2 === 1) flat = lax.concatenate([flat, u32([1], 0)], 0)
  const half = (n + (n % 2)) / 2
  const [a, b] = threefry2x32(
    k0,
    k1,
    lax.slice(flat, [0], [half], null),
    lax.slice(flat, [half], [2 * half], null)
  )
  const out = lax.concatenate([a, b], 0)
  return lax.reshape(n % 2 === 1 ? lax.slice(out, [0], [n], null) : out, count.shape)
}

// JAX's `iota_2x32_shape`: the row-major index of each element as a (hi, lo) pair of words.
const iota2x32 = (shape: ReadonlyArray<number>): readonly [Tensor, Tensor] => {
  const n = shape.reduce((p, d) => p * d, 1)
  const lo = lax.reshape(lax.iota("uint32", [n], 0), shape)
  return [u32(shape, 0), lo]
}

const checkSize = (n: number, what: string): void => {
  if (n >= 2 ** 32) {
    throw new ShapeError({ operation: what, detail: `at most 2^32 - 1 random values per call, got ${n}` })
  }
}

/**
 * `split(key, shape)`: keys of shape `[...shape, 2]`. Partitionable: the pair
 * `threefry2x32(key, (0, i))` for each index `i`; legacy: `threefry_2x32(key,
 * iota(2n))` reshaped.
 *
 * @since 0.1.0
 */
export const split = (key: Tensor, shape: ReadonlyArray<number>, partitionable: boolean): Tensor => {
  const n = shape.reduce((p, d) => p * d, 1)
  checkSize(2 * n, "split")
  return compiledWhenEager(
    "split",
    `${shape}|${partitionable}`,
    2 * n,
    [key],
    ([k]) => [splitKeys(k!, shape, partitionable)]
  )[0]!
}

const splitKeys = (key: Tensor, shape: ReadonlyArray<number>, partitionable: boolean): Tensor => {
  const n = shape.reduce((p, d) => p * d, 1)
  if (!partitionable) return lax.reshape(threefry2x32Counts(key, lax.iota("uint32", [2 * n], 0)), [...shape, 2])
  const [k0, k1] = keyWords(key)
  const [hi, lo] = iota2x32(shape)
  const [a, b] = threefry2x32(k0, k1, hi, lo)
  return lax.concatenate([lax.expandDims(a, [shape.length]), lax.expandDims(b, [shape.length])], shape.length)
}

/**
 * `fold_in(key, data)`: `threefry_2x32(key, [0, data])`, the same in both streams.
 *
 * @since 0.1.0
 */
export const foldIn = (key: Tensor, data: Tensor): Tensor =>
  threefry2x32Counts(key, lax.concatenate([u32([1], 0), lax.reshape(data, [1])], 0))

/**
 * 32 random bits per element. Partitionable: `xor` of the two hashed words of
 * each element's index; legacy: `threefry_2x32(key, iota(n))`.
 *
 * @since 0.1.0
 */
export const bits32 = (key: Tensor, shape: ReadonlyArray<number>, partitionable: boolean): Tensor => {
  const n = shape.reduce((p, d) => p * d, 1)
  checkSize(n, "bits")
  return compiledWhenEager(
    "bits32",
    `${shape}|${partitionable}`,
    n,
    [key],
    ([k]) => [hash32(k!, shape, partitionable)]
  )[0]!
}

const hash32 = (key: Tensor, shape: ReadonlyArray<number>, partitionable: boolean): Tensor => {
  const n = shape.reduce((p, d) => p * d, 1)
  if (!partitionable) return lax.reshape(threefry2x32Counts(key, lax.iota("uint32", [n], 0)), shape)
  const [k0, k1] = keyWords(key)
  const [hi, lo] = iota2x32(shape)
  const [a, b] = threefry2x32(k0, k1, hi, lo)
  return lax.xor(a, b)
}

/**
 * 64 random bits per element as `(hi, lo)` words (JAX's 64-bit `random_bits`
 * without a uint64 type). Partitionable: the two hashed words; legacy: the first
 * and second halves of `threefry_2x32(key, iota(2n))`.
 *
 * @since 0.1.0
 */
export const bits64 = (
  key: Tensor,
  shape: ReadonlyArray<number>,
  partitionable: boolean
): readonly [Tensor, Tensor] => {
  const n = shape.reduce((p, d) => p * d, 1)
  checkSize(2 * n, "bits")
  const [hi, lo] = compiledWhenEager(
    "bits64",
    `${shape}|${partitionable}`,
    2 * n,
    [key],
    ([k]) => hash64(k!, shape, partitionable)
  )
  return [hi!, lo!]
}

const hash64 = (key: Tensor, shape: ReadonlyArray<number>, partitionable: boolean): readonly [Tensor, Tensor] => {
  const n = shape.reduce((p, d) => p * d, 1)
  if (!partitionable) {
    const all = threefry2x32Counts(key, lax.iota("uint32", [2 * n], 0))
    return [
      lax.reshape(lax.slice(all, [0], [n], null), shape),
      lax.reshape(lax.slice(all, [n], [2 * n], null), shape)
    ]
  }
  const [k0, k1] = keyWords(key)
  const [hi, lo] = iota2x32(shape)
  return threefry2x32(k0, k1, hi, lo)
}

// ---------------------------------------------------------------------------
// one draw per key of a batch `[n, 2]` (the per-element loops of gamma)

const batchWords = (keys: Tensor): readonly [Tensor, Tensor] => {
  const n = keys.shape[0]!
  return [
    lax.reshape(lax.slice(keys, [0, 0], [n, 1], null), [n]),
    lax.reshape(lax.slice(keys, [0, 1], [n, 2], null), [n])
  ]
}

/**
 * `split(key_i, num)` for each key of `[n, 2]`: `[n, num, 2]`.
 *
 * @since 0.1.0
 */
export const splitBatch = (keys: Tensor, num: number, partitionable: boolean): Tensor => {
  const n = keys.shape[0]!
  const [k0, k1] = batchWords(keys)
  if (partitionable) {
    const [a, b] = threefry2x32(k0, k1, u32([n, num], 0), lax.iota("uint32", [n, num], 1))
    return lax.concatenate([lax.expandDims(a, [2]), lax.expandDims(b, [2])], 2)
  }
  // threefry_2x32(key, iota(2 num)): the halves of the counts are the two words.
  const x0 = lax.iota("uint32", [n, num], 1)
  const x1 = lax.add(x0, u32([n, num], num))
  const [a, b] = threefry2x32(k0, k1, x0, x1)
  return lax.reshape(lax.concatenate([a, b], 1), [n, num, 2])
}

/**
 * `bits(key_i, [])` (32 bits) for each key of `[n, 2]`: `[n]`.
 *
 * @since 0.1.0
 */
export const bits32Batch = (keys: Tensor, partitionable: boolean): Tensor => {
  const n = keys.shape[0]!
  const [k0, k1] = batchWords(keys)
  const [a, b] = threefry2x32(k0, k1, u32([n], 0), u32([n], 0))
  // legacy: threefry_2x32(key, [0]) pads the count to [0, 0] and keeps the first word
  return partitionable ? lax.xor(a, b) : a
}

/**
 * 64 bits `(hi, lo)` of `bits(key_i, [])` for each key of `[n, 2]`.
 *
 * @since 0.1.0
 */
export const bits64Batch = (keys: Tensor, partitionable: boolean): readonly [Tensor, Tensor] => {
  const n = keys.shape[0]!
  const [k0, k1] = batchWords(keys)
  return threefry2x32(k0, k1, u32([n], 0), u32([n], partitionable ? 0 : 1))
}
