/**
 * `stats.geom`: the geometric distribution, the number of trials up to the
 * first success (support 1, 2, ...; JAX's `jax.scipy.stats.geom`).
 *
 * @since 0.1.0
 */
import * as lax from "../../laxNamespace.js"
import { xlog1py } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import type { TensorLike } from "../arrayLiteral.js"
import { c, promoteArgs } from "./common.js"

/**
 * The log of the geometric mass, `(k - 1) log(1 - p) + log p` (-inf for `k - loc <= 0`).
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.geom.logpmf(np.array([1, 2, 0], { dtype: "float64" }), 0.5))) // [-0.6931471805599453, -1.3862943611198906, -Infinity]
 *
 * @since 0.1.0
 */
export const logpmf = (k: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor => {
  const [tk, tp, tl] = promoteArgs("geom.logpmf", k, p, loc) as [Tensor, Tensor, Tensor]
  const x = lax.sub(tk, tl)
  const logProbs = lax.add(xlog1py(lax.sub(x, c(x, 1)), lax.neg(tp)), lax.log(tp))
  return lax.select(lax.le(x, c(x, 0)), c(x, -Infinity), logProbs)
}

/**
 * The geometric mass `(1 - p)^(k - 1) p`.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.geom.pmf(np.array([1, 3], { dtype: "float64" }), 0.5))) // [0.5, 0.125]
 *
 * @since 0.1.0
 */
export const pmf = (k: TensorLike, p: TensorLike, loc: TensorLike = 0): Tensor => lax.exp(logpmf(k, p, loc))
