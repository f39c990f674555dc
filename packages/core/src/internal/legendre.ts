/**
 * The associated Legendre functions of the first kind `P_l^m(x)` for `0 <= m, l <= L` (JAX's
 * `lpmn`, `lpmn_values`, and the spherical harmonics built on them), with the Condon-Shortley
 * phase, as JAX computes them: `P_m^m` from `P_0^0` by the diagonal recurrence,
 * `P_(m+1)^m = (2m + 1) x P_m^m`, then `P_l^m = ((2l - 1) x P_(l-1)^m - (l + m - 1) P_(l-2)^m) / (l - m)`;
 * normalized (`sqrt((2l + 1) (l - m)! / (4 pi (l + m)!)) P_l^m`, so that `P_0^0 = 1 / (2 sqrt(pi))`)
 * with the normalized recurrences instead. Entries with `m > l` are 0. The derivatives in x
 * are JAX's formula, through `P_l^(m-1)` and `P_l^(m+1)` with the negative orders' values, and
 * `(l (l + 1) P_l^0 - P_l^2) / (2 sqrt(1 - x^2))` at m = 1. Built from elementwise ops on each
 * (m, l) entry, so jit, vmap and grad see only arithmetic.
 */
import * as lax from "../lax.js"
import * as np from "../np.js"
import type { Tensor } from "../Tensor.js"

const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, like.weakType)

/** `p[m][l]`, each like `x`, for `0 <= m, l <= lMax`. @internal */
export const legendreTable = (
  lMax: number,
  x: Tensor,
  normalized: boolean
): ReadonlyArray<ReadonlyArray<Tensor>> => {
  const zero = c(x, 0)
  const p: Array<Array<Tensor>> = Array.from({ length: lMax + 1 }, () => new Array<Tensor>(lMax + 1).fill(zero))
  const sine = lax.sqrt(lax.sub(c(x, 1), lax.mul(x, x)))
  // the diagonal: P_m^m = P_0^0 prod_(j <= m) f_j (1 - x^2)^(m / 2)
  let factor = normalized ? 0.5 / Math.sqrt(Math.PI) : 1
  let power = c(x, 1)
  p[0]![0] = c(x, factor)
  for (let m = 1; m <= lMax; m++) {
    factor *= normalized ? -Math.sqrt(1 + 0.5 / m) : 1 - 2 * m
    power = lax.mul(power, sine)
    p[m]![m] = lax.mul(c(x, factor), power)
  }
  // the first off-diagonal, then the three-term recurrence in l
  for (let m = 0; m < lMax; m++) {
    p[m]![m + 1] = lax.mul(lax.mul(c(x, normalized ? Math.sqrt(2 * m + 3) : 2 * m + 1), x), p[m]![m]!)
  }
  for (let m = 0; m <= lMax; m++) {
    for (let l = m + 2; l <= lMax; l++) {
      const [d0, d1] = normalized
        ? [
          Math.sqrt((4 * l * l - 1) / (l * l - m * m)),
          Math.sqrt(((2 * l + 1) * ((l - 1) * (l - 1) - m * m)) / ((2 * l - 3) * (l * l - m * m)))
        ]
        : [(2 * l - 1) / (l - m), (l + m - 1) / (l - m)]
      p[m]![l] = lax.sub(lax.mul(c(x, d0), lax.mul(x, p[m]![l - 1]!)), lax.mul(c(x, d1), p[m]![l - 2]!))
    }
  }
  return p
}

/** The table stacked as JAX lays it out: shape `(lMax + 1, lMax + 1, N)`, order, degree, point. @internal */
export const stackTable = (p: ReadonlyArray<ReadonlyArray<Tensor>>): Tensor => np.stack(p.map((row) => np.stack(row)))

/** `dP_l^m / dx` of the unnormalized table, by JAX's formula (see the header). @internal */
export const legendreDerivatives = (
  p: ReadonlyArray<ReadonlyArray<Tensor>>,
  x: Tensor
): ReadonlyArray<ReadonlyArray<Tensor>> => {
  const size = p.length
  const zero = c(x, 0)
  const at = (m: number, l: number): Tensor => (m < 0 || m >= size || l < 0 || l >= size ? zero : p[m]![l]!)
  // P_(l-1)^(m-2), with the negative orders P_n^-1 = -P_n^1 / (n (n + 1)) and P_n^-2 = P_n^2 / ((n + 2)(n + 1) n (n - 1))
  const belowTwo = (m: number, l: number): Tensor => {
    const n = l - 1
    if (m === 1 && l >= 2) return lax.mul(c(x, -1 / ((n + 1) * n)), at(1, n))
    if (m === 0 && l >= 3) return lax.mul(c(x, 1 / ((n + 2) * (n + 1) * n * (n - 1))), at(2, n))
    return at(m - 2, n)
  }
  const out: Array<Array<Tensor>> = Array.from({ length: size }, () => new Array<Tensor>(size).fill(zero))
  for (let m = 0; m < size; m++) {
    for (let l = m; l < size; l++) {
      // P_l^(m-1) and P_l^(m+1) (over sqrt(1 - x^2)) from degree l - 1
      const lower = m === 1
        ? zero
        : lax.add(
          lax.mul(c(x, -0.5 / (m - 1)), at(m, l - 1)),
          lax.mul(c(x, (-0.5 / (m - 1)) * (l + m - 2) * (l + m - 1)), belowTwo(m, l))
        )
      const upper = lax.add(
        lax.mul(c(x, -0.5 / (m + 1)), at(m + 2, l - 1)),
        lax.mul(c(x, (-0.5 / (m + 1)) * (l + m) * (l + m + 1)), at(m, l - 1))
      )
      out[m]![l] = lax.sub(lax.mul(c(x, ((l + m) * (l - m + 1)) / 2), lower), lax.mul(c(x, 0.5), upper))
    }
  }
  // m = 1, where the formula above divides by m - 1 = 0
  if (size > 1) {
    const scale = lax.div(c(x, 0.5), lax.sqrt(lax.sub(c(x, 1), lax.mul(x, x))))
    for (let l = 1; l < size; l++) {
      const g = lax.sub(lax.mul(c(x, (l + 1) * l), at(0, l)), size > 2 ? at(2, l) : zero)
      out[1]![l] = lax.mul(scale, g)
    }
    out[1]![0] = zero
  }
  return out
}
