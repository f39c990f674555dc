/**
 * A plane (Givens) rotation of two rows of a row-major matrix, the step the
 * QR and QL sweeps of the SVD and eigh kernels apply to their vectors.
 */

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
