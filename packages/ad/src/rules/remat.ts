/**
 * The rules of `remat` (JAX's `checkpoint`, jax/_src/ad_checkpoint.py):
 * JVP, batching and transpose map it to a `remat` of the derived program; the
 * partial-evaluation rule is where rematerialization happens: the body is split
 * with the policy (`partialEvalProgram`'s `saveable`), the known half runs now
 * and keeps only what the policy saves, and the staged half recomputes the
 * rest from those residuals and the primal inputs when the backward pass runs.
 *
 * @since 0.1.0
 */
import { bind } from "@diffect/core"
import type { Params, Tensor } from "@diffect/core"
import { evalProgram } from "@diffect/core/Program"
import type { Equation, Program } from "@diffect/core/Program"
import type { PartialEval } from "../internal/partialEval.js"
import { cachedByMask, maskKey } from "../internal/programCache.js"
import { rematerialize } from "../internal/rematerialize.js"
import type { JvpRule } from "./jvp.js"
import type { SplitProgram, Stage } from "./partialEval.js"
import type { BatchRule } from "./vmap.js"

/** `remat`'s JVP: a remat of the JVP program, so the policy applies to the tangent computation too. */
export const rematJvp: JvpRule<"remat"> = (primals, tangents, { policy, program }, jvpOf) => {
  const { outNonzero, program: jvp } = jvpOf(program, tangents.map((t) => t !== null))
  const live = tangents.filter((t): t is Tensor => t !== null)
  const outs = bind("remat", [...primals, ...live], { program: jvp, policy })
  const n = program.outputs.length
  let k = n
  return [outs.slice(0, n), outNonzero.map((nz) => (nz ? outs[k++]! : null))]
}

/** `remat`'s batching rule: a remat of the batched program. */
export const rematBatch: BatchRule<"remat"> = (xs, dims, { policy, program }, axis, batchOf) => {
  const { outBatched, program: batched } = batchOf(program, dims.map((d) => d !== null), axis)
  const operands = xs.map((x, i) => (dims[i] === null ? x : moveFirst(x, dims[i]!)))
  const outs = bind("remat", operands, { program: batched, policy })
  return [outs, outBatched.map((b) => (b ? 0 : null))]
}

const moveFirst = (x: Tensor, d: number): Tensor => {
  if (d === 0) return x
  const perm = [d, ...x.shape.map((_, i) => i).filter((i) => i !== d)]
  return bind("transpose", [x], { permutation: perm })[0]!
}

const splits = new WeakMap<Program, Map<string, PartialEval>>()

/**
 * `remat`'s partial evaluation (JAX's `remat_partial_eval`): the body split,
 * then rematerialized with the policy; the known half is evaluated now keeping
 * only the residuals the policy saves, the staged half is a `remat` that
 * recomputes the others.
 */
export const rematPartialEval = (
  operands: ReadonlyArray<Tensor>,
  unknown: ReadonlyArray<boolean>,
  { policy, program }: Params<"remat">,
  stage: Stage,
  splitOf: SplitProgram
): ReadonlyArray<Tensor> => {
  const saveable = (eqn: Equation) => eqn._tag === "PrimitiveEquation" && policy.saveable(eqn.primitive, eqn.params)
  const split = cachedByMask(
    splits,
    program,
    `${policy.name}|${maskKey(unknown)}`,
    () => rematerialize(splitOf(program, unknown), saveable)
  )
  const knownOuts = evalProgram(split.known, split.known.consts, operands.filter((_, i) => !unknown[i]))
  const nKnown = knownOuts.length - split.residuals
  const staged = stage("remat", [...knownOuts.slice(nKnown), ...operands.filter((_, i) => unknown[i])], {
    program: split.unknown,
    policy
  })
  let k = 0
  let u = 0
  return split.outUnknown.map((isUnknown) => (isUnknown ? staged[u++]! : knownOuts[k++]!))
}
