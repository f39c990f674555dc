/**
 * `pmap`: JAX's `jax.pmap` over a mesh of workers. `pmap(remote, { axisName })(...args)`
 * splits the leading axis of the mapped arguments into one contiguous block per
 * worker, runs the function on every worker (each maps it over its block, as
 * `vmap` would), and stacks the results in rank order. Collectives over
 * `axisName` (`psum`, `pmean`, `pmax`, `pmin`, `axisIndex`, and `reduceAxes` of
 * `grad`) span every worker: they gather every worker's slices through shared
 * memory, in rank order, and reduce them exactly as a one-process `vmap`
 * reduces its batch, so `pmap(f)` equals `vmap(f)` bit for bit.
 *
 * @since 0.1.0
 */
import type { Types } from "@diffect/ad"
import { aval, ConcreteTensor } from "@diffect/core"
import type { Tensor, Tree } from "@diffect/core"
import { Effect } from "effect"
import { PmapArgumentError } from "./Errors.js"
import type { ParallelError } from "./Errors.js"
import { shardArgs } from "./internal/shard.js"
import { decodeTree, hostOfWire } from "./internal/wire.js"
import { Mesh } from "./Mesh.js"
import { isRemote } from "./Remote.js"
import type { Remote } from "./Remote.js"

/**
 * Options of {@link pmap}.
 *
 * - `axisName` (required): names the mapped axis for collectives.
 * - `inAxes` (default `0`): `0` maps every argument along its leading axis;
 *   an array gives `0` or `null` (not mapped: every worker gets the whole
 *   argument, e.g. parameters) per positional argument.
 * - `outAxes` (default `0`): `0` stacks every output along a new leading axis;
 *   `null` for outputs that are the same on every worker (e.g. `pmean`ed
 *   gradients), taken from worker 0.
 *
 * @category Transformations
 * @since 0.1.0
 */
export interface PmapOptions {
  readonly axisName: string
  readonly inAxes?: 0 | null | ReadonlyArray<0 | null> | undefined
  readonly outAxes?: 0 | null | undefined
}

/**
 * What `pmap(remote)` gives: the function's output pytree with every leaf a Tensor.
 *
 * @category Transformations
 * @since 0.1.0
 */
export type PmapResult<F extends Types.AnyFunction> = Tree.MapLeaves<Types.Unwrap<ReturnType<F>>, Tensor>

const fail = (detail: string) => Effect.fail(new PmapArgumentError({ detail }))

/**
 * Maps `remote` over the leading axis of its mapped arguments across the
 * workers of the `Mesh` (see the module's description). The axis size must be
 * a multiple of the number of workers. Fails with `WorkerLostError` when a
 * worker dies during the call (the call can be retried: the mesh replaces the
 * worker), `WorkerFailedError` when the function fails on a worker, and
 * `PmapArgumentError` for bad arguments.
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
export const pmap = <F extends (...args: ReadonlyArray<any>) => any>(remote: Remote<F>, options: PmapOptions) =>
(
  ...args: Parameters<F>
): Effect.Effect<PmapResult<F>, ParallelError, Mesh> =>
  Effect.gen(function*() {
    if (!isRemote(remote)) {
      return yield* fail(
        "pmap: the function must be declared with Remote.make(import.meta.url, name, f) so that workers can import it"
      )
    }
    if (typeof options !== "object" || options === null || typeof options.axisName !== "string") {
      return yield* fail("pmap: options.axisName (a string) is required: it names the axis that spans the workers")
    }
    const outAxes = options.outAxes === undefined ? 0 : options.outAxes
    if (outAxes !== 0 && outAxes !== null) return yield* fail(`pmap: outAxes is 0 or null, got ${String(outAxes)}`)
    const mesh = yield* Mesh
    const workers = mesh.workers
    const sharded = yield* shardArgs("pmap", args, options.inAxes, workers, "workers of the mesh")
    const inAxes = options.inAxes === undefined ? 0 : options.inAxes
    const axisOf = (i: number): 0 | null => (Array.isArray(inAxes) ? inAxes[i] ?? null : inAxes as 0 | null)

    const results = yield* mesh.run((rank) => ({
      module: remote.module,
      name: remote.name,
      axisName: options.axisName,
      size: sharded.size,
      inAxes: args.map((_, i) => axisOf(i)),
      outAxes,
      args: sharded.args,
      tensors: sharded.part(rank)
    }))

    // Stack the ranks' slices in rank order (or take worker 0's unmapped outputs).
    const first = results[0]!
    const outTensors = first.tensors.map((w, j) => {
      if (outAxes === null) return new ConcreteTensor(aval(w.shape, w.dtype, w.weakType), hostOfWire(w), undefined)
      const parts = results.map((r) => hostOfWire(r.tensors[j]!))
      const Ctor = parts[0]!.constructor as new(n: number) => (typeof parts)[number]
      const all = new Ctor(parts.reduce((n, p) => n + p.length, 0))
      let at = 0
      for (const p of parts) {
        all.set(p as never, at)
        at += p.length
      }
      const [b, ...rest] = w.shape
      return new ConcreteTensor(aval([b! * workers, ...rest], w.dtype, w.weakType), all, undefined)
    })
    return decodeTree(first.out, (i) => outTensors[i]) as PmapResult<F>
  })
