/**
 * ops.segmentSum / segmentProd / segmentMax / segmentMin (JAX's jax.ops segment reductions):
 * JAX's docstring examples, identities of empty segments per dtype, dropped and clipped ids,
 * buckets, random cases against a JS loop (fast-check), jit (numSegments needed), grad (ties
 * share a maximum's gradient, as JAX's scatter-max rule), vmap, and typed errors.
 */
import { np, ops } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, runSync, vmap } from "diffect"
import * as fc from "fast-check"
import { failure, js } from "./npSetup.js"

const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const ids6 = i32([0, 0, 1, 1, 2, 2])

describe("ops segment reductions", () => {
  it("JAX's docstrings: sum, prod, max, min of arange(6) by [0, 0, 1, 1, 2, 2]", () => {
    const data = np.arange(6, { dtype: "int32" })
    assert.deepStrictEqual(js(ops.segmentSum(data, ids6)), [1, 5, 9])
    assert.deepStrictEqual(js(ops.segmentProd(data, ids6)), [0, 6, 20])
    assert.deepStrictEqual(js(ops.segmentMax(data, ids6)), [1, 3, 5])
    assert.deepStrictEqual(js(ops.segmentMin(data, ids6)), [0, 2, 4])
    assert.strictEqual(ops.segmentSum(data, ids6).dtype, "int32")
  })

  it("empty segments hold the identity: 0, 1, -inf/+inf, the int32 extremes, false/true", () => {
    const ids = [0, 0]
    const opts = { numSegments: 2 }
    assert.deepStrictEqual(js(ops.segmentSum(f64([1, 2]), ids, opts)), [3, 0])
    assert.deepStrictEqual(js(ops.segmentProd(f64([3, 2]), ids, opts)), [6, 1])
    assert.deepStrictEqual(js(ops.segmentMax(f64([1, 2]), ids, opts)), [2, -Infinity])
    assert.deepStrictEqual(js(ops.segmentMin(f64([1, 2]), ids, opts)), [1, Infinity])
    assert.deepStrictEqual(js(ops.segmentMax(i32([1, 2]), ids, opts)), [2, -2147483648])
    assert.deepStrictEqual(js(ops.segmentMin(i32([1, 2]), ids, opts)), [1, 2147483647])
    assert.deepStrictEqual(js(ops.segmentMax(np.array([true, false]), [1, 1], { numSegments: 3 })), [
      false,
      true,
      false
    ])
    assert.deepStrictEqual(js(ops.segmentMin(np.array([false, true]), [1, 1], { numSegments: 3 })), [true, false, true])
  })

  it("ids outside the segments are dropped (negative ones too, not wrapped), or clipped with mode clip", () => {
    const data = f64([1, 2, 3, 4])
    const ids = [3, -1, 7, 0]
    assert.deepStrictEqual(js(ops.segmentSum(data, ids, { numSegments: 4 })), [4, 0, 0, 1])
    assert.deepStrictEqual(js(ops.segmentSum(data, ids, { numSegments: 4, mode: "clip" })), [6, 0, 0, 4])
    // the default numSegments is the largest id + 1: 8 here, with -1 still dropped
    assert.deepStrictEqual(js(ops.segmentSum(data, ids)), [4, 0, 0, 1, 0, 0, 0, 3])
  })

  it("rows of any shape reduce elementwise; buckets give the same values", () => {
    assert.deepStrictEqual(js(ops.segmentSum(f64([[1, 2], [3, 4], [5, 6]]), [1, 0, 1])), [[3, 4], [6, 8]])
    const ids = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]
    const data = np.arange(10, { dtype: "int32" })
    assert.deepStrictEqual(js(ops.segmentSum(data, ids, { bucketSize: 3 })), [3, 18, 24])
    assert.deepStrictEqual(js(ops.segmentMax(data, ids, { bucketSize: 4, numSegments: 4 })), [2, 6, 9, -2147483648])
    assert.deepStrictEqual(js(ops.segmentProd(np.add(data, 1), ids, { bucketSize: 2 })), [6, 840, 720])
  })

  it("random data and ids: each reduction equals a JS loop (sorted hints change nothing)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -2, max: 6 }), fc.double({ min: -5, max: 5, noNaN: true })), {
          minLength: 1,
          maxLength: 30
        }),
        fc.integer({ min: 1, max: 6 }),
        (rows, numSegments) => {
          const ids = rows.map((r) => r[0])
          const data = f64(rows.map((r) => r[1]))
          const expected = (init: number, f: (a: number, b: number) => number) => {
            const out = new Array<number>(numSegments).fill(init)
            rows.forEach(([s, v]) => {
              if (s >= 0 && s < numSegments) out[s] = f(out[s]!, v)
            })
            return out
          }
          const opts = { numSegments }
          const close = (got: Tensor, want: Array<number>) =>
            (js(got) as Array<number>).forEach((g, i) =>
              assert.isTrue(g === want[i] || Math.abs(g - want[i]!) <= 1e-12 * (1 + Math.abs(want[i]!)))
            )
          close(ops.segmentSum(data, ids, opts), expected(0, (a, b) => a + b))
          close(ops.segmentProd(data, ids, opts), expected(1, (a, b) => a * b))
          close(ops.segmentMax(data, ids, opts), expected(-Infinity, Math.max))
          close(
            ops.segmentMin(data, ids, { ...opts, indicesAreSorted: false, uniqueIndices: false }),
            expected(Infinity, Math.min)
          )
        }
      ),
      { numRuns: 40 }
    )
  })

  it("jit needs numSegments (a ConcretizationError names it); grad and vmap", () => {
    const data = f64([1, 5, 2, 2, 0, -1])
    const msg = failure(
      () => runSync(jit((d: Tensor, i: Tensor) => ops.segmentSum(d, i))(data, ids6)),
      "ConcretizationError"
    )
    assert.include(msg, "give numSegments")
    const jitted = jit((d: Tensor, i: Tensor) => ops.segmentSum(d, i, { numSegments: 3 }))
    assert.deepStrictEqual(js(runSync(jitted(data, ids6)) as Tensor), [6, 4, -1])
    // d/dd sum(segmentSum(d)^2) = 2 * (the row's segment sum)
    const g = runSync(grad((d: Tensor) => np.sum(np.square(ops.segmentSum(d, ids6, { numSegments: 3 }))))(data))
    assert.deepStrictEqual(js(g as Tensor), [12, 12, 8, 8, -2, -2])
    // a tie for a maximum shares its gradient (JAX's scatter-max rule)
    const gm = runSync(grad((d: Tensor) => np.sum(ops.segmentMax(d, ids6, { numSegments: 3 })))(data))
    assert.deepStrictEqual(js(gm as Tensor), [0, 1, 0.5, 0.5, 1, 0])
    const batched = runSync(
      vmap((d: Tensor) => ops.segmentSum(d, ids6, { numSegments: 3 }))(
        np.reshape(np.arange(12, { dtype: "int32" }), [2, 6])
      )
    )
    assert.deepStrictEqual(js(batched as Tensor), [[1, 5, 9], [13, 17, 21]])
  })

  it("errors: ids per row, integer ids, options", () => {
    const data = np.arange(6, { dtype: "int32" })
    assert.include(failure(() => ops.segmentSum(data, [0, 1]), "ShapeError"), "one id per row")
    assert.include(failure(() => ops.segmentSum(data, np.array([0, 0, 1, 1, 2, 2])), "DTypeError"), "int32")
    assert.include(failure(() => ops.segmentSum(data, [0, 0, 1, 1, 2, 2.5]), "DTypeError"), "integers")
    assert.include(failure(() => ops.segmentSum(data, ids6, { numSegments: -1 }), "ArgumentError"), "non-negative")
    assert.include(failure(() => ops.segmentSum(data, ids6, { bucketSize: 0 }), "ArgumentError"), "positive")
    assert.include(failure(() => ops.segmentSum(data, ids6, { mode: "wrap" as never }), "ArgumentError"), "drop")
    assert.include(failure(() => ops.segmentSum(np.array(3), [0]), "ShapeError"), "one id per row")
  })

  it("all-negative ids with the default numSegments are an error (JAX's num_segments must be non-negative)", () => {
    assert.include(failure(() => ops.segmentSum(np.array([1, 2]), [-3, -3]), "ArgumentError"), "non-negative")
    // a largest id of -1 gives no segments, as in JAX
    assert.deepStrictEqual(ops.segmentSum(np.array([1, 2]), [-1, -1]).shape, [0])
  })
})
