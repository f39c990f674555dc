/**
 * Convolutions whose patches the product packs straight from the input
 * (internal/conv.ts's panel path, wasmGemm.ts's `gemmF32Panels`): bit for bit
 * the product of the kernel and an explicitly unrolled patch matrix (im2col
 * written here from the definition) on the same float32 GEMM, over random
 * geometries with padding, strides along the other dimensions, both layouts and
 * several images; and a hand-derived case.
 */
import { aval, type Params } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { convGeneralDilated } from "../src/internal/conv.js"
import { gemmF32, wasmGemmAvailable } from "../src/internal/wasmGemm.js"

const values = (n: number, seed: number) => {
  let s = seed
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return ((s >>> 8) / (1 << 24)) * 2 - 1
  })
}

const geometry = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  inFeatures: fc.integer({ min: 1, max: 5 }),
  outFeatures: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 4 }),
  outH: fc.integer({ min: 1, max: 4 }),
  // output widths of whole panels of eight positions (the panel path's condition)
  outW: fc.constantFrom(8, 16, 24),
  strideH: fc.integer({ min: 1, max: 2 }),
  padH: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  padW: fc.integer({ min: 0, max: 3 }),
  channelsLast: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 })
})

describe("convolution with the patches packed from the input", () => {
  it("equals the kernel times an explicit patch matrix on the same GEMM, bit for bit", () => {
    if (!wasmGemmAvailable()) return
    fc.assert(
      fc.property(geometry, (g) => {
        // input sizes that give outH x outW outputs with this padding (stride 1 along W)
        const h = (g.outH - 1) * g.strideH + g.kh - g.padH[0] - g.padH[1]
        const w = g.outW - 1 + g.kw - 2 * g.padW
        if (h < 1 || w < 1) return
        const { batch: n, inFeatures: c, outFeatures: o } = g
        const lhsShape = g.channelsLast ? [n, h, w, c] : [n, c, h, w]
        const outShape = g.channelsLast ? [n, g.outH, g.outW, o] : [n, o, g.outH, g.outW]
        const x = values(n * c * h * w, g.seed)
        const k = values(o * c * g.kh * g.kw, g.seed + 1)
        const lhsAt = (b: number, f: number, i: number, j: number) =>
          g.channelsLast ? ((b * h + i) * w + j) * c + f : ((b * c + f) * h + i) * w + j
        const outAt = (b: number, f: number, i: number, j: number) =>
          g.channelsLast ? ((b * g.outH + i) * g.outW + j) * o + f : ((b * o + f) * g.outH + i) * g.outW + j
        const params: Params<"conv_general_dilated"> = {
          windowStrides: [g.strideH, 1],
          padding: [g.padH, [g.padW, g.padW]],
          lhsDilation: [1, 1],
          rhsDilation: [1, 1],
          dimensionNumbers: {
            lhsSpec: g.channelsLast ? [0, 3, 1, 2] : [0, 1, 2, 3],
            rhsSpec: [0, 1, 2, 3],
            outSpec: g.channelsLast ? [0, 3, 1, 2] : [0, 1, 2, 3]
          },
          featureGroupCount: 1,
          batchGroupCount: 1,
          precision: "default",
          preferredElementType: undefined
        } as unknown as Params<"conv_general_dilated">
        const got = convGeneralDilated(
          x,
          k,
          aval(lhsShape, "float32"),
          aval([o, c, g.kh, g.kw], "float32"),
          params,
          aval(outShape, "float32")
        )
        // im2col: patches[(f * kh + di) * kw + dj][(b * outH + i) * outW + j]
        const cols = c * g.kh * g.kw
        const rows = n * g.outH * g.outW
        const patches = new Float32Array(cols * rows)
        for (let f = 0; f < c; f++) {
          for (let di = 0; di < g.kh; di++) {
            for (let dj = 0; dj < g.kw; dj++) {
              const p = (f * g.kh + di) * g.kw + dj
              for (let b = 0; b < n; b++) {
                for (let i = 0; i < g.outH; i++) {
                  for (let j = 0; j < g.outW; j++) {
                    const y = i * g.strideH + di - g.padH[0]
                    const z = j + dj - g.padW
                    const inside = y >= 0 && y < h && z >= 0 && z < w
                    patches[p * rows + (b * g.outH + i) * g.outW + j] = inside ? x[lhsAt(b, f, y, z)]! : 0
                  }
                }
              }
            }
          }
        }
        const product = new Float32Array(o * rows)
        if (o * cols * rows < 512) return
        assert.isTrue(gemmF32(k, 0, cols, 1, patches, 0, rows, 1, product, 0, o, cols, rows, "f32"))
        for (let f = 0; f < o; f++) {
          for (let b = 0; b < n; b++) {
            for (let i = 0; i < g.outH; i++) {
              for (let j = 0; j < g.outW; j++) {
                const want = product[f * rows + (b * g.outH + i) * g.outW + j]!
                const have = got[outAt(b, f, i, j)]!
                assert.isTrue(Object.is(have, want), `output (${b}, ${f}, ${i}, ${j}): ${have} against ${want}`)
              }
            }
          }
        }
      }),
      { numRuns: 150 }
    )
  })
})
