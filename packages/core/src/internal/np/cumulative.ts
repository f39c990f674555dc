/**
 * `np`'s cumulative reductions beyond `cumsum`: products, the NaN-ignoring
 * variants and NumPy 2's `cumulative_sum`/`cumulative_prod`, each one `lax`
 * cumulative primitive along an axis.
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../np.js"
import type { Tensor } from "../../Tensor.js"
import { boolean, checkAxis, checkOptions, dtype as dtypeCheck, integer } from "../../Validate.js"
import type { OptionSpec } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { cumulativeReduce, toTensor } from "../npHelpers.js"

/** Options of the cumulative reductions: one axis (the flattened array when omitted) and a dtype. @since 0.1.0 */
export interface CumulativeOptions {
  readonly axis?: number | undefined
  readonly dtype?: DType | undefined
}

const spec: OptionSpec = { axis: integer, dtype: dtypeCheck }

// JAX's _cumulative_reduction (NaNs replaced first for the nan variants).
const accumulate = (
  op: string,
  scan: (t: Tensor, axis: number) => Tensor,
  x: TensorLike,
  options: CumulativeOptions | undefined,
  fillNaN?: number
): Tensor => {
  checkOptions(op, options, spec)
  return cumulativeReduce(op, scan, toTensor(x), options?.axis, options?.dtype, fillNaN)
}

/**
 * Cumulative product along `axis` (of the flattened array when omitted).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cumprod(np.array([[1, 2], [3, 4]]), { axis: 0 }))) // [[1, 2], [3, 8]]
 *
 * @since 0.1.0
 */
export const cumprod = (x: TensorLike, options?: CumulativeOptions): Tensor =>
  accumulate("cumprod", lax.cumprod, x, options)

/**
 * `cumsum` with NaN counted as zero (`jnp.nancumsum`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nancumsum(np.array([1, NaN, 2])))) // [1, 1, 3]
 *
 * @since 0.1.0
 */
export const nancumsum = (x: TensorLike, options?: CumulativeOptions): Tensor =>
  accumulate("nancumsum", lax.cumsum, x, options, 0)

/**
 * `cumprod` with NaN counted as one (`jnp.nancumprod`).
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.nancumprod(np.array([2, NaN, 3])))) // [2, 2, 6]
 *
 * @since 0.1.0
 */
export const nancumprod = (x: TensorLike, options?: CumulativeOptions): Tensor =>
  accumulate("nancumprod", lax.cumprod, x, options, 1)

/** Options of `cumulativeSum`/`cumulativeProd` (NumPy 2): `includeInitial` prepends the identity. @since 0.1.0 */
export interface CumulativeArrayOptions extends CumulativeOptions {
  readonly includeInitial?: boolean | undefined
}

const arraySpec: OptionSpec = { ...spec, includeInitial: boolean }

const cumulativeArray = (
  op: string,
  scan: (t: Tensor, axis: number) => Tensor,
  identity: number,
  x: TensorLike,
  options: CumulativeArrayOptions | undefined
): Tensor => {
  checkOptions(op, options, arraySpec)
  const t = toTensor(x)
  if (t.ndim === 0) {
    // NumPy 2 and JAX refuse a scalar here (unlike cumsum, which flattens it)
    const what = op === "cumulativeSum" ? "sum" : "product"
    throw new ShapeError({
      operation: op,
      detail:
        `the input must be non-scalar to take a cumulative ${what}, however a scalar value or scalar array was given`
    })
  }
  if (t.ndim > 1 && options?.axis === undefined) {
    throw argumentErrorFor(op, t.ndim)
  }
  const axis = checkAxis(op, options?.axis ?? 0, t.ndim)
  const out = cumulativeReduce(op, scan, t, axis, options?.dtype)
  if (options?.includeInitial !== true) return out
  const shape = out.shape.map((d, i) => (i === axis ? 1 : d))
  return lax.concatenate([np.full(shape, identity, { dtype: out.dtype }), out], axis)
}

const argumentErrorFor = (op: string, ndim: number) =>
  new ShapeError({ operation: op, detail: `axis must be given for an array of ${ndim} dimensions` })

/**
 * NumPy 2's `cumulative_sum` (`jnp.cumulative_sum`): `axis` is required above
 * one dimension; `includeInitial` prepends a zero.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cumulativeSum(np.array([1, 2, 3]), { includeInitial: true }))) // [0, 1, 3, 6]
 *
 * @since 0.1.0
 */
export const cumulativeSum = (x: TensorLike, options?: CumulativeArrayOptions): Tensor =>
  cumulativeArray("cumulativeSum", (t, a) => lax.cumsum(t, a), 0, x, options)

/**
 * NumPy 2's `cumulative_prod` (`jnp.cumulative_prod`); `includeInitial` prepends a one.
 *
 * @example
 * import { np, toJsSync } from "diffect"
 * console.log(toJsSync(np.cumulativeProd(np.array([1, 2, 3]), { includeInitial: true }))) // [1, 1, 2, 6]
 *
 * @since 0.1.0
 */
export const cumulativeProd = (x: TensorLike, options?: CumulativeArrayOptions): Tensor =>
  cumulativeArray("cumulativeProd", (t, a) => lax.cumprod(t, a), 1, x, options)
