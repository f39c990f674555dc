import { hessian, jacfwd, jacrev, jvp, linearTranspose, vjp, vmap } from "@diffect/ad"
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { withBackend } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jacfwdSync, jacrevSync } from "../src/internal/jacobian.js"
import { backend, expect, js, run, tensor, toJs } from "./gradHelpers.js"

const at = (x: Tensor, i: number) => lax.reshape(lax.slice(x, [i], [i + 1], null), [])
const stack = (xs: ReadonlyArray<Tensor>) => lax.concatenate(xs.map((x) => lax.reshape(x, [1])), 0)
const k = (v: number, like: Tensor) => lax.full([], v, like.dtype, true)
const sum = (x: Tensor) => lax.reduceSum(x, x.shape.map((_, i) => i))
const outer = (x: Tensor, y: Tensor) =>
  lax.mul(
    lax.broadcastInDim(x, [x.shape[0]!, y.shape[0]!], [0]),
    lax.broadcastInDim(y, [x.shape[0]!, y.shape[0]!], [1])
  )
const matvec = (a: Tensor, x: Tensor) => lax.dotGeneral(a, x, [[1], [0]])

// JAX's docstring example for jacfwd/jacrev: f(x) = [x0, 5 x2, 4 x1^2 - 2 x2, x2 sin(x0)]
const jaxDocF = (x: Tensor) => {
  const [x0, x1, x2] = [at(x, 0), at(x, 1), at(x, 2)]
  return stack([
    x0,
    lax.mul(k(5, x2), x2),
    lax.sub(lax.mul(k(4, x1), lax.mul(x1, x1)), lax.mul(k(2, x2), x2)),
    lax.mul(x2, lax.sin(x0))
  ])
}
const jaxDocJ = [[1, 0, 0], [0, 0, 5], [0, 16, -2], [3 * Math.cos(1), 0, Math.sin(1)]]

describe("jacfwd and jacrev", () => {
  it("JAX's docstring example: both give [[1,0,0],[0,0,5],[0,16,-2],[1.6209,0,0.84147]]", () => {
    const x = tensor([1, 2, 3], "float64")
    const jf = run(jacfwd(jaxDocF)(x))
    const jr = run(jacrev(jaxDocF)(x))
    assert.deepStrictEqual([...jf.shape], [4, 3])
    assert.strictEqual(jf.dtype, "float64")
    expect.close(js(jf), jaxDocJ, 1e-12)
    expect.close(js(jr), jaxDocJ, 1e-12)
  })

  it("the loop strategy agrees with the vmap strategy (random points, float64)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), (v) => {
        const x = tensor(v, "float64")
        const f = (...args: ReadonlyArray<unknown>) => jaxDocF(args[0] as Tensor)
        withBackend(backend, () => {
          const a = js(jacfwdSync(f, {}, [x], "vmap") as Tensor)
          expect.close(js(jacfwdSync(f, {}, [x], "loop") as Tensor), a as never, 1e-12)
          expect.close(js(jacrevSync(f, {}, [x], "loop") as Tensor), a as never, 1e-12)
          expect.close(js(jacrevSync(f, {}, [x], "vmap") as Tensor), a as never, 1e-12)
        })
      }),
      { numRuns: 20 }
    )
  })

  it("pytrees as in JAX's test_jacobian_on_pytrees", () => {
    const pair = (x: Tensor, y: Tensor) => [x, y]
    for (const jac of [jacfwd, jacrev]) {
      expect.close(toJs(run(jac(pair)(tensor(0), tensor(1)))), [1, 0])
      expect.close(toJs(run(jac(pair, { argnums: 1 })(tensor(0), tensor(1)))), [0, 1])
      expect.close(toJs(run(jac(pair, { argnums: [0, 1] })(tensor(0), tensor(1)))), [[1, 0], [0, 1]])
      const x = tensor([0.5, -1], "float64")
      const y = tensor([2, 3, 4], "float64")
      const out = run(jac((x: Tensor, y: Tensor) => ({ x, xy: outer(x, y) }))(x, y))
      expect.close(js(out.x), [[1, 0], [0, 1]])
      // d(x_i y_j)/dx_k = delta_ik y_j: shape (2, 3, 2)
      expect.close(js(out.xy), [[[2, 0], [3, 0], [4, 0]], [[0, 2], [0, 3], [0, 4]]])
    }
  })

  it("leaf (y, x) has shape y.shape ++ x.shape, for every argnums combination (JAX's test_issue1372)", () => {
    const quad = (v: Tensor) => sum(lax.mul(v, v))
    const f = (x: Tensor, u: Tensor) => lax.add(quad(x), quad(u))
    const x = tensor([1, 1, 1, 1, 1])
    const u = tensor([1, 1])
    const size = { 0: 5, 1: 2 } as const
    for (const outer of [jacfwd, jacrev]) {
      for (const inner of [jacfwd, jacrev]) {
        for (const i of [0, 1] as const) {
          for (const j of [0, 1] as const) {
            const h = run(outer(inner(f, { argnums: i }), { argnums: j })(x, u)) as unknown as Tensor
            assert.deepStrictEqual([...h.shape], [size[i], size[j]])
            // d^2 f / (d a_i d b_j) = 2 I on the diagonal blocks, 0 off them.
            const expected = Array.from(
              { length: size[i] },
              (_, r) => Array.from({ length: size[j] }, (_, c) => (i === j && r === c ? 2 : 0))
            )
            expect.close(js(h), expected)
          }
        }
      }
    }
  })

  it("hasAux (JAX's test_jacfwd_and_aux_basic, test_jacrev_and_aux_basic)", () => {
    const f = (x: Tensor) => [lax.mul(x, lax.mul(x, x)), [lax.mul(x, x)]] as const
    for (const jac of [jacfwd, jacrev]) {
      const [j, aux] = run(jac(f, { hasAux: true })(tensor(3)))
      expect.close(js(j), 27)
      expect.close(js(aux[0]), 9)
    }
  })

  it("holomorphic: d(z^2)/dz = diag(2z) for complex vectors", () => {
    const z = tensor([{ re: 1, im: 2 }, { re: -1, im: 0.5 }], "complex128")
    const f = (z: Tensor) => lax.mul(z, z)
    const expected = [[{ re: 2, im: 4 }, { re: 0, im: 0 }], [{ re: 0, im: 0 }, { re: -2, im: 1 }]]
    expect.close(js(run(jacfwd(f, { holomorphic: true })(z))), expected, 1e-12)
    expect.close(js(run(jacrev(f, { holomorphic: true })(z))), expected, 1e-12)
  })

  it("jacrev keeps each input's dtype, jacfwd each output's (JAX's test_heterogeneous_jac*)", () => {
    const f = (t: [Tensor, Tensor]) => [t[0], t[1]]
    const a: [Tensor, Tensor] = [tensor([2]), tensor([3], "float64")]
    const jr = run(jacrev(f)(a))
    assert.deepStrictEqual([jr[0][0].dtype, jr[0][1].dtype, jr[1][0].dtype, jr[1][1].dtype], [
      "float32",
      "float64",
      "float32",
      "float64"
    ])
    const jf = run(jacfwd(f)(a))
    assert.deepStrictEqual([jf[0][0].dtype, jf[0][1].dtype, jf[1][0].dtype, jf[1][1].dtype], [
      "float32",
      "float32",
      "float64",
      "float64"
    ])
  })
})

describe("jacobians and vmap", () => {
  it("vmap(jacfwd(f)) and vmap(jacrev(f)) give per-example Jacobians; jacfwd(vmap(f)) the block-diagonal one", () => {
    // f(x) = [x0 x1, sin x0] for x in R^2; J = [[x1, x0], [cos x0, 0]]
    const f = (x: Tensor) => stack([lax.mul(at(x, 0), at(x, 1)), lax.sin(at(x, 0))])
    const xs = tensor([[1, 2], [3, 4]], "float64")
    const expected = [[[2, 1], [Math.cos(1), 0]], [[4, 3], [Math.cos(3), 0]]]
    expect.close(js(run(vmap(jacfwd(f))(xs))), expected, 1e-12)
    expect.close(js(run(vmap(jacrev(f))(xs))), expected, 1e-12)
    // The Jacobian of the batched map [2, 2] -> [2, 2] has shape (2, 2, 2, 2), zero across examples.
    const big = js(run(jacfwd(vmap(f))(xs))) as Array<Array<Array<Array<number>>>>
    expect.close(big[0]![0]![0], expected[0]![0], 1e-12)
    expect.close(big[1]![1]![1], expected[1]![1], 1e-12)
    expect.close(big[0]![1]![1], [0, 0])
  })
})

describe("jacobians with integer inputs and outputs", () => {
  it("jacrev with allowInt: an int32 input's block is float0 of shape y.shape ++ x.shape", () => {
    const f = (x: Tensor, i: Tensor) => lax.mul(x, lax.convertElementType(i, "float32"))
    const [jx, ji] = run(jacrev(f, { argnums: [0, 1], allowInt: true })(tensor([1, 2]), tensor([3, 4], "int32")))
    expect.close(js(jx), [[3, 0], [0, 4]])
    assert.strictEqual(ji.dtype, "float0")
    assert.deepStrictEqual([...ji.shape], [2, 2])
  })

  it("jacfwd of an int32 output gives a float0 block (its tangent dtype)", () => {
    const f = (x: Tensor) => [lax.sin(x), lax.convertElementType(x, "int32")]
    const [js0, ji] = run(jacfwd(f)(tensor([1, 2], "float64")))
    expect.close(js(js0), [[Math.cos(1), 0], [0, Math.cos(2)]], 1e-12)
    assert.strictEqual(ji.dtype, "float0")
    assert.deepStrictEqual([...ji.shape], [2, 2])
  })
})

describe("linear maps x -> Ax (property, float64, random A)", () => {
  const matrix = fc.integer({ min: 1, max: 4 }).chain((m) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.tuple(
        fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }), {
          minLength: m,
          maxLength: m
        }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: m, maxLength: m })
      )
    )
  )

  it("jacfwd and jacrev give A; jvp gives At; vjp and linearTranspose give A^T c", () => {
    fc.assert(
      fc.property(matrix, ([rows, t, c]) => {
        const A = tensor(rows, "float64")
        const f = (x: Tensor) => matvec(A, x)
        const x0 = tensor(t.map(() => 0.5), "float64")
        expect.close(js(run(jacfwd(f)(x0))), rows, 1e-12)
        expect.close(js(run(jacrev(f)(x0))), rows, 1e-12)
        const At = rows.map((r) => r.reduce((s, a, j) => s + a * t[j]!, 0))
        expect.close(js(run(jvp(f, [x0], [tensor(t, "float64")]))[1]), At, 1e-12)
        const ATc = t.map((_, j) => rows.reduce((s, r, i) => s + r[j]! * c[i]!, 0))
        const [, pullback] = run(vjp(f, [x0]))
        expect.close(js(run(pullback(tensor(c, "float64")))[0]), ATc, 1e-12)
        const transposed = run(linearTranspose(f, x0))
        expect.close(js(run(transposed(tensor(c, "float64")))[0]), ATc, 1e-12)
      }),
      { numRuns: 30 }
    )
  })
})

describe("hessian", () => {
  it("JAX's docstring example: x0^3 - 2 x0 x1 - x1^6 at [1, 2] is [[6, -2], [-2, -480]]", () => {
    const g = (x: Tensor) => {
      const [a, b] = [at(x, 0), at(x, 1)]
      return lax.sub(lax.sub(lax.mul(a, lax.mul(a, a)), lax.mul(k(2, a), lax.mul(a, b))), lax.integerPow(b, 6))
    }
    expect.close(js(run(hessian(g)(tensor([1, 2], "float64")))), [[6, -2], [-2, -480]], 1e-12)
  })

  it("of x.Ax is A + A^T (JAX's test_hessian; random A, float64)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 16, maxLength: 16 }), (flat) => {
        const rows = [0, 1, 2, 3].map((r) => flat.slice(4 * r, 4 * r + 4))
        const A = tensor(rows, "float64")
        const f = (x: Tensor) => sum(lax.mul(x, matvec(A, x)))
        const h = run(hessian(f)(tensor([0.1, 0.2, -0.3, 0.4], "float64")))
        expect.close(js(h), rows.map((row, i) => row.map((v, j) => v + rows[j]![i]!)), 1e-12)
      }),
      { numRuns: 10 }
    )
  })

  it("on pytrees (JAX's test_hessian_on_pytrees): structure in-tree of in-tree", () => {
    const f = (x: [Tensor, Tensor]) => lax.mul(stack(x), stack(x))
    const h = run(hessian(f)([tensor(1), tensor(2)]))
    expect.close(toJs(h), [[[2, 0], [0, 0]], [[0, 0], [0, 2]]])
  })

  it("hasAux (JAX's test_hessian_aux)", () => {
    const f = (x: Tensor) => [sum(lax.mul(x, x)), x] as const
    const [h, aux] = run(hessian(f, { hasAux: true })(tensor([1, 2], "float64")))
    expect.close(js(h), [[2, 0], [0, 2]])
    expect.close(js(aux), [1, 2])
  })
})
