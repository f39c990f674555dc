/**
 * The demo's pieces (packages/diffect/demo): the Iris split, Adam over a
 * pytree, training to a useful accuracy, and the SVG plot.
 */
import { assert, describe, it } from "@effect/vitest"
import { np, runSync, type Tensor, toJsSync, valueAndGrad } from "diffect"
import { Effect, Schema } from "effect"
import { adamInit, adamStep } from "../../diffect/demo/adam.js"
import { loadIris } from "../../diffect/demo/data.js"
import { initParams, loss, Params, predict } from "../../diffect/demo/model.js"
import { lossCurveSvg } from "../../diffect/demo/plot.js"

describe("demo", () => {
  it("splits Iris 40/10 per species, standardized with the training statistics", () => {
    const iris = loadIris()
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

  it("Adam finds the minimum of a quadratic over a pytree", () => {
    const target = { a: np.array([1, -2]), b: [np.array(3)] }
    const f = (p: { a: Tensor; b: Array<Tensor> }) =>
      np.add(np.sum(np.square(np.subtract(p.a, target.a))), np.sum(np.square(np.subtract(p.b[0], target.b[0]))))
    let p = { a: np.zeros([2]), b: [np.zeros([])] }
    let state = adamInit(p)
    for (let i = 0; i < 400; i++) {
      const [, g] = runSync(valueAndGrad(f)(p))
      ;[p, state] = adamStep(p, g, state, { lr: 0.05 })
    }
    const got = toJsSync(p) as { a: Array<number>; b: Array<number> }
    assert.strictEqual(state.t, 400)
    got.a.forEach((v, i) => assert.closeTo(v, [1, -2][i], 1e-2))
    assert.closeTo(got.b[0], 3, 1e-2)
  })

  it("the parameter schema rejects a wrong shape", () => {
    const bad = { w1: np.zeros([4, 8]), b1: np.zeros([16]), w2: np.zeros([16, 3]), b2: np.zeros([3]) }
    assert.throws(() => Schema.decodeUnknownSync(Params)(bad), /Expected f32\[4,16\], got f32\[4,8\]/)
  })

  it("trains to at least 90% test accuracy in 150 steps", () => {
    const iris = loadIris()
    const x = np.array(iris.train.x).reshape([120, 4])
    const y = np.array(iris.train.y).reshape([120, 3])
    let params = Effect.runSync(initParams(0))
    let state = adamInit(params)
    const step = valueAndGrad(loss)
    const losses: Array<number> = []
    for (let i = 0; i < 150; i++) {
      const [l, g] = runSync(step(params, x, y))
      losses.push(toJsSync(l) as number)
      ;[params, state] = adamStep(params, g, state, { lr: 0.05 })
    }
    // A random 3-way classifier starts near ln 3 = 1.0986 (here above it: the initial logits are not all equal).
    assert.isAbove(losses[0], 0.9)
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
})
