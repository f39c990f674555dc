/**
 * Derivatives of the linear-algebra functions against float64 central finite
 * differences (fast-check over random well-conditioned matrices), through the
 * decompositions; reverse mode exercises triangular_solve's transpose rule.
 */
import { describe, it } from "@effect/vitest"
import { lax, linalg, np } from "diffect"
import type { Tensor } from "diffect"
import fc from "fast-check"
import { assertGradMatchesFd, weights } from "./helpers.js"

const entries = (count: number) =>
  fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: count, maxLength: count })

/** `b b^T + n I` (well conditioned, symmetric positive definite), flat. */
const spdFlat = (b: ReadonlyArray<number>, n: number): Array<number> =>
  Array.from({ length: n * n }, (_, k) => {
    const [i, j] = [Math.floor(k / n), k % n]
    let s = i === j ? n : 0
    for (let c = 0; c < n; c++) s += b[i * n + c]! * b[j * n + c]!
    return s
  })

/** A matrix with a dominant diagonal (well conditioned), flat. */
const dominant = (b: ReadonlyArray<number>, n: number): Array<number> =>
  b.map((x, k) => (Math.floor(k / n) === k % n ? x + (x >= 0 ? 3 : -3) : x))

const weighted = (shape: ReadonlyArray<number>, f: (x: Tensor) => Tensor, seed = 1) => {
  const w = weights(shape, seed)
  return (x: Tensor) => np.sum(np.multiply(w, f(x)))
}

const runs = { numRuns: 12 }

describe("derivatives vs float64 finite differences", () => {
  it("cholesky", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), entries(16), (n, b) => {
        const x = spdFlat(b, n)
        assertGradMatchesFd(weighted([n, n], (a) => np.linalg.cholesky(a)), x, [n, n])
      }),
      runs
    )
  })

  it("triangular_solve in a and in b, every side, triangle and transpose", () => {
    fc.assert(
      fc.property(
        entries(9),
        entries(6),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (a, b, leftSide, lower, transposeA, unitDiagonal) => {
          const am = dominant(a, 3)
          const bShape = leftSide ? [3, 2] : [2, 3]
          const opts = { leftSide, lower, transposeA, unitDiagonal }
          const bt = np.reshape(np.array(b, { dtype: "float64" }), bShape)
          const at = np.reshape(np.array(am, { dtype: "float64" }), [3, 3])
          assertGradMatchesFd(weighted(bShape, (x) => lax.linalg.triangularSolve(x, bt, opts)), am, [3, 3])
          assertGradMatchesFd(weighted(bShape, (x) => lax.linalg.triangularSolve(at, x, opts)), b, bShape)
        }
      ),
      runs
    )
  })

  it("solve (in a and b), inv, det, slogdet", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), entries(25), entries(10), (n, a, b) => {
        const am = dominant(a.slice(0, n * n), n)
        const bm = b.slice(0, n * 2)
        const bt = np.reshape(np.array(bm, { dtype: "float64" }), [n, 2])
        const at = np.reshape(np.array(am, { dtype: "float64" }), [n, n])
        assertGradMatchesFd(weighted([n, 2], (x) => np.linalg.solve(x, bt)), am, [n, n])
        assertGradMatchesFd(weighted([n, 2], (x) => np.linalg.solve(at, x)), bm, [n, 2])
        assertGradMatchesFd(weighted([n, n], (x) => np.linalg.inv(x)), am, [n, n])
        assertGradMatchesFd((x) => np.linalg.det(x), am, [n, n])
        assertGradMatchesFd((x) => np.linalg.slogdet(x)[1], am, [n, n])
      }),
      runs
    )
  })

  it("lu's packed factors, and SciPy's choSolve / luSolve", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 4 }), entries(16), (m, n, a) => {
        // A dominant leading diagonal keeps the matrix away from rank deficiency and from pivot ties.
        const x = a.slice(0, m * n).map((v, q) => (Math.floor(q / n) === q % n ? v + (v >= 0 ? 3 : -3) : v))
        // Pivot choices are locally constant away from ties, so the factors are differentiable here.
        assertGradMatchesFd(weighted([m, n], (t) => lax.linalg.lu(t)[0]), x, [m, n])
        const k = Math.min(m, n)
        const spd = spdFlat(a, k)
        const rhs = np.reshape(np.array(x.slice(0, k), { dtype: "float64" }), [k])
        assertGradMatchesFd(weighted([k], (t) => linalg.choSolve(linalg.choFactor(t), rhs)), spd, [k, k])
        assertGradMatchesFd(weighted([k], (t) => linalg.luSolve(linalg.luFactor(t), rhs)), spd, [k, k])
      }),
      runs
    )
  })
})
