/**
 * What the API hands back is hostile-input safe too: the fuzz (fuzz.test.ts) calls each
 * namespace's functions, not the functions and objects they return. Here each of those (an
 * optimizer's `init` and `update`, a schedule, an initializer, the functions `vjp` and
 * `linearize` return, an interpolator) is called with every value of a hostile list, and each
 * call must end as a value or a diffect tagged error, never a plain exception. Their first runs
 * found TypeErrors in all the optimizers' `update` (state of the wrong kind), `Schedule.join`, the
 * fan-based initializers (a shape that is not one) and the samplers' dtype message (a symbol).
 */
import { assert, describe, it } from "@effect/vitest"
import * as diffect from "diffect"
import { Effect } from "effect"
import { asTagged } from "./hostile.js"

const { interpolate, nn, np, optim, random } = diffect

const forged = Object.create(diffect.Tensor.prototype) as unknown

const hostile: ReadonlyArray<unknown> = [
  undefined,
  null,
  0,
  -1,
  NaN,
  "x",
  [],
  {},
  [2, 3],
  [2.5],
  np.array([1, 2]),
  np.array([[1, 2]]),
  np.array([1, 2], { dtype: "int32" }),
  np.array([true]),
  { w: np.array([1, 2]) },
  [np.array([1, 2])],
  forged,
  () => 1,
  Symbol("s"),
  10n
]

const describeValue = (v: unknown): string => {
  try {
    return typeof v === "symbol" ? "a symbol" : String(v).slice(0, 40)
  } catch {
    return typeof v
  }
}

/** Runs `f` (and the Effect it returns): "value", "tagged", or a plain exception's description. */
const outcome = (f: () => unknown): string => {
  try {
    const out = f()
    if (Effect.isEffect(out)) diffect.runSync(out as Effect.Effect<unknown, unknown, diffect.Backend>)
    return "value"
  } catch (e) {
    return asTagged(e) === undefined ? `${(e as Error)?.name}: ${(e as Error)?.message}` : "tagged"
  }
}

/** Counts of the calls that gave a value and that gave a tagged error. */
interface Counts {
  values: number
  errors: number
}

/**
 * Calls `f` with each combination of `arity` hostile values (the third from a dtype-like list);
 * fails on the first plain exception; adds the outcomes to `counts`.
 */
const sweep = (counts: Counts, label: string, arity: 1 | 2 | 3, f: (...xs: Array<unknown>) => unknown): void => {
  const combos: Array<Array<unknown>> = arity === 1
    ? hostile.map((a) => [a])
    : arity === 2
    ? hostile.flatMap((a) => hostile.map((b) => [a, b]))
    : hostile.flatMap((a) => hostile.flatMap((b) => [undefined, "float32", 3].map((c) => [a, b, c])))
  for (const xs of combos) {
    const found = outcome(() => f(...xs))
    if (found === "value") counts.values++
    else if (found === "tagged") counts.errors++
    else assert.fail(`${label}(${xs.map(describeValue).join(", ")}): ${found}`)
  }
}

describe("what the API returns, called with hostile values", () => {
  const params = { w: np.array([1, 2]) }

  it("each optimizer's init and update (update with hostile updates, state and params)", () => {
    const counts = { values: 0, errors: 0 }
    const optimizers: ReadonlyArray<readonly [string, diffect.optim.GradientTransformation<unknown>]> = [
      ["sgd", optim.sgd(0.1, { momentum: 0.9 })],
      ["adam", optim.adam(0.1)],
      ["adamw", optim.adamw(0.1)],
      ["adagrad", optim.adagrad(0.1)],
      ["rmsprop", optim.rmsprop(0.1)],
      ["lion", optim.lion(0.1)],
      ["scaleByStddev", optim.scaleByStddev()],
      ["scaleByRss", optim.scaleByRss()],
      ["clipByGlobalNorm", optim.clipByGlobalNorm(1)],
      ["scaleBySchedule", optim.scaleBySchedule(optim.Schedule.constant(0.5))],
      ["addDecayedWeights", optim.addDecayedWeights({ weightDecay: optim.Schedule.constant(0.1) })]
    ] as never
    for (const [name, t] of optimizers) {
      sweep(counts, `${name}.init`, 1, (p) => t.init(p))
      const state = t.init(params)
      sweep(counts, `${name}.update`, 2, (g, s) => t.update(g, s as never, params))
      sweep(counts, `${name}.update (its state)`, 2, (g, p) => t.update(g, state, p))
    }
    // most calls end as typed errors, and the valid ones among them still give values
    assert.isAbove(counts.values, 500)
    assert.isAbove(counts.errors, 5000)
  })

  it("schedules, and Schedule.join's arguments", () => {
    const counts = { values: 0, errors: 0 }
    const S = optim.Schedule
    const schedules = [
      S.constant(1),
      S.linear({ initValue: 1, endValue: 0, transitionSteps: 10 }),
      S.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5 }),
      S.cosineDecay({ initValue: 1, decaySteps: 10 }),
      S.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 5, decaySteps: 10 }),
      S.piecewiseConstant(1, { 5: 0.5 }),
      S.join([S.constant(1), S.constant(2)], [5])
    ]
    schedules.forEach((s, i) => sweep(counts, `schedule ${i}`, 1, (count) => s(count as never)))
    sweep(counts, "Schedule.join", 2, (a, b) => S.join(a as never, b as never))
    // most calls end as typed errors, and the valid ones among them still give values
    assert.isAbove(counts.values, 40)
    assert.isAbove(counts.errors, 300)
  })

  it("initializers (key, shape, dtype)", () => {
    const counts = { values: 0, errors: 0 }
    const init = nn.initializers
    const made = [
      init.glorotNormal(),
      init.heUniform(),
      init.lecunNormal(),
      init.orthogonal(),
      init.normal(),
      init.uniform(),
      init.truncatedNormal(),
      init.zeros,
      init.constant(2)
    ]
    made.forEach((f, i) => sweep(counts, `initializer ${i}`, 3, (k, s, d) => f(k as never, s as never, d as never)))
    const key = random.key(0)
    made.forEach((f, i) => sweep(counts, `initializer ${i} (a key)`, 2, (s, d) => f(key, s as never, d as never)))
    // most calls end as typed errors, and the valid ones among them still give values
    assert.isAbove(counts.values, 150)
    assert.isAbove(counts.errors, 10000)
  })

  it("the functions vjp and linearize return, and an interpolator", () => {
    const counts = { values: 0, errors: 0 }
    const x = np.array([0.5, 1.5])
    const [, pullback] = diffect.runSync(diffect.vjp((y: diffect.Tensor) => np.sin(y), [x]))
    sweep(counts, "vjp's pullback", 1, (ct) => pullback(ct as never))
    const [, pushforward] = diffect.runSync(diffect.linearize((y: diffect.Tensor) => np.sin(y), [x]))
    sweep(counts, "linearize's function", 1, (t) => pushforward(t as never))
    const f = interpolate.RegularGridInterpolator(
      [np.array([0, 1, 2]), np.array([0, 1])],
      np.array([[1, 2], [3, 4], [5, 6]])
    )
    sweep(counts, "RegularGridInterpolator's function", 2, (xi, method) => f(xi as never, method as never))
    // most calls end as typed errors, and the valid ones among them still give values
    assert.isAbove(counts.values, 5)
    assert.isAbove(counts.errors, 300)
  })
})
