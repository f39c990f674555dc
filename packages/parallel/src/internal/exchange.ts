/**
 * The all-gather of a mesh's workers, through one `SharedArrayBuffer`: every
 * worker writes its slices into its own slot, waits at a barrier, and reads
 * every slot in rank order. Synchronous (`Atomics.wait`), because collectives
 * run inside the synchronous handler stack. Payloads larger than a slot go
 * through in chunks; the result is the same stack of every worker's slices
 * either way. Two sets of slots alternate from round to round (a round: one
 * chunk of one collective), so one barrier per round suffices: a worker writes
 * a set again two rounds later, after the barrier of the round between, which
 * every worker reaches only once it has read the set. An all-reduce of one slice
 * per worker (a `pmap`'s) is a reduce-scatter then an all-gather in place: after
 * the round's barrier each worker reduces its share of the elements over every
 * slot and writes the results over its own slot's copy of that share, and after
 * a second barrier every worker copies every share out. So each element is
 * reduced once, not once per worker (the sum's work per worker falls as workers
 * are added), with the same terms in the same order.
 *
 * Layout: 16 control words (0: arrivals, 1: barrier generation, 2: abort flag,
 * 3: workers that finished the call),
 * then two sets of 4 header words per worker (dtype, length, chunk, shape
 * hash; for a round of several values, `MANY`, their total length, their
 * dtype, a hash of their shapes), then two sets of one data slot per worker.
 *
 * @internal
 */
import type { SpmdReduction } from "@diffect/ad"
import { aval, ConcreteTensor, DType, Tracer } from "@diffect/core"
import type { AbstractValue, BackendShape, Tensor } from "@diffect/core"
import { CollectiveAbortedError, CollectiveMismatchError, CollectiveTracedError } from "../Errors.js"
import { peekHostSync } from "./wire.js"

const CONTROL_BYTES = 64
const ARRIVED = 0
const GENERATION = 1
const ABORT = 2
const FINISHED = 3
// The header's dtype word of a round that carries several values (`allReduceMany`).
const MANY = -1
// Where the next of a round's values starts in a slot: an 8-byte boundary, so that a float64
// view can start there.
const aligned = (bytes: number): number => Math.ceil(bytes / 8) * 8

const dataOffset = (workers: number): number => Math.ceil((CONTROL_BYTES + 2 * 16 * workers) / 64) * 64

/** The bytes of an exchange for `workers` workers with slots of `slotBytes`. @internal */
export const exchangeSize = (workers: number, slotBytes: number): number =>
  dataOffset(workers) + 2 * workers * slotBytes

/** Clears the barrier and the abort flag before a call (no worker is in a collective then). @internal */
export const resetExchange = (sab: SharedArrayBuffer): void => {
  const ctl = new Int32Array(sab, 0, 16)
  Atomics.store(ctl, ARRIVED, 0)
  Atomics.store(ctl, ABORT, 0)
  Atomics.store(ctl, FINISHED, 0)
}

/**
 * Records that a worker has run its function to the end: a worker that waits in
 * a collective after that can never be joined (it applies more collectives than
 * the finished one) and fails with `CollectiveMismatchError` instead of hanging.
 *
 * @internal
 */
export const finishExchange = (sab: SharedArrayBuffer): void => {
  const ctl = new Int32Array(sab, 0, 16)
  Atomics.add(ctl, FINISHED, 1)
  Atomics.notify(ctl, GENERATION)
}

/** Makes every worker waiting in a collective fail with `CollectiveAbortedError`. @internal */
export const abortExchange = (sab: SharedArrayBuffer): void => {
  const ctl = new Int32Array(sab, 0, 16)
  Atomics.store(ctl, ABORT, 1)
  Atomics.notify(ctl, GENERATION)
}

const dtypeCodes: ReadonlyArray<DType.DType> = [
  "float32",
  "float64",
  "int32",
  "uint32",
  "bool",
  "complex64",
  "complex128",
  "float0"
]

const shapeHash = (shape: ReadonlyArray<number>): number => {
  let h = 17
  for (const d of shape) h = (Math.imul(h, 31) + d + 1) | 0
  return h
}

/**
 * The collectives of worker `rank` of `workers` over one exchange:
 * `allGather(local)` stacks every worker's slices (batch first) in rank order;
 * `allReduce(local, kind)` is `reduce(allGather(local), [0])` computed from the
 * slots directly, without the stack (see `reduceSlots`); `allReduceMany(locals,
 * kind)` is `allReduce` of each, with the values that fit a slot together in one
 * round (one barrier).
 *
 * @internal
 */
export const makeCollectives = (
  sab: SharedArrayBuffer,
  rank: number,
  workers: number,
  slotBytes: number,
  axisName: string,
  backend?: BackendShape
) => {
  // A result is new host data no one else holds: the backend adopts it as its own buffer (so
  // that it is reused once released) where it can.
  const result = (a: AbstractValue, data: DType.HostArray): Tensor =>
    backend?.adoptHost !== undefined
      ? new ConcreteTensor(a, undefined, backend.adoptHost(data, a))
      : new ConcreteTensor(a, data, undefined)
  const ctl = new Int32Array(sab, 0, 16)
  const headers = new Int32Array(sab, CONTROL_BYTES, 2 * 4 * workers)
  const base = dataOffset(workers)
  // The round's set of slots alternates; every worker applies the same collectives in the same
  // order, so every worker is at the same round (a worker that is not fails the header check).
  let round = 0

  const barrier = (): void => {
    const generation = Atomics.load(ctl, GENERATION)
    if (Atomics.add(ctl, ARRIVED, 1) === workers - 1) {
      Atomics.store(ctl, ARRIVED, 0)
      Atomics.add(ctl, GENERATION, 1)
      Atomics.notify(ctl, GENERATION)
    } else {
      while (Atomics.load(ctl, GENERATION) === generation) {
        if (Atomics.load(ctl, ABORT) !== 0) throw new CollectiveAbortedError({ rank })
        // A worker finishes only after the barrier of its last collective; if one has finished
        // and this barrier still has not opened, no one else will come to it.
        if (Atomics.load(ctl, FINISHED) !== 0 && Atomics.load(ctl, GENERATION) === generation) {
          throw new CollectiveMismatchError({
            rank,
            detail:
              `worker ${rank} waits in a collective over '${axisName}' that another worker never applies (it has finished the call): every worker must apply the same collectives, in the same order`
          })
        }
        Atomics.wait(ctl, GENERATION, generation, 100)
      }
    }
    if (Atomics.load(ctl, ABORT) !== 0) throw new CollectiveAbortedError({ rank })
  }

  // One round: this worker's payload written into its slot of the round's set (`write`, given the
  // slot's byte offset), its header, the barrier, then every worker's header checked against this
  // one's; gives the byte offset of every worker's slot, in rank order.
  const oneRound = (
    code: number,
    m: number,
    c: number,
    hash: number,
    write: (at: number) => void,
    mine: () => string
  ): Array<number> => {
    const set = round++ % 2
    const slot = (r: number) => base + (set * workers + r) * slotBytes
    const header = (r: number) => 4 * (set * workers + r)
    write(slot(rank))
    const h = header(rank)
    headers[h] = code
    headers[h + 1] = m
    headers[h + 2] = c
    headers[h + 3] = hash
    barrier()
    for (let r = 0; r < workers; r++) {
      const hr = header(r)
      if (headers[hr] !== code || headers[hr + 1] !== m || headers[hr + 2] !== c || headers[hr + 3] !== hash) {
        const theirs = headers[hr] === MANY
          ? `several ${dtypeCodes[headers[hr + 2]!] ?? "?"} values (${headers[hr + 1]} elements in all)`
          : `${dtypeCodes[headers[hr]!] ?? "?"} data of ${headers[hr + 1]} elements`
        throw new CollectiveMismatchError({
          rank,
          detail:
            `a collective over '${axisName}' got ${theirs} from worker ${r} and ${mine()} here: every worker must apply the same collectives, in the same order, to values of the same type`
        })
      }
    }
    return Array.from({ length: workers }, (_, r) => slot(r))
  }

  // Publishes this worker's `host` chunk by chunk; after each chunk's barrier, `read` sees every
  // worker's copy of elements `from .. to` in rank order (views on the slots).
  const exchange = (
    local: Tensor,
    read: (slots: ReadonlyArray<DType.HostArray>, from: number) => void
  ): DType.HostArray => {
    if (local instanceof Tracer || !(local instanceof ConcreteTensor)) throw new CollectiveTracedError({ axisName })
    const host = peekHostSync(local)
    const Ctor = host.constructor as HostCtor
    const m = host.length
    const perChunk = Math.max(1, Math.floor(slotBytes / host.BYTES_PER_ELEMENT))
    const chunks = Math.max(1, Math.ceil(m / perChunk))
    const code = dtypeCodes.indexOf(local.dtype)
    const hash = shapeHash(local.shape)
    for (let c = 0; c < chunks; c++) {
      const from = c * perChunk
      const to = Math.min(m, from + perChunk)
      const slots = oneRound(
        code,
        m,
        c,
        hash,
        (at) => new Ctor(sab, at, to - from).set(host.subarray(from, to)),
        () => `${local.dtype}[${local.shape.join(",")}]`
      )
      read(slots.map((at) => new Ctor(sab, at, to - from)), from)
    }
    return host
  }

  const allGather = (local: Tensor): Tensor => {
    const m = local.size * DType.lanes(local.dtype)
    let out: DType.HostArray | undefined
    exchange(local, (slots, from) => {
      out ??= DType.allocHost(local.dtype, workers * local.size)
      for (let r = 0; r < workers; r++) out.set(slots[r]!, r * m + from)
    })
    const [b, ...rest] = local.shape
    return result(aval([workers * b!, ...rest], local.dtype, local.weakType), out!)
  }

  const allReduce = (local: Tensor, kind: SpmdReduction): Tensor | undefined => {
    const [b, ...rest] = local.shape
    // A one-dimensional stack reduces to a scalar with the backend's pairwise sum: gathered.
    if (!reducible(local.dtype) || b === undefined || rest.length === 0) return undefined
    const cols = local.size / b
    // Chunks split the flat data: with more than one slice per worker and more than one chunk,
    // a column's terms would not arrive in the order of the stack. Gather then.
    const perChunk = Math.floor(slotBytes / (local.dtype === "float64" ? 8 : 4))
    if (b !== 1 && local.size > perChunk) return undefined
    const out = DType.allocHost(local.dtype, cols)
    // pmean: the sum rounded to the dtype, divided by the axis's size, rounded again (in the same pass)
    const divisor = kind === "mean" ? workers * b : 1
    const f32 = local.dtype === "float32"
    const fold = kind === "mean" ? "sum" : kind
    exchange(local, (slots, from) =>
      b === 1
        ? reduceScattered(fold, slots, from, out, divisor, f32)
        : reduceSlots(fold, slots, from, b, cols, out, divisor, f32))
    return result(aval(rest, local.dtype, local.weakType), out)
  }

  // Several all-reduces in one round each time their data fits a slot together: the leaves of a
  // gradient tree, one barrier instead of one per leaf. Each worker writes its values one after
  // the other into its slot (each from an 8-byte boundary); every value is then reduced from the
  // slots exactly as `allReduce` reduces it alone (same terms, same order, same rounding).
  const allReduceMany = (
    locals: ReadonlyArray<Tensor>,
    kind: SpmdReduction
  ): ReadonlyArray<Tensor | undefined> => {
    const out = new Array<Tensor | undefined>(locals.length)
    // the values `allReduce` takes in one chunk, with one slice per worker (a pmap's), by dtype
    const groups = new Map<DType.DType, Array<number>>()
    locals.forEach((local, i) => {
      const [b, ...rest] = local.shape
      const bytes = local.size * (local.dtype === "float64" ? 8 : 4)
      if (!reducible(local.dtype) || b !== 1 || rest.length === 0 || bytes > slotBytes) return
      if (local instanceof Tracer || !(local instanceof ConcreteTensor)) return
      const group = groups.get(local.dtype)
      if (group === undefined) groups.set(local.dtype, [i])
      else group.push(i)
    })
    for (const [dtype, members] of groups) {
      const width = dtype === "float64" ? 8 : 4
      const padded = (i: number) => aligned(locals[i]!.size * width)
      // consecutive members in rounds that fill a slot; a round of one goes through `allReduce`
      let start = 0
      while (start < members.length) {
        let end = start
        let bytes = 0
        while (end < members.length && bytes + padded(members[end]!) <= slotBytes) bytes += padded(members[end++]!)
        const batch = members.slice(start, end)
        start = end
        if (batch.length === 1) {
          out[batch[0]!] = allReduce(locals[batch[0]!]!, kind)
          continue
        }
        reduceRound(batch.map((i) => locals[i] as ConcreteTensor), dtype, kind).forEach((t, k) => {
          out[batch[k]!] = t
        })
      }
    }
    return out
  }

  const reduceRound = (
    locals: ReadonlyArray<ConcreteTensor>,
    dtype: DType.DType,
    kind: SpmdReduction
  ): Array<Tensor> => {
    const hosts = locals.map(peekHostSync)
    const Ctor = hosts[0]!.constructor as HostCtor
    const width = hosts[0]!.BYTES_PER_ELEMENT
    const offsets: Array<number> = []
    let bytes = 0
    for (const host of hosts) {
      offsets.push(bytes)
      bytes += aligned(host.length * width)
    }
    let hash = 17
    for (const local of locals) hash = (Math.imul(hash, 31) + shapeHash(local.shape)) | 0
    const m = hosts.reduce((n, host) => n + host.length, 0)
    const slots = oneRound(
      MANY,
      m,
      dtypeCodes.indexOf(dtype),
      hash,
      (at) => hosts.forEach((host, k) => new Ctor(sab, at + offsets[k]!, host.length).set(host)),
      () => `${locals.length} ${dtype} values (${locals.map((l) => `[${l.shape.join(",")}]`).join(", ")})`
    )
    const divisor = kind === "mean" ? workers : 1
    const f32 = dtype === "float32"
    const fold = kind === "mean" ? "sum" : kind
    const views = hosts.map((host, k) => slots.map((at) => new Ctor(sab, at + offsets[k]!, host.length)))
    const data = hosts.map((host) => DType.allocHost(dtype, host.length))
    if (workers === 1) views.forEach((v, k) => reduceSlots(fold, v, 0, 1, hosts[k]!.length, data[k]!, divisor, f32))
    else {
      views.forEach((v) => reduceShare(fold, v, divisor, f32))
      barrier()
      views.forEach((v, k) => gatherShares(v, 0, data[k]!))
    }
    return locals.map((local, k) => {
      const [, ...rest] = local.shape
      return result(aval(rest, dtype, local.weakType), data[k]!)
    })
  }

  // Worker `rank`'s share of a reduction over the slots (one slice each): the elements
  // `lo .. hi` of its even split, reduced in rank order and written over its own slot's copy of
  // them. No other worker reads those (each reads its own share), so each element is read by one
  // worker only, however many there are; the result is what `reduceSlots` gives element for
  // element, rounded to the slot's dtype as an output array would round it.
  const share = (n: number, r: number): number => Math.floor((n * r) / workers)
  const reduceShare = (
    kind: Exclude<SpmdReduction, "mean">,
    slots: ReadonlyArray<DType.HostArray>,
    divisor: number,
    f32: boolean
  ): void => {
    const n = slots[0]!.length
    const lo = share(n, rank)
    const hi = share(n, rank + 1)
    if (hi > lo) reduceSlots(kind, slots.map((v) => v.subarray(lo, hi)), lo, 1, hi - lo, slots[rank]!, divisor, f32)
  }
  // After the barrier that follows every worker's `reduceShare`: the whole result, share by share.
  const gatherShares = (slots: ReadonlyArray<DType.HostArray>, from: number, out: DType.HostArray): void => {
    const n = slots[0]!.length
    for (let r = 0; r < workers; r++) out.set(slots[r]!.subarray(share(n, r), share(n, r + 1)), from + share(n, r))
  }
  // A reduce-scatter then an all-gather through the slots (one more barrier): each worker reduces
  // 1/workers of the elements instead of all of them.
  const reduceScattered = (
    kind: Exclude<SpmdReduction, "mean">,
    slots: ReadonlyArray<DType.HostArray>,
    from: number,
    out: DType.HostArray,
    divisor: number,
    f32: boolean
  ): void => {
    if (workers === 1) return reduceSlots(kind, slots, from, 1, slots[0]!.length, out, divisor, f32)
    reduceShare(kind, slots, divisor, f32)
    barrier()
    gatherShares(slots, from, out)
  }

  return { allGather, allReduce, allReduceMany }
}

type HostCtor = {
  new(length: number): DType.HostArray
  new(buffer: ArrayBufferLike, offset: number, length: number): DType.HostArray
}

// The typed-array backend reduces a leading axis by accumulating whole rows into a float64
// array, in order, from the identity, then rounding once to the dtype (reduceColumns in its
// reduce.ts); for the float dtypes `reduceSlots` makes the same sums over the slots (rank order,
// then each worker's slices), so an all-reduce equals the gathered stack's reduction bit for bit.
// Other dtypes are gathered.
const reducible = (dtype: DType.DType): boolean => dtype === "float32" || dtype === "float64"

// One pass per chunk: each result element folds its terms in the stack's order (rank, then the
// worker's slices) from the identity, in float64 (JS numbers), and is rounded once when stored;
// a mean's sum is rounded to the dtype (`f32`: Math.fround) and divided by `divisor` first.
const reduceSlots = (
  kind: Exclude<SpmdReduction, "mean">,
  slots: ReadonlyArray<DType.HostArray>,
  from: number,
  slices: number,
  cols: number,
  out: DType.HostArray,
  divisor: number,
  f32: boolean
): void => {
  const n = slots[0]!.length
  const workers = slots.length
  const init = kind === "sum" ? 0 : kind === "max" ? -Infinity : Infinity
  if (slices === 1) {
    // a chunk holds elements from .. from + n of every worker's one slice
    if (kind === "sum" && workers <= 2) {
      sumOneOrTwo(slots[0]!, workers === 2 ? slots[1]! : undefined, from, n, out, divisor, f32)
      return
    }
    for (let e = 0; e < n; e++) {
      let acc = init
      for (let r = 0; r < workers; r++) {
        const v = slots[r]![e]!
        acc = kind === "sum" ? acc + v : kind === "max" ? Math.max(acc, v) : Math.min(acc, v)
      }
      out[from + e] = divisor === 1 ? acc : (f32 ? Math.fround(acc) : acc) / divisor
    }
    return
  }
  // one chunk holds every slice (allReduce declines otherwise)
  for (let j = 0; j < cols; j++) {
    let acc = init
    for (let r = 0; r < workers; r++) {
      const slot = slots[r]!
      for (let l = 0; l < slices; l++) {
        const v = slot[l * cols + j]!
        acc = kind === "sum" ? acc + v : kind === "max" ? Math.max(acc, v) : Math.min(acc, v)
      }
    }
    out[j] = divisor === 1 ? acc : (f32 ? Math.fround(acc) : acc) / divisor
  }
}

// The sums of one or two workers' slots (the common meshes), one loop per case: `0 +` makes a sum
// of negative zeros +0, as the backend's reduction from its identity does.
const sumOneOrTwo = (
  a: DType.HostArray,
  b: DType.HostArray | undefined,
  from: number,
  n: number,
  out: DType.HostArray,
  divisor: number,
  f32: boolean
): void => {
  if (b === undefined) {
    if (divisor === 1) { for (let e = 0; e < n; e++) out[from + e] = 0 + a[e]! }
    else if (f32) { for (let e = 0; e < n; e++) out[from + e] = Math.fround(0 + a[e]!) / divisor }
    else for (let e = 0; e < n; e++) out[from + e] = (0 + a[e]!) / divisor
  } else {
    if (divisor === 1) { for (let e = 0; e < n; e++) out[from + e] = 0 + a[e]! + b[e]! }
    else if (f32) { for (let e = 0; e < n; e++) out[from + e] = Math.fround(0 + a[e]! + b[e]!) / divisor }
    else for (let e = 0; e < n; e++) out[from + e] = (0 + a[e]! + b[e]!) / divisor
  }
}
