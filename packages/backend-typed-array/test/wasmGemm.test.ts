/**
 * The WebAssembly SIMD float32 matrix product (internal/wasmGemm.ts) and its
 * binary emitter (internal/wasm.ts): odd shapes, strided (transposed) operands,
 * batches through dot_general, both accumulations against a float64 reference,
 * and the JS fallback.
 */
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { makePool } from "../src/internal/threads.js"
import { sleb, uleb } from "../src/internal/wasm.js"
import type { Accumulate, GemmKept } from "../src/internal/wasmGemm.js"
import {
  gemmF32,
  gemmModuleBytes,
  relaxedSimdInUse,
  rowGroups,
  setGemmRhsInPlace,
  setGemmSwap,
  setGemmTail,
  setWasmGemm,
  tailModuleBytes,
  wasmGemmAvailable
} from "../src/internal/wasmGemm.js"
import { arr, run } from "./helpers.js"

/** Deterministic values in [-1, 1), rounded to float32. */
const random = (length: number, seed: number): Float32Array => {
  let s = seed
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return ((s >>> 8) / (1 << 24)) * 2 - 1
  })
}

/** A strided m x k operand: row-major, or stored transposed (column-major), at an offset. */
interface Layout {
  readonly data: Float32Array
  readonly off: number
  readonly rs: number
  readonly cs: number
}
const layout = (rows: number, cols: number, transposed: boolean, off: number, seed: number): Layout => ({
  data: random(off + rows * cols, seed),
  off,
  rs: transposed ? 1 : cols,
  cs: transposed ? rows : 1
})
const at = (x: Layout, r: number, c: number) => x.data[x.off + r * x.rs + c * x.cs]!

/**
 * Checks `out` (m x n at `cOff`) against the float64 product. float64 accumulation:
 * the float32 rounding of the exact sum, up to float64 summation error (1e-6 relative
 * to the sum of |terms|); float32 accumulation: the standard bound k * 2^-24 * sum |a||b|.
 */
const product = (
  a: Layout,
  b: Layout,
  out: Float32Array,
  cOff: number,
  m: number,
  k: number,
  n: number,
  acc: Accumulate
) => {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0
      let abs = 0
      for (let p = 0; p < k; p++) {
        const t = at(a, i, p) * at(b, p, j)
        sum += t
        abs += Math.abs(t)
      }
      const got = out[cOff + i * n + j]!
      const err = Math.abs(got - sum)
      const tol = acc === "f64"
        ? Math.abs(Math.fround(sum) - sum) + 1e-12 * abs
        : (k + 1) * 2 ** -24 * abs + 1e-30
      if (!(err <= tol)) {
        assert.fail(`(${m}x${k}x${n}, ${acc}) C[${i}, ${j}] = ${got}, expected ${sum} (tolerance ${tol})`)
      }
    }
  }
}

/** Named `expect` so that the linter's expect-expect rule sees the assertion. */
const expect = { product }

const gemm = (a: Layout, b: Layout, m: number, k: number, n: number, acc: Accumulate, cOff = 0) => {
  const out = new Float32Array(cOff + m * n).fill(NaN)
  assert.isTrue(gemmF32(a.data, a.off, a.rs, a.cs, b.data, b.off, b.rs, b.cs, out, cOff, m, k, n, acc))
  for (let i = 0; i < cOff; i++) assert.isTrue(Number.isNaN(out[i]!), "writes nothing before cOff")
  return out
}

afterEach(() => {
  setWasmGemm(true)
  setGemmRhsInPlace(true)
  setGemmTail(true)
  setGemmSwap(true)
})

describe("wasm emitter", () => {
  it("LEB128 encodes as the spec's examples", () => {
    assert.deepStrictEqual(uleb(0), [0])
    assert.deepStrictEqual(uleb(127), [0x7f])
    assert.deepStrictEqual(uleb(128), [0x80, 0x01])
    assert.deepStrictEqual(uleb(624485), [0xe5, 0x8e, 0x26])
    assert.deepStrictEqual(sleb(0), [0])
    assert.deepStrictEqual(sleb(-1), [0x7f])
    assert.deepStrictEqual(sleb(63), [0x3f])
    assert.deepStrictEqual(sleb(64), [0xc0, 0x00])
    assert.deepStrictEqual(sleb(-123456), [0xc0, 0xbb, 0x78])
  })

  it("the generated module is valid wasm with SIMD, and small", () => {
    const bytes = gemmModuleBytes()
    assert.deepStrictEqual(Array.from(bytes.subarray(0, 8)), [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
    assert.isTrue(WebAssembly.validate(bytes))
    // browsers compile synchronously only below 4 KiB on the main thread
    assert.isBelow(bytes.length, 4096)
    assert.isTrue(wasmGemmAvailable())
    // the relaxed-SIMD module (6x8 fused tile, replacing the 4x8 one) too, where the engine has it
    const fma = gemmModuleBytes({ fma: true })
    assert.isBelow(fma.length, 4096)
    if (relaxedSimdInUse()) assert.isTrue(WebAssembly.validate(fma))
  })
})

describe("gemmF32", () => {
  const sizes = [1, 3, 4, 8, 17, 33, 129]
  it("odd shapes, both accumulations, against a float64 reference", () => {
    for (const m of sizes) {
      for (const k of [1, 5, 33, 257, 300]) {
        for (const n of [1, 7, 9, 129, 270]) {
          if (m * k * n > 3e6) continue
          const a = layout(m, k, false, 0, m + 7 * k)
          const b = layout(k, n, false, 0, n + 3 * k)
          for (const acc of ["f64", "f32"] as const) expect.product(a, b, gemm(a, b, m, k, n, acc), 0, m, k, n, acc)
        }
      }
    }
  })

  it("transposed operands (read through strides), offsets into the inputs and the output", () => {
    for (const [m, k, n] of [[17, 33, 129], [3, 300, 5], [129, 17, 1], [1, 513, 33]] as const) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const a = layout(m, k, ta, 5, 11)
          const b = layout(k, n, tb, 3, 12)
          for (const acc of ["f64", "f32"] as const) expect.product(a, b, gemm(a, b, m, k, n, acc, 7), 7, m, k, n, acc)
        }
      }
    }
  })

  it("memory grows for a larger product after smaller ones (views refreshed)", () => {
    const small = layout(8, 8, false, 0, 1)
    expect.product(small, small, gemm(small, small, 8, 8, 8, "f64"), 0, 8, 8, 8, "f64")
    const a = layout(300, 700, false, 0, 2)
    const b = layout(700, 260, true, 0, 3)
    expect.product(a, b, gemm(a, b, 300, 700, 260, "f64"), 0, 300, 700, 260, "f64")
    expect.product(small, small, gemm(small, small, 8, 8, 8, "f32"), 0, 8, 8, 8, "f32")
  })

  it("special values propagate: NaN and infinity", () => {
    const a = layout(9, 9, false, 0, 4)
    const b = layout(9, 9, false, 0, 5)
    a.data[2 * 9 + 3] = NaN
    b.data[4 * 9 + 6] = Infinity
    const out = gemm(a, b, 9, 9, 9, "f64")
    for (let j = 0; j < 9; j++) assert.isTrue(Number.isNaN(out[2 * 9 + j]!))
    for (let i = 0; i < 9; i++) if (i !== 2) assert.isFalse(Number.isFinite(out[i * 9 + 6]!))
  })

  it("property: any shape and layout matches the float64 reference", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<Accumulate>("f64", "f32"),
        fc.integer({ min: 0, max: 1000 }),
        (m, k, n, ta, tb, acc, seed) => {
          const a = layout(m, k, ta, seed % 5, seed)
          const b = layout(k, n, tb, seed % 3, seed + 1)
          expect.product(a, b, gemm(a, b, m, k, n, acc), 0, m, k, n, acc)
        }
      ),
      { numRuns: 60 }
    )
  })

  it("row groups: 6-row ones, then 4-row ones for the last one to four rows (m = 6q + 2 as 6(q - 1) + 8)", () => {
    const cases: ReadonlyArray<readonly [number, readonly [number, number]]> = [
      [1, [0, 1]],
      [2, [0, 1]],
      [4, [0, 1]],
      [5, [1, 0]],
      [6, [1, 0]],
      [7, [1, 1]],
      [8, [0, 2]],
      [9, [1, 1]],
      [11, [2, 0]],
      [14, [1, 2]],
      [128, [20, 2]],
      [256, [42, 1]],
      [784, [130, 1]]
    ]
    for (const [m, groups] of cases) {
      assert.deepStrictEqual(rowGroups(m, true), groups, `m = ${m}`)
      const [six, four] = groups
      // every row covered, fewer than 4 padding rows, and the 6-row-only split without the tail
      assert.isAtLeast(6 * six + 4 * four, m)
      assert.isBelow(6 * six + 4 * four - m, 4)
      assert.deepStrictEqual(rowGroups(m, false), [Math.ceil(m / 6), 0])
    }
    const bytes = tailModuleBytes()
    assert.isTrue(WebAssembly.validate(bytes) || !relaxedSimdInUse())
    assert.isBelow(bytes.length, 4096)
  })

  it.skipIf(!relaxedSimdInUse())(
    "4-row tail groups give the padded 6-row tile's bits (packed, raw-packed and in-place lhs; one and two threads)",
    () => {
      const pool = makePool(2)
      try {
        for (const m of [1, 2, 3, 4, 7, 8, 9, 10, 13, 14, 20, 127, 128, 130]) {
          for (const k of [3, 10, 257]) {
            for (const n of [1, 9, 40]) {
              for (const ta of [false, true]) {
                const a = layout(m, k, ta, 2, m + k)
                const b = layout(k, n, false, 1, n)
                const withTail = gemm(a, b, m, k, n, "f32")
                setGemmTail(false)
                const without = gemm(a, b, m, k, n, "f32")
                setGemmTail(true)
                const what = `${m}x${k}x${n}${ta ? " (lhs transposed)" : ""}`
                for (let i = 0; i < without.length; i++) {
                  if (!Object.is(withTail[i], without[i])) {
                    assert.fail(`${what}: C[${i}] ${withTail[i]} vs ${without[i]}`)
                  }
                }
                expect.product(a, b, withTail, 0, m, k, n, "f32")
              }
            }
          }
        }
        // threaded: the 6-row groups split across the pool, the tail on the calling thread
        const [m, k, n] = [128, 300, 256]
        const a = layout(m, k, false, 0, 5)
        const b = layout(k, n, false, 0, 6)
        const solo = gemm(a, b, m, k, n, "f32")
        const out = new Float32Array(m * n)
        assert.isTrue(gemmF32(a.data, 0, a.rs, a.cs, b.data, 0, b.rs, b.cs, out, 0, m, k, n, "f32", pool))
        assert.deepStrictEqual(Array.from(out), Array.from(solo))
      } finally {
        pool.close()
      }
    }
  )

  it("a row-major rhs read in place gives the packed rhs's bits (tails, K slices, offsets, row padding; one and two threads)", () => {
    const pool = makePool(2)
    try {
      // in place: n a multiple of 8 up to 512 under at most 256 packed rows; the others stay packed
      for (const m of [1, 5, 6, 8, 128, 256, 300]) {
        for (const k of [1, 4, 300, 513]) {
          for (const [n, bk] of [[8, 8], [16, 24], [256, 256], [512, 515], [9, 9]] as const) {
            const a = layout(m, k, false, 3, m + k)
            const b: Layout = { data: random(2 + (k - 1) * bk + n, n + k), off: 2, rs: bk, cs: 1 }
            const what = `${m}x${k}x${n} (bk ${bk})`
            const inPlace = gemm(a, b, m, k, n, "f32")
            const threaded = new Float32Array(m * n)
            assert.isTrue(gemmF32(a.data, a.off, a.rs, a.cs, b.data, 2, bk, 1, threaded, 0, m, k, n, "f32", pool))
            setGemmRhsInPlace(false)
            const packed = gemm(a, b, m, k, n, "f32")
            setGemmRhsInPlace(true)
            for (let i = 0; i < packed.length; i++) {
              if (!Object.is(inPlace[i], packed[i]) || !Object.is(threaded[i], packed[i])) {
                assert.fail(`${what}: C[${i}] ${inPlace[i]} (in place), ${threaded[i]} (two threads) vs ${packed[i]}`)
              }
            }
            if (m * k * n <= 300 * 300 * 16) expect.product(a, b, inPlace, 0, m, k, n, "f32")
          }
        }
      }
    } finally {
      pool.close()
    }
  })

  it("a few rows times a large rhs, computed through the transpose, gives the direct product's bits (one and two threads)", () => {
    const pool = makePool(2)
    try {
      // rhs 700 x 800 (2.2 MB, past the threshold), also at an offset with row padding (bk = 803)
      const [k, n] = [700, 800]
      for (
        const [m, padded, lhsStride] of [[1, false, 0], [5, true, 0], [13, false, 9], [32, true, 0], [
          64,
          false,
          0
        ]] as const
      ) {
        const a: Layout = lhsStride === 0
          ? layout(m, k, false, 3, m)
          : { data: random(m * (k + lhsStride), m), off: 0, rs: k + lhsStride, cs: 1 }
        const b: Layout = padded
          ? { data: random(5 + k * (n + 3), 2), off: 5, rs: n + 3, cs: 1 }
          : layout(k, n, false, 0, 2)
        const through = gemm(a, b, m, k, n, "f32", 2)
        const threaded = new Float32Array(2 + m * n)
        assert.isTrue(gemmF32(a.data, a.off, a.rs, a.cs, b.data, b.off, b.rs, b.cs, threaded, 2, m, k, n, "f32", pool))
        setGemmSwap(false)
        const direct = gemm(a, b, m, k, n, "f32", 2)
        setGemmSwap(true)
        for (let i = 2; i < direct.length; i++) {
          if (!Object.is(through[i], direct[i]) || !Object.is(threaded[i], direct[i])) {
            assert.fail(
              `${m}x${k}x${n}: C[${i - 2}] ${through[i]} / ${threaded[i]} (two threads) vs ${direct[i]} direct`
            )
          }
        }
        // (the reference check of a few rows: the float64 product of all 560,000 terms per row)
        if (m <= 5) expect.product(a, b, through, 2, m, k, n, "f32")
      }
      // m = 32 splits the transposed product across the pool (32 x 700 x 800 >= 2^24 multiply-adds)
      assert.strictEqual(pool.started(), 1)
    } finally {
      pool.close()
    }
  })

  it("a product 9-12 columns wide, computed through the transpose, gives the direct product's bits", () => {
    // the lhs row-major (h2 @ W3) or column-major (a weight gradient, h2.T @ dlogits)
    for (const transposed of [false, true]) {
      for (const [m, k, n] of [[128, 256, 10], [256, 128, 10], [33, 50, 9], [512, 20, 12], [40, 3, 11]] as const) {
        const a = layout(m, k, transposed, 1, m + k)
        const b = layout(k, n, false, 2, n)
        const through = gemm(a, b, m, k, n, "f32", 3)
        setGemmSwap(false)
        const direct = gemm(a, b, m, k, n, "f32", 3)
        setGemmSwap(true)
        for (let i = 3; i < direct.length; i++) {
          if (!Object.is(through[i], direct[i])) {
            assert.fail(`${m}x${k}x${n} (lhs transposed: ${transposed}): C[${i - 3}] ${through[i]} vs ${direct[i]}`)
          }
        }
        expect.product(a, b, through, 3, m, k, n, "f32")
      }
    }
  })

  it("a kept product leaves its result in the kernel's memory when its rows are contiguous, else writes out", () => {
    const pool = makePool(2)
    try {
      for (const [m, k, n, threads] of [[37, 50, 64, false], [128, 256, 256, true], [20, 30, 10, false]] as const) {
        const a = layout(m, k, false, 0, m + 1)
        const b = layout(k, n, false, 0, n + 2)
        const want = gemm(a, b, m, k, n, "f32")
        const out = new Float32Array(m * n)
        const kept: GemmKept = {}
        assert.isTrue(
          gemmF32(
            a.data,
            0,
            a.rs,
            a.cs,
            b.data,
            0,
            b.rs,
            b.cs,
            out,
            0,
            m,
            k,
            n,
            "f32",
            threads ? pool : undefined,
            undefined,
            kept
          )
        )
        if (n % 8 === 0) {
          // the view holds the result; `out` was not written
          assert.isDefined(kept.view)
          assert.deepStrictEqual(Array.from(kept.view!), Array.from(want))
          assert.isTrue(out.every((v) => v === 0))
        } else {
          assert.isUndefined(kept.view)
          assert.deepStrictEqual(Array.from(out), Array.from(want))
        }
      }
      // float64 sums of a float32 product ("highest") are rounded on the way out: never kept
      const [a, b] = [layout(12, 30, false, 0, 5), layout(30, 16, false, 0, 6)]
      const out = new Float32Array(12 * 16)
      const kept: GemmKept = {}
      assert.isTrue(
        gemmF32(a.data, 0, a.rs, a.cs, b.data, 0, b.rs, b.cs, out, 0, 12, 30, 16, "f64", undefined, undefined, kept)
      )
      assert.isUndefined(kept.view)
      assert.deepStrictEqual(Array.from(out), Array.from(gemm(a, b, 12, 30, 16, "f64")))
    } finally {
      pool.close()
    }
  })

  it("returns false and writes nothing when disabled (the JS fallback)", () => {
    assert.isFalse(setWasmGemm(false))
    assert.isFalse(wasmGemmAvailable())
    const a = layout(8, 8, false, 0, 1)
    const out = new Float32Array(64).fill(NaN)
    assert.isFalse(gemmF32(a.data, 0, 8, 1, a.data, 0, 8, 1, out, 0, 8, 8, 8))
    assert.isTrue(out.every(Number.isNaN))
    assert.isTrue(setWasmGemm(true))
  })
})

describe("dot_general on float32 through the wasm kernel", () => {
  const refBatched = (
    l: Float32Array,
    r: Float32Array,
    lIdx: (s: number, i: number, p: number) => number,
    rIdx: (s: number, p: number, j: number) => number,
    nb: number,
    m: number,
    k: number,
    n: number
  ) => {
    const c = new Float64Array(nb * m * n)
    const abs = new Float64Array(nb * m * n)
    for (let s = 0; s < nb; s++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0
          let sumAbs = 0
          for (let p = 0; p < k; p++) {
            acc += l[lIdx(s, i, p)]! * r[rIdx(s, p, j)]!
            sumAbs += Math.abs(l[lIdx(s, i, p)]! * r[rIdx(s, p, j)]!)
          }
          c[(s * m + i) * n + j] = Math.fround(acc)
          abs[(s * m + i) * n + j] = sumAbs
        }
      }
    }
    return { ref: c, abs }
  }

  it("batch dims, transposed contractions, and the fallback gives the same results", () => {
    // lhs (k, nb, m) contracting dim 0, batch dim 1; rhs (nb, n, k) contracting dim 2, batch dim 0
    const [nb, m, k, n] = [3, 17, 65, 33]
    const l = random(k * nb * m, 21)
    const r = random(nb * n * k, 22)
    const params = { contracting: [[0], [2]], batch: [[1], [0]] } as const
    const { abs, ref } = refBatched(
      l,
      r,
      (s, i, p) => (p * nb + s) * m + i,
      (s, p, j) => (s * n + j) * k + p,
      nb,
      m,
      k,
      n
    )
    const L = arr("float32", [k, nb, m], Array.from(l))
    const R = arr("float32", [nb, n, k], Array.from(r))
    const viaWasm = run("dot_general", [L, R], params, [nb, m, n], "float32")
    const highest = { ...params, precision: "highest" } as const
    const viaWasmHighest = run("dot_general", [L, R], highest, [nb, m, n], "float32")
    setWasmGemm(false)
    const viaJs = run("dot_general", [L, R], params, [nb, m, n], "float32")
    setWasmGemm(true)
    for (let i = 0; i < ref.length; i++) {
      const tol = 1e-6 * Math.max(1, Math.abs(ref[i]!))
      assert.isAtMost(Math.abs(viaWasmHighest[i]! - ref[i]!), tol, `wasm (highest) entry ${i}`)
      assert.isAtMost(Math.abs(viaJs[i]! - ref[i]!), tol, `js entry ${i}`)
      // "default" accumulates in float32 (fused multiply-adds where relaxed SIMD is on): the
      // standard bound of a float32 sum of k terms, (k + 1) * 2^-24 * sum |a b|
      assert.isAtMost(Math.abs(viaWasm[i]! - ref[i]!), (k + 1) * 2 ** -24 * abs[i]! + 2 ** -24 * Math.abs(ref[i]!))
    }
  })

  it("a 256x256 product with precision highest rounds the float64 sums (as the JS kernel does)", () => {
    const a = random(256 * 256, 1)
    const b = random(256 * 256, 2)
    const mm = { contracting: [[1], [0]], batch: [[], []], precision: "highest" } as const
    const A = arr("float32", [256, 256], Array.from(a))
    const B = arr("float32", [256, 256], Array.from(b))
    const viaWasm = run("dot_general", [A, B], mm, [256, 256], "float32")
    setWasmGemm(false)
    const viaJs = run("dot_general", [A, B], mm, [256, 256], "float32")
    setWasmGemm(true)
    let differ = 0
    for (let i = 0; i < viaJs.length; i++) if (viaWasm[i] !== viaJs[i]) differ++
    // both round a float64 sum once; only sums within float64 error of a float32 tie may differ
    assert.isAtMost(differ, 2)
  })

  it("float64 products run the f64x2 tile: within float64 summation error of the JS kernel", () => {
    const [m, k, n] = [37, 300, 41]
    const l = Array.from(random(m * k, 31), (v) => v / 3)
    const r = Array.from(random(k * n, 32), (v) => v / 7)
    const L = arr("float64", [m, k], l)
    const R = arr("float64", [n, k], r) // contracted on its last axis: read transposed
    const params = { contracting: [[1], [1]], batch: [[], []] } as const
    const viaWasm = run("dot_general", [L, R], params, [m, n], "float64")
    setWasmGemm(false)
    const viaJs = run("dot_general", [L, R], params, [m, n], "float64")
    setWasmGemm(true)
    assert.instanceOf(viaWasm, Float64Array)
    // the wasm kernel itself on the same float64 operands (gemmF32 reports whether it ran)
    const direct = new Float64Array(m * n)
    assert.isTrue(gemmF32(Float64Array.from(l), 0, k, 1, Float64Array.from(r), 0, 1, k, direct, 0, m, k, n, "f64"))
    assert.deepStrictEqual(Array.from(direct), Array.from(viaWasm))
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let abs = 0
        for (let p = 0; p < k; p++) abs += Math.abs(l[i * k + p]! * r[j * k + p]!)
        // two float64 summation orders: each within k * 2^-53 * sum |terms| of the exact sum
        assert.isAtMost(Math.abs(viaWasm[i * n + j]! - viaJs[i * n + j]!), k * 2 ** -52 * abs)
      }
    }
  })
})
