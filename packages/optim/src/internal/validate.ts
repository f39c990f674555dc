/**
 * Argument checks for the constructors: each fails with `OptimizerArgumentError`
 * naming the function and the argument.
 */
import { describeValue } from "@diffect/core/Validate"
import { OptimizerArgumentError } from "../Errors.js"

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

/** A whole number (a step count or a boundary). */
export const integer = (fn: string, argument: string, v: unknown): number => {
  if (!Number.isInteger(v)) {
    throw new OptimizerArgumentError({ function: fn, argument, detail: `must be an integer, got ${describe(v)}` })
  }
  return v as number
}
