/**
 * The windowed-reduction kernels (internal/window.ts) against a per-window fold
 * written from the definition, bit for bit: random pooling geometries whose
 * last dimension is the channels (the WebAssembly SIMD path of max, min and the
 * pooling gradients' selection, and its JavaScript remainder), with NaN, signed
 * zeros, infinities and ties, in float32, float64 and int32.
 */
import type { DType, WindowParams } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { reduceWindow, selectAndGatherAdd, selectAndScatterAdd } from "../src/internal/window.js"

type Kind = "sum" | "max" | "min"

const sizeOf = (s: ReadonlyArray<number>) => s.reduce((a, b) => a * b, 1)

/** Each output window's real taps (operand offsets, row-major tap order; padding skipped). */
const windowTaps = (shape: ReadonlyArray<number>, p: WindowParams) => {
  const nd = shape.length
  const out = shape.map((d, k) => {
    const padded = d + p.padding[k]![0] + p.padding[k]![1]
    return Math.floor((padded - p.windowDimensions[k]!) / p.windowStrides[k]!) + 1
  })
  const coords = (sizes: ReadonlyArray<number>, i: number) => {
    const c = new Array<number>(sizes.length)
    for (let d = sizes.length - 1; d >= 0; d--) {
      c[d] = i % sizes[d]!
      i = Math.floor(i / sizes[d]!)
    }
    return c
  }
  const strides = shape.map((_, k) => sizeOf(shape.slice(k + 1)))
  const windows: Array<Array<number>> = []
  for (let w = 0; w < sizeOf(out); w++) {
    const o = coords(out, w)
    const taps: Array<number> = []
    for (let t = 0; t < sizeOf(p.windowDimensions); t++) {
      const k = coords(p.windowDimensions, t)
      let off = 0
      let real = true
      for (let d = 0; d < nd; d++) {
        const q = o[d]! * p.windowStrides[d]! + k[d]! - p.padding[d]![0]
        if (q < 0 || q >= shape[d]!) real = false
        else off += q * strides[d]!
      }
      if (real) taps.push(off)
    }
    windows.push(taps)
  }
  return { windows, outShape: out }
}

/**
 * Each window folded from the identity in row-major tap order: a later value replaces a kept one
 * only when strictly larger (max) or smaller (min), or NaN, and a kept NaN stays (XLA's fold);
 * sums in float64 from +0.
 */
const foldOracle = (
  kind: Kind,
  x: ArrayLike<number>,
  taps: ReadonlyArray<ReadonlyArray<number>>,
  dtype: DType.DType
) => {
  const init = kind === "sum"
    ? 0
    : dtype === "int32"
    ? (kind === "max" ? -2147483648 : 2147483647)
    : kind === "max"
    ? -Infinity
    : Infinity
  return taps.map((offsets) => {
    let acc = init
    for (const off of offsets) {
      const v = x[off]!
      if (kind === "sum") acc += v
      else if (acc === acc && ((kind === "max" ? v > acc : v < acc) || v !== v)) acc = v
    }
    return acc
  })
}

/** XLA's select per window: the first tap, replaced by a later one unless the kept one is >= it (<=). */
const selectOracle = (x: ArrayLike<number>, taps: ReadonlyArray<ReadonlyArray<number>>, ge: boolean) =>
  taps.map((offsets) => {
    let best = -1
    for (const off of offsets) if (best < 0 || !(ge ? x[best]! >= x[off]! : x[best]! <= x[off]!)) best = off
    return best
  })

const special = [Number.NaN, 0, -0, Infinity, -Infinity, 1, 1, -1]

const geometry = fc.record({
  outer: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
  channels: fc.integer({ min: 1, max: 13 }),
  window: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 3 }),
  pad: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
  dtype: fc.constantFrom<DType.DType>("float32", "float64", "int32"),
  kind: fc.constantFrom<Kind>("max", "min", "sum"),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  // values drawn mostly from signed zeros (ties whose winner shows in the sign), or spread out
  zeros: fc.boolean(),
  // windows along the last dimension too (the general path: evenly stepped rows, offset tables)
  lastWindowed: fc.boolean()
}).filter((g) =>
  [...g.outer, ...(g.lastWindowed ? [g.channels] : [])].every((d) => d + g.pad[0] + g.pad[1] >= g.window)
)

type Geometry = typeof geometry extends fc.Arbitrary<infer G> ? G : never

/** The geometry's shape, window parameters and operand (of its dtype). */
const setup = (g: Geometry) => {
  const shape = [...g.outer, g.channels]
  const params: WindowParams = {
    windowDimensions: [...g.outer.map(() => g.window), g.lastWindowed ? g.window : 1],
    windowStrides: [...g.outer.map(() => g.stride), g.lastWindowed ? g.stride : 1],
    padding: [...g.outer.map(() => g.pad), g.lastWindowed ? g.pad : [0, 0] as const],
    baseDilation: shape.map(() => 1),
    windowDilation: shape.map(() => 1)
  }
  let s = g.seed
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 0
  const make = (n: number) =>
    g.dtype === "float32" ? new Float32Array(n) : g.dtype === "float64" ? new Float64Array(n) : new Int32Array(n)
  const value = (r: number) => {
    if (g.dtype === "int32") return (r % 7) - 3
    if (g.zeros) {
      return r % 16 === 0 ? special[(r >>> 4) % special.length]! : (r >>> 4) % 3 === 0 ? -1 : r % 2 === 0 ? 0 : -0
    }
    return r % 4 === 0 ? special[(r >>> 2) % special.length]! : ((r % 9) - 4) / 2
  }
  const x = make(sizeOf(shape))
  for (let i = 0; i < x.length; i++) x[i] = value(next())
  return { shape, params, x, make, ...windowTaps(shape, params) }
}

const sameBits = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  assert.strictEqual(got.length, want.length)
  for (let i = 0; i < want.length; i++) {
    assert.isTrue(Object.is(got[i], want[i]), `element ${i}: ${got[i]} against ${want[i]}`)
  }
}

describe("reduceWindow over channels", () => {
  it("equals the per-window fold bit for bit (NaN, signed zeros, ties; SIMD and its remainder)", () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { make, outShape, params, shape, windows, x } = setup(g)
        const want = make(windows.length)
        want.set(foldOracle(g.kind, x, windows, g.dtype))
        sameBits(reduceWindow(g.kind, x, shape, g.dtype, params, outShape), want)
      }),
      { numRuns: 400 }
    )
  })

  it("the pooling gradients select XLA's element (ge and le; NaN, signed zeros, ties)", () => {
    fc.assert(
      fc.property(geometry, fc.boolean(), (g, ge) => {
        if (g.dtype === "int32") return
        const { make, outShape, params, shape, windows, x } = setup(g)
        const best = selectOracle(x, windows, ge)
        // distinct tangents and sources show which element each window took
        const t = make(x.length).map((_, i) => i + 0.5)
        const source = make(windows.length).map((_, w) => 1000 * (w + 1))
        const gathered = make(windows.length)
        best.forEach((b, w) => (gathered[w] = b < 0 ? 0 : t[b]!))
        const scattered = make(x.length)
        best.forEach((b, w) => {
          if (b >= 0) scattered[b] = scattered[b]! + source[w]!
        })
        const selectPrim = ge ? "ge" : "le"
        sameBits(selectAndGatherAdd(t, x, shape, g.dtype, { ...params, selectPrim }, outShape), gathered)
        sameBits(selectAndScatterAdd(source, x, shape, g.dtype, { ...params, selectPrim }), scattered)
      }),
      { numRuns: 400 }
    )
  })

  it("a 2 x 2 max pool of a pooling layout (hand-derived)", () => {
    // two channels of a 2 x 4 image; channel 1's first window holds -0, 0, 0, -0: the first stays
    const x = Float32Array.from([0, -0, 1, 0, 2, 4, 3, 3, 4, 0, 5, -0, 6, -1, 7, 2])
    const got = reduceWindow("max", x, [2, 4, 2], "float32", {
      windowDimensions: [2, 2, 1],
      windowStrides: [2, 2, 1],
      padding: [[0, 0], [0, 0], [0, 0]],
      baseDilation: [1, 1, 1],
      windowDilation: [1, 1, 1]
    }, [1, 2, 2])
    const want = [5, -0, 7, 4]
    want.forEach((v, i) => assert.isTrue(Object.is(got[i], v), `element ${i}: ${got[i]} against ${v}`))
  })
})
