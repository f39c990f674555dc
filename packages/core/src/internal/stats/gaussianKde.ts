/**
 * `stats.gaussianKde`: the Gaussian kernel density estimator (JAX's
 * `jax.scipy.stats.gaussian_kde`, SciPy's `scipy.stats.gaussian_kde`): a
 * weighted sum of normal densities centred on the data, with the data's
 * covariance scaled by a bandwidth factor. The estimator is a pytree (its
 * `neff`, `dataset`, `weights`, `covariance` and `invCov`), so it passes
 * through `jit`, `vmap` and `grad` as JAX's does.
 *
 * @since 0.1.0
 */
import { isComplex } from "../../DType.js"
import { ArgumentError, DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../laxNamespace.js"
import * as np from "../../numpy.js"
import { ndtr } from "../../special.js"
import type { Tensor } from "../../Tensor.js"
import * as Tree from "../../Tree.js"
import { argumentError, checkOptions, checkShape } from "../../Validate.js"
import type { TensorLike } from "../arrayLiteral.js"
import { toInexact, toTensor } from "../npHelpers.js"

const LOG_2PI = Math.log(2 * Math.PI)

/**
 * How `resample` draws: `@diffect/nn`'s `random` (above core, so installed from there when it
 * loads, as the ad package installs the compiler as core's program runner).
 */
export type KdeSampler = (kde: GaussianKde, key: Tensor, shape: ReadonlyArray<number>) => Tensor

let sampler: KdeSampler | undefined

/**
 * Installs the sampler `GaussianKde.resample` calls (done by `@diffect/nn`'s random module).
 *
 * @since 0.1.0
 */
export const installKdeSampler = (next: KdeSampler): void => {
  sampler = next
}

/** What a callable `bwMethod` receives: the estimator's data before its covariance. @since 0.1.0 */
export interface GaussianKdeData {
  readonly dataset: Tensor
  readonly weights: Tensor
  readonly neff: Tensor
  readonly d: number
  readonly n: number
}

/** Options of {@link gaussianKde} (SciPy's). @since 0.1.0 */
export interface GaussianKdeOptions {
  /**
   * The bandwidth factor: `"scott"` (default, `neff^(-1/(d+4))`),
   * `"silverman"` (`(neff (d+2) / 4)^(-1/(d+4))`), a number or scalar tensor,
   * or a function of the data.
   */
  readonly bwMethod?: "scott" | "silverman" | number | Tensor | ((kde: GaussianKdeData) => TensorLike) | undefined
  /** Weights of the data points (default equal); normalized to sum to one. */
  readonly weights?: TensorLike | undefined
}

const notComplex = (operation: string, t: Tensor, what: string): Tensor => {
  if (isComplex(t.dtype)) throw new DTypeError({ operation, detail: `complex ${what} is not supported` })
  return t
}

// one inexact dtype for all (JAX's promote_dtypes_inexact); JS numbers weak, made directly in
// that dtype (not rounded through float32)
const promote = (xs: ReadonlyArray<TensorLike>): Array<Tensor> => {
  const ts = xs.map((x) => (typeof x === "number" ? x : toInexact(toTensor(x))))
  const dtype = np.resultType(...ts)
  return ts.map((t) =>
    typeof t === "number" ? lax.full([], t, dtype, false) : t.dtype === dtype ? t : np.astype(t, dtype)
  )
}

/** The normal density of the kernels, `1 / (sqrt(2 pi)^d det L)` for a Cholesky factor L. */
const convolutionNorm = (chol: Tensor, d: number): Tensor =>
  np.divide(1, np.multiply(Math.pow(Math.sqrt(2 * Math.PI), d), np.prod(np.diag(chol))))

// sum_i w_i norm exp(-(x_i - mean_j)^T S^-1 (x_i - mean_j) / 2) for each column mean_j
// (JAX's _gaussian_kernel_convolve, for many means at once); S = chol's matrix
const convolve = (chol: Tensor, norm: Tensor, target: Tensor, weights: Tensor, means: Tensor): Tensor => {
  const [d, n] = target.shape as [number, number]
  const m = means.shape[1]!
  const diff = np.subtract(np.reshape(target, [d, n, 1]), np.reshape(means, [d, 1, m]))
  const flat = np.reshape(diff, [d, n * m])
  const alpha = np.linalg.choSolve([chol, false], flat)
  const arg = np.reshape(np.multiply(0.5, np.sum(np.multiply(flat, alpha), { axis: 0 })), [n, m])
  return np.multiply(norm, np.sum(np.multiply(np.exp(np.negative(arg)), np.reshape(weights, [n, 1])), { axis: 0 }))
}

/**
 * A Gaussian kernel density estimate: build one with {@link gaussianKde}.
 * Its fields are JAX's; its methods are JAX's `gaussian_kde` methods
 * (`resample`, which needs `random`, is not here).
 *
 * @since 0.1.0
 */
export class GaussianKde {
  constructor(
    /** The effective number of points, `1 / sum(weights^2)`. */
    readonly neff: Tensor,
    /** The data, `[d, n]`. */
    readonly dataset: Tensor,
    /** The normalized weights, `[n]`. */
    readonly weights: Tensor,
    /** The kernels' covariance: the data's (weighted, unbiased) covariance times the factor squared. */
    readonly covariance: Tensor,
    /** The inverse of `covariance`. */
    readonly invCov: Tensor
  ) {}

  /** The number of dimensions. */
  get d(): number {
    return this.dataset.shape[0]!
  }

  /** The number of data points. */
  get n(): number {
    return this.dataset.shape[1]!
  }

  /** The density at `points` (`[d, m]`, or `[m]` when d is 1, or one point `[d]`). */
  evaluate(points: TensorLike): Tensor {
    return this.kernelEval("evaluate", points, false)
  }

  /**
   * `shape` points drawn from the estimated density (JAX's `resample`): the dataset's columns
   * chosen by `weights` (`random.choice`) plus each kernel's normal noise
   * (`random.multivariateNormal` with the covariance), from the two halves of `key`; the result
   * is `[d, ...shape]`. Needs diffect's `random` (`@diffect/nn`, which `diffect` loads).
   */
  resample(key: Tensor, shape: number | ReadonlyArray<number> = []): Tensor {
    if (sampler === undefined) {
      throw argumentError(
        "gaussian_kde.resample",
        "key",
        "a key of diffect's random, loaded with `diffect` or `@diffect/nn`",
        key
      )
    }
    return sampler(this, key, checkShape("gaussian_kde.resample", shape))
  }

  /** The density (as {@link GaussianKde.evaluate}). */
  pdf(x: TensorLike): Tensor {
    return this.kernelEval("pdf", x, false)
  }

  /** The log of the density, by a log-sum-exp over the kernels. */
  logpdf(x: TensorLike): Tensor {
    return this.kernelEval("logpdf", x, true)
  }

  /** The integral of the density times the normal density with `mean` and `cov`. */
  integrateGaussian(mean: TensorLike, cov: TensorLike): Tensor {
    const op = "gaussian_kde.integrate_gaussian"
    const [pm, pc, kcov] = promote([mean, cov, this.covariance]) as [Tensor, Tensor, Tensor]
    const m = np.atleast1d(np.squeeze(pm))
    const c = np.atleast2d(pc)
    if (m.shape.length !== 1 || m.shape[0] !== this.d) {
      throw new ShapeError({ operation: op, detail: `mean does not have dimension ${this.d}` })
    }
    if (c.shape.length !== 2 || c.shape[0] !== this.d || c.shape[1] !== this.d) {
      throw new ShapeError({ operation: op, detail: `covariance does not have dimension ${this.d}` })
    }
    const [chol] = np.linalg.choFactor(np.add(kcov, c))
    const [data, w] = promote([this.dataset, this.weights, chol]) as [Tensor, Tensor]
    return np.reshape(convolve(chol, convolutionNorm(chol, this.d), data, w, np.reshape(m, [this.d, 1])), [])
  }

  /** The probability between `low` and `high` (one-dimensional estimates). */
  integrateBox1d(low: TensorLike, high: TensorLike): Tensor {
    const op = "gaussian_kde.integrate_box_1d"
    if (this.d !== 1) throw new ShapeError({ operation: op, detail: "integrate_box_1d() only handles 1D pdfs" })
    const [lo, hi, data, cov, w] = promote([low, high, this.dataset, this.covariance, this.weights])
    if (lo!.ndim !== 0 || hi!.ndim !== 0) {
      throw new ShapeError({ operation: op, detail: "the limits of integration in integrate_box_1d must be scalars" })
    }
    const sigma = np.sqrt(np.reshape(cov!, []))
    const z = (x: Tensor) => np.reshape(np.divide(np.subtract(x, data!), sigma), [this.n])
    return np.sum(np.multiply(w!, np.subtract(ndtr(z(hi!)), ndtr(z(lo!)))))
  }

  /** The integral of the product of this density and `other`'s. */
  integrateKde(other: GaussianKde): Tensor {
    const op = "gaussian_kde.integrate_kde"
    if (!(other instanceof GaussianKde)) throw argumentError(op, "other", "a GaussianKde", other)
    if (other.d !== this.d) throw new ShapeError({ operation: op, detail: "KDEs are not the same dimensionality" })
    const [chol] = np.linalg.choFactor(np.add(this.covariance, other.covariance))
    const norm = convolutionNorm(chol, this.d)
    // the smaller data set's points are the means
    const [sm, lg] = this.n < other.n ? [this, other] : [other, this]
    const [lgData, lgW, smData, smW] = promote([lg.dataset, lg.weights, sm.dataset, sm.weights, chol])
    return np.sum(np.multiply(convolve(chol, norm, lgData!, lgW!, smData!), smW!))
  }

  // the points as [d, m] (JAX's _reshape_points), then the kernel sums (JAX's _gaussian_kernel_eval)
  private kernelEval(method: string, points: TensorLike, inLog: boolean): Tensor {
    const op = `gaussian_kde.${method}`
    let x = np.atleast2d(notComplex(op, toTensor(points), "coordinates"))
    const [pd, m] = x.shape as [number, number]
    if (x.ndim !== 2 || pd !== this.d) {
      if (x.ndim === 2 && pd === 1 && m === this.d) x = np.reshape(x, [this.d, 1])
      else {
        throw new ShapeError({
          operation: op,
          detail: `points have dimension ${
            x.ndim === 2 ? pd : `[${x.shape.join(", ")}]`
          }, dataset has dimension ${this.d}`
        })
      }
    }
    const [data, w, xi, precision] = promote([this.dataset, this.weights, x, this.invCov])
    const d = this.d
    // whiten by the Cholesky factor W of the precision: |W^T (x - y)|^2 is the Mahalanobis distance
    const whitening = np.linalg.cholesky(precision!)
    const train = np.matmul(np.transpose(data!), whitening) // [n, d]
    const test = np.matmul(np.transpose(xi!), whitening) // [m, d]
    const logNorm = np.subtract(np.sum(np.log(np.diag(whitening))), 0.5 * d * LOG_2PI)
    const mm = test.shape[0]!
    const sq = np.sum(
      np.square(np.subtract(np.reshape(train, [1, this.n, d]), np.reshape(test, [mm, 1, d]))),
      { axis: 2 }
    )
    const arg = np.subtract(logNorm, np.multiply(0.5, sq)) // [m, n]
    return inLog
      ? np.logsumexp(np.add(np.log(w!), arg), { axis: 1 })
      : np.sum(np.multiply(w!, np.exp(arg)), { axis: 1 })
  }
}

Tree.register(
  GaussianKde,
  (k: GaussianKde) => [k.neff, k.dataset, k.weights, k.covariance, k.invCov] as const,
  ([neff, dataset, weights, covariance, invCov]: readonly [Tensor, Tensor, Tensor, Tensor, Tensor]) =>
    new GaussianKde(neff, dataset, weights, covariance, invCov),
  { keys: ["neff", "dataset", "weights", "covariance", "invCov"] }
)

const bwCheck = {
  expected: "'scott', 'silverman', a scalar, or a callable",
  test: (u: unknown) =>
    u === "scott" || u === "silverman" || typeof u === "number" || typeof u === "function" ||
    (u instanceof Object && "ndim" in u && (u as Tensor).ndim === 0)
}

const build = (dataset: TensorLike, options?: GaussianKdeOptions): GaussianKde => {
  const op = "gaussian_kde"
  checkOptions(op, options, { bwMethod: bwCheck, weights: { expected: "an array", test: () => true } })
  let data = np.atleast2d(notComplex(op, toTensor(dataset), "data"))
  if (data.ndim !== 2) {
    throw new ShapeError({
      operation: op,
      detail: `dataset must have at most 2 dimensions, got [${data.shape.join(", ")}]`
    })
  }
  if (!(data.size > 1)) {
    throw new ShapeError({ operation: op, detail: "`dataset` input should have multiple elements." })
  }
  const [d, n] = data.shape as [number, number]
  let weights: Tensor
  if (options?.weights !== undefined) {
    ;[data, weights] = promote([data, np.atleast1d(notComplex(op, toTensor(options.weights), "weights"))]) as [
      Tensor,
      Tensor
    ]
    if (weights.ndim !== 1) {
      throw new ShapeError({ operation: op, detail: "`weights` input should be one-dimensional." })
    }
    if (weights.shape[0] !== n) throw new ShapeError({ operation: op, detail: "`weights` input should be of length n" })
    weights = np.divide(weights, np.sum(weights))
  } else {
    data = toInexact(data)
    weights = np.full([n], 1 / n, { dtype: data.dtype })
  }
  const neff = np.divide(1, np.sum(np.square(weights)))
  const bw = options?.bwMethod ?? "scott"
  const given: TensorLike = bw === "scott"
    ? np.power(neff, -1 / (d + 4))
    : bw === "silverman"
    ? np.power(np.divide(np.multiply(neff, d + 2), 4), -1 / (d + 4))
    : typeof bw === "function"
    ? bw({ dataset: data, weights, neff, d, n })
    : bw
  const factor = toTensor(given)
  if (factor.ndim !== 0) {
    throw new ArgumentError({
      operation: op,
      argument: "bwMethod",
      expected: "a scalar factor",
      got: `shape [${factor.shape.join(", ")}]`
    })
  }
  const dataCov = np.atleast2d(np.cov(data, { rowvar: true, bias: false, aweights: weights }))
  // a JS number factor is squared in float64 as JAX squares a Python float (a weak scalar
  // tensor of it would round it to float32 first)
  const f2 = typeof given === "number" ? given * given : np.square(factor)
  return new GaussianKde(neff, data, weights, np.multiply(dataCov, f2), np.divide(np.linalg.inv(dataCov), f2))
}

// Python's unbound method: the estimator is the first argument
const estimator = (method: string, kde: unknown): GaussianKde => {
  if (!(kde instanceof GaussianKde)) throw argumentError(`gaussian_kde.${method}`, "kde", "a GaussianKde", kde)
  return kde
}

/**
 * A Gaussian kernel density estimate of `dataset` (`[d, n]`, or `[n]` for one
 * dimension) (JAX's `jax.scipy.stats.gaussian_kde`), with JAX's methods as
 * properties taking the estimator first (`gaussianKde.evaluate(kde, points)`,
 * Python's unbound methods) besides the estimator's own methods.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * // two points with the bandwidth factor 1: the kernels' variance is the data's, 2
 * const kde = stats.gaussianKde(np.array([-1, 1], { dtype: "float64" }), { bwMethod: 1 })
 * // at 0, the mean of two normal densities N(0; -+1, 2): exp(-1/4) / sqrt(4 pi)
 * console.log(toJsSync(kde.evaluate(np.array([0])))) // [0.21969564473386122]
 *
 * @since 0.1.0
 */
export const gaussianKde = Object.assign(build, {
  evaluate: (kde: GaussianKde, points: TensorLike): Tensor => estimator("evaluate", kde).evaluate(points),
  pdf: (kde: GaussianKde, x: TensorLike): Tensor => estimator("pdf", kde).pdf(x),
  logpdf: (kde: GaussianKde, x: TensorLike): Tensor => estimator("logpdf", kde).logpdf(x),
  integrateGaussian: (kde: GaussianKde, mean: TensorLike, cov: TensorLike): Tensor =>
    estimator("integrate_gaussian", kde).integrateGaussian(mean, cov),
  integrateBox1d: (kde: GaussianKde, low: TensorLike, high: TensorLike): Tensor =>
    estimator("integrate_box_1d", kde).integrateBox1d(low, high),
  integrateKde: (kde: GaussianKde, other: GaussianKde): Tensor => estimator("integrate_kde", kde).integrateKde(other),
  resample: (kde: GaussianKde, key: Tensor, shape?: number | ReadonlyArray<number>): Tensor =>
    estimator("resample", kde).resample(key, shape)
})
