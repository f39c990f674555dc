/**
 * Finds the examples of the repository: every `@example` of a JSDoc comment in
 * packages/*\/src and every TypeScript block of README.md and docs/**\/*.md, with
 * the source line of each of their lines (so that failures name `file:line`).
 *
 * Markers, after `@example` or after the fence's language (` ```ts no-run `):
 * - `no-run`: type-checked, not run (a browser-only or long-running program);
 * - `fragment`: neither (a piece of a larger program; should be rare);
 * - `continued` (Markdown only): appended to the previous block of the same file;
 * - `throws=Tag`: must fail with the tagged error `Tag`; a ```text block right after
 *   it holds the error's message, which must be the message it prints.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"

/** The repository root. */
export const repoRoot = path.resolve(import.meta.dirname, "../..")

/** One example, as found. */
export interface Example {
  /** A stable name: `docs/index.md:42` (the first line of the block or of `@example`). */
  readonly name: string
  /** The file, relative to the repository root. */
  readonly file: string
  /** The example's code. */
  readonly code: string
  /** For each line of `code` (0-based), its 1-based line in `file`. */
  readonly lines: ReadonlyArray<number>
  readonly run: boolean
  readonly check: boolean
  /** The `_tag` of the error the example must fail with (`throws=Tag`). */
  readonly throws?: string
  /** The message that error must have (the ```text block after a `throws=` block). */
  readonly message?: string
}

const walk = (dir: string, keep: (file: string) => boolean): Array<string> =>
  readdirSync(dir).sort().flatMap((entry) => {
    const full = path.join(dir, entry)
    if (entry === "node_modules" || entry === "api" || entry.startsWith(".")) return []
    return statSync(full).isDirectory() ? walk(full, keep) : keep(full) ? [full] : []
  })

/** The files examples are taken from, relative to the repository root. */
export const exampleSources = (): Array<string> => {
  const packages = path.join(repoRoot, "packages")
  const sources = readdirSync(packages).sort().flatMap((pkg) => {
    const src = path.join(packages, pkg, "src")
    try {
      return walk(src, (f) => f.endsWith(".ts"))
    } catch {
      return []
    }
  })
  const docs = walk(path.join(repoRoot, "docs"), (f) => f.endsWith(".md"))
  return [path.join(repoRoot, "README.md"), ...docs, ...sources].map((f) => path.relative(repoRoot, f))
}

interface Markers {
  readonly run: boolean
  readonly check: boolean
  readonly continued: boolean
  readonly throws?: string
}

const knownMarkers = /^(no-run|fragment|continued|throws=[A-Za-z0-9]+)$/

const parseMarkers = (text: string, where: string): Markers => {
  const words = text.trim().split(/\s+/).filter((w) => w !== "")
  for (const w of words) {
    if (!knownMarkers.test(w)) {
      throw new Error(`${where}: unknown example marker "${w}" (known: no-run, fragment, continued, throws=Tag)`)
    }
  }
  const throws = words.find((w) => w.startsWith("throws="))?.slice("throws=".length)
  return {
    run: !words.includes("no-run") && !words.includes("fragment"),
    check: !words.includes("fragment"),
    continued: words.includes("continued"),
    ...(throws === undefined ? {} : { throws })
  }
}

/** The ```ts blocks of a Markdown file. */
export const markdownExamples = (file: string, text: string): Array<Example> => {
  const lines = text.split("\n")
  const out: Array<Example> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\b(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const indent = open[1]!.length
    const start = i
    const body: Array<string> = []
    const at: Array<number> = []
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) {
      body.push(lines[i]!.slice(Math.min(indent, lines[i]!.length - lines[i]!.trimStart().length)))
      at.push(i + 1)
    }
    const name = `${file}:${start + 1}`
    const markers = parseMarkers(open[3]!, name)
    // A `throws=` block's message: the ```text block that follows it.
    let message: string | undefined
    if (markers.throws !== undefined) {
      let j = i + 1
      while (j < lines.length && lines[j]!.trim() === "") j++
      if (/^\s*```text\s*$/.test(lines[j] ?? "")) {
        const msg: Array<string> = []
        for (j++; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) msg.push(lines[j]!)
        message = msg.join("\n")
      }
    }
    const previous = out[out.length - 1]
    if (markers.continued) {
      if (previous === undefined) throw new Error(`${name}: "continued" block with no block before it`)
      out.push({
        ...previous,
        name,
        code: `${previous.code}\n${body.join("\n")}`,
        lines: [...previous.lines, ...at],
        run: markers.run,
        check: markers.check
      })
      continue
    }
    out.push({
      name,
      file,
      code: body.join("\n"),
      lines: at,
      run: markers.run,
      check: markers.check,
      ...(markers.throws === undefined ? {} : { throws: markers.throws }),
      ...(message === undefined ? {} : { message })
    })
  }
  return out
}

/** The `@example` sections of the JSDoc comments of a TypeScript file. */
export const jsdocExamples = (file: string, text: string): Array<Example> => {
  const lines = text.split("\n")
  const out: Array<Example> = []
  let inDoc = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (!inDoc) {
      if (/^\s*\/\*\*/.test(line) && !/\*\/\s*$/.test(line)) inDoc = true
      continue
    }
    if (/\*\/\s*$/.test(line) && !/^\s*\*\s*@example/.test(line)) {
      inDoc = false
      continue
    }
    const tag = /^\s*\*\s*@example\b(.*)$/.exec(line)
    if (tag === null) continue
    const name = `${file}:${i + 1}`
    const markers = parseMarkers(tag[1]!, name)
    const body: Array<string> = []
    const at: Array<number> = []
    for (i++; i < lines.length; i++) {
      const l = lines[i]!
      if (/^\s*\*\//.test(l)) {
        inDoc = false
        break
      }
      // A JSDoc line is ` * text`; a line without the star is taken as it is.
      const content = /^\s*\*( ?)(.*)$/.exec(l)?.[2] ?? l
      if (/^@\w/.test(content)) {
        i--
        break
      }
      body.push(content)
      at.push(i + 1)
    }
    // A fenced example (```ts ... ```) inside the tag: keep what is between the fences.
    const first = body.findIndex((l) => l.trim() !== "")
    if (first >= 0 && body[first]!.trim().startsWith("```")) {
      const close = body.findIndex((l, k) => k > first && /^```\s*$/.test(l.trim()))
      body.splice(close < 0 ? body.length : close)
      at.splice(close < 0 ? at.length : close)
      body.splice(0, first + 1)
      at.splice(0, first + 1)
    }
    while (body.length > 0 && body[body.length - 1]!.trim() === "") {
      body.pop()
      at.pop()
    }
    out.push({ name, file, code: body.join("\n"), lines: at, run: markers.run, check: markers.check })
  }
  return out
}

/** Every example of the repository, in a stable order. */
export const allExamples = (): Array<Example> =>
  exampleSources().flatMap((file) => {
    const text = readFileSync(path.join(repoRoot, file), "utf8")
    return file.endsWith(".md") ? markdownExamples(file, text) : jsdocExamples(file, text)
  })
