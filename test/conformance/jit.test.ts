/**
 * jit equals eager on the whole conformance suite, on every backend: each case's
 * computation is staged by `jit` (a function of no arguments: the case's inputs
 * become the program's constants), simplified, fused and compiled, and its
 * result must be the eager result on the same backend (the typed-array
 * backend's fused kernels round f32 exactly where eager code stores, so there
 * the results are identical; elsewhere within the suite's float32 tolerance).
 */
import { jit } from "@diffect/ad"
import { Backend } from "@diffect/core"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { groups } from "./cases.js"
import { mismatch, runCase } from "./compare.js"
import { backends } from "./env.js"

for (const target of backends) {
  describe.skipIf(target.skip !== undefined)(`jit equals eager on ${target.name}`, () => {
    layer(target.layer, { timeout: "60 seconds" })((it) => {
      for (const [group, cases] of groups) {
        describe(`${group}`, () => {
          for (const c of cases) {
            it.effect(c.name, () =>
              Effect.gen(function*() {
                const backend = yield* Backend
                const eager = yield* runCase(backend, c.run)
                const f = jit(c.run)
                const compiled = yield* runCase(backend, () => f())
                assert.strictEqual(compiled.dtype, eager.dtype)
                assert.deepStrictEqual([...compiled.shape], [...eager.shape])
                const exact = target.name === "typed-array" || compiled.dtype === "int32" || compiled.dtype === "bool"
                const tol = exact ? { rtol: 0, atol: 0 } : { rtol: c.rtol ?? 2e-6, atol: c.atol ?? 1e-6 }
                const diff = mismatch(compiled.data, eager.data, tol)
                assert.isUndefined(diff, `jit differs from eager: ${diff}`)
              }))
          }
        })
      }
    })
  })
}
