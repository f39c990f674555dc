/**
 * `signal.detrend` (JAX's `jax.scipy.signal.detrend`): the mean removed, or
 * the least-squares line removed from each piece between breakpoints.
 *
 * @since 0.1.0
 */
import { ArgumentError } from "../../Errors.js"
import * as lax from "../../lax.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"
import { anyValue, argumentError, checkAxis, checkOptions, integer } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { alongAxis, promoteInexact, sliceAxis } from "./common.js"

/** Options of `detrend`: the axis (-1), the type (`"linear"` or `"constant"`), the breakpoints of a piecewise-linear trend. @since 0.1.0 */
export interface DetrendOptions {
  readonly axis?: number | undefined
  readonly type?: "linear" | "constant" | undefined
  readonly bp?: number | ReadonlyArray<number> | undefined
}

// The residual of the least-squares line through the samples of `seg` along `axis`, whose
// abscissae are 1..n. JAX solves the 2-column lstsq; its residual is this projection.
const removeLine = (seg: Tensor, axis: number): Tensor => {
  const n = seg.shape[axis]!
  const centered = np.subtract(seg, np.mean(seg, { axis, keepdims: true }))
  if (n === 1) return centered
  const t = Array.from({ length: n }, (_, k) => k - (n - 1) / 2)
  const tt = t.reduce((s, v) => s + v * v, 0)
  const tc = alongAxis(t, axis, seg.ndim, seg.dtype)
  const slope = lax.div(np.sum(lax.mul(centered, tc), { axis, keepdims: true }), lax.full([], tt, seg.dtype))
  return lax.sub(centered, lax.mul(slope, tc))
}

/**
 * Removes a trend along `axis` (`jax.scipy.signal.detrend`): the mean
 * (`type: "constant"`) or a least-squares line (`"linear"`, the default),
 * fitted separately between the breakpoints `bp`.
 *
 * @example
 * import { np, signal, toJsSync } from "diffect"
 * const x = np.array([1, 3, 5, 7, 2], { dtype: "float64" })
 * console.log(toJsSync(signal.detrend(x, { type: "constant" }))) // [-2.6, -0.6000000000000001, 1.4, 3.4, -1.6]
 * console.log(toJsSync(signal.detrend(x, { bp: [4] }))) // [0, 0, 0, 0, 0]
 *
 * @since 0.1.0
 */
export const detrend = (data: TensorLike, options?: DetrendOptions): Tensor => {
  const op = "detrend"
  checkOptions(op, options, { axis: integer, type: anyValue, bp: anyValue })
  const type = options?.type ?? "linear"
  if (type !== "linear" && type !== "constant") {
    throw argumentError(op, "type", "\"linear\" or \"constant\"", type)
  }
  const [x] = promoteInexact(op, data) as [Tensor]
  const axis = checkAxis(op, options?.axis ?? -1, x.ndim)
  if (type === "constant") return np.subtract(x, np.mean(x, { axis, keepdims: true }))
  const n = x.shape[axis]!
  const raw = options?.bp ?? 0
  const bp = typeof raw === "number" ? [raw] : Array.isArray(raw) ? raw : undefined
  if (bp === undefined || !bp.every(Number.isInteger)) {
    throw argumentError(op, "bp", "an integer or an array of integers", raw)
  }
  const points = [...new Set([0, ...bp, n])].sort((a, b) => a - b)
  if (points[0]! < 0 || points[points.length - 1]! > n) {
    throw new ArgumentError({
      operation: op,
      argument: "bp",
      expected: "breakpoints from 0 to the length of data along the axis",
      got: `[${bp}] for length ${n}`
    })
  }
  const pieces = points.slice(1).map((hi, m) => removeLine(sliceAxis(x, axis, points[m]!, hi), axis))
  return pieces.length === 0 ? x : pieces.length === 1 ? pieces[0]! : lax.concatenate(pieces, axis)
}
