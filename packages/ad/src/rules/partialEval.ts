/**
 * Partial-evaluation rules (JAX's `custom_partial_eval_rules`): how linearize
 * treats a higher-order primitive applied to some known values (primals,
 * computed now) and some unknown ones (tangents, staged into the linear
 * program). The rule splits the primitive's programs with `partialEvalProgram`,
 * runs the known half now and stages the unknown half, so the linear program
 * holds only linear work and residuals.
 *
 * @since 0.1.0
 */
import { bind } from "@diffect/core"
import type { HigherOrderPrimitive, Params, Tensor } from "@diffect/core"
import type { Program } from "@diffect/core/Program"
import type { PartialEval } from "../internal/partialEval.js"
import { partialEvalProgram } from "../internal/partialEval.js"
import { cachedByMask, maskKey } from "../internal/programCache.js"

/**
 * Stages a higher-order primitive into the linear program: `inputs` are known
 * values (they become constants there) or its tracers; gives its tracers for
 * the outputs.
 *
 * @since 0.1.0
 */
export type Stage = <P extends HigherOrderPrimitive>(
  primitive: P,
  inputs: ReadonlyArray<Tensor>,
  params: Params<P>
) => ReadonlyArray<Tensor>

/**
 * The partial-evaluation rule of a higher-order primitive: `operands` are the
 * known values and the staged tracers, `unknown` flags the latter; gives one
 * value per output (known values computed now, or staged tracers).
 *
 * @since 0.1.0
 */
export type PartialEvalRule<P extends HigherOrderPrimitive> = (
  operands: ReadonlyArray<Tensor>,
  unknown: ReadonlyArray<boolean>,
  params: Params<P>,
  stage: Stage
) => ReadonlyArray<Tensor>

const splitCache = new WeakMap<Program, Map<string, PartialEval>>()

/**
 * `partialEvalProgram`, cached by program and mask.
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

/** Merges known and unknown outputs back into output order. */
export const mergeOutputs = (
  outUnknown: ReadonlyArray<boolean>,
  known: ReadonlyArray<Tensor>,
  unknown: ReadonlyArray<Tensor>
): Array<Tensor> => {
  let k = 0
  let u = 0
  return outUnknown.map((isUnknown) => (isUnknown ? unknown[u++]! : known[k++]!))
}

/** `jit_call` (JAX's `_pjit_partial_eval`): the known half is a call now, the unknown half a staged call. */
const jitCallPartialEval: PartialEvalRule<"jit_call"> = (operands, unknown, { name, program }, stage) => {
  const split = partialEvalCached(program, unknown)
  const knownOuts = bind("jit_call", operands.filter((_, i) => !unknown[i]), { name, program: split.known })
  const nKnown = knownOuts.length - split.residuals
  const staged = stage("jit_call", [...knownOuts.slice(nKnown), ...operands.filter((_, i) => unknown[i])], {
    name,
    program: split.unknown
  })
  return mergeOutputs(split.outUnknown, knownOuts.slice(0, nKnown), staged)
}

/**
 * The partial-evaluation rule of every higher-order primitive (a missing entry
 * is a compile error).
 *
 * @since 0.1.0
 */
export const partialEvalRules: { readonly [P in HigherOrderPrimitive]: PartialEvalRule<P> } = {
  jit_call: jitCallPartialEval
}
