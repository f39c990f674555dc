/**
 * The samplers' rejection loop (src/internal/loops.ts) over concrete values:
 * each element stops when its own condition does, and a loop that never
 * finishes fails with a `ControlFlowError` instead of hanging.
 */
import { ControlFlowError, np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { whileLoop } from "../src/internal/loops.js"

describe("whileLoop over concrete values", () => {
  it("runs each element until its condition is false, keeping finished elements as they were", () => {
    const targets = np.array([0, 3, 7, 1])
    const [count] = whileLoop(
      ([c]: readonly [Tensor]) => np.less(c, targets),
      ([c]: readonly [Tensor]) => [np.add(c, 1)] as const,
      [np.zeros([4])] as const,
      64
    )
    assert.deepStrictEqual(toJsSync(count), [0, 3, 7, 1])
  })

  it("fails with a ControlFlowError when an element never finishes", () => {
    let rounds = 0
    const run = () =>
      whileLoop(
        ([c]: readonly [Tensor]) => np.less(c, np.array([2, Infinity])),
        ([c]: readonly [Tensor]) => {
          rounds++
          return [np.add(c, 1)] as const
        },
        [np.zeros([2])] as const,
        64,
        50
      )
    assert.throws(run, ControlFlowError)
    assert.strictEqual(rounds, 50)
    try {
      run()
    } catch (e) {
      assert.instanceOf(e, ControlFlowError)
      assert.include((e as ControlFlowError).message, "has not finished after 50 rounds")
    }
  })
})
