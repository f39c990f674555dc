/**
 * A compiled program on one backend: a loop over steps (a fused kernel, or a
 * primitive run by the backend directly) reading and writing an array of
 * buffer slots. Types were checked when the program was traced, so no step
 * runs abstract evaluation again, and no handler is involved: a call costs
 * the kernels and one slot array.
 *
 * Buffer plan: a fusion group's output that only other fusion groups read
 * (not returned, not read by a primitive that might alias it, like a
 * reshape) lives in an arena kept by the executable: allocated on the first
 * call, overwritten by later ones. Values whose lifetimes do not overlap share
 * one arena buffer (a greedy pass over the steps, per dtype and size), so a
 * call allocates only what it returns and what unfused primitives make.
 * What a call makes and does not return is released when it returns; an
 * output that is an input, a constant or an arena buffer is returned as an
 * alias (a new reference), so releasing it never frees its owner's data.
 *
 * Donation (`jit`'s `donateArgnums`): a returned fusion-group output may be
 * written into the buffer of a donated input of the same dtype and size,
 * when that input is read only by fusion groups (no view can share it) and
 * not returned, and either its last reader is an earlier step or, on a
 * backend whose fused kernels read an element's inputs before writing its
 * outputs (`fusedInPlace`), the same step reads it contiguously at the
 * written element. At run time the buffer must be exclusive (no other owner
 * of its storage) and passed once. The caller marks donated tensors released.
 */
import {
  BackendError,
  ConcreteTensor,
  evalPrimitive,
  evalPrimitiveSteps,
  hostCallbackPrimitives,
  isHigherOrder,
  primitiveKinds
} from "@diffect/core"
import type {
  AbstractValue,
  BackendShape,
  DeviceBuffer,
  FirstOrderPrimitive,
  FusedKernel,
  FusedKernelSpec,
  Params,
  Primitive,
  Tensor
} from "@diffect/core"
import type { Program, Var } from "../Program.js"
import { bytesOf, distinctBytes } from "./costAnalysis.js"
import type { Step } from "./fusion.js"
import { lowerGroup } from "./fusion.js"
import { drain } from "./shell.js"
import type { Steps } from "./shell.js"
import type { UniformValues } from "./simplify.js"

type Run = (
  slots: Array<DeviceBuffer | undefined>,
  arena: Array<DeviceBuffer | undefined> | undefined,
  made: Set<DeviceBuffer> | undefined,
  donors: ReadonlyArray<DeviceBuffer | undefined> | undefined,
  taken: Set<DeviceBuffer> | undefined
) => void

/** Per donation mask: for each step, for each of its group's outputs, the donated input (index) it may write into. */
type DonationPlan = ReadonlyMap<number, ReadonlyArray<number>>

/**
 * A tensor over a buffer it does not own (an input's, an arena's, one that
 * another output took): a new reference to it, so that releasing the tensor
 * leaves the owner's data alone. Without `alias` the tensor is pinned instead
 * (no region releases it).
 */
const borrowed = (backend: BackendShape, aval: AbstractValue, buffer: DeviceBuffer): ConcreteTensor => {
  if (backend.alias !== undefined) return new ConcreteTensor(aval, undefined, backend.alias(buffer))
  const t = new ConcreteTensor(aval, undefined, buffer)
  t.pinned = true
  return t
}

/**
 * Whether `step` is a primitive the backend executes into given output buffers
 * (`executeInto`, typed-array: `dot_general`): it computes its outputs from
 * its inputs and never returns a view of one, so it reads an arena value as
 * safely as a fusion group does, and its outputs can live in the arena.
 */
const writesInto = (step: Step, into: ReadonlySet<FirstOrderPrimitive> | undefined): boolean =>
  step._tag !== "Group" && step.equation._tag !== "CustomEquation" &&
  into?.has(step.equation.primitive as FirstOrderPrimitive) === true

/**
 * The arena buffer (an index) of each value that can live in one, by the
 * value's variable: see the module docs.
 */
const planArena = (
  program: Program,
  steps: ReadonlyArray<Step>,
  into: ReadonlySet<FirstOrderPrimitive> | undefined
): Map<Var, number> => {
  const returned = new Set(program.outputs)
  const lastUse = new Map<Var, number>()
  // whether every reader computes fresh outputs from it (never a view that outlives the step)
  const groupOnly = new Map<Var, boolean>()
  steps.forEach((step, k) => {
    const inputs = step._tag === "Group"
      ? step.group.members.flatMap((m) => m.inputs).filter((v) => !step.group.produced.has(v))
      : step.equation.inputs
    for (const v of inputs) {
      lastUse.set(v, k)
      if (step._tag !== "Group" && !writesInto(step, into)) groupOnly.set(v, false)
      else if (!groupOnly.has(v)) groupOnly.set(v, true)
    }
  })
  const pool = new Map<Var, number>()
  const free = new Map<string, Array<number>>()
  const release = new Map<number, Array<Var>>()
  let next = 0
  steps.forEach((step, k) => {
    // fusion groups' outputs, and those of the primitives the backend can execute into given buffers
    const outputs = step._tag === "Group" ? step.group.outputs : writesInto(step, into) ? step.equation.outputs : []
    {
      for (const v of outputs) {
        if (returned.has(v) || groupOnly.get(v) !== true) continue
        const key = `${v.aval.dtype}:${v.aval.shape.reduce((a, b) => a * b, 1)}`
        const id = free.get(key)?.pop() ?? next++
        pool.set(v, id)
        const end = lastUse.get(v)!
        const list = release.get(end) ?? []
        list.push(v)
        release.set(end, list)
      }
    }
    for (const v of release.get(k) ?? []) {
      const key = `${v.aval.dtype}:${v.aval.shape.reduce((a, b) => a * b, 1)}`
      const list = free.get(key) ?? []
      list.push(pool.get(v)!)
      free.set(key, list)
    }
  })
  return pool
}

/** A program compiled for one backend. */
export interface Executable {
  readonly backend: BackendShape
  readonly run: (inputs: ReadonlyArray<Tensor>, donated?: ReadonlyArray<boolean>) => Array<Tensor>
  /** A run as steps, yielding after each kernel, for a transformation that gives the scheduler turns. */
  readonly steps: (inputs: ReadonlyArray<Tensor>, donated?: ReadonlyArray<boolean>) => Steps<Array<Tensor>>
  /** The generated source of each fused kernel, in order (for inspection). */
  readonly sources: ReadonlyArray<string>
  /** How many arena buffers the program has allocated so far. */
  readonly arenaBuffers: () => number
  /**
   * Whether {@link Executable.warm} runs this program: a small program (at most
   * `WARM_LIMIT` elements touched per run) of fusion groups and primitives of
   * linear cost (no product, factorization, sort, FFT, window operation,
   * control flow or custom rule), on a backend whose memory is host memory
   * (it reads synchronously) and that can release what a run makes.
   */
  readonly warmable: boolean
  /**
   * Runs the program `times` more times on `inputs` and releases everything
   * those runs make (no tensor is created; the arena is reused), so that the
   * JS engine compiles its generated kernels and the driver code they call
   * to optimized code now rather than over the next hundred calls. Does
   * nothing unless `warmable`, or while a run is suspended between kernels.
   */
  readonly warm: (inputs: ReadonlyArray<Tensor>, times: number) => void
  /** What a call holds in memory, by kind (see {@link ExecutableMemory}), with `donated` inputs. */
  readonly memory: (donated?: ReadonlyArray<boolean>) => ExecutableMemory
}

/**
 * The memory a call of a compiled program uses, in bytes (XLA's compiled memory
 * statistics): its arguments, its results, the results written into donated
 * arguments' memory (`alias`: planned; a call donates only tensors that own
 * their buffers), its intermediates (`temp`: the arena the executable keeps
 * between calls plus, at their peak, the intermediates a call allocates and
 * releases), and the constants it holds.
 */
export interface ExecutableMemory {
  readonly argumentBytes: number
  readonly outputBytes: number
  readonly aliasBytes: number
  readonly tempBytes: number
  readonly constantBytes: number
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

/**
 * A loop's predicate read where the backend reads only asynchronously (WebGPU):
 * the read Effect, which the outermost stepwise transformation awaits (one read
 * per iteration).
 */
const readLater = (backend: BackendShape) => (x: Tensor): unknown => backend.read(bufferOf(backend, x), x.aval)

/** The inputs of a lowered group read contiguously over its whole domain (so at the element written). */
const inPlaceReads = (spec: FusedKernelSpec, inputs: ReadonlyArray<Var>): ReadonlySet<Var> => {
  const contiguous = new Set<Var>()
  const other = new Set<Var>()
  const shape = spec.shape
  spec.inputs.forEach((input, k) => {
    let stride = 1
    let flat = (input.offset ?? 0) === 0 && input.mask === undefined
    for (let d = shape.length - 1; d >= 0; d--) {
      if (shape[d] !== 1 && input.strides[d] !== stride) flat = false
      stride *= shape[d]!
    }
    ;(flat ? contiguous : other).add(inputs[k]!)
  })
  // every read of the value must be the contiguous one
  for (const v of other) contiguous.delete(v)
  return contiguous
}

const sizeOf = (v: Var): number => v.aval.shape.reduce((a, b) => a * b, 1)

/**
 * The most elements a program may touch per run (`warmWork`) for
 * `Executable.warm` to run it again: a run of it costs well under a
 * millisecond once compiled.
 */
const WARM_LIMIT = 1 << 17

/** Primitive kinds whose cost is linear in their operands' and results' sizes. */
const linearKinds: ReadonlySet<string> = new Set(["unary", "binary", "select", "structural", "reduction", "creation"])
/** Primitives of those kinds that cost more (a sort, an FFT, window operations). */
const superlinear: ReadonlySet<string> = new Set([
  "sort",
  "top_k",
  "fft",
  "reduce_window_sum",
  "reduce_window_max",
  "reduce_window_min",
  "select_and_gather_add",
  "select_and_scatter_add"
])
const linear = (primitive: Primitive): boolean =>
  linearKinds.has(primitiveKinds[primitive]) && !superlinear.has(primitive)

/**
 * The elements a run of `steps` touches (a group's domain, a primitive's
 * operands and results), or `Infinity` when a step's cost is not linear in
 * them (a product, a factorization, control flow, a custom rule's user code).
 */
const warmWork = (steps: ReadonlyArray<Step>): number => {
  let n = 0
  for (const step of steps) {
    if (step._tag === "Group") {
      if (!step.group.members.every((m) => linear(m.primitive))) return Infinity
      n += step.group.shape.reduce((a, b) => a * b, 1)
      for (const v of step.group.roots) n += sizeOf(v)
      continue
    }
    const eqn = step.equation
    if (eqn._tag !== "PrimitiveEquation" || !linear(eqn.primitive)) return Infinity
    for (const v of eqn.inputs) n += sizeOf(v)
    for (const v of eqn.outputs) n += sizeOf(v)
  }
  return n
}

/**
 * The intermediates' bytes: every arena buffer (kept between calls), plus the
 * most that the other intermediates (results of primitives that allocate their
 * own) hold at once during a call.
 */
const tempBytes = (program: Program, steps: ReadonlyArray<Step>, arenaOf: ReadonlyMap<Var, number>): number => {
  const arena = new Map<number, number>()
  for (const [v, id] of arenaOf) arena.set(id, Math.max(arena.get(id) ?? 0, bytesOf(v.aval)))
  let kept = 0
  for (const b of arena.values()) kept += b
  const external = new Set<Var>([...program.inputs, ...program.constVars, ...program.outputs])
  const lastUse = new Map<Var, number>()
  const made: Array<ReadonlyArray<Var>> = steps.map((step, k) => {
    const inputs = step._tag === "Group"
      ? step.group.members.flatMap((m) => m.inputs).filter((v) => !step.group.produced.has(v))
      : step.equation.inputs
    for (const v of inputs) lastUse.set(v, k)
    const outputs = step._tag === "Group" ? [...step.group.outputs, ...step.group.roots] : step.equation.outputs
    return outputs.filter((v) => !external.has(v) && !arenaOf.has(v))
  })
  let live = 0
  let peak = 0
  const dies = new Map<number, number>()
  made.forEach((outs, k) => {
    for (const v of new Set(outs)) {
      live += bytesOf(v.aval)
      const end = lastUse.get(v) ?? k
      dies.set(end, (dies.get(end) ?? 0) + bytesOf(v.aval))
    }
    peak = Math.max(peak, live)
    live -= dies.get(k) ?? 0
  })
  return kept + peak
}

/** Which donated input each returned group output may write into (see the module docs). */
const planDonation = (
  program: Program,
  steps: ReadonlyArray<Step>,
  groupInfo: ReadonlyMap<number, { outputs: ReadonlyArray<Var>; inPlace: ReadonlySet<Var> }>,
  arenaOf: ReadonlyMap<Var, number>,
  donated: ReadonlyArray<boolean>,
  fusedInPlace: boolean
): DonationPlan => {
  const returned = new Set(program.outputs)
  const lastUse = new Map<Var, number>()
  const groupOnly = new Map<Var, boolean>()
  steps.forEach((step, k) => {
    const inputs = step._tag === "Group"
      ? step.group.members.flatMap((m) => m.inputs).filter((v) => !step.group.produced.has(v))
      : step.equation.inputs
    for (const v of inputs) {
      lastUse.set(v, k)
      groupOnly.set(v, (groupOnly.get(v) ?? true) && step._tag === "Group")
    }
  })
  const candidates = new Set<number>()
  program.inputs.forEach((v, i) => {
    if (donated[i] === true && !returned.has(v) && groupOnly.get(v) !== false) candidates.add(i)
  })
  const plan = new Map<number, Array<number>>()
  for (const [k, info] of groupInfo) {
    if (candidates.size === 0) break
    const row = info.outputs.map((o) => {
      if (!returned.has(o) || arenaOf.has(o)) return -1
      for (const i of candidates) {
        const v = program.inputs[i]!
        if (v.aval.dtype !== o.aval.dtype || sizeOf(v) !== sizeOf(o)) continue
        const last = lastUse.get(v) ?? -1
        if (last < k || (last === k && fusedInPlace && info.inPlace.has(v) && sizeOf(o) === sizeOf(v))) {
          candidates.delete(i)
          return i
        }
      }
      return -1
    })
    if (row.some((i) => i >= 0)) plan.set(k, row)
  }
  return plan
}

/**
 * The buffers donated inputs give for this run: a donated input's own buffer
 * on this backend, when the backend says its storage is exclusive and no other
 * input passes the same buffer.
 */
const donorBuffers = (
  backend: BackendShape,
  inputs: ReadonlyArray<Tensor>,
  donated: ReadonlyArray<boolean>,
  slots: ReadonlyArray<DeviceBuffer | undefined>,
  inputSlots: ReadonlyArray<number>
): Array<DeviceBuffer | undefined> | undefined => {
  if (backend.exclusive === undefined || !donated.some((d) => d)) return undefined
  const count = new Map<DeviceBuffer, number>()
  for (const s of inputSlots) count.set(slots[s]!, (count.get(slots[s]!) ?? 0) + 1)
  return inputs.map((t, i) => {
    const buffer = slots[inputSlots[i]!]!
    const own = t instanceof ConcreteTensor && !t.released ? t.buffer : undefined
    return donated[i] === true && own === buffer && count.get(buffer) === 1 && backend.exclusive!(buffer)
      ? buffer
      : undefined
  })
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
  // (their sources are read only when the executable's are: generating them can cost more than compiling)
  const kernels: Array<FusedKernel> = []
  const runs: Array<Run> = []
  // steps that are generators themselves (a loop), by position in `runs`
  const stepRuns: Array<((slots: Array<DeviceBuffer | undefined>) => Steps<void>) | undefined> = []
  const arenaOf = planArena(program, steps, backend.executeInto)
  // what donation planning needs of each group step: its outputs, and which inputs it reads in place
  const groupInfo = new Map<number, { outputs: ReadonlyArray<Var>; inPlace: ReadonlySet<Var> }>()
  for (const [k, step] of steps.entries()) {
    if (step._tag === "Group") {
      const lowered = lowerGroup(step.group, uniform)
      groupInfo.set(k, { outputs: lowered.outputs, inPlace: inPlaceReads(lowered.spec, lowered.inputs) })
      const donorIndex = k
      const kernel = backend.compileFused!(lowered.spec)
      kernels.push(kernel)
      const ins = lowered.inputs.map(slot)
      const outs = lowered.outputs.map(slot)
      const pooled = lowered.outputs.map((v) => arenaOf.get(v) ?? -1)
      const anyPooled = pooled.some((id) => id >= 0)
      runs.push((slots, arena, made, donors, taken) => {
        const args = new Array<DeviceBuffer>(ins.length)
        for (let i = 0; i < ins.length; i++) args[i] = slots[ins[i]!]!
        let given = arena !== undefined && anyPooled
          ? pooled.map((id) => (id >= 0 ? arena[id] : undefined))
          : undefined
        const donorOf = donors === undefined ? undefined : currentPlan?.get(donorIndex)
        if (donorOf !== undefined) {
          given = donorOf.map((d, i) => (d >= 0 ? donors![d] : given?.[i]))
        }
        const results = kernel.run(args, given)
        for (let i = 0; i < outs.length; i++) {
          slots[outs[i]!] = results[i]
          if (arena !== undefined && pooled[i]! >= 0) arena[pooled[i]!] = results[i]
          else if (donorOf !== undefined && donorOf[i]! >= 0 && results[i] === donors![donorOf[i]!]) {
            // a donated input's buffer: the output takes it over (the caller releases the donated tensor)
            taken?.add(results[i]!)
          } else {
            made?.add(results[i]!)
          }
        }
      })
      continue
    }
    const eqn = step.equation
    const ins = eqn.inputs.map(slot)
    const outs = eqn.outputs.map(slot)
    if (eqn._tag === "CustomEquation") {
      const inAvals = eqn.inputs.map((v) => v.aval)
      runs.push((slots) => {
        const args = ins.map((s, i) => borrowed(backend, inAvals[i]!, slots[s]!))
        const results = eqn.evaluate(args)
        for (let i = 0; i < outs.length; i++) slots[outs[i]!] = bufferOf(backend, results[i]!)
      })
      continue
    }
    const inAvals: ReadonlyArray<AbstractValue> = eqn.inputs.map((v) => v.aval)
    const outAvals: ReadonlyArray<AbstractValue> = eqn.outputs.map((v) => v.aval)
    if (eqn.primitive === "while" || eqn.primitive === "scan" || hostCallbackPrimitives.has(eqn.primitive)) {
      // a loop as steps: it yields between iterations (interruptible), and waits for a while
      // predicate where the backend reads asynchronously (WebGPU: one read per iteration); a
      // host callback waits for its operands' reads there
      const loop: Primitive = eqn.primitive
      const loopParams: Params<Primitive> = eqn.params
      const read = readLater(backend)
      stepRuns[runs.length] = function*(slots) {
        const args = ins.map((s, i) => borrowed(backend, inAvals[i]!, slots[s]!))
        const results = yield* evalPrimitiveSteps(loop, args, loopParams, read) as Steps<ReadonlyArray<Tensor>>
        for (let i = 0; i < outs.length; i++) slots[outs[i]!] = bufferOf(backend, results[i]!)
      }
      runs.push(() => undefined)
      continue
    }
    if (isHigherOrder(eqn.primitive)) {
      // control flow: the core evaluates it, running its programs with the (compiled) program runner
      const higher: Primitive = eqn.primitive
      const higherParams: Params<Primitive> = eqn.params
      runs.push((slots) => {
        const args = ins.map((s, i) => borrowed(backend, inAvals[i]!, slots[s]!))
        const results = evalPrimitive(higher, args, higherParams)
        for (let i = 0; i < outs.length; i++) slots[outs[i]!] = bufferOf(backend, results[i]!)
      })
      continue
    }
    const primitive: FirstOrderPrimitive = eqn.primitive
    const params: Params<FirstOrderPrimitive> = eqn.params as Params<FirstOrderPrimitive>
    const pooled = eqn.outputs.map((v) => arenaOf.get(v) ?? -1)
    const anyPooled = pooled.some((id) => id >= 0)
    runs.push((slots, arena, made) => {
      const args = new Array<DeviceBuffer>(ins.length)
      for (let i = 0; i < ins.length; i++) args[i] = slots[ins[i]!]!
      const given = arena !== undefined && anyPooled
        ? pooled.map((id) => (id >= 0 ? arena[id] : undefined))
        : undefined
      const results = backend.execute(primitive, args, inAvals, params, outAvals, given)
      for (let i = 0; i < outs.length; i++) {
        slots[outs[i]!] = results[i]
        if (arena !== undefined && pooled[i]! >= 0) {
          // a buffer the backend made instead of the given one replaces it (the old one is freed)
          const old = arena[pooled[i]!]
          if (old !== undefined && old !== results[i]) release?.(old)
          arena[pooled[i]!] = results[i]
        } else made?.add(results[i]!)
      }
    })
  }
  const outSlots = program.outputs.map(slot)
  const outAvals = program.outputs.map((v) => v.aval)
  const nSlots = slotOf.size
  const release = backend.release
  const arena: Array<DeviceBuffer | undefined> = []
  // a custom rule's function could call this program again: the inner call gets no arena
  let running = false
  const plans = new Map<string, DonationPlan>()
  let currentPlan: DonationPlan | undefined
  const planFor = (donated: ReadonlyArray<boolean>): DonationPlan => {
    const key = donated.map((d) => (d ? "1" : "0")).join("")
    let plan = plans.get(key)
    if (plan === undefined) {
      plan = planDonation(program, steps, groupInfo, arenaOf, donated, backend.fusedInPlace === true)
      plans.set(key, plan)
    }
    return plan
  }
  // A run as steps: it yields after each kernel (see `Executable.steps`).
  function* runSteps(inputs: ReadonlyArray<Tensor>, donated?: ReadonlyArray<boolean>): Steps<Array<Tensor>> {
    const slots = new Array<DeviceBuffer | undefined>(nSlots)
    for (let i = 0; i < constSlots.length; i++) slots[constSlots[i]!] = constBuffers[i]
    for (let i = 0; i < inputSlots.length; i++) slots[inputSlots[i]!] = bufferOf(backend, inputs[i]!)
    const donors = donated === undefined ? undefined : donorBuffers(backend, inputs, donated, slots, inputSlots)
    const plan = donors === undefined ? undefined : planFor(donated!)
    // donated buffers that outputs write into: the outputs own them
    const taken = donors === undefined ? undefined : new Set<DeviceBuffer>()
    // a run suspended between kernels keeps the arena: a call meanwhile gets none
    const own = running ? undefined : arena
    // The buffers this run makes: the ones not returned are released at its end.
    const made = release !== undefined ? new Set<DeviceBuffer>() : undefined
    running = true
    let finished = false
    try {
      for (let k = 0; k < runs.length; k++) {
        const loop = stepRuns[k]
        if (loop !== undefined) yield* loop(slots)
        else {
          currentPlan = plan
          runs[k]!(slots, own, made, donors, taken)
          currentPlan = undefined
        }
        yield
      }
      finished = true
    } finally {
      if (own !== undefined) running = false
      // interrupted: what it made so far is released now
      if (!finished && made !== undefined) { for (const buffer of made) release!(buffer) }
    }
    const out = new Array<Tensor>(outSlots.length)
    for (let i = 0; i < outSlots.length; i++) {
      const buffer = slots[outSlots[i]!]!
      out[i] = made?.delete(buffer) === true || taken?.delete(buffer) === true
        ? new ConcreteTensor(outAvals[i]!, undefined, buffer)
        : borrowed(backend, outAvals[i]!, buffer)
    }
    if (made !== undefined) { for (const buffer of made) release!(buffer) }
    return out
  }
  // see `Executable.warmable`
  const warmable = release !== undefined && backend.readSync !== undefined && warmWork(steps) <= WARM_LIMIT
  const warm = (inputs: ReadonlyArray<Tensor>, times: number): void => {
    if (!warmable || running) return
    const slots = new Array<DeviceBuffer | undefined>(nSlots)
    for (let i = 0; i < constSlots.length; i++) slots[constSlots[i]!] = constBuffers[i]
    for (let i = 0; i < inputSlots.length; i++) slots[inputSlots[i]!] = bufferOf(backend, inputs[i]!)
    const given = new Set<DeviceBuffer | undefined>(slots)
    running = true
    try {
      for (let t = 0; t < times; t++) {
        const made = new Set<DeviceBuffer>()
        try {
          for (let k = 0; k < runs.length; k++) runs[k]!(slots, arena, made, undefined, undefined)
        } finally {
          // (never an input's or a constant's own buffer, should a primitive return its operand)
          for (const buffer of made) if (!given.has(buffer)) release!(buffer)
        }
      }
    } finally {
      running = false
    }
  }
  const memory = (donated?: ReadonlyArray<boolean>): ExecutableMemory => {
    let aliasBytes = 0
    if (donated !== undefined && donated.some((d) => d)) {
      for (const [k, row] of planFor(donated)) {
        row.forEach((i, o) => {
          if (i >= 0) aliasBytes += bytesOf(groupInfo.get(k)!.outputs[o]!.aval)
        })
      }
    }
    return {
      argumentBytes: distinctBytes(program.inputs),
      outputBytes: distinctBytes(program.outputs),
      aliasBytes,
      tempBytes: tempBytes(program, steps, arenaOf),
      constantBytes: distinctBytes(program.constVars)
    }
  }
  return {
    backend,
    memory,
    get sources() {
      return kernels.map((kernel) => kernel.source)
    },
    arenaBuffers: () => arena.length,
    warmable,
    warm,
    run: (inputs, donated) => drain(runSteps(inputs, donated)),
    steps: runSteps
  }
}
