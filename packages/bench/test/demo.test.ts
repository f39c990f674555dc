/**
 * The demo's pieces (packages/diffect/demo): the Iris split, Adam over a
 * pytree, training to a useful accuracy, and the SVG plot.
 */
import { assert, describe, it } from "@effect/vitest"
import { np, optim, random, runSync, toJsSync, valueAndGrad } from "diffect"
import { Effect, Schema } from "effect"
import { loadIris } from "../../diffect/demo/data.js"
import { initParams, loss, Params, predict } from "../../diffect/demo/model.js"
import { logTicks, lossCurveSvg, niceTicks } from "../../diffect/demo/plot.js"

describe("demo", () => {
  it("splits Iris 40/10 per species, standardized with the training statistics", () => {
    const iris = loadIris(random.key(42))
    assert.deepStrictEqual([iris.train.n, iris.test.n, iris.features], [120, 30, 4])
    assert.deepStrictEqual(iris.classes, ["setosa", "versicolor", "virginica"])
    for (const [split, per] of [[iris.train, 40], [iris.test, 10]] as const) {
      const counts = [0, 0, 0]
      for (const l of split.labels) counts[l]++
      assert.deepStrictEqual(counts, [per, per, per])
    }
    for (let f = 0; f < 4; f++) {
      let mean = 0
      let sq = 0
      for (let r = 0; r < 120; r++) mean += iris.train.x[r * 4 + f] / 120
      for (let r = 0; r < 120; r++) sq += (iris.train.x[r * 4 + f] - mean) ** 2 / 120
      assert.closeTo(mean, 0, 1e-5)
      assert.closeTo(Math.sqrt(sq), 1, 1e-5)
    }
  })

  it("the parameter schema rejects a wrong shape", () => {
    const bad = { w1: np.zeros([4, 8]), b1: np.zeros([16]), w2: np.zeros([16, 3]), b2: np.zeros([3]) }
    assert.throws(() => Schema.decodeUnknownSync(Params)(bad), /Expected f32\[4,16\], got f32\[4,8\]/)
  })

  it("trains to at least 90% test accuracy in 150 steps", () => {
    const iris = loadIris(random.key(42))
    const x = np.array(iris.train.x).reshape([120, 4])
    const y = np.array(iris.train.y).reshape([120, 3])
    let params = Effect.runSync(initParams(random.key(0)))
    const opt = optim.adam(0.05)
    let state = opt.init(params)
    const step = valueAndGrad(loss)
    const losses: Array<number> = []
    for (let i = 0; i < 150; i++) {
      const [l, g] = runSync(step(params, x, y))
      losses.push(toJsSync(l) as number)
      const [updates, next] = opt.update(g, state, params)
      params = optim.applyUpdates(params, updates)
      state = next
    }
    // A random 3-way classifier starts near ln 3 = 1.0986 (Glorot-normal weights from random.key(0): 0.88).
    assert.isAbove(losses[0], 0.8)
    assert.isBelow(losses[losses.length - 1], 0.1)
    const predicted = toJsSync(predict(params, np.array(iris.test.x).reshape([30, 4]))) as Array<number>
    const correct = predicted.filter((p, i) => p === iris.test.labels[i]).length
    assert.isAtLeast(correct, 27)
  })

  it("plots one point per step", () => {
    const svg = lossCurveSvg([1, 0.5, 0.25, 0.05], "t < 1")
    const points = /points="([^"]*)"/.exec(svg)![1].trim().split(" ")
    assert.strictEqual(points.length, 4)
    assert.include(svg, "t &lt; 1")
    assert.include(svg, "(log scale)")
  })

  it("puts ticks on round values", () => {
    assert.deepStrictEqual(niceTicks(0, 300), [0, 100, 200, 300])
    assert.deepStrictEqual(niceTicks(0, 150), [0, 50, 100, 150])
    assert.deepStrictEqual(niceTicks(0.0731, 1.4311), [0, 0.5, 1, 1.5])
    assert.deepStrictEqual(niceTicks(0.21, 0.29), [0.2, 0.22, 0.24, 0.26, 0.28, 0.3])
    // Past three decades only the powers of ten; within them 1, 2 and 5 times each.
    assert.deepStrictEqual(logTicks(0.004, 1.43), [0.001, 0.01, 0.1, 1, 10])
    assert.deepStrictEqual(logTicks(0.03, 1.43), [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2])
    const labels = [...lossCurveSvg([1.43, 0.5, 0.1, 0.03], "t").matchAll(/text-anchor="end">([^<]*)</g)].map((m) =>
      m[1]
    )
    assert.deepStrictEqual(labels, ["0.02", "0.05", "0.1", "0.2", "0.5", "1", "2"])
  })
})
