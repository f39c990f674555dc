/**
 * docs/jax-coverage.md must be what `pnpm coverage:jax` generates from the
 * current exports: adding (or removing) a function without regenerating the
 * page fails here.
 */
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { camelCase, render } from "./coverage.js"

describe("docs/jax-coverage.md", () => {
  it("is up to date (run `pnpm coverage:jax` after adding or removing a function)", () => {
    const onDisk = readFileSync(new URL("../../docs/jax-coverage.md", import.meta.url), "utf8")
    assert.isTrue(onDisk === render(), "docs/jax-coverage.md is stale: run `pnpm coverage:jax` and commit the result")
  })
  it("maps JAX's names to diffect's camelCase", () => {
    assert.deepStrictEqual(["nan_to_num", "atleast_1d", "log_softmax", "float_", "cumulative_sum"].map(camelCase), [
      "nanToNum",
      "atleast1d",
      "logSoftmax",
      "float",
      "cumulativeSum"
    ])
  })
})
