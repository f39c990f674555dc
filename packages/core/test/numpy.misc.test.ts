/**
 * np's dtype introspection, block/fromfunction/put/place/maskIndices/
 * applyOverAxes/iterable, bit packing, roots and einsumPath: hand-derived
 * values and NumPy's documented results.
 */
import { thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { ConcretizationError, DTypeError, np, ShapeError, toJsSync } from "diffect"
import type { Tensor } from "diffect"

const js = (t: Tensor | ReadonlyArray<Tensor>) => toJsSync(t as Tensor)
const i32 = (v: np.TensorLike) => np.array(v, { dtype: "int32" })

describe("dtype introspection", () => {
  it("finfo and iinfo: IEEE and two's complement limits", () => {
    const f = np.finfo("float32")
    assert.strictEqual(f.eps, Math.fround(1.1920929e-7))
    assert.strictEqual(f.max, Math.fround(3.4028235e38))
    assert.strictEqual(f.tiny, 1.1754943508222875e-38)
    assert.strictEqual(f.smallestSubnormal, 1.401298464324817e-45)
    assert.strictEqual(np.finfo("complex128").eps, Number.EPSILON)
    assert.strictEqual(np.finfo(np.zeros([2], { dtype: "float64" })).max, Number.MAX_VALUE)
    assert.deepStrictEqual([np.iinfo("int32").min, np.iinfo("uint32").max], [-(2 ** 31), 2 ** 32 - 1])
    assert.throws(() => np.finfo("int32"), DTypeError)
    assert.throws(() => np.iinfo("float32"), DTypeError)
  })

  it("canCast: NumPy's safe and same_kind tables", () => {
    const safe: Array<[string, string, boolean]> = [
      ["bool", "int32", true],
      ["int32", "float32", false],
      ["int32", "float64", true],
      ["uint32", "int32", false],
      ["float32", "complex64", true],
      ["float64", "complex64", false],
      ["complex64", "float32", false]
    ]
    for (const [a, b, want] of safe) assert.strictEqual(np.canCast(a as never, b as never), want, `${a} -> ${b}`)
    assert.isTrue(np.canCast("float64", "float32", "same_kind"))
    assert.isFalse(np.canCast("float32", "int32", "same_kind"))
    assert.isFalse(np.canCast("complex64", "float64", "same_kind"))
    assert.isTrue(np.canCast("complex64", "int32", "unsafe"))
    assert.isFalse(np.canCast("float32", "float64", "no"))
  })

  it("isdtype (Array API kinds) and issubdtype (NumPy's hierarchy)", () => {
    assert.isTrue(np.isdtype("int32", "signed integer"))
    assert.isFalse(np.isdtype("uint32", "signed integer"))
    assert.isTrue(np.isdtype("complex64", ["real floating", "complex floating"]))
    assert.isFalse(np.isdtype("bool", "numeric"))
    assert.isTrue(np.isdtype(np.zeros([1]), "float32"))
    assert.isTrue(np.issubdtype("float64", "inexact"))
    assert.isTrue(np.issubdtype("complex128", "number"))
    assert.isFalse(np.issubdtype("bool", "integer"))
    assert.isTrue(np.issubdtype("uint32", "unsignedinteger"))
    assert.isFalse(np.issubdtype("float32", "float64"))
  })
})

describe("construction and functional updates", () => {
  it("fromfunction gives the index grids; block assembles nested blocks", () => {
    assert.deepStrictEqual(js(np.fromfunction((i, j) => np.equal(i, j), [2, 2])), [[true, false], [false, true]])
    assert.deepStrictEqual(js(np.fromfunction((i) => i, [3], { dtype: "int32" })), [0, 1, 2])
    // NumPy's documented example: a 2x2 identity beside a 2x3 zero block, above a 3x2 zero block and 3x3 diag
    const A = np.eye(2, { m: 2 })
    const B = np.multiply(np.eye(3), 2)
    const out = np.block([[A, np.zeros([2, 3])], [np.ones([3, 2]), B]])
    assert.deepStrictEqual(js(out), [
      [1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [1, 1, 2, 0, 0],
      [1, 1, 0, 2, 0],
      [1, 1, 0, 0, 2]
    ])
    assert.deepStrictEqual(js(np.block([np.array([1, 2]), 3])), [1, 2, 3])
    assert.deepStrictEqual(js(np.block([[1, 2], [3, 4]])), [[1, 2], [3, 4]])
    assert.throws(() => np.block([[1, 2], 3]), ShapeError)
  })

  it("put, place, putAlongAxis, fillDiagonal take JAX's required inplace=False; inplace: true is a typed error", () => {
    // JAX: jnp.put(x, ind, v, inplace=False) (its default inplace=True raises: arrays are immutable)
    assert.deepStrictEqual(js(np.put(np.zeros([4], { dtype: "int32" }), i32([1]), 5, { inplace: false })), [0, 5, 0, 0])
    const mask = np.array([true, false, true])
    assert.deepStrictEqual(js(np.place(np.zeros([3], { dtype: "int32" }), mask, i32([7]), { inplace: false })), [
      7,
      0,
      7
    ])
    assert.deepStrictEqual(
      js(np.putAlongAxis(np.zeros([2, 2], { dtype: "int32" }), i32([[1], [0]]), 9, 1, { inplace: false })),
      [[0, 9], [9, 0]]
    )
    assert.deepStrictEqual(js(np.fillDiagonal(np.zeros([2, 2], { dtype: "int32" }), 3, { inplace: false })), [
      [3, 0],
      [0, 3]
    ])
    const yes = { inplace: true } as unknown as { inplace: false }
    for (
      const f of [
        () => np.put(np.zeros([4]), i32([1]), 5, yes),
        () => np.place(np.zeros([3]), mask, i32([7]), yes),
        () => np.putAlongAxis(np.zeros([2, 2]), i32([[1], [0]]), 9, 1, yes),
        () => np.fillDiagonal(np.zeros([2, 2]), 3, yes)
      ]
    ) assert.include(thrownTag(f, "ArgumentError"), "inplace must be false")
  })

  it("put: flat positions, values repeated, the default/clip/wrap modes and negative indices", () => {
    const a = np.arange(5, { dtype: "int32" })
    assert.deepStrictEqual(js(np.put(a, i32([0, 2]), i32([-44, -55]))), [-44, 1, -55, 3, 4])
    assert.deepStrictEqual(js(np.put(np.zeros([2, 3]), i32([1, 5]), 7)), [[0, 7, 0], [0, 0, 7]])
    // JAX's mode=None sends the indices through unravel_index: -1 counts from the end, 9 clamps to 4,
    // -7 (below -size) clamps to 0; nothing is dropped
    assert.deepStrictEqual(js(np.put(a, i32([-1]), i32([8]))), [0, 1, 2, 3, 8])
    assert.deepStrictEqual(js(np.put(a, i32([9]), i32([8]))), [0, 1, 2, 3, 8])
    const put = np.put(np.array([1, 2, 3, 4, 5], { dtype: "float32" }), i32([10, -7]), np.array([7, 9]))
    assert.strictEqual(put.dtype, "float32")
    assert.deepStrictEqual(js(put), [9, 2, 3, 4, 7])
    // the same through the flattened shape (unravel_index clamps the flat index)
    assert.deepStrictEqual(js(np.put(np.zeros([2, 3], { dtype: "int32" }), i32([7, -2, -9]), i32([1, 2, 3]))), [
      [3, 0, 0],
      [0, 2, 1]
    ])
    // "clip" clamps negatives to 0 (no counting from the end)
    assert.deepStrictEqual(js(np.put(a, i32([-1]), i32([8]), { mode: "clip" })), [8, 1, 2, 3, 4])
    assert.deepStrictEqual(js(np.put(a, i32([9]), i32([8]), { mode: "clip" })), [0, 1, 2, 3, 8])
    assert.deepStrictEqual(js(np.put(a, i32([6]), i32([8]), { mode: "wrap" })), [0, 8, 2, 3, 4])
  })

  it("place: masked positions take the values in order, cyclically", () => {
    const a = np.reshape(np.arange(6, { dtype: "int32" }), [2, 3])
    assert.deepStrictEqual(js(np.place(a, np.greater(a, 2), i32([44, 55]))), [[0, 1, 2], [44, 55, 44]])
    assert.deepStrictEqual(js(np.place(a, np.zeros([2, 3], { dtype: "bool" }), i32([1]))), [[0, 1, 2], [3, 4, 5]])
  })

  it("maskIndices, applyOverAxes, iterable", () => {
    assert.deepStrictEqual(js(np.maskIndices(3, (m, k) => np.tril(m, { k }), -1)), [[1, 2, 2], [0, 0, 1]])
    // NumPy's example: sum over axes 0 and 2 of arange(24).reshape(2, 3, 4), kept as [1, 3, 1]
    const a = np.reshape(np.arange(24), [2, 3, 4])
    assert.deepStrictEqual(js(np.applyOverAxes((x, axis) => np.sum(x, { axis }), a, [0, 2])), [[[60], [92], [124]]])
    assert.isTrue(np.iterable([]))
    assert.isFalse(np.iterable(3))
    assert.isFalse(np.iterable(np.array(1)))
  })
})

describe("bits, roots, einsumPath", () => {
  it("packbits / unpackbits: NumPy's examples, little bit order, axis, count", () => {
    const a = i32([[[1, 0, 1], [0, 1, 0]], [[1, 1, 0], [0, 0, 1]]])
    assert.deepStrictEqual(js(np.packbits(a, { axis: -1 })), [[[160], [64]], [[192], [32]]])
    assert.deepStrictEqual(js(np.packbits(np.array([true, true]), { bitorder: "little" })), [3])
    const bytes = np.array([[2], [7], [23]], { dtype: "uint32" })
    assert.deepStrictEqual(js(np.unpackbits(bytes, { axis: 1 })), [
      [0, 0, 0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 1, 1, 1],
      [0, 0, 0, 1, 0, 1, 1, 1]
    ])
    assert.deepStrictEqual(js(np.unpackbits(bytes, { axis: 1, count: -3 })), [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [
      0,
      0,
      0,
      1,
      0
    ]])
    assert.deepStrictEqual(js(np.unpackbits(np.array([3], { dtype: "uint32" }), { bitorder: "little", count: 10 })), [
      1,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0
    ])
    const x = i32([1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1])
    assert.deepStrictEqual(js(np.unpackbits(np.packbits(x), { count: 11 })), js(x))
    assert.throws(() => np.packbits(np.array([0.5])), DTypeError)
  })

  it("roots: (x-1)(x-2)(x+3), complex pairs, leading and trailing zeros", () => {
    const sortedRe = (t: Tensor) => (js(np.real(t)) as Array<number>).slice().sort((p, q) => p - q)
    const r = np.roots(np.array([1, 0, -7, 6], { dtype: "float64" }))
    sortedRe(r).forEach((v, i) => assert.closeTo(v, [-3, 1, 2][i]!, 1e-12))
    // x^2 + 1: +-i
    const c = js(np.roots(np.array([1, 0, 1], { dtype: "float64" }))) as Array<{ re: number; im: number }>
    assert.deepStrictEqual(c.map((z) => Math.round(z.im)).sort(), [-1, 1])
    // 0 x^3 + x^2 - x + 0 = x (x - 1): leading zero stripped, trailing zero is a root at 0
    const z = np.roots(np.array([0, 1, -1, 0], { dtype: "float64" }))
    assert.deepStrictEqual(z.shape, [2])
    sortedRe(z).forEach((v, i) => assert.closeTo(v, [0, 1][i]!, 1e-12))
  })

  it("einsumPath: the matrix chain's cheaper order (opt_einsum's example) and its cost", () => {
    const [path, cost] = np.einsumPath("ij,jk,kl->il", np.ones([10, 100]), np.ones([100, 5]), np.ones([5, 50]))
    assert.deepStrictEqual(path, [[0, 1], [0, 1]])
    assert.strictEqual(cost, 10 * 100 * 5 + 10 * 5 * 50)
    const [other] = np.einsumPath("ij,jk,kl->il", np.ones([100, 5]), np.ones([5, 100]), np.ones([100, 2]))
    // (jk, kl) first: 5*100*2 + 100*5*2 = 2000 against 100*5*100 + 100*100*2 = 70000
    assert.deepStrictEqual(other, [[1, 2], [0, 1]])
  })
})

describe("errors", () => {
  it("roots needs concrete coefficients under a transformation (tested via a non-1-d input here)", () => {
    assert.throws(() => np.roots(np.ones([2, 2])), ShapeError)
    assert.ok(ConcretizationError)
  })
})
