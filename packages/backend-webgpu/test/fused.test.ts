/**
 * jit on WebGPU: one shader per fusion group (compileFused), checked against
 * eager execution on the same device, with the dispatches and submits of each
 * call counted (the layer's `stats`).
 */
import { jit, valueAndGrad } from "@diffect/ad"
import { Backend, lax, np, toJs, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { WebGpu, WebGpuBackend } from "../src/index.js"
import { skipReason } from "./setup.js"

const services = Effect.map(
  Layer.build(WebGpuBackend.layer),
  (ctx) => ({ backend: Context.get(ctx, Backend), gpu: Context.get(ctx, WebGpu) })
)

const fill = (n: number, seed: number, scale = 1) =>
  Array.from({ length: n }, (_, k) => ((((k + seed) * 7919) % 101) / 101 - 0.5) * scale)

const flat = (x: unknown): Array<number> =>
  Array.isArray(x)
    ? x.flatMap(flat)
    : typeof x === "boolean"
    ? [x ? 1 : 0]
    : typeof x === "object" && x !== null
    ? [(x as { re: number }).re, (x as { im: number }).im]
    : [x as number]

/** Asserts |a - b| <= atol + rtol |b| elementwise (NaN equal to NaN). */
const close = (a: unknown, b: unknown, rtol = 2e-6, atol = 1e-6) => {
  const x = flat(a)
  const y = flat(b)
  assert.strictEqual(x.length, y.length)
  x.forEach((v, i) => {
    const w = y[i]!
    if (Number.isNaN(w)) assert.isTrue(Number.isNaN(v), `element ${i}: ${v} vs NaN`)
    else assert.isAtMost(Math.abs(v - w), atol + rtol * Math.abs(w), `element ${i}: ${v} vs ${w}`)
  })
}

describe.skipIf(skipReason !== undefined)("jit on WebGPU (fused shaders)", () => {
  it.effect("an elementwise chain with a broadcast input is one dispatch, equal to eager", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const f = (x: Tensor, b: Tensor) => np.tanh(np.add(np.multiply(np.sin(x), 2), b))
      const x = withBackend(backend, () => np.reshape(np.array(fill(24 * 40, 1, 8)), [24, 40]))
      const b = withBackend(backend, () => np.array(fill(40, 2)))
      const eager = yield* toJs(withBackend(backend, () => f(x, b)))
      const g = jit(f)
      const warm = yield* Effect.provideService(g(x, b), Backend, backend)
      close(yield* toJs(warm), eager)
      gpu.flush()
      const before = gpu.stats()
      const y = yield* Effect.provideService(g(x, b), Backend, backend)
      gpu.flush()
      const after = gpu.stats()
      assert.strictEqual(after.dispatches - before.dispatches, 1)
      assert.strictEqual(after.submits - before.submits, 1)
      close(yield* toJs(y), eager)
      const lowered = yield* Effect.provideService(g.lower(x, b), Backend, backend)
      assert.include(lowered.text, "sin")
    })))

  it.effect("reduction roots: rows, long rows (chunk partials), leading axes, several roots", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const cases: ReadonlyArray<
        [string, (x: Tensor) => Tensor | ReadonlyArray<Tensor>, ReadonlyArray<number>, number]
      > = [
        [
          "softmax-like rows",
          (x) => {
            const e = np.exp(x)
            return [np.sum(e, { axis: 1 }), np.max(np.multiply(x, x), { axis: 1 }), e]
          },
          [33, 17],
          1
        ],
        ["one long row", (x) => np.sum(np.tanh(x)), [5000], 2],
        ["min over the last two axes", (x) => np.min(np.cos(x), { axis: [1, 2] }), [3, 70, 9], 1],
        ["leading axis", (x) => np.sum(np.square(x), { axis: 0 }), [40, 6], 2]
      ]
      for (const [name, f, shape, dispatches] of cases) {
        const n = shape.reduce((a, b) => a * b, 1)
        const x = withBackend(backend, () => np.reshape(np.array(fill(n, n, 4)), shape))
        const eager = yield* toJs(withBackend(backend, () => f(x)))
        const g = jit(f)
        yield* Effect.provideService(g(x), Backend, backend)
        gpu.flush()
        const before = gpu.stats().dispatches
        const y = yield* Effect.provideService(g(x), Backend, backend)
        assert.strictEqual(gpu.stats().dispatches - before, dispatches, name)
        close(yield* toJs(y), eager, 1e-5, 1e-5)
      }
    })))

  it.effect("B3: the value and gradient of sum(tanh(x)) over 1M elements are two dispatches", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const n = 2 ** 20
      const f = (x: Tensor) => np.sum(np.tanh(x))
      const x = withBackend(backend, () => np.array(fill(n, 3, 6)))
      const [ve, ge] = yield* Effect.provideService(valueAndGrad(f)(x), Backend, backend)
      const g = jit(valueAndGrad(f))
      yield* Effect.provideService(g(x), Backend, backend)
      gpu.flush()
      const before = gpu.stats()
      const [v, dx] = yield* Effect.provideService(g(x), Backend, backend)
      gpu.flush()
      const after = gpu.stats()
      assert.strictEqual(after.dispatches - before.dispatches, 2)
      assert.strictEqual(after.submits - before.submits, 1)
      close(yield* toJs(v), yield* toJs(ve), 1e-5)
      close(yield* toJs(dx), yield* toJs(ge))
    })))

  it.effect("more inputs and outputs than the device binds are packed into one buffer each way", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const k = gpu.limits.maxStorageBuffersPerShaderStage + 2
      const xs = withBackend(backend, () => Array.from({ length: k }, (_, i) => np.array(fill(50, i, 3))))
      // every partial sum is returned: k inputs and k outputs in one group
      const f = (...ts: Array<Tensor>) => {
        const outs: Array<Tensor> = []
        let acc = np.sin(ts[0]!)
        outs.push(acc)
        for (const t of ts.slice(1)) {
          acc = np.add(acc, np.multiply(t, t))
          outs.push(acc)
        }
        return outs
      }
      const eager = yield* toJs(withBackend(backend, () => f(...xs)))
      const y = yield* Effect.provideService(jit(f)(...xs), Backend, backend)
      close(yield* toJs(y), eager)
    })))

  it.effect("int32, bool and complex64 values in one group", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend } = yield* services
      const f = (i: Tensor, x: Tensor) => {
        const z = np.multiply(lax.complex(x, np.sin(x)), lax.complex(np.exp(x), x))
        return [np.remainder(np.multiply(i, 7), 5), np.greater(x, 0.1), z, np.abs(z)]
      }
      const i = withBackend(backend, () => np.array([-7, -3, 0, 2, 9, 11], { dtype: "int32" }))
      const x = withBackend(backend, () => np.array(fill(6, 5, 2)))
      const eager = yield* toJs(withBackend(backend, () => f(i, x)))
      const y = yield* Effect.provideService(jit(f)(i, x), Backend, backend)
      close(yield* toJs(y), eager)
    })))
})
