/**
 * Flax's pooling names over `lax.reduceWindow`: hand-derived values (layouts
 * with and without a batch dimension, strides, SAME padding, countIncludePad)
 * and max pooling's gradient.
 */
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, lax, nn, np, runSync, toJsSync } from "diffect"

const flat = (t: Tensor) => (toJsSync(np.ravel(t)) as Array<number>)

describe("nn.pooling (Flax's pooling)", () => {
  it("maxPool / minPool / avgPool on (batch, height, width, features)", () => {
    // two feature channels: x and -x
    const base = np.arange(16).reshape([1, 4, 4, 1]).astype("float32")
    const x = np.concatenate([base, np.negative(base)], { axis: -1 })
    assert.deepStrictEqual(flat(nn.pooling.maxPool(x, [2, 2], { strides: [2, 2] })), [5, -0, 7, -2, 13, -8, 15, -10])
    assert.deepStrictEqual(flat(nn.pooling.minPool(x, [2, 2], { strides: [2, 2] })), [0, -5, 2, -7, 8, -13, 10, -15])
    // window means of 2x2 blocks: (0+1+4+5)/4 = 2.5, ...
    assert.deepStrictEqual(flat(nn.pooling.avgPool(base, [2, 2], { strides: [2, 2] })), [2.5, 4.5, 10.5, 12.5])
    assert.deepStrictEqual(nn.pooling.maxPool(x, [3, 3]).shape, [1, 2, 2, 2])
  })

  it("SAME padding, countIncludePad, no batch dimension, several batch dimensions", () => {
    const x = np.array([[1], [2], [3]], { dtype: "float32" })
    assert.deepStrictEqual(flat(nn.pooling.avgPool(x, [2], { padding: "SAME" })), [1.5, 2.5, 1.5])
    assert.deepStrictEqual(
      flat(nn.pooling.avgPool(x, [2], { padding: "SAME", countIncludePad: false })),
      [1.5, 2.5, 3]
    )
    const b = np.ones([2, 3, 4, 1])
    assert.deepStrictEqual(nn.pooling.maxPool(b, [2], { padding: [[1, 0]] }).shape, [2, 3, 4, 1])
    assert.deepStrictEqual(toJsSync(nn.pooling.pool(x, 1, lax.mul, [2])), [[2], [6]])
  })

  it("max pooling's gradient goes to each window's first maximum", () => {
    const x = np.array([[[1], [3], [3], [2], [0], [5]]], { dtype: "float32" })
    const w = np.array([[[1], [10], [100], [1000]]], { dtype: "float32" })
    const g = runSync(grad((t: Tensor) => np.sum(np.multiply(nn.pooling.maxPool(t, [3]), w)))(x)) as Tensor
    assert.deepStrictEqual(flat(g), [0, 11, 100, 0, 0, 1000])
  })

  it("bad input: typed errors", () => {
    assert.throws(() => nn.pooling.maxPool(np.ones([4]), [2]), /spatial dimensions and a feature dimension/)
    assert.throws(() => nn.pooling.maxPool(np.ones([1, 4, 1]), [2], { stride: [1] } as never), /unknown key/)
  })

  it("nested and deep arrays as windows, strides or padding: the first bad element described, no stack overflow", () => {
    type Any = never
    const x = np.ones([2, 4, 1])
    let deep: unknown = 1
    for (let i = 0; i < 50000; i++) deep = [deep]
    // a RangeError (Maximum call stack size exceeded) from String(windowShape) before
    for (const f of [nn.pooling.avgPool, nn.pooling.maxPool, nn.pooling.minPool]) {
      assert.throws(() => f(x, deep as Any), /windowShape must be an array of positive integers, got an array whose/)
      assert.throws(() => f(x, [2], { strides: deep as Any }), /strides must be .*got an array whose element 0 is/)
      assert.throws(() => f(x, [2], { padding: [deep] as Any }), /padding must be .*got an array whose element 0 is/)
    }
    // "got 2,1" before: String hid the nesting
    assert.throws(
      () => nn.pooling.maxPool(np.ones([1, 4, 4, 1]), [2, [[[1]]]] as Any),
      /pool: windowShape must be an array of positive integers, got an array whose element 1 is an array of length 1/
    )
    // nested strides reached lax.reduceWindow, whose message named its own, longer arrays
    assert.throws(() => nn.pooling.maxPool(x, [2], { strides: [[1]] as Any }), /pool: strides must be an array of 1/)
    assert.throws(() => nn.pooling.maxPool(x, [2], { strides: [1, 1] }), /pool: strides .*got an array of length 2/)
    // a padding that is neither a string nor an array was a TypeError (not iterable)
    assert.throws(() => nn.pooling.maxPool(x, [2], { padding: 5 as Any }), /pool: padding .*got the number 5/)
    assert.throws(
      () => nn.pooling.maxPool(x, [2], { padding: [[1, "a"]] as Any }),
      /got an array whose element 0 is \[the number 1, the string "a"\]/
    )
    assert.throws(() => nn.pooling.maxPool(x, [2], deep as Any), /max_pool: options must be an options object/)
    assert.throws(() => nn.pooling.pool(x, 0, lax.add, [2], { stride: [1] } as Any), /pool: .*unknown key "stride"/)
    assert.throws(
      () => nn.pooling.avgPool(x, [2], { countIncludePad: "no" } as Any),
      /countIncludePad must be a boolean/
    )
  })

  it("a jitted reduceFn is accepted by pool (its type too: a function returning an Effect)", () => {
    const x = np.array([[1], [2], [3], [5]])
    const jitted = jit((a: Tensor, b: Tensor) => lax.max(a, b))
    assert.deepStrictEqual(toJsSync(np.ravel(nn.pooling.pool(x, -Infinity, jitted, [2]))), [2, 3, 5])
  })
})
