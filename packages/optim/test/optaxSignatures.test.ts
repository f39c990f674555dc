/**
 * What optax's signatures take beyond JS numbers: hyperparameters as tensors (traced ones too,
 * for meta-learning under `grad` and `jit`) and negative learning rates, the moment dtypes
 * (`mu_dtype`, `accumulator_dtype`), lion's sign variants, `scale_by_learning_rate(None)`, and
 * adagrad on complex parameters (optax's alias_test runs it on complex64). Expected values are
 * optax's formulas worked out by hand in float64 (float32 roundings where optax rounds).
 */
import { Close } from "@diffect/test-utils"
import { assert, describe, it } from "@effect/vitest"
import { grad, jit, lax, np, optim, runSync, type Tensor, toJsSync } from "diffect"

const f32 = (xs: number | ReadonlyArray<number>) => np.array(xs, { dtype: "float32" })
const f64 = (xs: number | ReadonlyArray<number>) => np.array(xs, { dtype: "float64" })
const read = (t: unknown) => toJsSync(t as Tensor) as Array<number>
const dtypeOf = (t: unknown) => (t as Tensor).dtype
const close = (actual: unknown, expected: ReadonlyArray<number> | number, tol = 1e-12) =>
  Close.assertClose(actual as ReadonlyArray<number>, expected, { rtol: tol, atol: 0, minScale: 1, equalNan: false })
const expect = { close }
type Any = never

describe("hyperparameters as tensors, and negative learning rates (optax's ArrayLike)", () => {
  it("a tensor learning rate, step size or decay is plain arithmetic", () => {
    const sgd = optim.sgd(f32(0.1))
    const [u] = sgd.update(f32([1]), sgd.init(f32([0])))
    assert.strictEqual(u.dtype, "float32")
    expect.close(read(u), [-0.1], 1e-7)
    // a float64 step size promotes float32 updates, as JAX's step_size * g
    const [s] = optim.scale(f64(2)).update(f32([1, 3]), {})
    assert.strictEqual(s.dtype, "float64")
    expect.close(read(s), [2, 6])
    // trace's decay, clipByGlobalNorm's bound, addDecayedWeights' decay
    const t = optim.trace({ decay: f64(0.5) })
    const [, t1] = t.update(f64([1]), t.init(f64([0])))
    expect.close(read(t.update(f64([1]), t1)[0]), [1.5])
    expect.close(read(optim.clipByGlobalNorm(f64(1)).update(f64([3, 4]), {})[0]), [0.6, 0.8])
    const w = optim.addDecayedWeights({ weightDecay: f64(0.1) })
    expect.close(read(w.update(f64([1, 1]), w.init(f64([10, 20])), f64([10, 20]))[0]), [2, 3])
  })

  it("a negative learning rate is gradient ascent (optax checks no sign)", () => {
    for (const lr of [-0.1, f64(-0.1)]) {
      const opt = optim.sgd(lr)
      expect.close(read(opt.update(f64([1, 2]), opt.init(f64([0, 0])))[0]), [0.1, 0.2])
    }
    expect.close(read(optim.scaleByLearningRate(-0.1).update(f64([1, 2]), {})[0]), [0.1, 0.2])
    // adam's first step is -lr * sign(g) (eps 0)
    const adam = optim.adam(-0.1, { eps: 0 })
    expect.close(read(adam.update(f64([0.5, -2]), adam.init(f64([0, 0])))[0]), [0.1, -0.1])
  })

  it("adam with tensor b1, b2, eps, epsRoot equals adam with the numbers", () => {
    const g = [f64([0.5, 1.5]), f64([-2, 0.25])]
    const steps = (opt: optim.GradientTransformation<any>) => {
      let state = opt.init(f64([0, 0]))
      return g.map((x) => {
        const [u, s] = opt.update(x, state)
        state = s
        return read(u)
      })
    }
    const numbers = steps(optim.adam(0.1, { b1: 0.8, b2: 0.95, eps: 1e-3, epsRoot: 1e-4 }))
    const tensors = steps(optim.adam(f64(0.1), { b1: f64(0.8), b2: f64(0.95), eps: f64(1e-3), epsRoot: f64(1e-4) }))
    expect.close(tensors.flat(), numbers.flat(), 1e-15)
    // every other optimizer's hyperparameters likewise (the numbers' results are checked against
    // optax's formulas in optim.test.ts)
    const pairs: ReadonlyArray<[optim.GradientTransformation<any>, optim.GradientTransformation<any>]> = [
      [optim.adam(0.1, { b1: 0.8, nesterov: true }), optim.adam(0.1, { b1: f64(0.8), nesterov: true })],
      [
        optim.rmsprop(0.1, { decay: 0.8, eps: 1e-3, initialScale: 0.5, centered: true, momentum: 0.5 }),
        optim.rmsprop(f64(0.1), {
          decay: f64(0.8),
          eps: f64(1e-3),
          initialScale: f64(0.5),
          centered: true,
          momentum: f64(0.5)
        })
      ],
      [
        optim.rmsprop(0.1, { decay: 0.8, biasCorrection: true, epsInSqrt: false }),
        optim.rmsprop(0.1, { decay: f64(0.8), biasCorrection: true, epsInSqrt: false })
      ],
      [
        optim.adagrad(0.1, { initialAccumulatorValue: 0.5, eps: 1e-3 }),
        optim.adagrad(0.1, { initialAccumulatorValue: f64(0.5), eps: f64(1e-3) })
      ],
      [optim.sgd(0.1, { momentum: 0.5, nesterov: true }), optim.sgd(0.1, { momentum: f64(0.5), nesterov: true })],
      [optim.lion(0.1, { b1: 0.5, b2: 0.8 }), optim.lion(f64(0.1), { b1: f64(0.5), b2: f64(0.8) })],
      [optim.adamw(0.1, { weightDecay: 0.5 }), optim.adamw(0.1, { weightDecay: f64(0.5) })]
    ]
    for (const [a, b] of pairs) {
      const run = (opt: optim.GradientTransformation<any>) => {
        const p = f64([1, -2])
        let state = opt.init(p)
        return g.flatMap((x) => {
          const [u, s] = opt.update(x, state, p)
          state = s
          return read(u)
        })
      }
      expect.close(run(b), run(a), 1e-15)
    }
    // and the values by hand (eps 0): step 2 is -lr (b1 g1 + g2) / (1 + b1) / sqrt((b2 g1^2 + g2^2) / (1 + b2))
    const byHand = steps(optim.adam(f64(0.1), { b1: f64(0.8), b2: f64(0.95), eps: 0 }))[1]!
    expect.close(byHand, [0.0602989746996635, -0.07584054799735244])
  })

  it("meta-gradients: grad (and jit of grad) with respect to a traced learning rate and b1", () => {
    // d/dlr sum(w - lr g) = -sum(g)
    const sgdLoss = (lr: Tensor) => {
      const opt = optim.sgd(lr)
      const w = f64([1, 2])
      const [u] = opt.update(f64([1, 3]), opt.init(w), w)
      return np.sum(optim.applyUpdates(w, u))
    }
    expect.close(read(runSync(grad(sgdLoss)(f64(0.1)))), -4)
    expect.close(read(runSync(jit((lr: Tensor) => grad(sgdLoss)(lr))(f64(0.1)))), -4)
    // adam's second update, eps 0: mu_hat = (b1 g1 + g2) / (1 + b1), so
    // d u2 / d b1 = -lr (g1 - g2) / (1 + b1)^2 / sqrt(nu_hat), nu_hat = (b2 g1^2 + g2^2) / (1 + b2)
    const adamLoss = (b1: Tensor) => {
      const opt = optim.adam(0.1, { b1, b2: 0.95, eps: 0 })
      const [, s1] = opt.update(f64([0.5, 1.5]), opt.init(f64([0, 0])))
      return np.sum(opt.update(f64([-2, 0.25]), s1)[0])
    }
    const expected = -0.05234285998234677 + -0.03632210153129906
    expect.close(read(runSync(grad(adamLoss)(f64(0.8)))), expected)
    expect.close(read(runSync(jit((b1: Tensor) => grad(adamLoss)(b1))(f64(0.8)))), expected)
  })

  it("JS numbers keep their checks; anything else is a typed error", () => {
    assert.throws(() => optim.adam("0.1" as Any), /scaleByLearningRate: `learningRate` must be a number or a tensor/)
    assert.throws(() => optim.adam(0.1, { b1: 1.5 }), /b1.*\[0, 1\]/)
    assert.throws(() => optim.adam(0.1, { b2: [0.9] as Any }), /scaleByAdam: `b2` must be a number or a tensor/)
    assert.throws(() => optim.sgd(Number.NaN), /finite number/)
  })
})

describe("moment dtypes: muDtype and accumulatorDtype", () => {
  it("adam's muDtype keeps mu in that dtype, nu in the params'; updates in the promoted dtype", () => {
    const opt = optim.adam(0.1, { muDtype: "float64" })
    let state = opt.init(f32([0]))
    assert.strictEqual(dtypeOf(state[0].mu), "float64")
    let u: Tensor = f32([0])
    for (const g of [0.1, -0.3]) [u, state] = opt.update(f32([g]), state)
    assert.strictEqual(dtypeOf(state[0].mu), "float64")
    assert.strictEqual(dtypeOf(state[0].nu), "float32")
    assert.strictEqual(u.dtype, "float64")
    // mu = (1 - b1) g in float32 (a weak scalar times float32) + b1 mu in float64, with
    // g = float32(0.1), float32(-0.3): float32(float32(0.1) g2) + 0.9 float32(float32(0.1) g1)
    expect.close(read(state[0].mu), [-0.021000000555068253], 1e-15)
    // a float32 mu for float64 params is cast back after each update
    const w = optim.adamw(0.1, { muDtype: "float32" })
    const [, ws] = w.update(f64([0.1]), w.init(f64([1])), f64([1]))
    assert.strictEqual(dtypeOf(ws[0].mu), "float32")
    expect.close(read(ws[0].mu), [0.01], 1e-7)
    assert.strictEqual(dtypeOf(optim.scaleByAdam({ muDtype: "complex64" }).init(f32([1])).mu), "complex64")
  })

  it("sgd's and trace's accumulatorDtype keeps the trace in that dtype", () => {
    const opt = optim.sgd(0.1, { momentum: 0.9, accumulatorDtype: "float64" })
    let state = opt.init(f32([0]))
    let u: Tensor = f32([0])
    for (const g of [0.1, -0.3]) [u, state] = opt.update(f32([g]), state)
    // t2 = g2 + 0.9 g1 in float64, update -0.1 t2
    assert.strictEqual(dtypeOf((state[0] as optim.TraceState).trace), "float64")
    assert.strictEqual(u.dtype, "float64")
    expect.close(read((state[0] as optim.TraceState).trace), [-0.21000001057982443], 1e-15)
    expect.close(read(u), [0.021000001057982443], 1e-15)
    const t = optim.trace({ decay: 0.9, accumulatorDtype: "float32" })
    const [, ts] = t.update(f64([0.1]), t.init(f64([0])))
    assert.strictEqual(dtypeOf(ts.trace), "float32")
  })

  it("lion's muDtype; a dtype that is not float or complex is a typed error", () => {
    const opt = optim.lion(0.1, { muDtype: "float64", weightDecay: 0 })
    const [u, s] = opt.update(f32([2]), opt.init(f32([1])), f32([1]))
    assert.strictEqual(dtypeOf(s[0].mu), "float64")
    // float32(float32(1 - b2) g) widened to float64
    expect.close(read(s[0].mu), [0.019999999552965164], 1e-15)
    expect.close(read(u), [-0.1], 1e-7)
    assert.throws(() => optim.adam(0.1, { muDtype: "int32" }), /scaleByAdam: `muDtype` must be a floating or complex/)
    assert.throws(
      () => optim.sgd(0.1, { momentum: 0.9, accumulatorDtype: "f64" as Any }),
      /trace: `accumulatorDtype` must be a floating or complex dtype/
    )
  })
})

describe("lion's sign variants (optax's scale_by_lion mode and smooth_beta)", () => {
  it("smooth: tanh(smoothBeta x); refined: x below 1 in magnitude, else sign(x)", () => {
    const g = f64([3, -20])
    const smooth = optim.scaleByLion({ mode: "smooth", smoothBeta: 2 })
    // x = (1 - b1) g = 0.1 g at the first step
    expect.close(read(smooth.update(g, smooth.init(f64([0, 0])))[0]), [0.5370495669980354, -0.999329299739067])
    const refined = optim.scaleByLion({ mode: "refined" })
    expect.close(read(refined.update(g, refined.init(f64([0, 0])))[0]), [0.30000000000000004, -1])
    const hard = optim.scaleByLion({ mode: "hard" })
    expect.close(read(hard.update(g, hard.init(f64([0, 0])))[0]), [1, -1])
    assert.throws(() => optim.scaleByLion({ mode: "soft" as Any }), /scaleByLion: `mode` must be "hard", "smooth"/)
    // optax's lion forwards only b1, b2 and mu_dtype
    assert.throws(() => optim.lion(0.1, { mode: "smooth" } as Any), /lion: .*unknown key "mode"/)
  })
})

describe("scaleByLearningRate(undefined) is optax's scale_by_learning_rate(None): no scaling", () => {
  it("leaves the updates as they are, with an empty state", () => {
    const t = optim.scaleByLearningRate(undefined)
    assert.deepStrictEqual(t.init(f64([1])), {})
    expect.close(read(t.update(f64([1, 2]), {})[0]), [1, 2])
    // an optimizer's learning rate cannot be left out: adam() would scale nothing
    assert.throws(() => optim.adam(undefined as Any), /adam: `learningRate` must be a number, a tensor or a schedule/)
  })
})

describe("adagrad on complex parameters (optax's alias_test runs it on complex64)", () => {
  it("updates -lr g / sqrt(0.1 + sum |g|^2 + eps); the accumulator stays complex", () => {
    for (const [dtype, tol] of [["float32", 1e-7], ["float64", 1e-15]] as const) {
      const c = (re: ReadonlyArray<number>, im: ReadonlyArray<number>) =>
        lax.complex(np.array(re, { dtype }), np.array(im, { dtype }))
      const opt = optim.adagrad(0.1)
      const p = c([1, 2], [0, 1])
      const g = c([3, 0], [4, 1])
      const [u1, s1] = opt.update(g, opt.init(p), p)
      assert.strictEqual((s1[0].sumOfSquares as Tensor).dtype, g.dtype)
      const parts = (t: Tensor) => [np.real(t), np.imag(t)].flatMap(read)
      expect.close(parts(u1), [-0.05988035868490135, 0, -0.07984047824653513, -0.09534625459063867], tol)
      const [u2] = opt.update(g, s1, p)
      expect.close(parts(u2), [-0.04238404395575179, 0, -0.05651205860766905, -0.06900655429122225], tol)
    }
    // a zero accumulator (initial value 0, zero gradient) scales by 0, not NaN
    const z = optim.scaleByRss({ initialAccumulatorValue: 0, eps: 0 })
    const g = lax.complex(f64([0, 3]), f64([0, 4]))
    const [u] = z.update(g, z.init(g))
    expect.close([np.real(u), np.imag(u)].flatMap(read), [0, 0.6, 0, 0.8], 1e-15)
  })
})
