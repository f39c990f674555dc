/**
 * optax's losses: optax's documented outputs, float64 formulas, gradients
 * against float64 central differences, vmap against a loop, and bad input.
 */
import { assert, describe, it } from "@effect/vitest"
import { DTypeError, losses, np, ShapeError } from "diffect"
import type { Tensor } from "diffect"
import * as fc from "fast-check"
import { assertClose, assertVmapMatchesLoop, f64, finiteGradient, gradient } from "./helpers.js"

const logits = [[1.2, -0.8, -0.5], [0.9, -1.2, 1.1]]
const lse = (r: ReadonlyArray<number>) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0))

describe("softmax cross entropy", () => {
  it("optax's docstring example: [0.2761, 2.9518], one-hot and integer labels", () => {
    const expected = [lse(logits[0]!) - 1.2, lse(logits[1]!) + 1.2]
    assertClose(expected, [0.2761, 2.9518], 1e-4)
    assertClose(losses.softmaxCrossEntropy(f64(logits), f64([[1, 0, 0], [0, 1, 0]])), expected, 1e-15)
    assertClose(
      losses.softmaxCrossEntropyWithIntegerLabels(f64(logits), np.array([0, 1], { dtype: "int32" })),
      expected,
      1e-15
    )
    // float32, as optax prints it
    assertClose(losses.softmaxCrossEntropy(np.array(logits), np.array([[1, 0, 0], [0, 1, 0]])), expected, 1e-6)
  })

  it("optax's docstring example with two class axes: [[6.4587, 0.4587]]", () => {
    const x = np.reshape(np.arange(24, { dtype: "float64" }), [1, 2, 3, 4])
    // labels = ravel_multi_index(([[1, 2]], [[1, 3]]), (3, 4)) = [[5, 11]]
    const out = losses.softmaxCrossEntropyWithIntegerLabels(x, np.array([[5, 11]], { dtype: "int32" }), {
      axis: [2, 3]
    })
    const row = Array.from({ length: 12 }, (_, i) => i)
    assertClose(out, [lse(row) - 5, lse(row) - 11], 1e-14)
    assertClose(out, [6.4587, 0.4587], 1e-4)
  })

  it("where: masked classes are left out; an all-false row gives 0", () => {
    const where = np.array([[true, true, false], [false, false, false]])
    const out = losses.softmaxCrossEntropyWithIntegerLabels(f64(logits), np.array([0, 1], { dtype: "int32" }), {
      where
    })
    assertClose(out, [lse([1.2, -0.8]) - 1.2, 0], 1e-15)
    const soft = losses.softmaxCrossEntropy(f64(logits), f64([[1, 0, 0], [0, 1, 0]]), {
      where: np.array([true, false])
    })
    assertClose(soft, [lse(logits[0]!) - 1.2, -0], 1e-15)
  })

  it("gradients: softmax(x) - labels, and finite differences", () => {
    const labels = f64([[0.2, 0.3, 0.5], [0, 1, 0]])
    fc.assert(
      fc.property(fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 6, maxLength: 6 }), (p) => {
        const f = (x: Tensor) => np.sum(losses.softmaxCrossEntropy(x, labels))
        const g = gradient(f, p, [2, 3])
        const fd = finiteGradient(f, p, [2, 3])
        const fi = (x: Tensor) =>
          np.sum(losses.softmaxCrossEntropyWithIntegerLabels(x, np.array([2, 0], { dtype: "int32" })))
        const gi = gradient(fi, p, [2, 3])
        const fdi = finiteGradient(fi, p, [2, 3])
        const sm = [p.slice(0, 3), p.slice(3)].flatMap((r) => r.map((v) => Math.exp(v - lse(r))))
        const exact = sm.map((s, i) => s - [0.2, 0.3, 0.5, 0, 1, 0][i]!)
        return g.every((v, i) => Math.abs(v - fd[i]!) < 1e-7 && Math.abs(v - exact[i]!) < 1e-12) &&
          gi.every((v, i) => Math.abs(v - fdi[i]!) < 1e-7)
      }),
      { numRuns: 20 }
    )
  })

  it("bad input: integer logits, float labels, mismatched label shape", () => {
    assert.throws(() => losses.softmaxCrossEntropy(np.array([[1, 2]], { dtype: "int32" }), f64([[1, 0]])), DTypeError)
    assert.throws(() => losses.softmaxCrossEntropyWithIntegerLabels(f64(logits), f64([0, 1])), DTypeError)
    assert.throws(
      () => losses.softmaxCrossEntropyWithIntegerLabels(f64(logits), np.array([0, 1, 2], { dtype: "int32" })),
      ShapeError
    )
  })
  it("an axis of another kind is this function's ArgumentError (was a TypeError: axis.map is not a function)", () => {
    const l = f64(logits)
    const bad = { axis: "1" } as never
    assert.throws(() => losses.softmaxCrossEntropy(l, l, bad), /softmaxCrossEntropy: axis must be .*got the string "1"/)
    assert.throws(
      () => losses.softmaxCrossEntropyWithIntegerLabels(l, np.array([0, 1], { dtype: "int32" }), bad),
      /softmaxCrossEntropyWithIntegerLabels: axis must be/
    )
    assert.throws(() => losses.cosineSimilarity(l, l, { axis: {} } as never), /cosineSimilarity: axis must be/)
  })
})

describe("elementwise and regression losses", () => {
  it("sigmoidBinaryCrossEntropy = y log(1 + e^-x) + (1 - y) log(1 + e^x)", () => {
    const x = [-2, 0, 3, 40]
    const y = [0, 1, 0.25, 1]
    assertClose(
      losses.sigmoidBinaryCrossEntropy(f64(x), f64(y)),
      x.map((v, i) => y[i]! * Math.log1p(Math.exp(-v)) + (1 - y[i]!) * Math.log1p(Math.exp(v))),
      1e-13
    )
    // stays finite where log(1 - sigmoid(x)) would be log(0) in float32
    assertClose(losses.sigmoidBinaryCrossEntropy(np.array([100]), np.array([0])), [100], 1e-7)
  })

  it("l2Loss, squaredError, huberLoss", () => {
    assertClose(losses.l2Loss(f64([1, -2]), f64([0, 1])), [0.5, 4.5], 0)
    assertClose(losses.l2Loss(f64([3])), [4.5], 0)
    assertClose(losses.squaredError(f64([1, -2]), f64([0, 1])), [1, 9], 0)
    assertClose(losses.huberLoss(f64([0.5, 3, -3])), [0.125, 2.5, 2.5], 0)
    assertClose(losses.huberLoss(f64([0.5, 3]), f64([0, 0]), { delta: 2 }), [0.125, 0.5 * 4 + 2 * 1], 0)
    assert.throws(() => losses.l2Loss(f64([1, 2]), f64([1, 2, 3])), ShapeError)
  })

  it("huberLoss broadcasts targets against predictions, as optax's (it checks only the dtype)", () => {
    // optax: errors = predictions - targets; 0.5 * min(|e|, delta)^2 + delta * (|e| - min(|e|, delta))
    // e = [[0.5, 2], [1, 1]] -> [[0.125, 1.5], [0.5, 0.5]]
    assertClose(losses.huberLoss(f64([[0.5, 3], [1, 2]]), f64([0, 1])), [0.125, 1.5, 0.5, 0.5], 0)
    // squaredError (and l2Loss) do check the shapes, as optax's check_shapes_equal
    assert.throws(() => losses.squaredError(f64([[0.5, 3], [1, 2]]), f64([0, 1])), ShapeError)
  })

  it("huber's gradient is the clipped error", () => {
    assertClose(gradient((x) => np.sum(losses.huberLoss(x)), [0.5, 3, -3], [3]), [0.5, 1, -1], 0)
  })

  it("cosineSimilarity and cosineDistance, with epsilon and axis", () => {
    assertClose(losses.cosineSimilarity(f64([[1, 0], [3, 4]]), f64([[1, 1], [3, 4]])), [Math.SQRT1_2, 1], 1e-15)
    assertClose(losses.cosineDistance(f64([1, 0]), f64([0, 1])), [1], 0)
    // a zero vector with epsilon: norms clipped to sqrt(eps), result 0 instead of NaN
    assertClose(losses.cosineSimilarity(f64([0, 0]), f64([1, 0]), { epsilon: 1e-12 }), [0], 0)
    assertClose(
      losses.cosineSimilarity(f64([[1, 3], [0, 4]]), f64([[1, 3], [1, 4]]), { axis: 0 }),
      [Math.SQRT1_2, 1],
      1e-15
    )
    // operands of different ranks: each normalized over its own last axis, then broadcast (optax)
    const expected = [5 / Math.sqrt(14 * 5), 3 / Math.sqrt(3 * 5)]
    assertClose(losses.cosineSimilarity(f64([[1, 2, 3], [1, 1, 1]]), f64([2, 0, 1])), expected, 1e-15)
    assertClose(losses.cosineSimilarity(f64([2, 0, 1]), f64([[1, 2, 3], [1, 1, 1]])), expected, 1e-15)
    assertClose(losses.cosineDistance(f64([[1, 2, 3], [1, 1, 1]]), f64([2, 0, 1])), expected.map((v) => 1 - v), 1e-15)
    const f = (x: Tensor) => np.sum(losses.cosineSimilarity(x, f64([0.5, -1, 2])))
    assertClose(gradient(f, [1, 2, -0.5], [3]), finiteGradient(f, [1, 2, -0.5], [3]), 1e-8)
  })

  it("batching: vmap of each loss equals a loop", () => {
    const xs = f64([[0.5, -2, 1], [3, 0, -1]])
    const t = f64([0, 1, 0])
    assertVmapMatchesLoop((x) => losses.sigmoidBinaryCrossEntropy(x, t), xs)
    assertVmapMatchesLoop((x) => losses.huberLoss(x, t), xs)
    assertVmapMatchesLoop((x) => losses.cosineSimilarity(x, np.add(t, 1)), xs)
    assertVmapMatchesLoop((x) => losses.softmaxCrossEntropy(x, t), xs)
    assertVmapMatchesLoop((x) => losses.softmaxCrossEntropyWithIntegerLabels(x, np.array(1, { dtype: "int32" })), xs)
  })
  it("an option the loss does not take is an ArgumentError, not silently the default", () => {
    type Any = never
    const x = np.array([[1, 2, 3]])
    assert.throws(() => losses.huberLoss(x, x, { delt: 2 } as Any), /huberLoss: options .*unknown key "delt"/)
    assert.throws(() => losses.softmaxCrossEntropy(x, x, { axes: 0 } as Any), /softmaxCrossEntropy: .*"axes"/)
    assert.throws(() => losses.cosineDistance(x, x, [1] as Any), /cosineSimilarity: options .*an array/)
  })
})
