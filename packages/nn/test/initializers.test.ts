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

describe("the makers' arguments and options are checked (JAX's positional arguments are options here)", () => {
  type Any = never
  it("a positional dtype (JAX's constant(value, dtype), normal(stddev, dtype)) is an ArgumentError, not float32", () => {
    assert.throws(
      () => init.constant(1, "float64" as Any),
      /constant: options must be an options object \(\{ dtype \}\)/
    )
    assert.throws(() => init.normal(1, "float64" as Any), /normal: options must be an options object \(\{ dtype \}\)/)
    assert.throws(() => init.uniform(1, "float64" as Any), /uniform: options must be an options object/)
    assert.throws(() => init.truncatedNormal(1, "float64" as Any), /truncatedNormal: options must be an options object/)
    assert.throws(() => init.orthogonal(1, "float64" as Any), /orthogonal: options must be an options object/)
    assert.throws(() => init.deltaOrthogonal(1, "float64" as Any), /deltaOrthogonal: options must be an options object/)
    // the options form
    assert.strictEqual(init.constant(1, { dtype: "float64" })(key, [2]).dtype, "float64")
    assert.strictEqual(init.normal(1, { dtype: "float64" })(key, [2]).dtype, "float64")
  })
  it("snake_case and unknown keys are refused, naming the camelCase options (was: the default fans)", () => {
    const keys =
      /options must be an object with keys among inAxis, outAxis, batchAxis, dtype, got the unknown key "in_axis"/
    for (const make of [init.glorotNormal, init.glorotUniform, init.heNormal, init.heUniform, init.lecunNormal]) {
      assert.throws(() => make({ in_axis: 0, out_axis: 1 } as Any), keys)
    }
    assert.throws(() => init.xavierNormal({ in_axis: 0 } as Any), /glorotNormal: .*"in_axis"/)
    assert.throws(() => init.varianceScaling(1, "fanIn", "normal", { bogus: 1 } as Any), /varianceScaling: .*"bogus"/)
    assert.throws(() => init.computeFans([2, 3], { batch_axis: 0 } as Any), /computeFans: .*"batch_axis"/)
    assert.throws(() => init.constant(1, { dtyp: "float64" } as Any), /constant: .*"dtyp"/)
    assert.throws(() => init.uniform(1, { dtype: "float65" } as Any), /uniform: unknown dtype "float65"/)
    assert.throws(() => init.truncatedNormal(1, { lo: -1 } as Any), /truncatedNormal: .*"lo"/)
    assert.throws(() => init.orthogonal(1, { column_axis: 0 } as Any), /orthogonal: .*"column_axis"/)
    assert.throws(
      () => init.deltaOrthogonal(1, { columnAxis: "0" } as Any),
      /deltaOrthogonal: columnAxis must be an integer/
    )
  })
  it("a fan axis of another kind is an ArgumentError naming it (was a TypeError: reduce is not a function)", () => {
    assert.throws(
      () => init.computeFans([2, 3], { inAxis: "a" } as Any),
      /computeFans: inAxis must be an integer or an array/
    )
    assert.throws(
      () => init.computeFans([2, 3], { outAxis: {} } as Any),
      /computeFans: outAxis must be .*got an object/
    )
    assert.throws(() => init.glorotNormal({ batchAxis: ["0"] } as Any), /glorotNormal: batchAxis must be/)
  })
  it("a scale or standard deviation that is not a number (or array) is an ArgumentError (was NaN weights)", () => {
    assert.throws(
      () => init.varianceScaling("abc" as Any, "fanIn", "normal"),
      /varianceScaling: scale must be a number/
    )
    assert.throws(() => init.normal("1" as Any), /normal: stddev must be a number or an array/)
    assert.throws(() => init.constant("1" as Any), /constant: value must be a number or an array/)
    assert.throws(() => init.truncatedNormal(1, { lower: "a" } as Any), /truncatedNormal: lower must be/)
    // an array fill value broadcasts, as JAX's jnp.full
    assert.deepStrictEqual(flat(init.constant(np.array([1, 2]) as Any)(key, [2, 2])), [1, 2, 1, 2])
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

// The real and imaginary parts of a complex tensor, flat.
const parts = (z: ReturnType<typeof np.array>) => [flat(np.real(z)), flat(np.imag(z))] as const

describe("complex dtypes (JAX's _normal, _complex_uniform, _complex_truncated_normal)", () => {
  const [k1, k2] = [random.split(key).at(0), random.split(key).at(1)]
  it("random.normal: the two halves of a split as real and imaginary parts, each over sqrt 2", () => {
    for (const [dtype, real, tol] of [["complex64", "float32", 1e-7], ["complex128", "float64", 1e-15]] as const) {
      const z = random.normal(key, [5], { dtype })
      assert.strictEqual(z.dtype, dtype)
      const [re, im] = parts(z)
      assertClose(re, flat(random.normal(k1, [5], { dtype: real })).map((v) => v / Math.SQRT2), tol)
      assertClose(im, flat(random.normal(k2, [5], { dtype: real })).map((v) => v / Math.SQRT2), tol)
    }
    const [re, im] = parts(random.normal(key, [20000], { dtype: "complex64" }))
    assert.closeTo(re.reduce((a, v, i) => a + v * v + im[i]! ** 2, 0) / 20000, 1, 0.03)
  })
  it("random.orthogonal: unitary Q^H Q = I, tall and wide", () => {
    const q = random.orthogonal(key, 4, { dtype: "complex128" })
    assert.strictEqual(q.dtype, "complex128")
    const eye = np.matmul(np.conj(np.transpose(q)), q)
    assertClose(flat(np.real(eye)), flat(np.eye(4)), 1e-12)
    assertClose(flat(np.imag(eye)), flat(np.zeros([4, 4])), 1e-12)
    const w = random.orthogonal(key, 2, { m: 5, dtype: "complex64" })
    assert.deepStrictEqual(w.shape, [2, 5])
    assertClose(flat(np.real(np.matmul(w, np.conj(np.transpose(w))))), flat(np.eye(2)), 1e-6)
  })
  it("normal and orthogonal initializers take complex dtypes; uniform and truncatedNormal refuse them as JAX", () => {
    const [re] = parts(init.normal(2)(key, [4], "complex64"))
    assertClose(re, parts(random.normal(key, [4], { dtype: "complex64" }))[0].map((v) => 2 * v), 1e-6)
    assert.strictEqual(init.orthogonal()(key, [3, 3], "complex64").dtype, "complex64")
    assert.throws(() => init.uniform()(key, [3], "complex64"), /must be a float dtype/)
    assert.throws(() => init.truncatedNormal()(key, [3], "complex64"), /must be a float dtype/)
  })
  it("varianceScaling uniform: sqrt(2 u) e^(2 pi i v) on a disk, times sqrt(variance)", () => {
    const z = init.varianceScaling(2, "fanIn", "uniform")(key, [4, 3], "complex128")
    const u = flat(random.uniform(k1, [4, 3], { dtype: "float64" }))
    const v = flat(random.uniform(k2, [4, 3], { dtype: "float64" }))
    const sd = Math.sqrt(2 / 4)
    const [re, im] = parts(z)
    assertClose(re, u.map((a, i) => sd * Math.sqrt(2 * a) * Math.cos(2 * Math.PI * v[i]!)), 1e-12)
    assertClose(im, u.map((a, i) => sd * Math.sqrt(2 * a) * Math.sin(2 * Math.PI * v[i]!)), 1e-12)
  })
  it("varianceScaling truncatedNormal: the modulus of a complex normal truncated at 2, variance scale / fan", () => {
    const z = init.varianceScaling(1, "fanIn", "truncatedNormal")(key, [4, 3], "complex128")
    const u = flat(random.uniform(k1, [4, 3], { dtype: "float64" }))
    const v = flat(random.uniform(k2, [4, 3], { dtype: "float64" }))
    const sd = 0.5 / 0.9531116438049121 // JAX: .95311164380491208
    const r = u.map((a) => Math.sqrt(-Math.log(1 - (1 - Math.exp(-4)) * a)))
    const [re, im] = parts(z)
    assertClose(re, r.map((m, i) => sd * m * Math.cos(2 * Math.PI * v[i]!)), 1e-12)
    assertClose(im, r.map((m, i) => sd * m * Math.sin(2 * Math.PI * v[i]!)), 1e-12)
    // glorotNormal at a large fan: E|z|^2 = 2 / (fanIn + fanOut)
    const [gr, gi] = parts(init.glorotNormal()(key, [200, 100], "complex64"))
    assert.closeTo(gr.reduce((a, x, i) => a + x * x + gi[i]! ** 2, 0) / 20000 * 150, 1, 0.03)
  })
})

describe("deltaOrthogonal and the kaiming / xavier aliases", () => {
  it("an orthogonal matrix at the window's centre, zeros elsewhere (JAX's delta_orthogonal)", () => {
    for (const shape of [[3, 2, 3], [4, 3, 3, 3], [3, 2, 5, 2, 4]]) {
      const w = init.deltaOrthogonal(2)(key, shape, "float64")
      assert.deepStrictEqual(w.shape, shape)
      const centre = init.orthogonal(2)(key, shape.slice(-2), "float64")
      const spatial = shape.slice(0, -2)
      const index = spatial.map((k) => Math.floor((k - 1) / 2))
      const values = flat(w)
      const block = shape.at(-2)! * shape.at(-1)!
      const at = index.reduce((a, i, d) => a * spatial[d]! + i, 0)
      values.forEach((x, i) => {
        if (Math.floor(i / block) !== at) assert.strictEqual(x, 0)
      })
      assertClose(values.slice(at * block, (at + 1) * block), flat(centre), 0)
    }
    assert.throws(() => init.deltaOrthogonal()(key, [3, 3]), /requires a 3D, 4D or 5D shape/)
    assert.throws(() => init.deltaOrthogonal()(key, [1, 2, 3, 4, 5, 6]), ShapeError)
    assert.throws(() => init.deltaOrthogonal()(key, [3, 3, 2]), /`fan_in` must be less or equal than `fan_out`/)
  })
  it("kaimingNormal, kaimingUniform, xavierNormal, xavierUniform are JAX's aliases", () => {
    assert.strictEqual(init.kaimingNormal, init.heNormal)
    assert.strictEqual(init.kaimingUniform, init.heUniform)
    assert.strictEqual(init.xavierNormal, init.glorotNormal)
    assert.strictEqual(init.xavierUniform, init.glorotUniform)
  })
})
