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
type Cx = readonly [Expr, Expr]

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

const k = (value: number, t: ScalarType): Expr => K.constant(value, t)

// ---------------------------------------------------------------------------
// Real helpers

/** `sqrt(a^2 + b^2)` without overflow or underflow (scaled by the larger magnitude). */
const hypot = (a: Expr, b: Expr): Expr => {
  const t = a.type
  const aa = K.abs(a)
  const ab = K.abs(b)
  const m = K.max(aa, ab)
  const n = K.min(aa, ab)
  const r = K.div(n, m)
  const scaled = K.mul(m, K.sqrt(K.add(k(1, t), K.mul(r, r))))
  // n == 0 covers m == 0 (r would be 0/0); m == inf would give inf * NaN.
  return K.select(K.eq(n, k(0, t)), m, K.select(K.eq(m, k(Infinity, t)), m, scaled))
}

/** Whether `x` has its sign bit set (true for -0 too, unlike `x < 0`). */
const signBit = (x: Expr): Expr => {
  const t = x.type
  return K.or(K.lt(x, k(0, t)), K.lt(K.div(k(1, t), x), k(0, t)))
}

/** `|mag|` with the sign of `sgn` (C's `copysign`). */
const copysign = (mag: Expr, sgn: Expr): Expr => {
  const a = K.abs(mag)
  return K.select(signBit(sgn), K.neg(a), a)
}

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
  const d = K.add(one, e)
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

/** Smith's algorithm: divides by the larger of |c|, |d| to avoid overflow. */
const cdiv = ([a, b]: Cx, [c, d]: Cx): Cx => {
  const useC = K.ge(K.abs(c), K.abs(d))
  const r1 = K.div(d, c)
  const den1 = K.add(c, K.mul(d, r1))
  const r2 = K.div(c, d)
  const den2 = K.add(K.mul(c, r2), d)
  return [
    K.select(useC, K.div(K.add(a, K.mul(b, r1)), den1), K.div(K.add(K.mul(a, r2), b), den2)),
    K.select(useC, K.div(K.sub(b, K.mul(a, r1)), den1), K.div(K.sub(K.mul(b, r2), a), den2))
  ]
}

const cabs = ([a, b]: Cx): Expr => hypot(a, b)

const cexp = ([a, b]: Cx): Cx => {
  const ea = K.exp(a)
  // exp(inf + 0i) is inf + 0i, not inf + NaN i (inf * sin 0).
  return [K.mul(ea, K.cos(b)), K.select(K.eq(b, k(0, b.type)), b, K.mul(ea, K.sin(b)))]
}

const clog = (z: Cx): Cx => [K.log(cabs(z)), K.atan2(z[1], z[0])]

/**
 * Principal square root (Kahan's formulation): the real part is >= 0, the imaginary part has the
 * sign of `b`. `(|a| + |z|) / 2` is halved before the sum where the sum overflows (sqrt(1e308) was
 * inf), after it elsewhere (halving a denormal first loses its last bit).
 */
const csqrt = ([a, b]: Cx): Cx => {
  const t = a.type
  const m = hypot(a, b)
  const sum = K.add(K.abs(a), m)
  const halved = K.select(
    K.lt(sum, k(Infinity, t)),
    K.mul(sum, k(0.5, t)),
    K.add(K.mul(K.abs(a), k(0.5, t)), K.mul(m, k(0.5, t)))
  )
  const s = K.sqrt(halved)
  const q = K.div(K.abs(b), K.mul(k(2, t), s))
  const nonneg = K.ge(a, k(0, t))
  const zero = K.eq(s, k(0, t))
  return [
    K.select(zero, k(0, t), K.select(nonneg, s, q)),
    K.select(zero, b, K.select(nonneg, copysign(q, b), copysign(s, b)))
  ]
}

const csin = ([a, b]: Cx): Cx => [K.mul(K.sin(a), K.cosh(b)), K.mul(K.cos(a), K.sinh(b))]
const ccos = ([a, b]: Cx): Cx => [K.mul(K.cos(a), K.cosh(b)), K.neg(K.mul(K.sin(a), K.sinh(b)))]
const csinh = ([a, b]: Cx): Cx => [K.mul(K.sinh(a), K.cos(b)), K.mul(K.cosh(a), K.sin(b))]
const ccosh = ([a, b]: Cx): Cx => [K.mul(K.cosh(a), K.cos(b)), K.mul(K.sinh(a), K.sin(b))]

/**
 * tanh(a + bi) = (sinh 2a + i sin 2b) / (cosh 2a + cos 2b). For |a| > 20 the
 * result is sign(a) to working precision, and the formula would give inf/inf.
 */
const ctanh = ([a, b]: Cx): Cx => {
  const t = a.type
  const a2 = K.mul(k(2, t), a)
  const b2 = K.mul(k(2, t), b)
  const den = K.add(K.cosh(a2), K.cos(b2))
  const big = K.gt(K.abs(a), k(20, t))
  return [
    K.select(big, K.sign(a), K.div(K.sinh(a2), den)),
    K.select(big, K.mul(k(0, t), b), K.div(K.sin(b2), den))
  ]
}
/** tan z = -i tanh(i z). */
const ctan = ([a, b]: Cx): Cx => {
  const [re, im] = ctanh([K.neg(b), a])
  return [im, K.neg(re)]
}

const cone = (t: ScalarType): Cx => cconst(1, 0, t)
/**
 * asin z = -i log(i z + sqrt(1 - z) sqrt(1 + z)). Splitting the root (Kahan) puts
 * the branch cuts where C99 and NumPy have them: asin(2 + 0i) = pi/2 + 1.317i,
 * asin(2 - 0i) = pi/2 - 1.317i (1 - z keeps the sign of zero in -b).
 */
const casin = ([a, b]: Cx): Cx => {
  const t = a.type
  const one = k(1, t)
  const root = cmul(csqrt([K.sub(one, a), K.neg(b)]), csqrt([K.add(one, a), b]))
  const w = clog(cadd([K.neg(b), a], root))
  // below |z| = 2^-26, asin z = z (z^3 / 6 is under half an ulp), where the logarithm's argument
  // rounds to 1 and loses z (asin(1e-200 i) was -0 i)
  const tiny = K.lt(cabs([a, b]), k(2 ** -26, t))
  return [K.select(tiny, a, w[1]), K.select(tiny, b, K.neg(w[0]))]
}
/** acos z = pi/2 - asin z. */
const cacos = (z: Cx): Cx => {
  const [re, im] = casin(z)
  return [K.sub(k(Math.PI / 2, re.type), re), K.neg(im)]
}
/** atan z = (i/2) (log(1 - i z) - log(1 + i z)). */
const catan = (z: Cx): Cx => {
  const t = z[0].type
  const iz: Cx = [K.neg(z[1]), z[0]]
  const d = csub(clog(csub(cone(t), iz)), clog(cadd(cone(t), iz)))
  // below |z| = 2^-26, atan z = z (z^3 / 3 is under half an ulp), where 1 +- i z round to 1
  const tiny = K.lt(cabs(z), k(2 ** -26, t))
  return [K.select(tiny, z[0], K.mul(k(-0.5, t), d[1])), K.select(tiny, z[1], K.mul(k(0.5, t), d[0]))]
}
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
  const re = K.select(big, K.log(hypot(K.add(one, a), b)), K.mul(k(0.5, t), K.log1p(s)))
  return [re, K.atan2(b, K.add(one, a))]
}
/** exp(z) - 1, accurate for small |z|: re = expm1(a) cos b - 2 sin^2(b/2). */
const cexpm1 = ([a, b]: Cx): Cx => {
  const t = a.type
  const h = K.sin(K.mul(k(0.5, t), b))
  const re = K.sub(K.mul(K.expm1(a), K.cos(b)), K.mul(k(2, t), K.mul(h, h)))
  return [re, K.mul(K.exp(a), K.sin(b))]
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

// x ** n by repeated squaring, with `mul` the type's product and `one` its unit.
const powBySquaring = <V>(x: V, n: number, mul: (a: V, b: V) => V, one: V): V => {
  let result: V | undefined
  let base = x
  let e = n
  while (e > 0) {
    if ((e & 1) === 1) result = result === undefined ? base : mul(result, base)
    e >>>= 1
    if (e > 0) base = mul(base, base)
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
      const p = powBySquaring(cx(v), n, cmul, one)
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
