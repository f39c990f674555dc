/**
 * linalg.eighTridiagonal (JAX's bisection on Sturm counts): the closed-form
 * spectrum of tridiagonal Toeplitz matrices, random matrices against
 * np.linalg.eigvalsh of the dense matrix, JAX's documented example, index
 * selection, float32, Hermitian complex input, jit and vmap, and the typed
 * errors for what JAX (or diffect) does not support.
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { jit, linalg, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { flat, randomMatrix, tensor } from "./helpers.js"

const eigs = (d: Tensor, e: Tensor, options?: linalg.EighTridiagonalOptions) =>
  linalg.eighTridiagonal(d, e, { eigvalsOnly: true, ...options })

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

  it("typed errors: eigenvectors, select 'v', ranges, dtypes, shapes", () => {
    const [d, e] = [tensor([1, 2]), tensor([1])]
    assert.include(thrownTag(() => linalg.eighTridiagonal(d, e), "ArgumentError"), "eigvalsOnly")
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
