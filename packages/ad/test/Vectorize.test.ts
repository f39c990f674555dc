/**
 * `vectorize` and `applyAlongAxis` (JAX's `jnp.vectorize`, `jnp.apply_along_axis`;
 * tests/lax_numpy_vectorize_test.py and lax_numpy_test.py's testApplyAlongAxis):
 * matrix products with signatures against `np.matmul`'s broadcasting, tuple results,
 * excluded and null arguments, size-1 dimensions, gradients through both, jit, and JAX's
 * error messages.
 */
import { ArgumentError, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { applyAlongAxis, vectorize } from "../src/Vectorize.js"
import { run, thrown, values } from "./vmapSupport.js"

const rand = (shape: ReadonlyArray<number>, seed: number): Tensor =>
  np.reshape(
    np.array(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(seed * 7.1 + k * 1.3)), {
      dtype: "float64"
    }),
    [...shape]
  )

const assertCloseAll = (got: Tensor, want: Tensor, tol = 1e-12) => {
  assert.deepStrictEqual(got.shape, want.shape)
  const g = [values(got)].flat(6) as Array<number>
  const w = [values(want)].flat(6) as Array<number>
  g.forEach((v, i) => assert.closeTo(v, w[i]!, tol))
}

describe("vectorize", () => {
  const matmat = vectorize((a: Tensor, b: Tensor) => np.matmul(a, b), { signature: "(n,m),(m,k)->(n,k)" })
  const matvec = vectorize((a: Tensor, b: Tensor) => np.matmul(a, b), { signature: "(n,m),(m)->(n)" })
  const vecvec = vectorize((a: Tensor, b: Tensor) => np.sum(np.multiply(a, b)), { signature: "(m),(m)->()" })

  it("matrix products with signatures equal np.matmul's broadcasting (JAX's test_matmat, test_matvec, test_vecvec)", () => {
    for (
      const [l, r] of [[[2, 3], [3, 4]], [[5, 2, 3], [3, 4]], [[1, 2, 3], [5, 3, 4]], [[7, 1, 2, 3], [1, 5, 3, 4]]]
    ) {
      assertCloseAll(matmat(rand(l!, 1), rand(r!, 2)), np.matmul(rand(l!, 1), rand(r!, 2)))
    }
    assertCloseAll(matvec(rand([5, 2, 3], 3), rand([3], 4)), np.einsum("bij,j->bi", rand([5, 2, 3], 3), rand([3], 4)))
    assertCloseAll(
      vecvec(rand([4, 3], 5), rand([3], 6)),
      np.sum(np.multiply(rand([4, 3], 5), rand([3], 6)), { axis: 1 })
    )
    // without a signature: element by element, broadcasting, a size-1 dimension not copied
    const f = vectorize((x: Tensor, y: Tensor) => np.add(np.multiply(x, 2), y))
    assertCloseAll(f(rand([3, 1], 7), rand([4], 8)), np.add(np.multiply(rand([3, 1], 7), 2), rand([4], 8)))
  })

  it("broadcasting over random loop shapes equals np.matmul (fast-check)", () => {
    const dims = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 })
    fc.assert(
      fc.property(dims, dims, (la, lb) => {
        const n = Math.max(la.length, lb.length)
        // make the loop shapes broadcastable: where both have a dimension, one of them is 1 or they agree
        const b2 = lb.map((d, i) => {
          const j = la.length - lb.length + i
          return j >= 0 && la[j] !== 1 && d !== 1 ? la[j]! : d
        })
        void n
        assertCloseAll(
          matmat(rand([...la, 2, 3], 1), rand([...b2, 3, 2], 2)),
          np.matmul(rand([...la, 2, 3], 1), rand([...b2, 3, 2], 2))
        )
      }),
      { numRuns: 20 }
    )
  })

  it("several outputs, excluded and null arguments (JAX's test_center, test_exclude_first, test_none_arg)", () => {
    const center = vectorize((x: Tensor) => [np.mean(x), np.subtract(x, np.mean(x))] as const, {
      signature: "(n)->(),(n)"
    })
    const [m, c] = center(np.array([[1, 2, 3], [4, 6, 8]], { dtype: "float64" }))
    assert.deepStrictEqual(values(m), [2, 6])
    assert.deepStrictEqual(values(c), [[-1, 0, 1], [-2, 0, 2]])
    const scaled = vectorize((k: number, x: Tensor) => np.multiply(x, k), { excluded: [0] })
    assert.deepStrictEqual(values(scaled(3, np.array([1, 2], { dtype: "float64" }))), [3, 6])
    const maybe = vectorize((x: Tensor, y: Tensor | null) => (y === null ? np.negative(x) : np.add(x, y)))
    assert.deepStrictEqual(values(maybe(np.array([1, 2], { dtype: "float64" }), null)), [-1, -2])
    // size-1 loop dimensions only: kept (expanded back), not mapped
    assert.deepStrictEqual(vecvec(rand([1, 1, 3], 1), rand([3], 2)).shape, [1, 1])
  })

  it("differentiates and compiles", () => {
    const softplus = vectorize((x: Tensor) => np.log1p(np.exp(x)))
    const x = np.array([-1, 0, 2], { dtype: "float64" })
    const g = run(grad((v: Tensor) => np.sum(softplus(v)))(x))
    assertCloseAll(g, np.divide(1, np.add(1, np.exp(np.negative(x)))))
    assertCloseAll(
      run(jit((a: Tensor, b: Tensor) => matvec(a, b))(rand([4, 2, 3], 1), rand([3], 2))),
      matvec(rand([4, 2, 3], 1), rand([3], 2))
    )
  })

  it("JAX's errors: bad signatures, core dimensions, outputs", () => {
    assert.include(
      thrown(() => vectorize((x: Tensor) => x, { signature: "(n)->" })).message,
      "a valid gufunc signature"
    )
    const core = thrown(() => matmat(rand([2, 3], 1), rand([4, 2], 2)))
    assert.strictEqual(core._tag, "ShapeError")
    assert.include(core.message, "inconsistent size for core dimension 'm': 4 vs 3")
    assert.include(
      thrown(() => matvec(rand([3], 1), rand([3], 2))).message,
      "does not have enough dimensions for all core dimensions (n, m)"
    )
    const wrongOut = vectorize((x: Tensor) => x, { signature: "(n)->()" })
    assert.include(
      thrown(() => wrongOut(rand([2, 3], 1))).message,
      "output shape (3) does not match core dimensions ()"
    )
    const twoOuts = vectorize((x: Tensor) => x, { signature: "(n)->(),(n)" })
    assert.include(thrown(() => twoOuts(rand([3], 1))).message, "a tuple of 2 outputs")
    assert.strictEqual(thrown(() => vectorize((x: Tensor) => x, { excluded: [-1] }))._tag, "ArgumentError")
  })
})

describe("applyAlongAxis", () => {
  it("equals a loop over the slices, for every axis and for scalar, vector and matrix results", () => {
    const x = rand([2, 3, 4], 1)
    for (const axis of [0, 1, 2, -1]) {
      const a = axis < 0 ? axis + 3 : axis
      // a scalar per slice: the axis disappears (np.max along it)
      assertCloseAll(applyAlongAxis((v: Tensor) => np.max(v), axis, x), np.max(x, { axis: a }))
      // a vector of the slice's length: the axis stays (a sort along it)
      assertCloseAll(applyAlongAxis((v: Tensor) => np.sort(v), axis, x), np.sort(x, { axis: a }))
    }
    // a matrix per slice: two axes where the one was (NumPy's rule)
    const outer = applyAlongAxis((v: Tensor) => np.outer(v, v), 1, x)
    assert.deepStrictEqual(outer.shape, [2, 3, 3, 4])
    assertCloseAll(outer, np.einsum("aib,ajb->aijb", x, x))
    // extra arguments reach every call
    assertCloseAll(
      applyAlongAxis((v: Tensor, k: number) => np.multiply(np.sum(v), k), 0, x, 10),
      np.multiply(np.sum(x, { axis: 0 }), 10)
    )
  })

  it("differentiates; bad axes are typed errors", () => {
    const x = rand([2, 3], 2)
    const g = run(grad((v: Tensor) => np.sum(applyAlongAxis((row: Tensor) => np.sum(np.square(row)), 1, v)))(x))
    assertCloseAll(g, np.multiply(x, 2))
    assert.throws(() => applyAlongAxis((v: Tensor) => v, 2, x), ArgumentError)
  })
})
