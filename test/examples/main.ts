/**
 * `pnpm check:examples [filter]`: checks every example (see check.ts) and
 * prints each problem with its `file:line`; exits 1 if there is any. A filter
 * keeps the examples whose file contains it (`pnpm check:examples docs/`).
 */
import { checkExamples } from "./check.js"
import { allExamples } from "./extract.js"

const filter = process.argv[2]
const examples = allExamples().filter((ex) => filter === undefined || ex.file.includes(filter))
const start = performance.now()
const outcomes = checkExamples(examples)
const failed = outcomes.filter((o) => o.problems.length > 0)
for (const o of failed) console.log(o.problems.join("\n") + "\n")
const typechecked = outcomes.filter((o) => o.example.check).length
const ran = outcomes.filter((o) => o.ran).length
const compared = outcomes.reduce((n, o) => n + o.compared, 0)
const slow = outcomes.filter((o) => (o.ms ?? 0) > 2000).map((o) => `${o.example.name} (${o.ms} ms)`)
console.log(
  `${examples.length} examples: ${typechecked} type-checked, ${ran} run, ${compared} printed values compared; ` +
    `${failed.length} with problems (${((performance.now() - start) / 1000).toFixed(1)} s)`
)
if (slow.length > 0) console.log(`slowest: ${slow.join(", ")}`)
process.exit(failed.length > 0 ? 1 : 0)
