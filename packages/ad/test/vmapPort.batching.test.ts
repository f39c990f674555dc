/**
 * tests/batching_test.py cases not ported elsewhere: testDynamicSlice, testDynamicUpdateSlice,
 * testSort, testSortKeyVal, testCumProd, testSelect, testNumpyIndexing1/2,
 * testIndexAddBatchedIndexesOnly, testIssue3883, testIssue354, testConvGeneralDilated(BatchNotMajor),
 * testMinMaxPool and testSumPool (forward). Expected values are NumPy's (the python line that
 * gives them is in a comment) or the unbatched computation, as JAX's tests compare.
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import type { Effect } from "effect"
import { grad } from "../src/Grad.js"
import { vmap } from "../src/Vmap.js"
import { assertClose, prng, randomTensor, run, stack, values } from "./vmapSupport.js"

const go = <A>(e: Effect.Effect<A, unknown, unknown>): A => run(e as Effect.Effect<A, never, never>)
const i32 = (v: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>) =>
  np.array(v as never, { dtype: "int32" })

describe("indexing under vmap (batching_test.py)", () => {
  it("testDynamicSlice: x[i] with i unbatched, batched with x, batched alone", () => {
    const x = np.reshape(np.arange(30, { dtype: "int32" }), [10, 3])
    const at = (v: Tensor, i: Tensor | number) => lax.dynamicIndexInDim(v, i, 0, false)
    // x[:, 1]
    assert.deepStrictEqual(values(go(vmap(at, { inAxes: [0, null] })(x, 1))), [
      1,
      4,
      7,
      10,
      13,
      16,
      19,
      22,
      25,
      28
    ])
    const idx = i32([0, 1, 2, 1, 0, 0, 1, 2, 1, 0])
    // x[np.arange(10), idx]
    assert.deepStrictEqual(values(go(vmap(at, { inAxes: [0, 0] })(x, idx))), [0, 4, 8, 10, 12, 15, 19, 23, 25, 27])
    // np.arange(3)[idx]
    assert.deepStrictEqual(values(go(vmap(at, { inAxes: [null, 0] })(np.arange(3, { dtype: "int32" }), idx))), [
      0,
      1,
      2,
      1,
      0,
      0,
      1,
      2,
      1,
      0
    ])
  })

  it("testDynamicUpdateSlice: dynamic_update_index_in_dim with x and y batched, or y and the index", () => {
    const rng = prng(11)
    const x = randomTensor(rng, [10, 3], "float64")
    const y = randomTensor(rng, [10], "float64")
    const ans = go(vmap((a: Tensor, b: Tensor) => lax.dynamicUpdateIndexInDim(a, b, 1, 0), { inAxes: [0, 0] })(x, y))
    // expected = x.copy(); expected[:, 1] = y
    const cols = [0, 1, 2].map((c) => (c === 1 ? y : np.take(x, c, { axis: 1 })))
    assertClose(ans, stack(cols, 1), 0)
    const x3 = randomTensor(rng, [3], "float64")
    const idx = i32([0, 1, 2, 1, 0, 0, 1, 2, 1, 0])
    const ans2 = go(
      vmap((a: Tensor, b: Tensor, i: Tensor) => lax.dynamicUpdateIndexInDim(a, b, i, 0), { inAxes: [null, 0, 0] })(
        x3,
        y,
        idx
      )
    )
    // expected = np.broadcast_to(x, (10, 3)).copy(); expected[np.arange(10), idx] = y
    const xs = values(x3) as Array<number>
    const ys = values(y) as Array<number>
    const want = [0, 1, 2, 1, 0, 0, 1, 2, 1, 0].map((c, r) => xs.map((v, k) => (k === c ? ys[r]! : v)))
    assert.deepStrictEqual(values(ans2), want)
  })

  it("testIssue3883: dynamic_slice and dynamic_update_slice of scalars with no indices", () => {
    const xs = np.array([1, 2, 3, 4])
    assert.deepStrictEqual(values(go(vmap((v: Tensor) => lax.dynamicSlice(v, [], []))(xs))), [1, 2, 3, 4])
    assert.deepStrictEqual(values(go(vmap((v: Tensor) => lax.dynamicUpdateSlice(v, np.array(7), []))(xs))), [
      7,
      7,
      7,
      7
    ])
  })

  it("testNumpyIndexing1 and testNumpyIndexing2: a[:, ind] with ind batched, and a[:, [0, 2]] of a batched a", () => {
    const a = np.reshape(np.arange(24, { dtype: "int32" }), [2, 3, 4])
    const ans = go(
      vmap((v: Tensor, ind: Tensor) => np.at(v, ":", ind).get(), { inAxes: [null, 0] })(a, i32([[0, 1], [2, 0]]))
    )
    // np.stack([a[:, ind[i]] for i in range(2)]).tolist()
    assert.deepStrictEqual(values(ans), [
      [[[0, 1, 2, 3], [4, 5, 6, 7]], [[12, 13, 14, 15], [16, 17, 18, 19]]],
      [[[8, 9, 10, 11], [0, 1, 2, 3]], [[20, 21, 22, 23], [12, 13, 14, 15]]]
    ])
    const ans2 = go(vmap((v: Tensor) => np.at(v, ":", i32([0, 2])).get())(a))
    // np.stack([a[:, i, :][:, [0, 2]] for i in range(3)], axis=1).tolist() (vmap over axis 0, out at 0)
    assert.deepStrictEqual(values(ans2), [[[0, 2], [4, 6], [8, 10]], [[12, 14], [16, 18], [20, 22]]])
  })

  it("testIndexAddBatchedIndexesOnly: x.at[idx].add(1) with only idx batched is the identity matrix", () => {
    const ans = go(
      vmap((x: Tensor, i: Tensor, y: number) => np.at(x, i).add(y), { inAxes: [null, 0, null] })(
        np.zeros([10]),
        np.arange(10, { dtype: "int32" }),
        1
      )
    )
    assertClose(ans, np.eye(10), 0)
  })
})

describe("sorting, cumulative ops and select under vmap (batching_test.py)", () => {
  // v = np.arange(12)[::-1].reshape(3, 4)
  const v = np.reshape(np.arange(11, -1, { step: -1, dtype: "int32" }), [3, 4])

  it("testSort: dimension 0 and -1, in_axes 1, out_axes 1", () => {
    const sort0 = (x: Tensor) => lax.sort(x, { dimension: 0 })
    // v[:, ::-1]
    assert.deepStrictEqual(values(go(vmap(sort0)(v))), [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]])
    assert.deepStrictEqual(values(go(vmap((x: Tensor) => lax.sort(x, { dimension: -1 }))(v))), [[8, 9, 10, 11], [
      4,
      5,
      6,
      7
    ], [0, 1, 2, 3]])
    // v[::-1, :].T
    assert.deepStrictEqual(values(go(vmap(sort0, { inAxes: 1 })(v))), [[3, 7, 11], [2, 6, 10], [1, 5, 9], [0, 4, 8]])
    // v[::-1, :]
    assert.deepStrictEqual(values(go(vmap(sort0, { inAxes: 1, outAxes: 1 })(v))), [[3, 2, 1, 0], [7, 6, 5, 4], [
      11,
      10,
      9,
      8
    ]])
  })

  it("testSortKeyVal: keys and values batched on different axes, or one of them not at all", () => {
    // a permutation of 0..11 as the values (JAX's rng.permutation(12).reshape(3, 4))
    const w = i32([[5, 2, 9, 0], [11, 3, 7, 1], [4, 8, 6, 10]])
    const skv = (k: Tensor, x: Tensor) => lax.sortKeyVal(k, x, 0)
    const kRev = [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]] // k[:, ::-1]
    const wRev = [[0, 9, 2, 5], [1, 7, 3, 11], [10, 6, 8, 4]] // w[:, ::-1]
    const check = (out: unknown, sk: unknown, sv: unknown) => {
      const [a, b] = out as [Tensor, Tensor]
      assert.deepStrictEqual([values(a), values(b)], [sk, sv])
    }
    check(go(vmap(skv, { inAxes: [0, 0] })(v, w)), kRev, wRev)
    check(go(vmap(skv, { inAxes: [0, 1] })(v, np.transpose(w))), kRev, wRev)
    check(go(vmap(skv, { inAxes: [1, 0] })(np.transpose(v), w)), kRev, wRev)
    // in_axes 1 for both, out_axes 1: k[::-1, :] and w[::-1, :] (each column sorted by its keys)
    check(go(vmap(skv, { inAxes: [1, 1], outAxes: 1 })(v, w)), [[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]], [
      [4, 8, 6, 10],
      [11, 3, 7, 1],
      [5, 2, 9, 0]
    ])
    // (None, 0): np.broadcast_to(k[0, ::-1], (3, 4)) and w[:, ::-1]
    check(go(vmap(skv, { inAxes: [null, 0] })(np.array([11, 10, 9, 8], { dtype: "int32" }), w)), [[8, 9, 10, 11], [
      8,
      9,
      10,
      11
    ], [8, 9, 10, 11]], wRev)
    // (1, None): k[:, ::-1] and np.broadcast_to(w[0, ::-1], (3, 4))
    check(go(vmap(skv, { inAxes: [1, null] })(np.transpose(v), i32([5, 2, 9, 0]))), kRev, [[0, 9, 2, 5], [0, 9, 2, 5], [
      0,
      9,
      2,
      5
    ]])
  })

  it("testCumProd: cumprod along -1 under vmap", () => {
    const x = np.add(np.reshape(np.arange(9, { dtype: "int32" }), [3, 3]), 1)
    // np.cumprod(np.arange(1, 10).reshape(3, 3), axis=1).tolist()
    assert.deepStrictEqual(values(go(vmap((r: Tensor) => np.cumprod(r, { axis: -1 }))(x))), [[1, 2, 6], [4, 20, 120], [
      7,
      56,
      504
    ]])
  })

  it("testSelect: the predicate, the branches or both batched, on different axes", () => {
    const f32 = (a: unknown) => np.array(a as never, { dtype: "float32" })
    const b = (a: Array<boolean>) => np.array(a)
    assert.deepStrictEqual(values(go(vmap(lax.select)(b([true, false]), np.array([0, 1]), np.array([2, 3])))), [0, 3])
    assert.deepStrictEqual(
      values(go(vmap(lax.select, { inAxes: [0, null, null] })(b([false, true]), np.array([0, 1]), np.array([2, 3])))),
      [[2, 3], [0, 1]]
    )
    assert.deepStrictEqual(
      values(go(vmap(lax.select, { inAxes: [null, 0, null] })(np.array(true), f32([0, 1]), f32(3)))),
      [0, 1]
    )
    assert.deepStrictEqual(
      values(go(vmap(lax.select, { inAxes: [0, 0, null] })(b([false, true]), f32([0, 1]), f32(3)))),
      [
        3,
        1
      ]
    )
    assert.deepStrictEqual(
      values(go(vmap(lax.select, { inAxes: [0, null, 1], outAxes: 1 })(b([false, true]), f32([2]), f32([[3, 4]])))),
      [[3, 2]]
    )
  })
})

describe("convolutions, pools and linalg under vmap (batching_test.py)", () => {
  const rng = prng(5)
  const W = randomTensor(rng, [3, 3, 1, 5], "float32")
  const X = randomTensor(rng, [10, 5, 5, 1], "float32")
  const conv = (x: Tensor, w: Tensor = W) =>
    lax.convGeneralDilated(x, w, [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] })

  it("testConvGeneralDilated: per-example convolutions equal the batched convolution, and so do per-example gradients", () => {
    const perExample = go(vmap((x: Tensor) => conv(x))(np.reshape(X, [10, 1, 5, 5, 1])))
    assertClose(np.reshape(perExample, [10, 5, 5, 5]), conv(X), 1e-5)
    const gradLoss = grad((w: Tensor, x: Tensor) => np.mean(np.square(conv(x, w))))
    const perExampleGrads = go(vmap((x: Tensor) => gradLoss(W, x))(np.reshape(X, [10, 1, 5, 5, 1])))
    const loop = Array.from(
      { length: 10 },
      (_, i) => go(gradLoss(W, np.reshape(np.take(X, i, { axis: 0 }), [1, 5, 5, 1])))
    )
    assertClose(perExampleGrads, stack(loop, 0), 1e-5)
  })

  it("testConvGeneralDilatedBatchNotMajor: the batch dimension inside HNWC", () => {
    const w = randomTensor(rng, [3, 3, 1, 4], "float32")
    const x = randomTensor(rng, [3, 5, 7, 5, 1], "float32")
    const f = (v: Tensor) =>
      lax.convGeneralDilated(v, w, [1, 1], "SAME", { dimensionNumbers: ["HNWC", "HWIO", "HWNC"] })
    const perExample = go(vmap(f)(x))
    const got = np.reshape(np.transpose(perExample, { axes: [1, 2, 0, 3, 4] }), [5, 5, 21, 4])
    const direct = f(np.reshape(np.transpose(x, { axes: [1, 0, 2, 3, 4] }), [5, 21, 5, 1]))
    assertClose(got, direct, 1e-5)
  })

  for (
    const [name, op, unit] of [["max", lax.max, -Infinity], ["min", lax.min, Infinity], ["sum", lax.add, 0]] as const
  ) {
    it(`test${name === "sum" ? "SumPool" : "MinMaxPool"} (${name}): a pool after the convolution, per example`, () => {
      const f = (x: Tensor) => lax.reduceWindow(conv(x), unit, op, [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
      const perExample = go(vmap(f)(np.reshape(X, [10, 1, 5, 5, 1])))
      assertClose(np.reshape(perExample, [10, 5, 5, 5]), f(X), 1e-5)
    })
  }

  it("testIssue354: the gradient of a sum of vmapped cholesky-based losses equals the per-example gradients", () => {
    const r = prng(354)
    const m = randomTensor(r, [20, 10], "float64")
    const psd = np.matmul(np.transpose(m), m)
    const vec = randomTensor(r, [10], "float64")
    const f = (scale: Tensor) => {
      const chol = np.linalg.cholesky(np.multiply(np.expandDims(scale, 0), psd))
      return np.multiply(-0.5, np.sum(np.square(np.matmul(chol, vec))))
    }
    const scales = np.array([[0.1], [0.2], [0.3], [0.4], [0.5]], { dtype: "float64" })
    const ans = go(grad((s: Tensor) => np.sum(go(vmap(f)(s))))(scales))
    const loop = [0, 1, 2, 3, 4].map((i) => go(grad(f)(np.take(scales, i, { axis: 0 }))))
    assertClose(ans, stack(loop, 0), 1e-10)
  })
})
