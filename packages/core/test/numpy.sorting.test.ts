import { lax, np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure, js } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

describe("np sorting", () => {
  it("sort and argsort: axis -1 by default, null flattens, descending, stable ties", () => {
    expect.tensor(np.sort(f32([[3, 1, 2], [0, -1, 5]])), "float32", [[1, 2, 3], [-1, 0, 5]])
    expect.tensor(np.sort(f32([[3, 1], [0, 2]]), { axis: 0 }), "float32", [[0, 1], [3, 2]])
    expect.tensor(np.sort(f32([[3, 1], [0, 2]]), { axis: null }), "float32", [0, 1, 2, 3])
    expect.tensor(np.sort(i32([2, 9, -4]), { descending: true }), "int32", [9, 2, -4])
    expect.tensor(np.argsort(f32([3, 1, 2, 1])), "int32", [1, 3, 2, 0])
    // NumPy: a stable descending argsort keeps equal values in their original order
    expect.tensor(np.argsort(f32([3, 1, 2, 1, 3]), { descending: true }), "int32", [0, 4, 2, 1, 3])
    assert.include(failure(() => np.sort(f32([1]), { axis: 1 }), "AxisError"), "axis 1")
    assert.include(failure(() => np.sort(np.array(1)), "ShapeError"), "0-dimensional")
  })
  it("lexsort sorts by the last key first (NumPy's example)", () => {
    // surnames = ('Hertz', 'Galilei', 'Hertz'), first names = ('Heinrich', 'Galileo', 'Gustav')
    const surnames = i32([1, 0, 1])
    const firstNames = i32([2, 1, 0])
    expect.tensor(np.lexsort([firstNames, surnames]), "int32", [1, 2, 0])
  })
  it("lax.sort checks numKeys and shapes; topK checks k", () => {
    assert.include(failure(() => lax.sort([f32([1, 2]), f32([1, 2, 3])]), "ShapeError"), "sort")
    assert.include(failure(() => lax.sort([f32([1, 2])], { numKeys: 2 }), "ShapeError"), "numKeys")
    assert.include(failure(() => lax.topK(f32([1, 2]), 3), "ShapeError"), "k must be between 0 and")
    assert.include(failure(() => lax.topK(np.array([{ re: 1, im: 0 }]), 1), "DTypeError"), "top_k")
    const [k, v] = lax.sortKeyVal(f32([[3, 1], [2, 5]]), i32([[0, 1], [2, 3]]), 0)
    expect.tensor(k, "float32", [[2, 1], [3, 5]])
    expect.tensor(v, "int32", [[2, 1], [0, 3]])
  })
  it("partition and argpartition follow JAX's layout", () => {
    expect.tensor(np.partition(f32([[7, 1, 5, 3], [0, 9, 8, 2]]), 1), "float32", [[1, 3, 7, 5], [0, 2, 9, 8]])
    expect.tensor(np.partition(f32([7, 1, 5, 3]), -1), "float32", [1, 3, 5, 7])
    expect.tensor(np.argpartition(f32([7, 1, 5, 3]), 1), "int32", [1, 3, 0, 2])
    assert.include(failure(() => np.partition(f32([1, 2]), 2), "ShapeError"), "kth=2 out of bounds")
  })
  it("argpartition of a long axis: the kth smallest at kth, smaller before, the rest in increasing position", () => {
    // 2^20 values and kth = 1,000 (its mask once compared every index with every position: a
    // (kth + 1) x n array, 4 GB), along the last axis of a row and along axis 0 of a column
    const n = 1 << 20
    const rows = [Array.from({ length: n }, (_, i) => ((i * 7919 + 104729) % 65521) / 65521)]
    const kth = 1000
    const check = (idx: ReadonlyArray<number>, row: ReadonlyArray<number>) => {
      const sorted = [...row].sort((a, b) => a - b)
      assert.strictEqual(row[idx[kth]!], sorted[kth])
      assert.isTrue(idx.slice(0, kth).every((i) => row[i]! <= sorted[kth]!), "the first kth are the smallest")
      const rest = idx.slice(kth + 1)
      assert.isTrue(rest.every((i, j) => j === 0 || i > rest[j - 1]!), "the rest in increasing position")
      assert.strictEqual(new Set(idx).size, n)
    }
    const got = js(np.argpartition(f32(rows), kth)) as Array<Array<number>>
    got.forEach((idx, r) => check(idx, rows[r]!))
    const byColumn = js(np.argpartition(f32(rows).T, kth, { axis: 0 }).T) as Array<Array<number>>
    byColumn.forEach((idx, r) => check(idx, rows[r]!))
  })
  it("searchsorted: both sides, NaN last, sorter", () => {
    const a = f32([1, 2, 2, 3])
    expect.tensor(np.searchsorted(a, f32([[2, 0], [5, 2.5]])), "int32", [[1, 0], [4, 3]])
    expect.tensor(np.searchsorted(a, f32([2, NaN]), { side: "right" }), "int32", [3, 4])
    expect.tensor(np.searchsorted(f32([3, 1, 2]), 2.5, { sorter: i32([1, 2, 0]) }), "int32", 2)
    assert.include(failure(() => np.searchsorted(f32([[1]]), 1), "ShapeError"), "1-dimensional")
  })
  it("searchsorted's binary search (large searches, JAX's default \"scan\") gives compare_all's indices", () => {
    // entries with ties, NaN (last) and infinities; queries likewise, both sides, every size of a
    const values = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => {
        const k = (i * 7919 + seed * 104729) % 97
        return k === 0 ? NaN : k === 1 ? Infinity : k === 2 ? -Infinity : Math.floor(k / 3) - 12
      })
    const queries = f32(values(300, 5).concat([-0, 0, 12.5, -12.5]))
    for (const n of [1, 2, 3, 5, 64, 219, 1000]) {
      const a = np.sort(f32(values(n, n)))
      for (const side of ["left", "right"] as const) {
        const scan = js(np.searchsorted(a, queries, { side }))
        assert.deepStrictEqual(scan, js(np.searchsorted(a, queries, { side, method: "compare_all" })), `n=${n} ${side}`)
      }
    }
    // an int32 search, and a method's name checked
    const ints = np.arange(0, 2000, { step: 3, dtype: "int32" })
    expect.tensor(np.searchsorted(ints, i32([-1, 0, 1, 3, 1998, 5000]), { method: "scan" }), "int32", [
      0,
      0,
      1,
      1,
      666,
      667
    ])
    assert.include(
      failure(() => np.searchsorted(ints, 1, { method: "binary" as never }), "ArgumentError"),
      "\"compare_all\""
    )
  })
  it("quantile, percentile and median: the five methods, NaN, keepdims, several q", () => {
    const x = f32([1, 2, 3, 4, 10])
    // position q * (n - 1) = 0.3 * 4 = 1.2 between 2 and 3
    expect.tensor(np.quantile(x, 0.3), "float32", 2.2, { tol: 1e-6 })
    expect.tensor(np.quantile(x, 0.3, { method: "lower" }), "float32", 2)
    expect.tensor(np.quantile(x, 0.3, { method: "higher" }), "float32", 3)
    expect.tensor(np.quantile(x, 0.3, { method: "nearest" }), "float32", 2)
    expect.tensor(np.quantile(x, 0.3, { method: "midpoint" }), "float32", 2.5)
    expect.tensor(np.percentile(x, f32([0, 50, 100])), "float32", [1, 3, 10])
    expect.tensor(np.median(f32([[1, 9], [4, NaN]]), { axis: 1, keepdims: true }), "float32", [[5], [NaN]])
    expect.tensor(np.nanmedian(f32([[1, 9], [4, NaN]]), { axis: 1 }), "float32", [5, 4])
    expect.tensor(np.nanquantile(f32([NaN, NaN]), 0.5), "float32", NaN)
    expect.tensor(np.median(i32([1, 2, 4])), "float32", 2)
    assert.include(failure(() => np.quantile(x, 1.5), "ArgumentError"), "[0, 1]")
    assert.include(failure(() => np.percentile(x, -1), "ArgumentError"), "[0, 100]")
  })
  it("unique family: sorted values, counts, first indices, inverse; static size and fill", () => {
    const x = f32([[3, 1], [3, 2]])
    expect.tensor(np.unique(x), "float32", [1, 2, 3])
    const all = np.uniqueAll(x)
    assert.deepStrictEqual(js(all.indices), [1, 3, 0])
    assert.deepStrictEqual(js(all.counts), [1, 1, 2])
    assert.deepStrictEqual(js(all.inverseIndices), [[2, 0], [2, 1]])
    // size pads with the smallest value by default (JAX) and truncates
    expect.tensor(np.unique(x, { size: 5 }), "float32", [1, 2, 3, 1, 1])
    expect.tensor(np.unique(x, { size: 2 }), "float32", [1, 2])
    // JAX pads the first indices with perm[0] (where the smallest value first occurs: nonzero pads
    // with 0), the counts with 0; the inverse does not depend on size
    const [v, index, inverse, counts] = np.unique(i32([3, 1, 1]), {
      size: 4,
      returnIndex: true,
      returnInverse: true,
      returnCounts: true
    })
    expect.tensor(v!, "int32", [1, 3, 1, 1])
    expect.tensor(index!, "int32", [1, 0, 1, 1])
    expect.tensor(inverse!, "int32", [1, 0, 0])
    expect.tensor(counts!, "int32", [2, 1, 0, 0])
    expect.tensor(np.unique(i32([3, 1, 1]), { size: 4, fillValue: 9, returnIndex: true })[1]!, "int32", [1, 0, 1, 1])
    // NaNs are one value unless equalNan is false
    expect.tensor(np.unique(f32([NaN, 1, NaN])), "float32", [1, NaN])
    expect.tensor(np.unique(f32([NaN, 1, NaN]), { equalNan: false }), "float32", [1, NaN, NaN])
    expect.tensor(np.uniqueCounts(i32([5, 5, 5])).counts, "int32", [3])
  })
  it("unique along an axis: the distinct slices, sorted lexicographically (NumPy's and JAX's axis)", () => {
    const rows = i32([[2, 1], [0, 5], [2, 1], [0, 4]])
    expect.tensor(np.unique(rows, { axis: 0 }), "int32", [[0, 4], [0, 5], [2, 1]])
    const all = np.uniqueAll(rows, { axis: 0 })
    assert.deepStrictEqual(js(all.indices), [3, 1, 0])
    assert.deepStrictEqual(js(all.counts), [1, 1, 2])
    // one inverse index per slice, and the values at them rebuild the input
    assert.deepStrictEqual(js(all.inverseIndices), [2, 1, 2, 0])
    assert.deepStrictEqual(js(np.take(all.values, all.inverseIndices, { axis: 0 })), js(rows))
    // columns (negative axis), higher rank (slices of shape [1, 2]), static size with a fill
    expect.tensor(np.unique(i32([[1, 0, 1], [2, 3, 2]]), { axis: -1 }), "int32", [[0, 1], [3, 2]])
    expect.tensor(np.unique(i32([[[1, 2]], [[1, 2]], [[0, 9]]]), { axis: 0 }), "int32", [[[0, 9]], [[1, 2]]])
    expect.tensor(np.unique(rows, { axis: 0, size: 4, fillValue: -1 }), "int32", [[0, 4], [0, 5], [2, 1], [-1, -1]])
    expect.tensor(np.unique(rows, { axis: 0, size: 4 }), "int32", [[0, 4], [0, 5], [2, 1], [0, 4]])
    // rows with NaNs in the same places are one row unless equalNan is false
    expect.tensor(np.unique(f32([[NaN, 1], [NaN, 1], [0, 1]]), { axis: 0 }), "float32", [[0, 1], [NaN, 1]])
    expect.tensor(np.unique(f32([[NaN, 1], [NaN, 1]]), { axis: 0, equalNan: false }), "float32", [[NaN, 1], [NaN, 1]])
    assert.deepStrictEqual(np.unique(np.zeros([0, 2]), { axis: 0 }).shape, [0, 2])
    assert.include(failure(() => np.unique(np.array(3), { axis: 0 }), "ShapeError"), "scalar")
    assert.include(failure(() => np.unique(rows, { axis: 2 }), "AxisError"), "out of bounds")
  })
  it("nonzero, flatnonzero, argwhere, countNonzero", () => {
    const x = f32([[0, 1, 0], [2, 0, 3]])
    const [r, c] = np.nonzero(x)
    assert.deepStrictEqual(js(r!), [0, 1, 1])
    assert.deepStrictEqual(js(c!), [1, 0, 2])
    expect.tensor(np.flatnonzero(x), "int32", [1, 3, 5])
    expect.tensor(np.argwhere(x, { size: 4, fillValue: -1 }), "int32", [[0, 1], [1, 0], [1, 2], [-1, -1]])
    expect.tensor(np.countNonzero(x), "int32", 3)
    expect.tensor(np.countNonzero(x, { axis: 0, keepdims: true }), "int32", [[1, 1, 1]])
    assert.deepStrictEqual(np.argwhere(f32([0, 0])).shape, [0, 1])
    assert.include(failure(() => np.nonzero(np.array(1)), "ShapeError"), "0d")
  })
  it("where with the condition alone is nonzero (JAX's jnp.where(condition, size=, fill_value=))", () => {
    const x = f32([[0, 1, 0], [2, 0, 3]])
    const [r, c] = np.where(x)
    expect.tensor(r!, "int32", [0, 1, 1])
    expect.tensor(c!, "int32", [1, 0, 2])
    const padded = np.where(np.greater(x, 0.5), { size: 5, fillValue: -1 })
    expect.tensor(padded[0]!, "int32", [0, 1, 1, -1, -1])
    expect.tensor(padded[1]!, "int32", [1, 0, 2, -1, -1])
    expect.tensor(np.where(f32([0, 4, 0, 5]), { size: 1 })[0]!, "int32", [1])
    // the three-argument form is unchanged
    expect.tensor(np.where(np.array([true, false]), i32([1, 2]), i32([7, 8])), "int32", [1, 8])
    assert.include(failure(() => np.where(x, i32([1])), "ArgumentError"), "x and y must be given together, or neither")
    assert.include(failure(() => np.where(x, undefined as never, i32([1])), "ArgumentError"), "only y")
    assert.include(failure(() => np.where(x, { size: 2.5 }), "ArgumentError"), "size")
    assert.include(failure(() => np.where(x, { axis: 0 } as never), "ArgumentError"), "unknown key")
    assert.include(failure(() => np.where(np.array(1)), "ShapeError"), "0d")
  })
})
