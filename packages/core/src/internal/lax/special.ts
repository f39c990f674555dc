/**
 * `lax`'s special functions and small conveniences beyond the primitives:
 * `erfc`, `erfInv`, `lgamma`, `digamma` (primitives), `polygamma` and the
 * Hurwitz `zeta` (compositions, as the series they are), `clamp`, `selectN`,
 * and JAX's one-line helpers (`square`, `reciprocal`, `exp2`, ...).
 *
 * @since 0.1.0
 */
import { isInexact } from "../../DType.js"
import type { DType } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import { bind1, customJvpCall } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { Operand } from "../../lax.js"
import { formatShape } from "../../Shape.js"
import type { Shape } from "../../Shape.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkDTypeName, checkShape } from "../../Validate.js"

const tensorOf = (p: string, name: string, u: unknown): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  if (typeof u === "number") return lax.scalar(u, "float32", true)
  throw argumentError(p, name, "a Tensor or a JS number", u)
}
const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

/**
 * `1 - erf(x)` without cancellation for large `x` (JAX's `lax.erfc`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.erfc(np.array([0, 5], { dtype: "float64" })))) // [1, 1.5374597944280347e-12]
 *
 * @since 0.1.0
 */
export const erfc = (x: Operand): Tensor => bind1("erfc", [tensorOf("erfc", "x", x)], {})

/**
 * The inverse error function on (-1, 1), ±inf at ±1 (JAX's `lax.erf_inv`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.erfInv(np.array([0, 0.5, 1], { dtype: "float64" })))) // [0, 0.4769362762044699, Infinity]
 *
 * @since 0.1.0
 */
export const erfInv = (x: Operand): Tensor => bind1("erf_inv", [tensorOf("erf_inv", "x", x)], {})

/**
 * `log|Gamma(x)|` (JAX's `lax.lgamma`); +inf at 0, -1, -2, ...
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.lgamma(np.array([0.5, 5, -0.5], { dtype: "float64" })))) // [0.5723649429247001, 3.1780538303479458, 1.2655121234846454]
 *
 * @since 0.1.0
 */
export const lgamma = (x: Operand): Tensor => bind1("lgamma", [tensorOf("lgamma", "x", x)], {})

/**
 * The digamma function `d/dx log Gamma(x)` (JAX's `lax.digamma`); NaN at the poles.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.digamma(np.array([1, 0.5], { dtype: "float64" })))) // [-0.5772156649015329, -1.9635100260214235]
 *
 * @since 0.1.0
 */
export const digamma = (x: Operand): Tensor => bind1("digamma", [tensorOf("digamma", "x", x)], {})

// Bernoulli numbers B2, B4, ..., B16 over (2j)!: the Euler-Maclaurin tail of zeta.
const bernoulliOverFactorial = [
  1 / 6 / 2,
  -1 / 30 / 24,
  1 / 42 / 720,
  -1 / 30 / 40320,
  5 / 66 / 3628800,
  -691 / 2730 / 479001600,
  7 / 6 / 87178291200,
  -3617 / 510 / 20922789888000
]

/**
 * The Hurwitz zeta function `sum_k (q + k)^-s` for `s > 1` (JAX's `lax.zeta`),
 * by Euler-Maclaurin summation: ten terms, then the integral and eight
 * Bernoulli corrections (truncation below 1e-16 relative for s <= 30). As
 * XLA's: q <= 0 takes an integer s (the powers of the negative terms are
 * real), an integer q <= 0 is a pole (+inf for an even s, else NaN), s = 1 is
 * +inf and s < 1 NaN.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // zeta(2, 1) = pi^2 / 6
 * console.log(toJsSync(lax.zeta(np.array([2], { dtype: "float64" }), np.array([1], { dtype: "float64" })))) // [1.6449340668482264]
 *
 * @since 0.1.0
 */
export const zeta = (s: Operand, q: Operand): Tensor => {
  const [sv, qv] = pair("zeta", s, q)
  const N = 10
  let sum = c(qv, 0)
  for (let i = 0; i < N; i++) sum = lax.add(sum, lax.pow(lax.add(qv, c(qv, i)), lax.neg(sv)))
  const a = lax.add(qv, c(qv, N))
  const aPow = lax.pow(a, lax.neg(sv))
  sum = lax.add(sum, lax.div(lax.mul(a, aPow), lax.sub(sv, c(sv, 1))))
  sum = lax.add(sum, lax.mul(c(aPow, 0.5), aPow))
  // sum_j B_2j / (2j)! * s (s+1) ... (s+2j-2) * a^(-s-2j+1)
  let rising = sv
  let term = lax.div(aPow, a)
  const inv2 = lax.div(c(a, 1), lax.mul(a, a))
  for (let j = 0; j < bernoulliOverFactorial.length; j++) {
    if (j > 0) {
      rising = lax.mul(rising, lax.mul(lax.add(sv, c(sv, 2 * j - 1)), lax.add(sv, c(sv, 2 * j))))
      term = lax.mul(term, inv2)
    }
    sum = lax.add(sum, lax.mul(c(a, bernoulliOverFactorial[j]!), lax.mul(rising, term)))
  }
  // XLA's domain: s = 1 is the harmonic series; s < 1 is NaN; q <= 0 needs an integer s (the sum
  // of integer powers of negative terms), and at a pole (an integer q <= 0) the limit is +inf for
  // an even s, NaN otherwise
  const sInteger = lax.eq(sv, lax.floor(sv))
  const nonPositive = lax.le(qv, c(qv, 0))
  const pole = lax.and(nonPositive, lax.eq(qv, lax.floor(qv)))
  const even = lax.and(sInteger, lax.eq(lax.rem(sv, c(sv, 2)), c(sv, 0)))
  let out = lax.select(lax.eq(sv, c(sv, 1)), c(sum, Infinity), sum)
  out = lax.select(lax.lt(sv, c(sv, 1)), c(sum, NaN), out)
  out = lax.select(lax.and(nonPositive, lax.not(sInteger)), c(sum, NaN), out)
  return lax.select(pole, lax.select(even, c(sum, Infinity), c(sum, NaN)), out)
}

// Two operands of one float dtype and shape: a JS number takes the other's dtype, a rank-0
// tensor broadcasts (lax's rule).
const pair = (p: string, x: Operand, y: Operand): readonly [Tensor, Tensor] => {
  if (typeof x === "number" && typeof y === "number") return pair(p, lax.scalar(x, "float32", true), y)
  if (typeof x === "number") {
    const yt = tensorOf(p, "y", y)
    return pair(p, lax.full(yt.shape, x, yt.dtype, true), yt)
  }
  let a = tensorOf(p, "x", x)
  let b = typeof y === "number" ? lax.full(a.shape, y, a.dtype, true) : tensorOf(p, "y", y)
  if (!isInexact(a.dtype) || !isInexact(b.dtype) || a.dtype !== b.dtype) {
    throw new DTypeError({
      operation: p,
      detail: `operands of one floating dtype are required, got ${a.dtype} and ${b.dtype}`
    })
  }
  if (a.ndim === 0 && b.ndim > 0) a = lax.broadcastInDim(a, b.shape, [])
  if (b.ndim === 0 && a.ndim > 0) b = lax.broadcastInDim(b, a.shape, [])
  return [a, b]
}

/**
 * The trigamma function `d/dx digamma(x)`: `zeta(2, x)` for x > 0 and the
 * reflection `pi^2 / sin^2(pi x) - trigamma(1 - x)` below (digamma's derivative).
 */
const trigamma = (x: Tensor): Tensor => {
  const reflect = lax.lt(x, c(x, 0.5))
  const z = lax.select(reflect, lax.sub(c(x, 1), x), x)
  const direct = zeta(c(z, 2), z)
  const n = lax.round(x, { roundingMethod: "toNearestEven" })
  // 1 where the reflection is not taken: sin(pi (x - n)) is 0 at integers above 0.5, and the
  // unselected branch's zero cotangent times its infinite partial would be NaN under grad
  const s = lax.select(reflect, lax.sin(lax.mul(c(x, Math.PI), lax.sub(x, n))), c(x, 1))
  const reflected = lax.sub(lax.div(c(x, Math.PI * Math.PI), lax.mul(s, s)), direct)
  return lax.select(reflect, reflected, direct)
}

/**
 * The polygamma function, the `m`-th derivative of digamma (JAX's
 * `lax.polygamma`): digamma for `m = 0`, else `(-1)^(m+1) m! zeta(m + 1, x)`
 * (with the reflection formula for `m = 1`, so trigamma is defined for x < 0
 * too). `m` is a non-negative integer, or a tensor of them (elementwise, as
 * JAX's: NaN where an element of `m` is negative or not an integer; `m!` as
 * `exp(lgamma(m + 1))`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * // trigamma(1) = pi^2 / 6
 * console.log(toJsSync(lax.polygamma(1, np.array([1, 0.5], { dtype: "float64" })))) // [1.6449340668482264, 4.934802200544679]
 *
 * @since 0.1.0
 */
export const polygamma = (m: number | Operand, x: Operand): Tensor => {
  if (typeof m !== "number") return polygammaElementwise(m, x)
  if (!Number.isInteger(m) || m < 0 || m > 170) {
    throw argumentError("polygamma", "m", "a non-negative integer up to 170 (m! overflows beyond)", m)
  }
  const t = tensorOf("polygamma", "x", x)
  if (!isInexact(t.dtype)) {
    throw new DTypeError({ operation: "polygamma", detail: `x must be floating, got ${t.dtype}` })
  }
  if (m === 0) return digamma(t)
  if (m === 1) return trigamma(t)
  let factorial = 1
  for (let i = 2; i <= m; i++) factorial *= i
  return lax.mul(c(t, (m % 2 === 1 ? 1 : -1) * factorial), zeta(c(t, m + 1), t))
}

// polygamma with a tensor of orders: every branch on safe arguments, then selected per element
const polygammaElementwise = (m: Operand, x: Operand): Tensor => {
  const [mv, xv] = pair("polygamma", m, x)
  const integer = lax.and(lax.ge(mv, c(mv, 0)), lax.eq(mv, lax.floor(mv)))
  const high = lax.and(integer, lax.ge(mv, c(mv, 2)))
  const order = lax.select(high, mv, c(mv, 2))
  const odd = lax.eq(lax.rem(order, c(order, 2)), c(order, 1))
  const factorial = lax.exp(lgamma(lax.add(order, c(order, 1))))
  const general = lax.mul(lax.select(odd, factorial, lax.neg(factorial)), zeta(lax.add(order, c(order, 1)), xv))
  const out = lax.select(
    lax.eq(mv, c(mv, 0)),
    digamma(xv),
    lax.select(lax.eq(mv, c(mv, 1)), trigamma(xv), general)
  )
  return lax.select(integer, out, c(out, NaN))
}

/**
 * `min(max(x, lo), hi)` (JAX's `lax.clamp(min, x, max)`): each bound is a
 * scalar or has `x`'s shape, of `x`'s dtype (a JS number takes it). NaN
 * propagates, and `lo > hi` gives `hi`, as XLA's clamp. The derivatives are
 * JAX's: `x`'s where `lo < x < hi`, `lo`'s where `x < lo < hi`, `hi`'s where
 * `hi < x`, and zero at the boundaries (not the halves of `max`'s and `min`'s
 * tie rule).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.clamp(0, np.array([-1, 0.5, 2]), 1))) // [0, 0.5, 1]
 *
 * @since 0.1.0
 */
export const clamp = (min: Operand, x: Operand, max: Operand): Tensor => {
  const v = tensorOf("clamp", "x", x)
  const lo = bound("min", min, v)
  const hi = bound("max", max, v)
  if (!(v.dtype === "float32" || v.dtype === "float64")) return lax.min(lax.max(v, lo), hi)
  return customJvpCall({
    name: "clamp",
    f: ([l, u, h]) => [lax.min(lax.max(u!, l!), h!)],
    jvp: ([l, u, h], [dl, du, dh]) => {
      const zero = lax.full(u!.shape, 0, u!.dtype)
      const tangent = lax.add(
        lax.add(
          lax.select(lax.and(lax.gt(l!, u!), lax.lt(l!, h!)), dl!, zero),
          lax.select(lax.and(lax.gt(u!, l!), lax.lt(u!, h!)), du!, zero)
        ),
        lax.select(lax.lt(h!, u!), dh!, zero)
      )
      return [[lax.min(lax.max(u!, l!), h!)], [tangent]]
    }
  }, [lo, v, hi])[0]!
}

// A clamp bound as a tensor of the operand's shape and dtype: a JS number takes the dtype when it
// converts exactly (lax's rule for JS numbers); a tensor must be a scalar or of the operand's shape
// (JAX's _clamp_shape_rule).
const bound = (name: "min" | "max", b: Operand, v: Tensor): Tensor => {
  if (typeof b === "number") {
    if (!representable(b, v.dtype)) {
      throw new DTypeError({
        operation: "clamp",
        detail: `the JS number ${b} (${name}) cannot be a bound of a ${v.dtype} operand without changing its value`
      })
    }
    // weakly typed, as JAX's Python scalar: a weakly typed operand stays weak
    return lax.full(v.shape, b, v.dtype, true)
  }
  const t = tensorOf("clamp", name, b)
  if (t.dtype !== v.dtype) {
    throw new DTypeError({
      operation: "clamp",
      detail: `lax.clamp requires arguments to have the same dtypes, got ${name} ${t.dtype} and operand ${v.dtype}`
    })
  }
  if (t.ndim !== 0 && t.shape.join(",") !== v.shape.join(",")) {
    throw new ShapeError({
      operation: "clamp",
      detail: `clamp requires ${name}.shape == operand.shape or ${name}.shape == (), got ${name}.shape=(${
        t.shape.join(", ")
      }${t.ndim === 1 ? "," : ""}), operand.shape=(${v.shape.join(", ")}${v.ndim === 1 ? "," : ""})`
    })
  }
  return t.ndim === 0 && v.ndim > 0 ? lax.broadcastInDim(t, v.shape, []) : t
}
const representable = (b: number, dtype: Tensor["dtype"]): boolean =>
  isInexact(dtype) || (dtype === "int32" && (b | 0) === b) || (dtype === "uint32" && b >>> 0 === b) ||
  (dtype === "bool" && (b === 0 || b === 1))

/**
 * JAX's `lax.select_n(which, ...cases)`: `cases[which]` elementwise; `which`
 * is bool (two cases: false picks the first) or an integer (int32, uint32).
 * An integer out of range clamps, as JAX's lowering does: below 0 picks the
 * first case, past the end the last.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const which = np.array([0, 2, 1], { dtype: "int32" })
 * console.log(toJsSync(lax.selectN(which, np.array([1, 1, 1]), np.array([2, 2, 2]), np.array([3, 3, 3])))) // [1, 3, 2]
 *
 * @since 0.1.0
 */
export const selectN = (which: Tensor, ...cases: ReadonlyArray<Tensor>): Tensor => {
  cases.forEach((x) => tensorOf("select_n", "cases", x))
  if (cases.length === 0) throw new ShapeError({ operation: "select_n", detail: "at least one case is required" })
  const w = tensorOf("select_n", "which", which)
  if (w.dtype === "bool") {
    if (cases.length > 2) {
      throw new ShapeError({ operation: "select_n", detail: "a bool which selects between two cases" })
    }
    return cases.length === 1 ? cases[0]! : lax.select(w, cases[1]!, cases[0]!)
  }
  if (w.dtype !== "int32" && w.dtype !== "uint32") {
    throw new DTypeError({ operation: "select_n", detail: `which must be bool or an integer, got ${w.dtype}` })
  }
  // JAX's lowering: a binary tree of `which < offset + mid` selects, so a which below 0 takes the
  // first case and one past the end the last (np.choose's mode="clip", as JAX's testSelectN checks)
  const tree = (offset: number, n: number): Tensor => {
    if (n === 1) return cases[offset]!
    const mid = n >> 1
    const below = lax.lt(w, lax.full(w.shape, offset + mid, w.dtype))
    return lax.select(below, tree(offset, mid), tree(offset + mid, n - mid))
  }
  return tree(0, cases.length)
}

/**
 * `x * x` (JAX's `lax.square`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.square(np.array([3])))) // [9]
 *
 * @since 0.1.0
 */
export const square = (x: Operand): Tensor => lax.integerPow(x, 2)
/**
 * `1 / x` (JAX's `lax.reciprocal`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.reciprocal(np.array([4])))) // [0.25]
 *
 * @since 0.1.0
 */
export const reciprocal = (x: Operand): Tensor => lax.integerPow(x, -1)
/**
 * `2 ** x` (JAX's `lax.exp2`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.exp2(np.array([3])))) // [8]
 *
 * @since 0.1.0
 */
export const exp2 = (x: Operand): Tensor => {
  const t = tensorOf("exp2", "x", x)
  return lax.exp(lax.mul(t, c(t, Math.LN2)))
}
/**
 * Whether each element is finite (JAX's `lax.is_finite`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.isFinite(np.array([1, Infinity, NaN])))) // [true, false, false]
 *
 * @since 0.1.0
 */
export const isFinite = (x: Operand): Tensor => {
  const t = tensorOf("is_finite", "x", x)
  return lax.lt(lax.abs(t), c(lax.abs(t), Infinity))
}
/**
 * A tensor filled with `fillValue` (a number or a rank-0 tensor), of `x`'s
 * shape and dtype unless `dtype` or `shape` is given (JAX's
 * `lax.full_like(x, fill_value, dtype=None, shape=None)`); weakly typed when `x`
 * is and no `dtype` is given.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.fullLike(np.array([1, 2]), 7))) // [7, 7]
 * console.log(lax.fullLike(np.array([1, 2]), 7, "int32", [2, 3]).shape) // [2, 3]
 *
 * @since 0.1.0
 */
export const fullLike = (
  x: Operand,
  fillValue: number | Tensor,
  dtype?: DType | null,
  shape?: number | Shape | null
): Tensor => {
  const t = tensorOf("full_like", "x", x)
  const given = dtype !== undefined && dtype !== null
  const d = given ? checkDTypeName("full_like", dtype) : t.dtype
  const dims = shape === undefined || shape === null ? t.shape : checkShape("full_like", shape)
  const weak = !given && t.weakType
  if (typeof fillValue === "number") return lax.full(dims, fillValue, d, weak)
  const v = tensorOf("full_like", "fill_value", fillValue)
  if (v.ndim !== 0) {
    throw new ShapeError({
      operation: "full_like",
      detail: `full must be called with scalar fill_value, got fill_value.shape ${formatShape(v.shape)}.`
    })
  }
  return lax.broadcastInDim(lax.convertElementType(v, d, weak), dims, [])
}
/**
 * `iota` along `dimension` of `shape` (JAX's `lax.broadcasted_iota`).
 *
 * @example
 * import { lax, toJsSync } from "diffect"
 * console.log(toJsSync(lax.broadcastedIota("int32", [2, 3], 1))) // [[0, 1, 2], [0, 1, 2]]
 *
 * @since 0.1.0
 */
export const broadcastedIota = (
  dtype: Parameters<typeof lax.iota>[0],
  shape: ReadonlyArray<number>,
  dimension: number
): Tensor => lax.iota(dtype, shape, dimension)
/**
 * `x` with new leading dimensions `sizes` (JAX's `lax.broadcast`).
 *
 * @example
 * import { lax, np } from "diffect"
 * console.log(lax.broadcast(np.ones([3]), [2]).shape) // [2, 3]
 *
 * @since 0.1.0
 */
export const broadcast = (x: Tensor, sizes: ReadonlyArray<number>): Tensor => {
  const t = tensorOf("broadcast", "x", x)
  if (!Array.isArray(sizes)) throw argumentError("broadcast", "sizes", "an array of dimension sizes", sizes)
  return lax.broadcastInDim(t, [...sizes, ...t.shape], t.shape.map((_, i) => i + sizes.length))
}
