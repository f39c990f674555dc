/**
 * The real cube root of a float tensor (JAX's `lax.cbrt`), within one ulp: a
 * power `|x|^(1/3)` refined by one Newton step, with JAX's derivative.
 *
 * @since 0.1.0
 */
import { customJvpCall } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { Tensor } from "../../Tensor.js"

// weakly typed, as a Python literal: the result keeps the operand's weak type
const c = (like: Tensor, v: number): Tensor => lax.full(like.shape, v, like.dtype, true)

/**
 * `sign(x) |x|^(1/3)` for a float32 or float64 `x` (no dtype check: the
 * callers check). The power alone is off by up to 16 ulps in float32 (the
 * exponent 1/3 rounded, times log|x|, which is large for subnormals) and more in
 * float64; one Newton step `y - (y - a / y^2) / 3` brings it within one ulp
 * and makes exact cubes exact. The step divides by `y^2` instead of forming
 * `y^3`, which overflows near the largest float (and the old `y^3 - a` gave
 * -inf there) and loses its digits for subnormal `a`.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.cbrt(np.array([27, -8, 3.4028234663852886e38], { dtype: "float32" })))) // [3, -2, 6981463572480]
 *
 * @since 0.1.0
 */
export const realCbrt = (t: Tensor): Tensor =>
  customJvpCall({
    name: "cbrt",
    f: ([u]) => [cubeRoot(u!)],
    // JAX's cbrt JVP, g / (3 y^2): differentiating the Newton step instead squares y^2, which
    // underflows for |x| below about 1e-154 (float64) and gave -inf
    jvp: ([u], [du]) => {
      const y = cubeRoot(u!)
      return [[y], [lax.div(du!, lax.mul(c(y, 3), lax.mul(y, y)))]]
    }
  }, [t])[0]!

const cubeRoot = (t: Tensor): Tensor => {
  const a = lax.abs(t)
  const y0 = lax.pow(a, c(a, 1 / 3))
  // zeros, infinities and NaN keep the power's value (no step: a / y^2 would be NaN)
  const usable = lax.and(lax.gt(y0, c(a, 0)), lax.lt(a, c(a, Infinity)))
  const y = lax.select(usable, y0, c(a, 1))
  const stepped = lax.sub(y, lax.div(lax.sub(y, lax.div(a, lax.mul(y, y))), c(a, 3)))
  return lax.mul(lax.sign(t), lax.select(usable, stepped, y0))
}
