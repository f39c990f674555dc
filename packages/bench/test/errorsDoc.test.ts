/**
 * docs/errors.md stays true: every tagged error the facade exports has an
 * example there, and each example still fails with that error and the message
 * printed on the page.
 */
import { Backends } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import * as diffect from "diffect"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { capture } from "../src/errorsDoc.js"
import { errorExamples } from "../src/internal/errorExamples.js"
import { repoRoot } from "../src/internal/micro.js"

const page = readFileSync(path.join(repoRoot, "docs/errors.md"), "utf8")
const squash = (s: string): string => s.replace(/\s+/g, "")

/** The message printed under `### tag` (the section's text block). */
const documented = (tag: string): string => {
  const section = page.slice(page.indexOf(`### ${tag}\n`))
  return section.split("```text\n")[1]?.split("\n```")[0] ?? ""
}

// Schema.TaggedError classes carry their `_tag` among their fields.
const exportedTags = [
  ...Object.values(diffect),
  ...Object.values(diffect.Tree)
].flatMap((v) =>
  typeof v === "function" && v.prototype instanceof Error &&
    (v as unknown as { fields?: Record<string, unknown> }).fields?.["_tag"] !== undefined
    ? [v.name]
    : []
)

// The WebGPU examples need an adapter (a GPU, or Mesa's software GL in Node; never skipped in CI).
const webGpuAvailable = (await Backends.webGpuSkipReason()) === undefined

describe("docs/errors.md", () => {
  it("documents the exported tagged errors, each with a section", () => {
    assert.isAbove(exportedTags.length, 20)
    // Every documented error is still exported under its name, and has its section.
    for (const example of errorExamples) {
      assert.include(exportedTags, example.tag, `${example.tag} is documented but no longer exported`)
      assert.include(page, `### ${example.tag}\n`, `docs/errors.md has no section for ${example.tag}`)
    }
    // An error added after the page was generated is reported, not failed: a new error in
    // another package must not block everyone's CI; errorsDoc.ts then needs an example for it.
    const undocumented = exportedTags.filter((tag) => !errorExamples.some((e) => e.tag === tag))
    if (undocumented.length > 0) console.warn(`docs/errors.md: no example yet for ${undocumented.join(", ")}`)
    assert.isAtLeast(errorExamples.length, 32)
  })

  it("has one example per tag of the error union, derived from the union (no list of tag strings)", () => {
    const tags = errorExamples.map((e) => e.tag)
    assert.strictEqual(new Set(tags).size, tags.length)
    assert.deepStrictEqual([...tags].sort(), [...Object.keys(diffect.diffErrors), "WebGpuUnavailableError"].sort())
  })

  for (const example of errorExamples) {
    it.skipIf(example.needsWebGpu === true && !webGpuAvailable)(`${example.tag}: ${example.mistake}`, async () => {
      const got = await capture(example)
      assert.strictEqual(got.tag, example.tag, got.message)
      // The page keeps the message's opening: wording fixes deeper in a message do not fail the
      // suite, a different message does (regenerate with packages/bench/src/errorsDoc.ts).
      assert.strictEqual(
        documented(example.tag).slice(0, 40),
        got.message.slice(0, 40),
        `the message of ${example.tag} changed: regenerate docs/errors.md`
      )
      // The page's code blocks are formatted by dprint: compare without whitespace.
      assert.include(
        squash(page),
        squash(example.code),
        `the code for ${example.tag} changed: regenerate docs/errors.md`
      )
    })
  }
})
