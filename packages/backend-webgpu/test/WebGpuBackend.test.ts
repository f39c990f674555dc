import { Backend, BackendError, ConcreteTensor, lax, np, toJs, UnsupportedDTypeError, withBackend } from "@diffect/core"
import type { BackendShape, Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer } from "effect"
import { WebGpu, WebGpuBackend, WebGpuUnavailableError } from "../src/index.js"
import { loadNodeGpu } from "../src/internal/device.js"
import { skipReason } from "./setup.js"

const read = (backend: BackendShape, t: Tensor) =>
  Effect.map(backend.read((t as ConcreteTensor).bufferFor(backend)!, t.aval), (data) => Array.from(data))

// Builds a layer in the current scope and returns its services.
const services = <E>(layer: Layer.Layer<Backend | WebGpu, E>) =>
  Effect.map(Layer.build(layer), (ctx) => ({ backend: Context.get(ctx, Backend), gpu: Context.get(ctx, WebGpu) }))

const ownDevice = Effect.promise(async () => {
  const adapter = await (await loadNodeGpu()).requestAdapter({ featureLevel: "compatibility" } as never)
  return adapter!.requestDevice()
})

describe.skipIf(skipReason !== undefined)("WebGpuBackend layer", () => {
  it.effect("computes, then releases every buffer when its scope closes; the next layer reuses the idle device", () =>
    Effect.gen(function*() {
      const { backend, gpu } = yield* Effect.scoped(Effect.gen(function*() {
        const { backend, gpu } = yield* services(WebGpuBackend.layer)
        const y = withBackend(backend, () => np.multiply(np.array([1, 2, 3]), 2))
        assert.deepStrictEqual(yield* read(backend, y), [2, 4, 6])
        assert.isAbove(gpu.memory().buffers, 0)
        assert.isAbove(gpu.memory().bytes, 0)
        return { backend, gpu }
      }))
      assert.deepStrictEqual(gpu.memory(), { buffers: 0, bytes: 0 })
      // the default device is pooled, not destroyed: a new device costs native memory Dawn keeps
      const next = yield* Effect.scoped(Effect.gen(function*() {
        const { backend, gpu } = yield* services(WebGpuBackend.layer)
        const y = withBackend(backend, () => np.add(np.array([1, 2]), 1))
        assert.deepStrictEqual(yield* read(backend, y), [2, 3])
        return gpu.device
      }))
      assert.strictEqual(next, gpu.device)
      // The backend refuses work after its scope closed: a typed error, not a crash.
      const failure = yield* Effect.flip(
        Effect.try({ try: () => withBackend(backend, () => lax.neg(np.array([1]))), catch: (e) => e })
      )
      assert.instanceOf(failure, BackendError)
    }))

  it.effect("layerWith({ device }) frees its buffers but leaves the device to its owner", () =>
    Effect.gen(function*() {
      const device = yield* ownDevice
      const gpu = yield* Effect.scoped(Effect.gen(function*() {
        const { backend, gpu } = yield* services(WebGpuBackend.layerWith({ device }))
        const y = withBackend(backend, () => np.sum(np.array([[1, 2], [3, 4]]), { axis: 0 }))
        assert.deepStrictEqual(yield* read(backend, y), [4, 6])
        return gpu
      }))
      assert.deepStrictEqual(gpu.memory(), { buffers: 0, bytes: 0 })
      // Still usable by its owner.
      const again = yield* Effect.scoped(Effect.gen(function*() {
        const { backend } = yield* services(WebGpuBackend.layerWith({ device }))
        return yield* read(backend, withBackend(backend, () => np.add(np.array([1]), 1)))
      }))
      assert.deepStrictEqual(again, [2])
      device.destroy()
    }))

  it.effect("layerWith({ adapter }) and layerWith({ gpu })", () =>
    Effect.gen(function*() {
      const gpuInstance = yield* Effect.promise(loadNodeGpu)
      const adapter = yield* Effect.promise(() =>
        gpuInstance.requestAdapter({ featureLevel: "compatibility" } as never)
      )
      for (
        const layer of [WebGpuBackend.layerWith({ adapter: adapter! }), WebGpuBackend.layerWith({ gpu: gpuInstance })]
      ) {
        const out = yield* Effect.scoped(Effect.gen(function*() {
          const { backend, gpu } = yield* services(layer)
          assert.isAtLeast(gpu.limits.maxStorageBufferBindingSize, 1 << 20)
          return yield* read(backend, withBackend(backend, () => np.matmul(np.array([[1, 2]]), np.array([[3], [4]]))))
        }))
        assert.deepStrictEqual(out, [11])
      }
    }))

  it.effect("no adapter: the layer fails with WebGpuUnavailableError", () =>
    Effect.gen(function*() {
      const noAdapter = { requestAdapter: () => Promise.resolve(null) } as unknown as GPU
      const error = yield* Effect.flip(Effect.scoped(Layer.build(WebGpuBackend.layerWith({ gpu: noAdapter }))))
      assert.instanceOf(error, WebGpuUnavailableError)
      assert.include(error.message, "returned null")
      const refusing = {
        requestDevice: () => Promise.reject(new Error("limits exceeded")),
        limits: {},
        info: {}
      } as unknown as GPUAdapter
      const deviceError = yield* Effect.flip(Effect.scoped(Layer.build(WebGpuBackend.layerWith({ adapter: refusing }))))
      assert.instanceOf(deviceError, WebGpuUnavailableError)
      assert.include(deviceError.message, "limits exceeded")
    }))

  it.effect("float64 and complex128 are refused with UnsupportedDTypeError, never downcast", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend } = yield* services(WebGpuBackend.layer)
      assert.isFalse(backend.supportsDType("float64"))
      assert.isTrue(backend.supportsDType("complex64"))
      const upload = yield* Effect.flip(Effect.try({
        try: () => withBackend(backend, () => np.add(np.array([1, 2], { dtype: "float64" }), 1)),
        catch: (e) => e
      }))
      assert.instanceOf(upload, UnsupportedDTypeError)
      const compute = yield* Effect.flip(Effect.try({
        try: () => withBackend(backend, () => lax.convertElementType(np.array([1, 2]), "complex128")),
        catch: (e) => e
      }))
      assert.instanceOf(compute, UnsupportedDTypeError)
      assert.include((compute as UnsupportedDTypeError).message, "complex128")
    })))

  it.effect("a tensor larger than the device's maxStorageBufferBindingSize is a BackendError", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services(WebGpuBackend.layer)
      const elements = Math.floor(gpu.limits.maxStorageBufferBindingSize / 4) + 1
      const error = yield* Effect.flip(Effect.try({
        try: () => withBackend(backend, () => lax.broadcastInDim(np.array(0), [elements], [])),
        catch: (e) => e
      }))
      assert.instanceOf(error, BackendError)
      assert.include((error as BackendError).message, "maxStorageBufferBindingSize")
      // The backend keeps working afterwards.
      assert.deepStrictEqual(yield* read(backend, withBackend(backend, () => np.add(np.array([1]), 1))), [2])
    })))

  it.effect("device lost mid-run: typed BackendError, and the scope still closes", () =>
    Effect.gen(function*() {
      const device = yield* ownDevice
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        const { backend } = yield* services(WebGpuBackend.layerWith({ device }))
        const x = withBackend(backend, () => np.add(np.array([1, 2]), 1))
        assert.deepStrictEqual(yield* read(backend, x), [2, 3])
        device.destroy()
        yield* Effect.promise(() => device.lost)
        const op = yield* Effect.flip(
          Effect.try({ try: () => withBackend(backend, () => np.add(x, 1)), catch: (e) => e })
        )
        assert.instanceOf(op, BackendError)
        assert.include((op as BackendError).message, "device lost")
        const readback = yield* Effect.flip(read(backend, x))
        assert.instanceOf(readback, BackendError)
      })))
      assert.isTrue(Exit.isSuccess(exit))
    }))

  it.effect("toJs reads a pytree of WebGPU tensors (concurrent readbacks)", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend } = yield* services(WebGpuBackend.layer)
      const tree = withBackend(backend, () => ({
        m: np.multiply(np.array([[1, 2], [3, 4]]), 2),
        flags: np.greater(np.array([1, 5]), 2),
        z: np.multiply(np.array([{ re: 1, im: 2 }]), np.array([{ re: 0, im: 1 }])),
        n: 3
      }))
      const js = yield* toJs(tree)
      assert.deepStrictEqual(js, { m: [[2, 4], [6, 8]], flags: [false, true], z: [{ re: -2, im: 1 }], n: 3 })
    })))

  it.effect("batches beyond one submission keep their order", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend } = yield* services(WebGpuBackend.layer)
      // 600 dispatches in one synchronous section: more than one batch of parameter slots.
      const y = withBackend(backend, () => {
        let x = np.zeros([5])
        for (let i = 0; i < 600; i++) x = np.add(x, 1)
        return x
      })
      assert.deepStrictEqual(yield* read(backend, y), [600, 600, 600, 600, 600])
    })))

  it.effect("grids beyond 65535 workgroups per dimension", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services(WebGpuBackend.layer)
      // More elements than one grid dimension of 256-thread workgroups covers.
      const n = gpu.limits.maxComputeWorkgroupsPerDimension * 256 + 1000
      const [total, last] = withBackend(backend, () => {
        const y = np.multiply(np.ones([n]), 3)
        return [np.sum(np.divide(y, 3)), lax.slice(y, [n - 2], [n])]
      })
      assert.deepStrictEqual(yield* read(backend, total!), [n])
      assert.deepStrictEqual(yield* read(backend, last!), [3, 3])
    })), 120_000)
})
