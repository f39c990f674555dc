/**
 * The np ops across dtypes, table-driven: each result's dtype is checked, and its
 * values against a float64 JS reference over the same (float32-exact) inputs.
 * Complex references use the textbook formulas for the principal branches.
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { expect, failure } from "./npSetup.js"

type Real = "float32" | "float64" | "int32"
const realDTypes: ReadonlyArray<Real> = ["float32", "float64", "int32"]
const tol = (d: string) => (d === "float32" || d === "complex64" ? 2e-6 : d === "int32" ? 0 : 1e-14)

// float32-exact inputs (integers for int32)
const XS = { float: [-2.5, -1, 0, 0.5, 1.75, 3], int: [-5, -1, 0, 2, 3, 7] }
const YS = { float: [1.5, -2, 4, 0.25, -0.75, 3], int: [3, -2, 4, 1, -7, 2] }
const xsOf = (d: Real) => (d === "int32" ? XS.int : XS.float)
const ysOf = (d: Real) => (d === "int32" ? YS.int : YS.float)
const arr = (v: ReadonlyArray<number>, d: string): Tensor => np.array(v as Array<number>, { dtype: d as Real })

describe("binary ops per real dtype", () => {
  const ops: ReadonlyArray<readonly [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number]> = [
    ["add", np.add, (x, y) => x + y],
    ["subtract", np.subtract, (x, y) => x - y],
    ["multiply", np.multiply, (x, y) => x * y],
    ["maximum", np.maximum, Math.max],
    ["minimum", np.minimum, Math.min],
    ["mod", np.mod, (x, y) => x - Math.floor(x / y) * y],
    ["floorDivide", np.floorDivide, (x, y) => Math.floor(x / y)]
  ]
  for (const d of realDTypes) {
    it(`${d}: add, subtract, multiply, maximum, minimum, mod, floorDivide keep ${d}`, () => {
      const xs = xsOf(d)
      const ys = ysOf(d)
      for (const [, f, ref] of ops) {
        expect.tensor(f(arr(xs, d), arr(ys, d)), d, xs.map((x, i) => ref(x, ys[i]!)), { tol: tol(d) })
      }
    })
    it(`${d}: divide is inexact (int32 gives float32)`, () => {
      const xs = xsOf(d)
      const ys = ysOf(d)
      const out = d === "int32" ? "float32" : d
      expect.tensor(np.divide(arr(xs, d), arr(ys, d)), out, xs.map((x, i) => x / ys[i]!), { tol: tol(out) })
    })
    it(`${d}: comparisons give bool`, () => {
      const xs = xsOf(d)
      const ys = ysOf(d)
      expect.tensor(np.less(arr(xs, d), arr(ys, d)), "bool", xs.map((x, i) => x < ys[i]!))
      expect.tensor(np.greaterEqual(arr(xs, d), arr(ys, d)), "bool", xs.map((x, i) => x >= ys[i]!))
      expect.tensor(np.equal(arr(xs, d), arr(xs, d)), "bool", xs.map(() => true))
    })
  }
})

describe("unary ops per dtype", () => {
  for (const d of ["float32", "float64"] as const) {
    it(`${d}: negative, abs, sign, square, floor, ceil, round keep ${d}`, () => {
      const xs = XS.float
      expect.tensor(np.negative(arr(xs, d)), d, xs.map((x) => -x))
      expect.tensor(np.abs(arr(xs, d)), d, xs.map(Math.abs))
      expect.tensor(np.sign(arr(xs, d)), d, xs.map(Math.sign))
      expect.tensor(np.square(arr(xs, d)), d, xs.map((x) => x * x))
      expect.tensor(np.floor(arr(xs, d)), d, xs.map(Math.floor))
      expect.tensor(np.ceil(arr(xs, d)), d, xs.map(Math.ceil))
      // half to even: -2.5 -> -2, 0.5 -> 0, 1.75 -> 2
      expect.tensor(np.round(arr(xs, d)), d, [-2, -1, 0, 0, 2, 3])
    })
  }
  it("integers pass through floor, ceil, round, trunc and fix (uint32 too: JAX's isdtype 'integral')", () => {
    for (const d of ["int32", "uint32"] as const) {
      for (const f of [np.floor, np.ceil, np.round, np.trunc, np.fix]) expect.tensor(f(arr([0, 3, 7], d)), d, [0, 3, 7])
    }
  })
  it("int32: negative, abs, sign, square keep int32; exp and sqrt give float32", () => {
    const xs = XS.int
    expect.tensor(np.negative(arr(xs, "int32")), "int32", xs.map((x) => -x))
    expect.tensor(np.abs(arr(xs, "int32")), "int32", xs.map(Math.abs))
    expect.tensor(np.sign(arr(xs, "int32")), "int32", xs.map(Math.sign))
    expect.tensor(np.square(arr(xs, "int32")), "int32", xs.map((x) => x * x))
    expect.tensor(np.exp(arr([0, 1, 2], "int32")), "float32", [1, Math.E, Math.E ** 2], { tol: 2e-6 })
    expect.tensor(np.sqrt(arr([0, 4, 9], "int32")), "float32", [0, 2, 3])
  })
  it("bool: logicalNot and abs keep bool, sign refuses it (as JAX's lax.sign); sum counts", () => {
    const bs = [true, false, true]
    expect.tensor(np.logicalNot(np.array(bs)), "bool", [false, true, false])
    expect.tensor(np.abs(np.array(bs)), "bool", bs)
    assert.include(failure(() => np.sign(np.array(bs)), "DTypeError"), "bool")
    expect.tensor(np.sum(np.array(bs)), "int32", 2)
    expect.tensor(np.mean(np.array(bs)), "float32", 2 / 3, { tol: 2e-6 })
    expect.tensor(np.max(np.array(bs)), "bool", true)
    expect.tensor(np.min(np.array(bs)), "bool", false)
    expect.tensor(np.argmin(np.array(bs)), "int32", 1)
  })
})

describe("reductions per real dtype", () => {
  for (const d of realDTypes) {
    it(`${d}: sum, prod, max, min, cumsum keep ${d}; mean is inexact; argmax is int32`, () => {
      const xs = xsOf(d)
      const t = arr(xs, d)
      expect.tensor(np.sum(t), d, xs.reduce((a, b) => a + b, 0), { tol: tol(d) })
      expect.tensor(np.prod(arr(xs.slice(3), d)), d, xs.slice(3).reduce((a, b) => a * b, 1), { tol: tol(d) })
      expect.tensor(np.max(t), d, Math.max(...xs))
      expect.tensor(np.min(t), d, Math.min(...xs))
      let acc = 0
      expect.tensor(np.cumsum(t), d, xs.map((x) => (acc += x)), { tol: tol(d) })
      const meanType = d === "int32" ? "float32" : d
      expect.tensor(np.mean(t), meanType, xs.reduce((a, b) => a + b, 0) / xs.length, { tol: tol(meanType) })
      expect.tensor(np.argmax(t), "int32", xs.indexOf(Math.max(...xs)))
      expect.tensor(np.argmin(t), "int32", xs.indexOf(Math.min(...xs)))
    })
  }
})

// Complex references (principal branches).
interface C {
  re: number
  im: number
}
const cmul = (a: C, b: C): C => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re })
const cdiv = (a: C, b: C): C => {
  const d = b.re * b.re + b.im * b.im
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d }
}
const cexp = (a: C): C => ({ re: Math.exp(a.re) * Math.cos(a.im), im: Math.exp(a.re) * Math.sin(a.im) })
const clog = (a: C): C => ({ re: Math.log(Math.hypot(a.re, a.im)), im: Math.atan2(a.im, a.re) })
const csqrt = (a: C): C => {
  const r = Math.hypot(a.re, a.im)
  return { re: Math.sqrt((r + a.re) / 2), im: (a.im < 0 ? -1 : 1) * Math.sqrt((r - a.re) / 2) }
}
const csin = (a: C): C => ({ re: Math.sin(a.re) * Math.cosh(a.im), im: Math.cos(a.re) * Math.sinh(a.im) })
const ccos = (a: C): C => ({ re: Math.cos(a.re) * Math.cosh(a.im), im: -Math.sin(a.re) * Math.sinh(a.im) })

const ZS: ReadonlyArray<C> = [{ re: 1, im: 2 }, { re: -0.5, im: 0.25 }, { re: 0, im: -1.5 }, { re: 2, im: -0.75 }]
const WS: ReadonlyArray<C> = [{ re: 0.5, im: -1 }, { re: 2, im: 0 }, { re: -1.25, im: 1 }, { re: 1, im: 1 }]

describe("complex ops per complex dtype", () => {
  for (const [d, real] of [["complex64", "float32"], ["complex128", "float64"]] as const) {
    const z = () => np.array(ZS as Array<C>, { dtype: d })
    const w = () => np.array(WS as Array<C>, { dtype: d })
    it(`${d}: add, subtract, multiply, divide`, () => {
      expect.tensor(np.add(z(), w()), d, ZS.map((a, i) => ({ re: a.re + WS[i]!.re, im: a.im + WS[i]!.im })))
      expect.tensor(np.subtract(z(), w()), d, ZS.map((a, i) => ({ re: a.re - WS[i]!.re, im: a.im - WS[i]!.im })))
      expect.tensor(np.multiply(z(), w()), d, ZS.map((a, i) => cmul(a, WS[i]!)), { tol: tol(d) })
      expect.tensor(np.divide(z(), w()), d, ZS.map((a, i) => cdiv(a, WS[i]!)), { tol: tol(d) })
    })
    it(`${d}: exp, log, sqrt, sin, cos on principal branches`, () => {
      expect.tensor(np.exp(z()), d, ZS.map(cexp), { tol: tol(d) })
      expect.tensor(np.log(z()), d, ZS.map(clog), { tol: tol(d) })
      expect.tensor(np.sqrt(z()), d, ZS.map(csqrt), { tol: tol(d) })
      expect.tensor(np.sin(z()), d, ZS.map(csin), { tol: tol(d) })
      expect.tensor(np.cos(z()), d, ZS.map(ccos), { tol: tol(d) })
    })
    it(`${d}: sqrt, log1p, arcsin, arctan, arcsinh at extreme magnitudes`, () => {
      if (d === "complex64") return
      const exact = { tol: { rtol: 1e-15, atol: 0 } }
      const c = (v: Array<C>) => np.array(v, { dtype: d })
      // sqrt's (|a| + |z|) / 2 overflowed past 9e307 (sqrt(1e308) was inf)
      expect.tensor(np.sqrt(c([{ re: 1e308, im: 0 }, { re: -1e308, im: 0 }])), d, [
        { re: Math.sqrt(1e308), im: 0 },
        { re: 0, im: Math.sqrt(1e308) }
      ], exact)
      // log1p's squares overflowed (1e200 i gave inf) and cancelled near -1 (gave -inf)
      expect.tensor(np.log1p(c([{ re: 0, im: 1e200 }, { re: -1, im: 1e-200 }])), d, [
        { re: Math.log(1e200), im: Math.PI / 2 },
        { re: Math.log(1e-200), im: Math.PI / 2 }
      ], exact)
      // tiny arguments: asin z = atan z = asinh z = z (the logarithms' arguments rounded to 1: -0 i)
      const tiny = [{ re: 0, im: 1e-200 }, { re: 1e-20, im: -2e-20 }]
      expect.tensor(np.arcsin(c(tiny)), d, tiny, exact)
      expect.tensor(np.arctan(c(tiny)), d, tiny, exact)
      expect.tensor(np.arcsinh(c(tiny)), d, tiny, exact)
    })
    it(`${d}: abs, real, imag, angle give ${real}; conj keeps ${d}`, () => {
      expect.tensor(np.abs(z()), real, ZS.map((a) => Math.hypot(a.re, a.im)), { tol: tol(real) })
      expect.tensor(np.real(z()), real, ZS.map((a) => a.re))
      expect.tensor(np.imag(z()), real, ZS.map((a) => a.im))
      expect.tensor(np.angle(z()), real, ZS.map((a) => Math.atan2(a.im, a.re)), { tol: tol(real) })
      expect.tensor(np.conj(z()), d, ZS.map((a) => ({ re: a.re, im: -a.im })))
    })
    it(`${d}: sum, mean, matmul, equal`, () => {
      const total = ZS.reduce((a, b) => ({ re: a.re + b.re, im: a.im + b.im }), { re: 0, im: 0 })
      expect.tensor(np.sum(z()), d, total, { tol: tol(d) })
      expect.tensor(np.mean(z()), d, { re: total.re / 4, im: total.im / 4 }, { tol: tol(d) })
      // [z0 z1; z2 z3] @ [w0 w1; w2 w3]
      const m = (i: number, j: number) => {
        const p = cmul(ZS[2 * i]!, WS[j]!)
        const q = cmul(ZS[2 * i + 1]!, WS[2 + j]!)
        return { re: p.re + q.re, im: p.im + q.im }
      }
      expect.tensor(np.matmul(np.reshape(z(), [2, 2]), np.reshape(w(), [2, 2])), d, [[m(0, 0), m(0, 1)], [
        m(1, 0),
        m(1, 1)
      ]], { tol: tol(d) })
      expect.tensor(np.equal(z(), w()), "bool", [false, false, false, false])
      expect.tensor(np.notEqual(z(), z()), "bool", [false, false, false, false])
    })
  }
})

describe("result dtypes JAX's promotion rules give", () => {
  const f32 = (v: ReadonlyArray<number>) => arr(v, "float32")
  const i32 = (v: ReadonlyArray<number>) => arr(v, "int32")
  const b = (v: Array<boolean>) => np.array(v, { dtype: "bool" })
  it("mean with dtype: the sum in that dtype, lax.div by the count, then astype (ints truncate)", () => {
    // [1.5, 2.6] -> int32 [1, 2], sum 3, 3 / 2 = 1 (integer division)
    expect.tensor(np.mean(f32([1.5, 2.6]), { dtype: "int32" }), "int32", 1)
    expect.tensor(np.mean(f32([1.5, 2.6, 7]), { dtype: "int32", where: b([true, true, false]) }), "int32", 1)
    expect.tensor(np.mean(i32([-7, 2]), { dtype: "int32" }), "int32", -2)
    expect.tensor(np.mean(b([true, false, true]), { dtype: "float64" }), "float64", 2 / 3, { tol: 1e-15 })
    expect.tensor(np.mean(i32([1, 2])), "float32", 1.5, { weak: false })
    const c = np.array([{ re: 1, im: 2 }, { re: 2, im: 0 }], { dtype: "complex64" })
    expect.tensor(np.mean(c), "complex64", { re: 1.5, im: 1 })
  })
  it("square of bool is int32 (promote_dtypes_numeric)", () => {
    expect.tensor(np.square(b([true, false])), "int32", [1, 0])
  })
  it("convolve and correlate promote to inexact (JAX's _conv: promote_dtypes_inexact)", () => {
    expect.tensor(np.convolve(i32([1, 2]), i32([3, 4])), "float32", [3, 10, 8])
    expect.tensor(np.correlate(i32([1, 2]), i32([3, 4])), "float32", [11])
    expect.tensor(np.convolve(b([true, false]), b([true, true])), "float32", [1, 1, 0])
    expect.tensor(np.correlate(b([true, true]), b([true])), "float32", [1, 1])
  })
  it("polyval keeps the promoted dtype (promote_dtypes); polymul and polyder are inexact", () => {
    expect.tensor(np.polyval(i32([3, 0, 1]), i32([5, -1, 2])), "int32", [76, 4, 13])
    expect.tensor(np.polymul(i32([1, 2]), i32([3, 4])), "float32", [3, 10, 8])
    expect.tensor(np.polymul(i32([]), i32([3, 4])), "float32", [0, 0])
    expect.tensor(np.polyder(i32([1, 2, 3])), "float32", [2, 2])
  })
  it("einsum of bools is bool (sums are or, products and)", () => {
    expect.tensor(np.einsum("i,i", b([true, true]), b([true, false])), "bool", true)
    expect.tensor(np.einsum("i,i", b([false, true]), b([true, false])), "bool", false)
    const m = np.einsum("ij,jk->ik", np.array([[true, false], [false, false]]), np.array([[true, true], [false, true]]))
    expect.tensor(m, "bool", [[true, true], [false, false]])
    expect.tensor(np.einsumWith("i,i->", [b([true, true]), b([true, true])]), "bool", true)
    expect.tensor(np.einsum("i,i", b([true, true]), i32([2, 3])), "int32", 5)
  })
  it("select's default 0 is a weak int: int32 choices stay int32", () => {
    expect.tensor(np.select([b([true, false])], [i32([1, 2])]), "int32", [1, 0])
    expect.tensor(np.select([b([true, false])], [f32([1.5, 2])]), "float32", [1.5, 0])
    expect.tensor(np.select([b([false, true])], [b([true, true])]), "int32", [0, 1])
  })
  it("select of no conditions is JAX's 'condlist must be non-empty' (it was the default 0)", () => {
    assert.include(failure(() => np.select([], []), "ArgumentError"), "a non-empty list of conditions")
  })
})
