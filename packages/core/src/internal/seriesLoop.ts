/**
 * JAX's series loops (`while k < 250 and |term| > eps |sum|: sum += term; term *= ratio(k)`) as a
 * scan of a fixed number of steps in which each lane stops updating once its own condition
 * fails: the values of a per-element while loop, with no read-back of the condition (so every
 * backend runs it, under jit and vmap), and reverse-mode differentiable.
 */
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"

export const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, like.weakType)

/** The machine epsilon of a real tensor's dtype (JAX's `finfo(dtype).eps`). @internal */
export const epsOf = (t: Tensor): number => (t.dtype === "float64" ? 2 ** -52 : 2 ** -23)

/** `|term| > eps |sum|`, JAX's test that a series has not converged yet. @internal */
export const notConverged = (sum: Tensor, term: Tensor): Tensor =>
  lax.gt(lax.abs(term), lax.mul(c(sum, epsOf(sum)), lax.abs(sum)))

/**
 * `state` advanced by `step(k, state)` for `k = start, start + 1, ...` while `going(k, state)`
 * holds, lane by lane, for at most `steps` steps. `k` is a tensor like `state[0]`. @internal
 */
export const loopWhile = (
  init: ReadonlyArray<Tensor>,
  going: (k: Tensor, state: ReadonlyArray<Tensor>) => Tensor,
  step: (k: Tensor, state: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  options: { readonly start: number; readonly steps: number }
): ReadonlyArray<Tensor> => {
  const like = init[0]!
  const active0 = lax.full(like.shape, 1, "bool")
  const [, ...out] = lax.foriLoop(0, options.steps, (i: Tensor, [active, ...state]: ReadonlyArray<Tensor>) => {
    const k = lax.add(
      c(like, options.start),
      lax.broadcastInDim(lax.convertElementType(i, like.dtype, like.weakType), like.shape, [])
    )
    const on = lax.and(active!, going(k, state))
    const next = step(k, state)
    return [on, ...next.map((n, j) => lax.select(on, n, state[j]!))]
  }, [active0, ...init])
  return out
}

/** Whether some element of `on` is true (a scalar bool). @internal */
const anyOf = (on: Tensor): Tensor =>
  lax.gt(
    lax.reduceMax(lax.convertElementType(on, "int32"), on.shape.map((_, i) => i)),
    lax.full([], 0, "int32", false)
  )

/**
 * JAX's expansion loops (a `lax.whileLoop`, unlike `loopWhile`'s fixed count): `step` advances
 * `values` while some element is `active` and fewer than `limit` steps ran; an element keeps its
 * values once it is inactive, and stays active while `step`'s `going` says it has not converged.
 * Reverse mode refuses the loop: use it where a custom rule gives the derivative. @internal
 */
export const untilConverged = (
  values: ReadonlyArray<Tensor>,
  active: Tensor,
  limit: number,
  step: (values: ReadonlyArray<Tensor>) => { readonly values: ReadonlyArray<Tensor>; readonly going: Tensor }
): ReadonlyArray<Tensor> => {
  const [, , ...out] = lax.whileLoop(
    ([k, on]: ReadonlyArray<Tensor>) => lax.and(lax.lt(k!, lax.full([], limit, "int32", false)), anyOf(on!)),
    ([k, on, ...vs]: ReadonlyArray<Tensor>) => {
      const next = step(vs)
      return [
        lax.add(k!, lax.full([], 1, "int32", false)),
        lax.and(on!, next.going),
        ...next.values.map((v, i) => lax.select(on!, v, vs[i]!))
      ]
    },
    [lax.full([], 0, "int32", false), active, ...values]
  ) as ReadonlyArray<Tensor>
  return out
}
