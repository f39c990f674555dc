/**
 * Hostile arguments the probes found let through: holes in lists of arrays and
 * axes, unchecked sizes and options, non-plain options objects, unknown dtype
 * names, float indices and ragged pad widths. Each is a typed error, as JAX
 * raises one; the valid forms beside them keep working.
 */
import { lax, np, special } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const i32 = (v: np.NestedArray | number) => np.array(v, { dtype: "int32" })
const f32 = (v: np.NestedArray | number) => np.array(v, { dtype: "float32" })
// The probes' hostile values: a call that ignores the types, as JS allows.
const loose = <F>(f: F) => f as (...args: ReadonlyArray<unknown>) => unknown

describe("hostile input", () => {
  it("a hole in a list of arrays fails as an explicit undefined does", () => {
    const v = f32([3, 1, 2])
    // eslint-disable-next-line no-sparse-arrays
    const holed = [v, , v] as Array<np.TensorLike>
    const empty = new Array<np.TensorLike>(3)
    for (
      const [name, f] of [
        ["concatenate", np.concatenate],
        ["stack", np.stack],
        ["vstack", np.vstack],
        ["hstack", np.hstack],
        ["dstack", np.dstack],
        ["columnStack", np.columnStack],
        ["lexsort", np.lexsort],
        ["multiDot", np.linalg.multiDot],
        ["choose", (xs: ReadonlyArray<np.TensorLike>) => np.choose(0, xs)],
        ["piecewise", (xs: ReadonlyArray<np.TensorLike>) => np.piecewise(v, xs, [1, 2, 3])]
      ] as const
    ) {
      for (const xs of [holed, empty]) assert.include(failure(() => f(xs), "InvalidArrayError"), "undefined", name)
    }
    assert.include(failure(() => np.broadcastArrays(...holed), "InvalidArrayError"), "undefined")
    for (const xs of [holed, empty] as Array<Array<lax.Operand>>) {
      assert.include(failure(() => lax.concatenate(xs as never, 0), "ArgumentError"), "got undefined")
      assert.include(failure(() => lax.sort(xs as never), "ArgumentError"), "got undefined")
      assert.include(failure(() => lax.stack(xs as never), "ArgumentError"), "got undefined")
    }
  })

  it("a hole in a list of axes or integers is an ArgumentError, not a crash or a no-op", () => {
    const x = f32([[1, 2, 3], [4, 5, 6]])
    const hole = new Array<number>(1)
    for (
      const f of [
        () => lax.reduceSum(x, hole),
        () => lax.reduceMax(x, hole),
        () => lax.rev(x, hole),
        () => lax.squeeze(x, hole),
        () => lax.expandDims(x, hole),
        () => np.sum(x, { axis: hole }),
        () => np.flip(x, { axis: hole }),
        () => np.moveaxis(x, hole, [0]),
        () => np.fft.fftn(x, { axes: hole }),
        () => np.unravelIndex(1, new Array(2)),
        () => lax.pad(x, 0, new Array(2)),
        () => np.pad(x, new Array(2)),
        () => np.zeros(new Array(2))
      ]
    ) assert.match(failure(f, "ArgumentError"), /got (an array of length|undefined)/)
    // the valid forms
    expect.tensor(np.sum(x, { axis: [0] }), "float32", [5, 7, 9])
    expect.tensor(lax.reduceSum(x, [1]), "float32", [6, 15])
  })

  it("rfftfreq checks n as fftfreq does", () => {
    assert.include(failure(() => np.fft.rfftfreq(1e12), "ShapeError"), "(1000000000000,)")
    assert.include(failure(() => np.fft.rfftfreq(Infinity), "ArgumentError"), "n must be an integer")
    assert.include(failure(() => loose(np.fft.rfftfreq)(3n), "ArgumentError"), "the bigint 3n")
    assert.include(failure(() => np.fft.rfftfreq(-1), "ArgumentError"), "non-negative")
    expect.tensor(np.fft.rfftfreq(4), "float32", [0, 0.25, 0.5])
  })

  it("options given positionally or misspelt are refused, not read as the default", () => {
    const x = f32([[0, 0], [1, 1]])
    assert.include(failure(() => loose(special.softmax)(x, 0), "ArgumentError"), "options object ({ axis })")
    assert.include(failure(() => loose(special.logSoftmax)(x, 0), "ArgumentError"), "options object ({ axis })")
    assert.include(failure(() => loose(special.softmax)(x, { axes: 0 }), "ArgumentError"), "\"axes\"")
    expect.close(js(special.softmax(x, { axis: 0 })), [[0.2689414, 0.2689414], [0.7310586, 0.7310586]])
    const a = np.ones([3, 3])
    assert.include(failure(() => loose(np.triuIndicesFrom)(a, 1), "ArgumentError"), "options object ({ k })")
    assert.include(failure(() => loose(np.trilIndicesFrom)(a, { K: -1 }), "ArgumentError"), "\"K\"")
    expect.tensor(np.triuIndicesFrom(a, { k: 1 })[1]!, "int32", [1, 2, 2])
    const v = f32([3, 1, 2])
    assert.include(
      failure(() => loose(np.at(v, 5).get)({ mode: "fill", fill_value: 0 }), "ArgumentError"),
      "fill_value"
    )
    assert.include(failure(() => loose(np.at(v, 0).get)(7), "ArgumentError"), "the number 7")
    assert.include(failure(() => loose(np.at(v, 0).set)(9, { uniqueIndices: "yes" }), "ArgumentError"), "a boolean")
    assert.include(failure(() => loose(np.at(v, 0).subtract)(1, { bogus: 1 }), "ArgumentError"), "\"bogus\"")
    expect.tensor(np.at(v, 5).get({ mode: "fill", fillValue: 0 }), "float32", 0)
    expect.tensor(np.at(v, 0).set(9, { uniqueIndices: true }), "float32", [9, 1, 2])
    assert.include(
      failure(() => loose(lax.dot)(v, v, { preferred_element_type: "float64" }), "ArgumentError"),
      "preferred_element_type"
    )
    assert.include(
      failure(() => loose(lax.dotGeneral)(v, v, [[0], [0]], [[], []], { precison: "highest" }), "ArgumentError"),
      "\"precison\""
    )
    expect.tensor(lax.dot(v, v, { preferredElementType: "float64" }), "float64", 14)
    expect.tensor(lax.dotGeneral(v, v, [[0], [0]], [[], []], { precision: "highest" }), "float32", 14)
    // the dimensions are positional arguments only (vmap's rule no longer hands them in as options)
    assert.include(
      failure(() => loose(lax.dotGeneral)(v, v, [[0], [0]], [[], []], { contracting: [[0], [0]] }), "ArgumentError"),
      "\"contracting\""
    )
  })

  it("an options object is a plain object: a Map or a class instance is refused", () => {
    const x = f32([[1, 2], [3, 4]])
    assert.include(failure(() => loose(np.sum)(x, new Map([["axis", 1]])), "ArgumentError"), "(a Map)")
    assert.include(failure(() => loose(np.sum)(x, new Date(0)), "ArgumentError"), "(a Date)")
    assert.include(failure(() => loose(np.sum)(x, Object.create({ axis: 1 })), "ArgumentError"), "options object")
    // an object with no prototype is a plain one
    expect.tensor(np.sum(x, Object.assign(Object.create(null), { axis: 1 })), "float32", [3, 7])
  })

  it("issubdtype, isdtype and canCast refuse unknown names (JAX's np.dtype and 'Unrecognized kind')", () => {
    assert.include(failure(() => loose(np.issubdtype)("float32", "flaoting"), "InvalidArrayError"), "\"flaoting\"")
    assert.include(failure(() => loose(np.issubdtype)("flaot32", "floating"), "InvalidArrayError"), "\"flaot32\"")
    assert.include(failure(() => loose(np.issubdtype)("float32"), "ArgumentError"), "parent")
    assert.include(failure(() => loose(np.isdtype)("float32", "real_floating"), "ArgumentError"), "\"real_floating\"")
    assert.include(failure(() => loose(np.isdtype)("flaot32", "real floating"), "InvalidArrayError"), "\"flaot32\"")
    assert.include(failure(() => loose(np.canCast)("float32", "flaot64"), "InvalidArrayError"), "\"flaot64\"")
    assert.include(failure(() => np.canCast("float32", "float0"), "ArgumentError"), "to must be")
    assert.deepStrictEqual(
      [
        np.issubdtype("float32", "floating"),
        np.issubdtype("int32", "float32"),
        np.isdtype("float32", "real floating"),
        np.isdtype("int32", ["bool", "int32"]),
        np.canCast("int32", "float64")
      ],
      [true, false, true, true, true]
    )
  })

  it("float and NaN indices are refused where JAX requires integers; whole numbers pass", () => {
    const [v, w] = [i32([3, 1, 2]), i32([10, 20, 30])]
    assert.include(failure(() => np.choose(f32([1.7, 0.2, 0.9]), [v, w]), "ArgumentError"), "integer indices")
    assert.include(failure(() => np.choose(NaN, [v, w]), "ArgumentError"), "NaN")
    expect.tensor(np.choose(f32([1, 0, 1]), [v, w]), "int32", [10, 1, 30])
    expect.tensor(np.choose([1, 0, 1], [v, w]), "int32", [10, 1, 30])
    assert.include(failure(() => np.ravelMultiIndex([f32(1.7), f32(2.9)], [2, 3]), "ArgumentError"), "1.7")
    assert.include(failure(() => np.ravelMultiIndex([NaN, 0], [2, 3]), "ArgumentError"), "NaN")
    expect.tensor(np.ravelMultiIndex([1, 2], [2, 3]), "int32", 5)
    assert.include(failure(() => np.repeat(v, f32(2.5)), "ArgumentError"), "integer counts")
    expect.tensor(np.repeat(v, f32(2)), "int32", [3, 3, 1, 1, 2, 2])
    expect.tensor(np.repeat(v, i32([1, 0, 2])), "int32", [3, 2, 2])
  })

  it("np.pad refuses a ragged padWidth (JAX's np.asarray(pad_width))", () => {
    const x = np.ones([2, 3])
    assert.include(failure(() => loose(np.pad)(x, [[1, 2], [3]]), "ArgumentError"), "all of one length")
    assert.deepStrictEqual(np.pad(x, [[1, 2], [3, 3]]).shape, [5, 9])
    assert.deepStrictEqual((loose(np.pad)(x, [[1], [3]]) as ReturnType<typeof np.pad>).shape, [4, 9])
  })
})
