/**
 * The registry of remote functions (internal/registry.ts): a worker finds a function by its
 * module and name, importing the module on the first call only (a later `import()` of a loaded
 * module still costs a resolution: about 0.2 ms per call under tsx's loader hooks).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { lookup } from "../src/internal/registry.js"

const steps = new URL("./fixtures/steps.ts", import.meta.url).href

describe("lookup", () => {
  it.effect("imports a module once, then finds its functions without importing it again", () =>
    Effect.gen(function*() {
      const first = yield* lookup(steps, "collectives")
      assert.isFunction(first)
      // runSync fails on an asynchronous step: a second import() would be one
      const again = Effect.runSync(lookup(steps, "gradMean"))
      assert.isFunction(again)
      assert.strictEqual(Effect.runSync(lookup(steps, "collectives")), first)
    }))

  it.effect("names the functions a module declares when the name is unknown (also once cached)", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(lookup(steps, "nope"))
      assert.isTrue(Exit.isFailure(exit))
      const message = String(Exit.isFailure(exit) ? exit.cause : "")
      assert.include(message, "declares no remote function 'nope'")
      assert.include(message, "'collectives'")
      const cached = Effect.runSyncExit(lookup(steps, "nope"))
      assert.isTrue(Exit.isFailure(cached))
    }))

  it.effect("fails with the import's message for a module that cannot be imported, every time", () =>
    Effect.gen(function*() {
      const missing = new URL("./fixtures/missing.ts", import.meta.url).href
      for (let i = 0; i < 2; i++) {
        const exit = yield* Effect.exit(lookup(missing, "f"))
        assert.isTrue(Exit.isFailure(exit))
        assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), `cannot import ${missing}`)
      }
    }))
})
