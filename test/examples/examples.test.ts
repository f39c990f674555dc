/**
 * Every example runs as written: each `@example` of the packages' JSDoc and each
 * ```ts block of README.md and docs/ type-checks in one strict program, runs, and
 * prints the values its comments state (see check.ts; `pnpm check:examples` is
 * the same check from the command line).
 */
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { checkExamples, type Outcome } from "./check.js"
import { allExamples } from "./extract.js"

const examples = allExamples()
const outcomes = new Map<string, Outcome>()

beforeAll(() => {
  for (const o of checkExamples(examples)) outcomes.set(o.example.name, o)
}, 600_000)

describe("examples", () => {
  it("are found in the JSDoc and the docs, and nearly all run", () => {
    assert.isAbove(examples.filter((ex) => ex.file.endsWith(".ts")).length, 150)
    assert.isAbove(examples.filter((ex) => ex.file.endsWith(".md")).length, 60)
    // Blocks that are not run (`no-run`, `fragment`) must stay rare.
    assert.isAtMost(examples.filter((ex) => !ex.run).length, 5)
  })

  it("state values that are compared with what they print", () => {
    const compared = [...outcomes.values()].reduce((n, o) => n + o.compared, 0)
    assert.isAbove(compared, 300)
  })

  for (const ex of examples) {
    it(`${ex.name}`, () => {
      const outcome = outcomes.get(ex.name)
      assert.isDefined(outcome, `${ex.name} was not checked`)
      if (outcome!.problems.length > 0) assert.fail(outcome!.problems.join("\n"))
    })
  }
})
