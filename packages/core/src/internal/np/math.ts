/**
 * `np`'s further elementwise math: logarithms and exponentials in other
 * bases, the inverse hyperbolic functions, rounding toward zero, NaN-aware
 * maximum and minimum, sign manipulation, comparisons with a tolerance, and
 * angle conversions. Each is a composition of `lax` primitives (as in
 * `jax.numpy`), so it differentiates, batches and runs on every backend.
 *
 * @since 0.1.0
 */
import { isComplex, isInexact } from "../../DType.js"
import { DTypeError } from "../../Errors.js"
import { customJvpCall } from "../../Handler.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { boolean, checkOptions, number } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { bitcastConvertType } from "../lax/bits.js"
import { realCbrt } from "../lax/cbrt.js"
import { nonzeroDivisor, prepare, toInexact, toTensor } from "../npHelpers.js"
import { jitted } from "./jitted.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)
const inexact = (x: TensorLike): Tensor => toInexact(toTensor(x))
const inexactPair = (op: string, x: TensorLike, y: TensorLike): readonly [Tensor, Tensor] => {
  const [a, b] = prepare(op, [x, y]) as [Tensor, Tensor]
  return [toInexact(a), toInexact(b)]
}

/**
 * Base-2 logarithm.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.log2(np.array([1, 8, 0.5])))) // [0, 3, -1]
 *
 * @since 0.1.0
 */
export const log2 = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return lax.div(lax.log(t), c(t, Math.LN2))
}

/**
 * Base-10 logarithm.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.log10(np.array([1, 1000])))) // [0, 3]
 *
 * @since 0.1.0
 */
export const log10 = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return lax.div(lax.log(t), c(t, Math.LN10))
}

/**
 * `2 ** x`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.exp2(np.array([0, 3, -1])))) // [1, 8, 0.5]
 *
 * @since 0.1.0
 */
export const exp2 = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return lax.exp(lax.mul(t, c(t, Math.LN2)))
}

// log(e^a + e^b) as JAX computes it: max + log1p(exp(-|a - b|)), and a + b where a - b is NaN
// (a NaN, or equal infinities). `base` 2 is logaddexp2 (the log1p divided by ln 2).
const logaddexpValue = (a: Tensor, b: Tensor, base: "e" | "2"): Tensor => {
  if (isComplex(a.dtype)) return complexLogaddexp(a, b, base)
  const d = lax.sub(a, b)
  const t = lax.exp(lax.neg(lax.abs(base === "e" ? d : lax.mul(d, c(d, Math.LN2)))))
  const l = base === "e" ? lax.log1p(t) : lax.div(lax.log1p(t), c(t, Math.LN2))
  return lax.select(lax.ne(d, d), lax.add(a, b), lax.add(lax.max(a, b), l))
}

// Complex operands, as JAX's lax logaddexp: the lexicographic max plus log1p(exp(min - max)),
// written (a + b) - 2 max, and the imaginary part wrapped into [-pi, pi] ([-pi/ln 2, pi/ln 2] for base 2).
const complexLogaddexp = (a: Tensor, b: Tensor, base: "e" | "2"): Tensor => {
  const hi = lax.max(a, b)
  const delta = lax.sub(lax.add(a, b), lax.mul(hi, c(hi, 2)))
  const tail = base === "e" ? lax.log1p(lax.exp(delta)) : lax.mul(lax.log1p(exp2(delta)), c(delta, 1 / Math.LN2))
  const out = lax.add(hi, tail)
  return lax.complex(lax.real(out), wrapBetween(lax.imag(out), base === "e" ? Math.PI : Math.PI / Math.LN2))
}

// `x` wrapped into [-a, a] (JAX's `_wrap_between`).
const wrapBetween = (x: Tensor, a: number): Tensor => {
  const r = lax.rem(lax.add(x, c(x, a)), c(x, 2 * a))
  return lax.sub(lax.select(lax.lt(r, c(r, 0)), lax.add(r, c(r, 2 * a)), r), c(r, a))
}

// +inf as 0 (JAX's `_replace_inf`; a complex value by its real part), so that the JVP's weights stay
// finite at an infinite output.
const replacePosInf = (x: Tensor): Tensor => {
  const re = isComplex(x.dtype) ? lax.real(x) : x
  return lax.select(lax.eq(re, c(re, Infinity)), c(x, 0), x)
}

// JAX's custom JVP of logaddexp(2): t1 w1 + t2 w2 with w = base^(x - out), +inf read as 0 on
// both sides (a tie weighs 1/2 each; equal -infinities give NaN, as in JAX).
const logaddexpImpl = (a: Tensor, b: Tensor, base: "e" | "2" = "e"): Tensor =>
  customJvpCall({
    name: base === "e" ? "logaddexp" : "logaddexp2",
    f: ([x, y]) => [logaddexpValue(x!, y!, base)],
    jvp: ([x, y], [dx, dy]) => {
      // the output through this function itself, so that a derivative of the rule uses the rule
      // (JAX's `primal_out = logaddexp(x1, x2)`; the plain formula's derivative at a tie is not 1/2)
      const out = logaddexpImpl(x!, y!, base)
      const weight = (v: Tensor) => {
        const e = lax.sub(replacePosInf(v), replacePosInf(out))
        return lax.exp(base === "e" ? e : lax.mul(e, c(e, Math.LN2)))
      }
      return [[out], [lax.add(lax.mul(dx!, weight(x!)), lax.mul(dy!, weight(y!)))]]
    }
  }, [a, b])[0]!

/**
 * `log(exp(x) + exp(y))` without overflow (`jnp.logaddexp`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logaddexp(np.array([0, 1000]), np.array([0, 1000])))) // [0.6931472, 1000.6931]
 *
 * @since 0.1.0
 */
export const logaddexp = (x: TensorLike, y: TensorLike): Tensor =>
  jitted("logaddexp", "", inexactPair("logaddexp", x, y), (a, b) => logaddexpImpl(a!, b!))

/**
 * `log2(2 ** x + 2 ** y)` without overflow (`jnp.logaddexp2`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logaddexp2(np.array([1, 3]), np.array([1, 3])))) // [2, 4]
 *
 * @since 0.1.0
 */
export const logaddexp2 = (x: TensorLike, y: TensorLike): Tensor =>
  jitted("logaddexp2", "", inexactPair("logaddexp2", x, y), (a, b) => logaddexpImpl(a!, b!, "2"))

/**
 * Inverse hyperbolic sine, accurate near zero and for large `|x|`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arcsinh(np.array([0, 1, -10])))) // [0, 0.8813736, -2.9982230]
 *
 * @since 0.1.0
 */
export const arcsinh = (x: TensorLike): Tensor => {
  const t = inexact(x)
  // complex: asinh z = -i asin(i z), lax.asin's branch cuts (as JAX's lax.asinh)
  if (isComplex(t.dtype)) return timesMinusI(lax.asin(timesI(t)))
  return realArcsinh(t)
}

const realArcsinh = (t: Tensor): Tensor =>
  oddExtension(t, (a) => {
    // asinh a = log1p(a + a^2 / (1 + sqrt(1 + a^2))) for a >= 0; above 1e10, log(2a) (relative
    // difference 1 / (4 a^2), below float64's precision; a threshold float32 can represent).
    // Each branch gets an argument safe for the other's range, so neither's derivative is inf.
    const big = lax.gt(a, c(a, 1e10))
    const safe = lax.select(big, c(a, 1), a)
    const small = lax.log1p(
      lax.add(safe, lax.div(lax.mul(safe, safe), lax.add(c(a, 1), lax.sqrt(lax.add(c(a, 1), lax.mul(safe, safe))))))
    )
    return lax.select(big, lax.add(lax.log(lax.select(big, a, c(a, 1))), c(a, Math.LN2)), small)
  })

/**
 * `g(|x|)` with the sign of `x`, for an odd function `g` given on `x >= 0`,
 * written with selects rather than `sign(x) * g(|x|)`: `sign` and `abs` have a
 * zero derivative at 0, which would make the derivative at 0 zero instead of
 * `g'(0)`. (-0 and NaN take the negated branch: `-g(0)` = -0 and NaN.)
 */
// i z and -i z of a complex tensor, exactly (a swap of parts and one negation)
const timesI = (z: Tensor): Tensor => lax.complex(lax.neg(lax.imag(z)), lax.real(z))
const timesMinusI = (z: Tensor): Tensor => lax.complex(lax.imag(z), lax.neg(lax.real(z)))

const oddExtension = (t: Tensor, g: (a: Tensor) => Tensor): Tensor => {
  // the sign bit decides, so that -0 takes the negated branch and gives -g(0) = -0 (JAX's asinh(-0))
  const nonNegative = lax.or(lax.gt(t, c(t, 0)), lax.and(lax.eq(t, c(t, 0)), lax.gt(lax.div(c(t, 1), t), c(t, 0))))
  const r = g(lax.select(nonNegative, t, lax.neg(t)))
  return lax.select(nonNegative, r, lax.neg(r))
}

/**
 * Inverse hyperbolic cosine (NaN below 1).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arccosh(np.array([1, 2, 0.5])))) // [0, 1.3169579, NaN]
 *
 * @since 0.1.0
 */
export const arccosh = (x: TensorLike): Tensor => {
  const t = inexact(x)
  if (isComplex(t.dtype)) {
    // JAX's chlo.acosh: i acos z, or -i acos z where im z < 0 (acos's Hull et al. kernel, accurate
    // over the whole plane; Kahan's log(z + sqrt(z + 1) sqrt(z - 1)) overflowed past 9e307)
    const w = lax.acos(t)
    return lax.select(lax.lt(lax.imag(t), c(lax.imag(t), 0)), timesMinusI(w), timesI(w))
  }
  // above 1e10, log(2x) (relative difference 1 / (4 x^2), below float64's precision, as
  // arcsinh's): a threshold float32 can represent, where 1e150 was infinite in float32 and
  // float32's largest value overflowed to inf
  const big = lax.gt(t, c(t, 1e10))
  const safe = lax.select(big, c(t, 2), t)
  // log(x + sqrt(x - 1) sqrt(x + 1)) = log1p((x - 1) + sqrt(x - 1) sqrt(x + 1))
  const xm1 = lax.sub(safe, c(t, 1))
  const r = lax.log1p(lax.add(xm1, lax.mul(lax.sqrt(xm1), lax.sqrt(lax.add(safe, c(t, 1))))))
  return lax.select(big, lax.add(lax.log(t), c(t, Math.LN2)), r)
}

/**
 * Inverse hyperbolic tangent (±inf at ±1, NaN beyond).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arctanh(np.array([0, 0.5, 1])))) // [0, 0.5493061, Infinity]
 *
 * @since 0.1.0
 */
export const arctanh = (x: TensorLike): Tensor => {
  const t = inexact(x)
  // complex: i atan(-i z), exactly JAX's chlo.atanh (atan's kernel is atanh's: accurate over the
  // whole plane, atanh(1) = inf + 0i; keeps the sign of a zero imaginary part on the cuts)
  if (isComplex(t.dtype)) return timesI(lax.atan(timesMinusI(t)))
  return customJvpCall(realArctanh, [t])[0]!
}

// 0.5 log1p(2a / (1 - a)) for a = |x|: the argument of log1p stays positive, so no cancellation near
// -1; JAX's rule g / (1 + x) / (1 - x) for the derivative (+inf at +-1, where the composition's is NaN)
const arctanhOf = (t: Tensor): Tensor =>
  oddExtension(t, (a) => lax.mul(c(a, 0.5), lax.log1p(lax.div(lax.mul(c(a, 2), a), lax.sub(c(a, 1), a)))))
const realArctanh = {
  name: "arctanh",
  f: ([u]: ReadonlyArray<Tensor>) => [arctanhOf(u!)],
  jvp: ([u]: ReadonlyArray<Tensor>, [du]: ReadonlyArray<Tensor>) =>
    [[arctanhOf(u!)], [lax.div(lax.div(du!, lax.add(c(u!, 1), u!)), lax.sub(c(u!, 1), u!))]] as const
}

/**
 * Cube root (real, negative for negative `x`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cbrt(np.array([27, -8, 0])))) // [3, -2, 0]
 *
 * @since 0.1.0
 */
export const cbrt = (x: TensorLike): Tensor => {
  const t = inexact(x)
  // JAX's cbrt is real only
  if (isComplex(t.dtype)) {
    throw new DTypeError({ operation: "cbrt", detail: `real numbers only (as JAX's cbrt), got ${t.dtype}` })
  }
  // lax.cbrt's root (within one ulp, no overflow near the largest float) and JAX's derivative
  return realCbrt(t)
}

/**
 * `sqrt(x^2 + y^2)` without overflow or underflow (`jnp.hypot`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.hypot(np.array([3, 1e30]), np.array([4, 1e30])))) // [5, 1.4142136e+30]
 *
 * @since 0.1.0
 */
export const hypot = (x: TensorLike, y: TensorLike): Tensor => {
  const operands = inexactPair("hypot", x, y)
  if (isComplex(operands[0]!.dtype)) {
    throw new DTypeError({
      operation: "hypot",
      detail:
        "jnp.hypot is not well defined for complex-valued inputs. Please convert to real values first, such as by using abs(x)"
    })
  }
  return jitted("hypot", "", operands, hypotOf)
}

const hypotOf = (a0: Tensor, b0: Tensor): Tensor => {
  const a = lax.abs(a0)
  const b = lax.abs(b0)
  const inf = lax.or(lax.eq(a, c(a, Infinity)), lax.eq(b, c(b, Infinity)))
  const hi = lax.max(a, b)
  const lo = lax.min(a, b)
  const zero = lax.eq(hi, c(hi, 0))
  const safeHi = lax.select(zero, c(hi, 1), hi)
  const q = lax.div(lo, safeHi)
  const r = lax.select(zero, hi, lax.mul(safeHi, lax.sqrt(lax.add(c(q, 1), lax.mul(q, q)))))
  return lax.select(inf, c(r, Infinity), r)
}

/**
 * The normalized sinc, `sin(pi x) / (pi x)` and 1 at 0 (`jnp.sinc`); for
 * `|pi x| < 1e-3` its Taylor polynomial, so values and the first four
 * derivatives are exact at and near 0.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.sinc(np.array([0, 0.5, 1])))) // [1, 0.6366198, 0]
 *
 * @since 0.1.0
 */
export const sinc = (x: TensorLike): Tensor => jitted("sinc", "", [inexact(x)], sincOf)

const sincOf = (t: Tensor): Tensor => {
  const px = lax.mul(t, c(t, Math.PI))
  // |pi x| < 1e-3: 1 - s^2/6 + s^4/120 (truncation below 1e-21, relative); elsewhere sin(s)/s
  const magnitude = lax.abs(px)
  const small = lax.lt(magnitude, c(magnitude, 1e-3))
  const safe = lax.select(small, c(t, 1), px)
  const s2 = lax.mul(px, px)
  const taylor = lax.add(lax.sub(c(t, 1), lax.div(s2, c(t, 6))), lax.div(lax.mul(s2, s2), c(t, 120)))
  return lax.select(small, taylor, lax.div(lax.sin(safe), safe))
}

/**
 * Rounds toward zero (`jnp.trunc`; `fix` is the same).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.trunc(np.array([-1.7, 1.7])))) // [-1, 1]
 *
 * @since 0.1.0
 */
export const trunc = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (!isInexact(t.dtype)) return t
  return lax.select(lax.lt(t, c(t, 0)), lax.ceil(t), lax.floor(t))
}

/**
 * Rounds toward zero (`jnp.fix`, the same as `trunc`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fix(np.array([-2.5, 2.5])))) // [-2, 2]
 *
 * @since 0.1.0
 */
export const fix = trunc

/**
 * Rounds to the nearest integer, halves to even (`jnp.rint`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.rint(np.array([0.5, 1.5, -2.5])))) // [0, 2, -2]
 *
 * @since 0.1.0
 */
export const rint = (x: TensorLike): Tensor => {
  const t = toInexact(toTensor(x))
  // complex: each part rounded (JAX's rint)
  if (isComplex(t.dtype)) return lax.complex(rint(lax.real(t)), rint(lax.imag(t)))
  return lax.round(t, { roundingMethod: "toNearestEven" })
}

/**
 * C's `fmod`: the remainder with the dividend's sign (`jnp.fmod`; `mod` takes
 * the divisor's).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fmod(np.array([-7, 7]), 3))) // [-1, 1]
 *
 * @since 0.1.0
 */
export const fmod = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("fmod", [x, y]) as [Tensor, Tensor]
  return lax.rem(a, nonzeroDivisor(b))
}

/**
 * Elementwise maximum ignoring NaN (NaN only where both are).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fmax(np.array([NaN, 1, NaN]), np.array([2, NaN, NaN])))) // [2, 1, NaN]
 *
 * @since 0.1.0
 */
export const fmax = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("fmax", [x, y]) as [Tensor, Tensor]
  return lax.select(lax.or(lax.gt(a, b), lax.ne(b, b)), a, b)
}

/**
 * Elementwise minimum ignoring NaN.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fmin(np.array([NaN, 1]), np.array([2, NaN])))) // [2, 1]
 *
 * @since 0.1.0
 */
export const fmin = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = prepare("fmin", [x, y]) as [Tensor, Tensor]
  return lax.select(lax.or(lax.lt(a, b), lax.ne(b, b)), a, b)
}

/**
 * Whether the sign bit is set: true for negative numbers and -0. On float32
 * it is the bit itself (JAX's bit cast), so a NaN's sign reads too; on
 * float64, which has no 64-bit integer to cast to, a NaN reads as false.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.signbit(np.array([-1, -0, 0, 2])))) // [true, true, false, false]
 *
 * @since 0.1.0
 */
export const signbit = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (!isInexact(t.dtype)) return t.dtype === "int32" ? lax.lt(t, c(t, 0)) : lax.full(t.shape, 0, "bool")
  if (t.dtype === "float32") {
    const bits = bitcastConvertType(t, "int32")
    return lax.lt(bits, lax.full(bits.shape, 0, "int32"))
  }
  const zero = c(t, 0)
  return lax.or(lax.lt(t, zero), lax.and(lax.eq(t, zero), lax.lt(lax.div(c(t, 1), t), zero)))
}

/**
 * `|x|` with the sign of `y` (`jnp.copysign`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.copysign(np.array([1, -2, 3]), np.array([-0, 1, -1])))) // [-1, 2, -3]
 *
 * @since 0.1.0
 */
export const copysign = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = inexactPair("copysign", x, y)
  if (isComplex(a.dtype)) {
    throw new DTypeError({ operation: "copysign", detail: "copysign does not support complex-valued inputs" })
  }
  const m = lax.abs(a)
  return lax.select(signbit(b), lax.neg(m), m)
}

/**
 * The Heaviside step: 0 below zero, 1 above, `h0` at zero, NaN where `x` is NaN (JAX's
 * and NumPy's).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.heaviside(np.array([-1, 0, 2]), 0.5))) // [0, 0.5, 1]
 *
 * @since 0.1.0
 */
export const heaviside = (x: TensorLike, h0: TensorLike): Tensor => {
  const [a, h] = inexactPair("heaviside", x, h0)
  const atZero = lax.select(lax.ne(a, a), a, h)
  return lax.select(lax.lt(a, c(a, 0)), c(a, 0), lax.select(lax.gt(a, c(a, 0)), c(a, 1), atZero))
}

/**
 * Degrees to radians.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.deg2rad(np.array([180, 90])))) // [3.1415927, 1.5707964]
 *
 * @since 0.1.0
 */
export const deg2rad = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return lax.mul(t, c(t, Math.PI / 180))
}

/**
 * Degrees to radians (`jnp.radians`, the same as `deg2rad`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.radians(np.array([360])))) // [6.2831855]
 *
 * @since 0.1.0
 */
export const radians = deg2rad

/**
 * Radians to degrees.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.rad2deg(np.array([Math.PI / 2])))) // [90]
 *
 * @since 0.1.0
 */
export const rad2deg = (x: TensorLike): Tensor => {
  const t = inexact(x)
  return lax.mul(t, c(t, 180 / Math.PI))
}

/**
 * Radians to degrees (`jnp.degrees`, the same as `rad2deg`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.degrees(np.array([Math.PI])))) // [180]
 *
 * @since 0.1.0
 */
export const degrees = rad2deg

/**
 * `x ** y` in an inexact dtype (`jnp.float_power`: integers are promoted to
 * float first).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.floatPower(np.array([2, 4], { dtype: "int32" }), -1))) // [0.5, 0.25]
 *
 * @since 0.1.0
 */
export const floatPower = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = inexactPair("floatPower", x, y)
  return lax.pow(a, b)
}

/** Options of `nanToNum`: the replacements (0, the largest and the smallest finite value by default). @since 0.1.0 */
export interface NanToNumOptions {
  readonly nan?: number | undefined
  readonly posinf?: number | undefined
  readonly neginf?: number | undefined
}

const largest = (
  dtype: string
): number => (dtype === "float32" || dtype === "complex64" ? 3.4028234663852886e38 : Number.MAX_VALUE)

/**
 * NaN and infinities replaced by finite numbers (`jnp.nan_to_num`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nanToNum(np.array([NaN, Infinity, -Infinity, 1]), { posinf: 9 }))) // [0, 9, -3.4028235e+38, 1]
 *
 * @since 0.1.0
 */
export const nanToNum = (x: TensorLike, options?: NanToNumOptions): Tensor => {
  checkOptions("nanToNum", options, { nan: number, posinf: number, neginf: number })
  const t = toTensor(x)
  if (!isInexact(t.dtype)) return t
  if (isComplex(t.dtype)) return lax.complex(nanToNum(lax.real(t), options), nanToNum(lax.imag(t), options))
  const big = largest(t.dtype)
  const out = lax.select(lax.ne(t, t), c(t, options?.nan ?? 0), t)
  const pos = lax.select(lax.eq(out, c(t, Infinity)), c(t, options?.posinf ?? big), out)
  return lax.select(lax.eq(pos, c(t, -Infinity)), c(t, options?.neginf ?? -big), pos)
}

/** Options of `isclose`/`allclose`: NumPy's tolerances (`rtol` 1e-5, `atol` 1e-8) and NaN equality. @since 0.1.0 */
export interface CloseOptions {
  readonly rtol?: number | undefined
  readonly atol?: number | undefined
  readonly equalNan?: boolean | undefined
}

const closeSpec = { rtol: number, atol: number, equalNan: boolean }

/**
 * `|x - y| <= atol + rtol |y|` elementwise (`jnp.isclose`); equal infinities
 * are close, NaN is close to NaN only with `equalNan`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isclose(np.array([1, 1e-9, NaN]), np.array([1.000001, 0, NaN])))) // [true, true, false]
 *
 * @since 0.1.0
 */
export const isclose = (x: TensorLike, y: TensorLike, options?: CloseOptions): Tensor => {
  checkOptions("isclose", options, closeSpec)
  const [a, b] = prepare("isclose", [x, y]) as [Tensor, Tensor]
  if (!isInexact(a.dtype)) return lax.eq(a, b)
  const rtol = options?.rtol ?? 1e-5
  const atol = options?.atol ?? 1e-8
  const equalNan = options?.equalNan === true
  return jitted("isclose", `${rtol}|${atol}|${equalNan}`, [a, b], (a, b) => closeOf(a!, b!, rtol, atol, equalNan))
}

const closeOf = (a: Tensor, b: Tensor, rtol: number, atol: number, equalNan: boolean): Tensor => {
  const diff = lax.abs(lax.sub(a, b))
  const tol = lax.add(
    lax.full(diff.shape, atol, diff.dtype, true),
    lax.mul(lax.full(diff.shape, rtol, diff.dtype, true), lax.abs(b))
  )
  const finite = lax.and(np.isfinite(a), np.isfinite(b))
  let close = lax.or(lax.and(finite, lax.le(diff, tol)), lax.eq(a, b))
  if (equalNan) close = lax.or(close, lax.and(lax.ne(a, a), lax.ne(b, b)))
  return close
}

/**
 * Whether every element is `isclose` (a bool scalar).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.allclose(np.array([1, 2]), np.array([1, 2.00001])))) // true
 *
 * @since 0.1.0
 */
export const allclose = (x: TensorLike, y: TensorLike, options?: CloseOptions): Tensor => np.all(isclose(x, y, options))

/**
 * Whether two arrays have the same shape and elements (`jnp.array_equal`);
 * different shapes give false.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arrayEqual(np.array([1, 2]), np.array([1, 2])))) // true
 * console.log(toJsSync(np.arrayEqual(np.array([1, 2]), np.array([[1, 2]])))) // false
 *
 * @since 0.1.0
 */
export const arrayEqual = (
  x: TensorLike,
  y: TensorLike,
  options?: { readonly equalNan?: boolean | undefined }
): Tensor => {
  checkOptions("arrayEqual", options, { equalNan: boolean })
  const a = toTensor(x)
  const b = toTensor(y)
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) return lax.full([], 0, "bool")
  let eq = np.equal(a, b)
  if (options?.equalNan === true) eq = lax.or(eq, lax.and(np.isnan(a), np.isnan(b)))
  return np.all(eq)
}

/**
 * Whether two arrays broadcast together and are equal everywhere (`jnp.array_equiv`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.arrayEquiv(np.array([1, 2]), np.array([[1, 2], [1, 2]])))) // true
 *
 * @since 0.1.0
 */
export const arrayEquiv = (x: TensorLike, y: TensorLike): Tensor => {
  const a = toTensor(x)
  const b = toTensor(y)
  try {
    return np.all(np.equal(a, b))
  } catch {
    return lax.full([], 0, "bool")
  }
}

/**
 * Whether each element is -inf (`jnp.isneginf`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isneginf(np.array([-Infinity, Infinity])))) // [true, false]
 *
 * @since 0.1.0
 */
export const isneginf = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isInexact(t.dtype) && !isComplex(t.dtype) ? lax.eq(t, c(t, -Infinity)) : lax.full(t.shape, 0, "bool")
}

/**
 * Whether each element is +inf (`jnp.isposinf`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.isposinf(np.array([-Infinity, Infinity])))) // [false, true]
 *
 * @since 0.1.0
 */
export const isposinf = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  return isInexact(t.dtype) && !isComplex(t.dtype) ? lax.eq(t, c(t, Infinity)) : lax.full(t.shape, 0, "bool")
}
