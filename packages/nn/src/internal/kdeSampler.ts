/**
 * `stats.gaussianKde(...).resample` (JAX's `gaussian_kde.resample`), installed into core by the
 * random module: core's estimator cannot import `random`, which lives in this package.
 */
import { installKdeSampler, lax, np } from "@diffect/core"
import type { stats, Tensor } from "@diffect/core"

/**
 * JAX's arrangement: `split(key)` into an index key and a noise key, the data columns chosen by
 * the weights, plus normal noise of the kernels' covariance. The noise is drawn as
 * `[...shape, d]` and its last axis moved first (JAX transposes it whole, the same for a 1-d
 * shape; for more axes JAX's result would not have its documented `[d, ...shape]`).
 */
export const makeKdeSampler = (random: {
  readonly split: (key: Tensor, num?: number) => Tensor
  readonly choice: (
    key: Tensor,
    a: number,
    options: { readonly shape: ReadonlyArray<number>; readonly p: Tensor }
  ) => Tensor
  readonly multivariateNormal: (
    key: Tensor,
    mean: Tensor,
    cov: Tensor,
    options: { readonly shape: ReadonlyArray<number>; readonly dtype: "float32" | "float64" }
  ) => Tensor
}): stats.KdeSampler =>
(kde, key, shape) => {
  const keys = random.split(key)
  const ind = random.choice(np.take(keys, 0, { axis: 0 }), kde.n, { shape, p: kde.weights })
  const dtype = kde.dataset.dtype === "float64" ? "float64" : "float32"
  const eps = random.multivariateNormal(
    np.take(keys, 1, { axis: 0 }),
    np.zeros([kde.d], { dtype: kde.covariance.dtype }),
    kde.covariance,
    { shape, dtype }
  )
  const noise = np.moveaxis(eps, -1, 0)
  return lax.add(np.take(kde.dataset, ind, { axis: 1 }), lax.convertElementType(noise, kde.dataset.dtype))
}

export const install = (random: Parameters<typeof makeKdeSampler>[0]): void => installKdeSampler(makeKdeSampler(random))
