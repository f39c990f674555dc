/**
 * Schedules: functions from the step count to a value (a learning rate, a
 * weight decay), optax's `optax.schedules`. Each is a plain function of a count
 * tensor (or a number) built from `np`, so it traces like any array code.
 * Pass one where a learning rate is expected: `optim.adam(Schedule.cosineDecay(...))`.
 *
 * @since 0.1.0
 */
import { DType, np, type Tensor } from "@diffect/core"
import { OptimizerArgumentError } from "./Errors.js"
import { arrayArg, finite, integer, nonNegative, optionKeys, scheduleArg } from "./internal/validate.js"

/**
 * A schedule: the value at step `count` (0 for the first update).
 * Transformations call it with the count converted to the updates' float dtype.
 *
 * @since 0.1.0
 */
export type Schedule = (count: Tensor | number) => Tensor

/**
 * A constant or a schedule (optax's `ScalarOrSchedule`): a number, a tensor (a traced one too,
 * to differentiate through the learning rate) or a schedule.
 *
 * @since 0.1.0
 */
export type ScalarOrSchedule = number | Tensor | Schedule

// The count as a float tensor: integer counts become float32, float counts keep their dtype.
const asFloat = (count: Tensor | number): Tensor => {
  const t = np.asarray(count)
  return DType.isInexact(t.dtype) ? t : np.astype(t, "float32")
}

/**
 * The same value at every step (optax's `constant_schedule`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.Schedule.constant(0.5)(100))) // 0.5
 *
 * @since 0.1.0
 */
export const constant = (value: number): Schedule => {
  finite("Schedule.constant", "value", value)
  return (count) => np.fullLike(asFloat(count), value)
}

/**
 * Options of `Schedule.exponentialDecay`.
 *
 * @since 0.1.0
 */
export interface ExponentialDecayOptions {
  readonly initValue: number
  /** Steps per factor of `decayRate`; not positive: a constant schedule (as optax). */
  readonly transitionSteps: number
  /** The factor per `transitionSteps` steps; 0: a constant schedule (as optax). */
  readonly decayRate: number
  /** Steps before the decay starts (default 0; negative counts as 0). */
  readonly transitionBegin?: number | undefined
  /** Decay in whole steps of `transitionSteps` (default false). */
  readonly staircase?: boolean | undefined
  /** A floor (decay) or ceiling (growth) for the value. */
  readonly endValue?: number | undefined
}

/**
 * `initValue * decayRate ** ((count - transitionBegin) / transitionSteps)`,
 * `initValue` before `transitionBegin` (optax's `exponential_decay`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * const s = optim.Schedule.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5 })
 * console.log(toJsSync(s(20))) // 0.25
 *
 * @since 0.1.0
 */
export const exponentialDecay = (options: ExponentialDecayOptions): Schedule => {
  const fn = "Schedule.exponentialDecay"
  optionKeys(fn, options ?? null, [
    "initValue",
    "transitionSteps",
    "decayRate",
    "transitionBegin",
    "staircase",
    "endValue"
  ])
  const init = finite(fn, "initValue", options.initValue)
  const steps = finite(fn, "transitionSteps", options.transitionSteps)
  const rate = finite(fn, "decayRate", options.decayRate)
  const begin = Math.max(0, finite(fn, "transitionBegin", options.transitionBegin ?? 0))
  const end = options.endValue === undefined ? undefined : finite(fn, "endValue", options.endValue)
  if (steps <= 0 || rate === 0) return constant(init)
  return (count) => {
    const decreased = np.subtract(asFloat(count), begin)
    let p = np.divide(decreased, steps)
    if (options.staircase === true) p = np.floor(p)
    let value = np.where(np.lessEqual(decreased, 0), init, np.multiply(init, np.power(rate, p)))
    if (end !== undefined) value = rate < 1 ? np.maximum(value, end) : np.minimum(value, end)
    return value
  }
}

/**
 * Options of `Schedule.cosineDecay`.
 *
 * @since 0.1.0
 */
export interface CosineDecayOptions {
  readonly initValue: number
  /** Steps to decay over (positive); the value stays at `alpha * initValue` afterwards. */
  readonly decaySteps: number
  /** The final value as a fraction of `initValue` (default 0). */
  readonly alpha?: number | undefined
  /** The power of the cosine factor (default 1). */
  readonly exponent?: number | undefined
}

/**
 * `initValue * ((1 - alpha) * (0.5 * (1 + cos(pi * min(count, decaySteps) / decaySteps))) ** exponent + alpha)`
 * (optax's `cosine_decay_schedule`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * const s = optim.Schedule.cosineDecay({ initValue: 2, decaySteps: 10 })
 * // 1 up to float32 rounding
 * console.log(toJsSync(s(5))) // 0.99999994
 *
 * @since 0.1.0
 */
export const cosineDecay = (options: CosineDecayOptions): Schedule => {
  const fn = "Schedule.cosineDecay"
  optionKeys(fn, options ?? null, ["initValue", "decaySteps", "alpha", "exponent"])
  const init = finite(fn, "initValue", options.initValue)
  const steps = finite(fn, "decaySteps", options.decaySteps)
  if (steps <= 0) {
    throw new OptimizerArgumentError({ function: fn, argument: "decaySteps", detail: `must be positive, got ${steps}` })
  }
  const alpha = finite(fn, "alpha", options.alpha ?? 0)
  const exponent = finite(fn, "exponent", options.exponent ?? 1)
  return (count) => {
    const c = np.minimum(asFloat(count), steps)
    // optax's order, pi * count / decay_steps (pi / decay_steps * count rounds differently)
    const cosine = np.multiply(0.5, np.add(1, np.cos(np.divide(np.multiply(Math.PI, c), steps))))
    return np.multiply(init, np.add(np.multiply(1 - alpha, np.power(cosine, exponent)), alpha))
  }
}

/**
 * Options of `Schedule.linear`.
 *
 * @since 0.1.0
 */
export interface LinearOptions {
  readonly initValue: number
  readonly endValue: number
  /** Steps from `initValue` to `endValue`; not positive: a constant schedule (as optax). */
  readonly transitionSteps: number
  /** Steps before the transition starts (default 0). */
  readonly transitionBegin?: number | undefined
}

/**
 * From `initValue` to `endValue` in a straight line over `transitionSteps`
 * steps, constant before and after (optax's `linear_schedule`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * console.log(toJsSync(optim.Schedule.linear({ initValue: 0, endValue: 1, transitionSteps: 4 })(1))) // 0.25
 *
 * @since 0.1.0
 */
export const linear = (options: LinearOptions): Schedule => {
  const fn = "Schedule.linear"
  optionKeys(fn, options ?? null, ["initValue", "endValue", "transitionSteps", "transitionBegin"])
  const init = finite(fn, "initValue", options.initValue)
  const end = finite(fn, "endValue", options.endValue)
  const steps = finite(fn, "transitionSteps", options.transitionSteps)
  const begin = Math.max(0, finite(fn, "transitionBegin", options.transitionBegin ?? 0))
  if (steps <= 0) return constant(init)
  return (count) => {
    const c = np.clip(np.subtract(asFloat(count), begin), { min: 0, max: steps })
    return np.add(np.multiply(init - end, np.subtract(1, np.divide(c, steps))), end)
  }
}

/**
 * `schedules[0]` until `boundaries[0]`, then `schedules[1]` counted from that
 * boundary, and so on (optax's `join_schedules`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * const s = optim.Schedule.join([optim.Schedule.constant(1), optim.Schedule.constant(2)], [10])
 * console.log(toJsSync([s(9), s(10)])) // [1, 2]
 *
 * @since 0.1.0
 */
export const join = (schedules: ReadonlyArray<Schedule>, boundaries: ReadonlyArray<number>): Schedule => {
  arrayArg("Schedule.join", "schedules", schedules)
  arrayArg("Schedule.join", "boundaries", boundaries)
  schedules.forEach((s, i) => scheduleArg("Schedule.join", `schedules[${i}]`, s))
  if (schedules.length !== boundaries.length + 1) {
    throw new OptimizerArgumentError({
      function: "Schedule.join",
      argument: "boundaries",
      detail: `must have one entry fewer than schedules (${schedules.length}), got ${boundaries.length}`
    })
  }
  boundaries.forEach((b, i) => integer("Schedule.join", `boundaries[${i}]`, b))
  return (count) => {
    const step = asFloat(count)
    let out = schedules[0]!(step)
    for (let i = 0; i < boundaries.length; i++) {
      const b = boundaries[i]!
      out = np.where(np.less(step, b), out, schedules[i + 1]!(np.subtract(step, b)))
    }
    return out
  }
}

/**
 * Options of `Schedule.warmupCosineDecay`.
 *
 * @since 0.1.0
 */
export interface WarmupCosineDecayOptions {
  /** The value at step 0. */
  readonly initValue: number
  /** The value reached at the end of the warmup. */
  readonly peakValue: number
  /** Steps of linear warmup from `initValue` to `peakValue`. */
  readonly warmupSteps: number
  /** The total steps, warmup included; the cosine decay lasts `decaySteps - warmupSteps`. */
  readonly decaySteps: number
  /** The final value (default 0). */
  readonly endValue?: number | undefined
  /** The power of the cosine factor (default 1). */
  readonly exponent?: number | undefined
}

/**
 * A linear warmup to `peakValue`, then a cosine decay to `endValue` (optax's
 * `warmup_cosine_decay_schedule`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * const s = optim.Schedule.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110 })
 * console.log(toJsSync([s(5), s(10), s(60), s(110)])) // [0.5, 1, 0.49999997, 0]
 *
 * @since 0.1.0
 */
export const warmupCosineDecay = (options: WarmupCosineDecayOptions): Schedule => {
  const fn = "Schedule.warmupCosineDecay"
  optionKeys(fn, options ?? null, ["initValue", "peakValue", "warmupSteps", "decaySteps", "endValue", "exponent"])
  const init = finite(fn, "initValue", options.initValue)
  const peak = finite(fn, "peakValue", options.peakValue)
  const warmup = integer(fn, "warmupSteps", nonNegative(fn, "warmupSteps", options.warmupSteps))
  const decay = integer(fn, "decaySteps", finite(fn, "decaySteps", options.decaySteps))
  const end = finite(fn, "endValue", options.endValue ?? 0)
  if (decay <= warmup) {
    throw new OptimizerArgumentError({
      function: fn,
      argument: "decaySteps",
      detail: `must exceed warmupSteps (${warmup}): it counts the warmup too, got ${decay}`
    })
  }
  return join([
    linear({ initValue: init, endValue: peak, transitionSteps: warmup }),
    cosineDecay({
      initValue: peak,
      decaySteps: decay - warmup,
      alpha: peak === 0 ? 0 : end / peak,
      exponent: options.exponent ?? 1
    })
  ], [warmup])
}

/**
 * `initValue` times every scale whose boundary the count has reached:
 * `{ 100: 0.1, 200: 0.1 }` gives `initValue` before step 100, a tenth from
 * 100, a hundredth from 200 (optax's `piecewise_constant_schedule`).
 *
 * @example
 * import { optim, toJsSync } from "diffect"
 * const s = optim.Schedule.piecewiseConstant(1, { 100: 0.1, 200: 0.01 })
 * console.log(toJsSync([s(99), s(100), s(250)])) // [1, 0.1, 0.001]
 *
 * @since 0.1.0
 */
export const piecewiseConstant = (
  initValue: number,
  boundariesAndScales: { readonly [step: number]: number } = {}
): Schedule => {
  const fn = "Schedule.piecewiseConstant"
  const init = finite(fn, "initValue", initValue)
  const entries = Object.entries(boundariesAndScales).map(([k, scale]): [number, number] => {
    const b = integer(fn, `boundariesAndScales key "${k}"`, Number(k))
    return [b, nonNegative(fn, `boundariesAndScales[${k}]`, scale)]
  }).sort((a, b) => a[0] - b[0])
  return (count) => {
    const c = asFloat(count)
    let v: Tensor = np.fullLike(c, init)
    for (const [boundary, scale] of entries) v = np.where(np.less(c, boundary), v, np.multiply(v, scale))
    return v
  }
}
