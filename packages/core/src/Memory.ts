/**
 * `Memory`: backend memory released when it is no longer needed, not when the
 * garbage collector runs.
 *
 * Every transformation (`grad`, `vjp`, `jit`, `vmap`, ...) is an ownership
 * region: the tensors it makes and does not return (intermediates, residuals)
 * are released when it returns. `Memory.scoped(effect)` is the same region for
 * eager code (the role of `tf.tidy`, as an Effect scope): what `effect` makes
 * and does not return is released when it ends, however it ends. A released
 * tensor's data is gone: reading it is a `ReleasedTensorError`, never garbage.
 * The backends' FinalizationRegistry stays as the backstop for code outside
 * every region. See docs/architecture.md, "Memory and interruption".
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit } from "effect"
import {
  asTransformation,
  close,
  CurrentRegion,
  currentRegion,
  handOver,
  insideTransformation,
  owning,
  Region
} from "./internal/region.js"
import { Partial } from "./internal/treePartial.js"
import { ConcreteTensor, Tracer } from "./Tensor.js"
import { argumentError } from "./Validate.js"

/**
 * Adds to `out` every concrete tensor reachable from `value` through arrays,
 * objects' own enumerable properties (tracers, programs and class instances
 * included), Maps, Sets and a `Tree.partial`'s bound arguments (vjp's
 * residuals). Other functions are not looked into: a closure keeps only what
 * its maker pins (jit's constants).
 *
 * @category Memory
 * @since 0.1.0
 */
export const collectTensors = (value: unknown, out: Set<object>): Set<object> => {
  if (!(out instanceof Set)) throw argumentError("Memory.collectTensors", "out", "a Set", out)
  const seen = new Set<object>()
  const stack: Array<unknown> = [value]
  while (stack.length > 0) {
    const u = stack.pop()
    if (u instanceof Partial) {
      stack.push(u.args)
      continue
    }
    if (typeof u !== "object" || u === null || seen.has(u)) continue
    seen.add(u)
    if (u instanceof ConcreteTensor) {
      out.add(u)
      continue
    }
    if (ArrayBuffer.isView(u) || u instanceof ArrayBuffer) continue
    if (Array.isArray(u)) {
      for (const x of u) stack.push(x)
    } else if (u instanceof Map) {
      for (const [k, x] of u) stack.push(k, x)
    } else if (u instanceof Set) {
      for (const x of u) stack.push(x)
    } else {
      for (const k of Object.keys(u)) stack.push((u as Record<string, unknown>)[k])
      if (u instanceof Tracer) stack.push((u as { concreteValue(): unknown }).concreteValue())
    }
  }
  return out
}

// What an effect hands back to its caller: its value, or the errors (and defects) of its failure
// (a typed error may carry tensors: the best parameters of an early stop, the offending value).
const returned = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isSuccess(exit)
    ? exit.value
    : exit.cause.reasons.map((r) => Cause.isFailReason(r) ? r.error : Cause.isDieReason(r) ? r.defect : undefined)

/**
 * Runs `effect` as an ownership region: the tensors made while it runs (by
 * eager code in its fiber, and the results of transformations it runs) that
 * are not part of its success value, or of the errors it fails with, are
 * released when it ends, whether it succeeds, fails or is interrupted. Regions nest: what an inner one returns
 * belongs to the outer one. Inside a transformation's traced function it adds
 * no region (the transformation's own region releases at its end).
 *
 * @example
 * import { Memory, np, toJs, TypedArrayBackend } from "diffect"
 * import { Effect } from "effect"
 * const program = Effect.gen(function*() {
 *   let kept = np.zeros([2])
 *   for (let step = 0; step < 3; step++) {
 *     // the step's temporaries are released at its end; the new value is kept
 *     kept = yield* Memory.scoped(Effect.sync(() => np.add(np.multiply(kept, 2), 1)))
 *   }
 *   return yield* toJs(kept)
 * })
 * console.log(await Effect.runPromise(program.pipe(Effect.provide(TypedArrayBackend.layer)))) // [7, 7]
 *
 * @category Memory
 * @since 0.1.0
 */
export const scoped = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  if (!Effect.isEffect(effect)) throw argumentError("Memory.scoped", "effect", "an Effect", effect)
  return Effect.suspend(() => {
    if (insideTransformation()) return effect
    return Effect.acquireUseRelease(
      Effect.sync(() => new Region(currentRegion(), "Memory.scoped")),
      (region) => Effect.provideService(effect, CurrentRegion, region),
      (region, exit) => Effect.sync(() => close(region, collectTensors(returned(exit), new Set())))
    )
  })
}

/**
 * Runs synchronous `body` as an ownership region (`tf.tidy`): the tensors it
 * makes and does not return are released when it returns or throws. Every
 * transformation runs its work in one; `label` names it in the
 * `ReleasedTensorError` of a tensor used after it closed. Nested in another
 * region's synchronous work (a transformation's body), it adds no region.
 *
 * @example
 * import { Memory, np, toJsSync } from "diffect"
 * let inner = np.zeros([1])
 * const y = Memory.tidy(() => {
 *   inner = np.exp(np.ones([2]))
 *   return np.sum(inner)
 * })
 * console.log(toJsSync(y), Memory.isReleased(inner)) // 5.4365635 true
 *
 * @category Memory
 * @since 0.1.0
 */
export const tidy = <A>(body: () => A, options?: { readonly label?: string }): A => {
  if (typeof body !== "function") throw argumentError("Memory.tidy", "body", "a function", body)
  return owning(options?.label ?? "Memory.tidy", body, (result, kept) => {
    collectTensors(result, kept)
  })
}

/**
 * Keeps every concrete tensor in `value` out of every region: none of them is
 * released when a region closes; the garbage collector frees them (state kept
 * across steps in a closure, a cache). Returns `value`.
 *
 * @example
 * import { Memory, np } from "diffect"
 * const table = Memory.keep(np.arange(4))
 * console.log(Memory.isReleased(table)) // false
 *
 * @category Memory
 * @since 0.1.0
 */
export const keep = <A>(value: A): A => {
  for (const t of collectTensors(value, new Set())) (t as ConcreteTensor).pinned = true
  return value
}

/**
 * Hands what the running transformation makes over to the enclosing region:
 * for a transformation that returns a function closing over values it cannot
 * name (`vjp`'s pullback and its custom rules' residuals, `linearize`,
 * `linearTranspose`). Its values are released when the enclosing region closes
 * (the `Memory.scoped` step that called `vjp`), not when it returns and not by
 * the garbage collector; with no enclosing region the garbage collector frees
 * them, as every tensor made outside a region. Nested in another
 * transformation it does nothing: the outermost one's region releases them.
 *
 * @category Memory
 * @since 0.1.0
 */
export const keepAll = (): void => handOver()

/**
 * Runs the body of a transformation (machinery of the transformations' shell):
 * the outermost one owns the region its call opened and may hand it over
 * (`keepAll`); a nested one owns none.
 *
 * @category Memory
 * @since 0.1.0
 */
export const transformationBody = <A>(body: () => A): A => {
  if (typeof body !== "function") throw argumentError("Memory.transformationBody", "body", "a function", body)
  return asTransformation(body)
}

/**
 * Releases the backend memory of every concrete tensor in `value` now; reading
 * one afterwards is a `ReleasedTensorError`. Host data made by `np.array` stays
 * readable (its uploads to backends are freed).
 *
 * @example
 * import { Memory, np } from "diffect"
 * const x = np.exp(np.arange(3))
 * Memory.release(x)
 * console.log(Memory.isReleased(x)) // true
 *
 * @category Memory
 * @since 0.1.0
 */
export const release = (value: unknown): void => {
  for (const t of collectTensors(value, new Set())) (t as ConcreteTensor).releaseMemory("Memory.release")
}

/**
 * Whether a tensor's memory was released (by its region or `release`).
 *
 * @category Memory
 * @since 0.1.0
 */
export const isReleased = (t: unknown): boolean => t instanceof ConcreteTensor && t.released

/**
 * A region run in slices, for machinery whose work yields to the Effect
 * scheduler between slices (the transformations' shell): `run(body)` runs one
 * slice with the region current, `finish(kept)` closes it.
 *
 * @category Memory
 * @since 0.1.0
 */
export { Session } from "./internal/region.js"

/**
 * Whether a transformation's body (or a `Memory.tidy`) is running now: work
 * started here runs synchronously inside it and adds no region.
 *
 * @category Memory
 * @since 0.1.0
 */
export const insideRegion = (): boolean => insideTransformation()
