/**
 * Dawn's native "artificially reduced" warnings do not reach the user's stderr,
 * and everything else written there still does (internal/nativeStderr.ts).
 * Descriptor-level capture is checked in child processes: with stderr a shell
 * pipe (swapped), and a regular file or a socket (left alone).
 */
import { Backends } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { dawnNoise, withoutNoise } from "../src/internal/nativeStderr.js"

const uniform =
  "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 90 to 16 to fit dynamic offset allocation limit."
const storage =
  "Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 80 to 16 to fit dynamic offset allocation limit."

const tsx = createRequire(import.meta.url).resolve("tsx/cli")
const child = path.join(import.meta.dirname, "fixtures/stderrChild.ts")
const env = { ...process.env, EGL_PLATFORM: process.env["EGL_PLATFORM"] ?? "surfaceless" }

/** The child with stderr a regular file (a descriptor) or a socket (`"pipe"`: Node's child stdio). */
const run = (mode: string, stderr: "pipe" | number) =>
  spawnSync(process.execPath, [tsx, child, mode], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", stderr],
    env,
    timeout: 120_000
  })

/** The child with stderr a shell pipe (a FIFO) into `cat`, as in `node app.js 2>&1 | less`. */
const runPiped = (mode: string): { status: number | null; stdout: string; stderr: string } => {
  const dir = mkdtempSync(path.join(tmpdir(), "diffect-stderr-test-"))
  try {
    const out = path.join(dir, "stdout.txt")
    const r = spawnSync("sh", ["-c", `"$0" "$1" "$2" "$3" 2>&1 >"$4" | cat`, process.execPath, tsx, child, mode, out], {
      encoding: "utf8",
      env,
      timeout: 120_000
    })
    // `cat` passes the child's stderr through as the shell's stdout.
    return { status: r.status, stdout: readFileSync(out, "utf8"), stderr: r.stdout }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe("withoutNoise", () => {
  it("drops exactly Dawn's two limit warnings and keeps every other line, in order", () => {
    const text = `a\n${uniform}\nWarning: Couldn't load Vulkan\n${storage}\n\nb\n`
    assert.strictEqual(withoutNoise(text, dawnNoise), "a\nWarning: Couldn't load Vulkan\n\nb\n")
    assert.strictEqual(withoutNoise(`${uniform}\n${storage}\n`, dawnNoise), "")
    assert.strictEqual(withoutNoise("", dawnNoise), "")
    // A last line without its newline gets one; a similar but different warning is kept.
    assert.strictEqual(withoutNoise("x", dawnNoise), "x\n")
    const other = uniform.replace("artificially reduced", "reduced")
    assert.strictEqual(withoutNoise(other, dawnNoise), `${other}\n`)
  })
})

describe("filterNativeStderr in a child process", () => {
  it("with stderr a pipe: native writes are filtered, everything else arrives in order", () => {
    const r = runPiped("fd")
    assert.strictEqual(r.status, 0, r.stderr)
    assert.strictEqual(r.stdout, "42\n")
    assert.strictEqual(r.stderr, "before\nDawn says something else\nconsole.error inside\nafter\n")
  })

  it("with an asynchronous fs call in flight (a thread could take descriptor 2): left alone", () => {
    const r = runPiped("busy")
    assert.strictEqual(r.status, 0, r.stderr)
    assert.strictEqual(r.stdout, "42\n")
    assert.strictEqual(r.stderr, `before\n${uniform}\nDawn says something else\nconsole.error inside\nafter\n`)
  })

  it("with stderr a socket (a Node parent's stdio pipe): left alone, nothing lost", () => {
    const r = run("fd", "pipe")
    assert.strictEqual(r.status, 0, r.stderr)
    assert.strictEqual(r.stdout, "42\n")
    assert.strictEqual(r.stderr, `before\n${uniform}\nDawn says something else\nconsole.error inside\nafter\n`)
  })

  it("with stderr a regular file: left alone (no swap), nothing lost or overwritten", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "diffect-stderr-test-"))
    try {
      const file = path.join(dir, "stderr.txt")
      const fd = openSync(file, "w")
      const r = run("fd", fd)
      closeSync(fd)
      assert.strictEqual(r.status, 0)
      assert.strictEqual(r.stdout, "42\n")
      assert.strictEqual(
        readFileSync(file, "utf8"),
        `before\n${uniform}\nDawn says something else\nconsole.error inside\nafter\n`
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

const skipReason = await Backends.webGpuSkipReason()

describe.skipIf(skipReason !== undefined)("WebGpuBackend.layer on Dawn", () => {
  it("computes without Dawn's limit warnings reaching stderr", () => {
    const r = runPiped("dawn")
    assert.strictEqual(r.status, 0, r.stderr)
    assert.strictEqual(r.stdout, "[2,3]\n")
    assert.notInclude(r.stderr, "artificially reduced")
    assert.include(r.stderr, "before\n")
    assert.include(r.stderr, "after\n")
  })
})
