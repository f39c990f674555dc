/**
 * lax against JAX's own rules where diffect differed: derivatives at the
 * points JAX's JVP rules special-case, dtype rules of dot_general, padding
 * strings, selectN's clamping and the bit-level ops. Expected values come from
 * JAX's source (jax/_src/lax/*.py), hand derivation or central differences.
 */
import { lax, np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, runSync, special, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { besselI0 } from "../src/internal/bessel.js"
import { expect } from "./npSetup.js"

const f64 = (v: number | np.NestedArray) => np.array(v, { dtype: "float64" })
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
