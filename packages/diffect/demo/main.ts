/**
 * `pnpm demo`: trains a small classifier on the Iris data set end to end with
 * diffect, following docs/guide/training.md: keys and `nn.initializers`,
 * shuffled mini-batches, a training step (`valueAndGrad` + `optim.adam`),
 * evaluation, a checkpoint of the parameters and optimizer state, a progress
 * bar, and the loss curve as an SVG picture.
 */
import { NodeFileSystem } from "@effect/platform-node"
import {
  Backend,
  Checkpoint,
  item,
  jit,
  np,
  optim,
  random,
  type Tensor,
  toJs,
  TypedArrayBackend,
  valueAndGrad,
  WebGpuBackend
} from "diffect"
import { Effect, Layer } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { type Iris, loadIris, type Split } from "./data.js"
import { hidden, initParams, loss, Params, predict } from "./model.js"
import { lossCurveSvg } from "./plot.js"
import { progressBar } from "./progress.js"

const usage = `usage: pnpm demo [options]

Trains a ${"4-" + hidden + "-3"} tanh MLP on the Iris flowers with Adam and writes the loss curve.

options:
  --webgpu           run on the WebGPU backend (Dawn in Node; a GPU or Mesa's software GL)
  --steps N          optimizer steps (default 300)
  --batch N          mini-batch size (default 32)
  --lr RATE          Adam's learning rate (default 0.05)
  --seed S           the PRNG seed for the split, the initial weights and the batches (default 0)
  --out FILE         the loss curve's SVG (default out/loss.svg)
  --checkpoint FILE  the trained parameters and optimizer state (default out/iris.safetensors)
  -h, --help         this message`

const fail = (message: string): never => {
  console.error(`${message}\n\n${usage}`)
  process.exit(2)
}

const parsed = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2).filter((a) => a !== "--"),
      options: {
        help: { type: "boolean", short: "h", default: false },
        webgpu: { type: "boolean", default: false },
        steps: { type: "string", default: "300" },
        batch: { type: "string", default: "32" },
        lr: { type: "string", default: "0.05" },
        seed: { type: "string", default: "0" },
        out: { type: "string", default: "out/loss.svg" },
        checkpoint: { type: "string", default: "out/iris.safetensors" }
      }
    }).values
  } catch (e) {
    return fail((e as Error).message)
  }
})()
if (parsed.help) {
  console.log(usage)
  process.exit(0)
}
const positiveInt = (name: string, v: string): number =>
  Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : fail(`--${name} must be a positive integer, got ${v}`)
const steps = positiveInt("steps", parsed.steps)
const batchSize = positiveInt("batch", parsed.batch)
const seed = Number.isInteger(Number(parsed.seed)) ? Number(parsed.seed) : fail(`--seed must be an integer`)
const lr = Number(parsed.lr) > 0 ? Number(parsed.lr) : fail(`--lr must be a positive number, got ${parsed.lr}`)

const tensors = (s: Split, features: number, classes: number) => ({
  x: np.array(s.x).reshape([s.n, features]),
  y: np.array(s.y).reshape([s.n, classes])
})

const optimizer = optim.adam(lr)
type OptState = optim.StateOf<typeof optimizer>

// One training step: gradients, Adam's update, new parameters. Pure array code over pytrees
// (the optimizer state is one), compiled once by `jit` and rerun on every batch of the same
// shape (docs/guide/training.md); a last, smaller batch compiles a second signature.
const trainStep = jit((params: Params, state: OptState, x: Tensor, y: Tensor) =>
  Effect.gen(function*() {
    const [value, grads] = yield* valueAndGrad(loss)(params, x, y)
    const [updates, next] = optimizer.update(grads, state, params)
    return [optim.applyUpdates(params, updates), next, value] as const
  })
)

// Batches of one epoch: the training rows in the order of a permutation drawn from `key`.
const batches = Effect.fn("demo.batches")(function*(key: Tensor, data: { x: Tensor; y: Tensor }, n: number) {
  const order = yield* toJs(random.permutation(key, n), { rank: 1 })
  const out: Array<{ x: Tensor; y: Tensor }> = []
  for (let start = 0; start < n; start += batchSize) {
    const idx = np.array(order.slice(start, start + batchSize), { dtype: "int32" })
    out.push({ x: np.take(data.x, idx, { axis: 0 }), y: np.take(data.y, idx, { axis: 0 }) })
  }
  return out
})

const accuracy = Effect.fn("demo.accuracy")(function*(params: Params, split: Split, features: number, classes: number) {
  const predicted = yield* toJs(predict(params, tensors(split, features, classes).x), { rank: 1 })
  let correct = 0
  predicted.forEach((p, i) => (correct += p === split.labels[i] ? 1 : 0))
  return { correct, total: split.n }
})

const train = Effect.fn("demo.train")(function*(iris: Iris, initKey: Tensor, batchKey: Tensor) {
  const k = iris.classes.length
  // Eager ops in an Effect.gen body run on the program's Backend (CPU or WebGPU).
  const trainSet = tensors(iris.train, iris.features, k)
  let params = yield* initParams(initKey)
  let state = optimizer.init(params)
  const losses: Array<number> = []
  const bar = progressBar(steps, "training")
  let epoch = 0
  let queue: Array<{ x: Tensor; y: Tensor }> = []
  for (let i = 1; i <= steps; i++) {
    if (queue.length === 0) queue = yield* batches(random.foldIn(batchKey, epoch++), trainSet, iris.train.n)
    const batch = queue.shift()!
    const [p, s, value] = yield* trainStep(params, state, batch.x, batch.y)
    params = p
    state = s
    const l = yield* item(value)
    losses.push(l)
    bar.tick(i, l)
  }
  bar.end()
  return { params, state, losses }
})

// The data split is host work (a few permutations read back synchronously): done here, on the
// default CPU backend, before the program runs on the chosen one (WebGPU cannot read synchronously).
const iris = loadIris(random.split(random.key(seed), 3).at(0))

const program = Effect.gen(function*() {
  const backend = yield* Backend
  const keys = random.split(random.key(seed), 3)
  const out = console.log
  out(
    `diffect demo: Iris (${iris.train.n} train / ${iris.test.n} test flowers, ${iris.features} features, ${iris.classes.length} species)`
  )
  out(
    `model: ${iris.features}-${hidden}-${iris.classes.length} tanh MLP, Adam (lr ${lr}), ${steps} steps of batches of ${batchSize}`
  )
  out(`backend: ${backend.name}`)
  const t0 = performance.now()
  const { params, state, losses } = yield* train(iris, keys.at(1), keys.at(2))
  const seconds = (performance.now() - t0) / 1000
  const tr = yield* accuracy(params, iris.train, iris.features, iris.classes.length)
  const te = yield* accuracy(params, iris.test, iris.features, iris.classes.length)
  const pct = (a: { correct: number; total: number }) =>
    `${((100 * a.correct) / a.total).toFixed(1)}% (${a.correct}/${a.total})`
  out(`loss: ${losses[0]!.toFixed(4)} -> ${losses[losses.length - 1]!.toFixed(4)}`)
  out(`train accuracy: ${pct(tr)}`)
  out(`test accuracy:  ${pct(te)}`)
  const jitted = trainStep.cacheInfo()
  out(
    `time: ${seconds.toFixed(2)} s (${
      ((seconds * 1000) / steps).toFixed(2)
    } ms per step; the jitted step compiled ${jitted.misses} batch shapes, reused them ${jitted.hits} times)`
  )

  // A checkpoint of everything needed to resume, read back through its schema.
  const ckpt = path.resolve(parsed.checkpoint)
  mkdirSync(path.dirname(ckpt), { recursive: true })
  yield* Checkpoint.save(ckpt, { params, opt: state }, { metadata: { steps: String(steps) } })
  const restored = yield* Checkpoint.load(ckpt, { params: Params, opt: optimizer.init(params) })
  const again = yield* accuracy(restored.params, iris.test, iris.features, iris.classes.length)
  out(`checkpoint: ${path.relative(process.cwd(), ckpt)} (reloaded: test accuracy ${pct(again)})`)

  const file = path.resolve(parsed.out)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, lossCurveSvg(losses, `Iris MLP training loss (${backend.name} backend)`))
  out(`loss curve: ${path.relative(process.cwd(), file)}`)
})

const layer: Layer.Layer<Backend, unknown> = parsed.webgpu ? WebGpuBackend.layer : TypedArrayBackend.layer
if (parsed.webgpu) process.env.EGL_PLATFORM ??= "surfaceless" // Dawn's OpenGL ES path on headless Linux

Effect.runPromise(program.pipe(Effect.provide(Layer.merge(layer, NodeFileSystem.layer)))).then(
  // The WebGPU device may keep the event loop alive; the work is done.
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  }
)
