/**
 * Decompositions of matrices with entries whose squares underflow (1.5e-162: half the smallest
 * denormal when squared; 1e-170; denormal 3e-310) next to entries near 1. A Householder reflector
 * built from a plain sum of squares was not orthogonal there (eigh of
 * `[[3, 1.6e-162, 0], [1.6e-162, -7, 0], [0, 0, 11]]` gave an eigenvector of norm 0.46, and the
 * gradient through it was off by half: a CI failure of the svd-hermitian derivative test). Every
 * factor must stay orthogonal or unitary and reconstruct its matrix to rounding, in real and
 * complex arithmetic.
 */
import { assert, describe, it } from "@effect/vitest"
import { grad, linalg, np, runSync } from "diffect"
import type { Tensor } from "diffect"
import { finiteGradient, flat, gradient, randomMatrix, tensor, weights } from "./helpers.js"

const TINY = [1.5717277847026288e-162, 1e-170, 3e-310, 1e-155] as const

type Entry = number | { readonly re: number; readonly im: number }

const asTensor = (m: ReadonlyArray<ReadonlyArray<Entry>>): Tensor =>
  typeof m[0]![0] === "number" ? tensor(m as Array<Array<number>>) : np.array(m as np.TensorLike, {
    dtype: "complex128"
  })

/** `||x||_F`, through |x|^2 summed in float64 (every checked quantity is near 1, no underflow). */
const frobenius = (x: Tensor): number => Math.sqrt(flat(np.sum(np.real(np.multiply(x, np.conj(x))))).at(0)!)

const conjT = (x: Tensor): Tensor => np.conj(np.swapaxes(x, -1, -2))

/** `||Q^H Q - I||_F` of the columns of q. */
const unitarity = (q: Tensor): number => frobenius(np.subtract(np.matmul(conjT(q), q), np.eye(q.shape.at(-1)!)))

const assertSmall = (value: number, what: string) => assert.isTrue(value < 1e-14, `${what}: ${value}`)

/** The matrices: a near-diagonal one (the CI failure), a column whose tail is tiny, a column tiny throughout. */
const cases = (e: number, complex: boolean): ReadonlyArray<readonly [string, Array<Array<Entry>>]> => {
  const z = (re: number, im = 0): Entry => (complex ? { re, im } : re)
  const r = randomMatrix(5, 5, 7)
  const i = randomMatrix(5, 5, 8)
  const random = (scaleColumn0: (row: number) => number) =>
    r.map((row, p) =>
      row.map((x, q) => {
        const s = q === 0 ? scaleColumn0(p) : 1
        return z(x * s, complex ? i[p]![q]! * s : 0)
      })
    )
  return [
    ["near-diagonal", [[z(3), z(e, e), z(0)], [z(e, -e), z(-7), z(0)], [z(0), z(0), z(11)]]],
    ["tiny below the subdiagonal", [[z(3), z(e), z(e)], [z(e), z(-7), z(0.5)], [z(e), z(0.5), z(11)]]],
    ["tiny column tail", random((p) => (p >= 1 ? e : 1))],
    ["tiny column", random(() => e)]
  ]
}

/** The Hermitian part of m (eigh reads one triangle; the others are checked against it). */
const hermitian = (m: Tensor): Tensor => np.divide(np.add(m, conjT(m)), 2)

describe("decompositions of matrices with entries whose squares underflow", () => {
  for (const complex of [false, true]) {
    const kind = complex ? "complex" : "real"
    it(`eigh (${kind}): V unitary, A V = V diag(w)`, () => {
      for (const e of TINY) {
        for (const [name, m] of cases(e, complex)) {
          const a = hermitian(asTensor(m))
          const [w, v] = np.linalg.eigh(a)
          const what = `eigh ${name} at ${e}`
          assertSmall(unitarity(v!), `${what}: unitarity`)
          const residual = np.subtract(np.matmul(a, v!), np.multiply(v!, w!))
          assertSmall(frobenius(residual) / frobenius(a), `${what}: residual`)
        }
      }
    })

    it(`qr, svd, schur and hessenberg (${kind}): unitary factors that reconstruct A`, () => {
      for (const e of TINY) {
        for (const [name, m] of cases(e, complex)) {
          const a = asTensor(m)
          const norm = frobenius(a)
          const what = (f: string) => `${f} ${name} at ${e}`
          const [q, rr] = np.linalg.qr(a)
          assertSmall(unitarity(q!), `${what("qr")}: unitarity`)
          assertSmall(frobenius(np.subtract(np.matmul(q!, rr!), a)) / norm, `${what("qr")}: reconstruction`)
          const [u, s, vh] = np.linalg.svd(a)
          assertSmall(unitarity(u!), `${what("svd")}: U`)
          assertSmall(unitarity(conjT(vh!)), `${what("svd")}: V`)
          const usv = np.matmul(np.multiply(u!, s!), vh!)
          assertSmall(frobenius(np.subtract(usv, a)) / norm, `${what("svd")}: reconstruction`)
          const [t, zs] = linalg.schur(a)
          assertSmall(unitarity(zs), `${what("schur")}: unitarity`)
          const zt = np.matmul(np.matmul(zs, t), conjT(zs))
          assertSmall(frobenius(np.subtract(zt, a)) / norm, `${what("schur")}: reconstruction`)
          const [h, qh] = linalg.hessenberg(a, { calcQ: true })
          assertSmall(unitarity(qh), `${what("hessenberg")}: unitarity`)
          const qhq = np.matmul(np.matmul(qh, h), conjT(qh))
          assertSmall(frobenius(np.subtract(qhq, a)) / norm, `${what("hessenberg")}: reconstruction`)
          // eig: A v = w v, each v of unit norm
          const [ew, ev] = np.linalg.eig(a)
          const norms = flat(np.linalg.norm(ev!, { axis: 0 }))
          norms.forEach((x) => assertSmall(Math.abs(x - 1), `${what("eig")}: unit vectors`))
          const eres = np.subtract(np.matmul(a, ev!), np.multiply(ev!, ew!))
          assert.isTrue(frobenius(eres) / norm < 1e-13, `${what("eig")}: residual ${frobenius(eres) / norm}`)
        }
      }
    })
  }

  it("the gradient through eigh's vectors equals finite differences at a near-diagonal matrix (the CI failure)", () => {
    // sum(w * U diag(c) Vh) of the hermitian SVD: gauge invariant, differentiable where |w| are distinct
    const n = 3
    const c = np.array([1, 2, 5], { dtype: "float64" })
    const w = weights([n, n], 3)
    const f = (x: Tensor) => {
      const [u, , vh] = np.linalg.svd(x, { hermitian: true })
      return np.sum(np.multiply(w, np.matmul(np.multiply(u!, c), vh!)))
    }
    for (const e of TINY) {
      const point = [3, e, 0, e, -7, 0, 0, 0, 11]
      const got = gradient(f, point, [n, n])
      const want = finiteGradient(f, point, [n, n])
      got.forEach((g, k) => assert.closeTo(g, want[k]!, 1e-6, `entry ${k} at ${e}`))
    }
    // and grad runs through runSync as users call it
    const g = runSync(grad(f)(np.reshape(tensor([3, 0, 0, 0, -7, 0, 0, 0, 11]), [3, 3])))
    assert.closeTo(flat(g as Tensor)[1]!, finiteGradient(f, [3, 0, 0, 0, -7, 0, 0, 0, 11], [3, 3])[1]!, 1e-6)
  })
})
