/**
 * Shared by the stats test files: float64 tensors, independent references
 * computed in float64 JS (Simpson's rule, Lanczos' log-gamma, binomial
 * coefficients), relative comparisons, and a derivative of a stats function
 * checked against central differences of the same function.
 */
import { np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert } from "@effect/vitest"
import { grad, runSync } from "diffect"

export const f64 = (v: np.NestedArray): Tensor => np.array(v, { dtype: "float64" })
export const vals = (t: Tensor): Array<number> => toJsSync(t) as Array<number>

/** Asserts each value is within `rtol` of the reference, relative to it (NaN, infinities exactly). */
export const assertRel = (got: ReadonlyArray<number>, want: ReadonlyArray<number>, rtol: number, what = ""): void => {
  assert.strictEqual(got.length, want.length, `${what}: length`)
  got.forEach((g, i) => {
    const w = want[i]!
    if (!Number.isFinite(w)) assert.strictEqual(String(g), String(w), `${what}[${i}]: ${g} vs ${w}`)
    else assert.isTrue(Math.abs(g - w) <= rtol * Math.abs(w), `${what}[${i}]: ${g} vs ${w} (rel ${(g - w) / w})`)
  })
}

/** Composite Simpson's rule on [a, b] with `n` (even) panels. */
export const simpson = (f: (x: number) => number, a: number, b: number, n = 4000): number => {
  const h = (b - a) / n
  let s = f(a) + f(b)
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h)
  return (s * h) / 3
}

// Lanczos (g = 7, 9 terms), about 1e-15 relative for x >= 0.5; reflection below
const LANCZOS = [
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
/** log Gamma(x) for x > 0, in float64. */
export const lgamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]!
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/** The binomial coefficient C(n, k) for integers, exactly while it fits. */
export const choose = (n: number, k: number): number => {
  let r = 1
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i
  return r
}

/** The standard normal density in float64. */
export const phi = (x: number): number => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)

/**
 * Asserts that the gradient of `sum(f(t))` at each point equals the fourth-order
 * central difference of `f` at it (`f` elementwise in its float64 argument).
 */
export const assertGradMatchesDifferences = (
  f: (t: Tensor) => Tensor,
  points: ReadonlyArray<number>,
  rtol = 1e-7,
  h = 1e-3
): void => {
  const g = vals(runSync(grad((t: Tensor) => np.sum(f(t)))(f64([...points]))) as Tensor)
  const at = (d: number) => vals(f(f64(points.map((p) => p + d))))
  const [p1, m1, p2, m2] = [at(h), at(-h), at(2 * h), at(-2 * h)]
  const fd = points.map((_, i) => (8 * (p1[i]! - m1[i]!) - (p2[i]! - m2[i]!)) / (12 * h))
  points.forEach((p, i) => {
    const tol = rtol * Math.max(1, Math.abs(fd[i]!))
    assert.isTrue(Math.abs(g[i]! - fd[i]!) <= tol, `d/dx at ${p}: ${g[i]} vs central difference ${fd[i]}`)
  })
}

/** Simpson's rule for a function evaluated on the whole grid at once (one tensor call). */
export const simpsonGrid = (
  f: (xs: Array<number>) => ReadonlyArray<number>,
  a: number,
  b: number,
  n = 2000
): number => {
  const h = (b - a) / n
  const ys = f(Array.from({ length: n + 1 }, (_, i) => a + i * h))
  let s = ys[0]! + ys[n]!
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * ys[i]!
  return (s * h) / 3
}

/**
 * Asserts that the gradient of a scalar function of one float64 vector equals
 * the fourth-order central differences along each coordinate.
 */
export const assertVectorGrad = (
  f: (t: Tensor) => Tensor,
  point: ReadonlyArray<number>,
  rtol = 1e-7,
  h = 1e-3
): void => {
  const g = vals(runSync(grad(f)(f64([...point]))) as Tensor)
  point.forEach((_, i) => {
    const at = (d: number) => vals(f(f64(point.map((p, j) => (j === i ? p + d : p)))).reshape([1]))[0]!
    const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h)
    assert.isTrue(Math.abs(g[i]! - fd) <= rtol * Math.max(1, Math.abs(fd)), `d/dx_${i}: ${g[i]} vs ${fd}`)
  })
}
