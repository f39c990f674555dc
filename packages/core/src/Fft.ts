/**
 * The geometry of `fft` (JAX's `fft_abstract_eval`): operand validation with
 * JAX's messages and the output aval. Abstract evaluation, both backends'
 * kernels and the transpose rules share it.
 *
 * @since 0.1.0
 */
import { aval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import { isComplex } from "./DType.js"
import type { DType } from "./DType.js"
import { DTypeError, Float0OperationError, ShapeError } from "./Errors.js"
import type { Params } from "./Primitive.js"
import { formatShape } from "./Shape.js"

/** The complex dtype of a float dtype's precision (complex64 for float32). @since 0.1.0 */
export const complexOf = (d: DType): DType => (d === "float64" || d === "complex128" ? "complex128" : "complex64")

/** The real dtype of a complex dtype's precision (float32 for complex64). @since 0.1.0 */
export const realOf = (d: DType): DType => (d === "float64" || d === "complex128" ? "float64" : "float32")

/** The length of the last axis of an RFFT's output (`n / 2 + 1`, rounded down). @since 0.1.0 */
export const halfLength = (n: number): number => Math.floor(n / 2) + 1

/**
 * The radices of a length-`n` mixed-radix FFT, as both backends' kernels stage it:
 * 4s first, then a 2, then the odd prime factors ascending (360 gives 4, 2, 3, 3, 5).
 * @since 0.1.0
 */
export const radices = (n: number): Array<number> => {
  const out: Array<number> = []
  let m = n
  while (m % 4 === 0) {
    out.push(4)
    m /= 4
  }
  if (m % 2 === 0) {
    out.push(2)
    m /= 2
  }
  for (let p = 3; p * p <= m; p += 2) {
    while (m % p === 0) {
      out.push(p)
      m /= p
    }
  }
  if (m > 1) out.push(m)
  return out
}

const same = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/**
 * Abstract evaluation of `fft`: FFT/IFFT keep the complex operand's aval; RFFT
 * takes float32/float64 whose trailing dimensions equal `fftLengths` and gives
 * complex with the last one `n / 2 + 1`; IRFFT takes complex whose trailing
 * dimensions equal `fftLengths` but the last, and gives real with `fftLengths`.
 *
 * @since 0.1.0
 */
export const fftEvalRule = (avals: ReadonlyArray<AbstractValue>, params: Params<"fft">): Array<AbstractValue> => {
  const bad = (detail: string) => new ShapeError({ operation: "fft", detail })
  if (avals.length !== 1) throw bad(`takes 1 operand(s), got ${avals.length}`)
  const x = avals[0]!
  if (x.dtype === "float0") throw new Float0OperationError({ operation: "fft" })
  const { fftLengths, fftType } = params
  const k = fftLengths.length
  if (k < 1 || k > 3) throw bad(`fft_lengths must have 1 to 3 entries (XLA's limit), got ${k}`)
  for (const n of fftLengths) {
    if (!Number.isSafeInteger(n) || n < 0) throw bad(`fft_lengths must be non-negative integers, got [${fftLengths}]`)
  }
  if (k > x.shape.length) {
    throw bad(
      `FFT input shape ${
        formatShape(x.shape)
      } must have at least as many input dimensions as fft_lengths [${fftLengths}].`
    )
  }
  const lead = x.shape.slice(0, x.shape.length - k)
  const minor = x.shape.slice(x.shape.length - k)
  switch (fftType) {
    case "RFFT": {
      if (x.dtype !== "float32" && x.dtype !== "float64") {
        throw new DTypeError({ operation: "fft", detail: `RFFT input must be float32 or float64, got ${x.dtype}` })
      }
      if (!same(minor, fftLengths)) {
        throw bad(
          `RFFT input shape ${formatShape(x.shape)} minor dimensions must be equal to fft_lengths [${fftLengths}]`
        )
      }
      return [aval([...lead, ...fftLengths.slice(0, -1), halfLength(fftLengths[k - 1]!)], complexOf(x.dtype), false)]
    }
    case "IRFFT": {
      if (!isComplex(x.dtype)) {
        throw new DTypeError({
          operation: "fft",
          detail: `IRFFT input must be complex64 or complex128, got ${x.dtype}`
        })
      }
      if (!same(minor.slice(0, -1), fftLengths.slice(0, -1)) || minor[k - 1] !== halfLength(fftLengths[k - 1]!)) {
        throw bad(
          `IRFFT input shape ${formatShape(x.shape)} minor dimensions must be equal to all except the last ` +
            `fft_length, and the last must be fft_lengths[-1] // 2 + 1, got fft_lengths=[${fftLengths}]`
        )
      }
      return [aval([...lead, ...fftLengths], realOf(x.dtype), false)]
    }
    case "FFT":
    case "IFFT": {
      if (!isComplex(x.dtype)) {
        throw new DTypeError({ operation: "fft", detail: `FFT input must be complex64 or complex128, got ${x.dtype}` })
      }
      if (!same(minor, fftLengths)) {
        throw bad(
          `FFT input shape ${formatShape(x.shape)} minor dimensions must be equal to fft_lengths [${fftLengths}]`
        )
      }
      return [aval(x.shape, x.dtype, false)]
    }
    default:
      throw bad(`fft_type must be "FFT", "IFFT", "RFFT" or "IRFFT", got ${String(fftType)}`)
  }
}
