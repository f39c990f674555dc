/**
 * jax.random's API against jax/_src/random/core.py and the deterministic
 * cases of JAX's tests/random_lax_test.py: corner cases with literal answers,
 * randint's conversion of its bounds (_convert_and_clip_integer),
 * truncated_normal's array bounds and default shape, bernoulli's and gumbel's
 * modes (and the gumbel mode of categorical and choice), and
 * _safe_int_to_float.
 */
import { assert, describe, it } from "@effect/vitest"
import { ArgumentError, BroadcastError, np, random, ShapeError } from "diffect"
import type { Tensor } from "diffect"
import { safeIntToFloat } from "../src/internal/sampling.js"
import { assertClose, flat } from "./helpers.js"

const key = random.key(0)

describe("random_lax_test's corner cases", () => {
  it("testPoissonCornerCases: lam -1, 0, NaN give -1, 0, -1", () => {
    assert.deepStrictEqual(flat(random.poisson(key, np.array([-1, 0, NaN]), { shape: [3] })), [-1, 0, -1])
  })
  it("testBinomialCornerCases: NaN for a NaN or negative n or a p outside [0, 1]; inf for an infinite n", () => {
    const n = np.array([-1, 0, NaN, Infinity])
    assert.deepStrictEqual(flat(random.binomial(key, n, 0.5, { shape: [4] })), [NaN, 0, NaN, Infinity])
    const p = np.array([NaN, 0, -0.1, 1.1])
    assert.deepStrictEqual(flat(random.binomial(key, 5, p, { shape: [4] })), [NaN, 0, NaN, NaN])
    const nc = np.array([Infinity, -1, Infinity])
    const pc = np.array([NaN, NaN, -0.1])
    assert.deepStrictEqual(flat(random.binomial(key, nc, pc, { shape: [3] })), [NaN, NaN, NaN])
  })
  it("testPoissonZeros: lam 0 draws 0", () => {
    const lam = np.concatenate([np.zeros([10]), np.full([10], 20)])
    const rows = flat(random.poisson(key, lam, { shape: [2, 20] }))
    assert.deepStrictEqual([...rows.slice(0, 10), ...rows.slice(20, 30)], new Array(20).fill(0))
  })
  it("testSafeIntToFloat: 24 set bits at every shift of a 64-bit fraction come back exactly", () => {
    const mask = (1n << 24n) - 1n
    for (let shift = 0n; shift < 64n - 24n; shift++) {
      const i = mask << shift
      const hi = np.array([Number(i >> 32n)], { dtype: "uint32" })
      const lo = np.array([Number(i & 0xffffffffn)], { dtype: "uint32" })
      const f = flat(safeIntToFloat(hi, lo))[0]!
      assert.strictEqual(BigInt(f * 2 ** 64), i, `shift ${shift}`)
    }
  })
})

describe("randint's bounds, as JAX's _randint converts them", () => {
  const draw = (lo: np.TensorLike, hi: np.TensorLike, dtype?: "int32" | "uint32") =>
    flat(random.randint(key, [64], lo, hi, dtype === undefined ? undefined : { dtype }))
  it("float bounds are cast with astype(int) (truncated), not rejected", () => {
    assert.deepStrictEqual(draw(np.array(0.7), np.array(5.9)), draw(0, 5))
    assert.deepStrictEqual(draw(np.array(-2.5), np.array(3)), draw(-2, 3))
    // jnp.array([0, 1]) bounds (testRandomBroadcast); diffect's np.array of numbers is float32
    const r = random.randint(key, [10, 2], np.array([0, 1]), np.array([1, 2]))
    assert.deepStrictEqual(r.shape, [10, 2])
    assert.deepStrictEqual(flat(r), new Array(10).fill([0, 1]).flat())
  })
  it("integer bounds of the other dtype are clipped, not wrapped (_convert_and_clip_integer)", () => {
    // int32 -5 as a uint32 minval is 0 (it wrapped to 4294967291)
    const lo = np.array(-5, { dtype: "int32" })
    assert.deepStrictEqual(draw(lo, 3, "uint32"), draw(0, 3, "uint32"))
    // uint32 3e9 as an int32 maxval is past int32's maximum: the span reaches 2^31 - 1 (it wrapped negative)
    const hi = np.array(3e9, { dtype: "uint32" })
    const big = draw(2 ** 31 - 8, hi)
    assert.deepStrictEqual(big, draw(2 ** 31 - 8, 2 ** 31))
    assert.isTrue(big.every((v) => v >= 2 ** 31 - 8 && v <= 2 ** 31 - 1))
    assert.isTrue(big.includes(2 ** 31 - 1))
  })
})

describe("truncatedNormal: JAX's array bounds and shape=None", () => {
  it("bounds may be arrays; each element is the draw with that element's bounds", () => {
    const lower = [-1, 0, 1]
    const t = flat(random.truncatedNormal(key, np.array(lower), 2))
    lower.forEach((lo, i) => {
      assert.strictEqual(t[i], flat(random.truncatedNormal(key, lo, 2, [3]))[i])
      assert.isTrue(t[i]! > lo && t[i]! < 2)
    })
  })
  it("the shape defaults to the bounds' broadcast shape; a given shape must take them", () => {
    assert.deepStrictEqual(random.truncatedNormal(key, -1, 1).shape, [])
    assert.deepStrictEqual(random.truncatedNormal(key, np.zeros([3, 1]), np.ones([2])).shape, [3, 2])
    assert.deepStrictEqual(random.truncatedNormal(key, np.array([-1, 0]), 1, [4, 2]).shape, [4, 2])
    assert.throws(() => random.truncatedNormal(key, np.array([-1, 0]), 1, [3]), BroadcastError)
    assert.throws(() => random.truncatedNormal(key, np.zeros([2, 2]), 1, [2]), ShapeError, /broadcast-compatible/)
  })
  it("values stay strictly inside a narrow interval (nextafter of the bounds)", () => {
    const t = flat(random.truncatedNormal(key, 5, 5.0001, [50]))
    assert.isTrue(t.every((v) => v > Math.fround(5) && v < Math.fround(5.0001)))
  })
})

describe("bernoulli's and gumbel's modes", () => {
  const uniform2 = (dtype: "float32" | "float64", n: number) => {
    const u = flat(random.uniform(key, [2, n], { dtype }))
    return [u.slice(0, n), u.slice(n)] as const
  }
  it("bernoulli mode high: u2 * 2^-nmant < p - u1 for two uniforms (JAX's _bernoulli)", () => {
    const [u1, u2] = uniform2("float32", 200)
    const p = 0.3
    const want = u1.map((a, i) => Number(Math.fround(u2[i]! * 2 ** -23) < Math.fround(Math.fround(p) - a)))
    assert.deepStrictEqual(flat(random.bernoulli(key, p, { shape: [200], mode: "high" })), want)
    assert.deepStrictEqual(random.bernoulli(key, 0.5, { mode: "high" }).dtype, "bool")
    assert.throws(() => random.bernoulli(key, 0.5, { mode: "mid" as "low" }), ArgumentError, /"high" or "low"/)
    assert.throws(() => random.bernoulli(key, np.array([0.2, 0.3]), { shape: [3] }), BroadcastError)
  })
  it("gumbel mode high: -log(-log1p(-x)) of a fraction with twice the mantissa bits (JAX's _gumbel)", () => {
    for (const [dtype, nmant, smallest] of [["float32", 23, 2 ** -47], ["float64", 52, 2 ** -105]] as const) {
      const [high, low] = uniform2(dtype, 100)
      const x = high.map((h, i) => (h >= 0.5 ? h : h + 2 ** -nmant * low[i]! + smallest))
      const want = x.map((v) => -Math.log(-Math.log1p(-v)))
      assertClose(random.gumbel(key, [100], { dtype, mode: "high" }), want, dtype === "float32" ? 2e-6 : 1e-13)
    }
  })
  it("gumbel mode highest (float32): the 64 bits as one fraction, so its CDF values are high's within 2^-23", () => {
    // high's fraction drops the low 9 bits of each word; exp(-exp(-g)) = 1 - x recovers the fraction
    const cdf = (mode: "high" | "highest") =>
      flat(random.gumbel(key, [500], { mode })).map((g) => Math.exp(-Math.exp(-g)))
    const high = cdf("high")
    const highest = cdf("highest")
    high.forEach((h, i) => assert.isAtMost(Math.abs(h - highest[i]!), 2 ** -22, `${i}`))
    assert.notDeepEqual(highest, high)
    assert.deepStrictEqual(
      flat(random.gumbel(key, [20], { mode: "highest", dtype: "float64" })),
      flat(random.gumbel(key, [20], { mode: "high", dtype: "float64" }))
    )
    assert.throws(() => random.gumbel(key, [2], { mode: "x" as "low" }), ArgumentError, /"low", "high" or "highest"/)
  })
  it("categorical and choice pass their mode to gumbel", () => {
    const logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    const g = (mode: "low" | "high") => random.gumbel(key, [4], { mode })
    const argmax = (t: Tensor) => flat(np.argmax(np.add(t, logits)))[0]
    for (const mode of ["low", "high"] as const) {
      assert.deepStrictEqual(flat(random.categorical(key, logits, { mode })), [argmax(g(mode))!])
    }
    const p = np.array([0.1, 0.2, 0.3, 0.4])
    const top = (mode: "low" | "high") => {
      const scores = flat(np.add(g(mode), np.log(p)))
      return [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 2)
    }
    for (const mode of ["low", "high"] as const) {
      assert.deepStrictEqual(flat(random.choice(key, 4, { shape: [2], replace: false, p, mode })), top(mode))
    }
    assert.throws(() => random.categorical(key, logits, { mode: "x" as "low" }), ArgumentError)
  })
})
