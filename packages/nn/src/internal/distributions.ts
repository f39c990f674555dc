/**
 * jax.random's derived distributions, each JAX's algorithm with JAX's key use
 * (so values match JAX's where the primitives they build on do): chisquare, f,
 * t, lognormal, pareto, rayleigh, maxwell, doubleSidedMaxwell, triangular,
 * wald, geometric, generalizedNormal, binomial (JAX's inversion below
 * `n q <= 10`, BTRS above) and multinomial (a binomial per category, on the
 * remaining count).
 *
 * @since 0.1.0
 */
import { DType, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { checkKeys } from "@diffect/core/Validate"
import { gammaImpl } from "./gamma.js"
import { checkKey, shapeOf, splitN } from "./keys.js"
import type { ShapeLike } from "./keys.js"
import { whileLoop } from "./loops.js"
import { asFloat, checkMethod, floatDType, normalImpl, outShape, uniformImpl } from "./sampling.js"
import type { SamplerMethod } from "./sampling.js"
import type { FloatDType } from "./sampling.js"

type TensorLike = np.TensorLike

/** Options of the samplers with parameters: the output shape (default the parameters' broadcast shape) and the float dtype. @since 0.1.0 */
export interface DistributionOptions {
  readonly shape?: ShapeLike | undefined
  readonly dtype?: FloatDType | undefined
}

const prepare = (
  op: string,
  key: Tensor,
  params: ReadonlyArray<TensorLike>,
  options: DistributionOptions | undefined,
  withMethod = false
) => {
  checkKey(op, key)
  checkKeys(op, options, withMethod ? ["shape", "dtype", "method"] : ["shape", "dtype"])
  if (withMethod) checkMethod(op, (options as MethodOptions | undefined)?.method)
  const dtype = floatDType(op, options?.dtype)
  const ps = params.map((p) => asFloat(p, dtype))
  return { dtype, ps, shape: outShape(op, options?.shape, ps) }
}

/** JAX's `method` option of the gamma-family samplers and poisson. @since 0.1.0 */
export interface MethodOptions {
  /** `"exact"` (the default, JAX's rejection samplers); JAX's `"approximate"` is not in diffect. */
  readonly method?: SamplerMethod | undefined
}

const k = (shape: ReadonlyArray<number>, v: number, dtype: FloatDType) => lax.full(shape, v, dtype)
const bc = (t: Tensor, shape: ReadonlyArray<number>) => np.broadcastTo(t, shape)

// JAX's `_chisquare`: 2 exp(loggamma(df / 2)).
const chisquareImpl = (key: Tensor, df: Tensor, shape: ReadonlyArray<number>, dtype: FloatDType): Tensor => {
  const half = np.divide(bc(df, shape), 2)
  return np.multiply(np.exp(gammaImpl("chisquare", key, half, shape, dtype, true)), 2)
}

/**
 * Chi-square samples with `df` degrees of freedom (JAX's `chisquare`: twice a
 * Gamma(df / 2) draw, from its logarithm).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.chisquare(random.key(0), 3, { shape: [2] }).shape) // [2]
 *
 * @since 0.1.0
 */
export const chisquare = (key: Tensor, df: TensorLike, options?: DistributionOptions & MethodOptions): Tensor => {
  const { dtype, ps, shape } = prepare("chisquare", key, [df], options, true)
  return chisquareImpl(key, ps[0]!, shape, dtype)
}

/**
 * F-distribution samples (JAX's `f`: the ratio of two chi-squares over their
 * degrees of freedom).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.f(random.key(0), 4, 6, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const f = (key: Tensor, dfnum: TensorLike, dfden: TensorLike, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("f", key, [dfnum, dfden], options)
  const [kDen, kNum] = splitN(key, 2)
  const num = np.divide(chisquareImpl(kNum!, ps[0]!, shape, dtype), ps[0]!)
  const den = np.divide(chisquareImpl(kDen!, ps[1]!, shape, dtype), ps[1]!)
  return np.divide(num, den)
}

/**
 * Student's t samples (JAX's `t`: `normal * sqrt((df / 2) / gamma(df / 2))`).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.t(random.key(0), 5, { shape: [2, 2] }).shape) // [2, 2]
 *
 * @since 0.1.0
 */
export const t = (key: Tensor, df: TensorLike, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("t", key, [df], options)
  const [kn, kg] = splitN(key, 2)
  const n = normalImpl(kn!, shape, dtype)
  const half = np.divide(bc(ps[0]!, shape), 2)
  const g = gammaImpl("t", kg!, half, shape, dtype, false)
  return np.multiply(n, np.sqrt(np.divide(half, g)))
}

/**
 * Log-normal samples (JAX's `lognormal`: `exp(sigma * normal)`).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.lognormal(random.key(0), 0.5, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const lognormal = (key: Tensor, sigma: TensorLike = 1, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("lognormal", key, [sigma], options)
  return np.exp(np.multiply(ps[0]!, normalImpl(key, shape, dtype)))
}

/**
 * Pareto samples with shape `b` (JAX's `pareto`: `exp(exponential / b)`), support `[1, inf)`.
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.pareto(random.key(0), 3, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const pareto = (key: Tensor, b: TensorLike, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("pareto", key, [b], options)
  const e = lax.neg(lax.log1p(lax.neg(uniformImpl(key, shape, dtype, 0, 1))))
  return np.exp(np.divide(e, ps[0]!))
}

/**
 * Rayleigh samples (JAX's `rayleigh`: `scale * sqrt(-2 log u)`).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.rayleigh(random.key(0), 2, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const rayleigh = (key: Tensor, scale: TensorLike = 1, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("rayleigh", key, [scale], options)
  const u = uniformImpl(key, shape, dtype, 0, 1)
  return np.multiply(ps[0]!, lax.sqrt(lax.mul(lax.log(u), k(shape, -2, dtype))))
}

const maxwellImpl = (key: Tensor, shape: ReadonlyArray<number>, dtype: FloatDType): Tensor =>
  np.sqrt(np.sum(np.square(normalImpl(key, [...shape, 3], dtype)), { axis: -1 }))

/**
 * Maxwell samples (JAX's `maxwell`: the norm of three standard normals).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.maxwell(random.key(0), [2]).shape) // [2]
 *
 * @since 0.1.0
 */
export const maxwell = (
  key: Tensor,
  shape: ShapeLike = [],
  options?: { readonly dtype?: FloatDType | undefined }
): Tensor => {
  checkKeys("maxwell", options, ["dtype"])
  checkKey("maxwell", key)
  return maxwellImpl(key, shapeOf("maxwell", shape), floatDType("maxwell", options?.dtype))
}

/**
 * Double-sided Maxwell samples (JAX's `double_sided_maxwell`: a Maxwell draw
 * with a random sign, times `scale`, plus `loc`). The output shape is
 * `[...shape, ...broadcast(loc, scale)]`, as JAX's.
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.doubleSidedMaxwell(random.key(0), 0, 1, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const doubleSidedMaxwell = (
  key: Tensor,
  loc: TensorLike,
  scale: TensorLike,
  options?: DistributionOptions
): Tensor => {
  checkKeys("doubleSidedMaxwell", options, ["shape", "dtype"])
  checkKey("doubleSidedMaxwell", key)
  const dtype = floatDType("doubleSidedMaxwell", options?.dtype)
  const l = asFloat(loc, dtype)
  const s = asFloat(scale, dtype)
  const params = np.broadcastShapes(l.shape, s.shape)
  const given = options?.shape === undefined ? [] : shapeOf("doubleSidedMaxwell", options.shape)
  const shape = [...(given.length === 0 ? params : given), ...params]
  const [km, kr] = splitN(key, 2)
  const m = maxwellImpl(km!, shape, dtype)
  // rademacher: 2 bernoulli(0.5) - 1, bernoulli as uniform < 0.5
  const sign = np.subtract(np.multiply(np.astype(np.less(uniformImpl(kr!, shape, dtype, 0, 1), 0.5), dtype), 2), 1)
  return np.add(np.multiply(np.multiply(sign, m), s), l)
}

/**
 * Triangular samples on `[left, right]` with mode `mode` (JAX's `triangular`,
 * by the inverse CDF).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.triangular(random.key(0), 0, 1, 3, { shape: [2] }).shape) // [2]
 *
 * @since 0.1.0
 */
export const triangular = (
  key: Tensor,
  left: TensorLike,
  mode: TensorLike,
  right: TensorLike,
  options?: DistributionOptions
): Tensor => {
  const { dtype, ps, shape } = prepare("triangular", key, [left, mode, right], options)
  const [a, c, b] = ps as [Tensor, Tensor, Tensor]
  const fc = np.divide(np.subtract(c, a), np.subtract(b, a))
  const u = uniformImpl(key, shape, dtype, 0, 1)
  const out1 = np.add(a, np.sqrt(np.multiply(np.multiply(u, np.subtract(b, a)), np.subtract(c, a))))
  const out2 = np.subtract(
    b,
    np.sqrt(np.multiply(np.multiply(np.subtract(1, u), np.subtract(b, a)), np.subtract(b, c)))
  )
  return np.where(np.less(u, fc), out1, out2)
}

/**
 * Wald (inverse Gaussian) samples with mean `mean` and shape 1 (JAX's `wald`:
 * Michael, Schucany and Haas's transformation).
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.wald(random.key(0), 2, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const wald = (key: Tensor, mean: TensorLike, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("wald", key, [mean], options)
  const mu = bc(ps[0]!, shape)
  const [k1, k2] = splitN(key, 2)
  const v = normalImpl(k1!, shape, dtype)
  const z = uniformImpl(k2!, shape, dtype, 0, 1)
  const y = np.square(v)
  const mu2 = np.square(mu)
  const root = np.sqrt(np.add(np.multiply(np.multiply(mu, 4), y), np.multiply(mu2, np.square(y))))
  const x = np.subtract(np.add(mu, np.divide(np.multiply(mu2, y), 2)), np.multiply(np.divide(mu, 2), root))
  return np.where(np.lessEqual(z, np.divide(mu, np.add(mu, x))), x, np.divide(mu2, x))
}

/**
 * Geometric samples: the number of Bernoulli(p) trials up to the first success
 * (JAX's `geometric`: `floor(log u / log1p(-p)) + 1`), int32.
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.geometric(random.key(0), 0.3, { shape: [4] }).dtype) // int32
 *
 * @since 0.1.0
 */
export const geometric = (
  key: Tensor,
  p: TensorLike,
  options?: { readonly shape?: ShapeLike | undefined; readonly dtype?: "int32" | FloatDType | undefined }
): Tensor => {
  checkKeys("geometric", options, ["shape", "dtype"])
  checkKey("geometric", key)
  const pt0 = np.asarray(p)
  const pt = DType.isFloating(pt0.dtype) ? pt0 : asFloat(pt0, "float32")
  const fd = pt.dtype as FloatDType
  const shape = outShape("geometric", options?.shape, [pt])
  const u = uniformImpl(key, shape, fd, 0, 1)
  const g = np.add(np.floor(np.divide(lax.log(u), bc(np.log1p(np.negative(pt)), shape))), 1)
  return np.astype(g, options?.dtype ?? "int32")
}

/**
 * Generalized normal samples with exponent `p` (JAX's `generalized_normal`:
 * a random sign times `gamma(1 / p) ** (1 / p)`); `p = 2` is `normal / sqrt 2`,
 * `p = 1` Laplace.
 *
 * @example
 * import { random } from "diffect"
 * console.log(random.generalizedNormal(random.key(0), 1.5, { shape: [3] }).shape) // [3]
 *
 * @since 0.1.0
 */
export const generalizedNormal = (key: Tensor, p: TensorLike, options?: DistributionOptions): Tensor => {
  const { dtype, ps, shape } = prepare("generalizedNormal", key, [p], options)
  const pp = bc(ps[0]!, shape)
  const [kg, kr] = splitN(key, 2)
  const g = gammaImpl("generalizedNormal", kg!, np.divide(1, pp), shape, dtype, false)
  const sign = np.subtract(np.multiply(np.astype(np.less(uniformImpl(kr!, shape, dtype, 0, 1), 0.5), dtype), 2), 1)
  return np.multiply(sign, np.power(g, np.divide(1, pp)))
}

// --- binomial and multinomial -------------------------------------------------------------

const MAX_ROUNDS = 64

// JAX's `_stirling_approx_tail`: log(k!) - Stirling's formula, tabulated below 10.
const STIRLING_TAIL = [
  0.0810614667953272,
  0.0413406959554092,
  0.0276779256849983,
  0.02079067210376509,
  0.0166446911898211,
  0.0138761288230707,
  0.0118967099458917,
  0.010411265261972,
  0.00925546218271273,
  0.00833056343336287
]
const stirlingTail = (x: Tensor): Tensor => {
  const dtype = x.dtype as FloatDType
  const kp1 = np.add(x, 1)
  const kp1sq = np.square(kp1)
  const approx = np.divide(np.subtract(1 / 12, np.divide(np.subtract(1 / 360, np.divide(1 / 1260, kp1sq)), kp1sq)), kp1)
  const idx = np.astype(np.clip(np.floor(x), { min: 0, max: 9 }), "int32")
  const table = np.take(np.array(STIRLING_TAIL, { dtype }), idx)
  return np.where(np.lessEqual(x, 9), table, approx)
}

// JAX's `_binomial_inversion`: count geometric draws until their sum exceeds the count.
const inversion = (key: Tensor, count: Tensor, q: Tensor): Tensor => {
  const dtype = q.dtype as FloatDType
  const log1mq = np.log1p(np.negative(q))
  const [, numGeom] = whileLoop(
    ([, , sum]) => np.any(np.lessEqual(sum!, count)),
    ([key0, num, sum]) => {
      const [sub, next] = splitN(key0!, 2)
      const nextNum = np.where(np.lessEqual(sum!, count), np.add(num!, 1), num!)
      const u = uniformImpl(sub!, q.shape, dtype, 0, 1)
      const geom = np.ceil(np.divide(np.log(u), log1mq))
      return [next!, nextNum, np.add(sum!, geom)]
    },
    [key, np.zerosLike(q), np.zerosLike(q)] as const,
    MAX_ROUNDS
  )
  return np.subtract(numGeom!, 1)
}

// JAX's `_btrs`: Hormann's transformed rejection with squeeze.
const btrs = (key: Tensor, count: Tensor, prob: Tensor): Tensor => {
  const dtype = prob.dtype as FloatDType
  const shape = prob.shape
  const stddev = np.sqrt(np.multiply(np.multiply(count, prob), np.subtract(1, prob)))
  const b = np.add(1.15, np.multiply(2.53, stddev))
  const a = np.add(np.add(-0.0873, np.multiply(0.0248, b)), np.multiply(0.01, prob))
  const c = np.add(np.multiply(count, prob), 0.5)
  const vr = np.subtract(0.92, np.divide(4.2, b))
  const r = np.divide(prob, np.subtract(1, prob))
  const alpha = np.multiply(np.add(2.83, np.divide(5.1, b)), stddev)
  const m = np.floor(np.multiply(np.add(count, 1), prob))
  const [, kOut] = whileLoop(
    ([, , accepted]) => np.any(np.logicalNot(accepted!)),
    ([key0, kPrev, accepted]) => {
      const [next, k0, k1] = splitN(key0!, 3)
      const u = np.subtract(uniformImpl(k0!, shape, dtype, 0, 1), 0.5)
      const v0 = uniformImpl(k1!, shape, dtype, 0, 1)
      const us = np.subtract(0.5, np.abs(u))
      const accept1 = np.logicalAnd(np.greaterEqual(us, 0.07), np.lessEqual(v0, vr))
      const kk = np.floor(np.add(np.multiply(np.add(np.divide(np.multiply(a, 2), us), b), u), c))
      const reject = np.logicalOr(np.less(kk, 0), np.greater(kk, count))
      const v = np.log(np.divide(np.multiply(v0, alpha), np.add(np.divide(a, np.square(us)), b)))
      const ub = [
        np.multiply(np.add(m, 0.5), np.log(np.divide(np.add(m, 1), np.multiply(r, np.add(np.subtract(count, m), 1))))),
        np.multiply(
          np.add(count, 1),
          np.log(np.divide(np.add(np.subtract(count, m), 1), np.add(np.subtract(count, kk), 1)))
        ),
        np.multiply(
          np.add(kk, 0.5),
          np.log(np.divide(np.multiply(r, np.add(np.subtract(count, kk), 1)), np.add(kk, 1)))
        ),
        stirlingTail(m),
        stirlingTail(np.subtract(count, m)),
        np.negative(stirlingTail(kk)),
        np.negative(stirlingTail(np.subtract(count, kk)))
      ].reduce((x, y) => np.add(x, y))
      const accept2 = np.lessEqual(v, ub)
      const accept = np.logicalOr(accept1, np.logicalAnd(np.logicalNot(reject), accept2))
      const kNew = np.where(np.logicalAnd(accept, np.logicalNot(accepted!)), kk, kPrev!)
      return [next!, kNew, np.logicalOr(accepted!, accept)]
    },
    [key, np.full(shape, -1, { dtype }), np.zeros(shape, { dtype: "bool" })] as const,
    MAX_ROUNDS
  )
  return kOut!
}

// JAX's `_binomial` on broadcast float operands.
const binomialImpl = (key: Tensor, n: Tensor, p: Tensor): Tensor => {
  const dtype = p.dtype as FloatDType
  const pLtHalf = np.less(p, 0.5)
  let q = np.where(pLtHalf, p, np.subtract(1, p))
  const countBad = np.logicalOr(np.isnan(n), np.less(n, 0))
  const countInf = np.isinf(n)
  const qNan = np.isnan(q)
  const qNeg = np.less(q, 0)
  q = np.where(np.logicalOr(qNan, qNeg), np.full(q.shape, 0.01, { dtype }), q)
  // q = -0 (p = -0, or a clipped ratio) as +0: log1p(-q) must be -0 for the inversion's geometric
  // draws to come out +inf (no successes); with +0 they came out -inf and the loop never ended
  q = np.where(np.equal(q, 0), np.zeros(q.shape, { dtype }), q)
  const useInversion = np.logicalOr(countBad, np.lessEqual(np.multiply(n, q), 10))
  const count = np.floor(n)
  const countInv = np.where(useInversion, count, np.zerosLike(count))
  const countBtrs = np.where(useInversion, np.full(count.shape, 1e4, { dtype }), count)
  const qBtrs = np.where(useInversion, np.full(q.shape, 0.5, { dtype }), q)
  let samples = np.where(useInversion, inversion(key, countInv, q), btrs(key, countBtrs, qBtrs))
  const invalid = np.logicalOr(np.logicalOr(qNeg, qNan), countBad)
  samples = np.where(invalid, np.full(samples.shape, NaN, { dtype }), samples)
  samples = np.where(
    np.logicalAnd(countInf, np.logicalNot(invalid)),
    np.full(samples.shape, Infinity, { dtype }),
    samples
  )
  const keep = np.logicalOr(np.logicalOr(pLtHalf, countBad), np.logicalOr(qNan, countInf))
  return np.where(keep, samples, np.subtract(count, samples))
}

/**
 * Binomial samples: successes in `n` trials of probability `p` (JAX's
 * `binomial`: inversion by geometric draws where `n min(p, 1-p) <= 10`, Hormann's
 * BTRS rejection above; `p > 1/2` sampled as `n - Binomial(n, 1 - p)`), as
 * floats. NaN for a negative or NaN `n`, or `p` outside [0, 1]; +inf for an
 * infinite `n`.
 *
 * @example
 * import { random, toJsSync } from "diffect"
 * console.log(toJsSync(random.binomial(random.key(0), 10, 0, { shape: [3] }))) // [0, 0, 0]
 *
 * @since 0.1.0
 */
export const binomial = (key: Tensor, n: TensorLike, p: TensorLike, options?: DistributionOptions): Tensor => {
  const { ps, shape } = prepare("binomial", key, [n, p], options)
  return binomialImpl(key, bc(ps[0]!, shape), bc(ps[1]!, shape))
}

/**
 * Multinomial samples: counts of `n` draws over the categories of `p`'s last
 * axis (JAX's `multinomial`: one binomial per category on the remaining count,
 * with probability `p_i / (p_i + ... + p_last)`). The output shape is
 * `[...shape, categories]`; `shape` defaults to `broadcast(n, p[..., 0])`.
 *
 * @example
 * import { np, random, toJsSync } from "diffect"
 * const counts = random.multinomial(random.key(0), 10, np.array([0.2, 0.3, 0.5]))
 * console.log(toJsSync(np.sum(counts))) // 10
 *
 * @since 0.1.0
 */
export const multinomial = (key: Tensor, n: TensorLike, p: TensorLike, options?: DistributionOptions): Tensor => {
  checkKeys("multinomial", options, ["shape", "dtype"])
  checkKey("multinomial", key)
  const dtype = floatDType("multinomial", options?.dtype)
  const nt = asFloat(n, dtype)
  const pt = asFloat(p, dtype)
  if (pt.ndim < 1) {
    throw new ShapeError({ operation: "multinomial", detail: "p must have at least one dimension (the categories)" })
  }
  const cats = pt.shape[pt.ndim - 1]!
  const batch = pt.shape.slice(0, -1)
  const shape = options?.shape === undefined
    ? [...np.broadcastShapes(nt.shape, batch)]
    : outShape("multinomial", options.shape, [nt, np.zeros(batch)])
  const probs = np.moveaxis(np.broadcastTo(pt, [...shape, cats]), -1, 0)
  const remaining = np.flip(np.cumsum(np.flip(probs, { axis: 0 }), { axis: 0 }), { axis: 0 })
  const ratios = np.divide(probs, np.where(np.equal(remaining, 0), np.onesLike(remaining), remaining))
  const keys = splitN(key, cats)
  let remainder = np.broadcastTo(nt, shape)
  const counts: Array<Tensor> = []
  for (let i = 0; i < cats; i++) {
    const ratio = np.clip(np.index(ratios, i), { min: 0, max: 1 })
    const count = binomialImpl(keys[i]!, remainder, ratio)
    remainder = np.subtract(remainder, count)
    counts.push(count)
  }
  return np.stack(counts, { axis: -1 })
}
