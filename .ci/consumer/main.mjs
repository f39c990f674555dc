// Plain `node` on the installed tarballs: a gradient, its value checked by hand.
// d/dx sum(sin(x) * x) = cos(x) * x + sin(x).
import { grad, np, runSync, toJsSync } from "diffect"

const f = (x) => np.sum(np.multiply(np.sin(x), x))
const xs = [0, 0.5, 1, 2]
const g = toJsSync(runSync(grad(f)(np.array(xs))))
const want = xs.map((x) => Math.cos(x) * x + Math.sin(x))
const ok = g.length === want.length && g.every((v, i) => Math.abs(v - want[i]) < 1e-5)
console.log(`node ${process.version}: grad = [${g.join(", ")}], expected [${want.join(", ")}]`)
// Printing, as JAX does.
console.log(String(np.array([1, 2])))
if (!ok || String(np.array([1, 2])) !== "Array([1., 2.], dtype=float32)") process.exit(1)

// Internal modules are not importable (exports maps ./internal/* to null).
try {
  await import("@diffect/core/internal/methods")
  console.log("@diffect/core/internal/methods was importable")
  process.exit(1)
} catch (e) {
  if (e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e
}
// Without the optional peer `webgpu`, the WebGPU layer fails with WebGpuUnavailableError.
const { Effect } = await import("effect")
const { WebGpuBackend } = await import("diffect")
const failure = await Effect.runPromise(
  Effect.flip(Effect.scoped(Effect.asVoid(Effect.provide(Effect.void, WebGpuBackend.layer))))
)
console.log(`${failure._tag}: ${failure.message}`)
const install = "is not installed: run `npm i webgpu`"
if (failure._tag !== "WebGpuUnavailableError" || failure.message.split(install).length !== 2) process.exit(1)
