import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { activeBackend, Backend, np, ShapeError, toJsSync } from "@diffect/core"
import { Backends } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

describe("Backends", () => {
  it("the setup file makes the CPU backend (the layer's object) the default", () => {
    assert.strictEqual(activeBackend(), Backends.cpu)
    assert.strictEqual(
      Effect.runSync(Effect.provide(
        Effect.gen(function*() {
          return yield* Backend
        }),
        TypedArrayBackend.layer
      )),
      Backends.cpu
    )
    assert.deepStrictEqual(toJsSync(np.array([1, 2]).mul(3)), [3, 6])
  })

  it("run returns the value; failure returns the typed failure and fails on a success", () => {
    assert.strictEqual(
      Backends.run(Effect.gen(function*() {
        return (yield* Backend).name
      })),
      "typed-array"
    )
    const e = Backends.failure(Effect.fail(new ShapeError({ operation: "reshape", detail: "bad" })))
    assert.instanceOf(e, ShapeError)
    assert.throws(() => Backends.failure(Effect.succeed(1)), "expected a failure, got the success 1")
  })
})
