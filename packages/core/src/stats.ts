/**
 * `stats`: JAX's `jax.scipy.stats`. One namespace per distribution (`stats.norm`,
 * `stats.gamma`, ... with SciPy's snake_case names in camelCase: `gumbelR`,
 * `multivariateNormal`), each with JAX's functions (`logpdf`, `pdf`, `cdf`,
 * `logcdf`, `sf`, `logsf`, `ppf`, `isf`; `logpmf`, `pmf` for the discrete ones)
 * and JAX's positional parameters (`stats.norm.logpdf(x, loc?, scale?)`), which
 * broadcast against `x` and promote like JAX's `promote_args_inexact`; and the
 * functions `mode`, `rankdata` and `sem`. Everything is built from `lax` and
 * `special`, so it differentiates, batches and compiles.
 *
 * @example
 * import { stats, np, toJsSync } from "diffect"
 * console.log(toJsSync(stats.norm.cdf(np.array([0])))) // [0.5]
 *
 * @since 0.1.0
 */
export * as bernoulli from "./internal/stats/bernoulli.js"
export * as beta from "./internal/stats/beta.js"
export * as betabinom from "./internal/stats/betabinom.js"
export * as binom from "./internal/stats/binom.js"
export * as cauchy from "./internal/stats/cauchy.js"
export * as chi2 from "./internal/stats/chi2.js"
export * from "./internal/stats/core.js"
export * as dirichlet from "./internal/stats/dirichlet.js"
export * as expon from "./internal/stats/expon.js"
export * as gamma from "./internal/stats/gamma.js"
export { GaussianKde, gaussianKde } from "./internal/stats/gaussianKde.js"
export type { GaussianKdeData, GaussianKdeOptions, KdeSampler } from "./internal/stats/gaussianKde.js"
export * as gennorm from "./internal/stats/gennorm.js"
export * as geom from "./internal/stats/geom.js"
export * as gumbelL from "./internal/stats/gumbelL.js"
export * as gumbelR from "./internal/stats/gumbelR.js"
export * as laplace from "./internal/stats/laplace.js"
export * as logistic from "./internal/stats/logistic.js"
export * as multinomial from "./internal/stats/multinomial.js"
export * as multivariateNormal from "./internal/stats/multivariateNormal.js"
export * as nbinom from "./internal/stats/nbinom.js"
export * as norm from "./internal/stats/norm.js"
export * as pareto from "./internal/stats/pareto.js"
export * as poisson from "./internal/stats/poisson.js"
export * as t from "./internal/stats/t.js"
export * as truncnorm from "./internal/stats/truncnorm.js"
export * as uniform from "./internal/stats/uniform.js"
export * as vonmises from "./internal/stats/vonmises.js"
export * as wrapcauchy from "./internal/stats/wrapcauchy.js"
