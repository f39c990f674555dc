/**
 * lax.igamma / igammac / betainc (and special.gammainc / gammaincc / betainc):
 * closed forms at random points (float64), the domain edges, and the
 * derivative in x against its closed form.
 */
import { lax, np, special, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, vjpFlat } from "../src/index.js"
import { vmapFlat } from "../src/Vmap.js"

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
  it("large a near x = a converges as JAX's loops do (SciPy's values), eagerly and under vmap", () => {
    // scipy.special.gammainc (SciPy 1.17): the series and the fraction need thousands of terms here
    const a = [1e4, 1e5, 1e4, 2000, 3000, 30, 100]
    const x = [1e4, 1e5, 9900, 2000, 3100, 20, 150]
    const want = [
      0.5013298083399552,
      0.5004205221103651,
      0.15865119219356463,
      0.5029735484442025,
      0.9649999863009537,
      0.021818217525557418,
      0.9999940754596646
    ]
    // (the prefactor x^a e^-x / Gamma(a) loses about a * eps to cancellation: 1e-10 at a = 1e5)
    const tol = [1e-11, 3e-10, 1e-11, 1e-11, 1e-11, 1e-13, 1e-13]
    const p = vals(special.gammainc(f64(a), f64(x)))
    const q = vals(special.gammaincc(f64(a), f64(x)))
    const batched = vals(vmapFlat((xs) => [lax.igamma(xs[0]!, xs[1]!)], [f64(a), f64(x)], [0, 0], [0])[0]!)
    p.forEach((v, i) => {
      assert.isTrue(close(v, want[i]!, tol[i]!), `P(${a[i]}, ${x[i]}) = ${v} vs ${want[i]}`)
      assert.isTrue(close(q[i]!, 1 - want[i]!, tol[i]!), `Q(${a[i]}, ${x[i]}) = ${q[i]}`)
      assert.strictEqual(batched[i], v)
    })
    // dP/da where the derivative's series needs thousands of terms: central differences
    const h = 1e-3
    const [g] = vals(lax.igammaGradA(f64([2000]), f64([2050])))
    const [up] = vals(lax.igamma(f64([2000 + h]), f64([2050])))
    const [down] = vals(lax.igamma(f64([2000 - h]), f64([2050])))
    assert.isTrue(close(g!, (up! - down!) / (2 * h), 1e-6), `${g} vs ${(up! - down!) / (2 * h)}`)
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

// E1(x) = -gamma - ln x - sum_k (-x)^k / (k k!), summed in float64 (x <= 4 keeps the terms small)
const EULER = 0.5772156649015329
const e1 = (x: number) => {
  let s = 0
  let term = 1
  for (let k = 1; k < 80; k++) {
    term *= -x / k
    s += term / k
  }
  return -EULER - Math.log(x) - s
}

describe("igamma's derivative in a (lax.igammaGradA, lax.randomGammaGrad)", () => {
  it("dP/da at a = 1 is -e^-x (ln x + gamma) - E1(x) (the integral of ln t e^-t, by parts)", () => {
    const xs = [0.05, 0.4, 1, 1.7, 3, 4]
    const g = vals(lax.igammaGradA(f64(xs.map(() => 1)), f64(xs)))
    xs.forEach((x, i) => {
      const want = -Math.exp(-x) * (Math.log(x) + EULER) - e1(x)
      assert.isTrue(close(g[i]!, want, 1e-12), `x = ${x}: ${g[i]} vs ${want}`)
    })
  })

  it("igammaGradA matches central differences of igamma over the series and fraction sides", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 60, noNaN: true }),
        fc.double({ min: 0.01, max: 120, noNaN: true }),
        (a, x) => {
          const h = 1e-5 * a
          const [p] = vals(lax.igamma(f64([a + h]), f64([x])))
          const [m] = vals(lax.igamma(f64([a - h]), f64([x])))
          const [g] = vals(lax.igammaGradA(f64([a]), f64([x])))
          const fd = (p! - m!) / (2 * h)
          assert.isBelow(Math.abs(g! - fd), 1e-7 * (1 + Math.abs(fd)), `a=${a} x=${x}: ${g} vs ${fd}`)
        }
      ),
      { numRuns: 80 }
    )
  })

  it("grad of igamma, igammac and special.gammainc in both arguments: JVP vs finite differences", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 20, noNaN: true }),
        fc.double({ min: 0.05, max: 30, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.constantFrom("igamma", "igammac", "gammainc", "gammaincc"),
        (a, x, ta, tx, which) => {
          const fn = (u: Tensor, v: Tensor) =>
            which === "igamma"
              ? lax.igamma(u, v)
              : which === "igammac"
              ? lax.igammac(u, v)
              : which === "gammainc"
              ? special.gammainc(u, v)
              : special.gammaincc(u, v)
          const [, [t]] = jvpFlat(([u, v]) => [fn(u!, v!)], [f64([a]), f64([x])], [f64([ta]), f64([tx])])
          const h = 1e-6
          const at = (s: number) => vals(fn(f64([a + s * ta]), f64([x + s * tx])))[0]!
          const fd = (at(h) - at(-h)) / (2 * h)
          assert.isBelow(Math.abs(vals(t!)[0]! - fd), 1e-6 * (1 + Math.abs(fd)), `${which}(${a}, ${x})`)
        }
      ),
      { numRuns: 60 }
    )
  })

  it("vjp and vmap of the a-gradient agree with the elementwise igammaGradA", () => {
    const a = f64([0.5, 2, 9, 30])
    const x = f64([0.3, 5, 4, 41])
    const [, pullback] = vjpFlat(([u]) => [lax.igamma(u!, x)], [a])
    const [ga] = pullback([f64([1, 1, 1, 1])])
    const direct = vals(lax.igammaGradA(a, x))
    vals(ga!).forEach((v, i) => assert.isTrue(close(v, direct[i]!, 1e-14)))
    const [vm] = vmapFlat(
      ([u, v]) => [lax.igammaGradA(u!, v!)],
      [np.reshape(a, [2, 2]), np.reshape(x, [2, 2])],
      [0, 0],
      [0]
    )
    assert.deepStrictEqual(vals(np.ravel(vm!)), direct)
  })

  it("randomGammaGrad is -(dP/da) / (dP/dx) (the implicit reparameterization), without underflow", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 50, noNaN: true }),
        fc.double({ min: 0.01, max: 80, noNaN: true }),
        (a, x) => {
          const [s] = vals(lax.randomGammaGrad(f64([a]), f64([x])))
          const [g] = vals(lax.igammaGradA(f64([a]), f64([x])))
          const density = Math.exp((a - 1) * Math.log(x) - x - vals(lax.lgamma(f64([a])))[0]!)
          fc.pre(density > 1e-250)
          assert.isTrue(close(s!, -g! / density, 1e-9), `a=${a} x=${x}: ${s} vs ${-g! / density}`)
        }
      ),
      { numRuns: 60 }
    )
    // far in the tail the prefactor underflows, the sample derivative does not: x = 700, a = 2
    const [tail] = vals(lax.randomGammaGrad(f64([2]), f64([700])))
    assert.isTrue(Number.isFinite(tail!) && tail! > 0)
  })

  it("domain: NaN for a <= 0 or x < 0 or NaN, 0 at x = 0", () => {
    assert.deepStrictEqual(vals(lax.igammaGradA(f64([0, -1, 2, 2, NaN]), f64([1, 1, -1, 0, 1]))), [
      NaN,
      NaN,
      NaN,
      0,
      NaN
    ])
    assert.deepStrictEqual(vals(lax.randomGammaGrad(f64([2, 0]), f64([0, 1]))), [0, NaN])
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
