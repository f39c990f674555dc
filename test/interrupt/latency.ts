/**
 * How late an Effect's timeout fires, in this process's own time: the timing
 * tests assert the mechanism's latency (a slice of work, then a turn of the
 * scheduler), not how long the operating system ran other processes. The
 * wall-clock overshoot is divided by how much slower than its own CPU time the
 * process runs right now (`stretch`, measured just before and after: 1 on an
 * idle machine, where the assertion is the wall-clock one).
 */
import { Effect, Exit } from "effect"

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}

/** Wall time over CPU time of 20 ms of pure computation now (at least 1). */
export const stretch = (): number => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  let x = 0
  while (cpuMs(c0) < 20) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i + x)
  const wall = performance.now() - t0
  return Math.max(1, wall / cpuMs(c0)) + (x < 0 ? 1 : 0)
}

/** One timed run: its exit, the wall-clock overshoot and the overshoot in process time. */
export const timeoutLatency = async <A, E>(
  effect: Effect.Effect<A, E>,
  deadline: number
): Promise<{ readonly exit: Exit.Exit<A, unknown>; readonly wallLate: number; readonly late: number }> => {
  const before = stretch()
  const start = performance.now()
  const exit = await Effect.runPromiseExit(effect.pipe(Effect.timeout(deadline)))
  const wallLate = performance.now() - start - deadline
  // the smaller stretch of the two: the stricter reading
  const factor = Math.min(before, stretch())
  return { exit, wallLate, late: wallLate / factor }
}
