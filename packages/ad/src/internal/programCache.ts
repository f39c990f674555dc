/**
 * Caches of programs derived from a program (its JVP, batched version,
 * transpose, partial evaluation), keyed by the program's identity and a mask
 * string, so that a jitted function transformed on every call (`grad(jit(f))`)
 * derives each program once.
 */
import { Memory } from "@diffect/core"
import type { Program } from "../Program.js"

/** `cache[program][key]`, computed by `make` on a miss. */
export const cachedByMask = <A, K extends object = Program>(
  cache: WeakMap<K, Map<string, A>>,
  program: K,
  key: string,
  make: () => A
): A => {
  let byKey = cache.get(program)
  if (byKey === undefined) {
    byKey = new Map()
    cache.set(program, byKey)
  }
  let hit = byKey.get(key)
  if (hit === undefined) {
    // cached across calls: its constants outlive the region of the call that derived it
    hit = Memory.keep(make())
    byKey.set(key, hit)
  }
  return hit
}

/** A boolean mask as a cache key. */
export const maskKey = (mask: ReadonlyArray<boolean>): string => mask.map((b) => (b ? "1" : "0")).join("")
