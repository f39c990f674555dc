/**
 * special.hyp1f1 / hyp2f1 against float64 references computed here: their defining series
 * summed in JS doubles to convergence (positive terms where they are used far out), closed forms
 * (exponentials, logarithms, erf, arcsin, arctan), Kummer's and Gauss's theorems; their
 * derivatives against central differences; jit and vmap.
 */
import { assert, describe, it } from "@effect/vitest"
import { jit, jvp, np, runSync, special, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { failure } from "./npSetup.js"

const f64 = (v: Array<number>) => np.array(v, { dtype: "float64" })
const vals = (t: Tensor) => toJsSync(t) as Array<number>
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300))
// relative closeness, lane by lane (named so that the linter counts it as an assertion)
const expect = {
  near: (got: ReadonlyArray<number>, want: ReadonlyArray<number>, tol: number, what: string) =>
    want.forEach((w, i) => assert.isBelow(rel(got[i]!, w), tol, `${what}[${i}]: ${got[i]} vs ${w}`))
}

// sum_k (a)_k / (b)_k x^k / k! and sum_k (a)_k (b)_k / (c)_k x^k / k!, to the last term that matters
const series1 = (a: number, b: number, x: number) => {
  let sum = 0
  let term = 1
  for (let k = 0; k < 100000 && (k < 10 || Math.abs(term) > 1e-18 * Math.abs(sum)); k++) {
    sum += term
    term *= ((a + k) / (b + k)) * (x / (k + 1))
  }
  return sum
}
const series2 = (a: number, b: number, c: number, x: number) => {
  let sum = 0
  let term = 1
  for (let k = 0; k < 400000 && (k < 10 || Math.abs(term) > 1e-18 * Math.abs(sum)); k++) {
    sum += term
    term *= (((a + k) * (b + k)) / (c + k)) * (x / (k + 1))
  }
  return sum
}
const fd = (f: (u: number) => number, u: number, h = 1e-6) => (f(u + h) - f(u - h)) / (2 * h)

describe("hyp1f1", () => {
  it("the series and the asymptotic regime against the positive series summed in float64", () => {
    const cases = [[0.5, 1.5, 3], [2.5, 4, 20], [1.3, 0.7, 99], [1.3, 0.7, 101], [2.5, 4, 150], [0.2, 3, 300], [
      3,
      1.7,
      120
    ]]
    const got = vals(
      special.hyp1f1(f64(cases.map((k) => k[0]!)), f64(cases.map((k) => k[1]!)), f64(cases.map((k) => k[2]!)))
    )
    expect.near(got, cases.map(([a, b, x]) => series1(a!, b!, x!)), 1e-12, "1F1")
  })
  it("closed forms: (e^x - 1) / x, e^x, and erf through Kummer's transformation for x < 0", () => {
    const xs = [-300, -60, -5, -0.5, 0.5, 3, 50, 99, 101, 300]
    expect.near(vals(special.hyp1f1(1, 2, f64(xs))), xs.map((x) => Math.expm1(x) / x), 1e-12, "1F1(1; 2; x)")
    expect.near(vals(special.hyp1f1(2.5, 2.5, f64([-3, 4]))), [Math.exp(-3), Math.exp(4)], 1e-15, "1F1(a; a; x)")
    // 1F1(1/2; 3/2; -t^2) = sqrt(pi) erf(t) / (2t): JAX's direct series loses every digit at t^2 = 40
    const ts = [0.3, 2, Math.sqrt(40), 9, 12]
    const erf = vals(special.erf(f64(ts)))
    expect.near(
      vals(special.hyp1f1(0.5, 1.5, f64(ts.map((t) => -t * t)))),
      ts.map((t, i) => (Math.sqrt(Math.PI) * erf[i]!) / (2 * t)),
      1e-12,
      "erf"
    )
    // Kummer: 1F1(a; b; x) = e^x 1F1(b - a; b; -x), the right side's series positive
    expect.near(
      vals(special.hyp1f1(0.7, 2.2, f64([-30, -8]))),
      [-30, -8].map((x) => Math.exp(x) * series1(1.5, 2.2, -x)),
      1e-12,
      "Kummer"
    )
  })
  it("the terminating series (a non-positive integer) at any x, JAX's special cases, NaN", () => {
    // 1F1(-2; b; x) = 1 - 2x / b + x^2 / (b (b + 1))
    const poly = (b: number, x: number) => 1 - (2 * x) / b + (x * x) / (b * (b + 1))
    expect.near(
      vals(special.hyp1f1(-2, 1.5, f64([3, 150, -150]))),
      [3, 150, -150].map((x) => poly(1.5, x)),
      1e-12,
      "1F1(-2; b; x)"
    )
    const edge = vals(special.hyp1f1(f64([0, 0, 1.5, NaN, 1]), f64([3, 0, 0, 2, 2]), f64([5, 5, 5, 1, NaN])))
    assert.deepStrictEqual(edge, [1, 1, Infinity, NaN, NaN])
  })
  it("float32, promotion, and complex refused", () => {
    const t = special.hyp1f1(1, 2, np.array([1, -2]))
    assert.strictEqual(t.dtype, "float32")
    expect.near(vals(t), [Math.E - 1, (1 - Math.exp(-2)) / 2], 2e-6, "float32")
    assert.include(failure(() => special.hyp1f1(1, 2, np.array([{ re: 1, im: 0 }])), "DTypeError"), "complex")
  })
  it("derivatives in a, b and x against central differences, on both sides of 0", () => {
    for (const [a, b, x] of [[0.7, 1.9, 2.5], [1.4, 2.2, -6], [2, 3.5, 0.4]]) {
      const at = (p: number, q: number, u: number) => vals(special.hyp1f1(f64([p]), f64([q]), f64([u])))[0]!
      const d = (i: number) =>
        vals(
          runSync(jvp((p: Tensor, q: Tensor, u: Tensor) => special.hyp1f1(p, q, u), [f64([a!]), f64([b!]), f64([x!])], [
            f64([i === 0 ? 1 : 0]),
            f64([i === 1 ? 1 : 0]),
            f64([i === 2 ? 1 : 0])
          ]))[1] as Tensor
        )[0]!
      assert.isBelow(rel(d(0), fd((p) => at(p, b!, x!), a!)), 1e-7, `d/da at ${[a, b, x]}`)
      assert.isBelow(rel(d(1), fd((q) => at(a!, q, x!), b!)), 1e-7, `d/db at ${[a, b, x]}`)
      assert.isBelow(rel(d(2), fd((u) => at(a!, b!, u), x!)), 1e-7, `d/dx at ${[a, b, x]}`)
    }
  })
  it("under jit and vmap, the eager values", () => {
    const xs = f64([-4, 0.5, 120])
    const eager = vals(special.hyp1f1(0.5, 1.5, xs))
    expect.near(vals(runSync(jit((x: Tensor) => special.hyp1f1(0.5, 1.5, x))(xs))), eager, 1e-15, "jit")
    expect.near(vals(runSync(vmap((x: Tensor) => special.hyp1f1(0.5, 1.5, x))(xs))), eager, 1e-15, "vmap")
  })
})

describe("hyp2f1", () => {
  it("against the series summed in float64 (Taylor, Euler's transformation, both sides of x = 0.9)", () => {
    const cases = [
      [0.5, 1.5, 0.7, 0.5],
      [2, 3, 3.5, 0.5], // c - a - b <= -1: Euler's transformation
      [1.2, 0.4, 2.7, -0.8],
      [1.5, 2.5, 3, 0.95], // integer c - a - b beyond 0.9: the expansion about 1
      [0.5, 0.5, 2, 0.97],
      [0.3, 0.7, 2.1, 0.99], // non-integer c - a - b beyond 0.9: the connection formula
      [0.5, 1.5, 0.7, 0.95]
    ]
    const got = vals(
      special.hyp2f1(...([0, 1, 2, 3].map((j) => f64(cases.map((k) => k[j]!))) as [Tensor, Tensor, Tensor, Tensor]))
    )
    expect.near(got, cases.map(([a, b, c, x]) => series2(a!, b!, c!, x!)), 1e-12, "2F1")
  })
  it("closed forms: -log(1 - x) / x, (1 - x)^-a, arcsin, arctan (Pfaff's transformation for x < 0)", () => {
    const xs = [-20, -3, -0.5, 0.3, 0.95, 0.999]
    expect.near(vals(special.hyp2f1(1, 1, 2, f64(xs))), xs.map((x) => -Math.log1p(-x) / x), 1e-12, "2F1(1, 1; 2; x)")
    expect.near(vals(special.hyp2f1(0.7, 1.3, 1.3, f64([-2, 0.5]))), [3 ** -0.7, 0.5 ** -0.7], 1e-14, "2F1(a, b; b; x)")
    // 2F1(1/2, 1/2; 3/2; t^2) = arcsin(t) / t; 2F1(1/2, 1; 3/2; -t^2) = arctan(t) / t
    const ts = [0.2, 0.9, 0.99, 0.9999]
    expect.near(
      vals(special.hyp2f1(0.5, 0.5, 1.5, f64(ts.map((t) => t * t)))),
      ts.map((t) => Math.asin(t) / t),
      1e-12,
      "arcsin"
    )
    const us = [0.5, 3, 10, 1000]
    expect.near(
      vals(special.hyp2f1(0.5, 1, 1.5, f64(us.map((t) => -t * t)))),
      us.map((t) => Math.atan(t) / t),
      1e-12,
      "arctan"
    )
  })
  it("Gauss's sum at x = 1, the terminating polynomial, JAX's infinities", () => {
    // 2F1(a, b; c; 1) = Gamma(c) Gamma(c - a - b) / (Gamma(c - a) Gamma(c - b)): (0.5, 0.25, 2) in closed form
    const g = (x: number) => vals(special.gamma(f64([x])))[0]!
    expect.near(vals(special.hyp2f1(0.5, 0.25, 2, f64([1]))), [(g(2) * g(1.25)) / (g(1.5) * g(1.75))], 1e-13, "Gauss")
    // 2F1(-3, 2; 1.5; x): four terms
    const poly = (x: number) => {
      let s = 0
      let t = 1
      for (let k = 0; k <= 3; k++) {
        s += t
        t *= (((-3 + k) * (2 + k)) / (1.5 + k)) * (x / (k + 1))
      }
      return s
    }
    expect.near(vals(special.hyp2f1(-3, 2, 1.5, f64([0.97, -5, 0.3]))), [0.97, -5, 0.3].map(poly), 1e-12, "polynomial")
    const edge = vals(
      special.hyp2f1(
        f64([1, 1, 1, 1, 0, NaN]),
        f64([2, 2, 1, 2, 3, 1]),
        f64([-2, 3, 2, 3, 4, 2]),
        f64([0.5, 1.5, 1, 0, 0.7, 0.5])
      )
    )
    assert.deepStrictEqual(edge, [Infinity, Infinity, Infinity, 1, 1, NaN])
  })
  it("float32", () => {
    const t = special.hyp2f1(1, 1, 2, np.array([0.5, -3]))
    assert.strictEqual(t.dtype, "float32")
    expect.near(vals(t), [2 * Math.LN2, Math.log(4) / 3], 2e-6, "float32")
  })
  it("derivatives in a, b, c and x against central differences", () => {
    for (const [a, b, c, x] of [[0.7, 1.3, 2.1, 0.3], [1.2, 0.4, 2.7, -0.4]]) {
      const p0 = [a!, b!, c!, x!]
      const at = (p: ReadonlyArray<number>) =>
        vals(special.hyp2f1(f64([p[0]!]), f64([p[1]!]), f64([p[2]!]), f64([p[3]!])))[0]!
      for (let i = 0; i < 4; i++) {
        const tangents = [0, 1, 2, 3].map((j) => f64([j === i ? 1 : 0]))
        const d = vals(
          runSync(jvp(
            (p: Tensor, q: Tensor, r: Tensor, u: Tensor) => special.hyp2f1(p, q, r, u),
            p0.map((v) => f64([v])) as [Tensor, Tensor, Tensor, Tensor],
            tangents as [Tensor, Tensor, Tensor, Tensor]
          ))[1] as Tensor
        )[0]!
        const numeric = fd((v) => at(p0.map((w, j) => (j === i ? v : w))), p0[i]!)
        assert.isBelow(rel(d, numeric), 1e-7, `d/d${"abcx"[i]} at ${p0}`)
      }
    }
  })
  it("under jit and vmap, the eager values", () => {
    const xs = f64([-3, 0.4, 0.97])
    const eager = vals(special.hyp2f1(0.5, 1, 1.5, xs))
    expect.near(vals(runSync(jit((x: Tensor) => special.hyp2f1(0.5, 1, 1.5, x))(xs))), eager, 1e-15, "jit")
    expect.near(vals(runSync(vmap((x: Tensor) => special.hyp2f1(0.5, 1, 1.5, x))(xs))), eager, 1e-15, "vmap")
  })
})
