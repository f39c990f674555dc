/**
 * Shared helpers of the JAX-parity suite: run a transformation on the CPU backend,
 * read values back, compare with JAX's documented results.
 */
import { runSyncOn } from "@diffect/ad/internal/shell"
import { makeTypedArrayBackend, TypedArrayBackend } from "@diffect/backend-typed-array"
import { setDefaultBackend, toJsSync } from "@diffect/core"
import type { Backend } from "@diffect/core"
import { Effect } from "effect"

export const backend = makeTypedArrayBackend()
// Eager operations outside a transformation (as the "diffect" facade sets up).
setDefaultBackend(backend)

/** Runs a transformation's Effect synchronously on the CPU backend; failures are thrown. */
export const run = <A, E>(effect: Effect.Effect<A, E, Backend>): A => runSyncOn(backend, effect)

/** Runs and reads every tensor of the result as nested JS arrays. */
export const value = <A, E>(effect: Effect.Effect<A, E, Backend>): unknown => toJsSync(run(effect))

/** The typed failure of an Effect run on the CPU backend. */
export const failure = <A, E>(effect: Effect.Effect<A, E, Backend>): E =>
  Effect.runSync(Effect.flip(effect).pipe(Effect.provide(TypedArrayBackend.layer)))

export const provideCpu = Effect.provide(TypedArrayBackend.layer)

const close = (actual: unknown, expected: unknown, tol = 1e-5, path = "value"): void => {
  if (typeof expected === "number") {
    if (typeof actual !== "number") throw new Error(`${path}: expected ${expected}, got ${JSON.stringify(actual)}`)
    const ok = Number.isNaN(expected)
      ? Number.isNaN(actual)
      : Math.abs(actual - expected) <= tol * (1 + Math.abs(expected))
    if (!ok) throw new Error(`${path}: expected ${expected}, got ${actual}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    }
    expected.forEach((e, i) => close(actual[i], e, tol, `${path}[${i}]`))
    return
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) {
      throw new Error(`${path}: expected object, got ${String(actual)}`)
    }
    const keys = Object.keys(expected)
    if (Object.keys(actual).length !== keys.length) {
      throw new Error(`${path}: expected keys ${keys}, got ${Object.keys(actual)}`)
    }
    for (const k of keys) {
      close((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], tol, `${path}.${k}`)
    }
    return
  }
  if (actual !== expected) throw new Error(`${path}: expected ${String(expected)}, got ${String(actual)}`)
}

const error = (e: unknown, Class: abstract new(...args: never) => unknown, message: string | RegExp): void => {
  if (!(e instanceof Class)) throw new Error(`expected an instance of ${Class.name}, got ${String(e)}`)
  const m = (e as Error).message
  const ok = typeof message === "string" ? m === message : message.test(m)
  if (!ok) throw new Error(`message mismatch:\n  expected: ${String(message)}\n  received: ${m}`)
}

/**
 * Assertions (named `expect` so the linter's expect-expect rule sees them):
 * `expect.close(actual, expected, tol)` on nested numbers and `{ re, im }`;
 * `expect.error(e, Class, messageOrPattern)`.
 */
export const expect = { close, error }

/** What `f` throws (fails if it returns). */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected an exception")
}
