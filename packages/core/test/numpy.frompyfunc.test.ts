/**
 * np.frompyfunc (JAX's jnp.frompyfunc and its jnp.ufunc methods,
 * jax/_src/numpy/ufunc_api.py): calling, reduce (axis, null axis, keepdims,
 * initial, where, empty axes), accumulate, outer, at (repeated, negative and
 * out-of-range indices, unary and binary, several axes) and reduceat (NumPy's
 * documented example), against hand-computed values; gradients and jit through
 * the loops; typed errors.
 */
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, DTypeError, grad, jit, np, runSync, ShapeError, type Tensor, toJsSync } from "diffect"

const add = np.frompyfunc((x: Tensor, y: Tensor) => np.add(x, y), 2, 1, { identity: 0 })
const mul = np.frompyfunc((x: Tensor, y: Tensor) => np.multiply(x, y), 2, 1, { identity: 1 })
// not associative: reduce and accumulate must fold left to right
const affine = np.frompyfunc((x: Tensor, y: Tensor) => np.add(np.multiply(x, y), 1), 2, 1)
const i32 = (v: Parameters<typeof np.array>[0]) => np.array(v, { dtype: "int32" })
const js = (t: unknown) => toJsSync(t as Tensor)

describe("np.frompyfunc", () => {
  it("is callable, element-wise with broadcasting, for one or several outputs", () => {
    assert.deepStrictEqual(js(add(i32([1, 2, 3]), i32([[10], [20]]))), [[11, 12, 13], [21, 22, 23]])
    assert.deepStrictEqual(js(add.call(i32([1]), 4)), [5])
    const divmod = np.frompyfunc((x: Tensor, y: Tensor) => [np.floorDivide(x, y), np.remainder(x, y)], 2, 2)
    const [q, r] = divmod(i32([7, -7]), i32([2, 2])) as ReadonlyArray<Tensor>
    assert.deepStrictEqual([js(q), js(r)], [[3, -4], [1, 1]])
    assert.deepStrictEqual([add.nin, add.nout, add.nargs, add.identity, affine.identity], [2, 1, 2, 0, undefined])
  })

  it("reduce folds left to right (JAX's examples: add.reduce is sum along axis 0)", () => {
    const x = i32([[1, 2, 3], [4, 5, 6]])
    assert.deepStrictEqual(js(add.reduce(x)), [5, 7, 9])
    assert.deepStrictEqual(js(add.reduce(x, { axis: 1 })), [6, 15])
    assert.deepStrictEqual(js(add.reduce(x, { axis: -1, keepdims: true })), [[6], [15]])
    assert.deepStrictEqual(js(add.reduce(x, { axis: null })), 21)
    assert.deepStrictEqual(add.reduce(x, { axis: null, keepdims: true }).shape, [1, 1])
    assert.deepStrictEqual(js(add.reduce(x, { initial: 10 })), [15, 17, 19])
    assert.deepStrictEqual(js(mul.reduce(x, { axis: 1 })), [6, 120])
    // affine: ((1 * 2 + 1) * 3 + 1) = 10 and ((4 * 5 + 1) * 6 + 1) = 127
    assert.deepStrictEqual(js(affine.reduce(x, { axis: 1 })), [10, 127])
    // where skips masked elements (the identity starts the fold)
    const where = np.array([[true, false, true], [false, true, true]])
    assert.deepStrictEqual(js(add.reduce(x, { axis: 1, where })), [4, 11])
    // an empty axis gives the identity, or fails without one
    assert.deepStrictEqual(js(add.reduce(np.zeros([0, 2]))), [0, 0])
    assert.instanceOf(thrown(() => affine.reduce(np.zeros([0, 2]))), ShapeError)
    assert.instanceOf(thrown(() => affine.reduce(x, { where })), ArgumentError)
    assert.instanceOf(thrown(() => add.reduce(x, { where: i32([1, 0, 1]) })), DTypeError)
  })

  it("accumulate is the running fold (cumsum, cumprod, and a non-associative one)", () => {
    const x = i32([[1, 2, 3], [4, 5, 6]])
    assert.deepStrictEqual(js(add.accumulate(x, { axis: 1 })), [[1, 3, 6], [4, 9, 15]])
    assert.deepStrictEqual(js(mul.accumulate(x, { axis: 1 })), [[1, 2, 6], [4, 20, 120]])
    assert.deepStrictEqual(js(add.accumulate(x)), [[1, 2, 3], [5, 7, 9]])
    assert.deepStrictEqual(js(affine.accumulate(i32([1, 2, 3]))), [1, 3, 10])
    assert.deepStrictEqual(add.accumulate(np.zeros([0, 3])).shape, [0, 3])
  })

  it("outer applies the function to every pair: shape A.shape + B.shape", () => {
    assert.deepStrictEqual(js(mul.outer(i32([1, 2, 3]), i32([1, 10]))), [[1, 10], [2, 20], [3, 30]])
    assert.deepStrictEqual(mul.outer(np.ones([1, 3, 5]), np.ones([2, 4])).shape, [1, 3, 5, 2, 4])
    assert.deepStrictEqual(js(affine.outer(i32([[1, 2]]), i32(3))), [[4, 7]])
  })

  it("at updates once per occurrence; negative indices wrap, out-of-range ones are skipped", () => {
    const x = i32([1, 2, 3, 4, 5])
    assert.deepStrictEqual(js(add.at(x, 0, 100)), [101, 2, 3, 4, 5])
    assert.deepStrictEqual(js(add.at(x, i32([0, 0, -1]), i32([10, 20, 30]))), [31, 2, 3, 4, 35])
    assert.deepStrictEqual(js(add.at(x, i32([1, 7]), 100)), [1, 102, 3, 4, 5])
    // affine twice at index 2: (3 * 2 + 1) * 2 + 1 = 15 (sequential, not one combined update)
    assert.deepStrictEqual(js(affine.at(x, i32([2, 2]), 2)), [1, 2, 15, 4, 5])
    const neg = np.frompyfunc((v: Tensor) => np.negative(v), 1, 1)
    assert.deepStrictEqual(js(neg.at(x, i32([0, 2, 2, 4]))), [-1, 2, 3, 4, -5])
    // one index per leading axis, and rows updated whole
    const m = i32([[1, 2], [3, 4]])
    assert.deepStrictEqual(js(add.at(m, [i32([0, 1]), i32([1, 0])], i32([10, 20]))), [[1, 12], [23, 4]])
    assert.deepStrictEqual(js(add.at(m, 1, i32([5, 6]))), [[1, 2], [8, 10]])
    assert.instanceOf(thrown(() => add.at(x, 0, 1, { inplace: true })), ArgumentError)
    assert.instanceOf(thrown(() => add.at(x, 0)), ArgumentError)
    assert.instanceOf(thrown(() => add.at(x, np.array([0.5]), 1)), DTypeError)
  })

  it("reduceat folds segments (NumPy's example: add.reduceat(arange(8), [0,4, 1,5, 2,6, 3,7]))", () => {
    assert.deepStrictEqual(js(add.reduceat(np.arange(8), i32([0, 4, 1, 5, 2, 6, 3, 7]))), [6, 4, 10, 5, 14, 6, 18, 7])
    assert.deepStrictEqual(js(add.reduceat(np.arange(5), i32([0, 2]))), [1, 9])
    const m = i32([[1, 2, 3], [4, 5, 6]])
    assert.deepStrictEqual(js(mul.reduceat(m, i32([0, 1]), { axis: 1 })), [[1, 6], [4, 30]])
    assert.instanceOf(thrown(() => add.reduceat(m, i32([[0]]))), ShapeError)
  })

  it("differentiates through reduce, accumulate and at, and runs under jit", () => {
    const x = np.array([1.5, 2, -0.5], { dtype: "float64" })
    // d prod / d x_i = prod / x_i
    assert.deepStrictEqual(js(runSync(grad((v: Tensor) => mul.reduce(v))(x))), [-1, -0.75, 3])
    // sum of the running affine fold [x0, x0 x1 + 1, (x0 x1 + 1) x2 + 1]: by hand
    const [a, b, c] = [1.5, 2, -0.5]
    const g = js(runSync(grad((v: Tensor) => np.sum(affine.accumulate(v)))(x))) as Array<number>
    const want = [1 + b + b * c, a + a * c, a * b + 1]
    want.forEach((w, i) => assert.closeTo(g[i]!, w, 1e-14))
    // at with a repeated index squares twice: x0^4 at index 0
    const sq = np.frompyfunc((v: Tensor) => np.multiply(v, v), 1, 1)
    const gat = js(runSync(grad((v: Tensor) => np.sum(sq.at(v, i32([0, 0]))))(x))) as Array<number>
    assert.deepStrictEqual(gat, [4 * a ** 3, 1, 1])
    assert.deepStrictEqual(js(runSync(jit((v: Tensor) => add.reduceat(v, i32([0, 1])))(x))), [1.5, 1.5])
  })

  it("rejects bad construction and methods a ufunc does not have", () => {
    assert.instanceOf(thrown(() => np.frompyfunc(3 as never, 2, 1)), ArgumentError)
    assert.instanceOf(thrown(() => np.frompyfunc((x: Tensor) => x, 0, 1)), ArgumentError)
    const neg = np.frompyfunc((v: Tensor) => np.negative(v), 1, 1)
    assert.instanceOf(thrown(() => neg.reduce(i32([1, 2]))), ArgumentError)
    assert.instanceOf(thrown(() => neg.outer(i32([1]), i32([2]))), ArgumentError)
    assert.instanceOf(thrown(() => add(i32([1]))), ArgumentError)
    assert.instanceOf(thrown(() => add.reduce(i32([1, 2]), { axis: 2 })), ArgumentError)
  })
})
