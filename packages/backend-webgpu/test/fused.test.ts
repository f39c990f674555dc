/**
 * jit on WebGPU: one shader per fusion group (compileFused), checked against
 * eager execution on the same device, with the dispatches and submits of each
 * call counted (the layer's `stats`).
 */
import { jit, valueAndGrad } from "@diffect/ad"
import { Backend, lax, Memory, np, toJs, withBackend } from "@diffect/core"
import type { ConcreteTensor, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer } from "effect"
import { WebGpu, WebGpuBackend } from "../src/index.js"
import { loadNodeGpu } from "../src/internal/device.js"
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

  it.effect("reduction roots: rows, long rows (chunk partials), columns, several roots", () =>
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
        ["leading axis (a thread per column)", (x) => [np.sum(np.square(x), { axis: 0 }), np.exp(x)], [40, 6], 1],
        ["leading axes", (x) => np.max(np.sin(x), { axis: [0, 1] }), [4, 5, 6], 1],
        ["a long leading axis (the reduction kernel's tree)", (x) => np.sum(np.square(x), { axis: 0 }), [3000, 3], 3]
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

  it.effect("a product and its epilogue are one shader: tanh(x @ w + b), and the MLP's value and gradient", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const layerFn = (x: Tensor, w: Tensor, b: Tensor) => np.tanh(np.add(np.matmul(x, w), b))
      // sizes that are not multiples of the tile (edges), and a transposed operand read in place
      const x = withBackend(backend, () => np.reshape(np.array(fill(37 * 70, 1, 2)), [37, 70]))
      const w = withBackend(backend, () => np.reshape(np.array(fill(70 * 45, 2, 0.4)), [70, 45]))
      const b = withBackend(backend, () => np.array(fill(45, 3)))
      const jitted = jit(layerFn)
      const eager = yield* toJs(withBackend(backend, () => layerFn(x, w, b)))
      yield* Effect.provideService(jitted(x, w, b), Backend, backend)
      gpu.flush()
      const before = gpu.stats().dispatches
      const y = yield* Effect.provideService(jitted(x, w, b), Backend, backend)
      assert.strictEqual(gpu.stats().dispatches - before, 1, "the product and its epilogue: one dispatch")
      close(yield* toJs(y), eager, 1e-5, 1e-6)
      const lowered = yield* Effect.provideService(jitted.lower(x, w, b), Backend, backend)
      assert.include(lowered.text, "dot_general")
      const two = jit((w: Tensor, x: Tensor) => {
        const p = np.matmul(np.transpose(w), np.transpose(x))
        return [np.exp(np.negative(p)), np.greater(p, 0)]
      })
      const [e1, e2] = (yield* toJs(withBackend(backend, () => {
        const p = np.matmul(np.transpose(w), np.transpose(x))
        return [np.exp(np.negative(p)), np.greater(p, 0)]
      }))) as [unknown, unknown]
      const [t1, t2] = yield* Effect.provideService(two(w, x), Backend, backend)
      close(yield* toJs(t1!), e1, 1e-5, 1e-6)
      assert.deepStrictEqual(yield* toJs(t2!), e2)

      // The MLP's value and gradient: products with bias+tanh epilogues, and with reduction
      // roots (bias gradients: the product into scratch, then the epilogue's shader), equal eager.
      const mlp = (p: { w1: Tensor; b1: Tensor; w2: Tensor }, x: Tensor) =>
        np.mean(np.square(np.matmul(np.tanh(np.add(np.matmul(x, p.w1), p.b1)), p.w2)))
      const params = withBackend(backend, () => ({
        w1: np.reshape(np.array(fill(70 * 33, 4, 0.5)), [70, 33]),
        b1: np.array(fill(33, 5)),
        w2: np.reshape(np.array(fill(33 * 9, 6, 0.5)), [33, 9])
      }))
      const [ve, ge] = yield* Effect.provideService(valueAndGrad(mlp)(params, x), Backend, backend)
      const [vj, gj] = yield* Effect.provideService(jit(valueAndGrad(mlp))(params, x), Backend, backend)
      close(yield* toJs(vj), yield* toJs(ve), 1e-5, 1e-6)
      for (const k of ["w1", "b1", "w2"] as const) close(yield* toJs(gj[k]), yield* toJs(ge[k]), 1e-4, 1e-6)
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

  it.effect("pool and bind groups: after warm-up a compiled step and its read create no buffer and no bind group", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const f = (x: Tensor, b: Tensor) => {
        const h = np.tanh(np.add(x, b))
        return [np.sum(np.multiply(h, h), { axis: 1 }), np.exp(np.negative(h))]
      }
      const x = withBackend(backend, () => np.reshape(np.array(fill(64 * 300, 1)), [64, 300]))
      const b = withBackend(backend, () => np.array(fill(300, 2)))
      const g = jit(f)
      // each call's result is read back (its mappable buffer is pooled too)
      const call = Memory.scoped(
        Effect.asVoid(Effect.flatMap(Effect.provideService(g(x, b), Backend, backend), ([s]) => toJs(s!)))
      )
      for (let i = 0; i < 3; i++) yield* call
      gpu.flush()
      const before = gpu.stats()
      for (let i = 0; i < 20; i++) yield* call
      gpu.flush()
      const after = gpu.stats()
      assert.strictEqual(after.buffersCreated, before.buffersCreated)
      assert.strictEqual(after.bindGroupsCreated, before.bindGroupsCreated)
      assert.isAbove(after.pooledBuffers, 0)
      assert.strictEqual(after.dispatches - before.dispatches, 20)
      // still correct after the buffers went round the pool
      const [s, e] = yield* Effect.provideService(g(x, b), Backend, backend)
      const [se, ee] = yield* toJs(withBackend(backend, () => f(x, b)))
      close(yield* toJs(s), se, 1e-5)
      close(yield* toJs(e), ee)
    })))

  it.effect("closing the layer's scope destroys every buffer it created, pooled ones included", () =>
    Effect.gen(function*() {
      const adapter = yield* Effect.promise(() =>
        loadNodeGpu().then((gpu) => gpu.requestAdapter({ featureLevel: "compatibility" } as never))
      )
      const device = yield* Effect.promise(() =>
        adapter!.requestDevice({
          requiredLimits: {
            maxComputeWorkgroupSizeX: adapter!.limits.maxComputeWorkgroupSizeX,
            maxComputeInvocationsPerWorkgroup: adapter!.limits.maxComputeInvocationsPerWorkgroup,
            maxStorageBuffersPerShaderStage: adapter!.limits.maxStorageBuffersPerShaderStage
          }
        })
      )
      // every buffer the backend creates, and whether it was destroyed
      const created: Array<{ destroyed: boolean }> = []
      const createBuffer = device.createBuffer.bind(device)
      device.createBuffer = (descriptor: GPUBufferDescriptor) => {
        const buffer = createBuffer(descriptor)
        const record = { destroyed: false }
        created.push(record)
        const destroy = buffer.destroy.bind(buffer)
        buffer.destroy = () => {
          record.destroyed = true
          destroy()
        }
        return buffer
      }
      const stats = yield* Effect.scoped(Effect.gen(function*() {
        const ctx = yield* Layer.build(WebGpuBackend.layerWith({ device }))
        const backend = Context.get(ctx, Backend)
        const gpu = Context.get(ctx, WebGpu)
        const g = jit((x: Tensor) => [np.sum(np.sin(x)), np.cos(x)])
        const x = withBackend(backend, () => np.array(fill(3000, 4)))
        for (let i = 0; i < 4; i++) {
          yield* Memory.scoped(Effect.asVoid(Effect.provideService(g(x), Backend, backend)))
        }
        const y = yield* Effect.provideService(g(x), Backend, backend)
        assert.strictEqual(yield* toJs(y[1]).pipe(Effect.map((v) => (v as Array<number>).length)), 3000)
        return gpu.stats()
      }))
      assert.isAbove(stats.pooledBuffers, 0)
      assert.isAbove(created.length, 2)
      assert.deepStrictEqual(created.filter((c) => !c.destroyed).length, 0)
      device.destroy()
    }))

  it.effect("donation: the update writes into the donated input's GPU buffer, and the input is consumed", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services
      const update = (w: Tensor, g: Tensor) => np.subtract(w, np.multiply(g, 0.5))
      const step = jit(update, { donateArgnums: 0 })
      const g = withBackend(backend, () => np.array(fill(1000, 7)))
      // a computed tensor owns its buffer (an np.array's upload belongs to its host data)
      let w: Tensor = withBackend(backend, () => np.multiply(np.array(fill(1000, 8)), 1))
      let expected = (yield* toJs(w)) as Array<number>
      const gv = (yield* toJs(g)) as Array<number>
      for (let i = 0; i < 5; i++) {
        const storage = ((w as ConcreteTensor).buffer as unknown as { storage: unknown }).storage
        gpu.flush()
        const before = gpu.stats()
        const next = yield* Effect.provideService(step(w, g), Backend, backend)
        gpu.flush()
        const after = gpu.stats()
        // the output is the donated storage, written in place by the one fused dispatch
        assert.strictEqual(((next as ConcreteTensor).buffer as unknown as { storage: unknown }).storage, storage)
        assert.strictEqual(after.dispatches - before.dispatches, 1)
        // after the first call (compilation, uploads): no buffer created
        if (i > 0) assert.strictEqual(after.buffersCreated, before.buffersCreated)
        const used = yield* Effect.exit(toJs(w))
        assert.isTrue(Exit.isFailure(used))
        assert.match(String(Exit.isFailure(used) ? used.cause : ""), /donateArgnums/)
        expected = expected.map((v, k) => Math.fround(v - Math.fround(gv[k]! * 0.5)))
        w = next
        close(yield* toJs(w), expected, 0, 0)
      }
      // an aliased tensor (shared storage) is not overwritten: the call allocates
      const shared = withBackend(backend, () => np.multiply(np.array(fill(1000, 9)), 1))
      const view = withBackend(backend, () => np.reshape(shared, [10, 100]))
      const out = yield* Effect.provideService(step(shared, g), Backend, backend)
      assert.notStrictEqual(
        ((out as ConcreteTensor).buffer as unknown as { storage: unknown }).storage,
        ((view as ConcreteTensor).buffer as unknown as { storage: unknown }).storage
      )
      close(yield* toJs(view), fill(1000, 9).map(Math.fround), 0, 0)
    })))

  it.effect(
    "a group too large for one shader runs in stages (the 60-step sin chain's value and gradient)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { backend, gpu } = yield* services
        const chain = (x: Tensor) => {
          let y = x
          for (let i = 0; i < 60; i++) y = np.add(y, np.multiply(0.01, np.sin(y)))
          return np.sum(y)
        }
        const x = withBackend(backend, () => np.multiply(np.array(fill(1000, 11, 4)), 1))
        const [ve, ge] = yield* Effect.provideService(valueAndGrad(chain)(x), Backend, backend)
        const g = jit(valueAndGrad(chain))
        yield* Effect.provideService(g(x), Backend, backend)
        gpu.flush()
        const before = gpu.stats()
        const [v, dx] = yield* Effect.provideService(g(x), Backend, backend)
        gpu.flush()
        const after = gpu.stats()
        // one group (the value's sum is its root), cut into stages: several dispatches, one submit
        assert.isAbove(after.dispatches - before.dispatches, 1)
        assert.strictEqual(after.submits - before.submits, 1)
        close(yield* toJs(v), yield* toJs(ve), 1e-5)
        close(yield* toJs(dx), yield* toJs(ge), 1e-5, 1e-5)
      })),
    120_000
  )
})
