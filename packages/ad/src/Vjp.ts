/**
 * The pytree transformations around the flat handlers: `jvp`, `vjp`,
 * `linearize`, `linearTranspose` and `makeProgram` (JAX's names and checks).
 * Each takes a function of pytrees returning a value or an Effect, and returns
 * an Effect needing a `Backend`.
 *
 * @since 0.1.0
 */
import { DType, lax, Shape, Tree } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import type { Effect } from "effect"
import { CotangentMismatchError, LinearTransposeDTypeError, TangentMismatchError } from "./Errors.js"
import type { DiffError } from "./Errors.js"
import { checkCallable, leafToTensor, tangentDType } from "./internal/args.js"
import { describe } from "./internal/describe.js"
import { rebuildAux, reduceOverAxes, zeroCotangent } from "./internal/grad.js"
import { flattenOutput, makeOutCapture } from "./internal/output.js"
import type { OutCapture } from "./internal/output.js"
import { resolve, transformation } from "./internal/shell.js"
import { jvpFlat } from "./Jvp.js"
import { linearizeFlat } from "./Linearize.js"
import type { Program } from "./Program.js"
import { makeProgramFlat } from "./Staging.js"
import { linearTransposeFlat, vjpFlat } from "./Transpose.js"
import type { AnyFunction, AuxOf, ContextOf, ErrorOf, GradOf, JacOut } from "./Types.js"

type Result<F extends AnyFunction, A> = Effect.Effect<A, DiffError | ErrorOf<F>, Backend | ContextOf<F>>

/**
 * The output of `F` (without its aux when `A`), with JS numbers as tensors.
 *
 * @since 0.1.0
 */
export type OutputOf<F extends AnyFunction, A extends boolean = false> = GradOf<JacOut<F, A>>

/**
 * A tangent, cotangent or primal leaf given by the user as a tensor. A JS number
 * takes `like`'s dtype, so that `jvp(f, [x64], [1])` needs no explicit dtype.
 */
const tangentLeaf = (name: string, leaf: unknown, tree: unknown, k: number, label: string, like: Tensor): Tensor =>
  typeof leaf === "number"
    ? lax.scalar(leaf, tangentDType(like.dtype) === "float0" ? "float0" : like.dtype, like.weakType)
    : leafToTensor(name, leaf, tree, k, label)

/** Calls `f` on the pytree arguments rebuilt from flat leaves; flattens its output. */
const tracedFn = (
  name: string,
  f: AnyFunction,
  inDef: Tree.TreeDef,
  hasAux: boolean,
  capture: OutCapture
) =>
(xs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
  checkCallable(name, f)
  const args = Tree.unflatten<ReadonlyArray<unknown>>(inDef, xs)
  return flattenOutput(name, resolve(name, f(...args)), hasAux, capture)
}

const fnName = (f: AnyFunction): string => (f.name.length > 0 ? f.name : "<anonymous>")

const flattenPrimals = (name: string, primals: ReadonlyArray<unknown>): readonly [Array<Tensor>, Tree.TreeDef] => {
  const [leaves, def] = Tree.flatten(primals)
  return [leaves.map((leaf, k) => leafToTensor(name, leaf, primals, k, "the primals")), def]
}

/** Checks tangents (or cotangents) against the values they pair with: structure, dtype, shape. */
const checkPaired = (
  fn: string,
  expectedDef: Tree.TreeDef,
  expected: ReadonlyArray<Tensor>,
  given: unknown,
  // linearTranspose's cotangents have the outputs' own dtypes (integer functions
  // included, as JAX's `core.typecheck`); elsewhere, the tangent dtype (float0 for ints).
  exact = false
): Array<Tensor> => {
  const [leaves, def] = Tree.flatten(given)
  if (!Tree.treedefEquals(def, expectedDef)) {
    throw new CotangentMismatchError({
      function: fn,
      kind: "structure",
      expected: String(expectedDef),
      got: String(def)
    })
  }
  return leaves.map((leaf, k) => {
    const like = expected[k]!
    const t = exact && typeof leaf === "number"
      ? lax.scalar(leaf, like.dtype, like.weakType)
      : tangentLeaf(fn, leaf, given, k, `the argument of the ${fn} function`, like)
    const dtype = exact ? like.dtype : tangentDType(like.dtype)
    if (t.dtype !== dtype || !Shape.shapeEquals(t.shape, like.shape)) {
      throw new CotangentMismatchError({
        function: fn,
        kind: "type",
        expected: `${dtype}${Shape.formatShape(like.shape)}`,
        got: `${t.dtype}${Shape.formatShape(t.shape)}`
      })
    }
    return t
  })
}

/**
 * Options of `jvp`, `vjpWith` and `linearizeWith`.
 *
 * @since 0.1.0
 */
export interface AuxOptions<A extends boolean = boolean> {
  /** The function returns `[output, aux]`; `aux` is returned, not differentiated. */
  readonly hasAux?: A
}

/**
 * A Jacobian-vector product (JAX's `jax.jvp`): evaluates `f(...primals)` and its
 * directional derivative along `tangents`. `primals` and `tangents` are arrays of
 * arguments with the same structure, shapes and (tangent) dtypes: a float
 * tangent has its primal's dtype, an int/bool primal takes a `float0` tangent.
 *
 * Gives `[out, tangentOut]`, or `[out, tangentOut, aux]` with `hasAux`.
 *
 * @example
 * import { np, jvp, runSync } from "diffect"
 * const [y, dy] = runSync(jvp(np.sin, [np.array(0.1)], [np.array(0.2)]))
 * // y = 0.09983342, dy = 0.19900084 (as jax.jvp(jnp.sin, (0.1,), (0.2,)))
 *
 * @since 0.1.0
 */
export const jvp = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  primals: Parameters<F>,
  tangents: GradOf<Parameters<F>> | Parameters<F>,
  options: AuxOptions<A> = {}
): Result<F, A extends true ? [OutputOf<F, A>, OutputOf<F, A>, AuxOf<F>] : [OutputOf<F>, OutputOf<F>]> =>
  transformation(() => {
    if (!Array.isArray(primals) || !Array.isArray(tangents)) {
      const kind = (u: unknown) => Array.isArray(u) ? "array" : describe(u)
      throw new TangentMismatchError({ kind: "notArray", primal: kind(primals), tangent: kind(tangents), expected: "" })
    }
    const [ps, pDef] = flattenPrimals("jvp", primals)
    const [tLeaves, tDef] = Tree.flatten(tangents)
    if (!Tree.treedefEquals(pDef, tDef)) {
      throw new TangentMismatchError({ kind: "structure", primal: String(pDef), tangent: String(tDef), expected: "" })
    }
    const ts = tLeaves.map((leaf, k) => {
      const p = ps[k]!
      const t = tangentLeaf("jvp", leaf, tangents, k, "the tangents", p)
      const expected = tangentDType(p.dtype)
      if (t.dtype !== expected) {
        throw new TangentMismatchError({ kind: "dtype", primal: p.dtype, tangent: t.dtype, expected })
      }
      if (!Shape.shapeEquals(p.shape, t.shape)) {
        throw new TangentMismatchError({
          kind: "shape",
          primal: Shape.formatShape(p.shape),
          tangent: Shape.formatShape(t.shape),
          expected: ""
        })
      }
      return t
    })
    const hasAux = options.hasAux === true
    const capture = makeOutCapture()
    const [outs, outTangents] = jvpFlat(tracedFn("jvp", f, pDef, hasAux, capture), ps, ts)
    const n = capture.count
    const out = Tree.unflatten(capture.def!, outs.slice(0, n))
    const tangentOut = Tree.unflatten(capture.def!, outTangents.slice(0, n))
    return (hasAux ? [out, tangentOut, rebuildAux(capture.aux, outs)] : [out, tangentOut]) as never
  })

/**
 * Options of `vjpWith`.
 *
 * @since 0.1.0
 */
export interface VjpOptions<A extends boolean = boolean> extends AuxOptions<A> {
  /**
   * Named axes (bound by an enclosing `vmap`) over which the cotangent of each
   * primal that does not vary along them is summed when the VJP function runs.
   */
  readonly reduceAxes?: string | ReadonlyArray<string>
}

/**
 * A VJP function: maps a cotangent of the output (same structure, shapes and
 * dtypes; a JS number takes its output's dtype) to the tuple of cotangents of
 * the primals.
 *
 * @since 0.1.0
 */
export type VjpFn<Out, Args> = (
  cotangent: Out | GradOf<Out> | Tree.MapLeaves<Out, Tensor | number>
) => Effect.Effect<GradOf<Args>, DiffError, Backend>

const vjpImpl = (
  f: AnyFunction,
  primals: ReadonlyArray<unknown>,
  options: VjpOptions
): ReadonlyArray<unknown> => {
  const [ps, pDef] = flattenPrimals("vjp", primals)
  const hasAux = options.hasAux === true
  const capture = makeOutCapture()
  const [outs, pullback] = vjpFlat(tracedFn("vjp", f, pDef, hasAux, capture), ps)
  const n = capture.count
  const mainOuts = outs.slice(0, n)
  const auxZeros = outs.slice(n).map(zeroCotangent)
  const vjpFn = (...given: ReadonlyArray<unknown>) =>
    transformation(() => {
      if (given.length !== 1) {
        throw new CotangentMismatchError({
          function: "VJP",
          kind: "arity",
          expected: fnName(f),
          got: String(given.length)
        })
      }
      const cts = checkPaired("VJP", capture.def!, mainOuts, given[0])
      let grads = pullback(auxZeros.length === 0 ? cts : [...cts, ...auxZeros])
      if (options.reduceAxes !== undefined) grads = reduceOverAxes(options.reduceAxes, ps, grads)
      return Tree.unflatten(pDef, grads)
    })
  const out = Tree.unflatten(capture.def!, mainOuts)
  return hasAux ? [out, vjpFn, rebuildAux(capture.aux, outs)] : [out, vjpFn]
}

/**
 * A vector-Jacobian product (JAX's `jax.vjp`): evaluates `f(...primals)` and
 * returns `[out, vjpFn]`, where `vjpFn(cotangent)` is an Effect of the tuple of
 * the primals' cotangents. Integer and boolean primals get `float0` cotangents.
 *
 * @example
 * import { np, vjp, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function* () {
 *   const [y, pullback] = yield* vjp((x: Tensor, y: Tensor) => np.multiply(x, y), np.array(3), np.array(4))
 *   return yield* pullback(np.array(1)) // [4, 3]
 * })
 *
 * @since 0.1.0
 */
export const vjp = <F extends AnyFunction>(
  f: F,
  ...primals: Parameters<F>
): Result<F, [OutputOf<F>, VjpFn<OutputOf<F>, Parameters<F>>]> => transformation(() => vjpImpl(f, primals, {}) as never)

/**
 * `vjp` with options (`hasAux`, `reduceAxes`): `vjpWith(f, options)(...primals)`
 * gives `[out, vjpFn]`, or `[out, vjpFn, aux]` with `hasAux`.
 *
 * @example
 * import { np, vjpWith } from "diffect"
 * import type { Tensor } from "diffect"
 * const withAux = vjpWith((x: Tensor) => [np.sin(x), { x2: np.square(x) }], { hasAux: true })
 *
 * @since 0.1.0
 */
export const vjpWith = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  options: VjpOptions<A>
): (
  ...primals: Parameters<F>
) => Result<
  F,
  A extends true ? [OutputOf<F, A>, VjpFn<OutputOf<F, A>, Parameters<F>>, AuxOf<F>]
    : [OutputOf<F>, VjpFn<OutputOf<F>, Parameters<F>>]
> =>
(...primals) => transformation(() => vjpImpl(f, primals, options) as never)

/**
 * A linearized function: maps tangents of the primals (one per argument) to the
 * tangent of the output.
 *
 * @since 0.1.0
 */
export type JvpFn<Out, Args extends ReadonlyArray<unknown>> = (
  ...tangents: GradOf<Args> | Args
) => Effect.Effect<Out, DiffError, Backend>

const linearizeImpl = (f: AnyFunction, primals: ReadonlyArray<unknown>, hasAux: boolean): ReadonlyArray<unknown> => {
  const [ps, pDef] = flattenPrimals("linearize", primals)
  const capture = makeOutCapture()
  const [outs, jvpFn] = linearizeFlat(tracedFn("linearize", f, pDef, hasAux, capture), ps)
  const n = capture.count
  const linear = (...tangents: ReadonlyArray<unknown>) =>
    transformation(() => {
      const ts = checkPaired("linearized", pDef, ps, tangents)
      return Tree.unflatten(capture.def!, jvpFn(ts).slice(0, n))
    })
  const out = Tree.unflatten(capture.def!, outs.slice(0, n))
  return hasAux ? [out, linear, rebuildAux(capture.aux, outs)] : [out, linear]
}

/**
 * Linearization (JAX's `jax.linearize`): evaluates `f(...primals)` and returns
 * `[out, jvpFn]`, where `jvpFn(...tangents)` evaluates the JVP at the primals
 * without re-running `f`: the linear part was staged once into a Program.
 *
 * @example
 * import { np, linearize } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function* () {
 *   const [y, df] = yield* linearize(np.sin, np.array(1))
 *   return yield* df(np.array(2)) // 2 * cos(1)
 * })
 *
 * @since 0.1.0
 */
export const linearize = <F extends AnyFunction>(
  f: F,
  ...primals: Parameters<F>
): Result<F, [OutputOf<F>, JvpFn<OutputOf<F>, Parameters<F>>]> =>
  transformation(() => linearizeImpl(f, primals, false) as never)

/**
 * `linearize` with `hasAux`: `linearizeWith(f, { hasAux: true })(...primals)` gives
 * `[out, jvpFn, aux]`.
 *
 * @since 0.1.0
 */
export const linearizeWith = <F extends AnyFunction, A extends boolean = false>(
  f: F,
  options: AuxOptions<A>
): (
  ...primals: Parameters<F>
) => Result<
  F,
  A extends true ? [OutputOf<F, A>, JvpFn<OutputOf<F, A>, Parameters<F>>, AuxOf<F>]
    : [OutputOf<F>, JvpFn<OutputOf<F>, Parameters<F>>]
> =>
(...primals) => transformation(() => linearizeImpl(f, primals, options.hasAux === true) as never)

/**
 * The transpose of a linear function (JAX's `jax.linear_transpose`). `primals`
 * only give the input shapes and dtypes. The result maps a cotangent of the
 * output to the tuple of input cotangents, with the inputs' dtypes.
 *
 * @example
 * import { np, linearTranspose } from "diffect"
 * import type { Tensor } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function* () {
 *   const t = yield* linearTranspose((x: Tensor, y: Tensor) => np.subtract(np.multiply(x, 0.5), np.multiply(y, 0.5)), np.array(0), np.array(0))
 *   return yield* t(np.array(1)) // [0.5, -0.5]
 * })
 *
 * @since 0.1.0
 */
export const linearTranspose = <F extends AnyFunction>(
  f: F,
  ...primals: Parameters<F>
): Result<F, VjpFn<OutputOf<F>, Parameters<F>>> =>
  transformation(() => {
    const [ps, pDef] = flattenPrimals("linearTranspose", primals)
    const capture = makeOutCapture()
    let outAvals: ReadonlyArray<Tensor> = []
    const traced = tracedFn("linearTranspose", f, pDef, false, capture)
    const transpose = linearTransposeFlat((xs) => {
      const outs = traced(xs)
      outAvals = outs
      return outs
    }, ps.map((p) => p.aval))
    const inDTypes = ps.map((p) => p.dtype)
    const outDTypes = outAvals.map((y) => y.dtype)
    const all = [...inDTypes, ...outDTypes]
    // JAX's rule: all inexact, or all integer (an integer linear map is transposed on integers).
    if (!all.every(DType.isInexact) && !all.every(DType.isInteger)) {
      throw new LinearTransposeDTypeError({ kind: "mixed", inDTypes, outDTypes })
    }
    const outs = outAvals
    return ((cotangent: unknown) =>
      transformation(() => {
        const cts = checkPaired("transposed", capture.def!, outs, cotangent, true)
        return Tree.unflatten(pDef, transpose(cts))
      })) as never
  })

/**
 * Stages `f` into a Program (JAX's `jax.make_jaxpr`) at the shapes and dtypes of
 * `args`; print it with `String(program)`.
 *
 * @example
 * import { np, makeProgram, runSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const program = runSync(makeProgram((x: Tensor) => np.multiply(np.sin(x), 2))(np.zeros([3])))
 * String(program) // { lambda ; a:f32[3]. let b:f32[3] = sin a; ... in (c) }
 *
 * @since 0.1.0
 */
export const makeProgram = <F extends AnyFunction>(f: F): (...args: Parameters<F>) => Result<F, Program> => (...args) =>
  transformation(() => {
    const [xs, def] = flattenPrimals("makeProgram", args)
    const capture = makeOutCapture()
    return makeProgramFlat(tracedFn("makeProgram", f, def, false, capture), xs.map((x) => x.aval))
  })
