/**
 * Argument checks for the constructors: each fails with `OptimizerArgumentError`
 * naming the function and the argument.
 */
import { DType, Tensor } from "@diffect/core"
import { describeValue } from "@diffect/core/Validate"
import { OptimizerArgumentError } from "../Errors.js"
import { formatShape } from "./trees.js"

// Numbers as themselves; anything else as core describes it (never throws: a symbol, an object
// without a prototype)
const describe = (v: unknown): string => (typeof v === "number" ? String(v) : describeValue(v))

/** A finite number. */
export const finite = (fn: string, argument: string, v: unknown): number => {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new OptimizerArgumentError({ function: fn, argument, detail: `must be a finite number, got ${describe(v)}` })
  }
  return v
}

/** A finite number that is not negative. */
export const nonNegative = (fn: string, argument: string, v: unknown): number => {
  if (finite(fn, argument, v) < 0) {
    throw new OptimizerArgumentError({ function: fn, argument, detail: `must be >= 0, got ${describe(v)}` })
  }
  return v as number
}

/** A decay rate: a number in `[0, 1]`. */
export const unit = (fn: string, argument: string, v: unknown): number => {
  const x = finite(fn, argument, v)
  if (x < 0 || x > 1) {
    throw new OptimizerArgumentError({ function: fn, argument, detail: `must be in [0, 1], got ${describe(v)}` })
  }
  return x
}

/**
 * A hyperparameter as optax takes one (`jax.typing.ArrayLike`): a tensor is used as given (a
 * traced one has no value to check: meta-learning a learning rate under `grad` or `jit`); a
 * number must pass `check`.
 */
export const hyper = (check: (fn: string, argument: string, v: unknown) => number) =>
(
  fn: string,
  argument: string,
  v: unknown
): number | Tensor => {
  if (v instanceof Tensor) return v
  if (typeof v !== "number") {
    throw new OptimizerArgumentError({
      function: fn,
      argument,
      detail: `must be a number or a tensor, got ${describe(v)}`
    })
  }
  return check(fn, argument, v)
}

/** An optional dtype for a state's moment (optax's `mu_dtype`, `accumulator_dtype`): a float or complex dtype. */
export const momentDType = (fn: string, argument: string, v: unknown): DType.DType | undefined => {
  if (v === undefined) return undefined
  if (!DType.isDType(v) || !DType.isInexact(v)) {
    throw new OptimizerArgumentError({
      function: fn,
      argument,
      detail: `must be a floating or complex dtype (float32, float64, complex64, complex128), got ${describe(v)}`
    })
  }
  return v
}

/** A whole number (a step count or a boundary). */
export const integer = (fn: string, argument: string, v: unknown): number => {
  if (!Number.isInteger(v)) {
    throw new OptimizerArgumentError({ function: fn, argument, detail: `must be an integer, got ${describe(v)}` })
  }
  return v as number
}

/**
 * An options object with only the given keys, checked when the optimizer is
 * made: a key it does not take (`sgd(0.1, { momentun: 0.9 })`) would otherwise
 * be silently the default. Values are checked where they are used.
 */
export const optionKeys = (fn: string, options: unknown, keys: ReadonlyArray<string>): void => {
  if (options === undefined) return
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new OptimizerArgumentError({
      function: fn,
      argument: "options",
      detail: `must be an options object ({ ${keys.join(", ")} }), got ${describe(options)}`
    })
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) {
      throw new OptimizerArgumentError({
        function: fn,
        argument: "options",
        detail: `has the unknown key ${JSON.stringify(key)}; it takes ${keys.join(", ")}`
      })
    }
  }
}

/**
 * The state an `update` was given, as its transformation's `init` makes it: none
 * (`update(g, undefined)`) or another transformation's fails naming the fields it needs, rather
 * than a TypeError reading them.
 */
export const stateRecord = <S>(fn: string, state: unknown, fields: ReadonlyArray<string>): S => {
  if (
    typeof state !== "object" || state === null || Array.isArray(state) || fields.some((f) => !(f in state))
  ) {
    throw new OptimizerArgumentError({
      function: `${fn}.update`,
      argument: "state",
      detail: `must be the state ${fn}'s init returned ({ ${fields.join(", ")} }), got ${describe(state)}${
        typeof state === "object" && state !== null && !Array.isArray(state)
          ? ` with keys ${JSON.stringify(Object.keys(state))}`
          : ""
      }`
    })
  }
  const count = (state as { readonly count?: unknown }).count
  if (
    fields.includes("count") && !(typeof count === "number" || (count instanceof Tensor && count.shape.length === 0))
  ) {
    throw new OptimizerArgumentError({
      function: `${fn}.update`,
      argument: "state.count",
      detail: `must be the step count, a scalar tensor, got ${
        count instanceof Tensor ? `shape ${formatShape(count.shape)}` : describe(count)
      }`
    })
  }
  return state as S
}

/** The state `chain`'s update was given, as its init makes it: an array of one state per transformation. */
export const stateArray = (fn: string, state: unknown, n: number): ReadonlyArray<unknown> => {
  if (!Array.isArray(state) || state.length !== n) {
    throw new OptimizerArgumentError({
      function: `${fn}.update`,
      argument: "state",
      detail: `must be the state ${fn}'s init returned (an array of ${n} states, one per transformation), got ${
        describe(state)
      }`
    })
  }
  return state
}

/** An array argument (a missing one would be a TypeError reading its length). */
export const arrayArg = (fn: string, argument: string, v: unknown): void => {
  if (!Array.isArray(v)) {
    throw new OptimizerArgumentError({ function: fn, argument, detail: `must be an array, got ${describe(v)}` })
  }
}

/** A gradient transformation argument (`chain`'s): an object with `init` and `update` functions. */
export const transformationArg = (fn: string, argument: string, t: unknown): void => {
  const ok = typeof t === "object" && t !== null && typeof (t as { init?: unknown }).init === "function" &&
    typeof (t as { update?: unknown }).update === "function"
  if (!ok) {
    throw new OptimizerArgumentError({
      function: fn,
      argument,
      detail: `must be a gradient transformation ({ init, update }), got ${describe(t)}`
    })
  }
}

/** A schedule argument: a function of the step count. */
export const scheduleArg = (fn: string, argument: string, schedule: unknown): void => {
  if (typeof schedule !== "function") {
    throw new OptimizerArgumentError({
      function: fn,
      argument,
      detail: `must be a schedule (a function of the step count), got ${describe(schedule)}`
    })
  }
}
