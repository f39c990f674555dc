/**
 * Gauss's hypergeometric function `2F1(a, b; c; x) = sum_k (a)_k (b)_k / (c)_k x^k / k!` for real
 * x <= 1 (JAX's and SciPy's `hyp2f1`), with JAX's case analysis (Pearson, Olver and Porter 2014;
 * Abramowitz and Stegun 15.3): 1 at x = 0 or a or b = 0; inf where c is a non-positive integer,
 * for x > 1, and at x = 1 when c - a - b <= 0; Gauss's sum at x = 1; `(1 - x)^-a` when b = c (and
 * the mirror); Euler's transformation `(1 - x)^(c-a-b) 2F1(c - a, c - b; c; x)` when c - a - b <= -1;
 * otherwise the Taylor series (up to 250 terms), the terminating polynomial when a or b is a
 * non-positive integer, and beyond x = 0.9 the expansion about x = 1 (A&S 15.3.10-12) when c - a - b
 * is an integer. Two additions to JAX's cases, for accuracy where its Taylor series converges
 * slowly or not at all: beyond x = 0.9 with c - a - b not an integer, the connection formula
 * A&S 15.3.6 in 1 - x; and for x < 0, Pfaff's transformation `(1 - x)^-a 2F1(a, c - b; c; x / (x - 1))`
 * (JAX sums the divergent series for x < -1). Custom JVPs as JAX's: the series of the derivatives
 * in a, b, c, and `a b / c 2F1(a + 1, b + 1; c + 1; x)` in x.
 */
import { customJvpCall } from "../Handler.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { gammaSigned as gamma, nonPositiveInteger } from "./hyp1f1.js"
import { digamma } from "./lax/special.js"
import { c, epsOf, loopWhile, notConverged } from "./seriesLoop.js"

const STEPS = 250
const one = (t: Tensor): Tensor => c(t, 1)
const add = lax.add
const sub = lax.sub
const mul = lax.mul
const div = lax.div

// within 50 epsilon of an integer (JAX's tolerance for a terminating or integer-difference case)
const nearInteger = (t: Tensor): Tensor => lax.lt(lax.abs(sub(t, lax.round(t))), c(t, 50 * epsOf(t)))
const isInteger = (t: Tensor): Tensor => lax.eq(t, lax.floor(t))

// sum_k (a)_k (b)_k / (c)_k x^k / k! until the terms fall below epsilon
const taylor = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor =>
  loopWhile(
    [c(x, 0), one(x)],
    (_k, [sum, term]) => notConverged(sum!, term!),
    (k, [sum, term]) => {
      const km1 = sub(k, one(k))
      return [add(sum!, term!), mul(term!, div(mul(div(mul(add(a, km1), add(b, km1)), add(cc, km1)), x), k))]
    },
    { start: 1, steps: STEPS }
  )[0]!

// The polynomial when a or b is a non-positive integer: the terms up to k = |a| of the one JAX picks
// (the parameter of larger magnitude, unless c is a non-positive integer between them)
const terminal = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor => {
  const swap = lax.and(
    lax.lt(b, a),
    lax.and(nearInteger(b), lax.not(lax.and(isInteger(cc), lax.and(lax.le(cc, c(cc, 0)), lax.gt(cc, b)))))
  )
  const n = lax.abs(lax.select(swap, b, a))
  const other = lax.select(swap, a, b)
  return loopWhile(
    [one(x), one(x)],
    (k) => lax.lt(k, add(n, one(n))),
    (k, [sum, term]) => {
      const km1 = sub(k, one(k))
      const next = mul(term!, mul(div(lax.neg(sub(n, km1)), add(cc, km1)), mul(div(add(other, km1), k), x)))
      return [add(sum!, next), next]
    },
    { start: 1, steps: STEPS }
  )[0]!
}

// A&S 15.3.10-12: the expansion about x = 1 when d = c - a - b is an integer (its log terms)
const integerDifference = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor => {
  const zero = c(x, 0)
  const d = sub(sub(cc, a), b)
  const s = sub(one(x), x)
  const rd = lax.round(d)
  const nonNegative = lax.ge(rd, zero)
  const e = lax.select(nonNegative, d, lax.neg(d))
  const d1 = lax.select(nonNegative, d, zero)
  const d2 = lax.select(nonNegative, zero, d)
  const ard = lax.abs(rd)
  const ax = lax.log(s)
  const psi1 = digamma(one(x))
  const ad1 = add(a, d1)
  const bd1 = add(b, d1)
  const y0 = div(
    sub(sub(sub(add(psi1, digamma(add(one(e), e))), digamma(ad1)), digamma(bd1)), ax),
    gamma(add(e, one(e)))
  )
  const p0 = div(mul(mul(ad1, bd1), s), gamma(add(e, c(e, 2))))
  // the log series: y + sum_t p_t r_t, while the last term q exceeds epsilon |y|
  const [, , y] = loopWhile(
    [y0, p0, y0],
    (_t, [q, , yy]) => lax.ge(lax.abs(q!), mul(c(yy!, epsOf(yy!)), lax.abs(yy!))),
    (t, [, p, yy]) => {
      const r = sub(
        sub(
          sub(add(digamma(add(one(t), t)), digamma(add(add(one(t), t), e))), digamma(add(ad1, t))),
          digamma(add(bd1, t))
        ),
        ax
      )
      const q = mul(p!, r)
      const tp1 = add(t, one(t))
      const pNext = mul(div(mul(mul(p!, s), add(ad1, t)), tp1), div(add(bd1, t), add(tp1, e)))
      return [q, pNext, add(yy!, q)]
    },
    { start: 1, steps: STEPS }
  )
  // the finite sum of |d| - 1 terms
  const [y1] = loopWhile(
    [one(x), one(x)],
    (t) => lax.lt(t, ard),
    (t, [acc, p]) => {
      const tm1 = sub(t, one(t))
      const r = add(sub(one(e), e), tm1)
      const pNext = div(mul(mul(p!, s), div(mul(add(add(a, tm1), d2), add(add(b, tm1), d2)), r)), t)
      return [add(acc!, pNext), pNext]
    },
    { start: 1, steps: STEPS }
  )
  const gc = gamma(cc)
  const y1Scaled = mul(y1!, div(mul(gamma(e), gc), mul(gamma(ad1), gamma(bd1))))
  let yScaled = mul(y!, div(gc, mul(gamma(add(a, d2)), gamma(add(b, d2)))))
  yScaled = lax.select(lax.eq(lax.rem(ard, c(ard, 2)), one(ard)), lax.neg(yScaled), yScaled)
  const q = lax.pow(s, rd)
  const sum = lax.select(lax.gt(rd, zero), add(mul(yScaled, q), y1Scaled), add(yScaled, mul(y1Scaled, q)))
  return lax.select(lax.eq(rd, zero), div(mul(y!, gc), mul(gamma(a), gamma(b))), sum)
}

// A&S 15.3.6 (d = c - a - b not an integer): two series in 1 - x
const connection = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor => {
  const d = sub(sub(cc, a), b)
  const s = sub(one(x), x)
  const gc = gamma(cc)
  const first = mul(div(mul(gc, gamma(d)), mul(gamma(sub(cc, a)), gamma(sub(cc, b)))), taylor(a, b, sub(one(d), d), s))
  const second = mul(
    mul(lax.pow(s, d), div(mul(gc, gamma(lax.neg(d))), mul(gamma(a), gamma(b)))),
    taylor(sub(cc, a), sub(cc, b), add(d, one(d)), s)
  )
  return add(first, second)
}

// JAX's choice among the series for x < 1, and the two additions (see the header)
const seriesOrTransform = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor => {
  const d = sub(sub(cc, a), b)
  const terminates = lax.or(
    lax.and(lax.le(a, c(a, 0)), nearInteger(a)),
    lax.and(lax.le(b, c(b, 0)), nearInteger(b))
  )
  const nearOne = lax.and(lax.gt(x, c(x, 0.9)), lax.not(terminates))
  const integerD = nearInteger(d)
  // stand-ins keep each unused branch's arguments harmless (x = 0.95 or 0)
  const atOne = (use: Tensor) => lax.select(use, x, c(x, 0.95))
  const useDigamma = lax.and(nearOne, integerD)
  const useConnection = lax.and(nearOne, lax.not(integerD))
  const plain = lax.and(lax.not(nearOne), lax.not(terminates))
  const direct = taylor(a, b, cc, lax.select(plain, x, c(x, 0)))
  return lax.select(
    terminates,
    terminal(a, b, cc, lax.select(terminates, x, c(x, 0))),
    lax.select(
      useDigamma,
      integerDifference(a, b, cc, atOne(useDigamma)),
      lax.select(useConnection, connection(a, b, cc, atOne(useConnection)), direct)
    )
  )
}

// Pfaff's transformation for x < 0 (unless the series terminates): 2F1(a, c - b; c; x / (x - 1)),
// whose argument lies in (0, 1)
const realLine = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor => {
  const terminates = lax.or(nonPositiveInteger(a), nonPositiveInteger(b))
  const pfaff = lax.and(lax.lt(x, c(x, 0)), lax.not(terminates))
  const safeX = lax.select(pfaff, x, c(x, -1))
  const z = div(safeX, sub(safeX, one(x)))
  const transformed = mul(lax.pow(sub(one(x), safeX), lax.neg(a)), seriesOrTransform(a, sub(cc, b), cc, z))
  return lax.select(pfaff, transformed, seriesOrTransform(a, b, cc, lax.select(pfaff, c(x, 0), x)))
}

const value = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor => {
  const zero = c(x, 0)
  const inf = c(x, Infinity)
  const d = sub(sub(cc, a), b)
  const s = sub(one(x), x)
  const ca = sub(cc, a)
  const cb = sub(cc, b)
  // JAX's cases in its order of precedence (the first that holds)
  const cases: ReadonlyArray<readonly [Tensor, () => Tensor]> = [
    [lax.or(lax.eq(x, zero), lax.and(lax.or(lax.eq(a, zero), lax.eq(b, zero)), lax.ne(cc, zero))), () => one(x)],
    [lax.or(lax.eq(cc, zero), lax.and(lax.lt(cc, zero), isInteger(cc))), () => inf],
    // (before Euler's transformation, which JAX tries first, to no finite value, at x = 1)
    [lax.and(lax.le(d, zero), lax.eq(x, one(x))), () => inf],
    [
      lax.and(lax.le(d, c(d, -1)), lax.not(lax.and(lax.not(nearInteger(d)), lax.lt(s, zero)))),
      () => mul(lax.pow(s, d), realLine(ca, cb, cc, x))
    ],
    [lax.and(lax.lt(x, one(x)), lax.eq(b, cc)), () => lax.pow(s, lax.neg(a))],
    [lax.and(lax.lt(x, one(x)), lax.eq(a, cc)), () => lax.pow(s, lax.neg(b))],
    [lax.gt(x, one(x)), () => inf],
    [lax.eq(x, one(x)), () => div(mul(gamma(cc), gamma(d)), mul(gamma(ca), gamma(cb)))]
  ]
  // the general case on x clamped into [-inf, 1) so that no series sees an argument it diverges at
  const general = (() => {
    const ok = lax.lt(x, one(x))
    return realLine(a, b, cc, lax.select(ok, x, zero))
  })()
  let result = general
  for (let i = cases.length - 1; i >= 0; i--) result = lax.select(cases[i]![0], cases[i]![1](), result)
  const nan = lax.or(lax.or(lax.ne(a, a), lax.ne(b, b)), lax.or(lax.ne(cc, cc), lax.ne(x, x)))
  return lax.select(nan, c(x, NaN), result)
}

// d/da, d/db, d/dc of the Taylor series (JAX's): its terms times the harmonic sums psi(a + k) - psi(a),
// psi(b + k) - psi(b) and psi(c) - psi(c + k), until the terms fall below epsilon
const taylorDerivatives = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): ReadonlyArray<Tensor> => {
  const recip = (t: Tensor) => div(one(t), t)
  const zero = c(x, 0)
  return loopWhile(
    [zero, zero, zero, div(mul(mul(a, b), x), cc), recip(a), recip(b), recip(cc)],
    (_k, [sa, sb, sc, term]) =>
      lax.or(lax.or(notConverged(sa!, term!), notConverged(sb!, term!)), notConverged(sc!, term!)),
    (k, [sa, sb, sc, term, ha, hb, hc]) => [
      add(sa!, mul(term!, ha!)),
      add(sb!, mul(term!, hb!)),
      sub(sc!, mul(term!, hc!)),
      mul(term!, div(mul(div(mul(add(a, k), add(b, k)), add(cc, k)), x), add(k, one(k)))),
      add(ha!, recip(add(a, k))),
      add(hb!, recip(add(b, k))),
      add(hc!, recip(add(cc, k)))
    ],
    { start: 1, steps: STEPS }
  ).slice(0, 3)
}

/** `2F1(a, b; c; x)` of real tensors of one dtype and shape, differentiable in all four. @internal */
export const hyp2f1 = (a: Tensor, b: Tensor, cc: Tensor, x: Tensor): Tensor =>
  customJvpCall({
    name: "hyp2f1",
    f: ([p, q, r, u]) => [value(p!, q!, r!, u!)],
    jvp: ([p, q, r, u], [dp, dq, dr, du]) => {
      const [byA, byB, byC] = taylorDerivatives(p!, q!, r!, u!)
      const byX = mul(div(mul(p!, q!), r!), hyp2f1(add(p!, one(p!)), add(q!, one(q!)), add(r!, one(r!)), u!))
      const tangent = add(add(mul(byA!, dp!), mul(byB!, dq!)), add(mul(byC!, dr!), mul(byX, du!)))
      return [[value(p!, q!, r!, u!)], [tangent]]
    }
  }, [a, b, cc, x])[0]!
