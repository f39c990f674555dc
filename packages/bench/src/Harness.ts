/**
 * Timing and agreement: warm-up, then at least `minRuns` timed runs; the
 * median is reported. Results are checked against the float64 reference.
 *
 * @since 0.1.0
 */
import type { Outputs } from "./Cases.js"
import type { Prepared } from "./Library.js"

/** How many runs to make. @since 0.1.0 */
export interface RunPolicy {
  readonly warmup: number
  /** Keep warming up past `warmup` runs until this much time is spent. */
  readonly warmupMs: number
  readonly minRuns: number
  readonly maxRuns: number
  /** Stop adding runs past `minRuns` once this much time is spent. */
  readonly budgetMs: number
}

/**
 * The default policy: 10 warm-up runs, then 10 to 400 timed runs, about 2 s per
 * cell. Long enough to span several garbage-collection cycles: a case whose
 * outputs are fresh arrays handed to the caller (B1's gradients, 1.07 MB per
 * run) runs faster in the calls after a collection has freed the earlier outputs
 * (their memory is reused) than in those that need fresh pages, which fault on
 * first write (B1 under jit: 3.9-4.0 against 7.2-7.5 ms per call, alternating
 * every 20-30 calls on the project's machine). A median of 30 consecutive runs
 * (this policy until session 10) fell into one phase or the other, moving B1's
 * row by up to 2x between identical runs. Warm-up lasts at least `warmupMs`
 * (0.5 s): ten runs of a case that takes 0.1 ms are a millisecond, before V8
 * has optimized its call path (B4's Hessian under jit measured 0.165-0.25 ms
 * head to head after 10 warm-up runs and 400 timed ones, 0.033-0.056 ms after
 * 0.5 s of warm-up and up to 2,000 timed ones; jax-js jit 0.21-0.33 and
 * 0.155-0.27 ms).
 *
 * @since 0.1.0
 */
export const defaultPolicy: RunPolicy = { warmup: 10, warmupMs: 500, minRuns: 10, maxRuns: 2000, budgetMs: 2000 }

/** Timings of one library on one case. @since 0.1.0 */
export interface Measurement {
  readonly medianMs: number
  readonly minMs: number
  readonly runs: number
  readonly outputs: Outputs
}

/** The median of a non-empty list. @since 0.1.0 */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Runs `prepared` per `policy`; `onRun(i, total)` reports progress.
 *
 * @since 0.1.0
 */
export const measure = async (
  prepared: Prepared,
  policy: RunPolicy,
  onRun: (done: number, planned: number, phase: "warm-up" | "timed") => void
): Promise<Measurement> => {
  let outputs: Outputs = []
  const warmStart = performance.now()
  for (let i = 0; i < policy.warmup || performance.now() - warmStart < policy.warmupMs; i++) {
    onRun(Math.min(i, policy.warmup - 1), policy.warmup, "warm-up")
    outputs = await prepared.run()
  }
  const times: Array<number> = []
  let spent = 0
  while (times.length < policy.minRuns || (times.length < policy.maxRuns && spent < policy.budgetMs)) {
    onRun(times.length, policy.minRuns, "timed")
    const t0 = performance.now()
    outputs = await prepared.run()
    const dt = performance.now() - t0
    times.push(dt)
    spent += dt
  }
  return { medianMs: median(times), minMs: Math.min(...times), runs: times.length, outputs }
}

/**
 * Normwise relative error of `actual` against `expected`:
 * `max |a - e| / max |e|`, so that entries near zero do not dominate.
 *
 * @since 0.1.0
 */
export const relativeError = (actual: ArrayLike<number>, expected: ArrayLike<number>): number => {
  if (actual.length !== expected.length) return Infinity
  let diff = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i])
    // NaN must fail the check, and `Math.max` with NaN gives NaN, so test it explicitly.
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d
    scale = Math.max(scale, Math.abs(expected[i]))
  }
  return scale === 0 ? diff : diff / scale
}

/** The agreement tolerance: 1e-4 normwise relative. @since 0.1.0 */
export const tolerance = 1e-4

/** Each output's relative error against the reference. @since 0.1.0 */
export const errors = (actual: Outputs, expected: Outputs): ReadonlyArray<number> =>
  expected.length === actual.length ? expected.map((e, i) => relativeError(actual[i], e)) : [Infinity]
