import { assert, describe, it } from "@effect/vitest"
import { grad, np, runSync, ShapeError, toJs, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { Effect } from "effect"

describe("runSync and the default backend", () => {
  it("eager ops run on the default CPU backend", () => {
    assert.deepStrictEqual(toJsSync(np.array([1, 2, 3]).mul(2)), [2, 4, 6])
  })
  it("runs an Effect on the CPU and returns its value", () => {
    const v = runSync(Effect.flatMap(Effect.succeed(np.array([1, 2]).add(1)), toJs))
    assert.deepStrictEqual(v, [2, 3])
  })
  it("eager tensors can be used inside runSync programs", () => {
    const x = np.array([1, 2, 3]).mul(1) // computed eagerly, lives in a CPU buffer
    const g = runSync(grad((t: Tensor) => np.sum(np.square(t)))(x))
    assert.deepStrictEqual(toJsSync(g), [2, 4, 6])
  })
  it("throws the tagged error itself", () => {
    try {
      runSync(Effect.sync(() => np.add(np.ones([2]), np.ones([3]))))
      assert.fail("expected a failure")
    } catch (e) {
      // np.add outside a transformation throws; inside Effect.sync it is a defect, squashed to the error itself
      assert.strictEqual((e as { _tag?: string })._tag, "BroadcastError")
    }
    try {
      runSync(Effect.fail(new ShapeError({ operation: "op", detail: "bad" })))
      assert.fail("expected a failure")
    } catch (e) {
      assert.instanceOf(e, ShapeError)
      assert.strictEqual((e as ShapeError).message, "op: bad")
    }
  })
})
