/**
 * `sparse.linalg.gmres` (JAX's jax.scipy.sparse.linalg.gmres;
 * tests/lax_scipy_sparse_test.py's test_gmres_*): solutions against
 * `linalg.solve` on random nonsymmetric systems (fast-check, float64) for both
 * solve methods and restarts shorter than the system, one minimal-residual step
 * by hand, the stopping rule, preconditioners, initial guesses, pytrees,
 * complex systems, gradients in the matrix and the right-hand side against
 * `linalg.solve`'s, vmap, jit, `info` and typed errors.
 */
import { linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { gmres } from "../src/SparseLinalg.js"
import { vmap } from "../src/Vmap.js"
import { arr, data, run, values } from "./vmapSupport.js"

const assertCloseAll = (got: unknown, want: unknown, tol: number) => {
  const g = [values(got as Tensor)].flat(4) as Array<number>
  const w = [values(want as Tensor)].flat(4) as Array<number>
  assert.strictEqual(g.length, w.length)
  g.forEach((v, i) => assert.closeTo(v, w[i]!, tol * (1 + Math.abs(w[i]!)), `element ${i}`))
}
const norm = (t: Tensor) => Math.hypot(...Array.from(data(t)))

const square = (xs: ReadonlyArray<number>, n: number): Tensor => np.reshape(arr([...xs]), [n, n])
// nonsymmetric and well conditioned: m + 2n I with |m_ij| <= 1
const dominant = (xs: ReadonlyArray<number>, n: number) =>
  np.add(square(xs, n), np.multiply(np.eye(n, { dtype: "float64" }), 2 * n))
const methods = ["batched", "incremental"] as const
const tight = { tol: 1e-13 }

describe("gmres: solutions", () => {
  it("equals linalg.solve on random nonsymmetric systems, a full Krylov space and restarts (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 36, maxLength: 36 }),
        fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 10), { minLength: 6, maxLength: 6 }),
        (ms, bs) => {
          const a = dominant(ms, 6)
          const b = arr(bs)
          const want = linalg.solve(a, b)
          for (const solveMethod of methods) {
            // the default restart (20) is cut to b's size, 6: one restart spans the whole space
            assertCloseAll(gmres(a, b, { ...tight, solveMethod })[0], want, 1e-10)
            // restart 2 < 6: the solution comes from many restarts
            assertCloseAll(gmres(a, b, { ...tight, solveMethod, restart: 2 })[0], want, 1e-10)
          }
        }
      ),
      { numRuns: 10 }
    )
  })

  it("one restart of one step is the minimal residual step x1 = (b.Ab / Ab.Ab) b", () => {
    const a = arr([[3, 1, 0], [-1, 2, 1], [0.5, 0, 4]])
    const b = arr([1, 2, -1])
    // Ab = [5, 2, -3.5]; b.Ab = 12.5; Ab.Ab = 41.25
    const want = np.multiply(12.5 / 41.25, b)
    for (const solveMethod of methods) {
      assertCloseAll(gmres(a, b, { solveMethod, restart: 1, maxiter: 1 })[0], want, 1e-14)
    }
    // two steps (restart 2) minimize |b - A x| over span(b, Ab): the normal equations in that basis
    const ab = np.matmul(a, b)
    const k = np.stack([b, ab], { axis: 1 })
    const ak = np.matmul(a, k)
    const c = linalg.solve(np.matmul(np.transpose(ak), ak), np.matmul(np.transpose(ak), b))
    for (const solveMethod of methods) {
      assertCloseAll(gmres(a, b, { solveMethod, restart: 2, maxiter: 1 })[0], np.matmul(k, c), 1e-13)
    }
  })

  it("the stopping rule: |b - A x| <= max(tol |b|, atol); an atol above |b| takes no step from x0", () => {
    const a = dominant([0.3, -0.7, 0.1, 0.9, -0.2, 0.4, 0.8, -0.5, 0.6], 3)
    const b = arr([1, -2, 0.5])
    for (const solveMethod of methods) {
      for (const tol of [1e-2, 1e-6]) {
        const [x] = gmres(a, b, { solveMethod, tol, restart: 1 })
        assert.isAtMost(norm(np.subtract(b, np.matmul(a, x))), tol * norm(b))
      }
      const x0 = arr([0.1, 0.2, 0.3])
      assert.deepStrictEqual(values(gmres(a, b, { solveMethod, x0, atol: 10 })[0]), [0.1, 0.2, 0.3])
    }
  })

  it("preconditioners (a matrix or a function) and initial guesses reach the same solution", () => {
    const a = arr([[10, 1, 0, 2], [0, 5, -1, 0], [3, 0, 20, 1], [0, -2, 0, 1]])
    const b = arr([1, 2, 3, 4])
    const want = linalg.solve(a, b)
    const jacobi = np.diag(arr([0.1, 0.2, 0.05, 1]))
    for (const solveMethod of methods) {
      assertCloseAll(gmres(a, b, { ...tight, solveMethod, restart: 2, M: jacobi })[0], want, 1e-11)
      const M = (v: Tensor) => np.matmul(jacobi, v)
      assertCloseAll(gmres(a, b, { ...tight, solveMethod, restart: 2, M })[0], want, 1e-11)
      assertCloseAll(gmres(a, b, { ...tight, solveMethod, x0: arr([5, -5, 5, -5]) })[0], want, 1e-11)
      // starting at the solution, it stays there
      assertCloseAll(gmres(a, b, { solveMethod, x0: want, maxiter: 1 })[0], want, 1e-15)
    }
  })

  it("a matrix-free operator on a pytree of leaves of different shapes", () => {
    const a = dominant(Array.from({ length: 49 }, (_, i) => Math.sin(3 * i)), 7)
    // the pytree { u: [2, 2], v: [3] } as one vector of 7
    const op = ({ u, v }: { u: Tensor; v: Tensor }) => {
      const y = np.matmul(a, np.concatenate([np.reshape(u, [4]), v]))
      return { u: np.reshape(np.take(y, arr([0, 1, 2, 3], "int32")), [2, 2]), v: np.take(y, arr([4, 5, 6], "int32")) }
    }
    const b = { u: arr([[1, 0], [-1, 2]]), v: arr([0.5, 3, -2]) }
    const want = linalg.solve(a, arr([1, 0, -1, 2, 0.5, 3, -2]))
    for (const solveMethod of methods) {
      const [x] = gmres(op, b, { ...tight, solveMethod, restart: 3 })
      assertCloseAll(np.concatenate([np.reshape(x.u, [4]), x.v]), want, 1e-10)
    }
  })

  it("complex systems (the Arnoldi inner products conjugate)", () => {
    const re = arr([[4, 1, 0], [0, 3, -1], [1, 0, 5]])
    const im = arr([[1, 0, 2], [-1, 1, 0], [0, 2, -1]])
    const a = np.complex(re, im)
    const b = np.complex(arr([1, 0, 2]), arr([0, -1, 1]))
    const want = linalg.solve(a, b)
    for (const solveMethod of methods) {
      const [x] = gmres(a, b, { ...tight, solveMethod, restart: 2 })
      assertCloseAll(np.real(x), np.real(want), 1e-11)
      assertCloseAll(np.imag(x), np.imag(want), 1e-11)
    }
  })

  it("float32 to float32 accuracy; info is 0, and -1 when x has a NaN", () => {
    const a = arr([[4, 2, 0], [1, 3, -1], [0, 1, 5]], "float32")
    const b = arr([1, 2, 3], "float32")
    const [x, info] = gmres(a, b, { tol: 1e-6 })
    assert.strictEqual(x.dtype, "float32")
    assertCloseAll(x, linalg.solve(arr([[4, 2, 0], [1, 3, -1], [0, 1, 5]]), arr([1, 2, 3])), 1e-5)
    assert.strictEqual(info.dtype, "int32")
    assert.strictEqual(values(info), 0)
    // (a NaN residual normalizes to zero, which stops the restarts with x = x0, as JAX's)
    const [, bad] = gmres(arr([[2, 0], [0, 1]]), arr([1, 1]), { x0: arr([NaN, 0]) })
    assert.strictEqual(values(bad), -1)
  })
})

describe("gmres: derivatives, vmap, jit", () => {
  const w = arr([0.5, -1, 2])
  const a = arr([[5, 2, 0], [1, 4, 1], [0, -1, 3]])
  const b = arr([1, 2, -1])

  it("the gradients in A and b equal linalg.solve's (the iterations are never differentiated)", () => {
    const ref = (m: Tensor, v: Tensor) => np.sum(np.multiply(w, linalg.solve(m, v)))
    const [rm, rv] = run(grad(ref, { argnums: [0, 1] })(a, b))
    for (const solveMethod of methods) {
      const loss = (m: Tensor, v: Tensor) =>
        np.sum(np.multiply(w, gmres(m, v, { ...tight, solveMethod, restart: 2 })[0]))
      const [gm, gv] = run(grad(loss, { argnums: [0, 1] })(a, b))
      assertCloseAll(gm, rm, 1e-10)
      assertCloseAll(gv, rv, 1e-10)
    }
  })

  it("vmap over right-hand sides, and jit", () => {
    const bs = arr([[1, 2, -1], [0, 1, 0], [3, -1, 2]])
    const want = np.transpose(linalg.solve(a, np.transpose(bs)))
    for (const solveMethod of methods) {
      const solve = (v: Tensor) => gmres(a, v, { ...tight, solveMethod, restart: 2 })[0]
      assertCloseAll(run(vmap(solve)(bs)), want, 1e-10)
      assertCloseAll(run(jit(solve)(b)), linalg.solve(a, b), 1e-10)
    }
  })
})

describe("gmres: typed errors", () => {
  const failure = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return e as { _tag: string; message: string }
    }
    throw new Error("expected a failure")
  }
  const b = arr([1, 2])
  const eye = arr([[1, 0], [0, 1]])

  it("an unknown solve method, a restart below 1, non-square matrices, initial guesses unlike b", () => {
    const method = failure(() => gmres(eye, b, { solveMethod: "qr" as never }))
    assert.strictEqual(method._tag, "ArgumentError")
    assert.include(method.message, "solveMethod must be either \"incremental\" or \"batched\", got")
    const restart = failure(() => gmres(eye, b, { restart: 0 }))
    assert.strictEqual(restart._tag, "ArgumentError")
    assert.include(restart.message, "restart must be a positive integer")
    const nonSquare = failure(() => gmres(arr([[1, 2, 3], [4, 5, 6]]), b))
    assert.strictEqual(nonSquare._tag, "ShapeError")
    assert.include(nonSquare.message, "linear operator must be a square matrix, but has shape: [2, 3]")
    const tree = failure(() => gmres(eye, b, { x0: [b] as unknown as Tensor }))
    assert.strictEqual(tree._tag, "TreeStructureError")
    assert.include(tree.message, "x0 and b must have matching tree structure")
    const shapes = failure(() => gmres(eye, b, { x0: arr([1, 2, 3]) }))
    assert.include(shapes.message, "arrays in x0 and b must have matching shapes: [3] vs [2]")
    const integral = failure(() => gmres(eye, arr([1, 2], "int32")))
    assert.strictEqual(integral._tag, "DTypeError")
    assert.include(failure(() => gmres(eye, b, { restarts: 2 } as never)).message, "unknown key")
  })
})
