/**
 * Splitting a call's arguments into one block per worker or rank: each mapped
 * tensor along its axis (`inAxes`: an axis, `null`, or a pytree prefix of the
 * arguments holding those, as JAX's `in_axes`), the unmapped tensors whole.
 * Resident values (`Resident.ts`) travel as their ids, with their axis.
 *
 * @internal
 */
import type { Tensor } from "@diffect/core"
import { isTensor } from "@diffect/core"
import { Effect } from "effect"
import { PmapArgumentError } from "../Errors.js"
import { blockOf, mapWithSpec, normalizeAxis } from "./axes.js"
import { isResidentHandle } from "./resident.js"
import type { ResidentHandle } from "./resident.js"
import { encodeTree, hostOf, toWire } from "./wire.js"
import type { ResidentRef, WireTensor } from "./wire.js"

/** The arguments of a call as wire trees, and each part's tensors. @internal */
export interface Sharded {
  /** One wire tree per positional argument. */
  readonly args: ReadonlyArray<unknown>
  /** The `inAxes` specification, one entry per positional argument (as the workers apply it). */
  readonly inAxes: ReadonlyArray<unknown>
  /** The size of the mapped axis. */
  readonly size: number
  /** The resident values among the arguments, by argument. */
  readonly residents: ReadonlyArray<ReadonlyArray<ResidentHandle>>
  /** Whether a resident value is mapped along an axis. */
  readonly mappedResidents: boolean
  /** Part `k`'s tensors: its block of each mapped tensor, every unmapped tensor whole. */
  readonly part: (k: number) => Array<WireTensor>
}

/** A resident value's marker with its axis in the call (`null`: whole). @internal */
export interface ResidentArg extends ResidentRef {
  readonly axis: number | null
}

/**
 * Validates `inAxes` and splits the arguments into `parts` blocks; `operation`
 * names the caller in messages. `mesh` is the mesh whose resident values the
 * arguments may hold (`undefined`: none allowed). With `requireMapped` false, a
 * call that maps nothing is allowed (its size is 0).
 *
 * @internal
 */
export const shardArgs = (
  operation: string,
  args: ReadonlyArray<unknown>,
  inAxes: unknown,
  parts: number,
  partsName: string,
  mesh?: object,
  requireMapped = true
): Effect.Effect<Sharded, PmapArgumentError> =>
  Effect.gen(function*() {
    const fail = (detail: string) => Effect.fail(new PmapArgumentError({ detail: `${operation}: ${detail}` }))
    const spec = inAxes === undefined ? 0 : inAxes
    if (Array.isArray(spec) && spec.length !== args.length) {
      return yield* fail(`inAxes has ${spec.length} entries for ${args.length} arguments`)
    }
    const perArg = args.map((_, i) => Array.isArray(spec) ? spec[i] : spec)
    const tensors: Array<Tensor> = []
    const axes: Array<number | null> = []
    const residents: Array<Array<ResidentHandle>> = args.map(() => [])
    let size: number | undefined
    let mappedResidents = false
    let sizeWhere = ""
    const setSize = (n: number, where: string) => {
      if (size === undefined) {
        size = n
        sizeWhere = where
      } else if (n !== size) {
        throw `inconsistent sizes for the mapped axes: ${size} (${sizeWhere}) and ${n} (${where})`
      }
    }
    const encoded = yield* Effect.try({
      try: () =>
        args.map((arg, i) =>
          mapWithSpec(perArg[i], arg, `argument ${i}`, (subtree, leaf, where) => {
            if (leaf === "resident") throw `inAxes at ${where} is "resident", which only outAxes take`
            return encodeTree(
              subtree,
              (t) => {
                if (leaf !== null) {
                  if (t.ndim === 0) throw `a mapped argument (${where}) is a scalar; it needs an axis to map`
                  const a = normalizeAxis(leaf, t.ndim, `the argument at ${where}`)
                  setSize(t.shape[a]!, where)
                  axes.push(a)
                } else {
                  axes.push(null)
                }
                tensors.push(t)
                return tensors.length - 1
              },
              where,
              (u) => {
                if (!isResidentHandle(u)) {
                  if (leaf !== null && (typeof u === "number" || typeof u === "boolean")) {
                    throw `a mapped argument (${where}) is a ${typeof u}; it needs an axis to map`
                  }
                  return undefined
                }
                if (mesh === undefined) throw `${where} is a resident value, which only pmap on its mesh takes`
                if (u.mesh !== mesh) throw `${where} is a resident value of another mesh`
                if (u.released) {
                  throw `${where} is resident value #${u.id}, which was released (or donated to an earlier call)`
                }
                let axis: number | null = null
                if (leaf !== null) {
                  if (u.leaves.length === 0) throw `a mapped resident value (${where}) has no tensors`
                  // every leaf of a resident value takes the same axis (one spec leaf covers it)
                  for (const l of u.leaves) {
                    const a = normalizeAxis(leaf, l.shape.length, `a tensor of the resident value at ${where}`)
                    setSize(l.shape[a]!, where)
                  }
                  axis = leaf
                }
                residents[i]!.push(u)
                return { "~resident": u.id, axis } satisfies ResidentArg
              }
            )
          }, (u) => isTensor(u) || isResidentHandle(u))
        ),
      catch: (e) =>
        e instanceof PmapArgumentError
          ? e
          : new PmapArgumentError({ detail: `${operation}: ${typeof e === "string" ? e : String(e)}` })
    })
    if (size === undefined && requireMapped) return yield* fail("no argument is mapped (inAxes are all null)")
    // a worker's block of a size-0 axis has no slices to map (its worker failed with a NaN size)
    if (size === 0) {
      return yield* fail(`the mapped axis has size 0: each of the ${parts} ${partsName} maps a block of it`)
    }
    if (size !== undefined && size % parts !== 0) {
      return yield* fail(`the mapped axis has size ${size}, not a multiple of the ${parts} ${partsName}`)
    }
    const hosts = yield* Effect.forEach(tensors, hostOf).pipe(
      Effect.mapError((e) =>
        e instanceof PmapArgumentError
          ? e
          : new PmapArgumentError({ detail: `${operation}: cannot read an argument: ${String(e)}` })
      )
    )
    const part = (k: number): Array<WireTensor> =>
      tensors.map((t, j) => {
        const host = hosts[j]!
        const a = axes[j]!
        if (a === null) return toWire(host, t.dtype, t.shape, t.weakType)
        const shape = t.shape.map((d, i) => (i === a ? d / parts : d))
        const block = blockOf(host, t.shape, a, k, parts)
        return block.contiguous !== undefined
          ? toWire(host, t.dtype, shape, t.weakType, block.contiguous.from, block.contiguous.to)
          : toWire(block.copy(), t.dtype, shape, t.weakType)
      })
    return { args: encoded, inAxes: perArg, size: size ?? 0, residents, mappedResidents, part }
  })
