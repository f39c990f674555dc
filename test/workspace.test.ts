/**
 * The packages' manifests keep the layout rules of docs/architecture.md ("Public
 * surface", "Published packages"): `exports` names public modules that exist and
 * blocks `./internal/*`; a public package publishes the same subpaths from its
 * build (`publishConfig.exports` with `types`/`import`/`default`), ships only the
 * build, README and LICENSE, builds before packing, and shares one version; `@since`
 * tags never name a version after the package's; and the import-cycle check
 * (`pnpm check:cycles`) resolves every workspace package to its sources.
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
  readonly license: string
  readonly exports: Record<string, string | null>
  readonly sideEffects: boolean | ReadonlyArray<string>
  readonly files?: ReadonlyArray<string>
  readonly scripts?: Record<string, string>
  readonly engines?: Record<string, string>
  readonly dependencies?: Record<string, string>
  readonly publishConfig?: {
    readonly exports: Record<
      string,
      { readonly types: string; readonly import: string; readonly default: string } | null
    >
  }
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
    it(`${pkg.name}: exports name existing public modules (sources, for the workspace) and block ./internal/*`, () => {
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

  const published = packageDirs.filter((dir) => manifest(dir).private !== true)
  /** `./src/X.ts` -> `./dist/X` (without the extension). */
  const built = (source: string): string => source.replace(/^\.\/src\//, "./dist/").replace(/\.ts$/, "")

  it("the public packages are the eight of the release, all at one version", () => {
    const names = published.map((dir) => manifest(dir).name).sort()
    assert.deepStrictEqual(names, [
      "@diffect/ad",
      "@diffect/backend-typed-array",
      "@diffect/backend-webgpu",
      "@diffect/core",
      "@diffect/nn",
      "@diffect/optim",
      "@diffect/parallel",
      "diffect"
    ])
    const versions = new Set(packageDirs.map((dir) => manifest(dir).version))
    assert.deepStrictEqual([...versions], ["0.1.0"], "every package has the one version of the release")
  })

  for (const dir of published) {
    const pkg = manifest(dir)
    it(`${pkg.name}: publishes every subpath from its build, with types, import and default`, () => {
      const pub = pkg.publishConfig?.exports
      assert.isDefined(pub, `${pkg.name} needs publishConfig.exports`)
      const sync = "run `pnpm sync:exports`"
      assert.strictEqual(pub!["./internal/*"], null)
      const src = path.join(dir, "src")
      for (const folder of readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory())) {
        assert.strictEqual(pub![`./${folder.name}/*`], null, `${pkg.name} must block ./${folder.name}/* (${sync})`)
      }
      assert.deepStrictEqual(pub!["./*"], { types: "./dist/*.d.ts", import: "./dist/*.js", default: "./dist/*.js" })
      for (const [subpath, source] of Object.entries(pkg.exports)) {
        if (source === null) continue
        const out = built(source)
        // Node's rule: an exact key first, else the pattern `./*` with the rest substituted.
        const target = pub![subpath] !== undefined
          ? pub![subpath]
          : {
            types: `./dist/${subpath.slice(2)}.d.ts`,
            import: `./dist/${subpath.slice(2)}.js`,
            default: `./dist/${subpath.slice(2)}.js`
          }
        assert.deepStrictEqual(
          target,
          { types: `${out}.d.ts`, import: `${out}.js`, default: `${out}.js` },
          `${pkg.name} publishes ${subpath} (${sync})`
        )
      }
      for (const key of Object.keys(pub!)) {
        if (key === "./*") continue
        // Each folder of src/ is blocked, so the pattern reaches top-level modules only.
        if (key.endsWith("/*")) {
          assert.strictEqual(pub![key], null, `${pkg.name}: ${key}`)
          continue
        }
        assert.property(pkg.exports, key, `${pkg.name}: publishConfig.exports ${key} is not an export (${sync})`)
      }
    })
    it(`${pkg.name}: ships the build, README and LICENSE; builds before packing; Node >= 22`, () => {
      assert.deepStrictEqual(pkg.files, ["dist", "!dist/**/*.tsbuildinfo"])
      assert.strictEqual(pkg.scripts?.["prepack"], "rm -rf dist && tsc -b tsconfig.build.json")
      assert.strictEqual(pkg.engines?.["node"], ">=22")
      assert.strictEqual(pkg.license, "MIT")
      assert.isTrue(existsSync(path.join(dir, "README.md")), `${pkg.name}: README.md`)
      assert.strictEqual(
        readFileSync(path.join(dir, "LICENSE"), "utf8"),
        readFileSync(path.join(root, "LICENSE"), "utf8"),
        `${pkg.name}: LICENSE is the repository's`
      )
    })
    it(`${pkg.name}: each side-effect module is listed as source and as build`, () => {
      if (typeof pkg.sideEffects === "boolean") {
        assert.isFalse(pkg.sideEffects, `${pkg.name}: list the modules with side effects instead of true`)
        return
      }
      for (const entry of pkg.sideEffects) {
        if (!entry.startsWith("./src/")) continue
        assert.isTrue(existsSync(path.join(dir, entry)), `${pkg.name}: sideEffects names ${entry}: no such file`)
        assert.include(
          pkg.sideEffects,
          `${built(entry)}.js`,
          `${pkg.name}: sideEffects lists ${entry} but not its build`
        )
      }
    })
    it(`${pkg.name}: tsconfig.build.json references the workspace packages it depends on`, () => {
      const text = readFileSync(path.join(dir, "tsconfig.build.json"), "utf8")
      const config: { references?: ReadonlyArray<{ path: string }> } = JSON.parse(text)
      const referenced = (config.references ?? []).map((r) => path.resolve(dir, r.path)).sort()
      const byName = new Map(packageDirs.map((d) => [manifest(d).name, d]))
      const wanted = Object.keys(pkg.dependencies ?? {})
        .filter((name) => byName.has(name))
        .map((name) => path.join(byName.get(name)!, "tsconfig.build.json"))
        .sort()
      assert.deepStrictEqual(referenced, wanted)
    })
  }

  it("the diffect package's README shows the root README's example (which check:examples runs)", () => {
    const block = (file: string): string => {
      const m = /```ts\n([\s\S]*?)```/.exec(readFileSync(file, "utf8"))
      if (m === null) throw new Error(`${file}: no ts block`)
      return m[1]!
    }
    const readme = readFileSync(path.join(root, "README.md"), "utf8")
    assert.include(readme, "## Use diffect in your project")
    assert.include(readme, "```ts\n" + block(path.join(root, "packages/diffect/README.md")) + "```")
  })

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
