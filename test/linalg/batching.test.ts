/**
 * Batching: leading dimensions and vmap (at any axis, one or both operands
 * batched) against a loop over the members.
 */
import { assert, describe, it } from "@effect/vitest"
import { jvp, lax, np, runSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { flat, randomMatrix, spd, tensor } from "./helpers.js"

const stackOf = (xs: ReadonlyArray<Tensor>): Tensor => np.stack(xs)
const member = (x: Tensor, i: number, axis = 0): Tensor => np.take(x, np.array(i, { dtype: "int32" }), { axis })

const assertSame = (a: ReadonlyArray<Tensor> | Tensor, b: ReadonlyArray<Tensor> | Tensor, tol = 1e-13) => {
  const xs = Array.isArray(a) ? a : [a as Tensor]
  const ys = Array.isArray(b) ? b : [b as Tensor]
  xs.forEach((x, i) => {
    assert.deepStrictEqual(x.shape, ys[i]!.shape)
    const [u, v] = [flat(x), flat(ys[i]!)]
    u.forEach((value, k) => assert.approximately(value, v[k]!, tol))
  })
}

const batchOf = (count: number, make: (i: number) => ReadonlyArray<ReadonlyArray<number>>) =>
  tensor(Array.from({ length: count }, (_, i) => make(i)))

describe("batching over leading dimensions and vmap", () => {
  it("each primitive over [2, 3, n, n] equals the loop over its members", () => {
    const x = np.reshape(batchOf(6, (i) => spd(3, 90 + i)), [2, 3, 3, 3])
    const cases: Array<(a: Tensor) => ReadonlyArray<Tensor>> = [
      (a) => [lax.linalg.cholesky(a)],
      (a) => lax.linalg.lu(a),
      (a) => lax.linalg.qr(a),
      (a) => lax.linalg.eigh(a),
      (a) => lax.linalg.svd(a),
      (a) => [lax.linalg.triangularSolve(a, np.swapaxes(a, -1, -2), { lower: true, leftSide: true })]
    ]
    for (const f of cases) {
      const whole = f(x)
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          const one = f(member(member(x, i), j))
          whole.forEach((w, k) => assertSame(member(member(w, i), j), one[k]!))
        }
      }
    }
  })

  it("vmap at axis 1 and with one operand unbatched equals the loop", () => {
    const xs = batchOf(4, (i) => spd(3, 100 + i)) // [4, 3, 3]
    const moved = np.moveaxis(xs, 0, 1) // batch at axis 1
    const b = tensor(randomMatrix(3, 2, 7))
    const f = (a: Tensor) => lax.linalg.triangularSolve(lax.linalg.cholesky(a), b, { leftSide: true, lower: true })
    const batched = runSync(vmap(f, { inAxes: 1 })(moved)) as Tensor
    assertSame(batched, stackOf(Array.from({ length: 4 }, (_, i) => f(member(xs, i)))))
    // both operands batched, b at axis 2
    const bs = batchOf(4, (i) => randomMatrix(3, 2, 200 + i))
    const g = (a: Tensor, r: Tensor) => lax.linalg.triangularSolve(a, r, { leftSide: true, lower: true })
    const both = runSync(vmap(g, { inAxes: [0, 2] })(xs, np.moveaxis(bs, 0, 2))) as Tensor
    assertSame(both, stackOf(Array.from({ length: 4 }, (_, i) => g(member(xs, i), member(bs, i)))))
  })

  it("vmap of jvp through cholesky and solve equals the loop", () => {
    const xs = batchOf(3, (i) => spd(3, 300 + i))
    const ts = batchOf(3, (i) => spd(3, 400 + i))
    const f = (a: Tensor, t: Tensor) => {
      const [, tangent] = runSync(jvp((m: Tensor) => np.linalg.solve(m, np.linalg.cholesky(m)), [a], [t]))
      return tangent as Tensor
    }
    const batched = runSync(vmap(f)(xs, ts)) as Tensor
    assertSame(batched, stackOf(Array.from({ length: 3 }, (_, i) => f(member(xs, i), member(ts, i)))), 1e-12)
  })
})
