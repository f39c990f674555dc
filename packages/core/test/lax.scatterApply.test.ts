/**
 * lax.scatterApply (JAX's lax.scatter_apply on diffect's one-axis scatter
 * convention): against a JS reference that applies func once per index
 * occurrence (JAX's duplicate-index semantics; indices clamped as lax.scatter),
 * with fast-check; whole slices along other axes; jit and vmap over traced
 * indices (the whileLoop path) equal to the eager values; gradients with known
 * indices against central differences; typed errors.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  ArgumentError,
  AxisError,
  DTypeError,
  grad,
  jit,
  lax,
  np,
  runSync,
  ShapeError,
  type Tensor,
  toJsSync,
  vmap
} from "diffect"
import * as fc from "fast-check"

// func applied at each index in turn (JAX's scatter with an update computation)
const reference = (x: Array<number>, idx: Array<number>, f: (v: number) => number): Array<number> => {
  const out = x.slice()
  for (const i of idx) {
    const j = Math.min(Math.max(i, 0), x.length - 1)
    out[j] = f(out[j]!)
  }
  return out
}

const i32 = (xs: Array<number>) => np.array(xs, { dtype: "int32" })
const affine = (v: Tensor) => lax.add(lax.mul(v, 3), 1)

describe("lax.scatterApply", () => {
  it("applies func once per occurrence of an index (fast-check against the sequential reference)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: -3, max: 8 }), { maxLength: 8 }),
        (x, idx) => {
          const want = reference(x, idx, (v) => 3 * v + 1)
          assert.deepStrictEqual(toJsSync(lax.scatterApply(np.array(x, { dtype: "float64" }), i32(idx), affine)), want)
          // traced indices (jit): the whileLoop path gives the same
          const jitted = jit((i: Tensor) => lax.scatterApply(np.array(x, { dtype: "float64" }), i, affine))
          assert.deepStrictEqual(toJsSync(runSync(jitted(i32(idx)))), want)
        }
      ),
      { numRuns: 40 }
    )
  })

  it("whole slices along the other axes; indices of any shape; a negative axis", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]], { dtype: "float32" })
    const y = lax.scatterApply(x, i32([2, 0, 2]).reshape([3, 1]), np.negative, -1)
    assert.deepStrictEqual(toJsSync(y), [[-1, 2, 3], [-4, 5, 6]])
    assert.strictEqual(y.dtype, "float32")
    assert.deepStrictEqual(toJsSync(lax.scatterApply(x, i32([1]), np.square, 0)), [[1, 2, 3], [16, 25, 36]])
    // uniqueIndices: one application (a promise, as JAX's)
    assert.deepStrictEqual(toJsSync(lax.scatterApply(x, i32([1]), np.square, 0, { uniqueIndices: true })), [[1, 2, 3], [
      16,
      25,
      36
    ]])
    // empty indices or an empty axis: the operand
    assert.deepStrictEqual(toJsSync(lax.scatterApply(x, i32([]), np.square)), toJsSync(x))
    // integer operands
    assert.deepStrictEqual(toJsSync(lax.scatterApply(i32([5, 6]), i32([1, 1]), (v) => lax.add(v, 1))), [5, 8])
  })

  it("under vmap over the indices, each row's eager value", () => {
    const x = np.array([1, 2, 3, 4], { dtype: "float64" })
    const rows = [[0, 0, 0], [1, 3, -5]]
    const got = runSync(vmap((i: Tensor) => lax.scatterApply(x, i, affine))(np.array(rows, { dtype: "int32" })))
    assert.deepStrictEqual(toJsSync(got), rows.map((r) => reference([1, 2, 3, 4], r, (v) => 3 * v + 1)))
  })

  it("differentiates in the operand when the indices are known (central differences)", () => {
    const idx = i32([2, 0, 2])
    const f = (x: Tensor) => np.sum(lax.scatterApply(x, idx, np.sin))
    const x0 = [0.3, -1.1, 0.7, 2.0]
    const g = toJsSync(runSync(grad(f)(np.array(x0, { dtype: "float64" })))) as Array<number>
    const h = 1e-6
    x0.forEach((_, i) => {
      const at = (d: number) => {
        const p = x0.slice()
        p[i] = p[i]! + d
        return toJsSync(f(np.array(p, { dtype: "float64" }))) as number
      }
      const fd = (at(h) - at(-h)) / (2 * h)
      assert.ok(Math.abs(g[i]! - fd) < 1e-8, `d/dx${i}: ${g[i]} vs ${fd}`)
    })
    // sin(sin(x)) at index 2: cos(sin(x)) cos(x)
    assert.ok(Math.abs(g[2]! - Math.cos(Math.sin(0.7)) * Math.cos(0.7)) < 1e-14)
  })

  it("typed errors", () => {
    const x = np.array([1, 2, 3])
    assert.throws(() => lax.scatterApply(x, np.array([1]), np.sin), DTypeError)
    assert.throws(() => lax.scatterApply(x, i32([1]), "sin" as never), ArgumentError)
    assert.throws(() => lax.scatterApply(x, i32([1]), np.sin, 1), AxisError)
    assert.throws(() => lax.scatterApply(x, i32([1]), (v) => np.sum(v)), ShapeError)
    assert.throws(() => lax.scatterApply(x, i32([1]), () => 3 as never), ArgumentError)
    assert.throws(() => lax.scatterApply(lax.scalar(1, "float32"), i32([0]), np.sin), ShapeError)
    assert.throws(() => lax.scatterApply(x, i32([1]), np.sin, 0, { mode: "clip" } as never), ArgumentError)
  })
})
