/**
 * uint32 and the bitwise primitives (xor, shift_left, shift_right_logical,
 * shift_right_arithmetic) on the typed-array backend: hand-derived edge cases
 * (wraparound, XLA's division by zero, shift counts >= 32, unsigned comparisons,
 * casts), then random operands against a BigInt reference (fast-check).
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { arr, bin, un } from "./helpers.js"

const M = 0xffffffff
const u = (values: ReadonlyArray<number>) => arr("uint32", [values.length], values)
const i = (values: ReadonlyArray<number>) => arr("int32", [values.length], values)

// BigInt references: the arithmetic stated independently of the generated code.
const mod32 = (x: bigint): number => Number(BigInt.asUintN(32, x))
const refU32: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => mod32(BigInt(a) + BigInt(b)),
  sub: (a, b) => mod32(BigInt(a) - BigInt(b)),
  mul: (a, b) => mod32(BigInt(a) * BigInt(b)),
  div: (a, b) => (b === 0 ? M : Number(BigInt(a) / BigInt(b))),
  rem: (a, b) => (b === 0 ? a : Number(BigInt(a) % BigInt(b))),
  max: (a, b) => Math.max(a, b),
  min: (a, b) => Math.min(a, b),
  and: (a, b) => mod32(BigInt(a) & BigInt(b)),
  or: (a, b) => mod32(BigInt(a) | BigInt(b)),
  xor: (a, b) => mod32(BigInt(a) ^ BigInt(b)),
  shift_left: (a, b) => (b >= 32 ? 0 : mod32(BigInt(a) << BigInt(b))),
  shift_right_logical: (a, b) => (b >= 32 ? 0 : Number(BigInt(a) >> BigInt(b))),
  shift_right_arithmetic: (a, b) => mod32(BigInt.asIntN(32, BigInt(a)) >> BigInt(Math.min(b, 31))),
  lt: (a, b) => Number(a < b),
  ge: (a, b) => Number(a >= b),
  eq: (a, b) => Number(a === b)
}
const refI32: Record<string, (a: number, b: number) => number> = {
  xor: (a, b) => Number(BigInt.asIntN(32, BigInt(a) ^ BigInt(b))),
  shift_left: (a, b) => (b >>> 0 >= 32 ? 0 : Number(BigInt.asIntN(32, BigInt(a) << BigInt(b)))),
  shift_right_logical: (
    a,
    b
  ) => (b >>> 0 >= 32 ? 0 : Number(BigInt.asIntN(32, BigInt.asUintN(32, BigInt(a)) >> BigInt(b)))),
  shift_right_arithmetic: (a, b) => Number(BigInt(a) >> BigInt(b >>> 0 >= 32 ? 31 : b))
}
const outOf = (op: string) => (["lt", "ge", "eq"].includes(op) ? "bool" : undefined)

describe("uint32 arithmetic", () => {
  it("add, sub and mul wrap modulo 2^32", () => {
    assert.deepStrictEqual(bin("add", u([M, 1]), u([1, 2])), [0, 3])
    assert.deepStrictEqual(bin("sub", u([0, 5]), u([1, 2])), [M, 3])
    assert.deepStrictEqual(bin("mul", u([0x10000, M]), u([0x10000, M])), [0, 1])
  })
  it("div and rem: XLA's x / 0 = 2^32 - 1 and x % 0 = x", () => {
    assert.deepStrictEqual(bin("div", u([M, 7, 3]), u([2, 0, 4])), [0x7fffffff, M, 0])
    assert.deepStrictEqual(bin("rem", u([M, 7]), u([10, 0])), [5, 7])
  })
  it("comparisons and max/min are unsigned", () => {
    assert.deepStrictEqual(bin("lt", u([0x80000000, 1]), u([1, 0x80000000]), "bool"), [0, 1])
    assert.deepStrictEqual(bin("max", u([0x80000000]), u([1])), [0x80000000])
  })
  it("not, neg, abs and sign", () => {
    assert.deepStrictEqual(un("not", u([0, 1])), [M, M - 1])
    assert.deepStrictEqual(un("neg", u([0, 1])), [0, M])
    assert.deepStrictEqual(un("abs", u([M])), [M])
    assert.deepStrictEqual(un("sign", u([0, M])), [0, 1])
  })
  it("casts: int32 <-> uint32 keep the bits; floats truncate and saturate; NaN -> 0", () => {
    const conv = (x: ReturnType<typeof arr>, to: "uint32" | "int32" | "float32" | "float64") =>
      un("convert_element_type", x, to, { dtype: to, weakType: false })
    assert.deepStrictEqual(conv(i([-1, -2147483648, 5]), "uint32"), [M, 0x80000000, 5])
    assert.deepStrictEqual(conv(u([M, 0x80000000]), "int32"), [-1, -2147483648])
    assert.deepStrictEqual(conv(arr("float64", [5], [-3.5, 2.9, 5e9, NaN, 4294967295.5]), "uint32"), [0, 2, M, 0, M])
    assert.deepStrictEqual(conv(u([M]), "float64"), [M])
    assert.deepStrictEqual(conv(u([M]), "float32"), [4294967296])
  })
})

describe("bitwise primitives", () => {
  it("xor on uint32, int32 and bool", () => {
    assert.deepStrictEqual(bin("xor", u([0x1bd11bda, M]), u([0, 0x0f0f0f0f])), [0x1bd11bda, 0xf0f0f0f0])
    assert.deepStrictEqual(bin("xor", i([-1, 6]), i([0, 3])), [-1, 5])
    assert.deepStrictEqual(bin("xor", arr("bool", [4], [0, 0, 1, 1]), arr("bool", [4], [0, 1, 0, 1])), [0, 1, 1, 0])
  })
  it("shifts: counts >= 32 give 0 (logical) or the sign fill (arithmetic)", () => {
    assert.deepStrictEqual(bin("shift_left", u([1, 1, 3]), u([31, 32, 40])), [0x80000000, 0, 0])
    assert.deepStrictEqual(bin("shift_right_logical", u([0x80000000, M]), u([31, 32])), [1, 0])
    assert.deepStrictEqual(bin("shift_right_arithmetic", u([0x80000000, 0x40000000]), u([4, 33])), [0xf8000000, 0])
    assert.deepStrictEqual(bin("shift_right_logical", i([-1, -1]), i([28, 32])), [15, 0])
    assert.deepStrictEqual(bin("shift_right_arithmetic", i([-16, -1]), i([2, 40])), [-4, -1])
    // a negative count is a huge unsigned count
    assert.deepStrictEqual(bin("shift_left", i([5]), i([-1])), [0])
  })

  const u32 = fc.oneof(fc.integer({ min: 0, max: M }), fc.constantFrom(0, 1, 31, 32, 33, M, 0x80000000))
  const i32 = fc.oneof(fc.integer({ min: -2147483648, max: 2147483647 }), fc.constantFrom(0, -1, 31, 32, -32))
  for (const op of Object.keys(refU32)) {
    it(`uint32 ${op} matches the BigInt reference on random operands`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 40 }), (pairs) => {
          const got = bin(op as "add", u(pairs.map(([a]) => a)), u(pairs.map(([, b]) => b)), outOf(op))
          assert.deepStrictEqual(got, pairs.map(([a, b]) => refU32[op]!(a, b)))
        }),
        { numRuns: 30 }
      )
    })
  }
  for (const op of Object.keys(refI32)) {
    it(`int32 ${op} matches the BigInt reference on random operands`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(i32, i32), { minLength: 1, maxLength: 40 }), (pairs) => {
          const got = bin(op as "xor", i(pairs.map(([a]) => a)), i(pairs.map(([, b]) => b)))
          assert.deepStrictEqual(got, pairs.map(([a, b]) => refI32[op]!(a, b)))
        }),
        { numRuns: 30 }
      )
    })
  }
})

describe("uint32 structured kernels", () => {
  it("reduce_sum wraps; reduce_max/min and argmax are unsigned", async () => {
    const { run } = await import("./helpers.js")
    const x = u([M, 2, 0x80000000, 5])
    assert.deepStrictEqual(Array.from(run("reduce_sum", [x], { axes: [0] }, [], "uint32")), [
      (M + 2 + 0x80000000 + 5) % 2 ** 32
    ])
    assert.deepStrictEqual(Array.from(run("reduce_max", [x], { axes: [0] }, [], "uint32")), [M])
    assert.deepStrictEqual(Array.from(run("reduce_min", [x], { axes: [0] }, [], "uint32")), [2])
    assert.deepStrictEqual(Array.from(run("argmax", [x], { axis: 0 }, [], "int32")), [0])
    assert.deepStrictEqual(Array.from(run("iota", [], { dtype: "uint32", shape: [3], dimension: 0 }, [3], "uint32")), [
      0,
      1,
      2
    ])
  })
})
