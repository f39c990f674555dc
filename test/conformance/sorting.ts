/**
 * Conformance cases of sorting and order statistics (lax.sort, lax.topK and
 * np's sort-based functions), with hand-derived values and JAX's documented
 * ones.
 */
import { lax, np } from "@diffect/core"
import type { Case } from "./cases.js"

const f = (xs: np.TensorLike) => np.array(xs, { dtype: "float32" })
const i32 = (xs: np.TensorLike) => np.array(xs, { dtype: "int32" })
const cx = (re: number, im: number) => ({ re, im })

// A deterministic, irregular fill with many repeated values.
const fill = (n: number, seed = 0): Array<number> => Array.from({ length: n }, (_, k) => ((k + seed) * 37) % 101 - 50)

const c64 = (xs: ReadonlyArray<readonly [number, number]>) => np.array(xs.map(([re, im]) => cx(re, im)))

export const sortingCases: ReadonlyArray<Case> = [
  // complex max/min (and what is built on them) order lexicographically: real part, then
  // imaginary part (JAX's lax.max/min on complex)
  {
    name: "max and min of complex64: real part first, ties broken by the imaginary part",
    run: () => {
      const a = c64([[1, 5], [2, 0], [2, 1], [-1, 0]])
      const b = c64([[2, 0], [2, 1], [2, 0], [-1, 0]])
      return lax.concatenate([lax.max(a, b), lax.min(a, b)], 0)
    },
    expected: [cx(2, 0), cx(2, 1), cx(2, 1), cx(-1, 0), cx(1, 5), cx(2, 0), cx(2, 0), cx(-1, 0)]
  },
  {
    name: "reduce_max / reduce_min of complex64 along an axis",
    run: () => {
      const x = c64([[1, 9], [3, -2], [3, -1], [0, 0], [-4, 7], [0, 1]])
      const m = lax.reshape(x, [2, 3])
      return lax.concatenate([lax.reduceMax(m, [1]), lax.reduceMin(m, [1]), lax.reduceMax(m, [0])], 0)
    },
    expected: [cx(3, -1), cx(0, 1), cx(1, 9), cx(-4, 7), cx(1, 9), cx(3, -2), cx(3, -1)]
  },
  {
    name: "cummax / cummin of complex64",
    run: () => {
      const x = c64([[1, 0], [1, 2], [0, 9], [1, 1], [2, -5]])
      return lax.concatenate([lax.cummax(x, 0), lax.cummin(x, 0), lax.cummax(x, 0, true)], 0)
    },
    expected: [
      // cummax, cummin, reverse cummax
      cx(1, 0),
      cx(1, 2),
      cx(1, 2),
      cx(1, 2),
      cx(2, -5),
      cx(1, 0),
      cx(1, 0),
      cx(0, 9),
      cx(0, 9),
      cx(0, 9),
      cx(2, -5),
      cx(2, -5),
      cx(2, -5),
      cx(2, -5),
      cx(2, -5)
    ]
  },
  {
    name: "scatter max / min of complex64 with repeated indices (x.at[idx].max/min)",
    run: () => {
      const x = c64([[2, 0], [2, 1], [0, 0]])
      const idx = i32([0, 0, 1, 2])
      const u = c64([[1, 9], [2, 3], [2, 1], [-1, 5]])
      return lax.concatenate([np.at(x, idx).max(u), np.at(x, idx).min(u)], 0)
    },
    expected: [cx(2, 3), cx(2, 1), cx(0, 0), cx(1, 9), cx(2, 1), cx(-1, 5)]
  },

  {
    name: "sort: NaN last, -inf first",
    run: () => lax.sort(f([3, NaN, -Infinity, -1, 2])),
    expected: [-Infinity, -1, 2, 3, NaN]
  },
  {
    name: "sort along 0 of (3,2)",
    run: () => lax.sort(f([[3, 1], [1, 2], [2, 0]]), { dimension: 0 }),
    expected: [[1, 0], [2, 1], [3, 2]]
  },
  { name: "sort int32", run: () => lax.sort(i32([5, -7, 0, 5, -1])), expected: [-7, -1, 0, 5, 5] },
  {
    name: "sort bool",
    run: () => lax.sort(np.array([true, false, true, false])),
    expected: [false, false, true, true]
  },
  {
    name: "sort complex64 by real then imaginary part",
    run: () => lax.sort(np.array([cx(1, 2), cx(0, 5), cx(1, -1)])),
    expected: [cx(0, 5), cx(1, -1), cx(1, 2)]
  },
  {
    // stable: equal keys keep their order, so the values of key 1 stay 20 before 40
    name: "sort two operands by one key (stable)",
    run: () => lax.sort([f([2, 1, 2, 1]), f([10, 20, 30, 40])], { numKeys: 1 })[1]!,
    expected: [20, 40, 10, 30]
  },
  {
    name: "sort by two keys",
    run: () => lax.sort([i32([1, 0, 1, 0]), f([3, 9, 1, 2]), i32([0, 1, 2, 3])], { numKeys: 2 })[2]!,
    expected: [3, 1, 2, 0]
  },
  {
    name: "sort a long line with repeats",
    run: () => lax.sort(f(fill(3000))),
    expected: [...fill(3000)].sort((a, b) => a - b)
  },
  {
    name: "argsort is stable on ties (-0 equals 0)",
    run: () => np.argsort(f([0, -0, 1, 0])),
    expected: [0, 1, 3, 2]
  },
  {
    name: "argsort descending keeps ties in order",
    run: () => np.argsort(f([1, 3, 1, 3]), { descending: true }),
    expected: [1, 3, 0, 2]
  },
  {
    name: "topK values and indices (ties to the lower index)",
    run: () => lax.topK(f([[1, 5, 3, 5], [0, -1, 2, 2]]), 2)[1],
    expected: [[1, 3], [2, 3]]
  },
  { name: "topK values", run: () => lax.topK(f([1, NaN, 3, -2]), 3)[0], expected: [NaN, 3, 1] },
  { name: "topK int32", run: () => lax.topK(i32([4, -9, 7, 0]), 2)[0], expected: [7, 4] },
  { name: "partition", run: () => np.partition(f([5, 1, 4, 2, 3]), 2), expected: [1, 2, 3, 5, 4] },
  { name: "argpartition", run: () => np.argpartition(f([5, 1, 4, 2, 3]), 2), expected: [1, 3, 4, 0, 2] },
  { name: "median of an even count", run: () => np.median(f([[10, 7, 4], [3, 2, 1]])), expected: 3.5 },
  {
    name: "quantile linear along 1",
    run: () => np.quantile(f([[1, 5, 2, 8], [3, 3, 3, 9]]), 0.25, { axis: 1 }),
    expected: [1.75, 3]
  },
  { name: "nanmedian", run: () => np.nanmedian(f([1, NaN, 3, 10])), expected: 3 },
  {
    name: "searchsorted left and right",
    run: () => np.searchsorted(f([1, 2, 2, 3]), f([2, 0, 5, NaN])),
    expected: [1, 0, 4, 4]
  },
  {
    name: "unique with a static size",
    run: () => np.unique(f([3, 1, NaN, 3, NaN]), { size: 4, fillValue: -1 }),
    expected: [1, 3, NaN, -1]
  },
  {
    name: "nonzero with a static size",
    run: () => np.nonzero(f([[0, 2], [3, 0]]), { size: 3 })[1]!,
    expected: [1, 0, 0]
  }
]
