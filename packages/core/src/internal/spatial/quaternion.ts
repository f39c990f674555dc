/**
 * Quaternion arithmetic for `spatial.transform` (JAX's
 * jax/_src/scipy/spatial/transform.py): scalar-last unit quaternions
 * `[x, y, z, w]` on the last axis, any leading axes broadcast (JAX vectorizes
 * each helper over them). The axes of an Euler sequence are static here (a
 * string), so the choices JAX makes with `where` on traced axes are JS branches.
 *
 * @internal
 */
import * as lax from "../../laxNamespace.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"

/** Component `i` of the last axis, without it. */
export const part = (q: Tensor, i: number): Tensor => np.take(q, i, { axis: -1 })

/** Components stacked on a new last axis. */
export const parts = (xs: ReadonlyArray<Tensor>): Tensor => np.stack(xs, { axis: -1 })

const norm3 = (q: Tensor): Tensor =>
  np.sqrt(np.add(np.add(np.square(part(q, 0)), np.square(part(q, 1))), np.square(part(q, 2))))

/** The Euclidean norm over the last axis (JAX's `_vector_norm`, sqrt of the dot product). */
export const vectorNorm = (v: Tensor): Tensor => np.sqrt(np.sum(np.multiply(v, v), { axis: -1 }))

/** `q / |q|` (JAX's `_normalize_quaternion`). */
export const normalize = (q: Tensor): Tensor => np.divide(q, np.expandDims(vectorNorm(q), -1))

/** The rotation matrix of a unit quaternion, `[..., 3, 3]` (JAX's `_as_matrix`). */
export const asMatrix = (q: Tensor): Tensor => {
  const [x, y, z, w] = [part(q, 0), part(q, 1), part(q, 2), part(q, 3)]
  const [x2, y2, z2, w2] = [np.square(x), np.square(y), np.square(z), np.square(w)]
  const [xy, zw, xz, yw, yz, xw] = [
    np.multiply(x, y),
    np.multiply(z, w),
    np.multiply(x, z),
    np.multiply(y, w),
    np.multiply(y, z),
    np.multiply(x, w)
  ]
  const two = (a: Tensor) => np.multiply(2, a)
  const row = (a: Tensor, b: Tensor, c: Tensor) => parts([a, b, c])
  return np.stack([
    row(np.add(np.subtract(np.subtract(x2, y2), z2), w2), two(np.subtract(xy, zw)), two(np.add(xz, yw))),
    row(two(np.add(xy, zw)), np.add(np.subtract(np.subtract(y2, x2), z2), w2), two(np.subtract(yz, xw))),
    row(two(np.subtract(xz, yw)), two(np.add(yz, xw)), np.add(np.subtract(np.subtract(z2, x2), y2), w2))
  ], { axis: -2 })
}

/** Modified Rodrigues parameters (JAX's `_as_mrp`), from the quaternion with w >= 0. */
export const asMrp = (q: Tensor): Tensor => {
  const w = part(q, 3)
  const sign = np.where(np.less(w, 0), -1, 1)
  const scale = np.divide(sign, np.add(1, np.multiply(sign, w)))
  return np.multiply(np.expandDims(scale, -1), np.take(q, [0, 1, 2], { axis: -1 }))
}

/** The rotation vector (axis times angle, angle in [0, pi]; JAX's `_as_rotvec`). */
export const asRotvec = (q: Tensor, degrees: boolean): Tensor => {
  const flipped = np.where(np.expandDims(np.less(part(q, 3), 0), -1), np.negative(q), q)
  const angle = np.multiply(2, np.arctan2(norm3(flipped), part(flipped, 3)))
  const angle2 = np.square(angle)
  // angle / sin(angle / 2) by its series below 1e-3 (0 / 0 at the identity)
  const small = np.add(np.add(2, np.divide(angle2, 12)), np.divide(np.multiply(7, np.square(angle2)), 2880))
  const large = np.divide(angle, np.sin(np.divide(angle, 2)))
  const scale = np.where(np.lessEqual(angle, 1e-3), small, large)
  return np.multiply(np.expandDims(degrees ? np.rad2deg(scale) : scale, -1), np.take(flipped, [0, 1, 2], { axis: -1 }))
}

/** The product `p q` (apply q, then p; JAX's `_compose_quat`). */
export const compose = (p: Tensor, q: Tensor): Tensor => {
  const [px, py, pz, pw] = [part(p, 0), part(p, 1), part(p, 2), part(p, 3)]
  const [qx, qy, qz, qw] = [part(q, 0), part(q, 1), part(q, 2), part(q, 3)]
  const cross = [
    np.subtract(np.multiply(py, qz), np.multiply(pz, qy)),
    np.subtract(np.multiply(pz, qx), np.multiply(px, qz)),
    np.subtract(np.multiply(px, qy), np.multiply(py, qx))
  ]
  const vec = (pi: Tensor, qi: Tensor, ci: Tensor) => np.add(np.add(np.multiply(pw, qi), np.multiply(qw, pi)), ci)
  return parts([
    vec(px, qx, cross[0]!),
    vec(py, qy, cross[1]!),
    vec(pz, qz, cross[2]!),
    np.subtract(
      np.subtract(np.subtract(np.multiply(pw, qw), np.multiply(px, qx)), np.multiply(py, qy)),
      np.multiply(pz, qz)
    )
  ])
}

/** The rotation by `angle` about basis axis `axis` (JAX's `_make_elementary_quat`). */
const elementary = (axis: number, angle: Tensor): Tensor => {
  // strong, as JAX's `jnp.zeros(4, dtype=angle.dtype)` filled in: a JS angle gives no weak quaternion
  const half = np.divide(angle.weakType ? lax.convertElementType(angle, angle.dtype, false) : angle, 2)
  const zero = np.zerosLike(angle)
  return parts([0, 1, 2].map((i) => (i === axis ? np.sin(half) : zero)).concat([np.cos(half)]))
}

/**
 * The rotation of Euler angles `[..., n]` about `axes` (0, 1, 2 for x, y, z),
 * composed intrinsically (about the moving axes) or extrinsically (JAX's
 * `_elementary_quat_compose`).
 */
export const fromEuler = (
  angles: Tensor,
  axes: ReadonlyArray<number>,
  intrinsic: boolean,
  degrees: boolean
): Tensor => {
  const radians = degrees ? np.deg2rad(angles) : angles
  let result = elementary(axes[0]!, part(radians, 0))
  for (let i = 1; i < axes.length; i++) {
    const q = elementary(axes[i]!, part(radians, i))
    result = intrinsic ? compose(result, q) : compose(q, result)
  }
  return result
}

/**
 * Euler angles of sequence `axes` (three, consecutive ones different) from a
 * unit quaternion (JAX's `_compute_euler_from_quat`, Bernardes and Viollet's
 * method): the middle angle from two hypotenuses, the outer two from half sums
 * and differences, each in [-pi, pi).
 */
export const asEuler = (q: Tensor, seqAxes: ReadonlyArray<number>, extrinsic: boolean, degrees: boolean): Tensor => {
  const [angleFirst, angleThird] = extrinsic ? [0, 2] : [2, 0]
  const axes = extrinsic ? seqAxes : [...seqAxes].reverse()
  const i = axes[0]!
  const j = axes[1]!
  const symmetric = i === axes[2]!
  const k = symmetric ? 3 - i - j : axes[2]!
  // the permutation's parity: +1 for a cyclic (i, j, k), -1 otherwise
  const sign = Math.floor(((i - j) * (j - k) * (k - i)) / 2)
  const w = part(q, 3)
  const [qi, qj, qk] = [part(q, i), part(q, j), np.multiply(part(q, k), sign)]
  const a = symmetric ? w : np.subtract(w, qj)
  const b = symmetric ? qi : np.add(qi, qk)
  const c = symmetric ? qj : np.add(qj, w)
  const d = symmetric ? qk : np.subtract(qk, qi)
  const middle = np.multiply(2, np.arctan2(np.hypot(c, d), np.hypot(a, b)))
  const eps = 1e-7
  // 1: the middle angle is 0, 2: it is pi (gimbal lock: only the sum or difference is defined)
  const degenerate = np.where(
    np.lessEqual(np.abs(middle), eps),
    1,
    np.where(np.lessEqual(np.abs(np.subtract(middle, Math.PI)), eps), 2, 0)
  )
  const halfSum = np.arctan2(b, a)
  const halfDiff = np.arctan2(d, c)
  const regular = np.equal(degenerate, 0)
  const angles: Array<Tensor> = [
    np.where(
      np.equal(degenerate, 1),
      np.multiply(2, halfSum),
      np.multiply(np.multiply(2, halfDiff), extrinsic ? -1 : 1)
    ),
    middle,
    np.zerosLike(middle)
  ]
  angles[angleFirst] = np.where(regular, np.subtract(halfSum, halfDiff), angles[angleFirst]!)
  angles[angleThird] = np.where(regular, np.add(halfSum, halfDiff), angles[angleThird]!)
  if (!symmetric) {
    angles[angleThird] = np.multiply(angles[angleThird]!, sign)
    angles[1] = np.subtract(angles[1]!, Math.PI / 2)
  }
  // wrapped to [-pi, pi) with a floor modulo, as JAX's `%`
  const wrapped = np.subtract(np.remainder(np.add(parts(angles), Math.PI), 2 * Math.PI), Math.PI)
  return degrees ? np.rad2deg(wrapped) : wrapped
}

/** The quaternion of a rotation vector (JAX's `_from_rotvec`), sin(angle / 2) / angle by its series below 1e-3. */
export const fromRotvec = (rotvec: Tensor, degrees: boolean): Tensor => {
  const v = degrees ? np.deg2rad(rotvec) : rotvec
  const angle = vectorNorm(v)
  const angle2 = np.square(angle)
  const small = np.add(np.subtract(0.5, np.divide(angle2, 48)), np.divide(np.square(angle2), 3840))
  const large = np.divide(np.sin(np.divide(angle, 2)), angle)
  const scale = np.where(np.lessEqual(angle, 1e-3), small, large)
  return np.concatenate([np.multiply(np.expandDims(scale, -1), v), np.expandDims(np.cos(np.divide(angle, 2)), -1)], {
    axis: -1
  })
}

/**
 * The quaternion of a rotation matrix (JAX's `_from_matrix`, Shepperd's
 * method): built from the largest of the diagonal and the trace, for accuracy.
 */
export const fromMatrix = (m: Tensor): Tensor => {
  const at = (r: number, c: number) => np.take(np.take(m, r, { axis: -2 }), c, { axis: -1 })
  const trace = np.add(np.add(at(0, 0), at(1, 1)), at(2, 2))
  const choice = np.argmax(parts([at(0, 0), at(1, 1), at(2, 2), trace]), { axis: -1 })
  // the candidate of each choice (JAX builds the one of the traced choice with scatters)
  const fromDiagonal = (i: number): Tensor => {
    const j = (i + 1) % 3
    const k = (j + 1) % 3
    const out: Array<Tensor> = new Array(4)
    out[i] = np.add(np.subtract(1, trace), np.multiply(2, at(i, i)))
    out[j] = np.add(at(j, i), at(i, j))
    out[k] = np.add(at(k, i), at(i, k))
    out[3] = np.subtract(at(k, j), at(j, k))
    return parts(out)
  }
  const fromTrace = parts([
    np.subtract(at(2, 1), at(1, 2)),
    np.subtract(at(0, 2), at(2, 0)),
    np.subtract(at(1, 0), at(0, 1)),
    np.add(1, trace)
  ])
  const pick = (c: number, candidate: Tensor, otherwise: Tensor) =>
    np.where(np.expandDims(np.equal(choice, c), -1), candidate, otherwise)
  return normalize(pick(0, fromDiagonal(0), pick(1, fromDiagonal(1), pick(2, fromDiagonal(2), fromTrace))))
}

/** The quaternion of modified Rodrigues parameters (JAX's `_from_mrp`). */
export const fromMrp = (mrp: Tensor): Tensor => {
  const s = np.add(np.sum(np.multiply(mrp, mrp), { axis: -1, keepdims: true }), 1)
  return np.divide(np.concatenate([np.multiply(2, mrp), np.subtract(2, s)], { axis: -1 }), s)
}

/** The inverse rotation: the conjugate (JAX's `_inv`). */
export const inverse = (q: Tensor): Tensor => np.multiply(q, np.array([-1, -1, -1, 1], { dtype: q.dtype }))

/** The rotation angle in [0, pi] (JAX's `_magnitude`). */
export const magnitude = (q: Tensor): Tensor => np.multiply(2, np.arctan2(norm3(q), np.abs(part(q, 3))))

/** The quaternion with w > 0, or the first non-zero of w, x, y, z positive (JAX's `_make_canonical`). */
export const canonical = (q: Tensor): Tensor => {
  const [x, y, z, w] = [part(q, 0), part(q, 1), part(q, 2), part(q, 3)]
  const neg = (t: Tensor) => np.less(t, 0)
  const zero = (t: Tensor) => np.equal(t, 0)
  const flip = np.logicalOr(
    np.logicalOr(neg(w), np.logicalAnd(zero(w), neg(x))),
    np.logicalOr(
      np.logicalAnd(np.logicalAnd(zero(w), zero(x)), neg(y)),
      np.logicalAnd(np.logicalAnd(np.logicalAnd(zero(w), zero(x)), zero(y)), neg(z))
    )
  )
  return np.where(np.expandDims(flip, -1), np.negative(q), q)
}
