/**
 * A compiled program on one backend: a loop over steps (a fused kernel, or a
 * primitive run by the backend directly) reading and writing an array of
 * buffer slots. Types were checked when the program was traced, so no step
 * runs abstract evaluation again, and no handler is involved: a call costs
 * the kernels and one slot array.
 */
import { BackendError, ConcreteTensor } from "@diffect/core"
import type { AbstractValue, BackendShape, DeviceBuffer, Params, Primitive, Tensor } from "@diffect/core"
import type { Program, Var } from "../Program.js"
import type { Step } from "./fusion.js"
import { lowerGroup } from "./fusion.js"
import type { UniformValues } from "./simplify.js"

type Run = (slots: Array<DeviceBuffer | undefined>) => void

/** A program compiled for one backend. */
export interface Executable {
  readonly backend: BackendShape
  readonly run: (inputs: ReadonlyArray<Tensor>) => Array<Tensor>
  /** The generated source of each fused kernel, in order (for inspection). */
  readonly sources: ReadonlyArray<string>
}

const bufferOf = (backend: BackendShape, t: Tensor): DeviceBuffer => {
  const buffer = (t as ConcreteTensor).bufferFor(backend)
  if (buffer === undefined) {
    throw new BackendError({
      backend: backend.name,
      detail: `a tensor computed on the ${
        (t as ConcreteTensor).buffer?.backend.name
      } backend cannot be used synchronously on this one; read it with toJs and make a new array`
    })
  }
  return buffer
}

/** Compiles `steps` (a plan of `program`) for `backend`. */
export const compileExecutable = (
  program: Program,
  steps: ReadonlyArray<Step>,
  uniform: UniformValues,
  backend: BackendShape
): Executable => {
  const slotOf = new Map<Var, number>()
  const slot = (v: Var): number => {
    let s = slotOf.get(v)
    if (s === undefined) {
      s = slotOf.size
      slotOf.set(v, s)
    }
    return s
  }
  const constSlots = program.constVars.map(slot)
  const constBuffers = program.consts.map((t) => bufferOf(backend, t))
  const inputSlots = program.inputs.map(slot)
  const sources: Array<string> = []
  const runs: Array<Run> = []
  for (const step of steps) {
    if (step._tag === "Group") {
      const lowered = lowerGroup(step.group, uniform)
      const kernel = backend.compileFused!(lowered.spec)
      sources.push(kernel.source)
      const ins = lowered.inputs.map(slot)
      const outs = lowered.outputs.map(slot)
      runs.push((slots) => {
        const args = new Array<DeviceBuffer>(ins.length)
        for (let i = 0; i < ins.length; i++) args[i] = slots[ins[i]!]!
        const results = kernel.run(args)
        for (let i = 0; i < outs.length; i++) slots[outs[i]!] = results[i]
      })
      continue
    }
    const eqn = step.equation
    const ins = eqn.inputs.map(slot)
    const outs = eqn.outputs.map(slot)
    if (eqn._tag === "CustomEquation") {
      const inAvals = eqn.inputs.map((v) => v.aval)
      runs.push((slots) => {
        const args = ins.map((s, i) => new ConcreteTensor(inAvals[i]!, undefined, slots[s]!))
        const results = eqn.evaluate(args)
        for (let i = 0; i < outs.length; i++) slots[outs[i]!] = bufferOf(backend, results[i]!)
      })
      continue
    }
    const primitive: Primitive = eqn.primitive
    const params: Params<Primitive> = eqn.params
    const inAvals: ReadonlyArray<AbstractValue> = eqn.inputs.map((v) => v.aval)
    const outAvals: ReadonlyArray<AbstractValue> = eqn.outputs.map((v) => v.aval)
    runs.push((slots) => {
      const args = new Array<DeviceBuffer>(ins.length)
      for (let i = 0; i < ins.length; i++) args[i] = slots[ins[i]!]!
      const results = backend.execute(primitive, args, inAvals, params, outAvals)
      for (let i = 0; i < outs.length; i++) slots[outs[i]!] = results[i]
    })
  }
  const outSlots = program.outputs.map(slot)
  const outAvals = program.outputs.map((v) => v.aval)
  const nSlots = slotOf.size
  return {
    backend,
    sources,
    run: (inputs) => {
      const slots = new Array<DeviceBuffer | undefined>(nSlots)
      for (let i = 0; i < constSlots.length; i++) slots[constSlots[i]!] = constBuffers[i]
      for (let i = 0; i < inputSlots.length; i++) slots[inputSlots[i]!] = bufferOf(backend, inputs[i]!)
      for (let k = 0; k < runs.length; k++) runs[k]!(slots)
      const out = new Array<Tensor>(outSlots.length)
      for (let i = 0; i < outSlots.length; i++) {
        out[i] = new ConcreteTensor(outAvals[i]!, undefined, slots[outSlots[i]!])
      }
      return out
    }
  }
}
