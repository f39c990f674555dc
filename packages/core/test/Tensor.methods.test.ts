import { np, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

describe("Tensor methods", () => {
  const x = np.array([[1, 2], [3, 4]])
  it("arithmetic chains", () => {
    expect.tensor(x.add(1).mul(2).sub(x).div(2), "float32", [[1.5, 2], [2.5, 3]])
    expect.tensor(x.pow(2).neg(), "float32", [[-1, -4], [-9, -16]])
    expect.tensor(x.mod(3), "float32", [[1, 2], [0, 1]])
    expect.tensor(x.square().sum(), "float32", 30)
    expect.tensor(x.maximum(2.5).minimum(3.5), "float32", [[2.5, 2.5], [3, 3.5]])
  })
  it("comparisons", () => {
    expect.tensor(x.gt(2), "bool", [[false, false], [true, true]])
    expect.tensor(x.le(2).eq(x.lt(3)), "bool", [[true, true], [true, true]])
    expect.tensor(x.ne(1).ge(true), "bool", [[false, true], [true, true]])
  })
  it("reductions with options", () => {
    expect.tensor(x.sum({ axis: 0 }), "float32", [4, 6])
    expect.tensor(x.mean({ axis: 1, keepdims: true }), "float32", [[1.5], [3.5]])
    expect.tensor(x.max(), "float32", 4)
    expect.tensor(x.min({ axis: 1 }), "float32", [1, 3])
    expect.tensor(x.prod(), "float32", 24)
    expect.tensor(x.argmax({ axis: 1 }), "int32", [1, 1])
    expect.tensor(x.argmin(), "int32", 0)
  })
  it("shapes: reshape, ravel, transpose, T, squeeze, expandDims, broadcastTo", () => {
    expect.tensor(x.reshape([4]), "float32", [1, 2, 3, 4])
    expect.tensor(x.reshape(-1), "float32", [1, 2, 3, 4])
    expect.tensor(x.T, "float32", [[1, 3], [2, 4]])
    expect.tensor(x.transpose({ axes: [1, 0] }), "float32", [[1, 3], [2, 4]])
    expect.tensor(x.ravel(), "float32", [1, 2, 3, 4])
    assert.deepStrictEqual(x.expandDims(0).squeeze().shape, [2, 2])
    assert.deepStrictEqual(np.array([1, 2]).broadcastTo([3, 2]).shape, [3, 2])
  })
  it("elementwise functions", () => {
    const y = np.array([0.25, 1], { dtype: "float64" })
    expect.tensor(y.exp().log(), "float64", [0.25, 1], { tol: 1e-15 })
    expect.tensor(y.sin(), "float64", [Math.sin(0.25), Math.sin(1)], { tol: 1e-15 })
    expect.tensor(y.cos(), "float64", [Math.cos(0.25), Math.cos(1)], { tol: 1e-15 })
    expect.tensor(y.tan(), "float64", [Math.tan(0.25), Math.tan(1)], { tol: 1e-15 })
    expect.tensor(y.tanh(), "float64", [Math.tanh(0.25), Math.tanh(1)], { tol: 1e-15 })
    expect.tensor(y.sqrt(), "float64", [0.5, 1])
    expect.tensor(y.neg().abs(), "float64", [0.25, 1])
    expect.tensor(y.sigmoid(), "float64", [1 / (1 + Math.exp(-0.25)), 1 / (1 + Math.exp(-1))], { tol: 1e-15 })
    expect.tensor(y.clip({ min: 0.5 }), "float64", [0.5, 1])
  })
  it("astype, matmul, dot, at, take, complex parts", () => {
    expect.tensor(x.astype("int32").mul(np.array(2, { dtype: "int32" })), "int32", [[2, 4], [6, 8]])
    expect.tensor(x.matmul(x), "float32", [[7, 10], [15, 22]])
    expect.tensor(x.at(0).dot(np.array([1, 1])), "float32", 3)
    expect.tensor(x.at(1).at(0), "float32", 3)
    expect.tensor(x.take([1], { axis: 1 }), "float32", [[2], [4]])
    const z = np.array([{ re: 1, im: -1 }])
    expect.tensor(z.real(), "float32", [1])
    expect.tensor(z.imag(), "float32", [-1])
    expect.tensor(z.conj(), "complex64", [{ re: 1, im: 1 }])
    expect.tensor(x.fullLike(7), "float32", [[7, 7], [7, 7]])
  })
  it("iteration goes over the first axis (as JAX arrays); a rank-0 tensor is not iterable", () => {
    const rows = [...x]
    assert.strictEqual(rows.length, 2)
    expect.tensor(rows[1]!, "float32", [3, 4])
    const seen: Array<unknown> = []
    for (const row of np.arange(3)) seen.push(js(row))
    assert.deepStrictEqual(seen, [0, 1, 2])
    const [a, b] = np.zeros([2, 0])
    assert.deepStrictEqual([a!.shape, b!.shape], [[0], [0]])
    assert.deepStrictEqual([...np.zeros([0, 3])], [])
    assert.include(failure(() => [...np.array(5)], "ShapeError"), "iteration over a 0-d tensor")
  })
  it("methods raise the same typed errors as the functions", () => {
    assert.isString(failure(() => x.add(np.ones([3])), "BroadcastError"))
    assert.isString(failure(() => x.at(2), "IndexError"))
    assert.isString(failure(() => x.reshape([3]), "ShapeError"))
  })
  it("methods live on the prototype, not on instances", () => {
    assert.isFunction(Tensor.prototype.add)
    assert.deepStrictEqual(Object.keys(x).filter((k) => k === "add" || k === "T"), [])
    assert.deepStrictEqual(js(x.T.T), js(x))
  })
})
