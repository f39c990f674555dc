/**
 * Collectives over named axes (JAX's `lax.psum`, `pmean`, `pmax`, `pmin`,
 * `axis_index` under `vmap(..., axis_name=...)`, tests/batching_test.py
 * `testCollective*`, `testAxisIndex`, `testNestedVmap*`): batched and unbatched
 * operands, nested vmaps with different names, unbound names.
 */
import { lax } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { axisIndex, axisIsBound, isBatchedAlong, pmax, pmean, pmin, psum } from "../src/Collectives.js"
import { UnboundAxisError } from "../src/Errors.js"
import { grad } from "../src/Grad.js"
import { jvp } from "../src/Jvp.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertClose, failure, prng, randomTensor, run, values } from "./vmapSupport.js"

describe("collectives over a batched operand", () => {
  it("psum, pmean, pmax, pmin of a vector's elements", () => {
    const x = arr([1, 5, 3])
    const over = (c: (x: Tensor, name: string) => Tensor) =>
      values(run(vmap((v: Tensor) => c(v, "i"), { axisName: "i" })(x)))
    assert.deepStrictEqual(over(psum), [9, 9, 9])
    assert.deepStrictEqual(over(pmean), [3, 3, 3])
    assert.deepStrictEqual(over(pmax), [5, 5, 5])
    assert.deepStrictEqual(over(pmin), [1, 1, 1])
  })

  it("a name given twice reduces once, as JAX's: psum(x, ['i', 'i']) is psum(x, 'i')", () => {
    const x = arr([1, 5, 3])
    const twice = (c: (x: Tensor, names: ReadonlyArray<string>) => Tensor) =>
      values(run(vmap((v: Tensor) => c(v, ["i", "i"]), { axisName: "i" })(x)))
    assert.deepStrictEqual(twice(psum), [9, 9, 9])
    assert.deepStrictEqual(twice(pmean), [3, 3, 3])
    assert.deepStrictEqual(twice(pmax), [5, 5, 5])
    // an unbatched operand: psum counts the axis's size once (3, not 9)
    assert.deepStrictEqual(
      values(run(vmap((_: Tensor) => psum(lax.full([], 1, "float32"), ["i", "i"]), { axisName: "i" })(x))),
      [3, 3, 3]
    )
  })

  it("x / psum(x) normalizes (JAX's vmap docstring example)", () => {
    const normalize = (v: Tensor) => lax.div(v, psum(v, "i"))
    assert.deepStrictEqual(values(run(vmap(normalize, { axisName: "i" })(arr([1, 3, 4])))), [0.125, 0.375, 0.5])
  })

  it("reduces each element of a rank-2 example separately", () => {
    const x = arr([[[1, 2], [3, 4]], [[10, 20], [30, 40]]])
    const out = run(vmap((v: Tensor) => psum(v, "b"), { axisName: "b", inAxes: 0 })(x))
    assert.deepStrictEqual(values(out), [[[11, 22], [33, 44]], [[11, 22], [33, 44]]])
  })

  it("the result does not vary along the axis: outAxes null is allowed", () => {
    const out = run(vmap((v: Tensor) => psum(v, "i"), { axisName: "i", outAxes: null })(arr([1, 2, 3])))
    assert.deepStrictEqual(values(out), 6)
  })

  it("a mapped axis at any position, as a property against a reduction", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = prng(seed)
        const shape = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, 3))
        const axis = rng.int(0, shape.length - 1)
        const x = randomTensor(rng, shape)
        const out = run(vmap((v: Tensor) => psum(v, "i"), { axisName: "i", inAxes: axis, outAxes: null })(x))
        assert.deepStrictEqual(out.shape, shape.filter((_, k) => k !== axis))
        assertClose(out, lax.reduceSum(x, [axis]), 1e-12)
        const mx = run(vmap((v: Tensor) => pmax(v, "i"), { axisName: "i", inAxes: axis, outAxes: null })(x))
        assertClose(mx, lax.reduceMax(x, [axis]))
      }),
      { numRuns: 40 }
    )
  })
})

describe("collectives over an unbatched operand", () => {
  it("psum of a value constant along the axis is n times it; pmax and pmin keep it", () => {
    const f = (_x: Tensor, w: Tensor) => [psum(w, "i"), pmean(w, "i"), pmax(w, "i"), pmin(w, "i")]
    const [s, m, mx, mn] = run(vmap(f, { axisName: "i", inAxes: [0, null] })(arr([0, 0, 0, 0]), arr([1, -2])))
    assert.deepStrictEqual(values(s), [[4, -8], [4, -8], [4, -8], [4, -8]])
    assert.deepStrictEqual(values(m), [[1, -2], [1, -2], [1, -2], [1, -2]])
    assert.deepStrictEqual(values(mx), [[1, -2], [1, -2], [1, -2], [1, -2]])
    assert.deepStrictEqual(values(mn), [[1, -2], [1, -2], [1, -2], [1, -2]])
  })

  it("psum of a constant made inside the function", () => {
    const out = run(vmap((_x: Tensor) => psum(lax.scalar(2, "float64"), "i"), { axisName: "i" })(arr([0, 0, 0])))
    assert.deepStrictEqual(values(out), [6, 6, 6])
  })

  it("axisIndex numbers the examples", () => {
    const out = run(vmap((_x: Tensor) => axisIndex("i"), { axisName: "i" })(arr([7, 7, 7, 7])))
    assert.strictEqual(out.dtype, "int32")
    assert.deepStrictEqual(values(out), [0, 1, 2, 3])
    // One-hot rows from the index (JAX's doc example of axis_index under vmap).
    const oneHot = vmap(
      (_x: Tensor) => lax.eq(lax.iota("int32", [3], 0), lax.broadcastInDim(axisIndex("i"), [3], [])),
      {
        axisName: "i"
      }
    )
    assert.deepStrictEqual(values(run(oneHot(arr([0, 0, 0])))), [[true, false, false], [false, true, false], [
      false,
      false,
      true
    ]])
  })
})

describe("nested vmaps with different names", () => {
  const x = () => arr([[1, 2, 3], [4, 5, 6]])
  // Outer "i" over rows (size 2), inner "j" over columns (size 3).
  const nested = (f: (v: Tensor) => Tensor) => vmap(vmap(f, { axisName: "j" }), { axisName: "i" })

  it("psum over the inner, the outer, and both axes", () => {
    assert.deepStrictEqual(values(run(nested((v) => psum(v, "j"))(x()))), [[6, 6, 6], [15, 15, 15]])
    assert.deepStrictEqual(values(run(nested((v) => psum(v, "i"))(x()))), [[5, 7, 9], [5, 7, 9]])
    assert.deepStrictEqual(values(run(nested((v) => psum(v, ["i", "j"]))(x()))), [[21, 21, 21], [21, 21, 21]])
    assert.deepStrictEqual(values(run(nested((v) => pmean(v, ["i", "j"]))(x()))), [[3.5, 3.5, 3.5], [3.5, 3.5, 3.5]])
    assert.deepStrictEqual(values(run(nested((v) => pmax(v, "i"))(x()))), [[4, 5, 6], [4, 5, 6]])
  })

  it("axisIndex of the outer and the inner axis", () => {
    assert.deepStrictEqual(values(run(nested(() => axisIndex("i"))(x()))), [[0, 0, 0], [1, 1, 1]])
    assert.deepStrictEqual(values(run(nested(() => axisIndex("j"))(x()))), [[0, 1, 2], [0, 1, 2]])
  })

  it("an unnamed inner vmap: psum over the outer name of a value batched by both", () => {
    const f = vmap(vmap((v: Tensor) => psum(v, "i")), { axisName: "i" })
    assert.deepStrictEqual(values(run(f(x()))), [[5, 7, 9], [5, 7, 9]])
  })

  it("psum over the outer axis of a value only the inner vmap batches", () => {
    // w is closed over by the inner vmap: constant along "i" (size 2).
    const f = vmap((_r: Tensor) => vmap((c: Tensor) => psum(c, "i"), { axisName: "j" })(arr([1, 2, 3])), {
      axisName: "i"
    })
    assert.deepStrictEqual(values(run(f(arr([0, 0])))), [[2, 4, 6], [2, 4, 6]])
  })

  it("the innermost binding of a repeated name wins (JAX's shadowing)", () => {
    const f = vmap(vmap((v: Tensor) => psum(v, "k"), { axisName: "k" }), { axisName: "k" })
    assert.deepStrictEqual(values(run(f(x()))), [[6, 6, 6], [15, 15, 15]])
  })

  it("an outer vmap of a per-row normalization", () => {
    const normalize = (v: Tensor) => lax.div(v, psum(v, "j"))
    const out = run(vmap(vmap(normalize, { axisName: "j" }))(arr([[1, 3], [2, 2]])))
    assert.deepStrictEqual(values(out), [[0.25, 0.75], [0.5, 0.5]])
  })
})

describe("unbound axis names", () => {
  it("outside any vmap: JAX's message with no names", () => {
    assert.throws(() => psum(arr([1]), "batch"), UnboundAxisError)
    try {
      psum(arr([1]), "batch")
    } catch (e) {
      assert.strictEqual(
        (e as Error).message,
        "unbound axis name: batch. The following axis names (e.g. defined by vmap) are available to collective operations: []"
      )
    }
  })

  it("inside a vmap bound to another name: a typed failure listing the bound names", () => {
    const e = failure(vmap((v: Tensor) => pmean(v, "batch"), { axisName: "i" })(arr([1, 2])))
    assert.instanceOf(e, UnboundAxisError)
    assert.strictEqual(
      (e as Error).message,
      "unbound axis name: batch. The following axis names (e.g. defined by vmap) are available to collective operations: ['i']"
    )
    const idx = failure(vmap((_v: Tensor) => axisIndex("j"), { axisName: "i" })(arr([1, 2])))
    assert.instanceOf(idx, UnboundAxisError)
  })

  it("an unnamed vmap binds no name", () => {
    const e = failure(vmap((v: Tensor) => psum(v, "i"))(arr([1, 2])))
    assert.instanceOf(e, UnboundAxisError)
  })
})

describe("axisIsBound and isBatchedAlong", () => {
  it("report the names bound now and what varies along them", () => {
    assert.isFalse(axisIsBound("batch"))
    const seen: Array<unknown> = []
    const f = (w: Tensor, x: Tensor) => {
      seen.push(axisIsBound("batch"), axisIsBound("other"), isBatchedAlong(w, "batch"), isBatchedAlong(x, "batch"))
      return lax.mul(w, x)
    }
    run(vmap(f, { inAxes: [null, 0], axisName: "batch" })(arr([1, 1]), arr([[1, 2], [3, 4]])))
    assert.deepStrictEqual(seen, [true, false, false, true])
    assert.isFalse(axisIsBound("batch"))
    assert.throws(() => isBatchedAlong(arr([1]), "batch"), UnboundAxisError)
  })
})

describe("collectives under differentiation", () => {
  const jvpOf = (c: (x: Tensor, name: string) => Tensor, x: Tensor, t: Tensor) =>
    run(jvp((x: Tensor) => vmap((v: Tensor) => c(v, "i"), { axisName: "i" })(x), [x], [t]))

  it("jvp of pmax and pmin follows the chosen example; ties share the tangent equally", () => {
    const t = arr([10, 20, 30])
    assert.deepStrictEqual(values(jvpOf(pmax, arr([1, 3, 2]), t)[1]), [20, 20, 20])
    assert.deepStrictEqual(values(jvpOf(pmin, arr([1, 3, 2]), t)[1]), [10, 10, 10])
    assert.deepStrictEqual(values(jvpOf(pmax, arr([3, 3, 1]), t)[1]), [15, 15, 15])
  })

  it("jvp of pmean is the mean of the tangents", () => {
    const [y, dy] = jvpOf(pmean, arr([1, 2, 6]), arr([3, 0, 0]))
    assert.deepStrictEqual(values(y), [3, 3, 3])
    assert.deepStrictEqual(values(dy), [1, 1, 1])
  })

  it("axisIndex has a zero derivative", () => {
    const f = (x: Tensor) => lax.mul(x, lax.convertElementType(axisIndex("i"), "float64"))
    // d/dx (x * i) = i for example i
    assert.deepStrictEqual(values(run(vmap(grad(f), { axisName: "i" })(arr([5, 5, 5])))), [0, 1, 2])
  })
})
