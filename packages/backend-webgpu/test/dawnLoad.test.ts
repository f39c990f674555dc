import { assert, describe, it } from "@effect/vitest"
import { WebGpuUnavailableError } from "../src/Errors.js"
import { dawnLoadFailure } from "../src/internal/device.js"

describe("loading Dawn (the optional `webgpu` peer dependency)", () => {
  it("a missing package says to run npm i webgpu", async () => {
    // A real failed dynamic import of a package that is not installed.
    const missing = "webgpu-package-that-is-not-installed"
    const cause = await import(/* @vite-ignore */ missing).then(() => undefined, (e: unknown) => e)
    const error = new WebGpuUnavailableError({ reason: dawnLoadFailure(cause) })
    assert.include(error.message, "is not installed: run `npm i webgpu`")
  })

  it("another failure keeps its cause", () => {
    assert.strictEqual(
      dawnLoadFailure(new Error("libEGL.so.1: cannot open shared object file")),
      "cannot load the `webgpu` package: Error: libEGL.so.1: cannot open shared object file"
    )
  })
})
