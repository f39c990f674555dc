/**
 * Shared setup of the np test files: the CPU backend as the default backend, and
 * comparisons of nested JS values with a tolerance.
 */
import { TypedArrayBackend } from "@diffect/backend-typed-array"
import { Backend, setDefaultBackend, toJsSync } from "@diffect/core"
import type { JsValue, Tensor } from "@diffect/core"
import { assert } from "@effect/vitest"
import { Effect } from "effect"

// The backend object the typed-array layer provides (as the diffect facade does), so that
// tensors computed eagerly here can also be used by programs run with that layer.
setDefaultBackend(Effect.runSync(Effect.provide(
  Effect.gen(function*() {
    return yield* Backend
  }),
  TypedArrayBackend.layer
)))

/** The values of a tensor as nested JS arrays. */
export const js = (t: Tensor): JsValue => toJsSync(t)

const flat = (v: unknown, out: Array<unknown>): Array<unknown> => {
  if (Array.isArray(v)) { for (const x of v) flat(x, out) }
  else out.push(v)
  return out
}
const dims = (v: unknown): Array<number> => (Array.isArray(v) ? [v.length, ...dims(v[0])] : [])

/** Asserts nested numbers (or `{ re, im }`) agree within `tol` (relative + absolute); NaN matches NaN. */
export const assertClose = (actual: unknown, expected: unknown, tol = 1e-6): void => {
  assert.deepStrictEqual(dims(actual), dims(expected), `shape of ${JSON.stringify(actual)}`)
  const a = flat(actual, [])
  const e = flat(expected, [])
  assert.strictEqual(a.length, e.length)
  const near = (x: number, y: number) =>
    (Number.isNaN(x) && Number.isNaN(y)) || x === y || Math.abs(x - y) <= tol * (1 + Math.abs(y))
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number | { re: number; im: number }
    const y = e[i] as number | { re: number; im: number }
    const ok = typeof y === "boolean"
      ? x === y
      : typeof y === "object"
      ? typeof x === "object" && near(x.re, y.re) && near(x.im, y.im)
      : typeof x === "number" && near(x, y)
    assert.isTrue(ok, `element ${i}: ${JSON.stringify(x)} vs expected ${JSON.stringify(y)} (${JSON.stringify(actual)})`)
  }
}

/** Asserts a tensor's dtype, weak type and values (within `tol`). */
export const assertTensor = (
  t: Tensor,
  dtype: string,
  expected: unknown,
  options?: { readonly weak?: boolean; readonly tol?: number }
): void => {
  assert.strictEqual(t.dtype, dtype, `dtype of ${String(t)}`)
  if (options?.weak !== undefined) assert.strictEqual(t.weakType, options.weak, `weak type of ${String(t)}`)
  assertClose(js(t), expected, options?.tol)
}

/** The tag and message of what `f` throws (fails the test when it returns). */
export const failure = (f: () => unknown, tag: string): string => {
  try {
    f()
  } catch (e) {
    assert.strictEqual((e as { _tag?: string })._tag, tag, String(e))
    return (e as Error).message
  }
  return assert.fail(`expected ${tag}`)
}

/** The assertions above under one name the linter counts as assertions (`expect.tensor(...)`). */
export const expect = { close: assertClose, tensor: assertTensor }
