/**
 * One conformance suite for every backend: each case runs on each backend's
 * layer and is compared with the typed-array backend's result (float32
 * tolerance) and with its independently derived values.
 */
import { makeTypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend } from "@diffect/core"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { Case } from "./cases.js"
import { groups } from "./cases.js"
import type { Flat } from "./compare.js"
import { flatten, mismatch, runCase } from "./compare.js"
import { backends } from "./env.js"

const reference = makeTypedArrayBackend()
const references = new Map<Case, Flat>()

// The typed-array result of a case, computed once.
const referenceOf = (c: Case): Effect.Effect<Flat, unknown> =>
  Effect.suspend(() => {
    const known = references.get(c)
    if (known !== undefined) return Effect.succeed(known)
    return Effect.tap(runCase(reference, c.run), (flat) => Effect.sync(() => references.set(c, flat)))
  })

const tolerance = (c: Case, dtype: string) =>
  dtype === "int32" || dtype === "uint32" || dtype === "bool"
    ? { rtol: 0, atol: 0 }
    : { rtol: c.rtol ?? 2e-6, atol: c.atol ?? 1e-6 }

for (const target of backends) {
  describe.skipIf(target.skip !== undefined)(`conformance on ${target.name}`, () => {
    layer(target.layer, { timeout: "60 seconds" })((it) => {
      for (const [group, cases] of groups) {
        describe(`${group}`, () => {
          for (const c of cases) {
            it.effect(c.name, () =>
              Effect.gen(function*() {
                const backend = yield* Backend
                const got = yield* runCase(backend, c.run)
                const want = yield* referenceOf(c)
                assert.strictEqual(got.dtype, want.dtype, "dtype differs from the typed-array backend")
                assert.deepStrictEqual([...got.shape], [...want.shape], "shape differs from the typed-array backend")
                const tol = tolerance(c, got.dtype)
                const vsReference = mismatch(got.data, want.data, tol)
                assert.isUndefined(vsReference, `differs from the typed-array backend: ${vsReference}`)
                if (c.expected !== undefined) {
                  const vsExpected = mismatch(got.data, flatten(c.expected), tol)
                  assert.isUndefined(vsExpected, `differs from the expected values: ${vsExpected}`)
                }
              }))
          }
        })
      }
    })
  })
}
