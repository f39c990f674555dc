/**
 * Plane (Givens) rotations of the rows of a row-major matrix: the steps the QL sweeps of eigh and
 * the QR sweeps of the SVD apply to their vectors.
 *
 * The sweeps choose their rotations from the tridiagonal or bidiagonal alone, never from the
 * vectors, so a `RotationLog` records them and applies them later in WebAssembly SIMD
 * (wasmRotations.ts), two float64 values per instruction, over bands of columns copied into the
 * kernel's memory: every record runs over one band of the touched rows before the next band.
 * Each element still sees the operations on its row in their order, with the same arithmetic, so
 * the bits are those of applying each at once. The JS loop took about 4.6 cycles per element of a
 * rotation (eigh of 512 x 512: 360,000 rotations of 512-element rows, 180-210 ms of its QL
 * sweeps); the kernel takes half of that at 512 and a third at 1000, the copies included. Banding
 * the JS loop the same way gained nothing (the loop, not the cache, bounds it); the bands keep the
 * kernel's memory at about 256 KiB.
 */
import { RECORD_BYTES, rotationsKernel } from "./wasmRotations.js"

/** Rotates rows p and q of `x` (length-`len` rows): `(x_p, x_q) <- (c x_p + s x_q, c x_q - s x_p)`. */
export const rotateRows = (x: Float64Array, len: number, p: number, q: number, c: number, s: number): void => {
  const po = p * len
  const qo = q * len
  for (let t = 0; t < len; t++) {
    const y = x[po + t]!
    const z = x[qo + t]!
    x[po + t] = y * c + z * s
    x[qo + t] = z * c - y * s
  }
}

/**
 * Row operations recorded for one matrix (and its imaginary part, rotated alike), applied in order
 * when the log fills and at `flush`.
 */
export interface RotationLog {
  /** `rotateRows(x, len, p, q, c, s)`, later. */
  readonly rotate: (p: number, q: number, c: number, s: number) => void
  /** Row p negated, later. */
  readonly negate: (p: number) => void
  /** Applies what was recorded (the log is then empty). */
  readonly flush: () => void
}

/** The most operations a log holds before it applies them (`RECORD_BYTES` each: 1.5 MiB). */
const CAPACITY = 1 << 16
/** Matrices of fewer elements take each operation at once (a log costs more than it saves there). */
const LOG_MIN_ELEMENTS = 1 << 12
/** A band's elements (its columns times the rows): 256 KiB of float64. */
const BAND_ELEMENTS = 1 << 15

/**
 * A log over the row-major `x` (rows `len` long) and `xi`, sized for about `expected` operations;
 * a record whose q is -1 negates row p.
 */
export const rotationLog = (x: Float64Array, len: number, expected: number, xi?: Float64Array): RotationLog => {
  if (x.length < LOG_MIN_ELEMENTS) return immediate(x, len, xi)
  const capacity = Math.min(CAPACITY, Math.max(256, expected))
  const records = new ArrayBuffer(capacity * RECORD_BYTES)
  const rowsOf = new Int32Array(records)
  const values = new Float64Array(records)
  let count = 0
  // the rows the records touch
  let lo = Infinity
  let hi = -1
  const applyJs = (target: Float64Array): void => {
    for (let r = 0; r < count; r++) {
      const p = rowsOf[6 * r]!
      const q = rowsOf[6 * r + 1]!
      if (q >= 0) rotateRows(target, len, p, q, values[3 * r + 1]!, values[3 * r + 2]!)
      else for (let t = p * len; t < (p + 1) * len; t++) target[t] = -target[t]!
    }
  }
  // the records run over bands of the touched rows' columns copied into the kernel's memory
  const applyWasm = (target: Float64Array): boolean => {
    const rows = hi - lo + 1
    const band = Math.max(2, 2 * Math.floor(BAND_ELEMENTS / rows / 2))
    const recordBytes = count * RECORD_BYTES
    const at = Math.ceil(recordBytes / 16) * 16
    const width = Math.min(band, len + (len % 2))
    const kernel = rotationsKernel(at + rows * width * 8)
    if (kernel === null) return false
    new Uint8Array(kernel.buffer, 0, recordBytes).set(new Uint8Array(records, 0, recordBytes))
    for (let t0 = 0; t0 < len; t0 += band) {
      const w = Math.min(band, len - t0)
      // an odd last band gets a zero column (rotated zeros stay zero)
      const wp = w + (w % 2)
      const view = new Float64Array(kernel.buffer, at, rows * wp)
      for (let r = 0; r < rows; r++) {
        const from = (lo + r) * len + t0
        view.set(target.subarray(from, from + w), r * wp)
        if (wp > w) view[r * wp + w] = 0
      }
      // (row p's address is at + (p - lo) rowBytes: i32 arithmetic wraps, so a base below 0 is fine)
      kernel.run(0, count, at - lo * wp * 8, wp * 8, wp * 8)
      for (let r = 0; r < rows; r++) target.set(view.subarray(r * wp, r * wp + w), (lo + r) * len + t0)
    }
    return true
  }
  const flush = (): void => {
    if (count === 0) return
    if (!applyWasm(x)) applyJs(x)
    if (xi !== undefined && !applyWasm(xi)) applyJs(xi)
    count = 0
    lo = Infinity
    hi = -1
  }
  const push = (p: number, q: number, c: number, s: number): void => {
    if (count === capacity) flush()
    rowsOf[6 * count] = p
    rowsOf[6 * count + 1] = q
    values[3 * count + 1] = c
    values[3 * count + 2] = s
    count++
    lo = Math.min(lo, p, q < 0 ? p : q)
    hi = Math.max(hi, p, q)
  }
  return { rotate: push, negate: (p) => push(p, -1, 0, 0), flush }
}

/** The operations applied as they come. */
const immediate = (x: Float64Array, len: number, xi?: Float64Array): RotationLog => {
  const negate = (target: Float64Array, p: number): void => {
    for (let t = p * len; t < (p + 1) * len; t++) target[t] = -target[t]!
  }
  return {
    rotate: (p, q, c, s) => {
      rotateRows(x, len, p, q, c, s)
      if (xi !== undefined) rotateRows(xi, len, p, q, c, s)
    },
    negate: (p) => {
      negate(x, p)
      if (xi !== undefined) negate(xi, p)
    },
    flush: () => undefined
  }
}
