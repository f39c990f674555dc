/**
 * lax against JAX's own rules where diffect differed: derivatives at the
 * points JAX's JVP rules special-case, dtype rules of dot_general, padding
 * strings, selectN's clamping and the bit-level ops. Expected values come from
 * JAX's source (jax/_src/lax/*.py), hand derivation or central differences.
 */
import { lax, np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, jvp, runSync, special, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { besselI0 } from "../src/internal/bessel.js"
import { expect, failure, js } from "./npSetup.js"

const f64 = (v: number | np.NestedArray) => np.array(v, { dtype: "float64" })
const f32 = (v: number | np.NestedArray) => np.array(v, { dtype: "float32" })
const i32 = (v: number | np.NestedArray) => np.array(v, { dtype: "int32" })
const d = (f: (x: Tensor) => Tensor, x: number): number => toJsSync(runSync(grad(f)(f64(x)))) as number
const fd = (f: (x: Tensor) => Tensor, x: number, h = 1e-6): number =>
  ((toJsSync(f(f64(x + h))) as number) - (toJsSync(f(f64(x - h))) as number)) / (2 * h)

describe("besselI0e / besselI1e derivatives (JAX's JVP rules)", () => {
  it("at exactly 0: i0e' = 0, i1e' = 0.5, special.i1' = 0.5", () => {
    assert.strictEqual(d(lax.besselI0e, 0), 0)
    assert.strictEqual(d(lax.besselI1e, 0), 0.5)
    assert.strictEqual(d(special.i0e, 0), 0)
    assert.strictEqual(d(special.i1e, 0), 0.5)
    assert.strictEqual(d(special.i1, 0), 0.5)
  })
  it("besselI0 (for np.i0) has jnp.i0's derivative: 0 at 0, I1 elsewhere", () => {
    assert.strictEqual(d(besselI0, 0), 0)
    expect.close(d(besselI0, 1), 0.5651591039924851, 1e-12)
    expect.close(d(besselI0, -3), fd(besselI0, -3), 1e-7)
  })
  it("elsewhere they agree with central differences, also the second derivative", () => {
    for (const x of [1e-3, -0.7, 2.5, -12, 45]) {
      expect.close(d(lax.besselI0e, x), fd(lax.besselI0e, x), 1e-7)
      expect.close(d(lax.besselI1e, x), fd(lax.besselI1e, x), 1e-7)
      expect.close(d((t) => runSync(grad(lax.besselI1e)(t)), x), fd((t) => runSync(grad(lax.besselI1e)(t)), x), 1e-6)
    }
  })
})

describe("inverse hyperbolic functions", () => {
  it("atanh's derivative is +inf at both edges (JAX's g / (1 + x) / (1 - x)), 1 / (1 - x^2) inside", () => {
    assert.strictEqual(d(lax.atanh, 1), Infinity)
    assert.strictEqual(d(lax.atanh, -1), Infinity)
    expect.close(d(lax.atanh, 0.5), 4 / 3, 1e-15)
    expect.close(d(lax.atanh, -0.9), 1 / (1 - 0.81), 1e-12)
  })
  it("asinh, acosh and atanh take complex operands (JAX's _float | _complex)", () => {
    const z = np.array([0.5, 2]).astype("complex128")
    expect.close(js(lax.asinh(z)), [{ re: Math.asinh(0.5), im: 0 }, { re: Math.asinh(2), im: 0 }], 1e-12)
    // acosh(0.5) = i acos(0.5), atanh(2) = atanh(1/2) + i pi/2 (the principal branch with +0 imaginary part)
    expect.close(js(lax.acosh(z)), [{ re: 0, im: Math.acos(0.5) }, { re: Math.acosh(2), im: 0 }], 1e-12)
    expect.close(js(lax.atanh(z)), [{ re: Math.atanh(0.5), im: 0 }, { re: Math.atanh(0.5), im: Math.PI / 2 }], 1e-12)
    const [, dz] = runSync(jvp(lax.atanh, [z], [np.ones([2]).astype("complex128")]))
    expect.close(js(dz), [{ re: 4 / 3, im: 0 }, { re: -1 / 3, im: 0 }], 1e-12)
  })
})

describe("selectN", () => {
  it("an integer which out of range clamps (JAX's testSelectN: np.choose(mode='clip'))", () => {
    const ones = (v: number) => f32([v, v, v, v, v])
    const w = np.array([-1, 0, 3, -5, 1], { dtype: "int32" })
    assert.deepStrictEqual(js(lax.selectN(w, ones(1), ones(2), ones(3))), [1, 1, 3, 1, 2])
    assert.deepStrictEqual(js(lax.selectN(np.array([-1, 2], { dtype: "int32" }), f32([1, 1]), f32([2, 2]))), [1, 2])
    const five = [0, 1, 2, 3, 4].map((v) => f32([v, v, v, v, v]))
    const wide = np.array([-2, 4, 2, 9, 3], { dtype: "int32" })
    assert.deepStrictEqual(js(lax.selectN(wide, ...five)), [0, 4, 2, 4, 3])
  })
})

describe("padding names are case-insensitive (JAX's padtype_to_pads upper-cases them)", () => {
  it("padtypeToPads, convGeneralDilated, conv and reduceWindow take \"same\", \"valid\", \"same_lower\"", () => {
    assert.deepStrictEqual(lax.padtypeToPads([4], [2], [1], "same"), [[0, 1]])
    assert.deepStrictEqual(lax.padtypeToPads([4], [2], [1], "same_lower"), [[1, 0]])
    assert.deepStrictEqual(lax.padtypeToPads([4], [2], [1], "valid"), [[0, 0]])
    const x = f32([[[1, 2, 3, 4]]])
    const k = f32([[[1, 1, 1]]])
    assert.deepStrictEqual(js(lax.convGeneralDilated(x, k, [1], "same")), [[[3, 6, 9, 7]]])
    assert.deepStrictEqual(js(lax.conv(x, k, [1], "valid")), [[[6, 9]]])
    assert.deepStrictEqual(js(lax.reduceWindow(f32([1, 2, 3, 4, 5]), 0, lax.add, [2], [2], "same_lower")), [1, 5, 9])
    assert.deepStrictEqual(js(lax.reduceWindow(f32([1, 2, 3, 4]), 0, lax.add, [3], [1], "same")), [3, 6, 9, 7])
  })
})

describe("reduceWindow", () => {
  it("padding defaults to \"VALID\" and windowStrides to ones", () => {
    assert.deepStrictEqual(js(lax.reduceWindow(f32([1, 2, 3, 4, 5]), 0, lax.add, [2])), [3, 5, 7, 9])
  })
  it("takes trees of operands and initial values (JAX's variadic reduce_window): argmax pooling", () => {
    const v = f32([3, 1, 4, 1, 5, 9, 2, 6])
    const argmax = ([a, i]: Array<Tensor>, [b, j]: Array<Tensor>) => {
      const takeB = lax.or(lax.gt(b, a), lax.and(lax.eq(b, a), lax.lt(j, i)))
      return [lax.select(takeB, b, a), lax.select(takeB, j, i)]
    }
    const [m, at] = lax.reduceWindow([v, i32([0, 1, 2, 3, 4, 5, 6, 7])], [-Infinity, 8], argmax, [3], [2], "SAME")
    assert.deepStrictEqual([js(m!), m!.dtype], [[4, 5, 9, 6], "float32"])
    assert.deepStrictEqual([js(at!), at!.dtype], [[2, 4, 5, 7], "int32"])
    const r = lax.reduceWindow(
      { s: f32([1, 2, 3, 4]), p: f32([1, 2, 3, 4]) },
      { s: 0, p: 1 },
      (a, b) => ({ s: lax.add(a.s, b.s), p: lax.mul(a.p, b.p) }),
      [2]
    )
    assert.deepStrictEqual([js(r.s), js(r.p)], [[3, 5, 7], [2, 6, 12]])
  })
  it("a variadic reduceWindow differentiates through its computation", () => {
    // sum over windows of (u_k + u_k+1) + u_k u_k+1: d/du_j = (windows containing j) + neighbours
    const f = (u: Tensor) => {
      const [s, p] = lax.reduceWindow(
        [u, u],
        [0, 1],
        ([a, b]: Array<Tensor>, [c, e]: Array<Tensor>) => [lax.add(a, c), lax.mul(b, e)],
        [2]
      )
      return np.sum(np.add(s!, p!))
    }
    assert.deepStrictEqual(js(runSync(grad(f)(f32([1, 2, 3, 4, 5])))), [3, 6, 8, 10, 5])
  })
  it("refuses init values of another structure", () => {
    assert.include(failure(() => lax.reduceWindow([f32([1, 2])], [0, 0], (a) => a, [1]), "ArgumentError"), "initValue")
  })
})

describe("preferredElementType on the convolution wrappers", () => {
  it("conv, convWithGeneralPadding, convTranspose and convGeneralDilatedPatches compute in it", () => {
    const x = i32([[[1, 2, 3]]])
    const k = i32([[[1, 1]]])
    const y = lax.conv(x, k, [1], "VALID", { preferredElementType: "float32" })
    assert.deepStrictEqual([js(y), y.dtype], [[[[3, 5]]], "float32"])
    const g = lax.convWithGeneralPadding(x, k, [1], [[1, 0]], [1], [1], { preferredElementType: "float64" })
    assert.deepStrictEqual([js(g), g.dtype], [[[[1, 3, 5]]], "float64"])
    const t = lax.convTranspose(i32([[[1], [2]]]), i32([[[1]], [[1]]]), [2], "VALID", {
      preferredElementType: "float32"
    })
    assert.deepStrictEqual([js(t), t.dtype], [[[[1], [1], [2], [2]]], "float32"])
    const p = lax.convGeneralDilatedPatches(x, [2], [1], "VALID", { preferredElementType: "float32" })
    assert.deepStrictEqual([js(p), p.dtype], [[[[1, 2], [2, 3]]], "float32"])
  })
})

describe("dotGeneral's dtype rule (JAX's _dot_general_dtype_rule)", () => {
  it("mixed operands compute in the higher-precision dtype", () => {
    const cases: Array<[Tensor, Tensor, string, unknown]> = [
      [i32([[1, 2]]), f32([[1], [0.5]]), "float32", [[2]]],
      [f32([[1, 2]]), f64([[1], [0.5]]), "float64", [[2]]],
      [i32([[1, -2]]), np.array([[1], [3]], { dtype: "uint32" }), "int32", [[-5]]],
      [np.array([[1, 2]]).astype("complex64"), f64([[1], [2]]), "complex64", [[{ re: 5, im: 0 }]]],
      [np.array([[true, true]]), i32([[2], [3]]), "int32", [[5]]]
    ]
    for (const [a, b, dtype, want] of cases) {
      const y = lax.dotGeneral(a, b, [[1], [0]])
      assert.deepStrictEqual([y.dtype, js(y)], [dtype, want], `${a.dtype} x ${b.dtype}`)
    }
  })
  it("bool x bool is bool (any true product), or a count with preferredElementType", () => {
    const t = np.array([[true, true], [false, true]])
    const y = lax.dot(t, np.array([[true, false], [false, false]]))
    assert.deepStrictEqual([y.dtype, js(y)], ["bool", [[true, false], [false, false]]])
    const n = lax.dot(np.array([true, true]), np.array([true, true]), { preferredElementType: "int32" })
    assert.deepStrictEqual([n.dtype, js(n)], ["int32", 2])
  })
  it("the cotangent of each operand keeps its own dtype", () => {
    const g = runSync(grad((u: Tensor) => np.sum(lax.dot(u, f64([1, 2]))))(f32([1, 1])))
    assert.deepStrictEqual([g.dtype, js(g)], ["float32", [1, 2]])
    const h = runSync(grad((u: Tensor) => lax.dot(i32([3, 4]), u))(f32([1, 1])))
    assert.deepStrictEqual([h.dtype, js(h)], ["float32", [3, 4]])
  })
})

describe("precision takes JAX's aliases and per-operand pairs", () => {
  it("\"float32\", \"tensorfloat32\", \"bfloat16\", a pair; unknown names are refused", () => {
    const a = f32([[1, 2]])
    const b = f32([[3], [4]])
    for (const precision of ["float32", "tensorfloat32", "bfloat16_3x", "bfloat16", "fastest"] as const) {
      assert.deepStrictEqual(js(lax.dot(a, b, { precision })), [[11]])
    }
    assert.deepStrictEqual(js(lax.dot(a, b, { precision: ["highest", "default"] })), [[11]])
    const x = f32([[[1, 2, 3]]])
    const k = f32([[[1, 1]]])
    assert.deepStrictEqual(js(lax.convGeneralDilated(x, k, [1], "VALID", { precision: ["highest", "highest"] })), [[[
      3,
      5
    ]]])
    assert.deepStrictEqual(js(lax.conv(x, k, [1], "VALID", { precision: "float32" })), [[[3, 5]]])
    assert.include(failure(() => lax.dot(a, b, { precision: "HIGHEST" as never }), "ArgumentError"), "precision")
  })
})

describe("dynamic slicing's allowNegativeIndices (JAX's allow_negative_indices)", () => {
  const x = f32([0, 1, 2, 3, 4])
  it("false leaves a negative tensor start unshifted, so it clamps to 0; true (the default) counts from the end", () => {
    assert.deepStrictEqual(js(lax.dynamicSlice(x, [i32(-2)], [2])), [3, 4])
    assert.deepStrictEqual(js(lax.dynamicSlice(x, [i32(-2)], [2], { allowNegativeIndices: false })), [0, 1])
    const m = np.arange(12).reshape([3, 4])
    const perDim = lax.dynamicSlice(m, [i32(-1), i32(-1)], [1, 2], { allowNegativeIndices: [true, false] })
    assert.deepStrictEqual(js(perDim), [[8, 9]])
    assert.deepStrictEqual(js(lax.dynamicUpdateSlice(x, f32([9, 9]), [i32(-1)], { allowNegativeIndices: false })), [
      9,
      9,
      2,
      3,
      4
    ])
    assert.deepStrictEqual(js(lax.dynamicSliceInDim(x, i32(-2), 2, 0, { allowNegativeIndices: false })), [0, 1])
    assert.deepStrictEqual(js(lax.dynamicIndexInDim(x, i32(-1), 0, false, { allowNegativeIndices: false })), 0)
    assert.deepStrictEqual(js(lax.dynamicIndexInDim(x, i32(-1), 0, false)), 4)
    const upd = lax.dynamicUpdateIndexInDim(x, f32(7), i32(-1), 0, { allowNegativeIndices: false })
    assert.deepStrictEqual(js(upd), [7, 1, 2, 3, 4])
    assert.deepStrictEqual(js(lax.dynamicUpdateSliceInDim(x, f32([7]), i32(-1), 0)), [0, 1, 2, 3, 7])
  })
  it("false with a negative JS number is an error (JAX's ValueError)", () => {
    assert.include(failure(() => lax.dynamicSlice(x, [-2], [2], { allowNegativeIndices: false }), "IndexError"), "-2")
  })
  it("the gradient follows the unshifted window", () => {
    const g = runSync(
      grad((u: Tensor) => np.sum(lax.dynamicSlice(u, [i32(-2)], [2], { allowNegativeIndices: false })))(x)
    )
    assert.deepStrictEqual(js(g), [1, 1, 0, 0, 0])
  })
  it("sliceSizes may be a concrete integer tensor (JAX's testDynamicSliceArraySliceSizes)", () => {
    assert.deepStrictEqual(js(lax.dynamicSlice(np.arange(12).reshape([3, 4]), [0, 1], i32([2, 2]))), [[1, 2], [5, 6]])
  })
})
