/**
 * The direct convolution (internal/convDirect.ts, wasmConv.ts) against
 * `conv_general_dilated` written here from its definition: float64 sums over
 * (input feature, taps in row-major order), padding and lhs dilation's holes
 * skipped. Float64 and float32 at `"highest"` precision sum in float64 in that
 * order, so they must match bit for bit; float32 at `"default"` accumulates in
 * float32 and must stay within the sum's rounding bound. Random geometries: one
 * to three spatial dimensions, strides, both dilations, negative and positive
 * padding, feature and batch groups, and every dimension order.
 */
import { aval, Convolution, type Params } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { convGeneralDilated, convPath, setConvDirect } from "../src/internal/conv.js"
import { makePool } from "../src/internal/threads.js"
import { wasmGemmAvailable } from "../src/internal/wasmGemm.js"

const values = (n: number, seed: number): Float64Array => {
  let s = seed
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0
    return ((s >>> 8) / (1 << 24)) * 2 - 1
  })
}

const stridesOf = (shape: ReadonlyArray<number>): Array<number> => {
  const out = new Array<number>(shape.length).fill(1)
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1]! * shape[d + 1]!
  return out
}

interface Case {
  readonly params: Params<"conv_general_dilated">
  /** logical [N, C, spatial...], [O, I, kernel...] and [N', O, out...] */
  readonly lhsDims: ReadonlyArray<number>
  readonly rhsDims: ReadonlyArray<number>
  readonly outDims: ReadonlyArray<number>
}

/** The shape of a tensor whose logical dimension k sits at `spec[k]`. */
const laidShape = (dims: ReadonlyArray<number>, spec: ReadonlyArray<number>): Array<number> => {
  const shape = new Array<number>(dims.length)
  spec.forEach((d, k) => (shape[d] = dims[k]!))
  return shape
}

/** Offset of a logical coordinate in the laid-out tensor. */
const offsetOf = (coords: ReadonlyArray<number>, strides: ReadonlyArray<number>, spec: ReadonlyArray<number>) => {
  let off = 0
  for (let k = 0; k < coords.length; k++) off += coords[k]! * strides[spec[k]!]!
  return off
}

const odometer = function*(sizes: ReadonlyArray<number>): Generator<Array<number>> {
  const total = sizes.reduce((a, b) => a * b, 1)
  const c = new Array<number>(sizes.length).fill(0)
  for (let n = 0; n < total; n++) {
    yield [...c]
    for (let d = sizes.length - 1; d >= 0; d--) {
      if (++c[d]! < sizes[d]!) break
      c[d] = 0
    }
  }
}

/** The definition, in float64, in the laid-out output. */
const reference = (c: Case, lhs: ArrayLike<number>, rhs: ArrayLike<number>): Float64Array => {
  const { params } = c
  const { lhsSpec, outSpec, rhsSpec } = params.dimensionNumbers
  const ls = stridesOf(laidShape(c.lhsDims, lhsSpec))
  const rs = stridesOf(laidShape(c.rhsDims, rhsSpec))
  const os = stridesOf(laidShape(c.outDims, outSpec))
  const inFeatures = c.rhsDims[1]
  const inSpatial = c.lhsDims.slice(2)
  const kernel = c.rhsDims.slice(2)
  const [outBatch, outFeatures, ...outSpatial] = c.outDims
  const fgc = params.featureGroupCount
  const bgc = params.batchGroupCount
  const out = new Float64Array(c.outDims.reduce((a, b) => a * b, 1))
  for (const oc of odometer([outBatch!, outFeatures!, ...outSpatial])) {
    const [nb, o, ...pos] = oc
    const grp = Math.floor(o! / (outFeatures! / (fgc * bgc)))
    let acc = 0
    for (let ii = 0; ii < inFeatures!; ii++) {
      for (const k of odometer(kernel)) {
        const x: Array<number> = []
        let inside = true
        for (let d = 0; d < k.length && inside; d++) {
          const q = pos[d]! * params.windowStrides[d]! + k[d]! * params.rhsDilation[d]! - params.padding[d]![0]
          const dil = params.lhsDilation[d]!
          inside = q >= 0 && q % dil === 0 && q / dil < inSpatial[d]!
          x.push(q / dil)
        }
        if (!inside) continue
        const n = bgc > 1 ? grp * outBatch! + nb! : nb!
        const f = fgc > 1 ? grp * inFeatures! + ii : ii
        acc += rhs[offsetOf([o!, ii, ...k], rs, rhsSpec)]! * lhs[offsetOf([n, f, ...x], ls, lhsSpec)]!
      }
    }
    out[offsetOf(oc, os, outSpec)] = acc
  }
  return out
}

const run = (
  c: Case,
  lhs: Float32Array | Float64Array,
  rhs: Float32Array | Float64Array,
  dtype: "float32" | "float64",
  pool?: ReturnType<typeof makePool>
) => {
  const dn = c.params.dimensionNumbers
  return convGeneralDilated(
    lhs,
    rhs,
    aval(laidShape(c.lhsDims, dn.lhsSpec), dtype),
    aval(laidShape(c.rhsDims, dn.rhsSpec), dtype),
    c.params,
    aval(laidShape(c.outDims, dn.outSpec), dtype),
    pool
  )
}

const permutation = (n: number) =>
  fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n })

const geometry = fc.integer({ min: 1, max: 3 }).chain((ns) =>
  fc.record({
    spatial: fc.array(
      fc.record({
        input: fc.integer({ min: 1, max: ns === 3 ? 6 : 12 }),
        kernel: fc.integer({ min: 1, max: 5 }),
        stride: fc.integer({ min: 1, max: 3 }),
        rhsDilation: fc.integer({ min: 1, max: 2 }),
        lhsDilation: fc.constantFrom(1, 1, 2),
        padding: fc.tuple(fc.integer({ min: -2, max: 3 }), fc.integer({ min: -2, max: 3 }))
      }),
      { minLength: ns, maxLength: ns }
    ),
    batch: fc.integer({ min: 1, max: 3 }),
    inFeatures: fc.integer({ min: 1, max: 3 }),
    outFeatures: fc.integer({ min: 1, max: 3 }),
    groups: fc.constantFrom<"none" | "feature" | "batch">("none", "none", "feature", "batch"),
    lhsSpec: permutation(ns + 2),
    rhsSpec: permutation(ns + 2),
    outSpec: permutation(ns + 2),
    seed: fc.integer({ min: 1, max: 1_000_000 })
  })
)

type Geometry = typeof geometry extends fc.Arbitrary<infer T> ? T : never

const caseOf = (g: Geometry, precision: "default" | "highest"): Case | undefined => {
  const fgc = g.groups === "feature" ? 2 : 1
  const bgc = g.groups === "batch" ? 2 : 1
  const params = {
    windowStrides: g.spatial.map((d) => d.stride),
    padding: g.spatial.map((d) => d.padding),
    lhsDilation: g.spatial.map((d) => d.lhsDilation),
    rhsDilation: g.spatial.map((d) => d.rhsDilation),
    dimensionNumbers: { lhsSpec: g.lhsSpec, rhsSpec: g.rhsSpec, outSpec: g.outSpec },
    featureGroupCount: fgc,
    batchGroupCount: bgc,
    precision,
    preferredElementType: undefined
  } as unknown as Params<"conv_general_dilated">
  const lhsDims = [g.batch * bgc, g.inFeatures * fgc, ...g.spatial.map((d) => d.input)]
  const rhsDims = [g.outFeatures * fgc * bgc, g.inFeatures, ...g.spatial.map((d) => d.kernel)]
  const dn = params.dimensionNumbers
  let geo: Convolution.ConvGeometry
  try {
    geo = Convolution.convGeometry(
      aval(laidShape(lhsDims, dn.lhsSpec), "float64"),
      aval(laidShape(rhsDims, dn.rhsSpec), "float64"),
      params
    )
  } catch {
    return undefined
  }
  if (geo.outSpatial.some((n) => n < 1)) return undefined
  return { params, lhsDims, rhsDims, outDims: [geo.outBatch, geo.o, ...geo.outSpatial] }
}

const sizeOf = (dims: ReadonlyArray<number>) => dims.reduce((a, b) => a * b, 1)

describe("direct convolution", () => {
  it("float64 and float32 at highest precision equal the definition's float64 sums bit for bit", () => {
    if (!wasmGemmAvailable()) return
    setConvDirect("always")
    try {
      fc.assert(
        fc.property(geometry, fc.constantFrom<"float64" | "float32">("float64", "float32"), (g, dtype) => {
          const c = caseOf(g, dtype === "float32" ? "highest" : "default")
          if (c === undefined) return
          const lhs64 = values(sizeOf(c.lhsDims), g.seed)
          const rhs64 = values(sizeOf(c.rhsDims), g.seed + 7)
          const View = dtype === "float32" ? Float32Array : Float64Array
          const lhs = View.from(lhs64)
          const rhs = View.from(rhs64)
          const want = reference(c, lhs, rhs)
          const got = run(c, lhs, rhs, dtype)
          assert.strictEqual(got.length, want.length)
          for (let i = 0; i < want.length; i++) {
            const w = dtype === "float32" ? Math.fround(want[i]!) : want[i]!
            if (!Object.is(got[i], w)) assert.fail(`element ${i}: ${got[i]} against ${w}`)
          }
        }),
        { numRuns: 300 }
      )
    } finally {
      setConvDirect("auto")
    }
  })

  it("float32 at default precision is within the float32 sum's rounding bound", () => {
    if (!wasmGemmAvailable()) return
    setConvDirect("always")
    try {
      fc.assert(
        fc.property(geometry, (g) => {
          const c = caseOf(g, "default")
          if (c === undefined) return
          const lhs = Float32Array.from(values(sizeOf(c.lhsDims), g.seed))
          const rhs = Float32Array.from(values(sizeOf(c.rhsDims), g.seed + 7))
          const want = reference(c, lhs, rhs)
          const bound = reference(c, lhs.map(Math.abs), rhs.map(Math.abs))
          const taps = sizeOf(c.rhsDims.slice(1))
          const got = run(c, lhs, rhs, "float32")
          for (let i = 0; i < want.length; i++) {
            const err = Math.abs(got[i]! - want[i]!)
            if (err > (taps + 1) * 2 ** -24 * bound[i]! + 1e-30) {
              assert.fail(`element ${i}: ${got[i]} against ${want[i]} (bound ${bound[i]})`)
            }
          }
        }),
        { numRuns: 200 }
      )
    } finally {
      setConvDirect("auto")
    }
  })

  it("long rows in several segments, strided and dilated, the same on two threads as on one", () => {
    if (!wasmGemmAvailable()) return
    // one channel, 3,001 samples, a 129-tap filter dilated by 2, stride 2: rows of 1,375 outputs
    // (three segments of 512); then channels-last 12 x 700 images with four output features
    const cases: Array<Case> = [
      {
        params: {
          windowStrides: [2],
          padding: [[200, 31]],
          lhsDilation: [1],
          rhsDilation: [2],
          dimensionNumbers: { lhsSpec: [0, 1, 2], rhsSpec: [0, 1, 2], outSpec: [0, 1, 2] },
          featureGroupCount: 1,
          batchGroupCount: 1,
          precision: "highest",
          preferredElementType: undefined
        } as unknown as Params<"conv_general_dilated">,
        lhsDims: [8, 1, 3001],
        rhsDims: [1, 1, 129],
        outDims: [2, 1, 0]
      },
      {
        params: {
          windowStrides: [1, 1],
          padding: [[2, 2], [10, 10]],
          lhsDilation: [1, 1],
          rhsDilation: [1, 1],
          dimensionNumbers: { lhsSpec: [0, 3, 1, 2], rhsSpec: [3, 2, 0, 1], outSpec: [0, 3, 1, 2] },
          featureGroupCount: 1,
          batchGroupCount: 1,
          precision: "highest",
          preferredElementType: undefined
        } as unknown as Params<"conv_general_dilated">,
        lhsDims: [1, 2, 12, 700],
        rhsDims: [4, 2, 5, 21],
        outDims: [2, 4, 0, 0]
      }
    ]
    const pool = makePool(2)
    setConvDirect("always")
    try {
      for (const base of cases) {
        const dn = base.params.dimensionNumbers
        const geo = Convolution.convGeometry(
          aval(laidShape(base.lhsDims, dn.lhsSpec), "float32"),
          aval(laidShape(base.rhsDims, dn.rhsSpec), "float32"),
          base.params
        )
        const c = { ...base, outDims: [geo.outBatch, geo.o, ...geo.outSpatial] }
        const lhs = Float32Array.from(values(sizeOf(c.lhsDims), 11))
        const rhs = Float32Array.from(values(sizeOf(c.rhsDims), 12))
        const want = reference(c, lhs, rhs)
        const one = run(c, lhs, rhs, "float32")
        for (let i = 0; i < want.length; i++) {
          if (!Object.is(one[i], Math.fround(want[i]!))) assert.fail(`element ${i}: ${one[i]} against ${want[i]}`)
        }
        // until the worker has received the kernel and run chunks of it
        const before = pool.stats().workerChunks
        const start = Date.now()
        do {
          const two = run(c, lhs, rhs, "float32", pool)
          for (let i = 0; i < want.length; i++) {
            if (!Object.is(two[i], one[i])) assert.fail(`element ${i} on two threads: ${two[i]} against ${one[i]}`)
          }
        } while (pool.stats().workerChunks === before && Date.now() - start < 10_000)
        assert.isAbove(pool.stats().workerChunks, before, "the worker ran chunks")
      }
    } finally {
      setConvDirect("auto")
      pool.close()
    }
  })

  it("is chosen by default for long filters and few features, not for a CNN layer or a 3 x 3 kernel gradient", () => {
    const choice = (lhs: Array<number>, rhs: Array<number>, padding: Array<[number, number]>) => {
      const ns = lhs.length - 2
      const spec = Array.from({ length: ns + 2 }, (_, i) => i)
      const params = {
        windowStrides: Array(ns).fill(1),
        padding,
        lhsDilation: Array(ns).fill(1),
        rhsDilation: Array(ns).fill(1),
        dimensionNumbers: { lhsSpec: spec, rhsSpec: spec, outSpec: spec },
        featureGroupCount: 1,
        batchGroupCount: 1,
        precision: "default",
        preferredElementType: undefined
      } as unknown as Params<"conv_general_dilated">
      return convPath(aval(lhs, "float32"), aval(rhs, "float32"), params)
    }
    // 1.1 s through the GEMM's tables before, milliseconds directly
    assert.strictEqual(choice([1, 1, 256, 256], [1, 1, 31, 31], [[15, 15], [15, 15]]), "direct")
    assert.strictEqual(choice([1, 1, 65536], [1, 1, 257], [[128, 128]]), "direct")
    assert.strictEqual(choice([32, 8, 24, 24], [1, 8, 5, 5], [[4, 4], [4, 4]]), "direct")
    // a CNN layer: 32 features in and out, 3 x 3
    assert.strictEqual(choice([16, 32, 28, 28], [32, 32, 3, 3], [[1, 1], [1, 1]]), "gemm")
    // its kernel gradient (features as the batch, a 28 x 28 window, a 3 x 3 output)
    assert.strictEqual(choice([32, 16, 28, 28], [32, 16, 28, 28], [[1, 1], [1, 1]]), "gemm")
  })
})
