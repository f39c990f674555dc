/**
 * The machinery the iterative solvers of `sparse.linalg` share (JAX's
 * `_isolve` and its pytree helpers): vector-space operations on b's leaves,
 * the operators as functions of the leaves, and the defaults and checks.
 *
 * @since 0.1.0
 */
import { DType, DTypeError, isTensor, np, ShapeError, Tree, TreeStructureError } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { MaybeEffect } from "@diffect/core/Staging"
import { argumentError, checkOptions, func, integer, number } from "@diffect/core/Validate"
import type { OptionSpec } from "@diffect/core/Validate"
import { resolve } from "./shell.js"

/** A square matrix, or a linear function of b's pytree. @since 0.1.0 */
export type LinearOperator<B> = Tensor | ((x: B) => MaybeEffect<B>)

/** Options of the iterative solvers (SciPy's and JAX's). @since 0.1.0 */
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

/** The leaves of a pytree like b. @since 0.1.0 */
export type Leaves = ReadonlyArray<Tensor>

// Vector-space operations on the leaves of a pytree (JAX's _add, _sub, _mul, _vdot_*_tree).
/** @since 0.1.0 */
export const add = (x: Leaves, y: Leaves): Leaves => x.map((a, i) => np.add(a, y[i]!))
/** @since 0.1.0 */
export const sub = (x: Leaves, y: Leaves): Leaves => x.map((a, i) => np.subtract(a, y[i]!))
/** @since 0.1.0 */
export const scale = (s: Tensor, x: Leaves): Leaves => x.map((a) => np.multiply(s, a))
/** @since 0.1.0 */
export const sum = (xs: ReadonlyArray<Tensor>): Tensor => xs.reduce((a, b) => np.add(a, b))
/** The real part of x^H y (the inner products whose exact value is real). @since 0.1.0 */
export const vdotReal = (x: Leaves, y: Leaves): Tensor =>
  sum(x.map((a, i) => np.real(np.sum(np.multiply(np.conj(a), y[i]!)))))
/** @since 0.1.0 */
export const vdot = (x: Leaves, y: Leaves): Tensor => sum(x.map((a, i) => np.vdot(a, y[i]!)))
/** @since 0.1.0 */
export const where = (c: Tensor, x: Leaves, y: Leaves): Leaves => x.map((a, i) => np.where(c, a, y[i]!))
/** The 2-norm of the whole pytree (JAX's _norm). @since 0.1.0 */
export const norm = (x: Leaves): Tensor => np.sqrt(vdotReal(x, x))

// A matrix or a function as a function of b's leaves (JAX's _normalize_matvec).
const asFunction = <B>(operation: string, name: string, a: unknown, def: Tree.TreeDef): (x: Leaves) => Leaves => {
  if (typeof a === "function") {
    return (x) => {
      // a jitted operator's Effect runs in place
      const [out, d] = Tree.flatten(resolve(operation, (a as (x: B) => B)(Tree.unflatten<B>(def, x))))
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

/** The checked problem and its defaults. @since 0.1.0 */
export interface Prepared<B> {
  readonly def: Tree.TreeDef
  readonly b: B
  readonly bLeaves: Leaves
  /** The total number of elements of b. */
  readonly size: number
  readonly x0: Leaves
  readonly A: (x: Leaves) => Leaves
  readonly M: (x: Leaves) => Leaves
  /** Whether M was given (cg then measures the residual itself, not gamma = r^H M r). */
  readonly preconditioned: boolean
  readonly tol: number
  readonly atol: number
  readonly maxiter: number
}

/**
 * JAX's `_isolve` preamble: the options checked (those of
 * {@link IterativeSolveOptions} and `extra`), defaults, the operators as
 * functions, x0 checked against b.
 *
 * @since 0.1.0
 */
export const prepare = <B>(
  operation: string,
  A: unknown,
  b: B,
  options: IterativeSolveOptions<B> | undefined,
  extra: OptionSpec = {}
): Prepared<B> => {
  checkOptions(operation, options, {
    x0: { expected: "a pytree like b", test: () => true },
    tol: number,
    atol: number,
    maxiter: integer,
    M: { expected: "a square matrix or a function", test: (u) => u === undefined || isTensor(u) || func.test(u) },
    ...extra
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
    bLeaves: bLeaves as Leaves,
    size,
    x0: x0Leaves as Leaves,
    A: asFunction(operation, "A", A, def),
    M: options?.M === undefined ? (x) => x : asFunction(operation, "M", options.M, def),
    preconditioned: options?.M !== undefined,
    tol: options?.tol ?? 1e-5,
    atol: options?.atol ?? 0,
    maxiter: options?.maxiter ?? 10 * size
  }
}
