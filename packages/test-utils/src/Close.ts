/**
 * Closeness of numbers and of nested values: the one comparator of the test suites.
 *
 * A number `actual` is close to `expected` when
 * `|actual - expected| <= atol + rtol * max(|expected|, minScale)`
 * (NumPy's and JAX's `assert_allclose` with `minScale` 0; `minScale: 1` makes `rtol`
 * relative to magnitudes above one and absolute below). NaN is close only to NaN
 * (unless `equalNan` is false: then never), and an infinity only to itself.
 *
 * @since 0.1.0
 */
import { assert } from "@effect/vitest"

/** How close is close enough. @since 0.1.0 */
export interface Tolerance {
  readonly rtol: number
  readonly atol: number
  /** `rtol` is relative to `max(|expected|, minScale)` (default 0). */
  readonly minScale?: number
  /** Whether NaN is close to NaN (default true, as NumPy's `assert_allclose`). */
  readonly equalNan?: boolean
}

/**
 * A tolerance from a number: `tol` both relative and absolute, that is
 * `|actual - expected| <= tol * (1 + |expected|)`; an object is taken as it is.
 *
 * @since 0.1.0
 */
export const tolerance = (tol: number | Tolerance): Tolerance =>
  typeof tol === "number" ? { rtol: tol, atol: tol } : tol

/**
 * The distance of `actual` from `expected` in units of the tolerance: at most 1 when
 * they are close, Infinity when NaN meets a number or infinities differ.
 *
 * @since 0.1.0
 */
export const gap = (actual: number, expected: number, tol: number | Tolerance): number => {
  const { atol, equalNan = true, minScale = 0, rtol } = tolerance(tol)
  if (Number.isNaN(expected) || Number.isNaN(actual)) {
    return equalNan && Number.isNaN(expected) && Number.isNaN(actual) ? 0 : Infinity
  }
  if (actual === expected) return 0
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return Infinity
  const allowed = atol + rtol * Math.max(Math.abs(expected), minScale)
  return Math.abs(actual - expected) / allowed
}

/** Whether two numbers are close (see the module comment). @since 0.1.0 */
export const isClose = (actual: number, expected: number, tol: number | Tolerance): boolean =>
  gap(actual, expected, tol) <= 1

const show = (v: unknown): string => {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x)) ?? String(v)
  } catch {
    return String(v)
  }
}

const isArrayLike = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || ArrayBuffer.isView(v)

/**
 * The first difference between `actual` and `expected`, or `undefined` when they are
 * close: numbers within the tolerance, arrays and typed arrays of the same length with
 * close elements, records with the same keys and close values (complex numbers as
 * `{ re, im }`), anything else equal (`===`). The message names the path.
 *
 * @since 0.1.0
 */
export const mismatch = (
  actual: unknown,
  expected: unknown,
  tol: number | Tolerance,
  path = "value"
): string | undefined => {
  if (typeof expected === "number") {
    if (typeof actual !== "number") return `${path}: expected the number ${expected}, got ${show(actual)}`
    if (isClose(actual, expected, tol)) return undefined
    const { atol, minScale = 0, rtol } = tolerance(tol)
    return `${path}: expected ${expected}, got ${actual} (rtol ${rtol}, atol ${atol}${
      minScale === 0 ? "" : `, minScale ${minScale}`
    })`
  }
  if (isArrayLike(expected)) {
    if (!isArrayLike(actual) || actual.length !== expected.length) {
      return `${path}: expected ${show(Array.from(expected))}, got ${
        isArrayLike(actual) ? show(Array.from(actual)) : show(actual)
      }`
    }
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i], tol, `${path}[${i}]`)
      if (m !== undefined) return m
    }
    return undefined
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) return `${path}: expected an object, got ${show(actual)}`
    const keys = Object.keys(expected).sort()
    const got = Object.keys(actual).sort()
    if (keys.join() !== got.join()) return `${path}: expected the keys ${keys.join(", ")}, got ${got.join(", ")}`
    for (const k of keys) {
      const m = mismatch(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        tol,
        `${path}.${k}`
      )
      if (m !== undefined) return m
    }
    return undefined
  }
  return actual === expected ? undefined : `${path}: expected ${show(expected)}, got ${show(actual)}`
}

/**
 * Asserts `actual` is close to `expected` (see `mismatch`); the failure names the
 * first difference and its path.
 *
 * @since 0.1.0
 */
export const assertClose = (actual: unknown, expected: unknown, tol: number | Tolerance, label?: string): void => {
  const m = mismatch(actual, expected, tol)
  if (m !== undefined) assert.fail(label === undefined ? m : `${label}: ${m}`)
}
