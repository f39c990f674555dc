/**
 * flattenUtil.ravelPytree (JAX's jax.flatten_util.ravel_pytree): tree_util_test.py's RavelUtilTest
 * (floats, ints, mixed promotions, empty, dtype-polymorphic and monomorphic unravel), the leaf order
 * of records, gradients through unravel, jit, and the length and dtype errors.
 */
import { flattenUtil, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, runSync } from "diffect"
import { failure, js } from "./npSetup.js"

const roundTrip = (tree: ReadonlyArray<Tensor>, dtype: string) => {
  const [flat, unravel] = flattenUtil.ravelPytree(tree)
  assert.strictEqual(flat.dtype, dtype)
  const back = unravel(flat) as ReadonlyArray<Tensor>
  back.forEach((t, i) => {
    assert.strictEqual(t.dtype, tree[i]!.dtype)
    assert.deepStrictEqual(t.shape, tree[i]!.shape)
    assert.deepStrictEqual(js(t), js(tree[i]!))
  })
  return flat
}

describe("flattenUtil.ravelPytree", () => {
  it("JAX's RavelUtilTest: floats, ints, and mixed trees promote, then unravel to each leaf's dtype", () => {
    const flat = roundTrip(
      [np.array([3], { dtype: "float32" }), np.array([[1, 2], [3, 4]], { dtype: "float32" })],
      "float32"
    )
    assert.deepStrictEqual(js(flat), [3, 1, 2, 3, 4])
    roundTrip([np.array([3], { dtype: "int32" }), np.array([[1, 2], [3, 4]], { dtype: "int32" })], "int32")
    roundTrip([np.array([3], { dtype: "int32" }), np.array([[1, 2], [3, 4]], { dtype: "float32" })], "float32")
    roundTrip([np.array([false]), np.array([[1, 2], [3, 4]], { dtype: "int32" })], "int32")
    roundTrip(
      [np.array([1], { dtype: "float32" }), np.complex(np.array([[1, 2], [3, 4]]), np.array([[0, 3], [0, 0]]))],
      "complex64"
    )
  })

  it("an empty tree is an empty float32 vector; records ravel in sorted key order", () => {
    const [flat, unravel] = flattenUtil.ravelPytree([])
    assert.strictEqual(flat.dtype, "float32")
    assert.deepStrictEqual(flat.shape, [0])
    assert.deepStrictEqual(unravel(flat), [])
    const [v] = flattenUtil.ravelPytree({ z: np.array([1, 2]), a: { y: np.array(3), b: np.array([[4]]) } })
    assert.deepStrictEqual(js(v), [4, 3, 1, 2])
  })

  it("one dtype: unravel takes any dtype (JAX's issue 7809); several: only the promoted one", () => {
    const [xFlat, unravel] = flattenUtil.ravelPytree(np.arange(10, { dtype: "float32" }))
    const mask = np.less(xFlat, 5.3)
    assert.strictEqual((unravel(mask) as Tensor).dtype, "bool")
    const [both, unravel2] = flattenUtil.ravelPytree([
      np.arange(10, { dtype: "float32" }),
      np.arange(10, { dtype: "int32" })
    ])
    assert.include(failure(() => unravel2(np.less(both, 5.3)), "DTypeError"), "but expected dtype float32")
    assert.include(failure(() => unravel2(np.zeros([19])), "ShapeError"), "expected an array of shape [20], got [19]")
  })

  it("gradients flow through unravel, and ravelPytree runs under jit", () => {
    const params = { w: np.array([[1, 2], [3, 4]]), b: np.array([5, 6]) }
    const [flat, unravel] = flattenUtil.ravelPytree(params)
    // f(v) = sum(w^2) + 3 sum(b) over the unraveled tree: gradient [3, 3, 2w]
    const f = (v: Tensor) => {
      const t = unravel(v)
      return np.add(np.sum(np.square(t.w)), np.multiply(3, np.sum(t.b)))
    }
    assert.deepStrictEqual(js(runSync(grad(f)(flat)) as Tensor), [3, 3, 2, 4, 6, 8])
    const jitted = runSync(jit((t: typeof params) => flattenUtil.ravelPytree(t)[0])(params)) as Tensor
    assert.deepStrictEqual(js(jitted), [5, 6, 1, 2, 3, 4])
  })
})
