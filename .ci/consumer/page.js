// Bundled with esbuild from the installed tarballs (platform browser) and run in headless
// Chromium (browser.mjs): the same gradient on the CPU (runSync) and on WebGPU (navigator.gpu).
import { grad, np, runSync, toJs, toJsSync, WebGpu, WebGpuBackend } from "diffect"
import { Effect } from "effect"

const xs = [0, 0.5, 1, 2]
const f = (x) => np.sum(np.multiply(np.sin(x), x))
const cpu = toJsSync(runSync(grad(f)(np.array(xs))))
const onGpu = Effect.gen(function*() {
  const gpu = yield* WebGpu
  const g = yield* grad(f)(np.array(xs))
  return { adapter: gpu.description, values: yield* toJs(g) }
}).pipe(Effect.provide(WebGpuBackend.layer))
const publish = (report) => {
  globalThis.__diffect = report
}
Effect.runPromise(onGpu).then(
  ({ adapter, values }) => publish({ cpu, webgpu: values, adapter }),
  (e) => publish({ error: String(e) })
)
