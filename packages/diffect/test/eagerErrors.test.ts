import { assert, describe, it } from "@effect/vitest"
import { eager, grad, np, runSync, type Tensor } from "diffect"
import { Effect, Exit } from "effect"

describe("eager errors inside Effect", () => {
  it.effect("a bad np call in eager() is a failure that catchTag handles", () =>
    Effect.gen(function*() {
      const message = yield* eager(() => np.add(np.zeros(2), np.zeros(3))).pipe(
        Effect.map(() => "no error"),
        Effect.catchTag("BroadcastError", (e) => Effect.succeed(e.message))
      )
      assert.strictEqual(message, "Incompatible shapes for broadcasting: shapes=[(2,), (3,)]")
    }))

  it.effect("the failure is typed: Effect.flip gives the tagged error itself", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(eager(() => np.reshape(np.zeros(6), [4])))
      assert.strictEqual(error._tag, "ShapeError")
    }))

  it.effect("a value comes back unchanged, computed when the Effect runs", () =>
    Effect.gen(function*() {
      let runs = 0
      const program = eager(() => {
        runs++
        return np.sum(np.array([1, 2, 3]))
      })
      assert.strictEqual(runs, 0)
      const y = yield* program
      assert.strictEqual(runs, 1)
      assert.strictEqual(runSync(Effect.succeed(y)).toString(), "Array(6., dtype=float32)")
    }))

  it("an exception that is not diffect's stays a defect", () => {
    const exit = Effect.runSyncExit(eager(() => {
      throw new RangeError("a bug")
    }))
    assert.isTrue(Exit.isFailure(exit))
    assert.isTrue(Exit.hasDies(exit))
  })
})

describe("an Effect where a tensor is expected (a forgotten yield*)", () => {
  const forgotten = grad((x: Tensor) => np.sum(np.square(x)))(np.array([1, 2]))

  it("np says so", () => {
    assert.throws(
      () => np.add(forgotten as unknown as Tensor, 1),
      /^Expected a tensor, got an Effect: did you forget `yield\*`\?/
    )
  })

  it("a transformation's argument check says so", () => {
    assert.throws(
      () => runSync(grad((x: Tensor) => np.sum(x))(forgotten as unknown as Tensor)),
      /an Effect \(did you forget `yield\*`\?\)/
    )
  })
})
