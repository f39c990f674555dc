import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"

describe("Close", () => {
  it("a number is close within atol + rtol * max(|expected|, minScale)", () => {
    assert.isTrue(Close.isClose(1.0000009, 1, 1e-6)) // 1e-6 * (1 + 1)
    assert.isTrue(Close.isClose(1.0000019, 1, 1e-6))
    assert.isFalse(Close.isClose(1.0000021, 1, 1e-6))
    assert.isTrue(Close.isClose(100.00009, 100, { rtol: 1e-6, atol: 0 }))
    assert.isFalse(Close.isClose(100.00011, 100, { rtol: 1e-6, atol: 0 }))
    // minScale 1: relative above one, absolute below
    assert.isTrue(Close.isClose(1e-7, 0, { rtol: 1e-6, atol: 0, minScale: 1 }))
    assert.isFalse(Close.isClose(2e-6, 0, { rtol: 1e-6, atol: 0, minScale: 1 }))
    assert.isTrue(Close.isClose(1000.0009, 1000, { rtol: 1e-6, atol: 0, minScale: 1 }))
    assert.isFalse(Close.isClose(1000.0011, 1000, { rtol: 1e-6, atol: 0, minScale: 1 }))
  })

  it("NaN is close only to NaN, an infinity only to itself", () => {
    assert.isTrue(Close.isClose(NaN, NaN, 1e-6))
    assert.isFalse(Close.isClose(0, NaN, 1e-6))
    assert.isFalse(Close.isClose(NaN, 0, 1e-6))
    assert.isFalse(Close.isClose(NaN, NaN, { rtol: 1, atol: 1, equalNan: false }))
    assert.isTrue(Close.isClose(Infinity, Infinity, 1e-6))
    assert.isFalse(Close.isClose(-Infinity, Infinity, 1e-6))
    assert.isFalse(Close.isClose(1e300, Infinity, 1))
    assert.strictEqual(Close.gap(1.5, 1, { rtol: 0, atol: 1 }), 0.5)
  })

  it("nested values: arrays, typed arrays, records, complex numbers, and the path of a difference", () => {
    assert.isUndefined(Close.mismatch([1, [2, 3]], [1, [2, 3.000001]], 1e-6))
    assert.isUndefined(Close.mismatch(new Float32Array([1, 2]), [1, 2], 0))
    assert.isUndefined(Close.mismatch({ b: [true], a: { re: 1, im: -2 } }, { a: { re: 1, im: -2 }, b: [true] }, 0))
    assert.strictEqual(
      Close.mismatch({ w: [[1, 2]] }, { w: [[1, 2.5]] }, 1e-6),
      "value.w[0][1]: expected 2.5, got 2 (rtol 0.000001, atol 0.000001)"
    )
    assert.strictEqual(Close.mismatch([1, 2], [1, 2, 3], 0), "value: expected [1,2,3], got [1,2]")
    assert.strictEqual(Close.mismatch({ a: 1 }, { a: 1, b: 2 }, 0), "value: expected the keys a, b, got a")
    assert.strictEqual(Close.mismatch("x", 1, 0), "value: expected the number 1, got \"x\"")
    assert.strictEqual(Close.mismatch(false, true, 0), "value: expected true, got false")
    assert.throws(() => Close.assertClose([1], [2], 0.1, "grads"), "grads: value[0]: expected 2, got 1")
  })
})
