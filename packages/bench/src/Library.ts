/**
 * A library under test: how to set it up, and how it computes each case it can.
 *
 * @since 0.1.0
 */
import type { CaseData, CaseId, Outputs } from "./Cases.js"

/**
 * A case made ready to run: inputs uploaded, functions built (and, for jit,
 * not yet compiled: warm-up runs compile). `run` computes the result and reads
 * it back to host memory, so each timed run includes the readback.
 *
 * @since 0.1.0
 */
export interface Prepared {
  readonly run: () => Outputs | Promise<Outputs>
  readonly dispose?: () => void
  /** The first call's time, when it differs in kind from the rest (jit: trace and compile). */
  readonly firstRunMs?: number
}

/** One library (or one setting of it, like a backend or jit). @since 0.1.0 */
export interface Library {
  /** Column name in the results table. */
  readonly name: string
  /** Package versions, for the report. */
  readonly versions: Readonly<Record<string, string>>
  /** Settings used, in a few words (backend, threads, SIMD, jit). */
  readonly settings: () => string
  /** Called before each of its cases: libraries with a global backend switch here. */
  readonly activate: () => Promise<void>
  /** How it computes the cases it supports. */
  readonly cases: { readonly [K in CaseId]?: (data: CaseData[K]) => Prepared | Promise<Prepared> }
  /** How it does a case, where that differs from the obvious (e.g. "100 HVPs"). */
  readonly notes?: { readonly [K in CaseId]?: string }
}
