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
import { bind, ConcreteTensor, DType, Shape } from "@diffect/core"
import type { AbstractValue, HigherOrderPrimitive, Params, Tensor } from "@diffect/core"
import { Program, Var } from "@diffect/core/Program"
import type { PartialEval } from "../internal/partialEval.js"
import { linearSolvePartialEval } from "./linearSolve.js"
import { rematPartialEval } from "./remat.js"
import { scanPartialEval } from "./scan.js"

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
  stage: Stage,
  split: SplitProgram
) => ReadonlyArray<Tensor>

/**
 * `partialEvalProgram` (cached), given to the rules by the handler that owns it
 * (a rule importing it would be an import cycle).
 *
 * @since 0.1.0
 */
export type SplitProgram = (
  program: Program,
  unknown: ReadonlyArray<boolean>,
  instantiate?: ReadonlyArray<boolean> | boolean
) => PartialEval

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
const jitCallPartialEval: PartialEvalRule<"jit_call"> = (operands, unknown, { name, program }, stage, splitOf) => {
  const split = splitOf(program, unknown)
  const knownOuts = bind("jit_call", operands.filter((_, i) => !unknown[i]), { name, program: split.known })
  const nKnown = knownOuts.length - split.residuals
  const staged = stage("jit_call", [...knownOuts.slice(nKnown), ...operands.filter((_, i) => unknown[i])], {
    name,
    program: split.unknown
  })
  return mergeOutputs(split.outUnknown, knownOuts.slice(0, nKnown), staged)
}

/**
 * Residuals of several branches merged by type (JAX's `_merge_branch_residuals`):
 * a list of types all branches share, and for each branch where its residuals
 * go in that list. Equal types are reused across branches, so the merged list
 * is no longer than the longest branch's needs per type.
 */
export const mergeResiduals = (
  perBranch: ReadonlyArray<ReadonlyArray<AbstractValue>>
): { readonly all: ReadonlyArray<AbstractValue>; readonly indices: ReadonlyArray<ReadonlyArray<number>> } => {
  const key = (a: AbstractValue) => `${a.dtype}${a.weakType ? "~" : ""}[${a.shape.join(",")}]`
  const all: Array<AbstractValue> = []
  const slotsOf = new Map<string, Array<number>>()
  const indices = perBranch.map((avals) => {
    const used = new Map<string, number>()
    return avals.map((a) => {
      const k = key(a)
      const n = used.get(k) ?? 0
      used.set(k, n + 1)
      const slots = slotsOf.get(k) ?? []
      slotsOf.set(k, slots)
      if (n >= slots.length) {
        slots.push(all.length)
        all.push(a)
      }
      return slots[n]!
    })
  })
  return { all, indices }
}

/** A concrete zero of a type (host data: made at trace time, never traced). */
const zeroOf = (a: AbstractValue): Tensor =>
  new ConcreteTensor(a, DType.allocHost(a.dtype, a.dtype === "float0" ? 0 : Shape.sizeOf(a.shape)), undefined)

/** A known branch made to output every merged residual (zeros for those it does not make). */
const joinKnownOutputs = (
  p: Program,
  nOuts: number,
  all: ReadonlyArray<AbstractValue>,
  mine: ReadonlyArray<number>
): Program => {
  const constVars = [...p.constVars]
  const consts = [...p.consts]
  const res = all.map((a, j) => {
    const k = mine.indexOf(j)
    if (k >= 0) return p.outputs[nOuts + k]!
    const v = new Var(a)
    constVars.push(v)
    consts.push(zeroOf(a))
    return v
  })
  return new Program(constVars, consts, p.inputs, p.equations, [...p.outputs.slice(0, nOuts), ...res])
}

/** An unknown branch made to take every merged residual (ignoring those it does not read). */
const joinUnknownInputs = (
  p: Program,
  nRes: number,
  all: ReadonlyArray<AbstractValue>,
  mine: ReadonlyArray<number>
): Program => {
  const res = all.map((a, j) => {
    const k = mine.indexOf(j)
    return k >= 0 ? p.inputs[k]! : new Var(a)
  })
  return new Program(p.constVars, p.consts, [...res, ...p.inputs.slice(nRes)], p.equations, p.outputs)
}

/**
 * `cond` (JAX's `_cond_partial_eval`): an output is unknown when it is in any
 * branch; each branch is split with those outputs instantiated, the residuals
 * of all branches are merged by type, the known halves run as one `cond` now and
 * the unknown halves are staged as another, on the same index. An unknown index
 * stages the whole `cond`.
 */
const condPartialEval: PartialEvalRule<"cond"> = (operands, unknown, { branches }, stage, splitOf) => {
  if (unknown[0] === true) return stage("cond", operands, { branches })
  const opsUnknown = unknown.slice(1)
  const outUnknown = branches.map((b) => splitOf(b, opsUnknown).outUnknown).reduce((a, b) =>
    a.map((u, i) => u || b[i]!)
  )
  const splits = branches.map((b) => splitOf(b, opsUnknown, outUnknown))
  const nKnown = outUnknown.filter((u) => !u).length
  const { all, indices } = mergeResiduals(splits.map((s) => s.unknown.inAvals.slice(0, s.residuals)))
  const known = splits.map((s, k) => joinKnownOutputs(s.known, nKnown, all, indices[k]!))
  const staged = splits.map((s, k) => joinUnknownInputs(s.unknown, s.residuals, all, indices[k]!))
  const ops = operands.slice(1)
  const knownOuts = bind("cond", [operands[0]!, ...ops.filter((_, i) => !opsUnknown[i])], { branches: known })
  const unknownOuts = stage(
    "cond",
    [operands[0]!, ...knownOuts.slice(nKnown), ...ops.filter((_, i) => opsUnknown[i])],
    {
      branches: staged
    }
  )
  return mergeOutputs(outUnknown, knownOuts.slice(0, nKnown), unknownOuts)
}

/**
 * `while` (JAX's `_while_partial_eval`): the carry components that stay known
 * (a fixpoint over the body) are computed now by a `while` of the body's and
 * predicate's known halves; the whole loop is staged for the unknown ones
 * (its known inputs as constants: nothing is saved per iteration, which is
 * why it cannot be transposed). An unknown predicate stages everything.
 */
const whilePartialEval: PartialEvalRule<"while"> = (operands, unknown, params, stage, splitOf) => {
  const { body, bodyConsts: nb, cond, condConsts: nc } = params
  const condUk = unknown.slice(0, nc)
  const bodyUk = unknown.slice(nc, nc + nb)
  let carryUk = unknown.slice(nc + nb)
  let split = splitOf(body, [...bodyUk, ...carryUk], carryUk)
  for (let k = 0; k < carryUk.length && !split.outUnknown.every((u, i) => u === carryUk[i]); k++) {
    carryUk = carryUk.map((u, i) => u || split.outUnknown[i]!)
    split = splitOf(body, [...bodyUk, ...carryUk], carryUk)
  }
  const condSplit = splitOf(cond, [...condUk, ...carryUk])
  const staged = stage("while", operands, params)
  if (condSplit.outUnknown[0] === true || carryUk.every((u) => u)) return staged
  // the known halves without their residuals
  const nKnown = carryUk.filter((u) => !u).length
  const known = (p: Program, n: number) =>
    new Program(p.constVars, p.consts, p.inputs, p.equations, p.outputs.slice(0, n))
  const opsUk = [...condUk, ...bodyUk, ...carryUk]
  const knownOps = operands.filter((_, i) => !opsUk[i])
  const knownOuts = bind("while", knownOps, {
    cond: known(condSplit.known, 1),
    body: known(split.known, nKnown),
    condConsts: condUk.filter((u) => !u).length,
    bodyConsts: bodyUk.filter((u) => !u).length
  })
  let k = 0
  return staged.map((x, i) => (carryUk[i] ? x : knownOuts[k++]!))
}

/**
 * The partial-evaluation rule of every higher-order primitive (a missing entry
 * is a compile error).
 *
 * @since 0.1.0
 */
export const partialEvalRules: { readonly [P in HigherOrderPrimitive]: PartialEvalRule<P> } = {
  // JAX's _debug_partial_eval_custom: called now when every operand is known, else staged
  debug_callback: (operands, unknown, params, stage) =>
    unknown.some((u) => u) ? stage("debug_callback", operands, params) : bind("debug_callback", operands, params),
  io_callback: (operands, unknown, params, stage) =>
    unknown.some((u) => u) ? stage("io_callback", operands, params) : bind("io_callback", operands, params),
  pure_callback: (operands, unknown, params, stage) =>
    unknown.some((u) => u) ? stage("pure_callback", operands, params) : bind("pure_callback", operands, params),
  jit_call: jitCallPartialEval,
  cond: condPartialEval,
  while: whilePartialEval,
  scan: scanPartialEval,
  remat: rematPartialEval,
  linear_solve: linearSolvePartialEval
}
