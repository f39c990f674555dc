import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { defineConfig } from "vitest/config"

// One vitest project per package (packages/<name>/test) plus the cross-package suites in test/.
const packages = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

const root = new URL(".", import.meta.url).pathname
const testFiles = (dir: string): Array<string> =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => join(e.parentPath, e.name).slice(root.length))

// Test files that drive Dawn (WebGPU in Node, on Mesa's llvmpipe in CI). A worker starting Dawn
// sometimes died at once (std::system_error thrown in native code) when such files ran in parallel
// or in a fresh process each; they run after the other files, one at a time, in one worker process
// (docs/architecture.md, "Testing WebGPU").
// (test/conformance/env.ts lists the backends the conformance suites run on, WebGPU among them.)
const drivesDawn = (file: string): boolean =>
  /WebGpu|webgpu|conformance\/env\.js"|"\.\/env\.js"/.test(readFileSync(join(root, file), "utf8"))
const all = [...packages.flatMap((name) => testFiles(`packages/${name}/test`)), ...testFiles("test")]
const dawn = all.filter(drivesDawn)

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.ts`], exclude: dawn }
      })),
      { extends: true as const, test: { name: "integration", include: ["test/**/*.test.ts"], exclude: dawn } },
      {
        extends: true as const,
        test: { name: "webgpu", include: dawn, fileParallelism: false, isolate: false, sequence: { groupOrder: 1 } }
      }
    ],
    // Eager operations in tests run on the CPU backend (packages/test-utils/src/setup.ts).
    setupFiles: ["./packages/test-utils/src/setup.ts"],
    passWithNoTests: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    // In CI also write a JSON summary: .ci/run prints a plain "N passed, N failed" line from it.
    reporters: process.env["CI"] ? ["default", "json"] : ["default"],
    outputFile: { json: "node_modules/.cache/vitest/results.json" }
  }
})
