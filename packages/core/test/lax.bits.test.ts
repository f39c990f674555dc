/**
 * bitcastConvertType, nextafter and reducePrecision against bit-level JS
 * oracles (typed-array views of the same bytes, BigInt for float64) and
 * Math.fround, on random floats of every magnitude (fast-check).
 */
import { lax, np, toJsSync } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { failure } from "./npSetup.js"

const f32 = (v: Array<number>) => np.array(v, { dtype: "float32" })
const f64 = (v: Array<number>) => np.array(v, { dtype: "float64" })
const u32 = (v: Array<number>) => np.array(v, { dtype: "uint32" })
const js = (t: unknown) => toJsSync(t as never) as Array<number>
const js2 = (t: unknown) => toJsSync(t as never) as Array<[number, number]>

const bitsOf32 = (x: number) => new Int32Array(new Float32Array([x]).buffer)[0]!
const fromBits32 = (b: number) => new Float32Array(new Int32Array([b]).buffer)[0]!

const next32 = (x: number, y: number): number => {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN
  if (x === y) return y
  if (x === 0) return y > 0 ? fromBits32(1) : fromBits32(-2147483647)
  const b = bitsOf32(x)
  return fromBits32((x < y) === (x > 0) ? b + 1 : b - 1)
}
const next64 = (x: number, y: number): number => {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN
  if (x === y) return y
  if (x === 0) return y > 0 ? 5e-324 : -5e-324
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const b = view.getBigInt64(0)
  view.setBigInt64(0, (x < y) === (x > 0) ? b + 1n : b - 1n)
  return view.getFloat64(0)
}
// XLA's ReducePrecision of a float32 to bfloat16 (8 exponent, 7 mantissa bits) on the bits
const bfloat16 = (x: number): number => {
  if (Number.isNaN(x)) return NaN
  let b = bitsOf32(x) >>> 0
  const last = (b >>> 16) & 1
  b = ((b + last + 0x7fff) & 0xffff0000) >>> 0
  return new Float32Array(new Uint32Array([b]).buffer)[0]!
}

const anyFloat32 = fc.float({ noNaN: false }).map(Math.fround)
const anyFloat64 = fc.double()

describe("bitcastConvertType", () => {
  it("reads the same bytes, both ways", () => {
    fc.assert(
      fc.property(fc.array(anyFloat32, { minLength: 1, maxLength: 10 }), (xs) => {
        const ints = lax.bitcastConvertType(f32(xs), "int32")
        assert.deepStrictEqual(js(ints), xs.map(bitsOf32))
        const back = js(lax.bitcastConvertType(ints, "float32"))
        back.forEach((v, i) => assert.isTrue(Object.is(v, xs[i]) || (Number.isNaN(v) && Number.isNaN(xs[i]!))))
      }),
      { numRuns: 30 }
    )
    assert.deepStrictEqual(js(lax.bitcastConvertType(np.array([-1], { dtype: "int32" }), "uint32")), [4294967295])
    // a float64 is two 32-bit words (see below)
    assert.deepStrictEqual(js2(lax.bitcastConvertType(f64([1]), "int32")), [[0, 1072693248]])
  })
})

describe("nextafter", () => {
  it("float32 and float64 against the bit oracles (zeros, subnormals, infinities)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyFloat32, anyFloat32), { minLength: 1, maxLength: 8 }), (pairs) => {
        const got = js(lax.nextafter(f32(pairs.map((p) => p[0])), f32(pairs.map((p) => p[1]))))
        pairs.forEach(([x, y], i) => {
          const want = next32(x, y)
          assert.isTrue(Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want)), `${x} -> ${y}`)
        })
      }),
      { numRuns: 40 }
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(anyFloat64, anyFloat64), { minLength: 1, maxLength: 8 }), (pairs) => {
        const got = js(lax.nextafter(f64(pairs.map((p) => p[0])), f64(pairs.map((p) => p[1]))))
        pairs.forEach(([x, y], i) => {
          const want = next64(x, y)
          assert.isTrue(
            Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want)) || (got[i] === 0 && want === 0),
            `${x} -> ${y}: ${got[i]} vs ${want}`
          )
        })
      }),
      { numRuns: 60 }
    )
    const edge = [1, 2, 0.5, 2 ** -1022, 5e-324, Number.MAX_VALUE, -1, Infinity, -Infinity]
    const towardZero = js(lax.nextafter(f64(edge), f64(edge.map(() => 0))))
    edge.forEach((x, i) => assert.strictEqual(towardZero[i], next64(x, 0), `${x}`))
  })
})

describe("reducePrecision", () => {
  it("with no mantissa bits a float64 tie goes to the even exponent, as XLA's bit rounding (and the float32 path)", () => {
    const xs = [1.5, 3, 6, 12, 0.75, 2.5, 3.5, -3, -6, 1.4, 1.6]
    const want = [2, 2, 8, 8, 0.5, 2, 4, -2, -8, 1, 2]
    assert.deepStrictEqual(js(lax.reducePrecision(f64(xs), 8, 0)), want)
    assert.deepStrictEqual(js(lax.reducePrecision(f32(xs), 8, 0)), want)
    const normal = fc.float({ min: Math.fround(2 ** -100), max: Math.fround(2 ** 100), noNaN: true })
    fc.assert(
      fc.property(fc.array(fc.oneof(normal, normal.map((v) => -v)), { minLength: 1, maxLength: 8 }), (xs) => {
        assert.deepStrictEqual(js(lax.reducePrecision(f64(xs), 8, 0)), js(lax.reducePrecision(f32(xs), 8, 0)))
      }),
      { numRuns: 40 }
    )
  })
  it("float64 to float32's format is Math.fround with subnormals flushed", () => {
    fc.assert(
      fc.property(fc.array(anyFloat64, { minLength: 1, maxLength: 8 }), (xs) => {
        const got = js(lax.reducePrecision(f64(xs), 8, 23))
        xs.forEach((x, i) => {
          const r = Math.fround(x)
          const want = Number.isFinite(r) && Math.abs(r) < 2 ** -126 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r
          assert.isTrue(
            Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want)) || got[i] === want,
            `${x}: ${got[i]} vs ${want}`
          )
        })
      }),
      { numRuns: 80 }
    )
  })
  it("float32 to bfloat16 equals XLA's bit algorithm; float16 overflow and underflow", () => {
    fc.assert(
      fc.property(fc.array(anyFloat32, { minLength: 1, maxLength: 8 }), (xs) => {
        const got = js(lax.reducePrecision(f32(xs), 8, 7))
        xs.forEach((x, i) => {
          const want = bfloat16(x)
          assert.isTrue(Object.is(got[i], want) || (Number.isNaN(got[i]!) && Number.isNaN(want)), `${x}`)
        })
      }),
      { numRuns: 40 }
    )
    assert.deepStrictEqual(js(lax.reducePrecision(f32([65504, 65520, -1e-6, 1 + 2 ** -10]), 5, 10)), [
      65504,
      Infinity,
      -0,
      1 + 2 ** -10
    ])
    assert.deepStrictEqual(js(lax.reducePrecision(f64([65504, 65520, 1 + 3 * 2 ** -11]), 5, 10)), [
      65504,
      Infinity,
      1 + 2 ** -9
    ])
  })
})

describe("bitcastConvertType across widths (JAX's shape rule)", () => {
  const words = (v: number): [number, number] => {
    const view = new DataView(new ArrayBuffer(8))
    view.setFloat64(0, v, true)
    return [view.getUint32(0, true), view.getUint32(4, true)]
  }
  it("float64 to uint32 adds a trailing axis of 2 (low word first) holding the IEEE bits; back is exact", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 8 }), (xs) => {
        const w = lax.bitcastConvertType(f64(xs), "uint32")
        assert.deepStrictEqual(w.shape, [xs.length, 2])
        assert.deepStrictEqual(js2(w), xs.map(words))
        const back = js(lax.bitcastConvertType(w, "float64"))
        xs.forEach((x, i) => assert.isTrue(Object.is(back[i], x), `${x}: ${back[i]}`))
      }),
      { numRuns: 40 }
    )
    const edges = [0, -0, Infinity, -Infinity, 5e-324, -2.2250738585072014e-308, Number.MAX_VALUE]
    assert.deepStrictEqual(js2(lax.bitcastConvertType(f64(edges), "uint32")), edges.map(words))
    assert.deepStrictEqual(js2(lax.bitcastConvertType(f64([NaN]), "uint32")), [[0, 0x7ff80000]])
  })
  it("float64 to int32 and float32 (and back) go through the same words; a scalar gets shape [2]", () => {
    const s = lax.bitcastConvertType(np.array(1, { dtype: "float64" }), "int32")
    assert.deepStrictEqual(s.shape, [2])
    assert.deepStrictEqual(js(s), [0, 1072693248])
    assert.deepStrictEqual(
      js(lax.bitcastConvertType(lax.bitcastConvertType(f64([2.5, -1e-300]), "float32"), "float64")),
      [
        2.5,
        -1e-300
      ]
    )
  })
  it("narrow to wide needs a trailing axis of 2; bool and complex bitcast only to themselves", () => {
    assert.include(failure(() => lax.bitcastConvertType(u32([1, 2, 3]), "float64"), "ShapeError"), "last dimension")
    assert.include(failure(() => lax.bitcastConvertType(np.array([true]), "int32"), "DTypeError"), "bool and complex")
    assert.deepStrictEqual(toJsSync(lax.bitcastConvertType(np.array([true, false]), "bool")), [true, false])
    assert.deepStrictEqual(js(lax.bitcastConvertType(f64([1.5]), "float64")), [1.5])
    const z = np.array([1]).astype("complex64")
    assert.deepStrictEqual(toJsSync(lax.bitcastConvertType(z, "complex64")), [{ re: 1, im: 0 }])
  })
})
