/**
 * Gather-based indexing with JAX's out-of-bounds modes: eager, vmap and grad
 * agree (jnp.take fills with NaN by default; the gradient of a filled element
 * is zero, JAX's FILL_OR_DROP transpose drops it).
 */
import { aval, ConcreteTensor, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { vmap } from "../src/Vmap.js"
import { grad } from "./finiteDifferencesUtil.js"
import { run, values } from "./vmapSupport.js"

const i32s = (vs: ReadonlyArray<number>): Tensor =>
  new ConcreteTensor(aval([vs.length], "int32"), Int32Array.from(vs), undefined)
const f64 = (vs: ReadonlyArray<number>): Tensor => np.array(vs, { dtype: "float64" })

describe("np.take modes: eager, vmap and grad agree", () => {
  const x = f64([10, 20, 30])
  const idx = [-4, -1, 0, 2, 3, 9]

  it("fill (default): eager with JS indices, with a tensor, and under vmap read NaN out of bounds", () => {
    const expected = [NaN, 30, 10, 30, NaN, NaN]
    assert.deepStrictEqual(values(np.take(x, idx)), expected)
    assert.deepStrictEqual(values(np.take(x, i32s(idx))), expected)
    assert.deepStrictEqual(values(run(vmap((i: Tensor) => np.take(x, i))(i32s(idx)))), expected)
  })

  it("fill: the gradient counts each in-bounds read, zero for filled ones (eager indices and traced)", () => {
    // reads x[2] (via -1), x[0], x[2]; -4, 3 and 9 are filled
    const expected = [1, 0, 2]
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, idx, { fillValue: 0 })))(x)), expected)
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx), { fillValue: 0 })))(x)), expected)
    // with the NaN fill the sum is NaN, but the gradient still ignores the filled slots
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx))))(x)), expected)
  })

  it("clip: eager, vmap and grad clamp (negative to 0)", () => {
    const expected = [10, 10, 10, 30, 30, 30]
    assert.deepStrictEqual(values(np.take(x, idx, { mode: "clip" })), expected)
    assert.deepStrictEqual(values(run(vmap((i: Tensor) => np.take(x, i, { mode: "clip" }))(i32s(idx)))), expected)
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx), { mode: "clip" })))(x)), [3, 0, 3])
  })

  it("wrap: eager, vmap and grad wrap around", () => {
    const expected = [30, 30, 10, 30, 10, 10]
    assert.deepStrictEqual(values(np.take(x, idx, { mode: "wrap" })), expected)
    assert.deepStrictEqual(values(run(vmap((i: Tensor) => np.take(x, i, { mode: "wrap" }))(i32s(idx)))), expected)
    assert.deepStrictEqual(values(grad((v) => np.sum(np.take(v, i32s(idx), { mode: "wrap" })))(x)), [3, 0, 3])
  })
})
