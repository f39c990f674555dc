/**
 * The rules of the linear-algebra primitives, after JAX's (jax/_src/lax/linalg.py):
 *
 * - cholesky: `L_dot = L phi(L^-1 A_dot L^-H)`, `phi` the lower triangle with a
 *   halved diagonal (Murray, arXiv:1602.07527);
 * - triangular_solve: linear in `b` (its transpose solves with `op(a)^T`); in
 *   `a`, `-op(a)^-1 op(A_dot) X` (or its right-side mirror), in the cheaper order;
 * - lu: `L^-1 P A_dot U^-1` split into its strictly lower part (times `L`) and
 *   upper part (times `U`); pivots and permutation have zero tangents;
 * - qr: Townsend's rule via `Q^H A_dot R^-1` (with JAX's diagonal correction
 *   for complex inputs), extended as JAX's to wide matrices and to the full `Q`
 *   of tall ones;
 * - eigh: `dw = re diag(V^H A_dot V)`, `dv = V (F * V^H A_dot V)` with
 *   `F[i, j] = 1 / (w_j - w_i)` off the diagonal and 0 on it (JAX's `Fmat`):
 *   repeated eigenvalues give infinite or NaN eigenvector tangents, as in JAX;
 * - svd: JAX's rule (reduced matrices; the extra terms for non-square ones and
 *   the diagonal phase term for complex ones);
 * - eig: the eigenvalues' `diag(V^-1 A_dot V)`; eigenvectors have no rule (as JAX).
 * - schur, hessenberg: no rule (JAX has none): differentiating them is a typed error.
 *
 * Batching moves every batch dimension to the front: the primitives map over
 * leading dimensions.
 *
 * @since 0.1.0
 */
import { bind, bind1, DType, lax, linalg, ShapeError } from "@diffect/core"
import type { Params, Tensor } from "@diffect/core"
import { DerivativeNotImplementedError } from "../Errors.js"
import type { BatchDim } from "../internal/batchingAxes.js"
import { batchAtFront } from "../internal/batchingAxes.js"
import { addTangents, instantiate } from "../internal/tangents.js"
import type { JvpRule } from "./jvp.js"
import type { AxisData, BatchRule } from "./vmap.js"

type LinalgPrimitive =
  | "cholesky"
  | "triangular_solve"
  | "lu"
  | "qr"
  | "eigh"
  | "svd"
  | "eig"
  | "schur"
  | "hessenberg"

// --- matrix helpers over the last two dimensions ----------------------------------

const mT = (x: Tensor): Tensor => {
  const perm = x.shape.map((_, i) => i)
  perm[x.ndim - 2] = x.ndim - 1
  perm[x.ndim - 1] = x.ndim - 2
  return lax.transpose(x, perm)
}

/** The conjugate transpose over the last two dimensions. */
const mH = (x: Tensor): Tensor => (DType.isComplex(x.dtype) ? lax.conj(mT(x)) : mT(x))

/** `x` (real) in `like`'s dtype (complex when `like` is). */
const asDTypeOf = (x: Tensor, like: Tensor): Tensor =>
  x.dtype === like.dtype ? x : lax.convertElementType(x, like.dtype, false)

/** The real part of a complex tensor; a real one as it is. */
const realPart = (x: Tensor): Tensor => (DType.isComplex(x.dtype) ? lax.real(x) : x)

/** Batched matrix product (equal batch dimensions), accumulated at "highest" precision as JAX's rules do. */
const matmul = (a: Tensor, b: Tensor): Tensor => {
  const batch = a.shape.slice(0, -2).map((_, i) => i)
  return lax.dotGeneral(a, b, [[a.ndim - 1], [b.ndim - 2]], [batch, batch], { precision: "highest" })
}

/** `cols - rows` over a `[..., m, n]` shape, as int32. */
const offsets = (shape: ReadonlyArray<number>): Tensor => {
  const r = shape.length
  const mn = [shape[r - 2]!, shape[r - 1]!]
  const d = lax.sub(lax.iota("int32", mn, 1), lax.iota("int32", mn, 0))
  return lax.broadcastInDim(d, shape, [r - 2, r - 1])
}

/** Entries with `j - i <= k` (lower) or `j - i >= k` (upper); zero elsewhere. */
const tri = (x: Tensor, k: number, lower: boolean): Tensor => {
  const d = offsets(x.shape)
  const mask = lower ? lax.le(d, k) : lax.ge(d, k)
  return lax.select(mask, x, lax.zerosLike(x))
}
const tril = (x: Tensor, k = 0): Tensor => tri(x, k, true)
const triu = (x: Tensor, k = 0): Tensor => tri(x, k, false)

/** The identity of `[..., n, n]` `shape`, in `like`'s dtype. */
const eyeOf = (shape: ReadonlyArray<number>, like: Tensor): Tensor =>
  lax.convertElementType(lax.eq(offsets(shape), 0), like.dtype, false)

/** The diagonal of `[..., n, n]` matrices: `[..., n]`. */
const diagonal = (x: Tensor): Tensor => lax.reduceSum(lax.mul(x, eyeOf(x.shape, x)), [x.ndim - 1])

/** `v[..., None, :]` (varying along columns) or `v[..., :, None]` (along rows), broadcast to `[..., rows, cols]`. */
const alongCols = (v: Tensor, rows: number): Tensor => {
  const shape = [...v.shape.slice(0, -1), rows, v.shape.at(-1)!]
  const dims = v.shape.map((_, i) => (i === v.ndim - 1 ? v.ndim : i))
  return lax.broadcastInDim(v, shape, dims)
}
const alongRows = (v: Tensor, cols: number): Tensor => {
  const shape = [...v.shape, cols]
  return lax.broadcastInDim(v, shape, v.shape.map((_, i) => i))
}

const solve = (a: Tensor, b: Tensor, params: Params<"triangular_solve">): Tensor =>
  bind1("triangular_solve", [a, b], params)

const solveParams = (o: Partial<Params<"triangular_solve">>): Params<"triangular_solve"> => ({
  leftSide: false,
  lower: false,
  transposeA: false,
  conjugateA: false,
  unitDiagonal: false,
  ...o
})

// --- JVP rules -----------------------------------------------------------------------

const choleskyJvp: JvpRule<"cholesky"> = ([x], [t]) => {
  const l = bind1("cholesky", [x!], {})
  const tmp = solve(l, t!, solveParams({ leftSide: false, lower: true, transposeA: true, conjugateA: true }))
  const inner = solve(l, tmp, solveParams({ leftSide: true, lower: true }))
  const phi = lax.div(tril(inner), lax.add(eyeOf(inner.shape, inner), 1))
  return [[l], [matmul(l, phi)]]
}

/** JAX's `_triangular_solve_jvp_rule_a`: the tangent from `a`'s. */
const solveTangentA = (ta: Tensor, ans: Tensor, a: Tensor, params: Params<"triangular_solve">): Tensor => {
  const { conjugateA, leftSide, lower, transposeA, unitDiagonal } = params
  const [m, n] = [ans.shape.at(-2)!, ans.shape.at(-1)!]
  const k = unitDiagonal ? 1 : 0
  let g = lower ? tril(ta, -k) : triu(ta, k)
  g = lax.neg(g)
  if (transposeA) g = mT(g)
  if (conjugateA && DType.isComplex(g.dtype)) g = lax.conj(g)
  const aInverse = (rhs: Tensor) => solve(a, rhs, params)
  if (leftSide) return m > n ? aInverse(matmul(g, ans)) : matmul(aInverse(g), ans)
  return m < n ? aInverse(matmul(ans, g)) : matmul(ans, aInverse(g))
}

const triangularSolveJvp: JvpRule<"triangular_solve"> = ([a, b], [ta, tb], params) => {
  const ans = solve(a!, b!, params)
  const fromB = tb === null || tb === undefined ? null : solve(a!, tb, params)
  const fromA = ta === null || ta === undefined ? null : solveTangentA(ta, ans, a!, params)
  return [[ans], [addTangents(fromA, fromB)]]
}

/** The permutation matrix `P` with `P x = x[perm]`: `P[i, j] = (perm[i] == j)`. */
const permutationMatrix = (perm: Tensor, like: Tensor): Tensor => {
  const m = perm.shape.at(-1)!
  const shape = [...perm.shape, m]
  const rows = lax.broadcastInDim(perm, shape, perm.shape.map((_, i) => i))
  const cols = lax.broadcastInDim(lax.iota("int32", [m], 0), shape, [perm.ndim])
  return lax.convertElementType(lax.eq(rows, cols), like.dtype, false)
}

const zeroPad = (x: Tensor, config: ReadonlyArray<readonly [number, number, number]>): Tensor =>
  lax.pad(x, lax.scalar(0, x.dtype, false), config)

const luJvp: JvpRule<"lu"> = ([a], [t]) => {
  const outs = bind("lu", [a!], {})
  const [lu, , perm] = outs as readonly [Tensor, Tensor, Tensor]
  const [m, n] = [a!.shape.at(-2)!, a!.shape.at(-1)!]
  const k = Math.min(m, n)
  const batch = a!.shape.slice(0, -2)
  const none = batch.map(() => [0, 0, 0] as const)
  const x = matmul(permutationMatrix(perm, t!), t!)
  const start = batch.map(() => 0)
  const lCols = lax.slice(lu, [...start, 0, 0], [...batch, m, k])
  const l = lax.add(zeroPad(tril(lCols, -1), [...none, [0, 0, 0], [0, m - k, 0]]), eyeOf([...batch, m, m], lu))
  const uRows = lax.slice(lu, [...start, 0, 0], [...batch, k, n])
  const uEye = zeroPad(eyeOf([...batch, n - k, n - k], lu), [...none, [k, 0, 0], [k, 0, 0]])
  const u = lax.add(zeroPad(triu(uRows), [...none, [0, n - k, 0], [0, 0, 0]]), uEye)
  const la = solve(l, x, solveParams({ leftSide: true, lower: true, unitDiagonal: true }))
  const lau = solve(u, la, solveParams({ leftSide: false, lower: false }))
  const luDot = lax.add(matmul(l, tril(lau, -1)), matmul(triu(lau), u))
  return [outs, [luDot, null, null]]
}

// Townsend's rule for x = q r with q [..., m, n], r [..., n, n] (m >= n): via q^H dx r^-1
const thinQrJvp = (q: Tensor, r: Tensor, dx: Tensor): readonly [dq: Tensor, dr: Tensor] => {
  const dxRinv = solve(r, dx, solveParams({}))
  const qtDxRinv = matmul(mH(q), dxRinv)
  const lower = tril(qtDxRinv, -1)
  let dO = lax.sub(lower, mH(lower)) // skew-Hermitian
  // complex inputs: the imaginary part of the diagonal (JAX's correction)
  if (DType.isComplex(qtDxRinv.dtype)) {
    const imagDiag = lax.sub(qtDxRinv, asDTypeOf(lax.real(qtDxRinv), qtDxRinv))
    dO = lax.add(dO, lax.mul(eyeOf(qtDxRinv.shape, qtDxRinv), imagDiag))
  }
  return [lax.add(matmul(q, lax.sub(dO, qtDxRinv)), dxRinv), matmul(lax.sub(qtDxRinv, dO), r)]
}

/** `x[..., rows[0]:rows[1], cols[0]:cols[1]]`. */
const block = (x: Tensor, rows: readonly [number, number], cols: readonly [number, number]): Tensor => {
  const batch = x.shape.slice(0, -2)
  return lax.slice(x, [...batch.map(() => 0), rows[0], cols[0]], [...batch, rows[1], cols[1]])
}

// JAX's qr_jvp_rule: the thin rule, extended to wide matrices (the square block x1 = q r1 by the
// thin rule, then r2 = q^H x2 differentiated) and to the full q of tall ones (arXiv 2409.13374,
// eqs. 32-33: the extra columns' tangent from the thin one)
const qrJvp: JvpRule<"qr"> = ([x], [t], params) => {
  const [m, n] = [x!.shape.at(-2)!, x!.shape.at(-1)!]
  const [q, r] = bind("qr", [x!], params) as unknown as readonly [Tensor, Tensor]
  if (m < n) {
    const [dq, dr1] = thinQrJvp(q, block(r, [0, m], [0, m]), block(t!, [0, m], [0, m]))
    const dr2 = lax.add(matmul(mH(dq), block(x!, [0, m], [m, n])), matmul(mH(q), block(t!, [0, m], [m, n])))
    return [[q, r], [dq, lax.concatenate([dr1, dr2], x!.ndim - 1)]]
  }
  if (!params.fullMatrices || m === n) {
    const [dq, dr] = thinQrJvp(q, r, t!)
    return [[q, r], [dq, dr]]
  }
  const qmn = block(q, [0, m], [0, n])
  const [dqmn, drnn] = thinQrJvp(qmn, block(r, [0, n], [0, n]), t!)
  const qnn = block(qmn, [0, n], [0, n])
  const qpn = block(qmn, [n, m], [0, n])
  const qmp = block(q, [0, m], [n, m])
  // Z = Q_pn (Q_nn - I)^-1, from (Q_nn - I)^H Z^H = Q_pn^H
  const zH = linalg.solve(mH(lax.sub(qnn, eyeOf(qnn.shape, qnn))), mH(qpn))
  const z = mH(zH)
  const dqnn = block(dqmn, [0, n], [0, n])
  const dqpn = block(dqmn, [n, m], [0, n])
  const dqmp = lax.sub(
    matmul(dqmn, zH),
    matmul(lax.add(qmn, matmul(qmp, z)), mH(lax.sub(dqpn, matmul(z, dqnn))))
  )
  const rows = x!.shape.slice(0, -2)
  const dr = lax.concatenate([drnn, lax.full([...rows, m - n, n], 0, drnn.dtype)], x!.ndim - 2)
  return [[q, r], [lax.concatenate([dqmn, dqmp], x!.ndim - 1), dr]]
}

const eighJvp: JvpRule<"eigh"> = ([x], [t], params) => {
  const [v, wReal] = bind("eigh", [x!], params) as unknown as readonly [Tensor, Tensor]
  // the eigenvalues are real; F is built in the matrix dtype (JAX's)
  const w = asDTypeOf(wReal, v)
  const n = w.shape.at(-1)!
  const eye = eyeOf(v.shape, v)
  // F[i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it (the identity keeps the diagonal finite).
  const fmat = lax.sub(lax.div(1, lax.add(eye, lax.sub(alongCols(w, n), alongRows(w, n)))), eye)
  const vhav = matmul(matmul(mH(v), t!), v)
  const dv = matmul(v, lax.mul(fmat, vhav))
  return [[v, wReal], [dv, realPart(diagonal(vhav))]]
}

const svdJvp: JvpRule<"svd"> = ([a], [t], params) => {
  const [m, n] = [a!.shape.at(-2)!, a!.shape.at(-1)!]
  if (params.computeUv && params.fullMatrices && m !== n) {
    throw new ShapeError({
      operation: "svd",
      detail: `the derivative of the SVD is not implemented for full matrices of a non-square (${m}x${n}) ` +
        `matrix, as in JAX: use fullMatrices: false`
    })
  }
  const outs = bind("svd", [a!], { fullMatrices: false, computeUv: true })
  const [sReal, u, vt] = outs as readonly [Tensor, Tensor, Tensor]
  const dA = t!
  const k = sReal.shape.at(-1)!
  const v = mH(vt)
  const ut = mH(u)
  const dS = matmul(matmul(ut, dA), v)
  const ds = realPart(diagonal(dS))
  if (!params.computeUv) return [[sReal], [ds]]
  const s = asDTypeOf(sReal, dA)
  const sRow = alongCols(s, k) // s_j along columns
  const sCol = alongRows(s, k) // s_i along rows
  const eye = eyeOf(dS.shape, dS)
  const sDiffs = lax.mul(lax.add(sRow, sCol), lax.sub(sRow, sCol))
  const f = lax.sub(lax.div(1, lax.add(sDiffs, eye)), eye)
  const dSS = lax.mul(sRow, dS)
  const sdS = lax.mul(sCol, dS)
  let dU = matmul(u, lax.mul(f, lax.add(dSS, mH(dSS))))
  if (DType.isComplex(dS.dtype)) {
    // JAX's dUdV_diag: (dS - dS^H) / 2 on the diagonal over s (0 where s is 0); zero for real inputs
    const sZero = lax.convertElementType(lax.eq(sReal, 0), sReal.dtype, false)
    const sInv = asDTypeOf(lax.sub(lax.div(1, lax.add(sReal, sZero)), sZero), dS)
    const diagTerm = lax.mul(lax.mul(lax.sub(dS, mH(dS)), 0.5), lax.mul(eye, alongCols(sInv, k)))
    dU = lax.add(dU, matmul(u, diagTerm))
  }
  let dV = matmul(v, lax.mul(f, lax.add(sdS, mH(sdS))))
  if (m > n) {
    const dAV = matmul(dA, v)
    dU = lax.add(dU, lax.div(lax.sub(dAV, matmul(u, matmul(ut, dAV))), alongCols(s, m)))
  }
  if (n > m) {
    const dAHU = matmul(mH(dA), u)
    dV = lax.add(dV, lax.div(lax.sub(dAHU, matmul(v, matmul(vt, dAHU))), alongCols(s, n)))
  }
  return [[sReal, u, vt], [ds, dU, mH(dV)]]
}

// JAX's eig_jvp_rule: eigenvalues only, dw = diag(V^-1 dA V) (eqn 4.60 of arXiv:1701.00392).
const eigJvp: JvpRule<"eig"> = ([a], [t], params) => {
  if (params.computeLeftEigenvectors || params.computeRightEigenvectors) {
    throw new DerivativeNotImplementedError({
      primitive: "eig",
      detail: "The derivatives of eigenvectors are not implemented, only eigenvalues. " +
        "See https://github.com/jax-ml/jax/issues/2748 for discussion."
    })
  }
  const [w, v] = bind("eig", [a!], {
    computeLeftEigenvectors: false,
    computeRightEigenvectors: true
  }) as unknown as readonly [
    Tensor,
    Tensor
  ]
  const dA = asDTypeOf(t!, v)
  return [[w], [diagonal(matmul(linalg.solve(v, dA), v))]]
}

// JAX registers no JVP for schur_p and hessenberg_p: a live tangent is an error, as JAX's
// "Differentiation rule ... not implemented".
const noJvp = <P extends "schur" | "hessenberg">(p: P): JvpRule<P> => () => {
  throw new DerivativeNotImplementedError({
    primitive: p,
    detail: `Differentiation rule for '${p}' not implemented (JAX has none; functions built on it, such as ` +
      `sqrtm, funm and solve_sylvester, are not differentiable either)`
  })
}

/** The JVP rules of the linear-algebra primitives. */
export const linalgJvpRules: { readonly [P in LinalgPrimitive]: JvpRule<P> } = {
  cholesky: (primals, tangents, params, jvpOf) =>
    choleskyJvp(primals, [instantiate(tangents[0]!, primals[0]!.aval)], params, jvpOf),
  triangular_solve: triangularSolveJvp,
  lu: luJvp,
  qr: qrJvp,
  eigh: eighJvp,
  svd: svdJvp,
  eig: eigJvp,
  schur: noJvp("schur"),
  hessenberg: noJvp("hessenberg")
}

// --- batching --------------------------------------------------------------------------

const batchFront = <P extends LinalgPrimitive>(p: P): BatchRule<P> =>
(
  xs: ReadonlyArray<Tensor>,
  dims: ReadonlyArray<BatchDim>,
  params: Params<P>,
  axis: AxisData
) => {
  const outs = bind(p, xs.map((x, i) => batchAtFront(x, dims[i]!, axis.size)), params)
  return [outs, outs.map(() => 0)]
}

/** The batching rules of the linear-algebra primitives. */
export const linalgBatchRules: { readonly [P in LinalgPrimitive]: BatchRule<P> } = {
  cholesky: batchFront("cholesky"),
  triangular_solve: batchFront("triangular_solve"),
  lu: batchFront("lu"),
  qr: batchFront("qr"),
  eigh: batchFront("eigh"),
  svd: batchFront("svd"),
  eig: batchFront("eig"),
  schur: batchFront("schur"),
  hessenberg: batchFront("hessenberg")
}
