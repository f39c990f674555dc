/**
 * The synchronous core of `valueAndGrad` (JAX's `value_and_grad_f`): select the
 * arguments named by `argnums`, check their dtypes, trace the function under
 * reverse mode, check that the output is a real scalar, pull back a cotangent of
 * one, and rebuild the gradient in the shape of the arguments.
 */
import { DType, isTensor, lax, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { axisIsBound, isBatchedAlong, psum } from "../Collectives.js"
import { NonScalarOutputError, UnboundAxisError } from "../Errors.js"
import {
  allLeaves,
  checkCallable,
  checkInputDTypeRev,
  checkOutputDTypeRev,
  flattenArgs,
  normalizeArgnums,
  unflattenArgs
} from "./args.js"
import { splitAux } from "./aux.js"
import type { AuxCapture } from "./aux.js"
import { boundAxisNames } from "./batchingAxisEnv.js"
import { describe } from "./describe.js"
import { drain, resolve } from "./shell.js"
import type { Steps } from "./shell.js"
import { vjpFlat, vjpSteps } from "./vjp.js"

/** The options of `grad` and `valueAndGrad`, as JAX's. @category Transformations @since 0.1.0 */
export interface GradOptions {
  readonly argnums?: number | ReadonlyArray<number>
  readonly hasAux?: boolean
  readonly holomorphic?: boolean
  readonly allowInt?: boolean
  readonly reduceAxes?: string | ReadonlyArray<string>
}

/** The parts of `valueAndGrad`'s result. */
export interface ValueAndGrad {
  readonly value: Tensor
  readonly aux: unknown
  readonly grad: unknown
}

/**
 * The output of a differentiated function as a tensor: a JS number is a weak
 * float32 scalar and a boolean a bool scalar (JAX's `core.typeof` of a Python
 * scalar), so `true` fails the dtype check, not the scalar one.
 */
export const outputTensor = (out: unknown): Tensor | undefined =>
  isTensor(out)
    ? out
    : typeof out === "number"
    ? lax.scalar(out, "float32", true)
    : typeof out === "boolean"
    ? lax.scalar(out ? 1 : 0, "bool")
    : undefined

/** Throws `NonScalarOutputError` unless `out` is a rank-0 tensor (JAX's `_check_scalar`). */
const checkScalar = (out: unknown): Tensor => {
  const y = outputTensor(out)
  if (y === undefined) throw new NonScalarOutputError({ shape: null, detail: describe(out) })
  if (y.ndim !== 0) throw new NonScalarOutputError({ shape: [...y.shape], detail: "" })
  return y
}

/** A one of `y`'s type: the cotangent that turns a VJP into a gradient (JAX's `_one_vjp`). */
const one = (y: Tensor): Tensor => lax.full(y.shape, 1, y.dtype, y.weakType)

/** Zeros for each output that only carries aux data: it does not contribute to the gradient. */
export const zeroCotangent = (y: Pick<Tensor, "dtype" | "shape" | "weakType">): Tensor =>
  lax.full(y.shape, 0, DType.isInteger(y.dtype) || y.dtype === "bool" ? "float0" : y.dtype, y.weakType)

export const valueAndGradSync = (
  name: string,
  f: (...args: ReadonlyArray<unknown>) => unknown,
  options: GradOptions,
  args: ReadonlyArray<unknown>
): ValueAndGrad => drain(valueAndGradSteps(name, f, options, args))

/**
 * `valueAndGradSync` as steps: the trace runs at once (user code cannot be
 * pre-empted), the backward pass yields between its equations.
 */
export function* valueAndGradSteps(
  name: string,
  f: (...args: ReadonlyArray<unknown>) => unknown,
  options: GradOptions,
  args: ReadonlyArray<unknown>
): Steps<ValueAndGrad> {
  checkCallable(name, f)
  const holomorphic = options.holomorphic ?? false
  const hasAux = options.hasAux ?? false
  const argnums = normalizeArgnums(options.argnums ?? 0, args.length)
  const flat = flattenArgs(name, argnums.indices.map((i) => args[i]), argnums.indices)
  const primals = allLeaves(flat)
  for (const x of primals) checkInputDTypeRev(name, holomorphic, options.allowInt ?? false, x)

  const capture: AuxCapture = { def: undefined, leaves: [], tensorAt: [] }
  const traced = (xs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const full = args.slice()
    const rebuilt = unflattenArgs(flat, xs)
    for (let j = 0; j < argnums.indices.length; j++) full[argnums.indices[j]!] = rebuilt[j]
    const out = resolve(name, f(...full))
    const main = hasAux ? splitAux(out, capture) : out
    const y = checkScalar(main)
    checkOutputDTypeRev(name, holomorphic, y)
    return capture.tensorAt.length === 0 ? [y] : [y, ...capture.tensorAt.map((k) => capture.leaves[k] as Tensor)]
  }

  const [outs, pullback] = vjpFlat(traced, primals)
  const value = outs[0]!
  const cotangents = [one(value)]
  for (let k = 1; k < outs.length; k++) cotangents.push(zeroCotangent(outs[k]!))
  let grads: ReadonlyArray<Tensor> = yield* vjpSteps(pullback)(cotangents)

  if (options.reduceAxes !== undefined) grads = reduceOverAxes(options.reduceAxes, primals, grads)

  const perArg = unflattenArgs(flat, grads)
  return {
    value,
    aux: hasAux ? rebuildAux(capture, outs) : undefined,
    grad: argnums.single ? perArg[0] : perArg
  }
}

/** The aux tree with its tensors replaced by the concrete values the trace returned. */
export const rebuildAux = (capture: AuxCapture, outs: ReadonlyArray<Tensor>): unknown => {
  const leaves = capture.leaves.slice()
  for (let k = 0; k < capture.tensorAt.length; k++) {
    leaves[capture.tensorAt[k]!] = outs[outs.length - capture.tensorAt.length + k]
  }
  return Tree.unflatten(capture.def!, leaves)
}

/**
 * JAX's `reduce_axes`: the gradient (cotangent) of a primal that does not vary
 * along a named axis (it was shared by all the vmapped instances) is the sum of the
 * instances' gradients. An unbound name is an `UnboundAxisError`.
 */
export const reduceOverAxes = (
  names: string | ReadonlyArray<string>,
  primals: ReadonlyArray<Tensor>,
  grads: ReadonlyArray<Tensor>
): ReadonlyArray<Tensor> => {
  const axes = typeof names === "string" ? [names] : names
  if (axes.length === 0) return grads
  for (const axis of axes) {
    if (!axisIsBound(axis)) throw new UnboundAxisError({ axisName: axis, available: [...boundAxisNames()] })
  }
  return grads.map((g, k) => {
    if (g.dtype === "float0") return g
    let out = g
    for (const axis of axes) if (!isBatchedAlong(primals[k]!, axis)) out = psum(out, axis)
    return out
  })
}
