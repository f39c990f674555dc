import { aval } from "@diffect/core"
import type { AbstractValue } from "@diffect/core"
import { abstractEvalRules as R } from "@diffect/core/AbstractEval"
import { assert, describe, it } from "@effect/vitest"
import { failure } from "./npSetup.js"

const f32 = (...shape: Array<number>) => aval(shape, "float32")
const one = (avals: ReadonlyArray<AbstractValue>): AbstractValue => {
  assert.strictEqual(avals.length, 1)
  return avals[0]!
}

describe("abstract eval: elementwise", () => {
  it("binary ops keep shape and dtype; weak only if both weak", () => {
    assert.deepStrictEqual(one(R.add([f32(2, 3), f32(2, 3)], {})), aval([2, 3], "float32", false))
    assert.deepStrictEqual(one(R.mul([aval([2], "float32", true), f32(2)], {})), aval([2], "float32", false))
    assert.deepStrictEqual(
      one(R.sub([aval([], "int32", true), aval([], "int32", true)], {})),
      aval([], "int32", true)
    )
  })
  it("unequal shapes are a ShapeError naming both shapes", () => {
    assert.include(failure(() => R.add([f32(2, 3), f32(3)], {}), "ShapeError"), "(2, 3) and (3,)")
  })
  it("unequal dtypes are a DTypeError naming both", () => {
    assert.isString(failure(() => R.mul([f32(2), aval([2], "float64")], {}), "DTypeError"))
  })
  it("comparisons give bool", () => {
    for (const op of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
      assert.deepStrictEqual(one(R[op]([aval([4], "int32", true), aval([4], "int32", true)], {})), aval([4], "bool"))
    }
    assert.isString(failure(() => R.lt([aval([], "complex64"), aval([], "complex64")], {}), "DTypeError"))
    assert.strictEqual(one(R.eq([aval([], "complex64"), aval([], "complex64")], {})).dtype, "bool")
  })
  it("select needs a bool predicate and equal shapes", () => {
    assert.deepStrictEqual(one(R.select([aval([3], "bool"), f32(3), f32(3)], {})), f32(3))
    assert.include(failure(() => R.select([f32(3), f32(3), f32(3)], {}), "DTypeError"), "bool")
    assert.isString(failure(() => R.select([aval([2], "bool"), f32(3), f32(3)], {}), "ShapeError"))
  })
  it("real/imag/abs of complex give the real dtype; complex builds complex", () => {
    assert.strictEqual(one(R.real([aval([2], "complex64")], {})).dtype, "float32")
    assert.strictEqual(one(R.imag([aval([2], "complex128")], {})).dtype, "float64")
    assert.strictEqual(one(R.abs([aval([2], "complex128")], {})).dtype, "float64")
    assert.strictEqual(one(R.abs([aval([2], "int32")], {})).dtype, "int32")
    assert.strictEqual(one(R.complex([f32(2), f32(2)], {})).dtype, "complex64")
    assert.strictEqual(one(R.complex([aval([2], "float64"), aval([2], "float64")], {})).dtype, "complex128")
    assert.isString(failure(() => R.complex([aval([2], "int32"), aval([2], "int32")], {}), "DTypeError"))
    assert.isString(failure(() => R.real([f32(2)], {}), "DTypeError"))
  })
  it("transcendental ops on int and bool are DTypeErrors", () => {
    for (const op of ["sin", "exp", "log", "sqrt", "tanh", "logistic"] as const) {
      assert.include(failure(() => R[op]([aval([2], "int32")], {}), "DTypeError"), "int32")
      assert.include(failure(() => R[op]([aval([2], "bool")], {}), "DTypeError"), "bool")
      assert.deepStrictEqual(one(R[op]([aval([2], "float64", true)], {})), aval([2], "float64", true))
    }
    assert.isString(failure(() => R.add([aval([2], "bool"), aval([2], "bool")], {}), "DTypeError"))
    assert.isString(failure(() => R.floor([aval([2], "complex64")], {}), "DTypeError"))
  })
  it("float0 fails arithmetic, reductions, comparisons and conversion with JAX's message", () => {
    const z = aval([3], "float0")
    const msg = "float0s do not support any operations by design"
    assert.include(failure(() => R.add([z, z], {}), "Float0OperationError"), msg)
    assert.include(failure(() => R.sin([z], {}), "Float0OperationError"), msg)
    assert.include(failure(() => R.eq([z, z], {}), "Float0OperationError"), msg)
    assert.include(failure(() => R.reduce_sum([z], { axes: [0] }), "Float0OperationError"), msg)
    assert.include(
      failure(() => R.convert_element_type([z], { dtype: "float32", weakType: false }), "Float0OperationError"),
      msg
    )
    assert.isString(
      failure(() => R.dot_general([z, z], { contracting: [[0], [0]], batch: [[], []] }), "Float0OperationError")
    )
  })
  it("float0 passes through shape primitives", () => {
    const z = aval([2, 3], "float0")
    assert.deepStrictEqual(one(R.reshape([z], { newSizes: [3, 2] })), aval([3, 2], "float0"))
    assert.deepStrictEqual(one(R.transpose([z], { permutation: [1, 0] })), aval([3, 2], "float0"))
    assert.deepStrictEqual(
      one(R.broadcast_in_dim([z], { shape: [4, 2, 3], broadcastDimensions: [1, 2] })),
      aval([4, 2, 3], "float0")
    )
    assert.deepStrictEqual(one(R.expand_dims([z], { dimensions: [0] })), aval([1, 2, 3], "float0"))
    assert.deepStrictEqual(one(R.rev([z], { dimensions: [1] })), z)
    assert.deepStrictEqual(
      one(R.slice([z], { startIndices: [0, 1], limitIndices: [2, 3], strides: null })),
      aval([2, 2], "float0")
    )
    assert.deepStrictEqual(one(R.concatenate([z, z], { dimension: 0 })), aval([4, 3], "float0"))
    assert.deepStrictEqual(one(R.squeeze([aval([1, 3], "float0")], { dimensions: [0] })), aval([3], "float0"))
  })
  it("convert_element_type sets dtype and weak type", () => {
    assert.deepStrictEqual(
      one(R.convert_element_type([aval([2], "int32")], { dtype: "float32", weakType: true })),
      aval([2], "float32", true)
    )
  })
  it("integer_pow rejects negative powers of integers", () => {
    assert.deepStrictEqual(one(R.integer_pow([aval([2], "int32")], { y: 3 })), aval([2], "int32"))
    assert.isString(failure(() => R.integer_pow([aval([2], "int32")], { y: -1 }), "DTypeError"))
  })
})

describe("abstract eval: reductions", () => {
  it("remove the reduced axes", () => {
    assert.deepStrictEqual(one(R.reduce_sum([f32(2, 3, 4)], { axes: [0, 2] })), f32(3))
    assert.deepStrictEqual(one(R.reduce_max([f32(2, 3)], { axes: [] })), f32(2, 3))
    assert.deepStrictEqual(one(R.argmax([f32(2, 3)], { axis: 1 })), aval([2], "int32"))
    assert.deepStrictEqual(one(R.cumsum([f32(2, 3)], { axis: 1, reverse: false })), f32(2, 3))
  })
  it("validate axes", () => {
    assert.include(failure(() => R.reduce_sum([f32(2, 3)], { axes: [2] }), "AxisError"), "axis 2 is out of bounds")
    assert.include(failure(() => R.reduce_sum([f32(2, 3)], { axes: [1, 1] }), "ShapeError"), "repeated")
    assert.isString(failure(() => R.argmin([f32(2)], { axis: -1 }), "AxisError"))
    assert.include(failure(() => R.argmax([f32(0)], { axis: 0 }), "ShapeError"), "empty")
    assert.isString(failure(() => R.cumsum([f32(2)], { axis: 1, reverse: false }), "AxisError"))
  })
})

describe("abstract eval: shapes", () => {
  it("reshape checks the size", () => {
    assert.include(
      failure(() => R.reshape([f32(2, 3)], { newSizes: [4] }), "ShapeError"),
      "cannot reshape array of shape (2, 3)"
    )
  })
  it("transpose checks the permutation", () => {
    assert.deepStrictEqual(one(R.transpose([f32(2, 3, 4)], { permutation: [2, 0, 1] })), f32(4, 2, 3))
    assert.include(failure(() => R.transpose([f32(2, 3)], { permutation: [0, 0] }), "ShapeError"), "not a permutation")
    assert.isString(failure(() => R.transpose([f32(2, 3)], { permutation: [0] }), "ShapeError"))
  })
  it("broadcast_in_dim checks sizes and dimension order", () => {
    assert.deepStrictEqual(
      one(R.broadcast_in_dim([f32(3, 1)], { shape: [2, 3, 5], broadcastDimensions: [1, 2] })),
      f32(2, 3, 5)
    )
    assert.isString(failure(() => R.broadcast_in_dim([f32(3)], { shape: [4], broadcastDimensions: [0] }), "ShapeError"))
    assert.isString(
      failure(() => R.broadcast_in_dim([f32(1, 1)], { shape: [4, 4], broadcastDimensions: [1, 0] }), "ShapeError")
    )
  })
  it("squeeze only removes size-1 axes", () => {
    assert.isString(failure(() => R.squeeze([f32(2, 1)], { dimensions: [0] }), "ShapeError"))
  })
  it("slice checks bounds and computes strided sizes", () => {
    assert.deepStrictEqual(one(R.slice([f32(10)], { startIndices: [1], limitIndices: [8], strides: [3] })), f32(3))
    assert.isString(
      failure(() => R.slice([f32(10)], { startIndices: [1], limitIndices: [11], strides: null }), "ShapeError")
    )
    assert.isString(
      failure(() => R.slice([f32(10)], { startIndices: [5], limitIndices: [4], strides: null }), "ShapeError")
    )
  })
  it("pad computes low + high + interior sizes", () => {
    // 3 elements, low 1, high 2, interior 1: 1 + 3 + 2 (gaps) + 2 = 8
    assert.deepStrictEqual(one(R.pad([f32(3), f32()], { config: [[1, 2, 1]] })), f32(8))
    assert.deepStrictEqual(one(R.pad([f32(3), f32()], { config: [[-1, 0, 0]] })), f32(2))
    assert.include(failure(() => R.pad([f32(3), f32(1)], { config: [[0, 0, 0]] }), "ShapeError"), "scalar")
    assert.isString(failure(() => R.pad([f32(3), f32()], { config: [[-4, 0, 0]] }), "ShapeError"))
    assert.isString(failure(() => R.pad([f32(3), f32()], { config: [] }), "ShapeError"))
  })
  it("concatenate checks all other dims", () => {
    assert.deepStrictEqual(one(R.concatenate([f32(2, 3), f32(4, 3)], { dimension: 0 })), f32(6, 3))
    assert.isString(failure(() => R.concatenate([f32(2, 3), f32(2, 4)], { dimension: 0 }), "ShapeError"))
    assert.isString(failure(() => R.concatenate([f32(2), aval([2], "int32")], { dimension: 0 }), "DTypeError"))
  })
  it("gather needs int32 indices", () => {
    assert.deepStrictEqual(one(R.gather([f32(5, 6), aval([2, 3], "int32")], { axis: 1 })), f32(5, 2, 3))
    assert.include(failure(() => R.gather([f32(5), f32(2)], { axis: 0 }), "DTypeError"), "int32")
  })
  it("scatter_add checks the updates shape", () => {
    assert.deepStrictEqual(one(R.scatter_add([f32(5, 6), aval([2], "int32"), f32(2, 6)], { axis: 0 })), f32(5, 6))
    assert.isString(failure(() => R.scatter_add([f32(5, 6), aval([2], "int32"), f32(3, 6)], { axis: 0 }), "ShapeError"))
  })
  it("dot_general orders batch, lhs free, rhs free", () => {
    assert.deepStrictEqual(
      one(R.dot_general([f32(7, 2, 3), f32(7, 3, 4)], { contracting: [[2], [1]], batch: [[0], [0]] })),
      f32(7, 2, 4)
    )
    assert.deepStrictEqual(one(R.dot_general([f32(3), f32(3)], { contracting: [[0], [0]], batch: [[], []] })), f32())
    assert.include(
      failure(() => R.dot_general([f32(2, 3), f32(4, 5)], { contracting: [[1], [0]], batch: [[], []] }), "ShapeError"),
      "3 and 4"
    )
    assert.isString(
      failure(
        () => R.dot_general([f32(2, 3), aval([3, 5], "float64")], { contracting: [[1], [0]], batch: [[], []] }),
        "DTypeError"
      )
    )
  })
  it("iota and collectives", () => {
    assert.deepStrictEqual(one(R.iota([], { dtype: "int32", shape: [2, 3], dimension: 1 })), aval([2, 3], "int32"))
    assert.isString(failure(() => R.iota([], { dtype: "int32", shape: [2], dimension: 1 }), "AxisError"))
    assert.deepStrictEqual(R.psum([f32(3)], { axisName: "i" }), [f32(3)])
    assert.deepStrictEqual(one(R.axis_index([], { axisName: "i" })), aval([], "int32"))
  })
})
