/**
 * Helpers of the linalg tests: float64 matrices from a seed, plain-JS float64
 * matrix arithmetic for the references (independent of the code under test),
 * central finite differences and flat reads.
 */
import { Close } from "@diffect/test-utils"
import { grad, np, runSync, toJsSync } from "diffect"
import type { DType, Tensor } from "diffect"

export type Matrix = Array<Array<number>>

/** A deterministic pseudo-random stream in [-1, 1) (a 32-bit LCG). */
export const stream = (seed: number) => {
  let s = (seed * 2654435761) >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 31 - 1
  }
}

export const randomMatrix = (m: number, n: number, seed: number): Matrix => {
  const next = stream(seed)
  return Array.from({ length: m }, () => Array.from({ length: n }, () => next()))
}

export const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!))
export const mul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)))
export const sub = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((x, j) => x - b[i]![j]!))
export const frob = (a: Matrix): number => Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0))
export const eye = (n: number): Matrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))

/** A symmetric positive-definite matrix `B B^T + n I` from a seed. */
export const spd = (n: number, seed: number, shift = n): Matrix => {
  const b = randomMatrix(n, n, seed)
  return mul(b, transpose(b)).map((row, i) => row.map((x, j) => x + (i === j ? shift : 0)))
}

/** The Hilbert matrix: condition number about 1.5e10 at n = 8. */
export const hilbert = (n: number): Matrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1 / (i + j + 1)))

export const tensor = (a: ReadonlyArray<unknown>, dtype: DType.DType = "float64"): Tensor =>
  np.array(a as np.TensorLike, { dtype })

export const matrix = (t: Tensor): Matrix => toJsSync(t) as Matrix

export const flat = (t: Tensor): Array<number> => {
  const v = toJsSync(t) as unknown
  return (Array.isArray(v) ? v.flat(Infinity) : [v]) as Array<number>
}

/** `||a - b||_F / ||a||_F`. */
export const relativeError = (a: Matrix, b: Matrix): number => frob(sub(a, b)) / frob(a)

export const assertClose = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, tol: number) =>
  Close.assertClose(actual, expected, tol)

/** Central differences in float64 of scalar `f` at `x` (flat values, reshaped to `shape`). */
export const finiteGradient = (
  f: (x: Tensor) => Tensor,
  x: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  h = 1e-6
): Array<number> =>
  x.map((_, i) => {
    const at = (d: number) => {
      const y = [...x]
      y[i] = y[i]! + d
      return flat(f(np.reshape(np.array(y, { dtype: "float64" }), shape)))[0]!
    }
    return (at(h) - at(-h)) / (2 * h)
  })

/** `grad(f)` at a float64 point, flat. */
export const gradient = (f: (x: Tensor) => Tensor, x: ReadonlyArray<number>, shape: ReadonlyArray<number>) =>
  flat(runSync(grad(f)(np.reshape(np.array([...x], { dtype: "float64" }), shape))) as Tensor)

/** Asserts grad(f) equals float64 central differences at `x`. */
export const assertGradMatchesFd = (
  f: (x: Tensor) => Tensor,
  x: ReadonlyArray<number>,
  shape: ReadonlyArray<number>,
  tol = 1e-6
) => assertClose(gradient(f, x, shape), finiteGradient(f, x, shape), tol)

/** A fixed weight tensor of `shape` (float64), so `sum(w * f(x))` is a generic scalar function. */
export const weights = (shape: ReadonlyArray<number>, seed: number): Tensor => {
  const next = stream(seed)
  const size = shape.reduce((a, b) => a * b, 1)
  return np.reshape(np.array(Array.from({ length: size }, () => next()), { dtype: "float64" }), [...shape])
}
