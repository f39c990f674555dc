/**
 * The B1 MLP of docs/benchmarks.md (784-256-256-10 tanh, mean softmax cross-entropy) as remote
 * functions for the scaling benchmark: imported by the benchmark and by every worker or runner.
 */
import { jit, lax, np, pmean, type Tensor, valueAndGrad } from "diffect"
import { Effect } from "effect"
import { Remote } from "../src/index.js"

export interface Params {
  readonly w1: Tensor
  readonly b1: Tensor
  readonly w2: Tensor
  readonly b2: Tensor
  readonly w3: Tensor
  readonly b3: Tensor
}

export const mlpLoss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h1 = np.tanh(x.matmul(p.w1).add(p.b1))
  const h2 = np.tanh(h1.matmul(p.w2).add(p.b2))
  const logits = h2.matmul(p.w3).add(p.b3)
  const logp = logits.sub(np.logsumexp(logits, { axis: 1, keepdims: true }))
  return logp.mul(y).sum({ axis: 1 }).mean().neg()
}

export const valueAndGradJit = jit(valueAndGrad(mlpLoss))

const sgdUpdate = (p: Params, g: Params): Params => ({
  w1: p.w1.sub(g.w1.mul(0.01)),
  b1: p.b1.sub(g.b1.mul(0.01)),
  w2: p.w2.sub(g.w2.mul(0.01)),
  b2: p.b2.sub(g.b2.mul(0.01)),
  w3: p.w3.sub(g.w3.mul(0.01)),
  b3: p.b3.sub(g.b3.mul(0.01))
})

/** Plain SGD (learning rate 0.01), jitted: the update every variant of the benchmark applies. */
export const sgd = jit(sgdUpdate)

/** The number of distinct batches in the benchmark's dataset: step `s` trains on batch `s % batches`. */
export const batches = 4

/** Batch `step % batches` of a dataset holding `batches` batches of rows, one after the other. */
export const batchRows = (t: Tensor, step: number): Tensor => {
  const n = t.shape[0]! / batches
  const i = step % batches
  return lax.slice(t, [i * n, 0], [(i + 1) * n, t.shape[1]!])
}

// Worker threads: each worker's block of the batch, gradients averaged over the workers.
export const b1Step = Remote.make(
  import.meta.url,
  "b1Step",
  (p: Params, x: Tensor, y: Tensor) =>
    Effect.map(
      valueAndGradJit(p, x, y),
      ([value, grad]) => ({ value: pmean(value, "batch"), grad: pmean(grad, "batch") })
    )
)

// SGD with the parameters donated (JAX's donate_argnums): the new parameters are written into
// the old ones' memory where it is the worker's own (from the second step on).
const sgdDonating = jit(sgdUpdate, { donateArgnums: 0 })

// Worker threads with resident state: the parameters and each worker's block of the dataset
// live in the workers; a step slices its rows, averages the gradients over the workers, and
// every worker applies the same update in place. Only the loss comes back.
export const b1Train = Remote.make(
  import.meta.url,
  "b1Train",
  (p: Params, data: { readonly x: Tensor; readonly y: Tensor }, step: number) =>
    Effect.gen(function*() {
      const [value, grad] = yield* valueAndGradJit(p, batchRows(data.x, step), batchRows(data.y, step))
      const next = yield* sgdDonating(p, pmean(grad, "batch"))
      return [next, pmean(value, "batch")] as const
    })
)

// A whole training step jitted with the gradient's mean inside (JAX's `pmap` of a jitted step):
// on a worker it runs as two compiled pieces around one round of the exchange.
const trainStepJit = jit((p: Params, x: Tensor, y: Tensor) =>
  Effect.map(
    valueAndGrad(mlpLoss)(p, x, y),
    ([value, grad]) => [sgdUpdate(p, pmean(grad, "batch")), pmean(value, "batch")] as const
  )
)

// Worker threads with resident state, the whole step jitted (`pmap` of a jitted training step, as
// JAX compiles a pmapped function): one step per call, the gradient's and the loss's means in one
// round of the exchange between the step's two compiled pieces.
export const b1TrainJitted = Remote.make(
  import.meta.url,
  "b1TrainJitted",
  (p: Params, data: { readonly x: Tensor; readonly y: Tensor }, step: number) =>
    trainStepJit(p, batchRows(data.x, step), batchRows(data.y, step))
)

/** The steps of one call of the benchmark's "resident, several steps per call" variant. */
export const stepsPerCall = 4

// Worker threads with resident state, `stepsPerCall` steps per call (as a JAX program loops over
// steps inside one pmapped call, with `lax.fori_loop`, to pay the dispatch and the coordinator's
// round trip once per call): call `c` trains steps `c * stepsPerCall ...`.
export const b1TrainSteps = Remote.make(
  import.meta.url,
  "b1TrainSteps",
  (p: Params, data: { readonly x: Tensor; readonly y: Tensor }, call: number) =>
    Effect.gen(function*() {
      let state = p
      let loss: Tensor | undefined
      for (let i = 0; i < stepsPerCall; i++) {
        const s = call * stepsPerCall + i
        ;[state, loss] = yield* trainStepJit(state, batchRows(data.x, s), batchRows(data.y, s))
      }
      return [state, loss!] as const
    })
)

// Cluster runners: each rank's value and gradient (the coordinator averages them).
export const b1Grads = Remote.make(
  import.meta.url,
  "b1Grads",
  (p: Params, x: Tensor, y: Tensor) => valueAndGradJit(p, x, y)
)

// The same bytes as a step (parameters out, gradient-sized tensors back), no computation:
// the communication cost of a cluster step.
export const b1Echo = Remote.make(import.meta.url, "b1Echo", (p: Params, _x: Tensor, _y: Tensor) => p)

// Cluster runners, resident mode: the parameters and each rank's rows of the dataset live in the
// runner; a step slices the rank's rows for it (`batchRows` of the rank's block: 512 rows per
// rank and step on 2 ranks) and gives the rank's value and gradient; every rank applies the same
// update.
export const b1ResidentGrads = Remote.make(
  import.meta.url,
  "b1ResidentGrads",
  (p: Params, data: { readonly x: Tensor; readonly y: Tensor }, step: number) =>
    valueAndGradJit(p, batchRows(data.x, step), batchRows(data.y, step))
)

export const b1Update = Remote.make(
  import.meta.url,
  "b1Update",
  (p: Params, reduced: readonly [Tensor, Params]) => sgd(p, reduced[1])
)
