/**
 * The Faddeeva function `w(z) = exp(-z^2) erfc(-i z)` (JAX's and SciPy's `wofz`), as JAX computes
 * it: in the upper half-plane Weideman's rational approximation with N = 32 (J. A. C. Weideman,
 * "Computation of the complex error function", SIAM J. Numer. Anal. 31 (1994) 1497-1518),
 * `w(z) = 2 p(Z) / (L - i z)^2 + 1 / (sqrt(pi) (L - i z))` with `Z = (L + i z) / (L - i z)`,
 * `L = 2^(-1/4) sqrt(N)`; below the real axis the reflection `w(z) = 2 exp(-z^2) - w(-z)`. JAX's
 * custom JVP: `w'(z) = -2 z w(z) + 2 i / sqrt(pi)`.
 */
import { customJvpCall } from "../Handler.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"

const L = 4.7568284600108841
// p's coefficients, highest degree first (Weideman's a_n, as JAX tabulates them)
const COEFFICIENTS = [
  -1.3034426067909105e-12,
  3.7411838373738471e-12,
  8.030427700497756e-12,
  -2.1543593557490879e-11,
  -5.5442449963237932e-11,
  1.165824698850374e-10,
  4.1537441121999766e-10,
  -5.2310202114920615e-10,
  -3.2080151339721323e-9,
  8.1248864216535907e-10,
  2.3797556530014025e-8,
  2.2930438438915445e-8,
  -1.4813078929137642e-7,
  -4.1840763750512053e-7,
  4.2558331397138446e-7,
  4.4015317312832251e-6,
  6.8210319443575151e-6,
  -2.1409619201999998e-5,
  -1.3075449254579421e-4,
  -2.4532980270038237e-4,
  3.9259136070109705e-4,
  4.5195411053493093e-3,
  1.9006155784845501e-2,
  5.7304403529837282e-2,
  1.4060716226893755e-1,
  2.9544451071508743e-1,
  5.4601397206393376e-1,
  9.019254893648001e-1,
  1.3455441692345449,
  1.8256696296324815,
  2.2635372999002676,
  2.5722534081245696
]

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, like.weakType)

// w(z) for Im z >= 0
const upper = (z: Tensor): Tensor => {
  const iz = lax.complex(lax.neg(lax.imag(z)), lax.real(z))
  const denominator = lax.sub(c(z, L), iz)
  const big = lax.div(lax.add(c(z, L), iz), denominator)
  let p = c(z, COEFFICIENTS[0]!)
  for (let i = 1; i < COEFFICIENTS.length; i++) p = lax.add(lax.mul(p, big), c(z, COEFFICIENTS[i]!))
  return lax.add(
    lax.div(lax.mul(c(z, 2), p), lax.mul(denominator, denominator)),
    lax.div(c(z, 1 / Math.sqrt(Math.PI)), denominator)
  )
}

const value = (z: Tensor): Tensor => {
  const im = lax.imag(z)
  const above = lax.ge(im, lax.full(im.shape, 0, im.dtype, im.weakType))
  const w = upper(lax.select(above, z, lax.neg(z)))
  return lax.select(above, w, lax.sub(lax.mul(c(z, 2), lax.exp(lax.neg(lax.mul(z, z)))), w))
}

/** `w(z)` of a complex tensor. @internal */
export const wofz = (z: Tensor): Tensor =>
  customJvpCall({
    name: "wofz",
    f: ([u]) => [value(u!)],
    jvp: ([u], [du]) => {
      const w = value(u!)
      const slope = lax.add(
        lax.mul(lax.mul(c(u!, -2), u!), w),
        lax.full(u!.shape, { re: 0, im: 2 / Math.sqrt(Math.PI) }, u!.dtype, u!.weakType)
      )
      return [[w], [lax.mul(slope, du!)]]
    }
  }, [z])[0]!
