/**
 * Runs every case on every library, side by side in one process, and checks
 * each result against the case's float64 reference.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { type CaseData, type CaseId, cases, type Outputs } from "./Cases.js"
import { errors, measure, type RunPolicy, tolerance } from "./Harness.js"
import type { Progress } from "./internal/progress.js"
import type { Library, Prepared } from "./Library.js"

/** One library's outcome on one case. @since 0.1.0 */
export type Cell =
  | {
    readonly _tag: "Measured"
    readonly medianMs: number
    readonly minMs: number
    readonly runs: number
    /** Relative error of each output against the float64 reference. */
    readonly errors: ReadonlyArray<number>
    readonly agrees: boolean
    /** The first call (jit: trace and compile), when the library reports it. */
    readonly firstRunMs?: number
  }
  | { readonly _tag: "Unsupported" }
  | { readonly _tag: "Failed"; readonly message: string }

/** All outcomes: `results[caseId][libraryName]`. @since 0.1.0 */
export type Results = Record<string, Record<string, Cell>>

const runCell = Effect.fn("Bench.runCell")(function*<K extends CaseId>(
  id: K,
  data: CaseData[K],
  reference: Outputs,
  library: Library,
  policy: RunPolicy,
  progress: Progress
) {
  // Indexed access on a mapped type loses the link between K and the parameter type.
  const prepare = library.cases[id] as ((data: CaseData[K]) => Prepared | Promise<Prepared>) | undefined
  if (prepare === undefined) return { _tag: "Unsupported" } as const
  const label = `${cases[id].title} · ${library.name}`
  return yield* Effect.tryPromise(async (): Promise<Cell> => {
    await library.activate()
    const prepared = await prepare(data)
    try {
      const m = await measure(
        prepared,
        policy,
        (done, planned, phase) => progress.update(`${label} · ${phase} ${done + 1}/${planned}`)
      )
      const errs = errors(m.outputs, reference)
      const reportOnly = cases[id].reportOnly ?? []
      const agrees = errs.every((e, i) => reportOnly.includes(i) || e <= tolerance)
      return {
        _tag: "Measured",
        medianMs: m.medianMs,
        minMs: m.minMs,
        runs: m.runs,
        errors: errs,
        agrees,
        ...(prepared.firstRunMs !== undefined ? { firstRunMs: prepared.firstRunMs } : {})
      }
    } finally {
      prepared.dispose?.()
    }
  }).pipe(
    Effect.catch((e) =>
      Effect.succeed<Cell>({ _tag: "Failed", message: String(e.cause instanceof Error ? e.cause.message : e.cause) })
    ),
    Effect.tap((cell) =>
      Effect.sync(() =>
        progress.log(
          `${label}: ${
            cell._tag === "Measured"
              ? `${cell.medianMs.toFixed(3)} ms (median of ${cell.runs})${
                cell.agrees ? "" : " DISAGREES with the reference"
              }`
              : cell._tag === "Failed"
              ? `failed: ${cell.message}`
              : "not supported"
          }`
        )
      )
    )
  )
})

/**
 * Runs `ids` on `libraries`. Each case's inputs and reference are built once
 * and shared by all libraries.
 *
 * @since 0.1.0
 */
export const runAll = Effect.fn("Bench.runAll")(function*(
  ids: ReadonlyArray<CaseId>,
  libraries: ReadonlyArray<Library>,
  policy: RunPolicy,
  progress: Progress
) {
  const results: Results = {}
  for (const id of ids) {
    progress.update(`${cases[id].title}: building inputs and the float64 reference`)
    const c = cases[id] as (typeof cases)[CaseId]
    const data = c.data()
    const reference = (c.reference as (d: typeof data) => Outputs)(data)
    const row: Record<string, Cell> = {}
    for (const library of libraries) {
      row[library.name] = yield* runCell(id, data as never, reference, library, policy, progress)
    }
    results[id] = row
  }
  return results
})
