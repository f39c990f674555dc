/**
 * Resident operands (internal/residentOperands.ts): frozen float32 operands of the
 * WebAssembly matrix product are copied (and packed) into its memory once and read there by
 * later products. Every path that copies an operand (row-major and column-major lhs, a row-major
 * rhs read in place or packed, a column-major rhs) must give the bits of a product that
 * copies it, when the copy is made, when it is found, after the scratch grew past it, and
 * after the copies were all dropped; storage that is not frozen is copied every time.
 */
import { DType, np } from "@diffect/core"
import type { ConcreteTensor } from "@diffect/core/Tensor"
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { RESIDENT_MAX_BYTES, residentCounts, setResidentOperands } from "../src/internal/residentOperands.js"
import { makePool, type Pool } from "../src/internal/threads.js"
import { dropResidentOperands, gemmF32, wasmGemmAvailable } from "../src/internal/wasmGemm.js"

const random = (length: number, seed: number): Float32Array => {
  let s = seed
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return ((s >>> 8) / (1 << 24)) * 2 - 1
  })
}

const frozen = (length: number, seed: number): Float32Array => {
  const a = random(length, seed)
  DType.freezeHost(a)
  return a
}

/** A product `m x k x n` whose lhs is row-major (`aT`: column-major) and rhs row-major (`bT`: column-major). */
interface Case {
  readonly m: number
  readonly k: number
  readonly n: number
  readonly aT: boolean
  readonly bT: boolean
}

const multiply = (c: Case, a: Float32Array, b: Float32Array, pool?: Pool): Float32Array => {
  const out = new Float32Array(c.m * c.n)
  const [am, ak] = c.aT ? [1, c.m] : [c.k, 1]
  const [bk, bn] = c.bT ? [1, c.k] : [c.n, 1]
  assert.isTrue(gemmF32(a, 0, am, ak, b, 0, bk, bn, out, 0, c.m, c.k, c.n, "f32", pool))
  return out
}

const copied = (c: Case, a: Float32Array, b: Float32Array, pool?: Pool): Float32Array => {
  setResidentOperands(false)
  try {
    return multiply(c, a, b, pool)
  } finally {
    setResidentOperands(true)
  }
}

const sameBits = (got: Float32Array, want: Float32Array, what: string): void => {
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: C[${i}] ${got[i]} vs ${want[i]}`)
  }
}

// B1's shapes (x W1, x^T dh1, h1 W2, dh2 W2^T), a tall rhs packed (m > 256) and tails of 4 rows
const cases: ReadonlyArray<Case> = [
  { m: 128, k: 784, n: 256, aT: false, bT: false },
  { m: 784, k: 128, n: 256, aT: true, bT: false },
  { m: 128, k: 256, n: 256, aT: false, bT: true },
  { m: 300, k: 256, n: 72, aT: false, bT: false },
  { m: 130, k: 200, n: 96, aT: true, bT: true }
]

describe.skipIf(!wasmGemmAvailable())("resident operands", () => {
  afterEach(() => {
    setResidentOperands(true)
  })

  it("frozen operands give the copied operands' bits: made, found, after the scratch grew, on one and two threads", () => {
    const pool = makePool(2)
    try {
      for (const [i, c] of cases.entries()) {
        const a = frozen(c.m * c.k, 2 * i + 1)
        const b = frozen(c.k * c.n, 2 * i + 2)
        const want = copied(c, a, b)
        const what = `${c.m}x${c.k}x${c.n}${c.aT ? " lhs^T" : ""}${c.bT ? " rhs^T" : ""}`
        const fresh = residentCounts.copies
        sameBits(multiply(c, a, b), want, `${what}, first asked for`)
        // asked for once: copied into the product's scratch only (a streamed operand)
        assert.strictEqual(residentCounts.copies, fresh, `${what}: nothing resident after one use`)
        const before = residentCounts.copies
        sameBits(multiply(c, a, b), want, `${what}, copies made`)
        const made = { ...residentCounts }
        sameBits(multiply(c, a, b), want, `${what}, copies found`)
        // each operand copied (and packed, where the product packs it) once, and found again
        assert.isAtLeast(made.copies - before, 2, `${what}: copies made`)
        assert.strictEqual(residentCounts.copies, made.copies, `${what}: nothing copied again`)
        assert.strictEqual(residentCounts.hits - made.hits, made.copies - before, `${what}: every copy found`)
        // (the threaded kernel has a memory of its own, so copies of its own)
        sameBits(multiply(c, a, b, pool), want, `${what}, two threads`)
        // a larger product moves the copies' region above its scratch (dropping them)
        const big: Case = { m: 520, k: 1030, n: 300, aT: false, bT: false }
        multiply(big, random(big.m * big.k, 7), random(big.k * big.n, 8))
        sameBits(multiply(c, a, b), want, `${what}, after a larger product`)
      }
    } finally {
      pool.close()
    }
  })

  it("property: any shape and layout, frozen operands at offsets, gives the copied operands' bits", () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 300 }),
          k: fc.integer({ min: 1, max: 300 }),
          n: fc.integer({ min: 1, max: 300 }),
          aT: fc.boolean(),
          bT: fc.boolean(),
          aOff: fc.integer({ min: 0, max: 5 }),
          bOff: fc.integer({ min: 0, max: 5 }),
          seed: fc.integer({ min: 1, max: 1000 })
        }),
        ({ aOff, bOff, seed, ...c }) => {
          // operands of 64 KiB and up are resident: pad small ones so that most cases are
          const a = frozen(Math.max(aOff + c.m * c.k, 1 << 14), seed)
          const b = frozen(Math.max(bOff + c.k * c.n, 1 << 14), seed + 1)
          const [am, ak] = c.aT ? [1, c.m] : [c.k, 1]
          const [bk, bn] = c.bT ? [1, c.k] : [c.n, 1]
          const product = () => {
            const out = new Float32Array(c.m * c.n)
            assert.isTrue(gemmF32(a, aOff, am, ak, b, bOff, bk, bn, out, 0, c.m, c.k, c.n, "f32"))
            return out
          }
          setResidentOperands(false)
          const want = product()
          setResidentOperands(true)
          const what = `${c.m}x${c.k}x${c.n} ${c.aT} ${c.bT} at ${aOff}, ${bOff}`
          sameBits(product(), want, `${what}, first asked for`)
          sameBits(product(), want, `${what}, made`)
          sameBits(product(), want, `${what}, found`)
        }
      ),
      { numRuns: 60 }
    )
  })

  it("operands that are not frozen are copied by every product: a write between products is seen", () => {
    const c = cases[0]!
    const a = random(c.m * c.k, 11)
    const b = random(c.k * c.n, 12)
    const before = { ...residentCounts }
    multiply(c, a, b)
    a[5] = 3
    b.fill(0.25, 0, 300)
    sameBits(multiply(c, a, b), copied(c, a, b), "after the writes")
    assert.deepStrictEqual({ ...residentCounts }, before)
  })

  it("past the copies' budget: scratch copies while the product reads a resident one, else every copy is dropped", () => {
    const c: Case = { m: 64, k: 1024, n: 512, aT: false, bT: false }
    const b = frozen(c.k * c.n, 21) // 2 MiB
    const lhs = Array.from(
      { length: Math.ceil(RESIDENT_MAX_BYTES / (c.m * c.k * 4)) + 2 },
      (_, i) => frozen(c.m * c.k, 30 + i)
    )
    const wants = lhs.map((a) => copied(c, a, b))
    dropResidentOperands()
    // (few rows times a large rhs: the product runs through its transpose, rhs looked up first)
    const before = residentCounts.copies
    for (let round = 0; round < 2; round++) {
      lhs.forEach((a, i) => sameBits(multiply(c, a, b), wants[i]!, `lhs ${i}, round ${round}`))
    }
    // the budget filled once: b and the lhs that fit were copied, the rest went to scratch
    const fitted = residentCounts.copies - before
    assert.isAbove(fitted, 64)
    assert.isBelow(fitted, lhs.length + 1)
    // a product reading no resident copy (its rhs is not frozen) drops them all, then b is copied again
    const last = lhs[lhs.length - 1]!
    const plain = random(c.k * c.n, 22)
    sameBits(multiply(c, last, plain), copied(c, last, plain), "an unfrozen rhs")
    sameBits(multiply(c, lhs[0]!, b), wants[0]!, "after the drop")
    assert.isAtLeast(residentCounts.copies - before, fitted + 3)
  })
})

describe("frozen host storage", () => {
  it("np.array freezes its own copy of 64 KiB and up; smaller arrays are never marked", () => {
    const big = np.array(new Float32Array(1 << 14)) as ConcreteTensor
    const small = np.array(new Float32Array(1 << 13)) as ConcreteTensor
    assert.isTrue(DType.isFrozenHost(big.host!))
    assert.isFalse(DType.isFrozenHost(small.host!))
    const tiny = new Float32Array(16)
    DType.freezeHost(tiny)
    assert.isFalse(DType.isFrozenHost(tiny))
  })

  it("anything but a typed array is an ArgumentError naming the function", () => {
    for (
      const [name, f] of [["DType.freezeHost", DType.freezeHost], ["DType.isFrozenHost", DType.isFrozenHost]] as const
    ) {
      for (const bad of [undefined, 5, [1, 2], new ArrayBuffer(8)]) {
        try {
          f(bad as never)
          assert.fail(`${name}(${String(bad)}) returned`)
        } catch (e) {
          assert.strictEqual((e as { _tag?: string })._tag, "ArgumentError")
          assert.include(String(e), name)
        }
      }
    }
  })

  it("recycleHost leaves frozen storage alone: the next allocation of its size gets other storage", () => {
    const a = DType.allocHost("float32", 1 << 15)
    DType.freezeHost(a)
    DType.recycleHost(a)
    const b = DType.allocHost("float32", 1 << 15)
    assert.notStrictEqual(b.buffer, a.buffer)
  })
})
