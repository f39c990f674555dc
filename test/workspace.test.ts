/**
 * The packages' manifests keep the layout rules of docs/architecture.md ("Public
 * surface"): `exports` names public modules that exist and blocks `./internal/*`;
 * `@since` tags never name a version after the package's; and the import-cycle
 * check (`pnpm check:cycles`) resolves every workspace package to its sources.
 */
import { assert, describe, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const packageDirs = readdirSync(path.join(root, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => path.join(root, "packages", entry.name))

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly exports: Record<string, string | null>
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"))

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith(".ts") ? [file] : []
  })

const semver = (v: string): [number, number, number] => {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v)
  if (m === null) throw new Error(`not a version: ${v}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}
const notAfter = (a: string, b: string): boolean => {
  const [x, y] = [semver(a), semver(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!
  return true
}

describe("package manifests", () => {
  for (const dir of packageDirs) {
    const pkg = manifest(dir)
    it(`${pkg.name}: exports name existing public modules and block ./internal/*`, () => {
      assert.strictEqual(pkg.exports["."], "./src/index.ts")
      assert.strictEqual(pkg.exports["./internal/*"], null, `${pkg.name} must export "./internal/*": null`)
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        if (subpath === "./internal/*") continue
        assert.isString(target, `${pkg.name} exports ${subpath}`)
        assert.notInclude(target!, "/internal/", `${pkg.name} exports ${subpath} from an internal module`)
        assert.isTrue(existsSync(path.join(dir, target!)), `${pkg.name} exports ${subpath} -> ${target}: no such file`)
      }
    })
    it(`${pkg.name}: every @since names the package's version or an earlier one`, () => {
      for (const file of sourceFiles(path.join(dir, "src"))) {
        for (const [, version] of readFileSync(file, "utf8").matchAll(/@since (\S+)/g)) {
          assert.isTrue(
            notAfter(version!, pkg.version),
            `${path.relative(root, file)}: @since ${version} > ${pkg.version}`
          )
        }
      }
    })
  }

  it("tsconfig.madge.json resolves every package, so a cycle through two packages is found", () => {
    const text = readFileSync(path.join(root, "tsconfig.madge.json"), "utf8").replace(/^\s*\/\/.*$/gm, "")
    const paths: Record<string, ReadonlyArray<string>> = JSON.parse(text).compilerOptions.paths
    for (const dir of packageDirs) {
      const { name } = manifest(dir)
      const src = `./${path.relative(root, dir)}/src`
      assert.deepStrictEqual(paths[name], [`${src}/index.ts`], `tsconfig.madge.json: paths["${name}"]`)
      assert.deepStrictEqual(paths[`${name}/*`], [`${src}/*.ts`], `tsconfig.madge.json: paths["${name}/*"]`)
    }
  })
})
