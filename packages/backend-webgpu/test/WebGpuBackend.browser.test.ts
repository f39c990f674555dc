import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { groups } from "../../../test/conformance/cases.js"
import { flatten, mismatch, runCase } from "../../../test/conformance/compare.js"
import { bundlePage, hasChromium, runInChromium } from "./browser/harness.js"
import type { BrowserReport, BrowserResult } from "./browser/protocol.js"

// In CI Chromium is installed (.ci/run): a missing browser fails there; locally it skips.
const skip = !hasChromium() && !process.env["CI"]
if (skip) console.warn("backend-webgpu browser test skipped: Chromium is not installed (apt-get install chromium)")

describe.skipIf(skip)("WebGPU in headless Chromium (navigator.gpu)", () => {
  let report: BrowserReport
  const byName = new Map<string, BrowserResult>()
  beforeAll(async () => {
    report = await runInChromium(await bundlePage(), 280_000)
    for (const r of report.results) byName.set(r.name, r)
  }, 300_000)

  it("gets an adapter in the page", () => {
    assert.isAbove(report.results.length, 100)
    assert.isString(report.adapter)
    // SwiftShader (CI's headless Chromium) compiles a Payne-Hanek sine in about 60 s: Cody-Waite there
    assert.strictEqual(report.trigReduction, /swiftshader/i.test(report.adapter) ? "codyWaite" : "payneHanek")
  })

  const reference = makeTypedArrayBackend()
  for (const [group, cases] of groups) {
    for (const c of cases) {
      for (const mode of ["", "jit / "]) {
        it(`${mode}${group} / ${c.name}`, () => {
          const got = byName.get(`${mode}${group} / ${c.name}`)
          assert.isDefined(got)
          if (got === undefined || "error" in got) {
            return assert.fail(`the page raised: ${got && "error" in got ? got.error : "nothing"}`)
          }
          const want = Effect.runSync(runCase(reference, c.run))
          assert.strictEqual(got.dtype, want.dtype)
          assert.deepStrictEqual(got.shape, [...want.shape])
          const tol = got.dtype === "int32" || got.dtype === "bool"
            ? { rtol: 0, atol: 0 }
            : { rtol: c.rtol ?? 2e-6, atol: c.atol ?? 1e-6 }
          const vsReference = mismatch(got.data, want.data, tol)
          assert.isUndefined(vsReference, `differs from the typed-array backend: ${vsReference}`)
          if (c.expected !== undefined) {
            const vsExpected = mismatch(got.data, flatten(c.expected), tol)
            assert.isUndefined(vsExpected, `differs from the expected values: ${vsExpected}`)
          }
        })
      }
    }
  }
})
