/**
 * Integrals of oscillating and Gaussian functions (SciPy's `sici`, `fresnel`, `dawsn`): the sine
 * and cosine integrals `Si(x) = int_0^x sin t / t dt` and `Ci(x) = gamma + log x
 * + int_0^x (cos t - 1) / t dt`, and the Fresnel integrals `S(x) = int_0^x
 * sin(pi t^2 / 2) dt` and `C(x)`, each its power series near 0 and, beyond, a
 * continued fraction of a complex function (`E1(i x)`, erfc) evaluated with
 * Lentz's method in real and imaginary parts; and Dawson's integral `F(x) =
 * exp(-x^2) int_0^x exp(t^2) dt`, a positive series near 0 and its asymptotic
 * series beyond. Custom JVPs give the derivatives instead of differentiating
 * the iterations.
 */
import { customJvpCall } from "../Handler.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, like.weakType)

// complex arithmetic on (re, im) pairs of real tensors
type Complex = readonly [Tensor, Tensor]
const add = ([a, b]: Complex, [p, q]: Complex): Complex => [lax.add(a, p), lax.add(b, q)]
const mul = ([a, b]: Complex, [p, q]: Complex): Complex => [
  lax.sub(lax.mul(a, p), lax.mul(b, q)),
  lax.add(lax.mul(a, q), lax.mul(b, p))
]
const inv = ([a, b]: Complex): Complex => {
  const m = lax.add(lax.mul(a, a), lax.mul(b, b))
  return [lax.div(a, m), lax.neg(lax.div(b, m))]
}
const scale = ([a, b]: Complex, k: number): Complex => [lax.mul(a, c(a, k)), lax.mul(b, c(b, k))]

// Lentz's method for h = 1 / (b0 + a1 / (b1 + a2 / (b2 + ...))), b_k = b0 + k step, a_k = coefficient(k):
// `steps` terms from the tiny-denominator start (1e30 stands for 1 / FPMIN)
const lentz = (b0: Complex, step: number, coefficient: (k: number) => number, steps: number): Complex => {
  let b = b0
  let cc: Complex = [c(b0[0], 1e30), c(b0[0], 0)]
  let d = inv(b)
  let h = d
  for (let k = 1; k <= steps; k++) {
    const a = coefficient(k)
    b = add(b, [c(b0[0], step), c(b0[0], 0)])
    d = inv(add(scale(d, a), b))
    cc = add(b, scale(inv(cc), a))
    h = mul(h, mul(cc, d))
  }
  return h
}
const EULER_GAMMA = 0.5772156649015329

// Si and Ci by their power series (x >= 0): the terms x^n / n! to n = 60 (at x = 4 they fall below
// float64's epsilon past n = 35).
const series = (x: Tensor): readonly [Tensor, Tensor] => {
  let si = x
  let ci = c(x, 0)
  let power = x // x^n / n!
  for (let n = 2; n <= 60; n++) {
    power = lax.div(lax.mul(power, x), c(x, n))
    if (n % 2 === 0) {
      const sign = n % 4 === 0 ? 1 : -1
      ci = lax.add(ci, lax.mul(c(x, sign / n), power))
    } else {
      const sign = (n - 1) % 4 === 0 ? 1 : -1
      si = lax.add(si, lax.mul(c(x, sign / n), power))
    }
  }
  return [si, lax.add(lax.add(ci, lax.log(x)), c(x, EULER_GAMMA))]
}

// Si and Ci from the continued fraction of E1(i x) (x > 0, accurate from about x = 2 on):
// E1(z) = e^-z / (z + 1 - 1^2 / (z + 3 - 2^2 / (z + 5 - ...))), by Lentz's method.
const continuedFraction = (x: Tensor): readonly [Tensor, Tensor] => {
  // h = E1(i x) e^(i x); multiplied by e^(-i x)
  const h = lentz([c(x, 1), x], 2, (k) => -(k * k), 80)
  const [re, im] = mul([lax.cos(x), lax.neg(lax.sin(x))], h)
  return [lax.add(c(x, Math.PI / 2), im), lax.neg(re)]
}

// A pair of functions of |x| computed by `near` up to `edge` and by `far` beyond it, each on
// arguments it is accurate for (the other regime's lanes get `nearStandIn` or `farStandIn`), and
// their limits at infinity.
const twoRegimes = (
  ax: Tensor,
  edge: number,
  near: (u: Tensor) => readonly [Tensor, Tensor],
  far: (u: Tensor) => readonly [Tensor, Tensor],
  standIns: readonly [near: number, far: number],
  atInfinity: readonly [number, number]
): readonly [Tensor, Tensor] => {
  const small = lax.le(ax, c(ax, edge))
  const n = near(lax.select(small, ax, c(ax, standIns[0])))
  const f = far(lax.select(small, c(ax, standIns[1]), ax))
  const inf = lax.eq(ax, c(ax, Infinity))
  return [0, 1].map((k) => lax.select(inf, c(ax, atInfinity[k]!), lax.select(small, n[k]!, f[k]!))) as [
    Tensor,
    Tensor
  ]
}

const values = (x: Tensor): readonly [Tensor, Tensor] => {
  const [si, ci] = twoRegimes(lax.abs(x), 4, series, continuedFraction, [4, 5], [Math.PI / 2, 0])
  // Si is odd; Ci(x) for x < 0 is Ci(|x|) (SciPy's real part), NaN at -inf as JAX's
  const negative = lax.lt(x, c(x, 0))
  const negInf = lax.eq(x, c(x, -Infinity))
  return [
    lax.select(negative, lax.neg(si), si),
    lax.select(negInf, c(x, NaN), ci)
  ]
}

/** `[Si(x), Ci(x)]` of real `x` (float32 or float64), with derivatives `sin x / x` and `cos x / x`. @internal */
export const sici = (x: Tensor): readonly [Tensor, Tensor] => {
  const [si, ci] = customJvpCall({
    name: "sici",
    f: ([u]) => values(u!),
    jvp: ([u], [du]) => {
      const [s, k] = values(u!)
      // sin x / x is 1 at 0 (Si's slope there); cos x / x is Ci's pole
      const zero = lax.eq(u!, c(u!, 0))
      const sinc = lax.select(zero, c(u!, 1), lax.div(lax.sin(u!), lax.select(zero, c(u!, 1), u!)))
      return [[s, k], [lax.mul(sinc, du!), lax.mul(lax.div(lax.cos(u!), u!), du!)]]
    }
  }, [x])
  return [si!, ci!]
}

// --- the Fresnel integrals

// sin(pi r) and cos(pi r) with r = x^2 / 2 reduced modulo 2 first (x^2 / 2 exact where x^2 is)
const halfPiSquare = (x: Tensor): readonly [Tensor, Tensor] => {
  const r = lax.mul(lax.mul(x, x), c(x, 0.5))
  const reduced = lax.sub(r, lax.mul(c(r, 2), lax.floor(lax.mul(r, c(r, 0.5)))))
  const phase = lax.mul(reduced, c(r, Math.PI))
  return [lax.sin(phase), lax.cos(phase)]
}

// S and C by their power series (0 <= x <= 1.5: the terms (pi x^2 / 2)^n / n! to n = 40)
const fresnelSeries = (x: Tensor): readonly [Tensor, Tensor] => {
  const t = lax.mul(lax.mul(x, x), c(x, Math.PI / 2))
  let power = c(x, 1) // t^n / n!
  let s = c(x, 0)
  let cc = c(x, 1) // the n = 0 term of C / x
  for (let n = 1; n <= 40; n++) {
    power = lax.div(lax.mul(power, t), c(x, n))
    // S / x = sum over odd n of (-1)^((n-1)/2) t^n / (n! (2n + 1)); C / x over even n
    const sign = (n % 4 === 0 || n % 4 === 1) ? 1 : -1
    const term = lax.mul(c(x, sign / (2 * n + 1)), power)
    if (n % 2 === 1) s = lax.add(s, term)
    else cc = lax.add(cc, term)
  }
  return [lax.mul(s, x), lax.mul(cc, x)]
}

// S and C from the continued fraction of erfc (x > 1.5), by Lentz's method in (re, im) pairs
const fresnelFraction = (x: Tensor): readonly [Tensor, Tensor] => {
  const pix2 = lax.mul(lax.mul(x, x), c(x, Math.PI))
  const h = mul(lentz([c(x, 1), lax.neg(pix2)], 4, (k) => -(2 * k - 1) * 2 * k, 99), [x, lax.neg(x)])
  const [sin, cos] = halfPiSquare(x)
  const [re, im] = mul([cos, sin], h)
  // (1 + i) / 2 (1 - e^(i pi x^2 / 2) h)
  const [u, v] = [lax.sub(c(x, 1), re), lax.neg(im)]
  return [lax.mul(lax.add(u, v), c(x, 0.5)), lax.mul(lax.sub(u, v), c(x, 0.5))]
}

const fresnelValues = (x: Tensor): readonly [Tensor, Tensor] => {
  const [s, k] = twoRegimes(lax.abs(x), 1.5, fresnelSeries, fresnelFraction, [1, 2], [0.5, 0.5])
  const negative = lax.lt(x, c(x, 0))
  return [lax.select(negative, lax.neg(s), s), lax.select(negative, lax.neg(k), k)]
}

/** `[S(x), C(x)]` of real `x`, with derivatives `sin(pi x^2 / 2)` and `cos(pi x^2 / 2)`. @internal */
export const fresnel = (x: Tensor): readonly [Tensor, Tensor] => {
  const [s, k] = customJvpCall({
    name: "fresnel",
    f: ([u]) => fresnelValues(u!),
    jvp: ([u], [du]) => {
      const [sv, kv] = fresnelValues(u!)
      const [sin, cos] = halfPiSquare(u!)
      return [[sv, kv], [lax.mul(sin, du!), lax.mul(cos, du!)]]
    }
  }, [x])
  return [s!, k!]
}

// --- Dawson's integral

// F(x) = e^(-x^2) int_0^x e^(t^2) dt for x >= 0: up to 6 the integral's series (positive terms
// x^(2n+1) / (n! (2n+1)), no cancellation; 150 terms cover n around x^2 = 36 and its tail), then
// scaled; beyond, the asymptotic series 1 / (2x) sum (2k-1)!! / (2x^2)^k (30 terms: at x = 6 the
// terms are still falling, below 1e-16).
const dawsonValue = (x: Tensor): Tensor => {
  const ax = lax.abs(x)
  const small = lax.le(ax, c(ax, 6))
  const u = lax.select(small, ax, c(ax, 1))
  const u2 = lax.mul(u, u)
  let term = u
  let sum = u
  for (let n = 1; n <= 150; n++) {
    term = lax.div(lax.mul(term, u2), c(u, n))
    sum = lax.add(sum, lax.div(term, c(u, 2 * n + 1)))
  }
  const near = lax.mul(sum, lax.exp(lax.neg(u2)))
  const v = lax.select(small, c(ax, 7), ax)
  const y = lax.div(c(v, 0.5), lax.mul(v, v))
  let t = c(v, 1)
  let s = c(v, 1)
  for (let k = 1; k <= 30; k++) {
    t = lax.mul(t, lax.mul(c(v, 2 * k - 1), y))
    s = lax.add(s, t)
  }
  const far = lax.div(s, lax.mul(c(v, 2), v))
  const f = lax.select(small, near, far)
  return lax.select(lax.lt(x, c(x, 0)), lax.neg(f), f)
}

/** Dawson's integral of real `x`, with derivative `1 - 2 x F(x)`. @internal */
export const dawsn = (x: Tensor): Tensor =>
  customJvpCall({
    name: "dawsn",
    f: ([u]) => [dawsonValue(u!)],
    jvp: ([u], [du]) => {
      const f = dawsonValue(u!)
      return [[f], [lax.mul(lax.sub(c(u!, 1), lax.mul(lax.mul(c(u!, 2), u!), f)), du!)]]
    }
  }, [x])[0]!
