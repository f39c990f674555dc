/**
 * `allGather`, `psumScatter` and `ppermute` under `vmap` (JAX's `lax.all_gather`,
 * `lax.psum_scatter`, `lax.ppermute`; tests/batching_test.py `testAllGather*`,
 * `testPpermute*`): values derived by hand, the rules of every table (JVP, the transposes
 * all_gather <-> psum_scatter and ppermute <-> its inverse, float64 finite differences),
 * nested axes, jit, and typed errors.
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { allGather, ppermute, pshuffle, psumScatter } from "../src/Collectives.js"
import { grad } from "../src/Grad.js"
import { jit } from "../src/Jit.js"
import { jvp } from "../src/Jvp.js"
import { vjp } from "../src/Vjp.js"
import { vmap } from "../src/Vmap.js"
import { arr, assertClose, failure, run, values } from "./vmapSupport.js"

const over = <A>(f: (v: Tensor) => A, x: Tensor) => run(vmap(f, { axisName: "i" })(x) as Effect.Effect<A, never, never>)

describe("allGather, psumScatter, ppermute: values", () => {
  it("allGather stacks every instance's value (a new axis, or tiled), the same on every instance", () => {
    const x = arr([[1, 2], [3, 4], [5, 6]])
    const all = [[1, 2], [3, 4], [5, 6]]
    assert.deepStrictEqual(values(over((v) => allGather(v, "i"), x)), [all, all, all])
    const byColumn = [[1, 3, 5], [2, 4, 6]]
    assert.deepStrictEqual(values(over((v) => allGather(v, "i", { axis: 1 }), x)), [byColumn, byColumn, byColumn])
    assert.deepStrictEqual(values(over((v) => allGather(v, "i", { axis: -1 }), x)), [byColumn, byColumn, byColumn])
    const flat = [1, 2, 3, 4, 5, 6]
    assert.deepStrictEqual(values(over((v) => allGather(v, "i", { tiled: true }), x)), [flat, flat, flat])
    // an operand that does not vary: n copies
    assert.deepStrictEqual(values(over(() => allGather(arr([7, 8]), "i"), arr([0, 0]))), [
      [[7, 8], [7, 8]],
      [[7, 8], [7, 8]]
    ])
  })

  it("psumScatter: instance i keeps index i (or block i) of the sum", () => {
    const x = arr([[1, 2, 3], [10, 20, 30], [100, 200, 300]])
    assert.deepStrictEqual(values(over((v) => psumScatter(v, "i"), x)), [111, 222, 333])
    const wide = arr([[1, 2, 3, 4, 5, 6], [10, 20, 30, 40, 50, 60], [0, 0, 0, 0, 0, 1]])
    assert.deepStrictEqual(values(over((v) => psumScatter(v, "i", { tiled: true }), wide)), [[11, 22], [33, 44], [
      55,
      67
    ]])
    // scattering the second axis: instance i keeps column i of the summed [2, 3]
    const m = arr([[[1, 2, 3], [4, 5, 6]], [[1, 1, 1], [1, 1, 1]], [[0, 0, 9], [0, 0, 9]]])
    assert.deepStrictEqual(values(over((v) => psumScatter(v, "i", { scatterDimension: 1 }), m)), [[2, 5], [3, 6], [
      13,
      16
    ]])
  })

  it("ppermute sends along pairs; instances no pair sends to get zeros", () => {
    const x = arr([[1, 2], [3, 4], [5, 6]])
    assert.deepStrictEqual(values(over((v) => ppermute(v, "i", [[0, 1], [1, 2], [2, 0]]), x)), [[5, 6], [1, 2], [
      3,
      4
    ]])
    assert.deepStrictEqual(values(over((v) => ppermute(v, "i", [[0, 1], [1, 2]]), x)), [[0, 0], [1, 2], [3, 4]])
    assert.deepStrictEqual(values(over((v) => ppermute(v, "i", []), x)), [[0, 0], [0, 0], [0, 0]])
    // pshuffle: instance i gets instance perm[i]'s value
    assert.deepStrictEqual(values(over((v) => pshuffle(v, "i", [2, 0, 1]), x)), [[5, 6], [1, 2], [3, 4]])
    assert.include(
      (failure(vmap((v: Tensor) => pshuffle(v, "i", [0, 0, 1]), { axisName: "i" })(x)) as Error).message,
      "a permutation of 0 .. 2"
    )
  })

  it("over an outer axis from inside an inner vmap, and under jit", () => {
    const x = arr([[1, 2], [3, 4]])
    const inner = (row: Tensor) => vmap((v: Tensor) => allGather(v, "j"), { axisName: "i" })(row)
    // element (j, i) gathers x[:, i] across the outer axis j
    assert.deepStrictEqual(values(run(vmap(inner, { axisName: "j" })(x))), [[[1, 3], [2, 4]], [[1, 3], [2, 4]]])
    const shifted = (v: Tensor) => psumScatter(allGather(v, "i", { tiled: true }), "i", { tiled: true })
    // gathering then reduce-scattering: each instance gets n times its own value
    assert.deepStrictEqual(values(run(jit((xs: Tensor) => vmap(shifted, { axisName: "i" })(xs))(x))), [[2, 4], [
      6,
      8
    ]])
  })
})

describe("allGather, psumScatter, ppermute: derivatives", () => {
  const weightsOf = (shape: ReadonlyArray<number>) =>
    np.reshape(
      np.array(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(k + 1)), {
        dtype: "float64"
      }),
      [...shape]
    )
  const cases: ReadonlyArray<readonly [string, (v: Tensor) => Tensor, ReadonlyArray<number>]> = [
    ["allGather", (v) => allGather(v, "i"), [3, 3, 2]],
    ["allGather along axis 1", (v) => allGather(v, "i", { axis: 1 }), [3, 2, 3]],
    ["allGather tiled", (v) => allGather(v, "i", { tiled: true }), [3, 6]],
    // a length-3 value per instance, of which each keeps one summed entry
    ["psumScatter", (v) => psumScatter(np.concatenate([v, np.sum(np.square(v), { keepdims: true })]), "i"), [3]],
    ["ppermute", (v) => ppermute(v, "i", [[0, 2], [2, 1]]), [3, 2]]
  ]
  // sum(w * vmap(f)(x)) for a nonlinear f around the collective, float64
  const loss = (f: (v: Tensor) => Tensor, outShape: ReadonlyArray<number>) => (x: Tensor) =>
    Effect.map(
      vmap((v: Tensor) => np.sin(f(np.square(v))), { axisName: "i" })(x),
      (y) => np.sum(np.multiply(weightsOf(outShape), y))
    )
  const at = (xs: ReadonlyArray<number>) => np.reshape(np.array([...xs], { dtype: "float64" }), [3, 2])

  for (const [name, f, outShape] of cases) {
    it(`${name}: the gradient (through its transpose) matches central differences`, () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), (xs) => {
          const g = (values(run(grad(loss(f, outShape))(at(xs)))) as Array<Array<number>>).flat()
          const h = 1e-6
          const value = (ys: ReadonlyArray<number>) => values(run(loss(f, outShape)(at(ys)))) as number
          xs.forEach((_, k) => {
            const fd = (value(xs.map((v, q) => (q === k ? v + h : v))) -
              value(xs.map((v, q) => (q === k ? v - h : v)))) / (2 * h)
            assert.closeTo(g[k]!, fd, 1e-6 * (1 + Math.abs(fd)))
          })
        }),
        { numRuns: 8 }
      )
    })
  }

  it("vjp of allGather is psumScatter, and of ppermute the inverse permutation (hand-derived)", () => {
    const x = arr([[1, 2], [3, 4], [5, 6]])
    const gathered = (xs: Tensor) => vmap((v: Tensor) => allGather(v, "i"), { axisName: "i" })(xs)
    const [, back] = run(vjp(gathered, [x]))
    // every instance's cotangent is the same stack of ones: instance j's input gets the 3 copies summed
    const [ct] = run(back(np.ones([3, 3, 2], { dtype: "float64" })))
    assert.deepStrictEqual(values(ct!), [[3, 3], [3, 3], [3, 3]])
    const permuted = (xs: Tensor) => vmap((v: Tensor) => ppermute(v, "i", [[0, 1], [1, 2]]), { axisName: "i" })(xs)
    const [, backP] = run(vjp(permuted, [x]))
    const [ctP] = run(backP(arr([[10, 10], [20, 20], [30, 30]])))
    // instance 1 read instance 0, instance 2 read instance 1: cotangents flow back; instance 2's is unread
    assert.deepStrictEqual(values(ctP!), [[20, 20], [30, 30], [0, 0]])
    // the JVP is the collective of the tangent
    const [y, t] = run(jvp(gathered, [x], [arr([[1, 0], [0, 1], [1, 1]])]))
    assertClose(y as Tensor, run(gathered(x)) as Tensor)
    assert.deepStrictEqual(values(t as Tensor), [[[1, 0], [0, 1], [1, 1]], [[1, 0], [0, 1], [1, 1]], [[1, 0], [0, 1], [
      1,
      1
    ]]])
  })
})

describe("allGather, psumScatter, ppermute: typed errors", () => {
  const x = arr([[1, 2], [3, 4], [5, 6]])
  it("bad permutations, scatter dimensions, axes and options; unbound names", () => {
    const tagOf = (e: unknown) => (e as { _tag: string; message: string })
    const dup = tagOf(failure(vmap((v: Tensor) => ppermute(v, "i", [[0, 1], [2, 1]]), { axisName: "i" })(x)))
    assert.strictEqual(dup._tag, "ArgumentError")
    assert.include(dup.message, "no source or destination twice")
    const out = tagOf(failure(vmap((v: Tensor) => ppermute(v, "i", [[0, 3]]), { axisName: "i" })(x)))
    assert.include(out.message, "below the axis size 3")
    const scatter = tagOf(failure(vmap((v: Tensor) => psumScatter(v, "i"), { axisName: "i" })(x)))
    assert.strictEqual(scatter._tag, "ShapeError")
    assert.include(scatter.message, "must equal 3")
    const axis = tagOf(failure(vmap((v: Tensor) => allGather(v, "i", { axis: 2 }), { axisName: "i" })(x)))
    assert.strictEqual(axis._tag, "ArgumentError")
    const option = tagOf(
      failure(vmap((v: Tensor) => allGather(v, "i", { tield: true } as never), { axisName: "i" })(x))
    )
    assert.include(option.message, "unknown key")
    const unbound = tagOf(failure(vmap((v: Tensor) => allGather(v, "k"), { axisName: "i" })(x)))
    assert.strictEqual(unbound._tag, "UnboundAxisError")
  })
})
