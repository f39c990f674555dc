/**
 * The radix sort (rows of 64 and more; internal/sort.ts) against `Array.prototype.sort` with
 * JAX's comparator: stable, NaN last, -0 equal to 0, int32 signed, float64's two words, two
 * keys, and many rows and columns in one call, so each row reuses the word arrays of the last
 * (taken from and returned to the host pool).
 */
import { DType } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { sort, topK } from "../src/internal/sort.js"

// JAX's order: NaN after everything, -0 equal to 0; stable (ties keep their input order)
const compare = (a: number, b: number): number => {
  if (a !== a) return b !== b ? 0 : 1
  if (b !== b) return -1
  return a < b ? -1 : a > b ? 1 : 0
}

const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2 ** -149, 3.4e38]

describe("radix sort", () => {
  it("sorts rows of random keys (two keys, every real dtype, rows and columns) as a stable comparator sort (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
        fc.integer({ min: 64, max: 300 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (dtype, n, outer, inner, seed) => {
          let r = seed
          const next = () => (r = (Math.imul(r, 1103515245) + 12345) | 0)
          const size = outer * n * inner
          // few distinct values, so both keys and stability decide
          const first = DType.allocHost(dtype, size)
          const second = DType.allocHost("float32", size)
          const payload = DType.allocHost("int32", size)
          for (let i = 0; i < size; i++) {
            const v = next()
            first[i] = dtype === "int32"
              ? (v % 5) * 0x20000000
              : (v & 7) === 0
              ? specials[(v >>> 3) % specials.length]!
              : (v % 4) / 2
            second[i] = Math.fround(((v >>> 8) % 3) - 1)
            payload[i] = i
          }
          const [s1, s2, sp] = sort([first, second, payload], [dtype, "float32", "int32"], [outer, n, inner], 1, 2)
          for (let o = 0; o < outer; o++) {
            for (let c = 0; c < inner; c++) {
              const at = (s: number) => (o * n + s) * inner + c
              const order = Array.from({ length: n }, (_, s) => s).sort((a, b) =>
                compare(first[at(a)]!, first[at(b)]!) || compare(second[at(a)]!, second[at(b)]!)
              )
              for (let s = 0; s < n; s++) {
                assert.strictEqual(sp![at(s)], payload[at(order[s]!)], `row ${o}, column ${c}, position ${s}`)
                assert.isTrue(
                  Object.is(s1![at(s)], first[at(order[s]!)]),
                  `row ${o}, column ${c}, position ${s}: the element itself`
                )
                assert.strictEqual(s2![at(s)], second[at(order[s]!)])
              }
            }
          }
        }
      ),
      { numRuns: 60, seed: 20261206 }
    )
  })

  it("one-key rows written from their sorted words keep every value's bits; -0 and NaN rows go through the order", () => {
    const n = 500
    const cases: Array<[DType.DType, (i: number) => number]> = [
      ["float32", (i) => [Infinity, -Infinity, 2 ** -149, -(2 ** -149), 0, 3.4e38, -1.5][i % 7]! * ((i % 3) + 1)],
      ["float32", (i) => (i % 11 === 0 ? -0 : i % 13 === 0 ? NaN : Math.sin(i))],
      ["int32", (i) => ((i * 2654435761) | 0) >> (i % 5)],
      ["uint32", (i) => (i * 2654435761) >>> (i % 7)]
    ]
    for (const [dtype, value] of cases) {
      const x = DType.allocHost(dtype, n)
      for (let i = 0; i < n; i++) x[i] = value(i)
      const [sorted] = sort([x], [dtype], [n], 0, 1)
      const want = Array.from(x).sort(compare)
      // -0 and 0 are equal keys: stability keeps their input order, so compare against a stable sort
      const at = want.findIndex((v, i) => !Object.is(sorted![i], v))
      assert.strictEqual(at, -1, `${dtype} position ${at}: ${sorted![at]} against ${want[at]}`)
    }
  })

  it("topK by selection (k <= n / 16) and by radix sort agree with a comparator on every real dtype (fast-check)", () => {
    // JAX's order: NaN largest, -0 equal to 0, ties by the lower index
    const special = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5]
    fc.assert(
      fc.property(
        fc.constantFrom<"float32" | "float64" | "int32" | "uint32">("float32", "float64", "int32", "uint32"),
        fc.integer({ min: 64, max: 700 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.boolean(),
        (dtype, n, rows, seed, small) => {
          const k = small ? 1 + (seed % Math.max(1, Math.floor(n / 16))) : 1 + (seed % n)
          let s = seed
          const next = () => (s = (Math.imul(s, 1664525) + 1013904223) | 0)
          const raw = Array.from({ length: rows * n }, () => {
            const r = next() >>> 0
            if (dtype === "int32") return (r % 21) - 10
            if (dtype === "uint32") return r % 5 === 0 ? 4294967295 - (r % 3) : r % 17
            return r % 4 === 0 ? special[r % special.length]! : ((r % 41) - 20) / 4
          })
          const x = dtype === "float32"
            ? Float32Array.from(raw)
            : dtype === "float64"
            ? Float64Array.from(raw)
            : dtype === "int32"
            ? Int32Array.from(raw)
            : Uint32Array.from(raw)
          const [values, indices] = topK(x, dtype, [rows, n], k)
          const larger = (a: number, b: number) => {
            const an = Number.isNaN(a)
            const bn = Number.isNaN(b)
            if (an || bn) return an === bn ? 0 : an ? -1 : 1
            return a > b ? -1 : a < b ? 1 : 0
          }
          for (let row = 0; row < rows; row++) {
            const at = (i: number) => x[row * n + i]!
            const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => larger(at(a), at(b)) || a - b)
            const got = Array.from(indices.subarray(row * k, row * k + k))
            if (got.join() !== order.slice(0, k).join()) {
              assert.fail(`${dtype} n ${n} k ${k} row ${row}: ${got} vs ${order.slice(0, k)}`)
            }
            for (let j = 0; j < k; j++) assert.isTrue(Object.is(values[row * k + j], at(got[j]!)))
          }
        }
      ),
      { numRuns: 150 }
    )
  })

  it("topK takes the k largest of each row, ties by the lower index, across rows that reuse the word arrays", () => {
    const rows = 5
    const n = 200
    const x = new Float32Array(rows * n).map((_, i) => ((i * 37) % 11) - 5)
    const [values, indices] = topK(x, "float32", [rows, n], 7)
    for (let row = 0; row < rows; row++) {
      const order = Array.from({ length: n }, (_, s) => s).sort((a, b) => x[row * n + b]! - x[row * n + a]! || a - b)
      assert.deepStrictEqual(Array.from(indices.subarray(row * 7, row * 7 + 7)), order.slice(0, 7))
      assert.deepStrictEqual(
        Array.from(values.subarray(row * 7, row * 7 + 7)),
        order.slice(0, 7).map((s) => x[row * n + s]!)
      )
    }
  })
})
