/**
 * The worker side of a data-parallel map when each worker holds one slice of
 * the mapped axis (JAX's pmap: one program per device). Instead of a vmap of a
 * batch of one, the worker runs the unbatched computation on its slice; a
 * tracer only records whether its value varies across workers (derives from a
 * mapped input). Primitives run once, below this handler, so a jitted function
 * runs its ordinary compiled program (a vmap of one would stage and run a
 * batched copy of it, with a leading axis of one everywhere).
 *
 * What concerns the axis goes through the vmap batching rule with the slice as
 * a batch of one, so that the results and the errors are those of `vmapSpmd`'s
 * batched path, bit for bit: a collective over it, `axisIndex`, and a custom
 * rule called here. A higher-order primitive whose programs apply a collective
 * over it is evaluated here instead, its programs cut at the collectives (see
 * spmdProgram.ts): the segments run compiled below this handler, the
 * collectives through it.
 *
 * @internal
 */
import {
  bind,
  currentDynamicHandler,
  isHigherOrder,
  lax,
  newLevel,
  primitiveKinds,
  toJsSync,
  Tracer,
  withDynamicHandler
} from "@diffect/core"
import type { AbstractValue, Handler, HigherOrderPrimitive, Params, Primitive, Tensor } from "@diffect/core"
import { evalHigherOrder } from "@diffect/core/Program"
import type { Equation, Program } from "@diffect/core/Program"
import type { CustomJvpCallee, CustomVjpCallee } from "../Custom.js"
import type { CustomVmapCallee } from "../CustomVmap.js"
import { VmapOutAxesError } from "../Errors.js"
import { batchRules } from "../rules/vmap.js"
import type { AxisData, SpmdReduction } from "../rules/vmap.js"
import { broadcastAt, moveAxis } from "./batchingAxes.js"
import type { BatchDim } from "./batchingAxes.js"
import { withAxisFrame } from "./batchingAxisEnv.js"
import { paramsMayApplyCollective, runSpmdProgram } from "./spmdProgram.js"
import {
  BatchHandler,
  batchInfo,
  batchProgram,
  BatchTracer,
  canonicalOutAxis,
  mappedAxisSize,
  vmapFlat
} from "./vmap.js"
import type { VmapFlatOptions } from "./vmap.js"

/**
 * A value on one worker, and whether it may differ from worker to worker.
 *
 * @internal
 */
export class SpmdTracer extends Tracer {
  constructor(
    readonly handler: SpmdHandler,
    readonly value: Tensor,
    readonly varying: boolean
  ) {
    super()
  }
  get aval(): AbstractValue {
    return this.value.aval
  }
}

/** The interpreter of one worker's slice of an SPMD axis. */
class SpmdHandler implements Handler {
  readonly level: number = newLevel()
  readonly name = "pmap"
  active = true
  readonly lift: (value: Tensor) => SpmdTracer
  constructor(
    readonly axis: AxisData & { readonly name: string },
    readonly parent: Handler | undefined
  ) {
    this.lift = (value) => new SpmdTracer(this, value, false)
  }

  process<P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tracer>,
    params: Params<P>
  ): ReadonlyArray<Tensor> {
    const vals = operands.map((t) => (t as SpmdTracer).value)
    const varying = operands.map((t) => (t as SpmdTracer).varying)
    if (isHigherOrder(primitive) && paramsMayApplyCollective(params, this.axis.name)) {
      return this.#interpret(primitive, operands, params as Params<HigherOrderPrimitive>)
    }
    const own = primitiveKinds[primitive] === "collective" &&
      (params as { axisName: string }).axisName === this.axis.name
    return withDynamicHandler(this.parent, () => {
      if (own) {
        const [outs, dims] = batchRules[primitive](
          vals.map((x, i) => (varying[i] ? lax.expandDims(x, [0]) : x)),
          varying.map((v) => (v ? 0 : null)),
          params,
          this.axis,
          batchProgram
        )
        return outs.map((y, j) => this.#fromBatch(y, dims[j]!))
      }
      const outs = bind(primitive, vals, params)
      return varying.includes(true) ? outs.map((y) => new SpmdTracer(this, y, true)) : outs
    })
  }

  // A higher-order primitive whose programs apply a collective over this axis: the bottom's
  // evaluation rule, with its programs run by `#runProgram` on this worker's values.
  #interpret(
    primitive: HigherOrderPrimitive,
    operands: ReadonlyArray<Tracer>,
    params: Params<HigherOrderPrimitive>
  ): ReadonlyArray<Tensor> {
    // Every value the rule sees is this handler's: a loop's bookkeeping releases concrete
    // intermediates early, which a tracer made from one here could still read.
    const own = (t: Tensor): SpmdTracer => t instanceof SpmdTracer && t.handler === this ? t : this.lift(t)
    return evalHigherOrder(primitive, operands, params, {
      run: (program, inputs) => this.#runProgram(program, inputs).map(own),
      apply: (p, xs, ps) => withDynamicHandler(this, () => bind(p, xs, ps)).map(own),
      readScalar: (x) => Number(toJsSync(own(x).value))
    })
  }

  // A program on this worker's values: its segments compiled below this handler (an output varies
  // when an input it depends on does), its crossings through this handler (the exchange).
  #runProgram(program: Program, inputs: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> {
    return runSpmdProgram(program, inputs, this.axis.name, {
      segment: (step, args) => {
        const varying = args.map((a) => a instanceof SpmdTracer && a.handler === this && a.varying)
        const values = args.map((a) => (a instanceof SpmdTracer && a.handler === this ? a.value : a))
        const outs = withDynamicHandler(
          this.parent,
          () => bind("jit_call", values, { name: "pmap_segment", program: step.program })
        )
        return outs.map((y, j) => (step.dependsOn[j]!.some((i) => varying[i]) ? new SpmdTracer(this, y, true) : y))
      },
      cross: (equations, args) => this.#cross(equations, args)
    })
  }

  // One level's crossings: the reductions of varying values of one kind in one round of the
  // exchange where the axis can (as a collective over a pytree), the rest one by one.
  #cross(
    equations: ReadonlyArray<Equation>,
    args: ReadonlyArray<ReadonlyArray<Tensor>>
  ): ReadonlyArray<ReadonlyArray<Tensor>> {
    const outs = new Array<ReadonlyArray<Tensor>>(equations.length)
    for (const [primitive, kind] of [["psum", "sum"], ["pmax", "max"], ["pmin", "min"]] as const) {
      const group = equations.flatMap((eq, k) => {
        const x = args[k]![0]
        const picked = eq._tag === "PrimitiveEquation" && eq.primitive === primitive
        return picked && x instanceof SpmdTracer && x.handler === this && x.varying ? [k] : []
      })
      if (group.length < 2) continue
      const reduced = this.reduceMany(group.map((k) => args[k]![0] as SpmdTracer), kind)
      group.forEach((k, j) => {
        const y = reduced?.[j]
        if (y !== undefined) outs[k] = [y]
      })
    }
    equations.forEach((eq, k) => {
      outs[k] ??= withDynamicHandler(
        this,
        () => eq._tag === "PrimitiveEquation" ? bind(eq.primitive, args[k]!, eq.params) : eq.evaluate(args[k]!)
      )
    })
    return outs
  }

  // A custom rule's functions run through vmap's handling of custom calls (a batch of one).
  readonly processCustomJvpCall = (callee: CustomJvpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.#throughBatch(operands, (h, xs) => h.processCustomJvpCall(callee, xs))

  readonly processCustomVjpCall = (callee: CustomVjpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.#throughBatch(operands, (h, xs) => h.processCustomVjpCall(callee, xs))

  readonly processCustomVmapCall = (callee: CustomVmapCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.#throughBatch(operands, (h, xs) => h.processCustomVmapCall(callee, xs))

  #throughBatch(
    operands: ReadonlyArray<Tracer>,
    call: (handler: BatchHandler, xs: ReadonlyArray<Tracer>) => ReadonlyArray<Tensor>
  ): ReadonlyArray<Tensor> {
    const batch = new BatchHandler(this.axis, this.parent)
    try {
      const xs = operands.map((t) => {
        const { value, varying } = t as SpmdTracer
        return new BatchTracer(batch, varying ? lax.expandDims(value, [0]) : value, varying ? 0 : null)
      })
      return withDynamicHandler(this.parent, () => call(batch, xs)).map((y) => {
        const [value, dim] = batchInfo(batch, y)
        return this.#fromBatch(value, dim)
      })
    } finally {
      batch.active = false
    }
  }

  /** `pmean` over this axis of a value that varies, in one pass of the exchange, when it can. */
  mean(x: SpmdTracer): Tensor | undefined {
    const reduce = this.axis.spmd?.allReduce
    if (reduce === undefined || !x.varying) return undefined
    return withDynamicHandler(this.parent, () => reduce(lax.expandDims(x.value, [0]), "mean"))
  }

  /** A collective over this axis of several varying values at once, when the axis can (see `spmdReduceMany`). */
  reduceMany(xs: ReadonlyArray<SpmdTracer>, kind: SpmdReduction): ReadonlyArray<Tensor | undefined> | undefined {
    const many = this.axis.spmd?.allReduceMany
    if (many === undefined) return undefined
    return withDynamicHandler(this.parent, () => many(xs.map((x) => lax.expandDims(x.value, [0])), kind))
  }

  #fromBatch(y: Tensor, dim: BatchDim): Tensor {
    return dim === null ? y : new SpmdTracer(this, lax.squeeze(y, [dim]), true)
  }
}

/**
 * `vmapFlat` for an SPMD axis: when this worker's slice of the axis has size
 * one, `f` runs on the slice as an unbatched computation under an `SpmdHandler`;
 * otherwise as `vmapFlat` (a vmap of this worker's slices).
 *
 * @internal
 */
export const spmdFlat = (
  f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  args: ReadonlyArray<Tensor>,
  inAxes: ReadonlyArray<number | null>,
  outAxes: ReadonlyArray<number | null> | ((outputs: number) => ReadonlyArray<number | null>),
  options: VmapFlatOptions
): ReadonlyArray<Tensor> => {
  const name = options.axisName
  if (name === undefined || options.spmd === undefined) return vmapFlat(f, args, inAxes, outAxes, options)
  const axes = args.map((x, i) => {
    const a = inAxes[i] ?? null
    return a === null ? null : a < 0 ? a + x.ndim : a
  })
  // Out-of-range axes and inconsistent sizes: vmapFlat's checks and messages.
  if (axes.some((a, i) => a !== null && (!Number.isInteger(a) || a < 0 || a >= args[i]!.ndim))) {
    return vmapFlat(f, args, inAxes, outAxes, options)
  }
  if (mappedAxisSize(args, axes, options) !== 1) return vmapFlat(f, args, inAxes, outAxes, options)
  const axis = { size: 1, name, spmd: options.spmd }
  const handler = new SpmdHandler(axis, undefined)
  const outs = (() => {
    try {
      const inputs = args.map((x, i) => {
        const a = axes[i]
        return a === null ? x : new SpmdTracer(handler, lax.squeeze(x, [a]), true)
      })
      return withAxisFrame(
        { name, size: options.spmd.size, handler },
        () => withDynamicHandler(handler, () => f(inputs))
      ).map((y) =>
        y instanceof SpmdTracer && y.handler === handler ? [y.value, y.varying] as const : [y, false] as const
      )
    } finally {
      handler.active = false
    }
  })()
  const dst = typeof outAxes === "function" ? outAxes(outs.length) : outAxes
  return outs.map(([value, varying], j) => {
    const target = dst[j] ?? null
    if (target === null) {
      if (!varying) return value
      throw new VmapOutAxesError({
        axisName: name,
        path: options.describeOutput?.(j) ?? `[${j}]`,
        batchDim: 0
      })
    }
    const at = canonicalOutAxis(target, value.ndim + 1)
    return varying ? moveAxis(lax.expandDims(value, [0]), 0, at) : broadcastAt(value, 1, at)
  })
}

/**
 * `pmean` of `x` over the axis whose frame's handler is `handler`, when that axis
 * spans workers with one slice each and `x` is this worker's (varying) value:
 * the exchange's one-pass mean, equal to `psum` then the division bit for bit.
 * `undefined` otherwise (the caller takes the general path).
 *
 * @internal
 */
export const spmdMean = (handler: Handler, x: Tensor): Tensor | undefined =>
  ownValue(handler, x) ? (handler as SpmdHandler).mean(x as SpmdTracer) : undefined

// Whether `x` is a value of `handler`'s worker that a collective's `bind` would give to
// `handler` (no higher dynamic handler, such as a `jit` staging inside the mapped function).
const ownValue = (handler: Handler, x: Tensor): boolean => {
  if (!(handler instanceof SpmdHandler) || !(x instanceof SpmdTracer) || x.handler !== handler) return false
  const dynamic = currentDynamicHandler()
  return dynamic === undefined || dynamic.level <= handler.level
}

/**
 * A collective (`kind`) over the axis whose frame's handler is `handler` of the
 * leaves of one pytree, when that axis spans workers with one slice each: the
 * leaves that are this worker's varying values go through the exchange together
 * (`SpmdAxis.allReduceMany`: fewer rounds, each result equal to its own
 * collective's bit for bit). The result has one entry per leaf, `undefined`
 * where the caller takes the general path (after these, in leaf order, so that
 * every worker applies the same collectives in the same order); `undefined`
 * when no two leaves qualify.
 *
 * @internal
 */
export const spmdReduceMany = (
  handler: Handler,
  xs: ReadonlyArray<Tensor>,
  kind: SpmdReduction
): ReadonlyArray<Tensor | undefined> | undefined => {
  const picked: Array<number> = []
  xs.forEach((x, i) => {
    if (ownValue(handler, x) && (x as SpmdTracer).varying) picked.push(i)
  })
  if (picked.length < 2) return undefined
  const reduced = (handler as SpmdHandler).reduceMany(picked.map((i) => xs[i] as SpmdTracer), kind)
  if (reduced === undefined) return undefined
  const out = new Array<Tensor | undefined>(xs.length)
  picked.forEach((i, k) => {
    out[i] = reduced[k]
  })
  return out
}
