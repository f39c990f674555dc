/**
 * A check for a machine with a real GPU (run there from the bundle of `deviceBundle.ts`): random
 * programs (the generator of backend-webgpu's fused.property test) under `jit` on the WebGPU
 * device, against eager on the same device and `jit` on the CPU, within 1e-5; then the B1 MLP
 * step's value and gradients, eager and jitted on the device, against the CPU. Prints the
 * adapter, a line per part, and exits 1 on the first disagreement. `RUNS` sets the number of
 * programs (default 400).
 */
import { agree, caseArbitrary, caseArgs, flat, program } from "@diffect/test-utils/RandomPrograms"
import { Backend, jit, np, toJs, valueAndGrad, WebGpu, WebGpuBackend } from "diffect"
import { makeTypedArrayBackend } from "diffect/extend"
import { Context, Effect, Layer } from "effect"
import fc from "fast-check"
import { mlpLoss } from "../src/libs/diffect.js"

let seed = 7
const uniform = (n: number, scale: number) =>
  Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * scale)
const b1Data = {
  x: uniform(128 * 784, 2),
  w1: uniform(784 * 256, 0.1),
  b1: uniform(256, 0.1),
  w2: uniform(256 * 256, 0.1),
  b2: uniform(256, 0.1),
  w3: uniform(2560, 0.1),
  b3: uniform(10, 0.1),
  y: Float32Array.from({ length: 1280 }, (_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0))
}
const b1Inputs = () => ({
  p: {
    w1: np.array(b1Data.w1).reshape([784, 256]),
    b1: np.array(b1Data.b1),
    w2: np.array(b1Data.w2).reshape([256, 256]),
    b2: np.array(b1Data.b2),
    w3: np.array(b1Data.w3).reshape([256, 10]),
    b3: np.array(b1Data.b3)
  },
  x: np.array(b1Data.x).reshape([128, 784]),
  y: np.array(b1Data.y).reshape([128, 10])
})
const vg = valueAndGrad(mlpLoss)
const vgJit = jit(vg)
const b1Step = (f: typeof vg) =>
  Effect.suspend(() => {
    const { p, x, y } = b1Inputs()
    return Effect.flatMap(f(p, x, y), ([v, g]) => toJs([v, g.w1, g.b1, g.w2, g.b2, g.w3, g.b3]))
  })

const main = Effect.scoped(Effect.gen(function*() {
  const context = yield* Layer.build(WebGpuBackend.layer)
  const gpu = Context.get(context, Backend)
  console.log(`adapter: ${Context.get(context, WebGpu).description}`)
  const cpu = makeTypedArrayBackend({ threads: 1 })
  const on = <A>(backend: Backend["Service"], effect: Effect.Effect<A, unknown, Backend>): Promise<A> =>
    Effect.runPromise(Effect.provideService(effect, Backend, backend))
  let runs = 0
  yield* Effect.promise(() =>
    fc.assert(
      fc.asyncProperty(
        caseArbitrary,
        async (c) => {
          const f = program(c.ops)
          const jitted = jit(f)
          const call = (compiled: boolean) =>
            Effect.suspend(() => {
              const args = caseArgs(c)
              return compiled ? Effect.flatMap(jitted(...args), toJs) : toJs(f(...args))
            })
          const eager = flat(await on(gpu, call(false)))
          const compiled = flat(await on(gpu, call(true)))
          const host = flat(await on(cpu, call(true)))
          runs++
          if (!agree(compiled, eager)) throw new Error(`jit against eager on the GPU: ${JSON.stringify(c.ops)}`)
          if (!agree(compiled, host)) throw new Error(`jit on the GPU against jit on the CPU: ${JSON.stringify(c.ops)}`)
        }
      ),
      { numRuns: Number(process.env["RUNS"] ?? 400) }
    )
  )
  console.log(`random programs: ${runs} equal under jit on the GPU, eagerly on the GPU and under jit on the CPU`)
  const want = flat(yield* Effect.promise(() => on(cpu, b1Step(vgJit))))
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  for (const [name, f] of [["eager", vg], ["jit", vgJit]] as const) {
    const got = flat(yield* Effect.promise(() => on(gpu, b1Step(f))))
    const error = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0) / scale
    console.log(`B1 step on the GPU (${name}): max |GPU - CPU| / max |CPU| = ${error.toExponential(1)}`)
    if (!(error < 1e-5)) throw new Error(`B1 step on the GPU (${name}) differs from the CPU's: ${error}`)
  }
}))

Effect.runPromise(main).then(() => process.exit(0), (e: unknown) => {
  console.error("gpuCheck failed:", e)
  process.exit(1)
})
