/**
 * Eigenvectors of a Hermitian tridiagonal matrix from its eigenvalues by
 * inverse iteration, as JAX's `eigh_tridiagonal` computes them: all vectors at
 * once from a fixed pseudo-random start, each step solving `(T - w_i I) x = v`
 * with tiny LU pivots perturbed to `eps max|U|` (JAX's `perturb_singular`),
 * normalizing, and orthogonalizing the vectors of each cluster of eigenvalues
 * closer than `sqrt(eps) ||T||` (clusters are runs of the sorted eigenvalues);
 * at most 5 steps, stopping once no norm grows by 10% (LAPACK stein's rule).
 * The solves are dense LU (`lax.linalg.lu`), not a tridiagonal solver.
 */
import { isComplex, realDType } from "../DType.js"
import * as lax from "../lax.js"
import * as laxLinalg from "../laxLinalg.js"
import * as np from "../np.js"
import type { Tensor } from "../Tensor.js"
import { alongCols, alongRows, mask } from "./matrixOps.js"
import { takeAlongAxis } from "./np/arrays.js"

const conj = (x: Tensor): Tensor => (isComplex(x.dtype) ? lax.conj(x) : x)
const real = (x: Tensor): Tensor => (isComplex(x.dtype) ? lax.real(x) : x)

/** A fixed start `[k, n]`: a deterministic uniform stream (JAX draws normal values from a fixed key). */
const start = (k: number, n: number, dtype: Tensor["dtype"]): Tensor => {
  let s = 0x2545f491
  const values: Array<number> = []
  for (let i = 0; i < k * n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    values.push(s / 2 ** 32 - 0.5)
  }
  const t = lax.reshape(np.array(values, { dtype: realDType(dtype) }), [k, n])
  return t.dtype === dtype ? t : lax.convertElementType(t, dtype, false)
}

/** Rows of `v` (`[k, n]`) scaled to unit norm, and their norms before. */
const normalizeRows = (v: Tensor): readonly [Tensor, Tensor] => {
  const norms = lax.sqrt(lax.reduceSum(real(lax.mul(v, conj(v))), [1]))
  const scale = lax.convertElementType(norms, v.dtype, false)
  return [lax.div(v, lax.broadcastInDim(scale, v.shape, [0])), norms]
}

/**
 * The eigenvectors (columns, `[n, k]`) of the tridiagonal matrix with real
 * diagonal `alpha` and off-diagonal `beta` (`T[i, i+1] = beta[i]`,
 * `T[i+1, i] = conj(beta[i])`) for its ascending eigenvalues `w` (`[k]`).
 */
export const tridiagonalEigenvectors = (alpha: Tensor, beta: Tensor, w: Tensor): Tensor => {
  const n = alpha.shape[0]!
  const k = w.shape[0]!
  const dtype = beta.dtype
  const realType = realDType(dtype)
  const eps = realType === "float64" ? 2 ** -52 : 2 ** -23
  const cast = (x: Tensor) => (x.dtype === dtype ? x : lax.convertElementType(x, dtype, false))
  // the dense T: alpha on the diagonal, beta above, conj(beta) below
  const padTo = (x: Tensor, before: number, after: number) =>
    lax.pad(x, lax.full([], 0, x.dtype, false), [[before, after, 0]])
  const upper = lax.mul(
    alongCols(padTo(beta, 1, 0)),
    lax.convertElementType(mask([n, n], (i, j) => j === i + 1), dtype, false)
  )
  const lower = lax.mul(
    alongRows(padTo(conj(beta), 1, 0)),
    lax.convertElementType(mask([n, n], (i, j) => i === j + 1), dtype, false)
  )
  const eye = lax.convertElementType(mask([n, n], (i, j) => i === j), dtype, false)
  const t = lax.add(lax.add(upper, lower), lax.mul(alongRows(cast(alpha)), eye))
  // T - w_i I for each eigenvalue: [k, n, n], factored once
  const shifted = lax.sub(
    lax.broadcastInDim(t, [k, n, n], [1, 2]),
    lax.mul(lax.broadcastInDim(cast(w), [k, n, n], [0]), lax.broadcastInDim(eye, [k, n, n], [1, 2]))
  )
  const [lu0, , perm] = laxLinalg.lu(shifted)
  const shape = [k, n, n]
  const onDiagonal = mask(shape, (i, j) => i === j)
  const uAbs = lax.select(mask(shape, (i, j) => j >= i), lax.abs(lu0), lax.full(shape, 0, realType, false))
  const floor = lax.mul(lax.reduceMax(lax.reduceMax(uAbs, [2]), [1]), lax.full([k], eps, realType, false))
  const floorAt = lax.broadcastInDim(floor, shape, [0])
  const tiny = lax.and(onDiagonal, lax.lt(lax.abs(lu0), floorAt))
  const signOf = lax.select(
    lax.lt(real(lu0), lax.full(shape, 0, realType, false)),
    lax.full(shape, -1, realType, false),
    lax.full(shape, 1, realType, false)
  )
  const lu = lax.select(tiny, cast(lax.mul(signOf, floorAt)), lu0)
  const solve = (v: Tensor): Tensor => {
    const b = lax.reshape(v, [k, n, 1])
    const rows = takeAlongAxis(b, lax.reshape(perm, [k, n, 1]), -2)
    const y = laxLinalg.triangularSolve(lu, rows, { leftSide: true, lower: true, unitDiagonal: true })
    return lax.reshape(laxLinalg.triangularSolve(lu, y, { leftSide: true, lower: false }), [k, n])
  }
  // clusters: runs of eigenvalues closer than sqrt(eps) ||T|| (cluster ids from the cumulative breaks)
  const tNorm = lax.max(
    lax.abs(lax.reshape(lax.slice(w, [0], [1]), [])),
    lax.abs(lax.reshape(lax.slice(w, [k - 1], [k]), []))
  )
  const gapTol = lax.mul(lax.full([], Math.sqrt(eps), realType, false), tNorm)
  const gaps = lax.sub(lax.slice(w, [1], [k]), lax.slice(w, [0], [k - 1]))
  const breaks = lax.convertElementType(lax.ge(gaps, lax.broadcastInDim(gapTol, [k - 1], [])), "int32", false)
  const ids = lax.cumsum(padTo(breaks, 1, 0), 0)
  const sameCluster = lax.eq(alongRows(ids), alongCols(ids)) // [k, k]
  const orthogonalize = (v: Tensor): Tensor => {
    let out = v
    // classical Gram-Schmidt twice against the earlier vectors of the same cluster
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 1; i < k; i++) {
        const earlier = lax.and(
          lax.reshape(lax.slice(sameCluster, [i, 0], [i + 1, k]), [k]),
          lax.reshape(mask([1, k], (_, j) => j < i), [k])
        )
        const vi = lax.reshape(lax.slice(out, [i, 0], [i + 1, n]), [n])
        const coefficients = lax.select(
          lax.reshape(earlier, [k]),
          lax.reduceSum(lax.mul(conj(out), lax.broadcastInDim(vi, [k, n], [1])), [1]),
          lax.full([k], 0, dtype, false)
        )
        const next = lax.sub(vi, lax.reduceSum(lax.mul(out, lax.broadcastInDim(coefficients, [k, n], [0])), [0]))
        out = lax.select(mask([k, n], (r) => r === i), lax.broadcastInDim(next, [k, n], [1]), out)
      }
    }
    return normalizeRows(out)[0]
  }
  let [v] = normalizeRows(start(k, n, dtype))
  let norm = lax.full([k], 1, realType, false)
  let normOld = lax.full([k], 0, realType, false)
  for (let step = 0; step < 5; step++) {
    const running = lax.reduceMax(
      lax.convertElementType(lax.ge(norm, lax.mul(normOld, lax.full([k], 1.1, realType, false))), "int32", false),
      [0]
    )
    const go = lax.gt(running, lax.full([], 0, "int32", false))
    const [solved, grown] = normalizeRows(solve(v))
    const next = orthogonalize(solved)
    v = lax.select(lax.broadcastInDim(go, [k, n], []), next, v)
    normOld = lax.select(lax.broadcastInDim(go, [k], []), norm, normOld)
    norm = lax.select(lax.broadcastInDim(go, [k], []), grown, norm)
  }
  return lax.transpose(v, [1, 0])
}
