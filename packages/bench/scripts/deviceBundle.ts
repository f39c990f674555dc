/**
 * Packs the benchmarks for a machine with neither Node.js nor the registry (the GPU machine some
 * tasks are lent; docs/benchmarks.md): `pnpm exec tsx packages/bench/scripts/deviceBundle.ts
 * [outDir]` writes `outDir` (default out/device, about 45 MB) with
 *
 * - the benchmark (`bench.js`, `pnpm bench`'s flags), the data-parallel scaling benchmark
 *   (`scaling.js`, its environment variables), the mesh worker (`internal/worker.js`, where the
 *   mesh looks for it), the scaling benchmark's remote functions (`b1.js`) and `gpuCheck.js`,
 *   bundled by esbuild with code splitting, so that every entry shares one copy of each module
 *   (a worker and the module of its remote functions must see the same diffect);
 * - `node_modules/`: the package.json of each package whose version the report prints, and the
 *   `webgpu` package (Dawn's `dawn.node`, xz-compressed);
 * - this Node.js binary, xz-compressed, and `run.sh`, which unpacks both (with python3's lzma,
 *   which such machines have) and runs its arguments in the folder: `bash out/device/run.sh
 *   node gpuCheck.js`. tfjs is left out (it compiles a module with esbuild when it starts).
 *
 * Carry the folder (and, for a GPU, Vulkan's loader: see the device tool's notes).
 */
import { buildSync } from "esbuild"
import { execFileSync } from "node:child_process"
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "../../..")
const out = path.resolve(root, process.argv[2] ?? "out/device")
const require = createRequire(path.join(root, "packages/bench/package.json"))

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
buildSync({
  entryPoints: {
    bench: path.join(root, "packages/bench/src/main.ts"),
    gpuCheck: path.join(root, "packages/bench/scripts/gpuCheck.ts"),
    scaling: path.join(root, "packages/parallel/bench/scaling.ts"),
    b1: path.join(root, "packages/parallel/bench/b1.ts"),
    "internal/worker": path.join(root, "packages/parallel/src/internal/worker.ts")
  },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  outdir: out,
  chunkNames: "chunk-[hash]",
  external: ["webgpu", "pg-native", "playwright-core"],
  // tfjs-backend-cpu registers its kernels on import, which its package.json calls side-effect free
  ignoreAnnotations: true,
  // bundled CommonJS packages call require
  banner: {
    js:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  logLevel: "error"
})

// The report reads each library's version from its package.json (packages/bench/src/internal/versions.ts).
const packageDir = (name: string): string => {
  let dir = path.dirname(require.resolve(name))
  while (readJson(path.join(dir, "package.json"))?.name !== name) {
    if (path.dirname(dir) === dir) {
      throw new Error(`deviceBundle: no package.json of ${name} above ${require.resolve(name)}`)
    }
    dir = path.dirname(dir)
  }
  return dir
}
const readJson = (file: string): { name?: string; version?: string } | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8"))
  } catch {
    return undefined
  }
}
for (
  const name of [
    "diffect",
    "effect",
    "@jax-js/jax",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm"
  ]
) {
  const dir = path.join(out, "node_modules", name)
  mkdirSync(dir, { recursive: true })
  const version = readJson(path.join(packageDir(name), "package.json"))?.version ?? "unknown"
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version, main: "index.js" }))
  writeFileSync(path.join(dir, "index.js"), "")
}

const xz = (from: string, to: string) => {
  const fd = openSync(to, "w")
  try {
    execFileSync("xz", ["-6", "-T2", "-c", from], { stdio: ["ignore", fd, "inherit"] })
  } finally {
    closeSync(fd)
  }
}
const webgpu = packageDir("webgpu")
const webgpuOut = path.join(out, "node_modules/webgpu")
mkdirSync(path.join(webgpuOut, "dist/linux-x64"), { recursive: true })
for (const file of ["index.js", "package.json"]) copyFileSync(path.join(webgpu, file), path.join(webgpuOut, file))
xz(path.join(webgpu, "dist/linux-x64/dawn.node"), path.join(out, "dawn.node.xz"))
xz(process.execPath, path.join(out, "node.xz"))
writeFileSync(
  path.join(out, "run.sh"),
  `#!/bin/bash
# Unpacks Node.js and Dawn (once), then runs "$@" in this folder with "node" on the PATH.
cd "$(dirname "$0")"
[ -x bin/node ] || python3 -c "import lzma, shutil, os
os.makedirs('bin', exist_ok=True)
shutil.copyfileobj(lzma.open('node.xz'), open('bin/node', 'wb'))
shutil.copyfileobj(lzma.open('dawn.node.xz'), open('node_modules/webgpu/dist/linux-x64/dawn.node', 'wb'))"
chmod +x bin/node
export PATH="$PWD/bin:$PATH" XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-/tmp}"
exec "$@"
`
)
console.log(
  `wrote ${path.relative(root, out)}: carry it, then run e.g. bash ${path.relative(root, out)}/run.sh node gpuCheck.js`
)
