/**
 * The rotation log (internal/rotateRows.ts) that eigh's QL sweeps and the SVD's QR sweeps apply
 * their rotations through: recorded rotations and negations, applied in bands of columns by the
 * wasm kernel (wasmRotations.ts) or in JS, must give the bits of applying each at once.
 */
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { rotateRows, rotationLog } from "../src/internal/rotateRows.js"
import { setWasmRotations } from "../src/internal/wasmRotations.js"

/** Deterministic values in [-1, 1) (a 32-bit LCG). */
const lcg = (seed: number) => {
  let s = seed
  return (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return (s >>> 0) / 2 ** 31 - 1
  }
}

interface Op {
  readonly p: number
  readonly q: number
  readonly c: number
  readonly s: number
}

/** `count` operations on rows [lo, hi): rotations by a random angle, and about one in twenty a negation (q = -1). */
const ops = (count: number, lo: number, hi: number, seed: number): Array<Op> => {
  const next = lcg(seed)
  const row = () => lo + Math.min(hi - lo - 1, Math.floor(((next() + 1) / 2) * (hi - lo)))
  return Array.from({ length: count }, () => {
    const p = row()
    if (next() < -0.9 || hi - lo < 2) return { p, q: -1, c: 0, s: 0 }
    let q = row()
    if (q === p) q = p + 1 < hi ? p + 1 : p - 1
    const angle = Math.PI * next()
    return { p, q, c: Math.cos(angle), s: Math.sin(angle) }
  })
}

const applyAtOnce = (x: Float64Array, len: number, list: ReadonlyArray<Op>): void => {
  for (const { c, p, q, s } of list) {
    if (q >= 0) rotateRows(x, len, p, q, c, s)
    else for (let t = p * len; t < (p + 1) * len; t++) x[t] = -x[t]!
  }
}

const sameBits = (a: Float64Array, b: Float64Array): boolean => a.every((v, i) => Object.is(v, b[i]))

/** Runs `list` through a log sized for `expected` operations (flushing whenever it fills), then flushes. */
const applyLogged = (x: Float64Array, len: number, list: ReadonlyArray<Op>, expected: number, xi?: Float64Array) => {
  const log = rotationLog(x, len, expected, xi)
  for (const { c, p, q, s } of list) {
    if (q >= 0) log.rotate(p, q, c, s)
    else log.negate(p)
  }
  log.flush()
}

describe("rotationLog", () => {
  afterEach(() => setWasmRotations(true))

  for (const wasm of [true, false]) {
    it(`gives the bits of rotating at once (${wasm ? "wasm kernel" : "JS"})`, () => {
      setWasmRotations(wasm)
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 90 }),
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 0, max: 1500 }),
          fc.integer(),
          (rows, len, count, seed) => {
            const next = lcg(seed)
            const x = Float64Array.from({ length: rows * len }, next)
            const xi = Float64Array.from({ length: rows * len }, next)
            // the operations on a band of rows away from the edges (as the SVD's on U's first n rows)
            const lo = Math.floor(rows / 4)
            const hi = Math.max(lo + 1, rows - Math.floor(rows / 5))
            const list = ops(count, lo, hi, seed ^ 0x5bd1e995)
            const want = x.slice()
            const wantI = xi.slice()
            applyAtOnce(want, len, list)
            applyAtOnce(wantI, len, list)
            // a log of 256 records: the longer lists flush several times
            applyLogged(x, len, list, 0, xi)
            return sameBits(x, want) && sameBits(xi, wantI)
          }
        ),
        { numRuns: 60, seed: 20261206 }
      )
    })
  }

  it("applies nothing until flushed, for a matrix large enough to log", () => {
    const next = lcg(9)
    const rows = 70
    const len = 70
    const x = Float64Array.from({ length: rows * len }, next)
    const before = x.slice()
    const log = rotationLog(x, len, 100)
    log.rotate(3, 4, 0.6, 0.8)
    log.negate(5)
    assert.isTrue(sameBits(x, before))
    log.flush()
    assert.strictEqual(x[3 * len], 0.6 * before[3 * len]! + 0.8 * before[4 * len]!)
    assert.strictEqual(x[4 * len + 7], 0.6 * before[4 * len + 7]! - 0.8 * before[3 * len + 7]!)
    assert.strictEqual(x[5 * len + 1], -before[5 * len + 1]!)
    assert.isTrue(sameBits(x.subarray(6 * len), before.subarray(6 * len)))
  })

  it("takes each operation at once for a small matrix (no log)", () => {
    const x = Float64Array.from({ length: 9 }, (_, i) => i + 1)
    const log = rotationLog(x, 3, 10)
    log.rotate(0, 2, 0, 1)
    assert.deepStrictEqual(Array.from(x), [7, 8, 9, 4, 5, 6, -1, -2, -3])
    log.negate(1)
    assert.deepStrictEqual(Array.from(x.subarray(3, 6)), [-4, -5, -6])
  })
})
