/**
 * `jax.scipy.linalg` (diffect's `linalg`): every function of `np.linalg` and
 * SciPy's own (`luFactor`, `choSolve`, `expm`, ...), with SciPy's signatures
 * where they differ from NumPy's, so that ported code gets SciPy's results:
 * `cholesky` returns the upper factor unless `lower: true` and reads one
 * triangle; `eigh` takes `lower` and `eigvalsOnly`; `qr`'s modes are
 * `"full"` (the default: a square `q`), `"economic"` and `"r"`; `solve` takes
 * `assumeA` and `lower`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const a = np.array([[4, 2], [2, 3]], { dtype: "float64" })
 * console.log(toJsSync(linalg.cholesky(a))) // [[2, 1], [0, 1.4142135623730951]]
 * console.log(toJsSync(np.linalg.cholesky(a))) // [[2, 0], [1, 1.4142135623730951]]
 *
 * @since 0.1.0
 */
import { ArgumentError } from "./Errors.js"
import { customJvpCall } from "./Handler.js"
import type { CustomJvpCallee } from "./Handler.js"
import type { TensorLike } from "./internal/arrayLiteral.js"
import { requireMatrix } from "./internal/linalgChecks.js"
import { promoteAll, toInexact, toTensor } from "./internal/npHelpers.js"
import * as lax from "./lax.js"
import * as npLinalg from "./linalg.js"
import * as np from "./np.js"
import type { Tensor } from "./Tensor.js"
import { boolean, checkOptions } from "./Validate.js"
import type { Check } from "./Validate.js"

export * from "./linalg.js"

const inexact = (x: TensorLike): Tensor => toInexact(toTensor(x))

/** Options of SciPy's {@link cholesky}. @since 0.1.0 */
export interface ScipyCholeskyOptions {
  /** Return the lower factor `L` (`a = L L^H`) instead of the upper `U` (`a = U^H U`; default false). */
  readonly lower?: boolean | undefined
}

/**
 * SciPy's `cholesky` (`jax.scipy.linalg.cholesky`): the upper factor `U` with
 * `a = U^H U` by default, the lower with `lower: true`. As SciPy and JAX, only
 * that triangle of `a` is read (no symmetrization, unlike `np.linalg.cholesky`).
 * A matrix that is not positive definite gives NaN.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const a = np.array([[4, 2], [2, 3]], { dtype: "float64" })
 * console.log(toJsSync(linalg.cholesky(a))) // [[2, 1], [0, 1.4142135623730951]]
 * console.log(toJsSync(linalg.cholesky(a, { lower: true }))) // [[2, 0], [1, 1.4142135623730951]]
 *
 * @since 0.1.0
 */
export const cholesky = (a: TensorLike, options?: ScipyCholeskyOptions): Tensor => {
  checkOptions("cholesky", options, { lower: boolean })
  return npLinalg.choFactor(a, { lower: options?.lower ?? false })[0]
}

/** Options of SciPy's {@link eigh}. @since 0.1.0 */
export interface ScipyEighOptions {
  /** Which triangle describes `a` (default true: the lower). */
  readonly lower?: boolean | undefined
  /** Return the eigenvalues alone (default false). */
  readonly eigvalsOnly?: boolean | undefined
}

/** The type of SciPy's {@link eigh}: `[w, v]`, or `w` alone with `eigvalsOnly: true`. @since 0.1.0 */
export interface ScipyEigh {
  (a: TensorLike, options: ScipyEighOptions & { readonly eigvalsOnly: true }): Tensor
  (a: TensorLike, options?: ScipyEighOptions): readonly [w: Tensor, v: Tensor]
}

/**
 * SciPy's `eigh` (`jax.scipy.linalg.eigh`, the standard problem: JAX
 * implements neither `b` nor `eigvals`): the ascending eigenvalues `w` and the
 * eigenvectors `v` (columns) of Hermitian matrices, `[w, v]`, or `w` alone with
 * `eigvalsOnly: true`.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const a = np.array([[2, 1], [1, 2]], { dtype: "float64" })
 * console.log(toJsSync(linalg.eigh(a, { eigvalsOnly: true }))) // [1, 3]
 *
 * @since 0.1.0
 */
export const eigh: ScipyEigh = ((a: TensorLike, options?: ScipyEighOptions) => {
  checkOptions("eigh", options, { lower: boolean, eigvalsOnly: boolean })
  const [w, v] = npLinalg.eigh(a, { UPLO: options?.lower === false ? "U" : "L" })
  return options?.eigvalsOnly === true ? w : [w, v]
}) as ScipyEigh

const qrModes = ["full", "economic", "r"] as const
const qrModeCheck: Check = {
  expected: "\"full\", \"economic\" or \"r\" (\"raw\" is not supported, as in JAX)",
  test: (u) => qrModes.includes(u as never)
}

/** Options of SciPy's {@link qr}. @since 0.1.0 */
export interface ScipyQrOptions {
  /** `"full"` (default: `q` is `[..., m, m]`), `"economic"` (`[..., m, k]`) or `"r"` (`[r]` alone, square `q` not formed). */
  readonly mode?: "full" | "economic" | "r" | undefined
  /** Column pivoting: not supported (JAX has it on CPU and GPU); only `false` is accepted. */
  readonly pivoting?: false | undefined
}

/** The type of SciPy's {@link qr}: `[q, r]`, or `[r]` with `mode: "r"`. @since 0.1.0 */
export interface ScipyQr {
  (a: TensorLike, options: { readonly mode: "r"; readonly pivoting?: false | undefined }): readonly [r: Tensor]
  (a: TensorLike, options?: ScipyQrOptions): readonly [q: Tensor, r: Tensor]
}

/**
 * SciPy's `qr` (`jax.scipy.linalg.qr`): `a = q r` with SciPy's modes:
 * `"full"` by default (a square `q`, `r` as tall as `a`), `"economic"` (NumPy's
 * reduced form) and `"r"`, which returns the one-element `[r]` as SciPy does.
 *
 * @example
 * import { linalg, np } from "diffect"
 * const a = np.array([[1, 2], [3, 4], [5, 6]])
 * const [q, r] = linalg.qr(a)
 * console.log(q.shape, r.shape) // [3, 3] [3, 2]
 * console.log(linalg.qr(a, { mode: "economic" })[0].shape) // [3, 2]
 *
 * @since 0.1.0
 */
export const qr: ScipyQr = ((a: TensorLike, options?: ScipyQrOptions) => {
  checkOptions("qr", options, { mode: qrModeCheck, pivoting: boolean })
  if ((options?.pivoting as boolean | undefined) === true) {
    throw new ArgumentError({
      operation: "qr",
      argument: "pivoting",
      expected: "false (column-pivoted QR is not implemented)",
      got: "true"
    })
  }
  const mode = options?.mode ?? "full"
  const [q, r] = npLinalg.qr(a, { mode: mode === "economic" ? "reduced" : "complete" })
  return mode === "r" ? [r] as const : [q, r] as const
}) as ScipyQr

const assumeModes = ["gen", "sym", "her", "pos"] as const
const assumeCheck: Check = {
  expected: "\"gen\", \"sym\", \"her\" or \"pos\"",
  test: (u) => assumeModes.includes(u as never)
}

/** Options of SciPy's {@link solve}. @since 0.1.0 */
export interface ScipySolveOptions {
  /**
   * What `a` is assumed to be: `"gen"` (default), `"sym"`, `"her"` (both solved as `"gen"`,
   * as JAX does) or `"pos"` (positive definite: a Cholesky solve reading one triangle).
   */
  readonly assumeA?: "gen" | "sym" | "her" | "pos" | undefined
  /** With `assumeA: "pos"`, read the lower triangle of `a` (default false: the upper). */
  readonly lower?: boolean | undefined
}

/**
 * SciPy's `solve` (`jax.scipy.linalg.solve`): `x` with `a x = b`, `b` of
 * shape `[..., n]` (one vector when one-dimensional) or `[..., n, k]`. With
 * `assumeA: "pos"` the solve goes through the Cholesky factor of one triangle
 * of `a`, and its derivative is JAX's (the factor reused, `a`'s cotangent
 * `-a^-H g x^H` over the whole matrix, as `custom_linear_solve` gives).
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * const a = np.array([[4, 2], [2, 3]], { dtype: "float64" })
 * console.log(toJsSync(linalg.solve(a, np.array([2, 1], { dtype: "float64" }), { assumeA: "pos" }))) // [0.5, 0]
 *
 * @since 0.1.0
 */
export const solve = (a: TensorLike, b: TensorLike, options?: ScipySolveOptions): Tensor => {
  checkOptions("solve", options, { assumeA: assumeCheck, lower: boolean })
  if (options?.assumeA !== "pos") return npLinalg.solve(a, b)
  const [ta, tb] = promoteAll("solve", [inexact(a), inexact(b)]) as [Tensor, Tensor]
  requireMatrix("solve", ta)
  return customJvpCall(positiveSolve(options.lower ?? false), [ta, tb])[0]!
}

// x = a^-1 b by the Cholesky factor, with the derivative a^-1 (db - da x) from the same factor
const positiveSolve = (lower: boolean): CustomJvpCallee => ({
  name: "solve_pos",
  f: ([a, b]) => [npLinalg.choSolve(npLinalg.choFactor(a!, { lower }), b!)],
  jvp: ([a, b], [da, db]) => {
    const factor = npLinalg.choFactor(a!, { lower })
    const x = npLinalg.choSolve(factor, b!)
    return [[x], [npLinalg.choSolve(factor, lax.sub(db!, np.matmul(da!, x)))]]
  }
})
