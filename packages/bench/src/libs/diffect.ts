/**
 * diffect through the public API of the `diffect` facade: eager and under
 * `jit` on the typed-array (CPU) backend with `runSync`, and, opt-in
 * (`pnpm bench --libs diffect-webgpu`), eager on the WebGPU backend through one
 * long-lived runtime. Each case is written once as an Effect program; the jit
 * row wraps the same step function in `jit` and reports its first call (trace
 * and compile) separately.
 *
 * @since 0.1.0
 */
import { Backend, grad, hessian, jit, jvp, lax, np, type Tensor, valueAndGrad, WebGpu, WebGpuBackend } from "diffect"
import { ConcreteTensor, makeTypedArrayBackend, runSyncOn } from "diffect/extend"
import { Effect, ManagedRuntime } from "effect"
import type { Outputs } from "../Cases.js"
import { versionOf } from "../internal/versions.js"
import type { Library, Prepared } from "../Library.js"

/**
 * A result's storage as a typed array, without the nested-JS-array conversion
 * of `toJs` (the peers are timed reading typed arrays too): host data as is,
 * else the backend's `read` (synchronous on the CPU, a GPU readback on WebGPU).
 */
const readOne = (t: Tensor): Effect.Effect<ArrayLike<number>, unknown> => {
  if (!(t instanceof ConcreteTensor)) {
    return Effect.die(new Error(`diffect bench: expected a concrete tensor, got ${t}`))
  }
  if (t.host !== undefined) return Effect.succeed(t.host as ArrayLike<number>)
  const buffer = t.buffer!
  const sync = buffer.backend.readSync
  if (sync !== undefined) return Effect.succeed(sync(buffer, t.aval) as ArrayLike<number>)
  return buffer.backend.read(buffer, t.aval) as Effect.Effect<ArrayLike<number>, unknown>
}

const readAll = (ts: ReadonlyArray<Tensor>): Effect.Effect<Outputs, unknown> => Effect.forEach(ts, readOne)

/** Runs a case's program on one backend. */
interface Runner {
  readonly run: <A>(program: Effect.Effect<A, unknown, Backend>) => A | Promise<A>
}

/** B1's parameters. @since 0.1.0 */
export type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor; w3: Tensor; b3: Tensor }

const f32 = (data: Float32Array, shape?: ReadonlyArray<number>): Tensor => {
  const t = np.array(data)
  return shape === undefined ? t : t.reshape(shape)
}

/** B1's loss: the mean softmax cross-entropy of a tanh MLP. @since 0.1.0 */
export const mlpLoss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h1 = np.tanh(x.matmul(p.w1).add(p.b1))
  const h2 = np.tanh(h1.matmul(p.w2).add(p.b2))
  const logits = h2.matmul(p.w3).add(p.b3)
  const logp = logits.sub(np.logsumexp(logits, { axis: 1, keepdims: true }))
  return logp.mul(y).sum({ axis: 1 }).mean().neg()
}

const rosenbrock = (x: Tensor): Tensor => {
  const n = x.shape[0]!
  const head = lax.slice(x, [0], [n - 1])
  const tail = lax.slice(x, [1], [n])
  const u = tail.sub(head.square())
  return u.square().mul(100).add(np.subtract(1, head).square()).sum()
}

/**
 * A prepared case: `inputs` are made on the runner's backend (eager ops inside
 * an Effect run on the fiber's Backend), then each run is one program.
 */
/** Whether the steps are jitted (then the first call, trace and compile, is timed on its own). */
type Mode = "eager" | "jit"

// `jit(f)` or `f`: the same step function either way.
const wrap = <F extends (...args: Array<any>) => unknown>(mode: Mode, f: F): F =>
  (mode === "jit" ? jit(f) : f) as unknown as F

const prepare = async <I>(
  runner: Runner,
  inputs: () => I,
  program: (inputs: I) => Effect.Effect<Outputs, unknown, Backend>,
  mode: Mode
): Promise<Prepared> => {
  const made = await runner.run(Effect.sync(inputs))
  const run = () => runner.run(program(made))
  if (mode === "eager") return { run }
  const start = performance.now()
  await run()
  return { run, firstRunMs: performance.now() - start }
}

const vgCase = (runner: Runner, f: (x: Tensor) => Tensor, data: Float32Array, mode: Mode) => {
  const step = wrap(mode, valueAndGrad(f))
  return prepare(runner, () => f32(data), (x) => Effect.flatMap(step(x), ([v, g]) => readAll([v, g])), mode)
}

const make = (
  name: string,
  runner: Runner,
  settings: () => string,
  activate: () => Promise<void>,
  mode: Mode = "eager"
): Library => ({
  name,
  versions: { diffect: versionOf("diffect"), effect: versionOf("effect") },
  settings,
  activate,
  notes: {
    B4: "`hessian` (jacfwd of jacrev)",
    B4hvp: "forward-over-reverse (`jvp` of `grad`)",
    B6: "`lax.scan` over the steps"
  },
  cases: {
    B1: (d) => {
      const [n0, n1, n2, n3] = d.sizes
      const step = wrap(mode, valueAndGrad(mlpLoss))
      return prepare(
        runner,
        () => ({
          x: f32(d.x, [d.batch, n0]),
          y: f32(d.y, [d.batch, n3]),
          params: {
            w1: f32(d.w1, [n0, n1]),
            b1: f32(d.b1),
            w2: f32(d.w2, [n1, n2]),
            b2: f32(d.b2),
            w3: f32(d.w3, [n2, n3]),
            b3: f32(d.b3)
          }
        }),
        ({ params, x, y }) =>
          Effect.flatMap(step(params, x, y), ([v, g]) => readAll([v, g.w1, g.b1, g.w2, g.b2, g.w3, g.b3])),
        mode
      )
    },
    B2: (d) =>
      vgCase(
        runner,
        (x) => {
          for (let t = 0; t < d.steps; t++) x = x.add(x.sin().mul(0.01))
          return x.sum()
        },
        d.x,
        mode
      ),
    B2b: (d) =>
      vgCase(
        runner,
        (x) => {
          for (let t = 0; t < d.steps; t++) x = x.sin()
          return x.sum()
        },
        d.x,
        mode
      ),
    B3: (d) => vgCase(runner, (x) => x.tanh().mul(x).sum(), d.x, mode),
    B4: (d) => {
      const h = wrap(mode, hessian(rosenbrock))
      return prepare(runner, () => f32(d.x), (x) => Effect.flatMap(h(x), (hx) => readAll([hx])), mode)
    },
    B4hvp: (d) => {
      const g = grad(rosenbrock)
      const hvp = wrap(mode, (x: Tensor, v: Tensor) => jvp(g, [x], [v]))
      return prepare(
        runner,
        () => ({ x: f32(d.x), v: f32(d.v) }),
        ({ v, x }) => Effect.flatMap(hvp(x, v), ([, hv]) => readAll([hv])),
        mode
      )
    },
    B6: (d) => {
      const { batch: B, hidden: H, input: I, steps: T } = d
      // the recurrence as one lax.scan: its body is staged once, whatever the number of steps
      const loss = (p: { wh: Tensor; wx: Tensor; b: Tensor }, xs: Tensor, h0: Tensor): Tensor => {
        const [h] = lax.scan(
          (h: Tensor, x: Tensor) => [np.tanh(h.matmul(p.wh).add(x.matmul(p.wx)).add(p.b)), null] as const,
          h0,
          xs
        )
        return np.mean(h)
      }
      const step = wrap(mode, valueAndGrad(loss))
      return prepare(
        runner,
        () => ({
          xs: f32(d.xs, [T, B, I]),
          h0: np.zeros([B, H]),
          params: { wh: f32(d.wh, [H, H]), wx: f32(d.wx, [I, H]), b: f32(d.b) }
        }),
        ({ h0, params, xs }) => Effect.flatMap(step(params, xs, h0), ([v, g]) => readAll([v, g.wh, g.wx, g.b])),
        mode
      )
    },
    B7: (d) => {
      const f = (a: Tensor, b: Tensor): ReadonlyArray<Tensor> => [np.linalg.cholesky(a), np.linalg.solve(a, b)]
      const step = mode === "jit" ? jit(f) : undefined
      return prepare(
        runner,
        () => ({ a: f32(d.a, [d.n, d.n]), b: f32(d.b, [d.n, d.k]) }),
        ({ a, b }) =>
          step === undefined
            ? Effect.suspend(() => readAll(f(a, b)))
            : Effect.flatMap(step(a, b), (out) => readAll(out as ReadonlyArray<Tensor>)),
        mode
      )
    },
    B8: (d) => {
      const f = (a: Tensor): Tensor => np.linalg.svdvals(a)
      const step = mode === "jit" ? jit(f) : undefined
      return prepare(
        runner,
        () => ({ a: f32(d.a, [d.n, d.n]) }),
        ({ a }) =>
          step === undefined
            ? Effect.suspend(() => readAll([f(a)]))
            : Effect.flatMap(step(a), (out) => readAll([out as Tensor])),
        mode
      )
    },
    // jit of one matmul is not meaningful (as for jax-js)
    ...(mode === "eager" ?
      {
        B5: (d) =>
          prepare(
            runner,
            () => ({ a: f32(d.a, [d.n, d.n]), b: f32(d.b, [d.n, d.n]) }),
            // Eager: an op outside any transformation runs at once on the fiber's backend.
            ({ a, b }) => Effect.suspend(() => readAll([np.matmul(a, b)])),
            mode
          )
      } :
      {})
  }
})

// One thread (the rows the goals of B1-B4 are judged on), and all cores (the process-wide pool).
const oneThread = makeTypedArrayBackend({ threads: 1 })
const allThreads = makeTypedArrayBackend()
const threadsNote = () => `${allThreads.threads} threads (all cores; kernels above a size threshold split)`

/** diffect, eager, on the typed-array backend, one thread. @since 0.1.0 */
export const diffect: Library = make(
  "diffect",
  { run: (program) => runSyncOn(oneThread, program) },
  () => "typed-array (CPU) backend, 1 thread, eager (`runSync`)",
  async () => {}
)

/** diffect, `jit` of each step, on the typed-array backend, one thread. @since 0.1.0 */
export const diffectJit: Library = make(
  "diffect jit",
  { run: (program) => runSyncOn(oneThread, program) },
  () => "typed-array (CPU) backend, 1 thread, `jit` of the same step functions (fused JS kernels)",
  async () => {},
  "jit"
)

/** diffect, eager, on the typed-array backend with all cores. @since 0.1.0 */
export const diffectThreads: Library = make(
  "diffect threads",
  { run: (program) => runSyncOn(allThreads, program) },
  () => `typed-array (CPU) backend, ${threadsNote()}, eager`,
  async () => {}
)

/** diffect, `jit` of each step, on the typed-array backend with all cores. @since 0.1.0 */
export const diffectJitThreads: Library = make(
  "diffect jit threads",
  { run: (program) => runSyncOn(allThreads, program) },
  () => `typed-array (CPU) backend, ${threadsNote()}, \`jit\``,
  async () => {},
  "jit"
)

// One WebGPU runtime for the whole run: acquiring a device per case would time the setup.
let gpu: ManagedRuntime.ManagedRuntime<Backend | WebGpu, unknown> | undefined
let gpuDescription = "not started"

/**
 * diffect, eager, on the WebGPU backend (opt-in: on a machine without a GPU,
 * Dawn runs on Mesa's software rasterizer, which measures the CPU, not a GPU).
 *
 * @since 0.1.0
 */
export const diffectWebGpu: Library = make(
  "diffect webgpu",
  { run: (program) => gpu!.runPromise(program) },
  () => `WebGPU backend (${gpuDescription}), eager`,
  async () => {
    if (gpu !== undefined) return
    process.env["EGL_PLATFORM"] ??= "surfaceless" // Dawn's OpenGL ES path on headless Linux
    gpu = ManagedRuntime.make(WebGpuBackend.layer)
    gpuDescription = await gpu.runPromise(Effect.gen(function*() {
      return (yield* WebGpu).description
    }))
  }
)
