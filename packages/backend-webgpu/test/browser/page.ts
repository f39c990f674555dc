/**
 * The browser page of the WebGPU browser test: runs every conformance case on
 * `navigator.gpu` through `WebGpuBackend.layer`, eagerly and compiled by `jit`
 * (fused shaders), and publishes the results on
 * `window.__diffect` for the test (WebGpuBackend.browser.test.ts) to compare.
 */
import { jit } from "@diffect/ad"
import { Backend } from "@diffect/core"
import { Effect } from "effect"
import { groups } from "../../../../test/conformance/cases.js"
import { runCase } from "../../../../test/conformance/compare.js"
import { WebGpu, WebGpuBackend } from "../../src/index.js"
import type { BrowserReport, BrowserResult } from "./protocol.js"

const program = Effect.gen(function*() {
  const backend = yield* Backend
  const gpu = yield* WebGpu
  const results: Array<BrowserResult> = []
  for (const [group, cases] of groups) {
    for (const c of cases) {
      const name = `${group} / ${c.name}`
      // A case that throws is reported as a failure of that case, not of the page.
      const outcome = yield* Effect.result(Effect.catchDefect(runCase(backend, c.run), (e) => Effect.fail(e)))
      results.push(
        outcome._tag === "Success"
          ? { name, dtype: outcome.success.dtype, shape: [...outcome.success.shape], data: [...outcome.success.data] }
          : { name, error: String(outcome.failure) }
      )
      // the same case compiled by jit (fused WGSL shaders)
      const f = jit(c.run)
      const compiled = yield* Effect.result(Effect.catchDefect(runCase(backend, () => f()), (e) => Effect.fail(e)))
      results.push(
        compiled._tag === "Success"
          ? {
            name: `jit / ${name}`,
            dtype: compiled.success.dtype,
            shape: [...compiled.success.shape],
            data: [...compiled.success.data]
          }
          : { name: `jit / ${name}`, error: String(compiled.failure) }
      )
    }
  }
  return { adapter: gpu.description, trigReduction: gpu.trigReduction, results } satisfies BrowserReport
}).pipe(Effect.provide(WebGpuBackend.layer))

const publish = (report: BrowserReport | { readonly error: string }) => {
  ;(globalThis as { __diffect?: unknown }).__diffect = report
}

Effect.runPromise(program).then(publish, (e) => publish({ error: String(e) }))
