/**
 * `sparse.linalg.cg` and `sparse.linalg.bicgstab` (JAX's jax.scipy.sparse.linalg;
 * tests/lax_scipy_sparse_test.py): solutions against `linalg.solve` on random
 * systems (fast-check, float64), one conjugate-gradient step by hand, pytrees,
 * preconditioners, initial guesses, gradients in the matrix and the right-hand side
 * against `linalg.solve`'s, vmap, jit and typed errors.
 */
import { linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { bicgstab, cg } from "../src/SparseLinalg.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertCloseAll, run, thrown, values } from "./vmapSupport.js"

const square = (xs: ReadonlyArray<number>, n: number): Tensor => np.reshape(arr([...xs]), [n, n])
// symmetric positive definite: m m^T + n I; diagonally dominant (nonsymmetric): m + 2n I
const spd = (xs: ReadonlyArray<number>, n: number) =>
  np.add(np.matmul(square(xs, n), np.transpose(square(xs, n))), np.multiply(np.eye(n, { dtype: "float64" }), n))
const dominant = (xs: ReadonlyArray<number>, n: number) =>
  np.add(square(xs, n), np.multiply(np.eye(n, { dtype: "float64" }), 2 * n))

const tight = { tol: 1e-13 }

describe("cg and bicgstab: solutions", () => {
  it("equal linalg.solve on random systems (fast-check)", () => {
    fc.assert(
      fc.property(
        // (hundredths: entries like 1e-183 made the inner products of a converged step underflow
        // to 0 / 0, as JAX's float64 cg would; seed -136181513 in CI)
        fc.array(fc.integer({ min: -100, max: 100 }).map((k) => k / 100), { minLength: 16, maxLength: 16 }),
        // (tenths: no denormal right-hand side, where the float64 inner products underflow)
        fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 10), { minLength: 4, maxLength: 4 }),
        (ms, bs) => {
          const b = arr(bs)
          assertCloseAll(cg(spd(ms, 4), b, tight)[0], linalg.solve(spd(ms, 4), b), 1e-10)
          assertCloseAll(bicgstab(dominant(ms, 4), b, tight)[0], linalg.solve(dominant(ms, 4), b), 1e-10)
        }
      ),
      { numRuns: 15 }
    )
  })

  it("one conjugate-gradient step by hand: x1 = (r.r / r.Ar) r from x0 = 0; and from an initial guess", () => {
    const a = arr([[4, 1], [1, 3]])
    const b = arr([1, 2])
    // r = b, r.r = 5, Ar = [6, 7], r.Ar = 20: x1 = b / 4
    assert.deepStrictEqual(values(cg(a, b, { maxiter: 1 })[0]), [0.25, 0.5])
    // starting at the solution, no step is taken
    const exact = linalg.solve(a, b)
    assertCloseAll(cg(a, b, { x0: exact, maxiter: 1 })[0], exact, 1e-15)
    // a Jacobi preconditioner reaches the same solution
    assertCloseAll(cg(a, b, { M: np.diag(arr([0.25, 1 / 3])), ...tight })[0], exact, 1e-12)
    // info is null, as JAX's
    assert.strictEqual(cg(a, b)[1], null)
  })

  it("a matrix-free operator on a pytree", () => {
    // (u, v) -> (2u + v, u + 2v) elementwise, symmetric positive definite
    const op = ({ u, v }: { u: Tensor; v: Tensor }) => ({
      u: np.add(np.multiply(u, 2), v),
      v: np.add(u, np.multiply(v, 2))
    })
    const b = { u: arr([3, 0]), v: arr([3, 3]) }
    for (const solve of [cg, bicgstab]) {
      const [x] = solve(op, b, tight)
      assertCloseAll(x.u, arr([1, -1]), 1e-12)
      assertCloseAll(x.v, arr([1, 2]), 1e-12)
    }
  })
})

describe("cg and bicgstab: derivatives, vmap, jit", () => {
  const w = arr([0.5, -1, 2])
  const a = arr([[5, 1, 0], [1, 4, 1], [0, 1, 3]])
  const n = arr([[5, 2, 0], [1, 4, 1], [0, -1, 3]])
  const b = arr([1, 2, -1])

  it("the gradients in A and b equal linalg.solve's (the iterations are never differentiated)", () => {
    const ref = (m: Tensor, v: Tensor) => np.sum(np.multiply(w, linalg.solve(m, v)))
    for (const [solve, m] of [[cg, a], [bicgstab, n]] as const) {
      const loss = (mm: Tensor, v: Tensor) => np.sum(np.multiply(w, solve(mm, v, tight)[0]))
      const [gm, gv] = run(grad(loss, { argnums: [0, 1] })(m, b))
      const [rm, rv] = run(grad(ref, { argnums: [0, 1] })(m, b))
      assertCloseAll(gm, rm, 1e-10)
      assertCloseAll(gv, rv, 1e-10)
    }
  })

  it("vmap over right-hand sides and jit", () => {
    const bs = arr([[1, 2, -1], [0, 1, 0]])
    const want = np.transpose(linalg.solve(a, np.transpose(bs)))
    assertCloseAll(run(vmap((v: Tensor) => cg(a, v, tight)[0])(bs)), want, 1e-10)
    assertCloseAll(run(jit((v: Tensor) => bicgstab(a, v, tight)[0])(b)), linalg.solve(a, b), 1e-10)
  })
})

describe("cg and bicgstab: typed errors", () => {
  it("non-square matrices, initial guesses unlike b, bad options", () => {
    const b = arr([1, 2])
    const nonSquare = thrown(() => cg(arr([[1, 2, 3], [4, 5, 6]]), b))
    assert.strictEqual(nonSquare._tag, "ShapeError")
    assert.include(nonSquare.message, "linear operator must be a square matrix, but has shape: [2, 3]")
    const tree = thrown(() => cg(arr([[1, 0], [0, 1]]), b, { x0: [b] as unknown as Tensor }))
    assert.strictEqual(tree._tag, "TreeStructureError")
    assert.include(tree.message, "x0 and b must have matching tree structure")
    const shapes = thrown(() => bicgstab(arr([[1, 0], [0, 1]]), b, { x0: arr([1, 2, 3]) }))
    assert.include(shapes.message, "arrays in x0 and b must have matching shapes: [3] vs [2]")
    const option = thrown(() => cg(arr([[1, 0], [0, 1]]), b, { tolerance: 1 } as never))
    assert.include(option.message, "unknown key")
  })
})
