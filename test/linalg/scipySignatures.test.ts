/**
 * jax.scipy.linalg's signatures where SciPy's differ from NumPy's: `cholesky`
 * (the upper factor by default, one triangle read), `eigh` (`lower`,
 * `eigvalsOnly`), `qr` (SciPy's modes, `"full"` by default), `lu`
 * (`permuteL`), `luFactor` of rectangular matrices, and `solve` with
 * `assumeA: "pos"` (values and JAX's derivative), against hand-derived values.
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { grad, linalg, np, runSync, toJsSync } from "diffect"
import type { Tensor } from "diffect"

const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const js = (t: Tensor) => toJsSync(t) as Array<Array<number>>
const close = (got: unknown, want: unknown, tol = 1e-14) => {
  const g = [got].flat(3) as Array<number>
  const w = [want].flat(3) as Array<number>
  assert.strictEqual(g.length, w.length)
  g.forEach((x, i) => assert.closeTo(x, w[i]!, tol, `element ${i}`))
}

describe("jax.scipy.linalg signatures", () => {
  it("cholesky: the upper factor by default (a = U^T U), the lower with lower: true; one triangle read", () => {
    const a = f64([[4, 2], [2, 3]])
    close(js(linalg.cholesky(a)), [[2, 1], [0, Math.SQRT2]])
    close(js(linalg.cholesky(a, { lower: true })), [[2, 0], [1, Math.SQRT2]])
    // NumPy's stays lower
    close(js(np.linalg.cholesky(a)), [[2, 0], [1, Math.SQRT2]])
    // the other triangle is never read (SciPy's and JAX's symmetrize_input=False)
    close(js(linalg.cholesky(f64([[4, 2], [99, 3]]))), [[2, 1], [0, Math.SQRT2]])
    close(js(linalg.cholesky(f64([[4, 99], [2, 3]]), { lower: true })), [[2, 0], [1, Math.SQRT2]])
    assert.include(thrownTag(() => linalg.cholesky(a, { upper: true } as never), "ArgumentError"), "unknown key")
  })

  it("eigh: [w, v], or w alone with eigvalsOnly", () => {
    const a = f64([[2, 1], [1, 2]])
    close(toJsSync(linalg.eigh(a, { eigvalsOnly: true })), [1, 3])
    const [w, v] = linalg.eigh(a, { lower: false })
    assert.deepStrictEqual([w.shape, v.shape], [[2], [2, 2]])
    close(toJsSync(w), [1, 3])
    close(js(np.abs(v)), [[Math.SQRT1_2, Math.SQRT1_2], [Math.SQRT1_2, Math.SQRT1_2]], 1e-15)
  })

  it("qr: mode full (square q) by default, economic, r as a one-element list; raw and pivoting refused", () => {
    const a = f64([[1, 2], [3, 4], [5, 6]])
    const [q, r] = linalg.qr(a)
    assert.deepStrictEqual([q.shape, r.shape], [[3, 3], [3, 2]])
    close(js(np.matmul(q, r)), js(a), 1e-14)
    close(js(np.matmul(np.transpose(q), q)), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1e-15)
    const [qe, re] = linalg.qr(a, { mode: "economic" })
    assert.deepStrictEqual([qe.shape, re.shape], [[3, 2], [2, 2]])
    const only = linalg.qr(a, { mode: "r" })
    assert.strictEqual(only.length, 1)
    close(js(np.abs(only[0])), js(np.abs(r)))
    assert.include(thrownTag(() => linalg.qr(a, { mode: "raw" } as never), "ArgumentError"), "\"raw\" is not supported")
    assert.include(thrownTag(() => linalg.qr(a, { pivoting: true } as never), "ArgumentError"), "pivoting")
    // NumPy's default stays reduced
    assert.deepStrictEqual(np.linalg.qr(a)[0].shape, [3, 2])
  })

  it("lu with permuteL gives [p l, u]; luFactor factors rectangular matrices (K = min(M, N) pivots)", () => {
    const a = f64([[1, 2], [3, 4]])
    const [p, l, u] = linalg.lu(a)
    const [pl, u2] = linalg.lu(a, { permuteL: true })
    close(js(pl), js(np.matmul(p, l)))
    close(js(pl), [[1 / 3, 1], [1, 0]])
    close(js(u2), js(u))
    close(js(np.matmul(pl, u2)), [[1, 2], [3, 4]], 1e-15)
    // [[1, 2, 3], [4, 5, 6]]: pivot row 1, multiplier 1/4, then 2 - 5/4 = 0.75 and 3 - 6/4 = 1.5
    const [lu, piv] = linalg.luFactor(f64([[1, 2, 3], [4, 5, 6]]))
    close(js(lu), [[4, 5, 6], [0.25, 0.75, 1.5]])
    assert.deepStrictEqual([toJsSync(piv), piv.dtype], [[1, 1], "int32"])
    const [lu3, piv3] = linalg.luFactor(f64([[1, 2], [3, 4], [5, 6]]))
    assert.deepStrictEqual([lu3.shape, piv3.shape], [[3, 2], [2]])
  })

  it("solve with assumeA pos: a Cholesky solve of the upper (or lower) triangle, JAX's derivative", () => {
    const a = f64([[4, 2], [2, 3]])
    const b = f64([2, 1])
    close(toJsSync(linalg.solve(a, b, { assumeA: "pos" })), [0.5, 0])
    // one triangle read: the upper by default, the lower with lower: true
    close(toJsSync(linalg.solve(f64([[4, 2], [99, 3]]), b, { assumeA: "pos" })), [0.5, 0])
    close(toJsSync(linalg.solve(f64([[4, 99], [2, 3]]), b, { assumeA: "pos", lower: true })), [0.5, 0])
    // matrices of right-hand sides, batched a
    close(js(linalg.solve(a, f64([[2, 4], [1, 2]]), { assumeA: "pos" })), [[0.5, 1], [0, 0]])
    // the derivative is custom_linear_solve's: d/da sum(w x) = -a^-T w x^T over the whole matrix,
    // d/db = a^-T w, as for the general solve
    const w = f64([1, -2])
    const loss = (assumeA: "gen" | "pos") => (m: Tensor) => np.sum(np.multiply(w, linalg.solve(m, b, { assumeA })))
    close(js(runSync(grad(loss("pos"))(a)) as Tensor), js(runSync(grad(loss("gen"))(a)) as Tensor), 1e-15)
    // x = [0.5, 0], a^-T w = [3 + 4, -2 - 8] / 8 = [0.875, -1.25]: the cotangent -[0.875, -1.25]^T [0.5, 0]
    close(js(runSync(grad(loss("pos"))(a)) as Tensor), [[-0.4375, 0], [0.625, 0]], 1e-15)
    const gb = runSync(grad((v: Tensor) => np.sum(np.multiply(w, linalg.solve(a, v, { assumeA: "pos" }))))(b))
    close(toJsSync(gb as Tensor), [0.875, -1.25], 1e-15)
    assert.include(thrownTag(() => linalg.solve(a, b, { assumeA: "posdef" } as never), "ArgumentError"), "\"pos\"")
  })
})
