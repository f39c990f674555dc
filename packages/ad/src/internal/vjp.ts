/**
 * Reverse mode on flat lists (JAX's `vjp` without pytrees): linearize, then
 * transpose the staged linear program with the backward pass.
 *
 * @since 0.1.0
 */
import type { AbstractValue, Tensor } from "@diffect/core"
import type { Program } from "../Program.js"
import { linearizeFlat } from "./linearize.js"
import { drain } from "./shell.js"
import type { Steps } from "./shell.js"
import { hasTrivialTangent, zeroTangent } from "./tangents.js"
import { backwardPassSteps, checkCotangents } from "./transpose.js"

// Cotangents of int/bool outputs carry nothing; those of float outputs are kept.
const liveCotangents = (avals: ReadonlyArray<AbstractValue>, cotangents: ReadonlyArray<Tensor>) =>
  cotangents.map((c, i) => (hasTrivialTangent(avals[i]!) ? null : c))

/**
 * Reverse-mode derivative on flat lists (JAX's `jax.vjp` without pytrees): the
 * outputs of `f` at `primals`, and the function from output cotangents to input
 * cotangents. Input cotangents have the inputs' dtypes; int/bool inputs get
 * float0 zeros.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import { vjpFlat } from "diffect/extend"
 * const [[y], vjpFn] = vjpFlat(([x]) => [lax.mul(x!, x!)], [np.array(3)])
 * const [g] = vjpFn([np.array(1)])
 * console.log(toJsSync([y!, g!])) // [9, 6]
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const vjpFlat = (
  f: (primals: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  primals: ReadonlyArray<Tensor>
): readonly [outs: ReadonlyArray<Tensor>, vjpFn: (cotangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>] => {
  const [outs, , program] = linearizeFlat(f, primals)
  const pullback = pullbackSteps(program, outs.map((y) => y.aval), primals.map((p) => p.aval))
  const steps = (cotangents: ReadonlyArray<Tensor>) => pullback(program.consts, cotangents)
  const vjpFn = (cotangents: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => drain(steps(cotangents))
  stepsOf.set(vjpFn, steps)
  return [outs, vjpFn]
}

/**
 * The backward pass of a linear program from `linearizeFlat`, as steps, with its residuals (the
 * values of `program.consts`) given on each call rather than closed over: `vjp` binds them into a
 * `Tree.partial`, so that a VJP function can cross a `jit` boundary with its residuals as leaves.
 */
export const pullbackSteps = (
  program: Program,
  outAvals: ReadonlyArray<AbstractValue>,
  primalAvals: ReadonlyArray<AbstractValue>
) =>
  function*(residuals: ReadonlyArray<Tensor>, cotangents: ReadonlyArray<Tensor>): Steps<ReadonlyArray<Tensor>> {
    checkCotangents("vjp", outAvals, cotangents)
    const inCts = yield* backwardPassSteps(program, residuals, liveCotangents(outAvals, cotangents))
    return inCts.map((c, i) => c ?? zeroTangent(primalAvals[i]!))
  }

/**
 * The VJP function of `vjpFlat` as steps (it yields between the backward pass's
 * equations), for the transformations that run it stepwise.
 */
export const vjpSteps = (
  vjpFn: (cotangents: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
): (cotangents: ReadonlyArray<Tensor>) => Steps<ReadonlyArray<Tensor>> => stepsOf.get(vjpFn)!

const stepsOf = new WeakMap<Function, (cotangents: ReadonlyArray<Tensor>) => Steps<ReadonlyArray<Tensor>>>()
