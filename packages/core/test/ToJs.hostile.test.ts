/**
 * Reading values under hostile input: a rank option that is not one of the
 * ranks the types allow, and a forged tensor (made without its constructor),
 * are ArgumentErrors saying so.
 */
import { np, Tensor, toJs, toJsSync } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"

const thrown = (f: () => unknown): { _tag: string; message: string } => {
  try {
    f()
  } catch (e) {
    return e as { _tag: string; message: string }
  }
  throw new Error("expected a throw")
}

describe("toJs and toJsSync under hostile input", () => {
  it("a rank that is not 0, 1, 2, 3 or 4 is an ArgumentError (the string \"1\" read as rank 1)", () => {
    for (
      const [rank, got] of [["1", `the string "1"`], [5, "the number 5"], [-1, "the number -1"], [
        1.5,
        "the number 1.5"
      ]]
    ) {
      const e = thrown(() => toJsSync(np.ones([1]), { rank: rank as 1 }))
      assert.strictEqual(e._tag, "ArgumentError")
      assert.strictEqual(e.message, `toJsSync: options.rank must be 0, 1, 2, 3 or 4, got ${got}`)
    }
    // before: "toJsSync: { rank: 1 } needs a tensor of rank 1, got Tensor(f32[1]) (rank 1)"
    const exit = Effect.runSyncExit(toJs(np.ones([1]), { rank: "1" as unknown as 1 }))
    const failure = Exit.isFailure(exit) ? Cause.squash(exit.cause) as { _tag: string; message: string } : undefined
    assert.strictEqual(failure?._tag, "ArgumentError")
    assert.strictEqual(failure?.message, `toJs: options.rank must be 0, 1, 2, 3 or 4, got the string "1"`)
    assert.deepStrictEqual(toJsSync(np.ones([2]), { rank: 1 }), [1, 1])
  })

  it("a forged tensor is an ArgumentError, not a ConcretizationError about a transformation", () => {
    const forged = Object.create(Tensor.prototype) as Tensor
    const e = thrown(() => toJsSync({ a: forged }))
    assert.strictEqual(e._tag, "ArgumentError")
    assert.strictEqual(
      e.message,
      "toJsSync: tensor must be a tensor made by its constructor, got a forged Tensor (made without its constructor)"
    )
    const exit = Effect.runSyncExit(toJs([forged]))
    assert.isTrue(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) as { _tag: string } : undefined
    assert.strictEqual(error?._tag, "ArgumentError")
  })
})
