/**
 * Shared by the np test files: tensors read back as nested JS values and compared with
 * a tolerance (@diffect/test-utils' Close; the CPU backend is the default through the
 * vitest setup file).
 */
import { toJsSync } from "@diffect/core"
import type { JsValue, Tensor } from "@diffect/core"
import { Close, thrownTag } from "@diffect/test-utils"
import { assert } from "@effect/vitest"

/** The values of a tensor as nested JS arrays. */
export const js = (t: Tensor): JsValue => toJsSync(t)

/**
 * Asserts nested numbers (or `{ re, im }`) agree within `tol` (a number: relative + absolute; or a
 * `Close.Tolerance`, for values far below 1 that an absolute tolerance would let through); NaN
 * matches NaN.
 */
export const assertClose = (actual: unknown, expected: unknown, tol: number | Close.Tolerance = 1e-6): void =>
  Close.assertClose(actual, expected, tol, JSON.stringify(actual))

/** Asserts a tensor's dtype, weak type and values (within `tol`). */
export const assertTensor = (
  t: Tensor,
  dtype: string,
  expected: unknown,
  options?: { readonly weak?: boolean; readonly tol?: number | Close.Tolerance }
): void => {
  assert.strictEqual(t.dtype, dtype, `dtype of ${String(t)}`)
  if (options?.weak !== undefined) assert.strictEqual(t.weakType, options.weak, `weak type of ${String(t)}`)
  assertClose(js(t), expected, options?.tol)
}

/** The message of the tagged error `tag` that `f` throws (fails the test when it returns). */
export const failure = (f: () => unknown, tag: string): string => thrownTag(f, tag)

/** The assertions above under one name the linter counts as assertions (`expect.tensor(...)`). */
export const expect = { close: assertClose, tensor: assertTensor }
