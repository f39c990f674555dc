/**
 * `optimize`: JAX's `jax.scipy.optimize`: `minimize` with BFGS (Wright and
 * Nocedal's algorithm 6.1 and the strong-Wolfe line search) or JAX's
 * experimental L-BFGS (algorithm 7.5, real or complex x), each one
 * `lax.whileLoop` whose gradients come from reverse-mode differentiation of
 * the objective, so a whole minimization runs under `jit` and `vmap`.
 *
 * @since 0.1.0
 */
import { DTypeError, isTensor, lax, np, ShapeError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { MaybeEffect } from "@diffect/core/Staging"
import { argumentError, checkArg, checkOptions, func, integer, number } from "@diffect/core/Validate"
import { lbfgs } from "./internal/lbfgs.js"
import { lineSearch } from "./internal/lineSearch.js"
import { resolve } from "./internal/shell.js"
import { vjpFlat } from "./internal/vjp.js"

/** Options of {@link minimize}'s BFGS (JAX's `options` mapping). @since 0.1.0 */
export interface BfgsOptions {
  /** The most iterations (default 200 times the size of x0). */
  readonly maxiter?: number | undefined
  /** The order of the gradient's norm in the convergence test (default Infinity). */
  readonly norm?: number | undefined
  /** Converged when the gradient's norm is below this (default 1e-5). */
  readonly gtol?: number | undefined
  /** The most iterations of each line search (default 10). */
  readonly lineSearchMaxiter?: number | undefined
}

/**
 * Options of {@link minimize}'s L-BFGS (JAX's keyword arguments of
 * `_minimize_lbfgs`). Without `maxiter`, `maxfun` and `maxgrad`, `maxiter` is
 * 200 times the size of x0; a limit left out is no limit.
 *
 * @since 0.1.0
 */
export interface LbfgsOptions {
  /** The most iterations. */
  readonly maxiter?: number | undefined
  /** The order of the gradient's norm in the convergence test (default Infinity). */
  readonly norm?: number | undefined
  /** How many past steps make the inverse-Hessian estimate (default 10). */
  readonly maxcor?: number | undefined
  /** Stops (status 4) when an iteration lowers f by less than this (default 2.220446049250313e-9). */
  readonly ftol?: number | undefined
  /** Converged when the gradient's norm is below this (default 1e-5). */
  readonly gtol?: number | undefined
  /** The most evaluations of f. */
  readonly maxfun?: number | undefined
  /** The most evaluations of the gradient. */
  readonly maxgrad?: number | undefined
  /** The most iterations of each line search (default 20). */
  readonly maxls?: number | undefined
}

/** Options of {@link minimize}. @since 0.1.0 */
export interface MinimizeOptions {
  /**
   * The solver (case-insensitive), as JAX requires one: `"BFGS"`, or
   * `"l-bfgs-experimental-do-not-rely-on-this"` (JAX's name for its L-BFGS,
   * which also takes complex x).
   */
  readonly method: string
  /** Extra arguments passed to `fun` after x (JAX's `args`). */
  readonly args?: ReadonlyArray<unknown> | undefined
  /** Accepted for SciPy's interface and unused, as in JAX (use `options.gtol`). */
  readonly tol?: number | undefined
  /** The solver's options ({@link BfgsOptions} or {@link LbfgsOptions}). */
  readonly options?: BfgsOptions | LbfgsOptions | undefined
}

/**
 * The result of {@link minimize} (JAX's `OptimizeResults`). BFGS's `status`:
 * 0 converged, 1 the iteration limit, 2 + the line search's status when it
 * failed (3 its zoom failed, 5 its iteration limit), -1 otherwise. L-BFGS's:
 * 0 converged, 1 `maxiter`, 2 `maxfun`, 3 `maxgrad`, 4 too little progress
 * (`ftol`), 5 the line search failed; it has no `hessInv` (JAX's `None`).
 *
 * @since 0.1.0
 */
export interface OptimizeResults {
  readonly x: Tensor
  readonly success: Tensor
  readonly status: Tensor
  readonly fun: Tensor
  readonly jac: Tensor
  readonly hessInv: Tensor | undefined
  readonly nfev: Tensor
  readonly njev: Tensor
  readonly nit: Tensor
}

/** JAX's name for its L-BFGS method (lower case; the method is compared case-insensitively). */
const LBFGS = "l-bfgs-experimental-do-not-rely-on-this"

// an iteration or evaluation limit: a non-negative integer, or Infinity (no limit)
const count = {
  expected: "a non-negative integer or Infinity",
  test: (u: unknown) => u === Infinity || (typeof u === "number" && Number.isInteger(u) && u >= 0)
}
const positiveInteger = {
  expected: "a positive integer",
  test: (u: unknown) => typeof u === "number" && Number.isInteger(u) && u >= 1
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
  h: Tensor
  oldOldFval: Tensor
  lineSearchStatus: Tensor
}

/**
 * Minimizes a scalar function of a vector (JAX's
 * `jax.scipy.optimize.minimize`, method `"BFGS"` or JAX's experimental
 * L-BFGS, `"l-bfgs-experimental-do-not-rely-on-this"`, which also minimizes a
 * real function of complex x): returns {@link OptimizeResults} with the
 * minimizer `x`, the value `fun`, the gradient `jac` and (BFGS) the
 * inverse-Hessian estimate `hessInv`. The gradient is `fun`'s
 * reverse-mode derivative; the loop is a `lax.whileLoop`, so `minimize` runs
 * under `jit` and `vmap` (it is not itself differentiable, as JAX's). Its
 * line search is JAX's, quirks included: a zoom whose bracket is reversed fails
 * at once, so from some starts (Rosenbrock's banana from (-1.2, 1)) it stops
 * with `status` 3 where SciPy's converges, exactly as JAX's does.
 *
 * @example
 * import { np, optimize, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * // Himmelblau's function, from (1, 1) to its minimum at (3, 2)
 * const himmelblau = (p: Tensor) => {
 *   const [x, y] = [np.take(p, 0), np.take(p, 1)]
 *   return np.add(np.square(np.add(np.square(x), np.subtract(y, 11))), np.square(np.add(x, np.subtract(np.square(y), 7))))
 * }
 * const r = optimize.minimize(himmelblau, np.array([1, 1], { dtype: "float64" }), { method: "BFGS" })
 * console.log(toJsSync(r.success), toJsSync(np.round(r.x, { decimals: 6 }))) // true [3, 2]
 * // L-BFGS keeps the last 10 steps instead of a dense inverse Hessian
 * const l = optimize.minimize(himmelblau, np.array([1, 1], { dtype: "float64" }), {
 *   method: "l-bfgs-experimental-do-not-rely-on-this"
 * })
 * console.log(toJsSync(l.success), toJsSync(np.round(l.x, { decimals: 4 }))) // true [3, 2]
 *
 * @since 0.1.0
 */
export const minimize = (
  fun: (x: Tensor, ...args: Array<any>) => MaybeEffect<Tensor>,
  x0: Tensor,
  options: MinimizeOptions
): OptimizeResults => {
  checkArg("minimize", "fun", fun, func)
  checkOptions("minimize", options, {
    method: { expected: "a solver name", test: (u) => typeof u === "string" },
    args: { expected: "an array of extra arguments", test: (u) => Array.isArray(u) },
    tol: number,
    options: { expected: "an options object", test: (u) => typeof u === "object" && u !== null }
  })
  if (options === undefined || typeof options.method !== "string") {
    throw argumentError("minimize", "method", "a solver name (\"BFGS\")", options?.method)
  }
  const method = options.method.toLowerCase()
  if (method !== "bfgs" && method !== LBFGS) {
    throw argumentError("minimize", "method", `"BFGS" or "${LBFGS}" (the methods JAX implements)`, options.method)
  }
  const solver = options.options
  checkOptions(
    "minimize",
    solver,
    method === "bfgs"
      ? { maxiter: integer, norm: number, gtol: number, lineSearchMaxiter: integer }
      : {
        maxiter: count,
        norm: number,
        maxcor: positiveInteger,
        ftol: number,
        gtol: number,
        maxfun: count,
        maxgrad: count,
        maxls: integer
      }
  )
  if (!isTensor(x0)) throw argumentError("minimize", "x0", "a Tensor", x0)
  if (x0.ndim !== 1) {
    throw new ShapeError({
      operation: "minimize",
      detail: `x0 must be one-dimensional, got shape [${x0.shape.join(", ")}]`
    })
  }
  const complex = x0.dtype === "complex64" || x0.dtype === "complex128"
  if (x0.dtype !== "float32" && x0.dtype !== "float64" && !(complex && method === LBFGS)) {
    throw new DTypeError({
      operation: "minimize",
      detail: `x0 must be real floating point${method === LBFGS ? " or complex" : ""}, got ${x0.dtype}`
    })
  }
  const realType = x0.dtype === "complex64" ? "float32" : x0.dtype === "complex128" ? "float64" : x0.dtype
  const extra = options.args ?? []
  // f's value (in x's real dtype) and JAX's gradient (for complex x: df/dx - i df/dy)
  const valueAndGrad = (x: Tensor): readonly [Tensor, Tensor] => {
    const [[f], back] = vjpFlat(([v]) => [np.asarray(resolve("minimize", fun(v!, ...extra)) as Tensor)], [x])
    if (f!.ndim !== 0) {
      throw new ShapeError({
        operation: "minimize",
        detail: `fun must return a scalar, got shape [${f!.shape.join(", ")}]`
      })
    }
    if (f!.dtype === "complex64" || f!.dtype === "complex128") {
      throw new DTypeError({ operation: "minimize", detail: `fun must return a real scalar, got ${f!.dtype}` })
    }
    return [lax.convertElementType(f!, realType), back([lax.full([], 1, f!.dtype)])[0]!]
  }
  if (method === LBFGS) {
    const o = (solver ?? {}) as LbfgsOptions
    const noLimit = o.maxiter === undefined && o.maxfun === undefined && o.maxgrad === undefined
    const r = lbfgs(valueAndGrad, x0, realType, {
      maxiter: o.maxiter ?? (noLimit ? 200 * x0.size : Infinity),
      norm: o.norm ?? Infinity,
      maxcor: o.maxcor ?? 10,
      ftol: o.ftol ?? 2.220446049250313e-9,
      gtol: o.gtol ?? 1e-5,
      maxfun: o.maxfun ?? Infinity,
      maxgrad: o.maxgrad ?? Infinity,
      maxls: o.maxls ?? 20
    })
    return {
      x: r.x,
      success: np.logicalAnd(r.converged, np.logicalNot(r.failed)),
      status: r.status,
      fun: r.f,
      jac: r.g,
      hessInv: undefined,
      nfev: r.nfev,
      njev: r.ngev,
      nit: r.k
    }
  }
  const bfgsOptions = solver as BfgsOptions | undefined
  const maxiter = bfgsOptions?.maxiter ?? 200 * x0.size
  const ord = bfgsOptions?.norm ?? Infinity
  const gtol = bfgsOptions?.gtol ?? 1e-5
  const lineSearchMaxiter = bfgsOptions?.lineSearchMaxiter ?? 10
  const d = x0.size
  const eye = np.eye(d, { dtype: x0.dtype })
  const [f0, g0] = valueAndGrad(x0)
  const int = (v: number) => lax.full([], v, "int32")
  const init: State = {
    converged: np.less(np.linalg.norm(g0, { ord }), gtol),
    failed: lax.full([], 0, "bool"),
    k: int(0),
    nfev: int(1),
    ngev: int(1),
    x: x0,
    f: f0,
    g: g0,
    h: eye,
    oldOldFval: np.add(f0, np.divide(np.linalg.norm(g0), 2)),
    lineSearchStatus: int(0)
  }
  const state = lax.whileLoop(
    (s: State) =>
      np.logicalAnd(np.logicalAnd(np.logicalNot(s.converged), np.logicalNot(s.failed)), np.less(s.k, maxiter)),
    (s: State): State => {
      const p = np.negative(np.matmul(s.h, s.g))
      const restricted = (t: Tensor): readonly [Tensor, Tensor, Tensor] => {
        const [phi, g] = valueAndGrad(np.add(s.x, np.multiply(t, p)))
        return [phi, np.sum(np.multiply(g, p)), g]
      }
      const ls = lineSearch(restricted, s.f, np.sum(np.multiply(s.g, p)), s.g, s.oldOldFval, {
        maxiter: lineSearchMaxiter
      })
      const step = np.multiply(ls.aK, p)
      const y = np.subtract(ls.gK, s.g)
      const rho = np.reciprocal(np.sum(np.multiply(y, step)))
      const w = np.subtract(eye, np.multiply(rho, np.outer(step, y)))
      const updated = np.add(np.matmul(np.matmul(w, s.h), np.transpose(w)), np.multiply(rho, np.outer(step, step)))
      return {
        converged: np.less(np.linalg.norm(ls.gK, { ord }), gtol),
        failed: ls.failed,
        k: lax.add(s.k, int(1)),
        nfev: np.add(s.nfev, ls.nfev),
        ngev: np.add(s.ngev, ls.ngev),
        x: np.add(s.x, step),
        f: ls.fK,
        g: ls.gK,
        h: np.where(np.isfinite(rho), updated, s.h),
        oldOldFval: s.f,
        lineSearchStatus: ls.status
      }
    },
    init
  )
  const status = np.where(
    state.converged,
    int(0),
    np.where(
      np.equal(state.k, maxiter),
      int(1),
      np.where(state.failed, lax.add(int(2), state.lineSearchStatus), int(-1))
    )
  )
  return {
    x: state.x,
    success: np.logicalAnd(state.converged, np.logicalNot(state.failed)),
    status,
    fun: state.f,
    jac: state.g,
    hessInv: state.h,
    nfev: state.nfev,
    njev: state.ngev,
    nit: state.k
  }
}
