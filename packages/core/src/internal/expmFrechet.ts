/**
 * `jax.scipy.linalg.expm_frechet`: the Frechet derivative of the matrix
 * exponential, `L(A, E) = d/dt expm(A + t E)` at 0. JAX computes it as the JVP
 * of its `expm`; here the same forward-mode derivative is written out over
 * `linalg.expm`'s own steps (Al-Mohy and Higham's scheme, 2009): the Pade
 * approximant's `U`, `V` and their derivatives in the direction `E`, the solve
 * `(V - U) R = V + U` and its derivative, and the squarings `R <- R R`,
 * `L <- L R + R L`. The number of squarings depends on `A` alone, as in the
 * JVP. Built from `lax` ops, so it is differentiable and batched.
 */
import { ShapeError } from "../Errors.js"
import * as lax from "../lax.js"
import * as np from "../np.js"
import type { Tensor } from "../Tensor.js"
import { boolean, checkOptions } from "../Validate.js"
import type { TensorLike } from "./arrayLiteral.js"
import { doublePrecision, pade13, pade7, solveSquare, theta13, theta7 } from "./linalgMatrices.js"
import { exp2, log2 } from "./np/math.js"
import { promoteAll, toInexact, toTensor } from "./npHelpers.js"

const matmul = (a: Tensor, b: Tensor): Tensor => np.matmul(a, b)
const plus = (...xs: ReadonlyArray<Tensor>): Tensor => xs.reduce((s, x) => np.add(s, x))
const times = (x: Tensor, k: number): Tensor => np.multiply(x, k)

/** `[x, dx]`: a value and its derivative in the direction E. */
type Dual = readonly [Tensor, Tensor]

const product = ([a, da]: Dual, [b, db]: Dual): Dual => [matmul(a, b), np.add(matmul(da, b), matmul(a, db))]

/** `U`, `V` of the Pade approximant (as `linalg.expm`'s) and their derivatives. */
const padeUVDual = (a: Dual): readonly [u: Dual, v: Dual] => {
  const x = a[0]
  const n = x.shape.at(-1)!
  const eye = lax.broadcastInDim(np.eye(n, { dtype: x.dtype }), x.shape, [x.ndim - 2, x.ndim - 1])
  const a2 = product(a, a)
  const a4 = product(a2, a2)
  const a6 = product(a4, a2)
  // sum_k c_k P_k (+ c I): linear, so the derivative drops the identity
  const combo = (terms: ReadonlyArray<readonly [Dual, number]>, c: number): Dual => [
    plus(...terms.map(([p, k]) => times(p[0], k)), times(eye, c)),
    plus(...terms.map(([p, k]) => times(p[1], k)))
  ]
  const add = (p: Dual, q: Dual): Dual => [np.add(p[0], q[0]), np.add(p[1], q[1])]
  if (!doublePrecision(x.dtype)) {
    const b = pade7
    const u = product(a, combo([[a6, b[7]!], [a4, b[5]!], [a2, b[3]!]], b[1]!))
    const v = combo([[a6, b[6]!], [a4, b[4]!], [a2, b[2]!]], b[0]!)
    return [u, v]
  }
  const b = pade13
  const inner = product(a6, combo([[a6, b[13]!], [a4, b[11]!], [a2, b[9]!]], 0))
  const u = product(a, add(inner, combo([[a6, b[7]!], [a4, b[5]!], [a2, b[3]!]], b[1]!)))
  const innerV = product(a6, combo([[a6, b[12]!], [a4, b[10]!], [a2, b[8]!]], 0))
  const v = add(innerV, combo([[a6, b[6]!], [a4, b[4]!], [a2, b[2]!]], b[0]!))
  return [u, v]
}

/** Options of `expmFrechet` (JAX's keyword arguments). @since 0.1.0 */
export interface ExpmFrechetOptions {
  /** Return `[expm(A), L(A, E)]` (true, the default) or `L(A, E)` alone. */
  readonly computeExpm?: boolean | undefined
  /** Ignored, as by JAX (SciPy's choice of algorithm). */
  readonly method?: string | undefined
}

/** The type of `expmFrechet`: `[expm(A), L]`, or `L` alone with `computeExpm: false`. @since 0.1.0 */
export interface ExpmFrechet {
  (a: TensorLike, e: TensorLike, options: ExpmFrechetOptions & { readonly computeExpm: false }): Tensor
  (a: TensorLike, e: TensorLike, options?: ExpmFrechetOptions): readonly [expmA: Tensor, frechet: Tensor]
}

/**
 * `jax.scipy.linalg.expm_frechet`: `[expm(A), L(A, E)]`, the matrix exponential
 * and its Frechet derivative in the direction `E` (`d/dt expm(A + t E)` at 0,
 * what JAX's `jvp` of `expm` gives), for `[..., n, n]` `A` and `E` of the same
 * shape; `computeExpm: false` returns `L` alone. Where `expm` needs more than
 * its 16 squarings `expm(A)` is NaN and `L` zero (the JVP of JAX's NaN branch).
 * Differentiable in both arguments.
 *
 * @example
 * import { linalg, np, toJsSync } from "diffect"
 * // diagonal A, E = e_0 e_1^T: L = (e^1 - e^0) / (1 - 0) at [0, 1]
 * const l = linalg.expmFrechet(np.array([[1, 0], [0, 0]], { dtype: "float64" }), np.array([[0, 1], [0, 0]], { dtype: "float64" }), { computeExpm: false })
 * console.log((toJsSync(l) as Array<Array<number>>).map((r) => r.map((x) => Math.round(x * 1e12) / 1e12))) // [[0, 1.718281828459], [0, 0]]
 *
 * @since 0.1.0
 */
export const expmFrechet: ExpmFrechet = ((a: TensorLike, e: TensorLike, options?: ExpmFrechetOptions) => {
  checkOptions("expmFrechet", options, {
    computeExpm: boolean,
    method: { expected: "a string (ignored)", test: (u) => typeof u === "string" }
  })
  const [ta, te] = promoteAll("expmFrechet", [toInexact(toTensor(a)), toInexact(toTensor(e))]) as [Tensor, Tensor]
  for (const [name, x] of [["A", ta], ["E", te]] as const) {
    if (x.ndim < 2 || x.shape.at(-2) !== x.shape.at(-1)) {
      throw new ShapeError({
        operation: "expmFrechet",
        detail: `expected ${name} to be a (batched) square matrix, got ${name}.shape=(${x.shape.join(", ")})`
      })
    }
  }
  if (ta.shape.length !== te.shape.length || ta.shape.some((d, i) => d !== te.shape[i])) {
    throw new ShapeError({
      operation: "expmFrechet",
      detail: `expected A and E to be the same shape, got A.shape=(${ta.shape.join(", ")}) E.shape=(${
        te.shape.join(", ")
      })`
    })
  }
  const maxSquarings = 16
  const nd = ta.ndim
  const result = (r: Tensor, l: Tensor) => (options?.computeExpm === false ? l : [r, l])
  if (ta.shape[nd - 1] === 0) return result(ta, te)
  const theta = doublePrecision(ta.dtype) ? theta13 : theta7
  const norm = lax.reduceMax(lax.reduceSum(np.abs(ta), [nd - 2]), [nd - 2])
  const normDType = norm.dtype
  const squarings = np.maximum(np.ceil(log2(np.divide(norm, theta))), lax.full(norm.shape, 0, normDType, false))
  const matrixShaped = (x: Tensor) => lax.broadcastInDim(x, ta.shape, ta.shape.slice(0, nd - 2).map((_, i) => i))
  const scale0 = matrixShaped(exp2(np.negative(squarings)))
  const scale = scale0.dtype === ta.dtype ? scale0 : lax.convertElementType(scale0, ta.dtype, false)
  const [[u, du], [v, dv]] = padeUVDual([np.multiply(ta, scale), np.multiply(te, scale)])
  // (V - U) R = V + U, so (V - U) dR = (dV + dU) - (dV - dU) R
  const q = np.subtract(v, u)
  let r = solveSquare(q, np.add(v, u))
  let l = solveSquare(q, np.subtract(np.add(dv, du), matmul(np.subtract(dv, du), r)))
  const steps = matrixShaped(squarings)
  for (let i = 0; i < maxSquarings; i++) {
    const more = lax.lt(lax.full(steps.shape, i, normDType, false), steps)
    l = lax.select(more, np.add(matmul(l, r), matmul(r, l)), l)
    r = lax.select(more, matmul(r, r), r)
  }
  const tooMany = matrixShaped(lax.gt(squarings, lax.full(squarings.shape, maxSquarings, normDType, false)))
  return result(
    lax.select(tooMany, lax.full(r.shape, NaN, r.dtype, r.weakType), r),
    lax.select(tooMany, lax.full(l.shape, 0, l.dtype, l.weakType), l)
  )
}) as ExpmFrechet
