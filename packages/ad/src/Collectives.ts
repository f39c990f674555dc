/**
 * Collectives over named axes: `psum`, `pmean`, `pmax`, `pmin` and `axisIndex`
 * reduce or index along an axis bound by `vmap(f, { axisName })`, as JAX's
 * `lax.psum` and friends do under `jax.vmap(..., axis_name=...)`.
 *
 * @since 0.1.0
 */
import { bind1, DType, isTensor, lax, np, Tracer, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { ShapeError } from "@diffect/core/Errors"
import { argumentError, axisNames, boolean, checkArg, checkOptions, integer } from "@diffect/core/Validate"
import { UnboundAxisError } from "./Errors.js"
import { moveAxis } from "./internal/batchingAxes.js"
import { boundAxisNames, lookupAxis } from "./internal/batchingAxisEnv.js"
import type { AxisFrame } from "./internal/batchingAxisEnv.js"
import { JvpTracer } from "./internal/jvp.js"
import { spmdMean, spmdReduceMany, SpmdTracer } from "./internal/spmd.js"
import { BatchTracer } from "./internal/vmap.js"
import type { SpmdReduction } from "./rules/vmap.js"

const frameOf = (axisName: string): AxisFrame => {
  if (typeof axisName !== "string") throw argumentError("collective", "axisName", "a string", axisName)
  const frame = lookupAxis(axisName)
  if (frame === undefined) throw new UnboundAxisError({ axisName, available: [...boundAxisNames()] })
  return frame
}

const namesOf = (operation: string, axisName: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  typeof axisName === "string" ? [axisName] : checkArg(operation, "axisName", axisName, axisNames)

/** A leaf of a collective's argument as a tensor: JS numbers are weak float32, booleans (and bool tensors) int32, as JAX's psum counts. */
const collectiveLeaf = (leaf: unknown, bools: boolean): Tensor => {
  if (isTensor(leaf)) return bools && leaf.dtype === "bool" ? lax.convertElementType(leaf, "int32") : leaf
  if (typeof leaf === "number") return lax.scalar(leaf, "float32", true)
  if (typeof leaf === "boolean") return lax.scalar(leaf ? 1 : 0, bools ? "int32" : "bool")
  throw argumentError("collective", "x", "a pytree of tensors, JS numbers and booleans", leaf)
}

/**
 * Applies `f` to every leaf of a pytree (JAX's collectives map over pytrees), except the leaves
 * that `many` reduces together first (an axis spanning workers: one round of the exchange for
 * many leaves, as JAX's psum binds once for all the leaves and XLA combines all-reduces).
 */
const mapTree = <T>(
  x: T,
  bools: boolean,
  f: (t: Tensor) => Tensor,
  many?: (ts: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor | undefined> | undefined
): CollectiveResult<T> => {
  const [leaves, def] = Tree.flatten(x)
  const ts = leaves.map((l) => collectiveLeaf(l, bools))
  const done = ts.length > 1 ? many?.(ts) : undefined
  return Tree.unflatten(def, ts.map((t, i) => done?.[i] ?? f(t)))
}

// The leaves reduced together over one axis that spans workers (see `spmdReduceMany`).
const together = (names: ReadonlyArray<string>, kind: SpmdReduction) =>
  names.length !== 1 ? undefined : (ts: ReadonlyArray<Tensor>) => spmdReduceMany(frameOf(names[0]!).handler, ts, kind)

const kinds = { psum: "sum", pmax: "max", pmin: "min" } as const

/**
 * The result of a collective on `T`: `T` with every leaf a Tensor.
 *
 * @category Collectives
 * @since 0.1.0
 */
export type CollectiveResult<T> = Tree.MapLeaves<T, Tensor>

const reduction =
  (primitive: "psum" | "pmax" | "pmin") => <T>(x: T, axisName: string | ReadonlyArray<string>): CollectiveResult<T> => {
    // a name given twice reduces once, as JAX's batching rule folds each occurrence into one axis
    const names = [...new Set(namesOf(primitive, axisName))]
    // Check every name first so that an unbound one fails before any work is done.
    for (const name of names) frameOf(name)
    return mapTree(x, primitive === "psum", (t) => {
      let out = t
      for (const name of names) out = bind1(primitive, [out], { axisName: name })
      return out
    }, together(names, kinds[primitive]))
  }

/**
 * Sums `x` (a tensor, a JS number, or a pytree of them) over the named axes (each
 * bound by an enclosing `vmap`). Over an axis
 * of size `n`, an `x` that does not vary along it gives `n * x`.
 *
 * @example
 * import { np, psum, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const totals = vmap((x: Tensor) => psum(x, "i"), { axisName: "i" })(np.array([1, 2, 3]))
 * console.log(toJsSync(runSync(totals))) // [6, 6, 6]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const psum: <T>(x: T, axisName: string | ReadonlyArray<string>) => CollectiveResult<T> = reduction("psum")

/**
 * The maximum of `x` over the named axes.
 *
 * @example
 * import { np, pmax, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const m = vmap((x: Tensor) => pmax(x, "i"), { axisName: "i" })(np.array([1, 3, 2]))
 * console.log(toJsSync(runSync(m))) // [3, 3, 3]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const pmax: <T>(x: T, axisName: string | ReadonlyArray<string>) => CollectiveResult<T> = reduction("pmax")

/**
 * The minimum of `x` over the named axes.
 *
 * @example
 * import { np, pmin, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const m = vmap((x: Tensor) => pmin(x, "i"), { axisName: "i" })(np.array([1, 3, 2]))
 * console.log(toJsSync(runSync(m))) // [1, 1, 1]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const pmin: <T>(x: T, axisName: string | ReadonlyArray<string>) => CollectiveResult<T> = reduction("pmin")

/**
 * The mean of `x` over the named axes: `psum` divided by the product of their sizes.
 *
 * @example
 * import { np, pmean, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const m = vmap((x: Tensor) => pmean(x, "i"), { axisName: "i" })(np.array([1, 2, 3]))
 * console.log(toJsSync(runSync(m))) // [2, 2, 2]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const pmean = <T>(x: T, axisName: string | ReadonlyArray<string>): CollectiveResult<T> => {
  const names = [...new Set(namesOf("pmean", axisName))]
  let n = 1
  for (const name of names) n *= frameOf(name).size
  // One axis spanning workers, this worker's value: the exchange divides as it reduces.
  const frame = names.length === 1 ? frameOf(names[0]!) : undefined
  return mapTree(x, true, (t) => {
    const fused = frame === undefined ? undefined : spmdMean(frame.handler, t)
    if (fused !== undefined) return fused
    let total = psum(t, names)
    // JAX divides with `/`: integer and boolean means are float32.
    if (!DType.isInexact(total.dtype)) total = lax.convertElementType(total, "float32", total.weakType)
    return lax.div(total, lax.full(total.shape, n, total.dtype, total.weakType))
  }, together(names, "mean"))
}

// The names of a collective over one axis or several (JAX's tuple `axis_name`: one axis whose index is
// the names' indices major to minor, the first name the most major), each checked bound, and their sizes.
const axesOf = (
  operation: string,
  axisName: string | ReadonlyArray<string>
): readonly [names: ReadonlyArray<string>, sizes: ReadonlyArray<number>, total: number] => {
  const names = namesOf(operation, axisName)
  const sizes = names.map((name) => frameOf(name).size)
  return [names, sizes, sizes.reduce((a, b) => a * b, 1)]
}

// How a message names the axis of a collective: 'i', or the tuple ('i', 'j').
const axisLabel = (names: ReadonlyArray<string>): string =>
  names.length === 1 ? `'${names[0]}'` : `(${names.map((n) => `'${n}'`).join(", ")})`

// Axes `axis .. axis + count - 1` of `x` folded into one (major to minor).
const foldRun = (x: Tensor, axis: number, count: number): Tensor => {
  if (count === 1) return x
  const size = x.shape.slice(axis, axis + count).reduce((a, b) => a * b, 1)
  return lax.reshape(x, [...x.shape.slice(0, axis), size, ...x.shape.slice(axis + count)])
}

// Axis `axis` of `x` split into `parts` (whose product is its size).
const splitInto = (x: Tensor, axis: number, parts: ReadonlyArray<number>): Tensor =>
  lax.reshape(x, [...x.shape.slice(0, axis), ...parts, ...x.shape.slice(axis + 1)])

/** Options of `allGather`: where the gathered axis goes, and whether it is concatenated. @since 0.1.0 */
export interface AllGatherOptions {
  /** Where the new axis (or, `tiled`, the concatenation) goes (default 0). */
  readonly axis?: number | undefined
  /** Concatenate along `axis` instead of stacking along a new one (JAX's `tiled`). */
  readonly tiled?: boolean | undefined
}

/**
 * Every instance's value along the named axis, stacked along a new axis
 * (`axis`, default 0) or concatenated along an existing one (`tiled`): JAX's
 * `lax.all_gather`. Its transpose is `psumScatter`. An array of names gathers
 * over them as one axis, the first name the most major (JAX's tuple
 * `axis_name`).
 *
 * @example
 * import { allGather, np, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const g = vmap((x: Tensor) => allGather(x, "i"), { axisName: "i" })(np.array([1, 2, 3]))
 * console.log(toJsSync(runSync(g))) // [[1, 2, 3], [1, 2, 3], [1, 2, 3]]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const allGather = <T>(
  x: T,
  axisName: string | ReadonlyArray<string>,
  options?: AllGatherOptions
): CollectiveResult<T> => {
  checkOptions("allGather", options, { axis: integer, tiled: boolean })
  const [names, sizes] = axesOf("allGather", axisName)
  const tiled = options?.tiled ?? false
  return mapTree(x, false, (t) => {
    const rank = tiled ? t.ndim : t.ndim + 1
    const a = options?.axis ?? 0
    const axis = a < 0 ? a + rank : a
    if (axis < 0 || axis >= rank || (tiled && t.ndim === 0)) {
      throw argumentError("allGather", "axis", `an axis of the ${tiled ? "value" : "result"} (rank ${rank})`, a)
    }
    if (names.length === 1) {
      return bind1("all_gather", [t], { axisName: names[0]!, axis, tiled, axisSize: sizes[0]! })
    }
    // The most minor name first: each gather puts its axis at `axis`, in front of the ones before.
    let out = t
    for (let k = names.length - 1; k >= 0; k--) {
      out = bind1("all_gather", [out], { axisName: names[k]!, axis, tiled: false, axisSize: sizes[k]! })
    }
    return foldRun(out, axis, names.length + (tiled ? 1 : 0))
  })
}

/** Options of `psumScatter`: the axis each instance keeps one index (or block) of. @since 0.1.0 */
export interface PsumScatterOptions {
  /** The axis that is scattered (default 0): of the axis's size, or a multiple of it with `tiled`. */
  readonly scatterDimension?: number | undefined
  /** Each instance keeps a block of `scatterDimension` instead of one index of it. */
  readonly tiled?: boolean | undefined
}

/**
 * The sum over the named axis, scattered: instance `i` keeps index `i` of
 * `scatterDimension` (block `i` with `tiled`): JAX's `lax.psum_scatter`, the
 * reduce-scatter. Its transpose is `allGather`. An array of names scatters
 * over them as one axis, the first name the most major.
 *
 * @example
 * import { np, psumScatter, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const rows = np.array([[1, 2], [10, 20]])
 * console.log(toJsSync(runSync(vmap((x: Tensor) => psumScatter(x, "i"), { axisName: "i" })(rows)))) // [11, 22]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const psumScatter = <T>(
  x: T,
  axisName: string | ReadonlyArray<string>,
  options?: PsumScatterOptions
): CollectiveResult<T> => {
  checkOptions("psumScatter", options, { scatterDimension: integer, tiled: boolean })
  const [names, sizes, total] = axesOf("psumScatter", axisName)
  const tiled = options?.tiled ?? false
  return mapTree(x, false, (t) => {
    const d = options?.scatterDimension ?? 0
    const scatterDimension = d < 0 ? d + t.ndim : d
    if (scatterDimension < 0 || scatterDimension >= t.ndim) {
      throw argumentError("psumScatter", "scatterDimension", `an axis of the value (rank ${t.ndim})`, d)
    }
    const n = t.shape[scatterDimension]!
    if (tiled ? n % total !== 0 : n !== total) {
      throw new ShapeError({
        operation: "psumScatter",
        detail: `the scatter dimension ${scatterDimension} has size ${n}; over the axis ${
          axisLabel(names)
        } of size ${total} it must ${tiled ? "be a multiple of" : "equal"} ${total}`
      })
    }
    // No name: one instance, which keeps the whole (one index, dropped when not tiled).
    if (names.length === 0) return tiled ? t : lax.squeeze(t, [scatterDimension])
    // The most major name first, keeping its block (the blocks of the names after it); the last
    // name keeps one index, or a block when tiled.
    let out = t
    names.forEach((name, k) => {
      const last = k === names.length - 1
      out = bind1("psum_scatter", [out], {
        axisName: name,
        scatterDimension,
        tiled: last ? tiled : true,
        axisSize: sizes[k]!
      })
    })
    return out
  })
}

/**
 * Sends values along the named axis (JAX's `lax.ppermute`): for each
 * `[source, destination]` pair of `perm`, instance `destination` gets instance
 * `source`'s value; an instance no pair sends to gets zeros. No two pairs may
 * share a source or a destination. Over an array of names the indices count
 * them as one axis, the first name the most major.
 *
 * @example
 * import { np, ppermute, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * // a ring shift: each instance gets its left neighbour's value
 * const shift = vmap((x: Tensor) => ppermute(x, "i", [[0, 1], [1, 2], [2, 0]]), { axisName: "i" })
 * console.log(toJsSync(runSync(shift(np.array([1, 2, 3]))))) // [3, 1, 2]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const ppermute = <T>(
  x: T,
  axisName: string | ReadonlyArray<string>,
  perm: ReadonlyArray<readonly [number, number]>
): CollectiveResult<T> => {
  const [names, , total] = axesOf("ppermute", axisName)
  const pairs = checkPermutation(perm, total)
  if (names.length === 1) return mapTree(x, false, (t) => bind1("ppermute", [t], { axisName: names[0]!, perm: pairs }))
  // Over several names (the indices in `perm` count them as one axis, major to minor): every
  // instance's value, then the one this instance receives, zeros where nothing is sent to it.
  const source = new Array<number>(total).fill(-1)
  for (const [src, dst] of pairs) source[dst] = src
  const here = axisIndex(names)
  const from = lax.gather(np.array(source.map((v) => Math.max(v, 0)), { dtype: "int32" }), here, 0)
  const sent = lax.gather(np.array(source.map((v) => v >= 0)), here, 0)
  return mapTree(x, false, (t) => {
    const taken = lax.gather(allGather(t, names), from, 0)
    return lax.select(lax.broadcastInDim(sent, taken.shape, []), taken, lax.zerosLike(taken))
  })
}

/**
 * `ppermute` with the permutation as a list (JAX's `lax.pshuffle`): instance
 * `i` gets instance `perm[i]`'s value; `perm` must be a permutation of
 * `0 .. n-1` over the axis of size n.
 *
 * @example
 * import { np, pshuffle, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const reversed = vmap((x: Tensor) => pshuffle(x, "i", [2, 1, 0]), { axisName: "i" })
 * console.log(toJsSync(runSync(reversed(np.array([1, 2, 3]))))) // [3, 2, 1]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const pshuffle = <T>(
  x: T,
  axisName: string | ReadonlyArray<string>,
  perm: ReadonlyArray<number>
): CollectiveResult<T> => {
  const size = axesOf("pshuffle", axisName)[2]
  if (!Array.isArray(perm) || perm.length !== size || [...perm].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw argumentError("pshuffle", "perm", `a permutation of 0 .. ${size - 1} (the axis has size ${size})`, perm)
  }
  return ppermute(x, axisName, perm.map((src, dst) => [src, dst] as const))
}

/**
 * Every instance gets instance `source`'s value (JAX's `lax.pbroadcast`, the
 * collective broadcast): `psum` of the value masked to zero except at
 * `source`, as JAX documents it, so its derivative sends every cotangent back
 * to `source`.
 *
 * @example
 * import { np, pbroadcast, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const fromOne = vmap((x: Tensor) => pbroadcast(x, "i", 1), { axisName: "i" })
 * console.log(toJsSync(runSync(fromOne(np.array([10, 20, 30]))))) // [20, 20, 20]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const pbroadcast = <T>(
  x: T,
  axisName: string | ReadonlyArray<string>,
  source: number
): CollectiveResult<T> => {
  const [names, , size] = axesOf("pbroadcast", axisName)
  if (!Number.isInteger(source) || source < 0 || source >= size) {
    throw argumentError("pbroadcast", "source", `an index along the axis (0 .. ${size - 1})`, source)
  }
  const here = lax.eq(axisIndex(names), lax.full([], source, "int32"))
  return mapTree(x, false, (t) => {
    const mask = lax.broadcastInDim(here, t.shape, [])
    let out = lax.select(mask, t, lax.zerosLike(t))
    for (const name of names) out = bind1("psum", [out], { axisName: name })
    return out
  })
}

/** Options of `allToAll`. @since 0.1.0 */
export interface AllToAllOptions {
  /**
   * Cut `splitAxis` into blocks and concatenate the blocks received along
   * `concatAxis` (no axis added or removed), instead of the axis-size split
   * axis becoming a new axis at `concatAxis` (JAX's `tiled`; default false).
   */
  readonly tiled?: boolean | undefined
}

// An axis of a value of rank `rank`, negative counting from the end (JAX's `canonicalize_axis`).
const axisOf = (operation: string, name: string, value: unknown, rank: number): number => {
  if (!Number.isInteger(value) || (value as number) < -rank || (value as number) >= rank) {
    throw argumentError(operation, name, `an axis of the value (rank ${rank})`, value)
  }
  return (value as number) < 0 ? (value as number) + rank : (value as number)
}

/**
 * Swaps the named axis with an axis of the value (JAX's `lax.all_to_all`):
 * each instance cuts `splitAxis` into one block per instance and sends block
 * `j` to instance `j`, which puts the blocks it receives, in instance order,
 * along `concatAxis`. Without `tiled`, `splitAxis` must have the axis's size
 * and the result's shape is the value's with `splitAxis` removed and an axis of
 * that size inserted at `concatAxis`; with `tiled`, `splitAxis` shrinks and
 * `concatAxis` grows by the axis's size. Its transpose is the all-to-all back.
 * An array of names swaps them as one axis, the first name the most major
 * (JAX's tuple `axis_name`).
 *
 * @example
 * import { allToAll, np, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * // instance i holds row i; afterwards instance j holds column j
 * const swap = vmap((x: Tensor) => allToAll(x, "i", 0, 0), { axisName: "i" })
 * console.log(toJsSync(runSync(swap(np.array([[1, 2], [3, 4]]))))) // [[1, 3], [2, 4]]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const allToAll = <T>(
  x: T,
  axisName: string | ReadonlyArray<string>,
  splitAxis: number,
  concatAxis: number,
  options?: AllToAllOptions
): CollectiveResult<T> => {
  checkOptions("allToAll", options, { tiled: boolean })
  const [names, sizes, total] = axesOf("allToAll", axisName)
  const tiled = options?.tiled ?? false
  return mapTree(x, false, (t) => {
    const split = axisOf("allToAll", "splitAxis", splitAxis, t.ndim)
    const concat = axisOf("allToAll", "concatAxis", concatAxis, t.ndim)
    const n = t.shape[split]!
    if (tiled ? n % total !== 0 : n !== total) {
      const label = axisLabel(names)
      throw new ShapeError({
        operation: "allToAll",
        detail: tiled
          ? `the size of the split axis (${n}) has to be divisible by the size of the named axis ${label} (${total})`
          : `the size of the named axis ${label} must equal the size of the split axis, but they are ${total} and ${n}`
      })
    }
    if (names.length === 1) return allToAllOne(t, names[0]!, sizes[0]!, split, concat, tiled)
    return allToAllMany(t, names, sizes, split, concat, tiled)
  })
}

// All-to-all over one named axis (sizes checked).
const allToAllOne = (
  t: Tensor,
  axisName: string,
  axisSize: number,
  split: number,
  concat: number,
  tiled: boolean
): Tensor => {
  if (tiled || split === concat) {
    return bind1("all_to_all", [t], { axisName, splitAxis: split, concatAxis: concat, axisSize })
  }
  // untiled: a size-1 axis at the concatenation position receives the blocks, and the split
  // axis (size 1 after the exchange) is dropped (JAX's expand_dims and squeeze)
  let s = split
  let c = concat
  if (s < c) c += 1
  else s += 1
  const expanded = lax.expandDims(t, [c])
  const out = bind1("all_to_all", [expanded], { axisName, splitAxis: s, concatAxis: c, axisSize })
  return lax.squeeze(out, [s])
}

/**
 * All-to-all over several names as one axis: the split axis cut into `[n_1, ..., n_k, block]`,
 * then one untiled all-to-all per name, each taking its own axis of that cut and putting the
 * instances it received from after the others (so that they end up major to minor, as the names'
 * combined index counts them), then those `k` axes folded into one and moved where the result wants
 * the instances: at `concat` (untiled), or in front of the concatenation axis's own entries (tiled).
 */
const allToAllMany = (
  t: Tensor,
  names: ReadonlyArray<string>,
  sizes: ReadonlyArray<number>,
  split: number,
  concat: number,
  tiled: boolean
): Tensor => {
  const k = names.length
  const total = sizes.reduce((a, b) => a * b, 1)
  const block = t.shape[split]! / total
  // [...pre, n_1 .. n_k, block, ...post]; step m turns [n_m .. n_k, g_1 .. g_{m-1}] into [n_{m+1} .. n_k, g_1 .. g_m]
  let x = splitInto(t, split, [...sizes, block])
  names.forEach((name, m) => {
    x = allToAllOne(x, name, sizes[m]!, split, split + k - 1, false)
  })
  x = foldRun(x, split, k) // [...pre, total, block, ...post]
  if (!tiled) return moveAxis(lax.squeeze(x, [split + 1]), split, concat)
  if (concat === split) return foldRun(x, split, 2)
  // the concatenation axis in x (the block axis stands for the split axis)
  const target = concat < split ? concat : concat + 1
  const to = target < split ? target : target - 1
  return foldRun(moveAxis(x, split, to), to, 2)
}

/**
 * Swaps the named axis with axis `axis` of the value (JAX's `lax.pswapaxes`):
 * `allToAll(x, axisName, axis, axis)`, the shape unchanged.
 *
 * @example
 * import { np, pswapaxes, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const swap = vmap((x: Tensor) => pswapaxes(x, "i", 0), { axisName: "i" })
 * console.log(toJsSync(runSync(swap(np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))))) // [[1, 4, 7], [2, 5, 8], [3, 6, 9]]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const pswapaxes = <T>(x: T, axisName: string | ReadonlyArray<string>, axis: number): CollectiveResult<T> =>
  allToAll(x, axisName, axis, axis)

const checkPermutation = (
  perm: unknown,
  size: number
): ReadonlyArray<readonly [number, number]> => {
  const bad = (why: string) =>
    argumentError("ppermute", "perm", `[source, destination] pairs of indices below the axis size ${size}${why}`, perm)
  if (!Array.isArray(perm)) throw bad("")
  const sources = new Set<number>()
  const destinations = new Set<number>()
  return perm.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw bad("")
    const [src, dst] = pair as [unknown, unknown]
    const index = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < size
    if (!index(src) || !index(dst)) throw bad("")
    if (sources.has(src) || destinations.has(dst)) throw bad(", no source or destination twice")
    sources.add(src)
    destinations.add(dst)
    return [src, dst] as const
  })
}

/**
 * The position of the current instance along the named axis: an int32 scalar
 * that takes the values `0 .. n-1` across the vmapped instances. An array of
 * names counts along them as one axis, the first name the most major (JAX's
 * `axis_index(('i', 'j'))`: `i * size_j + j`).
 *
 * @example
 * import { axisIndex, np, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const ids = vmap((_x: Tensor) => axisIndex("i"), { axisName: "i" })(np.zeros([3]))
 * console.log(toJsSync(runSync(ids))) // [0, 1, 2]
 * const both = vmap(vmap((_x: Tensor) => axisIndex(["i", "j"]), { axisName: "j" }), { axisName: "i" })
 * console.log(toJsSync(runSync(both(np.zeros([2, 3]))))) // [[0, 1, 2], [3, 4, 5]]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const axisIndex = (axisName: string | ReadonlyArray<string>): Tensor => {
  const [names, sizes] = axesOf("axisIndex", axisName)
  if (names.length === 1) return bind1("axis_index", [], { axisName: names[0]! })
  let index = lax.full([], 0, "int32")
  let inner = 1
  for (let k = names.length - 1; k >= 0; k--) {
    const here = bind1("axis_index", [], { axisName: names[k]! })
    index = lax.add(index, inner === 1 ? here : lax.mul(here, lax.full([], inner, "int32")))
    inner *= sizes[k]!
  }
  return index
}

/**
 * The size of the named axis (JAX's `lax.axis_size`): the whole axis when it
 * spans workers, not one worker's share; the product of the sizes for an array
 * of names. Fails with `UnboundAxisError` for an unbound name.
 *
 * @example
 * import { axisSize, np, runSync, type Tensor, toJsSync, vmap } from "diffect"
 * const sizes = vmap((_x: Tensor) => np.array(axisSize("i")), { axisName: "i" })(np.zeros([4]))
 * console.log(toJsSync(runSync(sizes))) // [4, 4, 4, 4]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const axisSize = (axisName: string | ReadonlyArray<string>): number => axesOf("axisSize", axisName)[2]

/**
 * Whether an enclosing `vmap` binds `axisName` now.
 *
 * @example
 * import { axisIsBound, np, runSync, type Tensor, vmap } from "diffect"
 * console.log(axisIsBound("batch")) // false
 * const inside = vmap((x: Tensor) => (axisIsBound("batch") ? x : np.negative(x)), { axisName: "batch" })
 * console.log(String(runSync(inside(np.ones([2]))))) // Array([1., 1.], dtype=float32)
 *
 * @category Collectives
 * @since 0.1.0
 */
export const axisIsBound = (axisName: string): boolean => lookupAxis(axisName) !== undefined

/**
 * Whether `x` is batched by the vmap bound to `axisName`, i.e. varies along that
 * axis (used by `reduceAxes`: a gradient of an argument that does not vary along
 * the axis is summed over it). Fails with `UnboundAxisError` for an unbound name.
 *
 * @example
 * import { isBatchedAlong, np, runSync, type Tensor, vmap } from "diffect"
 * const seen: Array<[boolean, boolean]> = []
 * const f = (w: Tensor, x: Tensor) => {
 *   seen.push([isBatchedAlong(w, "batch"), isBatchedAlong(x, "batch")])
 *   return np.multiply(w, x)
 * }
 * runSync(vmap(f, { axisName: "batch", inAxes: [null, 0] })(np.ones([2]), np.ones([3, 2])))
 * console.log(seen) // [[false, true]]
 *
 * @category Collectives
 * @since 0.1.0
 */
export const isBatchedAlong = (x: Tensor, axisName: string): boolean => {
  const frame = frameOf(axisName)
  const level = frame.handler.level
  // Look through the values of transformations started inside that vmap: a JVP
  // value varies along the axis when its primal does, an inner vmap's when its data does.
  let v: Tensor = x
  while (v instanceof Tracer && v.handler.level > level) {
    if (v instanceof JvpTracer) v = v.primal
    else if (v instanceof BatchTracer) v = v.value
    else return false
  }
  // A worker's slice of an axis that spans workers (pmap): its tracer records whether it varies.
  if (v instanceof SpmdTracer) return v.handler === frame.handler && v.varying
  return v instanceof BatchTracer && v.handler === frame.handler && v.batchDim !== null
}
