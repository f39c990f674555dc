/**
 * The Gamma function and its logarithm for complex arguments (JAX's
 * `_complex_gamma` and `_complex_loggamma_scipy`): Lanczos' approximation
 * (g = 7, nine coefficients, GSL's `lanczos_7_c`) with the reflection formula
 * left of `Re z = 1/2`, and for `loggamma` SciPy's principal branch (one cut on
 * the negative real axis) by shifting `z` right: `loggamma(z) = loggamma(z + n)
 * - sum of log(z + k) for k < n`. Poles and NaN give `nan + nan i`.
 *
 * @since 0.1.0
 */
import * as lax from "../laxNamespace.js"
import type { Tensor } from "../Tensor.js"

const G = 7
const COEFFICIENTS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7
]

const complexOf = (like: Tensor, re: number, im = 0): Tensor =>
  lax.complex(lax.full(like.shape, re, realOf(like)), lax.full(like.shape, im, realOf(like)))
const realOf = (z: Tensor) => (z.dtype === "complex128" ? "float64" : "float32")
const re = (z: Tensor) => lax.real(z)

/** Whether `z` is a pole (a non-positive integer on the real axis) or has a NaN part. */
const poleOrNaN = (z: Tensor): Tensor => {
  const x = re(z)
  const y = lax.imag(z)
  const pole = lax.and(lax.and(lax.eq(y, lax.zerosLike(y)), lax.eq(x, lax.floor(x))), lax.le(x, lax.zerosLike(x)))
  return lax.or(pole, lax.or(lax.ne(x, x), lax.ne(y, y)))
}

// log Gamma(z) by Lanczos, reflected left of Re z = 1/2 (every branch on safe arguments, so that
// the unselected one's NaN cannot reach a derivative)
const lanczosLoggamma = (z: Tensor): Tensor => {
  const reflect = lax.lt(re(z), lax.full(z.shape, 0.5, realOf(z)))
  const zl = lax.select(reflect, lax.sub(complexOf(z, 1), z), z)
  const zz = lax.sub(zl, complexOf(z, 1))
  let ag = complexOf(z, COEFFICIENTS[0]!)
  for (let k = 1; k < COEFFICIENTS.length; k++) {
    ag = lax.add(ag, lax.div(complexOf(z, COEFFICIENTS[k]!), lax.add(zz, complexOf(z, k))))
  }
  const t = lax.add(zz, complexOf(z, G + 0.5))
  const direct = lax.add(
    lax.sub(lax.add(complexOf(z, 0.5 * Math.log(2 * Math.PI)), lax.mul(lax.add(zz, complexOf(z, 0.5)), lax.log(t))), t),
    lax.log(ag)
  )
  const zSafe = lax.select(reflect, z, complexOf(z, 0.5))
  const reflected = lax.sub(
    lax.sub(complexOf(z, Math.log(Math.PI)), lax.log(lax.sin(lax.mul(complexOf(z, Math.PI), zSafe)))),
    direct
  )
  return lax.select(reflect, reflected, direct)
}

const nanOf = (z: Tensor): Tensor => complexOf(z, NaN, NaN)

/** Gamma(z) for complex `z`: `exp(loggamma(z))` (Lanczos with reflection); poles and NaN give NaN. */
export const complexGamma = (z: Tensor): Tensor => {
  const bad = poleOrNaN(z)
  const safe = lax.select(bad, complexOf(z, 1), z)
  return lax.select(bad, nanOf(z), lax.exp(lanczosLoggamma(safe)))
}

/** SciPy's principal `loggamma(z)` for complex `z` (one branch cut, on the negative real axis). */
export const complexLoggamma = (z: Tensor): Tensor => {
  const bad = poleOrNaN(z)
  const safe = lax.select(bad, complexOf(z, 1), z)
  const x = re(safe)
  // n = max(0, ceil(1/2 - Re z)) shifts z right of 1/2; the logs of z + k for k < n are subtracted
  const n = lax.max(lax.ceil(lax.sub(lax.full(x.shape, 0.5, x.dtype), x)), lax.zerosLike(x))
  const [, sumLog] = lax.whileLoop(
    ([k]: ReadonlyArray<Tensor>) =>
      lax.reduceOr(lax.lt(lax.broadcastInDim(k!, n.shape, []), n), n.shape.map((_, i) => i)),
    ([k, acc]: ReadonlyArray<Tensor>) => {
      const kk = lax.broadcastInDim(k!, n.shape, [])
      const active = lax.lt(kk, n)
      const zk = lax.select(active, lax.add(safe, lax.complex(kk, lax.zerosLike(kk))), complexOf(z, 1))
      return [lax.add(k!, lax.full([], 1, x.dtype)), lax.add(acc!, lax.select(active, lax.log(zk), complexOf(z, 0)))]
    },
    [lax.full([], 0, x.dtype), complexOf(z, 0)]
  ) as ReadonlyArray<Tensor>
  const shifted = lax.add(safe, lax.complex(n, lax.zerosLike(n)))
  return lax.select(bad, nanOf(z), lax.sub(lanczosLoggamma(shifted), sumLog!))
}
