/**
 * Result types of the differentiation API, inferred from the differentiated
 * function: the gradient of a `{ w: Tensor; b: Tensor }` argument is typed
 * `{ w: Tensor; b: Tensor }`, `argnums: [0, 2]` gives a pair, `hasAux: true`
 * nests the value with the auxiliary data.
 *
 * @since 0.1.0
 */
import type { ShapeDtypeStruct, Tensor, Tree } from "@diffect/core"
import type { Effect } from "effect"

/**
 * Any function a transformation accepts: it returns a value or an Effect of one.
 *
 * @since 0.1.0
 */
// oxlint-disable-next-line no-explicit-any -- a function of any parameters is what users pass
export type AnyFunction = (...args: any) => unknown

/**
 * What a function computes, whether it returns a value or an Effect of one.
 *
 * @example
 * import { np, type Tensor, type Types } from "diffect"
 * import { Effect } from "effect"
 * type A = Types.Unwrap<Effect.Effect<Tensor>> // Tensor
 * const a: A = Effect.runSync(Effect.succeed(np.ones([2])))
 * console.log(String(a)) // Array([1., 1.], dtype=float32)
 *
 * @since 0.1.0
 */
export type Unwrap<T> = T extends Effect.Effect<infer A, infer _E, infer _R> ? A : T

/**
 * The error type of a function returning an Effect (`never` for plain functions).
 *
 * @since 0.1.0
 */
export type ErrorOf<F extends AnyFunction> = ReturnType<F> extends Effect.Effect<infer _A, infer E, infer _R> ? E
  : never

/**
 * The requirements of a function returning an Effect (`never` for plain functions).
 *
 * @since 0.1.0
 */
export type ContextOf<F extends AnyFunction> = ReturnType<F> extends Effect.Effect<infer _A, infer _E, infer R> ? R
  : never

/**
 * `argnums`: one position, or several (the result is then a tuple in their order).
 *
 * @since 0.1.0
 */
export type Argnums = number | ReadonlyArray<number>

/**
 * A gradient (or tangent) of a value of type `T`: the same tree with every leaf a
 * Tensor (JS numbers become Tensors; `null` stays `null`). A parameter typed as
 * anything a tensor can be made from (`TensorLike`, `Tensor | number`: `np.sin`'s
 * parameter) has a Tensor gradient, not the union of the gradients of each
 * member (`Tensor | { re: Tensor; im: Tensor } | ...`).
 *
 * @since 0.1.0
 */
export type GradOf<T> = [Tensor] extends [T] ? Tensor : Tree.MapLeaves<T, Tensor>

type Reverse<T extends ReadonlyArray<unknown>> = T extends readonly [infer H, ...infer R] ? [...Reverse<R>, H] : []
type Dec = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]

/**
 * The type of parameter `N` of a parameter list (negative `N` counts from the end).
 *
 * @since 0.1.0
 */
export type ArgAt<P extends ReadonlyArray<unknown>, N extends number> = number extends N ? P[number]
  : `${N}` extends `-${infer M extends number}` ? M extends keyof Dec ? Reverse<P>[Dec[M]] : P[number]
  : P[N]

/**
 * The gradient for `argnums` `N` of a function with parameters `P`: one gradient
 * for a number, a tuple of gradients for an array.
 *
 * @since 0.1.0
 */
export type GradsAt<P extends ReadonlyArray<unknown>, N extends Argnums> = N extends number ? GradOf<ArgAt<P, N>>
  : { -readonly [K in keyof N]: N[K] extends number ? GradOf<ArgAt<P, N[K]>> : never }

/**
 * The auxiliary data of a `hasAux` function returning `[output, aux]`.
 *
 * @since 0.1.0
 */
export type AuxOf<F extends AnyFunction> = Unwrap<ReturnType<F>> extends readonly [unknown, infer Aux] ? Aux : unknown

/**
 * What `valueAndGrad(f, { argnums: N, hasAux: A })` gives: `[value, grad]`, or
 * `[[value, aux], grad]`.
 *
 * @since 0.1.0
 */
export type ValueAndGradResult<F extends AnyFunction, N extends Argnums, A extends boolean> = A extends true
  ? [[Tensor, AuxOf<F>], GradsAt<Parameters<F>, N>]
  : [Tensor, GradsAt<Parameters<F>, N>]

/**
 * What `grad(f, { argnums: N, hasAux: A })` gives: `grad`, or `[grad, aux]`.
 *
 * @since 0.1.0
 */
export type GradResult<F extends AnyFunction, N extends Argnums, A extends boolean> = A extends true
  ? [GradsAt<Parameters<F>, N>, AuxOf<F>]
  : GradsAt<Parameters<F>, N>

/**
 * A Jacobian of an output tree `Out` with respect to an input tree `In`: the
 * output's structure, each leaf holding the input's structure of Tensors.
 *
 * @since 0.1.0
 */
export type JacobianOf<Out, In> = Tree.MapLeaves<Out, GradOf<In>>

/**
 * The Jacobian for `argnums` `N` of a function `F`.
 *
 * @since 0.1.0
 */
export type JacobianResult<F extends AnyFunction, N extends Argnums, A extends boolean> = A extends true
  ? [JacobianOf<JacOut<F, A>, ArgsAt<Parameters<F>, N>>, AuxOf<F>]
  : JacobianOf<JacOut<F, A>, ArgsAt<Parameters<F>, N>>

/**
 * The output of `F` (without its aux when `A`), with JS numbers as Tensors.
 *
 * @since 0.1.0
 */
export type JacOut<F extends AnyFunction, A extends boolean> = A extends true
  ? Unwrap<ReturnType<F>> extends readonly [infer Out, unknown] ? Out : unknown
  : Unwrap<ReturnType<F>>

/**
 * The argument (or tuple of arguments) selected by `argnums` `N`.
 *
 * @since 0.1.0
 */
export type ArgsAt<P extends ReadonlyArray<unknown>, N extends Argnums> = N extends number ? ArgAt<P, N>
  : { -readonly [K in keyof N]: N[K] extends number ? ArgAt<P, N[K]> : never }

/**
 * A function's arguments where `ShapeDtypeStruct`s may stand for tensors (what the functions that
 * only stage take: `evalShape`, `makeProgram`, `jit(f).lower`, `linearTranspose`).
 *
 * @since 0.1.0
 */
export type AbstractArgs<P> = { readonly [K in keyof P]: Tree.MapLeaves<P[K], Tensor | ShapeDtypeStruct> | P[K] }
