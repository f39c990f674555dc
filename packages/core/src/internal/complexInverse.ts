/**
 * Complex `asin`, `acos` and `atan` as kernel IR, by the algorithms JAX lowers them to
 * (`chlo.asin`, `chlo.acos`, `chlo.atan` through `chlo.atanh`): Hull, Fairgrieve and Tang's
 * arcsine ("Implementing the complex arcsine and arccosine functions using exception handling",
 * ACM TOMS 1997) with its regions merged into three for the real part and four for the imaginary
 * part, and an inverse hyperbolic tangent that switches to asymptotic forms where its squares
 * would overflow. Accurate over the whole plane, extremes and infinities included (JAX's
 * `testSuccessOnComplexPlane`); `asinh`, `acosh` and `atanh` are built from these in np.
 */
import * as K from "../Kernel.js"
import type { Expr } from "../Kernel.js"
import { hypot, k, largestFinite, smallestNormal } from "./exprMath.js"

/** A complex value as its two real lanes. */
export type Cx = readonly [Expr, Expr]

/**
 * Hull et al.'s kernel: `w = (sqrt(a^2 - x^2), log(a + sqrt(a^2 - 1)))` for `x = |re z|`,
 * `y = |im z|` and `a = (hypot(x + 1, y) + hypot(x - 1, y)) / 2`, each part by the form that
 * neither cancels nor overflows in its region. Then `asin z = (atan2(re z, w0), +-w1)` and
 * `acos z = (atan2(w0, re z), -+w1)`.
 */
const asinAcosKernel = ([re, im]: Cx): Cx => {
  const t = re.type
  const c = (v: number) => k(v, t)
  const x = K.abs(re)
  const y = K.abs(im)
  const one = c(1)
  const half = c(0.5)
  const safeMin = Math.sqrt(smallestNormal(t)) * 4
  const safeMax = Math.sqrt(largestFinite(t)) / 8
  // past safeMax the "+-1" in hypot(x +- 1, y) is lost; for the imaginary part the asymptotic form
  // is taken earlier when y dominates (Hull et al.'s case 4 folded into case 5)
  const safeMaxOpt = K.select(K.lt(x, c(safeMax * 1e12)), c(safeMax * 1e-6), c(safeMax * 1e2))
  const xp1 = K.add(x, one)
  const xm1 = K.sub(x, one)
  const r = hypot(xp1, y)
  const s = hypot(xm1, y)
  const a = K.mul(half, K.add(r, s))
  const ap1 = K.add(a, one)
  const rpxp1 = K.add(r, xp1)
  const spxm1 = K.add(s, xm1)
  const smxm1 = K.sub(s, xm1)
  const yy = K.mul(y, y)
  const halfYy = K.mul(half, yy)
  const halfApx = K.mul(half, K.add(a, x))
  // the real part's sqrt(a^2 - x^2) = sqrt((a + x)(a - x)), with a - x without cancellation
  const w0 = K.select(
    K.ge(K.max(x, y), c(safeMax)),
    y,
    K.select(
      K.le(x, one),
      K.sqrt(K.mul(halfApx, K.add(K.div(yy, rpxp1), smxm1))),
      K.mul(y, K.sqrt(K.add(K.div(halfApx, rpxp1), K.div(halfApx, spxm1))))
    )
  )
  // a - 1 without cancellation
  const am1Safe = K.select(
    K.ge(x, one),
    K.add(K.div(halfYy, rpxp1), K.mul(half, spxm1)),
    K.select(K.le(a, c(1.5)), K.add(K.div(halfYy, rpxp1), K.div(halfYy, smxm1)), K.sub(a, one))
  )
  const tinyY = K.and(K.lt(y, c(safeMin)), K.lt(x, one))
  const am1 = K.select(tinyY, K.neg(K.div(K.mul(xp1, xm1), ap1)), am1Safe)
  const yBig = K.ge(y, safeMaxOpt)
  const mx = K.select(yBig, y, x)
  const sq = K.sqrt(K.mul(am1, ap1))
  const xOverY = K.select(K.and(yBig, K.lt(y, c(Infinity))), K.div(x, y), c(0))
  const w1 = K.select(
    K.ge(mx, K.select(yBig, safeMaxOpt, c(safeMax))),
    K.add(K.add(c(Math.LN2), K.log(mx)), K.mul(half, K.log1p(K.mul(xOverY, xOverY)))),
    K.select(tinyY, K.div(y, sq), K.log1p(K.add(am1, sq)))
  )
  return [w0, w1]
}

/** `asin z`; the imaginary part's sign follows `im z < 0` (so `asin(2 - 0i)` is `pi/2 + 1.317i`, as JAX's). */
export const casin = (z: Cx): Cx => {
  const [w0, w1] = asinAcosKernel(z)
  return [K.atan2(z[0], w0), K.select(K.lt(z[1], k(0, z[1].type)), K.neg(w1), w1)]
}

/** `acos z`, from the same kernel: `(atan2(w0, re z), -+w1)`. */
export const cacos = (z: Cx): Cx => {
  const [w0, w1] = asinAcosKernel(z)
  return [K.atan2(w0, z[0]), K.select(K.lt(z[1], k(0, z[1].type)), w1, K.neg(w1))]
}

/**
 * `atanh z = (log1p(z) - log1p(-z)) / 2` written without the logarithms' cancellation:
 * re = sign(x) log1p(4|x| / ((1 - |x|)^2 + y^2)) / 4 and im = atan2(2y, (1 - |x|)(1 + |x|) - y^2) / 2,
 * switching, where |x| or |y| passes 1/eps^2 (the squares would overflow or lose the 1), to
 * re = log1p(4 / |x|) / 4 (y negligible beside x) or log1p(4 / (y (|x|/y + y/|x|))) / 4, and
 * im = sign(y) pi / 2.
 */
export const catanh = ([x, y]: Cx): Cx => {
  const t = x.type
  const c = (v: number) => k(v, t)
  const one = c(1)
  // the smallest v with v + 1 == v, squared
  const addOneIdentity = t === "f32" ? 2 ** 24 + 2 : 2 ** 53 + 2
  const safeMax = addOneIdentity * addOneIdentity
  const ax = K.abs(x)
  const ay = K.abs(y)
  const oneMinusAx = K.sub(one, ax)
  const yy = K.mul(y, y)
  const safe = K.and(K.lt(ax, c(safeMax)), K.lt(ay, c(safeMax)))
  const isInf = (v: Expr) => K.eq(K.abs(v), c(Infinity))
  const inner = K.div(ax, K.add(K.mul(oneMinusAx, oneMinusAx), yy))
  const xDominates = K.div(one, ax)
  const both = K.select(
    K.or(isInf(x), isInf(y)),
    c(0),
    K.div(K.div(one, K.add(K.div(ax, y), K.div(y, ax))), y)
  )
  const arg = K.select(safe, inner, K.select(K.lt(K.mul(ay, c(addOneIdentity)), ax), xDominates, both))
  const re = K.mul(K.mul(K.select(K.ge(x, c(0)), one, c(-1)), K.log1p(K.mul(c(4), arg))), c(0.25))
  const im = K.mul(
    K.select(
      safe,
      K.atan2(K.add(y, y), K.sub(K.mul(oneMinusAx, K.add(one, ax)), yy)),
      K.mul(K.select(K.ge(y, c(0)), one, c(-1)), c(Math.PI))
    ),
    c(0.5)
  )
  return [re, im]
}

/** `atan z = -i atanh(i z)`: exact swaps and one negation around `catanh`. */
export const catan = ([x, y]: Cx): Cx => {
  const [re, im] = catanh([K.neg(y), x])
  return [im, K.neg(re)]
}
