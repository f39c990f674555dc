/**
 * special.exp1 / expi / expn / erfcx against float64 references computed
 * independently here (Simpson quadrature of the defining integrals, the
 * positive Ei series, the erfc continued fraction), their recurrences, and
 * their derivatives against finite differences.
 */
import { assert, describe, it } from "@effect/vitest"
import { jvp, np, runSync, special, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import * as fc from "fast-check"

const f64 = (v: Array<number>) => np.array(v, { dtype: "float64" })
const vals = (t: Tensor) => toJsSync(t) as Array<number>
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300)

// E_n(x) = integral over t in [1, inf) of e^(-x t) / t^n; with t = e^s a smooth integrand on
// s in [0, ln(1 + 60/x)] (the rest is below e^-60), Simpson's rule
const expnRef = (n: number, x: number): number => {
  const upper = Math.log(1 + 60 / x)
  const m = 40000
  const h = upper / m
  const g = (s: number) => Math.exp(-x * Math.exp(s) + s * (1 - n))
  let sum = g(0) + g(upper)
  for (let i = 1; i < m; i++) sum += (i % 2 === 1 ? 4 : 2) * g(i * h)
  return (sum * h) / 3
}
// Ei(x), x > 0: gamma + ln x + sum x^k / (k k!), all terms positive
const eiRef = (x: number): number => {
  let term = 1
  let sum = 0
  for (let k = 1; k < 400; k++) {
    term *= x / k
    sum += term / k
  }
  return 0.5772156649015329 + Math.log(x) + sum
}
// erfcx(x) for x >= 2 by the continued fraction 1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), bottom up
const erfcxRef = (x: number): number => {
  let t = x
  for (let k = 200; k >= 1; k--) t = x + k / 2 / t
  return 1 / Math.sqrt(Math.PI) / t
}

describe("exponential integrals", () => {
  it("E1 and E_n against quadrature of their integrals (both algorithm sides of x = 1)", () => {
    for (const x of [0.01, 0.3, 0.99, 1, 1.01, 2.5, 7, 30, 150]) {
      const [e1] = vals(special.exp1(f64([x])))
      assert.isBelow(rel(e1!, expnRef(1, x)), 1e-11, `E1(${x})`)
      for (const n of [2, 3, 7]) {
        const [en] = vals(special.expn(n, f64([x])))
        assert.isBelow(rel(en!, expnRef(n, x)), 1e-11, `E${n}(${x})`)
      }
    }
  })

  it("Ei against its positive series (x > 0) and -E1(-x) (x < 0); the recurrence n E_{n+1} = e^-x - x E_n", () => {
    for (const x of [0.05, 1, 5, 20, 39.9, 40.1, 60, 120]) {
      const [ei] = vals(special.expi(f64([x])))
      assert.isBelow(rel(ei!, eiRef(x)), 1e-13, `Ei(${x})`)
    }
    const [neg] = vals(special.expi(f64([-2.5])))
    assert.isBelow(rel(neg!, -expnRef(1, 2.5)), 1e-11)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: 0.05, max: 20, noNaN: true }), (n, x) => {
        const [a] = vals(special.expn(n, f64([x])))
        const [b] = vals(special.expn(n + 1, f64([x])))
        assert.isBelow(Math.abs(n * b! - (Math.exp(-x) - x * a!)), 1e-13 * Math.max(1, Math.exp(-x)))
      }),
      { numRuns: 40 }
    )
  })

  it("edges: E_n(0) = 1/(n-1) (n > 1) or inf, E_0(x) = e^-x / x, NaN outside the domain; Ei(0) = -inf", () => {
    assert.deepStrictEqual(vals(special.expn(f64([0, 1, 3, -1, 2]), f64([2, 0, 0, 1, -1]))), [
      Math.exp(-2) / 2,
      Infinity,
      0.5,
      NaN,
      NaN
    ])
    assert.deepStrictEqual(vals(special.expi(f64([0]))), [-Infinity])
    assert.deepStrictEqual(vals(special.exp1(f64([Infinity]))), [0])
  })

  it("derivatives: JAX's rules against central differences", () => {
    const fd = (f: (x: number) => number, x: number) => (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
    const d = (g: (t: Tensor) => Tensor, x: number) => vals(runSync(jvp(g, [f64([x])], [f64([1])]))[1] as Tensor)[0]!
    for (const x of [0.4, 1.7, 6]) {
      const e1 = (u: number) => vals(special.exp1(f64([u])))[0]!
      assert.isBelow(Math.abs(d(special.exp1, x) - fd(e1, x)), 1e-7)
      const ei = (u: number) => vals(special.expi(f64([u])))[0]!
      assert.isBelow(Math.abs(d(special.expi, x) - fd(ei, x)) / Math.abs(fd(ei, x)), 1e-7)
      const e3 = (u: number) => vals(special.expn(3, f64([u])))[0]!
      assert.isBelow(Math.abs(d((t) => special.expn(3, t), x) - fd(e3, x)), 1e-7)
      const ex = (u: number) => vals(special.erfcx(f64([u])))[0]!
      assert.isBelow(Math.abs(d(special.erfcx, x) - fd(ex, x)), 1e-7)
    }
  })
})

describe("erfcx", () => {
  it("against the continued fraction (x >= 2), exp(x^2) erfc(x) below, the reflection for x < 0", () => {
    for (const x of [2, 3.5, 8, 11.9, 12.1, 30, 1e3, 1e8]) {
      const [v] = vals(special.erfcx(f64([x])))
      assert.isBelow(rel(v!, erfcxRef(x)), 1e-13, `erfcx(${x})`)
    }
    const [one] = vals(special.erfcx(f64([1])))
    assert.isBelow(rel(one!, 0.42758357615580705), 1e-14)
    const [m] = vals(special.erfcx(f64([-1.5])))
    assert.isBelow(rel(m!, 2 * Math.exp(2.25) - erfcxRef(1.5)), 1e-12)
    assert.deepStrictEqual(vals(special.erfcx(f64([0, -30]))), [1, Infinity])
  })
})

describe("spence", () => {
  // integral from 1 to x of log(t) / (1 - t) dt by Simpson's rule (the integrand is smooth, -1 at t = 1)
  const spenceRef = (x: number): number => {
    const m = 20000
    const h = (x - 1) / m
    const g = (t: number) => (Math.abs(t - 1) < 1e-12 ? -1 : Math.log(t) / (1 - t))
    let sum = g(1) + g(x)
    for (let i = 1; i < m; i++) sum += (i % 2 === 1 ? 4 : 2) * g(1 + i * h)
    return (sum * h) / 3
  }
  it("closed forms, quadrature over every reduction branch, the inversion identity, the domain", () => {
    const closed = vals(special.spence(f64([0, 1, 2, 0.5])))
    const want = [Math.PI ** 2 / 6, 0, -(Math.PI ** 2) / 12, Math.PI ** 2 / 12 - Math.LN2 ** 2 / 2]
    closed.forEach((v, i) => assert.isBelow(Math.abs(v - want[i]!), 1e-15))
    // 1 - x = y: y in (1/2, 1] (x < 1/2), |y| <= 1/2, [-1, -1/2) (x in (3/2, 2]), y < -1 (x > 2)
    for (const x of [0.05, 0.3, 0.6, 1.2, 1.7, 2.5, 9, 40]) {
      const [v] = vals(special.spence(f64([x])))
      assert.isBelow(Math.abs(v! - spenceRef(x)), 1e-12 * Math.max(1, Math.abs(v!)), `spence(${x})`)
    }
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), (x) => {
        const [a, b] = vals(special.spence(f64([x, 1 / x])))
        assert.isBelow(Math.abs(a! + b! + Math.log(x) ** 2 / 2), 1e-13 * Math.max(1, Math.log(x) ** 2))
      }),
      { numRuns: 50 }
    )
    assert.deepStrictEqual(vals(special.spence(f64([-1, NaN]))), [NaN, NaN])
  })
})
