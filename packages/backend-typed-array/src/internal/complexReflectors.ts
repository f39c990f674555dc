/**
 * Products of complex Householder reflectors, shared by the complex SVD (its U_B and V_B) and the
 * Hermitian eigh (its Q).
 */

/**
 * `M <- (I - f v v^H) M` on rows `lo..rows` and columns `from..cols` of M (`cols` wide), `v_i`
 * at `(vr, vi)[vAt + i]`; `(sr, si)` is scratch of `cols` entries.
 */
export const reflectLeft = (
  mr: Float64Array,
  mi: Float64Array,
  cols: number,
  rows: number,
  vr: Float64Array,
  vi: Float64Array,
  vAt: number,
  lo: number,
  from: number,
  f: number,
  sr: Float64Array,
  si: Float64Array
): void => {
  // v^H M accumulated a row at a time
  sr.fill(0, from, cols)
  si.fill(0, from, cols)
  for (let i = lo; i < rows; i++) {
    const a = vr[vAt + i]!
    const b = vi[vAt + i]!
    const row = i * cols
    for (let j = from; j < cols; j++) {
      // conj(v_i) M[i, j]
      sr[j] = sr[j]! + a * mr[row + j]! + b * mi[row + j]!
      si[j] = si[j]! + a * mi[row + j]! - b * mr[row + j]!
    }
  }
  for (let i = lo; i < rows; i++) {
    const a = f * vr[vAt + i]!
    const b = f * vi[vAt + i]!
    const row = i * cols
    for (let j = from; j < cols; j++) {
      mr[row + j] = mr[row + j]! - (a * sr[j]! - b * si[j]!)
      mi[row + j] = mi[row + j]! - (a * si[j]! + b * sr[j]!)
    }
  }
}

/**
 * `M <- H_0 ... H_(count - 1) M` backward (M rows x cols, starting from the identity's columns):
 * reflector k is `I - f_k v v^H` with `v` row k of (vr, vi) (`len` long) from entry `k + offset`.
 */
export const reflectorProduct = (
  mr: Float64Array,
  mi: Float64Array,
  cols: number,
  rows: number,
  count: number,
  vr: Float64Array,
  vi: Float64Array,
  fs: Float64Array,
  len: number,
  offset: number
): void => {
  const sr = new Float64Array(cols)
  const si = new Float64Array(cols)
  for (let k = count - 1; k >= 0; k--) {
    const f = fs[k]!
    if (f === 0) continue
    const lo = k + offset
    // columns before lo are still the identity's zeros in these rows
    reflectLeft(mr, mi, cols, rows, vr, vi, k * len, lo, Math.min(lo, cols), f, sr, si)
  }
}
