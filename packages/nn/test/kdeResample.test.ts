/**
 * `stats.gaussianKde(...).resample` (JAX's `gaussian_kde.resample`): the moments of many draws
 * (the mixture of the kernels: the weighted data's mean and variance plus the kernels'
 * covariance), the result's `[d, ...shape]`, determinism per key, jit, and bad input.
 */
import { ArgumentError, jit, np, runSync, stats, toJsSync } from "diffect"
import type { Tensor } from "diffect"
import { random } from "diffect"
import { assert, describe, it } from "vitest"

const f64 = (v: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>) =>
  np.array(v as never, { dtype: "float64" })
const moments = (xs: ReadonlyArray<number>) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return [mean, xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)] as const
}

describe("gaussianKde.resample", () => {
  it("draws from the mixture: two points weighted 0.9 and 0.1, kernels of variance 2", () => {
    // bwMethod 1: the kernels' variance is the weighted data covariance (unbiased: 0.36 / (1 - 0.82))
    const kde = stats.gaussianKde(f64([-1, 1]), { bwMethod: 1, weights: f64([0.9, 0.1]) })
    const kernel = (toJsSync(kde.covariance) as Array<Array<number>>)[0]![0]!
    assert.closeTo(kernel, 0.36 / (1 - 0.82), 1e-12)
    const draws = kde.resample(random.key(0), [20000])
    assert.deepStrictEqual(draws.shape, [1, 20000])
    assert.strictEqual(draws.dtype, "float64")
    const [mean, variance] = moments((toJsSync(draws) as Array<Array<number>>)[0]!)
    // mixture mean -0.8; variance 0.36 (the points') + the kernel's; five standard errors
    const sd = Math.sqrt(0.36 + kernel)
    assert.closeTo(mean, -0.8, 5 * sd / Math.sqrt(20000))
    assert.closeTo(variance, 0.36 + kernel, 5 * Math.sqrt(2 / 20000) * (0.36 + kernel))
  })

  it("is [d, ...shape], the same for the same key, and runs under jit (the estimator is a pytree)", () => {
    const kde = stats.gaussianKde(f64([[0, 1, 2, 3], [1, 0, 2, 1]]))
    const a = kde.resample(random.key(3), [3, 4])
    assert.deepStrictEqual(a.shape, [2, 3, 4])
    assert.deepStrictEqual(toJsSync(a), toJsSync(stats.gaussianKde.resample(kde, random.key(3), [3, 4])))
    assert.notDeepEqual(toJsSync(a), toJsSync(kde.resample(random.key(4), [3, 4])))
    const one = kde.resample(random.key(3))
    assert.deepStrictEqual(one.shape, [2])
    const drawn = runSync(jit((k: typeof kde, key: Tensor) => k.resample(key, [5]))(kde, random.key(3)))
    assert.deepStrictEqual(toJsSync(drawn), toJsSync(kde.resample(random.key(3), [5])))
  })

  it("a bad shape is a typed error", () => {
    const kde = stats.gaussianKde(f64([0, 1, 2]))
    assert.throws(() => kde.resample(random.key(0), [-1]), /non-negative integer/)
    assert.throws(() => kde.resample(random.key(0), "x" as never), ArgumentError)
  })
})
