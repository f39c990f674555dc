/**
 * linalg.eighTridiagonal (JAX's bisection on Sturm counts): the closed-form
 * spectrum of tridiagonal Toeplitz matrices, random matrices against
 * np.linalg.eigvalsh of the dense matrix, JAX's documented example, index
 * selection, float32, Hermitian complex input, jit and vmap; the eigenvectors
 * (inverse iteration): residuals, orthonormality, clusters of equal
 * eigenvalues; and the typed errors for what JAX does not support.
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { jit, linalg, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { flat, randomMatrix, tensor } from "./helpers.js"

const eigs = (d: Tensor, e: Tensor, options?: linalg.EighTridiagonalOptions) =>
  linalg.eighTridiagonal(d, e, { ...options, eigvalsOnly: true as const })

const dense = (d: ReadonlyArray<number>, e: ReadonlyArray<number>) =>
  d.map((x, i) => d.map((_, j) => (i === j ? x : Math.abs(i - j) === 1 ? e[Math.min(i, j)]! : 0)))

describe("linalg.eighTridiagonal", () => {
  it("tridiagonal Toeplitz: a + 2 b cos(k pi / (n + 1)) to 1e-14", () => {
    for (const [n, a, b] of [[2, 2, 1], [7, 1, -0.5], [30, -3, 2]] as const) {
      const w = flat(eigs(tensor(Array(n).fill(a)), tensor(Array(n - 1).fill(b))))
      const want = Array.from({ length: n }, (_, k) => a + 2 * b * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort(
        (x, y) => x - y
      )
      w.forEach((x, i) => assert.approximately(x, want[i]!, 1e-14 * (Math.abs(a) + 2 * Math.abs(b))))
    }
  })

  it("random matrices against eigvalsh of the dense matrix; JAX's example; select 'i'", () => {
    for (const [n, seed] of [[3, 1], [10, 2], [25, 3]] as const) {
      const [d, e] = [randomMatrix(1, n, seed)[0]!, randomMatrix(1, n - 1, seed + 5)[0]!]
      const w = flat(eigs(tensor(d), tensor(e)))
      const want = flat(np.linalg.eigvalsh(tensor(dense(d, e))))
      w.forEach((x, i) => assert.approximately(x, want[i]!, 1e-14))
      const some = flat(eigs(tensor(d), tensor(e), { select: "i", selectRange: [1, 2] }))
      assert.deepStrictEqual(some.length, 2)
      some.forEach((x, i) => assert.approximately(x, want[i + 1]!, 1e-14))
    }
    // jax.scipy.linalg.eigh_tridiagonal's docstring (float32)
    const doc = flat(eigs(np.array([1, 2, 3, 4], { dtype: "float32" }), np.array([1, 1, 1], { dtype: "float32" })))
    ;[0.2547188, 1.8227171, 3.1772828, 4.745281].forEach((x, i) => assert.approximately(doc[i]!, x, 2e-6))
  })

  it("Hermitian complex input (|e| matters); tol; n <= 1; jit and vmap", () => {
    const e = np.array([{ re: 0, im: 1 }, { re: 0.6, im: 0.8 }], { dtype: "complex128" })
    const d = np.array([{ re: 1, im: 0 }, { re: 2, im: 0 }, { re: 3, im: 0 }], { dtype: "complex128" })
    const w = flat(eigs(d, e))
    const want = flat(np.linalg.eigvalsh(tensor(dense([1, 2, 3], [1, 1]))))
    w.forEach((x, i) => assert.approximately(x, want[i]!, 1e-14))
    const loose = flat(eigs(tensor([1, 2, 3]), tensor([1, 1]), { tol: 1e-3 }))
    loose.forEach((x, i) => assert.approximately(x, want[i]!, 2e-3))
    assert.deepStrictEqual(flat(eigs(tensor([5]), tensor([]))), [5])
    const dd = tensor([[1, 2, 3], [0, 0, 0]])
    const ee = tensor([[1, 1], [1, 2]])
    const mapped = toJsSync(runSync(vmap((x: Tensor, y: Tensor) => eigs(x, y))(dd, ee))) as Array<Array<number>>
    mapped[0]!.forEach((x, i) => assert.approximately(x, want[i]!, 1e-14))
    const jitted = flat(runSync(jit((x: Tensor, y: Tensor) => eigs(x, y))(tensor([1, 2, 3]), tensor([1, 1]))) as Tensor)
    assert.deepStrictEqual(jitted, flat(eigs(tensor([1, 2, 3]), tensor([1, 1]))))
  })

  it("eigenvectors by inverse iteration: T V = V diag(w), V^H V = I, also for clustered and complex input", () => {
    const check = (d: Array<number>, e: Tensor, eDense: Array<Array<{ re: number; im: number }>>, tol: number) => {
      const dt = e.dtype === "complex128"
        ? np.array(d.map((x) => ({ re: x, im: 0 })), { dtype: "complex128" })
        : tensor(d)
      const [w, v] = linalg.eighTridiagonal(dt, e)
      const n = d.length
      assert.deepStrictEqual(v.shape, [n, n])
      const tm = np.array(eDense as never, { dtype: "complex128" })
      const vc = np.asarray(v, { dtype: "complex128" })
      const resid = np.linalg.norm(
        np.subtract(np.matmul(tm, vc), np.multiply(vc, np.asarray(w, { dtype: "complex128" })))
      )
      assert.isBelow(toJsSync(resid) as number, tol)
      const gram = np.matmul(np.conj(np.swapaxes(vc, 0, 1)), vc)
      assert.isBelow(toJsSync(np.linalg.norm(np.subtract(gram, np.eye(n)))) as number, tol)
    }
    const c = (x: number) => ({ re: x, im: 0 })
    for (const [n, seed] of [[2, 1], [6, 2], [20, 3]] as const) {
      const [d, e] = [randomMatrix(1, n, seed)[0]!, randomMatrix(1, n - 1, seed + 5)[0]!]
      check(d, tensor(e), dense(d, e).map((row) => row.map(c)), 1e-12)
    }
    // a direct sum of two equal blocks: every eigenvalue twice (clusters of two)
    const d = [1, 2, 3, 1, 2, 3]
    const e = [1, 1, 0, 1, 1]
    check(d, tensor(e), dense(d, e).map((row) => row.map(c)), 1e-12)
    // Hermitian: T[i, i+1] = e_i, T[i+1, i] = conj(e_i)
    const ec = [{ re: 0, im: 1 }, { re: 0.6, im: 0.8 }]
    const tc = [[c(1), ec[0]!, c(0)], [{ re: 0, im: -1 }, c(2), ec[1]!], [c(0), { re: 0.6, im: -0.8 }, c(3)]]
    check([1, 2, 3], np.array(ec, { dtype: "complex128" }), tc, 1e-12)
  })

  it("typed errors: options, select 'v', ranges, dtypes, shapes", () => {
    const [d, e] = [tensor([1, 2]), tensor([1])]
    assert.include(
      thrownTag(() => linalg.eighTridiagonal(d, e, { eigvalsOnly: 1 as never }), "ArgumentError"),
      "eigvalsOnly"
    )
    assert.include(thrownTag(() => eigs(d, e, { select: "v" }), "ArgumentError"), "select")
    assert.include(thrownTag(() => eigs(d, e, { select: "i" }), "ArgumentError"), "selectRange")
    assert.include(thrownTag(() => eigs(d, e, { select: "i", selectRange: [1, 0] }), "ArgumentError"), "selectRange")
    assert.include(thrownTag(() => eigs(d, e, { select: "i", selectRange: [0, 2] }), "ArgumentError"), "selectRange")
    assert.include(thrownTag(() => eigs(d, np.array([1], { dtype: "float32" })), "DTypeError"), "same dtype")
    assert.include(
      thrownTag(() => eigs(np.array([1, 2], { dtype: "int32" }), np.array([1], { dtype: "int32" })), "DTypeError"),
      "int32"
    )
    assert.include(thrownTag(() => eigs(d, tensor([1, 2])), "ShapeError"), "n - 1")
  })
})
