/**
 * Kummer's confluent hypergeometric function `1F1(a; b; x) = sum_k (a)_k / (b)_k x^k / k!`
 * (JAX's and SciPy's `hyp1f1`), as JAX computes it (Pearson, Olver and Porter 2014): the Taylor
 * series for |x| < 100 and the large-x asymptotic series beyond, each summed until its terms
 * fall below epsilon (250 terms at most); `1F1(0; b; x) = 1`, `1F1(a; a; x) = e^x`,
 * `1F1(a; 0; x) = inf`. Negative x goes through Kummer's transformation `1F1(a; b; x) =
 * e^x 1F1(b - a; b; -x)`, whose series has no cancellation (JAX sums the alternating series
 * directly, which loses every digit by x = -40, and its asymptotic branch is NaN below -100); a
 * terminating series (a non-positive integer a) is summed whatever |x|. Custom JVPs as JAX's:
 * the series of the derivatives in a and b, and `a / b 1F1(a + 1; b + 1; x)` in x.
 */
import { customJvpCall } from "../Handler.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { lgamma } from "./lax/special.js"
import { c, loopWhile, notConverged } from "./seriesLoop.js"

const STEPS = 250

/** The Gamma function with its sign (lgamma is log|Gamma|). @internal */
export const gammaSigned = (t: Tensor): Tensor => {
  const fl = lax.floor(t)
  const negOdd = lax.and(lax.lt(t, c(t, 0)), lax.eq(lax.rem(fl, c(t, 2)), c(t, -1)))
  const g = lax.exp(lgamma(t))
  return lax.select(negOdd, lax.neg(g), g)
}

/** Whether `t` is 0, -1, -2, ... (where a series with `(t)_k` in its numerator terminates). @internal */
export const nonPositiveInteger = (t: Tensor): Tensor => lax.and(lax.le(t, c(t, 0)), lax.eq(t, lax.floor(t)))

// sum_k (a)_k / (b)_k y^k / k!
const taylor = (a: Tensor, b: Tensor, y: Tensor): Tensor =>
  loopWhile(
    [c(y, 1), lax.mul(lax.div(a, b), y)],
    (_k, [sum, term]) => notConverged(sum!, term!),
    (k, [sum, term]) => [
      lax.add(sum!, term!),
      lax.mul(term!, lax.div(lax.mul(lax.div(lax.add(a, k), lax.add(b, k)), y), lax.add(k, c(k, 1))))
    ],
    { start: 1, steps: STEPS }
  )[0]!

// 1F1 / e^y for large y > 0: Gamma(b) / Gamma(a) y^(a - b) sum_k (b - a)_k (1 - a)_k / k! y^-k
const asymptotic = (a: Tensor, b: Tensor, y: Tensor): Tensor => {
  const bma = lax.sub(b, a)
  const oma = lax.sub(c(a, 1), a)
  const sum = loopWhile(
    [c(y, 1), lax.div(lax.mul(bma, oma), y)],
    (_k, [s, term]) => notConverged(s!, term!),
    (k, [s, term]) => [
      lax.add(s!, term!),
      lax.div(lax.mul(term!, lax.mul(lax.add(bma, k), lax.add(oma, k))), lax.mul(lax.add(k, c(k, 1)), y))
    ],
    { start: 1, steps: STEPS }
  )[0]!
  return lax.mul(lax.mul(lax.div(gammaSigned(b), gammaSigned(a)), lax.pow(y, lax.sub(a, b))), sum)
}

// Kummer's transformation for negative x: the parameters (a', b, y = |x|) of the series summed
const kummer = (a: Tensor, b: Tensor, x: Tensor): readonly [Tensor, Tensor, Tensor] => {
  const negative = lax.lt(x, c(x, 0))
  return [negative, lax.select(negative, lax.sub(b, a), a), lax.abs(x)]
}

const value = (a: Tensor, b: Tensor, x: Tensor): Tensor => {
  const [negative, ap, y] = kummer(a, b, x)
  const useSeries = lax.or(lax.lt(y, c(y, 100)), nonPositiveInteger(ap))
  const near = taylor(ap, b, lax.select(useSeries, y, c(y, 0)))
  const far = asymptotic(ap, b, lax.select(useSeries, c(y, 100), y))
  const ex = lax.exp(x)
  // e^x 1F1(a'; b; y) for negative x, whose asymptotic form carries e^y = e^-x: the two cancel
  const result = lax.select(
    useSeries,
    lax.select(negative, lax.mul(ex, near), near),
    lax.select(negative, far, lax.mul(ex, far))
  )
  // JAX's special cases, in its order of precedence
  const aZero = lax.eq(a, c(a, 0))
  const special = lax.select(
    aZero,
    c(x, 1),
    lax.select(lax.eq(a, b), ex, lax.select(lax.eq(b, c(b, 0)), c(x, Infinity), result))
  )
  const nan = lax.or(lax.ne(a, a), lax.or(lax.ne(b, b), lax.ne(x, x)))
  return lax.select(nan, c(x, NaN), special)
}

// d/da and d/db of sum_k (a)_k / (b)_k y^k / k!: the terms times psi(a + k) - psi(a) (the harmonic
// sum 1 / a + ... + 1 / (a + k - 1)) and psi(b) - psi(b + k), until the terms of 1F1 fall below
// epsilon (JAX's test)
const taylorDerivatives = (a: Tensor, b: Tensor, y: Tensor): readonly [Tensor, Tensor] => {
  const first = lax.mul(lax.div(a, b), y)
  const [da, db] = loopWhile(
    [c(y, 0), c(y, 0), first, lax.div(c(a, 1), a), lax.div(c(b, 1), b)],
    (_k, [sa, sb, term]) => lax.or(notConverged(sa!, term!), notConverged(sb!, term!)),
    (k, [sa, sb, term, ha, hb]) => [
      lax.add(sa!, lax.mul(term!, ha!)),
      lax.sub(sb!, lax.mul(term!, hb!)),
      lax.mul(term!, lax.div(lax.mul(lax.div(lax.add(a, k), lax.add(b, k)), y), lax.add(k, c(k, 1)))),
      lax.add(ha!, lax.div(c(a, 1), lax.add(a, k))),
      lax.add(hb!, lax.div(c(b, 1), lax.add(b, k)))
    ],
    { start: 1, steps: STEPS }
  )
  return [da!, db!]
}

/** `1F1(a; b; x)` of real tensors of one dtype and shape, differentiable in all three. @internal */
export const hyp1f1 = (a: Tensor, b: Tensor, x: Tensor): Tensor =>
  customJvpCall({
    name: "hyp1f1",
    f: ([p, q, u]) => [value(p!, q!, u!)],
    jvp: ([p, q, u], [dp, dq, du]) => {
      const [negative, ap, y] = kummer(p!, q!, u!)
      // by Kummer's transformation for negative x: d/da = -e^x D1, d/db = e^x (D1 + D2) at (b - a, b, -x)
      const [d1, d2] = taylorDerivatives(ap, q!, y)
      const ex = lax.exp(u!)
      const byA = lax.select(negative, lax.neg(lax.mul(ex, d1)), d1)
      const byB = lax.select(negative, lax.mul(ex, lax.add(d1, d2)), d2)
      const byX = lax.mul(lax.div(p!, q!), hyp1f1(lax.add(p!, c(p!, 1)), lax.add(q!, c(q!, 1)), u!))
      const tangent = lax.add(lax.add(lax.mul(byA, dp!), lax.mul(byB, dq!)), lax.mul(byX, du!))
      return [[value(p!, q!, u!)], [tangent]]
    }
  }, [a, b, x])[0]!
