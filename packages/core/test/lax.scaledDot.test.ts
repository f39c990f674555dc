/**
 * lax.scaledDot (JAX's lax.scaled_dot): against a JS reference (each operand element times its
 * block's scale, then the product) over random shapes and block sizes (fast-check), batched
 * default dimension numbers, the gradient against float64 central differences, jit and vmap, and
 * JAX's validation messages.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  DTypeError,
  grad,
  jit,
  lax,
  np,
  runSync,
  ShapeError,
  type Tensor,
  toJsSync,
  vmap
} from "diffect"
import * as fc from "fast-check"

type Matrix = Array<Array<number>>
const f64 = (m: Matrix) => np.array(m, { dtype: "float64" })

/** (lhs * lhsScale) @ (rhs * rhsScale), lhs [m, k] in blocks of k / kl, rhs [k, n] in blocks of k / kr. */
const reference = (a: Matrix, as: Matrix, b: Matrix, bs: Matrix): Matrix => {
  const k = b.length
  const la = k / as[0]!.length
  const lb = k / bs.length
  return a.map((row, i) =>
    b[0]!.map((_, j) => {
      let sum = 0
      for (let p = 0; p < k; p++) sum += row[p]! * as[i]![Math.floor(p / la)]! * b[p]![j]! * bs[Math.floor(p / lb)]![j]!
      return sum
    })
  )
}

const matrix = (rows: number, cols: number, seed: number): Matrix =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + 7 * i + 3 * j + 1)))

describe("lax.scaledDot", () => {
  it("JAX's arithmetic: each block of the contracting axis times its scale", () => {
    const out = lax.scaledDot(np.array([[1, 1, 1, 1]]), np.array([[1], [1], [1], [1]]), {
      lhsScale: np.array([[2, 3]]),
      rhsScale: np.array([[1], [10]])
    })
    assert.strictEqual(out.dtype, "float32")
    assert.deepStrictEqual(toJsSync(out), [[2 + 2 + 30 + 30]])
  })

  it("equals the JS reference over shapes and block sizes (fast-check, float64)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(2, 4),
        fc.constantFrom(2, 4),
        fc.integer({ min: 0, max: 100 }),
        (m, n, blocks, la, lb, seed) => {
          const k = blocks * la * lb
          const a = matrix(m, k, seed)
          const b = matrix(k, n, seed + 1)
          const as = matrix(m, k / la, seed + 2)
          const bs = matrix(k / lb, n, seed + 3)
          const got = lax.scaledDot(f64(a), f64(b), {
            lhsScale: f64(as),
            rhsScale: f64(bs),
            preferredElementType: "float64"
          })
          const want = reference(a, as, b, bs)
          ;(toJsSync(got) as Matrix).forEach((row, i) => row.forEach((v, j) => assert.closeTo(v, want[i]![j]!, 1e-12)))
        }
      ),
      { numRuns: 40 }
    )
  })

  it("3-d operands batch their leading axis by default; no scale means ones", () => {
    const a = np.reshape(np.arange(16, { dtype: "float32" }), [2, 2, 4])
    const b = np.reshape(np.arange(16, { dtype: "float32" }), [2, 4, 2])
    assert.deepStrictEqual(toJsSync(lax.scaledDot(a, b)), toJsSync(np.matmul(a, b)))
    const scale = np.full([2, 1, 2], 0.5)
    assert.deepStrictEqual(
      toJsSync(lax.scaledDot(a, b, { rhsScale: scale })),
      toJsSync(np.multiply(np.matmul(a, b), 0.5))
    )
  })

  it("differentiates: the gradient in lhs and the scales matches central differences (float64)", () => {
    const b = f64(matrix(4, 3, 2))
    const bs = f64(matrix(2, 3, 4))
    const loss = (a: Tensor, as: Tensor) =>
      np.sum(np.sin(lax.scaledDot(a, b, { lhsScale: as, rhsScale: bs, preferredElementType: "float64" })))
    const a0 = matrix(2, 4, 1)
    const s0 = matrix(2, 2, 3)
    const [ga, gs] = runSync(grad(loss, { argnums: [0, 1] })(f64(a0), f64(s0))) as [Tensor, Tensor]
    const value = (a: Matrix, s: Matrix) => toJsSync(loss(f64(a), f64(s))) as number
    const h = 1e-6
    const bump = (m: Matrix, i: number, j: number, d: number) =>
      m.map((r, x) => r.map((v, y) => (x === i && y === j ? v + d : v)))
    ;(toJsSync(ga) as Matrix).forEach((row, i) =>
      row.forEach((g, j) =>
        assert.closeTo(g, (value(bump(a0, i, j, h), s0) - value(bump(a0, i, j, -h), s0)) / (2 * h), 1e-7)
      )
    )
    ;(toJsSync(gs) as Matrix).forEach((row, i) =>
      row.forEach((g, j) =>
        assert.closeTo(g, (value(a0, bump(s0, i, j, h)) - value(a0, bump(s0, i, j, -h))) / (2 * h), 1e-7)
      )
    )
  })

  it("under jit and vmap", () => {
    const a = np.reshape(np.arange(8), [2, 4])
    const b = np.reshape(np.arange(8), [4, 2])
    const s = np.array([[1, 2], [3, 4]])
    const f = (x: Tensor) => lax.scaledDot(x, b, { lhsScale: s })
    assert.deepStrictEqual(toJsSync(runSync(jit(f)(a))), toJsSync(f(a)))
    const rows = runSync(
      vmap((x: Tensor, t: Tensor) => lax.scaledDot(x, b, { lhsScale: t }))(np.stack([a, a]), np.stack([s, s]))
    )
    assert.deepStrictEqual(toJsSync(rows), [toJsSync(f(a)), toJsSync(f(a))])
  })

  it("JAX's validation: ranks, contracting sizes, scale blocks, the result dtype", () => {
    const a = np.ones([2, 4])
    const b = np.ones([4, 3])
    assert.throws(() => lax.scaledDot(np.ones([4]), np.ones([4])), ShapeError)
    assert.throws(
      () => lax.scaledDot(a, np.ones([5, 3])),
      /LHS contracting dim 1 of size 4 does not match RHS contracting dim 0 of size 5/
    )
    assert.throws(
      () => lax.scaledDot(a, b, { lhsScale: np.ones([2, 3]) }),
      /LHS contracting dim 1 of size 4 must be divisible by its scale's dim size 3/
    )
    assert.throws(
      () => lax.scaledDot(a, b, { lhsScale: np.ones([2, 4]) }),
      /The ratio of LHS contracting dim 1 to its scale's dim size \(1\) must be at least 2/
    )
    assert.throws(
      () => lax.scaledDot(a, b, { rhsScale: np.ones([2, 2]) }),
      /RHS dim 1 of size 3 does not match scale dim size 2/
    )
    assert.throws(
      () => lax.scaledDot(a, b, { lhsScale: np.ones([2, 2, 1]) }),
      /All input tensors must have the same rank/
    )
    assert.throws(() => lax.scaledDot(a, b, { preferredElementType: "int32" }), DTypeError)
    assert.throws(() => lax.scaledDot(a, b, { dimensionNumbers: [[1], [0]] as never }), ArgumentError)
  })
})
