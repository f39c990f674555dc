/**
 * Checks the examples: writes each to a module under node_modules/.cache/examples-<pid>,
 * type-checks them all in one TypeScript program with the workspace's strict
 * settings (tsconfig.base.json), runs the runnable ones with tsx in one process
 * (runner.ts), and compares each `console.log(...) // value` with what it printed.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import ts from "typescript"
import { matches } from "./compare.js"
import { type Example, repoRoot } from "./extract.js"

/** The outcome of one example: its problems, each starting with `file:line`. */
export interface Outcome {
  readonly example: Example
  readonly problems: ReadonlyArray<string>
  /** How many `// value` comments were compared with a printed value. */
  readonly compared: number
  readonly ran: boolean
  readonly ms?: number
}

// one folder per process: two checks running at once (one per package, say) would otherwise delete
// each other's generated modules
const cacheDir = path.join(repoRoot, "node_modules/.cache", `examples-${process.pid}`)

/** Modules an example may import: the facade, its public subpaths, Effect and Node's modules. */
const allowedImport = /^(diffect(\/[\w-]+)?|effect(\/[\w-]+)?|@effect\/platform-node|node:[\w/]+)$/

const slug = (name: string): string => name.replace(/[^\w.-]+/g, "_").replace(/\.(ts|md)_/, "_$1_")

/** A `// comment` that states a value (a number, array, object, string or boolean). */
const valueLike = /^(\[|\{|-?\.?\d|true\b|false\b|NaN\b|-?Infinity\b|"|')/

interface Analysis {
  readonly problems: Array<string>
  /** 1-based example lines of `console.log` calls, with the value their comment states. */
  readonly expected: Array<{ readonly line: number; readonly value: string }>
  /** The code with `console.log(` rewritten to `__exampleLog(line, `. */
  readonly instrumented: string
}

const at = (ex: Example, line: number): string => `${ex.file}:${ex.lines[line - 1] ?? ex.lines[0] ?? 0}`

const analyze = (ex: Example): Analysis => {
  const sf = ts.createSourceFile("example.ts", ex.code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)
  const problems: Array<string> = []
  const expected: Array<{ line: number; value: string }> = []
  const edits: Array<{ start: number; end: number; text: string }> = []
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1
  const sourceLines = ex.code.split("\n")
  const printLines = new Set<number>()
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text
      if (!allowedImport.test(spec)) {
        problems.push(
          `${
            at(ex, lineOf(node.getStart()))
          }: imports "${spec}": examples import from "diffect" (or a public subpath such as "diffect/extend"), "effect" or node:*`
        )
      }
    }
    if (
      ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
      node.expression.getText() === "console.log"
    ) {
      const line = lineOf(node.getEnd())
      printLines.add(line)
      const rest = sourceLines[line - 1]!.slice(sf.getLineAndCharacterOfPosition(node.getEnd()).character)
      const comment = /^[\s)\];,]*\/\/\s?(.*)$/.exec(rest)
      // The value is written after the call (`console.log(x) // value`), or, when it is long, on
      // the next line, alone in its comment.
      // A value on the lines below runs until its brackets balance (a multi-line program).
      const below: Array<string> = []
      let depth = 0
      for (let k = line; k < sourceLines.length; k++) {
        const m = /^\s*\/\/\s?(.*)$/.exec(sourceLines[k]!)
        if (m === null) break
        below.push(m[1]!.trim())
        for (const c of m[1]!) depth += "[{(".includes(c) ? 1 : ")}]".includes(c) ? -1 : 0
        if (depth <= 0) break
      }
      if (comment !== null && comment[1]!.trim() !== "") expected.push({ line, value: comment[1]!.trim() })
      else if (comment === null && below.length > 0 && valueLike.test(below[0]!)) {
        expected.push({ line, value: below.join(" ") })
      }
      edits.push({
        start: node.expression.getStart(),
        end: node.arguments.pos,
        text: `__exampleLog(${line}${node.arguments.length > 0 ? ", " : ""}`
      })
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  // A value in a comment on a line that prints nothing is a claim nobody checks.
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, ex.code)
  let codeOnLine = -1
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const line = lineOf(scanner.getTokenStart())
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia) {
      const text = scanner.getTokenText().slice(2).trim()
      if (codeOnLine === line && !printLines.has(line) && valueLike.test(text)) {
        problems.push(
          `${
            at(ex, line)
          }: the value in "// ${text}" is not checked: print it (console.log(...) // ${text}) or write prose`
        )
      }
    } else if (
      kind !== ts.SyntaxKind.WhitespaceTrivia && kind !== ts.SyntaxKind.NewLineTrivia &&
      kind !== ts.SyntaxKind.MultiLineCommentTrivia
    ) codeOnLine = line
  }
  let instrumented = ex.code
  for (const e of edits.sort((a, b) => b.start - a.start)) {
    instrumented = instrumented.slice(0, e.start) + e.text + instrumented.slice(e.end)
  }
  return { problems, expected, instrumented }
}

const compilerOptions = (): ts.CompilerOptions => {
  const configFile = path.join(repoRoot, "tsconfig.base.json")
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot)
  return { ...parsed.options, noEmit: true, declaration: false, incremental: false }
}

/** Type-checks the example files in one program; diagnostics by file. */
const typecheck = (files: ReadonlyArray<string>): Map<string, Array<ts.Diagnostic>> => {
  const program = ts.createProgram({ rootNames: files, options: compilerOptions() })
  const byFile = new Map<string, Array<ts.Diagnostic>>()
  const wanted = new Set(files.map((f) => path.resolve(f)))
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file === undefined ? "" : path.resolve(d.file.fileName)
    // Errors in the workspace's own sources are `pnpm typecheck`'s business.
    if (d.file !== undefined && !wanted.has(file)) continue
    const list = byFile.get(file) ?? []
    list.push(d)
    byFile.set(file, list)
  }
  return byFile
}

interface RunResult {
  readonly name: string
  readonly prints: ReadonlyArray<{ readonly line: number; readonly text: string }>
  readonly error?: { readonly tag?: string; readonly message: string; readonly stack?: string }
  readonly ms?: number
}

const runAll = (plan: ReadonlyArray<{ name: string; file: string }>): Map<string, RunResult> => {
  const planFile = path.join(cacheDir, "plan.json")
  const resultsFile = path.join(cacheDir, "results.json")
  writeFileSync(planFile, JSON.stringify(plan))
  const tsx = path.join(repoRoot, "node_modules/.bin/tsx")
  const child = spawnSync(tsx, [path.join(import.meta.dirname, "runner.ts"), planFile, resultsFile], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 600_000
  })
  let parsed: { results: Array<RunResult> }
  try {
    parsed = JSON.parse(readFileSync(resultsFile, "utf8"))
  } catch {
    throw new Error(`the example runner failed (status ${child.status}):\n${child.stderr}\n${child.stdout}`)
  }
  return new Map(parsed.results.map((r) => [r.name, r]))
}

/** Collapses whitespace, and the handler levels messages name (they depend on what ran before). */
const normalizeMessage = (m: string): string => m.replace(/\(level \d+\)/g, "(level N)").replace(/\s+/g, " ").trim()

/** Checks `examples`; one outcome each, in order. */
export const checkExamples = (examples: ReadonlyArray<Example>): Array<Outcome> => {
  try {
    return checkIn(examples)
  } finally {
    rmSync(cacheDir, { recursive: true, force: true })
  }
}

const checkIn = (examples: ReadonlyArray<Example>): Array<Outcome> => {
  rmSync(cacheDir, { recursive: true, force: true })
  mkdirSync(path.join(cacheDir, "check"), { recursive: true })
  mkdirSync(path.join(cacheDir, "run"), { recursive: true })
  writeFileSync(path.join(cacheDir, "package.json"), JSON.stringify({ type: "module", private: true }))

  const checked = examples.filter((ex) => ex.check)
  const analyses = new Map(checked.map((ex) => [ex.name, analyze(ex)]))
  const files = new Map<string, { check: string; run: string }>()
  for (const ex of checked) {
    const base = slug(ex.name) + ".ts"
    const check = path.join(cacheDir, "check", base)
    const run = path.join(cacheDir, "run", base)
    writeFileSync(check, ex.code + "\n")
    writeFileSync(run, analyses.get(ex.name)!.instrumented + "\n")
    files.set(ex.name, { check, run })
  }

  const diagnostics = typecheck([...files.values()].map((f) => f.check))
  const runnable = checked.filter((ex) => ex.run)
  const results = runAll(runnable.map((ex) => ({ name: ex.name, file: files.get(ex.name)!.run })))

  return examples.map((ex): Outcome => {
    if (!ex.check) return { example: ex, problems: [], compared: 0, ran: false }
    const analysis = analyses.get(ex.name)!
    const problems = [...analysis.problems]
    const { check, run } = files.get(ex.name)!
    for (const d of diagnostics.get(path.resolve(check)) ?? []) {
      const line = d.file !== undefined && d.start !== undefined
        ? d.file.getLineAndCharacterOfPosition(d.start).line + 1
        : 1
      problems.push(`${at(ex, line)}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`)
    }
    if (!ex.run) return { example: ex, problems, compared: 0, ran: false }
    const result = results.get(ex.name)
    if (result === undefined) {
      return { example: ex, problems: [...problems, `${ex.name}: did not run`], compared: 0, ran: false }
    }
    // Stack frames in the generated module point at the example's lines: name the source instead.
    const mapStack = (stack: string) =>
      stack.split("\n").filter((l) => l.includes(run)).map((l) => {
        const m = new RegExp(`${run.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+)`).exec(l)
        return m === null ? l.trim() : `    at ${at(ex, Number(m[1]))}`
      }).join("\n")
    const error = result.error
    if (ex.throws !== undefined) {
      if (error === undefined) problems.push(`${ex.name}: expected it to fail with ${ex.throws}, but it succeeded`)
      else if (error.tag !== ex.throws) {
        problems.push(
          `${ex.name}: expected it to fail with ${ex.throws}, it failed with ${
            error.tag ?? "an untagged error"
          }: ${error.message}`
        )
      } else if (ex.message !== undefined && normalizeMessage(ex.message) !== normalizeMessage(error.message)) {
        problems.push(
          `${ex.name}: ${ex.throws}'s message differs from the text block after the example\n  expected: ${
            normalizeMessage(ex.message)
          }\n  printed:  ${normalizeMessage(error.message)}`
        )
      }
    } else if (error !== undefined) {
      problems.push(
        `${ex.name}: threw ${error.tag ?? "an error"}: ${error.message}${
          error.stack === undefined ? "" : `\n${mapStack(error.stack)}`
        }`
      )
    }
    // A run example states what it prints: at least one value is compared (or it fails as told).
    if (analysis.expected.length === 0 && ex.throws === undefined) {
      problems.push(
        `${ex.name}: prints no value to compare: end a console.log line with the value it prints (console.log(x) // [1, 2])`
      )
    }
    let compared = 0
    for (const { line, value } of analysis.expected) {
      const printed = result.prints.filter((p) => p.line === line)
      if (printed.length === 0) {
        if (error === undefined) problems.push(`${at(ex, line)}: printed nothing; expected ${value}`)
        continue
      }
      compared++
      for (const p of printed) {
        if (!matches(p.text, value)) {
          problems.push(`${at(ex, line)}: expected ${value}\n  printed: ${p.text.replace(/\n/g, "\n           ")}`)
        }
      }
    }
    return { example: ex, problems, compared, ran: true, ...(result.ms === undefined ? {} : { ms: result.ms }) }
  })
}
