/**
 * Dense Jacobians and Hessians (JAX's `jacfwd`, `jacrev`, `hessian`) of
 * functions of pytrees. The result has the output's structure, each leaf holding
 * the input's structure; leaf (y, x) has shape `y.shape ++ x.shape`.
 *
 * @since 0.1.0
 */
import type { Backend } from "@diffect/core"
import { anyValue, boolean, checkOptions } from "@diffect/core/Validate"
import type { Effect } from "effect"
import type { DiffError } from "./Errors.js"
import { jacfwdSync, jacrevSync } from "./internal/jacobian.js"
import { transformation } from "./internal/shell.js"
import type {
  AnyFunction,
  Argnums,
  ArgsAt,
  AuxOf,
  ContextOf,
  ErrorOf,
  JacobianOf,
  JacobianResult,
  JacOut
} from "./Types.js"

/**
 * Options of `jacfwd`, `jacrev` and `hessian` (as JAX's): `argnums`, `hasAux`,
 * `holomorphic`; `allowInt` for `jacrev` only (integer inputs get `float0` rows).
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface JacobianOptions<N extends Argnums = Argnums, A extends boolean = boolean> {
  readonly argnums?: N
  readonly hasAux?: A
  readonly holomorphic?: boolean
}

/**
 * Options of `jacrev`: those of `jacfwd` plus `allowInt`.
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface JacrevOptions<N extends Argnums = Argnums, A extends boolean = boolean> extends JacobianOptions<N, A> {
  readonly allowInt?: boolean
}

// `argnums` is checked by normalizeArgnums, with JAX's messages.
const jacobianSpec = { argnums: anyValue, hasAux: boolean, holomorphic: boolean }
const jacrevSpec = { ...jacobianSpec, allowInt: boolean }

type Result<F extends AnyFunction, A> = Effect.Effect<A, DiffError | ErrorOf<F>, Backend | ContextOf<F>>

/**
 * The Jacobian of `f` by forward mode (JAX's `jax.jacfwd`): one JVP per input
 * element, batched with vmap. Inputs must be real floating (complex with
 * `holomorphic`).
 *
 * @example
 * import { jacfwd, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const f = (x: Tensor) =>
 *   np.stack([
 *     x.at(0),
 *     np.multiply(5, x.at(2)),
 *     np.subtract(np.multiply(4, np.square(x.at(1))), np.multiply(2, x.at(2))),
 *     np.multiply(x.at(2), np.sin(x.at(0)))
 *   ])
 * console.log(toJsSync(runSync(jacfwd(f)(np.array([1, 2, 3])))))
 * // [[1, 0, 0], [0, 0, 5], [0, 16, -2], [1.6209068, 0, 0.8414710]]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const jacfwd = <F extends AnyFunction, const N extends Argnums = 0, A extends boolean = false>(
  f: F,
  options: JacobianOptions<N, A> = {}
): (...args: Parameters<F>) => Result<F, JacobianResult<F, N, A>> =>
(...args) =>
  transformation(() => {
    checkOptions("jacfwd", options, jacobianSpec)
    return jacfwdSync(f, options, args) as JacobianResult<F, N, A>
  })

/**
 * The Jacobian of `f` by reverse mode (JAX's `jax.jacrev`): one VJP per output
 * element, batched with vmap. Outputs must be real floating (complex with
 * `holomorphic`).
 *
 * @example
 * import { jacrev, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * console.log(toJsSync(runSync(jacrev((x: Tensor) => np.multiply(x, x))(np.array([1, 2]))))) // [[2, 0], [0, 4]]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const jacrev = <F extends AnyFunction, const N extends Argnums = 0, A extends boolean = false>(
  f: F,
  options: JacrevOptions<N, A> = {}
): (...args: Parameters<F>) => Result<F, JacobianResult<F, N, A>> =>
(...args) =>
  transformation(() => {
    checkOptions("jacrev", options, jacrevSpec)
    return jacrevSync(f, options, args) as JacobianResult<F, N, A>
  })

/**
 * The type of `hessian(f)`'s result: the Jacobian of the Jacobian.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type HessianResult<F extends AnyFunction, N extends Argnums, A extends boolean> = A extends true
  ? [JacobianOf<JacobianOf<JacOut<F, A>, ArgsAt<Parameters<F>, N>>, ArgsAt<Parameters<F>, N>>, AuxOf<F>]
  : JacobianOf<JacobianOf<JacOut<F, A>, ArgsAt<Parameters<F>, N>>, ArgsAt<Parameters<F>, N>>

/**
 * The Hessian of `f` (JAX's `jax.hessian`): `jacfwd(jacrev(f))`, forward over
 * reverse. For pytrees, its structure is the output's tree of the input's tree
 * of the input's tree.
 *
 * @example
 * import { hessian, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const g = (x: Tensor) =>
 *   np.subtract(np.subtract(np.power(x.at(0), 3), np.multiply(2, np.multiply(x.at(0), x.at(1)))), np.power(x.at(1), 6))
 * console.log(toJsSync(runSync(hessian(g)(np.array([1, 2]))))) // [[6, -2], [-2, -480]]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const hessian = <F extends AnyFunction, const N extends Argnums = 0, A extends boolean = false>(
  f: F,
  options: JacobianOptions<N, A> = {}
): (...args: Parameters<F>) => Result<F, HessianResult<F, N, A>> => {
  const inner = (...args: ReadonlyArray<unknown>) => transformation(() => jacrevSync(f, options, args))
  return (...args) =>
    transformation(() => {
      checkOptions("hessian", options, jacobianSpec)
      return jacfwdSync(inner, options, args) as HessianResult<F, N, A>
    })
}

/**
 * Alias of {@link jacrev} (JAX's `jax.jacobian`).
 *
 * @example
 * import { jacobian, np, runSync, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * console.log(toJsSync(runSync(jacobian((x: Tensor) => np.multiply(x, x))(np.array([1, 2]))))) // [[2, 0], [0, 4]]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const jacobian: typeof jacrev = jacrev
