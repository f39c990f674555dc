/**
 * `np`'s number-theoretic and floating-point decomposition functions: `gcd`
 * and `lcm` (Euclid's algorithm, unrolled to the 46 steps that bound it on
 * 32-bit integers), `divmod`, `modf`, `frexp`, `ldexp`, and `i0`. Compositions
 * of `lax` primitives, so they batch and run on every backend.
 *
 * @since 0.1.0
 */
import { isComplex, isInteger } from "../../DType.js"
import { DTypeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { besselI0 } from "../bessel.js"
import { isFinite as laxIsFinite } from "../lax/special.js"
import { prepare, toInexact, toTensor } from "../npHelpers.js"

const integers = (op: string, x: TensorLike, y: TensorLike): readonly [Tensor, Tensor] => {
  const [a, b] = prepare(op, [x, y]) as [Tensor, Tensor]
  if (!isInteger(a.dtype)) {
    throw new DTypeError({ operation: op, detail: `requires integer arguments, got ${a.dtype}` })
  }
  return [a, b]
}

// Euclid's algorithm on |x|, |y|: each step maps (a, b) to (b, a mod b) while b != 0. Consecutive
// Fibonacci numbers are the slowest pair; F(47) > 2^31, so 46 steps finish every int32 pair.
const EUCLID_STEPS = 46

const gcdImpl = (a0: Tensor, b0: Tensor): Tensor => {
  let a = lax.abs(a0)
  let b = lax.abs(b0)
  const zero = lax.full(a.shape, 0, a.dtype)
  const one = lax.full(a.shape, 1, a.dtype)
  for (let i = 0; i < EUCLID_STEPS; i++) {
    const nonzero = lax.ne(b, zero)
    const r = lax.rem(a, lax.select(nonzero, b, one))
    a = lax.select(nonzero, b, a)
    b = lax.select(nonzero, r, zero)
  }
  return a
}

/**
 * The greatest common divisor of `|x1|` and `|x2|` (0 when both are 0).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const i32 = (xs: Array<number>) => np.array(xs, { dtype: "int32" })
 * console.log(toJsSync(np.gcd(i32([12, 20, 0, -9]), i32([18, 15, 0, 6])))) // [6, 5, 0, 3]
 *
 * @since 0.1.0
 */
export const gcd = (x1: TensorLike, x2: TensorLike): Tensor => gcdImpl(...integers("gcd", x1, x2))

/**
 * The least common multiple of `|x1|` and `|x2|` (0 when either is 0).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const i32 = (xs: Array<number>) => np.array(xs, { dtype: "int32" })
 * console.log(toJsSync(np.lcm(i32([4, 6, 0]), i32([6, 10, 5])))) // [12, 30, 0]
 *
 * @since 0.1.0
 */
export const lcm = (x1: TensorLike, x2: TensorLike): Tensor => {
  const [a, b] = integers("lcm", x1, x2)
  const d = gcdImpl(a, b)
  const zero = lax.full(d.shape, 0, d.dtype)
  const isZero = lax.eq(d, zero)
  const safe = lax.select(isZero, lax.full(d.shape, 1, d.dtype), d)
  return lax.select(isZero, zero, lax.abs(lax.mul(lax.div(a, safe), b)))
}

/**
 * `(floorDivide(x1, x2), mod(x1, x2))`.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.divmod(np.array([7, -7]), np.array([2, 2])))) // [[3, -4], [1, 1]]
 *
 * @since 0.1.0
 */
export const divmod = (x1: TensorLike, x2: TensorLike): [Tensor, Tensor] => [np.floorDivide(x1, x2), np.mod(x1, x2)]

/**
 * The fractional and integral parts of `x`, both with its sign (JAX's: `x - whole`, `whole`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.modf(np.array([2.5, -1.25])))) // [[0.5, -0.25], [2, -1]]
 *
 * @since 0.1.0
 */
export const modf = (x: TensorLike): [Tensor, Tensor] => {
  const t = toInexact(toTensor(x))
  const whole = lax.select(lax.ge(t, lax.full(t.shape, 0, t.dtype)), lax.floor(t), lax.ceil(t))
  return [lax.sub(t, whole), whole]
}

/**
 * `x1 * 2 ** x2` with an integer exponent, in two factors so that a result in
 * range is not lost to an intermediate power that over- or underflows; 0,
 * infinities and NaN give themselves (JAX's: `-inf` times a factor that
 * underflowed to 0 was NaN).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const e = np.array([2, -3, 0], { dtype: "int32" })
 * console.log(toJsSync(np.ldexp(np.array([0.75, 1, 3]), e))) // [3, 0.125, 3]
 *
 * @since 0.1.0
 */
export const ldexp = (x1: TensorLike, x2: TensorLike): Tensor => {
  const m = toInexact(toTensor(x1))
  const e0 = toTensor(x2)
  if (!isInteger(e0.dtype)) {
    throw new DTypeError({ operation: "ldexp", detail: `the exponent must be an integer array, got ${e0.dtype}` })
  }
  const [mb, eb] = prepare("ldexp", [m, np.astype(e0, m.dtype)]) as [Tensor, Tensor]
  const half = lax.floor(lax.div(eb, lax.full(eb.shape, 2, eb.dtype)))
  const two = lax.full(eb.shape, 2, eb.dtype)
  const scaled = lax.mul(lax.mul(mb, lax.pow(two, half)), lax.pow(two, lax.sub(eb, half)))
  const itself = lax.or(lax.not(laxIsFinite(mb)), lax.eq(mb, lax.full(mb.shape, 0, mb.dtype)))
  return lax.select(itself, mb, scaled)
}

/**
 * The mantissa in `[0.5, 1)` (with the sign of `x`) and the int32 exponent with
 * `x = mantissa * 2 ** exponent`; 0, infinities and NaN give themselves and 0.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [m, e] = np.frexp(np.array([8, 0.3, -5, 0]))
 * console.log(toJsSync([m, e])) // [[0.5, 0.6, -0.625, 0], [4, -1, 3, 0]]
 *
 * @since 0.1.0
 */
export const frexp = (x: TensorLike): [Tensor, Tensor] => {
  const t = toInexact(toTensor(x))
  if (isComplex(t.dtype)) {
    throw new DTypeError({ operation: "frexp", detail: "frexp does not support complex-valued inputs" })
  }
  const a = lax.abs(t)
  const special = lax.or(lax.eq(a, lax.full(a.shape, 0, a.dtype)), lax.not(laxIsFinite(t)))
  const safe = lax.select(special, lax.full(a.shape, 1, a.dtype), a)
  let e = lax.add(
    lax.floor(lax.div(lax.log(safe), lax.full(a.shape, Math.LN2, a.dtype))),
    lax.full(a.shape, 1, a.dtype)
  )
  const two = lax.full(a.shape, 2, a.dtype)
  // 2^e in two factors: 2^1024 and 2^-1074 are out of range, their halves are not
  const h = lax.floor(lax.div(e, two))
  let m = lax.div(lax.div(safe, lax.pow(two, h)), lax.pow(two, lax.sub(e, h)))
  // log rounding can put the mantissa one binade off: correct it
  const one = lax.full(a.shape, 1, a.dtype)
  const halfV = lax.full(a.shape, 0.5, a.dtype)
  const high = lax.ge(m, one)
  m = lax.select(high, lax.mul(m, halfV), m)
  e = lax.select(high, lax.add(e, one), e)
  const low = lax.lt(m, halfV)
  m = lax.select(low, lax.mul(m, two), m)
  e = lax.select(low, lax.sub(e, one), e)
  const mantissa = lax.select(special, t, lax.mul(lax.sign(t), m))
  const exponent = lax.select(special, lax.full(a.shape, 0, "int32"), lax.convertElementType(e, "int32"))
  return [mantissa, exponent]
}

/**
 * The modified Bessel function of the first kind of order 0 (`special.i0`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.i0(np.array([0, 1], { dtype: "float64" })))) // [1, 1.2660658777520082]
 *
 * @since 0.1.0
 */
// jnp.i0's custom JVP (0 at x = 0, where differentiating |x| would give 1)
export const i0 = (x: TensorLike): Tensor => besselI0(toInexact(toTensor(x)))
