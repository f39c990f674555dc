/**
 * The decompositions' values: hand-derived small cases, and float64
 * reconstructions (||A - Q R|| / ||A||, orthogonality, ||A V - V diag(w)||) on
 * random and ill-conditioned matrices in float64 and float32; singular and
 * indefinite inputs give JAX's NaN / infinite results, not errors.
 */
import { assert, describe, it } from "@effect/vitest"
import { DTypeError, lax, linalg, np, ShapeError, toJsSync } from "diffect"
import {
  assertClose,
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
