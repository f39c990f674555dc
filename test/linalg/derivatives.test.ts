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

/**
 * A generic point: every entry pushed away from zero by 0.25 to 1.25, keeping its
 * sign (no kinks of |x|, no zero or nearly zero subdiagonal where LAPACK's
 * Householder switches to the identity and q flips sign: a shift of the same sign
 * for every entry let fast-check's -1 land on exactly 0), and the diagonal raised by
 * 3, 6, 9, ... (distinct singular values and eigenvalues).
 */
const generic = (a: ReadonlyArray<number>, cols: number): Array<number> =>
  a.map((v, q) => {
    const offZero = 0.25 * ((q * 7) % 5 + 1)
    return v + (v >= 0 ? offZero : -offZero) + (Math.floor(q / cols) === q % cols ? 3 * (1 + (q % cols)) : 0)
  })

/** The sums of absolute values of each row or column of a flat `rows x cols` matrix. */
const absSums = (x: ReadonlyArray<number>, rows: number, cols: number, of: "rows" | "columns"): Array<number> =>
  of === "rows"
    ? Array.from({ length: rows }, (_, i) => x.slice(i * cols, (i + 1) * cols).reduce((s, v) => s + Math.abs(v), 0))
    : Array.from({ length: cols }, (_, j) => x.reduce((s, v, q) => (q % cols === j ? s + Math.abs(v) : s), 0))

/** Whether the largest value exceeds every other by at least 1e-3 (no tie within a finite-difference step). */
const leadsClearly = (values: ReadonlyArray<number>): boolean => {
  const sorted = [...values].sort((p, q) => q - p)
  return sorted.length < 2 || sorted[0]! - sorted[1]! > 1e-3
}

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
        // choFactor reads one triangle while the Cholesky JVP takes the tangent as symmetric (JAX's rule):
        // differences agree along symmetric perturbations
        const sym = (t: Tensor) => np.divide(np.add(t, np.matrixTranspose(t)), 2)
        assertGradMatchesFd(weighted([k], (t) => linalg.choSolve(linalg.choFactor(sym(t)), rhs)), spd, [k, k])
        assertGradMatchesFd(weighted([k], (t) => linalg.luSolve(linalg.luFactor(t), rhs)), spd, [k, k])
      }),
      runs
    )
  })
})

describe("derivatives through qr, eigh and svd (gauge-invariant functions)", () => {
  it("qr (m >= n, reduced): q and r", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), entries(24), (n, extra, a) => {
        const m = n + extra
        const x = generic(a.slice(0, m * n), n)
        assertGradMatchesFd(weighted([m, n], (t) => np.linalg.qr(t)[0]), x, [m, n])
        assertGradMatchesFd(weighted([n, n], (t) => np.linalg.qr(t, { mode: "r" }), 2), x, [m, n])
      }),
      runs
    )
  })

  it("qr of wide matrices (m < n) and the complete q of tall ones (JAX's rule, arXiv 2409.13374): q and r", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), entries(24), (k, extra, a) => {
        // wide: k x (k + extra)
        const wide = generic(a.slice(0, k * (k + extra)), k + extra)
        assertGradMatchesFd(weighted([k, k], (t) => np.linalg.qr(t)[0]), wide, [k, k + extra])
        assertGradMatchesFd(weighted([k, k + extra], (t) => np.linalg.qr(t, { mode: "r" }), 2), wide, [k, k + extra])
        // tall, complete: (k + extra) x k, q square
        const tall = generic(a.slice(0, (k + extra) * k), k)
        const m = k + extra
        assertGradMatchesFd(weighted([m, m], (t) => np.linalg.qr(t, { mode: "complete" })[0], 3), tall, [m, k])
        assertGradMatchesFd(weighted([m, k], (t) => np.linalg.qr(t, { mode: "complete" })[1], 4), tall, [m, k])
      }),
      runs
    )
  })

  it("eigh: eigenvalues and the squared eigenvector entries (sign-invariant)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), entries(16), (n, a) => {
        // Diagonal offsets 0, 10, 20, ... keep the eigenvalues apart (|perturbation| <= n - 1 < 5).
        const x = a.slice(0, n * n).map((v, q) => (Math.floor(q / n) === q % n ? v + 10 * (q % n) : v))
        assertGradMatchesFd(weighted([n], (t) => np.linalg.eigvalsh(t)), x, [n, n])
        const squared = (t: Tensor) => {
          const v = np.linalg.eigh(t)[1]
          return np.multiply(v, v)
        }
        assertGradMatchesFd(weighted([n, n], squared, 3), x, [n, n], 1e-5)
      }),
      runs
    )
  })

  it("eigh at repeated eigenvalues: the eigenvalues' gradient stays finite (JAX's masked Fmat)", () => {
    // d trace(diag(w)) / dA = I, also at the identity (all eigenvalues equal)
    assertGradMatchesFd((t) => np.sum(np.linalg.eigvalsh(t)), [1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])
    // a function symmetric in the repeated pair is differentiable there: w0 + w1 + 3 w2 at eigenvalues 2, 2, 5
    const w = np.array([1, 1, 3], { dtype: "float64" })
    const f = (t: Tensor) => np.sum(np.multiply(w, np.linalg.eigvalsh(t)))
    assertGradMatchesFd(f, [2, 0, 0, 0, 2, 0, 0, 0, 5], [3, 3])
  })

  it("svd (reduced): singular values, |u|^2, |vh|^2 and the reconstruction", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), entries(16), (m, n, a) => {
        const x = generic(a.slice(0, m * n), n)
        const k = Math.min(m, n)
        assertGradMatchesFd(weighted([k], (t) => np.linalg.svdvals(t)), x, [m, n], 1e-5)
        const parts = (t: Tensor) => {
          const [u, , vh] = np.linalg.svd(t, { fullMatrices: false })
          return np.concatenate([np.ravel(np.multiply(u, u)), np.ravel(np.multiply(vh, vh))])
        }
        assertGradMatchesFd(weighted([m * k + k * n], parts, 5), x, [m, n], 1e-5)
        const rebuilt = (t: Tensor) => {
          const [u, s, vh] = np.linalg.svd(t, { fullMatrices: false })
          return np.matmul(np.multiply(u, s), vh)
        }
        assertGradMatchesFd(weighted([m, n], rebuilt, 6), x, [m, n], 1e-5)
      }),
      runs
    )
  })

  it("pinv, lstsq, norms (2, nuc, fro, 1, inf, vector p), cond", () => {
    fc.assert(
      fc.property(entries(12), (a) => {
        const x = generic(a, 3)
        // the 1- and inf-norms are maxima of column / row sums: central differences are only
        // meaningful away from a tie (a kink), so the largest sum must lead by more than the step
        fc.pre(leadsClearly(absSums(x, 4, 3, "columns")) && leadsClearly(absSums(x, 4, 3, "rows")))
        assertGradMatchesFd(weighted([3, 4], (t) => np.linalg.pinv(t)), x, [4, 3], 1e-5)
        const b = np.array([1, -2, 0.5, 3], { dtype: "float64" })
        assertGradMatchesFd(weighted([3], (t) => np.linalg.lstsq(t, b)[0]), x, [4, 3], 1e-5)
        for (const ord of [2, -2, "nuc", "fro", 1, Infinity] as const) {
          assertGradMatchesFd((t) => np.linalg.norm(t, { ord }), x, [4, 3], 1e-5)
        }
        assertGradMatchesFd((t) => np.linalg.vectorNorm(t, { ord: 3 }), x, [12], 1e-5)
        assertGradMatchesFd((t) => np.linalg.cond(t), x.slice(0, 9), [3, 3], 1e-5)
      }),
      { numRuns: 6 }
    )
  })

  it("svd with hermitian: true (eigh, |w| sorted): singular values and U diag(c) Vh", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), entries(16), (n, a) => {
        // symmetric, eigenvalues near 3, -7, 11, -15 (|w| apart, both signs: vh carries the signs)
        const sym = Array.from({ length: n * n }, (_, q) => {
          const [i, j] = [Math.floor(q / n), q % n]
          return (a[i * n + j]! + a[j * n + i]!) / 2 + (i === j ? (i % 2 === 0 ? 1 : -1) * (3 + 4 * i) : 0)
        })
        assertGradMatchesFd(weighted([n], (t) => np.linalg.svd(t, { hermitian: true, computeUv: false })), sym, [n, n])
        const c = np.array(Array.from({ length: n }, (_, i) => 1 + i * i), { dtype: "float64" })
        const invariant = (t: Tensor) => {
          const [u, , vh] = np.linalg.svd(t, { hermitian: true })
          return np.matmul(np.multiply(u, c), vh)
        }
        assertGradMatchesFd(weighted([n, n], invariant, 3), sym, [n, n], 1e-5)
        // (pinv's hermitian path has JAX's general custom JVP, which does not symmetrize the tangent
        // as the eigh inside does: test/linalg/customJvp.test.ts checks it equals the general path)
      }),
      runs
    )
  })
})
