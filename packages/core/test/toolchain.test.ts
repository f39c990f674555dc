import { assert, it } from "@effect/vitest"
import { Effect } from "effect"

it.effect("toolchain smoke test: effect and @effect/vitest run", () =>
  Effect.gen(function*() {
    const n = yield* Effect.succeed(21)
    assert.strictEqual(n * 2, 42)
  }))
