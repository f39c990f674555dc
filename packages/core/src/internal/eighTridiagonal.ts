/**
 * `jax.scipy.linalg.eigh_tridiagonal`: eigenvalues of a symmetric (Hermitian)
 * tridiagonal matrix by bisection on Sturm sequence counts, all wanted
 * eigenvalues at once, as JAX's: Gershgorin bounds widened slightly, LAPACK's
 * smallest pivot `pivmin` guarding the recurrence, bisection until every
 * interval is below `eps ||T||` (or `tol`), at most `mantissa bits + 1` steps.
 * A staged `lax.whileLoop` (the Sturm recurrence a `lax.scan` inside it), so
 * it runs under `jit` and `vmap`.
 */
import { isComplex, realDType } from "../DType.js"
import { ArgumentError, DTypeError, ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import type { Tensor } from "../Tensor.js"
import { argumentError, boolean, checkOptions, number } from "../Validate.js"
import type { Check } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { oneOf } from "./matrixOps.js"
import { toTensor } from "./npHelpers.js"
import { tridiagonalEigenvectors } from "./tridiagonalEigenvectors.js"

/** Options of `eighTridiagonal` (JAX's keyword arguments). @since 0.1.0 */
export interface EighTridiagonalOptions {
  /** Return the eigenvalues alone (true) or `[eigenvalues, eigenvectors]` (false, the default, as JAX). */
  readonly eigvalsOnly?: boolean | undefined
  /** `"a"` (all eigenvalues, the default) or `"i"` (indices `selectRange[0]..selectRange[1]`); JAX has no `"v"`. */
  readonly select?: "a" | "i" | "v" | undefined
  /** The inclusive index range for `select: "i"`. */
  readonly selectRange?: readonly [number, number] | undefined
  /** An absolute tolerance, used where larger than `eps ||T||`. */
  readonly tol?: number | undefined
}

/** The type of `eighTridiagonal`: the eigenvalues with `eigvalsOnly`, else `[eigenvalues, eigenvectors]`. @since 0.1.0 */
export interface EighTridiagonal {
  (d: TensorLike, e: TensorLike, options: EighTridiagonalOptions & { readonly eigvalsOnly: true }): Tensor
  (d: TensorLike, e: TensorLike, options?: EighTridiagonalOptions): readonly [w: Tensor, v: Tensor]
}

const range: Check = {
  expected: "a pair of integers [first, last]",
  test: (u) => Array.isArray(u) && u.length === 2 && u.every((x) => Number.isInteger(x))
}

/** float32 or float64 limits as numpy's finfo (rounded to float32 where single). */
const finfo = (dtype: "float32" | "float64") =>
  dtype === "float64"
    ? { max: Number.MAX_VALUE, tiny: 2 ** -1022, eps: 2 ** -52, nmant: 52 }
    : { max: Math.fround(3.4028234663852886e38), tiny: 2 ** -126, eps: 2 ** -23, nmant: 23 }

/**
 * `jax.scipy.linalg.eigh_tridiagonal`: the eigenvalues
 * (ascending) of the symmetric tridiagonal matrix with diagonal `d` (`[n]`) and
 * off-diagonal `e` (`[n - 1]`), by bisection as JAX's: all of them, or those of
 * indices `selectRange[0]` to `selectRange[1]` (inclusive) with `select: "i"`.
 * Complex input is Hermitian: the real part of `d` and `|e|` are used. Without
 * `eigvalsOnly` the eigenvectors come too (columns of `[n, k]`), by inverse
 * iteration as JAX's (./tridiagonalEigenvectors.ts; from a fixed start, so
 * their signs or phases may differ from JAX's). `select: "v"` is a typed error,
 * as in JAX. Not differentiable in a useful way (bisection counts are
 * integers), as JAX's.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * // [[2, 1], [1, 2]]: eigenvalues 1 and 3
 * const w = linalg.eighTridiagonal(np.array([2, 2], { dtype: "float64" }), np.array([1], { dtype: "float64" }), { eigvalsOnly: true })
 * console.log((toJsSync(w) as Array<number>).map((x) => Math.round(x * 1e12) / 1e12)) // [1, 3]
 *
 * @since 0.1.0
 */
export const eighTridiagonal: EighTridiagonal = ((d: TensorLike, e: TensorLike, options?: EighTridiagonalOptions) => {
  checkOptions("eighTridiagonal", options, {
    eigvalsOnly: boolean,
    select: oneOf("a", "i", "v"),
    selectRange: range,
    tol: number
  })
  const alpha0 = toTensor(d)
  const beta0 = toTensor(e)
  if (alpha0.dtype !== beta0.dtype) {
    throw new DTypeError({
      operation: "eighTridiagonal",
      detail: `diagonal and off-diagonal values must have same dtype, got ${alpha0.dtype} and ${beta0.dtype}`
    })
  }
  const accepted = ["float32", "float64", "complex64", "complex128"]
  if (!accepted.includes(alpha0.dtype)) {
    throw new DTypeError({
      operation: "eighTridiagonal",
      detail: `Only float32 and float64 inputs (or complex ones) are supported, got ${alpha0.dtype}`
    })
  }
  const n = alpha0.shape[0] ?? 0
  if (alpha0.ndim !== 1 || beta0.ndim !== 1 || beta0.shape[0] !== Math.max(n - 1, 0)) {
    throw new ShapeError({
      operation: "eighTridiagonal",
      detail: `d must be one-dimensional ([n]) and e [n - 1], got d (${alpha0.shape}) and e (${beta0.shape})`
    })
  }
  const select = options?.select ?? "a"
  if (select === "v") {
    throw argumentError("eighTridiagonal", "select", "\"a\" or \"i\" (JAX does not implement select='v')", "v")
  }
  let first = 0
  let last = n - 1
  if (select === "i") {
    if (options?.selectRange === undefined) {
      throw new ArgumentError({
        operation: "eighTridiagonal",
        argument: "selectRange",
        expected: "a range for select='i'",
        got: "undefined"
      })
    }
    ;[first, last] = options.selectRange
    if (first > last || first < 0 || last >= n) {
      throw argumentError(
        "eighTridiagonal",
        "selectRange",
        `a non-empty index range within [0, ${n - 1}]`,
        options.selectRange
      )
    }
  }
  const real = realDType(alpha0.dtype) as "float32" | "float64"
  const alpha = isComplex(alpha0.dtype) ? lax.real(alpha0) : alpha0
  const vectorsToo = options?.eigvalsOnly !== true
  if (n <= 1) return vectorsToo ? [alpha, lax.full([n, n], 1, alpha0.dtype, false)] : alpha
  const betaAbs = lax.abs(beta0)
  const betaSq = lax.mul(betaAbs, betaAbs)
  const f = finfo(real)
  const scalar = (v: number) => lax.full([], v, real, false)
  // Gershgorin bounds of the spectrum
  const rowSum = lax.concatenate([
    lax.slice(betaAbs, [0], [1]),
    lax.add(lax.slice(betaAbs, [0], [n - 2]), lax.slice(betaAbs, [1], [n - 1])),
    lax.slice(betaAbs, [n - 2], [n - 1])
  ], 0)
  const estMax = lax.reduceMax(lax.add(alpha, rowSum), [0])
  const estMin = lax.reduceMin(lax.sub(alpha, rowSum), [0])
  const tNorm = lax.max(lax.abs(estMin), lax.abs(estMax))
  const safemin = Math.max(1 / f.max, (1 + f.eps) * f.tiny)
  const pivmin = lax.mul(scalar(safemin), lax.max(scalar(1), lax.reduceMax(betaSq, [0])))
  const perturbation = lax.mul(
    scalar(f.eps * f.eps),
    lax.reshape(lax.slice(betaSq, [0], [1]), [])
  )
  let absTol = lax.mul(scalar(f.eps), tNorm)
  if (options?.tol !== undefined) absTol = lax.max(scalar(options.tol), absTol)
  const maxIt = f.nmant + 1
  const k = last - first + 1
  const targets = lax.add(lax.iota("int32", [k], 0), lax.full([k], first, "int32", false))
  const fudge = 2.1
  const slack = lax.mul(scalar(n * fudge * f.eps), tNorm)
  const vec = (x: Tensor) => lax.broadcastInDim(x, [k], [])
  const lower0 = vec(lax.sub(lax.sub(estMin, slack), lax.mul(scalar(2 * fudge), pivmin)))
  const upper0 = vec(lax.add(lax.add(estMax, slack), lax.mul(scalar(fudge), pivmin)))
  const pivK = vec(pivmin)
  const firstAlpha = vec(lax.reshape(lax.slice(alpha, [0], [1]), []))
  const restAlpha = lax.slice(alpha, [1], [n])
  const zeros = lax.full([k], 0, "int32", false)
  const ones = lax.full([k], 1, "int32", false)
  // the number of eigenvalues below x (for each of the k points x): Sturm's recurrence
  const sturm = (x: Tensor): Tensor => {
    const q0 = lax.sub(firstAlpha, x)
    const count0 = lax.select(lax.lt(q0, vec(scalar(0))), ones, zeros)
    const q = lax.select(lax.eq(firstAlpha, x), vec(perturbation), q0)
    const [, count] = lax.scan(
      ([qi, ci]: readonly [Tensor, Tensor], [a, b2]: readonly [Tensor, Tensor]) => {
        const next = lax.sub(lax.sub(vec(a), lax.div(vec(b2), qi)), x)
        const small = lax.le(next, pivK)
        return [
          [lax.select(small, lax.min(next, lax.neg(pivK)), next), lax.select(small, lax.add(ci, ones), ci)] as const,
          null
        ] as const
      },
      [q, count0] as const,
      [restAlpha, betaSq] as const
    )[0]
    return count
  }
  const [, , mid] = lax.whileLoop(
    ([i, lower, , upper]: readonly [Tensor, Tensor, Tensor, Tensor]) =>
      lax.and(
        lax.lt(i, lax.full([], maxIt, "int32", false)),
        lax.lt(absTol, lax.reduceMax(lax.sub(upper, lower), [0]))
      ),
    ([i, lower, m, upper]: readonly [Tensor, Tensor, Tensor, Tensor]) => {
      const counts = sturm(m)
      const below = lax.le(counts, targets)
      const nextLower = lax.select(below, m, lower)
      const nextUpper = lax.select(below, upper, m)
      const nextMid = lax.mul(scalar(0.5), lax.add(nextLower, nextUpper))
      return [lax.add(i, lax.full([], 1, "int32", false)), nextLower, nextMid, nextUpper] as const
    },
    [lax.full([], 0, "int32", false), lower0, lax.mul(vec(scalar(0.5)), lax.add(lower0, upper0)), upper0] as const
  )
  return vectorsToo ? [mid, tridiagonalEigenvectors(alpha, beta0, mid)] : mid
}) as EighTridiagonal
