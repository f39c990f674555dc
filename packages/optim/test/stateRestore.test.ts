/**
 * Optimizer states restored or reused for other parameters: a state that
 * `init` made for another model (another checkpoint, a changed layer) fails
 * with an `OptimizerArgumentError` naming the state's path and both shapes,
 * instead of broadcasting a moment silently or failing with a bare broadcast
 * error; a state saved and loaded continues training exactly.
 */
import { assert, describe, it } from "@effect/vitest"
import { Checkpoint, np, optim, runSync, toJsSync } from "diffect"
import type { Tensor } from "diffect"

const thrown = (f: () => unknown): { _tag: string; message: string } => {
  try {
    f()
  } catch (e) {
    return e as { _tag: string; message: string }
  }
  throw new Error("expected a throw")
}

const params = { w: np.array([1, -2, 3]), b: np.array([0.5, 0]) }
const grads = { w: np.array([0.25, 1, -1]), b: np.array([2, -0.5]) }

describe("a state made for other parameters", () => {
  it("a moment of another shape names its path and both shapes (adam, sgd with momentum, rmsprop, adagrad, lion)", () => {
    const other = { w: np.ones([4]), b: np.zeros([2]) }
    const cases = [
      [optim.adam(0.1), `scaleByAdam.update: \`state.mu["w"]\``],
      [optim.sgd(0.1, { momentum: 0.9 }), `trace.update: \`state.trace["w"]\``],
      [optim.rmsprop(0.1), `scaleByRms.update: \`state.nu["w"]\``],
      [optim.adagrad(0.1), `scaleByRss.update: \`state.sumOfSquares["w"]\``],
      [optim.lion(0.1), `scaleByLion.update: \`state.mu["w"]\``]
    ] as const
    for (const [opt, prefix] of cases) {
      const e = thrown(() => opt.update(grads, opt.init(other) as never, params))
      assert.strictEqual(e._tag, "OptimizerArgumentError", prefix)
      assert.strictEqual(
        e.message,
        `${prefix} must be a tensor of shape (3,) (the shape of updates["w"]), got shape (4,); was the state made by init for other parameters?`
      )
    }
  })

  it("a moment that would broadcast ([1] against [2]) is refused: it silently changed the state's shape", () => {
    const opt = optim.adam(0.1)
    const e = thrown(() => opt.update(grads, opt.init({ w: np.ones([3]), b: np.ones([1]) }), params))
    assert.strictEqual(e._tag, "OptimizerArgumentError")
    assert.include(
      e.message,
      `\`state.mu["b"]\` must be a tensor of shape (2,) (the shape of updates["b"]), got shape (1,)`
    )
  })

  it("a moment tree of another structure, or a step count that is not a scalar", () => {
    const opt = optim.adam(0.1)
    const fewer = thrown(() => opt.update(grads, opt.init({ w: params.w }), params))
    assert.strictEqual(fewer._tag, "OptimizerArgumentError")
    assert.include(fewer.message, "scaleByAdam.update: `state.mu` must have the structure of updates (")
    assert.include(fewer.message, `expected a record with keys ["b","w"], got a record with keys ["w"]`)
    const [s0] = opt.init(params)
    const count = thrown(() => opt.update(grads, [{ ...s0, count: np.zeros([2], { dtype: "int32" }) }, {}], params))
    assert.strictEqual(
      count.message,
      "scaleByAdam.update: `state.count` must be the step count, a scalar tensor, got shape (2,)"
    )
    const leaf = thrown(() => opt.update(grads, [{ ...s0, nu: { w: np.zeros([3]), b: 0 } }, {}], params))
    assert.include(
      leaf.message,
      "`state.nu[\"b\"]` must be a tensor of shape (2,) (the shape of updates[\"b\"]), got the number 0"
    )
  })

  it("applyUpdates refuses updates of another shape (params of shape (1,) became (3,) silently)", () => {
    const e = thrown(() => optim.applyUpdates({ w: np.array([1]) }, { w: np.array([1, 2, 3]) }))
    assert.strictEqual(e._tag, "OptimizerArgumentError")
    assert.strictEqual(
      e.message,
      "applyUpdates: `updates[\"w\"]` must be a tensor of shape (1,) (the shape of params[\"w\"]), got shape (3,)"
    )
    assert.deepStrictEqual(toJsSync(optim.applyUpdates({ w: np.array([1]) }, { w: np.array([0.5]) })), { w: [1.5] })
  })
})

describe("a state saved and loaded continues training exactly", () => {
  it("adam: two steps, a checkpoint round trip, a third step equal to three steps in a row", () => {
    const opt = optim.adam(0.1)
    const step = (p: typeof params, s: ReturnType<typeof opt.init>, k: number) => {
      const g = { w: np.multiply(grads.w, k), b: np.multiply(grads.b, k) }
      const [u, next] = opt.update(g, s, p)
      return [optim.applyUpdates(p, u), next] as const
    }
    let p = params
    let s = opt.init(params)
    for (let k = 1; k <= 3; k++) [p, s] = step(p, s, k)
    const straight = toJsSync({ p, s })

    let q = params
    let t = opt.init(params)
    for (let k = 1; k <= 2; k++) [q, t] = step(q, t, k)
    const bytes = runSync(Checkpoint.encode({ params: q, state: t }))
    const loaded = runSync(Checkpoint.decode(bytes, { params, state: opt.init(params) }))
    const [q3, t3] = step(loaded.params as typeof params, loaded.state, 3)
    assert.deepStrictEqual(toJsSync({ p: q3, s: t3 }), straight)
    assert.strictEqual(toJsSync((t3[0] as { count: Tensor }).count), 3)
  })
})
