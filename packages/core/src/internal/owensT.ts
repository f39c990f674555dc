/**
 * Owen's T function `T(h, a) = (1 / 2 pi) int_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx`
 * (SciPy's `owens_t`): even in h, odd in a. For |a| <= 1 the integral by 64-point
 * Gauss-Legendre quadrature (its integrand is smooth; the nodes crowd toward
 * x = 0, where it narrows as h grows); for |a| > 1 the identity
 * `T(h, a) = Q(h) / 2 + Q(a h) / 2 - Q(h) Q(a h) - T(a h, 1 / a)` (h >= 0, a > 0,
 * `Q` the normal upper tail), which keeps the quadrature on [0, 1] and has no
 * cancellation. `T(0, a) = atan(a) / (2 pi)` and `T(+-inf, a) = 0` directly.
 * Differentiable through the quadrature.
 */
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { erfc, isFinite } from "./lax/special.js"

// The nodes and weights of Gauss-Legendre quadrature on [-1, 1]: Newton's method on the Legendre
// polynomial from the usual cosine guesses, once, in float64.
const gaussLegendre = (n: number): readonly [Float64Array, Float64Array] => {
  const nodes = new Float64Array(n)
  const weights = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5))
    let derivative = 0
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1
      let p1 = x
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
        p0 = p1
        p1 = p2
      }
      derivative = (n * (x * p1 - p0)) / (x * x - 1)
      const step = p1 / derivative
      x -= step
      if (Math.abs(step) < 1e-16) break
    }
    nodes[i] = x
    weights[i] = 2 / ((1 - x * x) * derivative * derivative)
  }
  return [nodes, weights]
}

const [NODES, WEIGHTS] = gaussLegendre(64)

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, like.weakType)

// T(h, a) for h >= 0 and 0 <= a <= 1, by the quadrature on [0, a]
const quadrature = (h: Tensor, a: Tensor): Tensor => {
  const h2 = lax.mul(lax.mul(h, h), c(h, -0.5))
  const half = lax.mul(a, c(a, 0.5))
  let sum = c(h, 0)
  for (let i = 0; i < NODES.length; i++) {
    const x = lax.mul(half, c(a, NODES[i]! + 1))
    const onePlus = lax.add(c(x, 1), lax.mul(x, x))
    sum = lax.add(sum, lax.mul(c(x, WEIGHTS[i]!), lax.div(lax.exp(lax.mul(h2, onePlus)), onePlus)))
  }
  return lax.mul(lax.mul(sum, half), c(h, 1 / (2 * Math.PI)))
}

// the normal upper tail Q(x) = erfc(x / sqrt 2) / 2
const upperTail = (x: Tensor): Tensor => lax.mul(erfc(lax.mul(x, c(x, Math.SQRT1_2))), c(x, 0.5))

/** Owen's T of real `h` and `a` of one dtype and shape. @internal */
export const owensT = (h: Tensor, a: Tensor): Tensor => {
  const ah = lax.abs(h)
  const aa = lax.abs(a)
  const small = lax.le(aa, c(aa, 1))
  // where |a| > 1: T(|a| |h|, 1 / |a|) by the quadrature; a 0 or infinite |a| has safe stand-ins
  const scaled = lax.mul(aa, ah)
  const safeScaled = lax.select(isFinite(scaled), scaled, c(scaled, 0))
  const inverse = lax.div(c(aa, 1), lax.select(small, c(aa, 1), aa))
  const direct = quadrature(lax.select(small, ah, safeScaled), lax.select(small, aa, inverse))
  const qh = upperTail(ah)
  const qah = upperTail(scaled)
  const viaIdentity = lax.sub(
    lax.sub(lax.mul(lax.add(qh, qah), c(qh, 0.5)), lax.mul(qh, qah)),
    lax.select(isFinite(scaled), direct, c(direct, 0))
  )
  let t = lax.select(small, direct, viaIdentity)
  // h = 0: atan(a) / (2 pi) (the identity would meet 0 * inf); h infinite: 0
  t = lax.select(lax.eq(ah, c(ah, 0)), lax.mul(lax.atan(aa), c(aa, 1 / (2 * Math.PI))), t)
  t = lax.select(lax.eq(ah, c(ah, Infinity)), c(t, 0), t)
  return lax.select(lax.lt(a, c(a, 0)), lax.neg(t), t)
}
