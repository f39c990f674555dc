/**
 * Iterative solvers of JAX's `jax.scipy.sparse.linalg`: conjugate gradients
 * (`cg`), BiCGSTAB (`bicgstab`) and restarted GMRES (`gmres`) for a matrix or
 * a matrix-free linear operator on pytrees, each a `lax.whileLoop` wrapped in
 * `customLinearSolve`,
 * so that their derivatives solve the same (or the transposed) system instead
 * of differentiating the iterations.
 *
 * @since 0.1.0
 */
import { lax, np, Tree } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { integer } from "@diffect/core/Validate"
import * as Gmres from "./internal/gmres.js"
import { add, norm, prepare, scale, sub, vdot, vdotReal, where } from "./internal/isolve.js"
import type { IterativeSolveOptions, Leaves, LinearOperator, Prepared } from "./internal/isolve.js"
import { customLinearSolve } from "./LinearSolve.js"

export type { IterativeSolveOptions, LinearOperator } from "./internal/isolve.js"

// max(tol^2 |b|^2, atol^2), JAX's (and SciPy's non-legacy) stopping threshold on |r|^2
const threshold = (b: Leaves, tol: number, atol: number): Tensor =>
  np.maximum(np.multiply(tol * tol, vdotReal(b, b)), atol * atol)

// The preconditioned conjugate-gradient iteration (JAX's _cg_solve).
const cgSolve = <B>(p: Prepared<B>) => (A: (x: Leaves) => Leaves, b: Leaves): Leaves => {
  const atol2 = threshold(b, p.tol, p.atol)
  const r0 = sub(b, A(p.x0))
  const z0 = p.M(r0)
  const gamma0 = vdotReal(r0, z0)
  const n = b.length
  type State = readonly [Tensor, Tensor, ...Array<Tensor>]
  const out = lax.whileLoop(
    ([k, gamma, ...rest]: State) => {
      const r = rest.slice(n, 2 * n)
      const rs = p.preconditioned ? vdotReal(r, r) : gamma
      return np.logicalAnd(np.greater(rs, atol2), np.less(k, p.maxiter))
    },
    ([k, gamma, ...rest]: State) => {
      const [x, r, d] = [rest.slice(0, n), rest.slice(n, 2 * n), rest.slice(2 * n)]
      const ad = A(d)
      const alpha = np.divide(gamma, vdotReal(d, ad))
      const x1 = add(x, scale(alpha, d))
      const r1 = sub(r, scale(alpha, ad))
      const z1 = p.M(r1)
      const gamma1 = vdotReal(r1, z1)
      const d1 = add(z1, scale(np.divide(gamma1, gamma), d))
      return [np.add(k, 1), gamma1, ...x1, ...r1, ...d1] as const
    },
    [np.array(0), gamma0, ...p.x0, ...r0, ...z0] as State
  )
  return out.slice(2, 2 + n)
}

// The preconditioned BiCGSTAB iteration (JAX's _bicgstab_solve; k < 0 marks a breakdown).
const bicgstabSolve = <B>(p: Prepared<B>) => (A: (x: Leaves) => Leaves, b: Leaves): Leaves => {
  const atol2 = threshold(b, p.tol, p.atol)
  const r0 = sub(b, A(p.x0))
  const one = lax.full([], 1, b[0]!.dtype, false)
  const n = b.length
  type State = ReadonlyArray<Tensor>
  const out = lax.whileLoop(
    (s: State) => {
      const r = s.slice(4 + n, 4 + 2 * n)
      const k = s[0]!
      return np.logicalAnd(
        np.logicalAnd(np.greater(vdotReal(r, r), atol2), np.less(k, p.maxiter)),
        np.greaterEqual(k, 0)
      )
    },
    (s: State) => {
      const [k, alpha, omega, rho] = s as [Tensor, Tensor, Tensor, Tensor]
      const part = (j: number) => s.slice(4 + j * n, 4 + (j + 1) * n)
      const [x, r, rhat, pp, q] = [part(0), part(1), part(2), part(3), part(4)]
      const rho1 = vdot(rhat, r)
      const beta = np.multiply(np.divide(rho1, rho), np.divide(alpha, omega))
      const p1 = add(r, scale(beta, sub(pp, scale(omega, q))))
      const phat = p.M(p1)
      const q1 = A(phat)
      const alpha1 = np.divide(rho1, vdot(rhat, q1))
      const sv = sub(r, scale(alpha1, q1))
      const exitEarly = np.less(vdotReal(sv, sv), atol2)
      const shat = p.M(sv)
      const t = A(shat)
      const omega1 = np.divide(vdot(t, sv), vdot(t, t))
      const x1 = where(exitEarly, add(x, scale(alpha1, phat)), add(x, add(scale(alpha1, phat), scale(omega1, shat))))
      const r1 = where(exitEarly, sv, sub(sv, scale(omega1, t)))
      const zero = (v: Tensor) => np.equal(v, 0)
      const k1 = np.where(zero(rho1), -10, np.where(np.logicalOr(zero(omega1), zero(alpha1)), -11, np.add(k, 1)))
      return [k1, alpha1, omega1, rho1, ...x1, ...r1, ...rhat, ...p1, ...q1]
    },
    [np.array(0), one, one, one, ...p.x0, ...r0, ...r0, ...r0, ...r0]
  )
  return out.slice(4, 4 + n)
}

// JAX's _isolve: the iteration inside customLinearSolve, which also solves the transposed system.
const isolve = <B>(
  operation: string,
  iteration: (p: Prepared<B>) => (A: (x: Leaves) => Leaves, b: Leaves) => Leaves,
  A: LinearOperator<B>,
  b: B,
  options: IterativeSolveOptions<B> | undefined,
  checkSymmetric: boolean
): B => {
  const p = prepare(operation, A, b, options)
  const onTrees = (solveLeaves: (A: (x: Leaves) => Leaves, b: Leaves) => Leaves) => (op: (x: B) => B, rhs: B): B => {
    const asLeaves = (x: Leaves) => Tree.flatten(op(Tree.unflatten<B>(p.def, x)))[0] as Leaves
    return Tree.unflatten<B>(p.def, solveLeaves(asLeaves, Tree.flatten(rhs)[0] as Leaves))
  }
  const solve = onTrees(iteration(p))
  const [bLeaves] = Tree.flatten(b)
  // a real positive-definite operator is symmetric (cg's assumption)
  const symmetric = checkSymmetric &&
    (bLeaves as Leaves).every((l) => l.dtype !== "complex64" && l.dtype !== "complex128")
  const matvec = (x: B): B => Tree.unflatten<B>(p.def, p.A(Tree.flatten(x)[0] as Leaves))
  return customLinearSolve(matvec, b, solve, { transposeSolve: solve, symmetric })
}

/**
 * Conjugate gradients for `A x = b` with A symmetric (Hermitian) positive
 * definite (JAX's `jax.scipy.sparse.linalg.cg`): A is a matrix or a linear
 * function of b's pytree; returns `[x, info]` with `info` null, as JAX. The
 * iteration is a `lax.whileLoop` inside `customLinearSolve`, so gradients
 * in b and in what A closes over solve the system again.
 *
 * @example
 * import { np, sparse, toJsSync } from "diffect"
 * const [x] = sparse.linalg.cg(np.array([[4, 1], [1, 3]]), np.array([1, 2]))
 * console.log(toJsSync(x)) // [0.09090909, 0.6363636]
 *
 * @since 0.1.0
 */
export const cg = <B>(A: LinearOperator<B>, b: B, options?: IterativeSolveOptions<B>): readonly [B, null] =>
  [isolve("cg", cgSolve, A, b, options, true), null] as const

/**
 * BiCGSTAB for `A x = b` with a general (nonsymmetric) A (JAX's
 * `jax.scipy.sparse.linalg.bicgstab`); the same arguments and result as
 * {@link cg}. Its transpose solves with the same iteration on A's transpose.
 *
 * @example
 * import { np, sparse, toJsSync } from "diffect"
 * const [x] = sparse.linalg.bicgstab(np.array([[4, 2], [1, 3]]), np.array([1, 2]))
 * console.log(toJsSync(x)) // [-0.1, 0.7]
 *
 * @since 0.1.0
 */
export const bicgstab = <B>(A: LinearOperator<B>, b: B, options?: IterativeSolveOptions<B>): readonly [B, null] =>
  [isolve("bicgstab", bicgstabSolve, A, b, options, false), null] as const

/** Options of {@link gmres}: those of {@link cg}, with `maxiter` counting restarts. @since 0.1.0 */
export interface GmresOptions<B> extends IterativeSolveOptions<B> {
  /** The dimension of the Krylov subspace built between restarts (default 20, at most b's size). */
  readonly restart?: number | undefined
  /**
   * `"batched"` (default): the whole Arnoldi process, then the least-squares
   * problem by its normal equations; `"incremental"`: a QR factorization by
   * Givens rotations as it goes, stopping early within a restart.
   */
  readonly solveMethod?: "batched" | "incremental" | undefined
}

const solveMethods = ["batched", "incremental"]

/**
 * Restarted GMRES for `A x = b` with a general A (JAX's
 * `jax.scipy.sparse.linalg.gmres`): Krylov subspaces of dimension `restart`
 * built by the Arnoldi process on the left-preconditioned `M A`, rebuilt
 * from the last solution until `|M (b - A x)| <= max(tol |b|, atol)` or after
 * `maxiter` restarts. Returns `[x, info]`, `info` an int32 scalar: -1 where
 * x has a NaN, 0 otherwise (as JAX). The same iteration solves the transposed
 * system for reverse mode.
 *
 * @example
 * import { np, sparse, toJsSync } from "diffect"
 * const [x, info] = sparse.linalg.gmres(np.array([[4, 2], [1, 3]]), np.array([1, 2]))
 * console.log(toJsSync(x), toJsSync(info)) // [-0.1, 0.7] 0
 *
 * @since 0.1.0
 */
export const gmres = <B>(A: LinearOperator<B>, b: B, options?: GmresOptions<B>): readonly [B, Tensor] => {
  const p = prepare("gmres", A, b, options, {
    restart: { expected: "a positive integer", test: (u) => integer.test(u) && (u as number) >= 1 },
    solveMethod: {
      expected: "either \"incremental\" or \"batched\"",
      test: (u) => typeof u === "string" && solveMethods.includes(u)
    }
  })
  const restart = Math.min(options?.restart ?? 20, p.size)
  const step = options?.solveMethod === "incremental" ? Gmres.incremental : Gmres.batched
  // the tolerances come from the original b and M, also for the transposed solve (as JAX's)
  const bNorm = norm(p.bLeaves)
  const atol = np.maximum(np.multiply(p.tol, bNorm), p.atol)
  const ptol = np.multiply(norm(p.M(p.bLeaves)), np.minimum(1, np.divide(atol, bNorm)))
  const solve = (op: (x: B) => B, rhs: B): B => {
    const A = (x: Leaves) => Tree.flatten(op(Tree.unflatten<B>(p.def, x)))[0] as Leaves
    const rhsLeaves = Tree.flatten(rhs)[0] as Leaves
    return Tree.unflatten<B>(p.def, Gmres.gmresSolve(A, p.M, rhsLeaves, p.x0, atol, ptol, restart, p.maxiter, step))
  }
  const matvec = (x: B): B => Tree.unflatten<B>(p.def, p.A(Tree.flatten(x)[0] as Leaves))
  const x = customLinearSolve(matvec, b, solve, { transposeSolve: solve })
  const int = (n: number) => np.array(n, { dtype: "int32" })
  return [x, np.where(np.isnan(norm(Tree.flatten(x)[0] as Leaves)), int(-1), int(0))] as const
}
