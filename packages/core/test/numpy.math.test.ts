import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, runSync } from "diffect"
import { expect, failure, js } from "./npSetup.js"

const f32 = (v: np.NestedArray) => np.array(v)
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })
const i32 = (v: np.NestedArray) => np.array(v, { dtype: "int32" })

describe("np elementwise math", () => {
  it("logarithms and exponentials in bases 2 and 10 (float64 references)", () => {
    expect.tensor(np.log2(f64([1, 8, 0.5, 10])), "float64", [0, 3, -1, Math.log2(10)], { tol: 1e-15 })
    expect.tensor(np.log10(f64([1, 1e-3, 2])), "float64", [0, -3, Math.log10(2)], { tol: 1e-15 })
    expect.tensor(np.exp2(f64([0, 10, -2, 0.5])), "float64", [1, 1024, 0.25, Math.SQRT2], { tol: 1e-15 })
    // integers promote to float32, as jnp
    expect.tensor(np.log2(i32([4])), "float32", [2])
  })
  it("logaddexp and logaddexp2 are exact at extremes", () => {
    expect.tensor(
      np.logaddexp(f64([0, 1000, -1000, -Infinity, Infinity]), f64([0, 1000, -1000, -Infinity, 1])),
      "float64",
      [
        Math.LN2,
        1000 + Math.LN2,
        -1000 + Math.LN2,
        -Infinity,
        Infinity
      ],
      { tol: 1e-15 }
    )
    expect.tensor(np.logaddexp(f64([1]), f64([NaN])), "float64", [NaN])
    expect.tensor(np.logaddexp2(f64([1, 3, -2000]), f64([1, 3, -2000])), "float64", [2, 4, -1999], { tol: 1e-15 })
  })
  it("inverse hyperbolic functions against Math (float64), tiny and huge arguments", () => {
    const xs = [-20, -1, -1e-10, 0, 1e-10, 0.5, 3, 1e200]
    expect.tensor(np.arcsinh(f64(xs)), "float64", xs.map(Math.asinh), { tol: 1e-14 })
    const ys = [1, 1 + 1e-10, 2, 50, 1e200, 0.5]
    expect.tensor(np.arccosh(f64(ys)), "float64", ys.map(Math.acosh), { tol: 1e-9 })
    const zs = [-0.999, -1e-12, 0, 0.3, 1, -1, 2]
    expect.tensor(np.arctanh(f64(zs)), "float64", zs.map(Math.atanh), { tol: 1e-14 })
    // float32: past 1e10 log(2|x|), and infinities stay infinite (1e150 overflowed float32 before)
    const ws = [Infinity, -Infinity, 2e10, -3e30, 1e9]
    expect.tensor(np.arcsinh(f32(ws)), "float32", ws.map(Math.asinh), { tol: 1e-6 })
    // arccosh too: float32's largest value overflowed x + sqrt(x^2 - 1) to inf (JAX gives 89.415985)
    const vs = [Infinity, 2e10, 3.4028234663852886e38, 1e9, 1]
    expect.tensor(np.arccosh(f32(vs)), "float32", vs.map(Math.acosh), { tol: 1e-6 })
  })
  it("cbrt is lax.cbrt's: no overflow at the largest float32, subnormals within an ulp, JAX's gradient", () => {
    // Math.fround(Math.cbrt(3.4028234663852886e38)) = 6981463572480; the old y^3 step gave -inf
    expect.tensor(np.cbrt(f32([3.4028234663852886e38, -1e-45])), "float32", [
      6981463572480,
      Math.fround(Math.cbrt(-1.401298464324817e-45))
    ], { tol: 0 })
    // d cbrt(x) / dx = 1 / (3 cbrt(x)^2) = 3.33e199 at 1e-300 (it was inf)
    const g = runSync(grad((x: Tensor) => np.cbrt(x))(np.array(1e-300, { dtype: "float64" }))) as Tensor
    expect.close(js(g), 1 / (3 * Math.cbrt(1e-300) ** 2), 1e-13)
    assert.include(failure(() => np.cbrt(np.array({ re: 1, im: 1 })), "DTypeError"), "real")
  })
  it("cbrt, hypot and sinc", () => {
    expect.tensor(np.cbrt(f64([27, -8, 0, 2, 1e-300, Infinity])), "float64", [
      3,
      -2,
      0,
      Math.cbrt(2),
      Math.cbrt(1e-300),
      Infinity
    ], {
      tol: 1e-15
    })
    expect.tensor(np.hypot(f64([3, 1e300, 0, Infinity]), f64([4, 1e300, 0, NaN])), "float64", [
      5,
      Math.SQRT2 * 1e300,
      0,
      Infinity
    ], {
      tol: 1e-15
    })
    expect.tensor(np.sinc(f64([0, 0.5, 1, -1.5])), "float64", [1, 2 / Math.PI, 0, -2 / (3 * Math.PI)], { tol: 1e-15 })
  })
  it("rounding toward zero and to even, fmod's sign, NaN-ignoring extremes", () => {
    expect.tensor(np.trunc(f32([-1.7, -0.2, 0.2, 2.9])), "float32", [-1, -0, 0, 2])
    expect.tensor(np.fix(i32([3])), "int32", [3])
    expect.tensor(np.rint(f32([0.5, 1.5, 2.5, -0.5])), "float32", [0, 2, 2, -0])
    expect.tensor(np.fmod(f32([-7, 7, -7]), f32([3, -3, -3])), "float32", [-1, 1, -1])
    expect.tensor(np.fmod(i32([-7, 7]), i32([3, 3])), "int32", [-1, 1])
    expect.tensor(np.fmax(f32([NaN, 1, NaN, 3]), f32([2, NaN, NaN, 4])), "float32", [2, 1, NaN, 4])
    expect.tensor(np.fmin(f32([NaN, 1, NaN, 3]), f32([2, NaN, NaN, 4])), "float32", [2, 1, NaN, 3])
  })
  it("sign manipulation: signbit sees -0, copysign, heaviside", () => {
    assert.deepStrictEqual(js(np.signbit(f32([-1, -0, 0, 2, -Infinity]))), [true, true, false, false, true])
    assert.deepStrictEqual(js(np.signbit(i32([-3, 0]))), [true, false])
    // float32 reads the bit itself: a NaN's sign too (JAX's bit cast); -NaN and NaN built from their bits
    const nans = np.array(new Float32Array(new Uint32Array([0xffc00000, 0x7fc00000]).buffer))
    assert.deepStrictEqual(js(np.signbit(nans)), [true, false])
    assert.deepStrictEqual(js(np.signbit(np.array([-0, 0, -4], { dtype: "float64" }))), [true, false, true])
    expect.tensor(np.copysign(f32([1, -2, 3, 4]), f32([-0, 1, -1, 0])), "float32", [-1, 2, -3, 4])
    expect.tensor(np.heaviside(f32([-1, 0, 2]), f32([0.5, 0.5, 0.5])), "float32", [0, 0.5, 1])
    // a NaN x gives NaN, not h0 (JAX's and NumPy's)
    expect.tensor(np.heaviside(f32([NaN, 0, NaN]), f32([0.5, NaN, 2])), "float32", [NaN, NaN, NaN])
  })
  it("angles, floatPower, nanToNum", () => {
    expect.tensor(np.deg2rad(f64([180, -90])), "float64", [Math.PI, -Math.PI / 2], { tol: 1e-15 })
    expect.tensor(np.rad2deg(f64([Math.PI])), "float64", [180], { tol: 1e-15 })
    expect.tensor(np.floatPower(i32([2, 4]), i32([-1, 2])), "float32", [0.5, 16])
    expect.tensor(np.nanToNum(f64([NaN, Infinity, -Infinity, 1])), "float64", [
      0,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      1
    ])
    expect.tensor(np.nanToNum(f32([NaN, -Infinity]), { nan: 7, neginf: -1 }), "float32", [7, -1])
  })
  it("isclose, allclose, arrayEqual, arrayEquiv (NumPy's defaults)", () => {
    assert.deepStrictEqual(js(np.isclose(f64([1, 1e-9, NaN, Infinity, 1]), f64([1.000001, 0, NaN, Infinity, 1.1]))), [
      true,
      true,
      false,
      true,
      false
    ])
    assert.deepStrictEqual(js(np.isclose(f64([NaN]), f64([NaN]), { equalNan: true })), [true])
    assert.deepStrictEqual(js(np.isclose(f64([1]), f64([1.05]), { rtol: 0.1 })), [true])
    assert.strictEqual(js(np.allclose(f32([1, 2]), f32([1, 2.00001]))), true)
    assert.strictEqual(js(np.allclose(f32([1, 2]), f32([1, 2.1]))), false)
    assert.strictEqual(js(np.arrayEqual(f32([1, 2]), f32([[1, 2]]))), false)
    assert.strictEqual(js(np.arrayEqual(f32([1, NaN]), f32([1, NaN]), { equalNan: true })), true)
    assert.strictEqual(js(np.arrayEquiv(f32([1, 2]), f32([[1, 2], [1, 2]]))), true)
    assert.strictEqual(js(np.arrayEquiv(f32([1, 2]), f32([1, 2, 3]))), false)
    assert.include(failure(() => np.isclose(f32([1]), f32([1]), { rtol: "x" as never }), "ArgumentError"), "rtol")
  })
})
