/**
 * Schur-based matrix functions and equations: sqrtm (sqrtm(a)^2 = a, closed
 * forms, JAX's documented example), funm (funm(a, exp) = expm(a), polynomials,
 * SciPy's error estimate) and solveSylvester (residuals of both methods,
 * hand-derived solutions, JAX's NaN guard, batching), with their typed errors.
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { jit, linalg, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { type C, c, type CMatrix, matmul, random } from "./complexHelpers.js"
import { randomMatrix, tensor } from "./helpers.js"

const readC = (t: Tensor): CMatrix => {
  const v = toJsSync(t) as Array<Array<number | C>>
  return v.map((row) => row.map((x) => (typeof x === "number" ? c(x, 0) : x)))
}
const asC = (a: Array<Array<number>>): CMatrix => a.map((row) => row.map((x) => c(x, 0)))
const fro = (a: CMatrix) => Math.sqrt(a.flat().reduce((s, x) => s + x.re * x.re + x.im * x.im, 0))
const diff = (a: CMatrix, b: CMatrix): CMatrix =>
  a.map((row, i) => row.map((x, j) => c(x.re - b[i]![j]!.re, x.im - b[i]![j]!.im)))
const add = (a: CMatrix, b: CMatrix): CMatrix =>
  a.map((row, i) => row.map((x, j) => c(x.re + b[i]![j]!.re, x.im + b[i]![j]!.im)))
const rel = (got: CMatrix, want: CMatrix) => fro(diff(got, want)) / Math.max(fro(want), 1e-300)

describe("linalg.sqrtm", () => {
  it("sqrtm(a)^2 = a to 1e-12 for random real and complex matrices; complex result", () => {
    for (const [n, seed] of [[1, 1], [2, 2], [4, 3], [6, 4], [8, 5]] as const) {
      const a = randomMatrix(n, n, seed)
      const r = linalg.sqrtm(tensor(a))
      assert.strictEqual(r.dtype, "complex128")
      const rm = readC(r)
      assert.isBelow(rel(matmul(rm, rm), asC(a)), 1e-12, `n=${n}`)
      const ac = random(n, n, seed + 10)
      const rc = readC(linalg.sqrtm(np.array(ac as np.TensorLike, { dtype: "complex128" })))
      assert.isBelow(rel(matmul(rc, rc), ac), 1e-12)
    }
  })

  it("closed forms: diagonal, a Jordan block, symmetric positive definite (real root), JAX's example", () => {
    assert.deepStrictEqual(toJsSync(np.real(linalg.sqrtm(tensor([[4, 0], [0, 9]])))), [[2, 0], [0, 3]])
    // sqrt([[l, 1], [0, l]]) = [[sqrt l, 1 / (2 sqrt l)], [0, sqrt l]]
    const j = readC(linalg.sqrtm(tensor([[4, 1], [0, 4]])))
    assert.isBelow(rel(j, asC([[2, 0.25], [0, 2]])), 1e-15)
    // [[5, 4], [4, 5]] = Q diag(1, 9) Q^T: root [[2, 1], [1, 2]]
    const s = readC(linalg.sqrtm(tensor([[5, 4], [4, 5]])))
    assert.isBelow(rel(s, asC([[2, 1], [1, 2]])), 1e-14)
    // jax.scipy.linalg.sqrtm's docstring (2 decimals)
    const doc = readC(linalg.sqrtm(tensor([[1, 2, 3], [2, 4, 2], [3, 2, 1]])))
    const want = [[c(0.92, 0.71), c(0.54, 0), c(0.92, -0.71)], [c(0.54, 0), c(1.85, 0), c(0.54, 0)], [
      c(0.92, -0.71),
      c(0.54, 0),
      c(0.92, 0.71)
    ]]
    doc.forEach((row, i) =>
      row.forEach((x, k) => {
        assert.approximately(x.re, want[i]![k]!.re, 5e-3)
        assert.approximately(x.im, want[i]![k]!.im, 5e-3)
      })
    )
  })

  it("batched, float32 (complex64) to 1e-5; the zero matrix", () => {
    const [a, b] = [randomMatrix(3, 3, 7), randomMatrix(3, 3, 8)]
    const r = toJsSync(linalg.sqrtm(tensor([a, b]))) as Array<CMatrix>
    assert.isBelow(rel(matmul(r[0]!, r[0]!), asC(a)), 1e-12)
    assert.isBelow(rel(matmul(r[1]!, r[1]!), asC(b)), 1e-12)
    const r32 = linalg.sqrtm(tensor(a, "float32"))
    assert.strictEqual(r32.dtype, "complex64")
    assert.isBelow(rel(matmul(readC(r32), readC(r32)), asC(a)), 1e-5)
    assert.deepStrictEqual(toJsSync(np.abs(linalg.sqrtm(np.zeros([2, 2])))), [[0, 0], [0, 0]])
  })

  it("typed errors: shape, blocksize (JAX has only 1)", () => {
    assert.include(thrownTag(() => linalg.sqrtm(np.zeros([2, 3])), "ShapeError"), "sqrtm")
    assert.include(thrownTag(() => linalg.sqrtm(np.eye(2), { blocksize: 2 }), "ArgumentError"), "sqrtm")
    assert.include(thrownTag(() => linalg.sqrtm(np.eye(2), { blocksize: 0 }), "ArgumentError"), "sqrtm")
  })
})

describe("under jit and vmap", () => {
  it("sqrtm, funm and solveSylvester give their eager values when staged or mapped", () => {
    const a = tensor(randomMatrix(4, 4, 31))
    const b = tensor(randomMatrix(3, 3, 32))
    const cm = tensor(randomMatrix(4, 3, 33))
    const staged = runSync(jit((x: Tensor) => linalg.sqrtm(x))(a)) as Tensor
    assert.deepStrictEqual(toJsSync(staged), toJsSync(linalg.sqrtm(a)))
    const f = runSync(jit((x: Tensor) => linalg.funm(x, (v) => np.sin(v)))(a)) as Tensor
    assert.deepStrictEqual(toJsSync(f), toJsSync(linalg.funm(a, (v) => np.sin(v))))
    const two = np.stack([b, np.add(b, 1)])
    const mapped = runSync(vmap((y: Tensor) => linalg.solveSylvester(a, y, cm))(two)) as Tensor
    const rows = toJsSync(mapped) as Array<unknown>
    assert.deepStrictEqual(rows[1], toJsSync(linalg.solveSylvester(a, np.add(b, 1), cm)))
  })
})

describe("linalg.funm", () => {
  it("funm(a, exp) = expm(a) to 1e-12; polynomials exactly as matrix polynomials", () => {
    for (const [n, seed] of [[2, 1], [4, 2], [6, 3]] as const) {
      const a = randomMatrix(n, n, seed)
      const f = readC(linalg.funm(tensor(a), (x) => np.exp(x)))
      assert.isBelow(rel(f, asC(toJsSync(linalg.expm(tensor(a))) as Array<Array<number>>)), 1e-12, `n=${n}`)
      // x^2 + 3x: a^2 + 3a
      const p = readC(linalg.funm(tensor(a), (x) => np.add(np.multiply(x, x), np.multiply(x, 3))))
      const ac = asC(a)
      assert.isBelow(rel(p, add(matmul(ac, ac), ac.map((row) => row.map((x) => c(3 * x.re, 0))))), 1e-12)
    }
    // hand-derived: f(x) = x^2 on [[1, 1], [0, 2]] is [[1, 3], [0, 4]]
    const h = readC(linalg.funm(tensor([[1, 1], [0, 2]]), (x) => np.multiply(x, x)))
    assert.isBelow(rel(h, asC([[1, 3], [0, 4]])), 1e-15)
  })

  it("disp: false returns SciPy's error estimate (tol-sized for well separated eigenvalues)", () => {
    const [f, err] = linalg.funm(tensor([[1, 1], [0, 2]]), (x) => np.exp(x), { disp: false })
    assert.strictEqual(f.dtype, "complex128")
    // tol / min(|T_00|, |T_11 - T_00|) * ||triu(T, 1)||_1 = eps * 1 / 1
    assert.approximately(toJsSync(err) as number, 2 ** -52, 1e-17)
  })

  it("typed errors: batched or non-square input (JAX takes 2-D only), a bad func", () => {
    assert.include(thrownTag(() => linalg.funm(np.zeros([2, 2, 2]), (x) => x), "ShapeError"), "funm")
    assert.include(thrownTag(() => linalg.funm(np.zeros([2, 3]), (x) => x), "ShapeError"), "funm")
    assert.include(thrownTag(() => linalg.funm(np.eye(2), 3 as never), "ArgumentError"), "funm")
    assert.include(thrownTag(() => linalg.funm(np.eye(2), (x) => np.sum(x)), "ArgumentError"), "funm")
  })
})

describe("linalg.solveSylvester", () => {
  const residual = (a: CMatrix, b: CMatrix, x: CMatrix, cc: CMatrix) => rel(add(matmul(a, x), matmul(x, b)), cc)

  it("Bartels-Stewart: A X + X B = C to 1e-13 for random real and complex systems, rectangular X", () => {
    for (const [m, n, seed] of [[1, 1, 1], [3, 2, 2], [4, 5, 3], [6, 6, 4]] as const) {
      const [a, b, cm] = [randomMatrix(m, m, seed), randomMatrix(n, n, seed + 1), randomMatrix(m, n, seed + 2)]
      // shift A so that no lambda_i(A) + mu_j(B) is near zero
      const as = a.map((row, i) => row.map((v, j) => v + (i === j ? 3 : 0)))
      const x = linalg.solveSylvester(tensor(as), tensor(b), tensor(cm))
      assert.strictEqual(x.dtype, "float64")
      assert.isBelow(residual(asC(as), asC(b), readC(x), asC(cm)), 1e-13)
      const xe = linalg.solveSylvester(tensor(as), tensor(b), tensor(cm), { method: "eigen" })
      assert.isBelow(residual(asC(as), asC(b), readC(xe), asC(cm)), 1e-11)
      const [ac, bc, ccm] = [random(m, m, seed), random(n, n, seed + 1), random(m, n, seed + 2)]
      const acs = ac.map((row, i) => row.map((v, j) => (i === j ? c(v.re + 3, v.im) : v)))
      const xc = linalg.solveSylvester(
        np.array(acs as np.TensorLike, { dtype: "complex128" }),
        np.array(bc as np.TensorLike, { dtype: "complex128" }),
        np.array(ccm as np.TensorLike, { dtype: "complex128" })
      )
      assert.isBelow(residual(acs, bc, readC(xc), ccm), 1e-13)
    }
  })

  it("hand-derived: diagonal systems X_ij = C_ij / (a_i + b_j); JAX's docstring example", () => {
    const x = linalg.solveSylvester(tensor([[1, 0], [0, 2]]), tensor([[3]]), tensor([[4], [10]]))
    assert.deepStrictEqual(
      (toJsSync(x) as Array<Array<number>>).map((r) => r.map((v) => Math.round(v * 1e12) / 1e12)),
      [
        [1],
        [2]
      ]
    )
    // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]], C = A + B: X = I
    const doc = toJsSync(
      linalg.solveSylvester(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]), tensor([[6, 8], [10, 12]]))
    )
    assert.isBelow(rel(asC(doc as Array<Array<number>>), asC([[1, 0], [0, 1]])), 1e-13)
  })

  it("NaN where lambda_i(A) + mu_j(B) is within tol of zero (JAX's guard); batches broadcast; float32", () => {
    const singular = toJsSync(linalg.solveSylvester(tensor([[1, 0], [0, 2]]), tensor([[-2]]), tensor([[1], [1]])))
    assert.isTrue((singular as Array<Array<number>>).flat().every(Number.isNaN))
    const a = randomMatrix(3, 3, 5).map((row, i) => row.map((v, j) => v + (i === j ? 3 : 0)))
    const bs = [randomMatrix(2, 2, 6), randomMatrix(2, 2, 7)]
    const cm = randomMatrix(3, 2, 8)
    const xb = toJsSync(linalg.solveSylvester(tensor(a), tensor(bs), tensor(cm))) as Array<Array<Array<number>>>
    assert.strictEqual(xb.length, 2)
    for (const [k, b] of bs.entries()) assert.isBelow(residual(asC(a), asC(b), asC(xb[k]!), asC(cm)), 1e-13)
    const x32 = linalg.solveSylvester(tensor(a, "float32"), tensor(bs[0]!, "float32"), tensor(cm, "float32"))
    assert.strictEqual(x32.dtype, "float32")
    assert.isBelow(residual(asC(a), asC(bs[0]!), readC(x32), asC(cm)), 1e-5)
  })

  it("typed errors: shapes, method, tol", () => {
    assert.include(
      thrownTag(() => linalg.solveSylvester(np.eye(2), np.eye(3), np.zeros([3, 3])), "ShapeError"),
      "solveSylvester"
    )
    assert.include(
      thrownTag(() => linalg.solveSylvester(np.eye(2), np.eye(3), np.zeros([2])), "ShapeError"),
      "solveSylvester"
    )
    assert.include(
      thrownTag(
        () => linalg.solveSylvester(np.eye(2), np.eye(2), np.eye(2), { method: "qr" as never }),
        "ArgumentError"
      ),
      "solveSylvester"
    )
    assert.include(
      thrownTag(() => linalg.solveSylvester(np.eye(2), np.eye(2), np.eye(2), { tol: "1" as never }), "ArgumentError"),
      "solveSylvester"
    )
  })
})
