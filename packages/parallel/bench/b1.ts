/**
 * The B1 MLP of docs/benchmarks.md (784-256-256-10 tanh, mean softmax cross-entropy) as remote
 * functions for the scaling benchmark: imported by the benchmark and by every worker or runner.
 */
import { jit, np, pmean, type Tensor, valueAndGrad } from "diffect"
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

// Cluster runners: each rank's value and gradient (the coordinator averages them).
export const b1Grads = Remote.make(
  import.meta.url,
  "b1Grads",
  (p: Params, x: Tensor, y: Tensor) => valueAndGradJit(p, x, y)
)

// The same bytes as a step (parameters out, gradient-sized tensors back), no computation:
// the communication cost of a cluster step.
export const b1Echo = Remote.make(import.meta.url, "b1Echo", (p: Params, _x: Tensor, _y: Tensor) => p)
