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
import { expect, js } from "./npSetup.js"

const f64 = (v: number | np.NestedArray) => np.array(v, { dtype: "float64" })
const f32 = (v: number | np.NestedArray) => np.array(v, { dtype: "float32" })
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
