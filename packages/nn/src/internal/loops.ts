/**
 * Rejection loops (JAX's `while_loop` in its gamma and poisson samplers) without
 * a while primitive: the body runs for every element and a `select` keeps the
 * elements that are done, exactly as JAX's batched `while_loop` does, so each
 * element's result is the one a per-element loop gives. The loop stops when the
 * condition is false everywhere; that needs the condition's value, which a
 * concrete tensor on a synchronous backend has (a `ControlFlowError` after
 * `MAX_CONCRETE_ROUNDS` rounds, rather than a hang). Under a transformation (a traced
 * condition) or on an asynchronous device it runs `maxTraced` rounds instead,
 * which changes nothing once every element is done (the rounds after that are
 * all `select`s of the old state).
 *
 * @since 0.1.0
 */
import { ConcreteTensor, ControlFlowError, lax, np, peekHost } from "@diffect/core"
import type { Tensor } from "@diffect/core"

/** Whether any element of a bool tensor is true, or `undefined` when it cannot be read now. @since 0.1.0 */
export const concreteAny = (t: Tensor): boolean | undefined => {
  if (!(t instanceof ConcreteTensor)) return undefined
  const buffer = t.buffer
  // scanned at once: a peek leaves the storage the buffer's own
  const data = t.host ?? (buffer === undefined ? undefined : peekHost(buffer, t.aval))
  if (data === undefined) return undefined
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return true
  return false
}

/**
 * The most rounds a loop over concrete values runs: the samplers' loops finish
 * an element with a fixed probability per round (BTRS and Marsaglia-Tsang accept
 * most draws; the binomial inversion takes one round per success, about 10), so
 * a loop still running after this many has parameters it cannot handle (as
 * `p = -0` once made the binomial's draws `-inf`), and fails instead of hanging.
 */
const MAX_CONCRETE_ROUNDS = 10_000

/**
 * Runs `body` on the state while `cond` holds for some element; elements whose
 * `cond` is false keep their state (`cond` has the state's leading shape, or is a
 * scalar for a loop over whole arrays). Over concrete values, a loop still
 * running after `maxConcrete` rounds is a `ControlFlowError`.
 *
 * @since 0.1.0
 */
export const whileLoop = <S extends ReadonlyArray<Tensor>>(
  cond: (state: S) => Tensor,
  body: (state: S) => S,
  init: S,
  maxTraced: number,
  maxConcrete = MAX_CONCRETE_ROUNDS
): S => {
  let state = init
  for (let round = 0;; round++) {
    const active = cond(state)
    const any = concreteAny(np.any(active))
    if (any === false || (any === undefined && round >= maxTraced)) return state
    if (round >= maxConcrete) {
      throw new ControlFlowError({
        operation: "random",
        detail:
          `a sampler's rejection loop has not finished after ${maxConcrete} rounds (each round finishes an element with a fixed probability, so this means parameters the sampler cannot handle)`
      })
    }
    const next = body(state)
    state = next.map((n, i) => {
      // A per-element condition covers the leading dimensions of each state entry (keys: [n, 2]).
      const mask = active.ndim === 0 || active.ndim === n.ndim
        ? active
        : lax.broadcastInDim(active, n.shape, active.shape.map((_, d) => d))
      return lax.select(mask, n, state[i]!)
    }) as unknown as S
  }
}
