/**
 * A user function's failure and bad results in control flow and transformations: the user's own
 * error reaches the caller (never an internal wrapper), and shapes or lengths that cannot work are
 * typed errors rather than a stack overflow or a RangeError.
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { thrown } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { grad } from "../src/Grad.js"
import { checkpoint } from "../src/Remat.js"
import { makeProgram } from "../src/Staging.js"
import { failure, run } from "./vmapSupport.js"

const tagOf = (f: () => unknown): unknown => {
  const e = thrown(f) as { _tag?: string } | string
  return typeof e === "string" ? e : e._tag
}

describe("user failures and impossible requests", () => {
  it("a failing Effect as a body, branch or checkpointed function is the user's error outside a transformation", () => {
    const boom = (..._args: Array<unknown>): never => Effect.fail("boom") as never
    assert.strictEqual(tagOf(() => lax.cond(true, boom, () => np.array(1))), "boom")
    assert.strictEqual(tagOf(() => lax.scan(boom, np.array(0), null, { length: 2 })), "boom")
    assert.strictEqual(tagOf(() => lax.whileLoop(() => np.array(true), boom, np.array(0))), "boom")
    assert.strictEqual(tagOf(() => checkpoint(boom)(np.array(1))), "boom")
    // inside a transformation it is the transformation's failure, as before
    const g = grad((x: Tensor) => lax.cond(true, boom, (v: Tensor) => v, x) as Tensor)
    assert.strictEqual(failure(g(np.array(1)) as Effect.Effect<Tensor, unknown, never>), "boom")
  })

  it("makeProgram of a non-function, an associativeScan combine changing shapes, a scan too long, a cyclic body output", () => {
    const notAFunction = 5 as unknown as (x: Tensor) => Tensor
    assert.strictEqual(tagOf(() => run(makeProgram(notAFunction)(np.array(1)))), "NotCallableError")
    assert.strictEqual(tagOf(() => lax.associativeScan((a: Tensor) => np.sum(a), np.arange(4))), "ShapeError")
    assert.strictEqual(
      tagOf(() => lax.scan((c: Tensor) => [c, c] as const, np.array(0), null, { length: 1e12 })),
      "DTypeError"
    )
    const cyclic: Array<unknown> = []
    cyclic.push(cyclic)
    assert.strictEqual(
      tagOf(() => lax.scan(() => cyclic as never, np.array(0), null, { length: 2 })),
      "ControlFlowError"
    )
  })
})
