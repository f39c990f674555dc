/**
 * stats.mode, rankdata and sem: hand-counted modes and ranks (SciPy's
 * documented rankdata examples), the standard error from its definition, and
 * the option errors.
 */
import { np, stats } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, runSync } from "diffect"
import type { Tensor } from "diffect"
import { expect, failure, js } from "./npSetup.js"
import { f64 } from "./statsSetup.js"

describe("stats.mode", () => {
  it("along axis 0 by default, the smallest of tied values, with counts", () => {
    const { count, mode } = stats.mode(np.array([[6, 8, 3, 0], [3, 2, 1, 7], [8, 1, 8, 4], [5, 3, 0, 5], [4, 7, 5, 9]]))
    // SciPy's docstring example: ModeResult(mode=[3, 1, 0, 0], count=[1, 1, 1, 1])
    expect.tensor(mode, "float32", [3, 1, 0, 0])
    expect.tensor(count, "int32", [1, 1, 1, 1])
    const r = stats.mode(np.array([[1, 2, 2], [3, 3, 1]], { dtype: "int32" }), { axis: 1, keepdims: true })
    expect.tensor(r.mode, "int32", [[2], [3]])
    expect.tensor(r.count, "int32", [[2], [2]])
  })
  it("axis null flattens; NaNs count as one value; an empty axis gives NaN and 0", () => {
    const r = stats.mode(f64([[4, 1, 4], [1, 4, 2]]), { axis: null })
    expect.tensor(r.mode, "float64", 4)
    expect.tensor(r.count, "int32", 3)
    expect.tensor(stats.mode(f64([NaN, 1, NaN])).mode, "float64", NaN)
    expect.tensor(stats.mode(f64([NaN, 1, NaN])).count, "int32", 2)
    expect.tensor(stats.mode(np.zeros([0, 2])).mode, "float32", [NaN, NaN])
    assert.include(failure(() => stats.mode(f64([1]), { nanPolicy: "omit" as never }), "ArgumentError"), "propagate")
  })
})

describe("stats.rankdata", () => {
  it("SciPy's examples for every method", () => {
    // scipy.stats.rankdata docstring: [0, 2, 3, 2]
    const a = np.array([0, 2, 3, 2])
    expect.tensor(stats.rankdata(a), "float32", [1, 2.5, 4, 2.5])
    expect.tensor(stats.rankdata(a, { method: "min" }), "float32", [1, 2, 4, 2])
    expect.tensor(stats.rankdata(a, { method: "max" }), "float32", [1, 3, 4, 3])
    expect.tensor(stats.rankdata(a, { method: "dense" }), "float32", [1, 2, 3, 2])
    expect.tensor(stats.rankdata(a, { method: "ordinal" }), "float32", [1, 2, 4, 3])
    // [[0, 2], [3, 2]] flattened, and along axis 1
    expect.tensor(stats.rankdata(np.array([[0, 2], [3, 2]])), "float32", [1, 2.5, 4, 2.5])
    expect.tensor(stats.rankdata(np.array([[0, 2, 2], [3, 2, 5]]), { axis: 1 }), "float32", [[1, 2.5, 2.5], [2, 1, 3]])
    expect.tensor(stats.rankdata(np.array([[0, 2, 2], [3, 2, 5]]), { axis: 0, method: "min" }), "float32", [[1, 1, 1], [
      2,
      1,
      2
    ]])
  })
  it("a run of ties at the ends; a slice with NaN ranks as NaN; bad options fail", () => {
    expect.tensor(stats.rankdata(f64([5, 5, 5, 1, 9, 9])), "float32", [3, 3, 3, 1, 5.5, 5.5])
    expect.tensor(stats.rankdata(f64([[1, NaN], [2, 1]]), { axis: 1 }), "float32", [[NaN, NaN], [2, 1]])
    assert.include(failure(() => stats.rankdata(f64([1]), { method: "mean" as never }), "ArgumentError"), "average")
  })
})

describe("stats.sem", () => {
  it("std(ddof = 1) / sqrt(n) along axis 0, over all with axis null, NaNs left out with omit", () => {
    const data = [[1, 4, 2], [3, 8, 2], [5, 0, 11], [7, 4, 1]]
    const col = (j: number) => data.map((r) => r[j]!)
    const sem = (xs: Array<number>, ddof = 1) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - ddof)) / Math.sqrt(xs.length)
    }
    expect.tensor(stats.sem(f64(data)), "float64", [0, 1, 2].map((j) => sem(col(j))), { tol: 1e-14 })
    expect.tensor(stats.sem(f64(data), { axis: 1, ddof: 0, keepdims: true }), "float64", data.map((r) => [sem(r, 0)]), {
      tol: 1e-14
    })
    expect.tensor(stats.sem(f64(data), { axis: null }), "float64", sem(data.flat()), { tol: 1e-14 })
    expect.tensor(stats.sem(f64([1, NaN, 3, 8]), { nanPolicy: "omit" }), "float64", sem([1, 3, 8]), { tol: 1e-14 })
    expect.tensor(stats.sem(f64([1, NaN, 3])), "float64", NaN)
  })
  it("differentiates: d sem / dx_i = (x_i - mean) / ((n - 1) sqrt(n) std)", () => {
    const xs = [1, 2, 4, 7]
    const m = 3.5
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / 3)
    const g = js(runSync(grad((t: Tensor) => stats.sem(t))(f64(xs))) as Tensor) as Array<number>
    g.forEach((v, i) => assert.closeTo(v, (xs[i]! - m) / (3 * 2 * sd), 1e-14))
  })
})
