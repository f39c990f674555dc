import { lax, np } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { grad, runSync, toJsSync, vmap } from "diffect"
import type { Tensor } from "diffect"
import { expect, js } from "./npSetup.js"

// JAX's lax.select_n accepts a scalar predicate as well as one of the branches' shape.
describe("lax.select", () => {
  const a = np.array([1, 2, 3])
  const b = np.array([10, 20, 30])
  it("with a predicate of the branches' shape chooses elementwise", () => {
    assert.deepStrictEqual(js(lax.select(np.array([true, false, true]), a, b)), [1, 20, 3])
  })
  it("with a scalar predicate chooses whole branches", () => {
    assert.deepStrictEqual(js(lax.select(np.array(true), a, b)), [1, 2, 3])
    assert.deepStrictEqual(js(lax.select(np.array(false), a, b)), [10, 20, 30])
  })
  it("a scalar predicate is differentiable through the chosen branch and batches under vmap", () => {
    const f = (x: Tensor) => np.sum(lax.select(np.array(false), np.square(x), np.multiply(x, 3)))
    expect.close(toJsSync(runSync(grad(f)(np.array([1, 2])))), [3, 3])
    const picked = runSync(vmap((p: Tensor) => lax.select(p, a, b))(np.array([true, false])))
    assert.deepStrictEqual(toJsSync(picked), [[1, 2, 3], [10, 20, 30]])
  })
})
