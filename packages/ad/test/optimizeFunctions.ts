/**
 * JAX's test functions of tests/scipy_optimize_test.py (Rosenbrock's as JAX writes it, over any
 * length: the squared differences and (1 - x[:-1])^2; Himmelblau's, Matyas's and the eggholder on
 * two variables), shared by the BFGS and L-BFGS tests.
 */
import { np } from "@diffect/core"
import type { Tensor } from "@diffect/core"

const at = (x: Tensor, i: number) => np.take(x, i)
const head = (x: Tensor) => np.take(x, np.arange(0, x.shape[0]! - 1, { dtype: "int32" }))

/** `sum(100 diff(x)^2 + (1 - x[:-1])^2)`, minimum 0 at ones. */
export const rosenbrock = (x: Tensor): Tensor =>
  np.sum(np.add(np.multiply(100, np.square(np.diff(x))), np.square(np.subtract(1, head(x)))))

/** `(x^2 + y - 11)^2 + (x + y^2 - 7)^2`, four minima, one at (3, 2). */
export const himmelblau = (p: Tensor): Tensor => {
  const [x, y] = [at(p, 0), at(p, 1)]
  return np.add(np.square(np.subtract(np.add(np.square(x), y), 11)), np.square(np.subtract(np.add(x, np.square(y)), 7)))
}

/** `0.26 (x^2 + y^2) - 0.48 x y`, minimum 0 at the origin. */
export const matyas = (p: Tensor): Tensor => {
  const [x, y] = [at(p, 0), at(p, 1)]
  return np.subtract(np.multiply(0.26, np.add(np.square(x), np.square(y))), np.multiply(0.48, np.multiply(x, y)))
}

/** The eggholder function, with many local minima. */
export const eggholder = (p: Tensor): Tensor => {
  const [x, y] = [at(p, 0), at(p, 1)]
  const y47 = np.add(y, 47)
  return np.subtract(
    np.negative(np.multiply(y47, np.sin(np.sqrt(np.abs(np.add(np.divide(x, 2), y47)))))),
    np.multiply(x, np.sin(np.sqrt(np.abs(np.subtract(x, y47)))))
  )
}
