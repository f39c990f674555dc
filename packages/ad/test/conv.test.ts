/**
 * `conv_general_dilated` and JAX's convolution wrappers: hand-derived values,
 * a float64 direct-summation oracle (XLA's definition, element by element) over
 * random geometries (strides, padding, both dilations, feature and batch
 * groups, permuted dimension numbers), the JVP and both transposes against
 * finite differences and against each other, and vmap against a loop.
 */
import { aval, ConcreteTensor, DType, lax, np, ShapeError, toJsSync } from "@diffect/core"
import type { ConvDimensionNumbers, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { jvpFlat, vjpFlat } from "../src/index.js"
import { vmapFlat } from "../src/Vmap.js"
import { values } from "./finiteDifferencesUtil.js"

const sizeOf = (s: ReadonlyArray<number>) => s.reduce((a, b) => a * b, 1)
const f64 = (data: ReadonlyArray<number>, shape: ReadonlyArray<number>): Tensor => {
  const host = DType.allocHost("float64", sizeOf(shape))
  data.forEach((v, i) => (host[i] = v))
  return new ConcreteTensor(aval(shape, "float64"), host, undefined)
}
const stridesOf = (s: ReadonlyArray<number>) => {
  const out = s.map(() => 1)
  for (let i = s.length - 2; i >= 0; i--) out[i] = out[i + 1]! * s[i + 1]!
  return out
}

interface Geometry {
  readonly strides: ReadonlyArray<number>
  readonly padding: ReadonlyArray<readonly [number, number]>
  readonly lhsDilation: ReadonlyArray<number>
  readonly rhsDilation: ReadonlyArray<number>
  readonly dn: ConvDimensionNumbers
  readonly fgc: number
  readonly bgc: number
}

/** XLA's convolution by its definition: every output element summed directly (float64). */
const oracle = (
  lhs: ReadonlyArray<number>,
  lshape: ReadonlyArray<number>,
  rhs: ReadonlyArray<number>,
  rshape: ReadonlyArray<number>,
  g: Geometry
): { data: Array<number>; shape: Array<number> } => {
  const { dn } = g
  const ns = lshape.length - 2
  const n = lshape[dn.lhsSpec[0]!]!
  const o = rshape[dn.rhsSpec[0]!]!
  const fi = rshape[dn.rhsSpec[1]!]!
  const inS = dn.lhsSpec.slice(2).map((d) => lshape[d]!)
  const kS = dn.rhsSpec.slice(2).map((d) => rshape[d]!)
  const outS = inS.map((d, k) => {
    const padded = (d === 0 ? 0 : (d - 1) * g.lhsDilation[k]! + 1) + g.padding[k]![0] + g.padding[k]![1]
    const win = (kS[k]! - 1) * g.rhsDilation[k]! + 1
    return padded < win ? 0 : Math.floor((padded - win) / g.strides[k]!) + 1
  })
  const outBatch = n / g.bgc
  const canonical = [outBatch, o, ...outS]
  const shape = new Array<number>(canonical.length)
  dn.outSpec.forEach((d, k) => (shape[d] = canonical[k]!))
  const ls = stridesOf(lshape)
  const rs = stridesOf(rshape)
  const os = stridesOf(shape)
  const data = new Array<number>(sizeOf(shape)).fill(0)
  const groups = g.fgc * g.bgc
  const og = o / groups
  const outIdx = (c: ReadonlyArray<number>) => c.reduce((acc, v, k) => acc + v * os[dn.outSpec[k]!]!, 0)
  const each = (sizes: ReadonlyArray<number>, f: (c: Array<number>) => void) => {
    const total = sizeOf(sizes)
    for (let t = 0; t < total; t++) {
      const c = new Array<number>(sizes.length)
      let r = t
      for (let d = sizes.length - 1; d >= 0; d--) {
        c[d] = r % sizes[d]!
        r = Math.floor(r / sizes[d]!)
      }
      f(c)
    }
  }
  each(canonical, ([nb, oo, ...s]) => {
    const grp = Math.floor(oo! / og)
    const batch = g.bgc > 1 ? grp * outBatch + nb! : nb!
    let acc = 0
    for (let ii = 0; ii < fi; ii++) {
      const feature = g.fgc > 1 ? grp * fi + ii : ii
      each(kS, (k) => {
        let lOff = batch * ls[dn.lhsSpec[0]!]! + feature * ls[dn.lhsSpec[1]!]!
        let rOff = oo! * rs[dn.rhsSpec[0]!]! + ii * rs[dn.rhsSpec[1]!]!
        for (let d = 0; d < ns; d++) {
          const q = s[d]! * g.strides[d]! + k[d]! * g.rhsDilation[d]! - g.padding[d]![0]
          if (q < 0 || q % g.lhsDilation[d]! !== 0 || q / g.lhsDilation[d]! >= inS[d]!) return
          lOff += (q / g.lhsDilation[d]!) * ls[dn.lhsSpec[2 + d]!]!
          rOff += k[d]! * rs[dn.rhsSpec[2 + d]!]!
        }
        acc += lhs[lOff]! * rhs[rOff]!
      })
    }
    data[outIdx([nb!, oo!, ...s])] = acc
  })
  return { data, shape }
}

const permutation = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n })

/** A random convolution: geometry, operand shapes (in the specs' layouts) and values. */
const convArb = fc.integer({ min: 1, max: 2 }).chain((ns) =>
  fc.record({
    ns: fc.constant(ns),
    n: fc.integer({ min: 1, max: 2 }),
    i: fc.integer({ min: 1, max: 2 }),
    og: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 3 }),
    batchGroups: fc.boolean(),
    inS: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: ns, maxLength: ns }),
    kS: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: ns, maxLength: ns }),
    strides: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: ns, maxLength: ns }),
    lhsDilation: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: ns, maxLength: ns }),
    rhsDilation: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: ns, maxLength: ns }),
    padding: fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })), {
      minLength: ns,
      maxLength: ns
    }),
    lhsSpec: permutation(ns + 2),
    rhsSpec: permutation(ns + 2),
    outSpec: permutation(ns + 2),
    seed: fc.integer({ min: 1, max: 1_000_000 })
  })
).map((r) => {
  const fgc = r.batchGroups ? 1 : r.groups
  const bgc = r.batchGroups ? r.groups : 1
  const n = r.n * bgc
  const c = r.i * fgc
  const o = r.og * r.groups
  // keep every padded size non-negative
  const padding = r.padding.map(([lo, hi], k) => {
    const dilated = (r.inS[k]! - 1) * r.lhsDilation[k]! + 1
    return dilated + lo + hi >= 0 ? [lo, hi] as const : [0, 0] as const
  })
  const lCanon = [n, c, ...r.inS]
  const rCanon = [o, r.i, ...r.kS]
  const place = (canon: ReadonlyArray<number>, spec: ReadonlyArray<number>) => {
    const shape = new Array<number>(canon.length)
    spec.forEach((d, k) => (shape[d] = canon[k]!))
    return shape
  }
  const lshape = place(lCanon, r.lhsSpec)
  const rshape = place(rCanon, r.rhsSpec)
  let s = r.seed
  const rand = () => {
    s = (s * 16807) % 2147483647
    return (s / 2147483647) * 4 - 2
  }
  const geometry: Geometry = {
    strides: r.strides,
    padding,
    lhsDilation: r.lhsDilation,
    rhsDilation: r.rhsDilation,
    dn: { lhsSpec: r.lhsSpec, rhsSpec: r.rhsSpec, outSpec: r.outSpec },
    fgc,
    bgc
  }
  return {
    geometry,
    lshape,
    rshape,
    lhs: Array.from({ length: sizeOf(lshape) }, rand),
    rhs: Array.from({ length: sizeOf(rshape) }, rand)
  }
})

const run = (g: Geometry) => (l: Tensor, r: Tensor): Tensor =>
  lax.convGeneralDilated(l, r, g.strides, g.padding, {
    lhsDilation: g.lhsDilation,
    rhsDilation: g.rhsDilation,
    dimensionNumbers: g.dn,
    featureGroupCount: g.fgc,
    batchGroupCount: g.bgc
  })

const close = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, tol: number) =>
  a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= tol * (1 + Math.abs(b[i]!)))

describe("lax.convGeneralDilated values", () => {
  it("1-d differences, strides and explicit padding (hand-derived)", () => {
    const x = np.array([[[1, 2, 4, 7, 11]]])
    const k = np.array([[[1, -1]]])
    assert.deepStrictEqual(toJsSync(lax.convGeneralDilated(x, k, [1], "VALID")), [[[-1, -2, -3, -4]]])
    // padded [0, 1, 2, 4, 7, 11], windows at 0, 2, 4: [0, 1], [2, 4], [7, 11]
    assert.deepStrictEqual(toJsSync(lax.convGeneralDilated(x, k, [2], [[1, 0]])), [[[-1, -2, -4]]])
    // SAME with a 2-tap kernel pads (0, 1): the last window sees [11, 0]
    assert.deepStrictEqual(toJsSync(lax.convGeneralDilated(x, k, [1], "SAME")), [[[-1, -2, -3, -4, 11]]])
    // SAME_LOWER pads (1, 0)
    assert.deepStrictEqual(toJsSync(lax.convGeneralDilated(x, k, [1], "SAME_LOWER")), [[[-1, -1, -2, -3, -4]]])
    // negative padding crops: [2, 4, 7]
    assert.deepStrictEqual(toJsSync(lax.convGeneralDilated(x, k, [1], [[-1, -1]])), [[[-2, -3]]])
  })

  it("2-d NCHW box filter, rhs dilation and lhs dilation (hand-derived)", () => {
    const x = np.arange(9).reshape([1, 1, 3, 3]).astype("float32")
    assert.deepStrictEqual(
      toJsSync(lax.conv(x, np.ones([1, 1, 2, 2]), [1, 1], "VALID")),
      [[[[8, 12], [20, 24]]]]
    )
    // rhs dilation 2: the corners 0 + 2 + 6 + 8
    assert.deepStrictEqual(
      toJsSync(lax.convWithGeneralPadding(x, np.ones([1, 1, 2, 2]), [1, 1], "VALID", undefined, [2, 2])),
      [[[[16]]]]
    )
    // lhs dilation 2 on [1, 2, 3]: [1, 0, 2, 0, 3] with a kernel [1, 10]
    assert.deepStrictEqual(
      toJsSync(lax.convWithGeneralPadding(np.array([[[1, 2, 3]]]), np.array([[[1, 10]]]), [1], [[0, 0]], [2], [1])),
      [[[1, 20, 2, 30]]]
    )
  })

  it("feature groups (depthwise) and batch groups (hand-derived)", () => {
    // two channels, each convolved with its own kernel
    const x = np.array([[[1, 2, 3], [10, 20, 30]]])
    const k = np.array([[[1, 1]], [[1, -1]]])
    assert.deepStrictEqual(
      toJsSync(lax.convGeneralDilated(x, k, [1], "VALID", { featureGroupCount: 2 })),
      [[[3, 5], [-10, -10]]]
    )
    // batch groups: 2 examples, output feature g sees only example g
    const b = np.array([[[1, 2, 3]], [[4, 5, 6]]])
    const kb = np.array([[[1, 0]], [[0, 1]]])
    assert.deepStrictEqual(
      toJsSync(lax.convGeneralDilated(b, kb, [1], "VALID", { batchGroupCount: 2 })),
      [[[1, 2], [5, 6]]]
    )
  })

  it("NHWC / HWIO layouts equal NCHW / OIHW on transposed operands", () => {
    const x = np.arange(2 * 3 * 4 * 5).reshape([2, 3, 4, 5]).astype("float64")
    const k = np.sin(np.arange(3 * 3 * 2 * 2).reshape([3, 3, 2, 2]).astype("float64"))
    const nhwc = lax.transpose(x, [0, 2, 3, 1])
    const hwio = lax.transpose(k, [2, 3, 1, 0])
    const a = lax.convGeneralDilated(x, k, [1, 2], "SAME")
    const b = lax.convGeneralDilated(nhwc, hwio, [1, 2], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] })
    assert.isTrue(close(values(lax.transpose(b, [0, 3, 1, 2])), values(a), 1e-12))
  })

  it("complex operands: three real convolutions (Gauss), equal to the complex product sums", () => {
    const x = np.array([[[1, 2, 0]]]).astype("complex128")
    const xi = lax.complex(lax.real(x), np.array([[[0, 1, -1]]]).astype("float64"))
    const k = lax.complex(np.array([[[1, 2]]]).astype("float64"), np.array([[[1, 0]]]).astype("float64"))
    // (1)(1+i) + (2+i)(2) = 5 + 3i ; (2+i)(1+i) + (-i)(2) = 1 + 3i - 2i = 1 + i
    const y = lax.convGeneralDilated(xi, k, [1], "VALID")
    assert.deepStrictEqual(values(y), [5, 3, 1, 1])
  })

  it("equals the direct-summation oracle on random geometries (float64)", () => {
    fc.assert(
      fc.property(convArb, ({ geometry, lhs, lshape, rhs, rshape }) => {
        const expected = oracle(lhs, lshape, rhs, rshape, geometry)
        const y = run(geometry)(f64(lhs, lshape), f64(rhs, rshape))
        assert.deepStrictEqual(y.shape, expected.shape)
        assert.isTrue(close(values(y), expected.data, 1e-12), `${values(y)} vs ${expected.data}`)
      }),
      { numRuns: 150 }
    )
  })

  it("bad input: JAX's messages as typed errors", () => {
    const x = np.ones([1, 4, 5])
    assert.throws(
      () => lax.convGeneralDilated(x, np.ones([2, 3, 2]), [1], "VALID", { featureGroupCount: 3 }),
      /feature_group_count must divide lhs feature dimension size, but 3 does not divide 4/
    )
    assert.throws(() => lax.convGeneralDilated(x, np.ones([2, 3, 2]), [1], "VALID"), /4 \/\/ 1 != 3/)
    assert.throws(
      () => lax.convGeneralDilated(x, np.ones([2, 4, 2, 2]), [1], "VALID"),
      /same number of dimensions/
    )
    assert.throws(
      () =>
        lax.convGeneralDilated(np.ones([2, 2, 5]), np.ones([2, 1, 2]), [1], "VALID", {
          featureGroupCount: 2,
          batchGroupCount: 2
        }),
      /At most one of batch_group_count and feature_group_count/
    )
    assert.throws(
      () => lax.convGeneralDilated(x, np.ones([2, 4, 2]), [1], "SAME", { lhsDilation: [2] }),
      /string padding is not implemented for transposed convolution/
    )
    assert.throws(
      () => lax.convGeneralDilated(x, np.ones([2, 4, 2]), [1], "VALID", { dimensionNumbers: ["NCH", "OIW", "NCH"] }),
      /same set of spatial characters/
    )
    assert.throws(() => lax.convGeneralDilated(x, np.ones([2, 4, 2]), [0], "VALID"), /positive integers/)
    try {
      lax.convGeneralDilated(x, np.ones([2, 4, 2]), [1], [[-9, 0]])
      assert.fail("expected a ShapeError")
    } catch (e) {
      assert.instanceOf(e, ShapeError)
      assert.match((e as Error).message, /Negative padding is larger than the size/)
    }
  })
})

describe("conv wrappers", () => {
  it("convTranspose: Keras's Conv2DTranspose output sizes and values", () => {
    const x = np.array([[[1], [2], [3]]])
    const k = np.ones([2, 1, 1])
    // VALID, stride 2: (3 - 1) * 2 + 2 = 6 outputs, each input spread over two
    assert.deepStrictEqual(values(lax.convTranspose(x, k, [2], "VALID")), [1, 1, 2, 2, 3, 3])
    // SAME, stride 2: 3 * 2 = 6 outputs
    assert.deepStrictEqual(lax.convTranspose(x, k, [2], "SAME").shape, [1, 6, 1])
    const k2 = np.array([[[1]], [[10]]])
    // (1, 2, 3) dilated to 1 0 2 0 3 padded by (1, 1): windows [0,1] [1,0] [0,2] [2,0] [0,3] [3,0]
    assert.deepStrictEqual(values(lax.convTranspose(x, k2, [2], "VALID")), [10, 1, 20, 2, 30, 3])
    // transposeKernel flips the kernel: [10, 1]
    assert.deepStrictEqual(
      values(lax.convTranspose(x, k2, [2], "VALID", { transposeKernel: true })),
      [1, 10, 2, 20, 3, 30]
    )
  })

  it("convTranspose with consistent padding is the gradient of the strided conv it transposes", () => {
    const x = f64(Array.from({ length: 7 }, (_, i) => Math.cos(i)), [1, 7, 1])
    const k = f64([0.5, -1, 2], [3, 1, 1])
    const dn = ["NHC", "HIO", "NHC"] as const
    const fwd = (t: Tensor) => lax.convGeneralDilated(t, k, [2], [[1, 1]], { dimensionNumbers: dn })
    const y = fwd(x)
    const ct = f64(Array.from({ length: y.size }, (_, i) => Math.sin(i + 1)), y.shape)
    const [, back] = vjpFlat((a) => [fwd(a[0]!)], [x])
    const g = back([ct])[0]!
    const t = lax.convTranspose(ct, k, [2], [[1, 1]], {
      dimensionNumbers: dn,
      transposeKernel: true,
      useConsistentPadding: true
    })
    // the transposed conv's output can be one short of the input: compare the overlap
    const gv = values(g)
    const tv = values(t)
    assert.isAtLeast(tv.length, 6)
    assert.isTrue(close(tv, gv.slice(0, tv.length), 1e-12), `${tv} vs ${gv}`)
  })

  it("convGeneralDilatedPatches: the windows as features", () => {
    const x = np.array([[[1, 2, 3, 4]]])
    assert.deepStrictEqual(toJsSync(lax.convGeneralDilatedPatches(x, [2], [1], "VALID")), [[[1, 2, 3], [2, 3, 4]]])
    const x2 = np.arange(2 * 9).reshape([1, 2, 3, 3])
    const p = lax.convGeneralDilatedPatches(x2, [2, 2], [1, 1], "VALID")
    assert.deepStrictEqual(p.shape, [1, 8, 2, 2])
    // feature c * 4 + t is channel c at tap t: channel 1, tap (1, 1) at output (0, 0) is x[0, 1, 1, 1] = 13
    assert.strictEqual((toJsSync(p) as Array<Array<Array<Array<number>>>>)[0]![7]![0]![0], 13)
  })

  it("convDimensionNumbers: JAX's permutations", () => {
    const dn = lax.convDimensionNumbers([1, 8, 8, 3], [3, 3, 3, 16], ["NHWC", "HWIO", "NHWC"])
    assert.deepStrictEqual([dn.lhsSpec, dn.rhsSpec, dn.outSpec], [[0, 3, 1, 2], [3, 2, 0, 1], [0, 3, 1, 2]])
    // spatial dims of lhs and out follow the rhs's order of the spatial letters
    const dn2 = lax.convDimensionNumbers([1, 2, 3, 4], [1, 2, 3, 4], ["NCWH", "OIHW", "NCHW"])
    assert.deepStrictEqual([dn2.lhsSpec, dn2.rhsSpec, dn2.outSpec], [[0, 1, 3, 2], [0, 1, 2, 3], [0, 1, 2, 3]])
  })
})

const H = 1e-6

describe("conv_general_dilated derivatives and batching (float64)", () => {
  it("JVP against central differences; both transposes against the JVP", () => {
    fc.assert(
      fc.property(convArb, ({ geometry, lhs, lshape, rhs, rshape }) => {
        const f = run(geometry)
        const l = f64(lhs, lshape)
        const r = f64(rhs, rshape)
        const tl = lhs.map((_, i) => Math.sin(3 * i + 1))
        const tr = rhs.map((_, i) => Math.cos(2 * i + 0.5))
        const [[y], [ty]] = jvpFlat((a) => [f(a[0]!, a[1]!)], [l, r], [f64(tl, lshape), f64(tr, rshape)])
        const shifted = (s: number) =>
          values(
            f(f64(lhs.map((v, i) => v + s * H * tl[i]!), lshape), f64(rhs.map((v, i) => v + s * H * tr[i]!), rshape))
          )
        const plus = shifted(1)
        const minus = shifted(-1)
        const fd = plus.map((p, i) => (p - minus[i]!) / (2 * H))
        assert.isTrue(close(values(ty!), fd, 1e-6), `jvp ${values(ty!)} vs fd ${fd}`)
        const ct = values(y!).map((_, i) => Math.sin(5 * i + 0.3))
        const [, back] = vjpFlat((a) => [f(a[0]!, a[1]!)], [l, r])
        const [gl, gr] = back([f64(ct, y!.shape)])
        const dot = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => a.reduce((s, v, i) => s + v * b[i]!, 0)
        const lhsSide = dot(ct, values(ty!))
        const rhsSide = dot(values(gl!), tl) + dot(values(gr!), tr)
        assert.isTrue(Math.abs(lhsSide - rhsSide) <= 1e-9 * (1 + Math.abs(lhsSide)), `${lhsSide} vs ${rhsSide}`)
      }),
      { numRuns: 120 }
    )
  })

  it("vmap over lhs, rhs or both equals a loop", () => {
    fc.assert(
      fc.property(convArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), (c, which, size) => {
        const { geometry, lshape, rshape } = c
        const f = run(geometry)
        const ls = Array.from({ length: size }, (_, b) => c.lhs.map((v, i) => v + b * Math.sin(i)))
        const rs = Array.from({ length: size }, (_, b) => c.rhs.map((v, i) => v - b * Math.cos(i)))
        const batchL = which !== 1
        const batchR = which !== 0
        const lIn = batchL ? f64(ls.flat(), [size, ...lshape]) : f64(c.lhs, lshape)
        const rIn = batchR ? f64(rs.flat(), [size, ...rshape]) : f64(c.rhs, rshape)
        const [out] = vmapFlat((a) => [f(a[0]!, a[1]!)], [lIn, rIn], [batchL ? 0 : null, batchR ? 0 : null], [0])
        const expected = Array.from(
          { length: size },
          (_, b) => values(f(f64(batchL ? ls[b]! : c.lhs, lshape), f64(batchR ? rs[b]! : c.rhs, rshape)))
        ).flat()
        assert.isTrue(close(values(out!), expected, 1e-12))
      }),
      { numRuns: 80 }
    )
  })

  it("vmap of a zero-size batch gives the zero-size result", () => {
    const f = (a: ReadonlyArray<Tensor>) => [lax.convGeneralDilated(a[0]!, a[1]!, [1], "VALID")]
    const [out] = vmapFlat(f, [f64([], [0, 1, 1, 4]), f64([1, 1], [1, 1, 2])], [0, null], [0])
    assert.deepStrictEqual(out!.shape, [0, 1, 1, 3])
  })
})
