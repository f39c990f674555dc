/**
 * The optimizers (optax's `alias.py`): each is a `chain` of transformations
 * ending in `scaleByLearningRate`, with optax's defaults.
 *
 * @since 0.1.0
 */
import type { DType, Tensor } from "@diffect/core"
import { OptimizerArgumentError } from "./Errors.js"
import { chain, type GradientTransformation, identity, type StateOf } from "./GradientTransformation.js"
import type { EmptyState } from "./GradientTransformation.js"
import { optionKeys } from "./internal/validate.js"
import type { ScalarOrSchedule } from "./Schedule.js"
import {
  addDecayedWeights,
  type AddDecayedWeightsOptions,
  type CountState,
  scaleByAdam,
  type ScaleByAdamOptions,
  scaleByLearningRate,
  scaleByLion,
  type ScaleByLionOptions,
  scaleByRms,
  type ScaleByRmsOptions,
  scaleByRss,
  type ScaleByRssOptions,
  scaleByStddev,
  trace,
  type TraceState
} from "./Transform.js"

// The keys of each transformation's options; an optimizer hands each one only its own keys (the
// transformations reject keys they do not take).
const adamKeys = ["b1", "b2", "eps", "epsRoot", "muDtype", "nesterov"] as const
const rmsKeys = ["decay", "eps", "initialScale", "epsInSqrt", "biasCorrection"] as const
// optax's lion forwards only these to scale_by_lion (not its mode or smooth_beta)
const lionKeys = ["b1", "b2", "muDtype"] as const
const pick = <O extends object, K extends keyof O & string>(
  options: O | undefined,
  keys: ReadonlyArray<K>
): Pick<O, K> | undefined =>
  options === undefined
    ? undefined
    : (Object.fromEntries(keys.filter((k) => k in options).map((k) => [k, options[k]])) as Pick<O, K>)

// The optimizers' learning rate, which a JS caller cannot leave out: optax's None (no scaling) is
// `scaleByLearningRate(undefined)` or the bare transformation, since `adam()` would scale nothing.
const rate = (fn: string, learningRate: ScalarOrSchedule): GradientTransformation<LearningRateState> => {
  if (learningRate === undefined) {
    throw new OptimizerArgumentError({
      function: fn,
      argument: "learningRate",
      detail: "must be a number, a tensor or a schedule, got undefined"
    })
  }
  return scaleByLearningRate(learningRate)
}

/**
 * The state of the learning-rate step: empty for a constant rate, a count for a schedule.
 *
 * @since 0.1.0
 */
export type LearningRateState = EmptyState | CountState

/**
 * Options of `sgd`.
 *
 * @since 0.1.0
 */
export interface SgdOptions {
  /** Momentum decay; without it, plain gradient descent. */
  readonly momentum?: number | Tensor | undefined
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean | undefined
  /** The momentum's dtype (default: the params'). */
  readonly accumulatorDtype?: DType.DType | undefined
}

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum (optax's `sgd`):
 * `chain(trace({ decay: momentum, nesterov, accumulatorDtype }), scaleByLearningRate(learningRate))`.
 * As in optax, a hyperparameter may be a tensor (a traced one: differentiate through it) and
 * the learning rate negative (gradient ascent).
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.sgd(0.1, { momentum: 0.9 })
 * const p = np.array([1])
 * const [u0, s1] = opt.update(np.array([1]), opt.init(p))
 * const [u1] = opt.update(np.array([1]), s1)
 * console.log(toJsSync([u0, u1])) // [[-0.1], [-0.19]]
 * const ascent = optim.sgd(np.array(-0.1))
 * console.log(toJsSync(ascent.update(np.array([1]), ascent.init(p))[0])) // [0.1]
 *
 * @since 0.1.0
 */
export const sgd = (
  learningRate: ScalarOrSchedule,
  options?: SgdOptions
): GradientTransformation<[TraceState | EmptyState, LearningRateState]> => {
  optionKeys("sgd", options, ["momentum", "nesterov", "accumulatorDtype"])
  return chain(
    options?.momentum === undefined
      ? identity()
      : trace({ decay: options.momentum, nesterov: options.nesterov, accumulatorDtype: options.accumulatorDtype }),
    rate("sgd", learningRate)
  ) as GradientTransformation<[TraceState | EmptyState, LearningRateState]>
}

/**
 * Adam (optax's `adam`): `chain(scaleByAdam(options), scaleByLearningRate(learningRate))`.
 * Defaults b1 0.9, b2 0.999, eps 1e-8.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.adam(0.01)
 * const params = { w: np.array([1, -1]) }
 * const [updates] = opt.update({ w: np.array([3, -0.5]) }, opt.init(params), params)
 * console.log(toJsSync(optim.applyUpdates(params, updates))) // { w: [0.99000007, -0.99000007] }
 *
 * @since 0.1.0
 */
export const adam = (
  learningRate: ScalarOrSchedule,
  options?: ScaleByAdamOptions
): GradientTransformation<[StateOf<ReturnType<typeof scaleByAdam>>, LearningRateState]> => {
  optionKeys("adam", options, adamKeys)
  return chain(scaleByAdam(options), rate("adam", learningRate))
}

/**
 * Options of `adamw`.
 *
 * @since 0.1.0
 */
export interface AdamwOptions extends ScaleByAdamOptions {
  /** Decoupled weight decay (default 1e-4), a number, a tensor or a schedule. */
  readonly weightDecay?: ScalarOrSchedule | undefined
  /** Which params decay (see `addDecayedWeights`). */
  readonly mask?: AddDecayedWeightsOptions["mask"]
}

/**
 * Adam with decoupled weight decay (optax's `adamw`): `chain(scaleByAdam,
 * addDecayedWeights({ weightDecay: 1e-4 }), scaleByLearningRate)`. Needs
 * `params` in `update`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.adamw(0.1, { weightDecay: 0.5 })
 * const p = np.array([2])
 * // that is -0.1 * (1 + 0.5 * 2) up to eps
 * console.log(toJsSync(opt.update(np.array([1]), opt.init(p), p)[0])) // [-0.19999933]
 *
 * @since 0.1.0
 */
export const adamw = (
  learningRate: ScalarOrSchedule,
  options?: AdamwOptions
): GradientTransformation<
  [StateOf<ReturnType<typeof scaleByAdam>>, EmptyState | CountState, LearningRateState]
> => {
  optionKeys("adamw", options, [...adamKeys, "weightDecay", "mask"])
  return chain(
    scaleByAdam(pick(options, adamKeys)),
    addDecayedWeights({ weightDecay: options?.weightDecay ?? 1e-4, mask: options?.mask }),
    rate("adamw", learningRate)
  )
}

/**
 * Options of `rmsprop`.
 *
 * @since 0.1.0
 */
export interface RmspropOptions extends ScaleByRmsOptions {
  /** Centered RMSProp: divide by an estimate of the variance (default false). */
  readonly centered?: boolean | undefined
  /** Momentum decay applied after the learning rate, as optax does. */
  readonly momentum?: number | Tensor | undefined
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean | undefined
}

/**
 * RMSProp (optax's `rmsprop`): `chain(scaleByRms (or scaleByStddev when centered),
 * scaleByLearningRate, trace({ decay: momentum }))`. Defaults decay 0.9, eps 1e-8.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.rmsprop(0.1, { eps: 0 })
 * console.log(toJsSync(opt.update(np.array([2]), opt.init(np.zeros(1)))[0])) // [-0.31622776]
 *
 * @since 0.1.0
 */
export const rmsprop = (learningRate: ScalarOrSchedule, options?: RmspropOptions): GradientTransformation<
  [unknown, LearningRateState, TraceState | EmptyState]
> => {
  optionKeys("rmsprop", options, [
    "decay",
    "eps",
    "initialScale",
    "epsInSqrt",
    "biasCorrection",
    "centered",
    "momentum",
    "nesterov"
  ])
  return chain(
    options?.centered === true ? scaleByStddev(pick(options, rmsKeys)) : scaleByRms(pick(options, rmsKeys)),
    rate("rmsprop", learningRate),
    options?.momentum === undefined ? identity() : trace({ decay: options.momentum, nesterov: options.nesterov })
  ) as GradientTransformation<[unknown, LearningRateState, TraceState | EmptyState]>
}

/**
 * Adagrad (optax's `adagrad`): `chain(scaleByRss, scaleByLearningRate)`.
 * Defaults: initial accumulator 0.1, eps 1e-7.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.adagrad(1, { initialAccumulatorValue: 0, eps: 0 })
 * console.log(toJsSync(opt.update(np.array([4]), opt.init(np.zeros(1)))[0])) // [-1]
 *
 * @since 0.1.0
 */
export const adagrad = (
  learningRate: ScalarOrSchedule,
  options?: ScaleByRssOptions
): GradientTransformation<[StateOf<ReturnType<typeof scaleByRss>>, LearningRateState]> => {
  optionKeys("adagrad", options, ["initialAccumulatorValue", "eps"])
  return chain(scaleByRss(options), rate("adagrad", learningRate))
}

/**
 * Options of `lion`.
 *
 * @since 0.1.0
 */
export interface LionOptions extends Pick<ScaleByLionOptions, "b1" | "b2" | "muDtype"> {
  /** Decoupled weight decay (default 1e-3), a number, a tensor or a schedule. */
  readonly weightDecay?: ScalarOrSchedule | undefined
  /** Which params decay (see `addDecayedWeights`). */
  readonly mask?: AddDecayedWeightsOptions["mask"]
}

/**
 * Lion (optax's `lion`): `chain(scaleByLion, addDecayedWeights({ weightDecay: 1e-3 }),
 * scaleByLearningRate)`. Needs `params` in `update`.
 *
 * @example
 * import { np, optim, toJsSync } from "diffect"
 * const opt = optim.lion(0.1, { weightDecay: 0 })
 * const p = np.array([1, 1])
 * console.log(toJsSync(opt.update(np.array([5, -0.01]), opt.init(p), p)[0])) // [-0.1, 0.1]
 *
 * @since 0.1.0
 */
export const lion = (
  learningRate: ScalarOrSchedule,
  options?: LionOptions
): GradientTransformation<[StateOf<ReturnType<typeof scaleByLion>>, EmptyState | CountState, LearningRateState]> => {
  optionKeys("lion", options, [...lionKeys, "weightDecay", "mask"])
  return chain(
    scaleByLion(pick(options, lionKeys)),
    addDecayedWeights({ weightDecay: options?.weightDecay ?? 1e-3, mask: options?.mask }),
    rate("lion", learningRate)
  )
}
