import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { type Backend, eager, grad, isDiffError, jit, np, optim, runSync, type Tensor, toJsSync } from "diffect"
import { Effect } from "effect"

// Every expectation below is computed step by step from optax's update formulas
// (optax/_src/transform.py, alias.py) in plain float64 JS arithmetic: the `ref*`
// functions are those formulas written out for one scalar coordinate.

const f64 = (xs: ReadonlyArray<number> | ReadonlyArray<ReadonlyArray<number>>) => np.array(xs, { dtype: "float64" })
const read = (t: unknown) => toJsSync(t as Tensor) as Array<number>

// Within tol relative to max(1, |expected|); NaN is never close.
const close = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, tol = 1e-12) =>
  Close.assertClose(actual, expected, { rtol: tol, atol: 0, minScale: 1, equalNan: false })

// Named `expect` so that the linter's expect-expect rule sees the assertion.
const expect = { close }

// Runs `steps` updates of `opt` from params `p0` with gradients `grad(params)`; returns the params after each step.
const run = (
  opt: optim.GradientTransformation<any>,
  p0: ReadonlyArray<number>,
  grad: (p: ReadonlyArray<number>) => ReadonlyArray<number>,
  steps: number
): Array<Array<number>> => {
  let params = f64(p0)
  let state = opt.init(params)
  const out: Array<Array<number>> = []
  for (let t = 0; t < steps; t++) {
    const g = f64(grad(read(params)))
    const [u, s] = opt.update(g, state, params)
    params = optim.applyUpdates(params, u)
    state = s
    out.push(read(params))
  }
  return out
}

// Scalar reference: the same loop, one coordinate at a time.
const refRun = (
  step: (g: number, p: number, t: number, s: Record<string, number>) => number,
  p0: ReadonlyArray<number>,
  grad: (p: ReadonlyArray<number>) => ReadonlyArray<number>,
  steps: number
): Array<Array<number>> => {
  let params = [...p0]
  const states = p0.map(() => ({} as Record<string, number>))
  const out: Array<Array<number>> = []
  for (let t = 1; t <= steps; t++) {
    const g = grad(params)
    params = params.map((p, i) => p + step(g[i]!, p, t, states[i]!))
    out.push(params)
  }
  return out
}

// A quadratic bowl with different curvatures: gradients change every step.
const bowl = (p: ReadonlyArray<number>) => p.map((x, i) => (i + 1) * x - 0.5)
const p0 = [1.5, -2, 0.25]

describe("optimizers against optax's formulas (float64, 5 steps)", () => {
  it("sgd: p -= lr g", () => {
    expect.close(run(optim.sgd(0.1), p0, bowl, 5).flat(), refRun((g) => -0.1 * g, p0, bowl, 5).flat())
  })

  it("sgd with momentum: t = g + m t; update -lr t", () => {
    const ref = refRun(
      (g, _p, _t, s) => {
        s.tr = g + 0.9 * (s.tr ?? 0)
        return -0.1 * s.tr
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.sgd(0.1, { momentum: 0.9 }), p0, bowl, 5).flat(), ref.flat())
  })

  it("sgd with Nesterov momentum: update -lr (g + m t)", () => {
    const ref = refRun(
      (g, _p, _t, s) => {
        s.tr = g + 0.9 * (s.tr ?? 0)
        return -0.1 * (g + 0.9 * s.tr)
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.sgd(0.1, { momentum: 0.9, nesterov: true }), p0, bowl, 5).flat(), ref.flat())
  })

  it("the first sgd momentum steps by hand: -0.1, then -0.1 * (1 + 0.9)", () => {
    const opt = optim.sgd(0.1, { momentum: 0.9 })
    const [u0, s1] = opt.update(f64([1]), opt.init(f64([0])))
    const [u1] = opt.update(f64([1]), s1)
    expect.close(read(u0), [-0.1])
    expect.close(read(u1), [-0.19])
  })

  const adamRef =
    (lr: number, b1: number, b2: number, eps: number, wd = 0) =>
    (g: number, p: number, t: number, s: Record<string, number>) => {
      s.mu = b1 * (s.mu ?? 0) + (1 - b1) * g
      s.nu = b2 * (s.nu ?? 0) + (1 - b2) * g * g
      const muHat = s.mu / (1 - b1 ** t)
      const nuHat = s.nu / (1 - b2 ** t)
      return -lr * (muHat / (Math.sqrt(nuHat) + eps) + wd * p)
    }

  it("adam: bias-corrected moments", () => {
    expect.close(run(optim.adam(0.05), p0, bowl, 5).flat(), refRun(adamRef(0.05, 0.9, 0.999, 1e-8), p0, bowl, 5).flat())
  })

  it("adam's first step is -lr * sign(g) (up to eps), by hand", () => {
    const opt = optim.adam(0.01, { eps: 0 })
    const [u] = opt.update(f64([3, -0.5]), opt.init(f64([0, 0])))
    expect.close(read(u), [-0.01, 0.01])
  })

  it("adam with other b1, b2, eps", () => {
    const opt = optim.adam(0.2, { b1: 0.5, b2: 0.9, eps: 1e-3 })
    expect.close(run(opt, p0, bowl, 5).flat(), refRun(adamRef(0.2, 0.5, 0.9, 1e-3), p0, bowl, 5).flat())
  })

  it("nadam (adam with nesterov): mu_hat = b1 * bc(mu, t + 1) + (1 - b1) * bc(g, t)", () => {
    const ref = refRun(
      (g, _p, t, s) => {
        s.mu = 0.9 * (s.mu ?? 0) + 0.1 * g
        s.nu = 0.999 * (s.nu ?? 0) + 0.001 * g * g
        const muHat = 0.9 * s.mu / (1 - 0.9 ** (t + 1)) + 0.1 * g / (1 - 0.9 ** t)
        return -0.05 * muHat / (Math.sqrt(s.nu / (1 - 0.999 ** t)) + 1e-8)
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.adam(0.05, { nesterov: true }), p0, bowl, 5).flat(), ref.flat())
  })

  it("adamw: adam plus decoupled weight decay, both scaled by -lr", () => {
    const opt = optim.adamw(0.05, { weightDecay: 0.1 })
    expect.close(run(opt, p0, bowl, 5).flat(), refRun(adamRef(0.05, 0.9, 0.999, 1e-8, 0.1), p0, bowl, 5).flat())
  })

  it("adamw's default weight decay is 1e-4", () => {
    expect.close(
      run(optim.adamw(0.05), p0, bowl, 3).flat(),
      refRun(adamRef(0.05, 0.9, 0.999, 1e-8, 1e-4), p0, bowl, 3).flat()
    )
  })

  it("adamw with a mask decays only the masked-in params", () => {
    const opt = optim.adamw(0.1, { weightDecay: 0.5, mask: { w: true, b: false } })
    const params = { w: f64([2]), b: f64([2]) }
    const [u] = opt.update({ w: f64([1]), b: f64([1]) }, opt.init(params), params)
    // w: -0.1 * (1 + 0.5 * 2); b: -0.1 * 1 (eps 1e-8 makes adam's step 1 - 1e-8)
    expect.close(read(u.w), [-0.2], 1e-8)
    expect.close(read(u.b), [-0.1], 1e-8)
  })

  it("rmsprop: nu = d nu + (1 - d) g^2; update -lr g / sqrt(nu + eps)", () => {
    const ref = refRun(
      (g, _p, _t, s) => {
        s.nu = 0.9 * (s.nu ?? 0) + 0.1 * g * g
        return -0.01 * g / Math.sqrt(s.nu + 1e-8)
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.rmsprop(0.01), p0, bowl, 5).flat(), ref.flat())
  })

  it("centered rmsprop with momentum: divide by sqrt(nu - mu^2 + eps), then trace", () => {
    const ref = refRun(
      (g, _p, _t, s) => {
        s.mu = 0.8 * (s.mu ?? 0) + 0.2 * g
        s.nu = 0.8 * (s.nu ?? 0) + 0.2 * g * g
        const u = -0.01 * g / Math.sqrt(s.nu - s.mu * s.mu + 1e-6)
        s.tr = u + 0.5 * (s.tr ?? 0)
        return s.tr
      },
      p0,
      bowl,
      5
    )
    const opt = optim.rmsprop(0.01, { decay: 0.8, eps: 1e-6, centered: true, momentum: 0.5 })
    expect.close(run(opt, p0, bowl, 5).flat(), ref.flat(), 1e-10)
  })

  it("adagrad: s += g^2; update -lr g / sqrt(s + eps), s starting at 0.1", () => {
    const ref = refRun(
      (g, _p, _t, s) => {
        s.ss = (s.ss ?? 0.1) + g * g
        return -0.5 * g / Math.sqrt(s.ss + 1e-7)
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.adagrad(0.5), p0, bowl, 5).flat(), ref.flat())
  })

  it("lion: update -lr (sign((1 - b1) g + b1 mu) + wd p); mu = b2 mu + (1 - b2) g", () => {
    const ref = refRun(
      (g, p, _t, s) => {
        const c = 0.1 * g + 0.9 * (s.mu ?? 0)
        s.mu = 0.99 * (s.mu ?? 0) + 0.01 * g
        return -0.03 * (Math.sign(c) + 1e-3 * p)
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.lion(0.03), p0, bowl, 5).flat(), ref.flat())
  })

  it("counts steps in an int32 scalar", () => {
    const opt = optim.adam(0.1)
    let state = opt.init(f64([0]))
    for (let i = 0; i < 3; i++) state = opt.update(f64([1]), state)[1]
    assert.strictEqual(state[0].count.dtype, "int32")
    assert.strictEqual(toJsSync(state[0].count), 3)
  })
})

describe("chain, clipping, weight decay", () => {
  it("clipByGlobalNorm rescales the whole tree to the max norm", () => {
    const t = optim.clipByGlobalNorm(1)
    const [u] = t.update({ a: f64([3]), b: f64([[4]]) }, t.init({}))
    expect.close(read(u.a), [0.6])
    expect.close((toJsSync(u.b) as Array<Array<number>>)[0]!, [0.8])
  })

  it("clipByGlobalNorm leaves a tree under the max norm unchanged", () => {
    const [u] = optim.clipByGlobalNorm(10).update({ a: f64([3]), b: f64([4]) }, {})
    expect.close([...read(u.a), ...read(u.b)], [3, 4])
  })

  it("chain feeds each transformation's updates to the next, states in order", () => {
    const opt = optim.chain(optim.clipByGlobalNorm(1), optim.trace({ decay: 0.5 }), optim.scaleByLearningRate(2))
    const s0 = opt.init(f64([0, 0]))
    const [u0, s1] = opt.update(f64([3, 4]), s0)
    const [u1, s2] = opt.update(f64([0.3, 0.4]), s1)
    expect.close(read(u0), [-1.2, -1.6]) // -2 * (0.6, 0.8)
    expect.close(read(u1), [-1.2, -1.6]) // trace: (0.3, 0.4) + 0.5 * (0.6, 0.8); times -2
    expect.close(read(s2[1].trace), [0.6, 0.8])
  })

  it("a mask may be a prefix of the params: a boolean covers its subtree (optax's masked maps over the mask)", () => {
    // optax: mask_pytree = tree.map(lambda m, p: p if m else MaskedNode(), mask_tree, pytree)
    const params = { w: { k: f64([1, 2]), b: f64([3]) }, c: f64([4]) }
    const g = { w: { k: f64([0, 0]), b: f64([0]) }, c: f64([0]) }
    const t = optim.addDecayedWeights({ weightDecay: 0.5, mask: { w: true, c: false } })
    const [u] = t.update(g, t.init(params), params)
    expect.close([...read(u.w.k), ...read(u.w.b), ...read(u.c)], [0.5, 1, 1.5, 0])
    // adamw's mask goes the same way: only w's subtree decays (with b1 = b2 = eps = 0 adam gives sign(g) = 1)
    const opt = optim.adamw(1, { weightDecay: 0.5, mask: { w: true, c: false }, b1: 0, b2: 0, eps: 0 })
    const ones = { w: { k: f64([1, 1]), b: f64([1]) }, c: f64([1]) }
    const [v] = opt.update(ones, opt.init(params), params)
    expect.close([...read(v.w.k), ...read(v.w.b), ...read(v.c)], [-1.5, -2, -2.5, -1])
  })

  it("a mask function is called with the updates, as optax's masked calls mask(updates)", () => {
    const seen: Array<unknown> = []
    const t = optim.addDecayedWeights({
      weightDecay: 1,
      mask: (u: { a: Tensor; b: Tensor }) => {
        seen.push(u)
        return { a: true, b: false }
      }
    })
    const p = { a: f64([1]), b: f64([2]) }
    const g = { a: f64([10]), b: f64([20]) }
    const [u] = t.update(g, t.init(p), p)
    assert.strictEqual(seen[0], g)
    expect.close([...read(u.a), ...read(u.b)], [11, 20])
  })

  it("addDecayedWeights without params fails with MissingParamsError", () => {
    const t = optim.addDecayedWeights({ weightDecay: 0.1 })
    assert.throws(() => t.update(f64([1]), t.init(f64([1]))), /requires the current value of parameters/)
  })

  it("thrown inside a transformation, jit or eager, an optim error is a typed failure, not a defect", () => {
    const t = optim.addDecayedWeights({ weightDecay: 0.1 })
    const step = (w: Tensor) => np.sum(t.update(w, t.init(w))[0])
    const tag = (effect: Effect.Effect<unknown, { readonly _tag: string }, Backend>) =>
      runSync(Effect.flip(effect).pipe(Effect.map((e) => e._tag)))
    assert.strictEqual(tag(grad(step)(f64([1, 2]))), "MissingParamsError")
    assert.strictEqual(tag(jit(step)(f64([1, 2]))), "MissingParamsError")
    assert.strictEqual(tag(eager(() => optim.sgd(Number.NaN))), "OptimizerArgumentError")
    assert.isTrue(isDiffError(new optim.OptimizerArgumentError({ function: "f", argument: "a", detail: "d" })))
  })

  it("applyUpdates keeps each parameter's dtype", () => {
    const p = optim.applyUpdates({ a: np.array([1], { dtype: "float32" }) }, { a: f64([0.5]) })
    assert.strictEqual(p.a.dtype, "float32")
    expect.close(read(p.a), [1.5])
  })

  it("a leaf that is not a tensor is a typed error naming its path", () => {
    const opt = optim.sgd(0.1)
    try {
      opt.update({ w: [f64([1]), 3] }, opt.init({ w: [f64([1]), f64([1])] }))
      assert.fail("expected an error")
    } catch (e) {
      assert.strictEqual((e as { _tag: string })._tag, "OptimizerArgumentError")
      assert.include(String((e as Error).message), `updates["w"][1]`)
    }
  })

  it("update with no state, or another transformation's, is a typed error naming the state it needs", () => {
    type Any = never
    const p = { w: f64([1, 2]) }
    const tagOf = (f: () => unknown): string => {
      try {
        f()
        return "no error"
      } catch (e) {
        return (e as { _tag?: string })._tag ?? `plain ${String(e)}`
      }
    }
    // each was a TypeError reading a field of undefined
    for (
      const [name, t] of [
        ["adam", optim.adam(0.1)],
        ["adagrad", optim.adagrad(0.1)],
        ["rmsprop", optim.rmsprop(0.1)],
        ["lion", optim.lion(0.1)],
        ["scaleByAdam", optim.scaleByAdam()],
        ["scaleByStddev", optim.scaleByStddev()],
        ["trace", optim.trace({ decay: 0.9 })]
      ] as const
    ) {
      for (const state of [undefined, null, {}, 5, [1]]) {
        assert.strictEqual(tagOf(() => t.update(p, state as Any)), "OptimizerArgumentError", `${name} with ${state}`)
      }
    }
    assert.throws(
      () => optim.scaleByAdam().update(p, optim.trace({ decay: 0.9 }).init(p) as Any),
      /scaleByAdam.update: `state` must be the state scaleByAdam's init returned \(\{ count, mu, nu \}\), got an object with keys \["trace"\]/
    )
    assert.throws(
      () => optim.adam(0.1).update(p, undefined as Any),
      /chain.update: `state` must be .*\(an array of 2 states/
    )
    // the state init made still works, and a schedule's count is checked where it is used
    const t = optim.addDecayedWeights({ weightDecay: () => np.array(0.5) })
    assert.strictEqual(tagOf(() => t.update(p, {} as Any, p)), "OptimizerArgumentError")
    expect.close(read(t.update(p, t.init(p), p)[0].w), [1.5, 3])
  })

  it("chain and scaleBySchedule check their arguments when made", () => {
    type Any = never
    assert.throws(
      () => optim.chain(optim.identity(), 0.1 as Any),
      /chain: `transformations\[1\]` must be a gradient transformation/
    )
    assert.throws(() => optim.scaleBySchedule(0.1 as Any), /scaleBySchedule: `schedule` must be a schedule/)
  })

  it("bad hyperparameters are typed errors", () => {
    assert.throws(() => optim.adam(Number.POSITIVE_INFINITY), /learningRate.*finite number/)
    assert.throws(() => optim.adam(0.1, { b1: 1.5 }), /b1.*\[0, 1\]/)
    assert.throws(() => optim.sgd(Number.NaN), /finite number/)
  })

  it("an option the optimizer does not take is a typed error, not silently the default", () => {
    type Any = never
    // `momentun` was ignored: plain SGD without momentum
    assert.throws(() => optim.sgd(0.1, { momentun: 0.9 } as Any), /sgd: `options` has the unknown key "momentun"/)
    assert.throws(() => optim.adam(0.1, { beta1: 0.9 } as Any), /adam: .*unknown key "beta1"; it takes b1, b2/)
    assert.throws(() => optim.adamw(0.1, { weight_decay: 0.1 } as Any), /adamw: .*"weight_decay"/)
    assert.throws(() => optim.rmsprop(0.1, { rho: 0.9 } as Any), /rmsprop: .*"rho"/)
    assert.throws(() => optim.adagrad(0.1, [0.1] as Any), /adagrad: `options` must be an options object/)
    assert.throws(() => optim.lion(0.1, { beta1: 0.9 } as Any), /lion: .*"beta1"/)
    // every key each one documents is taken
    optim.adamw(0.1, { b1: 0.9, b2: 0.99, eps: 1e-8, epsRoot: 0, nesterov: true, weightDecay: 0.1, mask: undefined })
    optim.rmsprop(0.1, {
      decay: 0.9,
      eps: 1e-8,
      initialScale: 0,
      epsInSqrt: true,
      biasCorrection: false,
      centered: true,
      momentum: 0.9,
      nesterov: true
    })
    optim.sgd(0.1, { momentum: 0.9, nesterov: true })
    // schedules: a misspelled key, and no options at all
    assert.throws(
      () => optim.Schedule.cosineDecay({ initValue: 1, decaySteps: 10, alph: 0.1 } as Any),
      /Schedule.cosineDecay: .*unknown key "alph"/
    )
    assert.throws(() => optim.Schedule.linear(undefined as Any), /Schedule.linear: `options` must be an options object/)
    // join: a missing list, and an entry that is not a schedule (TypeErrors when made or when called)
    const one = optim.Schedule.constant(1)
    assert.throws(
      () => optim.Schedule.join([one, one], undefined as Any),
      /Schedule.join: `boundaries` must be an array/
    )
    assert.throws(() => optim.Schedule.join(one as Any, [1]), /Schedule.join: `schedules` must be an array/)
    assert.throws(
      () => optim.Schedule.join([one, 0.5 as Any], [1]),
      /Schedule.join: `schedules\[1\]` must be a schedule \(a function of the step count\), got 0.5/
    )
    // the transformations themselves, which the optimizers hand only their own keys
    assert.throws(() => optim.scaleByAdam({ beta1: 0.9 } as Any), /scaleByAdam: .*"beta1"/)
    assert.throws(() => optim.trace({ decay: 0.9, nestrov: true } as Any), /trace: .*"nestrov"/)
    assert.throws(() => optim.addDecayedWeights({ weight_decay: 0.1 } as Any), /addDecayedWeights: .*"weight_decay"/)
    optim.lion(0.1, { b1: 0.9, b2: 0.99, weightDecay: 0.1, mask: undefined })
  })
})

describe("a schedule as the learning rate", () => {
  it("scales step t (from 0) by schedule(t)", () => {
    const schedule = optim.Schedule.exponentialDecay({ initValue: 0.1, transitionSteps: 1, decayRate: 0.5 })
    const ref = refRun((g, _p, t) => -0.1 * 0.5 ** (t - 1) * g, p0, bowl, 4)
    expect.close(run(optim.sgd(schedule), p0, bowl, 4).flat(), ref.flat())
  })

  it("adamw with a scheduled weight decay", () => {
    const wd = optim.Schedule.linear({ initValue: 0.1, endValue: 0, transitionSteps: 4 })
    const ref = refRun(
      (g, p, t, s) => {
        s.mu = 0.9 * (s.mu ?? 0) + 0.1 * g
        s.nu = 0.999 * (s.nu ?? 0) + 0.001 * g * g
        const adam = (s.mu / (1 - 0.9 ** t)) / (Math.sqrt(s.nu / (1 - 0.999 ** t)) + 1e-8)
        return -0.05 * (adam + 0.1 * (1 - (t - 1) / 4) * p)
      },
      p0,
      bowl,
      5
    )
    expect.close(run(optim.adamw(0.05, { weightDecay: wd }), p0, bowl, 5).flat(), ref.flat())
  })
})

describe("schedules (optax's values)", () => {
  const at = (s: optim.Schedule.Schedule, counts: ReadonlyArray<number>) =>
    counts.map((c) => toJsSync(s(f64([c]))) as Array<number>).flat()

  it("constant", () => expect.close(at(optim.Schedule.constant(0.3), [0, 7]), [0.3, 0.3]))

  it("exponentialDecay: init * rate^((t - begin) / steps), staircase, end value", () => {
    const s = optim.Schedule.exponentialDecay({ initValue: 2, transitionSteps: 4, decayRate: 0.5, transitionBegin: 2 })
    expect.close(at(s, [0, 2, 4, 6, 10]), [2, 2, 2 * 0.5 ** 0.5, 1, 0.5])
    const stairs = optim.Schedule.exponentialDecay({
      initValue: 2,
      transitionSteps: 4,
      decayRate: 0.5,
      staircase: true
    })
    expect.close(at(stairs, [3, 4, 7, 8]), [2, 1, 1, 0.5])
    const floor = optim.Schedule.exponentialDecay({ initValue: 2, transitionSteps: 1, decayRate: 0.5, endValue: 0.3 })
    expect.close(at(floor, [1, 2, 3]), [1, 0.5, 0.3])
  })

  it("cosineDecay: init * ((1 - alpha) * 0.5 * (1 + cos(pi t / T)) + alpha), held after T", () => {
    const s = optim.Schedule.cosineDecay({ initValue: 1, decaySteps: 8, alpha: 0.2 })
    const ref = (t: number) => 0.8 * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, 8) / 8)) + 0.2
    expect.close(at(s, [0, 2, 4, 8, 12]), [0, 2, 4, 8, 12].map(ref))
  })

  it("cosineDecay rounds as optax's pi * count / decaySteps in float32", () => {
    // optax: cosine_decay = 0.5 * (1 + cos(pi * count / decay_steps)); float32 NumPy:
    // 0.5 * (1 + cos(f32(pi) * 977 / 999)) = 0.0011961162 (pi / 999 * 977 first gives 0.001196146)
    const s = optim.Schedule.cosineDecay({ initValue: 1, decaySteps: 999 })
    const v = s(np.array(977, { dtype: "int32" }))
    assert.strictEqual(v.dtype, "float32")
    Close.assertClose(toJsSync(v) as number, 0.0011961162, { rtol: 2e-7, atol: 0, minScale: 0, equalNan: false })
  })

  it("warmupCosineDecay: linear to the peak, then cosine to the end value", () => {
    const s = optim.Schedule.warmupCosineDecay({
      initValue: 0.1,
      peakValue: 1,
      warmupSteps: 4,
      decaySteps: 12,
      endValue: 0.2
    })
    const cos = (t: number) => 0.8 * 0.5 * (1 + Math.cos(Math.PI * t / 8)) + 0.2
    expect.close(at(s, [0, 2, 4, 6, 12, 20]), [0.1, 0.55, 1, cos(2), 0.2, 0.2])
  })

  it("piecewiseConstant: scaled from each boundary on (count >= boundary)", () => {
    const s = optim.Schedule.piecewiseConstant(1, { 200: 0.1, 100: 0.5 })
    expect.close(at(s, [0, 99, 100, 199, 200, 1000]), [1, 1, 0.5, 0.5, 0.05, 0.05])
  })

  it("accept a number and an int32 count", () => {
    const s = optim.Schedule.linear({ initValue: 0, endValue: 1, transitionSteps: 4 })
    expect.close([toJsSync(s(1)) as number], [0.25], 1e-7)
    expect.close([toJsSync(s(np.array(3, { dtype: "int32" }))) as number], [0.75], 1e-7)
  })

  it("reject bad arguments with typed errors", () => {
    assert.throws(() => optim.Schedule.cosineDecay({ initValue: 1, decaySteps: 0 }), /decaySteps.*positive/)
    assert.throws(() => optim.Schedule.piecewiseConstant(1, { 10: -1 }), />= 0/)
    assert.throws(
      () => optim.Schedule.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 5 }),
      /must exceed warmupSteps/
    )
  })
})
