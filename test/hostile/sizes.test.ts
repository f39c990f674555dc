/**
 * Extreme sizes (the hostile sweep of helper 7): dimensions past an int32 in
 * zero-size shapes, results past the host's arrays, widths many times an axis,
 * int32 overflow of arange's arguments. Each is a tagged error before any work,
 * or the right value quickly.
 */
import { assert, describe, it } from "@effect/vitest"
import { DType, lax, np, toJs, toJsSync, TypedArrayBackend } from "diffect"
import { Effect, Exit } from "effect"
import { caught } from "./hostile.js"

const fast = <A>(f: () => A, ms = 2000): A => {
  const t0 = performance.now()
  const out = f()
  assert.isBelow(performance.now() - t0, ms)
  return out
}

describe("dimensions of zero-size shapes", () => {
  it("a dimension past 2^31 - 1 is a ShapeError even when another is 0", () => {
    // np.zeros([2 ** 32, 0]) was made, and toJsSync of it threw a RangeError (Invalid array length)
    for (const shape of [[2 ** 32, 0], [0, 2 ** 53], [1e300, 1e300, 0]]) {
      const e = caught(() => np.zeros(shape))
      assert.strictEqual(e._tag, "ShapeError")
      assert.include(e.message, "more than the 2147483647 an axis may hold")
    }
    assert.strictEqual(caught(() => np.reshape(np.zeros([0]), [2 ** 32, 0]))._tag, "ShapeError")
    assert.strictEqual(caught(() => lax.reshape(np.zeros([0]), [2 ** 53, 0]))._tag, "ShapeError")
    assert.strictEqual(caught(() => np.broadcastTo(np.zeros([0]), [2 ** 32, 0]))._tag, "ShapeError")
    // up to the limit, and -0, are dimensions like any other
    assert.deepStrictEqual(np.zeros([2 ** 31 - 1, 0]).shape, [2 ** 31 - 1, 0])
    assert.deepStrictEqual(toJsSync(np.zeros([3, -0])), [[], [], []])
  })

  it("reading nested arrays past 1 GiB of JS heap is a BackendError, not a process abort", () => {
    // two billion empty arrays: V8's heap ran out (a fatal error no catch sees)
    const empty = np.zeros([2 ** 31 - 1, 0])
    const e = caught(() => toJsSync(empty))
    assert.strictEqual(e._tag, "BackendError")
    assert.include(e.message, "as nested JS arrays would take about")
    const exit = Effect.runSyncExit(Effect.provide(toJs(empty), TypedArrayBackend.layer))
    assert.isTrue(Exit.isFailure(exit) && Exit.findErrorOption(exit).pipe((o) => o._tag === "Some"))
    assert.deepStrictEqual(toJsSync(np.zeros([4, 0, 5])), [[], [], [], []])
  })
})

describe("np.pad", () => {
  it("checks the result's size before any work", () => {
    // wrap's 2^30 copies were a RangeError (a JS array past its limit) after 13 s
    const e = fast(() => caught(() => np.pad(np.ones([2]), 2 ** 30, { mode: "wrap" })))
    assert.strictEqual(e._tag, "BackendError")
    assert.include(e.message, "cannot allocate an array of 8589934600 bytes")
    // 2^31 bools fit the host's 2 GiB, not an int32 index
    const bools = caught(() => np.pad(np.array([true, false]), [2 ** 31 - 2, 0], { mode: "wrap" }))
    assert.strictEqual(
      bools.message,
      "pad: an array of shape (2147483648,) would have 2147483648 elements, more than the 2147483647 an array may hold"
    )
    // 2e9 float32 values (8 GB) fail at once: reflect made a billion concatenations first (a hang)
    assert.strictEqual(
      fast(() => caught(() => np.pad(np.ones([2]), [[1e9, 1e9]], { mode: "reflect" })))._tag,
      "BackendError"
    )
  })

  it("widths of many times the axis: the periodic extension, in milliseconds", () => {
    // a million mirror images: minutes of concatenations before
    const big = fast(() => np.pad(np.array([1, 2]), 1e6, { mode: "reflect" }))
    assert.deepStrictEqual(big.shape, [2000002])
    // reflect of [1, 2] alternates 2, 1 outward from each edge: 1e6 + 1 ones and 1e6 + 1 twos
    assert.strictEqual(toJsSync(np.sum(big)), 3000003)
    // np.pad(np.array([1., 4.]), 9, mode='reflect', reflect_type='odd').tolist()
    assert.deepStrictEqual(
      toJsSync(np.pad(np.array([1, 4], { dtype: "float64" }), 9, { mode: "reflect", reflectType: "odd" })),
      [-26, -23, -20, -17, -14, -11, -8, -5, -2, 1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31]
    )
    // np.pad(np.array([1, 2, 3]), [(13, 14)], mode='wrap').tolist()
    assert.deepStrictEqual(
      toJsSync(np.pad(np.array([1, 2, 3], { dtype: "int32" }), [13, 14], { mode: "wrap" })),
      [3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2]
    )
    // np.pad(np.array([1, 2, 3]), [(10, 11)], mode='symmetric').tolist()
    assert.deepStrictEqual(
      toJsSync(np.pad(np.array([1, 2, 3], { dtype: "uint32" }), [10, 11], { mode: "symmetric" })),
      [3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2]
    )
    // np.pad(np.array([[1, 2], [3, 5]]), [(0, 0), (9, 0)], mode='symmetric', reflect_type='odd').tolist()
    assert.deepStrictEqual(
      toJsSync(
        np.pad(np.array([[1, 2], [3, 5]], { dtype: "int32" }), [[0, 0], [9, 0]], {
          mode: "symmetric",
          reflectType: "odd"
        })
      ),
      [[-3, -3, -2, -2, -1, -1, 0, 0, 1, 1, 2], [-5, -5, -3, -3, -1, -1, 1, 1, 3, 3, 5]]
    )
    // complex odd reflection: each period moves by 2 * (last - first)
    const z = toJsSync(
      np.pad(np.array([{ re: 0, im: 1 }, { re: 1, im: 0 }]), [0, 9], { mode: "reflect", reflectType: "odd" })
    )
    assert.deepStrictEqual((z as ReadonlyArray<unknown>).at(-1), { re: 10, im: -9 })
  })

  it("linear_ramp of an empty axis is JAX's 'cannot apply' error (it was a slice's ShapeError)", () => {
    assert.strictEqual(
      caught(() => np.pad(np.zeros([0]), 1, { mode: "linear_ramp" })).message,
      "pad: cannot apply 'linear_ramp' padding to an empty axis"
    )
    // no padding of the empty axis: nothing to ramp from, nothing refused
    assert.deepStrictEqual(np.pad(np.zeros([0, 2]), [[0, 0], [1, 1]], { mode: "linear_ramp" }).shape, [0, 4])
  })
})

describe("np.arange and np.linspace", () => {
  it("an int32 start or step past int32 is JAX's overflow error (it was saturated silently)", () => {
    // np.arange(2 ** 53, 2 ** 53 + 4) gave [2147483647, 2147483647, 2147483647, 2147483647]
    const e = caught(() => np.arange(2 ** 53, 2 ** 53 + 4))
    assert.strictEqual(e._tag, "DTypeError")
    assert.include(e.message, "start 9007199254740992 too large to convert to int32")
    assert.strictEqual(caught(() => np.arange(2 ** 31, 2 ** 31 + 2))._tag, "DTypeError")
    assert.strictEqual(caught(() => np.arange(-2, 2, { dtype: "uint32" }))._tag, "DTypeError")
    assert.strictEqual(caught(() => np.arange(0, 10, { step: 2 ** 32 }))._tag, "DTypeError")
  })

  it("values wrap as JAX's int32 arithmetic does (start + step * iota)", () => {
    // np.arange(0, 5e9, 1e9, dtype=np.int32).tolist() (JAX's lax arithmetic wraps the same)
    assert.deepStrictEqual(
      toJsSync(np.arange(0, 5e9, { step: 1e9, dtype: "int32" })),
      [0, 1000000000, 2000000000, -1294967296, -294967296]
    )
    assert.deepStrictEqual(toJsSync(np.arange(2 ** 31 - 3, 2 ** 31 + 1)), [
      2147483645,
      2147483646,
      2147483647,
      -2147483648
    ])
    assert.deepStrictEqual(toJsSync(np.arange(2 ** 32 - 2, 2 ** 32 + 1, { dtype: "uint32" })), [
      4294967294,
      4294967295,
      0
    ])
    assert.deepStrictEqual(toJsSync(np.arange(5, 0, { step: -2 })), [5, 3, 1])
    assert.deepStrictEqual(toJsSync(np.arange(0, 1, { step: 0.25, dtype: "float64" })), [0, 0.25, 0.5, 0.75])
  })

  it("results past the host's largest array fail before their values are computed", () => {
    // 2^31 - 1 int32 values: two and a half minutes filling 16 GB before the allocation failed
    const e = fast(() => caught(() => np.arange(2 ** 31 - 1)))
    assert.strictEqual(e._tag, "BackendError")
    assert.include(e.message, "cannot allocate an array of 8589934588 bytes")
    assert.strictEqual(fast(() => caught(() => np.arange(0, 1, { step: 1e-9 })))._tag, "BackendError")
    assert.strictEqual(fast(() => caught(() => np.linspace(0, 1, { num: 6e8 })))._tag, "BackendError")
  })

  it("DType.checkHostAlloc is allocHost's check without the allocation", () => {
    assert.doesNotThrow(() => DType.checkHostAlloc("float32", 2 ** 29))
    assert.strictEqual(caught(() => DType.checkHostAlloc("float32", 2 ** 29 + 1))._tag, "BackendError")
    // complex values take two lanes
    assert.strictEqual(caught(() => DType.checkHostAlloc("complex64", 2 ** 28 + 1))._tag, "BackendError")
  })
})

describe("histograms", () => {
  it("histogram2d's counts past the limit fail naming histogramdd (it was 'full')", () => {
    const x = np.ones([2])
    const e = caught(() => np.histogram2d(x, x, { bins: 1e6 }))
    assert.strictEqual(e._tag, "ShapeError")
    assert.include(e.message, "histogramdd: an array of shape (1000000, 1000000)")
  })
})

describe("long strings", () => {
  it("an unknown dtype name of a million characters is cut in the message", () => {
    const e = caught(() => np.zeros([2], { dtype: "x".repeat(1e6) as never }))
    assert.strictEqual(e._tag, "InvalidArrayError")
    assert.include(e.message, `unknown dtype "${"x".repeat(40)}..."`)
    assert.isBelow(e.message.length, 300)
  })
})
