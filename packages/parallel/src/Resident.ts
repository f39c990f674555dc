/**
 * Values that live in the workers of a mesh (JAX's replicated device arrays in
 * its `pmap` training pattern): training state placed once with
 * `Resident.replicate`, or kept by a `pmap` call (`outAxes: "resident"`), and
 * named by a handle in later calls, so that a training step sends only the
 * step's own data and gets back only what it asks for (a loss), not the
 * parameters and gradients. `pmap` takes a `Resident<A>` wherever the function
 * takes an `A`: unmapped (`inAxes` `null`), every worker uses its copy; mapped
 * along an axis, each worker takes its block of it (a dataset placed once,
 * sliced per step inside the function).
 *
 * @since 0.1.0
 */
import type { ConcreteTensor, Tensor, Tree } from "@diffect/core"
import { Effect } from "effect"
import { PmapArgumentError } from "./Errors.js"
import type { ParallelError } from "./Errors.js"
import type { LeafAval, ResidentHandle } from "./internal/resident.js"
import { isResidentHandle, makeHandle } from "./internal/resident.js"
import { decodeTree, encodeTree, fromWire, hostOf, toShared, toWire } from "./internal/wire.js"
import type { WireTensor } from "./internal/wire.js"
import { Mesh } from "./Mesh.js"

/**
 * A value of type `A` that lives in every worker of a mesh. A handle: the
 * value's data stays in the workers (read it back with {@link fetch}).
 *
 * @category Models
 * @since 0.1.0
 */
export interface Resident<A> extends ResidentHandle {
  readonly "~value"?: A
}

/**
 * Whether `u` is a resident value's handle.
 *
 * @example
 * import { np } from "diffect"
 * import { Resident } from "diffect/parallel"
 * console.log(Resident.isResident(np.ones([2]))) // false
 *
 * @category Guards
 * @since 0.1.0
 */
export const isResident = (u: unknown): u is Resident<unknown> => isResidentHandle(u)

/**
 * Places `value` (a pytree of tensors, numbers, booleans and strings) in every
 * worker of the mesh, once: its tensors' data is copied into
 * `SharedArrayBuffer`s that every worker reads in place (one copy in memory,
 * whatever the number of workers). Fails with `PmapArgumentError` for a value
 * that cannot cross to workers, `WorkerLostError` when a worker dies.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * import { Effect } from "effect"
 * import { Mesh, Resident } from "diffect/parallel"
 * const program = Effect.gen(function*() {
 *   const params = yield* Resident.replicate({ w: np.array([1, 2, 3]), b: np.zeros([]) })
 *   // the same values, read back from a worker
 *   const back = yield* Resident.fetch(params)
 *   console.log(toJsSync(back.w)) // [1, 2, 3]
 *   yield* Resident.release(params)
 * })
 * await Effect.runPromise(Effect.provide(program, Mesh.layer({ workers: 2 })))
 *
 * @category Constructors
 * @since 0.1.0
 */
export const replicate = <A>(value: A): Effect.Effect<Resident<A>, ParallelError, Mesh> =>
  Effect.gen(function*() {
    const mesh = yield* Mesh
    const tensors: Array<Tensor> = []
    const tree = yield* Effect.try({
      try: () =>
        encodeTree(value, (t) => {
          tensors.push(t)
          return tensors.length - 1
        }, "Resident.replicate's value"),
      catch: (e) => e instanceof PmapArgumentError ? e : new PmapArgumentError({ detail: String(e) })
    })
    const hosts = yield* Effect.forEach(tensors, hostOf).pipe(
      Effect.mapError((e) =>
        e instanceof PmapArgumentError
          ? e
          : new PmapArgumentError({ detail: `Resident.replicate: cannot read a tensor: ${String(e)}` })
      )
    )
    const wires: ReadonlyArray<WireTensor> = tensors.map((t, i) =>
      toWire(toShared(hosts[i]!), t.dtype, t.shape, t.weakType)
    )
    const [id] = mesh.reserve(1)
    yield* mesh.put(id!, tree, () => wires)
    const leaves: Array<LeafAval> = tensors.map((t) => ({ shape: t.shape, dtype: t.dtype }))
    return makeHandle(id!, mesh, leaves) as Resident<A>
  })

/**
 * The value of a resident handle, read back from the first worker that holds
 * it (tensors as concrete host tensors). Fails with `ResidentLostError` when no
 * worker holds it any more, `PmapArgumentError` for a released handle or one of
 * another mesh.
 *
 * @category Combinators
 * @since 0.1.0
 */
export const fetch = <A>(resident: Resident<A>): Effect.Effect<Tree.MapLeaves<A, Tensor>, ParallelError, Mesh> =>
  Effect.gen(function*() {
    const mesh = yield* Mesh
    yield* check("Resident.fetch", resident, mesh)
    const got = yield* mesh.get(resident.id)
    const tensors: Array<ConcreteTensor> = got.tensors.map(fromWire)
    return decodeTree(got.tree, (i) => tensors[i]) as Tree.MapLeaves<A, Tensor>
  })

/**
 * Drops a resident value from every worker (with the mesh's next request). The
 * handle cannot be used afterwards (`PmapArgumentError`). `pmap`'s `donate`
 * option releases its arguments' resident values after a successful call.
 *
 * @category Combinators
 * @since 0.1.0
 */
export const release = <A>(resident: Resident<A>): Effect.Effect<void, PmapArgumentError, Mesh> =>
  Effect.gen(function*() {
    const mesh = yield* Mesh
    yield* check("Resident.release", resident, mesh)
    resident.released = true
    yield* mesh.release([resident.id])
  })

const check = (operation: string, resident: unknown, mesh: object) => {
  if (!isResidentHandle(resident)) {
    return Effect.fail(new PmapArgumentError({ detail: `${operation}: the value is not a resident value's handle` }))
  }
  if (resident.mesh !== mesh) {
    return Effect.fail(
      new PmapArgumentError({ detail: `${operation}: resident value #${resident.id} is of another mesh` })
    )
  }
  if (resident.released) {
    return Effect.fail(new PmapArgumentError({ detail: `${operation}: resident value #${resident.id} was released` }))
  }
  return Effect.void
}
