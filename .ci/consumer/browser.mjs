// Usage: node browser.mjs <bundle.js>. Serves the bundle on 127.0.0.1 (a secure context, so
// navigator.gpu exists), opens it in headless Chromium (playwright-core from the workspace's
// backend-webgpu dev dependencies) and checks the values the page reports.
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import { createRequire } from "node:module"

const require = createRequire(new URL("../../packages/backend-webgpu/package.json", import.meta.url))
const { chromium } = require("playwright-core")
const script = readFileSync(process.argv[2], "utf8")
const html = `<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>`
const server = createServer((req, res) => {
  if (req.url === "/page.js") res.writeHead(200, { "content-type": "text/javascript" }).end(script)
  else if (req.url === "/") res.writeHead(200, { "content-type": "text/html" }).end(html)
  else res.writeHead(404).end()
})
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium",
  headless: true,
  // Without --enable-unsafe-webgpu, CPU adapters (SwiftShader) are blocklisted.
  args: ["--no-sandbox", "--disable-gpu-sandbox", "--no-first-run", "--disable-quic", "--enable-unsafe-webgpu"]
})
let failed = true
try {
  const page = await browser.newPage()
  const logs = []
  page.on("console", (m) => logs.push(m.text()))
  page.on("pageerror", (e) => logs.push(String(e)))
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForFunction(() => globalThis.__diffect !== undefined, undefined, { timeout: 60_000 })
  const report = await page.evaluate(() => globalThis.__diffect)
  if (report.error !== undefined) throw new Error(`the page failed: ${report.error}\n${logs.join("\n")}`)
  const want = [0, 0.5, 1, 2].map((x) => Math.cos(x) * x + Math.sin(x))
  const close = (got) =>
    Array.isArray(got) && got.length === want.length && got.every((v, i) => Math.abs(v - want[i]) < 1e-4)
  console.log(`chromium cpu:    [${report.cpu.join(", ")}]`)
  console.log(`chromium webgpu: [${report.webgpu.join(", ")}] (${report.adapter})`)
  failed = !(close(report.cpu) && close(report.webgpu))
  if (failed) console.log(`expected [${want.join(", ")}]`)
} finally {
  await browser.close()
  server.close()
}
process.exit(failed ? 1 : 0)
