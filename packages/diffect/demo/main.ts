/**
 * `pnpm demo`: trains a small classifier on the Iris data set end to end with
 * diffect: parameters as a schema-validated pytree, `valueAndGrad` of the loss,
 * Adam written with `Tree.mapN`, a progress bar with the loss, the final
 * accuracy, and the loss curve as an SVG picture.
 *
 *   pnpm demo                  # typed-array (CPU) backend
 *   pnpm demo --webgpu         # WebGPU backend (Dawn in Node; a GPU or Mesa's software GL)
 *   pnpm demo --steps 500 --lr 0.02 --out out/loss.svg
 */
import { Backend, np, toJs, TypedArrayBackend, valueAndGrad, WebGpuBackend } from "diffect"
import { Effect, Layer } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { adamInit, adamStep } from "./adam.js"
import { type Iris, loadIris, type Split } from "./data.js"
import { hidden, initParams, loss, type Params, predict } from "./model.js"
import { lossCurveSvg } from "./plot.js"
import { progressBar } from "./progress.js"

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    webgpu: { type: "boolean", default: false },
    steps: { type: "string", default: "300" },
    lr: { type: "string", default: "0.05" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "out/loss.svg" }
  }
})
const steps = Number(values.steps)
const lr = Number(values.lr)
if (!(Number.isInteger(steps) && steps > 0) || !(lr > 0)) {
  console.error("usage: pnpm demo [--webgpu] [--steps N] [--lr RATE] [--seed S] [--out FILE]")
  process.exit(2)
}

const tensors = (s: Split, features: number, classes: number) => ({
  x: np.array(s.x).reshape([s.n, features]),
  y: np.array(s.y).reshape([s.n, classes])
})

const train = Effect.fn("demo.train")(function*(iris: Iris) {
  const k = iris.classes.length
  // Eager ops in an Effect.gen body run on the program's Backend (CPU or WebGPU).
  const trainSet = tensors(iris.train, iris.features, k)
  let params: Params = yield* initParams(Number(values.seed))
  let opt = adamInit(params)
  const lossAndGrad = valueAndGrad(loss)
  const losses: Array<number> = []
  const bar = progressBar(steps, "training")
  for (let i = 1; i <= steps; i++) {
    const [value, grads] = yield* lossAndGrad(params, trainSet.x, trainSet.y)
    ;[params, opt] = adamStep(params, grads, opt, { lr })
    const l = (yield* toJs(value)) as number
    losses.push(l)
    bar.tick(i, l)
  }
  bar.end()
  return { params, losses }
})

const accuracy = Effect.fn("demo.accuracy")(function*(params: Params, split: Split, features: number, classes: number) {
  const predictions = predict(params, tensors(split, features, classes).x)
  const predicted = (yield* toJs(predictions)) as ReadonlyArray<number>
  let correct = 0
  predicted.forEach((p, i) => (correct += p === split.labels[i] ? 1 : 0))
  return { correct, total: split.n }
})

const program = Effect.gen(function*() {
  const backend = yield* Backend
  const iris = loadIris()
  const out = console.log
  out(
    `diffect demo: Iris (${iris.train.n} train / ${iris.test.n} test flowers, ${iris.features} features, ${iris.classes.length} species)`
  )
  out(`model: ${iris.features}-${hidden}-${iris.classes.length} tanh MLP, Adam (lr ${lr}), ${steps} full-batch steps`)
  out(`backend: ${backend.name}`)
  const t0 = performance.now()
  const { params, losses } = yield* train(iris)
  const seconds = (performance.now() - t0) / 1000
  const tr = yield* accuracy(params, iris.train, iris.features, iris.classes.length)
  const te = yield* accuracy(params, iris.test, iris.features, iris.classes.length)
  const pct = (a: { correct: number; total: number }) =>
    `${((100 * a.correct) / a.total).toFixed(1)}% (${a.correct}/${a.total})`
  out(`loss: ${losses[0]!.toFixed(4)} -> ${losses[losses.length - 1]!.toFixed(4)}`)
  out(`train accuracy: ${pct(tr)}`)
  out(`test accuracy:  ${pct(te)}`)
  out(`time: ${seconds.toFixed(2)} s (${((seconds * 1000) / steps).toFixed(2)} ms per step)`)
  const file = path.resolve(values.out)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, lossCurveSvg(losses, `Iris MLP training loss (${backend.name} backend)`))
  out(`loss curve: ${path.relative(process.cwd(), file)}`)
})

const layer: Layer.Layer<Backend, unknown> = values.webgpu ? WebGpuBackend.layer : TypedArrayBackend.layer
if (values.webgpu) process.env.EGL_PLATFORM ??= "surfaceless" // Dawn's OpenGL ES path on headless Linux

Effect.runPromise(program.pipe(Effect.provide(layer))).then(
  // The WebGPU device may keep the event loop alive; the work is done.
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  }
)
