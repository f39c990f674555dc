import { valueAndGrad } from "@diffect/ad"
import { Backend, np, withBackend } from "@diffect/core"
import type { ConcreteTensor, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { WebGpu, WebGpuBackend } from "../src/index.js"
import { collect, skipReason } from "./setup.js"

interface Params {
  readonly w1: Tensor
  readonly b1: Tensor
  readonly w2: Tensor
  readonly b2: Tensor
}

// A small MLP regressing y = sum(x) on 32 points: 8 -> 16 (tanh) -> 1.
const loss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h = np.tanh(np.add(np.matmul(x, p.w1), p.b1))
  const out = np.add(np.matmul(h, p.w2), p.b2)
  return np.mean(np.square(np.subtract(out, y)))
}

const fill = (n: number, seed: number, scale: number) =>
  Array.from({ length: n }, (_, k) => ((((k + seed) * 7919) % 101) / 101 - 0.5) * scale)

describe.skipIf(skipReason !== undefined)("WebGPU memory", () => {
  it.effect(
    "1,000 value-and-gradient steps of an MLP end with the live GPU memory they started with",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const ctx = yield* Layer.build(WebGpuBackend.layer)
        const backend = Context.get(ctx, Backend)
        const gpu = Context.get(ctx, WebGpu)
        const x = withBackend(backend, () => np.reshape(np.array(fill(32 * 8, 1, 2)), [32, 8]))
        const y = withBackend(backend, () => np.sum(x, { axis: 1, keepdims: true }))
        let params: Params = {
          w1: np.array(fill(8 * 16, 2, 0.5)),
          b1: np.zeros([16]),
          w2: np.array(fill(16, 3, 0.5)),
          b2: np.zeros([1])
        }
        params = withBackend(
          backend,
          () => ({ ...params, w1: np.reshape(params.w1, [8, 16]), w2: np.reshape(params.w2, [16, 1]) })
        )
        const lr = 0.05
        const step = Effect.fn("step")(function*() {
          const [value, g] = yield* Effect.provideService(valueAndGrad(loss)(params, x, y), Backend, backend)
          params = withBackend(backend, () => ({
            w1: np.subtract(params.w1, np.multiply(g.w1, lr)),
            b1: np.subtract(params.b1, np.multiply(g.b1, lr)),
            w2: np.subtract(params.w2, np.multiply(g.w2, lr)),
            b2: np.subtract(params.b2, np.multiply(g.b2, lr))
          }))
          return value
        })
        const readScalar = (t: Tensor) =>
          Effect.map(backend.read((t as ConcreteTensor).bufferFor(backend)!, t.aval), (d) => d[0]!)

        const first = yield* readScalar(yield* step())
        for (let i = 0; i < 4; i++) yield* step()
        gpu.flush()
        yield* collect
        const start = gpu.memory()

        let last: Tensor | undefined
        for (let i = 0; i < 1000; i++) last = yield* step()
        const final = yield* readScalar(last!)
        last = undefined
        gpu.flush()
        yield* collect
        const end = gpu.memory()

        assert.isBelow(final, first / 4, `loss ${first} -> ${final}`)
        assert.isAbove(start.buffers, 0)
        assert.deepStrictEqual(end, start)
      })),
    300_000
  )
})
