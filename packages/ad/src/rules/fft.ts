/**
 * The rules of `fft`, as JAX's (jax/_src/lax/fft.py):
 *
 * - It is linear, so its JVP applies it to the tangent.
 * - The DFT matrix is symmetric, so FFT and IFFT are their own transposes.
 * - RFFT's transpose is that of "FFT, then keep the first n/2 + 1 entries of the
 *   last axis" (JAX's `_rfft_transpose`, which transposes `_naive_rfft`): zero-pad
 *   the cotangent back to n, FFT it, keep the real part (the input was real).
 * - IRFFT's transpose is JAX's `_irfft_transpose`: the RFFT of the cotangent,
 *   scaled by 1/prod(fft_lengths) and by 2 on the last axis's entries that stand
 *   for two frequencies (all but 0 and, for even n, n/2), then conjugated
 *   (JAX's convention for the transpose of a complex-to-real map).
 * - Batching: the transform acts on the trailing axes, so a batch dimension
 *   among them moves to the front; one before them stays.
 *
 * @since 0.1.0
 */
import { bind1, Fft, lax, np } from "@diffect/core"
import type { AbstractValue, Params, Tensor } from "@diffect/core"
import type { BatchDim } from "../internal/batchingAxes.js"
import { batchAtFront } from "../internal/batchingAxes.js"

const fft = (x: Tensor, fftType: Params<"fft">["fftType"], fftLengths: ReadonlyArray<number>): Tensor =>
  bind1("fft", [x], { fftType, fftLengths })

/** The cotangent of `fft`'s operand (`x`: its aval). */
export const fftTranspose = (ct: Tensor, x: AbstractValue, { fftLengths, fftType }: Params<"fft">): Tensor => {
  switch (fftType) {
    case "FFT":
    case "IFFT":
      return fft(ct, fftType, fftLengths)
    case "RFFT": {
      const last = ct.ndim - 1
      const n = fftLengths[fftLengths.length - 1]!
      const padded = lax.pad(
        ct,
        lax.full([], 0, ct.dtype),
        ct.shape.map((_, i): readonly [number, number, number] => [0, i === last ? n - ct.shape[last]! : 0, 0])
      )
      return lax.real(fft(padded, "FFT", fftLengths))
    }
    case "IRFFT": {
      const y = fft(lax.convertElementType(ct, Fft.realOf(x.dtype)), "RFFT", fftLengths)
      const n = fftLengths[fftLengths.length - 1]!
      const h = y.shape[y.ndim - 1]!
      const scale = 1 / fftLengths.reduce((a, b) => a * b, 1)
      const mask = new Float64Array(h)
      for (let k = 0; k < h; k++) mask[k] = (k === 0 || 2 * k === n ? 1 : 2) * scale
      const m = lax.broadcastInDim(np.array(mask, { dtype: Fft.realOf(x.dtype) }), y.shape, [y.ndim - 1])
      return lax.conj(lax.mul(y, lax.complex(m, lax.zerosLike(m))))
    }
  }
}

/** The batching rule: the batch dimension out of the transformed (trailing) axes. */
export const fftBatch = (x: Tensor, d: BatchDim, params: Params<"fft">, size: number): readonly [Tensor, BatchDim] => {
  const k = params.fftLengths.length
  const keep = d !== null && d < x.ndim - k
  return keep ? [bind1("fft", [x], params), d] : [bind1("fft", [batchAtFront(x, d, size)], params), 0]
}
