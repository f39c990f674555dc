/**
 * The general eigendecomposition (np.linalg.eig / eigvals, lax.linalg.eig) on
 * the CPU, and tensorsolve / tensorinv: residuals `||A V - V diag(w)||`, left
 * eigenvectors, geev's scaling, known spectra (a rotation, a companion matrix,
 * triangular and defective matrices), eigvals' JVP (JAX's rule) against float64
 * central differences, the gradient of the trace, and JAX's errors.
 */
import { assert, describe, it } from "@effect/vitest"
import { DerivativeNotImplementedError, grad, jvp, lax, np, runSync, ShapeError, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import fc from "fast-check"
import { adjoint, assertCloseC, type C, c, type CMatrix, flatC, matmul, mul, random } from "./complexHelpers.js"
import { flat, randomMatrix, tensor } from "./helpers.js"

const norm = (a: CMatrix) => Math.sqrt(a.flat().reduce((s, x) => s + x.re * x.re + x.im * x.im, 0))
const asComplex = (a: Array<Array<number>>): CMatrix => a.map((row) => row.map((x) => c(x, 0)))
const sub = (a: CMatrix, b: CMatrix): CMatrix =>
  a.map((row, i) => row.map((x, j) => c(x.re - b[i]![j]!.re, x.im - b[i]![j]!.im)))
const scaleCols = (v: CMatrix, w: Array<C>): CMatrix => v.map((row) => row.map((x, j) => mul(x, w[j]!)))
const byValue = (w: Array<C>) => [...w].sort((x, y) => x.re - y.re || x.im - y.im)

/** Checks A V = V diag(w) and geev's scaling (unit columns, largest component real); the eigenvalues. */
const checkDecomposition = (a: CMatrix, t: Tensor): Array<C> => {
  const [w, vr] = np.linalg.eig(t)
  const ws = flatC(w)
  const v = toJsSync(vr) as CMatrix
  assert.isBelow(norm(sub(matmul(a, v), scaleCols(v, ws))) / Math.max(norm(a), 1), 1e-13)
  assertGeevScaling(v)
  return ws
}

const assertGeevScaling = (v: CMatrix) => {
  for (let j = 0; j < v.length; j++) {
    const col = v.map((row) => row[j]!)
    assert.approximately(Math.sqrt(col.reduce((s, x) => s + x.re * x.re + x.im * x.im, 0)), 1, 1e-14)
    const big = col.reduce(
      (best, x, i) => (Math.hypot(x.re, x.im) > Math.hypot(col[best]!.re, col[best]!.im) ? i : best),
      0
    )
    assert.strictEqual(col[big]!.im, 0)
  }
}

describe("np.linalg.eig and eigvals", () => {
  it("random real and complex matrices: residuals, unit eigenvectors with the largest component real", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 1000 }), (n, seed) => {
        const real = randomMatrix(n, n, seed)
        const ws = checkDecomposition(asComplex(real), tensor(real))
        // trace = sum of eigenvalues
        const tr = real.reduce((s, row, i) => s + row[i]!, 0)
        assert.approximately(ws.reduce((s, x) => s + x.re, 0), tr, 1e-12)
        assert.approximately(ws.reduce((s, x) => s + x.im, 0), 0, 1e-12)
        const z = random(n, n, seed + 7)
        checkDecomposition(z, np.array(z as np.TensorLike, { dtype: "complex128" }))
      }),
      { numRuns: 15 }
    )
  })

  it("real input (the real Schur form, geev's path): real eigenvalues exactly real, complex ones in exact conjugate pairs, sizes 1-40", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom("random", "symmetric", "rotations", "triangular"),
        (n, seed, kind) => {
          const r = randomMatrix(n, n, seed)
          const real = kind === "symmetric"
            ? r.map((row, i) => row.map((x, j) => x + r[j]![i]!))
            : kind === "rotations"
            // 2 x 2 rotation blocks on the diagonal (+-i scaled), mixed by nothing: exact pairs
            ? r.map((row, i) =>
              row.map((_, j) => (i === j ? 0.5 : (i ^ 1) === j && (i | 1) < n ? (i % 2 === 0 ? -1 : 1) * (1 + i) : 0))
            )
            : kind === "triangular"
            ? r.map((row, i) => row.map((x, j) => (j >= i ? x : 0)))
            : r
          const ws = checkDecomposition(asComplex(real), tensor(real))
          for (let k = 0; k < n; k++) {
            if (ws[k]!.im === 0) continue
            // a pair: positive imaginary part first, the conjugate next, exactly
            assert.isAbove(ws[k]!.im, 0, `${kind} ${n}: w[${k}]`)
            assert.deepStrictEqual(ws[k + 1], c(ws[k]!.re, -ws[k]!.im), `${kind} ${n}: w[${k + 1}]`)
            k++
          }
          if (kind === "symmetric" || kind === "triangular") {
            assert.isTrue(ws.every((x) => x.im === 0), `${kind} ${n}: real spectrum`)
          }
          if (kind === "triangular") {
            assert.deepStrictEqual(byValue(ws).map((x) => x.re), real.map((row, i) => row[i]!).sort((x, y) => x - y))
          }
        }
      ),
      { numRuns: 60 }
    )
  })

  it("eigvals (the QR sweeps on the active block only, no Schur vectors) gives eig's eigenvalues bit for bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), (n, seed, cplx) => {
        const t = cplx
          ? np.array(random(n, n, seed) as np.TensorLike, { dtype: "complex128" })
          : tensor(randomMatrix(n, n, seed))
        assert.deepStrictEqual(toJsSync(np.linalg.eigvals(t)), toJsSync(np.linalg.eig(t)[0]))
      }),
      { numRuns: 40 }
    )
  })

  it("left eigenvectors (lax.linalg.eig): vl^H A = diag(w) vl^H, paired with w and vr", () => {
    for (const seed of [3, 4]) {
      const a = asComplex(randomMatrix(5, 5, seed))
      const [w, vl, vr] = lax.linalg.eig(tensor(randomMatrix(5, 5, seed)))
      const ws = flatC(w!)
      const [l, r] = [toJsSync(vl!) as CMatrix, toJsSync(vr!) as CMatrix]
      const lh = adjoint(l)
      const wl = lh.map((row, i) => row.map((x) => mul(ws[i]!, x)))
      assert.isBelow(norm(sub(matmul(lh, a), wl)) / norm(a), 1e-13)
      assert.isBelow(norm(sub(matmul(a, r), scaleCols(r, ws))) / norm(a), 1e-13)
      assertGeevScaling(l)
      // only the eigenvalues when no vectors are asked for, as many outputs as asked
      assert.strictEqual(lax.linalg.eig(tensor(randomMatrix(5, 5, seed)), { computeLeftEigenvectors: false }).length, 2)
    }
  })

  it("a zero matrix's eigenvectors are the identity, and a 1e-300-scaled matrix's are finite (no 0 / 0 in the substitution)", () => {
    for (const n of [1, 2, 5]) {
      const [w, v] = np.linalg.eig(np.zeros([n, n], { dtype: "float64" }))
      assert.deepStrictEqual(flatC(w), Array.from({ length: n }, () => c(0, 0)))
      const vm = toJsSync(v) as CMatrix
      vm.forEach((row, i) =>
        row.forEach((x, j) => assert.deepStrictEqual([x.re, Math.abs(x.im)], [i === j ? 1 : 0, 0]))
      )
    }
    const tiny = randomMatrix(6, 6, 91).map((row) => row.map((x) => x * 1e-300))
    const [, v] = np.linalg.eig(tensor(tiny))
    assert.isTrue((toJsSync(v) as CMatrix).flat().every((x) => Number.isFinite(x.re) && Number.isFinite(x.im)))
    assertGeevScaling(toJsSync(v) as CMatrix)
  })

  it("known spectra: a rotation (+-i), a companion matrix (1, 2, 3, 4), triangular and defective matrices", () => {
    assertCloseC(byValue(flatC(np.linalg.eigvals(np.array([[0, -1], [1, 0]], { dtype: "float64" })))), [
      c(0, -1),
      c(0, 1)
    ], 1e-15)
    // x^4 - 10 x^3 + 35 x^2 - 50 x + 24 = (x - 1)(x - 2)(x - 3)(x - 4)
    const companion = [[10, -35, 50, -24], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]
    assertCloseC(byValue(flatC(np.linalg.eigvals(tensor(companion)))), [1, 2, 3, 4].map((x) => c(x, 0)), 1e-12)
    assertCloseC(flatC(np.linalg.eigvals(tensor([[1, 2, 3], [0, 4, 5], [0, 0, 6]]))), [1, 4, 6].map((x) => c(x, 0)), 0)
    // a Jordan block: one eigenvalue twice, eigenvectors finite and parallel
    const [w, v] = np.linalg.eig(tensor([[1, 1], [0, 1]]))
    assertCloseC(flatC(w), [c(1, 0), c(1, 0)], 1e-15)
    assert.isTrue(flatC(v).every((x) => Number.isFinite(x.re) && Number.isFinite(x.im)))
    // float32 input gives complex64
    assert.strictEqual(np.linalg.eigvals(np.array([[1, 2], [3, 4]])).dtype, "complex64")
    // a non-finite matrix gives NaN
    assert.isTrue(flatC(np.linalg.eigvals(tensor([[NaN, 1], [0, 1]]))).every((x) => Number.isNaN(x.re)))
  })

  it("batched: vmap and leading dimensions equal a loop", () => {
    const stack = [randomMatrix(3, 3, 1), randomMatrix(3, 3, 2)]
    const want = stack.flatMap((m) => flatC(np.linalg.eigvals(tensor(m))))
    assertCloseC(flatC(np.linalg.eigvals(tensor(stack))), want, 0)
    assertCloseC(flatC(runSync(vmap((t: Tensor) => np.linalg.eigvals(t))(tensor(stack))) as Tensor), want, 1e-15)
  })
})

describe("eigvals' derivative (JAX's diag(V^-1 dA V)) and eig's error", () => {
  const h = 1e-6
  /** Central differences of the eigenvalues, each matched to the nearest perturbed one (the order may change). */
  const fdEigvals = (x: Tensor, t: Tensor): Array<C> => {
    const w0 = flatC(np.linalg.eigvals(x))
    const plus = flatC(np.linalg.eigvals(np.add(x, np.multiply(t, h))))
    const minus = flatC(np.linalg.eigvals(np.subtract(x, np.multiply(t, h))))
    const nearest = (ws: Array<C>, z: C) =>
      ws.reduce((b, y) => (Math.hypot(y.re - z.re, y.im - z.im) < Math.hypot(b.re - z.re, b.im - z.im) ? y : b))
    return w0.map((z) => {
      const [p, m] = [nearest(plus, z), nearest(minus, z)]
      return c((p.re - m.re) / (2 * h), (p.im - m.im) / (2 * h))
    })
  }

  it("JVP vs central differences on real and complex matrices", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1000 }), (n, seed) => {
        // the differences' truncation error grows with the eigenvalues' sensitivity, which the
        // derivative's size measures: the tolerance is relative to it (n = 5, seed 109 has a
        // derivative of 18.7 and differences off by 1.6e-5)
        const check = (a: Tensor, da: Tensor) => {
          const fd = fdEigvals(a, da)
          const size = Math.max(1, ...fd.map((w) => Math.hypot(w.re, w.im)))
          assertCloseC(
            flatC(runSync(jvp((m: Tensor) => np.linalg.eigvals(m), [a], [da]))[1] as Tensor),
            fd,
            1e-6 * size
          )
        }
        check(tensor(randomMatrix(n, n, seed)), tensor(randomMatrix(n, n, seed + 1)))
        check(
          np.array(random(n, n, seed + 2) as np.TensorLike, { dtype: "complex128" }),
          np.array(random(n, n, seed + 3) as np.TensorLike, { dtype: "complex128" })
        )
      }),
      { numRuns: 10 }
    )
  })

  it("grad of sum(re w) is the identity (the trace); of sum |w|^2 matches differences", () => {
    const a = randomMatrix(4, 4, 5)
    const traceLoss = (x: Tensor) => np.sum(np.real(np.linalg.eigvals(x)))
    const g = flat(runSync(grad(traceLoss)(tensor(a))) as Tensor)
    g.forEach((v, k) => assert.approximately(v, Math.floor(k / 4) === k % 4 ? 1 : 0, 1e-12))
    const loss = (x: Tensor) => np.sum(np.square(np.abs(np.linalg.eigvals(x))))
    const g2 = flat(runSync(grad(loss)(tensor(a))) as Tensor)
    const fd = a.flat().map((_, k) => {
      const at = (d: number) =>
        flat(loss(np.reshape(tensor(a.flat().map((v, q) => (q === k ? v + d : v))), [4, 4])))[0]!
      return (at(h) - at(-h)) / (2 * h)
    })
    g2.forEach((v, k) => assert.approximately(v, fd[k]!, 1e-6))
  })

  it("eigenvectors have no derivative (DerivativeNotImplementedError, JAX's message)", () => {
    const f = (x: Tensor) => np.sum(np.real(np.linalg.eig(x)[1]))
    assert.throws(() => runSync(grad(f)(np.eye(2))), DerivativeNotImplementedError, "derivatives of eigenvectors")
  })

  it("bad input: a non-square matrix is a ShapeError", () => {
    assert.throws(() => np.linalg.eig(np.ones([2, 3])), ShapeError)
    assert.throws(() => np.linalg.eigvals(np.ones([3])), ShapeError)
  })
})

describe("tensorsolve and tensorinv", () => {
  it("tensorinv inverts for tensordot: tensordot(tensorinv(a), a, ind) is the identity", () => {
    const a = np.reshape(tensor(randomMatrix(6, 6, 9)), [6, 2, 3])
    const ainv = np.linalg.tensorinv(a, { ind: 1 })
    assert.deepStrictEqual(ainv.shape, [2, 3, 6])
    const id = flat(np.tensordot(ainv, a, { axes: 1 }))
    // [2, 3, 2, 3]: identity over the flattened (2, 3) pairs
    id.forEach((v, k) => assert.approximately(v, Math.floor(k / 6) === k % 6 ? 1 : 0, 1e-12))
    const b = np.reshape(tensor(randomMatrix(4, 4, 10)), [2, 2, 2, 2])
    const binv = np.linalg.tensorinv(b)
    flat(np.tensordot(b, binv, { axes: 2 })).forEach((v, k) =>
      assert.approximately(v, Math.floor(k / 4) === k % 4 ? 1 : 0, 1e-12)
    )
  })

  it("tensorsolve: tensordot(a, x, x.ndim) = b, also with axes moved", () => {
    const a = np.reshape(tensor(randomMatrix(6, 6, 11)), [2, 3, 6])
    const b = np.reshape(tensor(randomMatrix(2, 3, 12)), [2, 3])
    const x = np.linalg.tensorsolve(a, b)
    assert.deepStrictEqual(x.shape, [6])
    const back = flat(np.tensordot(a, x, { axes: 1 }))
    back.forEach((v, k) => assert.approximately(v, flat(b)[k]!, 1e-12))
    // axes: a's axis 0 moves to the end, so x has that axis' length
    const a2 = np.reshape(tensor(randomMatrix(6, 6, 13)), [6, 2, 3])
    const b2 = np.reshape(tensor(randomMatrix(2, 3, 14)), [2, 3])
    const x2 = np.linalg.tensorsolve(a2, b2, { axes: [0] })
    const moved = np.moveaxis(a2, 0, -1)
    flat(np.tensordot(moved, x2, { axes: 1 })).forEach((v, k) => assert.approximately(v, flat(b2)[k]!, 1e-12))
  })

  it("shape errors with JAX's messages", () => {
    assert.throws(() => np.linalg.tensorinv(np.ones([2, 3]), { ind: 1 }), ShapeError, "product of the first")
    assert.throws(() => np.linalg.tensorsolve(np.ones([2, 3]), np.ones([3])), ShapeError, "leading dimensions")
    assert.throws(() => np.linalg.tensorsolve(np.ones([2, 3]), np.ones([2])), ShapeError, "square")
  })
})
