/**
 * `GradientTransformation`: optax's one abstraction. An optimizer is a pair of
 * pure functions over pytrees: `init(params)` builds the state, and
 * `update(updates, state, params?)` turns gradients into updates and the next
 * state. `chain` composes them; `applyUpdates` adds the updates to the params.
 *
 * Both functions return plain values, computed eagerly with `np` like the rest
 * of diffect's array code (see docs/architecture.md, "Optimizers"): states are
 * pytrees of tensors (the step count too), so an update step can be traced by
 * a transformation and a state saved with `Checkpoint`.
 *
 * @since 0.1.0
 */
import { np, type Tensor } from "@diffect/core"
import { absSq, mapTensors, tensorLeaves } from "./internal/trees.js"
import { stateArray, transformationArg } from "./internal/validate.js"

/**
 * A gradient transformation: `init` and `update`, pure functions over pytrees
 * (optax's `GradientTransformation`). `S` is the state's type.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.sgd(0.1)
 * const params = { w: np.array([1, 2]) }
 * const state = opt.init(params)
 * const [updates] = opt.update({ w: np.array([10, 20]) }, state, params)
 * console.log(toJsSync(optim.applyUpdates(params, updates))) // { w: [0, 0] }
 *
 * @since 0.1.0
 */
export interface GradientTransformation<S = unknown> {
  /** The initial state for `params` (a pytree of tensors). */
  readonly init: (params: unknown) => S
  /** The transformed updates and the next state; `params` is needed by a few (`addDecayedWeights`). */
  readonly update: <U>(updates: U, state: S, params?: U) => readonly [U, S]
}

/**
 * The state type of a transformation.
 *
 * @since 0.1.0
 */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never

/**
 * The state of a stateless transformation: an empty record (no leaves).
 *
 * @since 0.1.0
 */
export type EmptyState = { readonly [K in never]: never }

/**
 * The transformation that leaves updates unchanged (optax's `identity`).
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const [u] = optim.identity().update(np.array([1, 2]), {})
 * console.log(toJsSync(u)) // [1, 2]
 *
 * @since 0.1.0
 */
export const identity = (): GradientTransformation<EmptyState> => ({
  init: () => ({}),
  update: (updates, state) => [updates, state]
})

/**
 * Applies transformations in sequence (optax's `chain`): each one's updates feed
 * the next; the state is the array of their states, in order.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.scaleByLearningRate(0.5))
 * const [u] = opt.update(np.array([3, 4]), opt.init(np.zeros(2)))
 * console.log(toJsSync(u)) // [-0.3, -0.4]
 *
 * @since 0.1.0
 */
export const chain = <const Ts extends ReadonlyArray<GradientTransformation<any>>>(
  ...transformations: Ts
): GradientTransformation<{ -readonly [K in keyof Ts]: StateOf<Ts[K]> }> => {
  type S = { -readonly [K in keyof Ts]: StateOf<Ts[K]> }
  transformations.forEach((t, i) => transformationArg("chain", `transformations[${i}]`, t))
  const n = transformations.length
  return {
    init: (params) => transformations.map((t) => t.init(params)) as S,
    update: (updates, state, params) => {
      const states = stateArray("chain", state, n)
      let u = updates
      const next = new Array<unknown>(n)
      for (let i = 0; i < n; i++) {
        const [ui, si] = transformations[i]!.update(u, states[i], params)
        u = ui
        next[i] = si
      }
      return [u, next as S]
    }
  }
}

/**
 * `params + updates`, leafwise, each result in its parameter's dtype (optax's
 * `apply_updates`).
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.applyUpdates({ w: np.array([1, 2]) }, { w: np.array([0.5, -1]) }))) // { w: [1.5, 1] }
 *
 * @since 0.1.0
 */
export const applyUpdates = <P>(params: P, updates: P): P =>
  mapTensors("applyUpdates", [params, updates], (p, u) => np.astype(np.add(p, u), p.dtype), ["params", "updates"])

/**
 * The L2 norm of all leaves together, `sqrt(sum(|x|^2))` (optax's `global_norm`).
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.globalNorm({ a: np.array([3]), b: np.array([[4]]) }))) // 5
 *
 * @since 0.1.0
 */
export const globalNorm = (tree: unknown): Tensor => {
  const [leaves] = tensorLeaves("globalNorm", "tree", tree)
  let total: Tensor | undefined
  for (const x of leaves) {
    const s = np.sum(absSq(x))
    total = total === undefined ? s : np.add(total, s)
  }
  return np.sqrt(total ?? np.array(0))
}
