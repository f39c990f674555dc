// `pnpm sync:exports`: writes each public package's publishConfig.exports (what `pnpm pack`
// publishes) from its workspace `exports`: `.` and every subpath whose name differs from its
// module's file (`./np` -> numpy) explicitly, every other module through the pattern
// `./*` -> `./dist/*.{d.ts,js}`, and each folder of src/ (`./internal/*`, ...) -> null. A new module whose subpath is its
// file name needs no change; test/workspace.test.ts checks that every export resolves.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const built = (source) => source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "")
const conditions = (out) => ({ types: `${out}.d.ts`, import: `${out}.js`, default: `${out}.js` })

const packages = join(import.meta.dirname, "../packages")
for (const name of readdirSync(packages)) {
  const file = join(packages, name, "package.json")
  const pkg = JSON.parse(readFileSync(file, "utf8"))
  if (pkg.private === true) continue
  const published = {}
  for (const [subpath, source] of Object.entries(pkg.exports)) {
    if (source === null || subpath.endsWith("/*")) continue
    if (subpath === "." || built(source) !== `./dist/${subpath.slice(2)}`) {
      published[subpath] = conditions(built(source))
    }
  }
  published["./*"] = conditions("./dist/*")
  // Modules in folders (internal/, rules/, ...) are not public: the pattern must not reach them.
  const src = join(packages, name, "src")
  for (const dir of readdirSync(src).filter((d) => statSync(join(src, d)).isDirectory()).sort()) {
    published[`./${dir}/*`] = null
  }
  published["./internal/*"] = null
  pkg.publishConfig = { ...pkg.publishConfig, exports: published }
  writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n")
}
