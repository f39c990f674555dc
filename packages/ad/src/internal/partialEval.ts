/**
 * Partial evaluation of a program (JAX's `partial_eval_jaxpr_nounits`): given
 * which inputs will be known now and which only later, split the program into
 *
 * - a _known_ program: known inputs -> known outputs, then residuals;
 * - an _unknown_ program: residuals, then unknown inputs -> unknown outputs;
 *
 * so that running the known program now and the unknown one later computes
 * what the whole program computes. An equation is unknown when any of its
 * inputs is; a known value read by an unknown equation (or returned as an
 * unknown output) is a residual. This is the one split that linearize of a
 * higher-order primitive needs (jit's body, a cond's branches, a scan's body,
 * remat's policy deciding what to save): written once, over Programs.
 *
 * @since 0.1.0
 */
import type { Tensor } from "@diffect/core"
import type { Equation } from "../Program.js"
import { Program, Var } from "../Program.js"

/**
 * The two halves of a program, and how its outputs split.
 *
 * @since 0.1.0
 */
export interface PartialEval {
  /** Known inputs -> [known outputs..., residuals...]. Keeps the program's constants. */
  readonly known: Program
  /** [residuals..., unknown inputs...] -> unknown outputs. Has no constants. */
  readonly unknown: Program
  /** For each output of the program: whether it is computed by the unknown half. */
  readonly outUnknown: ReadonlyArray<boolean>
  /** How many residuals pass from the known half to the unknown one. */
  readonly residuals: number
}

/**
 * Splits `program` by `inUnknown` (one flag per input). With `instantiate`
 * (one flag per output, or one for all), an output that would be known is
 * returned by the unknown half instead (passed through as a residual), as JAX's
 * `instantiate` does for outputs that must be traced values.
 *
 * @since 0.1.0
 */
export const partialEvalProgram = (
  program: Program,
  inUnknown: ReadonlyArray<boolean>,
  instantiate: boolean | ReadonlyArray<boolean> = false
): PartialEval => {
  const unknownVars = new Set<Var>()
  program.inputs.forEach((v, i) => {
    if (inUnknown[i] === true) unknownVars.add(v)
  })
  const knownEqns: Array<Equation> = []
  const unknownEqns: Array<Equation> = []
  // residuals: known values the unknown half reads, each once, in order of first use
  const residualOf = new Map<Var, Var>()
  const residualsKnown: Array<Var> = []
  const residual = (v: Var): Var => {
    let r = residualOf.get(v)
    if (r === undefined) {
      r = new Var(v.aval)
      residualOf.set(v, r)
      residualsKnown.push(v)
    }
    return r
  }
  for (const eqn of program.equations) {
    if (!eqn.inputs.some((v) => unknownVars.has(v))) {
      knownEqns.push(eqn)
      continue
    }
    for (const v of eqn.outputs) unknownVars.add(v)
    // known inputs of an unknown equation become residuals of the unknown half
    const inputs = eqn.inputs.map((v) => (unknownVars.has(v) ? v : residual(v)))
    unknownEqns.push({ ...eqn, inputs })
  }
  const inst = (i: number) => (typeof instantiate === "boolean" ? instantiate : instantiate[i] === true)
  const outUnknown = program.outputs.map((v, i) => unknownVars.has(v) || inst(i))
  const knownOuts = program.outputs.filter((_, i) => !outUnknown[i])
  const unknownOuts = program.outputs.map((v, i) => !outUnknown[i] ? undefined : unknownVars.has(v) ? v : residual(v))
    .filter((v): v is Var => v !== undefined)
  const known = prune(
    new Program(
      program.constVars,
      program.consts,
      program.inputs.filter((_, i) => inUnknown[i] !== true),
      knownEqns,
      [...knownOuts, ...residualsKnown]
    )
  )
  const unknown = prune(
    new Program(
      [],
      [],
      [...residualsKnown.map((v) => residualOf.get(v)!), ...program.inputs.filter((_, i) => inUnknown[i] === true)],
      unknownEqns,
      unknownOuts
    )
  )
  return { known, unknown, outUnknown, residuals: residualsKnown.length }
}

/** Drops the equations and constants no output depends on (inputs are kept). */
const prune = (p: Program): Program => {
  const live = new Set<Var>(p.outputs)
  const kept: Array<Equation> = []
  for (let k = p.equations.length - 1; k >= 0; k--) {
    const eqn = p.equations[k]!
    if (!eqn.outputs.some((v) => live.has(v))) continue
    kept.push(eqn)
    for (const v of eqn.inputs) live.add(v)
  }
  kept.reverse()
  const constVars: Array<Var> = []
  const consts: Array<Tensor> = []
  p.constVars.forEach((v, i) => {
    if (live.has(v)) {
      constVars.push(v)
      consts.push(p.consts[i]!)
    }
  })
  return new Program(constVars, consts, p.inputs, kept, p.outputs)
}
