/**
 * The training loop of issue 15's memory goal: a 64x512 dense layer (tanh)
 * trained by gradient descent, each step one `Memory.scoped` region whose
 * result (the new parameters and the loss) is all that stays; the previous
 * parameters are released by the loop. Used by the memory tests on both
 * backends (and by the measurement in the report).
 */
import type { Backend, DiffError, Tensor } from "diffect"
import { Memory, np, Tree, valueAndGrad } from "diffect"
import { Effect } from "effect"

/** The layer's parameters. */
export interface Params {
  readonly w: Tensor
  readonly b: Tensor
}

const fill = (n: number, seed: number, scale: number): Array<number> =>
  Array.from({ length: n }, (_, k) => ((((k + seed) * 7919) % 101) / 101 - 0.5) * scale)

/** A batch of 64 inputs of 512 features and their targets, as host data. */
export const batch = (): { readonly x: Tensor; readonly y: Tensor } => ({
  x: np.reshape(np.array(fill(64 * 512, 1, 0.1)), [64, 512]),
  y: np.reshape(np.array(fill(64 * 512, 5, 0.1)), [64, 512])
})

/** The initial parameters, as host data. */
export const init = (): Params => ({
  w: np.reshape(np.array(fill(512 * 512, 2, 0.05)), [512, 512]),
  b: np.zeros([512])
})

const loss = (p: Params, x: Tensor, y: Tensor): Tensor =>
  np.mean(np.square(np.subtract(np.tanh(np.add(np.matmul(x, p.w), p.b)), y)))

/** One step: the new parameters and the loss; everything else made is released when it returns. */
export const step = (params: Params, x: Tensor, y: Tensor, lr = 0.1) =>
  Memory.scoped(Effect.gen(function*() {
    const [value, g] = yield* valueAndGrad(loss)(params, x, y)
    const next = Tree.mapN([params, g], (p: Tensor, d: Tensor) => np.subtract(p, np.multiply(d, lr))) as Params
    return { params: next, loss: value }
  }))

/**
 * Runs `steps` steps, releasing each step's inputs once the next ones exist;
 * `observe(k, live)` sees the step number and the backend's live memory after it.
 */
export const train = (
  steps: number,
  memory: () => { readonly buffers: number; readonly bytes: number },
  observe: (k: number, live: { readonly buffers: number; readonly bytes: number }) => void = () => {}
) =>
  Effect.gen(function*() {
    // made in a region, so that the uploads of their flat host arrays (intermediates of
    // np.reshape) are released now, not by the garbage collector at an unpredictable step
    const { x, y } = Memory.tidy(batch)
    let params = Memory.tidy(init)
    let last: Tensor | undefined
    for (let k = 0; k < steps; k++) {
      const out = yield* step(params, x, y)
      Memory.release([params, last])
      params = out.params
      last = out.loss
      observe(k, memory())
    }
    return { params, loss: last! }
  }) as Effect.Effect<{ params: Params; loss: Tensor }, DiffError, Backend>
