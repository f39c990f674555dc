/**
 * np's sort-based functions under the transformations: gradients against
 * hand-derived values, vmap against a loop, and the static-size rule.
 */
import { grad, jvp, vmap } from "@diffect/ad"
import { lax, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { failure, run } from "./gradHelpers.js"
const f64 = (v: np.NestedArray) => np.array(v, { dtype: "float64" })

describe("sorting under transformations", () => {
  it("grad of a sorted weighted sum routes each weight to its element's position", () => {
    // sum(sort(x) * [1, 2, 3]) at x = [5, 1, 3]: sorted [1, 3, 5], so d/dx = [3, 1, 2]
    const g = run(grad((x: Tensor) => np.sum(np.multiply(np.sort(x), f64([1, 2, 3]))))(f64([5, 1, 3])))
    assert.deepStrictEqual(toJsSync(g), [3, 1, 2])
  })
  it("grad of median and of a linear quantile", () => {
    const gm = run(grad((x: Tensor) => np.median(x))(f64([4, 1, 3, 2])))
    assert.deepStrictEqual(toJsSync(gm), [0, 0, 0.5, 0.5])
    // quantile 0.3 of 5 values: position 1.2 -> 0.8 * x(2nd) + 0.2 * x(3rd)
    const gq = run(grad((x: Tensor) => np.quantile(x, 0.3))(f64([10, 1, 3, 2, 7])))
    const v = toJsSync(gq) as Array<number>
    ;[0, 0, 0.2, 0.8, 0].forEach((e, i) => assert.approximately(v[i]!, e, 1e-12))
  })
  it("jvp of topK carries the tangents of the chosen entries", () => {
    const [values, tangents] = run(jvp((x: Tensor) => lax.topK(x, 2)[0], [f64([1, 9, 4])], [f64([10, 20, 30])]))
    assert.deepStrictEqual(toJsSync(values), [9, 4])
    assert.deepStrictEqual(toJsSync(tangents), [20, 30])
  })
  it("vmap of argsort, partition and quantile equals a loop", () => {
    const xs = f64([[3, 1, 2, 0], [0, 5, -1, 5], [2, 2, 2, 1]])
    const rows = [0, 1, 2].map((i) => np.index(xs, i))
    for (
      const fn of [(x: Tensor) => np.argsort(x), (x: Tensor) => np.partition(x, 1), (x: Tensor) => np.quantile(x, 0.4)]
    ) {
      const batched = toJsSync(run(vmap(fn)(xs)))
      assert.deepStrictEqual(batched, rows.map((r) => toJsSync(fn(r))))
    }
  })
  it("unique and nonzero need a static size under a transformation (JAX's rule)", () => {
    const error = failure(vmap((x: Tensor) => np.unique(x))(f64([[1, 1], [2, 3]]))) as {
      readonly _tag: string
      readonly message: string
    }
    assert.strictEqual(error._tag, "ConcretizationError")
    assert.include(error.message, "static size")
    const sized = toJsSync(run(vmap((x: Tensor) => np.unique(x, { size: 2, fillValue: 0 }))(f64([[1, 1], [3, 2]]))))
    assert.deepStrictEqual(sized, [[1, 0], [2, 3]])
  })
})
