/**
 * Every elementwise primitive on every dtype it supports, against hand-derived
 * or NumPy-documented values.
 */
import { binaryPrimitives, DType, unaryPrimitives } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { arr, bin, expect, run, un } from "./helpers.js"

const f32 = (xs: ReadonlyArray<number>) => arr("float32", [xs.length], xs)
const f64 = (xs: ReadonlyArray<number>) => arr("float64", [xs.length], xs)
const i32 = (xs: ReadonlyArray<number>) => arr("int32", [xs.length], xs)
const b8 = (xs: ReadonlyArray<number>) => arr("bool", [xs.length], xs)
/** Complex operand from [re, im] pairs. */
const c128 = (zs: ReadonlyArray<readonly [number, number]>) => arr("complex128", [zs.length], zs.flat())
const c64 = (zs: ReadonlyArray<readonly [number, number]>) => arr("complex64", [zs.length], zs.flat())

const { E, PI, SQRT2 } = Math

// Real unary cases: [primitive, inputs, expected], expected from identities and known constants.
const realUnary: ReadonlyArray<readonly [string, ReadonlyArray<number>, ReadonlyArray<number>]> = [
  ["neg", [1.5, -2, 0], [-1.5, 2, -0]],
  ["sin", [0, PI / 6, PI / 2, -PI / 2], [0, 0.5, 1, -1]],
  ["cos", [0, PI / 3, PI], [1, 0.5, -1]],
  ["tan", [0, PI / 4, -PI / 4], [0, 1, -1]],
  ["asin", [0, 0.5, 1, 2], [0, PI / 6, PI / 2, NaN]],
  ["acos", [1, 0.5, 0, -1], [0, PI / 3, PI / 2, PI]],
  ["atan", [0, 1, -1, Infinity], [0, PI / 4, -PI / 4, PI / 2]],
  ["sinh", [0, 1], [0, (E - 1 / E) / 2]],
  ["cosh", [0, 1], [1, (E + 1 / E) / 2]],
  ["tanh", [0, 1, 50, -50], [0, (E * E - 1) / (E * E + 1), 1, -1]],
  ["exp", [0, 1, -Infinity, 2], [1, E, 0, E * E]],
  ["log", [1, E, 0, -1], [0, 1, -Infinity, NaN]],
  // log1p(x) = x - x^2/2 + ...; expm1(x) = x + x^2/2 + ...: exact where log(1 + x) loses digits
  ["log1p", [0, 1e-10, E - 1], [0, 1e-10 - 5e-21, 1]],
  ["expm1", [0, 1e-10, 1], [0, 1e-10 + 5e-21, E - 1]],
  ["sqrt", [0, 4, 2, -1], [0, 2, SQRT2, NaN]],
  ["rsqrt", [4, 0.25, 0], [0.5, 2, Infinity]],
  ["abs", [-3, 3, -0, -Infinity], [3, 3, 0, Infinity]],
  ["sign", [-2, 3, 0, NaN], [-1, 1, 0, NaN]],
  ["floor", [1.5, -1.5, 2, -0.5], [1, -2, 2, -1]],
  ["ceil", [1.5, -1.5, 2, 0.2], [2, -1, 2, 1]],
  // Round half to even (NumPy, jnp.round): 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2
  ["round", [0.5, 1.5, 2.5, 3.5, -2.5, -3.5, 2.4, 2.6], [0, 2, 2, 4, -2, -4, 2, 3]],
  // logistic(-x) = 1 - logistic(x); no NaN or overflow at the extremes
  ["logistic", [0, 1, -1, 1000, -1000], [0.5, 1 / (1 + 1 / E), 1 / (1 + E), 1, 0]],
  // erf values from Abramowitz & Stegun table 7.1 / NumPy-documented scipy.special.erf
  [
    "erf",
    [0, 0.5, -0.5, 1, 2, 3, 0.1, Infinity, -Infinity],
    [
      0,
      0.5204998778130465,
      -0.5204998778130465,
      0.8427007929497149,
      0.9953222650189527,
      0.9999779095030014,
      0.1124629160182849,
      1,
      -1
    ]
  ]
]

describe("elementwise: real floats", () => {
  for (const [prim, xs, expected] of realUnary) {
    it(`${prim} float64`, () => {
      expect.close(un(prim as "sin", f64(xs)), expected, 2e-15)
    })
    it(`${prim} float32`, () => {
      expect.close(un(prim as "sin", f32(xs)), expected.map(Math.fround), 2.5e-7)
    })
  }

  it("erf is accurate to ~1e-15 in float64 across Cody's three intervals", () => {
    // Reference values: C99 erf/erfc (glibc), erf(x) = 1 - erfc(x);
    // erfc(4.5) = 1.9661604415428873e-10, erfc(5) = 1.5374597944280349e-12
    expect.close(un("erf", f64([0.46875, 4.5, 5, -5, 6])), [
      0.49261347321793797,
      1 - 1.9661604415428873e-10,
      1 - 1.5374597944280349e-12,
      -(1 - 1.5374597944280349e-12),
      1
    ], 1e-15)
    expect.close(un("erf", f64([NaN])), [NaN])
  })

  it("round keeps the sign of zero and passes through NaN", () => {
    expect.exact(un("round", f64([-0.5, -0.2, NaN])), [-0, -0, NaN])
  })

  it("sign keeps -0 (NumPy sign(-0.0) = -0.0)", () => {
    expect.exact(un("sign", f64([-0])), [-0])
  })

  it("integer_pow by repeated squaring, negative powers as reciprocals", () => {
    const x = f64([2, -3, 0.5])
    expect.close(un("integer_pow", x, "float64", { y: 0 }), [1, 1, 1])
    expect.close(un("integer_pow", x, "float64", { y: 1 }), [2, -3, 0.5])
    expect.close(un("integer_pow", x, "float64", { y: 5 }), [32, -243, 1 / 32])
    expect.close(un("integer_pow", x, "float64", { y: -2 }), [0.25, 1 / 9, 4])
    expect.close(un("integer_pow", f32([1.1]), "float32", { y: 10 }), [Math.fround(1.1 ** 10)], 5e-7)
  })

  it("real, imag and conj of a real array", () => {
    expect.exact(un("real", f64([1, -2])), [1, -2])
    expect.exact(un("imag", f64([1, -2])), [0, 0])
    // lax.conj of a real array gives a complex one
    expect.exact(un("conj", f32([1, -2]), "complex64"), [1, -0, -2, -0])
  })

  it("binary arithmetic", () => {
    const x = f64([7, -7, 5.5, 1])
    const y = f64([2, 2, 2, -4])
    expect.close(bin("add", x, y), [9, -5, 7.5, -3])
    expect.close(bin("sub", x, y), [5, -9, 3.5, 5])
    expect.close(bin("mul", x, y), [14, -14, 11, -4])
    expect.close(bin("div", x, y), [3.5, -3.5, 2.75, -0.25])
    // rem has the dividend's sign (C fmod, lax.rem)
    expect.close(bin("rem", x, y), [1, -1, 1.5, 1])
    expect.close(bin("rem", f64([7, -7]), f64([-2, -2])), [1, -1])
    expect.close(bin("atan2", f64([1, 1, -1, 0]), f64([1, -1, -1, -1])), [PI / 4, 3 * PI / 4, -3 * PI / 4, PI])
    expect.exact(bin("atan2", f64([-0]), f64([-1])), [-PI])
  })

  it("float32 binary results are rounded to float32", () => {
    expect.exact(bin("add", f32([0.1]), f32([0.2])), [Math.fround(Math.fround(0.1) + Math.fround(0.2))])
    expect.exact(bin("div", f32([1]), f32([3])), [Math.fround(1 / 3)])
  })

  it("pow follows C: 1 ** NaN = 1, x ** 0 = 1, negative base with fractional power is NaN", () => {
    expect.close(bin("pow", f64([2, 1, NaN, -8, 4, 0, -1]), f64([0.5, NaN, 0, 1 / 3, -0.5, -1, Infinity])), [
      SQRT2,
      1,
      1,
      NaN,
      0.5,
      Infinity,
      1
    ])
  })

  it("max and min propagate NaN in either position (lax.max)", () => {
    expect.close(bin("max", f64([NaN, 1, 1, -0]), f64([1, NaN, 2, 0])), [NaN, NaN, 2, 0])
    expect.close(bin("min", f64([NaN, 1, 1]), f64([1, NaN, 2])), [NaN, NaN, 1])
    expect.close(bin("max", f32([NaN, 3]), f32([1, -3])), [NaN, 3])
  })

  it("comparisons give bool; only ne is true with NaN", () => {
    const x = f64([1, 2, 3, NaN, NaN])
    const y = f64([2, 2, 2, 1, NaN])
    expect.exact(bin("lt", x, y, "bool"), [1, 0, 0, 0, 0])
    expect.exact(bin("le", x, y, "bool"), [1, 1, 0, 0, 0])
    expect.exact(bin("gt", x, y, "bool"), [0, 0, 1, 0, 0])
    expect.exact(bin("ge", x, y, "bool"), [0, 1, 1, 0, 0])
    expect.exact(bin("eq", x, y, "bool"), [0, 1, 0, 0, 0])
    expect.exact(bin("ne", x, y, "bool"), [1, 0, 1, 1, 1])
    expect.exact(bin("eq", f32([-0]), f32([0]), "bool"), [1])
  })
})

describe("elementwise: int32", () => {
  it("division truncates toward zero and the remainder has the dividend's sign (lax.div, lax.rem)", () => {
    const x = i32([7, -7, 7, -7, 6])
    const y = i32([2, 2, -2, -2, 3])
    expect.exact(bin("div", x, y), [3, -3, -3, 3, 2])
    expect.exact(bin("rem", x, y), [1, -1, 1, -1, 0])
  })

  it("division edge cases follow XLA: x / 0 = -1, x % 0 = x, MIN / -1 = MIN", () => {
    expect.exact(bin("div", i32([5, -2147483648]), i32([0, -1])), [-1, -2147483648])
    expect.exact(bin("rem", i32([5, -2147483648]), i32([0, -1])), [5, 0])
  })

  it("arithmetic wraps like two's complement", () => {
    expect.exact(bin("add", i32([2147483647]), i32([1])), [-2147483648])
    expect.exact(bin("sub", i32([-2147483648]), i32([1])), [2147483647])
    expect.exact(bin("mul", i32([65536, 46341]), i32([65536, 46341])), [0, -2147479015])
    expect.exact(un("neg", i32([5, -2147483648])), [-5, -2147483648])
    expect.exact(un("abs", i32([-5, 5, -2147483648])), [5, 5, -2147483648])
  })

  it("pow is integer power; negative exponents give 0 except for 1 and -1", () => {
    expect.exact(bin("pow", i32([2, 3, 2, 1, -1, -1, 0]), i32([10, 0, -1, -5, -1, -2, 0])), [1024, 1, 0, 1, -1, 1, 1])
    expect.exact(bin("pow", i32([3]), i32([21])), [(3 ** 21) | 0])
  })

  it("integer_pow", () => {
    expect.exact(un("integer_pow", i32([3, -2]), "int32", { y: 3 }), [27, -8])
    expect.exact(un("integer_pow", i32([2, -1, 1]), "int32", { y: -1 }), [0, -1, 1])
  })

  it("not, and, or are bitwise", () => {
    expect.exact(un("not", i32([5, 0, -1])), [-6, -1, 0])
    expect.exact(bin("and", i32([12, -1]), i32([10, 7])), [8, 7])
    expect.exact(bin("or", i32([12, 0]), i32([10, 0])), [14, 0])
  })

  it("sign, max, min, rounding", () => {
    expect.exact(un("sign", i32([-7, 0, 9])), [-1, 0, 1])
    expect.exact(bin("max", i32([1, -5]), i32([-1, 3])), [1, 3])
    expect.exact(bin("min", i32([1, -5]), i32([-1, 3])), [-1, -5])
    expect.exact(un("floor", i32([3, -3])), [3, -3])
    expect.exact(un("round", i32([3, -3])), [3, -3])
    expect.exact(un("ceil", i32([3, -3])), [3, -3])
  })

  it("real, imag, conj of int32", () => {
    expect.exact(un("real", i32([3, -4])), [3, -4])
    expect.exact(un("imag", i32([3, -4])), [0, 0])
    expect.exact(un("conj", i32([3]), "complex64"), [3, -0])
  })

  it("comparisons", () => {
    expect.exact(bin("le", i32([1, 2, 3]), i32([2, 2, 2]), "bool"), [1, 1, 0])
    expect.exact(bin("gt", i32([1, 2, 3]), i32([2, 2, 2]), "bool"), [0, 0, 1])
    expect.exact(bin("ne", i32([1, 2]), i32([2, 2]), "bool"), [1, 0])
    expect.exact(bin("lt", i32([1, 2]), i32([2, 2]), "bool"), [1, 0])
    expect.exact(bin("eq", i32([1, 2]), i32([2, 2]), "bool"), [0, 1])
    expect.exact(bin("ge", i32([1, 2]), i32([2, 2]), "bool"), [0, 1])
  })
})

describe("elementwise: bool", () => {
  const x = b8([0, 0, 1, 1])
  const y = b8([0, 1, 0, 1])
  it("not, and, or are logical", () => {
    expect.exact(un("not", x), [1, 1, 0, 0])
    expect.exact(bin("and", x, y), [0, 0, 0, 1])
    expect.exact(bin("or", x, y), [0, 1, 1, 1])
  })
  it("add is or, mul is and, max is or, min is and (JAX on bools)", () => {
    expect.exact(bin("add", x, y), [0, 1, 1, 1])
    expect.exact(bin("mul", x, y), [0, 0, 0, 1])
    expect.exact(bin("max", x, y), [0, 1, 1, 1])
    expect.exact(bin("min", x, y), [0, 0, 0, 1])
  })
  it("abs, floor, ceil, round are the identity", () => {
    for (const p of ["abs", "floor", "ceil", "round"] as const) expect.exact(un(p, x), [0, 0, 1, 1])
  })
  it("comparisons order false < true", () => {
    expect.exact(bin("le", x, y), [1, 1, 0, 1])
    expect.exact(bin("gt", x, y), [0, 0, 1, 0])
    expect.exact(bin("eq", x, y), [1, 0, 0, 1])
    expect.exact(bin("ne", x, y), [0, 1, 1, 0])
    expect.exact(bin("lt", x, y), [0, 1, 0, 0])
    expect.exact(bin("ge", x, y), [1, 0, 1, 1])
  })
})

// A small independent complex arithmetic for expected values (textbook formulas).
type C = readonly [number, number]
const cm = ([a, b]: C, [c, d]: C): C => [a * c - b * d, a * d + b * c]
const cd = ([a, b]: C, [c, d]: C): C => {
  const den = c * c + d * d
  return [(a * c + b * d) / den, (b * c - a * d) / den]
}
const ce = ([a, b]: C): C => [Math.exp(a) * Math.cos(b), Math.exp(a) * Math.sin(b)]
const cs = ([a, b]: C, [c, d]: C): C => [a - c, b - d]
const ca = ([a, b]: C, [c, d]: C): C => [a + c, b + d]
const I: C = [0, 1]
const ONE: C = [1, 0]
// sin z = (e^{iz} - e^{-iz}) / 2i, cos z = (e^{iz} + e^{-iz}) / 2, sinh, cosh, tanh likewise
const csinRef = (z: C): C => cd(cs(ce(cm(I, z)), ce(cm([-0, -1], z))), [0, 2])
const ccosRef = (z: C): C => cd(ca(ce(cm(I, z)), ce(cm([-0, -1], z))), [2, 0])
const csinhRef = (z: C): C => cd(cs(ce(z), ce([-z[0], -z[1]])), [2, 0])
const ccoshRef = (z: C): C => cd(ca(ce(z), ce([-z[0], -z[1]])), [2, 0])
const ctanhRef = (z: C): C => {
  const e2 = ce([2 * z[0], 2 * z[1]])
  return cd(cs(e2, ONE), ca(e2, ONE))
}

const zs: ReadonlyArray<C> = [[1, 2], [-0.5, 0.25], [0.3, -1.2], [2, 0]]

describe("elementwise: complex", () => {
  const cUn = (prim: string, z: ReadonlyArray<C>, dtype: DType.DType = "complex128") =>
    un(prim as "sin", dtype === "complex128" ? c128(z) : c64(z))

  it("exp(i pi) = -1, exp(inf + 0i) = inf + 0i", () => {
    expect.close(cUn("exp", [[0, PI]]), [-1, 0], 1e-15)
    expect.exact(cUn("exp", [[Infinity, 0]]), [Infinity, 0])
  })

  it("sqrt takes the principal branch: sqrt(-4 + 0i) = 2i, sqrt(-4 - 0i) = -2i, sqrt(3 + 4i) = 2 + i", () => {
    expect.close(cUn("sqrt", [[-4, 0], [-4, -0], [3, 4], [-3, -4], [0, 0], [0, 2]]), [
      0,
      2,
      0,
      -2,
      2,
      1,
      1,
      -2,
      0,
      0,
      1,
      1
    ])
  })

  it("log(-1) = i pi, log(1 + i) = ln(sqrt 2) + i pi/4", () => {
    expect.close(cUn("log", [[-1, 0], [1, 1], [0, -1]]), [0, PI, Math.log(SQRT2), PI / 4, 0, -PI / 2], 1e-15)
  })

  it("(1 + 2i)(3 - i) = 5 + 5i; (1 + 2i) / (3 - i) = 0.1 + 0.7i; add, sub, neg, conj", () => {
    const x = c128([[1, 2]])
    const y = c128([[3, -1]])
    expect.close(bin("mul", x, y), [5, 5])
    expect.close(bin("div", x, y), [0.1, 0.7], 1e-15)
    expect.close(bin("add", x, y), [4, 1])
    expect.close(bin("sub", x, y), [-2, 3])
    expect.exact(un("neg", x), [-1, -2])
    expect.exact(un("conj", x), [1, -2])
  })

  it("division does not overflow for huge operands (Smith's algorithm)", () => {
    expect.close(bin("div", c128([[1e300, 1e300]]), c128([[1e300, 1e300]])), [1, 0])
    expect.close(bin("div", c128([[1, 1]]), c128([[1e-300, 1e-300]])), [1e300, 0])
  })

  it("complex64 arithmetic rounds to float32", () => {
    expect.close(bin("mul", c64([[1, 2]]), c64([[3, -1]])), [5, 5])
    expect.exact(bin("div", c64([[1, 0]]), c64([[3, 0]])), [Math.fround(1 / 3), 0])
  })

  it("abs is hypot without overflow; real and imag", () => {
    expect.close(un("abs", c128([[3, 4], [1e200, 1e200], [0, 0], [-5, 0]]), "float64"), [5, SQRT2 * 1e200, 0, 5])
    expect.close(un("abs", c64([[3, 4]]), "float32"), [5])
    expect.exact(un("real", c128([[3, 4]]), "float64"), [3])
    expect.exact(un("imag", c128([[3, 4]]), "float64"), [4])
    expect.exact(un("imag", c64([[3, -4]]), "float32"), [-4])
  })

  it("sin, cos, sinh, cosh, tanh, tan match their exponential definitions", () => {
    for (const z of zs) {
      expect.close(cUn("sin", [z]), csinRef(z), 1e-14)
      expect.close(cUn("cos", [z]), ccosRef(z), 1e-14)
      expect.close(cUn("sinh", [z]), csinhRef(z), 1e-14)
      expect.close(cUn("cosh", [z]), ccoshRef(z), 1e-14)
      expect.close(cUn("tanh", [z]), ctanhRef(z), 1e-14)
      expect.close(cUn("tan", [z]), cd(csinRef(z), ccosRef(z)), 1e-14)
    }
    // tanh saturates instead of inf/inf: tanh(100 + i) = 1, tan(1 + 100i) = i
    expect.close(cUn("tanh", [[100, 1]]), [1, 0])
    expect.close(cUn("tan", [[1, 100]]), [0, 1])
  })

  it("asin, acos, atan invert sin, cos, tan, with JAX's branch cuts", () => {
    for (const z of zs.slice(0, 3)) {
      expect.close(cUn("sin", [cUn("asin", [z]) as unknown as C]), z, 1e-13)
      expect.close(cUn("cos", [cUn("acos", [z]) as unknown as C]), z, 1e-13)
      expect.close(cUn("tan", [cUn("atan", [z]) as unknown as C]), z, 1e-13)
    }
    // NumPy: arcsin(2+0j) = 1.5707963267948966+1.3169578969248166j, arccos(2+0j) = -1.3169578969248166j;
    // below the cut, JAX's chlo.asin takes the sign from im z < 0, so -0 is above it (NumPy: below)
    const acosh2 = Math.log(2 + Math.sqrt(3))
    expect.close(cUn("asin", [[2, 0]]), [PI / 2, acosh2], 1e-15)
    expect.close(cUn("asin", [[2, -0]]), [PI / 2, acosh2], 1e-15)
    expect.close(cUn("asin", [[2, -1e-300]]), [PI / 2, -acosh2], 1e-15)
    expect.close(cUn("acos", [[2, 0]]), [0, -acosh2], 1e-15)
    expect.close(cUn("atan", [[1, 1]]), [1.0172219678978514, 0.4023594781085251], 1e-15)
  })

  it("log1p and expm1 keep relative accuracy for small z", () => {
    // log(1 + z) = z - z^2/2 + ..., z^2 = 2e-20 i; exp(z) - 1 = z + z^2/2 + ...
    expect.close(cUn("log1p", [[1e-10, 1e-10]]).map((v) => v * 1e10), [1, 1 - 1e-10], 1e-15)
    expect.close(cUn("expm1", [[1e-10, 1e-10]]).map((v) => v * 1e10), [1, 1 + 1e-10], 1e-15)
    expect.close(cUn("log1p", [[E - 1, 0]]), [1, 0], 1e-15)
    expect.close(cUn("expm1", [[0, PI]]), [-2, 0], 1e-15)
  })

  it("rsqrt, logistic, sign", () => {
    expect.close(cUn("rsqrt", [[-4, 0]]), [0, -0.5])
    expect.close(cUn("logistic", [[0, 0], [1, 2]]), [0.5, 0, ...cd(ONE, ca(ONE, ce([-1, -2])))], 1e-15)
    expect.close(cUn("sign", [[3, 4], [0, 0], [0, -2]]), [0.6, 0.8, 0, 0, 0, -1])
  })

  it("integer_pow: (1 + i)^2 = 2i, (1 + i)^-1 = (1 - i)/2, z^0 = 1", () => {
    const z = c128([[1, 1]])
    expect.close(un("integer_pow", z, "complex128", { y: 2 }), [0, 2])
    expect.close(un("integer_pow", z, "complex128", { y: -1 }), [0.5, -0.5])
    expect.close(un("integer_pow", z, "complex128", { y: 0 }), [1, 0])
    expect.close(un("integer_pow", z, "complex128", { y: 7 }), [8, -8])
  })

  it("pow = exp(y log x): i^i = e^(-pi/2), (-1)^0.5 = i, 0^0 = 1, 0^(2+i) = 0, 0^-1 = NaN", () => {
    const x = c128([[0, 1], [-1, 0], [0, 0], [0, 0], [0, 0], [2, 0]])
    const y = c128([[0, 1], [0.5, 0], [0, 0], [2, 1], [-1, 0], [3, 0]])
    expect.close(bin("pow", x, y), [Math.exp(-PI / 2), 0, 0, 1, 1, 0, 0, 0, NaN, NaN, 8, 0], 1e-15)
  })

  it("eq and ne compare both parts", () => {
    const x = c128([[1, 2], [1, 2], [NaN, 0]])
    const y = c128([[1, 2], [1, -2], [NaN, 0]])
    expect.exact(bin("eq", x, y, "bool"), [1, 0, 0])
    expect.exact(bin("ne", x, y, "bool"), [0, 1, 1])
  })

  it("max and min order lexicographically and propagate NaN", () => {
    const x = c128([[1, 5], [2, 0], [NaN, 0]])
    const y = c128([[1, 6], [1, 9], [0, 0]])
    expect.close(bin("max", x, y), [1, 6, 2, 0, NaN, NaN])
    expect.close(bin("min", x, y), [1, 5, 1, 9, NaN, NaN])
  })

  it("complex(re, im) builds interleaved values", () => {
    expect.exact(bin("complex", f32([1, 2]), f32([3, 4]), "complex64"), [1, 3, 2, 4])
    expect.exact(bin("complex", f64([0.1]), f64([-0.2]), "complex128"), [0.1, -0.2])
  })
})

describe("select", () => {
  it("picks elementwise for every dtype", () => {
    const p = b8([1, 0, 1])
    expect.exact(run("select", [p, f32([1, 2, 3]), f32([4, 5, 6])], {}, [3], "float32"), [1, 5, 3])
    expect.exact(run("select", [p, i32([1, 2, 3]), i32([4, 5, 6])], {}, [3], "int32"), [1, 5, 3])
    expect.exact(run("select", [p, b8([1, 1, 1]), b8([0, 0, 0])], {}, [3], "bool"), [1, 0, 1])
    expect.exact(
      run("select", [p, c128([[1, 1], [2, 2], [3, 3]]), c128([[4, 4], [5, 5], [6, 6]])], {}, [3], "complex128"),
      [
        1,
        1,
        5,
        5,
        3,
        3
      ]
    )
  })
})

describe("convert_element_type", () => {
  const conv = (x: ReturnType<typeof f64>, to: DType.DType) =>
    Array.from(run("convert_element_type", [x], { dtype: to, weakType: false }, x.shape, to))

  it("float -> int32 truncates toward zero, saturates, NaN -> 0", () => {
    expect.exact(conv(f64([2.7, -2.7, 1e10, -1e10, NaN, -0.5]), "int32"), [2, -2, 2147483647, -2147483648, 0, 0])
    expect.exact(conv(f32([3.9]), "int32"), [3])
  })
  it("float64 -> float32 rounds to nearest; int32 -> float32 rounds large integers", () => {
    expect.exact(conv(f64([0.1, 1e40]), "float32"), [Math.fround(0.1), Infinity])
    expect.exact(conv(i32([16777217, -3]), "float32"), [16777216, -3])
    expect.exact(conv(i32([16777217]), "float64"), [16777217])
  })
  it("to bool is x != 0 (NaN is true); bool -> numbers is 0/1", () => {
    expect.exact(conv(f64([0, -0, 0.1, NaN, -3]), "bool"), [0, 0, 1, 1, 1])
    expect.exact(conv(i32([0, 7]), "bool"), [0, 1])
    expect.exact(conv(b8([0, 1]), "float32"), [0, 1])
    expect.exact(conv(b8([0, 1]), "int32"), [0, 1])
    expect.exact(conv(b8([1]), "complex64"), [1, 0])
  })
  it("real -> complex has a zero imaginary part; complex -> real takes the real part (NumPy)", () => {
    expect.exact(conv(f64([1.5, -2]), "complex128"), [1.5, 0, -2, 0])
    expect.exact(conv(i32([3]), "complex64"), [3, 0])
    expect.exact(conv(c128([[1.5, 9], [-2.7, 1]]), "float64"), [1.5, -2.7])
    expect.exact(conv(c128([[-2.7, 1]]), "int32"), [-2])
    expect.exact(conv(c128([[0, 1], [0, 0]]), "bool"), [1, 0])
    expect.exact(conv(c128([[0.1, 0.2]]), "complex64"), [Math.fround(0.1), Math.fround(0.2)])
    expect.exact(conv(c64([[0.5, 0.25]]), "complex128"), [0.5, 0.25])
  })
  it("to float0 has no data", () => {
    assert.strictEqual(conv(f64([1, 2]), "float0").length, 0)
  })
})

describe("convert_element_type between every pair of dtypes", () => {
  // Values as (re, im) pairs, stored in each source dtype.
  const sources: Record<Exclude<DType.DType, "float0">, ReadonlyArray<readonly [number, number]>> = {
    float32: [[0, 0], [-2.75, 0], [1.5, 0], [NaN, 0]],
    float64: [[0, 0], [-2.7, 0], [1.5, 0], [NaN, 0]],
    int32: [[0, 0], [-3, 0], [7, 0], [1, 0]],
    uint32: [[0, 0], [4294967293, 0], [7, 0], [2147483648, 0]],
    bool: [[0, 0], [1, 0], [1, 0], [0, 0]],
    complex64: [[0, 0], [-2.75, 1], [1.5, -0.5], [NaN, 0]],
    complex128: [[0, 0], [-2.7, 1], [0, -0.5], [NaN, 0]]
  }
  // The rules, stated independently of the lowering: NumPy's casts (complex -> real
  // drops the imaginary part; -> bool is "nonzero"; -> int32 truncates toward zero; between
  // int32 and uint32 the bits are kept; float -> uint32 saturates at [0, 2^32 - 1], as XLA).
  const expected = (to: DType.DType, [re, im]: readonly [number, number], from: DType.DType): Array<number> => {
    switch (to) {
      case "float0":
        return []
      case "bool":
        return [re !== 0 || im !== 0 ? 1 : 0]
      case "int32":
        return [from === "uint32" ? re | 0 : Number.isNaN(re) ? 0 : Math.trunc(re)]
      case "uint32":
        return [from === "int32" ? re >>> 0 : Number.isNaN(re) || re <= 0 ? 0 : Math.trunc(re)]
      case "float32":
        return [Math.fround(re)]
      case "float64":
        return [re]
      case "complex64":
        return [Math.fround(re), Math.fround(im)]
      case "complex128":
        return [re, im]
    }
  }
  for (
    const [from, values] of Object.entries(sources) as Array<[DType.DType, ReadonlyArray<readonly [number, number]>]>
  ) {
    for (const to of DType.dtypes) {
      it(`${from} -> ${to}`, () => {
        const complexSource = from === "complex64" || from === "complex128"
        const x = arr(from, [values.length], values.flatMap(([re, im]) => (complexSource ? [re, im] : [re])))
        const got = Array.from(run("convert_element_type", [x], { dtype: to, weakType: false }, x.shape, to))
        // the stored source value (float32 rounding, bool as 0/1) is what converts
        const stored = values.map(([re, im]): [number, number] =>
          from === "float32" || from === "complex64" ? [Math.fround(re), Math.fround(im)] : [re, im]
        )
        expect.exact(got, stored.flatMap((v) => expected(to, v, from)))
      })
    }
  }
})

// float32 kernels run IEEE float32 arithmetic (the SIMD kernels' bits) with the
// transcendentals decomposed (docs/numerics.md): single correctly rounded operations
// give exactly the rounded float64 result; these multi-step float32 algorithms are
// within their documented bound (ulps of the float32 result).
const float32Ulps: Readonly<Record<string, number>> = {
  exp: 1,
  expm1: 2,
  log: 1,
  log1p: 2,
  sinh: 2,
  cosh: 2,
  tanh: 2,
  logistic: 2,
  rsqrt: 1.5,
  sin: 1,
  cos: 1
}

const ulpsOff = (got: number, want: number): number => {
  if (Object.is(got, want)) return 0
  if (!Number.isFinite(want) || !Number.isFinite(got)) return Infinity
  const ulp = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23))
  return Math.abs(got - want) / ulp
}

describe("every supported (primitive, dtype) pair", () => {
  // complex64 kernels and the float32 special functions (Lowering.isWideFloat32)
  // compute in float64 and round on store, so on the same (float32-representable)
  // inputs they must give exactly the rounded float64 results; so must every float32
  // kernel that is one correctly rounded operation; the float32 algorithms of
  // `float32Ulps` are held to their bounds. The float64 results are pinned by the
  // hand-derived tests above.
  const reals = [-2.5, -0.75, -0.125, 0, 0.25, 0.875, 1.5, 3].map(Math.fround)
  const pairs: ReadonlyArray<readonly [number, number]> = [
    [-2.5, 0.5],
    [-0.75, -1.25],
    [0, 0],
    [0.25, 0],
    [0.875, -0.5],
    [
      1.5,
      2
    ],
    [3, -0.125],
    [-1, 0]
  ]
  const unaryNames = [...unaryPrimitives].filter((p) => p !== "convert_element_type" && p !== "stop_gradient")
  const binaryNames = [...binaryPrimitives]
  const outFor = (p: string, d: DType.DType): DType.DType =>
    ["eq", "ne", "lt", "le", "gt", "ge"].includes(p)
      ? "bool"
      : p === "abs" || p === "real" || p === "imag"
      ? DType.realDType(d)
      : p === "complex" || p === "conj"
      ? DType.complexDType(d)
      : d
  const tryRun = (p: string, operands: ReadonlyArray<ReturnType<typeof arr>>, out: DType.DType) => {
    try {
      return Array.from(
        run(p as "add", operands, (p === "integer_pow" ? { y: 3 } : {}) as never, operands[0]!.shape, out)
      )
    } catch (e) {
      if (/no elementwise lowering/.test(String(e))) return undefined
      throw e
    }
  }
  let compared = 0
  for (const [single, double] of [["float32", "float64"], ["complex64", "complex128"]] as const) {
    const values = single === "float32" ? reals : pairs.flat()
    const n = single === "float32" ? reals.length : pairs.length
    const lo = (d: DType.DType, shift = 0) => arr(d, [n], values.map((_, i) => values[(i + shift) % values.length]!))
    for (const p of [...unaryNames, ...binaryNames]) {
      const binary = binaryPrimitives.has(p as never)
      it(`${p}: ${single} is ${double} rounded`, () => {
        const ops = (d: DType.DType) => (binary ? [lo(d), lo(d, single === "float32" ? 3 : 6)] : [lo(d)])
        const a = tryRun(p, ops(single), outFor(p, single))
        const b = tryRun(p, ops(double), outFor(p, double))
        assert.strictEqual(a === undefined, b === undefined, "supported at both precisions or neither")
        if (a === undefined || b === undefined) return
        compared++
        const want = outFor(p, single) === "bool" ? b : b.map(Math.fround)
        const bound = single === "float32" ? float32Ulps[p] : undefined
        if (bound === undefined) return expect.exact(a, want)
        a.forEach((v, i) => assert.isAtMost(ulpsOff(v, want[i]!), bound, `${p}(${values[i]}) = ${v}, not ${want[i]}`))
      })
    }
  }
  it("compared most primitives at both precisions", () => {
    assert.isAtLeast(compared, 60)
  })
})
