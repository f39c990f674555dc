/**
 * Large trigonometric arguments on WebGPU: the layer reduces them by Payne and Hanek's method
 * (exact over all float32) unless it runs on SwiftShader or is asked for Cody and Waite's
 * (`WebGpuOptions.trigReduction`; docs/numerics.md). The bounds are the device's, not the CPU's
 * (1, 1.01, 2.5 ulp): Dawn on Mesa's llvmpipe contracts and reassociates, which moves the
 * polynomials' roundings (its error-free sums are kept by `Kernel.barrier`); past 8192 it measured
 * 1.05, 1.10 and 2.70 ulp for sin, cos and tan (every 2^10-th bit pattern; 1.45, 1.48 and 3.17 before
 * the barriers).
 */
import { jit } from "@diffect/ad"
import { ArgumentError, Backend, np, toJs, withBackend } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { WebGpu, WebGpuBackend } from "../src/index.js"
import { loadNodeGpu } from "../src/internal/device.js"
import { trigReductionFor } from "../src/internal/runtime.js"
import { runOn as run, skipReason, ulps } from "./setup.js"

const services = <E>(layer: Layer.Layer<Backend | WebGpu, E>) =>
  Effect.map(Layer.build(layer), (ctx) => ({ backend: Context.get(ctx, Backend), gpu: Context.get(ctx, WebGpu) }))

/** Float32 arguments past 8192: a logarithmic sweep to the largest float, both signs, and known hard cases. */
const largeArguments = (): Float32Array => {
  const xs: Array<number> = []
  for (let i = 0; i <= 400; i++) xs.push(8192 * Math.pow(3.4e38 / 8192, i / 400))
  // near multiples of pi/2 (the reduction's cancellations), the largest float32, and cos(8.8e7) of session 35
  xs.push(8.8e7, 1e22, 3.4028234663852886e38, 16367173 * 2 ** 72, 13176795 * 2 ** 20, 6.2831853e6, 1.5707964e9)
  return Float32Array.from([...xs, ...xs.map((x) => -x)])
}

const maxUlps = (got: ReadonlyArray<number>, xs: Float32Array, f: (x: number) => number): number =>
  got.reduce((m, g, i) => Math.max(m, ulps(g, f(xs[i]!))), 0)

describe("trigReductionFor", () => {
  it("chooses Cody-Waite on SwiftShader only", () => {
    assert.strictEqual(trigReductionFor("google swiftshader"), "codyWaite")
    assert.strictEqual(trigReductionFor("Google SwiftShader Device (Subzero)"), "codyWaite")
    assert.strictEqual(trigReductionFor("mesa llvmpipe"), "payneHanek")
    assert.strictEqual(trigReductionFor("nvidia ampere NVIDIA GeForce RTX 3080"), "payneHanek")
    assert.strictEqual(trigReductionFor(""), "payneHanek")
  })

  it("layerWith refuses another value with an ArgumentError", () => {
    assert.throws(
      () => WebGpuBackend.layerWith({ trigReduction: "fast" as never }),
      ArgumentError,
      /trigReduction/
    )
  })
})

describe.skipIf(skipReason !== undefined)("large trigonometric arguments on WebGPU", () => {
  it.effect("the default layer (Dawn, not SwiftShader) reduces by Payne and Hanek: sin, cos, tan within 1.5, 1.5, 3 ulp", () =>
    Effect.scoped(Effect.gen(function*() {
      const { backend, gpu } = yield* services(WebGpuBackend.layer)
      assert.strictEqual(gpu.trigReduction, trigReductionFor(gpu.description))
      if (gpu.trigReduction !== "payneHanek") return
      assert.strictEqual(backend.trigReduction, "payneHanek")
      const xs = largeArguments()
      assert.isAtMost(maxUlps(yield* run(backend, np.sin, xs), xs, Math.sin), 1.5)
      assert.isAtMost(maxUlps(yield* run(backend, np.cos, xs), xs, Math.cos), 1.5)
      assert.isAtMost(maxUlps(yield* run(backend, np.tan, xs), xs, Math.tan), 3)
      // fused under jit: the same reduction inside a group (sin(x)^2 + cos(x)^2 = 1 within rounding)
      const pythagoras = jit((x: Tensor) => np.add(np.square(np.sin(x)), np.square(np.cos(x))))
      const x = withBackend(backend, () => np.array(xs))
      const one = (yield* toJs(yield* Effect.provideService(pythagoras(x), Backend, backend))) as Array<number>
      for (const v of one) assert.approximately(v, 1, 4e-7)
    })))

  it.effect("layerWith({ trigReduction: \"codyWaite\" }) builds the shorter reduction: the same bits up to 8192", () =>
    Effect.scoped(Effect.gen(function*() {
      const full = yield* services(WebGpuBackend.layerWith({ trigReduction: "payneHanek" }))
      const short = yield* services(WebGpuBackend.layerWith({ trigReduction: "codyWaite" }))
      assert.strictEqual(full.gpu.trigReduction, "payneHanek")
      assert.strictEqual(short.gpu.trigReduction, "codyWaite")
      assert.strictEqual(short.backend.trigReduction, "codyWaite")
      const small = Float32Array.from({ length: 257 }, (_, i) => -8192 + 64 * i + 0.37)
      for (const f of [np.sin, np.cos, np.tan]) {
        assert.deepStrictEqual(yield* run(short.backend, f, small), yield* run(full.backend, f, small))
      }
    })))

  it.effect("a layer over a given device describes it by its adapterInfo, and its reduction follows", () =>
    Effect.gen(function*() {
      const device = yield* Effect.promise(async () => {
        const adapter = await (await loadNodeGpu()).requestAdapter({ featureLevel: "compatibility" } as never)
        return adapter!.requestDevice()
      })
      const { gpu } = yield* Effect.scoped(services(WebGpuBackend.layerWith({ device })))
      const info = (device as { readonly adapterInfo?: GPUAdapterInfo }).adapterInfo
      const named = [info?.vendor, info?.architecture, info?.device, info?.description].find((part) => !!part)
      // (Dawn on Mesa names only its description: "OpenGL version OpenGL ES 3.2 Mesa ...")
      if (named !== undefined) assert.include(gpu.description, named)
      assert.strictEqual(gpu.trigReduction, trigReductionFor(gpu.description))
      device.destroy()
    }))
})
