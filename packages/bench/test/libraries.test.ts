/**
 * Every library computes the small cases correctly: one run each, checked
 * against the float64 reference with the benchmark's tolerance. (Timings are
 * never asserted; this only guards the benchmark's own correctness.)
 */
import { assert, describe, it } from "@effect/vitest"
import { type CaseId, cases, type Outputs } from "../src/Cases.js"
import { errors, tolerance } from "../src/Harness.js"
import { libraries } from "../src/libraries.js"
import type { Prepared } from "../src/Library.js"

const small: ReadonlyArray<CaseId> = ["B1", "B2", "B2b", "B4", "B4hvp"]

describe("libraries agree with the float64 references", () => {
  for (const id of small) {
    const c = cases[id] as (typeof cases)[CaseId]
    const data = c.data()
    const reference = (c.reference as (d: typeof data) => Outputs)(data)
    for (const library of libraries) {
      const prepare = library.cases[id] as ((d: typeof data) => Prepared | Promise<Prepared>) | undefined
      // A library that cannot express a case (jax-js jit on B2) has no test for it.
      if (prepare === undefined) continue
      it(`${c.title}: ${library.name}`, async () => {
        await library.activate()
        const prepared = await prepare(data)
        try {
          const errs = errors(await prepared.run(), reference)
          assert.strictEqual(errs.length, reference.length)
          assert.isBelow(Math.max(...errs), tolerance, `errors per output: ${errs.join(", ")}`)
        } finally {
          prepared.dispose?.()
        }
      }, 60_000)
    }
  }
})
