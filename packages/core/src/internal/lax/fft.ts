/**
 * `lax.fft`: JAX's `jax.lax.fft`, the `fft` primitive over the trailing 1 to 3
 * axes (O(n log n) kernels on both backends; see core/src/Fft.ts for the
 * shape rule).
 *
 * @since 0.1.0
 */
import { isComplex, isInexact } from "../../DType.js"
import { DTypeError } from "../../Errors.js"
import { complexOf } from "../../Fft.js"
import { bind1 } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { FftType } from "../../Primitive.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkArg, integers } from "../../Validate.js"

const types: ReadonlyArray<FftType> = ["FFT", "IFFT", "RFFT", "IRFFT"]

/**
 * The discrete Fourier transform of the trailing `fftLengths.length` (1 to 3)
 * axes of `x` (JAX's `lax.fft`). `fftType` is `"FFT"`, `"IFFT"`, `"RFFT"` or
 * `"IRFFT"` (any case, as JAX's strings). FFT and IFFT convert the operand to
 * complex; RFFT takes a real operand (an integer one becomes float32); IRFFT's
 * operand has `fftLengths[-1] / 2 + 1` entries on its last axis. IFFT and
 * IRFFT divide by the product of the lengths.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.fft(np.array([1, 2, 3, 4]), "rfft", [4]))) // [{ re: 10, im: 0 }, { re: -2, im: 2 }, { re: -2, im: 0 }]
 *
 * @since 0.1.0
 */
export const fft = (
  x: Tensor,
  fftType: FftType | "fft" | "ifft" | "rfft" | "irfft",
  fftLengths: ReadonlyArray<number>
): Tensor => {
  if (!(x instanceof Tensor && Tensor.isGenuine(x))) throw argumentError("fft", "x", "a Tensor", x)
  const type = typeof fftType === "string" ? fftType.toUpperCase() : fftType
  if (!types.includes(type as FftType)) {
    throw argumentError("fft", "fft_type", "\"FFT\", \"IFFT\", \"RFFT\" or \"IRFFT\"", fftType)
  }
  const lengths = checkArg<ReadonlyArray<number>>("fft", "fft_lengths", fftLengths, integers)
  let operand = x
  if (type === "RFFT") {
    if (isComplex(x.dtype)) {
      throw new DTypeError({ operation: "fft", detail: "only real valued inputs supported for rfft" })
    }
    if (!isInexact(x.dtype)) operand = lax.convertElementType(x, "float32")
  } else if (!isComplex(x.dtype)) {
    operand = lax.convertElementType(x, complexOf(isInexact(x.dtype) ? x.dtype : "float32"))
  }
  return bind1("fft", [operand], { fftType: type as FftType, fftLengths: [...lengths] })
}
