/**
 * Partial evaluation (JAX's `partial_eval_jaxpr_nounits` and its `JaxprTrace`):
 * given which inputs will be known now and which only later, split a program
 * into
 *
 * - a _known_ program: known inputs -> known outputs, then residuals;
 * - an _unknown_ program: residuals, then unknown inputs -> unknown outputs;
 *
 * so that running the known program now and the unknown one later computes
 * what the whole program computes. An equation is unknown when any of its
 * inputs is; a known value read by an unknown equation (or returned as an
 * unknown output) is a residual. A higher-order equation (a `jit_call`, a
 * `cond`) with both kinds of inputs is split by its partial-evaluation rule
 * (ad/src/rules/partialEval.ts), so its own known work stays known.
 *
 * The split is made by tracing: the program is evaluated with its known inputs
 * as tracers of a staging handler K (the known program) and its unknown inputs
 * as tracers of a partial-evaluation handler U above it (the unknown program);
 * a value of K that U reads becomes one of U's constants, a residual. Linearize
 * uses U's handler class directly, with the caller's values as the known ones.
 *
 * @since 0.1.0
 */
import { bind, isHigherOrder, Tracer, withDynamicHandler, withEquationNameStack } from "@diffect/core"
import type { HigherOrderPrimitive, Params, Primitive, Tensor } from "@diffect/core"
import type { Equation } from "../Program.js"
import { Program, Var } from "../Program.js"
import { partialEvalRules } from "../rules/partialEval.js"
import type { PartialEvalRule, Stage } from "../rules/partialEval.js"
import { cachedByMask, maskKey } from "./programCache.js"
import { StagingHandler, StagingTracer } from "./staging.js"

/**
 * The two halves of a program, and how its outputs split.
 *
 * @since 0.1.0
 */
export interface PartialEval {
  /** Known inputs -> [known outputs..., residuals...]. */
  readonly known: Program
  /** [residuals..., unknown inputs...] -> unknown outputs. */
  readonly unknown: Program
  /** For each output of the program: whether it is computed by the unknown half. */
  readonly outUnknown: ReadonlyArray<boolean>
  /** How many residuals pass from the known half to the unknown one. */
  readonly residuals: number
}

/**
 * The partial-evaluation handler: it stages what depends on its tracers (the
 * unknown values); values of lower levels are known. A higher-order primitive
 * applied to both is split by its partial-evaluation rule, so that its known
 * work runs below (now, or in the known program) and only the rest is staged.
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export class PartialEvalHandler extends StagingHandler {
  // the unknown half is linear in linearize: a custom rule has done its work above it
  constructor(name: string) {
    super(name, "inline")
  }

  readonly #stage: Stage = (primitive, inputs, params) =>
    super.stage(
      primitive,
      inputs.map((x) => (x instanceof StagingTracer && x.handler === this ? x : this.lift(x))),
      params
    )

  override stage<P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tracer>,
    params: Params<P>
  ): ReadonlyArray<Tensor> {
    if (!isHigherOrder(primitive)) return super.stage(primitive, operands, params)
    const values = operands.map((o) => this.constValue((o as StagingTracer).variable))
    const rule = partialEvalRules[primitive] as PartialEvalRule<HigherOrderPrimitive>
    return rule(
      operands.map((o, i) => values[i] ?? o),
      values.map((v) => v === undefined),
      params as Params<HigherOrderPrimitive>,
      this.#stage,
      partialEvalCached
    )
  }
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
  const known = new StagingHandler("partialEval")
  const unknown = new PartialEvalHandler("partialEval")
  try {
    const inputs = program.inputs.map((
      v,
      i
    ) => (inUnknown[i] === true ? unknown.newInput(v.aval) : known.newInput(v.aval)))
    // K is the dynamic handler: work on the program's constants alone is staged too (not run now)
    const outs = withDynamicHandler(known, () => evaluatePartially(program, inputs, unknown))
    const inst = (i: number) => (typeof instantiate === "boolean" ? instantiate : instantiate[i] === true)
    const isUnknown = (x: Tensor) => x instanceof StagingTracer && x.handler === unknown
    const outUnknown = outs.map((x, i) => isUnknown(x) || inst(i))
    const unknownOuts = outs.filter((_, i) => outUnknown[i]).map((x) => (isUnknown(x) ? x : unknown.lift(x)))
    const unknownProgram = unknown.finish(unknownOuts)
    // U's constants that are values of K (or of the known inputs) are the residuals; concrete ones stay constants
    const residualIndex = unknownProgram.consts.map((c, i) => (c instanceof Tracer ? i : -1)).filter((i) => i >= 0)
    const residuals = residualIndex.map((i) => unknownProgram.consts[i]!)
    const knownProgram = known.finish([...outs.filter((_, i) => !outUnknown[i]), ...residuals], true)
    const keep = unknownProgram.consts.map((c) => !(c instanceof Tracer))
    const unknownHalf = new Program(
      unknownProgram.constVars.filter((_, i) => keep[i]),
      unknownProgram.consts.filter((_, i) => keep[i]),
      [...residualIndex.map((i) => unknownProgram.constVars[i]!), ...unknownProgram.inputs],
      unknownProgram.equations,
      unknownProgram.outputs
    )
    return { known: knownProgram, unknown: unknownHalf, outUnknown, residuals: residuals.length }
  } finally {
    known.active = false
    unknown.active = false
  }
}

/**
 * Evaluates `program` on `inputs` (some of them `unknown`'s tracers): primitive
 * equations are bound again (so the handlers split them); a custom equation
 * (a custom rule's linear part) cannot run forwards, so it is staged into the
 * unknown half whenever it reads an unknown value.
 */
const evaluatePartially = (
  program: Program,
  inputs: ReadonlyArray<Tensor>,
  unknown: PartialEvalHandler
): ReadonlyArray<Tensor> => {
  const env = new Map<Var, Tensor>()
  program.constVars.forEach((v, i) => env.set(v, program.consts[i]!))
  program.inputs.forEach((v, i) => env.set(v, inputs[i]!))
  for (const eqn of program.equations) {
    const args = eqn.inputs.map((v) => env.get(v)!)
    const outs = withEquationNameStack(eqn.nameStack, () =>
      eqn._tag === "PrimitiveEquation"
        ? bind(eqn.primitive, args, eqn.params)
        : args.some((x) => x instanceof StagingTracer && x.handler === unknown)
        ? unknown.addEquation({
          ...eqn,
          inputs: args.map((x) => unknown.varOf(x)),
          outputs: eqn.outputs.map((v) => new Var(v.aval))
        } as Equation)
        : eqn.evaluate(args))
    eqn.outputs.forEach((v, i) => env.set(v, outs[i]!))
  }
  return program.outputs.map((v) => env.get(v)!)
}

const splitCache = new WeakMap<Program, Map<string, PartialEval>>()

/**
 * `partialEvalProgram`, cached by program and masks (what the rules of
 * higher-order primitives use, so a jitted caller splits each program once).
 *
 * @since 0.1.0
 */
export const partialEvalCached = (
  program: Program,
  unknown: ReadonlyArray<boolean>,
  instantiate: ReadonlyArray<boolean> | boolean = false
): PartialEval =>
  cachedByMask(
    splitCache,
    program,
    `${maskKey(unknown)}|${typeof instantiate === "boolean" ? String(instantiate) : maskKey(instantiate)}`,
    () => partialEvalProgram(program, unknown, instantiate)
  )
