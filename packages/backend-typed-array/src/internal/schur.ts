/**
 * The Schur decomposition on the CPU (JAX's `schur` primitive, LAPACK gees's
 * outputs, unsorted): `A = Z T Z^H` with `Z` unitary. Real input gives the real
 * Schur form (./realSchur.ts: `T` quasi-triangular, 2x2 blocks for
 * complex-conjugate pairs, `Z` orthogonal); complex input the complex one
 * (./complexSchur.ts: `T` triangular). Both start from the same Householder
 * Hessenberg reduction, in float64 whatever the dtype. A matrix with
 * non-finite entries, or an iteration that does not converge, gives NaN.
 */
import { DType, Shape } from "@diffect/core"
import type { AbstractValue, Params } from "@diffect/core"
import { complexSchurIterate, reduceToHessenberg } from "./complexSchur.js"
import { realSchurIterate, reduceToHessenbergReal } from "./realSchur.js"
import { scaleInPlace } from "./safeScale.js"

type HostArray = DType.HostArray

export const schur = (
  x: HostArray,
  xa: AbstractValue,
  { computeSchurVectors }: Params<"schur">,
  outs: ReadonlyArray<AbstractValue>
): ReadonlyArray<HostArray> => {
  const n = xa.shape.at(-1)!
  const count = Shape.sizeOf(xa.shape.slice(0, -2))
  const complex = DType.isComplex(xa.dtype)
  const w = complex ? 2 : 1
  const size = n * n
  const tOut = DType.allocHost(outs[0]!.dtype, w * count * size)
  const zOut = computeSchurVectors ? DType.allocHost(outs[1]!.dtype, w * count * size) : undefined
  const hr = new Float64Array(size)
  const hi = new Float64Array(size)
  const zr = new Float64Array(size)
  const zi = new Float64Array(size)
  const put = (dst: HostArray, b: number, re: Float64Array, im: Float64Array) => {
    for (let i = 0; i < size; i++) {
      dst[w * (b * size + i)] = re[i]!
      if (complex) dst[2 * (b * size + i) + 1] = im[i]!
    }
  }
  for (let b = 0; b < count; b++) {
    let finite = true
    for (let i = 0; i < size; i++) {
      hr[i] = x[w * (b * size + i)]!
      hi[i] = complex ? x[2 * (b * size + i) + 1]! : 0
      if (!Number.isFinite(hr[i]!) || !Number.isFinite(hi[i]!)) finite = false
    }
    // T scales with A, Z does not
    const scale = finite ? scaleInPlace(hr, hi) : 1
    // a real matrix's reduction stays real (its reflectors are real): done in real arithmetic
    const ok = finite && (complex
      ? (reduceToHessenberg(hr, hi, n, zr, zi), complexSchurIterate(hr, hi, n, zr, zi))
      : (reduceToHessenbergReal(hr, n, zr), zi.fill(0), realSchurIterate(hr, n, zr)))
    if (!ok) {
      tOut.fill(NaN, w * b * size, w * (b + 1) * size)
      zOut?.fill(NaN, w * b * size, w * (b + 1) * size)
      continue
    }
    // the complex iteration leaves rounding below the (exactly zero) subdiagonal
    if (complex) { for (let i = 2; i < n; i++) for (let j = 0; j < i - 1; j++) hr[i * n + j] = hi[i * n + j] = 0 }
    if (scale !== 1) {
      for (let i = 0; i < size; i++) {
        hr[i] = hr[i]! / scale
        hi[i] = hi[i]! / scale
      }
    }
    put(tOut, b, hr, hi)
    if (zOut !== undefined) put(zOut, b, zr, zi)
  }
  return computeSchurVectors ? [tOut, zOut!] : [tOut]
}
