/**
 * Adam (Kingma & Ba, 2015) over any pytree of tensors, written with `Tree.map`
 * and `Tree.mapN`: the optimizer never needs to know the parameters' structure.
 */
import { np, type Tensor, Tree } from "diffect"

export interface AdamState<P> {
  readonly m: P
  readonly v: P
  readonly t: number
}

export interface AdamOptions {
  readonly lr: number
  readonly b1?: number
  readonly b2?: number
  readonly eps?: number
}

// `P` is any tree whose leaves are tensors (the model's schema guarantees it). Inside,
// trees are seen untyped: `Tree.LeafOf<P>` cannot be resolved for a type parameter.
// oxlint-disable-next-line no-explicit-any
type Untyped = any
const untyped = <P>(tree: P): Untyped => tree

export const adamInit = <P>(params: P): AdamState<P> => {
  const zeros: P = Tree.map(untyped(params), (p: Tensor) => np.zerosLike(p))
  return { m: zeros, v: zeros, t: 0 }
}

/** One Adam step: the new parameters and optimizer state. */
export const adamStep = <P>(params: P, grads: P, state: AdamState<P>, options: AdamOptions): [P, AdamState<P>] => {
  const { lr, b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options
  const t = state.t + 1
  const m: P = Tree.mapN([untyped(state.m), untyped(grads)], (m: Tensor, g: Tensor) => m.mul(b1).add(g.mul(1 - b1)))
  const v: P = Tree.mapN(
    [untyped(state.v), untyped(grads)],
    (v: Tensor, g: Tensor) => v.mul(b2).add(g.square().mul(1 - b2))
  )
  // Bias corrections folded into the step size (the paper's efficient form).
  const step = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)
  const next: P = Tree.mapN(
    [untyped(params), untyped(m), untyped(v)],
    (p: Tensor, m: Tensor, v: Tensor) => p.sub(m.mul(step).div(v.sqrt().add(eps)))
  )
  return [next, { m, v, t }]
}
