/**
 * The Schur decomposition (linalg.schur, lax.linalg.schur), the Hessenberg
 * reduction (linalg.hessenberg, lax.linalg.hessenberg) and rsf2csf:
 * reconstruction `a = Z T Z^H` to 1e-12 in float64, `Z` unitary, the structure
 * of `T` (2x2 blocks, standardized, for complex pairs only), its eigenvalues
 * against eig's, batches, float32, complex input, JAX's documented Hessenberg
 * form, and the typed errors (including differentiation, which JAX lacks).
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { grad, lax, linalg, np, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { runSync } from "diffect"
import fc from "fast-check"
import { adjoint, type C, c, type CMatrix, matmul, random } from "./complexHelpers.js"
import { randomMatrix, tensor } from "./helpers.js"

const asC = (a: Array<Array<number>>): CMatrix => a.map((row) => row.map((x) => c(x, 0)))
const readC = (t: Tensor): CMatrix => {
  const v = toJsSync(t) as Array<Array<number | C>>
  return v.map((row) => row.map((x) => (typeof x === "number" ? c(x, 0) : x)))
}
const fro = (a: CMatrix) => Math.sqrt(a.flat().reduce((s, x) => s + x.re * x.re + x.im * x.im, 0))
const diff = (a: CMatrix, b: CMatrix): CMatrix =>
  a.map((row, i) => row.map((x, j) => c(x.re - b[i]![j]!.re, x.im - b[i]![j]!.im)))
const identity = (n: number): CMatrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => c(i === j ? 1 : 0, 0)))

/** ||a - Z T Z^H|| / ||a|| and ||Z^H Z - I||. */
const residuals = (a: CMatrix, t: CMatrix, z: CMatrix) => [
  fro(diff(a, matmul(matmul(z, t), adjoint(z)))) / Math.max(fro(a), 1e-300),
  fro(diff(matmul(adjoint(z), z), identity(a.length)))
]

/** The eigenvalues of a quasi-triangular T (1x1 entries and 2x2 blocks), checking the block structure. */
const quasiTriangularEigenvalues = (t: CMatrix, real: boolean): Array<C> => {
  const n = t.length
  const w: Array<C> = []
  for (let i = 0; i < n; i++) for (let j = 0; j < i - 1; j++) assert.strictEqual(fro([[t[i]![j]!]]), 0)
  for (let i = 0; i < n;) {
    const sub = i + 1 < n ? t[i + 1]![i]! : c(0, 0)
    if (sub.re === 0 && sub.im === 0) {
      w.push(t[i]![i]!)
      i++
      continue
    }
    assert.isTrue(real, "a complex Schur form is triangular")
    // a standardized block: equal diagonal entries, off-diagonal entries of opposite signs
    const [a, b, cc, d] = [t[i]![i]!.re, t[i]![i + 1]!.re, sub.re, t[i + 1]![i + 1]!.re]
    assert.strictEqual(a, d)
    assert.isBelow(b * cc, 0)
    if (i + 2 < n) assert.strictEqual(t[i + 2]![i + 1]!.re, 0, "blocks do not overlap")
    const im = Math.sqrt(-b * cc)
    w.push(c(a, im), c(a, -im))
    i += 2
  }
  return w
}

const sortC = (w: Array<C>) => [...w].sort((x, y) => x.re - y.re || x.im - y.im)
const assertSameSpectrum = (got: Array<C>, want: Array<C>, tol: number) => {
  const [g, e] = [sortC(got), sortC(want)]
  // match greedily (sorting by real part alone can swap conjugates)
  const left = [...e]
  for (const x of g) {
    let best = 0
    for (let k = 1; k < left.length; k++) {
      if (
        Math.hypot(left[k]!.re - x.re, left[k]!.im - x.im) < Math.hypot(left[best]!.re - x.re, left[best]!.im - x.im)
      ) best = k
    }
    assert.isBelow(Math.hypot(left[best]!.re - x.re, left[best]!.im - x.im), tol)
    left.splice(best, 1)
  }
}

describe("linalg.schur", () => {
  it("real Schur form of random real matrices: a = Z T Z^T to 1e-12, Z orthogonal, standard 2x2 blocks, eig's spectrum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 10000 }), (n, seed) => {
        const a = randomMatrix(n, n, seed)
        const [t, z] = linalg.schur(tensor(a))
        assert.strictEqual(t.dtype, "float64")
        const [tm, zm] = [readC(t), readC(z)]
        const [rec, orth] = residuals(asC(a), tm, zm)
        assert.isBelow(rec, 1e-13)
        assert.isBelow(orth, 1e-13)
        const w = quasiTriangularEigenvalues(tm, true)
        const eig = toJsSync(np.linalg.eigvals(tensor(a))) as Array<C>
        assertSameSpectrum(w, eig, 1e-10)
      }),
      { numRuns: 40 }
    )
  })

  it("hand-derived: triangular input is its own Schur form; a rotation stays one standard block", () => {
    const [t, z] = linalg.schur(tensor([[2, 1], [0, 3]]))
    assert.deepStrictEqual(toJsSync(t), [[2, 1], [0, 3]])
    assert.deepStrictEqual(toJsSync(z), [[1, 0], [0, 1]])
    // [[1, 2], [-2, 1]]: eigenvalues 1 +- 2i, already standard (equal diagonal, b c < 0)
    const [tr] = linalg.schur(tensor([[1, 2], [-2, 1]]))
    assert.deepStrictEqual(toJsSync(tr), [[1, 2], [-2, 1]])
    // a 2x2 with real eigenvalues 1 and 3 is split: T triangular with 3 and 1 (or 1 and 3) on its diagonal
    const [ts] = linalg.schur(tensor([[2, 1], [1, 2]]))
    const d = toJsSync(np.diagonal(ts)) as Array<number>
    assert.strictEqual((toJsSync(ts) as Array<Array<number>>)[1]![0], 0)
    assert.deepStrictEqual([...d].sort().map((x) => Math.round(x * 1e12) / 1e12), [1, 3])
  })

  it("hard cases: the zero matrix, cyclic permutations (roots of unity, exceptional shifts), a Jordan block, 60x60", () => {
    const cyclic = (n: number) =>
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j === (i + 1) % n ? 1 : 0)))
    const jordan = [[2, 1, 0, 0], [0, 2, 1, 0], [0, 0, 2, 1], [0, 0, 0, 2]]
    const cases = [[[0, 0, 0], [0, 0, 0], [0, 0, 0]], cyclic(2), cyclic(5), cyclic(8), jordan, randomMatrix(60, 60, 3)]
    for (const a of cases) {
      for (const output of ["real", "complex"] as const) {
        const [t, z] = linalg.schur(tensor(a), { output })
        const [tm, zm] = [readC(t), readC(z)]
        const [rec, orth] = residuals(asC(a), tm, zm)
        assert.isBelow(rec, 1e-13, `n=${a.length} ${output}`)
        assert.isBelow(orth, 1e-13)
        const w = quasiTriangularEigenvalues(tm, output === "real")
        if (a.length === 8) {
          // the eighth roots of unity
          const want = Array.from({ length: 8 }, (_, k) => c(Math.cos((k * Math.PI) / 4), Math.sin((k * Math.PI) / 4)))
          assertSameSpectrum(w, want, 1e-13)
        }
      }
    }
  })

  it("complex output: triangular T with eig's eigenvalues, a = Z T Z^H; complex input alike", () => {
    for (const [n, seed] of [[3, 5], [6, 9], [8, 2]] as const) {
      const a = randomMatrix(n, n, seed)
      const [t, z] = linalg.schur(tensor(a), { output: "complex" })
      assert.strictEqual(t.dtype, "complex128")
      const [tm, zm] = [readC(t), readC(z)]
      const [rec, orth] = residuals(asC(a), tm, zm)
      assert.isBelow(rec, 1e-13)
      assert.isBelow(orth, 1e-13)
      const w = quasiTriangularEigenvalues(tm, false)
      assertSameSpectrum(w, toJsSync(np.linalg.eigvals(tensor(a))) as Array<C>, 1e-10)
      const ac = random(n, n, seed + 100)
      const [tc, zc] = linalg.schur(np.array(ac as np.TensorLike, { dtype: "complex128" }))
      const [rc, oc] = residuals(ac, readC(tc), readC(zc))
      assert.isBelow(rc, 1e-13)
      assert.isBelow(oc, 1e-13)
      quasiTriangularEigenvalues(readC(tc), false)
    }
  })

  it("batches (leading dimensions, vmap), float32 to 1e-5, integers promoted", () => {
    const a = randomMatrix(4, 4, 11)
    const b = randomMatrix(4, 4, 12)
    const [t, z] = linalg.schur(tensor([[a, b]]))
    assert.deepStrictEqual(t.shape, [1, 2, 4, 4])
    const tb = toJsSync(t) as Array<Array<Array<Array<number>>>>
    const zb = toJsSync(z) as Array<Array<Array<Array<number>>>>
    for (const [k, m] of [a, b].entries()) {
      assert.isBelow(residuals(asC(m), asC(tb[0]![k]!), asC(zb[0]![k]!))[0]!, 1e-13)
      assert.deepStrictEqual(tb[0]![k], toJsSync(linalg.schur(tensor(m))[0]))
    }
    const mapped = runSync(vmap((x: Tensor) => linalg.schur(x)[0])(tensor([a, b])))
    assert.deepStrictEqual(toJsSync(mapped), tb[0])
    const [t32, z32] = linalg.schur(tensor(a, "float32"))
    assert.strictEqual(t32.dtype, "float32")
    const [r32, o32] = residuals(asC(a), readC(t32), readC(z32))
    assert.isBelow(r32, 1e-5)
    assert.isBelow(o32, 1e-5)
    assert.strictEqual(linalg.schur(np.array([[1, 2], [3, 4]]))[0].dtype, "float32")
  })

  it("lax.linalg.schur: computeSchurVectors false gives T alone; NaN for non-finite input; empty", () => {
    const a = tensor(randomMatrix(3, 3, 4))
    const outs = lax.linalg.schur(a, { computeSchurVectors: false })
    assert.strictEqual(outs.length, 1)
    assert.deepStrictEqual(toJsSync(outs[0]!), toJsSync(lax.linalg.schur(a)[0]!))
    const nan = toJsSync(lax.linalg.schur(tensor([[1, Infinity], [0, 1]]))[0]!) as Array<Array<number>>
    assert.isTrue(nan.flat().every(Number.isNaN))
    assert.deepStrictEqual(linalg.schur(np.zeros([0, 0])).map((x) => x.shape), [[0, 0], [0, 0]])
  })

  it("typed errors: shapes, options, sorting, differentiation", () => {
    assert.include(thrownTag(() => linalg.schur(np.zeros([2, 3])), "ShapeError"), "schur")
    assert.include(thrownTag(() => linalg.schur(np.zeros([3])), "ShapeError"), "schur")
    assert.include(thrownTag(() => linalg.schur(np.eye(2), { output: "imaginary" as never }), "ArgumentError"), "schur")
    assert.include(thrownTag(() => lax.linalg.schur(np.eye(2), { sortEigVals: true }), "ArgumentError"), "schur")
    assert.include(thrownTag(() => lax.linalg.schur(np.array([1, 2], { dtype: "float32" })), "ShapeError"), "schur")
    assert.include(
      thrownTag(() => lax.linalg.schur(np.array([[1, 2], [3, 4]], { dtype: "int32" })), "DTypeError"),
      "schur"
    )
    assert.include(
      thrownTag(
        () => runSync(grad((x: Tensor) => np.sum(linalg.schur(x)[0]))(np.eye(2))),
        "DerivativeNotImplementedError"
      ),
      "schur"
    )
  })
})

describe("linalg.hessenberg", () => {
  it("JAX's documented example (LAPACK's signs): H and Q with a = Q H Q^T", () => {
    const a = [[1, 2, 3, 4], [1, 4, 2, 3], [3, 2, 1, 4], [2, 3, 2, 2]]
    const [h, q] = linalg.hessenberg(tensor(a), { calcQ: true })
    // jax.scipy.linalg.hessenberg's docstring, printed to 3 decimals
    const want = [[1, -5.078, 1.167, 1.361], [-3.742, 5.786, -3.613, -1.825], [0, -2.992, 2.493, -0.577], [
      0,
      0,
      -0.043,
      -1.279
    ]]
    const hm = toJsSync(h) as Array<Array<number>>
    hm.forEach((row, i) => row.forEach((x, j) => assert.approximately(x, want[i]![j]!, 5e-4)))
    assert.strictEqual(hm[3]![0], 0)
    assert.strictEqual(hm[3]![1], 0)
    assert.strictEqual(hm[2]![0], 0)
    const [rec, orth] = residuals(asC(a), asC(hm), readC(q))
    assert.isBelow(rec, 1e-14)
    assert.isBelow(orth, 1e-14)
    // H alone by default
    assert.deepStrictEqual(toJsSync(linalg.hessenberg(tensor(a))), hm)
  })

  it("random real and complex matrices, batched: Hessenberg structure, a = Q H Q^H, Q unitary; lax's packed form", () => {
    for (const [n, seed] of [[1, 1], [2, 2], [5, 3], [7, 4]] as const) {
      const a = randomMatrix(n, n, seed)
      const [h, q] = linalg.hessenberg(tensor(a), { calcQ: true })
      const [rec, orth] = residuals(asC(a), readC(h), readC(q))
      assert.isBelow(rec, 1e-14)
      assert.isBelow(orth, 1e-14)
      const ac = random(n, n, seed + 50)
      const [hc, qc] = linalg.hessenberg(np.array(ac as np.TensorLike, { dtype: "complex128" }), { calcQ: true })
      const hcm = readC(hc)
      hcm.forEach((row, i) => row.forEach((x, j) => j < i - 1 && assert.deepStrictEqual(x, c(0, 0))))
      // LAPACK's reflectors make the subdiagonal real
      for (let i = 1; i < n; i++) assert.strictEqual(hcm[i]![i - 1]!.im, 0)
      const [rc, oc] = residuals(ac, hcm, readC(qc))
      assert.isBelow(rc, 1e-14)
      assert.isBelow(oc, 1e-14)
    }
    const [a, taus] = lax.linalg.hessenberg(tensor([randomMatrix(4, 4, 1), randomMatrix(4, 4, 2)]))
    assert.deepStrictEqual(a.shape, [2, 4, 4])
    assert.deepStrictEqual(taus.shape, [2, 3])
    // LAPACK's last factor is zero; real reflectors have tau in [1, 2]
    for (const row of toJsSync(taus) as Array<Array<number>>) {
      assert.strictEqual(row[2], 0)
      for (const tau of row.slice(0, 2)) assert.isTrue(tau >= 1 && tau <= 2)
    }
    const [h32, q32] = linalg.hessenberg(tensor(randomMatrix(5, 5, 8), "float32"), { calcQ: true })
    assert.strictEqual(h32.dtype, "float32")
    assert.isBelow(residuals(asC(randomMatrix(5, 5, 8)), readC(h32), readC(q32))[0]!, 1e-5)
  })

  it("typed errors", () => {
    assert.include(thrownTag(() => linalg.hessenberg(np.zeros([2, 3])), "ShapeError"), "hessenberg")
    assert.include(thrownTag(() => linalg.hessenberg(np.eye(2), { calcQ: 1 as never }), "ArgumentError"), "hessenberg")
    assert.include(
      thrownTag(
        () => runSync(grad((x: Tensor) => np.sum(linalg.hessenberg(x)))(np.eye(3))),
        "DerivativeNotImplementedError"
      ),
      "hessenberg"
    )
  })
})

describe("linalg.rsf2csf", () => {
  it("complex Schur form from the real one: triangular, same Z T Z^H, eigenvalue with positive imaginary part first", () => {
    for (const [n, seed] of [[2, 3], [4, 7], [7, 1]] as const) {
      const a = randomMatrix(n, n, seed)
      const [tr, zr] = linalg.schur(tensor(a))
      const [tc, zc] = linalg.rsf2csf(tr, zr)
      assert.strictEqual(tc.dtype, "complex128")
      const [rec, orth] = residuals(asC(a), readC(tc), readC(zc))
      assert.isBelow(rec, 1e-13)
      assert.isBelow(orth, 1e-13)
      const tcm = readC(tc)
      quasiTriangularEigenvalues(tcm, false)
      const wr = quasiTriangularEigenvalues(readC(tr), true)
      assertSameSpectrum(tcm.map((row, i) => row[i]!), wr, 1e-12)
    }
    // JAX's docstring (2 decimals): [[0, 3, 3], [0, 1, 2], [2, 0, 1]] gives 3.76, then -0.88 +- 0.91i, the + first
    const [tr, zr] = linalg.schur(tensor([[0, 3, 3], [0, 1, 2], [2, 0, 1]]))
    const d = readC(linalg.rsf2csf(tr, zr)[0]).map((row, i) => row[i]!)
    for (const [x, want] of [[d[0]!, c(3.76, 0)], [d[1]!, c(-0.88, 0.91)], [d[2]!, c(-0.88, -0.91)]] as const) {
      assert.approximately(x.re, want.re, 5e-3)
      assert.approximately(x.im, want.im, 5e-3)
    }
  })

  it("batched t against a shared z; typed errors", () => {
    const a = randomMatrix(3, 3, 21)
    const [tr, zr] = linalg.schur(tensor(a))
    const [tb] = linalg.rsf2csf(np.stack([tr, tr]), zr)
    assert.deepStrictEqual(tb.shape, [2, 3, 3])
    assert.include(thrownTag(() => linalg.rsf2csf(np.zeros([2, 3]), np.eye(2)), "ShapeError"), "rsf2csf")
    assert.include(thrownTag(() => linalg.rsf2csf(np.eye(3), np.eye(2)), "ShapeError"), "rsf2csf")
  })
})
