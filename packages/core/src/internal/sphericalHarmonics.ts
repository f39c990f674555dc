/**
 * The spherical harmonics `Y_n^m(theta, phi) = N_n^m P_n^|m|(cos theta) e^(i |m| phi)` for m >= 0 and
 * `(-1)^m conj(Y_n^|m|)` for m < 0 (JAX's `sph_harm_y`), read from the normalized Legendre table of
 * degree `nMax` as JAX reads it: entry `[|m|, n, j]` for the j-th harmonic, each index clipped into
 * the table (so a degree above `nMax` reads degree `nMax`, and the j-th point is the last one
 * when there are fewer points than harmonics).
 */
import * as lax from "../lax.js"
import * as np from "../np.js"
import type { Tensor } from "../Tensor.js"
import { clamp } from "./lax/special.js"
import { legendreTable, stackTable } from "./legendre.js"
import { broadcastArrays } from "./np/shapes.js"

/** `n`, `m` integer-valued real vectors; `theta` a vector; `phi` broadcasting with them. @internal */
export const sphHarmY = (n: Tensor, m: Tensor, theta: Tensor, phi: Tensor, nMax: number): Tensor => {
  const table = stackTable(legendreTable(nMax, lax.cos(theta), true))
  const size = nMax + 1
  const points = theta.shape[0]!
  const count = n.shape[0]!
  const absM = np.abs(m)
  const int = (v: number) => np.array(v, { dtype: "int32" })
  const clip = (t: Tensor, hi: number) => clamp(int(0), np.astype(t, "int32"), int(hi))
  const j = clip(np.arange(0, count, { dtype: "int32" }), points - 1)
  const flat = np.add(
    np.multiply(np.add(np.multiply(clip(absM, size - 1), int(size)), clip(n, size - 1)), int(points)),
    j
  )
  const values = np.take(np.reshape(table, [-1]), flat)
  const angle = np.multiply(np.astype(absM, phi.dtype), phi)
  const [v, cos, sin] = broadcastArrays(values, np.cos(angle), np.sin(angle))
  const harmonic = lax.complex(lax.mul(v!, cos!), lax.mul(v!, sin!))
  const negative = np.less(np.broadcastTo(m, harmonic.shape), 0)
  const odd = np.equal(np.remainder(np.astype(absM, "int32"), 2), 1)
  const sign = np.where(np.broadcastTo(odd, harmonic.shape), -1, 1)
  return np.where(negative, np.multiply(np.astype(sign, harmonic.dtype), np.conj(harmonic)), harmonic)
}
