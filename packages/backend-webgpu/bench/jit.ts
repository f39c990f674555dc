/**
 * Benchmark (not a test): eager against jit on the WebGPU backend, interleaved
 * in one process (rounds alternate), each call followed by a read of one
 * scalar so that the device's work is included. Reports the median wall time
 * and the median CPU time of the process (on Mesa's llvmpipe the "GPU" is this
 * process's own threads, so CPU time counts its shaders too), and the
 * dispatches and submits of one call.
 * Run: `pnpm exec tsx packages/backend-webgpu/bench/jit.ts` (EGL_PLATFORM=surfaceless on Mesa).
 * On llvmpipe these are CPU numbers, not GPU numbers.
 */
import { jit, valueAndGrad } from "@diffect/ad"
import { Backend, Memory, np, toJs, withBackend } from "@diffect/core"
import type { BackendShape, Tensor } from "@diffect/core"
import { Context, Effect, Layer } from "effect"
import { WebGpu, WebGpuBackend } from "../src/index.js"

process.env["EGL_PLATFORM"] ??= "surfaceless"

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fill = (n: number, seed: number, scale = 1) =>
  Array.from({ length: n }, (_, k) => ((((k + seed) * 7919) % 101) / 101 - 0.5) * scale)

interface Case {
  readonly name: string
  readonly rounds: number
  readonly setup: (backend: BackendShape) => ReadonlyArray<Tensor>
  readonly f: (...args: Array<Tensor>) => unknown
  /** The scalar read after each call. */
  readonly scalar: (out: any) => Tensor
  /** The scalar in float64 (for the error of the float32 value). */
  readonly reference?: () => number
}

const mlpLoss = (w1: Tensor, b1: Tensor, w2: Tensor, x: Tensor, y: Tensor) => {
  const h = np.tanh(np.add(np.matmul(x, w1), b1))
  return np.mean(np.square(np.subtract(np.matmul(h, w2), y)))
}

const chain = (x: Tensor) => {
  let y = x
  for (let i = 0; i < 200; i++) y = np.add(y, np.multiply(0.01, np.sin(y)))
  return np.sum(y)
}

const cases: ReadonlyArray<Case> = [
  {
    name: "B3 valueAndGrad sum(tanh x), 4M",
    rounds: 7,
    setup: (b) => [withBackend(b, () => np.multiply(np.array(fill(2 ** 22, 1, 6)), 1))],
    f: valueAndGrad((x: Tensor) => np.sum(np.tanh(x))),
    scalar: (o) => o[0],
    reference: () => fill(2 ** 22, 1, 6).reduce((acc, v) => acc + Math.tanh(Math.fround(v)), 0)
  },
  {
    name: "MLP valueAndGrad 128x256-256-10",
    rounds: 9,
    setup: (b) =>
      withBackend(b, () => [
        np.reshape(np.array(fill(256 * 256, 2, 0.1)), [256, 256]),
        np.array(fill(256, 3, 0.1)),
        np.reshape(np.array(fill(256 * 10, 4, 0.1)), [256, 10]),
        np.reshape(np.array(fill(128 * 256, 5)), [128, 256]),
        np.reshape(np.array(fill(128 * 10, 6)), [128, 10])
      ]),
    f: valueAndGrad(mlpLoss, { argnums: [0, 1, 2] }),
    scalar: (o) => o[0]
  },
  {
    name: "B2b valueAndGrad 200-step sin chain, 1000",
    rounds: 9,
    setup: (b) => [withBackend(b, () => np.multiply(np.array(fill(1000, 7)), 1))],
    f: valueAndGrad(chain),
    scalar: (o) => o[0]
  }
]

const program = Effect.scoped(Effect.gen(function*() {
  const ctx = yield* Layer.build(WebGpuBackend.layer)
  const backend = Context.get(ctx, Backend)
  const gpu = Context.get(ctx, WebGpu)
  console.log(`adapter: ${gpu.description}`)
  for (const c of cases) {
    const args = c.setup(backend)
    const eager = (...a: Array<Tensor>) => c.f(...a) as Effect.Effect<unknown>
    const compiled = jit(c.f as (...a: Array<Tensor>) => unknown) as unknown as (
      ...a: Array<Tensor>
    ) => Effect.Effect<unknown>
    const once = (g: (...a: Array<Tensor>) => Effect.Effect<unknown>) =>
      Memory.scoped(Effect.flatMap(Effect.provideService(g(...args), Backend, backend), (o) => toJs(c.scalar(o))))
    const t0 = performance.now()
    yield* once(compiled)
    const compileMs = performance.now() - t0
    yield* once(eager)
    const wall: Record<string, Array<number>> = { eager: [], jit: [] }
    const cpu: Record<string, Array<number>> = { eager: [], jit: [] }
    const counts: Record<string, { dispatches: number; submits: number; buffersCreated: number }> = {}
    for (let r = 0; r < c.rounds; r++) {
      for (const [name, g] of [["eager", eager], ["jit", compiled]] as const) {
        gpu.flush()
        const s0 = gpu.stats()
        const c0 = process.cpuUsage()
        const w0 = performance.now()
        yield* once(g)
        wall[name]!.push(performance.now() - w0)
        const c1 = process.cpuUsage(c0)
        cpu[name]!.push((c1.user + c1.system) / 1000)
        gpu.flush()
        const s1 = gpu.stats()
        counts[name] = {
          dispatches: s1.dispatches - s0.dispatches,
          submits: s1.submits - s0.submits,
          buffersCreated: s1.buffersCreated - s0.buffersCreated
        }
      }
    }
    console.log(`${c.name} (first jit call ${compileMs.toFixed(0)} ms)`)
    if (c.reference !== undefined) {
      const value = (yield* Effect.flatMap(Effect.provideService(compiled(...args), Backend, backend), (o) =>
        toJs(c.scalar(o)))) as number
      const eagerValue = (yield* Effect.flatMap(Effect.provideService(eager(...args), Backend, backend), (o) =>
        toJs(c.scalar(o)))) as number
      const exact = c.reference()
      console.log(
        `  value against float64: jit ${((value - exact) / Math.abs(exact)).toExponential(2)}, ` +
          `eager ${((eagerValue - exact) / Math.abs(exact)).toExponential(2)} (relative)`
      )
    }
    for (const name of ["eager", "jit"]) {
      const k = counts[name]!
      console.log(
        `  ${name.padEnd(5)} wall ${median(wall[name]!).toFixed(1)} ms, cpu ${median(cpu[name]!).toFixed(1)} ms; ` +
          `${k.dispatches} dispatches, ${k.submits} submits (with the read), ${k.buffersCreated} buffers created`
      )
    }
  }
}))

await Effect.runPromise(program)
