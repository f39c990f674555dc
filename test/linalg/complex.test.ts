/**
 * Complex matrices (complex64 / complex128) for cholesky, triangular_solve and
 * lu, and the functions built on them (solve, inv, det, slogdet, SciPy's
 * names): values against plain-JS complex arithmetic, JVPs against central
 * differences along complex directions, and the VJP of the (holomorphic) solve
 * as the transpose of its JVP. QR, eigh and SVD: complexDecompositions.test.ts.
 */
import { assert, describe, it } from "@effect/vitest"
import { jvp, lax, linalg, np, runSync, toJsSync, vjp } from "diffect"
import type { Tensor } from "diffect"
import {
  add,
  adjoint,
  assertCloseC,
  type C,
  c,
  type CMatrix,
  dist,
  dominant,
  flatC,
  hpd,
  matmul,
  mul,
  random,
  tensor,
  value
} from "./complexHelpers.js"

/** The permutation expansion of a complex determinant. */
const det = (a: CMatrix): C => {
  if (a.length === 1) return a[0]![0]!
  return a[0]!.reduce((s, x, j) => {
    const minor = a.slice(1).map((row) => row.filter((_, k) => k !== j))
    const term = mul(x, det(minor))
    return add(s, j % 2 === 0 ? term : c(-term.re, -term.im))
  }, c(0, 0))
}

describe("complex matrices", () => {
  it("cholesky: L L^H = A, lower, real positive diagonal (complex128 and complex64)", () => {
    const a = hpd(4, 1)
    const l = value(np.linalg.cholesky(tensor(a)))
    assert.isBelow(dist(matmul(l, adjoint(l)), a), 1e-13)
    assert.isTrue(l.every((row, i) => row.every((x, j) => (j > i ? x.re === 0 && x.im === 0 : true))))
    assert.isTrue(l.every((row, i) => row[i]!.im === 0 && row[i]!.re > 0))
    const l32 = value(np.linalg.cholesky(tensor(a, "complex64")))
    assert.isBelow(dist(matmul(l32, adjoint(l32)), a), 1e-5)
    const u = value(np.linalg.cholesky(tensor(a), { upper: true }))
    assert.isBelow(dist(matmul(adjoint(u), u), a), 1e-13)
  })

  it("triangular solves with conjugation (trans \"C\") and LU with pivoting", () => {
    const a = dominant(3, 2)
    const b = random(3, 2, 3)
    const x = value(linalg.solveTriangular(tensor(a), tensor(b), { lower: true, trans: "C" }))
    const lower = a.map((row, i) => row.map((v, j) => (j <= i ? v : c(0, 0))))
    assert.isBelow(dist(matmul(adjoint(lower), x), b), 1e-13)
    const [p, l, u] = linalg.lu(tensor(a))
    assert.isBelow(dist(matmul(value(p), matmul(value(l), value(u))), a), 1e-13)
  })

  it("solve, inv, det, slogdet, choSolve, luSolve", () => {
    const a = dominant(4, 4)
    const b = random(4, 2, 5)
    assert.isBelow(dist(matmul(a, value(np.linalg.solve(tensor(a), tensor(b)))), b), 1e-13)
    const eye = a.map((row, i) => row.map((_, j) => c(i === j ? 1 : 0, 0)))
    assert.isBelow(dist(matmul(a, value(np.linalg.inv(tensor(a)))), eye), 1e-13)
    for (const n of [2, 3, 4]) {
      const m = dominant(n, 10 + n)
      assertCloseC(flatC(np.linalg.det(tensor(m))), [det(m)], 1e-12)
      const [sign, logabsdet] = np.linalg.slogdet(tensor(m))
      assert.strictEqual(logabsdet.dtype, "float64")
      const d = det(m)
      assert.approximately(toJsSync(logabsdet) as number, Math.log(Math.hypot(d.re, d.im)), 1e-13)
      assertCloseC(flatC(sign), [c(d.re / Math.hypot(d.re, d.im), d.im / Math.hypot(d.re, d.im))], 1e-13)
    }
    const h = hpd(3, 6)
    const rhs = random(3, 1, 7)
    assert.isBelow(dist(matmul(h, value(linalg.choSolve(linalg.choFactor(tensor(h)), tensor(rhs)))), rhs), 1e-13)
    const factor = linalg.luFactor(tensor(a))
    assert.isBelow(dist(matmul(adjoint(a), value(linalg.luSolve(factor, tensor(b), { trans: 2 }))), b), 1e-13)
  })

  it("JVPs along complex directions equal central differences", () => {
    const h = 1e-6
    const fd = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor) =>
      flatC(np.divide(np.subtract(f(np.add(x, np.multiply(t, h))), f(np.subtract(x, np.multiply(t, h)))), 2 * h))
    const jv = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor) => flatC(runSync(jvp(f, [x], [t]))[1] as Tensor)
    const a = tensor(hpd(3, 20))
    const hermitianT = tensor(hpd(3, 21))
    assertCloseC(jv((x) => np.linalg.cholesky(x), a, hermitianT), fd((x) => np.linalg.cholesky(x), a, hermitianT), 1e-7)
    const g = tensor(dominant(3, 22))
    const t = tensor(random(3, 3, 23))
    const b = tensor(random(3, 2, 24))
    for (
      const f of [
        (x: Tensor) => np.linalg.solve(x, b),
        (x: Tensor) => np.linalg.det(x),
        (x: Tensor) => np.astype(np.linalg.slogdet(x)[1], "complex128"),
        (x: Tensor) =>
          lax.linalg.triangularSolve(x, b, { leftSide: true, lower: true, transposeA: true, conjugateA: true })
      ]
    ) {
      assertCloseC(jv(f, g, t), fd(f, g, t), 1e-7)
    }
  })

  it("the VJP of solve is the transpose of its JVP (JAX's convention, no conjugation)", () => {
    const g = tensor(dominant(3, 30))
    const t = tensor(random(3, 3, 31))
    const b = tensor(random(3, 2, 32))
    const ct = tensor(random(3, 2, 33))
    const f = (x: Tensor) => np.linalg.solve(x, b)
    const tangent = runSync(jvp(f, [g], [t]))[1] as Tensor
    const [, pullback] = runSync(vjp(f, [g]))
    const [cotangent] = runSync(pullback(ct)) as ReadonlyArray<Tensor>
    const lhs = flatC(np.sum(np.multiply(ct, tangent)))[0]!
    const rhs = flatC(np.sum(np.multiply(cotangent!, t)))[0]!
    assertCloseC([lhs], [rhs], 1e-12)
  })
})
