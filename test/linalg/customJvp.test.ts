/**
 * JAX's custom JVPs of np.linalg: det's (trace(adj(a) da), finite at singular
 * matrices) and pinv's (Golub-Pereyra, finite at repeated singular values).
 * References: the cofactor matrix by Laplace expansion in plain JS (the gradient
 * of det, JAX's value at a rank n - 1 matrix; zero below that rank) and float64
 * central differences.
 */
import { describe, expect, it } from "@effect/vitest"
import { grad, jit, jvp, np, runSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import fc from "fast-check"
import {
  assertClose,
  assertGradMatchesFd,
  finiteGradient,
  flat,
  gradient,
  type Matrix,
  randomMatrix,
  tensor,
  weights
} from "./helpers.js"

/** The determinant by Laplace expansion along the first row (exact for small integer matrices). */
const laplace = (a: Matrix): number =>
  a.length === 0 ? 1 : a[0]!.reduce((s, x, j) => s + (j % 2 === 0 ? 1 : -1) * x * laplace(minor(a, 0, j)), 0)
const minor = (a: Matrix, i: number, j: number): Matrix =>
  a.filter((_, r) => r !== i).map((row) => row.filter((_, c) => c !== j))
/** The cofactor matrix: d det(a) / d a. */
const cofactors = (a: Matrix): Array<number> =>
  a.flatMap((row, i) => row.map((_, j) => ((i + j) % 2 === 0 ? 1 : -1) * laplace(minor(a, i, j))))

const det = (x: Tensor) => np.linalg.det(x)

describe("det's custom JVP (JAX's _cofactor_solve)", () => {
  // Row 4 = row 1 + row 2: rank 3. The cofactor matrix is nonzero.
  const corank1: Matrix = [[1, 2, 3, 4], [2, 0, 1, 3], [0, 1, 1, 1], [3, 2, 4, 7]]
  // Rank 3 of 5: every 4x4 minor vanishes, so the gradient is zero.
  const corank2: Matrix = [
    [1, 2, 0, 1, 3],
    [0, 1, 1, 2, 1],
    [2, 1, 3, 0, 1],
    [3, 3, 3, 1, 4],
    [1, 3, 1, 3, 4]
  ]

  it("at a rank n - 1 matrix the gradient is the cofactor matrix (not NaN)", () => {
    expect(laplace(corank1)).toBe(0)
    const expected = cofactors(corank1)
    expect(expected.some((c) => c !== 0)).toBe(true)
    assertClose(gradient(det, corank1.flat(), [4, 4]), expected, 1e-12)
    // float32 too (the default dtype)
    const g32 = flat(runSync(grad(det)(tensor(corank1, "float32"))) as Tensor)
    assertClose(g32, expected, 1e-4)
  })

  it("at a rank n - 2 matrix the gradient is zero", () => {
    expect(laplace(corank2)).toBe(0)
    expect(cofactors(corank2).every((c) => c === 0)).toBe(true)
    const g = gradient(det, corank2.flat(), [5, 5])
    expect(g.every((x) => Number.isFinite(x))).toBe(true)
    assertClose(g, new Array(25).fill(0), 1e-12)
  })

  it("the zero matrix and a rank-one matrix have a zero gradient; a 1x1 has gradient 1", () => {
    assertClose(gradient(det, new Array(16).fill(0), [4, 4]), new Array(16).fill(0), 0)
    const u = [1, 2, 3, 4]
    assertClose(gradient(det, u.flatMap((x) => u.map((y) => x * y)), [4, 4]), new Array(16).fill(0), 1e-12)
    assertClose(gradient(det, [0], [1, 1]), [1], 0)
  })

  it("nonsingular matrices: the cofactor matrix, equal to det * inv^T, and finite differences", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 6 }), fc.integer({ min: 1, max: 1000 }), (n, seed) => {
        const a = randomMatrix(n, n, seed)
        assertClose(gradient(det, a.flat(), [n, n]), cofactors(a), 1e-10)
        assertGradMatchesFd(det, a.flat(), [n, n], 1e-6)
      }),
      { numRuns: 8 }
    )
  })

  it("forward mode, batched, under jit and second order at a singular matrix", () => {
    const a = tensor([corank1, randomMatrix(4, 4, 3)])
    const t = weights([2, 4, 4], 7)
    const [, dy] = runSync(jvp(det, [a], [t])) as [Tensor, Tensor]
    const tt = flat(t)
    const expected = [0, 1].map((b) => {
      const c = cofactors(b === 0 ? corank1 : randomMatrix(4, 4, 3))
      return c.reduce((s, x, k) => s + x * tt[b * 16 + k]!, 0)
    })
    assertClose(flat(dy), expected, 1e-10)
    const g = runSync(jit(vmap(grad(det)))(a)) as Tensor
    assertClose(flat(g), [...cofactors(corank1), ...cofactors(randomMatrix(4, 4, 3))], 1e-10)
    // the Hessian-vector product of det at a singular matrix vs differences of the exact gradient
    const v = weights([4, 4], 9)
    const hvp = (x: Tensor) => np.sum(np.multiply(v, runSync(grad(det)(x)) as Tensor))
    const base = corank1.flat()
    const second = gradient(hvp, base, [4, 4])
    const fd = finiteGradient(hvp, base, [4, 4], 1e-4)
    assertClose(second, fd, 1e-6)
  })
})

/** A random m x n matrix times an orthogonal-ish conditioning: full rank, flat. */
const fullRank = (m: number, n: number, seed: number): Array<number> =>
  randomMatrix(m, n, seed).flatMap((row, i) => row.map((x, j) => x + (i === j ? 2 : 0)))

describe("pinv's custom JVP (Golub-Pereyra)", () => {
  const pinvSum = (shape: ReadonlyArray<number>, seed: number) => {
    const w = weights(shape, seed)
    return (x: Tensor) => np.sum(np.multiply(w, np.linalg.pinv(x)))
  }

  it("matches float64 finite differences on full-rank wide, tall and square matrices", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 999 }),
        (m, n, seed) => {
          assertGradMatchesFd(pinvSum([n, m], seed), fullRank(m, n, seed), [m, n], 1e-6)
        }
      ),
      { numRuns: 12 }
    )
  })

  it("is finite and right at repeated singular values (an orthogonal matrix, a scaled identity)", () => {
    const c = Math.cos(0.3)
    const s = Math.sin(0.3)
    const rotation = [c, -s, 0, s, c, 0, 0, 0, 1]
    const g = gradient(pinvSum([3, 3], 4), rotation, [3, 3])
    expect(g.every((x) => Number.isFinite(x))).toBe(true)
    assertClose(g, finiteGradient(pinvSum([3, 3], 4), rotation, [3, 3]), 1e-6)
    const twoI = [2, 0, 0, 0, 2, 0]
    assertGradMatchesFd(pinvSum([3, 2], 5), twoI, [2, 3], 1e-6)
    // pinv = inv for a nonsingular matrix: d inv = -inv da inv
    const [, dp] = runSync(
      jvp((x: Tensor) => np.linalg.pinv(x), [tensor([[2, 0], [0, 2]])], [tensor([[1, 2], [3, 4]])])
    ) as [Tensor, Tensor]
    assertClose(flat(dp), [-0.25, -0.5, -0.75, -1], 1e-15)
  })

  it("the hermitian path has the same derivative", () => {
    const a = [4, 1, 0, 1, 3, 1, 0, 1, 2]
    const viaEigh = (x: Tensor) => np.sum(np.multiply(weights([3, 3], 2), np.linalg.pinv(x, { hermitian: true })))
    const viaSvd = pinvSum([3, 3], 2)
    assertClose(gradient(viaEigh, a, [3, 3]), gradient(viaSvd, a, [3, 3]), 1e-12)
  })
})
