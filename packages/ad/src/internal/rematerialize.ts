/**
 * Rematerialization of a partial evaluation (JAX's `partial_eval_jaxpr_custom`
 * with a `saveable` policy): given the two halves of a split, a residual that
 * the known half computes with an equation the policy does not save is
 * recomputed by the unknown half instead, from values that are saved (inputs
 * of the known half, outputs of saveable equations); concrete constants are
 * closed over. The known half then returns fewer (or smaller) residuals.
 *
 * @since 0.1.0
 */
import { Tracer } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { Equation } from "../Program.js"
import { Program, pruneProgram, Var } from "../Program.js"
import type { PartialEval } from "./partialEval.js"

/**
 * `split` with the residuals `saveable` does not allow recomputed by its unknown half.
 *
 * @since 0.1.0
 */
export const rematerialize = (split: PartialEval, saveable: (eqn: Equation) => boolean): PartialEval => {
  const K = split.known
  const U = split.unknown
  const nKnownOuts = K.outputs.length - split.residuals
  const definedBy = new Map<Var, Equation>()
  K.equations.forEach((e) => e.outputs.forEach((v) => definedBy.set(v, e)))
  const constOf = new Map<Var, Tensor>()
  K.constVars.forEach((v, i) => constOf.set(v, K.consts[i]!))
  // known value -> its variable in the unknown half
  const inU = new Map<Var, Var>()
  const newResK: Array<Var> = []
  const newResU: Array<Var> = []
  const closedVars: Array<Var> = []
  const closed: Array<Tensor> = []
  const copies: Array<Equation> = []
  const copied = new Set<Equation>()
  const need = (kv: Var): Var => {
    const hit = inU.get(kv)
    if (hit !== undefined) return hit
    const eqn = definedBy.get(kv)
    const c = constOf.get(kv)
    let uv: Var
    if (eqn === undefined && c !== undefined && !(c instanceof Tracer)) {
      uv = new Var(kv.aval)
      closedVars.push(uv)
      closed.push(c)
    } else if (eqn === undefined || saveable(eqn)) {
      uv = new Var(kv.aval)
      newResK.push(kv)
      newResU.push(uv)
    } else {
      if (!copied.has(eqn)) {
        copied.add(eqn)
        const inputs = eqn.inputs.map(need)
        const outputs = eqn.outputs.map((o) => {
          const v = new Var(o.aval)
          inU.set(o, v)
          return v
        })
        copies.push({ ...eqn, inputs, outputs } as Equation)
      }
      return inU.get(kv)!
    }
    inU.set(kv, uv)
    return uv
  }
  const subst = new Map<Var, Var>()
  K.outputs.slice(nKnownOuts).forEach((kv, j) => subst.set(U.inputs[j]!, need(kv)))
  // JAX's _debug_partial_eval_custom: a debug callback the policy does not save runs again where
  // the values are recomputed (a print inside checkpoint prints in the backward pass too)
  for (const eqn of K.equations) {
    if (eqn._tag !== "PrimitiveEquation" || eqn.primitive !== "debug_callback" || saveable(eqn)) continue
    copies.push({ ...eqn, inputs: eqn.inputs.map(need), outputs: eqn.outputs.map((o) => new Var(o.aval)) })
  }
  const s = (v: Var) => subst.get(v) ?? v
  const equations = [
    ...copies,
    ...U.equations.map((e) => ({ ...e, inputs: e.inputs.map(s) }) as Equation)
  ]
  // pruned: a copied cond or while keeps only the outputs the unknown part reads (a primal
  // output recomputed beside the residuals is dead here)
  const unknown = pruneProgram(
    new Program(
      [...U.constVars, ...closedVars],
      [...U.consts, ...closed],
      [...newResU, ...U.inputs.slice(split.residuals)],
      equations,
      U.outputs.map(s)
    )
  )
  const known = pruneProgram(
    new Program(K.constVars, K.consts, K.inputs, K.equations, [...K.outputs.slice(0, nKnownOuts), ...newResK])
  )
  return { known, unknown, outUnknown: split.outUnknown, residuals: newResK.length }
}
