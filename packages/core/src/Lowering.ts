/**
 * The elementwise lowering table: each elementwise primitive as kernel IR
 * expressions (core/src/Kernel.ts), one per output lane. Every backend compiles
 * these, so the meaning of `sin`, of complex division or of `round` is written
 * once, here. Complex values lower to pairs of real expressions.
 *
 * Operand validation (shapes, dtypes) is abstract evaluation's job; a dtype
 * reaching a rule that has no lowering for it is an internal error.
 *
 * @since 0.1.0
 */
import type { DType } from "./DType.js"
import { isComplex, isInteger } from "./DType.js"
import { cacos, casin, catan, type Cx } from "./internal/complexInverse.js"
import { copysign, hypot, k, largestFinite, logHypot, zeroTimes } from "./internal/exprMath.js"
import { digamma, erf, erfc, erfInv, lgamma } from "./internal/specialFunctions.js"
import * as K from "./Kernel.js"
import type { Expr, ScalarType } from "./Kernel.js"
import type { ElementwisePrimitive, Params } from "./Primitive.js"

/**
 * Lowers one elementwise primitive: given the operands' dtypes, the output dtype
 * and the params, the IR expression of each output lane (1 for real dtypes, 2
 * for complex ones, 0 for `float0`). Operand `i` is read with `Kernel.input(i, ...)`.
 *
 * @since 0.1.0
 */
export type ElementwiseLowering<P extends ElementwisePrimitive> = (
  inDTypes: ReadonlyArray<DType>,
  outDType: DType,
  params: Params<P>
) => ReadonlyArray<Expr>

// A value being lowered: its lanes ([x] for real, [re, im] for complex).
type Lanes = ReadonlyArray<Expr>

const unsupported = (prim: string, dtypes: ReadonlyArray<DType>): never => {
  throw new Error(`internal: no elementwise lowering of ${prim} for dtypes (${dtypes.join(", ")})`)
}

const typeOf = (d: DType): ScalarType => {
  const t = K.scalarType(d)
  if (t === undefined) throw new Error("internal: float0 has no scalar lanes")
  return t
}

const load = (d: DType, index: number): Lanes => {
  if (d === "float0") return []
  const t = typeOf(d)
  return isComplex(d) ? [K.input(index, t, 0), K.input(index, t, 1)] : [K.input(index, t)]
}

// ---------------------------------------------------------------------------
// Real helpers

/**
 * `1 / (1 + exp(-x))` from one `e = exp(-|x|)` (no overflow): `1 / (1 + e)` for
 * x >= 0, `e / (1 + e)` below. The rounding of `1 + e` is recovered exactly
 * (`dLo`, Fast2Sum: 1 >= e) and corrected for, which keeps float32 results
 * within 2 ulps (docs/numerics.md).
 */
const logistic = (x: Expr): Expr => {
  const t = x.type
  const one = k(1, t)
  const e = K.exp(K.neg(K.abs(x)))
  // (a barrier: `d - 1` is not `e` once d is rounded, which a reassociating GPU compiler forgets)
  const d = K.barrier(K.add(one, e))
  const dLo = K.sub(e, K.sub(d, one))
  const inv = K.div(one, d)
  // 1 / (d + dLo) = inv (1 - dLo inv) to first order; likewise e / (d + dLo).
  const pos = K.sub(inv, K.mul(inv, K.mul(inv, dLo)))
  const q = K.div(e, d)
  const neg = K.sub(q, K.mul(q, K.mul(inv, dLo)))
  return K.select(K.ge(x, k(0, t)), pos, neg)
}

// ---------------------------------------------------------------------------
// Complex helpers (pairs of real expressions)

const cx = (l: Lanes): Cx => [l[0]!, l[1]!]
const cadd = ([a, b]: Cx, [c, d]: Cx): Cx => [K.add(a, c), K.add(b, d)]
const csub = ([a, b]: Cx, [c, d]: Cx): Cx => [K.sub(a, c), K.sub(b, d)]
const cmul = ([a, b]: Cx, [c, d]: Cx): Cx => [K.sub(K.mul(a, c), K.mul(b, d)), K.add(K.mul(a, d), K.mul(b, c))]
const cneg = ([a, b]: Cx): Cx => [K.neg(a), K.neg(b)]
const cconst = (re: number, im: number, t: ScalarType): Cx => [k(re, t), k(im, t)]

/**
 * Smith's algorithm: divides by the larger of |c|, |d| to avoid overflow. A real or imaginary
 * divisor divides the parts directly (no `inf * 0` from the ratio: `(-inf + 0i) / 2` is `-inf + 0i`).
 */
const cdiv = ([a, b]: Cx, [c, d]: Cx): Cx => {
  const t = a.type
  const useC = K.ge(K.abs(c), K.abs(d))
  const r1 = K.div(d, c)
  const den1 = K.add(c, K.mul(d, r1))
  const r2 = K.div(c, d)
  const den2 = K.add(K.mul(c, r2), d)
  const realDivisor = K.eq(d, k(0, t))
  const imagDivisor = K.and(K.eq(c, k(0, t)), K.ne(d, k(0, t)))
  const pick = (smith: Expr, byReal: Expr, byImag: Expr) =>
    K.select(realDivisor, byReal, K.select(imagDivisor, byImag, smith))
  return [
    pick(
      K.select(useC, K.div(K.add(a, K.mul(b, r1)), den1), K.div(K.add(K.mul(a, r2), b), den2)),
      K.div(a, c),
      K.div(b, d)
    ),
    pick(
      K.select(useC, K.div(K.sub(b, K.mul(a, r1)), den1), K.div(K.sub(K.mul(b, r2), a), den2)),
      K.div(b, c),
      K.neg(K.div(a, d))
    )
  ]
}

/**
 * `z^2` as `((x - y)(x + y), 2 (x y))` (`chlo.square`): no cancellation in the real part, 0 for
 * `|x| = |y|` finite (where `x + y` may overflow), and `2 (x y)` where `2 x` alone would overflow
 * (`x y` behind a barrier: Mesa's shader compiler reassociated it into `(2 x) y`).
 */
const csquare = ([x, y]: Cx): Cx => {
  const t = x.type
  const equal = K.and(K.eq(K.abs(x), K.abs(y)), K.lt(K.abs(x), k(Infinity, t)))
  return [K.select(equal, k(0, t), K.mul(K.sub(x, y), K.add(x, y))), K.mul(k(2, t), K.barrier(K.mul(x, y)))]
}

const cabs = ([a, b]: Cx): Expr => hypot(a, b)

const cexp = ([a, b]: Cx): Cx => {
  const ea = K.exp(a)
  // exp(inf + 0i) is inf + 0i, not inf + NaN i (inf * sin 0).
  return [K.mul(ea, K.cos(b)), K.select(K.eq(b, k(0, b.type)), b, K.mul(ea, K.sin(b)))]
}

const clog = (z: Cx): Cx => [logHypot(z[0], z[1]), K.atan2(z[1], z[0])]

/**
 * Principal square root (Kahan's formulation): the real part is >= 0, the imaginary part has the
 * sign of `b`. Past a quarter of the largest value the operand is scaled by 1/4 and the root by 2
 * (`hypot` and `|a| + |z|` overflowed: sqrt(1.8e308 (1 + i)) was inf); C99's infinities: an
 * infinite imaginary part gives `inf + b i` whatever `a` is.
 */
const csqrt = ([a0, b0]: Cx): Cx => {
  const t = a0.type
  const big = K.gt(K.max(K.abs(a0), K.abs(b0)), k(largestFinite(t) / 4, t))
  const a = K.select(big, K.mul(a0, k(0.25, t)), a0)
  const b = K.select(big, K.mul(b0, k(0.25, t)), b0)
  const m = hypot(a, b)
  const s = K.sqrt(K.mul(K.add(K.abs(a), m), k(0.5, t)))
  const q = K.div(K.abs(b), K.mul(k(2, t), s))
  const nonneg = K.ge(a, k(0, t))
  const zero = K.eq(s, k(0, t))
  const unscale = (v: Expr) => K.select(big, K.mul(v, k(2, t)), v)
  const infIm = K.eq(K.abs(b0), k(Infinity, t))
  return [
    K.select(infIm, k(Infinity, t), unscale(K.select(zero, k(0, t), K.select(nonneg, s, q)))),
    K.select(infIm, b0, unscale(K.select(zero, b, K.select(nonneg, copysign(q, b), copysign(s, b)))))
  ]
}

// A zero part of the operand gives a signed zero where the products would be 0 * inf = NaN
// (sin(1e300 i) is 0 + inf i, cos(1e300 i) is inf + 0 i).
const isZero = (v: Expr): Expr => K.eq(v, k(0, v.type))
const csin = ([a, b]: Cx): Cx => [
  K.select(isZero(a), a, K.mul(K.sin(a), K.cosh(b))),
  K.select(isZero(b), zeroTimes(b, K.cos(a)), K.mul(K.cos(a), K.sinh(b)))
]
const ccos = ([a, b]: Cx): Cx => [
  K.mul(K.cos(a), K.cosh(b)),
  K.neg(
    K.select(
      isZero(b),
      zeroTimes(b, K.sin(a)),
      K.select(isZero(a), zeroTimes(a, K.sinh(b)), K.mul(K.sin(a), K.sinh(b)))
    )
  )
]
const csinh = ([a, b]: Cx): Cx => [
  K.select(isZero(a), zeroTimes(a, K.cos(b)), K.mul(K.sinh(a), K.cos(b))),
  K.select(isZero(b), b, K.mul(K.cosh(a), K.sin(b)))
]
const ccosh = ([a, b]: Cx): Cx => [
  K.mul(K.cosh(a), K.cos(b)),
  K.select(isZero(a), zeroTimes(a, K.sin(b)), K.select(isZero(b), zeroTimes(b, K.sinh(a)), K.mul(K.sinh(a), K.sin(b))))
]

/**
 * tanh(a + bi) by Kahan's formula: with t = tan b, beta = 1 + t^2, s = sinh a and
 * rho = sqrt(1 + s^2), tanh = (beta rho s + i t) / (1 + beta s^2). Nothing doubles b (sin 2b
 * overflowed to NaN past b = 9e307). Past |a| = 20 the real part is sign(a) to working precision
 * and the imaginary part 4 sin b cos b e^(-2|a|) (where s^2 would overflow); an infinite `a` gives
 * `+-1 +- 0i` whatever `b` is (C99).
 */
const ctanh = ([a, b]: Cx): Cx => {
  const t = a.type
  const one = k(1, t)
  const tb = K.tan(b)
  const beta = K.add(one, K.mul(tb, tb))
  const s = K.sinh(a)
  const rho = K.sqrt(K.add(one, K.mul(s, s)))
  const den = K.add(one, K.mul(beta, K.mul(s, s)))
  const big = K.gt(K.abs(a), k(20, t))
  const infA = K.eq(K.abs(a), k(Infinity, t))
  const farIm = K.mul(K.mul(k(4, t), K.mul(K.sin(b), K.cos(b))), K.exp(K.mul(k(-2, t), K.abs(a))))
  return [
    // (past |a| = 20 an infinite or NaN b still gives NaN; tested directly, as a GPU compiler may
    // fold 0 * b to 0)
    K.select(
      big,
      K.select(
        K.and(K.not(infA), K.or(K.isnan(b), K.eq(K.abs(b), k(Infinity, t)))),
        k(NaN, t),
        copysign(one, a)
      ),
      K.div(K.mul(K.mul(beta, rho), s), den)
    ),
    K.select(infA, zeroTimes(k(0, t), b), K.select(big, farIm, K.div(tb, den)))
  ]
}
/** tan z = -i tanh(i z). */
const ctan = ([a, b]: Cx): Cx => {
  const [re, im] = ctanh([K.neg(b), a])
  return [im, K.neg(re)]
}

const cone = (t: ScalarType): Cx => cconst(1, 0, t)
/**
 * log(1 + z), accurate for small |z|: log|1+z| = log1p(2a + a^2 + b^2) / 2; past |z| = 2^26 (where
 * the squares overflowed: log1p(1e200 i) was inf) and where 1 + a < 1/2 (where the sum cancels to
 * -1: log1p(-1 + 1e-200 i) was -inf), log|1 + z| itself, as hypot, which loses nothing there.
 */
const clog1p = ([a, b]: Cx): Cx => {
  const t = a.type
  const one = k(1, t)
  const s = K.add(K.mul(a, K.add(k(2, t), a)), K.mul(b, b))
  const big = K.or(K.gt(cabs([a, b]), k(2 ** 26, t)), K.lt(K.add(one, a), k(0.5, t)))
  const re = K.select(big, logHypot(K.add(one, a), b), K.mul(k(0.5, t), K.log1p(s)))
  return [re, K.atan2(b, K.add(one, a))]
}
/** exp(z) - 1, accurate for small |z|: re = expm1(a) cos b - 2 sin^2(b/2). */
const cexpm1 = ([a, b]: Cx): Cx => {
  const t = a.type
  const h = K.sin(K.mul(k(0.5, t), b))
  const re = K.sub(K.mul(K.expm1(a), K.cos(b)), K.mul(k(2, t), K.mul(h, h)))
  return [re, K.select(isZero(b), b, K.mul(K.exp(a), K.sin(b)))]
}

const csign = (z: Cx): Cx => {
  const t = z[0].type
  const m = cabs(z)
  const isZero = K.eq(m, k(0, t))
  return [K.select(isZero, k(0, t), K.div(z[0], m)), K.select(isZero, k(0, t), K.div(z[1], m))]
}

/**
 * x ** y = exp(y log x). For x = 0: 0 ** 0 = 1, 0 ** y = 0 when re(y) > 0, and
 * NaN otherwise (the limit does not exist).
 */
const cpow = (x: Cx, y: Cx): Cx => {
  const t = x[0].type
  const r = cexp(cmul(y, clog(x)))
  const z = k(0, t)
  const xZero = K.and(K.eq(x[0], z), K.eq(x[1], z))
  const yZero = K.and(K.eq(y[0], z), K.eq(y[1], z))
  const atZero = (one: number): Expr => K.select(yZero, k(one, t), K.select(K.gt(y[0], z), z, k(NaN, t)))
  return [K.select(xZero, atZero(1), r[0]), K.select(xZero, atZero(0), r[1])]
}

/** Lexicographic order on complex numbers (JAX's `lax.max` on complex), NaN-propagating. */
const cmaxmin = (x: Cx, y: Cx, isMax: boolean): Cx => {
  const gt = isMax ? K.gt : K.lt
  const pickX = K.or(gt(x[0], y[0]), K.and(K.eq(x[0], y[0]), K.ge(isMax ? x[1] : y[1], isMax ? y[1] : x[1])))
  const nan = K.or(K.or(K.isnan(x[0]), K.isnan(x[1])), K.or(K.isnan(y[0]), K.isnan(y[1])))
  const t = x[0].type
  return [
    K.select(nan, k(NaN, t), K.select(pickX, x[0], y[0])),
    K.select(nan, k(NaN, t), K.select(pickX, x[1], y[1]))
  ]
}

// x ** n by repeated squaring, with `mul` the type's product, `one` its unit and `square` its square.
const powBySquaring = <V>(
  x: V,
  n: number,
  mul: (a: V, b: V) => V,
  one: V,
  square: (a: V) => V = (a) => mul(a, a)
): V => {
  let result: V | undefined
  let base = x
  let e = n
  while (e > 0) {
    if ((e & 1) === 1) result = result === undefined ? base : mul(result, base)
    e >>>= 1
    if (e > 0) base = square(base)
  }
  return result ?? one
}

// ---------------------------------------------------------------------------
// Conversions

/** Converts one value (lanes of dtype `from`) to dtype `to`. */
const convert = (v: Lanes, from: DType, to: DType): Lanes => {
  if (to === "float0") return []
  if (from === "float0") return unsupported("convert_element_type", [from, to])
  const t = typeOf(to)
  if (isComplex(to)) return isComplex(from) ? [K.cast(v[0]!, t), K.cast(v[1]!, t)] : [K.cast(v[0]!, t), k(0, t)]
  if (isComplex(from)) {
    // bool(z) is z != 0; a number takes the real part (NumPy, with its ComplexWarning).
    if (to === "bool") return [K.or(K.cast(v[0]!, "bool"), K.cast(v[1]!, "bool"))]
    return [K.cast(v[0]!, t)]
  }
  return [K.cast(v[0]!, t)]
}

// ---------------------------------------------------------------------------
// Rule builders

type Rule<P extends ElementwisePrimitive> = ElementwiseLowering<P>

/** A unary rule: `real` on real floats (and ints when `ints`), `complex` on complex. */
const unaryRule = <P extends ElementwisePrimitive>(
  name: P,
  real: ((x: Expr) => Expr) | undefined,
  complex: ((z: Cx) => Cx) | undefined,
  options: { readonly ints?: boolean; readonly bools?: boolean } = {}
): Rule<P> =>
(ins) => {
  const d = ins[0]!
  const v = load(d, 0)
  if (isComplex(d)) return complex !== undefined ? complex(cx(v)) : unsupported(name, ins)
  if (real === undefined) return unsupported(name, ins)
  if (isInteger(d) && options.ints !== true) return unsupported(name, ins)
  if (d === "bool" && options.bools !== true) return unsupported(name, ins)
  return [real(v[0]!)]
}

/** A binary rule on operands of one dtype. */
const binaryRule = <P extends ElementwisePrimitive>(
  name: P,
  real: ((x: Expr, y: Expr, d: DType) => Expr) | undefined,
  complex: ((x: Cx, y: Cx) => Lanes) | undefined
): Rule<P> =>
(ins) => {
  const d = ins[0]!
  const x = load(d, 0)
  const y = load(ins[1]!, 1)
  if (isComplex(d)) return complex !== undefined ? complex(cx(x), cx(y)) : unsupported(name, ins)
  if (real === undefined || d === "float0") return unsupported(name, ins)
  return [real(x[0]!, y[0]!, d)]
}

/** Rounding is the identity on integers and booleans. */
const floatOnly = (f: (x: Expr) => Expr) => (x: Expr): Expr => K.isFloatType(x.type) ? f(x) : x

const noBool = (name: string, f: (x: Expr, y: Expr) => Expr) => (x: Expr, y: Expr, d: DType): Expr =>
  d === "bool" ? unsupported(name, [d, d]) : f(x, y)

const floatBinary = (name: string, f: (x: Expr, y: Expr) => Expr) => (x: Expr, y: Expr, d: DType): Expr =>
  K.isFloatType(x.type) ? f(x, y) : unsupported(name, [d, d])

const intOrBool = (name: string, f: (x: Expr, y: Expr) => Expr) => (x: Expr, y: Expr, d: DType): Expr =>
  K.isFloatType(x.type) ? unsupported(name, [d, d]) : f(x, y)

const intOnly = (name: string, f: (x: Expr, y: Expr) => Expr) => (x: Expr, y: Expr, d: DType): Expr =>
  K.isIntType(x.type) ? f(x, y) : unsupported(name, [d, d])

/** Identity on real values; float-only unary ops act only on the float lanes. */
const identity = (x: Expr): Expr => x

/**
 * The lowering of every elementwise primitive.
 *
 * @example
 * import { Kernel, Lowering } from "diffect/extend"
 * const [re, im] = Lowering.elementwiseRules.mul(["complex64", "complex64"], "complex64", {})
 * console.log(Kernel.format(re!)) // sub(mul(in0:f32, in1:f32), mul(in0.im:f32, in1.im:f32))
 * console.log(Kernel.format(im!)) // add(mul(in0:f32, in1.im:f32), mul(in0.im:f32, in1:f32))
 *
 * @since 0.1.0
 */
export const elementwiseRules: { readonly [P in ElementwisePrimitive]: ElementwiseLowering<P> } = {
  neg: unaryRule("neg", K.neg, cneg, { ints: true }),
  sin: unaryRule("sin", K.sin, csin),
  cos: unaryRule("cos", K.cos, ccos),
  tan: unaryRule("tan", K.tan, ctan),
  asin: unaryRule("asin", K.asin, casin),
  acos: unaryRule("acos", K.acos, cacos),
  atan: unaryRule("atan", K.atan, catan),
  sinh: unaryRule("sinh", K.sinh, csinh),
  cosh: unaryRule("cosh", K.cosh, ccosh),
  tanh: unaryRule("tanh", K.tanh, ctanh),
  exp: unaryRule("exp", K.exp, cexp),
  log: unaryRule("log", K.log, clog),
  log1p: unaryRule("log1p", K.log1p, clog1p),
  expm1: unaryRule("expm1", K.expm1, cexpm1),
  sqrt: unaryRule("sqrt", K.sqrt, csqrt),
  rsqrt: unaryRule("rsqrt", (x) => K.div(k(1, x.type), K.sqrt(x)), (z) => cdiv(cone(z[0].type), csqrt(z))),
  abs: (ins, out) => {
    const d = ins[0]!
    const v = load(d, 0)
    if (isComplex(d)) return [K.cast(cabs(cx(v)), typeOf(out))]
    if (d === "bool") return v
    return d === "float0" ? unsupported("abs", ins) : [K.abs(v[0]!)]
  },
  sign: unaryRule("sign", K.sign, csign, { ints: true }),
  floor: unaryRule("floor", floatOnly(K.floor), undefined, { ints: true, bools: true }),
  ceil: unaryRule("ceil", floatOnly(K.ceil), undefined, { ints: true, bools: true }),
  round: unaryRule("round", floatOnly(K.round), undefined, { ints: true, bools: true }),
  logistic: unaryRule("logistic", logistic, (z) => cdiv(cone(z[0].type), cadd(cone(z[0].type), cexp(cneg(z))))),
  erf: unaryRule("erf", erf, undefined),
  erfc: unaryRule("erfc", erfc, undefined),
  erf_inv: unaryRule("erf_inv", erfInv, undefined),
  lgamma: unaryRule("lgamma", lgamma, undefined),
  digamma: unaryRule("digamma", digamma, undefined),
  integer_pow: (ins, _out, { y }) => {
    const d = ins[0]!
    const v = load(d, 0)
    const n = Math.abs(y)
    if (isComplex(d)) {
      const one = cone(typeOf(d))
      const p = powBySquaring(cx(v), n, cmul, one, csquare)
      return y < 0 ? cdiv(one, p) : p
    }
    if (d === "bool" || d === "float0") return unsupported("integer_pow", ins)
    const t = typeOf(d)
    const p = powBySquaring(v[0]!, n, K.mul, k(1, t))
    return [y < 0 ? K.div(k(1, t), p) : p]
  },
  not: (ins) => isInteger(ins[0]!) || ins[0] === "bool" ? [K.not(load(ins[0]!, 0)[0]!)] : unsupported("not", ins),
  real: (ins, out) => {
    const v = load(ins[0]!, 0)
    return [K.cast(v[0]!, typeOf(out))]
  },
  imag: (ins, out) => {
    const v = load(ins[0]!, 0)
    return [isComplex(ins[0]!) ? K.cast(v[1]!, typeOf(out)) : k(0, typeOf(out))]
  },
  conj: (ins, out) => {
    const v = convert(load(ins[0]!, 0), ins[0]!, out)
    return isComplex(out) ? [v[0]!, K.neg(v[1]!)] : v
  },
  convert_element_type: (ins, out) => convert(load(ins[0]!, 0), ins[0]!, out),
  stop_gradient: (ins) => load(ins[0]!, 0).map(identity),

  add: binaryRule("add", (x, y, d) => d === "bool" ? K.or(x, y) : K.add(x, y), cadd),
  sub: binaryRule("sub", noBool("sub", K.sub), csub),
  mul: binaryRule("mul", (x, y, d) => d === "bool" ? K.and(x, y) : K.mul(x, y), cmul),
  div: binaryRule("div", noBool("div", K.div), cdiv),
  pow: binaryRule("pow", noBool("pow", K.pow), cpow),
  max: binaryRule("max", (x, y, d) => d === "bool" ? K.or(x, y) : K.max(x, y), (x, y) => cmaxmin(x, y, true)),
  min: binaryRule("min", (x, y, d) => d === "bool" ? K.and(x, y) : K.min(x, y), (x, y) => cmaxmin(x, y, false)),
  atan2: binaryRule("atan2", floatBinary("atan2", K.atan2), undefined),
  rem: binaryRule("rem", noBool("rem", K.rem), undefined),
  and: binaryRule("and", intOrBool("and", K.and), undefined),
  or: binaryRule("or", intOrBool("or", K.or), undefined),
  xor: binaryRule("xor", intOrBool("xor", K.xor), undefined),
  shift_left: binaryRule("shift_left", intOnly("shift_left", K.shl), undefined),
  shift_right_logical: binaryRule("shift_right_logical", intOnly("shift_right_logical", K.shrl), undefined),
  shift_right_arithmetic: binaryRule("shift_right_arithmetic", intOnly("shift_right_arithmetic", K.shra), undefined),
  eq: binaryRule("eq", K.eq, (x, y) => [K.and(K.eq(x[0], y[0]), K.eq(x[1], y[1]))]),
  ne: binaryRule("ne", K.ne, (x, y) => [K.or(K.ne(x[0], y[0]), K.ne(x[1], y[1]))]),
  lt: binaryRule("lt", K.lt, undefined),
  le: binaryRule("le", K.le, undefined),
  gt: binaryRule("gt", K.gt, undefined),
  ge: binaryRule("ge", K.ge, undefined),
  complex: (ins, out) => {
    const t = typeOf(out)
    return [K.cast(load(ins[0]!, 0)[0]!, t), K.cast(load(ins[1]!, 1)[0]!, t)]
  },
  select: (ins) => {
    const pred = load(ins[0]!, 0)[0]!
    const onTrue = load(ins[1]!, 1)
    const onFalse = load(ins[2]!, 2)
    return onTrue.map((x, i) => K.select(pred, x, onFalse[i]!))
  }
}

/**
 * The output lanes of elementwise primitive `primitive` (see `ElementwiseLowering`).
 *
 * @since 0.1.0
 */
export const lowerElementwise = <P extends ElementwisePrimitive>(
  primitive: P,
  inDTypes: ReadonlyArray<DType>,
  outDType: DType,
  params: Params<P>
): ReadonlyArray<Expr> => (elementwiseRules[primitive] as ElementwiseLowering<P>)(inDTypes, outDType, params)

// Lowerings whose float32 form is a float64 algorithm: special functions whose
// series and rational approximations lose many ulps with a float32 rounding at
// every step (lgamma near its zeros: hundreds), so a backend computing float32 in
// float64 evaluates them there and rounds once.
const wideFloat32: ReadonlySet<ElementwisePrimitive> = new Set<ElementwisePrimitive>([
  "lgamma",
  "digamma",
  "erf",
  "erfc",
  "erf_inv"
])

/**
 * Whether a backend that computes float32 values in float64 should evaluate
 * this primitive's lowering in float64, rounding only its results to float32:
 * the special functions written as float64 algorithms, and every primitive with
 * a complex operand or result (complex formulas cancel: `|z|`, `sqrt z`,
 * `asin z`). The other float32 lowerings are float32 algorithms, exact or
 * within a few ulps with IEEE float32 arithmetic at every step (what a SIMD
 * kernel computes). A fused kernel marks these nodes in `FusedKernelSpec.wide`.
 *
 * @since 0.1.0
 */
export const isWideFloat32 = (
  primitive: ElementwisePrimitive,
  inDTypes: ReadonlyArray<DType>,
  outDType: DType
): boolean =>
  wideFloat32.has(primitive) || outDType === "complex64" || outDType === "complex128" ||
  inDTypes.some((d) => d === "complex64" || d === "complex128")
