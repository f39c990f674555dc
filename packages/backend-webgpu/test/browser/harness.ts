/**
 * Runs the browser page (page.ts) in headless Chromium: bundles it with
 * esbuild, serves it from node:http on 127.0.0.1 (a secure context, so
 * `navigator.gpu` exists), opens it with playwright-core and waits for its report.
 */
import { build } from "esbuild"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import type { BrowserReport } from "./protocol.js"

/** Debian's Chromium (apt-get install chromium). */
export const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/lib/chromium/chromium"

/** Whether Chromium is installed here. */
export const hasChromium = (): boolean => existsSync(chromiumPath)

// `--enable-unsafe-webgpu` is what WebGPU needs: without it CPU adapters
// (SwiftShader here) are blocklisted and requestAdapter() gives null.
const flags = [
  "--no-sandbox",
  "--disable-gpu-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--enable-unsafe-webgpu"
]

/** Bundles the page for the browser (nothing of Dawn's Node bindings gets in). */
export const bundlePage = async (): Promise<string> => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent"
  })
  return result.outputFiles[0]!.text
}

/** Serves the bundle, runs it in Chromium and returns the page's report. */
export const runInChromium = async (script: string, timeoutMs: number): Promise<BrowserReport> => {
  const html =
    `<!doctype html><meta charset="utf-8"><title>diffect webgpu</title><script type="module" src="/page.js"></script>`
  const server = createServer((req, res) => {
    if (req.url === "/page.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script)
    } else if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(html)
    } else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const profile = mkdtempSync(join(tmpdir(), "diffect-chromium-"))
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: flags })
  try {
    const page = await browser.newPage()
    const logs: Array<string> = []
    page.on("console", (m) => logs.push(m.text()))
    page.on("pageerror", (e) => logs.push(String(e)))
    await page.goto(`http://127.0.0.1:${port}/`)
    await page.waitForFunction(() => (globalThis as { __diffect?: unknown }).__diffect !== undefined, undefined, {
      timeout: timeoutMs
    })
    const report = await page.evaluate(() => (globalThis as { __diffect?: unknown }).__diffect) as
      | BrowserReport
      | { error: string }
    if ("error" in report) throw new Error(`the page failed: ${report.error}\n${logs.join("\n")}`)
    return report
  } finally {
    await browser.close()
    await new Promise((resolve) => server.close(resolve))
    rmSync(profile, { recursive: true, force: true })
  }
}
