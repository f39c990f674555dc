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
