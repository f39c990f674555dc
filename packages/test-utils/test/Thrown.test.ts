import { thrown, thrownTag } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"

class Oops extends Schema.TaggedError<Oops>()("Oops", { detail: Schema.String }) {
  override get message() {
    return `oops: ${this.detail}`
  }
}

describe("thrown", () => {
  it("returns what a function throws, and fails when it returns", () => {
    const e = new Error("boom")
    assert.strictEqual(
      thrown(() => {
        throw e
      }),
      e
    )
    assert.throws(() => thrown(() => 1), "expected an exception, but the call returned")
  })

  it("thrownTag checks the tag and returns the message", () => {
    assert.strictEqual(
      thrownTag(() => {
        throw new Oops({ detail: "x" })
      }, "Oops"),
      "oops: x"
    )
    assert.throws(() =>
      thrownTag(() => {
        throw new Error("plain")
      }, "Oops")
    )
  })
})
