/**
 * The building blocks optimizers are chained from (optax's `transform.py` and
 * `clipping.py`): moment estimates (`scaleByAdam`, `scaleByRms`, ...), momentum
 * (`trace`), scaling by a learning rate or schedule, weight decay and clipping.
 * Each follows optax's update formula; states are records of tensors whose
 * step `count` is an int32 scalar.
 *
 * @since 0.1.0
 */
import { DType, np, type Tensor, Tree } from "@diffect/core"
import { MissingParamsError, OptimizerArgumentError } from "./Errors.js"
import { type EmptyState, globalNorm, type GradientTransformation, identity } from "./GradientTransformation.js"
import { absSq, leavesLike, mapTensors, tensorLeaves } from "./internal/trees.js"
import {
  finite,
  hyper,
  momentDType,
  nonNegative,
  optionKeys,
  scheduleArg,
  stateRecord,
  unit
} from "./internal/validate.js"
import type { ScalarOrSchedule, Schedule } from "./Schedule.js"

// int32 constants: a JS number is a weak float in diffect, and int32 + float promotes to float.
const INT32_MAX = np.array(2147483647, { dtype: "int32" })
const ONE = np.array(1, { dtype: "int32" })

/** A fresh step count: int32 zero. */
const zeroCount = (): Tensor => np.zeros([], { dtype: "int32" })

// count + 1, saturating at the int32 maximum (optax's safe_increment).
const increment = (count: Tensor): Tensor => np.where(np.less(count, INT32_MAX), np.add(count, ONE), count)

// A hyperparameter: a number or a tensor (optax's `jax.typing.ArrayLike`), applied as plain arithmetic.
type Hyper = number | Tensor

// Each check of a number, or any tensor as it is.
const finiteH = hyper(finite)
const nonNegativeH = hyper(nonNegative)
const unitH = hyper(unit)

// 1 - x, in JS arithmetic for a number (as before: a weak scalar).
const oneMinus = (x: Hyper): Hyper => (typeof x === "number" ? 1 - x : np.subtract(1, x))

// `1 - decay ** count` in the moment's float dtype (float64 moments keep float64 precision; a
// float64 tensor decay is cast to float32 moments, as optax's bias_correction casts).
const biasCorrect = (moment: Tensor, decay: Hyper, count: Tensor): Tensor => {
  const d = DType.realDType(moment.dtype)
  return np.divide(moment, np.astype(np.subtract(1, np.power(decay, np.astype(count, d))), d))
}

// optax's update_moment: (1 - decay) * g + decay * m.
const moment = (g: Tensor, m: Tensor, decay: Hyper): Tensor =>
  np.add(np.multiply(oneMinus(decay), g), np.multiply(decay, m))

const zerosLike = (params: unknown, fn: string, dtype?: DType.DType): unknown => fullLike(params, 0, fn, dtype)

const fullLike = (params: unknown, value: Hyper, fn: string, dtype?: DType.DType): unknown => {
  const [leaves, def] = tensorLeaves(fn, "params", params)
  return Tree.unflatten(def, leaves.map((p) => np.fullLike(p, value, dtype === undefined ? undefined : { dtype })))
}

// A state's moment kept in `dtype` when one is given (optax's tree.cast with mu_dtype or accumulator_dtype).
const castTo = (xs: ReadonlyArray<Tensor>, dtype: DType.DType | undefined): ReadonlyArray<Tensor> =>
  dtype === undefined ? xs : xs.map((x) => np.astype(x, dtype))

/**
 * Multiplies updates by a constant (optax's `scale`).
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.scale(-2).update(np.array([1, 3]), {})[0])) // [-2, -6]
 * // a tensor (a traced one too) as optax's ArrayLike step size
 * console.log(toJsSync(optim.scale(np.array(0.5)).update(np.array([1, 3]), {})[0])) // [0.5, 1.5]
 *
 * @since 0.1.0
 */
export const scale = (stepSize: number | Tensor): GradientTransformation<EmptyState> => {
  finiteH("scale", "stepSize", stepSize)
  return {
    init: () => ({}),
    update: (updates, state) => [mapTensors("scale", [updates], (g) => np.multiply(g, stepSize)), state]
  }
}

/**
 * The state of `scaleBySchedule` (and of `addDecayedWeights` with a schedule).
 *
 * @since 0.1.0
 */
export interface CountState {
  readonly count: Tensor
}

// The schedule's value for each leaf, computed once per float dtype with the count in that dtype.
const scheduleValues = (schedule: Schedule, count: Tensor, leaves: ReadonlyArray<Tensor>): Array<Tensor> => {
  const byDType = new Map<DType.DType, Tensor>()
  return leaves.map((g) => {
    const d = DType.isInexact(g.dtype) ? DType.realDType(g.dtype) : "float32"
    let v = byDType.get(d)
    if (v === undefined) {
      v = np.astype(schedule(np.astype(count, d)), g.dtype)
      byDType.set(d, v)
    }
    return np.astype(v, g.dtype)
  })
}

/**
 * Multiplies updates by `schedule(count)` and counts the step (optax's
 * `scale_by_schedule`). The schedule sees the count in the updates' float
 * dtype, so float64 updates get a float64 step size.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.scaleBySchedule((count) => np.add(count, 1))
 * const s0 = t.init(np.zeros(1))
 * const [u0, s1] = t.update(np.array([10]), s0)
 * const [u1] = t.update(np.array([10]), s1)
 * console.log(toJsSync([u0, u1])) // [[10], [20]]
 *
 * @since 0.1.0
 */
export const scaleBySchedule = (schedule: Schedule): GradientTransformation<CountState> => {
  scheduleArg("scaleBySchedule", "schedule", schedule)
  return {
    init: () => ({ count: zeroCount() }),
    update: (updates, given) => {
      const state = stateRecord<CountState>("scaleBySchedule", given, ["count"])
      const [leaves, def] = tensorLeaves("scaleBySchedule", "updates", updates)
      const values = scheduleValues(schedule, state.count, leaves)
      const out = leaves.map((g, i) => np.multiply(values[i]!, g))
      return [Tree.unflatten(def, out), { count: increment(state.count) }]
    }
  }
}

/**
 * Options of `scaleByLearningRate`.
 *
 * @since 0.1.0
 */
export interface ScaleByLearningRateOptions {
  /** Multiply by `-learningRate` (descent; the default) rather than `learningRate`. */
  readonly flipSign?: boolean | undefined
}

/**
 * Scales updates by `-learningRate` (or a schedule's value), turning a
 * direction into a descent step (optax's `scale_by_learning_rate`). The rate
 * may be a tensor (a traced one too: differentiate through it) and negative
 * (gradient ascent), as in optax; `undefined` (optax's `None`) scales nothing.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.scaleByLearningRate(0.1).update(np.array([1, 2]), {})[0])) // [-0.1, -0.2]
 * console.log(toJsSync(optim.scaleByLearningRate(np.array(-0.5)).update(np.array([1, 2]), {})[0])) // [0.5, 1]
 * console.log(toJsSync(optim.scaleByLearningRate(undefined).update(np.array([1, 2]), {})[0])) // [1, 2]
 *
 * @since 0.1.0
 */
export const scaleByLearningRate: {
  (learningRate: number | Tensor | undefined, options?: ScaleByLearningRateOptions): GradientTransformation<
    EmptyState
  >
  (learningRate: Schedule, options?: ScaleByLearningRateOptions): GradientTransformation<CountState>
  (learningRate: ScalarOrSchedule | undefined, options?: ScaleByLearningRateOptions): GradientTransformation<
    EmptyState | CountState
  >
} = ((learningRate: ScalarOrSchedule | undefined, options?: ScaleByLearningRateOptions): GradientTransformation<
  any
> => {
  optionKeys("scaleByLearningRate", options, ["flipSign"])
  if (learningRate === undefined) return identity()
  const sign = options?.flipSign === false ? 1 : -1
  if (typeof learningRate === "function") {
    return scaleBySchedule((count) => np.multiply(sign, learningRate(count)))
  }
  const rate = finiteH("scaleByLearningRate", "learningRate", learningRate)
  return scale(typeof rate === "number" ? sign * rate : np.multiply(sign, rate))
}) as any

/**
 * Options of `scaleByAdam`.
 *
 * @since 0.1.0
 */
export interface ScaleByAdamOptions {
  /** Decay of the first moment (default 0.9). */
  readonly b1?: number | Tensor | undefined
  /** Decay of the second moment (default 0.999). */
  readonly b2?: number | Tensor | undefined
  /** Added to the root of the second moment (default 1e-8). */
  readonly eps?: number | Tensor | undefined
  /** Added to the second moment inside the root (default 0). */
  readonly epsRoot?: number | Tensor | undefined
  /** The first moment's dtype (default: the params'); the updates are computed in the promoted dtype. */
  readonly muDtype?: DType.DType | undefined
  /** Nesterov momentum (NAdam; default false). */
  readonly nesterov?: boolean | undefined
}

/**
 * The state of `scaleByAdam`: the step count and both moments (trees like the params).
 *
 * @since 0.1.0
 */
export interface AdamState {
  readonly count: Tensor
  readonly mu: unknown
  readonly nu: unknown
}

/**
 * Adam's rescaling (optax's `scale_by_adam`): `mu = b1 mu + (1 - b1) g`,
 * `nu = b2 nu + (1 - b2) g^2`, updates `mu_hat / (sqrt(nu_hat + epsRoot) + eps)`
 * with the bias-corrected `mu_hat = mu / (1 - b1^t)`, `nu_hat = nu / (1 - b2^t)`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.scaleByAdam()
 * const [u] = t.update(np.array([0.5, -2]), t.init(np.zeros(2)))
 * // sign(g), up to eps and float32 rounding
 * console.log(toJsSync(u)) // [0.9999933, -0.9999933]
 * // a float64 first moment for float32 params (optax's mu_dtype): float64 updates
 * const t64 = optim.scaleByAdam({ muDtype: "float64" })
 * console.log(t64.update(np.array([0.5]), t64.init(np.zeros(1)))[0].dtype) // float64
 *
 * @since 0.1.0
 */
export const scaleByAdam = (options?: ScaleByAdamOptions): GradientTransformation<AdamState> => {
  const fn = "scaleByAdam"
  optionKeys(fn, options, ["b1", "b2", "eps", "epsRoot", "muDtype", "nesterov"])
  const b1 = unitH(fn, "b1", options?.b1 ?? 0.9)
  const b2 = unitH(fn, "b2", options?.b2 ?? 0.999)
  const eps = nonNegativeH(fn, "eps", options?.eps ?? 1e-8)
  const epsRoot = nonNegativeH(fn, "epsRoot", options?.epsRoot ?? 0)
  const muDtype = momentDType(fn, "muDtype", options?.muDtype)
  const nesterov = options?.nesterov === true
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLike(params, fn, muDtype), nu: zerosLike(params, fn) }),
    update: (updates, given) => {
      const state = stateRecord<AdamState>(fn, given, ["count", "mu", "nu"])
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const mu0 = leavesLike(`${fn}.update`, "state.mu", def, state.mu, g)
      const nu0 = leavesLike(`${fn}.update`, "state.nu", def, state.nu, g)
      const count = increment(state.count)
      const mu = g.map((x, i) => moment(x, mu0[i]!, b1))
      const nu = g.map((x, i) => moment(absSq(x), nu0[i]!, b2))
      const out = g.map((x, i) => {
        const muHat = nesterov
          ? np.add(
            np.multiply(b1, biasCorrect(mu[i]!, b1, increment(count))),
            np.multiply(oneMinus(b1), biasCorrect(x, b1, count))
          )
          : biasCorrect(mu[i]!, b1, count)
        const nuHat = biasCorrect(nu[i]!, b2, count)
        return np.divide(muHat, np.add(np.sqrt(np.add(nuHat, epsRoot)), eps))
      })
      // the state keeps its dtypes: mu in muDtype, nu in the state's (a float64 tensor b2 would promote it)
      const nuKept = nu.map((v, i) => np.astype(v, nu0[i]!.dtype))
      return [
        Tree.unflatten(def, out),
        { count, mu: Tree.unflatten(def, castTo(mu, muDtype)), nu: Tree.unflatten(def, nuKept) }
      ]
    }
  }
}

/**
 * Options of `scaleByRms`.
 *
 * @since 0.1.0
 */
export interface ScaleByRmsOptions {
  /** Decay of the squared-gradient average (default 0.9). */
  readonly decay?: number | Tensor | undefined
  /** Added to the average (default 1e-8). */
  readonly eps?: number | Tensor | undefined
  /** The average's initial value (default 0). */
  readonly initialScale?: number | Tensor | undefined
  /** `g / sqrt(nu + eps)` (default) rather than `g / (sqrt(nu) + eps)`. */
  readonly epsInSqrt?: boolean | undefined
  /** Divide the average by `1 - decay^t` (default false). */
  readonly biasCorrection?: boolean | undefined
}

/**
 * The state of `scaleByRms`; `count` counts steps (used with `biasCorrection`).
 *
 * @since 0.1.0
 */
export interface RmsState {
  readonly count: Tensor
  readonly nu: unknown
}

const rmsOptions = (fn: string, options: ScaleByRmsOptions | undefined) => ({
  decay: unitH(fn, "decay", options?.decay ?? 0.9),
  eps: nonNegativeH(fn, "eps", options?.eps ?? 1e-8),
  initialScale: finiteH(fn, "initialScale", options?.initialScale ?? 0),
  epsInSqrt: options?.epsInSqrt !== false,
  biasCorrection: options?.biasCorrection === true
})

// 1 / sqrt(v + eps) or 1 / (sqrt(v) + eps).
const inverseRoot = (v: Tensor, eps: Hyper, epsInSqrt: boolean): Tensor =>
  epsInSqrt ? np.reciprocal(np.sqrt(np.add(v, eps))) : np.reciprocal(np.add(np.sqrt(v), eps))

/**
 * RMSProp's rescaling (optax's `scale_by_rms`): `nu = decay nu + (1 - decay) g^2`,
 * updates `g / sqrt(nu + eps)`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.scaleByRms({ eps: 0 })
 * // that is 2 / sqrt(0.4)
 * console.log(toJsSync(t.update(np.array([2]), t.init(np.zeros(1)))[0])) // [3.1622777]
 *
 * @since 0.1.0
 */
export const scaleByRms = (options?: ScaleByRmsOptions): GradientTransformation<RmsState> => {
  const fn = "scaleByRms"
  optionKeys(fn, options, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"])
  const o = rmsOptions(fn, options)
  return {
    init: (params) => ({ count: zeroCount(), nu: fullLike(params, o.initialScale, fn) }),
    update: (updates, given) => {
      const state = stateRecord<RmsState>(fn, given, ["count", "nu"])
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const nu0 = leavesLike(`${fn}.update`, "state.nu", def, state.nu, g)
      const count = increment(state.count)
      const nu = g.map((x, i) => moment(absSq(x), nu0[i]!, o.decay))
      const out = g.map((x, i) => {
        const nuHat = o.biasCorrection ? biasCorrect(nu[i]!, o.decay, count) : nu[i]!
        return np.multiply(inverseRoot(nuHat, o.eps, o.epsInSqrt), x)
      })
      return [Tree.unflatten(def, out), { count, nu: Tree.unflatten(def, nu) }]
    }
  }
}

/**
 * The state of `scaleByStddev`.
 *
 * @since 0.1.0
 */
export interface StddevState {
  readonly count: Tensor
  readonly mu: unknown
  readonly nu: unknown
}

/**
 * Centered RMSProp's rescaling (optax's `scale_by_stddev`): also tracks the
 * mean gradient `mu` and divides by `sqrt(nu - mu^2 + eps)`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.scaleByStddev({ eps: 0 })
 * // that is 2 / sqrt(0.4 - 0.04)
 * console.log(toJsSync(t.update(np.array([2]), t.init(np.zeros(1)))[0])) // [3.3333333]
 *
 * @since 0.1.0
 */
export const scaleByStddev = (options?: ScaleByRmsOptions): GradientTransformation<StddevState> => {
  const fn = "scaleByStddev"
  optionKeys(fn, options, ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"])
  const o = rmsOptions(fn, options)
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLike(params, fn), nu: fullLike(params, o.initialScale, fn) }),
    update: (updates, given) => {
      const state = stateRecord<StddevState>(fn, given, ["count", "mu", "nu"])
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const mu0 = leavesLike(`${fn}.update`, "state.mu", def, state.mu, g)
      const nu0 = leavesLike(`${fn}.update`, "state.nu", def, state.nu, g)
      const count = increment(state.count)
      const mu = g.map((x, i) => moment(x, mu0[i]!, o.decay))
      const nu = g.map((x, i) => moment(absSq(x), nu0[i]!, o.decay))
      const out = g.map((x, i) => {
        const muHat = o.biasCorrection ? biasCorrect(mu[i]!, o.decay, count) : mu[i]!
        const nuHat = o.biasCorrection ? biasCorrect(nu[i]!, o.decay, count) : nu[i]!
        return np.multiply(inverseRoot(np.subtract(nuHat, absSq(muHat)), o.eps, o.epsInSqrt), x)
      })
      return [Tree.unflatten(def, out), { count, mu: Tree.unflatten(def, mu), nu: Tree.unflatten(def, nu) }]
    }
  }
}

/**
 * Options of `scaleByRss`.
 *
 * @since 0.1.0
 */
export interface ScaleByRssOptions {
  /** The sum of squares' initial value (default 0.1). */
  readonly initialAccumulatorValue?: number | Tensor | undefined
  /** Added inside the root (default 1e-7). */
  readonly eps?: number | Tensor | undefined
}

/**
 * The state of `scaleByRss`.
 *
 * @since 0.1.0
 */
export interface RssState {
  readonly sumOfSquares: unknown
}

// s > 0; for complex params (s is complex, of zero imaginary part) JAX's order: the real parts, then
// the imaginary ones (np.greater takes no complex operands).
const positive = (s: Tensor): Tensor => {
  if (!DType.isComplex(s.dtype)) return np.greater(s, 0)
  const re = np.real(s)
  return np.logicalOr(np.greater(re, 0), np.logicalAnd(np.equal(re, 0), np.greater(np.imag(s), 0)))
}

/**
 * Adagrad's rescaling (optax's `scale_by_rss`): `s = s + g^2`, updates
 * `g / sqrt(s + eps)` (0 where `s` is 0).
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.scaleByRss({ initialAccumulatorValue: 0, eps: 0 })
 * console.log(toJsSync(t.update(np.array([3, 0]), t.init(np.zeros(2)))[0])) // [1, 0]
 *
 * @since 0.1.0
 */
export const scaleByRss = (options?: ScaleByRssOptions): GradientTransformation<RssState> => {
  const fn = "scaleByRss"
  optionKeys(fn, options, ["initialAccumulatorValue", "eps"])
  const initial = nonNegativeH(fn, "initialAccumulatorValue", options?.initialAccumulatorValue ?? 0.1)
  const eps = nonNegativeH(fn, "eps", options?.eps ?? 1e-7)
  return {
    init: (params) => ({ sumOfSquares: fullLike(params, initial, fn) }),
    update: (updates, given) => {
      const state = stateRecord<RssState>(fn, given, ["sumOfSquares"])
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const s0 = leavesLike(`${fn}.update`, "state.sumOfSquares", def, state.sumOfSquares, g)
      const s = g.map((x, i) => np.add(absSq(x), s0[i]!))
      const out = g.map((x, i) =>
        np.multiply(np.where(positive(s[i]!), np.reciprocal(np.sqrt(np.add(s[i]!, eps))), 0), x)
      )
      return [Tree.unflatten(def, out), { sumOfSquares: Tree.unflatten(def, s) }]
    }
  }
}

/**
 * Options of `scaleByLion`.
 *
 * @since 0.1.0
 */
export interface ScaleByLionOptions {
  /** The interpolation of gradient and momentum inside the sign (default 0.9). */
  readonly b1?: number | Tensor | undefined
  /** The momentum's decay (default 0.99). */
  readonly b2?: number | Tensor | undefined
  /** The momentum's dtype (default: the params'); the updates are computed in the promoted dtype. */
  readonly muDtype?: DType.DType | undefined
  /**
   * The sign's variant of `x = (1 - b1) g + b1 mu`: `"hard"` `sign(x)` (the default), `"smooth"`
   * `tanh(smoothBeta * x)`, `"refined"` `x` where `|x| < 1` and `sign(x)` elsewhere.
   */
  readonly mode?: "hard" | "smooth" | "refined" | undefined
  /** The slope of `"smooth"`'s tanh (default 1). */
  readonly smoothBeta?: number | undefined
}

/**
 * The state of `scaleByLion`.
 *
 * @since 0.1.0
 */
export interface LionState {
  readonly count: Tensor
  readonly mu: unknown
}

/**
 * Lion's rescaling (optax's `scale_by_lion`): updates `sign((1 - b1) g + b1 mu)`
 * (or its smooth or refined variant, `mode`), then `mu = b2 mu + (1 - b2) g`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.scaleByLion()
 * console.log(toJsSync(t.update(np.array([0.3, -2, 0]), t.init(np.zeros(3)))[0])) // [1, -1, 0]
 * // "refined": linear below 1 in magnitude (0.1 * 3 and 0.1 * -20 here)
 * const r = optim.scaleByLion({ mode: "refined" })
 * console.log(toJsSync(r.update(np.array([3, -20]), r.init(np.zeros(2)))[0])) // [0.3, -1]
 *
 * @since 0.1.0
 */
export const scaleByLion = (options?: ScaleByLionOptions): GradientTransformation<LionState> => {
  const fn = "scaleByLion"
  optionKeys(fn, options, ["b1", "b2", "muDtype", "mode", "smoothBeta"])
  const b1 = unitH(fn, "b1", options?.b1 ?? 0.9)
  const b2 = unitH(fn, "b2", options?.b2 ?? 0.99)
  const muDtype = momentDType(fn, "muDtype", options?.muDtype)
  const mode = options?.mode ?? "hard"
  if (mode !== "hard" && mode !== "smooth" && mode !== "refined") {
    throw new OptimizerArgumentError({
      function: fn,
      argument: "mode",
      detail: `must be "hard", "smooth" or "refined", got ${JSON.stringify(mode)}`
    })
  }
  const smoothBeta = finite(fn, "smoothBeta", options?.smoothBeta ?? 1)
  const comb = (x: Tensor): Tensor =>
    mode === "hard"
      ? np.sign(x)
      : mode === "smooth"
      ? np.tanh(np.multiply(smoothBeta, x))
      : np.where(np.less(np.abs(x), 1), x, np.sign(x))
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLike(params, fn, muDtype) }),
    update: (updates, given) => {
      const state = stateRecord<LionState>(fn, given, ["count", "mu"])
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const mu0 = leavesLike(`${fn}.update`, "state.mu", def, state.mu, g)
      const out = g.map((x, i) => comb(np.add(np.multiply(oneMinus(b1), x), np.multiply(b1, mu0[i]!))))
      const mu = castTo(g.map((x, i) => moment(x, mu0[i]!, b2)), muDtype)
      return [Tree.unflatten(def, out), { count: increment(state.count), mu: Tree.unflatten(def, mu) }]
    }
  }
}

/**
 * Options of `trace`.
 *
 * @since 0.1.0
 */
export interface TraceOptions {
  /** The momentum's decay. */
  readonly decay: number | Tensor
  /** Nesterov momentum: `g + decay * (g + decay * t)` (default false). */
  readonly nesterov?: boolean | undefined
  /** The trace's dtype (default: the params'); the updates are computed in the promoted dtype. */
  readonly accumulatorDtype?: DType.DType | undefined
}

/**
 * The state of `trace`.
 *
 * @since 0.1.0
 */
export interface TraceState {
  readonly trace: unknown
}

/**
 * Momentum (optax's `trace`): `t = g + decay * t`; updates `t`, or
 * `g + decay * t` with Nesterov.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.trace({ decay: 0.5 })
 * const [u0, s1] = t.update(np.array([1]), t.init(np.zeros(1)))
 * console.log(toJsSync([u0, t.update(np.array([1]), s1)[0]])) // [[1], [1.5]]
 *
 * @since 0.1.0
 */
export const trace = (options: TraceOptions): GradientTransformation<TraceState> => {
  const fn = "trace"
  optionKeys(fn, options ?? null, ["decay", "nesterov", "accumulatorDtype"])
  if (typeof options !== "object" || options === null) {
    throw new OptimizerArgumentError({
      function: fn,
      argument: "options",
      detail: `must be an object ({ decay, nesterov, accumulatorDtype }), got ${
        options === null ? "null" : typeof options
      }`
    })
  }
  const decay = finiteH(fn, "decay", options.decay)
  const nesterov = options.nesterov === true
  const dtype = momentDType(fn, "accumulatorDtype", options.accumulatorDtype)
  return {
    init: (params) => ({ trace: zerosLike(params, fn, dtype) }),
    update: (updates, given) => {
      const state = stateRecord<TraceState>(fn, given, ["trace"])
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const t0 = leavesLike(`${fn}.update`, "state.trace", def, state.trace, g)
      const t = g.map((x, i) => np.add(x, np.multiply(decay, t0[i]!)))
      const out = nesterov ? g.map((x, i) => np.add(x, np.multiply(decay, t[i]!))) : t
      return [Tree.unflatten(def, out), { trace: Tree.unflatten(def, castTo(t, dtype)) }]
    }
  }
}

/**
 * Options of `addDecayedWeights`.
 *
 * @since 0.1.0
 */
export interface AddDecayedWeightsOptions {
  /** The weight decay, a number, a tensor or a schedule (default 0). */
  readonly weightDecay?: ScalarOrSchedule | undefined
  /**
   * Which params decay: a tree of booleans shaped like the params (or a prefix of
   * them: a boolean covers its whole subtree), or a function of the updates
   * returning one, as optax's `masked` calls it (default: all).
   */
  readonly mask?: unknown
}

/**
 * Adds `weightDecay * params` to the updates (optax's `add_decayed_weights`,
 * decoupled weight decay); needs `params` in `update`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const t = optim.addDecayedWeights({ weightDecay: 0.1 })
 * const p = np.array([10, 20])
 * console.log(toJsSync(t.update(np.array([1, 1]), t.init(p), p)[0])) // [2, 3]
 *
 * @since 0.1.0
 */
export const addDecayedWeights = (
  options?: AddDecayedWeightsOptions
): GradientTransformation<EmptyState | CountState> => {
  const fn = "addDecayedWeights"
  optionKeys(fn, options, ["weightDecay", "mask"])
  const weightDecay = options?.weightDecay ?? 0
  if (typeof weightDecay !== "function") finiteH(fn, "weightDecay", weightDecay)
  const mask = options?.mask
  return {
    init: () => (typeof weightDecay === "function" ? { count: zeroCount() } : {}),
    update: (updates, state, params) => {
      if (params === undefined) throw new MissingParamsError({ transformation: fn })
      // a schedule counts the steps
      const counted = typeof weightDecay === "function" ? stateRecord<CountState>(fn, state, ["count"]) : undefined
      const next = counted !== undefined ? { count: increment(counted.count) } : state
      if (weightDecay === 0) return [updates, next]
      const [g, def] = tensorLeaves(fn, "updates", updates)
      const p = leavesLike(`${fn}.update`, "params", def, params, g)
      const decays = typeof weightDecay === "function"
        ? scheduleValues(weightDecay, counted!.count, g)
        : g.map(() => weightDecay)
      const masked = maskLeaves(fn, mask, updates)
      const out = g.map((x, i) => masked[i] === false ? x : np.add(x, np.multiply(decays[i]!, p[i]!)))
      return [Tree.unflatten(def, out), next]
    }
  }
}

// One mask boolean per leaf of `updates`. As optax's `masked` (tree.map over the mask first), the
// mask may be a prefix of the updates' tree, a boolean covering a whole subtree, and a mask
// function is called with the updates.
const maskLeaves = (fn: string, mask: unknown, updates: unknown): ReadonlyArray<unknown> => {
  if (mask === undefined) return []
  const tree = typeof mask === "function" ? (mask as (u: unknown) => unknown)(updates) : mask
  const leaves = Tree.broadcastPrefix(tree, updates)
  const bad = leaves.findIndex((m) => typeof m !== "boolean")
  if (bad >= 0) {
    throw new OptimizerArgumentError({
      function: fn,
      argument: "mask",
      detail: "must be a tree of booleans shaped like the params (or a prefix of them)"
    })
  }
  return leaves
}

/**
 * Rescales all updates together so their global norm is at most `maxNorm`
 * (optax's `clip_by_global_norm`): `g * maxNorm / ||g||` when `||g|| >= maxNorm`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.clipByGlobalNorm(1).update({ a: np.array([3]), b: np.array([4]) }, {})[0])) // { a: [0.6], b: [0.8] }
 *
 * @since 0.1.0
 */
export const clipByGlobalNorm = (maxNorm: number | Tensor): GradientTransformation<EmptyState> => {
  const fn = "clipByGlobalNorm"
  nonNegativeH(fn, "maxNorm", maxNorm)
  return {
    init: () => ({}),
    update: (updates, state) => {
      const norm = globalNorm(updates)
      const keep = np.less(norm, maxNorm)
      return [
        mapTensors(
          fn,
          [updates],
          (g) => np.where(keep, g, np.multiply(np.divide(g, np.astype(norm, g.dtype)), maxNorm))
        ),
        state
      ]
    }
  }
}
