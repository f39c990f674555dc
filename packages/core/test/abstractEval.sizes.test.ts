/**
 * Output sizes are checked by abstract evaluation, when a primitive is bound
 * (as JAX checks shapes), not when the backend allocates the result: a product,
 * a pad, a concatenation or a gather past 2^31 - 1 elements is a ShapeError
 * before any work, eager or traced.
 */
import { AbstractEval, aval, lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { jit, runSync } from "diffect"

const tooMany = (op: string, shape: string, n: number): string =>
  `${op}: an array of shape ${shape} would have ${n} elements, more than the 2147483647 an array may hold`

describe("output sizes at abstract evaluation", () => {
  it("dot_general: outer products of two 100,000-vectors (einsum, matmul, dotGeneral)", () => {
    // before: BackendError "cannot allocate an array of 40000000000 bytes" when the result was allocated
    const v = np.ones([1e5])
    const want = tooMany("dot_general", "(100000, 100000)", 1e10)
    assert.strictEqual(thrownTag(() => np.einsum("i,j->ij", v, v), "ShapeError"), want)
    assert.strictEqual(thrownTag(() => np.matmul(np.ones([1e5, 1]), np.ones([1, 1e5])), "ShapeError"), want)
    assert.strictEqual(
      thrownTag(() => lax.dotGeneral(np.ones([1e5, 1]), np.ones([1, 1e5]), [[1], [0]]), "ShapeError"),
      want
    )
    // np.outer broadcasts first: the same check, by broadcast_in_dim
    assert.strictEqual(
      thrownTag(() => np.outer(v, v), "ShapeError"),
      tooMany("broadcast_in_dim", "(100000, 100000)", 1e10)
    )
  })

  it("dot_general under jit fails while tracing, with nothing allocated", () => {
    const f = jit((a: Tensor, b: Tensor) => np.einsum("i,j->ij", a, b))
    const v = np.ones([1e5])
    assert.strictEqual(
      thrownTag(() => runSync(f(v, v)), "ShapeError"),
      tooMany("dot_general", "(100000, 100000)", 1e10)
    )
  })

  it("pad: low padding of 2^31, and interior padding past the limit", () => {
    // before: BackendError "cannot allocate an array of 8589934604 bytes"
    assert.strictEqual(
      thrownTag(() => lax.pad(np.ones([3]), 0, [[2 ** 31, 0, 0]]), "ShapeError"),
      tooMany("pad", "(2147483651,)", 2 ** 31 + 3)
    )
    // 50,000 + 49,999 * 50,000 = 2,500,000,000 elements
    assert.strictEqual(
      thrownTag(() => lax.pad(np.ones([50000]), 0, [[0, 0, 50000]]), "ShapeError"),
      tooMany("pad", "(2500000000,)", 2.5e9)
    )
    // a dimension past an int32 index in a zero-size result
    assert.strictEqual(
      thrownTag(() => lax.pad(np.ones([0, 2]), 0, [[0, 0, 0], [2 ** 32, 0, 0]]), "ShapeError"),
      "pad: the dimension 4294967298 of shape (0, 4294967298) is more than the 2147483647 an axis may hold"
    )
  })

  it("the limit itself passes; one more element does not (concatenate, gather, pad, iota)", () => {
    const r = AbstractEval.abstractEvalRules
    const f32 = (shape: ReadonlyArray<number>) => aval(shape, "float32")
    assert.deepStrictEqual(r.pad([f32([2 ** 31 - 2]), f32([])], { config: [[1, 0, 0]] })[0]!.shape, [2 ** 31 - 1])
    assert.strictEqual(
      thrownTag(() => r.pad([f32([2 ** 31 - 2]), f32([])], { config: [[1, 1, 0]] }), "ShapeError"),
      tooMany("pad", "(2147483648,)", 2 ** 31)
    )
    assert.deepStrictEqual(
      r.concatenate([f32([2 ** 30]), f32([2 ** 30 - 1])], { dimension: 0 })[0]!.shape,
      [2 ** 31 - 1]
    )
    assert.strictEqual(
      thrownTag(() => r.concatenate([f32([2 ** 30]), f32([2 ** 30])], { dimension: 0 }), "ShapeError"),
      tooMany("concatenate", "(2147483648,)", 2 ** 31)
    )
    // a gather of 2^16 x 2^16 indices along a row of 2: 2^33 elements
    assert.strictEqual(
      thrownTag(() => r.gather([f32([2, 2]), aval([2 ** 16, 2 ** 16], "int32")], { axis: 0 }), "ShapeError"),
      tooMany("gather", "(65536, 65536, 2)", 2 ** 33)
    )
    // (lax.iota checks its shape argument itself; the rule checks what a transformation binds)
    assert.strictEqual(
      thrownTag(() => r.iota([], { dtype: "int32", shape: [2 ** 16, 2 ** 15], dimension: 0 }), "ShapeError"),
      tooMany("iota", "(65536, 32768)", 2 ** 31)
    )
  })
})
