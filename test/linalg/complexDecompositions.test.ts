/**
 * Complex qr, eigh and svd on the CPU: reconstructions and unitarity against
 * plain-JS complex arithmetic (complex128 and complex64), and JAX's derivative
 * rules for complex inputs against float64 central differences along complex
 * directions, on gauge-invariant functions (eigenvectors and singular vectors
 * are defined up to a phase); reverse mode through `grad` of real losses.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, jvp, np, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import fc from "fast-check"
import {
  add,
  adjoint,
  assertCloseC,
  c,
  type CMatrix,
  dist,
  flatC,
  matmul,
  mul,
  random,
  tensor,
  value
} from "./complexHelpers.js"
import { flat } from "./helpers.js"

const eye = (n: number): CMatrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => c(i === j ? 1 : 0, 0)))
const norm = (a: CMatrix) => Math.sqrt(a.flat().reduce((s, x) => s + x.re * x.re + x.im * x.im, 0))
const hermitian = (n: number, seed: number): CMatrix => {
  const b = random(n, n, seed)
  const bh = adjoint(b)
  return b.map((row, i) => row.map((x, j) => add(x, bh[i]![j]!)))
}
const scaleCols = (a: CMatrix, s: ReadonlyArray<number>): CMatrix =>
  a.map((row) => row.map((x, j) => c(x.re * s[j]!, x.im * s[j]!)))
const mH = (x: Tensor) => np.conj(np.swapaxes(x, -1, -2))

const shapes = fc.tuple(
  fc.integer({ min: 1, max: 5 }),
  fc.integer({ min: 1, max: 5 }),
  fc.integer({ min: 1, max: 1000 })
)

describe("complex qr, eigh and svd: values", () => {
  it("qr: A = Q R, Q^H Q = I, R upper triangular with a real diagonal (reduced and complete)", () => {
    fc.assert(
      fc.property(shapes, ([m, n, seed]) => {
        const a = random(m, n, seed)
        for (const mode of ["reduced", "complete"] as const) {
          const [q, r] = np.linalg.qr(tensor(a), { mode }).map(value) as [CMatrix, CMatrix]
          assert.isBelow(dist(matmul(q, r), a) / norm(a), 1e-14)
          assert.isBelow(dist(matmul(adjoint(q), q), eye(q[0]!.length)), 1e-14)
          r.forEach((row, i) =>
            row.forEach((x, j) => {
              if (j < i) assert.isTrue(x.re === 0 && x.im === 0)
              if (j === i) assert.strictEqual(x.im, 0)
            })
          )
        }
        const [q32, r32] = np.linalg.qr(tensor(a, "complex64")).map(value) as [CMatrix, CMatrix]
        assert.isBelow(dist(matmul(q32, r32), a) / norm(a), 1e-6)
      }),
      { numRuns: 10 }
    )
  })

  it("eigh: A V = V diag(w), V^H V = I, real ascending eigenvalues (float64 for complex128)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 1000 }), (n, seed) => {
        const a = hermitian(n, seed)
        const [w, v] = np.linalg.eigh(tensor(a))
        assert.strictEqual(w.dtype, "float64")
        const ws = flat(w)
        const vm = value(v)
        assert.isBelow(dist(matmul(a, vm), scaleCols(vm, ws)) / norm(a), 1e-14)
        assert.isBelow(dist(matmul(adjoint(vm), vm), eye(n)), 1e-14)
        ws.slice(1).forEach((x, i) => assert.isAtLeast(x, ws[i]!))
        // trace and Frobenius norm are the eigenvalues' sum and root sum of squares
        assert.approximately(ws.reduce((s, x) => s + x, 0), a.reduce((s, row, i) => s + row[i]!.re, 0), 1e-12)
        assert.approximately(Math.sqrt(ws.reduce((s, x) => s + x * x, 0)), norm(a), 1e-12)
        const w32 = flat(np.linalg.eigvalsh(tensor(a, "complex64")))
        assert.strictEqual(np.linalg.eigvalsh(tensor(a, "complex64")).dtype, "float32")
        w32.forEach((x, i) => assert.approximately(x, ws[i]!, 2e-5 * norm(a)))
      }),
      { numRuns: 10 }
    )
  })

  it("eigh (Hermitian tridiagonalization, real QL): sizes 1-40, low rank, clustered, tridiagonal, diagonal, scaled", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom("random", "lowRank", "clustered", "tridiagonal", "diagonal", "tiny", "huge"),
        (n, seed, kind) => {
          const h = hermitian(n, seed)
          const b = random(n, 2, seed + 1)
          const a: CMatrix = kind === "lowRank"
            ? matmul(b, adjoint(b))
            : kind === "clustered"
            // a unitary similarity of a diagonal with near-equal entries: U D U^H, U from a QR
            ? (() => {
              const u = value(np.linalg.qr(tensor(random(n, n, seed)))[0])
              const dg = Array.from({ length: n }, (_, i) => c(i % 3 === 0 ? 1 : 1 + 1e-12 * i, 0))
              return matmul(scaleCols(u, dg.map((x) => x.re)), adjoint(u))
            })()
            : kind === "tridiagonal"
            ? h.map((row, i) => row.map((x, j) => (Math.abs(i - j) <= 1 ? x : c(0, 0))))
            : kind === "diagonal"
            ? h.map((row, i) => row.map((x, j) => (i === j ? x : c(0, 0))))
            : kind === "tiny"
            ? h.map((row) => row.map((x) => c(x.re * 1e-150, x.im * 1e-150)))
            : kind === "huge"
            ? h.map((row) => row.map((x) => c(x.re * 1e150, x.im * 1e150)))
            : h
          const [w, v] = np.linalg.eigh(tensor(a))
          const ws = flat(w)
          const vm = value(v)
          const scale = norm(a) === 0 ? 1 : norm(a)
          const what = `${kind} ${n}`
          assert.isBelow(dist(matmul(a, vm), scaleCols(vm, ws)) / scale, 1e-13 * n, `${what}: residual`)
          assert.isBelow(dist(matmul(adjoint(vm), vm), eye(n)), 1e-13 * n, `${what}: unitarity`)
          ws.slice(1).forEach((x, i) => assert.isAtLeast(x, ws[i]!, `${what}: ascending`))
          const trace = a.reduce((s, row, i) => s + row[i]!.re, 0)
          assert.isBelow(Math.abs(ws.reduce((s, x) => s + x, 0) - trace) / scale, 1e-13 * n, `${what}: trace`)
        }
      ),
      { numRuns: 120 }
    )
  })

  it("svd (complex bidiagonalization, real QR sweeps): sizes 1-30 tall and wide, rank-deficient, graded, scaled, full and reduced", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom("random", "lowRank", "graded", "zeroColumn", "real", "tiny", "huge"),
        fc.boolean(),
        (m, n, seed, kind, fullMatrices) => {
          const r = random(m, n, seed)
          const a: CMatrix = kind === "lowRank"
            ? matmul(random(m, 2, seed + 1), random(2, n, seed + 2))
            : kind === "graded"
            ? r.map((row, i) => row.map((x) => c(x.re * 10 ** -i, x.im * 10 ** -i)))
            : kind === "zeroColumn"
            ? r.map((row) => row.map((x, j) => (j % 2 === 1 ? c(0, 0) : x)))
            : kind === "real"
            ? r.map((row) => row.map((x) => c(x.re, 0)))
            : kind === "tiny"
            ? r.map((row) => row.map((x) => c(x.re * 1e-150, x.im * 1e-150)))
            : kind === "huge"
            ? r.map((row) => row.map((x) => c(x.re * 1e150, x.im * 1e150)))
            : r
          const k = Math.min(m, n)
          const [u, sv, vh] = np.linalg.svd(tensor(a), { fullMatrices })
          const [um, ss, vm] = [value(u), flat(sv), value(vh)]
          const what = `${kind} ${m}x${n}`
          // U[:, :k] diag(s) Vh[:k, :]
          const rec = um.map((row) =>
            vm[0]!.map((_, j) =>
              row.slice(0, k).reduce((t, x, p) => add(t, mul(mul(x, c(ss[p]!, 0)), vm[p]![j]!)), c(0, 0))
            )
          )
          const scale = norm(a) === 0 ? 1 : norm(a)
          assert.isBelow(dist(rec, a) / scale, 1e-14 * (m + n), `${what}: reconstruction`)
          assert.isBelow(dist(matmul(adjoint(um), um), eye(um[0]!.length)), 1e-14 * (m + n), `${what}: U`)
          assert.isBelow(dist(matmul(vm, adjoint(vm)), eye(vm.length)), 1e-14 * (m + n), `${what}: V`)
          assert.isTrue(ss.every((x, i) => x >= 0 && (i === 0 || ss[i - 1]! >= x)), `${what}: descending`)
          assert.deepStrictEqual(flat(np.linalg.svd(tensor(a), { computeUv: false })), ss, `${what}: values alone`)
        }
      ),
      { numRuns: 120 }
    )
  })

  it("eigh reads one triangle: UPLO L and U agree with the Hermitian completion", () => {
    const a = hermitian(4, 3)
    const junkUpper = a.map((row, i) => row.map((x, j) => (j > i ? c(99, -7) : x)))
    const junkLower = a.map((row, i) => row.map((x, j) => (j < i ? c(-5, 3) : x)))
    const opts = { symmetrizeInput: false }
    const w = flat(np.linalg.eigvalsh(tensor(a)))
    assertCloseC(
      flat(np.linalg.eigh(tensor(junkUpper), { UPLO: "L", ...opts })[0]).map((x) => c(x, 0)),
      w.map((x) => c(x, 0)),
      1e-13
    )
    assertCloseC(
      flat(np.linalg.eigh(tensor(junkLower), { UPLO: "U", ...opts })[0]).map((x) => c(x, 0)),
      w.map((x) => c(x, 0)),
      1e-13
    )
  })

  it("svd: A = U diag(s) V^H, U and V unitary, s real descending (reduced and full, wide and tall)", () => {
    fc.assert(
      fc.property(shapes, ([m, n, seed]) => {
        const a = random(m, n, seed)
        const [u, s, vh] = np.linalg.svd(tensor(a), { fullMatrices: false })
        assert.strictEqual(s.dtype, "float64")
        const ss = flat(s)
        const [um, vhm] = [value(u), value(vh)]
        assert.isBelow(dist(matmul(scaleCols(um, ss), vhm), a) / norm(a), 1e-14)
        assert.isBelow(dist(matmul(adjoint(um), um), eye(ss.length)), 1e-14)
        assert.isBelow(dist(matmul(vhm, adjoint(vhm)), eye(ss.length)), 1e-14)
        ss.slice(1).forEach((x, i) => assert.isAtMost(x, ss[i]!))
        const [uf, , vhf] = np.linalg.svd(tensor(a)).map(value) as [CMatrix, unknown, CMatrix]
        assert.isBelow(dist(matmul(adjoint(uf), uf), eye(m)), 1e-14)
        assert.isBelow(dist(matmul(vhf, adjoint(vhf)), eye(n)), 1e-14)
        // s^2 are the eigenvalues of A^H A
        const gram = flat(np.linalg.eigvalsh(tensor(matmul(adjoint(a), a)))).reverse()
        ss.forEach((x, i) => assert.approximately(x * x, gram[i]!, 1e-12))
        flat(np.linalg.svdvals(tensor(a, "complex64"))).forEach((x, i) => assert.approximately(x, ss[i]!, 1e-5))
      }),
      { numRuns: 10 }
    )
  })

  it("a rank-deficient complex matrix: zero singular values with U completed to a unitary", () => {
    const x = random(4, 1, 5)
    const y = random(1, 3, 6)
    const a = matmul(x, y) // rank 1
    const [u, s] = np.linalg.svd(tensor(a))
    const ss = flat(s)
    assert.isBelow(ss[1]!, 1e-14)
    assert.isBelow(dist(matmul(adjoint(value(u)), value(u)), eye(4)), 1e-14)
    assert.strictEqual(toJsSync(np.linalg.matrixRank(tensor(a))), 1)
  })

  it("the functions built on them take complex input: lstsq, pinv, norms, cond, hermitian svd, batching", () => {
    const a = random(5, 3, 11)
    const b = random(5, 1, 12)
    const [x] = np.linalg.lstsq(tensor(a), tensor(b))
    // normal equations A^H (A x - b) = 0
    const res = matmul(a, value(x)).map((row, i) => row.map((v, j) => c(v.re - b[i]![j]!.re, v.im - b[i]![j]!.im)))
    assert.isBelow(norm(matmul(adjoint(a), res)), 1e-13)
    const p = value(np.linalg.pinv(tensor(a)))
    assert.isBelow(dist(matmul(p, a), eye(3)), 1e-13)
    assert.approximately(
      toJsSync(np.linalg.norm(tensor(a), { ord: 2 })) as number,
      flat(np.linalg.svdvals(tensor(a)))[0]!,
      1e-14
    )
    const h = hermitian(3, 13)
    const [uh, sh, vhh] = np.linalg.svd(tensor(h), { hermitian: true })
    assert.isBelow(dist(matmul(scaleCols(value(uh), flat(sh)), value(vhh)), h) / norm(h), 1e-14)
    flat(sh).forEach((x, i) => assert.approximately(x, flat(np.linalg.svdvals(tensor(h)))[i]!, 1e-13))
    // batched: vmap of svdvals equals a loop
    const stack = [random(3, 3, 14), random(3, 3, 15)]
    const batched = flat(runSync(vmap((t: Tensor) => np.linalg.svdvals(t))(tensor(stack as never))) as Tensor)
    assertCloseC(
      batched.map((v) => c(v, 0)),
      stack.flatMap((m) => flat(np.linalg.svdvals(tensor(m)))).map((v) => c(v, 0)),
      1e-14
    )
  })
})

describe("complex qr, eigh and svd: JAX's derivative rules vs finite differences (complex128)", () => {
  const h = 1e-6
  const fdC = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor) =>
    flatC(
      np.astype(
        np.divide(np.subtract(f(np.add(x, np.multiply(t, h))), f(np.subtract(x, np.multiply(t, h)))), 2 * h),
        "complex128"
      )
    )
  const jvC = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor) =>
    flatC(np.astype(runSync(jvp(f, [x], [t]))[1] as Tensor, "complex128"))
  const check = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor, tol = 1e-7) =>
    assertCloseC(jvC(f, x, t), fdC(f, x, t), tol)

  it("qr: q and r (m >= n, reduced)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 1000 }),
        (n, extra, seed) => {
          const a = tensor(random(n + extra, n, seed))
          const t = tensor(random(n + extra, n, seed + 1))
          check((x) => np.linalg.qr(x)[0], a, t)
          check((x) => np.linalg.qr(x, { mode: "r" }), a, t)
        }
      ),
      { numRuns: 10 }
    )
  })

  it("eigh: eigenvalues and the projector V diag(c) V^H (phase-invariant)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 1000 }), (n, seed) => {
        // distinct eigenvalues: a Hermitian matrix plus a spread diagonal
        const a = tensor(hermitian(n, seed).map((row, i) => row.map((x, j) => (i === j ? c(x.re + 10 * i, 0) : x))))
        const t = tensor(hermitian(n, seed + 1))
        check((x) => np.linalg.eigvalsh(x), a, t)
        const weights = np.array(Array.from({ length: n }, (_, i) => 1 + i * i), { dtype: "complex128" })
        check(
          (x) => {
            const [, v] = np.linalg.eigh(x)
            return np.matmul(np.multiply(v, weights), mH(v))
          },
          a,
          t,
          1e-6
        )
      }),
      { numRuns: 10 }
    )
  })

  it("svd: singular values and U diag(c) V^H (phase-invariant; exercises JAX's diagonal term), tall and wide", () => {
    fc.assert(
      fc.property(shapes, ([m, n, seed]) => {
        const a = tensor(
          random(m, n, seed).map((row, i) => row.map((x, j) => (i === j ? c(x.re + 3 * (i + 1), x.im) : x)))
        )
        const t = tensor(random(m, n, seed + 1))
        check((x) => np.linalg.svdvals(x), a, t)
        const k = Math.min(m, n)
        const weights = np.array(Array.from({ length: k }, (_, i) => 2 + i), { dtype: "complex128" })
        check(
          (x) => {
            const [u, , vh] = np.linalg.svd(x, { fullMatrices: false })
            return np.matmul(np.multiply(u, weights), vh)
          },
          a,
          t,
          1e-6
        )
        // |u|^2 entries: without the diagonal phase term the phase of u and vh would not match
        check(
          (x) => {
            const [u, s, vh] = np.linalg.svd(x, { fullMatrices: false })
            return np.matmul(np.multiply(u, np.astype(s, "complex128")), vh)
          },
          a,
          t,
          1e-6
        )
      }),
      { numRuns: 10 }
    )
  })

  it("reverse mode: grad of a real loss is d/dRe - i d/dIm (JAX's convention) for svdvals and eigvalsh", () => {
    const a0 = random(3, 2, 40).map((row, i) => row.map((x, j) => (i === j ? c(x.re + 2 + i, x.im) : x)))
    const w = np.array([1, 3], { dtype: "float64" })
    const loss = (x: Tensor) => np.sum(np.multiply(w, np.linalg.svdvals(x)))
    const g = flatC(runSync(grad(loss)(tensor(a0))) as Tensor)
    const flatA = a0.flat()
    const at = (k: number, dr: number, di: number) => {
      const b = flatA.map((x, q) => (q === k ? c(x.re + dr, x.im + di) : x))
      return flat(loss(np.reshape(tensor(b), [3, 2])))[0]!
    }
    const expected = flatA.map((_, k) =>
      c((at(k, h, 0) - at(k, -h, 0)) / (2 * h), -(at(k, 0, h) - at(k, 0, -h)) / (2 * h))
    )
    assertCloseC(g, expected, 1e-7)
    const hm = hermitian(3, 41).map((row, i) => row.map((x, j) => (i === j ? c(x.re + 5 * i, 0) : x)))
    const we = np.array([1, -2, 0.5], { dtype: "float64" })
    const lossE = (x: Tensor) => np.sum(np.multiply(we, np.linalg.eigvalsh(x)))
    const ge = flatC(runSync(grad(lossE)(tensor(hm))) as Tensor)
    const flatH = hm.flat()
    const atE = (k: number, dr: number, di: number) =>
      flat(lossE(np.reshape(tensor(flatH.map((x, q) => (q === k ? c(x.re + dr, x.im + di) : x))), [3, 3])))[0]!
    const expectedE = flatH.map((_, k) =>
      c((atE(k, h, 0) - atE(k, -h, 0)) / (2 * h), -(atE(k, 0, h) - atE(k, 0, -h)) / (2 * h))
    )
    assertCloseC(ge, expectedE, 1e-7)
  })
})
