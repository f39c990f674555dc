/**
 * SciPy's linalg beyond NumPy's (jax.scipy.linalg): `expm` against closed forms, a float64
 * Taylor reference, the block-matrix identity for its Frechet derivative, and finite
 * differences; the special matrices against their definitions.
 */
import { assert, describe, it } from "@effect/vitest"
import { jit, jvp, linalg, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import fc from "fast-check"
import { assertGradMatchesFd, frob, type Matrix, mul, randomMatrix, sub, weights } from "./helpers.js"

const f64 = (m: number | ReadonlyArray<unknown>) => np.array(m as never, { dtype: "float64" })
const js = (t: Tensor) => toJsSync(t) as Matrix

// exp(A) in float64 by scaling, a long Taylor series and squaring (reference only: slow, exact enough)
const expmReference = (a: Matrix): Matrix => {
  const n = a.length
  const norm = Math.max(...a[0]!.map((_, j) => a.reduce((s, row) => s + Math.abs(row[j]!), 0)))
  const s = Math.max(0, Math.ceil(Math.log2(norm)) + 1)
  const scaled = a.map((row) => row.map((v) => v / 2 ** s))
  let term: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
  let sum = term.map((row) => row.slice())
  for (let k = 1; k < 30; k++) {
    term = mul(term, scaled).map((row) => row.map((v) => v / k))
    sum = sum.map((row, i) => row.map((v, j) => v + term[i]![j]!))
  }
  for (let k = 0; k < s; k++) sum = mul(sum, sum)
  return sum
}

const relErr = (got: Matrix, want: Matrix) => frob(sub(got, want)) / Math.max(frob(want), 1e-300)

describe("linalg.expm", () => {
  it("closed forms: nilpotent, rotation, diagonal (with squarings), zero, empty", () => {
    assert.deepStrictEqual(js(linalg.expm(f64([[0, 1], [0, 0]]))), [[1, 1], [0, 1]])
    const t = 1.3
    const rot = js(linalg.expm(f64([[0, -t], [t, 0]])))
    assert.isBelow(relErr(rot, [[Math.cos(t), -Math.sin(t)], [Math.sin(t), Math.cos(t)]]), 1e-14)
    // a norm of 40: the Pade approximant of A / 2^3, squared three times
    const d = js(linalg.expm(f64([[40, 0], [0, -3]])))
    assert.closeTo(d[0]![0]! / Math.exp(40), 1, 1e-12)
    assert.closeTo(d[1]![1]! / Math.exp(-3), 1, 1e-13)
    assert.deepStrictEqual(js(linalg.expm(np.zeros([2, 2]))), [[1, 0], [0, 1]])
    assert.deepStrictEqual(linalg.expm(np.zeros([0, 0])).shape, [0, 0])
  })

  it("general matrices: float64 to 1e-13 of a Taylor reference, float32 to 1e-5, batched", () => {
    for (const [n, seed, scale] of [[3, 1, 1], [4, 2, 3], [5, 3, 0.01], [2, 4, 20]] as const) {
      const a = randomMatrix(n, n, seed).map((row) => row.map((v) => v * scale))
      const want = expmReference(a)
      assert.isBelow(relErr(js(linalg.expm(f64(a))), want), 1e-13, `float64 n=${n} scale=${scale}`)
      assert.isBelow(relErr(js(linalg.expm(np.array(a))), want), 2e-5, `float32 n=${n} scale=${scale}`)
    }
    const a = randomMatrix(3, 3, 7)
    const b = randomMatrix(3, 3, 8).map((row) => row.map((v) => 4 * v))
    const batched = toJsSync(linalg.expm(f64([a, b]))) as Array<Matrix>
    assert.isBelow(relErr(batched[0]!, expmReference(a)), 1e-13)
    assert.isBelow(relErr(batched[1]!, expmReference(b)), 1e-13)
    // the same under jit and vmap (fixed work: the squarings are selected)
    assert.deepStrictEqual(toJsSync(runSync(jit((x: Tensor) => linalg.expm(x))(f64([a, b])))), batched)
    assert.deepStrictEqual(toJsSync(runSync(vmap((x: Tensor) => linalg.expm(x))(f64([a, b])))), batched)
  })

  it("NaN where it needs more than maxSquarings squarings (JAX); typed errors for bad input", () => {
    const big = js(linalg.expm(f64([[1e10, 0], [0, 1]])))
    assert.isTrue(big.flat().every(Number.isNaN))
    // JAX counts floor(log2(norm / theta13)) squarings: 2 for a norm of 40, so 1 is too few and 2 is not
    assert.isTrue(js(linalg.expm(f64([[40, 0], [0, 1]]), { maxSquarings: 1 })).flat().every(Number.isNaN))
    const two = js(linalg.expm(f64([[40, 0], [0, 1]]), { maxSquarings: 2 }))
    assert.closeTo(two[0]![0]! / Math.exp(40), 1, 1e-12)
    // the band [theta 2^16, theta 2^17) of norms, NaN before (JAX computes these): exact nilpotent results
    assert.deepStrictEqual(js(linalg.expm(f64([[0, 497879], [0, 0]]))).map((r) => r.map((v) => Math.round(v))), [
      [1, 497879],
      [0, 1]
    ])
    assert.isTrue(js(linalg.expm(f64([[0, 704200], [0, 0]]))).flat().every(Number.isNaN)) // 2^17 theta13 = 704,110
    assert.throws(() => linalg.expm(np.zeros([2, 3])), /expected A to be a \(batched\) square matrix/)
    assert.throws(() => linalg.expm(np.zeros([2, 2]), { maxSquaring: 2 } as never), /unknown key "maxSquaring"/)
    // upperTriangular (JAX's option): the Pade quotient by a triangular solve, the same values
    const u = f64([[1, 2, 0.5], [0, -1, 3], [0, 0, 0.25]])
    assert.isBelow(relErr(js(linalg.expm(u, { upperTriangular: true })), js(linalg.expm(u))), 1e-15)
    const nil = js(linalg.expm(f64([[0, 30], [0, 0]]), { upperTriangular: true }))
    assert.deepStrictEqual(nil.map((r) => r.map((v) => Math.round(v * 1e9) / 1e9)), [[1, 30], [0, 1]])
  })

  it("its JVP is the Frechet derivative: the upper right block of expm([[A, E], [0, A]])", () => {
    for (const seed of [11, 12, 13]) {
      const a = randomMatrix(3, 3, seed).map((row) => row.map((v) => 2 * v))
      const e = randomMatrix(3, 3, seed + 100)
      const block = [...a.map((row, i) => [...row, ...e[i]!]), ...a.map((row) => [0, 0, 0, ...row])]
      const full = js(linalg.expm(f64(block)))
      const want = full.slice(0, 3).map((row) => row.slice(3))
      const [value, tangent] = runSync(jvp((x: Tensor) => linalg.expm(x), [f64(a)], [f64(e)]))
      assert.isBelow(relErr(js(value as Tensor), full.slice(0, 3).map((row) => row.slice(0, 3))), 1e-13)
      assert.isBelow(relErr(js(tangent as Tensor), want), 1e-12)
    }
  })

  it("its gradient matches float64 finite differences", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 9, maxLength: 9 }), (x) => {
        const w = weights([3, 3], 5)
        assertGradMatchesFd((a) => np.sum(np.multiply(w, linalg.expm(a))), x, [3, 3], 1e-6)
      }),
      { numRuns: 10 }
    )
  })
})

describe("special matrices", () => {
  it("toeplitz, hankel and circulant check their output's size before building it (a ShapeError, not a RangeError)", () => {
    const big = np.ones([100000])
    for (const make of [() => linalg.toeplitz(big), () => linalg.hankel(big), () => linalg.circulant(big)]) {
      let caught: unknown
      try {
        make()
      } catch (e) {
        caught = e
      }
      assert.strictEqual((caught as { _tag?: string })?._tag, "ShapeError")
    }
  })

  it("toeplitz, hankel, circulant, fiedler", () => {
    assert.deepStrictEqual(js(linalg.toeplitz(f64([1, 2, 3]), f64([9, 4, 5, 6]))), [
      [1, 4, 5, 6],
      [2, 1, 4, 5],
      [3, 2, 1, 4]
    ])
    // r defaults to conj(c): a Hermitian matrix
    const h = toJsSync(linalg.toeplitz(np.complex(f64([1, 2]), f64([0, 1])))) as Array<
      Array<{ re: number; im: number }>
    >
    assert.deepStrictEqual(h[0]![1], { re: 2, im: -1 })
    assert.deepStrictEqual(h[1]![0], { re: 2, im: 1 })
    // batched first columns
    assert.deepStrictEqual(toJsSync(linalg.toeplitz(f64([[1, 2], [3, 4]]))), [[[1, 2], [2, 1]], [[3, 4], [4, 3]]])
    assert.deepStrictEqual(js(linalg.hankel(f64([1, 2, 3]), f64([7, 4, 5]))), [[1, 2, 3], [2, 3, 4], [3, 4, 5]])
    assert.deepStrictEqual(js(linalg.hankel(f64([1, 2]))), [[1, 2], [2, 0]])
    assert.deepStrictEqual(js(linalg.circulant(f64([1, 2, 3]))), [[1, 3, 2], [2, 1, 3], [3, 2, 1]])
    assert.deepStrictEqual(js(linalg.fiedler(f64([1, 4, 12]))), [[0, 3, 11], [3, 0, 8], [11, 8, 0]])
  })

  it("companion (its eigenvalues are the roots), leslie, blockDiag", () => {
    const c = linalg.companion(f64([2, -20, 62, -60]))
    assert.deepStrictEqual(js(c), [[10, -31, 30], [1, 0, 0], [0, 1, 0]])
    const roots = (toJsSync(np.linalg.eigvals(c)) as unknown as Array<{ re: number }>).map((z) => z.re).sort((p, q) =>
      p - q
    )
    roots.forEach((r, i) => assert.closeTo(r, [2, 3, 5][i]!, 1e-10))
    assert.throws(() => linalg.companion(f64([1])), /at least 2/)
    assert.deepStrictEqual(js(linalg.leslie(f64([0.1, 2, 1]), f64([0.2, 0.8]))), [
      [0.1, 2, 1],
      [0.2, 0, 0],
      [0, 0.8, 0]
    ])
    assert.throws(() => linalg.leslie(f64([1, 2]), f64([1, 2])), /one fewer/)
    const bd = linalg.blockDiag(np.array([[1, 2]], { dtype: "int32" }), f64(3), f64([4, 5]))
    assert.strictEqual(bd.dtype, "float64")
    assert.deepStrictEqual(js(bd), [[1, 2, 0, 0, 0], [0, 0, 3, 0, 0], [0, 0, 0, 4, 5]])
    assert.deepStrictEqual(linalg.blockDiag().shape, [1, 0])
    assert.throws(() => linalg.blockDiag(np.zeros([1, 1, 1])), /at most two-dimensional/)
  })

  it("hilbert, pascal, hadamard, helmert, dft", () => {
    const hb = js(linalg.hilbert(3))
    hb.forEach((row, i) => row.forEach((v, j) => assert.closeTo(v, 1 / (i + j + 1), 1e-7)))
    assert.deepStrictEqual(js(linalg.pascal(4)), [[1, 1, 1, 1], [1, 2, 3, 4], [1, 3, 6, 10], [1, 4, 10, 20]])
    assert.deepStrictEqual(js(linalg.pascal(3, { kind: "upper" })), [[1, 1, 1], [0, 1, 2], [0, 0, 1]])
    // Sylvester's Hadamard matrices: H H^T = n I
    const h8 = js(linalg.hadamard(8))
    const h8t = h8.map((_, j) => h8.map((row) => row[j]!))
    assert.deepStrictEqual(mul(h8, h8t), h8.map((_, i) => h8.map((__, j) => (i === j ? 8 : 0))))
    assert.throws(() => linalg.hadamard(6), /a positive power of 2/)
    // Helmert: orthonormal rows, orthogonal to the ones vector without `full`
    const hm = js(linalg.helmert(4))
    const gram = mul(hm, hm[0]!.map((_, j) => hm.map((row) => row[j]!)))
    gram.forEach((row, i) => row.forEach((v, j) => assert.closeTo(v, i === j ? 1 : 0, 1e-6)))
    hm.forEach((row) => assert.closeTo(row.reduce((s, v) => s + v, 0), 0, 1e-6))
    assert.deepStrictEqual(linalg.helmert(4, { full: true }).shape, [4, 4])
    // dft(n) @ x is fft(x)
    const x = np.array([1, -2, 0.5, 3, 4])
    const viaDft = toJsSync(np.matmul(linalg.dft(5), np.complex(x, np.zerosLike(x)))) as Array<
      { re: number; im: number }
    >
    const viaFft = toJsSync(np.fft.fft(x)) as Array<{ re: number; im: number }>
    viaDft.forEach((z, k) => {
      assert.closeTo(z.re, viaFft[k]!.re, 1e-5)
      assert.closeTo(z.im, viaFft[k]!.im, 1e-5)
    })
    const scaled = toJsSync(linalg.dft(4, { scale: "sqrtn" })) as unknown as Array<Array<{ re: number }>>
    assert.closeTo(scaled[0]![0]!.re, 0.5, 1e-7)
    assert.throws(() => linalg.pascal(3, { kind: "diagonal" } as never), /one of "symmetric", "lower", "upper"/)
  })

  it("invhilbert and invpascal are exact inverses", () => {
    const n = 6
    const h = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => 1 / (i + j + 1)))
    const prod = mul(js(linalg.invhilbert(n)), h)
    prod.forEach((row, i) => row.forEach((v, j) => assert.closeTo(v, i === j ? 1 : 0, 1e-8)))
    assert.deepStrictEqual(js(linalg.invhilbert(3)), [[9, -36, 30], [-36, 192, -180], [30, -180, 180]])
    for (const kind of ["symmetric", "lower", "upper"] as const) {
      const p = mul(js(linalg.invpascal(5, { kind })), js(linalg.pascal(5, { kind })))
      assert.deepStrictEqual(p, p.map((row, i) => row.map((_, j) => (i === j ? 1 : 0))), kind)
    }
  })

  it("polar: a = u p (right) or p u (left), u with orthonormal columns, p symmetric positive semidefinite", () => {
    const a = randomMatrix(4, 3, 21)
    for (const side of ["right", "left"] as const) {
      const [u, p] = linalg.polar(f64(a), { side })
      const [um, pm] = [js(u), js(p)]
      const back = side === "right" ? mul(um, pm) : mul(pm, um)
      assert.isBelow(relErr(back, a), 1e-13, side)
      const ut = um[0]!.map((_, j) => um.map((row) => row[j]!))
      mul(ut, um).forEach((row, i) => row.forEach((v, j) => assert.closeTo(v, i === j ? 1 : 0, 1e-13)))
      pm.forEach((row, i) => row.forEach((v, j) => assert.closeTo(v, pm[j]![i]!, 1e-13)))
      const eig = toJsSync(np.linalg.eigvalsh(p)) as Array<number>
      eig.forEach((w) => assert.isAtLeast(w, -1e-12))
    }
    assert.deepStrictEqual(js(linalg.polar(f64([[0, -2], [3, 0]]))[1]), [[3, 0], [0, 2]])
    assert.throws(() => linalg.polar(np.zeros([2])), /a must be a matrix/)
  })
})
