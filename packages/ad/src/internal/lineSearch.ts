/**
 * The strong-Wolfe line search of JAX's `jax.scipy.optimize` (Wright and
 * Nocedal, Numerical Optimization, algorithms 3.5 and 3.6: bracketing, then
 * zooming by cubic, quadratic or bisection steps), staged as `lax.whileLoop`s
 * with every branch a `where`, so it runs under jit and vmap.
 *
 * @internal
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"

/** `t -> [phi(t), phi'(t), grad f(x + t p)]` along the search direction. */
export type Restricted = (t: Tensor) => readonly [Tensor, Tensor, Tensor]

/** The line search's result (JAX's `_LineSearchResults`). */
export interface LineSearchResult {
  readonly failed: Tensor
  readonly nfev: Tensor
  readonly ngev: Tensor
  readonly aK: Tensor
  readonly fK: Tensor
  readonly gK: Tensor
  readonly status: Tensor
}

// int32 counters: a JS number is a weak float32 here, so `+ 1` would turn them into floats
const inc = (t: Tensor): Tensor => lax.add(t, lax.full([], 1, "int32"))

const pick = <T extends Record<string, Tensor>>(c: Tensor, yes: Partial<T>, no: T): T =>
  Object.fromEntries(
    Object.entries(no).map(([k, v]) => [k, k in yes ? np.where(c, (yes as Record<string, Tensor>)[k]!, v) : v])
  ) as T

// the minimizer of the cubic through (a, fa) with slope fpa, (b, fb), (c, fc) (JAX's _cubicmin)
const cubicmin = (a: Tensor, fa: Tensor, fpa: Tensor, b: Tensor, fb: Tensor, c: Tensor, fc: Tensor): Tensor => {
  const db = np.subtract(b, a)
  const dc = np.subtract(c, a)
  const denom = np.multiply(np.square(np.multiply(db, dc)), np.subtract(db, dc))
  const e1 = np.subtract(np.subtract(fb, fa), np.multiply(fpa, db))
  const e2 = np.subtract(np.subtract(fc, fa), np.multiply(fpa, dc))
  const A = np.divide(np.subtract(np.multiply(np.square(dc), e1), np.multiply(np.square(db), e2)), denom)
  const B = np.divide(np.add(np.multiply(np.negative(np.power(dc, 3)), e1), np.multiply(np.power(db, 3), e2)), denom)
  const radical = np.subtract(np.multiply(B, B), np.multiply(np.multiply(3, A), fpa))
  return np.add(a, np.divide(np.add(np.negative(B), np.sqrt(radical)), np.multiply(3, A)))
}

// the minimizer of the quadratic through (a, fa) with slope fpa and (b, fb) (JAX's _quadmin)
const quadmin = (a: Tensor, fa: Tensor, fpa: Tensor, b: Tensor, fb: Tensor): Tensor => {
  const db = np.subtract(b, a)
  const B = np.divide(np.subtract(np.subtract(fb, fa), np.multiply(fpa, db)), np.square(db))
  return np.subtract(a, np.divide(fpa, np.multiply(2, B)))
}

type Zoom = {
  done: Tensor
  failed: Tensor
  j: Tensor
  aLo: Tensor
  phiLo: Tensor
  dphiLo: Tensor
  aHi: Tensor
  phiHi: Tensor
  dphiHi: Tensor
  aRec: Tensor
  phiRec: Tensor
  aStar: Tensor
  phiStar: Tensor
  dphiStar: Tensor
  gStar: Tensor
  nfev: Tensor
  ngev: Tensor
}

// JAX's _zoom (algorithm 3.6) between aLo and aHi; `passThrough` skips it
const zoom = (
  f: Restricted,
  wolfeOne: (a: Tensor, phi: Tensor) => Tensor,
  wolfeTwo: (dphi: Tensor) => Tensor,
  lo: readonly [Tensor, Tensor, Tensor],
  hi: readonly [Tensor, Tensor, Tensor],
  g0: Tensor,
  passThrough: Tensor
): Zoom => {
  const [aLo, phiLo, dphiLo] = lo
  const [aHi, phiHi, dphiHi] = hi
  const scalar = (v: number) => lax.full([], v, aLo.dtype)
  const int = (v: number) => lax.full([], v, "int32")
  const threshold = aLo.dtype === "float64" ? 1e-10 : 1e-5
  const init: Zoom = {
    done: lax.full([], 0, "bool"),
    failed: lax.full([], 0, "bool"),
    j: int(0),
    aLo,
    phiLo,
    dphiLo,
    aHi,
    phiHi,
    dphiHi,
    aRec: np.divide(np.add(aLo, aHi), 2),
    phiRec: np.divide(np.add(phiLo, phiHi), 2),
    aStar: scalar(1),
    phiStar: phiLo,
    dphiStar: dphiLo,
    gStar: g0,
    nfev: int(0),
    ngev: int(0)
  }
  return lax.whileLoop(
    (s: Zoom) =>
      np.logicalAnd(np.logicalAnd(np.logicalNot(s.done), np.logicalNot(passThrough)), np.logicalNot(s.failed)),
    (state: Zoom) => {
      let s = state
      const dalpha = np.subtract(s.aHi, s.aLo)
      const a = np.minimum(s.aHi, s.aLo)
      const b = np.maximum(s.aHi, s.aLo)
      const cchk = np.multiply(0.2, dalpha)
      const qchk = np.multiply(0.1, dalpha)
      s = { ...s, failed: np.logicalOr(s.failed, np.lessEqual(dalpha, threshold)) }
      const aCubic = cubicmin(s.aLo, s.phiLo, s.dphiLo, s.aHi, s.phiHi, s.aRec, s.phiRec)
      const useCubic = np.logicalAnd(
        np.logicalAnd(np.greater(s.j, 0), np.greater(aCubic, np.add(a, cchk))),
        np.less(aCubic, np.subtract(b, cchk))
      )
      const aQuad = quadmin(s.aLo, s.phiLo, s.dphiLo, s.aHi, s.phiHi)
      const useQuad = np.logicalAnd(
        np.logicalAnd(np.logicalNot(useCubic), np.greater(aQuad, np.add(a, qchk))),
        np.less(aQuad, np.subtract(b, qchk))
      )
      const useBisection = np.logicalAnd(np.logicalNot(useCubic), np.logicalNot(useQuad))
      let aJ = np.where(useCubic, aCubic, s.aRec)
      aJ = np.where(useQuad, aQuad, aJ)
      aJ = np.where(useBisection, np.divide(np.add(s.aLo, s.aHi), 2), aJ)
      const [phiJ, dphiJ, gJ] = f(aJ)
      s = { ...s, nfev: inc(s.nfev), ngev: inc(s.ngev) }
      const hiToJ = np.logicalOr(wolfeOne(aJ, phiJ), np.greaterEqual(phiJ, s.phiLo))
      const starToJ = np.logicalAnd(wolfeTwo(dphiJ), np.logicalNot(hiToJ))
      const hiToLo = np.logicalAnd(
        np.logicalAnd(np.greaterEqual(np.multiply(dphiJ, np.subtract(s.aHi, s.aLo)), 0), np.logicalNot(hiToJ)),
        np.logicalNot(starToJ)
      )
      const loToJ = np.logicalAnd(np.logicalNot(hiToJ), np.logicalNot(starToJ))
      s = pick(hiToJ, { aHi: aJ, phiHi: phiJ, dphiHi: dphiJ, aRec: s.aHi, phiRec: s.phiHi }, s)
      s = {
        ...pick(starToJ, { aStar: aJ, phiStar: phiJ, dphiStar: dphiJ, gStar: gJ }, s),
        done: np.logicalOr(starToJ, s.done)
      }
      s = pick(hiToLo, { aHi: s.aLo, phiHi: s.phiLo, dphiHi: s.dphiLo, aRec: s.aHi, phiRec: s.phiHi }, s)
      s = pick(np.logicalAnd(loToJ, np.logicalNot(hiToLo)), { aRec: s.aLo, phiRec: s.phiLo }, s)
      s = pick(loToJ, { aLo: aJ, phiLo: phiJ, dphiLo: dphiJ }, s)
      const j = inc(s.j)
      return { ...s, j, failed: np.logicalOr(s.failed, np.greaterEqual(j, 30)) }
    },
    init
  )
}

type Search = {
  done: Tensor
  failed: Tensor
  i: Tensor
  aI1: Tensor
  phiI1: Tensor
  dphiI1: Tensor
  nfev: Tensor
  ngev: Tensor
  aStar: Tensor
  phiStar: Tensor
  dphiStar: Tensor
  gStar: Tensor
}

/**
 * JAX's `line_search` (algorithm 3.5) from `phi0 = f(x)` with gradient `g0`,
 * along a descent direction `p` (`dphi0 = g0 . p < 0`); `oldOldFval` sets the
 * first trial step as JAX does (without it, the first trial step is 1).
 */
export const lineSearch = (
  f: Restricted,
  phi0: Tensor,
  dphi0: Tensor,
  g0: Tensor,
  oldOldFval: Tensor | undefined,
  options: { readonly c1?: number; readonly c2?: number; readonly maxiter: number }
): LineSearchResult => {
  const c1 = options.c1 ?? 1e-4
  const c2 = options.c2 ?? 0.9
  const dtype = phi0.dtype
  const scalar = (v: number) => lax.full([], v, dtype)
  const int = (v: number) => lax.full([], v, "int32")
  const candidate = oldOldFval === undefined
    ? undefined
    : np.divide(np.multiply(2.02, np.subtract(phi0, oldOldFval)), dphi0)
  const startValue = candidate === undefined ? scalar(1) : np.where(np.greater(candidate, 1), scalar(1), candidate)
  const wolfeOne = (a: Tensor, phi: Tensor) => np.greater(phi, np.add(phi0, np.multiply(np.multiply(c1, a), dphi0)))
  const wolfeTwo = (dphi: Tensor) => np.lessEqual(np.abs(dphi), np.multiply(-c2, dphi0))
  const init: Search = {
    done: lax.full([], 0, "bool"),
    failed: lax.full([], 0, "bool"),
    i: int(1),
    aI1: scalar(0),
    phiI1: phi0,
    dphiI1: dphi0,
    nfev: int(0),
    ngev: int(0),
    aStar: scalar(0),
    phiStar: phi0,
    dphiStar: dphi0,
    gStar: g0
  }
  const state = lax.whileLoop(
    (s: Search) =>
      np.logicalAnd(np.logicalAnd(np.logicalNot(s.done), np.lessEqual(s.i, options.maxiter)), np.logicalNot(s.failed)),
    (state: Search) => {
      let s = state
      const aI = np.where(np.equal(s.i, 1), startValue, np.multiply(s.aI1, 2))
      const [phiI, dphiI, gI] = f(aI)
      s = { ...s, nfev: inc(s.nfev), ngev: inc(s.ngev) }
      const starToZoom1 = np.logicalOr(
        wolfeOne(aI, phiI),
        np.logicalAnd(np.greaterEqual(phiI, s.phiI1), np.greater(s.i, 1))
      )
      const starToI = np.logicalAnd(wolfeTwo(dphiI), np.logicalNot(starToZoom1))
      const starToZoom2 = np.logicalAnd(
        np.logicalAnd(np.greaterEqual(dphiI, 0), np.logicalNot(starToZoom1)),
        np.logicalNot(starToI)
      )
      const z1 = zoom(
        f,
        wolfeOne,
        wolfeTwo,
        [s.aI1, s.phiI1, s.dphiI1],
        [aI, phiI, dphiI],
        g0,
        np.logicalNot(starToZoom1)
      )
      s = { ...s, nfev: np.add(s.nfev, z1.nfev), ngev: np.add(s.ngev, z1.ngev) }
      const z2 = zoom(
        f,
        wolfeOne,
        wolfeTwo,
        [aI, phiI, dphiI],
        [s.aI1, s.phiI1, s.dphiI1],
        g0,
        np.logicalNot(starToZoom2)
      )
      s = { ...s, nfev: np.add(s.nfev, z2.nfev), ngev: np.add(s.ngev, z2.ngev) }
      s = {
        ...pick(starToZoom1, { aStar: z1.aStar, phiStar: z1.phiStar, dphiStar: z1.dphiStar, gStar: z1.gStar }, s),
        done: np.logicalOr(starToZoom1, s.done),
        failed: np.logicalOr(np.logicalAnd(starToZoom1, z1.failed), s.failed)
      }
      s = {
        ...pick(starToI, { aStar: aI, phiStar: phiI, dphiStar: dphiI, gStar: gI }, s),
        done: np.logicalOr(starToI, s.done)
      }
      s = {
        ...pick(starToZoom2, { aStar: z2.aStar, phiStar: z2.phiStar, dphiStar: z2.dphiStar, gStar: z2.gStar }, s),
        done: np.logicalOr(starToZoom2, s.done),
        failed: np.logicalOr(np.logicalAnd(starToZoom2, z2.failed), s.failed)
      }
      return { ...s, i: inc(s.i), aI1: aI, phiI1: phiI, dphiI1: dphiI }
    },
    init
  )
  // JAX's status: 1 the zoom failed, 3 too many iterations, 0 passed
  const code = (v: number) => lax.full([], v, "int32")
  const status = np.where(state.failed, code(1), np.where(np.greater(state.i, options.maxiter), code(3), code(0)))
  // a step below 1e-8 in float32 would leave the optimizer stuck on a zero direction (JAX's floor)
  const aK = dtype === "float64"
    ? state.aStar
    : np.where(np.less(np.abs(state.aStar), 1e-8), np.multiply(np.sign(state.aStar), 1e-8), state.aStar)
  const failed = np.logicalOr(state.failed, np.logicalNot(state.done))
  return {
    failed,
    nfev: state.nfev,
    ngev: state.ngev,
    aK,
    fK: state.phiStar,
    gK: state.gStar,
    status
  }
}
