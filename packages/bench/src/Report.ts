/**
 * The results as Markdown: docs/benchmarks.md.
 *
 * @since 0.1.0
 */
import type { Cell, Results } from "./Bench.js"
import { type CaseId, cases } from "./Cases.js"
import { tolerance } from "./Harness.js"
import type { RunPolicy } from "./Harness.js"
import type { Library } from "./Library.js"

/** What the report needs besides the results. @since 0.1.0 */
export interface ReportInput {
  readonly date: Date
  readonly machine: ReadonlyArray<string>
  readonly libraries: ReadonlyArray<Library>
  /** The library compared with the peers ("diffect"), when it ran. */
  readonly subject: string | undefined
  readonly ids: ReadonlyArray<CaseId>
  readonly results: Results
  readonly policy: RunPolicy
  readonly micro: { readonly ok: boolean; readonly output: string }
  readonly totalSeconds: number
  readonly commit: string
}

const ms = (x: number): string =>
  x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)
const exp = (x: number): string => Number.isFinite(x) ? x.toExponential(1) : String(x)

const fastest = (row: Record<string, Cell>, names: ReadonlyArray<string>): number => {
  let best = Infinity
  for (const n of names) {
    const c = row[n]
    if (c?._tag === "Measured" && c.agrees) best = Math.min(best, c.medianMs)
  }
  return best
}

const cellText = (c: Cell | undefined, best: number): string => {
  if (c === undefined || c._tag === "Unsupported") return "—"
  if (c._tag === "Failed") return "failed"
  const ratio = Number.isFinite(best) ? ` (${(c.medianMs / best).toFixed(c.medianMs / best >= 10 ? 0 : 1)}x)` : ""
  return `${ms(c.medianMs)}${ratio}${c.agrees ? "" : " ✗"}`
}

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")

/** One line per case: where the subject stands against the fastest peer. */
const summarize = (input: ReportInput, subject: string, peers: ReadonlyArray<string>): ReadonlyArray<string> => {
  const lines: Array<string> = []
  for (const id of input.ids) {
    const row = input.results[id] ?? {}
    const s = row[subject]
    if (s?._tag !== "Measured") continue
    let bestPeer: string | undefined
    for (const n of peers) {
      const c = row[n]
      if (
        c?._tag === "Measured" && c.agrees &&
        (bestPeer === undefined || c.medianMs < (row[bestPeer] as { medianMs: number }).medianMs)
      ) {
        bestPeer = n
      }
    }
    if (bestPeer === undefined) continue
    const ratio = s.medianMs / (row[bestPeer] as { medianMs: number }).medianMs
    lines.push(
      `- ${cases[id].title}: ${subject} ${
        ratio <= 1 ? `is the fastest, ${(1 / ratio).toFixed(1)}x ahead of` : `takes ${ratio.toFixed(1)}x the time of`
      } ${bestPeer}.`
    )
  }
  return lines
}

/**
 * The goals of the jit issue (B6: the control-flow issue), as the largest allowed ratio of diffect's time to
 * the best peer's on each case (B5: at least 2x the best peer's GFLOP/s, so at
 * most half its time).
 *
 * @since 0.1.0
 */
export const goals: { readonly [K in CaseId]?: number } = {
  B1: 0.5,
  B2: 0.1,
  B2b: 1,
  B3: 0.8,
  B4: 0.5,
  B4hvp: 0.5,
  B5: 0.5,
  // issue 11: a scan under jit against the peers' unrolled loops
  B6: 0.5
}

/** One line per case with a goal: the best diffect variant's ratio to the best peer, and whether it meets it. */
const goalLines = (input: ReportInput, subjects: ReadonlyArray<string>, peers: ReadonlyArray<string>): Array<string> =>
  input.ids.flatMap((id) => {
    const goal = goals[id]
    const row = input.results[id] ?? {}
    const bestPeer = fastest(row, peers)
    if (goal === undefined || !Number.isFinite(bestPeer)) return []
    let best: { name: string; ratio: number } | undefined
    // B1-B4 are judged with one thread (the issue's condition); B5 and B6 on any CPU variant
    const oneThreadOnly = id !== "B5" && id !== "B6"
    for (const n of subjects.filter((x) => !x.includes("webgpu") && !(oneThreadOnly && x.includes("threads")))) {
      const c = row[n]
      if (c?._tag !== "Measured" || !c.agrees) continue
      const ratio = c.medianMs / bestPeer
      if (best === undefined || ratio < best.ratio) best = { name: n, ratio }
    }
    if (best === undefined) return []
    return [
      `| ${cases[id].title} | <= ${goal}x | ${best.ratio.toFixed(2)}x (${best.name}) | ${
        best.ratio <= goal ? "met" : "missed"
      } |`
    ]
  })

/** Whether a `## ` heading names a section the report does not write (hand-written measurements). */
const isHandWritten = (heading: string): boolean =>
  heading.includes("not written by `pnpm bench`") || heading.includes("hand-written")

/**
 * `report` with the hand-written `## ` sections of `previous` (the page it replaces: sections whose
 * heading says "hand-written" or "not written by `pnpm bench`") carried over, in their order, before
 * the report's "## Accuracy" section (at its end when it has none): a full run rewrites the
 * generated tables and keeps the sessions' notes.
 *
 * @since 0.1.0
 */
export const keepHandWritten = (previous: string, report: string): string => {
  const sections = previous.split(/^(?=## )/m).filter((s) => isHandWritten(s.slice(0, s.indexOf("\n"))))
  if (sections.length === 0) return report
  const kept = sections.map((s) => (s.endsWith("\n\n") ? s : `${s.trimEnd()}\n\n`)).join("")
  const at = report.search(/^## Accuracy/m)
  return at < 0 ? `${report.trimEnd()}\n\n${kept.trimEnd()}\n` : report.slice(0, at) + kept + report.slice(at)
}

/** Renders the report. @since 0.1.0 */
export const render = (input: ReportInput): string => {
  const names = input.libraries.map((l) => l.name)
  // Other settings of the subject (diffect on WebGPU) are not its peers.
  const peers = names.filter((n) => input.subject === undefined || !n.startsWith(input.subject))
  const subject = input.subject
  // diffect's own variants (eager, jit, webgpu) each get a ratio column against the best peer
  const subjects = subject === undefined ? [] : names.filter((n) => n.startsWith(subject))
  const timeRows = input.ids.map((id) => {
    const row = input.results[id] ?? {}
    const best = fastest(row, names)
    const cells = names.map((n) => cellText(row[n], best))
    const bestPeer = fastest(row, peers)
    const vsPeer = subjects.map((n) => {
      const s = row[n]
      return s?._tag === "Measured" && Number.isFinite(bestPeer) ? `${(s.medianMs / bestPeer).toFixed(2)}x` : "—"
    })
    return [cases[id].title, ...cells, ...vsPeer]
  })
  const firstRuns = input.ids.flatMap((id) =>
    names.flatMap((n) => {
      const c = input.results[id]?.[n]
      return c?._tag === "Measured" && c.firstRunMs !== undefined
        ? [`- ${cases[id].title}, ${n}: ${ms(c.firstRunMs)} ms`]
        : []
    })
  )
  const errorRows = input.ids.map((id) => [
    cases[id].title,
    ...names.map((n) => {
      const c = input.results[id]?.[n]
      if (c === undefined || c._tag !== "Measured") return "—"
      const checked = c.errors.filter((_, i) => !(cases[id].reportOnly ?? []).includes(i))
      return `${exp(Math.max(...checked))}${c.agrees ? "" : " ✗"}`
    })
  ])
  const b3 = input.results.B3
  const failures = input.ids.flatMap((id) =>
    names.flatMap((n) => {
      const c = input.results[id]?.[n]
      return c?._tag === "Failed" ? [`- ${cases[id].title}, ${n}: ${c.message}`] : []
    })
  )
  const notes = input.ids.flatMap((id) =>
    input.libraries.flatMap((l) =>
      l.notes?.[id] !== undefined ? [`- ${cases[id].title}, ${l.name}: ${l.notes[id]}`] : []
    )
  )
  const summary = subjects.flatMap((n) => summarize(input, n, peers))
  const versions = new Map<string, string>()
  for (const l of input.libraries) for (const [k, v] of Object.entries(l.versions)) versions.set(k, v)
  const p = input.policy

  return `# Benchmarks

diffect side by side with TensorFlow.js (cpu and wasm backends) and jax-js (eager and \`jit\`), in
one process on one machine. Generated by \`pnpm bench\` (packages/bench) on ${
    input.date.toISOString().slice(0, 16).replace("T", " ")
  } UTC at commit \`${input.commit}\`, in ${
    input.totalSeconds.toFixed(0)
  } s. Numbers are reported, never asserted in tests.

**How to read it.** Each cell is the median wall time in milliseconds of at least ${p.minRuns} timed runs (up to ${p.maxRuns},
or until about ${(p.budgetMs / 1000).toFixed(0)} s were spent) after at least ${p.warmup} warm-up runs and ${
    (p.warmupMs / 1000).toFixed(1)
  } s of them (V8 optimizes a sub-millisecond call path over thousands of calls), including reading the result back
into a host typed array. In parentheses: the ratio to the fastest library on that row. Every result is checked
against a float64 reference computed by hand from the math (packages/bench/src/internal/reference.ts); ✗ marks a
result off by more than ${
    tolerance.toExponential(0)
  } (normwise relative error, \`max|a - ref| / max|ref|\`), and such a cell is not
counted as fastest. "—": the library cannot express the case (or it is not meaningful, like \`jit\` of one matmul).
Timings on a shared 2-core machine vary by tens of percent between runs (the load average is under Machine):
compare libraries within one run, not numbers across runs.

## Results (ms, median)
${summary.length > 0 ? `\n${summary.join("\n")}\n` : ""}
${table(["case", ...names, ...subjects.map((n) => `${n} / best peer`)], timeRows)}
${
    subjects.length > 0 && goalLines(input, subjects, peers).length > 0
      ? `
Goals (issue 10, jit), as the ratio of diffect's time (its fastest CPU variant; one thread for B1-B4) to the best peer's
in this run:

| case | goal | diffect / best peer | |
| --- | --- | --- | --- |
${goalLines(input, subjects, peers).join("\n")}
`
      : ""
  }${
    firstRuns.length > 0
      ? `
First call of each jitted function (trace, simplification, fusion and code generation, then one run),
not included in the medians above:

${firstRuns.join("\n")}
`
      : ""
  }
## Accuracy (normwise relative error against float64)

${table(["case", ...names], errorRows)}
${
    b3 !== undefined
      ? `
B3's value, a sum of 4M float32 terms, against its float64 value (reported, not held to the tolerance):
${
        names.map((n) => {
          const c = b3[n]
          return c?._tag === "Measured" ? `${n} ${exp(c.errors[0])}` : undefined
        }).filter((x) => x !== undefined).join(", ")
      }.
`
      : ""
  }
## Cases

${input.ids.map((id) => `- **${cases[id].title}**: ${cases[id].description}.`).join("\n")}

## Settings

${input.libraries.map((l) => `- **${l.name}**: ${l.settings()}.`).join("\n")}
${notes.length > 0 ? `\nHow each library does the cases where that is not obvious:\n\n${notes.join("\n")}\n` : ""}${
    failures.length > 0 ? `\nFailures:\n\n${failures.join("\n")}\n` : ""
  }
## Machine

\`\`\`
${input.machine.join("\n")}
\`\`\`

Versions: ${[...versions].map(([k, v]) => `\`${k}\` ${v}`).join(", ")}.

## Eager micro-benchmarks

The typed-array backend's own micro-benchmarks (\`pnpm exec tsx packages/backend-typed-array/bench/micro.ts\`),
run by \`pnpm bench\` on the same machine: eager cost of one elementwise op on a small tensor and of a
256x256 matmul.

\`\`\`
${input.micro.output}
\`\`\`

## Reproduce

\`\`\`sh
pnpm bench                      # everything, writes this file
pnpm bench --only B1,B5         # some cases (writes out/benchmarks.md instead)
pnpm bench --libs diffect,tfjs-wasm
\`\`\`
`
}
