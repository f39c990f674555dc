/**
 * `jax.scipy.linalg`'s `convolution_matrix` and `fiedler_companion`: structured
 * matrices gathered from their (batched) coefficient vectors, so they are
 * differentiable in the coefficients and batched over leading dimensions.
 */
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as np from "../np.js"
import { maxElements } from "../Shape.js"
import type { Tensor } from "../Tensor.js"
import { argumentError, checkArg, checkOptions, integer } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { toeplitz } from "./linalgMatrices.js"
import { oneOf } from "./matrixOps.js"
import { toInexact, toTensor } from "./npHelpers.js"

/** `x[..., from:to]` along the last axis. */
const lastSlice = (x: Tensor, from: number, to: number): Tensor =>
  lax.slice(x, x.shape.map((_, d) => (d === x.ndim - 1 ? from : 0)), x.shape.map((n, d) => (d === x.ndim - 1 ? to : n)))

/** Options of `convolutionMatrix`: SciPy's `mode` (default `"full"`). @since 0.1.0 */
export interface ConvolutionMatrixOptions {
  readonly mode?: "full" | "same" | "valid" | undefined
}

/**
 * `jax.scipy.linalg.convolution_matrix`: the Toeplitz matrix `A` (`[..., k, n]`)
 * with `A v = np.convolve(a, v, mode)` for every length-`n` vector `v`; `k` is
 * `m + n - 1` (`"full"`), `max(m, n)` (`"same"`) or `max(m, n) - min(m, n) + 1`
 * (`"valid"`) for `a` of length `m` in its last axis (leading axes batch). The
 * dtype of `a` is kept, as JAX's.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * console.log(toJsSync(linalg.convolutionMatrix(np.array([1, 2]), 3))) // [[1, 0, 0], [2, 1, 0], [0, 2, 1], [0, 0, 2]]
 * console.log(toJsSync(linalg.convolutionMatrix(np.array([1, 2]), 3, { mode: "valid" }))) // [[2, 1, 0], [0, 2, 1]]
 *
 * @since 0.1.0
 */
export const convolutionMatrix = (a: TensorLike, n: number, options?: ConvolutionMatrixOptions): Tensor => {
  checkArg("convolutionMatrix", "n", n, integer)
  if (n <= 0) throw argumentError("convolutionMatrix", "n", "a positive integer", n)
  checkOptions("convolutionMatrix", options, { mode: oneOf("full", "same", "valid") })
  const t = toTensor(a)
  if (t.ndim === 0) {
    throw new ShapeError({ operation: "convolutionMatrix", detail: "a must be at least 1-dimensional, got a scalar" })
  }
  const m = t.shape.at(-1)!
  if (m < 1) {
    throw new ShapeError({
      operation: "convolutionMatrix",
      detail: `len(a) must be at least 1; got shape (${t.shape})`
    })
  }
  // the full matrix, (m + n - 1) x n per batch, is built before any trimming: checked before work
  const batch = t.size / m
  if (batch * (m + n - 1) * n > maxElements) {
    throw new ShapeError({
      operation: "convolutionMatrix",
      detail: `a ${m + n - 1} x ${n} matrix${
        batch > 1 ? ` per batch of ${batch}` : ""
      } has more than ${maxElements} elements`
    })
  }
  const mode = options?.mode ?? "full"
  const pad = (x: Tensor) =>
    lax.pad(x, lax.full([], 0, x.dtype, false), x.shape.map((_, d) => [0, d === x.ndim - 1 ? n - 1 : 0, 0] as const))
  const az = pad(t)
  const raz = pad(lax.rev(t, [t.ndim - 1]))
  const length = m + n - 1
  const trim = Math.min(n, m) - 1
  const [tb, te] = mode === "same" ? [trim >> 1, trim - (trim >> 1)] : mode === "valid" ? [trim, trim] : [0, 0]
  // the first column and the first row of the Toeplitz matrix
  return toeplitz(lastSlice(az, tb, length - te), lastSlice(raz, length - n - tb, length - tb))
}

/**
 * `jax.scipy.linalg.fiedler_companion`: the pentadiagonal Fiedler companion
 * matrix (`[..., N - 1, N - 1]`) of the polynomial with coefficients `a`
 * (`[..., N]`, highest degree first): its eigenvalues are the polynomial's
 * roots, as the companion matrix's. Coefficients are divided by `a[0]` (a zero
 * leading coefficient gives infinities or NaN, as JAX's, which does not check).
 * Integers are promoted to float32.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * // (x - 1)(x - 2)(x - 3)
 * console.log(toJsSync(linalg.fiedlerCompanion(np.array([1, -6, 11, -6])))) // [[6, -11, 1], [1, 0, 0], [0, 6, 0]]
 *
 * @since 0.1.0
 */
export const fiedlerCompanion = (a: TensorLike): Tensor => {
  const t0 = toInexact(toTensor(a))
  const t = t0.ndim === 0 ? lax.reshape(t0, [1]) : t0
  const len = t.shape.at(-1)!
  if (len === 0) {
    throw new ShapeError({
      operation: "fiedlerCompanion",
      detail:
        `fiedler_companion requires the last axis of 'a' to have nonzero length, but got an array of shape (${t.shape})`
    })
  }
  const batch = t.shape.slice(0, -1)
  const n = len - 1
  if (n === 0) return lax.full([...batch, 0, 0], 0, t.dtype, false)
  const scaled = np.divide(t, lastSlice(t, 0, 1))
  // the entries to gather from: [0, 1, -a[1], ..., -a[n]] (so -a[k] is at k + 1)
  const source = lax.concatenate([
    lax.full([...batch, 1], 0, t.dtype, false),
    lax.full([...batch, 1], 1, t.dtype, false),
    np.negative(lastSlice(scaled, 1, len))
  ], batch.length)
  const minus = (k: number) => Math.min(k, n) + 1
  // JAX's pentadiagonal layout, the first matching rule of each entry
  const index = (i: number, j: number): number => {
    if (n === 1) return minus(1)
    if (i === 0 && j === 0) return minus(1)
    if (i === 1 && j === 0) return 1
    const even = i % 2 === 0
    if (j === i + 1 && even) return minus(i + 2)
    if (j === i + 2 && even) return 1
    if (j === i - 1 && even && i >= 2) return minus(i + 1)
    if (j === i - 2 && !even && i >= 3) return 1
    return 0
  }
  const flat: Array<number> = []
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) flat.push(index(i, j))
  const taken = np.take(source, np.array(flat, { dtype: "int32" }), { axis: -1 })
  return lax.reshape(taken, [...batch, n, n])
}
