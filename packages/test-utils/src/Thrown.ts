/**
 * What a function throws, and the tagged error it throws.
 *
 * @since 0.1.0
 */
import { assert } from "@effect/vitest"

/**
 * What `f` throws, typed as an `Error` to read its message and fields (fails the test
 * when it returns).
 *
 * @since 0.1.0
 */
export const thrown = (f: () => unknown): Error => {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  return assert.fail("expected an exception, but the call returned")
}

/**
 * The message of the tagged error `f` throws, after asserting its `_tag` (fails the
 * test when it returns or throws something else).
 *
 * @since 0.1.0
 */
export const thrownTag = (f: () => unknown, tag: string): string => {
  const e = thrown(f)
  assert.strictEqual((e as { _tag?: string } | null)?._tag, tag, String(e))
  return (e as Error).message
}

/**
 * Asserts `error` is an instance of `Class` whose message is exactly `message` (or
 * matches it).
 *
 * @since 0.1.0
 */
export const assertError = (
  error: unknown,
  Class: abstract new(...args: never) => unknown,
  message: string | RegExp
): void => {
  if (!(error instanceof Class)) assert.fail(`expected an instance of ${Class.name}, got ${String(error)}`)
  const m = (error as Error).message
  const ok = typeof message === "string" ? m === message : message.test(m)
  if (!ok) assert.fail(`message mismatch:\n  expected: ${String(message)}\n  received: ${m}`)
}
