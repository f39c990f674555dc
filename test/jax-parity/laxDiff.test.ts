/**
 * `lax` against JAX's reference semantics (jax/_src/lax_reference.py, the cases of
 * tests/lax_test.py, and jax/_src/lax/*.py where JAX departs from NumPy): the
 * differences a differential sweep found and fixed, and the edge semantics it pinned
 * (C integer division, out-of-range shifts, saturating conversions, sort order,
 * negative dynamic-slice starts, convolutions against a direct loop). Values are
 * derived by hand in the comments, or are SciPy 1.17.1's / NumPy 2.4.6's, quoted.
 */
import { assert, describe, it } from "@effect/vitest"
import { DTypeError, grad, lax, np, runSync, type Tensor, toJsSync } from "diffect"
import { expect, thrown } from "./parity.js"

const f32 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "float32" })
const f64 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "float64" })
const i32 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "int32" })
const u32 = (v: unknown) => np.array(v as np.TensorLike, { dtype: "uint32" })
const js = (t: Tensor) => toJsSync(t)

describe("elementwise", () => {
  it("pow takes an integer exponent (JAX's _pow_dtype_rule), converted to the base's dtype", () => {
    const y = lax.pow(f32([2, -2, 0, 3]), i32([3, -1, -2, 0]))
    assert.strictEqual(y.dtype, "float32")
    // 2^3, (-2)^-1, 0^-2 = inf, 3^0
    assert.deepStrictEqual(js(y), [8, -0.5, Infinity, 1])
  })

  it("pow's derivative in x is 0 where an integer exponent is 0, even at x = 0 (JAX's _pow_jvp_lhs)", () => {
    const at = (x: number, n: number) => js(runSync(grad((v: Tensor) => np.sum(lax.pow(v, i32([n]))))(f64([x]))))
    assert.deepStrictEqual(at(0, 0), [0]) // y * x^(y - 1) would be 0 * inf = NaN
    assert.deepStrictEqual(at(2, 3), [12]) // 3 x^2
    assert.deepStrictEqual(at(2, -1), [-0.25]) // -x^-2
  })

  it("integer div truncates and rem takes the dividend's sign (C semantics, lax_reference.div/rem)", () => {
    const a = i32([7, -7, 7, -7, 13, -13])
    const b = i32([2, 2, -2, -2, -4, 4])
    assert.deepStrictEqual(js(lax.div(a, b)), [3, -3, -3, 3, -3, -3])
    assert.deepStrictEqual(js(lax.rem(a, b)), [1, -1, 1, -1, 1, -1])
    // fmod(5.5, -2) = 1.5, fmod(-5.5, 2) = -1.5
    assert.deepStrictEqual(js(lax.rem(f64([5.5, -5.5]), f64([-2, 2]))), [1.5, -1.5])
  })

  it("shifts by 32 or more (or a negative count, read unsigned) give 0, or the sign for arithmetic shifts", () => {
    const x = i32([5, 5, -5, -5, 1])
    const s = i32([32, -1, 32, 33, 31])
    assert.deepStrictEqual(js(lax.shiftLeft(x, s)), [0, 0, 0, 0, -2147483648])
    assert.deepStrictEqual(js(lax.shiftRightLogical(x, s)), [0, 0, 0, 0, 0])
    assert.deepStrictEqual(js(lax.shiftRightArithmetic(x, s)), [0, 0, -1, -1, 0])
  })

  it("population count and leading zeros of int32 bit patterns", () => {
    const x = i32([0, 1, -1, 7, -2147483648, 2147483647])
    assert.deepStrictEqual(js(lax.populationCount(x)), [0, 1, 32, 3, 1, 31])
    assert.deepStrictEqual(js(lax.clz(x)), [32, 31, 0, 29, 0, 1])
  })

  it("float -> int conversion saturates and sends NaN to 0 (XLA's convert)", () => {
    const x = f64([1.9, -1.9, 3e9, -3e9, NaN, Infinity, -Infinity])
    assert.deepStrictEqual(js(lax.convertElementType(x, "int32")), [
      1,
      -1,
      2147483647,
      -2147483648,
      0,
      2147483647,
      -2147483648
    ])
    assert.deepStrictEqual(js(lax.convertElementType(f64([-0.5, 5e9, 7.9]), "uint32")), [0, 4294967295, 7])
    // nonzero (NaN included) is true
    assert.deepStrictEqual(js(lax.convertElementType(f32([0, -0, NaN, 0.1]), "bool")), [false, false, true, true])
  })

  it("lgamma(-inf) is +inf (XLA's Lgamma: lgamma(+-inf) = +inf)", () => {
    assert.deepStrictEqual(js(lax.lgamma(f64([-Infinity, Infinity]))), [Infinity, Infinity])
  })
})

describe("incomplete gamma and beta at their limits (jax/_src/lax/special.py)", () => {
  it("igamma and igammac at a = 0 and a = inf; NaN at (0, 0), (inf, inf) and a < 0", () => {
    const a = f64([0, 0, Infinity, 0, Infinity, -1, 1.5])
    const x = f64([0.5, 2, 3, 0, Infinity, 1, 2.5])
    // a = 0: all mass at 0 (SciPy 1.17.1: gammainc(0, x) = 1, gammaincc(0, x) = 0); a = inf: none yet;
    // gammainc(1.5, 2.5) = 0.8282028557032665 (SciPy 1.17.1)
    expect.close(js(lax.igamma(a, x)), [1, 1, 0, NaN, NaN, NaN, 0.8282028557032665], 1e-13)
    expect.close(js(lax.igammac(a, x)), [0, 0, 1, NaN, NaN, NaN, 1 - 0.8282028557032665], 1e-13)
  })

  it("betainc with a zero or infinite parameter: JAX's result_is_zero / result_is_one", () => {
    const a = f64([0, 0, 2, 2, 0, 2, Infinity, 1.5])
    const b = f64([2, 2, 0, 0, 0, Infinity, 2, 2.5])
    const x = f64([0.5, 0, 0.5, 1, 0.5, 0.5, 0.5, 0.3])
    // SciPy 1.17.1: betainc(0, 2, .5) = 1, betainc(2, 0, .5) = 0, betainc(2, 0, 1) = 1,
    // betainc(1.5, 2.5, 0.3) = 0.41568785229802524; (0, 0) is NaN
    expect.close(js(lax.betainc(a, b, x)), [1, 0, 0, 1, NaN, 1, 0, 0.41568785229802524], 1e-13)
  })
})

describe("argmin and argmax", () => {
  it("take JAX's index_dtype; the first NaN is the extremum; ties go to the first index", () => {
    const i = lax.argmax(f32([[1, 5], [3, 2]]), 0, "uint32")
    assert.strictEqual(i.dtype, "uint32")
    assert.deepStrictEqual(js(i), [1, 0])
    assert.strictEqual(js(lax.argmax(f32([1, NaN, 3, NaN]), 0)), 1)
    assert.strictEqual(js(lax.argmin(f32([1, NaN, 3, NaN]), 0)), 1)
    assert.strictEqual(js(lax.argmin(i32([3, 1, 1]), 0)), 1)
  })
})

describe("sorting", () => {
  it("sort treats -0 and 0 as equal (stable) and puts NaN last (_sort_lt_comparator)", () => {
    const y = js(lax.sort(f32([3, NaN, -1, -0, 0, -Infinity, -0]))) as Array<number>
    assert.deepStrictEqual(y.map((v) => (Object.is(v, -0) ? "-0" : v)), [-Infinity, -1, "-0", 0, "-0", 3, NaN])
  })

  it("topK takes JAX's axis", () => {
    const x = f32([[1, 5, 2], [3, 0, 7]])
    const [v, i] = lax.topK(x, 1, { axis: 0 })
    assert.deepStrictEqual(js(v), [[3, 5, 7]])
    assert.deepStrictEqual(js(i), [[1, 0, 1]])
    const [v2, i2] = lax.topK(np.reshape(np.arange(24), [2, 3, 4]), 2, { axis: 1 })
    assert.deepStrictEqual(v2.shape, [2, 2, 4])
    assert.deepStrictEqual(js(i2), [[[2, 2, 2, 2], [1, 1, 1, 1]], [[2, 2, 2, 2], [1, 1, 1, 1]]])
  })
})

describe("shapes", () => {
  it("reshape reads the operand in `dimensions` order (JAX's lax.reshape(dimensions=))", () => {
    const x = f32([[1, 2, 3], [4, 5, 6]])
    assert.deepStrictEqual(js(lax.reshape(x, [3, 2], [1, 0])), [[1, 4], [2, 5], [3, 6]])
    assert.deepStrictEqual(js(lax.reshape(x, [3, 2], [0, 1])), [[1, 2], [3, 4], [5, 6]])
  })

  it("squeeze and expandDims take negative dimensions (canonicalize_axis)", () => {
    assert.deepStrictEqual(lax.squeeze(np.zeros([1, 3, 1]), [0, -1]).shape, [3])
    // expand_dims counts negative dimensions in the result's rank
    assert.deepStrictEqual(lax.expandDims(f32([1, 2]), [0, -1]).shape, [1, 2, 1])
  })

  it("collapse follows Python's slice(start, stop).indices; sliceInDim takes null bounds", () => {
    assert.deepStrictEqual(lax.collapse(np.zeros([2, 3, 4]), -2).shape, [2, 12])
    assert.deepStrictEqual(lax.collapse(np.zeros([2, 3, 4]), 0, -1).shape, [6, 4])
    const x = np.reshape(np.arange(10), [2, 5])
    assert.deepStrictEqual(js(lax.sliceInDim(x, -3, null, 2, 1)), [[2, 4], [7, 9]])
  })

  it("selectN takes an unsigned `which` (_select_dtype_rule: bool or any integer)", () => {
    assert.deepStrictEqual(js(lax.selectN(u32([1, 0, 2]), f32([1, 1, 1]), f32([2, 2, 2]), f32([3, 3, 3]))), [2, 1, 3])
  })

  it("dynamicSlice wraps negative starts, then clamps the slice into range", () => {
    const x = np.reshape(np.arange(20), [4, 5])
    // start -1 in a size-4 axis is 3, clamped to 4 - 2 = 2; start 7 is clamped to 5 - 3 = 2
    assert.deepStrictEqual(js(lax.dynamicSlice(x, [-1, 7], [2, 3])), [[12, 13, 14], [17, 18, 19]])
  })

  it("dynamicSlice takes unsigned starts (never negative: clamped into range)", () => {
    const x = f32([0, 1, 2, 3, 4])
    assert.deepStrictEqual(js(lax.dynamicSlice(x, [u32(4294967295)], [2])), [3, 4])
    assert.deepStrictEqual(js(lax.dynamicSlice(x, u32([1]), [2])), [1, 2])
  })

  it("pad with negative (cropping) and interior padding", () => {
    const x = f32([1, 2, 3])
    // interior 1: [1, p, 2, p, 3]; low -1 drops the 1; high 2 appends two p
    assert.deepStrictEqual(js(lax.pad(x, f32(9), [[-1, 2, 1]])), [9, 2, 9, 3, 9, 9])
    // [1, p, 2, p, 3] less two at each end
    assert.deepStrictEqual(js(lax.pad(x, f32(9), [[-2, -2, 1]])), [2])
  })
})

describe("preferredElementType", () => {
  it("dotGeneral and dot compute in the preferred dtype", () => {
    const a = i32([[1, 2]])
    const b = i32([[5], [6]])
    const y = lax.dotGeneral(a, b, [[1], [0]], [[], []], { preferredElementType: "float32" })
    assert.strictEqual(y.dtype, "float32")
    assert.deepStrictEqual(js(y), [[17]])
    const z = lax.dot(f32([1, 2]), f32([3, 4]), { preferredElementType: "float64" })
    assert.strictEqual(z.dtype, "float64")
    assert.strictEqual(js(z), 11)
  })

  it("refuses to narrow or to change kind (JAX's _validate_preferred_element_type)", () => {
    const e = thrown(() => lax.dot(f64([1]), f64([1]), { preferredElementType: "float32" }))
    expect.error(e, DTypeError, /must not be narrower/)
    const e2 = thrown(() => lax.dot(f32([1]), f32([1]), { preferredElementType: "int32" }))
    expect.error(e2, DTypeError, /incompatible with preferredElementType/)
  })

  it("convGeneralDilated takes it too", () => {
    const y = lax.convGeneralDilated(i32([[[1, 2, 3]]]), i32([[[1, 1]]]), [1], "VALID", {
      preferredElementType: "float32"
    })
    assert.strictEqual(y.dtype, "float32")
    assert.deepStrictEqual(js(y), [[[3, 5]]])
  })
})

// A direct loop over conv_general_dilated's definition, in NCW / OIW layout: the lhs is dilated
// and padded (negative pads crop), the kernel dilated; feature groups split C and O, batch groups N and O.
const convLoop = (
  x: Array<Array<Array<number>>>,
  w: Array<Array<Array<number>>>,
  o: { stride: number; pad: [number, number]; lhsDil: number; rhsDil: number; fgc: number; bgc: number }
): Array<Array<Array<number>>> => {
  const N = x.length
  const W = x[0]![0]!.length
  const O = w.length
  const I = w[0]!.length
  const K = w[0]![0]!.length
  const dilW = (W - 1) * o.lhsDil + 1
  const at = (n: number, c: number, p: number): number => {
    const q = p - o.pad[0]
    if (q < 0 || q >= dilW || q % o.lhsDil !== 0) return 0
    return x[n]![c]![q / o.lhsDil]!
  }
  const span = (K - 1) * o.rhsDil + 1
  const outW = Math.floor((dilW + o.pad[0] + o.pad[1] - span) / o.stride) + 1
  const nOut = N / o.bgc
  const out: Array<Array<Array<number>>> = []
  for (let n = 0; n < nOut; n++) {
    const row: Array<Array<number>> = []
    for (let oc = 0; oc < O; oc++) {
      const gf = Math.floor(oc / (O / o.fgc))
      const gb = Math.floor(oc / (O / o.bgc))
      const vals: Array<number> = []
      for (let p = 0; p < outW; p++) {
        let s = 0
        for (let i = 0; i < I; i++) {
          for (let k = 0; k < K; k++) s += at(n + gb * nOut, gf * I + i, p * o.stride + k * o.rhsDil) * w[oc]![i]![k]!
        }
        vals.push(s)
      }
      row.push(vals)
    }
    out.push(row)
  }
  return out
}

describe("convGeneralDilated against a direct loop", () => {
  const tensor3 = (a: number, b: number, c: number, f: (i: number) => number): Array<Array<Array<number>>> =>
    Array.from(
      { length: a },
      (_, i) => Array.from({ length: b }, (_, j) => Array.from({ length: c }, (_, k) => f((i * b + j) * c + k)))
    )
  const cases = [
    {
      name: "strides, cropping and padding",
      x: [2, 3, 7],
      w: [4, 3, 3],
      stride: 2,
      pad: [-1, 2],
      lhsDil: 1,
      rhsDil: 1
    },
    { name: "lhs and rhs dilation", x: [1, 2, 5], w: [3, 2, 2], stride: 1, pad: [1, 2], lhsDil: 2, rhsDil: 2 },
    { name: "feature groups", x: [2, 4, 6], w: [6, 2, 3], stride: 1, pad: [1, 1], lhsDil: 1, rhsDil: 1, fgc: 2 },
    { name: "depthwise", x: [2, 6, 5], w: [6, 1, 3], stride: 1, pad: [2, 2], lhsDil: 1, rhsDil: 2, fgc: 6 },
    { name: "batch groups", x: [4, 3, 6], w: [6, 3, 2], stride: 2, pad: [0, 1], lhsDil: 1, rhsDil: 1, bgc: 2 }
  ] as const
  for (const c of cases) {
    it(`${c.name}`, () => {
      const x = tensor3(c.x[0], c.x[1], c.x[2], (i) => Math.sin(i + 1))
      const w = tensor3(c.w[0], c.w[1], c.w[2], (i) => Math.cos(2 * i + 0.5))
      const fgc = "fgc" in c ? c.fgc : 1
      const bgc = "bgc" in c ? c.bgc : 1
      const y = lax.convGeneralDilated(f64(x), f64(w), [c.stride], [[c.pad[0], c.pad[1]]], {
        lhsDilation: [c.lhsDil],
        rhsDilation: [c.rhsDil],
        featureGroupCount: fgc,
        batchGroupCount: bgc
      })
      const ref = convLoop(x, w, {
        stride: c.stride,
        pad: [c.pad[0], c.pad[1]],
        lhsDil: c.lhsDil,
        rhsDil: c.rhsDil,
        fgc,
        bgc
      })
      expect.close(js(y), ref, 1e-13)
      // the same in NWC / WIO / NWC layout
      const yt = lax.convGeneralDilated(
        lax.transpose(f64(x), [0, 2, 1]),
        lax.transpose(f64(w), [2, 1, 0]),
        [c.stride],
        [[c.pad[0], c.pad[1]]],
        {
          lhsDilation: [c.lhsDil],
          rhsDilation: [c.rhsDil],
          featureGroupCount: fgc,
          batchGroupCount: bgc,
          dimensionNumbers: ["NWC", "WIO", "NWC"]
        }
      )
      expect.close(js(lax.transpose(yt, [0, 2, 1])), ref, 1e-13)
    })
  }
})
