/**
 * `spatial.transform`: JAX's `jax.scipy.spatial.transform` (`Rotation` and
 * `Slerp`, SciPy's classes over scalar-last unit quaternions). Both are
 * pytrees, so they pass through `jit`, `vmap` and `grad` as JAX's named tuples
 * do.
 *
 * @since 0.1.0
 */
import { ArgumentError, IndexError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"
import { isTensor } from "../../Tensor.js"
import * as Tree from "../../Tree.js"
import { argumentError, boolean, checkOptions } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { promoteInexact } from "../signal/common.js"
import * as Q from "./quaternion.js"

/** `{ degrees }`: angles in degrees instead of radians. @since 0.1.0 */
export interface DegreesOptions {
  readonly degrees?: boolean | undefined
}

/** Options of {@link Rotation.asQuat}. @since 0.1.0 */
export interface AsQuatOptions {
  /** The quaternion with w >= 0 (of q and -q, which are the same rotation). */
  readonly canonical?: boolean | undefined
  /** `[w, x, y, z]` instead of `[x, y, z, w]`. */
  readonly scalarFirst?: boolean | undefined
}

const real = (op: string, x: TensorLike): Tensor => {
  const [t] = promoteInexact(op, x)
  if (t!.dtype === "complex64" || t!.dtype === "complex128") {
    throw argumentError(op, "input", "real numbers", t)
  }
  return t!
}

const lastDims = (op: string, t: Tensor, name: string, dims: ReadonlyArray<number>): Tensor => {
  const tail = t.shape.slice(t.ndim - dims.length)
  if (t.ndim < dims.length || tail.some((d, i) => d !== dims[i])) {
    throw new ShapeError({
      operation: op,
      detail: `${name} must have shape [..., ${dims.join(", ")}], got [${t.shape.join(", ")}]`
    })
  }
  return t
}

// the axes of an Euler sequence: 'xyz' extrinsic, 'XYZ' intrinsic (SciPy's convention)
const eulerAxes = (op: string, seq: unknown, exactlyThree: boolean): { axes: Array<number>; intrinsic: boolean } => {
  if (typeof seq !== "string") throw argumentError(op, "seq", "a string of axes such as \"xyz\" or \"ZYX\"", seq)
  if (exactlyThree ? seq.length !== 3 : seq.length < 1 || seq.length > 3) {
    throw argumentError(op, "seq", exactlyThree ? "3 axes" : "1 to 3 axes", seq)
  }
  const intrinsic = /^[XYZ]+$/.test(seq)
  if (!intrinsic && !/^[xyz]+$/.test(seq)) {
    throw argumentError(op, "seq", "axes all from x, y, z (extrinsic) or all from X, Y, Z (intrinsic)", seq)
  }
  for (let i = 0; i + 1 < seq.length; i++) {
    if (seq[i] === seq[i + 1]) throw argumentError(op, "seq", "consecutive axes that differ", seq)
  }
  return { axes: [...seq.toLowerCase()].map((c) => "xyz".indexOf(c)), intrinsic }
}

/**
 * Rotations in three dimensions (JAX's `jax.scipy.spatial.transform.Rotation`,
 * SciPy's `Rotation`): one unit quaternion `[x, y, z, w]` (a single rotation)
 * or a stack of them, `quat` of shape `[4]` or `[..., 4]`. Made by the static
 * constructors (`fromQuat`, `fromMatrix`, `fromRotvec`, `fromMrp`,
 * `fromEuler`, `identity`, `concatenate`); every method works on the whole
 * stack. A pytree: its quaternion is the leaf.
 *
 * @example
 * import { np, spatial, toJsSync } from "diffect"
 * const { Rotation } = spatial.transform
 * // 90 degrees about z, then as a rotation vector and a matrix (JAX's docstring)
 * const r = Rotation.fromEuler("z", 90, { degrees: true })
 * console.log(toJsSync(np.round(r.asRotvec(), { decimals: 6 }))) // [0, 0, 1.570796]
 * // composing: r after a quarter turn about x
 * const r3 = r.mul(Rotation.fromEuler("x", 90, { degrees: true }))
 * console.log(toJsSync(np.round(r3.asMatrix(), { decimals: 6 }))) // [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
 * console.log(toJsSync(np.round(r.apply([1, 0, 0]), { decimals: 6 }))) // [0, 1, 0]
 *
 * @since 0.1.0
 */
export class Rotation {
  /** @internal (use the static constructors) */
  constructor(readonly quat: Tensor) {}

  /** From quaternions `[..., 4]` (scalar last), normalized. @since 0.1.0 */
  static fromQuat(quat: TensorLike): Rotation {
    return new Rotation(Q.normalize(lastDims("Rotation.fromQuat", real("Rotation.fromQuat", quat), "quat", [4])))
  }

  /** From rotation matrices `[..., 3, 3]` (orthogonal, determinant 1). @since 0.1.0 */
  static fromMatrix(matrix: TensorLike): Rotation {
    const m = lastDims("Rotation.fromMatrix", real("Rotation.fromMatrix", matrix), "matrix", [3, 3])
    return new Rotation(Q.fromMatrix(m))
  }

  /** From rotation vectors `[..., 3]` (the axis scaled by the angle). @since 0.1.0 */
  static fromRotvec(rotvec: TensorLike, options?: DegreesOptions): Rotation {
    checkOptions("Rotation.fromRotvec", options, { degrees: boolean })
    const v = lastDims("Rotation.fromRotvec", real("Rotation.fromRotvec", rotvec), "rotvec", [3])
    return new Rotation(Q.fromRotvec(v, options?.degrees ?? false))
  }

  /** From modified Rodrigues parameters `[..., 3]`. @since 0.1.0 */
  static fromMrp(mrp: TensorLike): Rotation {
    return new Rotation(Q.fromMrp(lastDims("Rotation.fromMrp", real("Rotation.fromMrp", mrp), "mrp", [3])))
  }

  /**
   * From Euler angles: `seq` names 1 to 3 axes, lower case for extrinsic
   * rotations (about the fixed axes), upper case for intrinsic ones (about the
   * rotated axes); `angles` has `seq.length` values on its last axis (a number
   * for one axis), as in JAX.
   *
   * @since 0.1.0
   */
  static fromEuler(seq: string, angles: TensorLike, options?: DegreesOptions): Rotation {
    const op = "Rotation.fromEuler"
    checkOptions(op, options, { degrees: boolean })
    const { axes, intrinsic } = eulerAxes(op, seq, false)
    const a = np.atleast1d(real(op, angles))
    if (a.shape[a.ndim - 1] !== axes.length) {
      throw new ShapeError({
        operation: op,
        detail: `angles must have ${axes.length} value${axes.length === 1 ? "" : "s"} (one per axis of "${seq}") ` +
          `on their last axis, got shape [${a.shape.join(", ")}]` +
          (axes.length === 1 && a.ndim === 1 ? `: for ${a.shape[0]} rotations, give shape [${a.shape[0]}, 1]` : "")
      })
    }
    return new Rotation(Q.fromEuler(a, axes, intrinsic, options?.degrees ?? false))
  }

  /**
   * The identity: one rotation, or a stack of `num` (SciPy's `num`; JAX takes
   * only one). `dtype` defaults to float32.
   *
   * @since 0.1.0
   */
  static identity(options?: { readonly num?: number | undefined; readonly dtype?: "float32" | "float64" }): Rotation {
    checkOptions("Rotation.identity", options, {
      num: { expected: "a non-negative integer", test: (u) => typeof u === "number" && Number.isInteger(u) && u >= 0 },
      dtype: { expected: "\"float32\" or \"float64\"", test: (u) => u === "float32" || u === "float64" }
    })
    const one = np.array([0, 0, 0, 1], { dtype: options?.dtype ?? "float32" })
    return new Rotation(options?.num === undefined ? one : np.tile(one, [options.num, 1]))
  }

  /**
   * The rotations of several `Rotation`s in one stack (single ones count as
   * one each, as SciPy's; JAX's flattens single quaternions together).
   *
   * @since 0.1.0
   */
  static concatenate(rotations: ReadonlyArray<Rotation>): Rotation {
    if (!Array.isArray(rotations) || rotations.length === 0 || !rotations.every((r) => r instanceof Rotation)) {
      throw argumentError("Rotation.concatenate", "rotations", "a non-empty array of Rotations", rotations)
    }
    return new Rotation(np.concatenate(rotations.map((r) => np.atleast2d(r.quat))))
  }

  /** Whether this is one rotation (a quaternion of shape `[4]`). @since 0.1.0 */
  get single(): boolean {
    return this.quat.ndim === 1
  }

  /** How many rotations the stack holds (JAX's `len`); a single rotation has none. @since 0.1.0 */
  get length(): number {
    if (this.single) {
      throw new ArgumentError({
        operation: "Rotation.length",
        argument: "this",
        expected: "a stack of rotations",
        got: "a single rotation, which has no length"
      })
    }
    return this.quat.shape[0]!
  }

  /**
   * The rotations at `index` along the stack (JAX's `rotation[index]`): an
   * integer (negative counts from the end; out of range is an `IndexError`),
   * or a tensor of integer indices (JAX's `quat[index]`: negative ones wrap,
   * out-of-range ones clip).
   *
   * @since 0.1.0
   */
  at(index: number | TensorLike): Rotation {
    if (this.single) {
      throw new ArgumentError({
        operation: "Rotation.at",
        argument: "this",
        expected: "a stack of rotations",
        got: "a single rotation, which is not subscriptable"
      })
    }
    if (typeof index === "number") {
      const n = this.quat.shape[0]!
      if (!Number.isInteger(index) || index < -n || index >= n) {
        throw new IndexError({ index, axis: 0, size: n })
      }
      return new Rotation(np.take(this.quat, index < 0 ? index + n : index, { axis: 0 }))
    }
    // JAX's `self.quat[indexer]`: negative indices wrap, out-of-range ones clip
    return new Rotation(np.at(this.quat, np.asarray(index)).get())
  }

  /** The composition `this * other`: `other` first, then this (JAX's `__mul__`); stacks broadcast. @since 0.1.0 */
  mul(other: Rotation): Rotation {
    if (!(other instanceof Rotation)) throw argumentError("Rotation.mul", "other", "a Rotation", other)
    return new Rotation(Q.normalize(Q.compose(this.quat, other.quat)))
  }

  /** The inverse rotations. @since 0.1.0 */
  inv(): Rotation {
    return new Rotation(Q.inverse(this.quat))
  }

  /** The rotation angles, in [0, pi]. @since 0.1.0 */
  magnitude(): Tensor {
    return Q.magnitude(this.quat)
  }

  /** Rotates `vectors` `[..., 3]` (by the inverse with `inverse`); rotations and vectors broadcast. @since 0.1.0 */
  apply(vectors: TensorLike, options?: { readonly inverse?: boolean | undefined }): Tensor {
    checkOptions("Rotation.apply", options, { inverse: boolean })
    const v = lastDims("Rotation.apply", real("Rotation.apply", vectors), "vectors", [3])
    const m = Q.asMatrix(this.quat)
    const mat = options?.inverse === true ? np.swapaxes(m, -1, -2) : m
    return np.squeeze(np.matmul(mat, np.expandDims(v, -1)), { axis: -1 })
  }

  /** The rotation matrices, `[..., 3, 3]`. @since 0.1.0 */
  asMatrix(): Tensor {
    return Q.asMatrix(this.quat)
  }

  /** The rotation vectors (axis times angle in [0, pi]), `[..., 3]`. @since 0.1.0 */
  asRotvec(options?: DegreesOptions): Tensor {
    checkOptions("Rotation.asRotvec", options, { degrees: boolean })
    return Q.asRotvec(this.quat, options?.degrees ?? false)
  }

  /** The modified Rodrigues parameters, `[..., 3]`. @since 0.1.0 */
  asMrp(): Tensor {
    return Q.asMrp(this.quat)
  }

  /** The quaternions (scalar last unless `scalarFirst`), `[..., 4]`. @since 0.1.0 */
  asQuat(options?: AsQuatOptions): Tensor {
    checkOptions("Rotation.asQuat", options, { canonical: boolean, scalarFirst: boolean })
    const q = options?.canonical === true ? Q.canonical(this.quat) : this.quat
    return options?.scalarFirst === true ? np.roll(q, 1, { axis: -1 }) : q
  }

  /**
   * Euler angles of a sequence of exactly 3 axes (lower case extrinsic, upper
   * case intrinsic), each in [-pi, pi); at gimbal lock the third is 0.
   *
   * @since 0.1.0
   */
  asEuler(seq: string, options?: DegreesOptions): Tensor {
    checkOptions("Rotation.asEuler", options, { degrees: boolean })
    const { axes, intrinsic } = eulerAxes("Rotation.asEuler", seq, true)
    return Q.asEuler(this.quat, axes, !intrinsic, options?.degrees ?? false)
  }

  /**
   * The mean rotation (the quaternion maximizing the weighted sum of squared
   * dot products: the top eigenvector of `sum w q q^T`), with `weights` one
   * per rotation (default equal).
   *
   * @since 0.1.0
   */
  mean(options?: { readonly weights?: TensorLike | undefined }): Rotation {
    checkOptions("Rotation.mean", options, { weights: { expected: "an array", test: () => true } })
    const n = this.length
    const w = options?.weights === undefined
      ? np.ones([n], { dtype: this.quat.dtype })
      : np.asarray(options.weights, { dtype: this.quat.dtype })
    if (w.ndim !== 1 || w.shape[0] !== n) {
      throw new ShapeError({
        operation: "Rotation.mean",
        detail: `weights must have shape [${n}] (one per rotation), got [${w.shape.join(", ")}]`
      })
    }
    const k = np.matmul(np.multiply(np.expandDims(w, 0), np.transpose(this.quat)), this.quat)
    const [, v] = np.linalg.eigh(k)
    return new Rotation(np.take(v, 3, { axis: 1 }))
  }
}

Tree.register(Rotation, (r: Rotation) => [r.quat] as const, ([quat]: readonly [Tensor]) => new Rotation(quat), {
  keys: ["quat"]
})

/**
 * Spherical linear interpolation of rotations (JAX's
 * `jax.scipy.spatial.transform.Slerp`): `Slerp.init(times, rotations)` with
 * increasing key times, one per rotation (at least 2), then `slerp.call(t)`
 * rotates at constant angular speed between the keys. As JAX's, it does not
 * check that times are increasing or that `t` is within them (outside, it
 * extrapolates from the first or last interval). A pytree.
 *
 * @example
 * import { np, spatial, toJsSync } from "diffect"
 * const { Rotation, Slerp } = spatial.transform
 * const keys = Rotation.fromEuler("z", [[0], [90]], { degrees: true })
 * const slerp = Slerp.init([0, 1], keys)
 * console.log(toJsSync(np.round(slerp.call(0.5).asEuler("zyx", { degrees: true }), { decimals: 4 }))) // [45, 0, 0]
 *
 * @since 0.1.0
 */
export class Slerp {
  /** @internal (use `Slerp.init`) */
  constructor(
    readonly times: Tensor,
    readonly timedelta: Tensor,
    readonly rotations: Rotation,
    readonly rotvecs: Tensor
  ) {}

  /** The interpolator through `rotations` at key `times`. @since 0.1.0 */
  static init(times: TensorLike, rotations: Rotation): Slerp {
    const op = "Slerp.init"
    if (!(rotations instanceof Rotation)) throw argumentError(op, "rotations", "a Rotation", rotations)
    if (rotations.single || rotations.length < 2) {
      throw argumentError(op, "rotations", "a stack of at least 2 rotations", rotations.quat)
    }
    const t = np.asarray(times, { dtype: rotations.quat.dtype })
    if (t.ndim !== 1 || t.shape[0] !== rotations.length) {
      throw new ShapeError({
        operation: op,
        detail: `times must have shape [${rotations.length}] (one per rotation), got [${t.shape.join(", ")}]`
      })
    }
    const n = rotations.length
    const first = new Rotation(np.take(rotations.quat, np.arange(0, n - 1, { dtype: "int32" }), { axis: 0 }))
    const next = new Rotation(np.take(rotations.quat, np.arange(1, n, { dtype: "int32" }), { axis: 0 }))
    return new Slerp(t, np.diff(t), first, first.inv().mul(next).asRotvec())
  }

  /** The interpolated rotations at `times` (a scalar gives a single rotation). @since 0.1.0 */
  call(times: TensorLike): Rotation {
    const t = isTensor(times) && times.dtype === this.times.dtype
      ? times
      : np.asarray(times, { dtype: this.times.dtype })
    if (t.ndim > 1) {
      throw new ShapeError({
        operation: "Slerp.call",
        detail: `times must be at most 1-dimensional, got [${t.shape.join(", ")}]`
      })
    }
    const at = np.atleast1d(t)
    // int32 arithmetic through lax: beside a tensor, a JS number takes its dtype there
    const index = lax.max(lax.sub(np.searchsorted(this.times, at), 1), 0)
    // JAX's reads are `[]` gets, which clip: past the last key time the last interval extrapolates
    // (times itself has one more entry, so its read stays in range)
    const alpha = np.divide(np.subtract(at, np.take(this.times, index)), np.at(this.timedelta, index).get())
    const steps = np.multiply(np.at(this.rotvecs, index).get(), np.expandDims(alpha, -1))
    const result = this.rotations.at(index).mul(Rotation.fromRotvec(steps))
    return t.ndim === 0 ? result.at(0) : result
  }
}

Tree.register(
  Slerp,
  (s: Slerp) => [s.times, s.timedelta, s.rotations, s.rotvecs] as const,
  ([times, timedelta, rotations, rotvecs]: readonly [Tensor, Tensor, Rotation, Tensor]) =>
    new Slerp(times, timedelta, rotations, rotvecs),
  { keys: ["times", "timedelta", "rotations", "rotvecs"] }
)
