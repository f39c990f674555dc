/**
 * `integrate`: JAX's `jax.scipy.integrate`, the trapezoidal rule (`np.trapezoid`
 * with SciPy's positional `x`).
 *
 * @example
 * import { integrate, np, toJsSync } from "diffect"
 * console.log(toJsSync(integrate.trapezoid(np.array([1, 2, 3, 2, 3, 2, 1]), np.array([0, 2, 5, 7, 10, 15, 20])))) // 43
 *
 * @since 0.1.0
 */
import type { TensorLike } from "./internal/arrayLiteral.js"
import * as np from "./numpy.js"
import type { Tensor } from "./Tensor.js"
import { checkOptions, integer, numberOrArray } from "./Validate.js"

/** Options of `trapezoid`: the spacing when `x` is not given (1; an array broadcasts against `y`), the axis (-1). @since 0.1.0 */
export interface TrapezoidOptions {
  readonly dx?: TensorLike | undefined
  readonly axis?: number | undefined
}

/**
 * The integral of `y` along `axis` by the trapezoidal rule
 * (`jax.scipy.integrate.trapezoid`): at the sample points `x`, or evenly
 * spaced `dx` apart.
 *
 * @example
 * import { integrate, np, toJsSync } from "diffect"
 * const y = np.array([1, 2, 3, 2, 3, 2, 1])
 * console.log(toJsSync(integrate.trapezoid(y, null, { dx: 1 }))) // 13
 *
 * @since 0.1.0
 */
export const trapezoid = (y: TensorLike, x?: TensorLike | null, options?: TrapezoidOptions): Tensor => {
  checkOptions("trapezoid", options, { dx: numberOrArray, axis: integer })
  return np.trapezoid(y, {
    ...(x === undefined || x === null ? {} : { x }),
    ...(options?.dx === undefined ? {} : { dx: options.dx }),
    ...(options?.axis === undefined ? {} : { axis: options.axis })
  })
}
