/**
 * Shared helpers of the JAX-parity suite: run a transformation on the CPU backend,
 * read values back, compare with JAX's documented results.
 */
import { setDefaultBackend, toJsSync } from "@diffect/core"
import type { Backend } from "@diffect/core"
import type { Effect } from "effect"
import { backend, run } from "../../packages/ad/test/gradHelpers.js"

export { backend, expect, failure, provideCpu, run } from "../../packages/ad/test/gradHelpers.js"

// Eager operations outside a transformation (as the "diffect" facade sets up).
setDefaultBackend(backend)

/** Runs and reads every tensor of the result as nested JS arrays. */
export const value = <A, E>(effect: Effect.Effect<A, E, Backend>): unknown => toJsSync(run(effect))

/** What `f` throws (fails if it returns). */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected an exception")
}
