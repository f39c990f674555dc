/**
 * Benchmark (not a test): one value-and-gradient step of a small MLP (8-16-1 on
 * 32 rows) plus its SGD update, on the typed-array and WebGPU backends; reports
 * the time per step and per primitive.
 * Run: `pnpm exec tsx packages/backend-webgpu/bench/mlp.ts`.
 */
import { valueAndGrad } from "@diffect/ad"
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend, np, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { Context, Effect, Layer } from "effect"
import { WebGpuBackend } from "../src/index.js"
process.env["EGL_PLATFORM"] ??= "surfaceless"
interface Params {
  readonly w1: Tensor
  readonly b1: Tensor
  readonly w2: Tensor
  readonly b2: Tensor
}
const loss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h = np.tanh(np.add(np.matmul(x, p.w1), p.b1))
  return np.mean(np.square(np.subtract(np.add(np.matmul(h, p.w2), p.b2), y)))
}
const run = (layer: Layer.Layer<Backend, unknown>, name: string) =>
  Effect.scoped(Effect.gen(function*() {
    const backend = Context.get(yield* Layer.build(layer), Backend)
    let dispatches = 0
    const exec = backend.execute
    ;(backend as { execute: typeof exec }).execute = ((...a: Parameters<typeof exec>) => {
      dispatches++
      return exec(...a)
    }) as typeof exec
    const counting = backend
    const x = withBackend(counting, () => np.reshape(np.arange(256), [32, 8]))
    const y = withBackend(counting, () => np.sum(x, { axis: 1, keepdims: true }))
    let params: Params = withBackend(
      counting,
      () => ({
        w1: np.multiply(np.ones([8, 16]), 0.01),
        b1: np.zeros([16]),
        w2: np.multiply(np.ones([16, 1]), 0.01),
        b2: np.zeros([1])
      })
    )
    const step = Effect.gen(function*() {
      const [value, g] = yield* Effect.provideService(valueAndGrad(loss)(params, x, y), Backend, counting)
      params = withBackend(
        counting,
        () => ({
          w1: np.subtract(params.w1, np.multiply(g.w1, 0.001)),
          b1: np.subtract(params.b1, np.multiply(g.b1, 0.001)),
          w2: np.subtract(params.w2, np.multiply(g.w2, 0.001)),
          b2: np.subtract(params.b2, np.multiply(g.b2, 0.001))
        })
      )
      return value
    })
    for (let i = 0; i < 20; i++) yield* step
    dispatches = 0
    const t0 = performance.now()
    for (let i = 0; i < 200; i++) yield* step
    const ms = (performance.now() - t0) / 200
    console.log(
      `${name}: ${ms.toFixed(2)} ms/step, ${dispatches / 200} primitives/step, ${
        (ms * 1000 / (dispatches / 200)).toFixed(1)
      } us/primitive`
    )
  }))
await Effect.runPromise(run(TypedArrayBackend.layer, "typed-array"))
await Effect.runPromise(run(WebGpuBackend.layer, "webgpu (llvmpipe)"))
