/**
 * What every `stats` distribution shares: JAX's `promote_args_inexact` (one
 * inexact dtype, JS numbers weak, one broadcast shape) and constants shaped
 * like an operand.
 *
 * @since 0.1.0
 */
import { isComplex } from "../../DType.js"
import { DTypeError } from "../../Errors.js"
import * as lax from "../../laxNamespace.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { prepare, toInexact } from "../npHelpers.js"

/**
 * The arguments promoted to one inexact dtype (integers and bools to float32)
 * and broadcast to one shape. Complex arguments fail: the distributions are real.
 *
 * @since 0.1.0
 */
export const promoteArgs = (op: string, ...args: ReadonlyArray<TensorLike>): Array<Tensor> =>
  prepare(op, args).map((t) => {
    if (isComplex(t.dtype)) throw new DTypeError({ operation: op, detail: "complex arguments are not supported" })
    return toInexact(t)
  })

/** `v` in the dtype and shape of `like` (weak, so it never promotes). @since 0.1.0 */
export const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

/** `cond ? v : x` elementwise, for a constant `v`. @since 0.1.0 */
export const whereConst = (cond: Tensor, v: number, x: Tensor): Tensor => lax.select(cond, c(x, v), x)

/** `x` where `cond` holds, the constant `v` elsewhere. @since 0.1.0 */
export const orConst = (cond: Tensor, x: Tensor, v: number): Tensor => lax.select(cond, x, c(x, v))

/** The elementwise `or` of several predicates. @since 0.1.0 */
export const any = (...ps: ReadonlyArray<Tensor>): Tensor => ps.reduce((a, b) => lax.or(a, b))

/** NaN where `q` is NaN or outside [0, 1] (JAX's ppf guard). @since 0.1.0 */
export const guardProbability = (q: Tensor, x: Tensor): Tensor =>
  whereConst(any(lax.ne(q, q), lax.lt(q, c(q, 0)), lax.gt(q, c(q, 1))), NaN, x)

/**
 * `log(1 - exp(-z))` for `z >= 0`, accurate for small and large `z` (Maechler's
 * switch at `log 2`); each branch sees a safe argument, so gradients stay finite.
 *
 * @since 0.1.0
 */
export const log1mexp = (z: Tensor): Tensor => {
  const small = lax.lt(z, c(z, Math.LN2))
  const a = lax.select(small, z, c(z, 1))
  const b = lax.select(small, c(z, 1), z)
  return lax.select(small, lax.log(lax.neg(lax.expm1(lax.neg(a)))), lax.log1p(lax.neg(lax.exp(lax.neg(b)))))
}

/**
 * `log(p)` where `p < 1/2`, else `log1p(-q)` for the complement `q = 1 - p`:
 * a log-CDF accurate in both tails. The unused branch gets a harmless argument,
 * so no 0 * inf reaches a gradient.
 *
 * @since 0.1.0
 */
export const logOfPair = (p: Tensor, q: Tensor): Tensor => {
  const useP = lax.lt(p, c(p, 0.5))
  return lax.select(useP, lax.log(lax.select(useP, p, c(p, 1))), lax.log1p(lax.neg(lax.select(useP, c(q, 0), q))))
}
