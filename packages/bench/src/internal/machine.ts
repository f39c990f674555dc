/**
 * A description of the machine, for the report: `lscpu`'s main lines, memory,
 * OS and Node.
 *
 * @since 0.1.0
 */
import { execFileSync } from "node:child_process"
import * as os from "node:os"

const wanted = [
  "Architecture",
  "Model name",
  "CPU(s)",
  "Thread(s) per core",
  "Core(s) per socket",
  "CPU max MHz",
  "L1d cache",
  "L2 cache",
  "L3 cache",
  "Hypervisor vendor"
]

/** `lscpu`'s main lines (empty when lscpu is missing). @since 0.1.0 */
export const lscpu = (): ReadonlyArray<string> => {
  try {
    const out = execFileSync("lscpu", { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } })
    return out.split("\n").filter((line) => wanted.some((w) => line.startsWith(`${w}:`))).map((l) =>
      l.replace(/\s+/g, " ").trim()
    )
  } catch {
    return []
  }
}

/** The machine in a few lines. @since 0.1.0 */
export const describeMachine = (): ReadonlyArray<string> => [
  ...lscpu(),
  `Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `OS: ${os.type()} ${os.release()} (${os.arch()})`,
  `Node: ${process.version}`,
  // Other work on the machine skews timings; the load average says how busy it was.
  `Load average (1, 5, 15 min) at the end of the run: ${os.loadavg().map((l) => l.toFixed(2)).join(", ")}`
]
