import { ConcreteTensor, lax, np, toJs, toJsSync } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { expect, failure, js } from "./npSetup.js"

describe("np.array", () => {
  it("a bare number gives a weak float32 scalar (jnp.array(3.0) is weakly typed); arrays and explicit dtypes are strong", () => {
    const x = np.array(3)
    assert.deepStrictEqual([x.shape, x.dtype, x.weakType], [[], "float32", true])
    assert.strictEqual(np.array(3, { dtype: "float32" }).weakType, false)
    assert.strictEqual(np.array({ re: 1, im: 2 }).weakType, true)
    // A weak scalar yields to a strong operand's dtype, as a JS number does.
    assert.strictEqual(np.add(np.array(1, { dtype: "float64" }), np.array(2)).dtype, "float64")
    expect.tensor(np.array([[1, 2, 3], [4, 5, 6]]), "float32", [[1, 2, 3], [4, 5, 6]], { weak: false })
    expect.tensor(np.array([true, false]), "bool", [true, false])
    assert.deepStrictEqual(np.array([[[1], [2]]]).shape, [1, 2, 1])
    assert.deepStrictEqual(np.array([]).shape, [0])
  })
  it("an explicit dtype converts like NumPy (int32 truncates toward zero, bool is x != 0)", () => {
    expect.tensor(np.array([1.7, -1.7, 3], { dtype: "int32" }), "int32", [1, -1, 3])
    expect.tensor(np.array([0, 2, -0.5], { dtype: "bool" }), "bool", [false, true, true])
    expect.tensor(np.array([1, 2], { dtype: "float64" }), "float64", [1, 2])
    expect.tensor(np.array([1, 2], { dtype: "complex128" }), "complex128", [{ re: 1, im: 0 }, { re: 2, im: 0 }])
    // float32 storage rounds: 0.1 is not exactly representable
    assert.strictEqual(toJsSync(np.array(0.1)), Math.fround(0.1))
    assert.strictEqual(toJsSync(np.array(0.1, { dtype: "float64" })), 0.1)
  })
  it("typed arrays keep their element type; Uint8Array reads as int32", () => {
    expect.tensor(np.array(new Float32Array([1.5, 2])), "float32", [1.5, 2])
    expect.tensor(np.array(new Float64Array([0.1])), "float64", [0.1])
    expect.tensor(np.array(new Int32Array([7, -8])), "int32", [7, -8])
    expect.tensor(np.array(new Uint8Array([0, 255])), "int32", [0, 255])
  })
  it("typed arrays are copied: later writes do not change the tensor", () => {
    const data = new Float32Array([1, 2])
    const x = np.array(data)
    data[0] = 99
    assert.deepStrictEqual(js(x), [1, 2])
  })
  it("complex values { re, im } give complex64; np.complex of numbers is a complex scalar", () => {
    expect.tensor(np.array([{ re: 1, im: 2 }, { re: -3, im: 0.5 }]), "complex64", [{ re: 1, im: 2 }, {
      re: -3,
      im: 0.5
    }])
    // mixing real numbers into a complex array: imaginary part 0
    expect.tensor(np.array([1, { re: 0, im: 1 }]), "complex64", [{ re: 1, im: 0 }, { re: 0, im: 1 }])
    const z = np.complex(1, -2)
    expect.tensor(z, "complex64", { re: 1, im: -2 })
    expect.tensor(np.array([{ re: 1, im: 2 }], { dtype: "complex128" }), "complex128", [{ re: 1, im: 2 }])
  })
  it("complex values into a real dtype are refused, not truncated", () => {
    assert.include(failure(() => np.array([{ re: 1, im: 2 }], { dtype: "float32" }), "InvalidArrayError"), "imaginary")
  })
  it("NaN and infinities are accepted and kept", () => {
    const v = js(np.array([NaN, Infinity, -Infinity])) as Array<number>
    assert.isTrue(Number.isNaN(v[0]))
    assert.deepStrictEqual(v.slice(1), [Infinity, -Infinity])
  })
  it("ragged nesting is an InvalidArrayError naming the path", () => {
    const m = failure(() => np.array([[1, 2], [3]]), "InvalidArrayError")
    assert.include(m, "[1]")
    assert.include(m, "length 1")
    assert.include(failure(() => np.array([[1, 2], 3]), "InvalidArrayError"), "[1]")
    assert.include(failure(() => np.array([1, [2]]), "InvalidArrayError"), "[1]")
  })
  it("non-numeric entries are InvalidArrayErrors naming the path", () => {
    assert.include(failure(() => np.array([[1, "a" as unknown as number]]), "InvalidArrayError"), "[0][1]")
    assert.include(failure(() => np.array([null as unknown as number]), "InvalidArrayError"), "null")
  })
  it("unknown dtype names are InvalidArrayErrors", () => {
    const m = failure(() => np.array([1], { dtype: "float16" as never }), "InvalidArrayError")
    assert.include(m, "float16")
    assert.isString(failure(() => np.zeros([2], { dtype: "int64" as never }), "InvalidArrayError"))
    assert.isString(failure(() => np.astype(np.array([1]), "uint8" as never), "InvalidArrayError"))
  })
  it("made outside any computation, arrays are host tensors", () => {
    const x = np.array([1, 2])
    assert.instanceOf(x, ConcreteTensor)
    assert.isDefined((x as ConcreteTensor).host)
    assert.isUndefined((x as ConcreteTensor).buffer)
  })
  it("nested tensors are stacked (jnp.array([x, y]))", () => {
    const x = np.array([1, 2])
    expect.tensor(np.array([x, np.array([3, 4])]), "float32", [[1, 2], [3, 4]])
    expect.tensor(np.array([np.array(1, { dtype: "int32" }), 2.5]), "float32", [1, 2.5])
  })
  it("np.array of a tensor with a dtype converts it", () => {
    expect.tensor(np.array(np.array([1.5]), { dtype: "int32" }), "int32", [1])
  })
})

describe("toJs", () => {
  it.effect("reads a pytree of tensors, keeping other leaves", () =>
    Effect.gen(function*() {
      const tree = { w: np.array([[1, 2]]).mul(2), b: [np.array(true), 3, null] as const, s: "x" }
      const v = yield* toJs(tree)
      assert.deepStrictEqual(v, { w: [[2, 4]], b: [true, 3, null], s: "x" })
    }))
  it.effect("a single tensor reads to a nested array or a scalar", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* toJs(np.array([{ re: 1, im: 2 }])), [{ re: 1, im: 2 }])
      assert.strictEqual(yield* toJs(np.array(2, { dtype: "int32" }).add(np.array(3, { dtype: "int32" }))), 5)
    }))
  it("toJsSync reads host and CPU data", () => {
    assert.deepStrictEqual(toJsSync([np.array([1, 2]), np.array([1, 2]).add(1)]), [[1, 2], [2, 3]])
  })
  it("float0 tensors read as zeros of their shape", () => {
    const z = lax.full([2, 1], 0, "float0")
    assert.deepStrictEqual(toJsSync(z), [[0], [0]])
  })
})
