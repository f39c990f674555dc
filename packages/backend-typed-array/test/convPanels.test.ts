/**
 * Convolutions whose patches the product packs straight from the input
 * (internal/conv.ts: channels first, the rhs as panels of eight positions,
 * `gemmF32Panels`; channels last with features in fours, the lhs as rows of
 * features per tap, `gemmF32Rows`; windows of a multiple of four taps along a
 * contiguous last dimension, the lhs as rows of taps): bit for bit the product of an explicitly
 * unrolled patch matrix (im2col written here from the definition) on the same
 * float32 GEMM, summing in the same order (feature then tap for channels first,
 * tap then feature for channels last), over random geometries with padding,
 * strides along the other dimensions, both layouts and several images. The direct
 * convolution, which "auto" takes for some of these geometries, is off here.
 */
import { aval, type Params } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { convGeneralDilated, setConvDirect } from "../src/internal/conv.js"
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
  inFeatures: fc.integer({ min: 1, max: 9 }),
  outFeatures: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 8 }),
  outH: fc.integer({ min: 1, max: 4 }),
  // output widths of whole panels of eight positions (the panel path's condition), or not (with
  // windows of 4 or 8 taps along W, the tap-runs path: a kernel gradient's geometry)
  outW: fc.constantFrom(8, 16, 24, 3, 5, 12),
  strideH: fc.integer({ min: 1, max: 2 }),
  strideW: fc.constantFrom(1, 1, 2),
  padH: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  padW: fc.integer({ min: 0, max: 3 }),
  channelsLast: fc.boolean(),
  // images innermost ([H, W, C, N], a kernel gradient's view of a channels-last input), in eights
  imagesLast: fc.constantFrom<false | 8 | 16>(false, false, 8, 16),
  seed: fc.integer({ min: 1, max: 1_000_000 })
})

describe("convolution with the patches packed from the input", () => {
  it("equals the kernel times an explicit patch matrix on the same GEMM, bit for bit", () => {
    if (!wasmGemmAvailable()) return
    // the GEMM paths themselves (the direct convolution, convDirect.test.ts, would take some)
    setConvDirect("never")
    try {
      fc.assert(
        fc.property(geometry, (g) => {
          // input sizes that give outH x outW outputs with this padding and these strides
          const h = (g.outH - 1) * g.strideH + g.kh - g.padH[0] - g.padH[1]
          const w = (g.outW - 1) * g.strideW + g.kw - 2 * g.padW
          if (h < 1 || w < 1) return
          const { inFeatures: c, outFeatures: o } = g
          const n = g.imagesLast === false ? g.batch : g.imagesLast
          const lhsShape = g.imagesLast !== false ? [h, w, c, n] : g.channelsLast ? [n, h, w, c] : [n, c, h, w]
          const outShape = g.channelsLast ? [n, g.outH, g.outW, o] : [n, o, g.outH, g.outW]
          const x = values(n * c * h * w, g.seed)
          const k = values(o * c * g.kh * g.kw, g.seed + 1)
          const lhsAt = (b: number, f: number, i: number, j: number) =>
            g.imagesLast !== false
              ? ((i * w + j) * c + f) * n + b
              : g.channelsLast
              ? ((b * h + i) * w + j) * c + f
              : ((b * c + f) * h + i) * w + j
          const outAt = (b: number, f: number, i: number, j: number) =>
            g.channelsLast ? ((b * g.outH + i) * g.outW + j) * o + f : ((b * o + f) * g.outH + i) * g.outW + j
          const params: Params<"conv_general_dilated"> = {
            windowStrides: [g.strideH, g.strideW],
            padding: [g.padH, [g.padW, g.padW]],
            lhsDilation: [1, 1],
            rhsDilation: [1, 1],
            dimensionNumbers: {
              lhsSpec: g.imagesLast !== false ? [3, 2, 0, 1] : g.channelsLast ? [0, 3, 1, 2] : [0, 1, 2, 3],
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
          const cols = c * g.kh * g.kw
          const rows = n * g.outH * g.outW
          if (o * cols * rows < 512) return
          // The product of an explicit im2col in either order of k: feature then tap (the panels, the
          // runs of taps, the patch matrix), or tap then feature (rows of features: channels last, and
          // channels first copied so where neither panels nor runs of taps apply; features not in
          // fours are padded with zeros, which leave the sums unchanged).
          const product = (tapMajor: boolean): Float32Array => {
            const patches = new Float32Array(cols * rows)
            for (let f = 0; f < c; f++) {
              for (let di = 0; di < g.kh; di++) {
                for (let dj = 0; dj < g.kw; dj++) {
                  const p = tapMajor ? (di * g.kw + dj) * c + f : (f * g.kh + di) * g.kw + dj
                  for (let b = 0; b < n; b++) {
                    for (let i = 0; i < g.outH; i++) {
                      for (let j = 0; j < g.outW; j++) {
                        const y = i * g.strideH + di - g.padH[0]
                        const z = j * g.strideW + dj - g.padW
                        const inside = y >= 0 && y < h && z >= 0 && z < w
                        const q = (b * g.outH + i) * g.outW + j
                        patches[tapMajor ? q * cols + p : p * rows + q] = inside ? x[lhsAt(b, f, y, z)]! : 0
                      }
                    }
                  }
                }
              }
            }
            // the kernel [o, c, kh, kw] as the product's other operand
            const kernel = new Float32Array(o * cols)
            for (let f = 0; f < o; f++) {
              for (let e = 0; e < c; e++) {
                for (let t = 0; t < g.kh * g.kw; t++) {
                  const v = k[(f * c + e) * g.kh * g.kw + t]!
                  if (tapMajor) kernel[(t * c + e) * o + f] = v
                  else kernel[f * cols + e * g.kh * g.kw + t] = v
                }
              }
            }
            const out = new Float32Array(o * rows)
            assert.isTrue(
              tapMajor
                ? gemmF32(patches, 0, cols, 1, kernel, 0, o, 1, out, 0, rows, cols, o, "f32")
                : gemmF32(kernel, 0, cols, 1, patches, 0, rows, 1, out, 0, o, cols, rows, "f32")
            )
            // in the output's layout
            const laid = new Float32Array(got.length)
            for (let f = 0; f < o; f++) {
              for (let q = 0; q < rows; q++) {
                const b = Math.floor(q / (g.outH * g.outW))
                const i = Math.floor(q / g.outW) % g.outH
                laid[outAt(b, f, i, q % g.outW)] = out[tapMajor ? q * o + f : f * rows + q]!
              }
            }
            return laid
          }
          const same = (want: Float32Array) => want.every((v, i) => Object.is(v, got[i]))
          const byFeature = product(false)
          // channels last always reads rows of features
          if (g.imagesLast !== false || !g.channelsLast) {
            if (same(byFeature)) return
          }
          const byTap = product(true)
          const at = byTap.findIndex((v, i) => !Object.is(v, got[i]))
          assert.strictEqual(at, -1, `output ${at}: ${got[at]} against ${byTap[at]} (or ${byFeature[at]})`)
        }),
        { numRuns: 300 }
      )
    } finally {
      setConvDirect("auto")
    }
  })
})
