/**
 * Reductions (sum, max, min, prod over any axes), argmax/argmin and the
 * cumulative reductions (sum, prod, max, min, logsumexp).
 *
 * Accumulators are JS numbers (f64), so float32 data is summed in float64; sums
 * of float64 rows are pairwise, so their error grows like log(n), not n.
 * `max`/`min` propagate NaN (`lax.max`); complex values compare
 * lexicographically (real part, then imaginary part), as in NumPy.
 */
import { DType, Shape as ShapeNs } from "@diffect/core"
import { keptScratch } from "./keptScratch.js"
import { isIdentityPermutation, splitAtAxis, transposeInto } from "./strided.js"
import { argRowsF32, foldRowsF32 } from "./wasmRows.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

/** Which reduction. */
export type ReduceKind = "sum" | "max" | "min" | "prod"

/**
 * The fewest elements whose float32 row max, min, argmax or argmin runs in SIMD (wasmRows.ts)
 * rather than JS (the copy into the kernel's memory and the call cost about as much as a JS scan
 * of a few thousand values).
 */
const ROWS_SIMD_MIN = 4096

/** Pairwise summation's leaves: runs of at most this many values are summed directly. */
export const PAIRWISE_LEAF = 256

/**
 * Pairwise summation of `n` values of `x` from `start`, `stride` apart: halves
 * until a run has at most `PAIRWISE_LEAF` values, summed by `leafSum`. Fused
 * reduction roots (fused.ts) follow the same tree, so they give the same bits.
 */
export const pairwiseSum = (x: ArrayLike<number>, start: number, n: number, stride: number): number => {
  if (n <= PAIRWISE_LEAF) return leafSum(x, start, n, stride)
  const half = n >> 1
  return pairwiseSum(x, start, half, stride) + pairwiseSum(x, start + half * stride, n - half, stride)
}

/** A leaf of the pairwise sum: four interleaved accumulators (independent additions pipeline). */
export const leafSum = (x: ArrayLike<number>, start: number, n: number, stride: number): number => {
  let a0 = 0
  let a1 = 0
  let a2 = 0
  let a3 = 0
  const step = 4 * stride
  const end4 = start + (n & ~3) * stride
  let i = start
  for (; i < end4; i += step) {
    a0 += x[i]!
    a1 += x[i + stride]!
    a2 += x[i + 2 * stride]!
    a3 += x[i + 3 * stride]!
  }
  const end = start + n * stride
  for (; i < end; i += stride) a0 += x[i]!
  return (a0 + a1) + (a2 + a3)
}

const initial = (kind: ReduceKind, dtype: DType.DType): number => {
  switch (kind) {
    case "sum":
      return 0
    case "prod":
      return 1
    case "max":
      return dtype === "int32" ? -2147483648 : dtype === "bool" || dtype === "uint32" ? 0 : -Infinity
    case "min":
      return dtype === "int32" ? 2147483647 : dtype === "uint32" ? 4294967295 : dtype === "bool" ? 1 : Infinity
  }
}

/** Whether complex (a, b) should replace the running (c, d) under `kind` (lexicographic); NaN wins. */
export const complexBeats = (kind: "max" | "min", a: number, b: number, c: number, d: number): boolean => {
  if (c !== c || d !== d) return false
  if (a !== a || b !== b) return true
  return kind === "max" ? a > c || (a === c && b > d) : a < c || (a === c && b < d)
}

/** `Math.max` (`Math.min`) of `x[base .. base + k)` folded from `init` (NaN propagates). */
const foldExtreme = (kind: "max" | "min", x: HostArray, base: number, k: number, init: number): number => {
  let acc = init
  const end = base + k
  if (kind === "max") { for (let i = base; i < end; i++) acc = Math.max(acc, x[i]!) }
  else for (let i = base; i < end; i++) acc = Math.min(acc, x[i]!)
  return acc
}

/** Reduces each contiguous row of `k` elements of `x` (rows of `lanes` lanes) into `out`. */
const reduceRows = (
  kind: ReduceKind,
  dtype: DType.DType,
  x: HostArray,
  rows: number,
  k: number,
  lanes: number,
  out: HostArray
): void => {
  const isInt = DType.isInteger(dtype)
  const init = initial(kind, dtype)
  const outBool = out instanceof Uint8Array
  // float32 max and min in SIMD (wasmRows.ts: exact, so the same values) where the copy pays off
  if (
    (kind === "max" || kind === "min") && lanes === 1 && x instanceof Float32Array && k >= 8 &&
    rows * k >= ROWS_SIMD_MIN && (out instanceof Float32Array || out instanceof Float64Array) &&
    foldRowsF32(kind, x, rows, k, out, (r) => foldExtreme(kind, x, r * k, k, init))
  ) return
  for (let r = 0; r < rows; r++) {
    const base = r * k * lanes
    if (lanes === 2) {
      let re: number
      let im: number
      if (kind === "sum") {
        re = pairwiseSum(x, base, k, 2)
        im = pairwiseSum(x, base + 1, k, 2)
      } else if (kind === "prod") {
        re = 1
        im = 0
        for (let i = 0; i < k; i++) {
          const a = x[base + 2 * i]!
          const b = x[base + 2 * i + 1]!
          const t = re * a - im * b
          im = re * b + im * a
          re = t
        }
      } else {
        re = init
        im = 0
        for (let i = 0; i < k; i++) {
          const a = x[base + 2 * i]!
          const b = x[base + 2 * i + 1]!
          if (i === 0 || complexBeats(kind, a, b, re, im)) {
            re = a
            im = b
          }
        }
      }
      out[2 * r] = re
      out[2 * r + 1] = im
      continue
    }
    let acc = init
    const end = base + k
    switch (kind) {
      case "sum":
        if (isInt) { for (let i = base; i < end; i++) acc = (acc + x[i]!) | 0 }
        else acc = pairwiseSum(x, base, k, 1)
        break
      case "prod":
        if (isInt) { for (let i = base; i < end; i++) acc = Math.imul(acc, x[i]!) }
        else for (let i = base; i < end; i++) acc *= x[i]!
        break
      case "max":
      case "min":
        acc = foldExtreme(kind, x, base, k, init)
        break
    }
    out[r] = outBool ? (acc !== 0 ? 1 : 0) : acc
  }
}

/** The column accumulators (kept: see keptScratch.ts). */
const columnScratch = keptScratch((size) => new Float64Array(size))

/** Reduces over leading rows: `out[j] = op over r of x[r * cols + j]` (real dtypes, or complex sums). */
const reduceColumns = (
  kind: ReduceKind,
  dtype: DType.DType,
  x: HostArray,
  k: number,
  cols: number,
  out: HostArray
): void => {
  const acc = columnScratch(cols).fill(initial(kind, dtype))
  const isInt = DType.isInteger(dtype)
  for (let r = 0; r < k; r++) {
    const base = r * cols
    switch (kind) {
      case "sum":
        if (isInt) { for (let j = 0; j < cols; j++) acc[j] = (acc[j]! + x[base + j]!) | 0 }
        else for (let j = 0; j < cols; j++) acc[j]! += x[base + j]!
        break
      case "prod":
        if (isInt) { for (let j = 0; j < cols; j++) acc[j] = Math.imul(acc[j]!, x[base + j]!) }
        else for (let j = 0; j < cols; j++) acc[j]! *= x[base + j]!
        break
      case "max":
        for (let j = 0; j < cols; j++) acc[j] = Math.max(acc[j]!, x[base + j]!)
        break
      case "min":
        for (let j = 0; j < cols; j++) acc[j] = Math.min(acc[j]!, x[base + j]!)
        break
    }
  }
  if (out instanceof Uint8Array) { for (let j = 0; j < cols; j++) out[j] = acc[j] !== 0 ? 1 : 0 }
  else out.set(acc)
}

/**
 * `reduce_<kind>(x, axes)`: `x` of shape `shape` and dtype `dtype`, result in a
 * new array of `outDType` (a sum of bools may count into int32).
 */
export const reduce = (
  kind: ReduceKind,
  x: HostArray,
  shape: Shape,
  dtype: DType.DType,
  axes: ReadonlyArray<number>,
  outDType: DType.DType
): HostArray => {
  const reduced = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)))
  const kept: Array<number> = []
  const red: Array<number> = []
  for (let a = 0; a < shape.length; a++) (reduced.has(a) ? red : kept).push(a)
  const rows = ShapeNs.sizeOf(kept.map((a) => shape[a]!))
  const k = ShapeNs.sizeOf(red.map((a) => shape[a]!))
  const out = DType.allocHost(outDType, rows)
  const lanes = DType.lanes(dtype)
  if (lanes === 0) return out
  const rowPerm = [...kept, ...red]
  if (isIdentityPermutation(rowPerm)) {
    reduceRows(kind, dtype, x, rows, k, lanes, out)
    return out
  }
  // Reducing leading axes: accumulate whole rows, no transpose (complex only for sums,
  // whose lanes add independently).
  if (isIdentityPermutation([...red, ...kept]) && (lanes === 1 || kind === "sum")) {
    reduceColumns(kind, dtype, x, k, rows * lanes, out)
    return out
  }
  const t = transposeInto(x, shape, rowPerm, DType.allocHost(dtype, rows * k), lanes)
  reduceRows(kind, dtype, t, rows, k, lanes, out)
  return out
}

// The first maximum (minimum) of `x[base .. base + n)`, or its first NaN.
const argMaxRow = (x: HostArray, base: number, n: number): number => {
  let b = x[base]!
  if (b !== b) return 0
  let at = 0
  for (let a = 1; a < n; a++) {
    const v = x[base + a]!
    if (v > b) {
      b = v
      at = a
    } else if (v !== v) return a
  }
  return at
}
const argMinRow = (x: HostArray, base: number, n: number): number => {
  let b = x[base]!
  if (b !== b) return 0
  let at = 0
  for (let a = 1; a < n; a++) {
    const v = x[base + a]!
    if (v < b) {
      b = v
      at = a
    } else if (v !== v) return a
  }
  return at
}

/**
 * Index of the first maximum (`isMax`) or minimum along `axis`, as int32. A NaN
 * counts as the extreme (NumPy: the first NaN's index).
 */
export const argReduce = (
  isMax: boolean,
  x: HostArray,
  shape: Shape,
  dtype: DType.DType,
  axis: number
): Int32Array => {
  const [outer, n, inner] = splitAtAxis(shape, axis)
  const out = new Int32Array(outer * inner)
  const lanes = DType.lanes(dtype)
  if (n === 0 || lanes === 0) return out
  if (inner === 1 && lanes === 1) {
    // along contiguous rows: the running extreme in a local, stopping at the first NaN
    const row = (o: number): number => (isMax ? argMaxRow(x, o * n, n) : argMinRow(x, o * n, n))
    // float32 rows in SIMD (the same indices) where the copy into the kernel's memory pays off
    if (x instanceof Float32Array && n >= 8 && outer * n >= ROWS_SIMD_MIN && argRowsF32(isMax, x, outer, n, out, row)) {
      return out
    }
    for (let o = 0; o < outer; o++) out[o] = row(o)
    return out
  }
  const best = new Float64Array(inner * lanes)
  for (let o = 0; o < outer; o++) {
    const ob = o * inner
    for (let a = 0; a < n; a++) {
      const base = (ob * n + a * inner) * lanes
      for (let r = 0; r < inner; r++) {
        if (lanes === 1) {
          const v = x[base + r]!
          const b = best[r]!
          if (a === 0 || (b === b && (v !== v || (isMax ? v > b : v < b)))) {
            best[r] = v
            out[ob + r] = a
          }
        } else {
          const va = x[base + 2 * r]!
          const vb = x[base + 2 * r + 1]!
          if (a === 0 || complexBeats(isMax ? "max" : "min", va, vb, best[2 * r]!, best[2 * r + 1]!)) {
            best[2 * r] = va
            best[2 * r + 1] = vb
            out[ob + r] = a
          }
        }
      }
    }
  }
  return out
}

/** Inclusive cumulative sum along `axis` (from the end when `reverse`), into `outDType`. */
export const cumsum = (
  x: HostArray,
  shape: Shape,
  dtype: DType.DType,
  axis: number,
  reverse: boolean,
  outDType: DType.DType
): HostArray => {
  const [outer, n, after] = splitAtAxis(shape, axis)
  const lanes = DType.lanes(dtype)
  const inner = after * lanes
  const out = DType.allocHost(outDType, outer * n * after)
  if (lanes === 0) return out
  const isInt = DType.isInteger(dtype) || DType.isInteger(outDType)
  const outBool = outDType === "bool"
  if (inner === 1 && !outBool) {
    // along contiguous rows: the running sum in a local (the same additions in the same order)
    for (let o = 0; o < outer; o++) {
      const base = o * n
      let acc = 0
      if (reverse) {
        for (let i = base + n - 1; i >= base; i--) out[i] = acc = isInt ? (acc + x[i]!) | 0 : acc + x[i]!
      } else {
        for (let i = base; i < base + n; i++) out[i] = acc = isInt ? (acc + x[i]!) | 0 : acc + x[i]!
      }
    }
    return out
  }
  const acc = new Float64Array(inner)
  for (let o = 0; o < outer; o++) {
    acc.fill(0)
    for (let s = 0; s < n; s++) {
      const a = reverse ? n - 1 - s : s
      const base = (o * n + a) * inner
      for (let r = 0; r < inner; r++) {
        const v = isInt ? (acc[r]! + x[base + r]!) | 0 : acc[r]! + x[base + r]!
        acc[r] = v
        out[base + r] = outBool ? (v !== 0 ? 1 : 0) : v
      }
    }
  }
  return out
}

/** Which cumulative reduction. */
export type ScanKind = "sum" | "prod" | "max" | "min" | "logsumexp"

// log(e^a + e^b) without overflow; equal infinities give themselves.
const logaddexp = (a: number, b: number): number => {
  const m = a > b ? a : b
  if (m === -Infinity || m === Infinity || Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? a : m
  return m + Math.log1p(Math.exp(-Math.abs(a - b)))
}

const realCombine = (kind: ScanKind, isInt: boolean): (a: number, b: number) => number => {
  switch (kind) {
    case "sum":
      return isInt ? (a, b) => (a + b) | 0 : (a, b) => a + b
    case "prod":
      return isInt ? Math.imul : (a, b) => a * b
    case "max":
      return (a, b) => (Number.isNaN(a) || a > b ? a : b)
    case "min":
      return (a, b) => (Number.isNaN(a) || a < b ? a : b)
    case "logsumexp":
      return logaddexp
  }
}

/**
 * Inclusive cumulative `kind` along `axis` (from the end when `reverse`): the
 * first element is kept, each next one combined with the running value (JS
 * numbers, so float32 runs in float64 and rounds once per output).
 */
export const scan = (
  kind: ScanKind,
  x: HostArray,
  shape: Shape,
  dtype: DType.DType,
  axis: number,
  reverse: boolean
): HostArray => {
  if (kind === "sum") return cumsum(x, shape, dtype, axis, reverse, dtype)
  const [outer, n, after] = splitAtAxis(shape, axis)
  const complex = DType.isComplex(dtype)
  const inner = after * DType.lanes(dtype)
  const out = DType.allocHost(dtype, outer * n * after)
  const isInt = DType.isInteger(dtype)
  const bool = dtype === "bool"
  const combine = bool
    ? kind === "min" || kind === "prod" ? (a: number, b: number) => a & b : (a: number, b: number) => a | b
    : realCombine(kind, isInt)
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < n; s++) {
      const a = reverse ? n - 1 - s : s
      const base = (o * n + a) * inner
      const prev = (o * n + (reverse ? a + 1 : a - 1)) * inner
      if (s === 0) {
        for (let r = 0; r < inner; r++) out[base + r] = x[base + r]!
      } else if (complex && (kind === "max" || kind === "min")) {
        // lexicographic, keeping the whole running element unless the new one beats it
        for (let r = 0; r < inner; r += 2) {
          const take = complexBeats(kind, x[base + r]!, x[base + r + 1]!, out[prev + r]!, out[prev + r + 1]!)
          out[base + r] = take ? x[base + r]! : out[prev + r]!
          out[base + r + 1] = take ? x[base + r + 1]! : out[prev + r + 1]!
        }
      } else if (complex) {
        // prod (logsumexp refuses complex numbers)
        for (let r = 0; r < inner; r += 2) {
          const pr = out[prev + r]!
          const pi = out[prev + r + 1]!
          const xr = x[base + r]!
          const xi = x[base + r + 1]!
          out[base + r] = pr * xr - pi * xi
          out[base + r + 1] = pr * xi + pi * xr
        }
      } else {
        for (let r = 0; r < inner; r++) out[base + r] = combine(out[prev + r]!, x[base + r]!)
      }
    }
  }
  return out
}
