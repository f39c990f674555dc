/**
 * Runs the typed-array backend's eager micro-benchmarks
 * (packages/backend-typed-array/bench/micro.ts) in a child process and keeps
 * their output for the report.
 *
 * @since 0.1.0
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root (this file is packages/bench/src/internal/micro.ts). @since 0.1.0 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")

/** The micro-benchmark script's path, relative to the root. @since 0.1.0 */
export const microScript = "packages/backend-typed-array/bench/micro.ts"

/** Its output, or why there is none. @since 0.1.0 */
export const runMicro = (): { readonly ok: boolean; readonly output: string } => {
  const script = path.join(repoRoot, microScript)
  if (!existsSync(script)) return { ok: false, output: `${microScript} does not exist yet.` }
  const tsx = createRequire(path.join(repoRoot, "package.json")).resolve("tsx/cli")
  const r = spawnSync(process.execPath, [tsx, script], { cwd: repoRoot, encoding: "utf8", timeout: 180_000 })
  const output = `${r.stdout ?? ""}${r.status === 0 ? "" : r.stderr ?? ""}`.trim()
  return r.status === 0 ? { ok: true, output } : { ok: false, output: `exit ${r.status}: ${output.slice(-2000)}` }
}
