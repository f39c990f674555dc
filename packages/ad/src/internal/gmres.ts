/**
 * Restarted GMRES (JAX's `_gmres_solve`, `_gmres_incremental`,
 * `_gmres_batched` and the Arnoldi process under them) on the leaves of b's
 * pytree. Each leaf of the Krylov basis V is the leaf with a trailing axis of
 * `restart + 1` columns; the whole basis is orthonormal in the pytree's inner
 * product.
 *
 * @since 0.1.0
 */
import { lax, linalg, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"
import type { DType } from "@diffect/core/DType"
import { add, norm, sub } from "./isolve.js"
import type { Leaves } from "./isolve.js"

type Operator = (x: Leaves) => Leaves

/** One restart: from x and its unit preconditioned residual, the next x and its residual. @since 0.1.0 */
export type Restart = (
  A: Operator,
  M: Operator,
  b: Leaves,
  x: Leaves,
  unitResidual: Leaves,
  residualNorm: Tensor,
  ptol: Tensor,
  restart: number
) => readonly [Leaves, Leaves, Tensor]

const cast = (x: Tensor, dtype: DType): Tensor => x.dtype === dtype ? x : lax.convertElementType(x, dtype)
const resultType = (xs: Leaves): DType => np.resultType(...xs)
const last = (X: Tensor) => X.ndim - 1
// int32 indices (a JS number is a weak float in np's promotion)
const int = (n: number): Tensor => np.array(n, { dtype: "int32" })
const inc = (k: Tensor): Tensor => lax.add(k, int(1))

// x / |x| and |x|, both zero where |x| <= thresh (default eps) (JAX's _safe_normalize)
const safeNormalize = (x: Leaves, thresh?: Tensor): readonly [Leaves, Tensor] => {
  const n = norm(x)
  const dtype = resultType(x)
  const t = thresh ?? np.finfo(n.dtype).eps
  const use = np.greater(n, t)
  const nCast = cast(n, dtype)
  return [x.map((y) => np.where(use, np.divide(y, nCast), 0)), np.where(use, n, 0)] as const
}

// V[..., k], and V with column k set (JAX's x[..., k] and X.at[..., k].set(y))
const column = (V: Leaves, k: Tensor | number): Leaves => V.map((X) => lax.dynamicIndexInDim(X, k, last(X), false))
const setColumn = (V: Leaves, y: Leaves, k: Tensor): Leaves =>
  V.map((X, i) => lax.dynamicUpdateIndexInDim(X, cast(y[i]!, X.dtype), k, last(X)))
// V^H q over all leaves: the overlaps with each column (JAX's _project_on_columns)
const project = (V: Leaves, q: Leaves): Tensor =>
  V.map((X, i) => np.matmul(np.reshape(q[i]!, [1, q[i]!.size]), np.conj(np.reshape(X, [q[i]!.size, -1]))))
    .map((p) => np.reshape(p, [-1]))
    .reduce((a, b) => np.add(a, b))
// V h, a vector like b (JAX's tree_map(lambda X: _dot(X, h), V))
const combine = (V: Leaves, h: Tensor): Leaves =>
  V.map((X) => np.reshape(np.matmul(np.reshape(X, [-1, X.shape[last(X)]!]), h), X.shape.slice(0, -1)))

// JAX's _iterative_classical_gram_schmidt with max_iterations=2: its first pass runs outside
// its while loop, which then stops at once (k = 1 is not below max_iterations - 1), so it is one
// classical Gram-Schmidt pass: q - V V^H q and the overlaps V^H q.
const gramSchmidt = (V: Leaves, x: Leaves): readonly [Leaves, Tensor] => {
  const h = project(V, x)
  return [sub(x, combine(V, h)), h] as const
}

// The k-th Arnoldi step (JAX's _kth_arnoldi_iteration): V[..., k+1] the new orthonormal Krylov
// vector M A V[..., k] (zero when below eps of its norm: an invariant subspace), and H's row k.
const arnoldiStep = (
  k: Tensor,
  A: Operator,
  M: Operator,
  V: Leaves,
  H: Tensor
): readonly [Leaves, Tensor, Tensor] => {
  const eps = np.finfo(resultType(V)).eps
  const v = M(A(column(V, k)))
  const [, vNorm0] = safeNormalize(v)
  const [q, h] = gramSchmidt(V, v)
  const [unit, vNorm1] = safeNormalize(q, np.multiply(eps, vNorm0))
  const k1 = inc(k)
  const row = lax.dynamicUpdateIndexInDim(cast(h, H.dtype), np.reshape(cast(vNorm1, H.dtype), [1]), k1, 0)
  return [setColumn(V, unit, k1), lax.dynamicUpdateIndexInDim(H, row, k, 0), np.equal(vNorm1, 0)] as const
}

// [H[i], H[i+1]] <- [conj(cs) H[i] - conj(sn) H[i+1], sn H[i] + cs H[i+1]] (JAX's _rotate_vectors)
const rotate = (H: Tensor, i: Tensor, cs: Tensor, sn: Tensor): Tensor => {
  const i1 = inc(i)
  const x1 = lax.dynamicIndexInDim(H, i, 0)
  const y1 = lax.dynamicIndexInDim(H, i1, 0)
  const x2 = np.subtract(np.multiply(np.conj(cs), x1), np.multiply(np.conj(sn), y1))
  const y2 = np.add(np.multiply(sn, x1), np.multiply(cs, y1))
  return lax.dynamicUpdateSliceInDim(lax.dynamicUpdateSliceInDim(H, x2, i, 0), y2, i1, 0)
}

// The rotation [cs, sn] that zeroes b against a (JAX's _givens_rotation)
const givensRotation = (a: Tensor, b: Tensor): readonly [Tensor, Tensor] => {
  const bZero = np.equal(np.abs(b), 0)
  const aLtB = np.less(np.abs(a), np.abs(b))
  const t = np.negative(np.divide(np.where(aLtB, a, b), np.where(aLtB, b, a)))
  const r = cast(lax.rsqrt(np.add(1, np.square(np.abs(t)))), t.dtype)
  const cs = np.where(bZero, 1, np.where(aLtB, np.multiply(r, t), r))
  const sn = np.where(bZero, 0, np.where(aLtB, r, np.multiply(r, t)))
  return [cs, sn] as const
}

// The stored rotations 0..k-1 applied to a row of H, then the new one that zeroes its element
// k+1 (JAX's _apply_givens_rotations)
const applyGivens = (row: Tensor, givens: Tensor, k: Tensor): readonly [Tensor, Tensor] => {
  const rotated = lax.foriLoop(0, k, (i: Tensor, r: Tensor) => {
    const g = lax.dynamicIndexInDim(givens, i, 0, false)
    return rotate(r, i, np.take(g, 0), np.take(g, 1))
  }, row)
  const [cs, sn] = givensRotation(
    lax.dynamicIndexInDim(rotated, k, 0, false),
    lax.dynamicIndexInDim(rotated, inc(k), 0, false)
  )
  const g = np.stack([cs, sn])
  return [rotate(rotated, k, cs, sn), lax.dynamicUpdateIndexInDim(givens, g, k, 0)] as const
}

// the Krylov basis with unitResidual as its first column and `restart` zero columns after it
const krylovBasis = (unitResidual: Leaves, restart: number): Leaves =>
  unitResidual.map((x) =>
    np.concatenate([np.expandDims(x, -1), np.zeros([...x.shape, restart], { dtype: x.dtype })], { axis: -1 })
  )

// x0 + V[..., :-1] y, and its preconditioned residual M(b - A x) normalized
const update = (A: Operator, M: Operator, b: Leaves, x0: Leaves, V: Leaves, y: Tensor) => {
  const dx = combine(V.map((X) => lax.sliceInDim(X, 0, X.shape[last(X)]! - 1, 1, last(X))), y)
  const x = add(x0, dx)
  const [unit, residualNorm] = safeNormalize(M(sub(b, A(x))))
  return [x, unit, residualNorm] as const
}

/**
 * One restart building the QR factorization of the Hessenberg matrix by
 * Givens rotations as the Arnoldi process goes, which gives the residual norm
 * at each step and stops early below `ptol` (JAX's `_gmres_incremental`).
 *
 * @since 0.1.0
 */
export const incremental: Restart = (A, M, b, x0, unitResidual, residualNorm, ptol, restart) => {
  const dtype = resultType(b)
  // the identity keeps R nonsingular after an early stop
  const R = np.eye(restart, { m: restart + 1, dtype })
  const givens = np.zeros([restart, 2], { dtype })
  const beta = lax.dynamicUpdateIndexInDim(
    np.zeros([restart + 1], { dtype }),
    np.reshape(cast(residualNorm, dtype), [1]),
    0,
    0
  )
  type State = readonly [Tensor, Tensor, Leaves, Tensor, Tensor, Tensor]
  const [, , V, R1, beta1] = lax.whileLoop(
    ([k, err]: State) => np.logicalAnd(np.less(k, restart), np.greater(err, ptol)),
    ([k, , V, R, beta, givens]: State) => {
      const [V1, H] = arnoldiStep(k, A, M, V, R)
      const [row, givens1] = applyGivens(lax.dynamicIndexInDim(H, k, 0, false), givens, k)
      const R1 = lax.dynamicUpdateIndexInDim(R, row, k, 0)
      const g = lax.dynamicIndexInDim(givens1, k, 0, false)
      const beta1 = rotate(beta, k, np.take(g, 0), np.take(g, 1))
      const err = np.abs(lax.dynamicIndexInDim(beta1, inc(k), 0, false))
      return [inc(k), err, V1, R1, beta1, givens1] as const
    },
    [int(0), residualNorm, krylovBasis(unitResidual, restart), R, beta, givens] as State
  )
  // R[:, :-1]^T is upper triangular: the rotated rows have no element past the diagonal
  const y = linalg.solveTriangular(
    np.transpose(lax.sliceInDim(R1, 0, restart, 1, 1)),
    lax.sliceInDim(beta1, 0, restart, 1, 0)
  )
  return update(A, M, b, x0, V, y)
}

/**
 * One restart running the whole Arnoldi process (stopping only at a
 * breakdown), then the least-squares problem `min |H^T y - beta e1|` by its
 * normal equations (JAX's `_gmres_batched` and `_lstsq`).
 *
 * @since 0.1.0
 */
export const batched: Restart = (A, M, b, x0, unitResidual, residualNorm, _ptol, restart) => {
  const dtype = resultType(b)
  type State = readonly [Tensor, Tensor, Leaves, Tensor]
  const [, , V, H] = lax.whileLoop(
    ([k, breakdown]: State) => np.logicalAnd(np.less(k, restart), np.logicalNot(breakdown)),
    ([k, , V, H]: State) => {
      const [V1, H1, breakdown] = arnoldiStep(k, A, M, V, H)
      return [inc(k), breakdown, V1, H1] as const
    },
    [
      int(0),
      np.array(false),
      krylovBasis(unitResidual, restart),
      np.eye(restart, { m: restart + 1, dtype })
    ] as State
  )
  const beta = lax.dynamicUpdateIndexInDim(
    np.zeros([restart + 1], { dtype }),
    np.reshape(cast(residualNorm, dtype), [1]),
    0,
    0
  )
  // a = H^T; the normal equations a^H a y = a^H beta are positive definite: Cholesky
  const aH = np.conj(H)
  const y = linalg.choSolve(linalg.choFactor(np.matmul(aH, np.transpose(H))), np.matmul(aH, beta))
  return update(A, M, b, x0, V, y)
}

/**
 * Restarts from x0 until the preconditioned residual's norm is at most
 * `atol` or after `maxiter` restarts (JAX's `_gmres_solve`).
 *
 * @since 0.1.0
 */
export const gmresSolve = (
  A: Operator,
  M: Operator,
  b: Leaves,
  x0: Leaves,
  atol: Tensor,
  ptol: Tensor,
  restart: number,
  maxiter: number,
  step: Restart
): Leaves => {
  const [unit, residualNorm] = safeNormalize(M(sub(b, A(x0))))
  type State = readonly [Tensor, Leaves, Leaves, Tensor]
  const [, x] = lax.whileLoop(
    ([k, , , r]: State) => np.logicalAnd(np.less(k, maxiter), np.greater(r, atol)),
    ([k, x, unit, residualNorm]: State) => {
      const [x1, unit1, residualNorm1] = step(A, M, b, x, unit, residualNorm, ptol, restart)
      return [inc(k), x1, unit1, residualNorm1] as const
    },
    [int(0), x0, unit, residualNorm] as State
  )
  return x
}
