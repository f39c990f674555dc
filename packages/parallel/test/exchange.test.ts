/**
 * The exchange's all-reduce (internal/exchange.ts) on one worker: every result equals the
 * gathered stack's reduction by the typed-array backend, bit for bit (sums of terms whose
 * rounding depends on their order, NaN and signed zeros for max/min), with payloads larger
 * than a slot (chunks); where it cannot promise that, it declines (the rule gathers then).
 */
import { assert, describe, it } from "@effect/vitest"
import { lax, np, type Tensor, toJsSync } from "diffect"
import * as fc from "fast-check"
import { exchangeSize, makeCollectives, resetExchange } from "../src/internal/exchange.js"

const collectives = (slotBytes: number) => {
  const sab = new SharedArrayBuffer(exchangeSize(1, slotBytes))
  resetExchange(sab)
  return makeCollectives(sab, 0, 1, slotBytes, "i")
}
const bits = (t: Tensor): Array<number> => [toJsSync(t)].flat(8) as Array<number>
const reducers = {
  sum: lax.reduceSum,
  max: lax.reduceMax,
  min: lax.reduceMin,
  // pmean: the sum, then a division by the axis's size (one worker: its slices)
  mean: (x: Tensor, axes: ReadonlyArray<number>) => {
    const total = lax.reduceSum(x, axes)
    return lax.div(total, lax.full(total.shape, x.shape[0]!, total.dtype, total.weakType))
  }
} as const

describe("allReduce", () => {
  it("equals reduce(allGather(x), [0]) bit for bit, and pmean's sum-then-divide (float32, float64; 1-3 slices; chunked slots)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("float32" as const, "float64" as const),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom("sum" as const, "max" as const, "min" as const, "mean" as const),
        fc.constantFrom(16, 64, 1 << 16),
        fc.array(fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(0, -0, 1e16, -1e16, 3e-8)), {
          minLength: 120,
          maxLength: 120
        }),
        (dtype, slices, cols, kind, slotBytes, pool) => {
          const { allGather, allReduce } = collectives(slotBytes)
          const x = np.array(pool.slice(0, slices * cols).concat(Array(Math.max(0, slices * cols - 120)).fill(1)), {
            dtype
          }).reshape([slices, cols])
          const got = allReduce(x, kind)
          const want = reducers[kind](allGather(x), [0])
          const chunked = slices * cols * (dtype === "float64" ? 8 : 4) > slotBytes
          if (slices > 1 && chunked) return assert.isUndefined(got, "terms of a column would arrive out of order")
          assert.isDefined(got)
          assert.deepStrictEqual(got!.shape, [cols])
          const a = bits(got!)
          const e = bits(want)
          a.forEach((v, i) => assert.isTrue(Object.is(v, e[i]), `${kind} element ${i}: ${v} !== ${e[i]}`))
        }
      ),
      { numRuns: 200 }
    )
  })

  it("declines what the backend reduces otherwise: scalars per slice (pairwise sums), integers", () => {
    const { allReduce } = collectives(1 << 16)
    assert.isUndefined(allReduce(np.array([1, 2, 3]), "sum"))
    assert.isUndefined(allReduce(np.array([[1, 2]], { dtype: "int32" }), "sum"))
    assert.deepStrictEqual(bits(allReduce(np.array([[1, 2], [3, 4]]), "sum")!), [4, 6])
  })
})

describe("allReduceMany", () => {
  const withSab = (slotBytes: number) => {
    const sab = new SharedArrayBuffer(exchangeSize(1, slotBytes))
    resetExchange(sab)
    // the barrier's generation word counts the rounds
    const rounds = () => new Int32Array(sab, 0, 16)[1]!
    return { ...makeCollectives(sab, 0, 1, slotBytes, "i"), rounds }
  }

  it("gives each value allReduce's result bit for bit, and leaves what allReduce would not take alone (property)", () => {
    const leaf = fc.record({
      dtype: fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
      shape: fc.constantFrom([1, 3], [1, 1], [1, 2, 5], [1], [2, 3], [1, 17], [1, 0]),
      values: fc.array(fc.oneof(fc.double(), fc.constantFrom(0, -0, 1e16, -1e16, 3e-8)), {
        minLength: 17,
        maxLength: 17
      })
    })
    fc.assert(
      fc.property(
        fc.array(leaf, { minLength: 1, maxLength: 7 }),
        fc.constantFrom("sum" as const, "max" as const, "min" as const, "mean" as const),
        fc.constantFrom(32, 64, 1 << 16),
        (leaves, kind, slotBytes) => {
          const xs = leaves.map(({ dtype, shape, values }) => {
            const size = shape.reduce((a: number, b: number) => a * b, 1)
            const data = values.slice(0, size).map((v) => (dtype === "int32" ? Math.trunc(v) | 0 : v))
            return np.array(data, { dtype }).reshape(shape)
          })
          const many = withSab(slotBytes).allReduceMany(xs, kind)
          assert.strictEqual(many.length, xs.length)
          xs.forEach((x, i) => {
            const fits = x.size * (x.dtype === "float64" ? 8 : 4) <= slotBytes
            const taken = x.dtype !== "int32" && x.shape[0] === 1 && x.ndim > 1 && fits
            if (!taken) return assert.isUndefined(many[i], `leaf ${i}: ${x.dtype}[${x.shape}]`)
            const alone = withSab(slotBytes).allReduce(x, kind)
            assert.isDefined(many[i])
            assert.deepStrictEqual(many[i]!.shape, alone!.shape)
            assert.strictEqual(many[i]!.dtype, x.dtype)
            const a = bits(many[i]!)
            const e = bits(alone!)
            a.forEach((v, j) => assert.isTrue(Object.is(v, e[j]), `${kind} leaf ${i} element ${j}: ${v} !== ${e[j]}`))
          })
        }
      ),
      { numRuns: 300 }
    )
  })

  it("takes one round (one barrier) for the values that fit a slot together, float32 and float64 apart", () => {
    const f32 = (n: number, v: number) => np.full([1, n], v, { dtype: "float32" })
    const f64 = (n: number, v: number) => np.full([1, n], v, { dtype: "float64" })
    const big = withSab(1 << 16)
    const out = big.allReduceMany([f32(4, 1), f32(5, 2), f64(3, 3), f32(3, 4), f64(2, 5), np.array([1])], "sum")
    assert.strictEqual(big.rounds(), 2)
    assert.deepStrictEqual(out.map((t) => (t === undefined ? undefined : bits(t))), [
      [1, 1, 1, 1],
      [2, 2, 2, 2, 2],
      [3, 3, 3],
      [4, 4, 4],
      [5, 5],
      undefined
    ])
    // 16, 24 (20 padded to 8 bytes) and 16 bytes: slots of 32 bytes take them one by one, slots
    // of 48 the first two together; one value alone is allReduce's own round
    for (const [slotBytes, rounds] of [[32, 3], [48, 2], [56, 1]] as const) {
      const c = withSab(slotBytes)
      const got = c.allReduceMany([f32(4, 1), f32(5, 2), f32(3, 4)], "max")
      assert.strictEqual(c.rounds(), rounds, `slots of ${slotBytes} bytes`)
      assert.deepStrictEqual(got.map((t) => bits(t!)), [[1, 1, 1, 1], [2, 2, 2, 2, 2], [4, 4, 4]])
    }
  })
})
