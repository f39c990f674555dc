/**
 * JAX's experimental L-BFGS (`method="l-bfgs-experimental-do-not-rely-on-this"`
 * of `jax.scipy.optimize.minimize`): Wright and Nocedal's algorithm 7.5 (the
 * two-loop recursion over the last `maxcor` steps) with the strong-Wolfe line
 * search, generalized to complex x as Sorber, Van Barel and De Lathauwer
 * (2012) do: for a real f of complex z the gradient is JAX's `df/dx - i df/dy`,
 * so the descent direction is built from its conjugate. One `lax.whileLoop`, so
 * it runs under jit and vmap.
 *
 * @internal
 */
import { lax, np } from "@diffect/core"
import type { DType, Tensor } from "@diffect/core"
import { lineSearch } from "./lineSearch.js"

/** L-BFGS's options (JAX's keyword arguments, camel-cased). */
export interface LbfgsSettings {
  readonly maxiter: number
  readonly norm: number
  readonly maxcor: number
  readonly ftol: number
  readonly gtol: number
  readonly maxfun: number
  readonly maxgrad: number
  readonly maxls: number
}

/** What the loop ends with (JAX's `LBFGSResults`, less the history). */
export interface LbfgsResult {
  readonly converged: Tensor
  readonly failed: Tensor
  readonly k: Tensor
  readonly nfev: Tensor
  readonly ngev: Tensor
  readonly x: Tensor
  readonly f: Tensor
  readonly g: Tensor
  readonly status: Tensor
}

type State = {
  converged: Tensor
  failed: Tensor
  k: Tensor
  nfev: Tensor
  ngev: Tensor
  x: Tensor
  f: Tensor
  g: Tensor
  s: Tensor
  y: Tensor
  rho: Tensor
  gamma: Tensor
  status: Tensor
}

const int = (v: number) => lax.full([], v, "int32")

// dot products accumulate at the highest precision, as JAX's `_dot` does
const dot = (a: Tensor, b: Tensor): Tensor => lax.dotGeneral(a, b, [[0], [0]], [[], []], { precision: "highest" })

// the oldest row dropped, `row` appended (JAX's roll then set of the last row)
const pushRow = (history: Tensor, row: Tensor): Tensor =>
  np.concatenate([lax.sliceInDim(history, 1, history.shape[0]!, 1, 0), np.expandDims(row, 0)])

/**
 * The search direction `-H g` from the last `min(k, maxcor)` pairs (steps `s`,
 * gradient changes `y`, `rho = 1 / Re <y, s>`), newest last. Rows older than
 * `k` are skipped (not just zero: a zero row times a non-finite q would be NaN).
 */
const direction = (state: State, realType: DType.DType): Tensor => {
  const m = state.rho.shape[0]!
  const used = np.minimum(state.k, int(m))
  const row = (h: Tensor, i: Tensor) => lax.dynamicIndexInDim(h, i, 0, false)
  const first = lax.foriLoop(
    0,
    m,
    (j, [q, alphas]: [Tensor, Tensor]): [Tensor, Tensor] => {
      const i = lax.sub(int(m - 1), j)
      const live = np.less(j, used)
      const a = np.multiply(
        row(state.rho, i),
        lax.convertElementType(np.real(dot(np.conj(row(state.s, i)), q)), realType)
      )
      return [
        np.where(live, np.subtract(q, np.multiply(a, np.conj(row(state.y, i)))), q),
        np.where(live, lax.dynamicUpdateIndexInDim(alphas, a, i, 0), alphas)
      ]
    },
    [np.negative(np.conj(state.g)), np.zerosLike(state.rho)] as [Tensor, Tensor]
  )
  return lax.foriLoop(
    0,
    m,
    (j, q: Tensor): Tensor => {
      const i = lax.add(lax.sub(int(m), used), j)
      const live = np.less(j, used)
      // a row index past the end only when the step is masked out
      const at = np.minimum(i, int(m - 1))
      const b = np.multiply(row(state.rho, at), lax.convertElementType(np.real(dot(row(state.y, at), q)), realType))
      return np.where(live, np.add(q, np.multiply(np.subtract(row(first[1], at), b), row(state.s, at))), q)
    },
    np.multiply(state.gamma, first[0])
  )
}

/**
 * Runs L-BFGS from `x0` with `valueAndGrad` (the real value and JAX's gradient
 * at a point of x0's dtype).
 */
export const lbfgs = (
  valueAndGrad: (x: Tensor) => readonly [Tensor, Tensor],
  x0: Tensor,
  realType: DType.DType,
  settings: LbfgsSettings
): LbfgsResult => {
  const d = x0.size
  const [f0, g0] = valueAndGrad(x0)
  const init: State = {
    converged: lax.full([], 0, "bool"),
    failed: lax.full([], 0, "bool"),
    k: int(0),
    nfev: int(1),
    ngev: int(1),
    x: x0,
    f: f0,
    g: g0,
    s: np.zeros([settings.maxcor, d], { dtype: x0.dtype }),
    y: np.zeros([settings.maxcor, d], { dtype: x0.dtype }),
    rho: np.zeros([settings.maxcor], { dtype: realType }),
    gamma: lax.full([], 1, realType),
    status: int(0)
  }
  // counters are int32: a limit past its range is no limit (JAX compares with inf)
  const atLeast = (count: Tensor, limit: number) =>
    Number.isFinite(limit) && limit <= 2 ** 31 - 1 ? np.greaterEqual(count, int(limit)) : lax.full([], 0, "bool")
  const state = lax.whileLoop(
    (s: State) => np.logicalAnd(np.logicalNot(s.converged), np.logicalNot(s.failed)),
    (s: State): State => {
      const p = direction(s, realType)
      const restricted = (t: Tensor): readonly [Tensor, Tensor, Tensor] => {
        const [phi, g] = valueAndGrad(np.add(s.x, np.multiply(t, p)))
        return [phi, np.real(dot(g, p)), g]
      }
      // JAX's L-BFGS passes no old_old_fval: every search starts at a step of 1
      const ls = lineSearch(restricted, s.f, np.real(dot(s.g, p)), s.g, undefined, { maxiter: settings.maxls })
      const step = np.multiply(lax.convertElementType(ls.aK, x0.dtype), p)
      const y = np.subtract(ls.gK, s.g)
      const rhoInv = lax.convertElementType(np.real(dot(y, step)), realType)
      const gamma = np.divide(rhoInv, lax.convertElementType(np.real(dot(np.conj(y), y)), realType))
      // the later conditions win, in JAX's order
      let status = int(0)
      status = np.where(np.less(np.subtract(s.f, ls.fK), settings.ftol), int(4), status)
      status = np.where(atLeast(s.ngev, settings.maxgrad), int(3), status)
      status = np.where(atLeast(s.nfev, settings.maxfun), int(2), status)
      status = np.where(atLeast(s.k, settings.maxiter), int(1), status)
      status = np.where(ls.failed, int(5), status)
      const converged = np.less(np.linalg.norm(ls.gK, { ord: settings.norm }), settings.gtol)
      return {
        converged,
        failed: np.logicalAnd(np.greater(status, int(0)), np.logicalNot(converged)),
        k: lax.add(s.k, int(1)),
        nfev: lax.add(s.nfev, ls.nfev),
        ngev: lax.add(s.ngev, ls.ngev),
        x: np.add(s.x, step),
        f: ls.fK,
        g: ls.gK,
        s: pushRow(s.s, step),
        y: pushRow(s.y, y),
        rho: pushRow(s.rho, np.reciprocal(rhoInv)),
        gamma,
        status: np.where(converged, int(0), status)
      }
    },
    init
  )
  return {
    converged: state.converged,
    failed: state.failed,
    k: state.k,
    nfev: state.nfev,
    ngev: state.ngev,
    x: state.x,
    f: state.f,
    g: state.g,
    status: state.status
  }
}
