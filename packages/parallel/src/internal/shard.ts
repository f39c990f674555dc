/**
 * Splitting a call's arguments into one block per worker or rank: the mapped
 * tensors' leading axis in contiguous blocks, the other tensors whole.
 *
 * @internal
 */
import type { Tensor } from "@diffect/core"
import { Effect } from "effect"
import { PmapArgumentError } from "../Errors.js"
import { encodeTree, hostOf, toWire } from "./wire.js"
import type { WireTensor } from "./wire.js"

/** The arguments of a call as wire trees, and each part's tensors. @internal */
export interface Sharded {
  /** One wire tree per positional argument. */
  readonly args: ReadonlyArray<unknown>
  /** The size of the mapped axis. */
  readonly size: number
  /** Part `k`'s tensors: its block of each mapped tensor, every unmapped tensor whole. */
  readonly part: (k: number) => Array<WireTensor>
}

/**
 * Validates `inAxes` (`0` or `null`, one for all or one per argument) and splits
 * the arguments into `parts` blocks; `operation` names the caller in messages.
 *
 * @internal
 */
export const shardArgs = (
  operation: string,
  args: ReadonlyArray<unknown>,
  inAxes: unknown,
  parts: number,
  partsName: string
): Effect.Effect<Sharded, PmapArgumentError> =>
  Effect.gen(function*() {
    const fail = (detail: string) => Effect.fail(new PmapArgumentError({ detail: `${operation}: ${detail}` }))
    const spec = inAxes === undefined ? 0 : inAxes
    if (Array.isArray(spec) && spec.length !== args.length) {
      return yield* fail(`inAxes has ${spec.length} entries for ${args.length} arguments`)
    }
    for (const a of Array.isArray(spec) ? spec : [spec]) {
      if (a !== 0 && a !== null) return yield* fail(`inAxes entries are 0 or null, got ${String(a)}`)
    }
    const axisOf = (i: number): 0 | null => (Array.isArray(spec) ? spec[i] ?? null : spec as 0 | null)
    const tensors: Array<Tensor> = []
    const mapped: Array<boolean> = []
    const encoded = yield* Effect.try({
      try: () =>
        args.map((arg, i) =>
          encodeTree(arg, (t) => {
            tensors.push(t)
            mapped.push(axisOf(i) === 0)
            return tensors.length - 1
          }, `argument ${i}`)
        ),
      catch: (e) => e instanceof PmapArgumentError ? e : new PmapArgumentError({ detail: `${operation}: ${String(e)}` })
    })
    let size: number | undefined
    for (let k = 0; k < tensors.length; k++) {
      if (!mapped[k]) continue
      const t = tensors[k]!
      if (t.ndim === 0) return yield* fail(`a mapped argument is a scalar (${String(t)}); it needs a leading axis`)
      if (size === undefined) size = t.shape[0]
      else if (t.shape[0] !== size) {
        return yield* fail(`inconsistent sizes for the mapped leading axes: ${size} and ${t.shape[0]}`)
      }
    }
    if (size === undefined) return yield* fail("no argument is mapped (inAxes are all null)")
    if (size % parts !== 0) {
      return yield* fail(`the mapped axis has size ${size}, not a multiple of the ${parts} ${partsName}`)
    }
    const local = size / parts
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
        if (!mapped[j]) return toWire(host, t.dtype, t.shape, t.weakType)
        const row = host.length / t.shape[0]!
        return toWire(host, t.dtype, [local, ...t.shape.slice(1)], t.weakType, k * local * row, (k + 1) * local * row)
      })
    return { args: encoded, size, part }
  })
