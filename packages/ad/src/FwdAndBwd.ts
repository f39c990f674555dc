/**
 * `fwdAndBwd` (JAX's `jax.fwd_and_bwd`): a function's forward pass, giving its output and the
 * residuals, and its backward pass, from the residuals and an output cotangent to the cotangents
 * of the arguments at `argnums`: `vjp` split in two functions that are each compiled once.
 *
 * @since 0.1.0
 */
import type { Backend } from "@diffect/core"
import { anyValue, argumentError, boolean, checkOptions } from "@diffect/core/Validate"
import type { OptionSpec } from "@diffect/core/Validate"
import type { Effect } from "effect"
import type { DiffError } from "./Errors.js"
import { checkCallable, normalizeArgnums } from "./internal/args.js"
import { resolve, transformation } from "./internal/shell.js"
import { jit } from "./Jit.js"
import type { JitCacheInfo } from "./Jit.js"
import type { AuxOptions, OutputOf } from "./Jvp.js"
import type { AnyFunction, Argnums, AuxOf, GradsAt } from "./Types.js"
import { vjp } from "./Vjp.js"
import type { VjpFn } from "./Vjp.js"

/**
 * Options of `fwdAndBwd`: `argnums`, the positions of the arguments differentiated (a number: the
 * backward pass gives that argument's cotangent; an array: a tuple in its order); `hasAux`, as in
 * `vjp`; `jitted` (default `true`), whether both passes are `jit`-compiled.
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface FwdAndBwdOptions<N extends Argnums = Argnums, A extends boolean = boolean, J extends boolean = boolean>
  extends AuxOptions<A>
{
  readonly argnums: N
  readonly jitted?: J
}

/**
 * The residuals of `fwdAndBwd`'s forward pass: the VJP function of the differentiated arguments, a
 * `Tree.partial` whose leaves are the tensors the backward pass needs.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type Residuals<F extends AnyFunction, A extends boolean = false> = VjpFn<OutputOf<F, A>, ReadonlyArray<unknown>>

const spec: OptionSpec = { argnums: anyValue, hasAux: boolean, jitted: boolean }

/**
 * The forward and backward passes of `f` (JAX's `jax.fwd_and_bwd`). `fwd(...args)` gives
 * `[out, residuals]` (`[out, residuals, aux]` with `hasAux`), as `vjp` of `f` in the arguments at
 * `argnums` would; `bwd(residuals, cotangent)` gives the cotangents of those arguments. With
 * `jitted` (the default) both are `jit`-compiled, and the residuals are a pytree whose structure
 * comes from the compiled forward pass: `bwd` compiles once, however many times `fwd` runs
 * (jitting `vjp`'s VJP function instead compiles it for every new forward pass).
 *
 * @example
 * import { fwdAndBwd, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 *
 * const [fwd, bwd] = fwdAndBwd((x: Tensor, w: Tensor) => np.matmul(x, w), { argnums: [0, 1] })
 * const x = np.ones([2, 2])
 * const w = np.array([[1, 2], [3, 4]])
 * for (let step = 0; step < 3; step++) {
 *   const [y, residuals] = runSync(fwd(x, w))
 *   const [dx, dw] = runSync(bwd(residuals, np.onesLike(y)))
 *   if (step === 2) console.log(toJsSync([y, dx, dw])) // [[[4, 6], [4, 6]], [[3, 7], [3, 7]], [[2, 2], [2, 2]]]
 * }
 * console.log(bwd.cacheInfo().misses) // 1
 *
 * @category Transformations
 * @since 0.1.0
 */
export const fwdAndBwd = <
  F extends AnyFunction,
  const N extends Argnums,
  A extends boolean = false,
  J extends boolean = true
>(
  f: F,
  options: FwdAndBwdOptions<N, A, J>
): readonly [fwd: FwdFunction<F, A, J>, bwd: BwdFunction<F, N, A, J>] => {
  checkCallable("fwdAndBwd", f)
  checkOptions("fwdAndBwd", options, spec)
  if (options?.argnums === undefined) {
    throw argumentError("fwdAndBwd", "options.argnums", "the positions of the arguments to differentiate", undefined)
  }
  const { argnums } = options
  const hasAux = options.hasAux === true
  const fwd = (...args: ReadonlyArray<unknown>) =>
    transformation(() => {
      const { indices } = normalizeArgnums(argnums, args.length)
      // the other arguments are fixed (traced by a jitted fwd, so not baked into its program)
      const partial = (...dynamic: ReadonlyArray<unknown>) =>
        f(...args.map((a, i) => (indices.includes(i) ? dynamic[indices.indexOf(i)] : a)))
      return resolve("fwdAndBwd", vjp(partial, indices.map((i) => args[i]) as never, { hasAux }))
    })
  const bwd = (residuals: unknown, cotangent: unknown) =>
    transformation(() => {
      if (typeof residuals !== "function") {
        throw argumentError("fwdAndBwd (bwd)", "residuals", "the residuals its fwd returned", residuals)
      }
      const grads = resolve("fwdAndBwd", residuals(cotangent)) as ReadonlyArray<unknown>
      return typeof argnums === "number" ? grads[0] : grads
    })
  if (options.jitted === false) return [fwd, bwd] as never
  return [jit(fwd), jit(bwd)] as never
}

/** What a jitted pass adds: `jit`'s cache statistics. */
type JitInfo<J extends boolean> = J extends false ? unknown : { readonly cacheInfo: () => JitCacheInfo }

/**
 * `fwdAndBwd`'s forward pass (jitted: with `jit`'s `cacheInfo`).
 *
 * @category Transformations
 * @since 0.1.0
 */
export type FwdFunction<F extends AnyFunction, A extends boolean, J extends boolean = true> =
  & ((
    ...args: Parameters<F>
  ) => Effect.Effect<
    A extends true ? [OutputOf<F, A>, Residuals<F, A>, AuxOf<F>] : [OutputOf<F>, Residuals<F>],
    DiffError,
    Backend
  >)
  & JitInfo<J>

/**
 * `fwdAndBwd`'s backward pass (jitted: with `jit`'s `cacheInfo`).
 *
 * @category Transformations
 * @since 0.1.0
 */
export type BwdFunction<F extends AnyFunction, N extends Argnums, A extends boolean = false, J extends boolean = true> =
  & ((
    residuals: Residuals<F, A>,
    cotangent: OutputOf<F, A>
  ) => Effect.Effect<GradsAt<Parameters<F>, N>, DiffError, Backend>)
  & JitInfo<J>
