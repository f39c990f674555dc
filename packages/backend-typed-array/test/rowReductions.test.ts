/**
 * Reductions along contiguous rows (internal/reduce.ts, whose float32 rows of
 * at least eight values run in WebAssembly SIMD, internal/wasmRows.ts): argmax
 * and argmin against a scan written from NumPy's definition (the first index of
 * the largest or smallest value, or of the first NaN; `-0` and `+0` equal), max
 * and min against a `Math.max` (`Math.min`) fold, bit for bit (NaN, and `+0`
 * over `-0` for max). Random shapes (rows of 8 to 40 values, so every remainder
 * of eight, and enough elements for the SIMD path) with NaN, signed zeros,
 * infinities and many ties; and cumsum along rows against a running sum.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { argReduce, cumsum, reduce } from "../src/internal/reduce.js"

const firstExtreme = (row: ArrayLike<number>, isMax: boolean): number => {
  for (let i = 0; i < row.length; i++) if (Number.isNaN(row[i]!)) return i
  let at = 0
  for (let i = 1; i < row.length; i++) if (isMax ? row[i]! > row[at]! : row[i]! < row[at]!) at = i
  return at
}

const special = [Number.NaN, 0, -0, Infinity, -Infinity, 3, 3, -3]

// values drawn from a seed: few distinct (ties), mostly specials, or spread out, with NaN at a rate
const rowsOf = (
  dtype: "float32" | "float64",
  rows: number,
  n: number,
  seed: number,
  mode: "ties" | "specials" | "spread" | "zeros",
  nanRate: number
) => {
  let s = seed
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
  const x = dtype === "float32" ? new Float32Array(rows * n) : new Float64Array(rows * n)
  for (let i = 0; i < x.length; i++) {
    x[i] = rand() < nanRate
      ? Number.NaN
      : mode === "ties"
      ? Math.floor(rand() * 4) - 2
      : mode === "specials"
      ? special[Math.floor(rand() * special.length)]!
      : mode === "zeros"
      ? (rand() < 0.5 ? -0 : rand() < 0.9 ? 0 : -1)
      : (rand() - 0.5) * 100
  }
  return x
}

const shapes = fc.record({
  rows: fc.integer({ min: 1, max: 700 }),
  n: fc.integer({ min: 8, max: 40 }),
  dtype: fc.constantFrom("float32" as const, "float64" as const),
  isMax: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  mode: fc.constantFrom("ties" as const, "specials" as const, "spread" as const, "zeros" as const),
  nanRate: fc.constantFrom(0, 0.002, 0.05)
})

describe("max and min along rows", () => {
  it("equal a Math.max (Math.min) fold bit for bit on random float32 and float64 rows", () => {
    fc.assert(
      fc.property(shapes, ({ dtype, isMax, mode, n, nanRate, rows, seed }) => {
        const x = rowsOf(dtype, rows, n, seed, mode, nanRate)
        const got = reduce(isMax ? "max" : "min", x, [rows, n], dtype, [1], dtype)
        for (let r = 0; r < rows; r++) {
          let want = isMax ? -Infinity : Infinity
          for (let i = r * n; i < (r + 1) * n; i++) want = isMax ? Math.max(want, x[i]!) : Math.min(want, x[i]!)
          if (!Object.is(got[r], want)) {
            assert.fail(`${dtype} ${isMax ? "max" : "min"} of row ${r} of ${rows} x ${n}: ${got[r]}, want ${want}`)
          }
        }
      }),
      { numRuns: 150, seed: 20261205 }
    )
  })
})

describe("argmax and argmin along rows", () => {
  it("equal NumPy's first extreme (or first NaN) on random float32 and float64 rows", () => {
    fc.assert(
      fc.property(shapes, ({ dtype, isMax, mode, n, nanRate, rows, seed }) => {
        const x = rowsOf(dtype, rows, n, seed, mode, nanRate)
        const got = argReduce(isMax, x, [rows, n], dtype, 1)
        for (let r = 0; r < rows; r++) {
          const want = firstExtreme(x.subarray(r * n, (r + 1) * n), isMax)
          if (got[r] !== want) {
            assert.fail(
              `${dtype} ${isMax ? "argmax" : "argmin"} of row ${r} of ${rows} x ${n}: ${got[r]}, want ${want}`
            )
          }
        }
      }),
      { numRuns: 150, seed: 20261205 }
    )
  })

  it("the first of equal extremes wins across lanes, and a NaN after the vectors is found", () => {
    // 2 rows of 19 (two pairs of vectors and a remainder of three), 1024 rows in all for SIMD
    const n = 19
    const rows = 1024
    const x = new Float32Array(rows * n)
    // row 0: the maximum 5 at indices 13 and 6 (lanes 5 and 6 of different sets): 6 wins
    x[6] = 5
    x[13] = 5
    // row 1: -0 first, then +0, all others negative: argmax 0; a NaN in the remainder (index 17)
    for (let i = 0; i < n; i++) x[n + i] = -1
    x[n] = -0
    x[n + 3] = 0
    // row 2: the maximum only in the remainder; row 3: a NaN in the remainder after a maximum
    x[2 * n + 18] = 7
    x[3 * n + 2] = 9
    x[3 * n + 17] = Number.NaN
    const got = argReduce(true, x, [rows, n], "float32", 1)
    assert.deepStrictEqual([...got.subarray(0, 4)], [6, 0, 18, 17])
    x[n + 17] = Number.NaN
    assert.strictEqual(argReduce(true, x, [rows, n], "float32", 1)[1], 17)
    // argmin: row 0 is all zeros but the two 5s: the first 0
    assert.strictEqual(argReduce(false, x, [rows, n], "float32", 1)[0], 0)
  })
})

describe("cumsum along rows", () => {
  it("sums in float64 (int32: wrapping) in order from either end, each prefix rounded once", () => {
    fc.assert(
      fc.property(
        fc.record({
          rows: fc.integer({ min: 1, max: 20 }),
          n: fc.integer({ min: 1, max: 40 }),
          dtype: fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
          reverse: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1_000_000 })
        }),
        ({ dtype, n, reverse, rows, seed }) => {
          let s = seed
          const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
          const x = dtype === "float32"
            ? new Float32Array(rows * n)
            : dtype === "float64"
            ? new Float64Array(rows * n)
            : new Int32Array(rows * n)
          for (let i = 0; i < x.length; i++) {
            x[i] = dtype === "int32"
              ? Math.floor((rand() - 0.5) * 2 ** 32)
              : (rand() - 0.5) * 1e3
          }
          const got = cumsum(x, [rows, n], dtype, 1, reverse, dtype)
          const want = dtype === "float32"
            ? new Float32Array(rows * n)
            : dtype === "float64"
            ? new Float64Array(rows * n)
            : new Int32Array(rows * n)
          for (let r = 0; r < rows; r++) {
            let acc = 0
            for (let j = 0; j < n; j++) {
              const i = r * n + (reverse ? n - 1 - j : j)
              acc = dtype === "int32" ? (acc + x[i]!) | 0 : acc + x[i]!
              want[i] = acc
            }
          }
          assert.deepStrictEqual([...got], [...want])
        }
      ),
      { numRuns: 100, seed: 20261205 }
    )
  })
})
