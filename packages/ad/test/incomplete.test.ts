/**
 * lax.igamma / igammac / betainc (and special.gammainc / gammaincc / betainc):
 * closed forms at random points (float64), the domain edges, and the
 * derivative in x against its closed form.
 */
import { lax, np, special, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat } from "../src/index.js"

const f64 = (v: Array<number>) => np.array(v, { dtype: "float64" })
const vals = (t: Tensor) => toJsSync(t) as Array<number>
const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * (1 + Math.abs(b))
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))
// Q(n, x) for integer n: e^-x sum_{k<n} x^k / k!
const qInt = (n: number, x: number) => {
  let s = 0
  for (let k = 0; k < n; k++) s += x ** k / factorial(k)
  return Math.exp(-x) * s
}

describe("incomplete gamma", () => {
  it("P and Q against e^-x sum x^k/k! for integer a (series and fraction sides)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0.01, max: 40, noNaN: true }), (a, x) => {
        const [p] = vals(lax.igamma(f64([a]), f64([x])))
        const [q] = vals(lax.igammac(f64([a]), f64([x])))
        const want = qInt(a, x)
        assert.isTrue(close(q!, want, 1e-12), `Q(${a}, ${x}) = ${q} vs ${want}`)
        assert.isTrue(close(p!, 1 - want, 1e-12), `P(${a}, ${x}) = ${p} vs ${1 - want}`)
      }),
      { numRuns: 60 }
    )
  })
  it("P(1/2, x) = erf(sqrt x); edges and the domain", () => {
    const xs = [0.1, 0.7, 2, 9]
    const p = vals(lax.igamma(f64(xs.map(() => 0.5)), f64(xs)))
    const erf = vals(lax.erf(np.sqrt(f64(xs))))
    p.forEach((v, i) => assert.isTrue(close(v, erf[i]!, 1e-13), `${v} vs ${erf[i]}`))
    assert.deepStrictEqual(vals(lax.igamma(f64([2, 2, 2, -1, 2]), f64([0, Infinity, -1, 1, NaN]))), [
      0,
      1,
      NaN,
      NaN,
      NaN
    ])
    assert.deepStrictEqual(vals(lax.igammac(f64([2, 2]), f64([0, Infinity]))), [1, 0])
    assert.deepStrictEqual(vals(special.gammainc(f64([1]), 0)), [0])
  })
  it("d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 8, noNaN: true }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        (a, x) => {
          const [, [t]] = jvpFlat((xs) => [lax.igamma(f64([a]), xs[0]!)], [f64([x])], [f64([1])])
          const want = Math.exp((a - 1) * Math.log(x) - x - (toJsSync(lax.lgamma(f64([a]))) as Array<number>)[0]!)
          assert.isTrue(close(vals(t!)[0]!, want, 1e-9), `${vals(t!)[0]} vs ${want}`)
        }
      ),
      { numRuns: 30 }
    )
  })
})

describe("incomplete beta", () => {
  it("closed forms: I_x(a, 1) = x^a, I_x(1, b) = 1 - (1-x)^b, I_x(2, 2) = 3x^2 - 2x^3, symmetry", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 30, noNaN: true }),
        fc.double({ min: 0.2, max: 30, noNaN: true }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (a, b, x) => {
          const I = (p: number, q: number, y: number) => vals(lax.betainc(f64([p]), f64([q]), f64([y])))[0]!
          assert.isTrue(close(I(a, 1, x), x ** a, 1e-12))
          assert.isTrue(close(I(1, b, x), 1 - (1 - x) ** b, 1e-12))
          assert.isTrue(close(I(2, 2, x), 3 * x * x - 2 * x ** 3, 1e-12))
          assert.isTrue(close(I(a, b, x) + I(b, a, 1 - x), 1, 1e-12))
        }
      ),
      { numRuns: 40 }
    )
  })
  it("edges, the domain and special.betainc's broadcasting", () => {
    assert.deepStrictEqual(vals(lax.betainc(f64([2, 2, 2, -1]), f64([3, 3, 3, 1]), f64([0, 1, 1.5, 0.5]))), [
      0,
      1,
      NaN,
      NaN
    ])
    const r = vals(special.betainc(f64([2, 3]), 1, 0.5))
    assert.isTrue(close(r[0]!, 0.25, 1e-14) && close(r[1]!, 0.125, 1e-14))
  })
})
