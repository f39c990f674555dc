/**
 * `np`'s polynomial helpers on coefficient vectors (highest power first, as
 * NumPy's `poly1d` convention): `vander`, `poly`, `polyadd`, `polysub`,
 * `polymul`, `polydiv`, `polyder`, `polyint`, `polyfit`; and the array editing
 * functions `insert`, `delete` and `piecewise`. Compositions of `lax`
 * primitives with static shapes (as JAX's, the positions of `insert` and
 * `delete` are static).
 *
 * @since 0.1.0
 */
import { isInexact } from "../../DType.js"
import { ArgumentError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as linalg from "../../linalg.js"
import * as np from "../../np.js"
import { resolveOutput } from "../../Staging.js"
import type { MaybeEffect } from "../../Staging.js"
import { isTensor } from "../../Tensor.js"
import type { Tensor } from "../../Tensor.js"
import { toJsSync } from "../../ToJs.js"
import {
  anyValue,
  argumentError,
  boolean,
  checkAxis,
  checkOptions,
  integer,
  number,
  numberOrArray
} from "../../Validate.js"
import type { Check } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { concreteValues } from "../concrete.js"
import { promoteAll, toInexact, toTensor } from "../npHelpers.js"
import { cumprod } from "./cumulative.js"
import { convolve } from "./linear.js"
import { trimZeros } from "./shapes.js"

const vector = (op: string, x: TensorLike, name = "p"): Tensor => {
  const t = toTensor(x)
  if (t.ndim !== 1) {
    throw new ShapeError({ operation: op, detail: `${name} must be one-dimensional, got shape [${t.shape}]` })
  }
  return t
}

const count = (op: string, name: string, u: unknown, max = 1e6): number => {
  if (!integer.test(u) || (u as number) < 0 || (u as number) > max) {
    throw argumentError(op, name, `a non-negative integer (at most ${max})`, u)
  }
  return u as number
}

/**
 * The Vandermonde matrix of `x`: columns `x ** (N - 1), ..., x, 1` (or rising
 * with `increasing`); powers by repeated products, so integers stay exact.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.vander(np.array([1, 2, 3]), { N: 3 }))) // [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
 * console.log(toJsSync(np.vander(np.array([2, 3]), { increasing: true }))) // [[1, 2], [1, 3]]
 *
 * @since 0.1.0
 */
export const vander = (
  x: TensorLike,
  options?: { readonly N?: number | undefined; readonly increasing?: boolean | undefined }
): Tensor => {
  checkOptions("vander", options, { N: integer, increasing: boolean })
  const t = vector("vander", x, "x")
  const m = t.shape[0]!
  const n = options?.N === undefined ? m : count("vander", "N", options.N)
  const ones = lax.full([m, Math.min(n, 1)], 1, t.dtype)
  const powers = n <= 1
    ? ones
    : lax.concatenate([ones, cumprod(lax.broadcastInDim(t, [m, n - 1], [0]), { axis: 1 })], 1)
  return options?.increasing === true ? powers : lax.rev(powers, [1])
}

/**
 * The coefficients of the monic polynomial with the given roots (JAX's
 * `poly`): a scalar is one root; a non-empty square matrix gives its
 * characteristic polynomial (from its eigenvalues, so complex); no roots give
 * the 0-d `1`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.poly(np.array([1, 2, 3])))) // [1, -6, 11, -6]
 * console.log(toJsSync(np.poly(np.array(2)))) // [1, -2]
 *
 * @since 0.1.0
 */
export const poly = (seqOfZeros: TensorLike): Tensor => {
  const r0 = toTensor(seqOfZeros)
  let r = r0.ndim === 0 ? lax.reshape(r0, [1]) : r0
  if (r.ndim === 2 && r.shape[0] === r.shape[1] && r.shape[0] !== 0) r = linalg.eigvals(toInexact(r))
  if (r.ndim !== 1) {
    throw new ShapeError({
      operation: "poly",
      detail: `input must be 1d or non-empty square 2d array, got [${r.shape}]`
    })
  }
  const t = isInexact(r.dtype) ? r : toInexact(r)
  if (t.shape[0] === 0) return lax.full([], 1, t.dtype)
  let p = lax.full([1], 1, t.dtype)
  for (let i = 0; i < t.shape[0]!; i++) {
    const root = lax.slice(t, [i], [i + 1])
    p = convolve(p, lax.concatenate([lax.full([1], 1, t.dtype), lax.neg(root)], 0))
  }
  return p
}

// Both coefficient vectors, promoted and left-padded with zeros to one length.
const aligned = (op: string, a1: TensorLike, a2: TensorLike): readonly [Tensor, Tensor] => {
  const [a, b] = promoteAll(op, [vector(op, a1, "a1"), vector(op, a2, "a2")]) as [Tensor, Tensor]
  const n = Math.max(a.shape[0]!, b.shape[0]!)
  const pad = (t: Tensor) => lax.pad(t, lax.scalar(0, t.dtype, t.weakType), [[n - t.shape[0]!, 0, 0]])
  return [pad(a), pad(b)]
}

/**
 * The sum of two polynomials.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.polyadd(np.array([1, 2]), np.array([9, 5, 4])))) // [9, 6, 6]
 *
 * @since 0.1.0
 */
export const polyadd = (a1: TensorLike, a2: TensorLike): Tensor => lax.add(...aligned("polyadd", a1, a2))

/**
 * The difference of two polynomials.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.polysub(np.array([2, 10, -2]), np.array([3, 10, -4])))) // [-1, 0, 2]
 *
 * @since 0.1.0
 */
export const polysub = (a1: TensorLike, a2: TensorLike): Tensor => lax.sub(...aligned("polysub", a1, a2))

/** Options of `polymul` and `polydiv`: JAX's `trim_leading_zeros` (concrete coefficients only). @since 0.1.0 */
export interface TrimOptions {
  readonly trimLeadingZeros?: boolean | undefined
}

/**
 * The product of two polynomials (a full convolution), inexact as JAX's
 * (integer coefficients give float32). `trimLeadingZeros` first drops the
 * factors' leading zeros (so they must be concrete).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.polymul(np.array([1, 2, 3]), np.array([9, 5, 1])))) // [9, 23, 38, 17, 3]
 * console.log(toJsSync(np.polymul(np.array([0, 1, 2]), np.array([1, 3]), { trimLeadingZeros: true }))) // [1, 5, 6]
 *
 * @since 0.1.0
 */
export const polymul = (a1: TensorLike, a2: TensorLike, options?: TrimOptions): Tensor => {
  checkOptions("polymul", options, { trimLeadingZeros: boolean })
  // JAX's promote_dtypes_inexact: integer coefficients multiply as float32; an empty factor is [0]
  let [a, b] = promoteAll("polymul", [vector("polymul", a1, "a1"), vector("polymul", a2, "a2")]).map(toInexact) as [
    Tensor,
    Tensor
  ]
  if (options?.trimLeadingZeros === true && (a.shape[0]! > 1 || b.shape[0]! > 1)) {
    a = trimZeros(a, "f")
    b = trimZeros(b, "f")
  }
  if (a.shape[0] === 0) a = lax.full([1], 0, a.dtype)
  if (b.shape[0] === 0) b = lax.full([1], 0, b.dtype)
  return convolve(a, b)
}

/**
 * The quotient and remainder of polynomial division (`u = q v + r`), by
 * NumPy's long division with a static number of steps. `trimLeadingZeros`
 * drops the remainder's leading entries below `sqrt(eps)` in magnitude (as
 * JAX, matching NumPy's; concrete inputs only).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [q, r] = np.polydiv(np.array([3, 5, 2]), np.array([2, 1]))
 * console.log(toJsSync([q, r])) // [[1.5, 1.75], [0, 0, 0.25]]
 * console.log(toJsSync(np.polydiv(np.array([3, 5, 2]), np.array([2, 1]), { trimLeadingZeros: true })[1])) // [0.25]
 *
 * @since 0.1.0
 */
export const polydiv = (u: TensorLike, v: TensorLike, options?: TrimOptions): [Tensor, Tensor] => {
  checkOptions("polydiv", options, { trimLeadingZeros: boolean })
  const [a0, b0] = promoteAll("polydiv", [vector("polydiv", u, "u"), vector("polydiv", v, "v")])
  const a = toInexact(a0!)
  const b = np.astype(b0!, a.dtype)
  const m = a.shape[0]!
  const n = b.shape[0]!
  if (n === 0) throw new ShapeError({ operation: "polydiv", detail: "the divisor must have at least one coefficient" })
  const steps = Math.max(m - n + 1, 0)
  const lead = lax.slice(b, [0], [1])
  let r = a
  const q: Array<Tensor> = []
  for (let k = 0; k < steps; k++) {
    const c = lax.div(lax.slice(r, [k], [k + 1]), lead)
    q.push(c)
    // r[k : k + n] -= c * v
    const update = lax.pad(lax.mul(lax.broadcastInDim(c, [n], [0]), b), lax.scalar(0, a.dtype), [[k, m - k - n, 0]])
    r = lax.sub(r, update)
  }
  const quotient = steps === 0 ? lax.full([1], 0, a.dtype) : lax.concatenate(q, 0)
  if (options?.trimLeadingZeros === true) {
    // JAX's trim_zeros_tol with tol = sqrt(eps), NumPy's rounding-error cutoff
    const eps = a.dtype === "float64" || a.dtype === "complex128" ? 2.220446049250313e-16 : 1.1920929e-7
    const magnitudes = toJsSync(np.abs(r)) as Array<number>
    const first = magnitudes.findIndex((v) => !(v < Math.sqrt(eps)))
    r = first < 0 ? lax.full([0], 0, r.dtype) : lax.slice(r, [first], [m])
  }
  return [quotient, r]
}

/**
 * The `m`-th derivative of a polynomial, inexact as JAX's (integer
 * coefficients give float32).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.polyder(np.array([1, 1, 1, 1])))) // [3, 2, 1]
 * console.log(toJsSync(np.polyder(np.array([1, 1, 1, 1]), 2))) // [6, 2]
 *
 * @since 0.1.0
 */
export const polyder = (p: TensorLike, m = 1): Tensor => {
  // JAX's promote_dtypes_inexact: integer coefficients give float32 derivatives
  let t = toInexact(vector("polyder", p))
  const order = count("polyder", "m", m, 1e4)
  for (let i = 0; i < order; i++) {
    const n = t.shape[0]!
    if (n <= 1) return lax.full([0], 0, t.dtype)
    const powers = np.astype(np.arange(n - 1, 0, { step: -1 }), t.dtype)
    t = lax.mul(lax.slice(t, [0], [n - 1]), powers)
  }
  return t
}

/**
 * The `m`-th antiderivative of a polynomial, with integration constants `k`
 * (a scalar for every order, or one per order, the first integrated furthest;
 * 0 by default). `k` may be a tensor (promoted with `p`, differentiable).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.polyint(np.array([3, 2, 1])))) // [1, 1, 1, 0]
 * console.log(toJsSync(np.polyint(np.array([6]), { m: 2, k: [1, 2] }))) // [3, 1, 2]
 *
 * @since 0.1.0
 */
export const polyint = (
  p: TensorLike,
  options?: { readonly m?: number | undefined; readonly k?: TensorLike | undefined }
): Tensor => {
  checkOptions("polyint", options, { m: anyValue, k: numberOrArray })
  const order = count("polyint", "m", options?.m ?? 1, 1e4)
  // JAX's promote_dtypes_inexact(p, k): the constants and coefficients share a dtype
  const [p0, k0] = promoteAll("polyint", [vector("polyint", p), toTensor(options?.k ?? 0)]) as [Tensor, Tensor]
  let t = toInexact(p0)
  let ks = np.astype(k0.ndim === 0 ? lax.reshape(k0, [1]) : k0, t.dtype)
  if (ks.ndim === 1 && ks.shape[0] === 1) ks = lax.broadcastInDim(lax.reshape(ks, []), [order], [])
  if (ks.ndim !== 1 || ks.shape[0] !== order) {
    throw argumentError("polyint", "k", `a scalar or a rank-1 array of length 1 or m = ${order}`, options?.k)
  }
  for (let i = 0; i < order; i++) {
    const n = t.shape[0]!
    const divisors = np.astype(np.arange(n, 0, { step: -1 }), t.dtype)
    t = lax.concatenate([lax.div(t, divisors), lax.slice(ks, [i], [i + 1])], 0)
  }
  return t
}

/**
 * The least-squares polynomial of degree `deg` through the points `(x, y)`
 * (coefficients highest power first; `y` may hold several columns). `full`
 * adds lstsq's residuals, rank, singular values and rcond; `cov` (without
 * `full`) adds the coefficients' covariance matrix, scaled by the residual
 * variance unless `"unscaled"` (one matrix per column of `y` on a last axis).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([0, 1, 2, 3], { dtype: "float64" })
 * console.log(toJsSync(np.polyfit(x, np.array([1, 3, 7, 13]), 2))) // [1, 1, 1]
 * const [, cov] = np.polyfit(x, np.array([0, 1, 1, 2], { dtype: "float64" }), 1, { cov: "unscaled" })
 * console.log(toJsSync(np.round(cov, { decimals: 6 }))) // [[0.2, -0.3], [-0.3, 0.7]]
 *
 * @since 0.1.0
 */
export const polyfit: {
  (x: TensorLike, y: TensorLike, deg: number, options: PolyfitOptions & { readonly full: true }): [
    coefficients: Tensor,
    residuals: Tensor,
    rank: Tensor,
    singularValues: Tensor,
    rcond: Tensor
  ]
  (
    x: TensorLike,
    y: TensorLike,
    deg: number,
    options: PolyfitOptions & { readonly full?: false | undefined; readonly cov: true | "unscaled" }
  ): [coefficients: Tensor, covariance: Tensor]
  (x: TensorLike, y: TensorLike, deg: number, options?: PolyfitOptions): Tensor
} = ((x: TensorLike, y: TensorLike, deg: number, options?: PolyfitOptions) => {
  checkOptions("polyfit", options, { w: anyValue, rcond: number, full: boolean, cov: covCheck })
  const d = count("polyfit", "deg", deg, 1e4)
  const t = toInexact(vector("polyfit", x, "x"))
  let lhs = vander(t, { N: d + 1 })
  let rhs = np.astype(toTensor(y), lhs.dtype)
  if (options?.w !== undefined) {
    // JAX weights the rows: lhs *= w[:, None], rhs *= w (per column for a 2-D y)
    const w = np.astype(vector("polyfit", options.w, "w"), lhs.dtype)
    lhs = np.multiply(lhs, np.expandDims(w, 1))
    rhs = np.multiply(rhs, rhs.ndim === 2 ? np.expandDims(w, 1) : w)
  }
  // JAX scales the columns to unit norm for the conditioning, then unscales the solution
  const scale = np.sqrt(np.sum(np.multiply(lhs, lhs), { axis: 0 }))
  const rcond = options?.rcond ?? t.shape[0]! * (lhs.dtype === "float64" ? 2.220446049250313e-16 : 1.1920929e-7)
  const scaled = np.divide(lhs, scale)
  const [c0, resids, rank, s] = linalg.lstsq(scaled, rhs, { rcond })
  const c = c0.ndim === 2 ? np.divide(c0, np.expandDims(scale, 1)) : np.divide(c0, scale)
  // (rcond as an array, as JAX's lax.asarray)
  if (options?.full === true) return [c, resids, rank, s, toTensor(rcond)]
  const cov = options?.cov ?? false
  if (cov === false) return c
  // JAX's covariance: inv(A^T A) of the scaled design, unscaled, times the residual variance
  const order = d + 1
  const base = np.divide(linalg.inv(np.matmul(np.transpose(scaled), scaled)), np.outer(scale, scale))
  let fac: Tensor = lax.full([], 1, base.dtype)
  if (cov !== "unscaled") {
    const n = t.shape[0]!
    if (n <= order) {
      throw argumentError(
        "polyfit",
        "x",
        `more points than the order ${order} to scale the covariance matrix (or cov: "unscaled")`,
        `${n} points`
      )
    }
    fac = np.divide(resids, n - order)
  }
  const facs = fac.ndim === 0 ? lax.reshape(fac, [1]) : fac
  return [c, rhs.ndim === 1 ? np.multiply(base, np.expandDims(facs, 0)) : np.multiply(np.expandDims(base, 2), facs)]
}) as never

const covCheck: Check = {
  expected: "a boolean or \"unscaled\"",
  test: (u) => typeof u === "boolean" || u === "unscaled"
}

/** Options of `polyfit`: weights of the points, the singular-value cutoff, and the extra results. @since 0.1.0 */
export interface PolyfitOptions {
  /** Weights multiplying each point's residual (1/sigma for Gaussian errors). */
  readonly w?: TensorLike | undefined
  /** The relative cutoff for small singular values (`len(x) * eps` by default). */
  readonly rcond?: number | undefined
  /** Also return lstsq's residuals, rank and singular values, and rcond. */
  readonly full?: boolean | undefined
  /** Also return the covariance matrix of the coefficients (`"unscaled"`: without the residual variance). */
  readonly cov?: boolean | "unscaled" | undefined
}

/** Options of `insert` and `delete`: the axis (the flattened array without one). @since 0.1.0 */
export interface EditOptions {
  readonly axis?: number | undefined
}

// Static positions: one integer or an array of them.
const positions = (op: string, obj: unknown): { readonly list: ReadonlyArray<number>; readonly scalar: boolean } => {
  if (integer.test(obj)) return { list: [obj as number], scalar: true }
  if (Array.isArray(obj) && obj.every((v) => integer.test(v))) return { list: obj as Array<number>, scalar: false }
  throw argumentError(op, "obj", "an integer or an array of integers (static positions, as JAX requires)", obj)
}

/** Options of `delete`: the axis, and JAX's `assume_unique_indices`. @since 0.1.0 */
export interface DeleteOptions extends EditOptions {
  /**
   * The integer tensor `obj` holds no repeated position: deleted with a result of
   * `n - obj.size` entries computed from `obj`'s values in the program, so `obj`
   * may be traced (under `jit`), as JAX's `assume_unique_indices=True`.
   */
  readonly assumeUniqueIndices?: boolean | undefined
}

// A tensor obj's values, which decide the result's shape (JAX's concrete_or_error)
const concreteObj = (obj: Tensor): unknown =>
  concreteValues(
    obj,
    "The 'obj' argument of np.delete decides the result's shape. Give static positions, " +
      "or integer positions with assumeUniqueIndices: true (JAX's assume_unique_indices=True) to delete " +
      "positions known only to the traced program."
  )

// JAX's jit-compatible deletion of unique positions: the kept positions counted past each deleted one
const deleteUnique = (t: Tensor, obj: Tensor, axis: number): Tensor => {
  const n = t.shape[axis]!
  let o = lax.convertElementType(np.ravel(obj), "int32", false)
  const k = o.shape[0]!
  if (k > n) {
    throw new ShapeError({ operation: "delete", detail: `cannot delete ${k} unique positions from ${n}` })
  }
  o = lax.select(lax.lt(o, lax.full([k], 0, "int32")), lax.add(o, lax.full([k], n, "int32")), o)
  o = lax.min(lax.max(o, lax.full([k], 0, "int32")), lax.full([k], n, "int32"))
  o = lax.sub(lax.sort(o), lax.iota("int32", [k], 0))
  const kept = lax.iota("int32", [n - k], 0)
  const past = lax.reduceSum(
    lax.convertElementType(
      lax.ge(lax.broadcastInDim(kept, [k, n - k], [1]), lax.broadcastInDim(o, [k, n - k], [0])),
      "int32",
      false
    ),
    [0]
  )
  return np.take(t, lax.add(kept, past), { axis })
}

/**
 * `arr` without the entries at the positions `obj` along `axis`: static
 * positions (an integer, an array of them; negative ones count from the end,
 * repeats are removed once), a concrete integer or boolean tensor (`true`
 * deletes), or, with `assumeUniqueIndices`, an integer tensor known only to
 * the program (JAX's `assume_unique_indices=True`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.delete(np.array([1, 2, 3, 4, 5]), [0, -1]))) // [2, 3, 4]
 * console.log(toJsSync(np.delete(np.array([[1, 2], [3, 4]]), 1, { axis: 1 }))) // [[1], [3]]
 * console.log(toJsSync(np.delete(np.array([1, 2, 3]), np.array([true, false, true])))) // [2]
 *
 * @since 0.1.0
 */
const deleteImpl = (
  arr: TensorLike,
  obj: number | ReadonlyArray<number> | Tensor,
  options?: DeleteOptions
): Tensor => {
  checkOptions("delete", options, { axis: integer, assumeUniqueIndices: boolean })
  const t0 = toTensor(arr)
  const t = options?.axis === undefined ? np.ravel(t0) : t0
  const axis = options?.axis === undefined ? 0 : checkAxis("delete", options.axis, t.ndim)
  const n = t.shape[axis]!
  if (isTensor(obj)) {
    if (obj.dtype === "bool") {
      if (obj.ndim !== 1 || obj.shape[0] !== n) {
        throw new ShapeError({
          operation: "delete",
          detail: "for boolean indices, obj must be one-dimensional with length matching specified axis " +
            `(${n}), got shape (${obj.shape.join(", ")})`
        })
      }
      const mask = concreteObj(obj) as Array<boolean>
      return np.take(t, np.array(mask.flatMap((drop, i) => (drop ? [] : [i])), { dtype: "int32" }), { axis })
    }
    if (obj.dtype !== "int32" && obj.dtype !== "uint32") {
      throw argumentError("delete", "obj", "integer or boolean positions", obj)
    }
    if (options?.assumeUniqueIndices === true) return deleteUnique(t, obj, axis)
    return deleteImpl(t, concreteObj(np.ravel(obj)) as Array<number>, { axis })
  }
  const { list } = positions("delete", obj)
  const drop = new Set<number>()
  for (const p of list) {
    if (p < -n || p >= n) {
      throw new ArgumentError({
        operation: "delete",
        argument: "obj",
        expected: `positions in [${-n}, ${n})`,
        got: String(p)
      })
    }
    drop.add(p < 0 ? p + n : p)
  }
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !drop.has(i))
  return np.take(t, np.array(keep, { dtype: "int32" }), { axis })
}
export { deleteImpl as delete }

/**
 * `arr` with `values` inserted before the static positions `obj` along `axis`
 * (the flattened array without one). One position inserts `values` as a block;
 * several take one value each (broadcast), positions referring to the
 * original array, as NumPy.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.insert(np.array([1, 2, 3]), 1, 9))) // [1, 9, 2, 3]
 * console.log(toJsSync(np.insert(np.array([1, 2, 3]), [0, 3], [7, 8]))) // [7, 1, 2, 3, 8]
 * console.log(toJsSync(np.insert(np.array([[1, 2], [3, 4]]), 1, 0, { axis: 1 }))) // [[1, 0, 2], [3, 0, 4]]
 *
 * @since 0.1.0
 */
export const insert = (
  arr: TensorLike,
  obj: number | ReadonlyArray<number>,
  values: TensorLike,
  options?: EditOptions
): Tensor => {
  checkOptions("insert", options, { axis: integer })
  const t0 = toTensor(arr)
  const t = options?.axis === undefined ? np.ravel(t0) : t0
  const axis = options?.axis === undefined ? 0 : checkAxis("insert", options.axis, t.ndim)
  const n = t.shape[axis]!
  const { list, scalar } = positions("insert", obj)
  const norm = list.map((p) => {
    if (p < -n || p > n) {
      throw new ArgumentError({
        operation: "insert",
        argument: "obj",
        expected: `positions in [${-n}, ${n}]`,
        got: String(p)
      })
    }
    return p < 0 ? p + n : p
  })
  let v = np.astype(toTensor(values), t.dtype)
  // the inserted block: its size along `axis`, the rest of the array's shape
  let k: number
  if (scalar) {
    // NumPy: values as an array of ndim >= arr.ndim, its first axis moved to `axis`
    while (v.ndim < t.ndim) v = lax.expandDims(v, [0])
    v = np.moveaxis(v, 0, axis)
    k = v.shape[axis]!
  } else k = norm.length
  const blockShape = t.shape.map((d, i) => (i === axis ? k : d))
  v = np.broadcastTo(v, blockShape)
  // source index of every output position along `axis` in concatenate([arr, values])
  const at = scalar ? Array.from({ length: k }, () => norm[0]!) : norm
  const order = at.map((p, j) => [p, j] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const source: Array<number> = []
  let next = 0
  for (const [p, j] of order) {
    while (next < p) source.push(next++)
    source.push(n + j)
  }
  while (next < n) source.push(next++)
  const joined = lax.concatenate([t, v], axis)
  return np.take(joined, np.array(source, { dtype: "int32" }), { axis })
}

/**
 * `jnp.piecewise`: `funclist[i]` (a function of `x` or a constant) where
 * `condlist[i]` holds (a later condition wins where several hold), and the
 * extra last entry of `funclist` (0 without one) where none holds. Every
 * function is evaluated on all of `x`, as JAX's.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const x = np.array([-2, -1, 0, 1, 2], { dtype: "float32" })
 * const y = np.piecewise(x, [np.less(x, 0), np.greaterEqual(x, 0)], [(t) => np.negative(t), (t) => np.square(t)])
 * console.log(toJsSync(y)) // [2, 1, 0, 1, 4]
 *
 * @since 0.1.0
 */
export const piecewise = (
  x: TensorLike,
  condlist: ReadonlyArray<TensorLike>,
  funclist: ReadonlyArray<((x: Tensor) => MaybeEffect<TensorLike>) | number>
): Tensor => {
  const t = toTensor(x)
  if (!Array.isArray(condlist)) throw argumentError("piecewise", "condlist", "an array of boolean arrays", condlist)
  if (!Array.isArray(funclist)) {
    throw argumentError("piecewise", "funclist", "an array of functions or numbers", funclist)
  }
  const nc = condlist.length
  if (funclist.length !== nc && funclist.length !== nc + 1) {
    throw new ShapeError({
      operation: "piecewise",
      detail: `with ${nc} condition(s) there should be either ${nc} or ${
        nc + 1
      } output functions, got ${funclist.length}`
    })
  }
  const value = (f: ((x: Tensor) => TensorLike) | number): Tensor => {
    if (typeof f === "number") return np.full(t.shape, f, { dtype: t.dtype })
    if (typeof f !== "function") throw argumentError("piecewise", "funclist", "functions or numbers", f)
    return np.astype(np.broadcastTo(toTensor(resolveOutput("piecewise", f(t)) as TensorLike), t.shape), t.dtype)
  }
  let out = funclist.length === nc + 1 ? value(funclist[nc]!) : np.zeros(t.shape, { dtype: t.dtype })
  // a loop, not forEach: a hole in condlist fails as an explicit undefined (forEach skipped it)
  for (let i = 0; i < nc; i++) {
    const cond = np.broadcastTo(np.astype(toTensor(condlist[i]!), "bool"), t.shape)
    out = lax.select(cond, value(funclist[i]!), out)
  }
  return out
}
