/**
 * A program that applies a collective over an axis spanning workers, cut up
 * for the worker that runs it (JAX compiles such a program whole, with the
 * collectives as ops of its XLA program; here the exchange needs concrete
 * values, so the collectives run between compiled pieces).
 *
 * Each equation gets a level: the most crossings on a path from the program's
 * inputs to it. A crossing is a collective over the axis, a higher-order
 * equation whose programs may apply one, or a custom rule's call whose staged
 * function does (or that carries none to look into): such a call runs under
 * the worker's handler, which sees the collective. A level's other equations form one segment, a
 * program without collectives over the axis that runs compiled; the level's
 * crossings run after it, together, so that a gradient's leaves go through the
 * exchange in one round. Equations keep their order within a segment, and
 * every input of a level-L equation exists once the crossings of level L - 1
 * have run, so the steps compute what the program computes.
 *
 * @internal
 */
import { primitiveKinds, Tracer } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { equationHasEffect, Program } from "@diffect/core/Program"
import type { Equation, Var } from "@diffect/core/Program"

/**
 * One step of a cut program: a `Segment` runs `program` (inputs and outputs
 * are variables of the whole program; `dependsOn[j]` lists the inputs output `j`
 * depends on), a `Crossing` applies its equations through the exchange.
 *
 * @internal
 */
export type SpmdStep =
  | {
    readonly _tag: "Segment"
    readonly program: Program
    readonly inputs: ReadonlyArray<Var>
    readonly outputs: ReadonlyArray<Var>
    readonly dependsOn: ReadonlyArray<ReadonlyArray<number>>
  }
  | { readonly _tag: "Crossing"; readonly equations: ReadonlyArray<Equation> }

// Whether a program may apply a collective over `name`: in its own equations, in the programs its
// higher-order equations hold, or in a custom rule's function (its staged body when the equation
// carries one; without one it cannot be looked into, and may).
const applies = new WeakMap<Program, Map<string, boolean>>()
const programApplies = (program: Program, name: string): boolean => {
  let byName = applies.get(program)
  if (byName === undefined) applies.set(program, byName = new Map())
  let hit = byName.get(name)
  if (hit === undefined) {
    hit = program.equations.some((eq) => crosses(eq, name))
    byName.set(name, hit)
  }
  return hit
}

/**
 * Whether a higher-order primitive's parameters hold a program that may apply
 * a collective over `name` (see `programApplies`).
 *
 * @internal
 */
export const paramsMayApplyCollective = (params: object, name: string): boolean =>
  Object.values(params).some((v) =>
    v instanceof Program
      ? programApplies(v, name)
      : Array.isArray(v) && v.some((p) => p instanceof Program && programApplies(p, name))
  )

const crosses = (eq: Equation, name: string): boolean =>
  eq._tag === "CustomEquation"
    ? eq.body === undefined || programApplies(eq.body, name)
    : (primitiveKinds[eq.primitive] === "collective"
      ? (eq.params as { axisName?: string }).axisName === name
      : paramsMayApplyCollective(eq.params, name))

const plans = new WeakMap<Program, Map<string, ReadonlyArray<SpmdStep>>>()

/**
 * The steps of `program` on a worker of the axis `name` (built once per program
 * and axis: programs are immutable, and each segment is then compiled once).
 *
 * @internal
 */
export const spmdSteps = (program: Program, name: string): ReadonlyArray<SpmdStep> => {
  let byName = plans.get(program)
  if (byName === undefined) plans.set(program, byName = new Map())
  let steps = byName.get(name)
  if (steps === undefined) byName.set(name, steps = cut(program, name))
  return steps
}

const cut = (program: Program, name: string): ReadonlyArray<SpmdStep> => {
  const level = new Map<Var, number>()
  const levelOf = (eq: Equation) => eq.inputs.reduce((m, v) => Math.max(m, level.get(v) ?? 0), 0)
  const segments: Array<Array<Equation>> = []
  const crossings: Array<Array<Equation>> = []
  // crossings without operands (axisIndex) need nothing: they run first, at level 0
  const first: Array<Equation> = []
  for (const eq of program.equations) {
    const l = levelOf(eq)
    if (crosses(eq, name)) {
      if (eq.inputs.length === 0) first.push(eq)
      else (crossings[l] ??= []).push(eq)
      for (const v of eq.outputs) level.set(v, eq.inputs.length === 0 ? 0 : l + 1)
    } else {
      ;(segments[l] ??= []).push(eq)
      for (const v of eq.outputs) level.set(v, l)
    }
  }
  const ordered: Array<{ readonly segment?: Array<Equation>; readonly crossing?: Array<Equation> }> = []
  if (first.length > 0) ordered.push({ crossing: first })
  for (let l = 0; l < Math.max(segments.length, crossings.length); l++) {
    if (segments[l] !== undefined) ordered.push({ segment: segments[l]! })
    if (crossings[l] !== undefined) ordered.push({ crossing: crossings[l]! })
  }
  // Backwards: each segment keeps the equations whose outputs a later step or the program's
  // outputs read, and gives those outputs.
  const consts = new Map<Var, Tensor>(program.constVars.map((v, i) => [v, program.consts[i]!]))
  const live = new Set<Var>(program.outputs)
  const steps: Array<SpmdStep> = []
  for (let k = ordered.length - 1; k >= 0; k--) {
    const { crossing, segment } = ordered[k]!
    if (crossing !== undefined) {
      for (const eq of crossing) for (const v of eq.outputs) live.delete(v)
      for (const eq of crossing) for (const v of eq.inputs) live.add(v)
      steps.push({ _tag: "Crossing", equations: crossing })
      continue
    }
    const kept: Array<Equation> = []
    const outputs: Array<Var> = []
    const needed = new Set<Var>()
    for (let e = segment!.length - 1; e >= 0; e--) {
      const eq = segment![e]!
      const used = eq.outputs.filter((v) => live.has(v) || needed.has(v))
      if (used.length === 0 && !equationHasEffect(eq)) continue
      kept.push(eq)
      for (const v of eq.outputs) {
        if (live.has(v)) outputs.push(v)
        live.delete(v)
        needed.delete(v)
      }
      for (const v of eq.inputs) needed.add(v)
    }
    if (kept.length === 0) continue
    kept.reverse()
    outputs.reverse()
    steps.push(segmentStep(kept, outputs, needed, consts))
    for (const v of needed) if (!consts.has(v) || consts.get(v) instanceof Tracer) live.add(v)
  }
  return steps.reverse()
}

// A segment's program: its concrete constants stay constants (the compiler folds them); every
// other value it reads is an input.
const segmentStep = (
  equations: ReadonlyArray<Equation>,
  outputs: ReadonlyArray<Var>,
  reads: ReadonlySet<Var>,
  consts: ReadonlyMap<Var, Tensor>
): SpmdStep => {
  const constVars: Array<Var> = []
  const constValues: Array<Tensor> = []
  const inputs: Array<Var> = []
  for (const v of reads) {
    const c = consts.get(v)
    if (c !== undefined && !(c instanceof Tracer)) {
      constVars.push(v)
      constValues.push(c)
    } else inputs.push(v)
  }
  // which inputs each output depends on (a worker marks an output varying when one of those is)
  const deps = new Map<Var, ReadonlySet<number>>(inputs.map((v, i) => [v, new Set([i])]))
  for (const eq of equations) {
    const from = new Set<number>()
    for (const v of eq.inputs) for (const i of deps.get(v) ?? []) from.add(i)
    for (const v of eq.outputs) deps.set(v, from)
  }
  return {
    _tag: "Segment",
    program: new Program(constVars, constValues, inputs, equations, outputs),
    inputs,
    outputs,
    dependsOn: outputs.map((v) => [...(deps.get(v) ?? [])])
  }
}

/**
 * How a handler runs the steps of a cut program: a segment on its inputs, and
 * one level's crossings on theirs (one array of operands per equation).
 *
 * @internal
 */
export interface SpmdStepRunner {
  readonly segment: (step: Extract<SpmdStep, { _tag: "Segment" }>, args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
  readonly cross: (
    equations: ReadonlyArray<Equation>,
    args: ReadonlyArray<ReadonlyArray<Tensor>>
  ) => ReadonlyArray<ReadonlyArray<Tensor>>
}

/**
 * Runs `program` on `inputs` (a handler's values) step by step: what the
 * program computes, with its collectives over `name` applied between compiled
 * segments.
 *
 * @internal
 */
export const runSpmdProgram = (
  program: Program,
  inputs: ReadonlyArray<Tensor>,
  name: string,
  runner: SpmdStepRunner
): ReadonlyArray<Tensor> => {
  const env = new Map<Var, Tensor>()
  program.constVars.forEach((v, i) => env.set(v, program.consts[i]!))
  program.inputs.forEach((v, i) => env.set(v, inputs[i]!))
  const read = (v: Var): Tensor => env.get(v)!
  for (const step of spmdSteps(program, name)) {
    if (step._tag === "Segment") {
      const outs = runner.segment(step, step.inputs.map(read))
      step.outputs.forEach((v, j) => env.set(v, outs[j]!))
    } else {
      const outs = runner.cross(step.equations, step.equations.map((eq) => eq.inputs.map(read)))
      step.equations.forEach((eq, k) => eq.outputs.forEach((v, i) => env.set(v, outs[k]![i]!)))
    }
  }
  return program.outputs.map(read)
}
