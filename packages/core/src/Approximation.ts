/**
 * Float32 approximations of the kernel IR's transcendental ops, written in the
 * IR itself (range reduction and polynomials over `add`, `mul`, `floor`,
 * `ldexp`, `exponent`, ...). A backend whose math library is not accurate
 * enough (WGSL promises 2^-11 absolute for `sin`) declares, for every
 * transcendental op, whether it renders the op natively or decomposes it;
 * `decompose` rewrites a lowering accordingly before the backend compiles it.
 * The same IR runs on the CPU with float32 rounding at every step, which is
 * how its error is measured (docs/numerics.md) and how tests reproduce the GPU.
 *
 * Polynomial coefficients are weighted minimax fits on each reduced range,
 * rounded to float32 (packages/core/scripts/fitApproximations.ts derives them).
 * The decompositions are float32 algorithms: only `f32` nodes are rewritten;
 * a backend with float64 renders its `f64` ops natively.
 *
 * @example
 * import { Approximation, Kernel } from "diffect/extend"
 * const x = Kernel.input(0, "f32")
 * const [e] = Approximation.decompose([Kernel.exp(x)], Approximation.allDecomposed)
 * // exp became a reduction, a polynomial and an ldexp, with NaN passed through
 * console.log(Kernel.format(e!).includes("ldexp(")) // true
 * console.log(/\bexp\(/.test(Kernel.format(e!))) // false
 *
 * @since 0.1.0
 */
import { reduceLargePio2 } from "./internal/payneHanek.js"
import * as K from "./Kernel.js"
import type { BinaryOp, Expr, UnaryOp } from "./Kernel.js"

/**
 * Which IR ops are transcendental (computed by a math library, with a
 * backend-dependent error) and which are exact or correctly rounded. Total over
 * the IR's ops, so a new op must be classified here.
 */
const unaryClass = {
  neg: "exact",
  not: "exact",
  abs: "exact",
  sign: "exact",
  floor: "exact",
  ceil: "exact",
  round: "exact",
  sqrt: "exact",
  exponent: "exact",
  isnan: "exact",
  barrier: "exact",
  exp: "transcendental",
  log: "transcendental",
  log1p: "transcendental",
  expm1: "transcendental",
  sin: "transcendental",
  cos: "transcendental",
  tan: "transcendental",
  asin: "transcendental",
  acos: "transcendental",
  atan: "transcendental",
  sinh: "transcendental",
  cosh: "transcendental",
  tanh: "transcendental"
} as const satisfies { readonly [Op in UnaryOp]: "exact" | "transcendental" }

const binaryClass = {
  add: "exact",
  sub: "exact",
  mul: "exact",
  div: "exact",
  rem: "exact",
  max: "exact",
  min: "exact",
  ldexp: "exact",
  xor: "exact",
  shl: "exact",
  shrl: "exact",
  shra: "exact",
  and: "exact",
  or: "exact",
  eq: "exact",
  ne: "exact",
  lt: "exact",
  le: "exact",
  gt: "exact",
  ge: "exact",
  pow: "transcendental",
  atan2: "transcendental"
} as const satisfies { readonly [Op in BinaryOp]: "exact" | "transcendental" }

type TranscendentalOf<T> = { [Op in keyof T]: T[Op] extends "transcendental" ? Op : never }[keyof T]

/**
 * The IR's transcendental unary ops.
 *
 * @since 0.1.0
 */
export type TranscendentalUnary = TranscendentalOf<typeof unaryClass>

/**
 * The IR's transcendental binary ops.
 *
 * @since 0.1.0
 */
export type TranscendentalBinary = TranscendentalOf<typeof binaryClass>

/**
 * Every transcendental op of the kernel IR.
 *
 * @since 0.1.0
 */
export type Transcendental = TranscendentalUnary | TranscendentalBinary

/**
 * How a backend computes one transcendental op on float32: with its own math
 * library (`native`) or with this module's IR (`decomposed`).
 *
 * @since 0.1.0
 */
export type Strategy = "native" | "decomposed"

/**
 * How decomposed `sin`, `cos` and `tan` reduce |x| > 8192, where Cody and Waite's reduction is
 * inexact: `"payneHanek"` (exact, in 32-bit integer ops with per-lane shifts) or `"codyWaite"`.
 *
 * @since 0.1.0
 */
export type TrigReduction = "payneHanek" | "codyWaite"

/**
 * A backend's declaration: a strategy for every transcendental op (a new op
 * is a compile error in every backend until it says how it computes it).
 *
 * @since 0.1.0
 */
export type Support = { readonly [Op in Transcendental]: Strategy } & {
  /**
   * The {@link TrigReduction} of decomposed `sin`, `cos` and `tan` past |x| = 8192; `"codyWaite"`
   * when absent (a backend that goes native there, or SIMD code without per-lane shifts).
   */
  readonly trigReduction?: TrigReduction
}

/**
 * The ops that a declaration renders natively: a renderer's table of
 * transcendental built-ins needs these and no others.
 *
 * @since 0.1.0
 */
export type NativeOps<S extends Support> = { [Op in keyof S]: S[Op] extends "native" ? Op : never }[keyof S]

/**
 * Every transcendental op native (float64 `Math.*` rounded once to float32 on
 * the typed-array backend, which declares its own mix: see its `transcendentals`).
 *
 * @since 0.1.0
 */
export const allNative = {
  exp: "native",
  log: "native",
  log1p: "native",
  expm1: "native",
  sin: "native",
  cos: "native",
  tan: "native",
  asin: "native",
  acos: "native",
  atan: "native",
  sinh: "native",
  cosh: "native",
  tanh: "native",
  pow: "native",
  atan2: "native"
} as const satisfies Support

/**
 * Every transcendental op decomposed, `sin`, `cos` and `tan` by Cody and Waite's reduction (exact
 * up to |x| = 8192; the WebGPU backend on SwiftShader, or with `trigReduction: "codyWaite"`).
 *
 * @since 0.1.0
 */
export const allDecomposed = {
  exp: "decomposed",
  log: "decomposed",
  log1p: "decomposed",
  expm1: "decomposed",
  sin: "decomposed",
  cos: "decomposed",
  tan: "decomposed",
  asin: "decomposed",
  acos: "decomposed",
  atan: "decomposed",
  sinh: "decomposed",
  cosh: "decomposed",
  tanh: "decomposed",
  pow: "decomposed",
  atan2: "decomposed"
} as const satisfies Support

/**
 * Every transcendental op decomposed, and `sin`, `cos` and `tan` reduced by Payne and Hanek's
 * method past |x| = 8192 (`trigReduction: "payneHanek"`): accurate over all float32 (docs/numerics.md),
 * for a backend whose shader compiler takes the larger IR (the WebGPU backend's default, except on
 * Chromium's SwiftShader, which took 60 s to compile one sine with it).
 *
 * @since 0.1.0
 */
export const allDecomposedFullRange = { ...allDecomposed, trigReduction: "payneHanek" } as const satisfies Support

// ---------------------------------------------------------------------------
// Constants. Polynomials: packages/core/scripts/fitApproximations.ts (same names).

/** exp(r) = 1 + r + r^2 EXP(r) on |r| <= ln2/2. */
const EXP = [0.49999994, 0.166665211, 0.0416682735, 0.00836868398, 0.00138200796]
/** log((1+s)/(1-s)) = 2s + s^3 LOG(s^2) on |s| <= 0.1716. */
const LOG = [0.666666627, 0.400008589, 0.285093665, 0.240453765]
/** sin(r) = r + r^3 SIN(r^2) on |r| <= pi/4. */
const SIN = [-0.166666672, 0.0083333794, -0.000198530688, 0.00000283262943]
/** cos(r) = 1 - r^2/2 + r^4 COS(r^2) on |r| <= pi/4. */
const COS = [0.0416666679, -0.001388898, 0.0000248220076, -2.88784491e-7]
/** atan(x) = x + x^3 ATAN(x^2) on |x| <= tan(pi/8). */
const ATAN = [-0.333333164, 0.199985251, -0.142442971, 0.105982654, -0.0608733706]
/** tanh(x) = x + x^3 TANH(x^2) on |x| <= 0.625. */
const TANH = [-0.333333313, 0.133332208, -0.0539481789, 0.021706894, -0.00819001347, 0.00215268414]

// ln 2 in two parts: LN2_HI has 9 significant bits, so k * LN2_HI is exact for |k| < 2^15.
const LN2_HI = 0.693359375
const LN2_LO = -2.12194440e-4
const LOG2E = 1.4426950408889634
// pi/2 in four parts (12, 12, 12 and 24 bits): j * PIO2_k is exact for the first three
// while |j| < 2^12, and the four carry 60 bits of pi/2 (Cody and Waite's reduction).
const PIO2_1 = 1.57080078125
const PIO2_2 = -4.453584551811218e-6
const PIO2_3 = -8.706138032721356e-10
const PIO2_4 = 6.223371969669989e-14
const TWO_OVER_PI = 0.6366197723675814
// pi, pi/2 and pi/4 as the nearest float32 plus the rest.
const PI_HI = 3.1415927410125732
const PI_LO = -8.742278000372485e-8
const PIO2_HI = 1.5707963705062866
const PIO2_LO = -4.3711390001862426e-8
const PIO4_HI = 0.7853981852531433
const PIO4_LO = -2.1855695000931213e-8
const SQRT2 = 1.4142135623730951
const TAN_3PI_8 = 2.414213562373095
const TAN_PI_8 = 0.41421356237309503

// ---------------------------------------------------------------------------
// IR helpers (float32)

const c = (v: number): Expr => K.constant(v, "f32")

/** `c[0] + x (c[1] + x (c[2] + ...))`. */
const horner = (x: Expr, coefficients: ReadonlyArray<number>): Expr => {
  let acc = c(coefficients[coefficients.length - 1]!)
  for (let i = coefficients.length - 2; i >= 0; i--) acc = K.add(c(coefficients[i]!), K.mul(x, acc))
  return acc
}

const isInf = (x: Expr): Expr => K.eq(K.abs(x), c(Infinity))

/** Whether the sign bit of `x` is set (true for -0, unlike `x < 0`). */
const signBit = (x: Expr): Expr => K.or(K.lt(x, c(0)), K.lt(K.div(c(1), x), c(0)))

/** `x` where it is NaN, else `value`: NaN passes through whatever a backend does with it. */
const keepNaN = (x: Expr, value: Expr): Expr => K.select(K.isnan(x), x, value)

/** `|v|` carrying the sign of `x` (`v >= 0`; -0 for x = -0). */
const withSignOf = (x: Expr, v: Expr): Expr => K.select(signBit(x), K.neg(v), v)

/** Round to nearest (halves away from zero is fine for a reduction index). */
const nearest = (x: Expr): Expr => K.floor(K.add(x, c(0.5)))

/**
 * The ops a decomposition may call: each transcendental as the backend
 * declared it (native, or this module's IR).
 */
type Ops =
  & {
    readonly [Op in TranscendentalUnary]: (x: Expr) => Expr
  }
  & {
    readonly [Op in TranscendentalBinary]: (x: Expr, y: Expr) => Expr
  }

// ---------------------------------------------------------------------------
// exp, expm1

/** `x = k ln2 + r` (Cody-Waite): `k` and `r` with |r| <= ln2/2 (plus rounding). */
const reduceLn2 = (x: Expr): readonly [k: Expr, r: Expr] => {
  const k = nearest(K.mul(x, c(LOG2E)))
  return [k, K.sub(K.sub(x, K.mul(k, c(LN2_HI))), K.mul(k, c(LN2_LO)))]
}

/** `exp(r) - 1` for |r| <= ln2/2. */
const expm1Core = (r: Expr): Expr => K.add(r, K.mul(K.mul(r, r), horner(r, EXP)))

/**
 * `exp(x) * 2^shift` (shift <= 0) with one final rounding: the scaling joins
 * ldexp's, so exp(x)/2 does not overflow where exp(x) would.
 */
const expShifted = (x: Expr, shift: number): Expr => {
  const [k, r] = reduceLn2(x)
  const scaled = K.ldexp(K.add(c(1), expm1Core(r)), shift === 0 ? k : K.add(k, c(shift)))
  // Beyond these, k is too large for an exact k * ln2; ldexp overflows or underflows before.
  const clamped = K.select(K.gt(x, c(89.5)), c(Infinity), K.select(K.lt(x, c(-104)), c(0), scaled))
  return keepNaN(x, clamped)
}

const exp = (x: Expr): Expr => expShifted(x, 0)

/** `exp(x) - 1` for ln2/2 < |x| <= 88 and x >= -18 (what `expm1` computes there). */
const expm1General = (x: Expr): Expr => {
  const [k, r] = reduceLn2(x)
  // exp(x) - 1 = (2^k - 1) + 2^k expm1(r): 2^k - 1 is exact for -24 <= k <= 24.
  const t = K.ldexp(c(1), k)
  return K.add(K.sub(t, c(1)), K.mul(t, expm1Core(r)))
}

const expm1 = (x: Expr): Expr => {
  const general = expm1General(x)
  const small = expm1Core(x)
  const mid = K.select(K.le(K.abs(x), c(Math.LN2 / 2)), small, general)
  // Beyond 88, 2^k overflows (exp(x) - 1 = exp(x)); below -18, exp(x) is under half an ulp of 1.
  const out = K.select(K.gt(x, c(88)), exp(x), K.select(K.lt(x, c(-18)), c(-1), mid))
  // expm1(+-0) = +-0 (r + r^2 P(r) gives +0 for -0).
  return keepNaN(x, K.select(K.eq(x, c(0)), x, out))
}

// ---------------------------------------------------------------------------
// log, log1p

/**
 * `log(1 + f)` for `f` in [sqrt(1/2) - 1, sqrt(2) - 1]: with s = f / (2 + f),
 * log(1 + f) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R)) where R = s^2 LOG(s^2)
 * (fdlibm's arrangement: the rounding errors stay in the small terms).
 */
const log1pCore = (f: Expr): Expr => {
  const s = K.div(f, K.add(c(2), f))
  const z = K.mul(s, s)
  const r = K.mul(z, horner(z, LOG))
  const hfsq = K.mul(c(0.5), K.mul(f, f))
  return K.sub(f, K.sub(hfsq, K.mul(s, K.add(hfsq, r))))
}

const log = (x: Expr): Expr => {
  // Subnormals are scaled up by 2^24 (exactly) so the mantissa split is exact.
  const tiny = K.lt(x, c(2 ** -126))
  const xs = K.select(tiny, K.mul(x, c(2 ** 24)), x)
  const e0 = K.exponent(xs)
  const m = K.ldexp(xs, K.neg(e0))
  // m in [1, 2) -> [sqrt(1/2), sqrt(2)) so that f = m - 1 (exact) is small.
  const big = K.gt(m, c(SQRT2))
  const f = K.sub(K.select(big, K.mul(m, c(0.5)), m), c(1))
  const e = K.sub(K.add(e0, K.select(big, c(1), c(0))), K.select(tiny, c(24), c(0)))
  // e * LN2_HI is exact; the small part of ln 2 joins the small terms.
  const value = K.add(K.mul(e, c(LN2_HI)), K.add(log1pCore(f), K.mul(e, c(LN2_LO))))
  const special = K.select(
    K.eq(x, c(0)),
    c(-Infinity),
    K.select(K.lt(x, c(0)), c(NaN), K.select(K.eq(x, c(Infinity)), x, value))
  )
  return keepNaN(x, special)
}

const log1p = (x: Expr): Expr => {
  // Near 0, the core takes x itself: 1 + x is never formed, so nothing is rounded away.
  const near = K.and(K.ge(x, c(Math.SQRT1_2 - 1)), K.le(x, c(SQRT2 - 1)))
  // Elsewhere log(u) for u = fl(1 + x), corrected by (x - (u - 1)) / u, the part of x that u lost.
  // (a barrier: `u - 1` is not `x` once u is rounded, which a reassociating GPU compiler forgets)
  const u = K.barrier(K.add(c(1), x))
  const correction = K.div(K.sub(x, K.sub(u, c(1))), u)
  const far = K.add(log(u), correction)
  const out = K.select(
    near,
    log1pCore(x),
    K.select(K.eq(x, c(-1)), c(-Infinity), K.select(K.eq(x, c(Infinity)), x, far))
  )
  return keepNaN(x, K.select(K.lt(x, c(-1)), c(NaN), out))
}

// ---------------------------------------------------------------------------
// sin, cos, tan

/**
 * `a + b` as a rounded sum and its exact error (Knuth's TwoSum: no condition on magnitudes). The
 * sum and `bb` are barriers: a GPU compiler that may reassociate (Mesa's turns `(s - bb)` into `a`)
 * would otherwise fold the error to 0.
 */
const twoSum = (a: Expr, b: Expr): readonly [sum: Expr, error: Expr] => {
  const s = K.barrier(K.add(a, b))
  const bb = K.barrier(K.sub(s, a))
  return [s, K.add(K.sub(a, K.sub(s, bb)), K.sub(b, bb))]
}

/**
 * `x = j pi/2 + (r + rLo)`: the quadrant `j mod 4` and sin, cos of the reduced
 * argument. x - j PIO2_1 and j PIO2_2 are exact; the roundings of the two
 * subtractions are kept in rLo (TwoSum) and fed to the polynomials, as fdlibm's
 * kernels take a tail, so they stay out of the result.
 */
const reducePio2 = (
  x0: Expr,
  wide: boolean
): { readonly quadrant: Expr; readonly sin: Expr; readonly cos: Expr } => {
  // Beyond |x| = 8192 the reduction is inexact (j PIO2_1 rounds); clamping keeps j PIO2_1 finite
  // and r in range there, so a finite input never gives NaN or a value outside [-1, 1]. `wide`
  // (`trigReduction: "payneHanek"`) takes Payne and Hanek's reduction there instead.
  const x = K.max(c(-1e38), K.min(c(1e38), x0))
  const j0 = nearest(K.mul(x, c(TWO_OVER_PI)))
  const head = K.sub(x, K.mul(j0, c(PIO2_1)))
  const tail = K.add(K.mul(j0, c(PIO2_3)), K.mul(j0, c(PIO2_4)))
  const [s1, e1] = twoSum(head, K.neg(K.mul(j0, c(PIO2_2))))
  const [r0, e2] = twoSum(s1, K.neg(tail))
  const rSmall = K.max(c(-1), K.min(c(1), r0))
  const rLoSmall = K.select(K.eq(rSmall, r0), K.add(e1, e2), c(0))
  const large = wide ? K.gt(K.abs(x0), c(8192)) : undefined
  const far = wide ? reduceLargePio2(x0) : undefined
  const r = large === undefined ? rSmall : K.select(large, far!.r, rSmall)
  const rLo = large === undefined ? rLoSmall : K.select(large, far!.rLo, rLoSmall)
  const j = large === undefined ? j0 : K.select(large, far!.quadrant, j0)
  const z = K.mul(r, r)
  // sin(r + rLo) = sin r + rLo cos r; cos(r + rLo) = cos r - rLo sin r (rLo^2 is below an ulp).
  const sin = K.add(r, K.add(K.mul(K.mul(r, z), horner(z, SIN)), K.mul(rLo, K.sub(c(1), K.mul(c(0.5), z)))))
  const small = K.sub(K.mul(K.mul(z, z), horner(z, COS)), K.mul(r, rLo))
  const cos = K.sub(c(1), K.sub(K.mul(c(0.5), z), small))
  const quadrant = K.sub(j, K.mul(c(4), K.floor(K.mul(j, c(0.25)))))
  return { quadrant, sin, cos }
}

/** Non-finite inputs give NaN (tested directly: a GPU compiler may fold `x - x` to 0). */
const finiteOnly = (x: Expr, value: Expr): Expr => K.select(K.or(K.isnan(x), isInf(x)), c(NaN), value)

const sinOrCos = (x: Expr, cosine: boolean, wide: boolean): Expr => {
  const { cos, quadrant, sin } = reducePio2(x, wide)
  // cos(x) = sin(x + pi/2): one quadrant further.
  const q = cosine
    ? K.sub(K.add(quadrant, c(1)), K.mul(c(4), K.floor(K.mul(K.add(quadrant, c(1)), c(0.25)))))
    : quadrant
  const odd = K.or(K.eq(q, c(1)), K.eq(q, c(3)))
  const v = K.select(odd, cos, sin)
  const value = finiteOnly(x, K.select(K.ge(q, c(2)), K.neg(v), v))
  // sin(+-0) = +-0 (the sum above would give +0 for -0).
  return cosine ? value : K.select(K.eq(x, c(0)), x, value)
}

const tan = (wide: boolean) => (x: Expr): Expr => {
  const { cos, quadrant, sin } = reducePio2(x, wide)
  const odd = K.or(K.eq(quadrant, c(1)), K.eq(quadrant, c(3)))
  const value = finiteOnly(x, K.select(odd, K.neg(K.div(cos, sin)), K.div(sin, cos)))
  return K.select(K.eq(x, c(0)), x, value)
}

// ---------------------------------------------------------------------------
// atan, atan2, asin, acos

/** atan(a) for a >= 0 (or +inf): reduced by tan(3pi/8) and tan(pi/8), then a polynomial. */
const atanPositive = (a: Expr): Expr => {
  const big = K.gt(a, c(TAN_3PI_8))
  const mid = K.gt(a, c(TAN_PI_8))
  const t = K.select(big, K.neg(K.div(c(1), a)), K.select(mid, K.div(K.sub(a, c(1)), K.add(a, c(1))), a))
  const hi = K.select(big, c(PIO2_HI), K.select(mid, c(PIO4_HI), c(0)))
  const lo = K.select(big, c(PIO2_LO), K.select(mid, c(PIO4_LO), c(0)))
  const z = K.mul(t, t)
  const p = K.add(t, K.mul(K.mul(t, z), horner(z, ATAN)))
  return K.add(hi, K.add(p, lo))
}

const atan = (x: Expr): Expr => keepNaN(x, withSignOf(x, atanPositive(K.abs(x))))

const atan2 = (y: Expr, x: Expr): Expr => {
  const yNeg = signBit(y)
  const xNeg = signBit(x)
  const a = atanPositive(K.abs(K.div(y, x)))
  // The angle in [0, pi] of (|y|, x), then y's sign.
  const angle = K.select(xNeg, K.add(c(PI_HI), K.sub(c(PI_LO), a)), a)
  // C's special cases: zeros and infinities.
  const bothInf = K.and(isInf(x), isInf(y))
  const special = K.select(
    K.eq(y, c(0)),
    K.select(xNeg, c(Math.PI), c(0)),
    K.select(
      bothInf,
      K.select(xNeg, c((3 * Math.PI) / 4), c(Math.PI / 4)),
      K.select(
        K.or(isInf(y), K.eq(x, c(0))),
        c(Math.PI / 2),
        K.select(isInf(x), K.select(xNeg, c(Math.PI), c(0)), angle)
      )
    )
  )
  const signed = K.select(yNeg, K.neg(special), special)
  return K.select(K.or(K.isnan(x), K.isnan(y)), c(NaN), signed)
}

const sqrt1mx2 = (x: Expr): Expr => K.sqrt(K.mul(K.sub(c(1), x), K.add(c(1), x)))

const outsideUnit = (x: Expr, value: Expr): Expr => K.select(K.gt(K.abs(x), c(1)), c(NaN), value)

// ---------------------------------------------------------------------------
// sinh, cosh, tanh

// fdlibm's sinhf/coshf arrangement: expm1 near 0, and exp(a)/2 once 1/exp(a) is
// below an ulp, computed with the halving inside exp's scaling so it neither
// overflows before the result does nor rounds twice (whatever exp's strategy).
const halfExpLarge = (a: Expr): Expr => expShifted(a, -1)

const sinh = (ops: Ops) => (x: Expr): Expr => {
  const a = K.abs(x)
  const t = ops.expm1(a)
  // a < 1: (2t - t^2/(t+1)) / 2; 1 <= a < 9: (t + t/(t+1)) / 2 (both are (e^a - e^-a) / 2).
  const small = K.mul(c(0.5), K.sub(K.mul(c(2), t), K.div(K.mul(t, t), K.add(t, c(1)))))
  const mid = K.mul(c(0.5), K.add(t, K.div(t, K.add(t, c(1)))))
  const s = K.select(K.lt(a, c(1)), small, K.select(K.lt(a, c(9)), mid, halfExpLarge(a)))
  return keepNaN(x, withSignOf(x, s))
}

const cosh = (ops: Ops) => (x: Expr): Expr => {
  const a = K.abs(x)
  // a < ln2/2: 1 + t^2 / (2 (1 + t)) with t = expm1(a); a < 9: (e + 1/e) / 2.
  const t = ops.expm1(a)
  const small = K.add(c(1), K.div(K.mul(t, t), K.mul(c(2), K.add(c(1), t))))
  const e = ops.exp(a)
  const mid = K.add(K.mul(c(0.5), e), K.div(c(0.5), e))
  const v = K.select(K.lt(a, c(Math.LN2 / 2)), small, K.select(K.lt(a, c(9)), mid, halfExpLarge(a)))
  return keepNaN(x, v)
}

const tanh = (ops: Ops, nativeExpm1: boolean) => (x: Expr): Expr => {
  const a = K.abs(x)
  const z = K.mul(a, a)
  // 1 - 2 / (exp(2a) + 1): the rounding of the quotient is scaled down by the subtraction.
  // Decomposed, expm1 of 2a in (1.25, 18) is its general branch: only that one is built
  // (the same values; a SIMD kernel evaluates every branch of a select).
  const twoA = K.mul(c(2), a)
  const mid = K.sub(c(1), K.div(c(2), K.add(nativeExpm1 ? ops.expm1(twoA) : expm1General(twoA), c(2))))
  const large = K.select(K.lt(a, c(9)), mid, c(1))
  // The odd polynomial on x itself carries the sign and NaN (a comparison with NaN is false, so
  // NaN takes this branch); x + x^3 P gives +0 for -0, hence the select for zeros.
  const small = K.select(K.eq(x, c(0)), x, K.add(x, K.mul(K.mul(x, z), horner(z, TANH))))
  return K.select(K.gt(a, c(0.625)), K.select(K.lt(x, c(0)), K.neg(large), large), small)
}

// ---------------------------------------------------------------------------
// pow

/**
 * C's pow: exp(y log|x|) with the sign of an odd power, and the special cases
 * of zeros, ones, infinities and negative bases.
 */
const pow = (ops: Ops) => (x: Expr, y: Expr): Expr => {
  const ax = K.abs(x)
  const magnitude = ops.exp(K.mul(y, ops.log(ax)))
  const yInt = K.eq(K.floor(y), y)
  const yOdd = K.and(yInt, K.eq(K.sub(y, K.mul(c(2), K.floor(K.mul(y, c(0.5))))), c(1)))
  const signed = K.select(K.and(signBit(x), yOdd), K.neg(magnitude), magnitude)
  // A negative finite base to a non-integer power has no real value.
  const real = K.select(K.and(K.and(K.lt(x, c(0)), K.not(isInf(x))), K.not(yInt)), c(NaN), signed)
  const one = K.or(K.or(K.eq(y, c(0)), K.eq(x, c(1))), K.and(K.eq(x, c(-1)), isInf(y)))
  return K.select(one, c(1), real)
}

// ---------------------------------------------------------------------------

/** The decompositions, given how the ops they call are computed. */
const decompositions = (ops: Ops, support: Support): Ops => ({
  exp,
  expm1,
  log,
  log1p,
  sin: (x) => sinOrCos(x, false, support.trigReduction === "payneHanek"),
  cos: (x) => sinOrCos(x, true, support.trigReduction === "payneHanek"),
  tan: tan(support.trigReduction === "payneHanek"),
  atan,
  asin: (x) => outsideUnit(x, ops.atan2(x, sqrt1mx2(x))),
  acos: (x) => outsideUnit(x, ops.atan2(sqrt1mx2(x), x)),
  atan2,
  sinh: sinh(ops),
  cosh: cosh(ops),
  tanh: tanh(ops, support.expm1 === "native"),
  pow: pow(ops)
})

const isUnaryTranscendental = (op: UnaryOp): op is TranscendentalUnary => unaryClass[op] === "transcendental"
const isBinaryTranscendental = (op: BinaryOp): op is TranscendentalBinary => binaryClass[op] === "transcendental"

/**
 * The decomposition of one op under `support`: the IR that computes `op` on
 * float32 operands, calling the other ops as `support` says.
 *
 * @since 0.1.0
 */
export const decomposition = <Op extends Transcendental>(op: Op, support: Support = allDecomposed): Ops[Op] => {
  const ops: Ops = {
    exp: (x) => (support.exp === "native" ? K.exp(x) : table.exp(x)),
    expm1: (x) => (support.expm1 === "native" ? K.expm1(x) : table.expm1(x)),
    log: (x) => (support.log === "native" ? K.log(x) : table.log(x)),
    log1p: (x) => (support.log1p === "native" ? K.log1p(x) : table.log1p(x)),
    sin: (x) => (support.sin === "native" ? K.sin(x) : table.sin(x)),
    cos: (x) => (support.cos === "native" ? K.cos(x) : table.cos(x)),
    tan: (x) => (support.tan === "native" ? K.tan(x) : table.tan(x)),
    atan: (x) => (support.atan === "native" ? K.atan(x) : table.atan(x)),
    asin: (x) => (support.asin === "native" ? K.asin(x) : table.asin(x)),
    acos: (x) => (support.acos === "native" ? K.acos(x) : table.acos(x)),
    sinh: (x) => (support.sinh === "native" ? K.sinh(x) : table.sinh(x)),
    cosh: (x) => (support.cosh === "native" ? K.cosh(x) : table.cosh(x)),
    tanh: (x) => (support.tanh === "native" ? K.tanh(x) : table.tanh(x)),
    atan2: (y, x) => (support.atan2 === "native" ? K.atan2(y, x) : table.atan2(y, x)),
    pow: (x, y) => (support.pow === "native" ? K.pow(x, y) : table.pow(x, y))
  }
  const table = decompositions(ops, support)
  return table[op]
}

/**
 * Rewrites the `f32` transcendental ops that `support` decomposes into their
 * IR, keeping shared subexpressions shared. Expressions without such ops come
 * back unchanged (the same objects).
 *
 * @example
 * import { Approximation, Kernel } from "diffect/extend"
 * const e = Kernel.exp(Kernel.input(0, "f32"))
 * console.log(Approximation.decompose([e], Approximation.allNative)[0] === e) // true
 *
 * @since 0.1.0
 */
export const decompose = (exprs: ReadonlyArray<Expr>, support: Support): ReadonlyArray<Expr> => {
  const ops = {} as { [Op in Transcendental]: (...args: Array<Expr>) => Expr }
  const memo = new Map<Expr, Expr>()
  const rewrite = (e: Expr): Expr => {
    const known = memo.get(e)
    if (known !== undefined) return known
    let out: Expr
    switch (e.kind) {
      case "input":
      case "const":
        out = e
        break
      case "unary": {
        const x = rewrite(e.x)
        if (e.type === "f32" && isUnaryTranscendental(e.op) && support[e.op] === "decomposed") {
          out = (ops[e.op] ??= decomposition(e.op, support) as (x: Expr) => Expr)(x)
        } else {
          out = x === e.x ? e : K.unary(e.op, x)
        }
        break
      }
      case "binary": {
        const x = rewrite(e.x)
        const y = rewrite(e.y)
        if (e.type === "f32" && isBinaryTranscendental(e.op) && support[e.op] === "decomposed") {
          out = (ops[e.op] ??= decomposition(e.op, support) as (x: Expr, y: Expr) => Expr)(x, y)
        } else {
          out = x === e.x && y === e.y ? e : K.binary(e.op, x, y)
        }
        break
      }
      case "select": {
        const cond = rewrite(e.cond)
        const a = rewrite(e.onTrue)
        const b = rewrite(e.onFalse)
        out = cond === e.cond && a === e.onTrue && b === e.onFalse ? e : K.select(cond, a, b)
        break
      }
      case "cast": {
        const x = rewrite(e.x)
        out = x === e.x ? e : K.cast(x, e.type)
        break
      }
    }
    memo.set(e, out)
    return out
  }
  return exprs.map(rewrite)
}
