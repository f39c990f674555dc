/**
 * The worker side of a data-parallel map when each worker holds one slice of
 * the mapped axis (JAX's pmap: one program per device). Instead of a vmap of a
 * batch of one, the worker runs the unbatched computation on its slice; a
 * tracer only records whether its value varies across workers (derives from a
 * mapped input). Primitives run once, below this handler, so a jitted function
 * runs its ordinary compiled program (a vmap of one would stage and run a
 * batched copy of it, with a leading axis of one everywhere).
 *
 * What concerns the axis (a collective over it, `axisIndex`, a program held by a
 * higher-order primitive that mentions it, a custom rule) goes through the vmap
 * batching rule with the slice as a batch of one, so that the results and the
 * errors are those of `vmapSpmd`'s batched path, bit for bit.
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
  Tracer,
  withDynamicHandler
} from "@diffect/core"
import type { AbstractValue, Handler, Params, Primitive, Tensor } from "@diffect/core"
import { Program } from "@diffect/core/Program"
import type { CustomJvpCallee, CustomVjpCallee } from "../Custom.js"
import { VmapOutAxesError } from "../Errors.js"
import { batchRules } from "../rules/vmap.js"
import type { AxisData, SpmdReduction } from "../rules/vmap.js"
import { broadcastAt, moveAxis } from "./batchingAxes.js"
import type { BatchDim } from "./batchingAxes.js"
import { withAxisFrame } from "./batchingAxisEnv.js"
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

// Whether a program (held by a higher-order primitive) applies a collective over `name`, or
// may (a custom equation's functions cannot be looked into). Cached: programs are immutable.
const mentions = new WeakMap<Program, Map<string, boolean>>()
const programMentions = (program: Program, name: string): boolean => {
  let byName = mentions.get(program)
  if (byName === undefined) mentions.set(program, byName = new Map())
  let hit = byName.get(name)
  if (hit === undefined) {
    hit = program.equations.some((eq): boolean =>
      eq._tag === "CustomEquation" ||
      (primitiveKinds[eq.primitive] === "collective" && (eq.params as { axisName?: string }).axisName === name) ||
      paramsMention(eq.params, name)
    )
    byName.set(name, hit)
  }
  return hit
}
const paramsMention = (params: object, name: string): boolean =>
  Object.values(params).some((v) =>
    v instanceof Program
      ? programMentions(v, name)
      : Array.isArray(v) && v.some((p) => p instanceof Program && programMentions(p, name))
  )

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
    const own = primitiveKinds[primitive] === "collective"
      ? (params as { axisName: string }).axisName === this.axis.name
      : isHigherOrder(primitive) && paramsMention(params, this.axis.name)
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

  // A custom rule's functions run through vmap's handling of custom calls (a batch of one).
  readonly processCustomJvpCall = (callee: CustomJvpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.#throughBatch(operands, (h, xs) => h.processCustomJvpCall(callee, xs))

  readonly processCustomVjpCall = (callee: CustomVjpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> =>
    this.#throughBatch(operands, (h, xs) => h.processCustomVjpCall(callee, xs))

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
