/**
 * The windows of `signal`'s spectral functions. JAX computes `"hann"` itself
 * (`sin(pi k / n)^2`, the periodic Hann window) and hands every other name to
 * SciPy's `get_window`; diffect has no SciPy, so it computes the periodic
 * (`fftbins=True`, SciPy's default there) forms of the simple named windows
 * from their formulas in float64. A tensor window is used as given.
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { ShapeError } from "../../Errors.js"
import * as np from "../../numpy.js"
import type { Tensor } from "../../Tensor.js"
import { argumentError } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"

/** A window: a name (`"hann"`, `"hamming"`, `"blackman"`, `"bartlett"`, `"boxcar"`) or the samples. @since 0.1.0 */
export type Window = "hann" | "hamming" | "blackman" | "bartlett" | "boxcar" | TensorLike

// SciPy's symmetric formula of m points; the periodic window of n points is its first n of n + 1.
const symmetric: Record<string, (k: number, m: number) => number> = {
  hann: (k, m) => Math.sin((Math.PI * k) / (m - 1)) ** 2,
  hamming: (k, m) => 0.54 - 0.46 * Math.cos((2 * Math.PI * k) / (m - 1)),
  blackman: (k, m) => 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / (m - 1)) + 0.08 * Math.cos((4 * Math.PI * k) / (m - 1)),
  bartlett: (k, m) => 1 - Math.abs((2 * k - (m - 1)) / (m - 1)),
  boxcar: () => 1
}

/** Whether `w` names a window. @since 0.1.0 */
export const isWindowName = (w: unknown): w is string => typeof w === "string"

/**
 * The periodic window `name` of `n` points in `dtype` (an `ArgumentError` for a
 * name diffect does not compute).
 *
 * @since 0.1.0
 */
export const namedWindow = (op: string, name: string, n: number, dtype: DType): Tensor => {
  const f = Object.hasOwn(symmetric, name) ? symmetric[name]! : undefined
  if (f === undefined) {
    throw argumentError(op, "window", `a window name (${Object.keys(symmetric).join(", ")}) or a 1-d array`, name)
  }
  const values = n === 1 ? [1] : Array.from({ length: n }, (_, k) => f(k, n + 1))
  return np.array(values, { dtype })
}

/** A window given as samples: one-dimensional, in `dtype`. @since 0.1.0 */
export const arrayWindow = (op: string, w: TensorLike, dtype: DType): Tensor => {
  const t = np.asarray(w)
  if (t.ndim !== 1) throw new ShapeError({ operation: op, detail: "window must be 1-D" })
  return np.astype(t, dtype)
}
