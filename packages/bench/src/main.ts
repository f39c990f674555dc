/**
 * `pnpm bench`: runs every case on diffect and its peers, prints a progress
 * line, and writes docs/benchmarks.md.
 *
 * Flags: `--only B1,B5` (cases), `--libs diffect,tfjs-wasm` (libraries),
 * `--quick` (fewer runs, for development), `--out <file>`. A partial or quick
 * run writes out/benchmarks.md unless `--out` says otherwise, so that the
 * committed page always holds a full run.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { runAll } from "./Bench.js"
import { type CaseId, caseIds } from "./Cases.js"
import { defaultPolicy, type RunPolicy } from "./Harness.js"
import { describeMachine } from "./internal/machine.js"
import { repoRoot, runMicro } from "./internal/micro.js"
import { makeProgress } from "./internal/progress.js"
import { libraries, optionalLibraries, subject } from "./libraries.js"
import type { Library } from "./Library.js"
import { keepHandWritten, render } from "./Report.js"

const slug = (name: string): string => name.replace(/\s+/g, "-").toLowerCase()

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    only: { type: "string" },
    libs: { type: "string" },
    quick: { type: "boolean", default: false },
    out: { type: "string" }
  }
})

const pick = <A>(
  all: ReadonlyArray<A>,
  key: (a: A) => string,
  list: string | undefined,
  what: string
): ReadonlyArray<A> => {
  if (list === undefined) return all
  const wanted = list.split(",").map((s) => s.trim().toLowerCase())
  const unknown = wanted.filter((w) => !all.some((a) => key(a).toLowerCase() === w))
  if (unknown.length > 0) {
    throw new Error(`unknown ${what}: ${unknown.join(", ")} (known: ${all.map(key).join(", ")})`)
  }
  return all.filter((a) => wanted.includes(key(a).toLowerCase()))
}

const ids: ReadonlyArray<CaseId> = pick(caseIds, (id) => id, values.only, "case")
const libs: ReadonlyArray<Library> = pick(
  values.libs === undefined ? libraries : [...libraries, ...optionalLibraries],
  (l) => slug(l.name),
  values.libs,
  "library"
)
const policy: RunPolicy = values.quick ? { warmup: 1, warmupMs: 0, minRuns: 3, maxRuns: 3, budgetMs: 0 } : defaultPolicy
const partial = values.quick || values.only !== undefined || values.libs !== undefined
const outFile = path.resolve(repoRoot, values.out ?? (partial ? "out/benchmarks.md" : "docs/benchmarks.md"))

const commit = (): string => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim()
  } catch {
    return "unknown"
  }
}

const program = Effect.gen(function*() {
  const progress = makeProgress()
  const started = performance.now()
  progress.log(
    `diffect bench: ${ids.length} case(s) x ${libs.length} library(ies) -> ${path.relative(repoRoot, outFile)}`
  )
  const results = yield* runAll(ids, libs, policy, progress)
  progress.update("eager micro-benchmarks (typed-array backend)")
  const micro = runMicro()
  progress.log(`micro-benchmarks: ${micro.ok ? "done" : micro.output}`)
  const report = render({
    date: new Date(),
    machine: describeMachine(),
    libraries: libs,
    subject: libs.some((l) => l.name === subject) ? subject : undefined,
    ids,
    results,
    policy,
    micro,
    totalSeconds: (performance.now() - started) / 1000,
    commit: commit()
  })
  mkdirSync(path.dirname(outFile), { recursive: true })
  // the page's hand-written sections (the sessions' measurements) survive a new run
  writeFileSync(outFile, existsSync(outFile) ? keepHandWritten(readFileSync(outFile, "utf8"), report) : report)
  // Keep the committed page in the repository's format (tables aligned by dprint), so
  // `pnpm format:check` passes on a freshly generated file.
  spawnSync(process.execPath, [path.join(repoRoot, "node_modules/dprint/bin.cjs"), "fmt", outFile], {
    cwd: repoRoot,
    stdio: "ignore"
  })
  progress.done()
  process.stdout.write(report.slice(report.indexOf("## Results"), report.indexOf("## Cases")))
  progress.log(`wrote ${path.relative(repoRoot, outFile)}`)
})

Effect.runPromise(program).then(
  // Backends may keep worker threads or handles alive; the report is written, so leave.
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
