/**
 * Iterative solvers of JAX's `jax.scipy.sparse.linalg`: conjugate gradients
 * (`cg`) and BiCGSTAB (`bicgstab`) for a matrix or a matrix-free linear
 * operator on pytrees, each a `lax.whileLoop` wrapped in `customLinearSolve`,
 * so that their derivatives solve the same (or the transposed) system instead
 * of differentiating the iterations.
 *
 * @since 0.1.0
 */
import { DType, DTypeError, isTensor, lax, np, ShapeError, Tree, TreeStructureError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import { argumentError, checkOptions, func, integer, number } from "@diffect/core/Validate"
import { customLinearSolve } from "./LinearSolve.js"

/** A square matrix, or a linear function of b's pytree. @since 0.1.0 */
export type LinearOperator<B> = Tensor | ((x: B) => B)

/** Options of {@link cg} and {@link bicgstab} (SciPy's and JAX's). @since 0.1.0 */
export interface IterativeSolveOptions<B> {
  /** The initial guess (default zeros). */
  readonly x0?: B | undefined
  /** Stop when `|r| <= max(tol |b|, atol)` (default 1e-5). */
  readonly tol?: number | undefined
  /** The absolute tolerance (default 0). */
  readonly atol?: number | undefined
  /** The most iterations (default 10 times b's size). */
  readonly maxiter?: number | undefined
  /** A preconditioner approximating the inverse of A (a matrix or a function). */
  readonly M?: LinearOperator<B> | undefined
}

type Leaves = ReadonlyArray<Tensor>

// Vector-space operations on the leaves of a pytree (JAX's _add, _sub, _mul, _vdot_*_tree).
const add = (x: Leaves, y: Leaves): Leaves => x.map((a, i) => np.add(a, y[i]!))
const sub = (x: Leaves, y: Leaves): Leaves => x.map((a, i) => np.subtract(a, y[i]!))
const scale = (s: Tensor, x: Leaves): Leaves => x.map((a) => np.multiply(s, a))
const sum = (xs: ReadonlyArray<Tensor>): Tensor => xs.reduce((a, b) => np.add(a, b))
// the real part of x^H y (the conjugate-gradient inner products, whose exact value is real)
const vdotReal = (x: Leaves, y: Leaves): Tensor => sum(x.map((a, i) => np.real(np.sum(np.multiply(np.conj(a), y[i]!)))))
const vdot = (x: Leaves, y: Leaves): Tensor => sum(x.map((a, i) => np.vdot(a, y[i]!)))
const where = (c: Tensor, x: Leaves, y: Leaves): Leaves => x.map((a, i) => np.where(c, a, y[i]!))

// A matrix or a function as a function of b's leaves (JAX's _normalize_matvec).
const asFunction = <B>(operation: string, name: string, a: unknown, def: Tree.TreeDef): (x: Leaves) => Leaves => {
  if (typeof a === "function") {
    return (x) => {
      const [out, d] = Tree.flatten((a as (x: B) => B)(Tree.unflatten<B>(def, x)))
      if (!Tree.treedefEquals(d, def)) {
        throw new TreeStructureError({
          operation,
          path: "",
          detail: `${name}'s result must have b's tree structure: ${String(d)} vs ${String(def)}`
        })
      }
      return out as Leaves
    }
  }
  if (!isTensor(a)) throw argumentError(operation, name, "a square matrix or a function", a)
  if (a.ndim !== 2 || a.shape[0] !== a.shape[1]) {
    throw new ShapeError({
      operation,
      detail: `linear operator must be a square matrix, but has shape: [${a.shape.join(", ")}]`
    })
  }
  return (x) => x.map((v) => np.matmul(a, v))
}

interface Prepared<B> {
  readonly def: Tree.TreeDef
  readonly x0: Leaves
  readonly A: (x: Leaves) => Leaves
  readonly M: (x: Leaves) => Leaves
  /** Whether M was given (cg then measures the residual itself, not gamma = r^H M r). */
  readonly preconditioned: boolean
  readonly tol: number
  readonly atol: number
  readonly maxiter: number
  readonly b: B
}

// JAX's _isolve: defaults, the operators as functions, x0 checked against b.
const prepare = <B>(
  operation: string,
  A: unknown,
  b: B,
  options: IterativeSolveOptions<B> | undefined
): Prepared<B> => {
  checkOptions(operation, options, {
    x0: { expected: "a pytree like b", test: () => true },
    tol: number,
    atol: number,
    maxiter: integer,
    M: { expected: "a square matrix or a function", test: (u) => u === undefined || isTensor(u) || func.test(u) }
  })
  const [bLeaves, def] = Tree.flatten(b)
  if (bLeaves.length === 0 || !bLeaves.every(isTensor)) {
    throw argumentError(operation, "b", "a pytree of tensors (at least one)", b)
  }
  const integral = (bLeaves as Leaves).find((l) => !DType.isInexact(l.dtype))
  if (integral !== undefined) {
    throw new DTypeError({ operation, detail: `b must be floating-point or complex, got ${integral.dtype}` })
  }
  const x0Tree = options?.x0 ?? Tree.unflatten<B>(def, bLeaves.map((l) => np.zerosLike(l as Tensor)))
  const [x0Leaves, x0Def] = Tree.flatten(x0Tree)
  if (!Tree.treedefEquals(x0Def, def)) {
    throw new TreeStructureError({
      operation,
      path: "",
      detail: `x0 and b must have matching tree structure: ${String(x0Def)} vs ${String(def)}`
    })
  }
  const shapes = (ls: ReadonlyArray<unknown>) => ls.map((l) => `[${(l as Tensor).shape.join(", ")}]`).join(", ")
  if (!x0Leaves.every((l, i) => isTensor(l) && l.shape.join() === (bLeaves[i] as Tensor).shape.join())) {
    throw new ShapeError({
      operation,
      detail: `arrays in x0 and b must have matching shapes: ${shapes(x0Leaves)} vs ${shapes(bLeaves)}`
    })
  }
  const size = (bLeaves as Leaves).reduce((n, l) => n + l.size, 0)
  return {
    def,
    b,
    x0: x0Leaves as Leaves,
    A: asFunction(operation, "A", A, def),
    M: options?.M === undefined ? (x) => x : asFunction(operation, "M", options.M, def),
    preconditioned: options?.M !== undefined,
    tol: options?.tol ?? 1e-5,
    atol: options?.atol ?? 0,
    maxiter: options?.maxiter ?? 10 * size
  }
}

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
): readonly [B, null] => {
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
  return [customLinearSolve(matvec, b, solve, { transposeSolve: solve, symmetric }), null] as const
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
  isolve("cg", cgSolve, A, b, options, true)

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
  isolve("bicgstab", bicgstabSolve, A, b, options, false)
