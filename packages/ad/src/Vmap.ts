/**
 * `vmap`: vectorizing map (JAX's `jax.vmap`). `vmap(f)` runs `f` once on whole
 * batches: every primitive `f` applies is rewritten by its batching rule
 * (`rules/vmap.ts`) to work on an extra, mapped axis. With `axisName`, the
 * collectives of `Collectives.ts` (`psum`, `pmean`, `axisIndex`, ...) reduce
 * and index along that axis.
 *
 * @since 0.1.0
 */
import { isTensor, lax, Tree } from "@diffect/core"
import type { Backend, Tensor } from "@diffect/core"
import { anyValue, checkOptions, string } from "@diffect/core/Validate"
import type { OptionSpec } from "@diffect/core/Validate"
import type { Effect } from "effect"
import { VmapSizeError, VmapSpecError } from "./Errors.js"
import type { DiffError, VmapError } from "./Errors.js"
import { checkCallable } from "./internal/args.js"
import { describe } from "./internal/describe.js"
import { resolve, transformation } from "./internal/shell.js"
import { spmdFlat } from "./internal/spmd.js"
import { vmapFlat as vmapFlatInternal } from "./internal/vmap.js"
import type { VmapFlatOptions } from "./internal/vmap.js"
import type { SpmdAxis, SpmdReduction } from "./rules/vmap.js"
import type { AnyFunction, ContextOf, ErrorOf, Unwrap } from "./Types.js"

/**
 * Where an axis is mapped: an integer (negative counts from the end), `null`
 * (not mapped), or a pytree prefix of the value holding those (JAX's
 * `in_axes`/`out_axes`).
 *
 * @category Transformations
 * @since 0.1.0
 */
export type AxisSpec = number | null | ReadonlyArray<AxisSpec> | { readonly [key: string]: AxisSpec }

/**
 * Options of {@link vmap}.
 *
 * - `inAxes` (default `0`): one spec for every argument, or an array with one
 *   entry per positional argument, each a prefix of that argument's pytree.
 * - `outAxes` (default `0`): where the mapped axis goes in each output; `null`
 *   for outputs that do not vary along it.
 * - `axisName`: names the axis for collectives (`psum(x, name)`).
 * - `axisSize`: the axis size, needed when no argument is mapped.
 * - `spmdAxisName`: JAX's mesh axis (or axes) the mapped axis is sharded over:
 *   accepted and checked; on one device it changes nothing, as in JAX.
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface VmapOptions {
  readonly inAxes?: AxisSpec
  readonly outAxes?: AxisSpec
  readonly axisName?: string
  readonly axisSize?: number
  readonly spmdAxisName?: string | ReadonlyArray<string>
}

/**
 * What `vmap(f)` gives: `f`'s output pytree with every leaf a Tensor.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type VmapResult<F extends AnyFunction> = Tree.MapLeaves<Unwrap<ReturnType<F>>, Tensor>

/**
 * vmap on flat lists of tensors: maps `f` over axis `inAxes[i]` of `args[i]`
 * (`null`: not mapped) and puts the mapped axis of output `j` at `outAxes[j]`.
 * Synchronous: throws vmap's tagged errors. The entry point for other
 * transformations (batched Jacobians: vmap of `jvpFlat` over basis vectors).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import { vmapFlat } from "diffect/extend"
 * // row sums of a 2x3 matrix
 * const [sums] = vmapFlat(([row]) => [lax.reduceSum(row!, [0])], [np.array([[0, 1, 2], [3, 4, 5]])], [0], [0])
 * console.log(toJsSync(sums!)) // [3, 12]
 *
 * @category Transformation internals
 * @since 0.1.0
 */
export const vmapFlat: (
  f: (args: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>,
  args: ReadonlyArray<Tensor>,
  inAxes: ReadonlyArray<number | null>,
  outAxes: ReadonlyArray<number | null> | ((outputs: number) => ReadonlyArray<number | null>),
  options?: VmapFlatOptions
) => ReadonlyArray<Tensor> = vmapFlatInternal

const isPlainRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && Object.getPrototypeOf(u) === Object.prototype

/**
 * The parameter names of `f` read from its source (JAX reads them with
 * `inspect.signature`), for vmap's messages: `undefined` at a position that is
 * not a plain identifier (a destructuring pattern, a rest parameter and what
 * follows it), or for a function whose source cannot be read.
 */
const parameterNames = (f: AnyFunction): ReadonlyArray<string | undefined> => {
  let src: string
  try {
    src = Function.prototype.toString.call(f)
  } catch {
    return []
  }
  const ident = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src)
  if (ident !== null) return [ident[1]]
  const open = src.indexOf("(")
  if (open < 0) return []
  // The parameter list: up to the matching parenthesis, split at top-level commas.
  const params: Array<string> = []
  let depth = 0
  let current = ""
  for (let i = open + 1; i < src.length; i++) {
    const c = src[i]!
    if (c === "(" || c === "[" || c === "{") depth++
    if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) {
        params.push(current)
        break
      }
      depth--
    }
    if (c === "," && depth === 0) {
      params.push(current)
      current = ""
    } else {
      current += c
    }
  }
  const names: Array<string | undefined> = []
  for (const raw of params) {
    const p = raw.trim()
    if (p.startsWith("...")) break
    const m = /^([A-Za-z_$][\w$]*)\s*(?:=.*)?$/s.exec(p)
    names.push(m === null ? undefined : m[1])
  }
  return names
}

// Key paths of a tree's leaves in flattening order (JAX's keystr: `[0]['w']`), for messages.
const leafPaths = (value: unknown, prefix: string, out: Array<string>): void => {
  if (value === null || value === undefined) return
  if (Array.isArray(value)) {
    value.forEach((v, i) => leafPaths(v, `${prefix}[${i}]`, out))
    return
  }
  if (isPlainRecord(value)) {
    for (const k of Object.keys(value).sort()) leafPaths(value[k], `${prefix}['${k}']`, out)
    return
  }
  // a registered class (or a Partial): its children by their keys, as JAX's GetAttrKey `.x`
  for (const [path] of Tree.leavesWithPath(value)) {
    out.push(prefix + path.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join(""))
  }
}

// The leaf paths of the arguments, named as JAX's vmap names them: `argument x['w']`
// where the parameter name is known, `args[0]['w']` otherwise.
const argumentPaths = (f: AnyFunction, args: ReadonlyArray<unknown>): Array<string> => {
  const names = parameterNames(f)
  const out: Array<string> = []
  args.forEach((a, i) => {
    const name = names[i]
    leafPaths(a, name === undefined ? `args[${i}]` : `argument ${name}`, out)
  })
  return out
}

// Python's repr of a leafless pytree (JAX prints the arguments as a tuple: `({},)`).
const pyRepr = (u: unknown, top = true): string => {
  if (u === null || u === undefined) return "None"
  if (Array.isArray(u)) {
    const items = u.map((v) => pyRepr(v, false))
    return top ? `(${items.join(", ")}${items.length === 1 ? "," : ""})` : `[${items.join(", ")}]`
  }
  if (isPlainRecord(u)) return `{${Object.keys(u).map((k) => `'${k}': ${pyRepr(u[k], false)}`).join(", ")}}`
  return describe(u)
}

const isAxisLeaf = (u: unknown): boolean => u === null || typeof u === "number"

const checkSpecLeaves = (name: string, spec: unknown): void => {
  const [leaves] = Tree.flatten(spec, { isLeaf: isAxisLeaf })
  for (const l of leaves) {
    if (l !== null && (typeof l !== "number" || !Number.isInteger(l))) {
      throw new VmapSpecError({
        detail: `vmap ${name} must be an int, None, or (nested) container with those types as leaves, but got ${
          describe(spec)
        }.`
      })
    }
  }
}

// One axis per leaf of `value`, from a spec that is a prefix of it.
const broadcastSpec = (name: string, spec: AxisSpec, value: unknown): Array<number | null> => {
  if (spec === null || typeof spec === "number") return new Array<number | null>(Tree.numLeaves(value)).fill(spec)
  try {
    return Tree.broadcastPrefix<number | null>(spec, value, { isLeaf: isAxisLeaf })
  } catch (e) {
    if (e instanceof Tree.TreeStructureError) {
      throw new VmapSpecError({
        detail: `vmap ${name} specification must be a tree prefix of the corresponding value; ${e.message}`
      })
    }
    throw e
  }
}

const toTensorLeaf = (leaf: unknown, where: () => string): Tensor => {
  if (isTensor(leaf)) return leaf
  if (typeof leaf === "number") return lax.scalar(leaf, "float32", true)
  if (typeof leaf === "boolean") return lax.scalar(leaf ? 1 : 0, "bool")
  throw new VmapSpecError({ detail: `vmap: ${describe(leaf)} at ${where()} is not an array` })
}

/**
 * The synchronous body of `vmap(f, options)(...args)`.
 *
 * @internal
 * @category Transformation internals
 * @since 0.1.0
 */
export const vmapTrace = (
  f: AnyFunction,
  args: ReadonlyArray<unknown>,
  options: VmapOptions,
  spmd?: SpmdAxis
): unknown => {
  const inAxes = options.inAxes === undefined ? 0 : options.inAxes
  const outAxes = options.outAxes === undefined ? 0 : options.outAxes
  if (inAxes !== null && typeof inAxes !== "number" && !Array.isArray(inAxes)) {
    throw new VmapSpecError({
      detail:
        `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got ${
          describe(inAxes)
        }.`
    })
  }
  checkSpecLeaves("in_axes", inAxes)
  checkSpecLeaves("out_axes", outAxes)
  if (Array.isArray(inAxes) && inAxes.length !== args.length) {
    throw new VmapSpecError({
      detail:
        `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=${inAxes.length}, len(args)=${args.length}.`
    })
  }
  const [leaves, def] = Tree.flatten(args as Array<unknown>)
  const axes = broadcastSpec("in_axes", inAxes, args)
  let inPaths: Array<string> | undefined
  const inPath = (i: number): string => {
    if (inPaths === undefined) inPaths = argumentPaths(f, args)
    return inPaths[i] ?? `args (leaf ${i})`
  }
  // Only mapped leaves enter the handler; the others are passed to f untouched.
  const mapped: Array<number> = []
  const mappedTensors: Array<Tensor> = []
  const mappedAxes: Array<number> = []
  axes.forEach((a, i) => {
    if (a === null) return
    mapped.push(i)
    mappedTensors.push(toTensorLeaf(leaves[i], () => inPath(i)))
    mappedAxes.push(a)
  })
  if (leaves.length === 0 && options.axisSize === undefined) {
    throw new VmapSizeError({
      detail:
        `vmap wrapped function must be passed at least one argument containing an array or axis_size must be specified, got empty *args=${
          pyRepr(args)
        } and **kwargs={}`
    })
  }
  if (mapped.length === 0 && leaves.length > 0 && options.axisSize === undefined) {
    throw new VmapSizeError({
      detail: "vmap must have at least one non-None value in in_axes or axis_size must be specified"
    })
  }
  let out: unknown
  let outPaths: Array<string> | undefined
  // A named axis spanning workers runs each worker's slice unbatched when it is one slice
  // (spmdFlat), except with float64 or complex128 arguments: those stay a vmap of the slices, whose
  // results equal a one-process vmap's bit for bit (an unbatched program may sum in another order).
  const flat =
    spmd !== undefined && !leaves.some((l) => isTensor(l) && (l.dtype === "float64" || l.dtype === "complex128"))
      ? spmdFlat
      : vmapFlatInternal
  const outs = flat(
    (xs) => {
      const callLeaves = leaves.slice()
      for (let k = 0; k < mapped.length; k++) callLeaves[mapped[k]!] = xs[k]
      const callArgs = Tree.unflatten<Array<unknown>>(def, callLeaves)
      out = resolve("vmap", f(...callArgs))
      const [outLeaves] = Tree.flatten(out)
      return outLeaves.map((leaf) => {
        if (isTensor(leaf) || typeof leaf === "number" || typeof leaf === "boolean") return toTensorLeaf(leaf, () => "")
        // JAX's TypeError for outputs that are not arrays.
        throw new VmapSpecError({
          detail: `Output from batched function ${describe(leaf)} with type ${typeof leaf} is not a valid array type`
        })
      })
    },
    mappedTensors,
    mappedAxes,
    () => broadcastSpec("out_axes", outAxes, out),
    {
      axisName: options.axisName,
      axisSize: options.axisSize,
      spmd,
      describeInput: (k) => inPath(mapped[k]!),
      describeOutput: (j) => {
        if (outPaths === undefined) leafPaths(out, "", outPaths = [])
        return outPaths[j] ?? `[${j}]`
      }
    }
  )
  return Tree.unflatten(Tree.structure(out), outs)
}

/**
 * Vectorizing map (JAX's `jax.vmap`): `vmap(f, options)(...args)` is an Effect
 * of `f` applied to every slice of the arguments along their mapped axes, with
 * the results stacked along `outAxes`. `f` may return a value or an Effect;
 * vmap composes with every other transformation (`vmap(grad(f))` gives
 * per-example gradients, `grad` of a vmapped function differentiates through
 * the batch).
 *
 * @example
 * import { grad, np, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const loss = (w: Tensor, x: Tensor) => np.sum(np.multiply(w, x))
 * // One gradient per example: rows of xs.
 * const perExample = vmap(grad(loss), { inAxes: [null, 0] })(np.array([1, 1]), np.array([[1, 2], [3, 4]]))
 * console.log(toJsSync(runSync(perExample))) // [[1, 2], [3, 4]]
 *
 * @category Transformations
 * @since 0.1.0
 */
export const vmap = <F extends AnyFunction>(f: F, options: VmapOptions = {}) =>
(
  ...args: Parameters<F>
): Effect.Effect<VmapResult<F>, DiffError | VmapError | ErrorOf<F>, Backend | ContextOf<F>> =>
  transformation<VmapResult<F>, VmapError | ErrorOf<F>, ContextOf<F>>(() => {
    checkCallable("vmap", f)
    checkOptions("vmap", options, vmapSpec)
    return vmapTrace(f, args, options) as VmapResult<F>
  })

const axisSize = {
  expected: "a non-negative integer",
  test: (u: unknown) => typeof u === "number" && Number.isSafeInteger(u) && u >= 0
}

// a mesh axis name or a tuple of them (JAX's spmd_axis_name): sharding only, no effect on values here
const spmdAxisName = {
  expected: "a string or an array of strings",
  test: (u: unknown) => typeof u === "string" || (Array.isArray(u) && u.every((n) => typeof n === "string"))
}

const vmapSpec: OptionSpec = { inAxes: anyValue, outAxes: anyValue, axisName: string, axisSize, spmdAxisName }

export type {
  /**
   * An axis that spans workers: see `vmapSpmd`.
   *
   * @category Transformation internals
   * @since 0.1.0
   */
  SpmdAxis,
  /**
   * The reduction of a collective over an axis that spans workers.
   *
   * @category Transformation internals
   * @since 0.1.0
   */
  SpmdReduction
}

/**
 * The worker side of a data-parallel map (`pmap` of `@diffect/parallel`): `vmap`
 * over this worker's slices of a named axis that spans workers. Collectives over
 * that axis gather every worker's slices in rank order through `spmd.allGather`
 * and reduce them exactly as a one-process `vmap` reduces its batch, so the
 * results agree bit for bit; `axisIndex` counts from `spmd.offset`.
 *
 * @example
 * import { np, psum, runSync, type Tensor, toJsSync } from "diffect"
 * import { vmapSpmd } from "diffect/extend"
 * // One worker holding the whole axis: allGather has nothing to add.
 * const spmd = { size: 3, offset: 0, allGather: (local: Tensor) => local }
 * const totals = vmapSpmd((x: Tensor) => psum(x, "i"), { axisName: "i" }, spmd)(np.array([1, 2, 3]))
 * console.log(toJsSync(runSync(totals))) // [6, 6, 6]
 *
 * @internal
 * @category Transformation internals
 * @since 0.1.0
 */
export const vmapSpmd = <F extends AnyFunction>(f: F, options: VmapOptions, spmd: SpmdAxis) =>
(
  ...args: Parameters<F>
): Effect.Effect<VmapResult<F>, DiffError | VmapError | ErrorOf<F>, Backend | ContextOf<F>> =>
  transformation<VmapResult<F>, VmapError | ErrorOf<F>, ContextOf<F>>(() => {
    checkCallable("vmap", f)
    checkOptions("vmap", options, vmapSpec)
    return vmapTrace(f, args, options, spmd) as VmapResult<F>
  })
