// `pnpm sync:exports`: rewrites each public package's publishConfig.exports (what `pnpm pack`
// publishes) from its workspace `exports`: every `./src/X.ts` becomes
// `{ types: ./dist/X.d.ts, import: ./dist/X.js, default: ./dist/X.js }`, `null` stays `null`.
// Run it after adding or renaming a public module; test/workspace.test.ts checks the result.
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const packages = join(import.meta.dirname, "../packages")
for (const name of readdirSync(packages)) {
  const file = join(packages, name, "package.json")
  const pkg = JSON.parse(readFileSync(file, "utf8"))
  if (pkg.private === true) continue
  const published = {}
  for (const [subpath, source] of Object.entries(pkg.exports)) {
    const built = source === null ? null : source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "")
    published[subpath] = built === null
      ? null
      : { types: `${built}.d.ts`, import: `${built}.js`, default: `${built}.js` }
  }
  pkg.publishConfig = { ...pkg.publishConfig, exports: published }
  writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n")
}
