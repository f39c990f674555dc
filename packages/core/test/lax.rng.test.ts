/**
 * lax.rngBitGenerator and lax.rngUniform (JAX's rng_bit_generator and
 * rng_uniform, implementation-defined in JAX): the hashes against Random123's
 * known answers (Philox-4x32-10's and Threefry-2x32-20's kat_vectors), the
 * counter-mode stream (block j hashes counter c + j; the returned key continues
 * it, with the 64-bit carry), jit and vmap over keys, the uniform's range,
 * dtypes, statistics and freshness, and typed errors.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  DTypeError,
  InvalidArrayError,
  jit,
  lax,
  np,
  runSync,
  ShapeError,
  type Tensor,
  toJsSync,
  vmap
} from "diffect"
import { philox4x32, threefry2x32 } from "../src/internal/counterHash.js"

const u32 = (v: Array<number>) => np.array(v.map((x) => x >>> 0), { dtype: "uint32" })
const words = (t: Tensor) => toJsSync(t) as Array<number>
const M = 0xffffffff

describe("Random123's known answers", () => {
  const one = (v: number) => u32([v])
  const hash = (k: [number, number], x: [number, number, number, number]) =>
    philox4x32(one(k[0]), one(k[1]), [one(x[0]), one(x[1]), one(x[2]), one(x[3])]).map((t) => words(t)[0])
  it("Philox-4x32-10: zeros, all ones, the digits of pi", () => {
    assert.deepStrictEqual(hash([0, 0], [0, 0, 0, 0]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8])
    assert.deepStrictEqual(hash([M, M], [M, M, M, M]), [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd])
    assert.deepStrictEqual(
      hash([0xa4093822, 0x299f31d0], [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344]),
      [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
    )
  })
  it("Threefry-2x32-20: zeros and the digits of pi", () => {
    const [a, b] = threefry2x32(one(0), one(0), one(0), one(0))
    assert.deepStrictEqual([words(a)[0], words(b)[0]], [0x6b200159, 0x99ba4efe])
    const [c, d] = threefry2x32(one(0x13198a2e), one(0x03707344), one(0x243f6a88), one(0x85a308d3))
    assert.deepStrictEqual([words(c)[0], words(d)[0]], [0xc4923a9c, 0x483df7a0])
  })
})

describe("lax.rngBitGenerator", () => {
  it("block j is the hash of counter c + j under the key's words 0 and 1", () => {
    // Philox: counter (lo, hi, 0, 0); the pi key and a counter from the pi digits
    const key = u32([0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3])
    const [next, bits] = lax.rngBitGenerator(key, [2, 4], { algorithm: "philox" })
    const block = (lo: number) =>
      philox4x32(u32([0xa4093822]), u32([0x299f31d0]), [u32([lo]), u32([0x85a308d3]), u32([0]), u32([0])]).map((t) =>
        words(t)[0]
      )
    assert.deepStrictEqual(toJsSync(bits), [block(0x243f6a88), block(0x243f6a89)])
    assert.deepStrictEqual(words(next), [0xa4093822, 0x299f31d0, 0x243f6a8a, 0x85a308d3])
    // Threefry: the pair (lo, hi) under (k0, k1): the pi known answer at counter (0x243f6a88, 0x85a308d3)
    const tf = lax.rngBitGenerator(u32([0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3]), [3], {
      algorithm: "threeFry"
    })
    assert.deepStrictEqual(words(tf[1]).slice(0, 2), [0xc4923a9c, 0x483df7a0])
    assert.deepStrictEqual(words(tf[0]), [0x13198a2e, 0x03707344, 0x243f6a8a, 0x85a308d3])
  })

  it("the returned key continues the stream, carrying into the high counter word", () => {
    for (const algorithm of ["default", "threeFry", "philox"] as const) {
      const per = algorithm === "threeFry" ? 2 : 4
      const key = u32([7, 9, M - 1, 5])
      const [k1, first] = lax.rngBitGenerator(key, [3 * per], { algorithm })
      const [k2, second] = lax.rngBitGenerator(k1, [2 * per], { algorithm })
      const [k3, whole] = lax.rngBitGenerator(key, [5 * per], { algorithm })
      assert.deepStrictEqual([...words(first), ...words(second)], words(whole), algorithm)
      assert.deepStrictEqual(words(k1), [7, 9, 1, 6], algorithm)
      assert.deepStrictEqual(words(k2), words(k3), algorithm)
    }
    // "default" is Philox
    const key = u32([1, 2, 3, 4])
    assert.deepStrictEqual(
      toJsSync(lax.rngBitGenerator(key, [5])),
      toJsSync(lax.rngBitGenerator(key, [5], { algorithm: "philox" }))
    )
  })

  it("shapes, an empty draw, and the bits' spread (each bit set about half the time)", () => {
    const key = u32([0, 42, 0, 0])
    const [next, empty] = lax.rngBitGenerator(key, [0, 3])
    assert.deepStrictEqual([empty.shape, empty.dtype, words(next)], [[0, 3], "uint32", [0, 42, 0, 0]])
    const [, bits] = lax.rngBitGenerator(key, [4000])
    const v = words(bits)
    for (let b = 0; b < 32; b++) {
      const ones = v.filter((x) => (x >>> b) & 1).length
      // binomial(4000, 1/2): sd 31.6; 6 sd
      assert.ok(Math.abs(ones - 2000) < 190, `bit ${b}: ${ones}`)
    }
  })

  it("under jit and vmap over keys, the eager values", () => {
    const keys = u32([1, 2, 3, 4, 5, 6, M, 8]).reshape([2, 4])
    const draw = (k: Tensor) => lax.rngBitGenerator(k, [3], { algorithm: "threeFry" })
    const eager = [0, 1].map((i) => toJsSync(draw(keys.at(i))))
    assert.deepStrictEqual(toJsSync(runSync(jit(draw)(keys.at(1)))), eager[1])
    const [nk, nb] = runSync(vmap(draw)(keys))
    assert.deepStrictEqual([toJsSync(nk), toJsSync(nb)], [eager.map((e) => e[0]), eager.map((e) => e[1])])
  })

  it("typed errors", () => {
    const key = u32([0, 0, 0, 0])
    assert.throws(() => lax.rngBitGenerator(u32([0, 0]), [2]), DTypeError)
    assert.throws(() => lax.rngBitGenerator(np.zeros([4]), [2]), DTypeError)
    assert.throws(() => lax.rngBitGenerator(key, [2], { dtype: "int32" }), DTypeError)
    assert.throws(() => lax.rngBitGenerator(key, [2], { dtype: "uint8" as never }), InvalidArrayError)
    assert.throws(() => lax.rngBitGenerator(key, [2], { algorithm: "mt" as never }), ArgumentError)
    assert.throws(() => lax.rngBitGenerator(key, [-1]), ShapeError)
    assert.throws(() => lax.rngBitGenerator("key" as never, [2]), ArgumentError)
  })
})

describe("lax.rngUniform", () => {
  it("float32 in [a, b): range, mean and variance of 20000 draws; new values at each call", () => {
    const x = lax.rngUniform(np.array(-2, { dtype: "float32" }), np.array(3, { dtype: "float32" }), [20000])
    assert.strictEqual(x.dtype, "float32")
    const v = words(x)
    assert.ok(v.every((t) => t >= -2 && t < 3))
    const mean = v.reduce((a, b) => a + b, 0) / v.length
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length
    // uniform(-2, 3): mean 0.5 (sd of the mean 0.0102), variance 25/12
    assert.ok(Math.abs(mean - 0.5) < 0.06, `mean ${mean}`)
    assert.ok(Math.abs(variance - 25 / 12) < 0.1, `variance ${variance}`)
    assert.notDeepEqual(toJsSync(lax.rngUniform(0, 1, [4])), toJsSync(lax.rngUniform(0, 1, [4])))
    // JS numbers are weak float32
    const w = lax.rngUniform(0, 1, [2, 3])
    assert.deepStrictEqual([w.shape, w.dtype, w.weakType], [[2, 3], "float32", true])
  })

  it("float64 draws carry 53 random bits; never b even where rounding would reach it", () => {
    const v = words(lax.rngUniform(np.array(0, { dtype: "float64" }), np.array(1, { dtype: "float64" }), [200]))
    assert.ok(v.every((t) => t >= 0 && t < 1))
    // multiples of 2^-53; some not multiples of 2^-24 (more than float32's bits)
    assert.ok(v.every((t) => Number.isInteger(t * 2 ** 53)))
    assert.ok(v.some((t) => !Number.isInteger(t * 2 ** 24)))
    // [1, 1 + 2^-23): a + (b - a) u rounds to b for u near 1; kept below b
    const b = 1 + 2 ** -23
    const y = words(lax.rngUniform(np.array(1, { dtype: "float32" }), np.array(b, { dtype: "float32" }), [2000]))
    assert.ok(y.every((t) => t === 1))
  })

  it("int32 and uint32: every value of [a, b) drawn, none outside", () => {
    const v = words(lax.rngUniform(np.array(-3, { dtype: "int32" }), np.array(4, { dtype: "int32" }), [700]))
    assert.deepStrictEqual([...new Set(v)].sort((p, q) => p - q), [-3, -2, -1, 0, 1, 2, 3])
    const big = lax.rngUniform(np.array(4e9, { dtype: "uint32" }), np.array(4e9 + 10, { dtype: "uint32" }), [300])
    assert.strictEqual(big.dtype, "uint32")
    assert.deepStrictEqual(
      [...new Set(words(big))].sort((p, q) => p - q),
      Array.from({ length: 10 }, (_, i) => 4e9 + i)
    )
    // the full int32 range: b - a overflows int32 but not its uint32 difference
    const wide = words(
      lax.rngUniform(np.array(-(2 ** 31), { dtype: "int32" }), np.array(2 ** 31 - 1, { dtype: "int32" }), [100])
    )
    assert.ok(wide.some((t) => t < 0) && wide.some((t) => t > 0))
  })

  it("typed errors: JAX's (identical dtypes, scalars) and dtypes diffect cannot draw", () => {
    const f = (x: number) => np.array(x, { dtype: "float32" })
    assert.throws(() => lax.rngUniform(f(0), np.array(1, { dtype: "float64" }), [2]), DTypeError)
    assert.throws(() => lax.rngUniform(np.array([0, 1]), f(1), [2]), ShapeError)
    assert.throws(() => lax.rngUniform(np.array(false), np.array(true), [2]), DTypeError)
    assert.throws(() => lax.rngUniform(f(0), f(1), [1.5]), ShapeError)
    assert.throws(() => lax.rngUniform("0" as never, f(1), [2]), ArgumentError)
  })
})
