import { readdirSync } from "node:fs"
import { defineConfig } from "vitest/config"

// One vitest project per package (packages/<name>/test) plus the cross-package suites in test/.
const packages = readdirSync(new URL("./packages", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

export default defineConfig({
  test: {
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/test/**/*.test.ts`] }
      })),
      { extends: true as const, test: { name: "integration", include: ["test/**/*.test.ts"] } }
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
