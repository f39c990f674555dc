/**
 * Runs instrumented examples one after another in this process (one start of
 * diffect for all of them) and writes what each printed and threw as JSON.
 * Usage: `tsx runner.ts <plan.json> <results.json>`; the plan lists
 * `{ name, file }`, the results `{ name, prints, error }` in the same order.
 * Each example module's `console.log` calls were rewritten to `__exampleLog(line, ...)`.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { pathToFileURL } from "node:url"
import { formatWithOptions } from "node:util"

// Dawn's OpenGL ES backend on Mesa needs a surfaceless EGL platform (as in CI).
process.env["EGL_PLATFORM"] ??= "surfaceless"
process.env["XDG_RUNTIME_DIR"] ??= "/tmp"

interface Print {
  readonly line: number
  readonly text: string
}
interface Result {
  readonly name: string
  readonly prints: Array<Print>
  error?: { readonly tag?: string; readonly message: string; readonly stack?: string }
  ms?: number
}

const [planFile, resultsFile] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planFile!, "utf8")) as ReadonlyArray<{ name: string; file: string }>
const results: Array<Result> = []
let current: Result | undefined
const unattributed: Array<string> = []

const format = (args: ReadonlyArray<unknown>) => formatWithOptions({ colors: false, depth: 8 }, ...args)
;(globalThis as Record<string, unknown>)["__exampleLog"] = (line: number, ...args: ReadonlyArray<unknown>) => {
  if (current === undefined) unattributed.push(format(args))
  else current.prints.push({ line, text: format(args) })
}
// An uninstrumented console.log (`.then(console.log)`): line 0.
console.log = (...args: ReadonlyArray<unknown>) => {
  if (current === undefined) unattributed.push(format(args))
  else current.prints.push({ line: 0, text: format(args) })
}

const describe = (e: unknown): NonNullable<Result["error"]> => {
  const tag = (e as { _tag?: unknown } | null)?._tag
  const message = e instanceof Error ? e.message : String(e)
  const stack = e instanceof Error ? e.stack : undefined
  return {
    ...(typeof tag === "string" ? { tag } : {}),
    message,
    ...(stack === undefined ? {} : { stack })
  }
}

process.on("unhandledRejection", (e) => {
  if (current !== undefined && current.error === undefined) current.error = describe(e)
})

const timeoutMs = 60_000
for (const { name, file } of plan) {
  const result: Result = { name, prints: [] }
  results.push(result)
  current = result
  const start = performance.now()
  try {
    await Promise.race([
      import(pathToFileURL(file).href),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref()
      )
    ])
    // Let callbacks the example scheduled without awaiting them run (and be attributed to it).
    await new Promise((resolve) => setTimeout(resolve, 0))
  } catch (e) {
    result.error = describe(e)
  }
  result.ms = Math.round(performance.now() - start)
  current = undefined
}

writeFileSync(resultsFile!, JSON.stringify({ results, unattributed }))
process.exit(0)
