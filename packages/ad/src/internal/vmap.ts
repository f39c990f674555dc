/**
 * The batch handler (JAX's `BatchTrace`) and `vmapFlat`, vmap on flat lists.
 * A tracer carries a value with one extra dimension, the batch dimension, or
 * `null` when the value does not vary along the batch.
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
  Shape,
  toJsSync,
  Tracer,
  transformNameStack,
  withDynamicHandler
} from "@diffect/core"
import type {
  AbstractValue,
  Handler,
  HigherOrderPrimitive,
  Params,
  Primitive,
  PrimitiveOfKind,
  Tensor
} from "@diffect/core"
import { customJvpCall, customVjpCall } from "../Custom.js"
import type { CustomJvpCallee, CustomVjpCallee } from "../Custom.js"
import { customVmapCall } from "../CustomVmap.js"
import type { CustomVmapCallee } from "../CustomVmap.js"
import { VmapAxisError, VmapOutAxesError, VmapSizeError, VmapSpecError } from "../Errors.js"
import { evalHigherOrder, evalProgram } from "../Program.js"
import type { Program } from "../Program.js"
import { batchRules } from "../rules/vmap.js"
import type { AxisData, BatchOfProgram, SpmdAxis } from "../rules/vmap.js"
import { batchAt, batchAtFront, broadcastAt, moveAxis } from "./batchingAxes.js"
import type { BatchDim } from "./batchingAxes.js"
import { withAxisFrame } from "./batchingAxisEnv.js"
import { cachedByMask, maskKey } from "./programCache.js"
import { paramsMayApplyCollective, runSpmdProgram } from "./spmdProgram.js"
import { makeProgramFlat } from "./staging.js"

const { formatShape } = Shape

/**
 * A value batched by one vmap: `value` has the batch dimension at `batchDim`
 * (or none when `batchDim` is `null`).
 *
 * @internal
 */
export class BatchTracer extends Tracer {
  #aval: AbstractValue | undefined
  constructor(
    readonly handler: BatchHandler,
    readonly value: Tensor,
    readonly batchDim: BatchDim
  ) {
    super()
  }
  // Computed on demand: most tracers are only passed to the next primitive,
  // whose rule reads `value` and `batchDim`, never the per-example shape.
  get aval(): AbstractValue {
    if (this.#aval !== undefined) return this.#aval
    const a = this.value.aval
    if (this.batchDim === null) return (this.#aval = a)
    const shape = a.shape.slice()
    shape.splice(this.batchDim, 1)
    return (this.#aval = { shape, dtype: a.dtype, weakType: a.weakType })
  }
}

const unpack = (operands: ReadonlyArray<Tracer>) => {
  const vals = operands.map((t) => (t as BatchTracer).value)
  const dims = operands.map((t) => (t as BatchTracer).batchDim)
  return { vals, dims, batched: dims.some((d) => d !== null) }
}

/**
 * `x` (batched at `from`) laid out as batched at `to`: moved, materialized, or,
 * when `to` is `null`, summed over the batch (a cotangent of an unbatched value).
 */
const matchDim = (x: Tensor, from: BatchDim, to: BatchDim, size: number): Tensor => {
  if (to === null) {
    if (from === null) return x
    if (x.dtype === "float0") {
      // float0 has no data to sum: keep one member's (empty) slice.
      const start = x.shape.map(() => 0)
      const limit = x.shape.map((d, i) => (i === from ? 1 : d))
      return lax.squeeze(lax.slice(x, start, limit), [from])
    }
    return lax.reduceSum(x, [from])
  }
  return batchAt(x, from, to, size)
}

const isCollective = (p: Primitive): p is PrimitiveOfKind<"collective"> => primitiveKinds[p] === "collective"

/**
 * The interpreter of one vmap. A named vmap is also the dynamic handler while
 * its user code runs, so that it sees primitives on values that carry none of
 * its tracers (a collective over its axis of an unbatched value, `axisIndex`);
 * around its own rules it restores the dynamic handler it found (`parent`), so
 * their `bind`s go to the handlers below it.
 *
 * @internal
 */
export class BatchHandler implements Handler {
  readonly level: number = newLevel()
  readonly name = "vmap"
  active = true
  readonly lift: (value: Tensor) => BatchTracer
  constructor(
    readonly axis: AxisData,
    readonly parent: Handler | undefined
  ) {
    this.lift = (value) => new BatchTracer(this, value, null)
  }

  process<P extends Primitive>(
    primitive: P,
    operands: ReadonlyArray<Tracer>,
    params: Params<P>
  ): ReadonlyArray<Tensor> {
    const n = operands.length
    const vals = new Array<Tensor>(n)
    const dims = new Array<BatchDim>(n)
    let batched = false
    for (let i = 0; i < n; i++) {
      const t = operands[i] as BatchTracer
      vals[i] = t.value
      dims[i] = t.batchDim
      if (t.batchDim !== null) batched = true
    }
    const name = this.axis.name
    if (this.axis.spmd !== undefined && name !== undefined && isHigherOrder(primitive)) {
      if (paramsMayApplyCollective(params, name)) {
        return this.#interpret(primitive, operands, params as Params<HigherOrderPrimitive>, name)
      }
    }
    const own = isCollective(primitive) && (params as { axisName: string }).axisName === this.axis.name
    // a named vmap batches a higher-order primitive even on unbatched operands: its programs may use the axis
    const useRule = batched || own || (this.axis.name !== undefined && isHigherOrder(primitive))
    // No closure on the common path: only a named vmap swaps the dynamic handler.
    if (this.axis.name === undefined) return this.#apply(primitive, vals, dims, params, useRule)
    return withDynamicHandler(this.parent, () => this.#apply(primitive, vals, dims, params, useRule))
  }

  // JAX's `process_custom_jvp_call`: batch the function and its rule, so that a
  // differentiation handler below still sees (and uses) the rule. The batched
  // functions run under a fresh batch handler each time they are called (a
  // custom VJP's `bwd` runs at transpose time, after this vmap has returned).
  readonly processCustomJvpCall = (callee: CustomJvpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> => {
    const { batched, dims, vals } = unpack(operands)
    return this.#outside(() => {
      if (!batched) return customJvpCall(callee, vals)
      const axis = this.axis
      const front = (r: readonly [Tensor, BatchDim] | null): Tensor => batchAtFront(r![0], r![1], axis.size)
      const batchedCallee: CustomJvpCallee = {
        name: callee.name,
        f: (xs) => traceBatched(axis, callee.f, xs, dims).map(front),
        jvp: (primals, tangents) => {
          let count = 0
          const rs = traceBatched(
            axis,
            (all) => {
              const [outs, outTangents] = callee.jvp(all.slice(0, primals.length), all.slice(primals.length))
              count = outs.length
              return [...outs, ...outTangents]
            },
            [...primals, ...tangents],
            [...dims, ...dims]
          )
          return [rs.slice(0, count).map(front), rs.slice(count).map((r) => (r === null ? null : front(r)))]
        }
      }
      return customJvpCall(batchedCallee, vals).map((y) => new BatchTracer(this, y, 0))
    })
  }

  // JAX's `process_custom_vjp_call`: `f` and `fwd` give outputs and residuals
  // batched at 0; `bwd` gives each argument's cotangent in that argument's
  // layout, summed over the batch for an argument that was not batched.
  readonly processCustomVjpCall = (callee: CustomVjpCallee, operands: ReadonlyArray<Tracer>): ReadonlyArray<Tensor> => {
    const { batched, dims, vals } = unpack(operands)
    return this.#outside(() => {
      if (!batched) return customVjpCall(callee, vals)
      const axis = this.axis
      const front = (r: readonly [Tensor, BatchDim] | null): Tensor => batchAtFront(r![0], r![1], axis.size)
      const batchedCallee: CustomVjpCallee = {
        name: callee.name,
        f: (xs) => traceBatched(axis, callee.f, xs, dims).map(front),
        fwd: (xs) => {
          let count = 0
          const rs = traceBatched(
            axis,
            (all) => {
              const [outs, residuals] = callee.fwd(all)
              count = outs.length
              return [...outs, ...residuals]
            },
            xs,
            dims
          )
          return [rs.slice(0, count).map(front), rs.slice(count).map(front)]
        },
        bwd: (residuals, cotangents) => {
          const all = [...residuals, ...cotangents]
          const rs = traceBatched(
            axis,
            (xs) => callee.bwd(xs.slice(0, residuals.length), xs.slice(residuals.length)),
            all,
            all.map(() => 0)
          )
          return rs.map((r, i) => (r === null ? null : matchDim(r[0], r[1], dims[i] ?? null, axis.size)))
        }
      }
      return customVjpCall(batchedCallee, vals).map((y) => new BatchTracer(this, y, 0))
    })
  }

  // JAX's `custom_vmap_batching`: the rule gets the arguments with their batch dimensions first
  // (unbatched ones as they are) and says which outputs it batched (at 0).
  readonly processCustomVmapCall = (
    callee: CustomVmapCallee,
    operands: ReadonlyArray<Tracer>
  ): ReadonlyArray<Tensor> => {
    const { batched, dims, vals } = unpack(operands)
    return this.#outside(() => {
      if (!batched) return customVmapCall(callee, vals)
      const args = vals.map((x, i) => (dims[i] === null ? x : moveAxis(x, dims[i]!, 0)))
      const [outs, outBatched] = callee.rule(this.axis.size, dims.map((d) => d !== null), args)
      return outs.map((y, i) => new BatchTracer(this, y, outBatched[i] === true ? 0 : null))
    })
  }

  // A higher-order primitive whose programs apply a collective over an axis that spans workers
  // (this worker holds several of its slices): the collectives need concrete values, so the
  // programs run cut (see spmdProgram.ts), their segments batched and compiled, their
  // collectives through the exchange. A cond index that differs between the slices selects
  // among all branches, as vmap's rule does; a while predicate must agree.
  #interpret(
    primitive: HigherOrderPrimitive,
    operands: ReadonlyArray<Tracer>,
    params: Params<HigherOrderPrimitive>,
    name: string
  ): ReadonlyArray<Tensor> {
    const own = (t: Tensor): BatchTracer => t instanceof BatchTracer && t.handler === this ? t : this.lift(t)
    const here = <A>(thunk: () => A): A => withDynamicHandler(this, thunk)
    return evalHigherOrder(primitive, operands, params, {
      run: (program, inputs) =>
        runSpmdProgram(program, inputs, name, {
          segment: (step, args) => here(() => bind("jit_call", args, { name: "pmap_segment", program: step.program })),
          cross: (equations, args) =>
            equations.map((eq, k) =>
              here(() =>
                eq._tag === "PrimitiveEquation" ? bind(eq.primitive, args[k]!, eq.params) : eq.evaluate(args[k]!)
              )
            )
        }).map(own),
      apply: (p, xs, ps) => here(() => bind(p, xs, ps)).map(own),
      readScalar: (x) => {
        const [value, dim] = batchInfo(this, x)
        const values = [toJsSync(value)].flat(1).map(Number)
        if (dim === null || values.every((v) => v === values[0])) return values[0]
        if (primitive !== "while") return undefined
        throw new VmapSpecError({
          detail:
            `whileLoop: the predicate differs between the slices of the worker axis '${name}' that this worker holds, and the loop applies a collective over that axis: give each worker one slice (an axis as long as the mesh), or keep the collective out of the loop`
        })
      }
    })
  }

  /** Runs `thunk` with the dynamic handler this handler found (a named vmap's rules must not see themselves). */
  #outside<A>(thunk: () => A): A {
    return this.axis.name === undefined ? thunk() : withDynamicHandler(this.parent, thunk)
  }

  #apply<P extends Primitive>(
    primitive: P,
    vals: ReadonlyArray<Tensor>,
    dims: ReadonlyArray<BatchDim>,
    params: Params<P>,
    useRule: boolean
  ): ReadonlyArray<Tensor> {
    // Nothing varies along the batch: the primitive runs once, below this handler.
    if (!useRule) return bind(primitive, vals, params)
    const [outs, outDims] = batchRules[primitive](vals, dims, params, this.axis, batchProgram)
    const m = outs.length
    const tracers = new Array<Tensor>(m)
    for (let j = 0; j < m; j++) {
      const d = outDims[j]!
      tracers[j] = d === null ? outs[j]! : new BatchTracer(this, outs[j]!, d)
    }
    return tracers
  }
}

/**
 * The value and batch dimension of `x` as seen by `handler` (a value that
 * carries none of its tracers is unbatched).
 *
 * @internal
 */
export const batchInfo = (handler: BatchHandler, x: Tensor): readonly [Tensor, BatchDim] =>
  x instanceof BatchTracer && x.handler === handler ? [x.value, x.batchDim] : [x, null]

/**
 * Runs `f` under a fresh batch handler over `axis`: input `i` is batched at
 * `dims[i]` (`null`: not batched; a `null` input stays `null`). Gives each
 * output's value and batch dimension, or `null` for a `null` output. A named
 * axis is bound, and the handler is the dynamic one, while `f` runs.
 *
 * @internal
 */
export const traceBatched = (
  axis: AxisData,
  f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor | null>,
  args: ReadonlyArray<Tensor | null>,
  dims: ReadonlyArray<BatchDim>
): Array<readonly [Tensor, BatchDim] | null> => {
  const name = axis.name
  const handler = new BatchHandler(axis, name === undefined ? undefined : currentDynamicHandler())
  try {
    const inputs = args.map((x, i) => {
      const d = dims[i] ?? null
      return x === null || d === null ? x : new BatchTracer(handler, x, d)
    }) as ReadonlyArray<Tensor>
    const outs = name === undefined
      ? f(inputs)
      : withAxisFrame(
        { name, size: axis.spmd?.size ?? axis.size, handler },
        () => withDynamicHandler(handler, () => f(inputs))
      )
    return outs.map((out) => (out === null ? null : batchInfo(handler, out)))
  } finally {
    handler.active = false
  }
}

/**
 * Options of `vmapFlat`.
 *
 * @internal
 */
export interface VmapFlatOptions {
  readonly axisName?: string | undefined
  readonly axisSize?: number | undefined
  /** Names flat input `i` in error messages (JAX names the argument and its key path). */
  readonly describeInput?: ((i: number) => string) | undefined
  /** Names flat output `i` in error messages (a key path such as `[0]["w"]`). */
  readonly describeOutput?: ((i: number) => string) | undefined
  /** The axis spans workers: this vmap maps this worker's slices of it (see `SpmdAxis`). */
  readonly spmd?: SpmdAxis | undefined
}

const defaultInputName = (i: number): string => `args[${i}]`
const defaultOutputName = (i: number): string => `[${i}]`

/**
 * The size of the mapped axis: every mapped input (and `axisSize`, when given)
 * must agree. JAX's `_mapped_axis_size`, messages included.
 *
 * @internal
 */
export const mappedAxisSize = (
  args: ReadonlyArray<Tensor>,
  axes: ReadonlyArray<number | null>,
  options: VmapFlatOptions
): number => {
  const axisSize = options.axisSize
  if (args.length === 0) {
    if (axisSize !== undefined) return axisSize
    throw new VmapSizeError({
      detail:
        "vmap wrapped function must be passed at least one argument containing an array or axis_size must be specified, got empty args"
    })
  }
  const sizes: Array<number | null> = args.map((x, i) => {
    const a = axes[i]!
    return a === null ? null : x.shape[a]!
  })
  const distinct = new Set<number>()
  for (const s of sizes) if (s !== null) distinct.add(s)
  if (axisSize !== undefined) distinct.add(axisSize)
  if (distinct.size === 1) return distinct.values().next().value!
  if (distinct.size === 0) {
    throw new VmapSizeError({
      detail: "vmap must have at least one non-None value in in_axes or axis_size must be specified"
    })
  }
  // Most common size first; ties keep first appearance (Python's Counter.most_common).
  const counts = new Map<number, number>()
  for (const s of sizes) if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1)
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1])
  const name = options.describeInput ?? defaultInputName
  const example = (size: number): string => {
    const i = sizes.indexOf(size)
    return `axis ${axes[i]} of ${name(i)} of type ${args[i]!.dtype}[${args[i]!.shape.join(",")}]`
  }
  const lines: Array<string> = []
  if (axisSize !== undefined) lines.push(`  * the \`axis_size\` argument was ${axisSize};`)
  ordered.forEach(([size, count], k) => {
    lines.push(
      count === 1
        ? `  * one axis had size ${size}: ${example(size)};`
        : `  * ${k === 0 ? "most" : "some"} axes (${count} of them) had size ${size}, e.g. ${example(size)};`
    )
  })
  const detail = `vmap got inconsistent sizes for array axes to be mapped:\n${lines.join("\n")}`
  throw new VmapSizeError({ detail: detail.slice(0, -1) })
}

const canonicalInAxis = (x: Tensor, axis: number): number => {
  const ndim = x.ndim
  if (!Number.isInteger(axis)) {
    throw new VmapAxisError({ detail: `vmap in_axes must be an int, None, or a container of them, but got ${axis}` })
  }
  if (axis < -ndim || axis >= ndim) {
    const minRank = axis >= 0 ? axis + 1 : -axis
    throw new VmapAxisError({
      detail:
        `vmap was requested to map its argument along axis ${axis}, which implies that its rank should be at least ${minRank}, but is only ${ndim} (its shape is ${
          formatShape(x.shape)
        })`
    })
  }
  return axis < 0 ? axis + ndim : axis
}

/** An out axis as a non-negative axis of an `ndim`-dimensional result (VmapAxisError when out of bounds). @internal */
export const canonicalOutAxis = (axis: number, ndim: number): number => {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new VmapAxisError({
      detail: `vmap out_axes: axis ${axis} is out of bounds for array of dimension ${ndim}`
    })
  }
  return axis < 0 ? axis + ndim : axis
}

/**
 * vmap on flat lists (JAX's `batching.batch`): maps `f` over axis `inAxes[i]` of
 * `args[i]` (`null`: not mapped) and puts the mapped axis of output `j` at
 * `outAxes[j]` (`null`: the output must not vary along it). `outAxes` may be a
 * function of the number of outputs, for callers that learn the output
 * structure only when `f` runs. Synchronous; throws vmap's tagged errors.
 *
 * @internal
 * @category Transformation internals
 * @since 0.1.0
 */
export const vmapFlat = (
  f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  args: ReadonlyArray<Tensor>,
  inAxes: ReadonlyArray<number | null>,
  outAxes: ReadonlyArray<number | null> | ((outputs: number) => ReadonlyArray<number | null>),
  options: VmapFlatOptions = {}
): ReadonlyArray<Tensor> => {
  const axes = args.map((x, i) => {
    const a = inAxes[i] ?? null
    return a === null ? null : canonicalInAxis(x, a)
  })
  const size = mappedAxisSize(args, axes, options)
  const name = options.axisName
  // what f stages is named vmap(...) (not for a batched program: its names stay its own)
  const results = traceBatched(
    { size, name, spmd: options.spmd },
    (xs) => transformNameStack("vmap", () => f(xs)),
    args,
    axes
  )
  const dst = typeof outAxes === "function" ? outAxes(results.length) : outAxes
  return results.map((r, j) => {
    const [value, d] = r!
    const target = dst[j] ?? null
    if (target === null) {
      if (d === null) return value
      throw new VmapOutAxesError({
        axisName: name ?? null,
        path: (options.describeOutput ?? defaultOutputName)(j),
        batchDim: d
      })
    }
    if (d === null) return broadcastAt(value, size, canonicalOutAxis(target, value.ndim + 1))
    return moveAxis(value, d, canonicalOutAxis(target, value.ndim))
  })
}

/**
 * A program batched over `axis` (see `BatchOfProgram`): staged by evaluating
 * the program under a fresh batch handler inside a staging handler.
 *
 * @internal
 */
export const batchProgram: BatchOfProgram = (program, batched, axis, forceBatched) =>
  cachedByMask(
    batchCache,
    program,
    `${maskKey(batched)}|${forceBatched === undefined ? "" : maskKey(forceBatched)}|${axis.size}|${axis.name ?? ""}|${
      axis.spmd === undefined ? "" : "spmd"
    }`,
    () => {
      let outBatched: ReadonlyArray<boolean> = []
      const inAvals = program.inAvals.map((a) =>
        ({ shape: [axis.size, ...a.shape], dtype: a.dtype, weakType: a.weakType }) as AbstractValue
      )
      const staged = makeProgramFlat(
        (ins) => {
          const results = traceBatched(
            axis,
            (xs) => evalProgram(program, program.consts, xs),
            ins,
            batched.map((b) => (b ? 0 : null))
          )
          const outs = results.map((r, i) => {
            const [value, dim] = r!
            if (dim !== null) return moveAxis(value, dim, 0)
            return forceBatched?.[i] === true ? broadcastAt(value, axis.size, 0) : value
          })
          outBatched = results.map((r, i) => r![1] !== null || forceBatched?.[i] === true)
          return outs
        },
        inAvals.map((a, i) => (batched[i] ? a : program.inAvals[i]!))
      )
      return { program: staged, outBatched }
    }
  )

const batchCache = new WeakMap<
  Program,
  Map<string, { readonly program: Program; readonly outBatched: ReadonlyArray<boolean> }>
>()
