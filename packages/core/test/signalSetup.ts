/**
 * Shared by the tests of fft (jax.scipy.fft), signal, ndimage, integrate and
 * interpolate: float64 tensors, seeded random samples, flat comparisons with
 * a relative-plus-absolute tolerance, and gradients checked against central
 * differences of the same function in float64.
 */
import { np, toJsSync } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { assert } from "@effect/vitest"
import { grad, runSync } from "diffect"

export const f64 = (v: np.NestedArray): Tensor => np.array(v, { dtype: "float64" })

/** A tensor's values, flattened (complex values as `{ re, im }`). */
export const flat = (t: Tensor): Array<number> => toJsSync(np.ravel(t)) as Array<number>

/** Deterministic samples in [-1, 1) (a linear congruential generator). */
export const randoms = (n: number, seed = 1): Array<number> => {
  let s = seed
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return (2 * s) / 2147483648 - 1
  })
}

/** Asserts `got` is within `tol * (1 + |want|)` of `want`, entry by entry. */
export const assertNear = (got: ReadonlyArray<number>, want: ReadonlyArray<number>, tol: number, what = ""): void => {
  assert.strictEqual(got.length, want.length, `${what}: length ${got.length} vs ${want.length}`)
  got.forEach((g, i) => {
    const w = want[i]!
    assert.isTrue(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}[${i}]: ${g} vs ${w}`)
  })
}

/**
 * Asserts the gradient of the scalar function `f` at the float64 point `x0`
 * (of `shape`) agrees with central differences of `f` (step 1e-6).
 */
export const assertGradient = (
  f: (x: Tensor) => Tensor,
  x0: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  tol = 1e-7
): void => {
  const at = (v: ReadonlyArray<number>) => np.reshape(f64([...v]), [...shape])
  const g = flat(runSync(grad(f)(at(x0))) as Tensor)
  const h = 1e-6
  const fd = x0.map((_, i) => {
    const up = [...x0]
    const down = [...x0]
    up[i]! += h
    down[i]! -= h
    return (flat(f(at(up)))[0]! - flat(f(at(down)))[0]!) / (2 * h)
  })
  assertNear(g, fd, tol, "gradient")
}
