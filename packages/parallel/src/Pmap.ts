/**
 * `pmap`: JAX's `jax.pmap` over a mesh of workers. `pmap(remote, { axisName })(...args)`
 * splits the leading axis of the mapped arguments into one contiguous block per
 * worker, runs the function on every worker (each maps it over its block, as
 * `vmap` would), and stacks the results in rank order. Collectives over
 * `axisName` (`psum`, `pmean`, `pmax`, `pmin`, `axisIndex`, and `reduceAxes` of
 * `grad`) span every worker: they gather every worker's slices through shared
 * memory, in rank order, and reduce them exactly as a one-process `vmap`
 * reduces its batch, so `pmap(f)` equals `vmap(f)` bit for bit. Outputs marked
 * `"resident"` in `outAxes` stay in the workers (see `Resident`): a training
 * step whose state is resident moves only its own data and a small result.
 *
 * @since 0.1.0
 */
import type { Types } from "@diffect/ad"
import { aval, ConcreteTensor } from "@diffect/core"
import type { Tensor, Tree } from "@diffect/core"
import { Effect } from "effect"
import { PmapArgumentError } from "./Errors.js"
import type { ParallelError } from "./Errors.js"
import { concatAlong, mapWithSpec, normalizeAxis } from "./internal/axes.js"
import type { AxisLeaf } from "./internal/axes.js"
import { checkOptionKeys } from "./internal/options.js"
import { makeHandle } from "./internal/resident.js"
import { shardArgs } from "./internal/shard.js"
import { decodeTree, hostOfWire, isResidentRef } from "./internal/wire.js"
import type { TensorRef } from "./internal/wire.js"
import { Mesh } from "./Mesh.js"
import { isRemote } from "./Remote.js"
import type { Remote } from "./Remote.js"
import type { Resident } from "./Resident.js"

/**
 * Where the mapped axis is, as JAX's `in_axes`/`out_axes`: an axis (negative
 * counts from the end), `null` (not mapped), or a pytree prefix of the value
 * (arrays and records) holding those.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type PmapAxisSpec = number | null | ReadonlyArray<PmapAxisSpec> | { readonly [key: string]: PmapAxisSpec }

/**
 * `outAxes`: as {@link PmapAxisSpec}, and `"resident"` for an output subtree
 * that stays in the workers (it must be the same on every worker, as `null`
 * requires: e.g. parameters updated with `pmean`ed gradients); the call gives a
 * `Resident` handle for it.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type PmapOutSpec =
  | number
  | null
  | "resident"
  | ReadonlyArray<PmapOutSpec>
  | { readonly [key: string]: PmapOutSpec }

/**
 * Options of {@link pmap}.
 *
 * - `axisName` (required): names the mapped axis for collectives.
 * - `inAxes` (default `0`): where each argument is mapped (JAX's `in_axes`): one
 *   spec for every argument or an array with one per positional argument, each
 *   a pytree prefix of the argument. `null` gives every worker the whole
 *   argument (e.g. parameters); a `Resident` value takes one spec for all of it.
 * - `outAxes` (default `0`): where the mapped axis goes in each output (JAX's
 *   `out_axes`): the workers' blocks are concatenated along it; `null` for
 *   outputs that are the same on every worker (taken from worker 0);
 *   `"resident"` keeps the output in the workers.
 * - `donate`: positions of arguments whose `Resident` values are released
 *   after a successful call (JAX's `donate_argnums`: the old training state
 *   once the step has made the new one).
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface PmapOptions<O extends PmapOutSpec = PmapOutSpec> {
  readonly axisName: string
  readonly inAxes?: PmapAxisSpec | undefined
  readonly outAxes?: O | undefined
  readonly donate?: ReadonlyArray<number> | undefined
}

/**
 * The arguments `pmap(remote)` takes: `remote`'s, each also as a `Resident` of itself.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type PmapArgs<P extends ReadonlyArray<unknown>> = { [K in keyof P]: P[K] | Resident<P[K]> }

/**
 * What `pmap(remote)` gives for the output type `T` under `outAxes` `O`: every
 * leaf a Tensor, and a `Resident` for each `"resident"` subtree.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type PmapOut<T, O> = [O] extends ["resident"] ? Resident<T>
  : [O] extends [number | null | undefined] ? Tree.MapLeaves<T, Tensor>
  : O extends ReadonlyArray<unknown> ? { [K in keyof T]: PmapOut<T[K], K extends keyof O ? O[K] : never> }
  : O extends object ? { [K in keyof T]: PmapOut<T[K], K extends keyof O ? O[K] : never> }
  : Tree.MapLeaves<T, Tensor>

/**
 * What `pmap(remote, { outAxes })` gives.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type PmapResult<F extends Types.AnyFunction, O = 0> = PmapOut<Types.Unwrap<ReturnType<F>>, O>

const fail = (detail: string) => Effect.fail(new PmapArgumentError({ detail }))

// The keys of PmapOptions: a misspelled one (`in_axes`) would otherwise be silently the default.
const pmapOptionKeys: ReadonlyArray<string> = ["axisName", "inAxes", "outAxes", "donate"]

const countResident = (spec: unknown): number =>
  spec === "resident"
    ? 1
    : Array.isArray(spec)
    ? spec.reduce((n: number, s) => n + countResident(s), 0)
    : typeof spec === "object" && spec !== null
    ? Object.values(spec).reduce((n: number, s) => n + countResident(s), 0)
    : 0

const checkOutSpec = (spec: unknown): string | undefined => {
  if (spec === null || spec === "resident" || (typeof spec === "number" && Number.isInteger(spec))) return undefined
  if (Array.isArray(spec)) return spec.map(checkOutSpec).find((m) => m !== undefined)
  if (typeof spec === "object" && Object.getPrototypeOf(spec) === Object.prototype) {
    return Object.values(spec as object).map(checkOutSpec).find((m) => m !== undefined)
  }
  return `pmap: outAxes leaves are integers (axes), null or "resident", got ${JSON.stringify(spec) ?? String(spec)}`
}

const isTensorRef = (u: unknown): u is TensorRef =>
  typeof u === "object" && u !== null && typeof (u as Record<string, unknown>)["~tensor"] === "number"

/**
 * Maps `remote` over the mapped axis of its arguments across the workers of the
 * `Mesh` (see the module's description): each worker gets one contiguous block
 * of that axis. The axis size must be a multiple of the number of workers.
 * Fails with `WorkerLostError` when a worker dies during the call (the call
 * can be retried: the mesh replaces the worker; resident values are lost on
 * that worker, `ResidentLostError`), `WorkerFailedError` when the function
 * fails on a worker, and `PmapArgumentError` for bad arguments.
 *
 * @example no-run
 * import { np, pmean, type Tensor, toJs } from "diffect"
 * import { Effect } from "effect"
 * import { Mesh, pmap, Remote } from "diffect/parallel"
 * // Declared at the top level of a module that every worker imports too (keep
 * // such a module free of other top-level work: workers run it on import).
 * const mean = Remote.make(import.meta.url, "mean", (x: Tensor) => pmean(np.sum(x), "batch"))
 * const program = Effect.gen(function*() {
 *   const out = yield* pmap(mean, { axisName: "batch" })(np.array([[1, 2], [3, 4]]))
 *   console.log(yield* toJs(out)) // [5, 5]
 * })
 * Effect.runPromise(Effect.provide(program, Mesh.layer({ workers: 2 })))
 *
 * @category Transformations
 * @since 0.1.0
 */
export const pmap = <F extends (...args: ReadonlyArray<any>) => any, const O extends PmapOutSpec = 0>(
  remote: Remote<F>,
  options: PmapOptions<O>
) =>
(
  ...args: PmapArgs<Parameters<F>>
): Effect.Effect<PmapResult<F, O>, ParallelError, Mesh> =>
  Effect.gen(function*() {
    if (!isRemote(remote)) {
      return yield* fail(
        "pmap: the function must be declared with Remote.make(import.meta.url, name, f) so that workers can import it"
      )
    }
    if (typeof options !== "object" || options === null || typeof options.axisName !== "string") {
      return yield* fail("pmap: options.axisName (a string) is required: it names the axis that spans the workers")
    }
    yield* checkOptionKeys("pmap", options, pmapOptionKeys)
    const outAxes: unknown = options.outAxes === undefined ? 0 : options.outAxes
    const badOut = checkOutSpec(outAxes)
    if (badOut !== undefined) return yield* fail(badOut)
    const donate = options.donate ?? []
    if (!Array.isArray(donate) || donate.some((i) => !Number.isInteger(i) || i < 0 || i >= args.length)) {
      return yield* fail(
        `pmap: donate lists argument positions (0 .. ${args.length - 1}), got ${JSON.stringify(donate)}`
      )
    }
    const mesh = yield* Mesh
    const workers = mesh.workers
    const sharded = yield* shardArgs("pmap", args, options.inAxes, workers, "workers of the mesh", mesh)
    const keep = mesh.reserve(countResident(outAxes))

    const results = yield* mesh.run((rank) => ({
      module: remote.module,
      name: remote.name,
      axisName: options.axisName,
      size: sharded.size,
      inAxes: sharded.inAxes,
      outAxes,
      keep,
      args: sharded.args,
      tensors: sharded.part(rank)
    }))

    // Concatenate the ranks' blocks of each mapped output along its axis, in rank order
    // (an unmapped output is worker 0's); a kept output becomes its handle.
    const first = results[0]!
    const out = yield* Effect.try({
      try: () =>
        mapWithSpec(outAxes, first.out, "the result", (subtree, leaf: AxisLeaf, where) => {
          if (leaf === "resident") {
            if (!isResidentRef(subtree)) throw `the worker kept no value at ${where}`
            const k = keep.indexOf(subtree["~resident"])
            return makeHandle(subtree["~resident"], mesh, first.kept[k] ?? [])
          }
          return decodeTree(subtree, (j) => {
            const w = first.tensors[j]!
            if (leaf === null) return new ConcreteTensor(aval(w.shape, w.dtype, w.weakType), hostOfWire(w), undefined)
            const a = normalizeAxis(leaf, w.shape.length, `the output at ${where}`)
            const all = concatAlong(results.map((r) => hostOfWire(r.tensors[j]!)), w.shape, a)
            const shape = w.shape.map((d, i) => (i === a ? d * workers : d))
            return new ConcreteTensor(aval(shape, w.dtype, w.weakType), all, undefined)
          })
        }, (u) => isTensorRef(u) || isResidentRef(u)),
      catch: (e) => typeof e === "string" ? new PmapArgumentError({ detail: `pmap outAxes: ${e}` }) : e as never
    })
    for (const i of donate) {
      for (const r of sharded.residents[i] ?? []) {
        if (!r.released) {
          r.released = true
          yield* mesh.release([r.id])
        }
      }
    }
    return out as PmapResult<F, O>
  })
