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
}

/** One region: what was made in it, and where kept values go when it closes. */
export class Region {
  owned: Array<Owned> = []
  closed = false
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

const fiberRegion = (): Region | undefined => {
  const fiber = Fiber.getCurrent()
  return fiber === undefined ? undefined : Context.get(fiber.context as Context.Context<never>, CurrentRegion)
}

/** The region tensors made now belong to. */
export const currentRegion = (): Region | undefined => syncRegion ?? fiberRegion()

/** Records `value` in the current region, if any. */
export const track = (value: Owned): void => {
  const region = syncRegion ?? (depth === 0 ? fiberRegion() : undefined)
  if (region !== undefined && !region.closed) region.owned.push(value)
}

/** Whether a transformation's body is running (regions nest into the outermost). */
export const insideTransformation = (): boolean => depth > 0

/**
 * Runs synchronous `body` as the outermost transformation's region: what it
 * makes and does not return (found by `keep` in the result) is released when
 * it returns or throws. Nested calls run `body` in the outer region.
 */
export const owning = <A>(label: string, body: () => A, keep: (result: A, kept: Set<object>) => void): A => {
  if (depth > 0) return body()
  const region = new Region(currentRegion(), label)
  const saved = syncRegion
  syncRegion = region
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
    if (kept.has(value.owner ?? value)) parent?.owned.push(value)
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
      return body()
    } finally {
      syncRegion = saved
      depth = savedDepth
    }
  }
  finish(kept: ReadonlySet<object>): void {
    close(this.region, kept)
  }
}

/** Takes everything the current region made so far out of it (the garbage collector frees it). */
export const detachAll = (): void => {
  const region = currentRegion()
  if (region !== undefined) region.owned = []
}

/** Runs `body` with no region current: what it makes is freed by the garbage collector only. */
export const untracked = <A>(body: () => A): A => {
  const saved = syncRegion
  const savedDepth = depth
  syncRegion = undefined
  depth = 1
  try {
    return body()
  } finally {
    syncRegion = saved
    depth = savedDepth
  }
}
