/**
 * The decompositions' values: hand-derived small cases, and float64
 * reconstructions (||A - Q R|| / ||A||, orthogonality, ||A V - V diag(w)||) on
 * random and ill-conditioned matrices in float64 and float32; singular and
 * indefinite inputs give JAX's NaN / infinite results, not errors.
 */
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, DTypeError, lax, linalg, np, ShapeError, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import * as fc from "fast-check"
import {
  assertClose,
  assertGradMatchesFd,
  eye,
  flat,
  frob,
  hilbert,
  matrix,
  mul,
  randomMatrix,
  relativeError,
  spd,
  sub,
  tensor,
  transpose
} from "./helpers.js"
import type { Matrix } from "./helpers.js"

const diag = (v: Array<number>): Matrix => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)))
const orthogonality = (q: Matrix): number => frob(sub(mul(transpose(q), q), eye(q[0]!.length)))

const shapes: ReadonlyArray<readonly [number, number]> = [[1, 1], [3, 3], [6, 6], [12, 12], [7, 4], [4, 7], [20, 9]]

describe("cholesky", () => {
  it("hand-derived factor", () => {
    assertClose(flat(np.linalg.cholesky(np.array([[4, 2], [2, 3]]))), [2, 0, 1, Math.SQRT2], 1e-7)
    assertClose(flat(np.linalg.cholesky(tensor([[4, 2], [2, 3]]), { upper: true })), [2, 1, 0, Math.SQRT2], 1e-15)
  })

  it("reconstructs random SPD and the ill-conditioned Hilbert matrix (float64)", () => {
    for (const [n, seed] of [[3, 1], [8, 2], [25, 3]] as const) {
      const a = spd(n, seed)
      const l = matrix(np.linalg.cholesky(tensor(a)))
      assert.isBelow(relativeError(a, mul(l, transpose(l))), 1e-15)
      assert.isTrue(l.every((row, i) => row.every((x, j) => j <= i || x === 0)))
    }
    const h = hilbert(8)
    const l = matrix(np.linalg.cholesky(tensor(h)))
    assert.isBelow(relativeError(h, mul(l, transpose(l))), 1e-15)
  })

  it("float32 reconstruction within float32 rounding", () => {
    const a = spd(10, 4)
    const l = matrix(np.linalg.cholesky(tensor(a, "float32")))
    assert.isBelow(relativeError(a, mul(l, transpose(l))), 1e-6)
  })

  it("not positive definite: all NaN (JAX), batch members independent", () => {
    const out = flat(np.linalg.cholesky(tensor([[[1, 2], [2, 1]], [[4, 0], [0, 9]]])))
    assert.isTrue(out.slice(0, 4).every(Number.isNaN))
    assert.deepStrictEqual(out.slice(4), [2, 0, 0, 3])
  })

  it("refuses non-square and non-float operands with typed errors", () => {
    assert.throws(() => np.linalg.cholesky(np.ones([2, 3])), ShapeError, "square")
    assert.throws(() => np.linalg.cholesky(np.ones([3])), ShapeError, "at least two-dimensional")
    assert.throws(() => lax.linalg.cholesky(np.array([[1, 0], [0, 1]], { dtype: "int32" })), DTypeError)
  })
})

describe("triangular solve", () => {
  it("every combination of side, triangle and transpose solves its system", () => {
    const a = randomMatrix(4, 4, 5).map((row, i) => row.map((x, j) => (i === j ? x + 3 : x)))
    const b = randomMatrix(4, 3, 6)
    for (const lower of [true, false]) {
      for (const transposeA of [false, true]) {
        for (const unitDiagonal of [false, true]) {
          const t = a.map((row, i) =>
            row.map((x, j) => (i === j ? (unitDiagonal ? 1 : x) : (lower ? j < i : j > i) ? x : 0))
          )
          const op = transposeA ? transpose(t) : t
          const left = matrix(
            lax.linalg.triangularSolve(tensor(a), tensor(b), { leftSide: true, lower, transposeA, unitDiagonal })
          )
          assert.isBelow(relativeError(b, mul(op, left)), 1e-14)
          const bt = transpose(b)
          const right = matrix(lax.linalg.triangularSolve(tensor(a), tensor(bt), { lower, transposeA, unitDiagonal }))
          assert.isBelow(relativeError(bt, mul(right, op)), 1e-14)
        }
      }
    }
  })

  it("solveTriangular (SciPy's names): vectors, trans", () => {
    assertClose(flat(linalg.solveTriangular(tensor([[2, 0], [1, 1]]), tensor([2, 3]), { lower: true })), [1, 2], 0)
    // [[2, 1], [0, 1]]^T x = [2, 3]: x = [1, 2]
    assertClose(flat(linalg.solveTriangular(tensor([[2, 1], [0, 1]]), tensor([2, 3]), { trans: "T" })), [1, 2], 0)
  })

  it("a zero on the diagonal gives non-finite results", () => {
    const x = flat(linalg.solveTriangular(tensor([[0, 0], [1, 1]]), tensor([1, 1]), { lower: true }))
    assert.isFalse(x.every(Number.isFinite))
  })

  it("mismatched shapes are a ShapeError", () => {
    assert.throws(
      () => lax.linalg.triangularSolve(np.ones([3, 3]), np.ones([2, 3]), { leftSide: true }),
      ShapeError,
      "do not match"
    )
  })
})

describe("lu", () => {
  it("hand-derived packed factors, pivots and permutation", () => {
    const [f, piv, perm] = lax.linalg.lu(tensor([[1, 2], [3, 4]]))
    assertClose(flat(f), [3, 4, 1 / 3, 2 / 3], 1e-15)
    assert.deepStrictEqual(toJsSync(piv), [1, 1])
    assert.deepStrictEqual(toJsSync(perm), [1, 0])
  })

  it("luPivotsToPermutation rebuilds lu's permutation from its pivots (batched)", () => {
    const x = tensor([randomMatrix(5, 5, 15), randomMatrix(5, 5, 16)])
    const [, pivots, permutation] = lax.linalg.lu(x)
    assert.deepStrictEqual(toJsSync(lax.linalg.luPivotsToPermutation(pivots, 5)), toJsSync(permutation))
    const wide = lax.linalg.lu(tensor(randomMatrix(3, 6, 17)))
    assert.deepStrictEqual(toJsSync(lax.linalg.luPivotsToPermutation(wide[1], 3)), toJsSync(wide[2]))
    assert.throws(() => lax.linalg.luPivotsToPermutation(np.array([1, 2], { dtype: "int32" }), 1), ShapeError)
  })

  it("P A = L U with |L| <= 1 on random, rectangular and ill-conditioned matrices", () => {
    for (const [[m, n], seed] of [...shapes.map((s, i) => [s, i + 10] as const), [[8, 8], -1] as const]) {
      const a = seed === -1 ? hilbert(8) : randomMatrix(m, n, seed)
      const [p, l, u] = linalg.lu(tensor(a))
      assert.isBelow(relativeError(a, mul(matrix(p), mul(matrix(l), matrix(u)))), 1e-15)
      assert.isTrue(matrix(l).flat().every((x) => Math.abs(x) <= 1))
    }
  })

  it("a singular matrix is factored (zero pivot), its determinant is 0 and slogdet [0, -inf]", () => {
    const a = tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]])
    assert.strictEqual(flat(np.linalg.det(tensor([[1, 2], [2, 4]])))[0], 0)
    const [sign, logdet] = np.linalg.slogdet(tensor([[1, 2, 3, 4], [2, 4, 6, 8], [1, 0, 1, 0], [0, 1, 0, 1]]))
    assert.deepStrictEqual([flat(sign)[0], flat(logdet)[0]], [0, -Infinity])
    const x = flat(np.linalg.solve(a, tensor([1, 1, 1])))
    assert.isFalse(x.every(Number.isFinite))
  })
})

describe("solve, inv, det, slogdet", () => {
  it("solve: vector and matrix right-hand sides, broadcast batch", () => {
    assertClose(flat(np.linalg.solve(tensor([[3, 1], [1, 2]]), tensor([9, 8]))), [2, 3], 1e-15)
    const a = randomMatrix(5, 5, 21)
    const b = randomMatrix(5, 2, 22)
    const x = matrix(np.linalg.solve(tensor(a), tensor(b)))
    assert.isBelow(relativeError(b, mul(a, x)), 1e-14)
    // [2, 5, 5] against one [5, 2]: broadcast
    const batched = np.linalg.solve(tensor([a, spd(5, 3)]), tensor(b))
    assert.deepStrictEqual(batched.shape, [2, 5, 2])
    assertClose(flat(np.index(batched, 0)), x.flat(), 1e-14)
  })

  it("inv of the Hilbert matrix: A inv(A) = I to cond(A) eps", () => {
    const h = hilbert(6) // cond ~ 1.5e7
    const r = mul(h, matrix(np.linalg.inv(tensor(h))))
    assert.isBelow(frob(sub(r, eye(6))), 1e-8)
  })

  it("det: closed forms for 2x2 and 3x3, LU beyond, against the permutation expansion", () => {
    const expansion = (a: Matrix): number => {
      const n = a.length
      if (n === 1) return a[0]![0]!
      let s = 0
      for (let j = 0; j < n; j++) {
        const minor = a.slice(1).map((row) => row.filter((_, c) => c !== j))
        s += (j % 2 === 0 ? 1 : -1) * a[0]![j]! * expansion(minor)
      }
      return s
    }
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const a = randomMatrix(n, n, 30 + n)
      assertClose(flat(np.linalg.det(tensor(a))), [expansion(a)], 1e-13)
      const [sign, logdet] = np.linalg.slogdet(tensor(a))
      assertClose([flat(sign)[0]! * Math.exp(flat(logdet)[0]!)], [expansion(a)], 1e-13)
    }
  })

  it("slogdet avoids overflow where det overflows", () => {
    const big = tensor(diag(Array.from({ length: 40 }, () => 1e10)))
    const [sign, logdet] = np.linalg.slogdet(big)
    assertClose([flat(sign)[0]!, flat(logdet)[0]!], [1, 400 * Math.log(10)], 1e-14)
  })

  it("choSolve and luSolve", () => {
    const a = spd(4, 40)
    const b = randomMatrix(4, 2, 41)
    for (const lower of [true, false]) {
      const x = matrix(linalg.choSolve(linalg.choFactor(tensor(a), { lower }), tensor(b)))
      assert.isBelow(relativeError(b, mul(a, x)), 1e-14)
    }
    const g = randomMatrix(4, 4, 42)
    const factor = linalg.luFactor(tensor(g))
    assert.isBelow(relativeError(b, mul(g, matrix(linalg.luSolve(factor, tensor(b))))), 1e-14)
    const xt = matrix(linalg.luSolve(factor, tensor(b), { trans: 1 }))
    assert.isBelow(relativeError(b, mul(transpose(g), xt)), 1e-14)
  })

  it("choFactor reads one triangle (SciPy's and JAX's _cholesky, no symmetrizing); luSolve takes only 0, 1, 2", () => {
    // [[4, 2], [1, 3]]: lower reads [[4, 1], [1, 3]] (L = [[2, 0], [0.5, sqrt(2.75)]]), upper reads
    // [[4, 2], [2, 3]] (U = [[2, 1], [0, sqrt(2)]]), as scipy.linalg.cho_factor
    const n = tensor([[4, 2], [1, 3]])
    assertClose(flat(linalg.choFactor(n, { lower: true })[0]), [2, 0, 0.5, Math.sqrt(2.75)], 1e-15)
    assertClose(flat(linalg.choFactor(n)[0]), [2, 1, 0, Math.SQRT2], 1e-15)
    // np.linalg.cholesky symmetrizes by default ([[4, 1.5], [1.5, 3]]); symmetrizeInput: false reads the lower triangle
    assertClose(flat(np.linalg.cholesky(n)), [2, 0, 0.75, Math.sqrt(3 - 0.5625)], 1e-15)
    assertClose(flat(np.linalg.cholesky(n, { symmetrizeInput: false })), [2, 0, 0.5, Math.sqrt(2.75)], 1e-15)
    // JAX's lu_solve: "'trans' value must be 0, 1, or 2" (a string was silently trans = 0)
    const factor = linalg.luFactor(tensor([[1, 2], [3, 4]]))
    assert.throws(() => linalg.luSolve(factor, tensor([1, 2]), { trans: "T" as never }), ArgumentError, "0, 1 or 2")
  })
})

describe("qr", () => {
  it("hand-derived Householder factors (LAPACK's signs)", () => {
    const [q, r] = lax.linalg.qr(tensor([[3, 1], [4, 2]]))
    assertClose(flat(q), [-0.6, -0.8, -0.8, 0.6], 1e-15)
    assertClose(flat(r), [-5, -2.2, 0, 0.4], 1e-15)
  })

  it("A = Q R, Q^T Q = I, R upper, in reduced and complete modes (float64 and float32)", () => {
    for (const [[m, n], i] of shapes.map((s, i) => [s, i] as const)) {
      const a = randomMatrix(m, n, 50 + i)
      for (const fullMatrices of [false, true]) {
        const [q, r] = lax.linalg.qr(tensor(a), { fullMatrices })
        const [qm, rm] = [matrix(q), matrix(r)]
        assert.deepStrictEqual(q.shape, [m, fullMatrices ? m : Math.min(m, n)])
        assert.isBelow(relativeError(a, mul(qm, rm)), 1e-15)
        assert.isBelow(orthogonality(qm), 1e-14)
        assert.isTrue(rm.every((row, k) => row.every((x, j) => j >= k || x === 0)))
        const [q32, r32] = lax.linalg.qr(tensor(a, "float32"), { fullMatrices })
        assert.isBelow(relativeError(a, mul(matrix(q32), matrix(r32))), 1e-6)
      }
    }
    const h = hilbert(8)
    const [q, r] = lax.linalg.qr(tensor(h))
    assert.isBelow(relativeError(h, mul(matrix(q), matrix(r))), 1e-15)
    assert.isBelow(orthogonality(matrix(q)), 1e-14)
  })
})
describe("eigh", () => {
  it("hand-derived eigenvalues", () => {
    const [w] = np.linalg.eigh(tensor([[2, 1], [1, 2]]))
    assertClose(flat(w), [1, 3], 1e-15)
    assertClose(flat(np.linalg.eigvalsh(tensor([[2, 0, 0], [0, -1, 0], [0, 0, 5]]))), [-1, 2, 5], 0)
  })

  it("A V = V diag(w), V orthogonal, w ascending, sum(w) = trace: sizes 1-40, low rank, clustered, scaled", () => {
    // symmetric matrices of several kinds; the tridiagonal QL must converge and stay orthogonal
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom("random", "lowRank", "clustered", "tiny", "huge", "zero", "diagonal"),
        fc.integer({ min: 1, max: 100_000 }),
        (n, kind, seed) => {
          const r = randomMatrix(n, n, seed)
          const sym = r.map((row, i) => row.map((x, j) => x + r[j]![i]!))
          // a reflection Q = I - 2 u u^T / u^T u maps a diagonal to a dense matrix with its spectrum
          const u = randomMatrix(1, n, seed + 1)[0]!
          const uu = u.reduce((a, x) => a + x * x, 0)
          const reflect = (values: Array<number>): Matrix => {
            const q = eye(n).map((row, i) => row.map((x, j) => x - (2 * u[i]! * u[j]!) / uu))
            return mul(mul(q, diag(values)), q)
          }
          const a: Matrix = kind === "random"
            ? sym
            : kind === "lowRank"
            ? mul(randomMatrix(n, 2, seed), transpose(randomMatrix(n, 2, seed)))
            : kind === "clustered"
            ? reflect(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 1 + 1e-12 * i)))
            : kind === "tiny"
            ? sym.map((row) => row.map((x) => x * 1e-150))
            : kind === "huge"
            ? sym.map((row) => row.map((x) => x * 1e150))
            : kind === "zero"
            ? eye(n).map((row) => row.map(() => 0))
            : diag(u)
          const [w, v] = np.linalg.eigh(tensor(a))
          const [wv, vm] = [flat(w), matrix(v)]
          const scale = frob(a) === 0 ? 1 : frob(a)
          assert.isBelow(frob(sub(mul(a, vm), mul(vm, diag(wv)))) / scale, 1e-13 * n, `${kind} ${n}: residual`)
          assert.isBelow(orthogonality(vm), 1e-13 * n, `${kind} ${n}: orthogonality`)
          assert.isTrue(wv.every((x, i) => i === 0 || wv[i - 1]! <= x), `${kind} ${n}: ascending`)
          const trace = a.reduce((t, row, i) => t + row[i]!, 0)
          assert.isBelow(Math.abs(wv.reduce((t, x) => t + x, 0) - trace) / scale, 1e-13 * n, `${kind} ${n}: trace`)
        }
      ),
      { numRuns: 120 }
    )
  })

  it("A V = V diag(w), V orthogonal, w ascending: random, degenerate and ill-conditioned", () => {
    const cases: Array<Matrix> = [
      spd(5, 60),
      randomMatrix(9, 9, 61).map((row, i, a) => row.map((x, j) => x + a[j]![i]!)),
      hilbert(8),
      eye(4),
      // repeated eigenvalue 2 (twice) and 5
      [[3, 1, 0], [1, 3, 0], [0, 0, 5]].map((row) => row.map((x) => x)),
      [[2, 0, 0], [0, 2, 0], [0, 0, 5]]
    ]
    for (const a of cases) {
      const [w, v] = np.linalg.eigh(tensor(a))
      const [wv, vm] = [flat(w), matrix(v)]
      assert.isBelow(frob(sub(mul(a, vm), mul(vm, diag(wv)))) / frob(a), 1e-14)
      assert.isBelow(orthogonality(vm), 1e-14)
      assert.isTrue(wv.every((x, i) => i === 0 || wv[i - 1]! <= x))
      const [w32, v32] = np.linalg.eigh(tensor(a, "float32"))
      assert.isBelow(frob(sub(mul(a, matrix(v32)), mul(matrix(v32), diag(flat(w32))))) / frob(a), 2e-6)
    }
  })

  it("reads only one triangle (UPLO) when not symmetrizing", () => {
    const a = tensor([[2, 100], [1, 2]])
    const [wl] = lax.linalg.eigh(a, { symmetrizeInput: false })
    assertClose(flat(lax.linalg.eigh(a, { symmetrizeInput: false })[1]), [1, 3], 1e-15)
    assert.deepStrictEqual(wl.shape, [2, 2])
    assertClose(flat(lax.linalg.eigh(a, { symmetrizeInput: false, lower: false })[1]), [-98, 102], 1e-13)
  })

  it("JAX's sortEigenvalues (the implementation's order is ascending) and subsetByIndex (ascending indices, batched)", () => {
    const d = tensor([[3, 0, 0], [0, 1, 0], [0, 0, 2]])
    assertClose(flat(lax.linalg.eigh(d, { sortEigenvalues: false })[1]), [1, 2, 3], 1e-15)
    const [v, w] = lax.linalg.eigh(d, { subsetByIndex: [1, 3] })
    assert.deepStrictEqual([v.shape, w.shape], [[3, 2], [2]])
    assertClose(flat(w), [2, 3], 1e-15)
    // the eigenvectors of 2 and 3 are e3 and e1 (up to sign)
    assertClose(flat(v).map(Math.abs), [0, 1, 0, 0, 1, 0], 1e-15)
    const batch = tensor([[[2, 1], [1, 2]], [[3, 1], [1, 3]]])
    assertClose(flat(lax.linalg.eigh(batch, { subsetByIndex: [1, 2] })[1]), [3, 4], 1e-14)
    // the largest eigenvalue's gradient: float64 central differences
    const largest = (x: Tensor) => np.sum(lax.linalg.eigh(x, { subsetByIndex: [2, 3] })[1])
    assertGradMatchesFd(largest, [3, 0.5, 0, 0.5, 1, 0.25, 0, 0.25, 2], [3, 3], 1e-6)
    for (const bad of [[2, 4], [1, 1], [-1, 2]] as const) {
      const e = (() => {
        try {
          lax.linalg.eigh(d, { subsetByIndex: bad })
        } catch (e) {
          return e
        }
      })()
      assert.instanceOf(e, ArgumentError)
      assert.include((e as ArgumentError).message, `got [${bad[0]}, ${bad[1]}]`)
    }
  })
})

describe("scaling (LAPACK's dlascl): matrices near overflow or underflow", () => {
  it("A scaled by 2^1000 and 2^-1000 gives the unscaled results times the same power, bit for bit", () => {
    const a = randomMatrix(6, 6, 17)
    const sym = a.map((row, i) => row.map((x, j) => x + a[j]![i]!))
    const ca = a.map((row, i) => row.map((x, j) => ({ re: x, im: a[j]![i]! })))
    const herm = ca.map((row, i) =>
      row.map((x, j) => (i === j ? { re: x.re, im: 0 } : j > i ? x : { re: ca[j]![i]!.re, im: -ca[j]![i]!.im }))
    )
    const scaled = (m: Matrix, f: number) => m.map((row) => row.map((x) => x * f))
    const cscaled = (m: Array<Array<{ re: number; im: number }>>, f: number) =>
      m.map((row) => row.map((x) => ({ re: x.re * f, im: x.im * f })))
    const ctensor = (m: Array<Array<{ re: number; im: number }>>) =>
      np.array(m as np.TensorLike, { dtype: "complex128" })
    const values = (t: Tensor): Array<number> =>
      (toJsSync(t) as unknown as Array<unknown>).flat(2).flatMap((x) =>
        typeof x === "number" ? [x] : [(x as { re: number }).re, (x as { im: number }).im]
      )
    const cases: ReadonlyArray<readonly [string, (f: number) => Tensor]> = [
      ["eigvalsh", (f) => np.linalg.eigvalsh(tensor(scaled(sym, f)))],
      ["eigvals", (f) => np.linalg.eigvals(tensor(scaled(a, f)))],
      ["eig", (f) => np.linalg.eig(tensor(scaled(a, f)))[0]],
      ["qr's R", (f) => np.linalg.qr(tensor(scaled(a, f)))[1]],
      ["schur's T", (f) => linalg.schur(tensor(scaled(a, f)))[0]],
      ["svdvals", (f) => np.linalg.svd(tensor(scaled(a, f)), { computeUv: false })],
      ["complex eigvalsh", (f) => np.linalg.eigvalsh(ctensor(cscaled(herm, f)))],
      ["complex eigvals", (f) => np.linalg.eigvals(ctensor(cscaled(ca, f)))],
      ["complex qr's R", (f) => np.linalg.qr(ctensor(cscaled(ca, f)))[1]],
      ["complex svdvals", (f) => np.linalg.svd(ctensor(cscaled(ca, f)), { computeUv: false })]
    ]
    for (const [name, f] of cases) {
      const base = values(f(1))
      for (const p of [1000, -1000]) {
        const got = values(f(2 ** p))
        assert.isTrue(got.every(Number.isFinite), `${name} at 2^${p}: finite`)
        assert.deepStrictEqual(got, base.map((x) => x * 2 ** p), `${name} at 2^${p}`)
      }
    }
  })
})

describe("svd", () => {
  it("hand-derived singular values", () => {
    const [, s] = np.linalg.svd(tensor([[3, 0], [0, -4]]))
    assertClose(flat(s), [4, 3], 1e-15)
    assertClose(flat(np.linalg.svd(tensor([[1, 1], [1, 1]]), { computeUv: false })), [2, 0], 1e-15)
  })

  it("lax.linalg.svd: computeUv false gives the singular values alone; subsetByIndex needs fullMatrices: false (JAX)", () => {
    const a = tensor([[3, 0], [0, -4], [0, 0]])
    assertClose(flat(lax.linalg.svd(a, { computeUv: false })), [4, 3], 1e-15)
    const [u, s, vh] = lax.linalg.svd(a, { fullMatrices: false, subsetByIndex: [1, 2] })
    assert.deepStrictEqual([u.shape, s.shape, vh.shape], [[3, 1], [1], [1, 2]])
    assertClose(flat(s), [3], 1e-15)
    // the singular vectors of 3: e1 on both sides, up to one sign
    assertClose(flat(np.multiply(u, s)).map(Math.abs), [3, 0, 0], 1e-15)
    assertClose(flat(vh).map(Math.abs), [1, 0], 1e-15)
    assertClose(flat(lax.linalg.svd(a, { fullMatrices: false, computeUv: false, subsetByIndex: [0, 1] })), [4], 1e-15)
    // the whole range is allowed with full matrices; a part is not
    assert.deepStrictEqual(lax.linalg.svd(a, { subsetByIndex: [0, 2] })[0].shape, [3, 3])
    assert.throws(
      () => lax.linalg.svd(a, { subsetByIndex: [0, 1] }),
      /fullMatrices and subsetByIndex cannot both be set/
    )
  })

  it("A = U S V^T, orthonormal U and V, descending s, reduced and full (float64 and float32)", () => {
    const cases: Array<Matrix> = [
      ...shapes.map(([m, n], i) => randomMatrix(m, n, 70 + i)),
      hilbert(8),
      // rank 1 and zero: U completed to an orthonormal basis
      [[1, 2], [2, 4], [3, 6]],
      [[0, 0, 0], [0, 0, 0]]
    ]
    for (const a of cases) {
      const [m, n] = [a.length, a[0]!.length]
      for (const fullMatrices of [false, true]) {
        const [u, s, vh] = np.linalg.svd(tensor(a), { fullMatrices })
        const [um, sv, vm] = [matrix(u), flat(s), matrix(vh)]
        const k = Math.min(m, n)
        const sm = Array.from(
          { length: um[0]!.length },
          (_, i) => Array.from({ length: vm.length }, (_, j) => (i === j && i < k ? sv[i]! : 0))
        )
        const scale = Math.max(frob(a), 1)
        assert.isBelow(frob(sub(a, mul(um, mul(sm, vm)))) / scale, 1e-14)
        assert.isBelow(orthogonality(um), 1e-14)
        assert.isBelow(orthogonality(transpose(vm)), 1e-14)
        assert.isTrue(sv.every((x, i) => x >= 0 && (i === 0 || sv[i - 1]! >= x)))
        if (fullMatrices) assert.deepStrictEqual([u.shape, vh.shape], [[m, m], [n, n]])
      }
      const [u32, s32, vh32] = np.linalg.svd(tensor(a, "float32"), { fullMatrices: false })
      const rec = mul(matrix(u32), mul(diag(flat(s32)), matrix(vh32)))
      assert.isBelow(frob(sub(a, rec)) / Math.max(frob(a), 1), 2e-6)
    }
  })

  it("A = U S V^T, U and V orthonormal, s descending and equal to the values alone: sizes 1-40, tall and wide, rank-deficient, clustered, graded, scaled", () => {
    // the bidiagonalization and the bidiagonal QR sweeps must converge (splits, zero diagonals) and stay orthogonal
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom("random", "lowRank", "clustered", "graded", "tiny", "huge", "zero", "zeroColumn", "identity"),
        fc.boolean(),
        fc.integer({ min: 1, max: 100_000 }),
        (m, n, kind, fullMatrices, seed) => {
          const r = randomMatrix(m, n, seed)
          const k = Math.min(m, n)
          const a: Matrix = kind === "random"
            ? r
            : kind === "lowRank"
            ? mul(randomMatrix(m, 2, seed), randomMatrix(2, n, seed + 1))
            : kind === "clustered"
            ? r.map((row, i) => row.map((x, j) => (i === j ? 1 + 1e-12 * x : 0)))
            : kind === "graded"
            ? r.map((row, i) => row.map((x) => x * 10 ** (-i)))
            : kind === "tiny"
            ? r.map((row) => row.map((x) => x * 1e-300))
            : kind === "huge"
            ? r.map((row) => row.map((x) => x * 1e300))
            : kind === "zero"
            ? r.map((row) => row.map(() => 0))
            : kind === "zeroColumn"
            ? r.map((row) => row.map((x, j) => (j % 2 === 1 ? 0 : x)))
            : r.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)))
          const [u, s, vh] = np.linalg.svd(tensor(a), { fullMatrices })
          const [um, sv, vm] = [matrix(u), flat(s), matrix(vh)]
          const what = `${kind} ${m}x${n}`
          const sm = Array.from(
            { length: um[0]!.length },
            (_, i) => Array.from({ length: vm.length }, (_, j) => (i === j && i < k ? sv[i]! : 0))
          )
          // (a huge or tiny matrix's squares overflow or underflow in the reference: compared scaled)
          const down = kind === "huge" ? 1e-300 : kind === "tiny" ? 1e300 : 1
          const scaled = (x: Matrix) => x.map((row) => row.map((y) => y * down))
          const norm = frob(scaled(a))
          const scale = norm === 0 ? 1 : norm
          assert.isBelow(
            frob(sub(scaled(a), mul(um, mul(scaled(sm), vm)))) / scale,
            1e-14 * (m + n),
            `${what}: reconstruction`
          )
          assert.isBelow(orthogonality(um), 1e-14 * (m + n), `${what}: U`)
          assert.isBelow(orthogonality(transpose(vm)), 1e-14 * (m + n), `${what}: V`)
          assert.isTrue(sv.every((x, i) => x >= 0 && (i === 0 || sv[i - 1]! >= x)), `${what}: descending`)
          // the sweeps act on the bidiagonal alone: the values come out the same without the vectors
          assert.deepStrictEqual(flat(np.linalg.svd(tensor(a), { computeUv: false })), sv, `${what}: values alone`)
          // the sum of squares is the Frobenius norm squared
          const sq = sv.reduce((t, x) => t + (x * down) ** 2, 0)
          assert.isBelow(Math.abs(Math.sqrt(sq) - norm) / scale, 1e-13 * k, `${what}: Frobenius`)
        }
      ),
      { numRuns: 200 }
    )
  })

  it("hermitian: |eigenvalues| descending, a = u diag(s) vh, pinv agrees (JAX's hermitian=True)", () => {
    const sym = [[2, -3, 0.5], [-3, 1, 0], [0.5, 0, -4]]
    const [u, s, vh] = np.linalg.svd(tensor(sym), { hermitian: true })
    const sv = flat(s)
    assertClose(sv, flat(np.linalg.svd(tensor(sym), { computeUv: false })), 1e-14)
    assertClose(flat(np.linalg.svd(tensor(sym), { hermitian: true, computeUv: false })), sv, 1e-14)
    assert.isBelow(frob(sub(sym, mul(matrix(u), mul(diag(sv), matrix(vh))))), 1e-14)
    assert.isBelow(orthogonality(matrix(u)), 1e-14)
    const batched = np.linalg.svd(tensor([sym, sym]), { hermitian: true })[1]
    assertClose(flat(batched), [...sv, ...sv], 1e-14)
    assertClose(flat(np.linalg.pinv(tensor(sym), { hermitian: true })), flat(np.linalg.pinv(tensor(sym))), 1e-13)
  })

  it("NaN input gives NaN outputs (no hang)", () => {
    const [u, s] = np.linalg.svd(tensor([[NaN, 1], [1, 1]]))
    assert.isTrue(flat(s).every(Number.isNaN))
    assert.isTrue(flat(u).every(Number.isNaN))
  })
})

describe("lstsq, pinv, norms, rank, cond, matrixPower, multiDot", () => {
  it("lstsq fits the normal equations (over- and under-determined), with residuals and rank", () => {
    const a = randomMatrix(6, 3, 80)
    const b = randomMatrix(6, 2, 81)
    const [x, residuals, rank, s] = np.linalg.lstsq(tensor(a), tensor(b))
    // a^T (a x - b) = 0
    const r = sub(mul(a, matrix(x)), b)
    assert.isBelow(frob(mul(transpose(a), r)), 1e-13)
    assertClose(flat(residuals), [0, 1].map((j) => r.reduce((acc, row) => acc + row[j]! ** 2, 0)), 1e-12)
    assert.strictEqual(flat(rank)[0], 3)
    assert.deepStrictEqual(s.shape, [3])
    // under-determined: the minimum-norm solution, rank 2
    const [xu, , ru] = np.linalg.lstsq(tensor([[1, 1, 0], [0, 1, 1]]), tensor([2, 2]))
    assertClose(flat(xu), [2 / 3, 4 / 3, 2 / 3], 1e-14)
    assert.strictEqual(flat(ru)[0], 2)
  })

  it("lstsq's numpyResid: NumPy's residuals, empty where a is rank-deficient or not tall", () => {
    // np.linalg.lstsq([[1, 2], [3, 4], [5, 7]], [1, 2, 3]) residuals -> [0.0714285714...] (1/14)
    const tall = tensor([[1, 2], [3, 4], [5, 7]])
    const b = tensor([1, 2, 3])
    assertClose(flat(np.linalg.lstsq(tall, b, { numpyResid: true })[1]), [1 / 14], 1e-13)
    // rank 1 of 2: NumPy returns no residuals (JAX's default returns them anyway)
    const deficient = tensor([[1, 2], [2, 4], [3, 6]])
    assert.deepStrictEqual(np.linalg.lstsq(deficient, b, { numpyResid: true })[1].shape, [0])
    assert.deepStrictEqual(np.linalg.lstsq(deficient, b)[1].shape, [1])
    // wide: none either
    assert.deepStrictEqual(
      np.linalg.lstsq(tensor([[1, 2, 3], [4, 5, 7]]), tensor([1, 2]), { numpyResid: true })[1].shape,
      [
        0
      ]
    )
  })

  it("eigvalsh's symmetrizeInput: false reads the UPLO triangle alone (JAX's option; NumPy's values)", () => {
    // np.linalg.eigvalsh([[2, 100], [1, 3]], UPLO="U") -> [-97.50125, 102.50125]; "L" -> [1.381966, 3.618034]
    const a = tensor([[2, 100], [1, 3]])
    const upper = (5 - Math.sqrt(1 + 4 * 100 ** 2)) / 2
    assertClose(flat(np.linalg.eigvalsh(a, { UPLO: "U", symmetrizeInput: false })), [upper, 5 - upper], 1e-12)
    assertClose(
      flat(np.linalg.eigvalsh(a, { UPLO: "L", symmetrizeInput: false })),
      [(5 - Math.sqrt(5)) / 2, (5 + Math.sqrt(5)) / 2],
      1e-12
    )
    // JAX's default symmetrizes first: (a + a^T) / 2 whichever triangle
    const mid = (5 - Math.sqrt(1 + 4 * 50.5 ** 2)) / 2
    assertClose(flat(np.linalg.eigvalsh(a, { UPLO: "U" })), [mid, 5 - mid], 1e-12)
  })

  it("pinv satisfies the Penrose conditions (also rank-deficient)", () => {
    for (const a of [randomMatrix(5, 3, 82), [[1, 2], [2, 4], [3, 6]]]) {
      const p = matrix(np.linalg.pinv(tensor(a)))
      assert.isBelow(frob(sub(mul(a, mul(p, a)), a)), 1e-13)
      assert.isBelow(frob(sub(mul(p, mul(a, p)), p)), 1e-13)
      const ap = mul(a, p)
      assert.isBelow(frob(sub(ap, transpose(ap))), 1e-13)
    }
  })

  it("norms: NumPy's values for each order and axis", () => {
    const x = tensor([[1, -2], [3, 4]])
    assertClose(flat(np.linalg.norm(x)), [Math.sqrt(30)], 1e-15)
    assertClose(flat(np.linalg.norm(x, { ord: "fro" })), [Math.sqrt(30)], 1e-15)
    assertClose(flat(np.linalg.norm(x, { ord: 1 })), [6], 0)
    assertClose(flat(np.linalg.norm(x, { ord: -1 })), [4], 0)
    assertClose(flat(np.linalg.norm(x, { ord: Infinity })), [7], 0)
    assertClose(flat(np.linalg.norm(x, { ord: -Infinity })), [3], 0)
    // singular values of [[1, -2], [3, 4]]: sqrt(15 +- sqrt(125))
    const [s1, s2] = [Math.sqrt(15 + Math.sqrt(125)), Math.sqrt(15 - Math.sqrt(125))]
    assertClose(flat(np.linalg.norm(x, { ord: 2 })), [s1], 1e-15)
    assertClose(flat(np.linalg.norm(x, { ord: -2 })), [s2], 1e-14)
    assertClose(flat(np.linalg.norm(x, { ord: "nuc" })), [s1 + s2], 1e-15)
    assertClose(flat(np.linalg.norm(x, { axis: 0 })), [Math.sqrt(10), Math.sqrt(20)], 1e-15)
    assertClose(flat(np.linalg.norm(x, { axis: 1, ord: 1 })), [3, 7], 0)
    assertClose(flat(np.linalg.norm(tensor([3, -4]), { ord: 0 })), [2], 0)
    assertClose(flat(np.linalg.norm(tensor([3, -4]), { ord: 3 })), [Math.cbrt(91)], 1e-15)
    assert.deepStrictEqual(np.linalg.norm(x, { keepdims: true }).shape, [1, 1])
    assert.deepStrictEqual(np.linalg.norm(tensor([x, x]), { axis: [1, 2], ord: 2, keepdims: true }).shape, [2, 1, 1])
    assertClose(flat(np.linalg.vectorNorm(tensor([[3, -4], [0, 1]]))), [Math.sqrt(26)], 1e-15)
    assertClose(flat(np.linalg.matrixNorm(tensor([x, x]), { ord: 1 })), [6, 6], 0)
    assert.throws(() => np.linalg.norm(np.ones([2, 2, 2]), { ord: 1 }), ShapeError, "improper number of dimensions")
  })

  it("matrixRank, cond", () => {
    assert.strictEqual(flat(np.linalg.matrixRank(tensor([[1, 2], [2, 4]])))[0], 1)
    assert.strictEqual(flat(np.linalg.matrixRank(tensor(hilbert(8))))[0], 8)
    assert.strictEqual(flat(np.linalg.matrixRank(tensor(hilbert(8)), { tol: 1e-5 }))[0], 5)
    assertClose(flat(np.linalg.cond(tensor([[2, 0], [0, 0.5]]))), [4], 1e-15)
    assertClose(flat(np.linalg.cond(tensor([[1, 2], [3, 4]]), { p: 1 })), [21], 1e-13)
    assert.strictEqual(flat(np.linalg.cond(tensor([[1, 2], [2, 4]]), { p: 1 }))[0], Infinity)
    // an empty matrix has no condition number (NumPy's LinAlgError); an empty batch is an empty result
    for (const p of [undefined, 1, "fro"] as const) {
      assert.throws(() => np.linalg.cond(np.zeros([0, 0]), { p }), ShapeError, "not defined for empty matrices")
    }
    assert.deepStrictEqual(np.linalg.cond(np.zeros([0, 2, 2])).shape, [0])
  })

  it("slogdet of 1x1 and 2x2 matrices by the closed form (JAX's _slogdet_small): sign(det), log|det|", () => {
    const [s0, l0] = np.linalg.slogdet(tensor([[Number.NaN, 1], [2, 3]]))
    // sign(NaN) is NaN (the LU path gave 1)
    assert.isNaN(flat(s0)[0]!)
    assert.isNaN(flat(l0)[0]!)
    const [s1, l1] = np.linalg.slogdet(tensor([[1, 2], [2, 4]]))
    assert.deepStrictEqual([flat(s1)[0], flat(l1)[0]], [0, -Infinity])
    const [s2, l2] = np.linalg.slogdet(tensor([[[-3]], [[0.5]]]))
    assert.deepStrictEqual(flat(s2), [-1, 1])
    assertClose(flat(l2), [Math.log(3), Math.log(0.5)], 1e-15)
  })

  it("JAX's edges: matrixRank's rtol/tol cut the singular values as given, hermitian; cond of non-square and zero matrices; lstsq of a zero matrix; norms of empty arrays", () => {
    // JAX's matrix_rank: S > rtol with a given rtol (not rtol * s_max, as NumPy); tol is its alias
    const d = tensor([[10, 0], [0, 1e-3]])
    assert.strictEqual(flat(np.linalg.matrixRank(d, { rtol: 1e-2 }))[0], 1)
    assert.strictEqual(flat(np.linalg.matrixRank(d, { tol: 1e-2 }))[0], 1)
    assert.strictEqual(flat(np.linalg.matrixRank(d, { rtol: 5e-4 }))[0], 2)
    assert.strictEqual(flat(np.linalg.matrixRank(tensor([[1, 0], [0, 1e-3]]), { rtol: 2 }))[0], 0)
    assert.throws(() => np.linalg.matrixRank(d, { rtol: 1, tol: 1 }), ArgumentError, "only one of tol or rtol")
    // hermitian: the singular values are |eigenvalues| (eigenvalues 3 and -1)
    assert.strictEqual(flat(np.linalg.matrixRank(tensor([[1, 2], [2, 1]]), { hermitian: true }))[0], 2)
    assert.strictEqual(flat(np.linalg.matrixRank(tensor([[1, 2], [2, 4]]), { hermitian: true }))[0], 1)
    // cond with p 2 / -2 takes any matrix (JAX's svdvals ratio): singular values of [[1, 2], [3, 4], [5, 6.5]]
    // are 9.85292023452209 and 0.412265511709484 (NumPy)
    assertClose(flat(np.linalg.cond(tensor([[1, 2], [3, 4], [5, 6.5]]))), [23.89945303371693], 1e-13)
    assertClose(flat(np.linalg.cond(tensor([[1, 2], [3, 4], [5, 6.5]]), { p: -2 })), [1 / 23.89945303371693], 1e-13)
    assert.throws(() => np.linalg.cond(tensor([[1, 2], [3, 4], [5, 6.5]]), { p: 1 }), ShapeError, "square")
    // JAX returns s[0] / s[-1] for p = 2 without its NaN -> inf rule: 0 / 0 for a zero matrix
    assert.isNaN(flat(np.linalg.cond(tensor([[0, 0], [0, 0]])))[0]!)
    assert.strictEqual(flat(np.linalg.cond(tensor([[1, 0], [0, 0]])))[0], Infinity)
    assert.strictEqual(flat(np.linalg.cond(tensor([[0, 0], [0, 0]]), { p: -2 }))[0], Infinity)
    // JAX's lstsq mask (s > 0) & (s >= rcond * s[0]): a zero matrix has rank 0, x = 0, residual ||b||^2
    const [x0, r0, rank0] = np.linalg.lstsq(tensor([[0, 0], [0, 0], [0, 0]]), tensor([1, 2, 3]))
    assert.deepStrictEqual(flat(x0), [0, 0])
    assert.deepStrictEqual(flat(r0), [14])
    assert.strictEqual(flat(rank0)[0], 0)
    // a negative rcond is eps: the 1e-20 singular value still counts (NumPy with rcond = eps agrees)
    const [xn, , rankn] = np.linalg.lstsq(tensor([[1, 0], [0, 1e-3], [0, 0]]), tensor([1, 2, 3]), { rcond: -1 })
    assertClose(flat(xn), [1, 2000], 1e-12)
    assert.strictEqual(flat(rankn)[0], 2)
    const [, , rankc] = np.linalg.lstsq(tensor([[1, 0], [0, 1e-3], [0, 0]]), tensor([1, 2, 3]), { rcond: 1e-2 })
    assert.strictEqual(flat(rankc)[0], 1)
    // norms of empty arrays: JAX's amax(..., initial=0) for inf, 1 and 2 (0), amin for -inf / -2 fails
    const e = np.zeros([0, 3], { dtype: "float64" })
    for (const ord of [Infinity, 1, 2] as const) assert.deepStrictEqual(flat(np.linalg.norm(e, { ord })), [0])
    assert.deepStrictEqual(flat(np.linalg.norm(np.zeros([0], { dtype: "float64" }), { ord: Infinity })), [0])
    assert.deepStrictEqual(flat(np.linalg.vectorNorm(e, { ord: Infinity, axis: 0 })), [0, 0, 0])
    assert.throws(() => np.linalg.norm(e, { ord: -2 }))
    assert.throws(() => np.linalg.norm(np.zeros([0], { dtype: "float64" }), { ord: -Infinity }))
  })

  it("matrixPower and multiDot", () => {
    assertClose(flat(np.linalg.matrixPower(tensor([[1, 1], [1, 0]]), 10)), [89, 55, 55, 34], 0)
    assertClose(flat(np.linalg.matrixPower(tensor([[1, 1], [1, 0]]), 0)), [1, 0, 0, 1], 0)
    assertClose(flat(np.linalg.matrixPower(tensor([[2, 0], [0, 4]]), -2)), [0.25, 0, 0, 1 / 16], 1e-15)
    const [a, b, c] = [randomMatrix(2, 5, 83), randomMatrix(5, 3, 84), randomMatrix(3, 4, 85)]
    const want = mul(mul(a, b), c)
    assertClose(flat(np.linalg.multiDot([tensor(a), tensor(b), tensor(c)])), want.flat(), 1e-14)
    assertClose(flat(np.linalg.multiDot([tensor([1, 2]), tensor([[3], [4]])])), [11], 0)
  })
})

describe("diagonal, trace, matrixTranspose, vecdot, cross, outer", () => {
  it("NumPy's values, batched, with offsets", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]])
    assertClose(flat(np.linalg.diagonal(x)), [1, 5], 0)
    assertClose(flat(np.linalg.diagonal(x, { offset: 1 })), [2, 6], 0)
    assertClose(flat(np.linalg.diagonal(x, { offset: -1 })), [4], 0)
    assert.deepStrictEqual(np.linalg.diagonal(x, { offset: 5 }).shape, [0])
    assertClose(flat(np.linalg.diagonal(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]))), [1, 4, 5, 8], 0)
    // a gather: an infinity off the diagonal stays out of it
    assertClose(flat(np.linalg.diagonal(tensor([[1, Infinity], [Infinity, 2]]))), [1, 2], 0)
    assertClose(flat(np.linalg.trace(tensor([[1, 2], [3, 4]]))), [5], 0)
    assertClose(flat(np.linalg.trace(x, { offset: 1 })), [8], 0)
    assert.deepStrictEqual(np.linalg.matrixTranspose(np.ones([4, 2, 3])).shape, [4, 3, 2])
    assertClose(flat(np.linalg.vecdot(tensor([[1, 2], [3, 4]]), tensor([1, 1]))), [3, 7], 0)
    // jnp.linalg.vecdot is jnp.vecdot: the product's precision and preferred_element_type, the first conjugated
    const big = np.array([100000, 100000], { dtype: "int32" })
    const wide = np.linalg.vecdot(big, big, { preferredElementType: "float32" })
    assert.strictEqual(wide.dtype, "float32")
    assertClose(flat(wide), [2e10], 0)
    assertClose(flat(np.linalg.vecdot(tensor([1, 2]), tensor([3, 4]), { precision: "highest", axis: 0 })), [11], 0)
    const z = np.linalg.vecdot(np.array([{ re: 1, im: 1 }]), np.array([{ re: 1, im: 1 }]))
    assert.deepStrictEqual(toJsSync(z), { re: 2, im: 0 })
    assertClose(flat(np.linalg.cross(tensor([1, 2, 3]), tensor([4, 5, 6]))), [-3, 6, -3], 0)
    assertClose(
      flat(np.linalg.cross(tensor([[1, 4], [2, 5], [3, 6]]), tensor([[4, 1], [5, 2], [6, 3]]), { axis: 0 })),
      [
        -3,
        3,
        6,
        -6,
        -3,
        3
      ],
      0
    )
    assertClose(flat(np.linalg.outer(tensor([1, 2]), tensor([3, 4, 5]))), [3, 4, 5, 6, 8, 10], 0)
    assert.throws(() => np.linalg.outer(np.ones([2, 2]), np.ones([2])), ShapeError, "one-dimensional")
    assert.throws(() => np.linalg.cross(np.ones([2]), np.ones([2])), ShapeError, "size 3")
  })
})
