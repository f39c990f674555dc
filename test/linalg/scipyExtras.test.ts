/**
 * expmFrechet (against float64 central differences of expm, the block identity
 * expm([[A, E], [0, A]]) = [[e^A, L], [0, e^A]], the JVP of expm that JAX
 * uses, closed forms), convolutionMatrix (NumPy's documented convolutions,
 * SciPy's example), fiedlerCompanion (JAX's example, roots as eigenvalues) and
 * qrMultiply (against the QR factors), with gradients against float64 central
 * differences and the typed errors.
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { jvp, linalg, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { type C, c, type CMatrix, matmul as cmatmul, random } from "./complexHelpers.js"
import { assertGradMatchesFd, flat, frob, type Matrix, mul, randomMatrix, sub, tensor, weights } from "./helpers.js"

const js = (t: Tensor) => toJsSync(t) as Matrix
const rel = (got: Matrix, want: Matrix) => frob(sub(got, want)) / Math.max(frob(want), 1e-300)
const scale = (a: Matrix, k: number) => a.map((row) => row.map((x) => x * k))
const plus = (a: Matrix, b: Matrix) => a.map((row, i) => row.map((x, j) => x + b[i]![j]!))

describe("linalg.expmFrechet", () => {
  it("equals the central difference of expm and the block identity to float64 accuracy", () => {
    for (const [n, seed, s] of [[2, 1, 1], [3, 2, 0.3], [4, 3, 2], [5, 4, 6]] as const) {
      const a = scale(randomMatrix(n, n, seed), s)
      const e = randomMatrix(n, n, seed + 9)
      const [ea, l] = linalg.expmFrechet(tensor(a), tensor(e))
      assert.isBelow(rel(js(ea), js(linalg.expm(tensor(a)))), 1e-14)
      const h = 1e-5
      const fd = scale(
        sub(js(linalg.expm(tensor(plus(a, scale(e, h))))), js(linalg.expm(tensor(sub(a, scale(e, h)))))),
        1 / (2 * h)
      )
      assert.isBelow(rel(js(l), fd), 1e-8, `central difference n=${n}`)
      // [[A, E], [0, A]]: the upper right block of its exponential is L(A, E)
      const big = [...a.map((row, i) => [...row, ...e[i]!]), ...a.map((row) => [...row.map(() => 0), ...row])]
      const blocks = js(linalg.expm(tensor(big)))
      const upperRight = blocks.slice(0, n).map((row) => row.slice(n))
      assert.isBelow(rel(js(l), upperRight), 1e-12, `block identity n=${n}`)
      // JAX defines it as the JVP of expm
      const [, tangent] = runSync(jvp((x: Tensor) => linalg.expm(x), [tensor(a)], [tensor(e)]))
      assert.isBelow(rel(js(l), js(tangent as Tensor)), 1e-13)
    }
  })

  it("closed forms: diagonal A (divided differences), E = A (L = A e^A), zero A (L = E)", () => {
    const l = js(linalg.expmFrechet(tensor([[1, 0], [0, -2]]), tensor([[0, 1], [1, 0]]), { computeExpm: false }))
    const dd = (Math.exp(1) - Math.exp(-2)) / 3
    assert.isBelow(rel(l, [[0, dd], [dd, 0]]), 1e-14)
    const a = randomMatrix(3, 3, 5)
    const la = js(linalg.expmFrechet(tensor(a), tensor(a), { computeExpm: false }))
    assert.isBelow(rel(la, mul(a, js(linalg.expm(tensor(a))))), 1e-13)
    const e = randomMatrix(3, 3, 6)
    assert.isBelow(rel(js(linalg.expmFrechet(np.zeros([3, 3], { dtype: "float64" }), tensor(e))[1]), e), 1e-15)
  })

  it("batched (leading dimensions, vmap), float32 to 1e-5, complex", () => {
    const [a, b] = [randomMatrix(3, 3, 1), scale(randomMatrix(3, 3, 2), 3)]
    const [e, f] = [randomMatrix(3, 3, 3), randomMatrix(3, 3, 4)]
    const l = toJsSync(linalg.expmFrechet(tensor([a, b]), tensor([e, f]), { computeExpm: false })) as Array<Matrix>
    assert.isBelow(rel(l[1]!, js(linalg.expmFrechet(tensor(b), tensor(f), { computeExpm: false }))), 1e-15)
    const mapped = runSync(vmap((x: Tensor, y: Tensor) => linalg.expmFrechet(x, y)[1])(tensor([a, b]), tensor([e, f])))
    assert.isBelow(rel((toJsSync(mapped) as Array<Matrix>)[0]!, l[0]!), 1e-15)
    const l32 = linalg.expmFrechet(tensor(a, "float32"), tensor(e, "float32"), { computeExpm: false })
    assert.strictEqual(l32.dtype, "float32")
    assert.isBelow(rel(js(l32), l[0]!), 1e-5)
    // complex: the real and imaginary directions by linearity in E
    const ac = random(2, 2, 7)
    const ec = random(2, 2, 8)
    const lc = toJsSync(linalg.expmFrechet(
      np.array(ac as np.TensorLike, { dtype: "complex128" }),
      np.array(ec as np.TensorLike, { dtype: "complex128" }),
      { computeExpm: false }
    )) as Array<Array<C>>
    const h = 1e-5
    const at = (k: number) =>
      toJsSync(
        linalg.expm(np.array(
          ac.map((row, i) => row.map((x, j) => c(x.re + k * ec[i]![j]!.re, x.im + k * ec[i]![j]!.im))) as np.TensorLike,
          { dtype: "complex128" }
        ))
      ) as Array<Array<C>>
    const [p, m] = [at(h), at(-h)]
    lc.forEach((row, i) =>
      row.forEach((x, j) => {
        assert.approximately(x.re, (p[i]![j]!.re - m[i]![j]!.re) / (2 * h), 1e-8)
        assert.approximately(x.im, (p[i]![j]!.im - m[i]![j]!.im) / (2 * h), 1e-8)
      })
    )
  })

  it("grad in A and in E against float64 central differences", () => {
    const a = randomMatrix(3, 3, 11).flat()
    const e = tensor(randomMatrix(3, 3, 12))
    const w = weights([3, 3], 13)
    assertGradMatchesFd(
      (x) => np.sum(np.multiply(w, linalg.expmFrechet(x, e, { computeExpm: false }))),
      a,
      [3, 3],
      1e-6
    )
    const at = tensor(randomMatrix(3, 3, 14))
    assertGradMatchesFd((x) => np.sum(np.multiply(w, linalg.expmFrechet(at, x)[1])), randomMatrix(3, 3, 15).flat(), [
      3,
      3
    ], 1e-7)
  })

  it("typed errors: shapes and options", () => {
    assert.include(thrownTag(() => linalg.expmFrechet(np.zeros([2, 3]), np.zeros([2, 3])), "ShapeError"), "A")
    assert.include(thrownTag(() => linalg.expmFrechet(np.eye(2), np.eye(3)), "ShapeError"), "same shape")
    assert.include(
      thrownTag(() => linalg.expmFrechet(np.eye(2), np.eye(2), { computeExpm: 1 as never }), "ArgumentError"),
      "computeExpm"
    )
  })
})

describe("linalg.convolutionMatrix", () => {
  it("refuses a matrix too large to allocate before building it", () => {
    // a length-2 kernel and n = 2^40: a (2^40 + 1) x 2^40 Toeplitz matrix
    assert.strictEqual(
      thrownTag(() => linalg.convolutionMatrix(np.array([-2, 0]), 2 ** 40), "ShapeError"),
      "convolutionMatrix: a 1099511627777 x 1099511627776 matrix has more than 2147483647 elements"
    )
  })

  it("NumPy's documented convolve([1, 2, 3], [0, 1, 0.5]) in each mode; SciPy's example", () => {
    const a = tensor([1, 2, 3])
    const v = tensor([[0], [1], [0.5]])
    assert.deepStrictEqual(flat(np.matmul(linalg.convolutionMatrix(a, 3), v)), [0, 1, 2.5, 4, 1.5])
    assert.deepStrictEqual(flat(np.matmul(linalg.convolutionMatrix(a, 3, { mode: "same" }), v)), [1, 2.5, 4])
    assert.deepStrictEqual(flat(np.matmul(linalg.convolutionMatrix(a, 3, { mode: "valid" }), v)), [2.5])
    // scipy.linalg.convolution_matrix's docstring: ([-1, 4, -2], 5, mode='same'), integers kept
    const s = linalg.convolutionMatrix(np.array([-1, 4, -2], { dtype: "int32" }), 5, { mode: "same" })
    assert.strictEqual(s.dtype, "int32")
    assert.deepStrictEqual(toJsSync(s), [[4, -1, 0, 0, 0], [-2, 4, -1, 0, 0], [0, -2, 4, -1, 0], [0, 0, -2, 4, -1], [
      0,
      0,
      0,
      -2,
      4
    ]])
  })

  it("A v = the convolution for m < n and m > n in every mode (plain-JS reference); batched rows of a", () => {
    const convolve = (a: Array<number>, v: Array<number>, mode: string) => {
      const full = Array.from(
        { length: a.length + v.length - 1 },
        (_, k) => a.reduce((s, x, i) => s + (k - i >= 0 && k - i < v.length ? x * v[k - i]! : 0), 0)
      )
      const [lo, hi] = [Math.min(a.length, v.length), Math.max(a.length, v.length)]
      if (mode === "full") return full
      if (mode === "valid") return full.slice(lo - 1, lo - 1 + hi - lo + 1)
      const start = Math.floor((lo - 1) / 2)
      return full.slice(start, start + hi)
    }
    for (const [m, n] of [[2, 5], [5, 2], [4, 4], [1, 3]] as const) {
      const a = randomMatrix(1, m, m * 10 + n)[0]!
      const v = randomMatrix(1, n, n * 10 + m)[0]!
      for (const mode of ["full", "same", "valid"] as const) {
        const got = flat(np.matmul(linalg.convolutionMatrix(tensor(a), n, { mode }), tensor(v)))
        const want = convolve(a, v, mode)
        assert.strictEqual(got.length, want.length)
        got.forEach((x, i) => assert.approximately(x, want[i]!, 1e-14))
      }
    }
    const rows = randomMatrix(2, 3, 9)
    const batched = toJsSync(linalg.convolutionMatrix(tensor(rows), 4)) as Array<Matrix>
    assert.deepStrictEqual(batched[1], js(linalg.convolutionMatrix(tensor(rows[1]!), 4)))
  })

  it("grad against float64 central differences; typed errors", () => {
    const w = weights([5, 3], 3)
    assertGradMatchesFd((x) => np.sum(np.multiply(w, linalg.convolutionMatrix(x, 3))), [0.5, -1, 2], [3])
    assert.include(thrownTag(() => linalg.convolutionMatrix(tensor([1, 2]), 0), "ArgumentError"), "n")
    assert.include(thrownTag(() => linalg.convolutionMatrix(tensor([1, 2]), 1.5), "ArgumentError"), "n")
    assert.include(thrownTag(() => linalg.convolutionMatrix(np.array(1), 2), "ShapeError"), "scalar")
    assert.include(thrownTag(() => linalg.convolutionMatrix(np.zeros([0]), 2), "ShapeError"), "len(a)")
    assert.include(
      thrownTag(() => linalg.convolutionMatrix(tensor([1]), 2, { mode: "half" as never }), "ArgumentError"),
      "mode"
    )
  })
})

describe("linalg.fiedlerCompanion", () => {
  it("JAX's example; its eigenvalues are the polynomial's roots; small and batched cases", () => {
    // (x - 1)(x - 3)(x - 5)(x - 7)
    const f = linalg.fiedlerCompanion(tensor([1, -16, 86, -176, 105]))
    assert.deepStrictEqual(js(f), [[16, -86, 1, 0], [1, 0, 0, 0], [0, 176, 0, -105], [0, 1, 0, 0]])
    const w = (toJsSync(np.linalg.eigvals(f)) as Array<C>).map((x) => x.re).sort((x, y) => x - y)
    w.forEach((x, i) => assert.approximately(x, [1, 3, 5, 7][i]!, 1e-12))
    // leading coefficient 2: 2 (x - 1)(x + 2)(x - 4)(x + 1)(x - 0.5) divided through
    const roots = [1, -2, 4, -1, 0.5]
    let poly = [2]
    for (const r of roots) poly = [...poly, 0].map((x, i) => x - r * (i > 0 ? poly[i - 1]! : 0))
    const w5 = (toJsSync(np.linalg.eigvals(linalg.fiedlerCompanion(tensor(poly)))) as Array<C>).map((x) => x.re)
    assert.deepStrictEqual(
      w5.sort((x, y) => x - y).map((x) => Math.round(x * 1e9) / 1e9),
      [...roots].sort((x, y) => x - y)
    )
    assert.deepStrictEqual(js(linalg.fiedlerCompanion(tensor([2, 4]))), [[-2]])
    assert.deepStrictEqual(linalg.fiedlerCompanion(tensor([3])).shape, [0, 0])
    const batched = toJsSync(linalg.fiedlerCompanion(tensor([[1, -6, 11, -6], [2, 2, 2, 2]]))) as Array<Matrix>
    assert.deepStrictEqual(batched[0], [[6, -11, 1], [1, 0, 0], [0, 6, 0]])
    assert.deepStrictEqual(batched[1], js(linalg.fiedlerCompanion(tensor([2, 2, 2, 2]))))
    assert.strictEqual(linalg.fiedlerCompanion(np.array([1, 2, 3])).dtype, "float32")
  })

  it("grad against float64 central differences; typed error for an empty last axis", () => {
    const w = weights([4, 4], 5)
    assertGradMatchesFd((x) => np.sum(np.multiply(w, linalg.fiedlerCompanion(x))), [1.5, -2, 0.7, 3, -1], [5])
    assert.include(thrownTag(() => linalg.fiedlerCompanion(np.zeros([2, 0])), "ShapeError"), "nonzero length")
  })
})

describe("linalg.qrMultiply", () => {
  it("Q c and c Q against the reduced QR factors (tall, wide, square), 1-D c, R as qr's", () => {
    for (const [m, n] of [[4, 3], [3, 5], [3, 3]] as const) {
      const a = randomMatrix(m, n, m * 7 + n)
      const [q, r] = np.linalg.qr(tensor(a))
      const k = Math.min(m, n)
      const cl = randomMatrix(k, 2, 1)
      const [ql, rl] = linalg.qrMultiply(tensor(a), tensor(cl), { mode: "left" })
      assert.isBelow(rel(js(ql), mul(js(q), cl)), 1e-15)
      assert.deepStrictEqual(js(rl), js(r))
      const cr = randomMatrix(2, m, 2)
      const [qr] = linalg.qrMultiply(tensor(a), tensor(cr))
      assert.isBelow(rel(js(qr), mul(cr, js(q))), 1e-15)
      // a = Q R, so (a^T-free check) Q^T-less identity: (c Q) R = c a
      assert.isBelow(rel(mul(js(qr), js(r)), mul(cr, a)), 1e-14)
      const row = randomMatrix(1, m, 3)[0]!
      const [v] = linalg.qrMultiply(tensor(a), tensor(row))
      assert.deepStrictEqual(v.shape, [k])
      assert.isBelow(rel([flat(v)], mul([row], js(q))), 1e-15)
    }
  })

  it("pivoting: geqp3's column order (largest remaining norm first), a[:, p] = Q R, |diag R| non-increasing", () => {
    // column norms 1, 2, 3: column 2 first; then column 1 (column 0 is along column 2), then column 0
    const [, , p0] = linalg.qrMultiply(tensor([[1, 0, 3], [0, 2, 0]]), np.eye(2, { dtype: "float64" }), {
      mode: "left",
      pivoting: true
    })
    assert.strictEqual(p0.dtype, "int32")
    assert.deepStrictEqual(toJsSync(p0), [2, 1, 0])
    for (const [m, n, seed] of [[5, 3, 1], [3, 5, 2], [4, 4, 3]] as const) {
      const a = randomMatrix(m, n, seed).map((row) => row.map((x, j) => x * (j + 1)))
      const k = Math.min(m, n)
      const eye = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)))
      const [q, r, p] = linalg.qrMultiply(tensor(a), tensor(eye), { mode: "left", pivoting: true })
      const order = toJsSync(p) as Array<number>
      assert.deepStrictEqual([...order].sort(), Array.from({ length: n }, (_, i) => i))
      const permuted = a.map((row) => order.map((j) => row[j]!))
      assert.isBelow(rel(mul(js(q), js(r)), permuted), 1e-14)
      const diag = js(r).map((row, i) => Math.abs(row[i]!)).slice(0, k)
      diag.slice(1).forEach((x, i) => assert.isAtMost(x, diag[i]! * (1 + 1e-12)))
    }
    // differentiable through the (constant) permutation
    const w = weights([2, 3], 14)
    const cr = tensor(randomMatrix(2, 4, 15))
    assertGradMatchesFd(
      (x) => np.sum(np.multiply(w, linalg.qrMultiply(x, cr, { pivoting: true })[0])),
      randomMatrix(4, 3, 16).flat(),
      [4, 3]
    )
  })

  it("conjugate uses conj(Q) for complex input; batches broadcast", () => {
    const a = random(3, 2, 4)
    const cc = random(2, 3, 5)
    const ta = np.array(a as np.TensorLike, { dtype: "complex128" })
    const [q] = np.linalg.qr(ta)
    const qm = toJsSync(q) as CMatrix
    const [got] = linalg.qrMultiply(ta, np.array(cc as np.TensorLike, { dtype: "complex128" }), { conjugate: true })
    const want = cmatmul(cc, qm.map((row) => row.map((x) => c(x.re, -x.im))))
    const g = toJsSync(got) as CMatrix
    g.forEach((row, i) =>
      row.forEach((x, j) => {
        assert.approximately(x.re, want[i]![j]!.re, 1e-14)
        assert.approximately(x.im, want[i]![j]!.im, 1e-14)
      })
    )
    const ar = randomMatrix(3, 3, 6)
    const [pb] = linalg.qrMultiply(tensor(ar), tensor([randomMatrix(2, 3, 7), randomMatrix(2, 3, 8)]))
    assert.deepStrictEqual(pb.shape, [2, 2, 3])
    assert.isBelow(
      rel((toJsSync(pb) as Array<Matrix>)[1]!, js(linalg.qrMultiply(tensor(ar), tensor(randomMatrix(2, 3, 8)))[0])),
      1e-15
    )
  })

  it("grad (tall a, as qr's rule needs) against float64 central differences; typed errors", () => {
    const cr = tensor(randomMatrix(2, 4, 9))
    const w = weights([2, 3], 10)
    assertGradMatchesFd((x) => np.sum(np.multiply(w, linalg.qrMultiply(x, cr)[0])), randomMatrix(4, 3, 11).flat(), [
      4,
      3
    ])
    const at = tensor(randomMatrix(4, 3, 12))
    assertGradMatchesFd((x) => np.sum(np.multiply(w, linalg.qrMultiply(at, x)[0])), randomMatrix(2, 4, 13).flat(), [
      2,
      4
    ])
    assert.include(thrownTag(() => linalg.qrMultiply(np.eye(3), np.zeros([2, 2])), "ShapeError"), "c @ Q")
    assert.include(
      thrownTag(() => linalg.qrMultiply(np.eye(3), np.zeros([2, 2]), { mode: "left" }), "ShapeError"),
      "Q @ c"
    )
    assert.include(
      thrownTag(() => linalg.qrMultiply(np.eye(3), np.eye(3), { pivoting: 1 as never }), "ArgumentError"),
      "pivoting"
    )
    assert.include(
      thrownTag(() => linalg.qrMultiply(np.eye(3), np.eye(3), { mode: "up" as never }), "ArgumentError"),
      "mode"
    )
  })
})
