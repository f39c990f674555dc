/**
 * Ownership regions: the bottom of deterministic memory release (see Memory.ts).
 *
 * A region records every concrete tensor made while it is current. Closing it
 * releases the backend memory of each one that is not kept (reachable from the
 * region's result, or pinned); kept ones move to the enclosing region. The
 * current region is the synchronous one a transformation installed, else the
 * running fiber's (`Memory.scoped`), else none: outside every region tensors
 * are freed by the backends' FinalizationRegistry only.
 */
import { Context, Fiber } from "effect"

/** Something whose backend memory a region can release. */
export interface Owned {
  /** Frees the backend memory now (`region` names the releaser); later use is a `ReleasedTensorError`. */
  readonly releaseMemory: (region: string) => void
  /** What keeps it: itself, or the tensor an upload belongs to. */
  readonly owner?: object
  /** Kept by every region (jit's constants, shared caches): freed by the garbage collector only. */
  readonly pinned: boolean
  /** Already released (a loop's previous carry, a donated input): its region need not hold it. */
  readonly released?: boolean
}

// The fewest entries a region holds before it drops the released ones from its list.
const COMPACT_MIN = 1024

/** One region: what was made in it, and where kept values go when it closes. */
export class Region {
  owned: Array<Owned> = []
  /** When `owned` reaches this length, the entries released meanwhile are dropped from it. */
  compactAt = COMPACT_MIN
  closed = false
  /** Everything it made outlives it: on close, all goes to the parent (a returned pullback's residuals). */
  handsOver = false
  constructor(readonly parent: Region | undefined, readonly label: string) {}
}

/** The fiber's region, provided by `Memory.scoped`. */
export const CurrentRegion: Context.Reference<Region | undefined> = Context.Reference<Region | undefined>(
  "diffect/Memory/CurrentRegion",
  { defaultValue: () => undefined }
)

// The region of the synchronous section running now (a transformation's body).
let syncRegion: Region | undefined
// While positive, a transformation's body is running: inner transformations and
// `Memory.scoped` open no region of their own (an outer handler may hold what
// they make, e.g. a staged constant), and everything belongs to the outermost.
let depth = 0
// The region `owning` just opened, until the transformation body running in it claims it
// (`claimRegion`): only the outermost transformation owns its region.
let fresh: Region | undefined
// The region of the transformation body running now, when that transformation owns it.
let own: Region | undefined

const fiberRegion = (): Region | undefined => {
  const fiber = Fiber.getCurrent()
  return fiber === undefined ? undefined : Context.get(fiber.context as Context.Context<never>, CurrentRegion)
}

/** The region tensors made now belong to. */
export const currentRegion = (): Region | undefined => syncRegion ?? fiberRegion()

/** Records `value` in the current region, if any. */
export const track = (value: Owned): void => {
  const region = syncRegion ?? (depth === 0 ? fiberRegion() : undefined)
  if (region === undefined || region.closed) return
  region.owned.push(value)
  if (region.owned.length >= region.compactAt) compact(region)
}

// Drops what was released early from the region's list. A loop releases each step's values as
// the next exists (jit's whileLoop, scan, eager scan), but the list kept every one of them
// until the region closed: a jitted whileLoop run for minutes held ~250 bytes of heap per
// iteration (20 MB/s) and ran out of memory. The next compaction waits until the list doubles,
// so each push costs O(1) amortized.
const compact = (region: Region): void => {
  region.owned = region.owned.filter((v) => v.released !== true)
  region.compactAt = Math.max(COMPACT_MIN, 2 * region.owned.length)
}

/** Whether a transformation's body is running (regions nest into the outermost). */
export const insideTransformation = (): boolean => depth > 0

/**
 * Runs synchronous `body` as the outermost transformation's region: what it
 * makes and does not return (found by `keep` in the result) is released when
 * it returns or throws. Nested calls run `body` in the outer region.
 */
export const owning = <A>(label: string, body: () => A, keep: (result: A, kept: Set<object>) => void): A => {
  if (depth > 0) return withFresh(undefined, body)
  const region = new Region(currentRegion(), label)
  const saved = syncRegion
  const savedFresh = fresh
  syncRegion = region
  fresh = region
  depth++
  let result: A | undefined
  let ok = false
  try {
    result = body()
    ok = true
    return result
  } finally {
    depth--
    syncRegion = saved
    fresh = savedFresh
    const kept = new Set<object>()
    if (ok) keep(result as A, kept)
    close(region, kept)
  }
}

/** Closes a region: releases what is not kept or pinned, hands kept values to the parent. */
export const close = (region: Region, kept: ReadonlySet<object>): void => {
  if (region.closed) return
  region.closed = true
  const owned = region.owned
  region.owned = []
  const parent = region.parent !== undefined && !region.parent.closed ? region.parent : undefined
  for (const value of owned) {
    if (value.pinned) continue
    if (region.handsOver || kept.has(value.owner ?? value)) parent?.owned.push(value)
    else value.releaseMemory(region.label)
  }
}

/**
 * A region run in slices (a transformation whose staged work yields to the
 * scheduler between slices): each slice runs with the region current, as the
 * outermost transformation's body; `finish` closes it.
 */
export class Session {
  readonly region: Region
  constructor(label: string) {
    this.region = new Region(currentRegion(), label)
  }
  run<A>(body: () => A): A {
    const saved = syncRegion
    const savedDepth = depth
    syncRegion = this.region
    depth = 1
    try {
      return withFresh(undefined, body)
    } finally {
      syncRegion = saved
      depth = savedDepth
    }
  }
  finish(kept: ReadonlySet<object>): void {
    close(this.region, kept)
  }
}

const withFresh = <A>(region: Region | undefined, body: () => A): A => {
  const savedFresh = fresh
  const savedOwn = own
  fresh = region
  own = undefined
  try {
    return body()
  } finally {
    fresh = savedFresh
    own = savedOwn
  }
}

/**
 * Runs a transformation's `body`: when `owning` opened a region for this very
 * call (it is the outermost transformation), the body owns it and may hand it
 * over (`handOver`); a nested transformation's body owns none.
 */
export const asTransformation = <A>(body: () => A): A => {
  const claimed = fresh
  fresh = undefined
  const savedOwn = own
  own = claimed
  try {
    return body()
  } finally {
    own = savedOwn
  }
}

/**
 * Everything the running transformation's region made (and makes until it
 * closes) outlives it and belongs to the enclosing region, released when that
 * closes (with none, the garbage collector frees it). Nested in another
 * transformation it does nothing: the outermost region releases.
 */
export const handOver = (): void => {
  if (own !== undefined) own.handsOver = true
}

/** Runs `body` with no region current: what it makes is freed by the garbage collector only. */
export const untracked = <A>(body: () => A): A => {
  const saved = syncRegion
  const savedDepth = depth
  syncRegion = undefined
  depth = 1
  try {
    return withFresh(undefined, body)
  } finally {
    syncRegion = saved
    depth = savedDepth
  }
}
