/**
 * Matrix factors over primitives for the samplers that need one (until linalg
 * lands): Cholesky for `multivariateNormal`, an orthonormal basis for `orthogonal`.
 *
 * @since 0.1.0
 */
import { lax, np } from "@diffect/core"
import type { Tensor } from "@diffect/core"

// Cholesky-Banachiewicz by columns over primitives (batched over leading dims).
export const cholesky = (a: Tensor): Tensor => {
  const n = a.shape[a.ndim - 1]!
  const col = (j: number) => np.squeeze(np.take(a, [j], { axis: -1 }), { axis: -1 })
  const rows = lax.iota("int32", [n], 0)
  const cols: Array<Tensor> = []
  for (let j = 0; j < n; j++) {
    let c = col(j)
    for (let k = 0; k < j; k++) c = np.subtract(c, np.multiply(cols[k]!, np.take(cols[k]!, [j], { axis: -1 })))
    const diag = np.sqrt(np.take(c, [j], { axis: -1 }))
    c = np.where(np.less(rows, j), 0, np.divide(c, diag))
    cols.push(np.where(np.equal(rows, j), diag, c))
  }
  return np.stack(cols, { axis: -1 })
}

// Q of a QR factorization with a positive diagonal of R: Gram-Schmidt, each column twice
// (Giraud et al.: "twice is enough" for orthogonality to working precision).
export const orthonormalColumns = (z: Tensor): Tensor => {
  const k = z.shape[z.ndim - 1]!
  const qs: Array<Tensor> = []
  for (let j = 0; j < k; j++) {
    let v = np.squeeze(np.take(z, [j], { axis: -1 }), { axis: -1 })
    for (let pass = 0; pass < 2; pass++) {
      for (const q of qs) v = np.subtract(v, np.multiply(np.sum(np.multiply(q, v), { axis: -1, keepdims: true }), q))
    }
    qs.push(np.divide(v, np.sqrt(np.sum(np.square(v), { axis: -1, keepdims: true }))))
  }
  return np.stack(qs, { axis: -1 })
}
