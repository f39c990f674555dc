/**
 * The examples of README.md, docs/index.md and docs/pytrees-and-schemas.md,
 * run as written, against values derived by hand (each comment shows how).
 */
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import {
  grad,
  hessian,
  jvp,
  np,
  runSync,
  Tensor,
  TensorSchema,
  toJs,
  toJsSync,
  Tree,
  TypedArrayBackend,
  valueAndGrad,
  vmap
} from "diffect"
import { Effect, Schema } from "effect"

/** `expect.near`: nested numbers agree within `atol` (absolute; structures must be equal). */
const expect = {
  near: (actual: unknown, expected: unknown, atol: number): void =>
    Close.assertClose(actual, expected, { rtol: 0, atol })
}

describe("documentation examples", () => {
  it("README: valueAndGrad of a linear layer's mean squared output", () => {
    type Params = { w: Tensor; b: Tensor }
    const params: Params = { w: np.array([[1, 2], [3, 4]]), b: np.array([0.5, -0.5]) }
    const x = np.array([[1, 0], [0, 1], [1, 1]])
    const loss = (p: Params, x: Tensor) => np.mean(np.square(np.add(np.matmul(x, p.w), p.b)))
    const [value, grads] = runSync(valueAndGrad(loss)(params, x))
    // z = x w + b = [[1.5, 1.5], [3.5, 3.5], [4.5, 5.5]]; mean(z^2) = 79.5 / 6 = 13.25
    expect.near(toJsSync(value), 13.25, 1e-6)
    // dz = z / 3; db = column sums of dz; dw = x^T dz
    expect.near(toJsSync(grads), { b: [19 / 6, 3.5], w: [[2, 7 / 3], [8 / 3, 3]] }, 1e-6)
  })

  it("getting started: arrays and first gradients", () => {
    expect.near(toJsSync(np.array([1, 2, 3]).mul(2).add(1).sum()), 15, 1e-6)
    const df = grad((x: Tensor) => np.sum(np.sin(x)))
    expect.near(toJsSync(runSync(df(np.array([0, 1, 2])))), [1, Math.cos(1), Math.cos(2)], 1e-6)
    const d2 = grad(grad((x: Tensor) => np.power(x, 3)))
    expect.near(toJsSync(runSync(d2(np.array(2)))), 12, 1e-5)
  })

  it("getting started: jvp, hessian, per-example gradients", () => {
    const [y, dy] = runSync(jvp(np.sin, [np.array(0.1)], [np.array(0.2)]))
    expect.near([toJsSync(y), toJsSync(dy)], [Math.sin(0.1), 0.2 * Math.cos(0.1)], 1e-6)
    // d2/dx2 of x0^3 + x1^3 = diag(6 x)
    expect.near(
      toJsSync(runSync(hessian((x: Tensor) => np.sum(np.power(x, 3)))(np.array([1, 2])))),
      [[6, 0], [0, 12]],
      1e-5
    )
    const perExample = vmap(grad((w: Tensor, x: Tensor) => np.sum(np.multiply(w, x))), { inAxes: [null, 0] })
    expect.near(
      toJsSync(runSync(perExample(np.array([1, 1]), np.array([[1, 2], [3, 4]])))),
      [[1, 2], [3, 4]],
      1e-6
    )
  })

  it.effect("getting started: inside Effect, and catching a tagged error", () =>
    Effect.gen(function*() {
      const f = (w: Tensor, x: Tensor) => np.sum(np.tanh(np.multiply(w, x)))
      const [value, g] = yield* valueAndGrad(f)(np.array([0.5, -1]), np.array([2, 1]))
      // tanh(1) + tanh(-1) = 0; d/dw = x (1 - tanh(w x)^2)
      const t = Math.tanh(1)
      expect.near(yield* toJs({ value, g }), { value: 0, g: [2 * (1 - t * t), 1 - t * t] }, 1e-6)
      const handled = yield* valueAndGrad((x: Tensor) => np.sin(x))(np.array([1, 2])).pipe(
        Effect.map(() => "ok"),
        Effect.catchTag("NonScalarOutputError", (e) => Effect.succeed(`caught: ${e.message}`))
      )
      assert.match(handled, /^caught: Gradient only defined for scalar-output functions\. Output had shape: \(2,\)/)
    }).pipe(Effect.provide(TypedArrayBackend.layer)))

  it("pytrees: flatten, sorted keys, gradients shaped like their arguments, an SGD step", () => {
    const params = {
      layers: [{ w: np.array([[1, 2]]), b: np.array([0]) }, { w: np.array([[3], [4]]), b: np.array([1]) }],
      scale: np.array(2)
    }
    const [leaves, def] = Tree.flatten(params)
    assert.strictEqual(leaves.length, 5)
    assert.strictEqual(String(def), "TreeDef({layers: [{b: *, w: *}, {b: *, w: *}], scale: *})")
    assert.deepStrictEqual(Tree.leaves({ b: 1, a: [2, null, 3] }), [2, 3, 1])
    const loss = (p: typeof params) => np.sum(np.square(p.layers[1].w)).add(p.scale)
    const g = runSync(grad(loss)(params))
    expect.near(
      toJsSync(g),
      {
        layers: [{ w: [[0, 0]], b: [0] }, { w: [[6], [8]], b: [0] }],
        scale: 1
      },
      1e-6
    )
    const sgd = <P>(p: P, g: P, lr: number): P =>
      Tree.mapN([p, g] as [any, any], (p: Tensor, g: Tensor) => p.sub(g.mul(lr)))
    expect.near(toJsSync(sgd(params, g, 0.1).scale), 1.9, 1e-6)
  })

  it("pytrees: a registered Schema class is a node, and its gradient an instance", () => {
    class Linear extends Schema.Class<Linear>("DocsLinear")({
      w: Tensor.schema({ dtype: "float32", shape: [2, 2] }),
      b: Tensor.schema({ dtype: "float32", shape: [2] })
    }) {}
    Tree.register(Linear)
    const layer = new Linear({ w: np.array([[1, 0], [0, 1]]), b: np.array([0.5, 0.5]) })
    const g = runSync(grad((p: Linear) => np.sum(np.matmul(np.array([[1, 2]]), p.w).add(p.b)))(layer))
    assert.instanceOf(g, Linear)
    expect.near(toJsSync(g.w), [[1, 1], [2, 2]], 1e-6)
    expect.near(toJsSync(g.b), [1, 1], 1e-6)
  })

  it("schemas: shapes and dtypes are checked, with the path", () => {
    const Linear = Schema.Struct({
      w: Tensor.schema({ dtype: "float32", shape: [2, 3] }),
      b: Tensor.schema({ dtype: "float32", shape: [3] })
    })
    assert.deepStrictEqual(Schema.decodeUnknownSync(Linear)({ w: np.zeros([2, 3]), b: np.zeros([3]) }).w.shape, [2, 3])
    assert.throws(
      () => Schema.decodeUnknownSync(Linear)({ w: np.zeros([2, 4]), b: np.zeros([3]) }),
      "Expected f32[2,3], got f32[2,4]\n  at [\"w\"]"
    )
    const Batch = Tensor.schema({ dtype: "float32", shape: [null, 3] })
    assert.isTrue(Schema.is(Batch)(np.zeros([7, 3])))
    assert.isFalse(Schema.is(Batch)(np.zeros([7, 4])))
    const Input = Schema.Struct({ x: TensorSchema.fromJs({ dtype: "float32", shape: [null, 2] }) })
    assert.strictEqual(
      Schema.decodeUnknownSync(Input)({ x: [[1, 2], [3, 4]] }).x.toString(),
      "Array([[1., 2.],\n       [3., 4.]], dtype=float32)"
    )
    assert.throws(() => Schema.decodeUnknownSync(Input)({ x: [[1, 2], [3]] }), /Ragged nested array/)
  })
})
