/**
 * `dot_general`: operands are brought to `[batch, free, contract]` (lhs) and
 * `[batch, contract, free]` (rhs) by a transpose when not already laid out so,
 * then each batch runs a blocked i-k-j matrix product. The i-k-j order streams
 * rows of the rhs and the output, which V8 compiles to tight loops; four output
 * rows share each rhs load, and the contraction is blocked so that the rhs panel
 * stays in cache. Real products accumulate in float64.
 */
import { DType } from "@diffect/core"
import type { Shape as ShapeNs } from "@diffect/core"
import { isIdentityPermutation, transposeInto } from "./strided.js"

type HostArray = DType.HostArray
type Shape = ShapeNs.Shape

const product = (xs: ReadonlyArray<number>): number => {
  let n = 1
  for (const x of xs) n *= x
  return n
}

// Output columns per panel: four rows of f64 accumulators (16 KiB) stay in L1.
const N_BLOCK = 512

/**
 * `c[M, N] = a[M, K] @ b[K, N]` for one batch, real lanes, accumulating in f64
 * rows (`acc` has room for 4 * N_BLOCK values).
 */
const matmulReal = (
  a: HostArray,
  aOff: number,
  b: HostArray,
  bOff: number,
  c: HostArray,
  cOff: number,
  m: number,
  k: number,
  n: number,
  acc: Float64Array
): void => {
  for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
    const nb = Math.min(N_BLOCK, n - j0)
    let i = 0
    for (; i + 4 <= m; i += 4) {
      acc.fill(0, 0, 4 * nb)
      const a0 = aOff + i * k
      const a1 = a0 + k
      const a2 = a1 + k
      const a3 = a2 + k
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!
        const x1 = a[a1 + p]!
        const x2 = a[a2 + p]!
        const x3 = a[a3 + p]!
        const bRow = bOff + p * n + j0
        for (let j = 0; j < nb; j++) {
          const y = b[bRow + j]!
          acc[j]! += x0 * y
          acc[nb + j]! += x1 * y
          acc[2 * nb + j]! += x2 * y
          acc[3 * nb + j]! += x3 * y
        }
      }
      const c0 = cOff + i * n + j0
      for (let r = 0; r < 4; r++) {
        const cr = c0 + r * n
        const ar = r * nb
        for (let j = 0; j < nb; j++) c[cr + j] = acc[ar + j]!
      }
    }
    for (; i < m; i++) {
      acc.fill(0, 0, nb)
      const ai = aOff + i * k
      for (let p = 0; p < k; p++) {
        const x = a[ai + p]!
        const bRow = bOff + p * n + j0
        for (let j = 0; j < nb; j++) acc[j]! += x * b[bRow + j]!
      }
      const ci = cOff + i * n + j0
      for (let j = 0; j < nb; j++) c[ci + j] = acc[j]!
    }
  }
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

/**
 * `dot_general(lhs, rhs)`: output dims are batch, lhs free, rhs free.
 * Operands have one dtype (abstract evaluation promotes first).
 */
export const dotGeneral = (
  lhs: HostArray,
  lhsShape: Shape,
  rhs: HostArray,
  rhsShape: Shape,
  dtype: DType.DType,
  contracting: readonly [ReadonlyArray<number>, ReadonlyArray<number>],
  batch: readonly [ReadonlyArray<number>, ReadonlyArray<number>],
  outDType: DType.DType
): HostArray => {
  const [lc, rc] = contracting
  const [lb, rb] = batch
  const lFree = lhsShape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i))
  const rFree = rhsShape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i))
  const nb = product(lb.map((i) => lhsShape[i]!))
  const m = product(lFree.map((i) => lhsShape[i]!))
  const k = product(lc.map((i) => lhsShape[i]!))
  const n = product(rFree.map((i) => rhsShape[i]!))
  const lanes = DType.lanes(dtype)
  const out = DType.allocHost(outDType, nb * m * n)
  if (lanes === 0 || out.length === 0) return out
  const lPerm = [...lb, ...lFree, ...lc]
  const rPerm = [...rb, ...rc, ...rFree]
  const a = isIdentityPermutation(lPerm)
    ? lhs
    : transposeInto(lhs, lhsShape, lPerm, DType.allocHost(dtype, nb * m * k), lanes)
  const b = isIdentityPermutation(rPerm)
    ? rhs
    : transposeInto(rhs, rhsShape, rPerm, DType.allocHost(dtype, nb * k * n), lanes)
  const acc = lanes === 1 && (dtype === "float32" || dtype === "float64")
    ? new Float64Array(4 * Math.min(n, N_BLOCK))
    : undefined
  for (let s = 0; s < nb; s++) {
    const aOff = s * m * k
    const bOff = s * k * n
    const cOff = s * m * n
    if (acc !== undefined) matmulReal(a, aOff, b, bOff, out, cOff, m, k, n, acc)
    else if (lanes === 2) matmulComplex(a, aOff, b, bOff, out, cOff, m, k, n)
    else matmulInt(dtype === "bool", a, aOff, b, bOff, out, cOff, m, k, n)
  }
  return out
}
