/**
 * `sort` (several operands ordered by the first `numKeys`, lexicographically,
 * stable) and `top_k` (the k largest along the last axis). Floats order as
 * JAX's sort: -0 equals 0, NaN after everything; complex numbers by real part,
 * then imaginary part.
 */
import { DType, Shape as ShapeNs } from "@diffect/core"
import { PooledScratch } from "./pooledScratch.js"
import { splitAtAxis } from "./strided.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

// JAX's float order: NaN last, -0 and 0 equal; a negative result when a < b.
const compareFloat = (a: number, b: number): number => {
  const an = Number.isNaN(a)
  const bn = Number.isNaN(b)
  if (an || bn) return an === bn ? 0 : an ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}

// Compares element i with element j of one key (both offsets into `data`, in elements).
const keyComparator = (data: HostArray, dtype: DType.DType): (i: number, j: number) => number => {
  if (DType.isComplex(dtype)) {
    return (i, j) => compareFloat(data[2 * i]!, data[2 * j]!) || compareFloat(data[2 * i + 1]!, data[2 * j + 1]!)
  }
  if (DType.isFloating(dtype)) return (i, j) => compareFloat(data[i]!, data[j]!)
  return (i, j) => data[i]! - data[j]!
}

// Rows at least this long sort by radix (below it, the histograms cost more than comparisons).
const RADIX_MIN = 64

// The radix sort's word arrays: one call's, reused row after row (pooledScratch.ts).
type Words = PooledScratch<"uint32">

/**
 * Pushes the unsigned words (most significant first) whose lexicographic order is JAX's order of
 * one key's elements `start, start + step, ...`: floats by their bits with the sign folded in
 * (negative: all bits flipped; otherwise the sign bit set), -0 as 0, every NaN as all ones (after
 * +inf); int32 with its sign bit flipped; complex numbers as their real then imaginary parts.
 */
const keyWords = (
  data: HostArray,
  dtype: DType.DType,
  n: number,
  start: number,
  step: number,
  words: Array<Uint32Array>,
  scratch: Words
): boolean => {
  // whether the words give back the values exactly (no NaN, whose payloads fold into one word,
  // and no -0, which folds into 0)
  let exact = true
  const floatWords = (lane: number, lanes: number, wide: boolean) => {
    // the float's bits, read through an unsigned view of the same memory
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length * (wide ? 2 : 1))
    const hi = scratch.take(n)
    const lo = wide ? scratch.take(n) : undefined
    for (let s = 0; s < n; s++) {
      const e = (start + s * step) * lanes + lane
      const v = data[e]!
      if (v !== v) {
        hi[s] = 0xffffffff
        if (lo !== undefined) lo[s] = 0xffffffff
        exact = false
        continue
      }
      if (v === 0 && 1 / v < 0) exact = false
      const h = v === 0 ? 0 : wide ? bits[2 * e + 1]! : bits[e]!
      const l = v === 0 || !wide ? 0 : bits[2 * e]!
      const negative = h >= 0x80000000
      hi[s] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0
      if (lo !== undefined) lo[s] = negative ? ~l >>> 0 : l
    }
    words.push(hi)
    if (lo !== undefined) words.push(lo)
  }
  switch (dtype) {
    case "float32":
    case "float64":
      floatWords(0, 1, dtype === "float64")
      return exact
    case "complex64":
    case "complex128":
      floatWords(0, 2, dtype === "complex128")
      floatWords(1, 2, dtype === "complex128")
      return exact
    default: {
      const w = scratch.take(n)
      const flip = dtype === "int32" ? 0x80000000 : 0
      for (let s = 0; s < n; s++) w[s] = (data[start + s * step]! ^ flip) >>> 0
      words.push(w)
      return true
    }
  }
}

/**
 * A sorted row of float32, int32 or uint32 keys written from their sorted words (which move with
 * the order): sequential writes instead of a gather of the values through the order, a random
 * read per element.
 */
const valuesFromWords = (word: Uint32Array, out: HostArray, dtype: DType.DType, first: number, n: number): void => {
  if (dtype === "int32") {
    for (let s = 0; s < n; s++) out[first + s] = (word[s]! ^ 0x80000000) | 0
  } else if (dtype === "uint32") {
    for (let s = 0; s < n; s++) out[first + s] = word[s]!
  } else {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length)
    for (let s = 0; s < n; s++) {
      const w = word[s]!
      bits[first + s] = w >= 0x80000000 ? (w ^ 0x80000000) >>> 0 : ~w >>> 0
    }
  }
}

/**
 * Radix digits: three passes of 11, 11 and 10 bits per 32-bit word, where bytes took four (the
 * same time on a 2^20-element float32 sort on the project's machine; a pass fewer of scattered
 * writes, and the histograms still fit L1).
 */
const DIGIT_BITS = 11
const DIGITS = 1 << DIGIT_BITS
const PASSES = 3

/**
 * The stable order of `n` elements by their key words (most significant first): a least
 * significant digit radix sort, 11 bits per pass, skipping the digits every element shares.
 * The words still to be read move with the order (sequential reads, scattered writes), in the
 * same loop as the order when only the current word is left to move. Stable passes keep equal
 * keys in their input order, as `Array.prototype.sort` does.
 */
const radixOrder = (
  keys: ReadonlyArray<Uint32Array>,
  n: number,
  scratch: Words,
  sortedWords?: Array<Uint32Array>
): Uint32Array => {
  let order = scratch.take(n)
  let nextOrder = scratch.take(n)
  for (let s = 0; s < n; s++) order[s] = s
  const words: Array<Uint32Array> = keys.slice()
  const spare: Array<Uint32Array> = keys.map(() => scratch.take(n))
  const to = keys.length > 1 ? scratch.take(n) : undefined
  const counts = new Uint32Array(PASSES * DIGITS)
  const mask = DIGITS - 1
  for (let w = words.length - 1; w >= 0; w--) {
    counts.fill(0)
    const word = words[w]!
    for (let s = 0; s < n; s++) {
      const v = word[s]!
      counts[v & mask]!++
      counts[DIGITS + ((v >>> DIGIT_BITS) & mask)]!++
      counts[2 * DIGITS + (v >>> (2 * DIGIT_BITS))]!++
    }
    for (let pass = 0; pass < PASSES; pass++) {
      const base = pass * DIGITS
      const shift = DIGIT_BITS * pass
      // a digit every element shares leaves the order as it is
      if (counts[base + ((words[w]![0]! >>> shift) & mask)] === n) continue
      let sum = 0
      for (let b = 0; b < DIGITS; b++) {
        const c = counts[base + b]!
        counts[base + b] = sum
        sum += c
      }
      const current = words[w]!
      const into = spare[w]!
      if (w === 0) {
        // the most significant word alone still moves: one loop places the order and the word
        for (let s = 0; s < n; s++) {
          const v = current[s]!
          const d = counts[base + ((v >>> shift) & mask)]!++
          nextOrder[d] = order[s]!
          into[d] = v
        }
      } else {
        // where each element goes; the order and every word still to be read (w and the more
        // significant ones) follow it
        for (let s = 0; s < n; s++) to![s] = counts[base + ((current[s]! >>> shift) & mask)]!++
        for (let s = 0; s < n; s++) nextOrder[to![s]!] = order[s]!
        for (let u = 0; u <= w; u++) {
          const from = words[u]!
          const dst = spare[u]!
          for (let s = 0; s < n; s++) dst[to![s]!] = from[s]!
        }
      }
      const swap = order
      order = nextOrder
      nextOrder = swap
      for (let u = 0; u <= w; u++) {
        const from = words[u]!
        words[u] = spare[u]!
        spare[u] = from
      }
    }
  }
  // the key words in sorted order (scratch, valid until the scratch is reused)
  if (sortedWords !== undefined) sortedWords.push(...words)
  return order
}

/** Sorts every operand along `dimension` by the first `numKeys` operands (stable). */
export const sort = (
  inputs: ReadonlyArray<HostArray>,
  dtypes: ReadonlyArray<DType.DType>,
  shape: Shape,
  dimension: number,
  numKeys: number
): Array<HostArray> => {
  const [outer, n, inner] = splitAtAxis(shape, dimension)
  const keys = inputs.slice(0, numKeys).map((x, k) => keyComparator(x, dtypes[k]!))
  const outs = inputs.map((_, k) => DType.allocHost(dtypes[k]!, outer * n * inner))
  const order = new Array<number>(n)
  const scratch: Words = new PooledScratch("uint32")
  // every operand's row in sorted order: a contiguous one-lane row copies element by element
  const place = (ordered: ArrayLike<number>, at: (s: number) => number, first: number, from = 0) => {
    inputs.forEach((x, k) => {
      if (k < from) return
      const out = outs[k]!
      const lanes = DType.lanes(dtypes[k]!)
      if (inner === 1 && lanes === 1) {
        for (let s = 0; s < n; s++) out[first + s] = x[first + ordered[s]!]!
        return
      }
      for (let s = 0; s < n; s++) {
        const src = at(ordered[s]!) * lanes
        const dst = at(s) * lanes
        for (let l = 0; l < lanes; l++) out[dst + l] = x[src + l]!
      }
    })
  }
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const at = (s: number) => (o * n + s) * inner + r
      if (n >= RADIX_MIN) {
        const words: Array<Uint32Array> = []
        let exact = true
        for (let k = 0; k < numKeys; k++) {
          const wordsOfKey = keyWords(inputs[k]!, dtypes[k]!, n, at(0), inner, words, scratch)
          if (k === 0) exact = wordsOfKey
        }
        // the first key from its sorted words where they give its values back (one word: float32
        // without NaN or -0, int32, uint32; contiguous rows), the rest through the order
        const fromWords = exact && inner === 1 &&
          (dtypes[0] === "float32" || dtypes[0] === "int32" || dtypes[0] === "uint32")
        const sorted: Array<Uint32Array> = []
        const ordered = radixOrder(words, n, scratch, sorted)
        if (fromWords) valuesFromWords(sorted[0]!, outs[0]!, dtypes[0]!, at(0), n)
        // placed straight from the scratch order (copying it into a JS array took a third of a
        // 2^20-element sort), before the scratch is reused
        place(ordered, at, at(0), fromWords ? 1 : 0)
        scratch.reuse()
      } else {
        for (let s = 0; s < n; s++) order[s] = s
        // Array.prototype.sort is stable: equal keys keep their order.
        order.sort((a, b) => {
          for (const cmp of keys) {
            const c = cmp(at(a), at(b))
            if (c !== 0) return c
          }
          return 0
        })
        place(order, at, at(0))
      }
    }
  }
  scratch.close()
  return outs
}

/**
 * `top_k` with k at most n / SELECT_RATIO keeps a heap of the k best instead of sorting the row:
 * n comparisons, most of them one word against the heap's worst (1024 rows of 1024, k = 10:
 * 35 ms by radix sorting each row).
 */
const SELECT_RATIO = 16

// Whether element a's words sort before element b's (ties: the lower index first, as the stable sort).
const before = (words: ReadonlyArray<Uint32Array>, a: number, b: number): boolean => {
  for (const w of words) {
    const x = w[a]!
    const y = w[b]!
    if (x !== y) return x < y
  }
  return a < b
}

/**
 * The indices of the k elements that sort first by `words` (lexicographic, ties by index), in
 * that order, into `order[0..k)`: a max-heap of the k best so far, its root the worst of them,
 * replaced by each element that sorts before it (elements come in index order, so an equal key
 * never does).
 */
const selectSmallest = (words: ReadonlyArray<Uint32Array>, n: number, k: number, order: Array<number>): void => {
  const heap = new Int32Array(k)
  const siftDown = (at: number, size: number): void => {
    for (;;) {
      const l = 2 * at + 1
      if (l >= size) return
      const r = l + 1
      const worse = r < size && before(words, heap[l]!, heap[r]!) ? r : l
      if (!before(words, heap[at]!, heap[worse]!)) return
      const t = heap[at]!
      heap[at] = heap[worse]!
      heap[worse] = t
      at = worse
    }
  }
  for (let s = 0; s < k; s++) heap[s] = s
  for (let at = (k >> 1) - 1; at >= 0; at--) siftDown(at, k)
  const first = words[0]!
  for (let s = k; s < n; s++) {
    const root = heap[0]!
    // one word decides almost always; only a tie on it needs the rest
    if (first[s]! > first[root]! || (first[s] === first[root] && !before(words, s, root))) continue
    heap[0] = s
    siftDown(0, k)
  }
  // heap order to sorted order: repeatedly move the worst to the end
  for (let size = k - 1; size > 0; size--) {
    const t = heap[0]!
    heap[0] = heap[size]!
    heap[size] = t
    siftDown(0, size)
  }
  for (let s = 0; s < k; s++) order[s] = heap[s]!
}

/** The `k` largest along the last axis, largest first (ties: the lower index first), and their int32 indices. */
export const topK = (x: HostArray, dtype: DType.DType, shape: Shape, k: number): [HostArray, HostArray] => {
  const n = shape[shape.length - 1]!
  const rows = ShapeNs.sizeOf(shape) / Math.max(n, 1)
  const cmp = keyComparator(x, dtype)
  const values = DType.allocHost(dtype, rows * k)
  const indices = DType.allocHost("int32", rows * k)
  const order = new Array<number>(n)
  const scratch: Words = new PooledScratch("uint32")
  for (let row = 0; row < (n === 0 ? 0 : rows); row++) {
    const base = row * n
    if (n >= RADIX_MIN) {
      // largest first: ascending order of the complemented words (stable: ties by index)
      const words: Array<Uint32Array> = []
      keyWords(x, dtype, n, base, 1, words, scratch)
      for (const w of words) for (let s = 0; s < n; s++) w[s] = ~w[s]! >>> 0
      if (k * SELECT_RATIO <= n) selectSmallest(words, n, k, order)
      else {
        const sorted = radixOrder(words, n, scratch)
        for (let s = 0; s < k; s++) order[s] = sorted[s]!
      }
      scratch.reuse()
    } else {
      for (let s = 0; s < n; s++) order[s] = s
      order.sort((a, b) => cmp(base + b, base + a))
    }
    for (let s = 0; s < k; s++) {
      values[row * k + s] = x[base + order[s]!]!
      indices[row * k + s] = order[s]!
    }
  }
  scratch.close()
  return [values, indices]
}
