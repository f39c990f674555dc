/**
 * jax.nn.initializers: each equals JAX's formula over the same random draw (so
 * a key gives JAX's weights), fan conventions (JAX's _compute_fans), sample
 * variances, orthogonality, dtypes and JAX's error for a 1-d shape.
 */
import { assert, describe, it } from "@effect/vitest"
import { nn, np, random, ShapeError } from "diffect"
import { assertClose, flat } from "./helpers.js"

const init = nn.initializers
const key = random.key(0)
const variance = (v: ReadonlyArray<number>) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length
}
const f32 = Math.fround

describe("fans", () => {
  it("dense, convolution kernels and explicit axes (JAX's _compute_fans)", () => {
    assert.deepStrictEqual(init.computeFans([784, 128]), [784, 128])
    assert.deepStrictEqual(init.computeFans([3, 3, 16, 32]), [144, 288])
    assert.deepStrictEqual(init.computeFans([2, 3, 4, 5], { inAxis: [0, 1], outAxis: [-2, -1] }), [6, 20])
    assert.deepStrictEqual(init.computeFans([2, 3, 4, 5], { inAxis: 0, outAxis: [2, 3], batchAxis: 1 }), [2, 20])
    assert.deepStrictEqual(init.computeFans([7], { inAxis: [], outAxis: [] }), [7, 7])
  })
  it("a shape that is not one is a typed error from every fan-based initializer (was a TypeError: not iterable)", () => {
    const tagOf = (f: () => unknown) => {
      try {
        f()
        return "no error"
      } catch (e) {
        return (e as { _tag?: string })._tag ?? "plain"
      }
    }
    for (const make of [init.glorotNormal, init.heUniform, init.lecunNormal, () => init.orthogonal()]) {
      for (const shape of [undefined, null, "x", {}, [2.5, 3], [-1, 2]]) {
        assert.oneOf(
          tagOf(() => make()(key, shape as never)),
          ["ArgumentError", "ShapeError"],
          `shape ${String(shape)}`
        )
      }
      // a number is a 1-d shape: the fans (or the orthogonal matrix) need two dimensions
      assert.strictEqual(tagOf(() => make()(key, 2 as never)), "ShapeError")
    }
    assert.strictEqual(tagOf(() => init.computeFans(null as never)), "ArgumentError")
  })
  it("a 1-d shape with the default in_axis is JAX's error", () => {
    assert.throws(
      () => init.varianceScaling(1, "fanAvg", "truncatedNormal")(key, [5]),
      ShapeError,
      /Can't compute input and output sizes of a 1-dimensional weights tensor with default in_axis/
    )
  })
})

describe("each initializer is JAX's formula over the same draw", () => {
  const shape = [64, 32]
  it("heNormal, lecunNormal, glorotNormal: truncated normal * sqrt(variance) / 0.8796...", () => {
    const t = flat(random.truncatedNormal(key, -2, 2, shape))
    const cases = [
      [init.heNormal(), 2 / 64],
      [init.lecunNormal(), 1 / 64],
      [init.glorotNormal(), 1 / 48]
    ] as const
    for (const [f, v] of cases) {
      const stddev = f32(f32(Math.sqrt(f32(v))) / f32(0.87962566103423978))
      assertClose(f(key, shape), t.map((x) => f32(x * stddev)), 0)
    }
  })
  it("heUniform, lecunUniform, glorotUniform: uniform(-1, 1) * sqrt(3 variance)", () => {
    const u = flat(random.uniform(key, shape, { minval: -1 }))
    const cases = [
      [init.heUniform(), 2 / 64],
      [init.lecunUniform(), 1 / 64],
      [init.glorotUniform(), 1 / 48]
    ] as const
    for (const [f, v] of cases) {
      const s = f32(Math.sqrt(f32(3 * f32(v))))
      assertClose(f(key, shape), u.map((x) => f32(x * s)), 0)
    }
  })
  it("varianceScaling normal with fanOut and fanGeoAvg", () => {
    const z = flat(random.normal(key, shape))
    assertClose(
      init.varianceScaling(3, "fanOut", "normal")(key, shape),
      z.map((x) => f32(x * f32(Math.sqrt(f32(3 / 32))))),
      0
    )
    const geo = Math.sqrt(64 * 32)
    assertClose(
      init.varianceScaling(1, "fanGeoAvg", "normal")(key, shape),
      z.map((x) => f32(x * f32(Math.sqrt(f32(1 / geo))))),
      0
    )
  })
  it("normal, uniform, truncatedNormal, constant, zeros, ones", () => {
    assertClose(init.normal(0.5)(key, [4]), flat(random.normal(key, [4])).map((x) => f32(x * 0.5)), 0)
    assertClose(init.uniform(2)(key, [4]), flat(random.uniform(key, [4])).map((x) => f32(x * 2)), 0)
    assertClose(
      init.truncatedNormal(0.02)(key, [4]),
      flat(random.truncatedNormal(key, -2, 2, [4])).map((x) => f32(x * f32(0.02))),
      0
    )
    assertClose(init.constant(0.25)(key, [2, 2]), [0.25, 0.25, 0.25, 0.25], 0)
    assertClose(init.zeros(key, [3]), [0, 0, 0], 0)
    assertClose(init.ones(key, [2]), [1, 1], 0)
  })
  it("dtype: float64 when asked, by the call or by the builder", () => {
    assert.strictEqual(init.heNormal()(key, [4, 4], "float64").dtype, "float64")
    assert.strictEqual(init.glorotUniform({ dtype: "float64" })(key, [4, 4]).dtype, "float64")
    assert.strictEqual(init.zeros(key, [1]).dtype, "float32")
  })
})

describe("statistics", () => {
  it("sample variances match scale / fan", () => {
    const shape = [400, 100]
    assert.closeTo(variance(flat(init.heNormal()(key, shape))), 2 / 400, 2 / 400 * 0.05)
    assert.closeTo(variance(flat(init.glorotUniform()(key, shape))), 1 / 250, 1 / 250 * 0.05)
    assert.closeTo(variance(flat(init.lecunNormal()(key, shape))), 1 / 400, 1 / 400 * 0.05)
  })
  it("orthogonal: W^T W = I (tall), W W^T = I (wide), along columnAxis, scaled", () => {
    const tall = init.orthogonal()(key, [6, 3], "float64")
    assertClose(np.matmul(np.transpose(tall), tall), flat(np.eye(3)), 1e-12)
    const wide = init.orthogonal(2)(key, [2, 5], "float64")
    assertClose(
      np.matmul(wide, np.transpose(wide)),
      flat(np.multiply(4, np.eye(2, { dtype: "float64" }))),
      1e-12
    )
    const conv = init.orthogonal(1, { columnAxis: 0 })(key, [3, 2, 2], "float64")
    const m = np.reshape(np.moveaxis(conv, 0, -1), [4, 3])
    assertClose(np.matmul(np.transpose(m), m), flat(np.eye(3)), 1e-12)
    assertClose(init.orthogonal()(key, [0, 3]), [], 0)
    assert.throws(() => init.orthogonal()(key, [3]), ShapeError)
  })
  it("a missing or malformed shape is an ArgumentError, not a TypeError", () => {
    const init = nn.initializers.glorotNormal()
    assert.throws(() => init(random.key(0), undefined as never), /computeFans: shape must be/)
    assert.throws(() => init(random.key(0), "3x3" as never), /computeFans: shape must be/)
  })
})
