/**
 * Dot products of several rows with one vector at once: independent chains of additions, each
 * summed in the order of its row (the bits of one row at a time), where a single row's chain of
 * dependent additions bounds a Householder reduction's loop in JS (eigh's tridiagonalization,
 * the SVD's bidiagonalization).
 *
 * @internal
 */

/**
 * The dot products of rows `r..r + 3` of `a` (`n` columns) with `v[vOff + j]` over columns `j0..n`,
 * into `dots`: four independent chains of additions, each in the order of `j` (one row at a time,
 * the same bits), where one row's chain bounded the loop.
 */
export const fourRowDots = (
  a: Float64Array,
  n: number,
  r: number,
  v: Float64Array,
  vOff: number,
  j0: number,
  dots: Float64Array
): void => {
  const r0 = r * n
  const r1 = r0 + n
  const r2 = r1 + n
  const r3 = r2 + n
  let a0 = 0
  let a1 = 0
  let a2 = 0
  let a3 = 0
  for (let j = j0; j < n; j++) {
    const vj = v[vOff + j]!
    a0 += a[r0 + j]! * vj
    a1 += a[r1 + j]! * vj
    a2 += a[r2 + j]! * vj
    a3 += a[r3 + j]! * vj
  }
  dots[0] = a0
  dots[1] = a1
  dots[2] = a2
  dots[3] = a3
}
