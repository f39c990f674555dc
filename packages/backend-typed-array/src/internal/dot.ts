/**
 * `dot_general`: operands are viewed as `[batch, free, contract]` (lhs) and
 * `[batch, contract, free]` (rhs), through strides when each group of dimensions
 * is evenly strided (a transpose copy otherwise), then each batch runs a register-blocked matrix product on packed panels (see
 * `matmulReal`, and `wasmGemm.ts` for float32 in WebAssembly SIMD). Real products accumulate in float64.
 */
import { DType, Shape as ShapeNs } from "@diffect/core"
import type { Precision } from "@diffect/core"
import { keptScratch } from "./keptScratch.js"
import { isIdentityPermutation, transposeInto } from "./strided.js"
import type { Pool } from "./threads.js"
import { gemmF32, type GemmKept } from "./wasmGemm.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

/** A matrix operand: element (r, c) of batch s is `data[s * batchStride + r * rowStride + c * colStride]`. */
interface Operand {
  readonly data: HostArray
  readonly batchStride: number
  readonly rowStride: number
  readonly colStride: number
}

/**
 * Strides of the `[batch, rows, cols]` view of an operand of shape `shape` whose
 * groups of dimensions are `groups`, or `undefined` when a group's dimensions are
 * not evenly strided (then the operand is transposed first).
 */
const groupedView = (
  data: HostArray,
  shape: Shape,
  groups: readonly [ReadonlyArray<number>, ReadonlyArray<number>, ReadonlyArray<number>]
): Operand | undefined => {
  const strides = ShapeNs.stridesOf(shape)
  const out: Array<number> = []
  for (const group of groups) {
    // size-1 dimensions have no effective stride
    const dims = group.filter((d) => shape[d] !== 1)
    for (let i = 0; i + 1 < dims.length; i++) {
      if (strides[dims[i]!] !== strides[dims[i + 1]!]! * shape[dims[i + 1]!]!) return undefined
    }
    out.push(dims.length === 0 ? 0 : strides[dims[dims.length - 1]!]!)
  }
  return { data, batchStride: out[0]!, rowStride: out[1]!, colStride: out[2]! }
}

// Cache blocking: a KC x NC panel of the rhs (256 x 256 f64 = 512 KiB) is packed once and
// reused by every group of 4 lhs rows; partial sums over K blocks add up in `acc`.
const KC = 256
const NC = 256

/**
 * float32 products with at least this many multiply-adds (m * k * n) run in the
 * WebAssembly SIMD kernel (`wasmGemm.ts`, also accumulating in float64) where it
 * is available; smaller ones (where the two are within a few microseconds), and
 * float64, stay on the JS kernel below. Large ones split across the backend's
 * thread pool by row groups (bit-identical for any number of threads).
 */
export const WASM_MIN_WORK = 512

/**
 * `c[M, N] = a[M, K] @ b[K, N]` for one batch, real lanes. The operands are read
 * through strides, so a transposed operand (`x @ w.T`, common in gradients) costs
 * no copy: packing reads it in place. Each KC x NC block of the rhs is packed
 * into panels of 4 columns (`bp`, k-major, zero-padded) and each group of 4 lhs
 * rows into `ap`, so the micro-kernel keeps a 4x4 block of the output in 16 f64
 * locals (registers) and reads 8 values per 16 multiply-adds, sequentially.
 * Sums accumulate in float64 (`acc`, M x N) and are stored (rounded) at the end.
 */
const matmulReal = (
  a: Operand,
  aOff: number,
  b: Operand,
  bOff: number,
  c: HostArray,
  cOff: number,
  m: number,
  k: number,
  n: number,
  ap: Float64Array,
  bp: Float64Array,
  acc: Float64Array
): void => {
  acc.fill(0)
  const ad = a.data
  const am = a.rowStride
  const ak = a.colStride
  const bd = b.data
  const bk = b.rowStride
  const bn = b.colStride
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc)
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc)
      const n4 = (nc + 3) >> 2
      for (let jb = 0; jb < n4; jb++) {
        const width = Math.min(4, nc - jb * 4)
        for (let t = 0; t < 4; t++) {
          const src = bOff + pc * bk + (jc + jb * 4 + t) * bn
          const o = jb * kc * 4 + t
          if (t < width) {
            for (let p = 0; p < kc; p++) bp[o + p * 4] = bd[src + p * bk]!
          } else {
            for (let p = 0; p < kc; p++) bp[o + p * 4] = 0
          }
        }
      }
      for (let i0 = 0; i0 < m; i0 += 4) {
        const height = Math.min(4, m - i0)
        for (let t = 0; t < 4; t++) {
          const src = aOff + (i0 + t) * am + pc * ak
          if (t < height) {
            for (let p = 0; p < kc; p++) ap[p * 4 + t] = ad[src + p * ak]!
          } else {
            for (let p = 0; p < kc; p++) ap[p * 4 + t] = 0
          }
        }
        for (let jb = 0; jb < n4; jb++) {
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0
          let bo = jb * kc * 4
          const end = kc * 4
          for (let ao = 0; ao < end; ao += 4, bo += 4) {
            const a0 = ap[ao]!, a1 = ap[ao + 1]!, a2 = ap[ao + 2]!, a3 = ap[ao + 3]!
            const b0 = bp[bo]!, b1 = bp[bo + 1]!, b2 = bp[bo + 2]!, b3 = bp[bo + 3]!
            c00 += a0 * b0
            c01 += a0 * b1
            c02 += a0 * b2
            c03 += a0 * b3
            c10 += a1 * b0
            c11 += a1 * b1
            c12 += a1 * b2
            c13 += a1 * b3
            c20 += a2 * b0
            c21 += a2 * b1
            c22 += a2 * b2
            c23 += a2 * b3
            c30 += a3 * b0
            c31 += a3 * b1
            c32 += a3 * b2
            c33 += a3 * b3
          }
          const j0 = jc + jb * 4
          let o = i0 * n + j0
          if (height === 4 && j0 + 4 <= n) {
            acc[o]! += c00
            acc[o + 1]! += c01
            acc[o + 2]! += c02
            acc[o + 3]! += c03
            o += n
            acc[o]! += c10
            acc[o + 1]! += c11
            acc[o + 2]! += c12
            acc[o + 3]! += c13
            o += n
            acc[o]! += c20
            acc[o + 1]! += c21
            acc[o + 2]! += c22
            acc[o + 3]! += c23
            o += n
            acc[o]! += c30
            acc[o + 1]! += c31
            acc[o + 2]! += c32
            acc[o + 3]! += c33
          } else {
            const w = Math.min(4, n - j0)
            const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33]
            for (let r = 0; r < height; r++) for (let t = 0; t < w; t++) acc[o + r * n + t]! += block[r * 4 + t]!
          }
        }
      }
    }
  }
  c.set(acc, cOff)
}

/** int32 (wrapping) and bool (or of ands) products: the plain i-k-j loop. */
const matmulInt = (
  isBool: boolean,
  a: HostArray,
  aOff: number,
  b: HostArray,
  bOff: number,
  c: HostArray,
  cOff: number,
  m: number,
  k: number,
  n: number
): void => {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n
    for (let p = 0; p < k; p++) {
      const x = a[aOff + i * k + p]!
      const bRow = bOff + p * n
      if (isBool) {
        if (x !== 0) { for (let j = 0; j < n; j++) c[ci + j]! |= b[bRow + j]! }
      } else {
        for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j]! + Math.imul(x, b[bRow + j]!)) | 0
      }
    }
  }
}

/** Complex product on interleaved data, accumulating in f64. */
const matmulComplex = (
  a: HostArray,
  aOff: number,
  b: HostArray,
  bOff: number,
  c: HostArray,
  cOff: number,
  m: number,
  k: number,
  n: number
): void => {
  const acc = new Float64Array(2 * n)
  for (let i = 0; i < m; i++) {
    acc.fill(0)
    for (let p = 0; p < k; p++) {
      const ai = 2 * (aOff + i * k + p)
      const xr = a[ai]!
      const xi = a[ai + 1]!
      const bRow = 2 * (bOff + p * n)
      for (let j = 0; j < n; j++) {
        const yr = b[bRow + 2 * j]!
        const yi = b[bRow + 2 * j + 1]!
        acc[2 * j]! += xr * yr - xi * yi
        acc[2 * j + 1]! += xr * yi + xi * yr
      }
    }
    c.set(acc, 2 * (cOff + i * n))
  }
}

/** The typed array class of a dtype's host arrays (without allocating one to ask). */
const hostArrayOf = (d: DType.DType): Function =>
  d === "float32" ? Float32Array : d === "float64" ? Float64Array : DType.allocHost(d, 0).constructor

/** The JS kernel's packed panels and float64 accumulators (kept: see keptScratch.ts). */
const scratchOf = keptScratch((size) => new Float64Array(size))

/** A contiguous `[batch, rows, cols]` operand. */
const canonical = (data: HostArray, rows: number, cols: number): Operand => ({
  data,
  batchStride: rows * cols,
  rowStride: cols,
  colStride: 1
})

/**
 * `dot_general(lhs, rhs)`: output dims are batch, lhs free, rhs free.
 * Operands have one dtype (abstract evaluation promotes first). With `kept`, a
 * product of one batch may leave its result in the kernel's memory instead
 * (`GemmKept`: then the returned array is not written).
 */
export const dotGeneral = (
  lhs: HostArray,
  lhsShape: Shape,
  rhs: HostArray,
  rhsShape: Shape,
  dtype: DType.DType,
  contracting: readonly [ReadonlyArray<number>, ReadonlyArray<number>],
  batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>],
  outDType: DType.DType,
  precision: Precision = "default",
  pool?: Pool,
  into?: HostArray,
  kept?: GemmKept
): HostArray => {
  const [lc, rc] = contracting
  const [lb, rb] = batch
  const lFree = lhsShape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i))
  const rFree = rhsShape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i))
  const nb = ShapeNs.sizeOf(lb.map((i) => lhsShape[i]!))
  const m = ShapeNs.sizeOf(lFree.map((i) => lhsShape[i]!))
  const k = ShapeNs.sizeOf(lc.map((i) => lhsShape[i]!))
  const n = ShapeNs.sizeOf(rFree.map((i) => rhsShape[i]!))
  const lanes = DType.lanes(dtype)
  const real = lanes === 1 && (dtype === "float32" || dtype === "float64")
  // a given array (an arena's) is overwritten whole by the real paths, so their fresh output need
  // not be cleared; the others accumulate into zeros
  const out = real && into !== undefined && into.length === nb * m * n && into.constructor === hostArrayOf(outDType)
    ? into
    : real
    ? DType.allocHostUnfilled(outDType, nb * m * n)
    : DType.allocHost(outDType, nb * m * n)
  if (lanes === 0 || out.length === 0) return out
  if (real) {
    const lhsGroups = [lb, lFree, lc] as const
    const rhsGroups = [rb, rc, rFree] as const
    const a = groupedView(lhs, lhsShape, lhsGroups) ??
      canonical(transposeInto(lhs, lhsShape, lhsGroups.flat(), DType.allocHost(dtype, nb * m * k), 1), m, k)
    const b = groupedView(rhs, rhsShape, rhsGroups) ??
      canonical(transposeInto(rhs, rhsShape, rhsGroups.flat(), DType.allocHost(dtype, nb * k * n), 1), k, n)
    // batches done in WebAssembly (all of them, unless it is unavailable or the product too large)
    let done = 0
    const f32 = dtype === "float32" && outDType === "float32" && a.data instanceof Float32Array &&
      b.data instanceof Float32Array && out instanceof Float32Array
    // float64 products run the f64x2 tile too (the same float64 accumulation as the JS kernel)
    const f64 = dtype === "float64" && outDType === "float64" && a.data instanceof Float64Array &&
      b.data instanceof Float64Array && out instanceof Float64Array
    if ((f32 || f64) && m * k * n >= WASM_MIN_WORK) {
      const [ad, bd] = [a.data as Float32Array | Float64Array, b.data as Float32Array | Float64Array]
      const wasmBatch = (s: number): boolean =>
        gemmF32(
          ad,
          s * a.batchStride,
          a.rowStride,
          a.colStride,
          bd,
          s * b.batchStride,
          b.rowStride,
          b.colStride,
          out as Float32Array | Float64Array,
          s * m * n,
          m,
          k,
          n,
          precision === "highest" || f64 ? "f64" : "f32",
          pool,
          undefined,
          nb === 1 ? kept : undefined
        )
      while (done < nb && wasmBatch(done)) done++
    }
    if (done === nb) return out
    const kc = Math.min(k, KC)
    const apLen = 4 * kc
    const bpLen = 4 * ((Math.min(n, NC) + 3) >> 2) * kc
    const work = scratchOf(apLen + bpLen + m * n)
    const ap = work.subarray(0, apLen)
    const bp = work.subarray(apLen, apLen + bpLen)
    const acc = work.subarray(apLen + bpLen, apLen + bpLen + m * n)
    for (let s = done; s < nb; s++) {
      matmulReal(a, s * a.batchStride, b, s * b.batchStride, out, s * m * n, m, k, n, ap, bp, acc)
    }
    return out
  }
  const lPerm = [...lb, ...lFree, ...lc]
  const rPerm = [...rb, ...rc, ...rFree]
  const a = isIdentityPermutation(lPerm)
    ? lhs
    : transposeInto(lhs, lhsShape, lPerm, DType.allocHost(dtype, nb * m * k), lanes)
  const b = isIdentityPermutation(rPerm)
    ? rhs
    : transposeInto(rhs, rhsShape, rPerm, DType.allocHost(dtype, nb * k * n), lanes)
  for (let s = 0; s < nb; s++) {
    const aOff = s * m * k
    const bOff = s * k * n
    const cOff = s * m * n
    if (lanes === 2) matmulComplex(a, aOff, b, bOff, out, cOff, m, k, n)
    else matmulInt(dtype === "bool", a, aOff, b, bOff, out, cOff, m, k, n)
  }
  return out
}
