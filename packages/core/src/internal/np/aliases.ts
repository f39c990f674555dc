/**
 * `np`'s second names and small conveniences: the Array API spellings
 * (`acos`, `pow`, `concat`, `permuteDims`, ...) of functions np.ts names the
 * NumPy way, the bitwise family, flips and rotations, and shape queries.
 *
 * @since 0.1.0
 */
import { isInexact, isInteger } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Shape } from "../../Shape.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, checkArg, checkAxis, checkOptions, integer } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { prepare, toTensor } from "../npHelpers.js"
import { arccosh, arcsinh, arctanh } from "./math.js"

/**
 * `arccos` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.acos(np.array([1])))) // [0]
 *
 * @since 0.1.0
 */
export const acos = np.arccos
/**
 * `arcsin` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.asin(np.array([0])))) // [0]
 *
 * @since 0.1.0
 */
export const asin = np.arcsin
/**
 * `arctan` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.atan(np.array([0])))) // [0]
 *
 * @since 0.1.0
 */
export const atan = np.arctan
/**
 * `arctan2` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.atan2(np.array([1]), np.array([1])))) // [0.7853982]
 *
 * @since 0.1.0
 */
export const atan2 = np.arctan2
/**
 * `arccosh` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.acosh(np.array([1])))) // [0]
 *
 * @since 0.1.0
 */
export const acosh = arccosh
/**
 * `arcsinh` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.asinh(np.array([0])))) // [0]
 *
 * @since 0.1.0
 */
export const asinh = arcsinh
/**
 * `arctanh` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.atanh(np.array([0])))) // [0]
 *
 * @since 0.1.0
 */
export const atanh = arctanh
/**
 * `power` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.pow(np.array([2, 3]), 2))) // [4, 9]
 *
 * @since 0.1.0
 */
export const pow = np.power
/**
 * `concatenate` (the Array API name).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.concat([np.ones([1, 2]), np.ones([1, 2])]).shape) // [2, 2]
 *
 * @since 0.1.0
 */
export const concat = np.concatenate
/**
 * `conj` (NumPy's long name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.conjugate(np.array([{ re: 1, im: 2 }])))) // [{ re: 1, im: -2 }]
 *
 * @since 0.1.0
 */
export const conjugate = np.conj
/**
 * `max` (NumPy's `amax`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.amax(np.array([1, 3])))) // 3
 *
 * @since 0.1.0
 */
export const amax = np.max
/**
 * `min` (NumPy's `amin`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.amin(np.array([1, 3])))) // 1
 *
 * @since 0.1.0
 */
export const amin = np.min
/**
 * `round` (NumPy's `around`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.around(np.array([1.25]), { decimals: 1 }))) // [1.2]
 *
 * @since 0.1.0
 */
export const around = np.round

/**
 * `transpose` with the axes given positionally (the Array API's `permute_dims`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.permuteDims(np.ones([2, 3, 4]), [2, 0, 1]).shape) // [4, 2, 3]
 *
 * @since 0.1.0
 */
export const permuteDims = (x: TensorLike, axes: ReadonlyArray<number>): Tensor => np.transpose(x, { axes })

/**
 * Swaps the last two axes (`jnp.matrix_transpose`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.matrixTranspose(np.ones([5, 2, 3])).shape) // [5, 3, 2]
 *
 * @since 0.1.0
 */
export const matrixTranspose = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (t.ndim < 2) throw new ShapeError({ operation: "matrixTranspose", detail: "x must be at least two-dimensional" })
  return np.swapaxes(t, -1, -2)
}

/**
 * Absolute value of a real input as a float (`jnp.fabs`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fabs(np.array([-2], { dtype: "int32" })))) // [2]
 *
 * @since 0.1.0
 */
export const fabs = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (!isInexact(t.dtype) || t.dtype.startsWith("complex")) {
    if (t.dtype.startsWith("complex")) {
      throw new DTypeError({ operation: "fabs", detail: "complex values are not supported" })
    }
    return lax.abs(lax.convertElementType(t, "float32"))
  }
  return lax.abs(t)
}

/**
 * Flips the last axis of a 2-D or higher array (`jnp.fliplr`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.fliplr(np.array([[1, 2], [3, 4]])))) // [[2, 1], [4, 3]]
 *
 * @since 0.1.0
 */
export const fliplr = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (t.ndim < 2) throw new ShapeError({ operation: "fliplr", detail: "input must be at least 2-d" })
  return lax.rev(t, [1])
}

/**
 * Flips the first axis (`jnp.flipud`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.flipud(np.array([[1, 2], [3, 4]])))) // [[3, 4], [1, 2]]
 *
 * @since 0.1.0
 */
export const flipud = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (t.ndim < 1) throw new ShapeError({ operation: "flipud", detail: "input must be at least 1-d" })
  return lax.rev(t, [0])
}

/**
 * Rotates by 90 degrees `k` times in the plane of `axes` (`jnp.rot90`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.rot90(np.array([[1, 2], [3, 4]])))) // [[2, 4], [1, 3]]
 *
 * @since 0.1.0
 */
export const rot90 = (
  x: TensorLike,
  options?: { readonly k?: number | undefined; readonly axes?: readonly [number, number] | undefined }
): Tensor => {
  checkOptions("rot90", options, { k: integer, axes: anyValue })
  const t = toTensor(x)
  const [a0, b0] = options?.axes ?? [0, 1]
  const a = checkAxis("rot90", a0, t.ndim)
  const b = checkAxis("rot90", b0, t.ndim)
  if (a === b) throw new ShapeError({ operation: "rot90", detail: "axes must be different" })
  const k = (((checkArg<number>("rot90", "k", options?.k ?? 1, integer)) % 4) + 4) % 4
  if (k === 0) return t
  if (k === 2) return lax.rev(t, [a, b])
  const perm = [...t.shape.keys()]
  perm[a] = b
  perm[b] = a
  return k === 1 ? lax.transpose(lax.rev(t, [b]), perm) : lax.rev(lax.transpose(t, perm), [b])
}

/**
 * The number of dimensions (`jnp.ndim`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.ndim(np.ones([2, 3]))) // 2
 *
 * @since 0.1.0
 */
export const ndim = (x: TensorLike): number => toTensor(x).ndim

/**
 * The shape (`jnp.shape`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.shape(np.ones([2, 3]))) // [2, 3]
 *
 * @since 0.1.0
 */
export const shape = (x: TensorLike): Shape => toTensor(x).shape

/**
 * The number of elements (`jnp.size`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.size(np.ones([2, 3]))) // 6
 *
 * @since 0.1.0
 */
export const size = (x: TensorLike): number => toTensor(x).shape.reduce((a, b) => a * b, 1)

/**
 * Zeros of `x`'s shape and dtype; diffect has no uninitialized memory (`jnp.empty_like`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.emptyLike(np.array([1, 2])))) // [0, 0]
 *
 * @since 0.1.0
 */
export const emptyLike = (x: TensorLike, options?: np.LikeOptions): Tensor => np.zerosLike(x, options)

const integral = (op: string, x: TensorLike, y: TensorLike): readonly [Tensor, Tensor] => {
  const [a, b] = prepare(op, [x, y]) as [Tensor, Tensor]
  if (!isInteger(a.dtype) && a.dtype !== "bool") {
    throw new DTypeError({ operation: op, detail: `integer or bool operands are required, got ${a.dtype}` })
  }
  return [a, b]
}

/**
 * Bitwise and (logical on bool) (`jnp.bitwise_and`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseAnd(np.array([12], { dtype: "int32" }), np.array([10], { dtype: "int32" })))) // [8]
 *
 * @since 0.1.0
 */
export const bitwiseAnd = (x: TensorLike, y: TensorLike): Tensor => lax.and(...integral("bitwiseAnd", x, y))
/**
 * Bitwise or (`jnp.bitwise_or`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseOr(np.array([12], { dtype: "int32" }), np.array([10], { dtype: "int32" })))) // [14]
 *
 * @since 0.1.0
 */
export const bitwiseOr = (x: TensorLike, y: TensorLike): Tensor => lax.or(...integral("bitwiseOr", x, y))
/**
 * Bitwise exclusive or (`jnp.bitwise_xor`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseXor(np.array([12], { dtype: "int32" }), np.array([10], { dtype: "int32" })))) // [6]
 *
 * @since 0.1.0
 */
export const bitwiseXor = (x: TensorLike, y: TensorLike): Tensor => lax.xor(...integral("bitwiseXor", x, y))
/**
 * `x << y` (`jnp.left_shift`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.leftShift(np.array([3], { dtype: "int32" }), np.array([2], { dtype: "int32" })))) // [12]
 *
 * @since 0.1.0
 */
export const leftShift = (x: TensorLike, y: TensorLike): Tensor => lax.shiftLeft(...integral("leftShift", x, y))
/**
 * `x >> y`, arithmetic for signed integers (`jnp.right_shift`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.rightShift(np.array([-8], { dtype: "int32" }), np.array([1], { dtype: "int32" })))) // [-4]
 *
 * @since 0.1.0
 */
export const rightShift = (x: TensorLike, y: TensorLike): Tensor => {
  const [a, b] = integral("rightShift", x, y)
  return a.dtype === "uint32" ? lax.shiftRightLogical(a, b) : lax.shiftRightArithmetic(a, b)
}
/**
 * `leftShift` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseLeftShift(np.array([1], { dtype: "int32" }), np.array([3], { dtype: "int32" })))) // [8]
 *
 * @since 0.1.0
 */
export const bitwiseLeftShift = leftShift
/**
 * `rightShift` (the Array API name).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseRightShift(np.array([8], { dtype: "int32" }), np.array([3], { dtype: "int32" })))) // [1]
 *
 * @since 0.1.0
 */
export const bitwiseRightShift = rightShift
/**
 * Bitwise not (logical on bool) (`jnp.invert`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.invert(np.array([0, -1], { dtype: "int32" })))) // [-1, 0]
 *
 * @since 0.1.0
 */
export const invert = (x: TensorLike): Tensor => {
  const t = toTensor(x)
  if (!isInteger(t.dtype) && t.dtype !== "bool") {
    throw new DTypeError({ operation: "invert", detail: `integer or bool operands are required, got ${t.dtype}` })
  }
  return lax.not(t)
}
/**
 * `invert` (`jnp.bitwise_not`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseNot(np.array([true])))) // [false]
 *
 * @since 0.1.0
 */
export const bitwiseNot = invert
/**
 * `invert` (`jnp.bitwise_invert`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.bitwiseInvert(np.array([5], { dtype: "int32" })))) // [-6]
 *
 * @since 0.1.0
 */
export const bitwiseInvert = invert

/**
 * Logical exclusive or of the truthiness of `x` and `y` (`jnp.logical_xor`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.logicalXor(np.array([true, true]), np.array([true, false])))) // [false, true]
 *
 * @since 0.1.0
 */
export const logicalXor = (x: TensorLike, y: TensorLike): Tensor =>
  lax.ne(np.notEqual(x, np.zerosLike(x)), np.notEqual(y, np.zerosLike(y)))

/**
 * Splits `x` into its pieces along `axis` (`jnp.unstack`).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.unstack(np.ones([3, 2])).map((t) => t.shape)) // [[2], [2], [2]]
 *
 * @since 0.1.0
 */
export const unstack = (x: TensorLike, options?: { readonly axis?: number | undefined }): Array<Tensor> => {
  checkOptions("unstack", options, { axis: integer })
  const t = toTensor(x)
  const axis = checkAxis("unstack", options?.axis ?? 0, t.ndim)
  // (an empty axis has no slices: JAX's empty tuple)
  if (t.shape[axis] === 0) return []
  return np.split(t, t.shape[axis]!, { axis }).map((p) => lax.squeeze(p, [axis]))
}

/**
 * `jnp.top_k`: the `k` largest entries along the last axis and their indices
 * (`lax.topK`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * const [values, indices] = np.topK(np.array([1, 5, 3]), 2)
 * console.log(toJsSync(values), toJsSync(indices)) // [5, 3] [1, 2]
 *
 * @since 0.1.0
 */
export const topK = (operand: TensorLike, k: number): readonly [Tensor, Tensor] => lax.topK(toTensor(operand), k)

/**
 * NumPy's constants (`jnp.pi`, `jnp.e`, `jnp.inf`, `jnp.nan`, `jnp.euler_gamma`)
 * as JS numbers, and `newaxis` (`null`, a new axis in an index).
 *
 * @example
 * import { np } from "diffect"
 * console.log(np.pi, np.e, np.inf, np.eulerGamma) // 3.141592653589793 2.718281828459045 Infinity 0.5772156649015329
 * console.log(np.at(np.array([1, 2]), np.newaxis, "...").get().shape) // [1, 2]
 *
 * @since 0.1.0
 */
export const pi: number = Math.PI
/** Euler's number. @since 0.1.0 */
export const e: number = Math.E
/** Positive infinity. @since 0.1.0 */
export const inf: number = Infinity
/** Not a number. @since 0.1.0 */
export const nan: number = NaN
/** The Euler–Mascheroni constant. @since 0.1.0 */
export const eulerGamma: number = 0.5772156649015329
/** A new axis in an index (`null`, Python's `None`). @since 0.1.0 */
export const newaxis: null = null
