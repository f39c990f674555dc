/**
 * The geometry of windowed reductions (JAX's `reduce_window` family and
 * `select_and_scatter_add` / `select_and_gather_add`): a window of
 * `windowDimensions` taps (spread by `windowDilation`) slides by
 * `windowStrides` over the operand, which is dilated by `baseDilation` and
 * padded by `padding` (`[low, high]` per dimension, padding elements taking
 * the reduction's identity). Abstract evaluation, both backends' kernels and
 * the transpose rules share it.
 *
 * @since 0.1.0
 */
import { aval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import { isFloating, isInteger } from "./DType.js"
import { DTypeError, Float0OperationError, ShapeError } from "./Errors.js"
import type { WindowParams } from "./Primitive.js"
import { formatShape, maxElements } from "./Shape.js"

/**
 * The output shape of a window of `params` over an operand of `shape` (JAX's
 * `reduce_window_shape_tuple`), validating the parameters with JAX's messages.
 *
 * @example
 * import { Window } from "diffect/extend"
 * const params = {
 *   windowDimensions: [2, 2],
 *   windowStrides: [2, 2],
 *   padding: [[0, 0], [0, 0]] as const,
 *   baseDilation: [1, 1],
 *   windowDilation: [1, 1]
 * }
 * console.log(Window.outputShape("reduce_window_max", [4, 6], params)) // [2, 3]
 *
 * @since 0.1.0
 */
export const outputShape = (op: string, shape: ReadonlyArray<number>, params: WindowParams): Array<number> => {
  const bad = (detail: string) => new ShapeError({ operation: op, detail })
  const n = shape.length
  const lists = [
    ["windowDimensions", params.windowDimensions],
    ["windowStrides", params.windowStrides],
    ["baseDilation", params.baseDilation],
    ["windowDilation", params.windowDilation]
  ] as const
  for (const [name, xs] of lists) {
    if (xs.length !== n) {
      throw bad(`${name} must have one entry per operand dimension (${n}), got [${xs.join(", ")}]`)
    }
    if (!xs.every((x) => Number.isInteger(x) && x > 0)) {
      throw bad(`${name} must be positive integers, got [${xs.join(", ")}]`)
    }
  }
  if (params.padding.length !== n) {
    throw bad(`padding must have one (low, high) pair per operand dimension (${n}), got ${params.padding.length}`)
  }
  const out = shape.map((d, k) => {
    const [lo, hi] = params.padding[k]!
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) {
      throw bad(`padding must be integer (low, high) pairs, got [${lo}, ${hi}]`)
    }
    const padded = (d === 0 ? 0 : 1 + params.baseDilation[k]! * (d - 1)) + lo + hi
    if (padded < 0) {
      throw bad(`padding [${lo}, ${hi}] is larger than the dilated size of dimension ${k} of ${formatShape(shape)}`)
    }
    const window = 1 + params.windowDilation[k]! * (params.windowDimensions[k]! - 1)
    return padded < window ? 0 : Math.floor((padded - window) / params.windowStrides[k]!) + 1
  })
  const size = out.reduce((a, b) => a * b, 1)
  const taps = params.windowDimensions.reduce((a, b) => a * b, 1)
  if (size > maxElements || size * taps > 2 ** 40) {
    throw bad(`the output ${formatShape(out)} (of windows of ${taps} taps) is too large`)
  }
  return out
}

const checkOperand = (op: string, a: AbstractValue): void => {
  if (a.dtype === "float0") throw new Float0OperationError({ operation: op })
  if (!isFloating(a.dtype) && !isInteger(a.dtype)) {
    throw new DTypeError({
      operation: op,
      detail: `dtype ${a.dtype} is not accepted. Accepted dtypes are integer or floating`
    })
  }
}

/**
 * Abstract evaluation of `reduce_window_sum`, `reduce_window_max` and `reduce_window_min`.
 *
 * @since 0.1.0
 */
export const reduceWindowEval = (op: string) =>
(
  avals: ReadonlyArray<AbstractValue>,
  params: WindowParams
): ReadonlyArray<AbstractValue> => {
  if (avals.length !== 1) throw new ShapeError({ operation: op, detail: `takes 1 operand(s), got ${avals.length}` })
  const x = avals[0]!
  checkOperand(op, x)
  return [aval(outputShape(op, x.shape, params), x.dtype, x.weakType)]
}

/**
 * Abstract evaluation of `select_and_gather_add(tangents, operand)` (output:
 * the window's shape) and `select_and_scatter_add(source, operand)` (output:
 * the operand's shape; `source` has the window's).
 *
 * @since 0.1.0
 */
export const selectEval = (op: "select_and_gather_add" | "select_and_scatter_add") =>
(
  avals: ReadonlyArray<AbstractValue>,
  params: WindowParams & { readonly selectPrim: "ge" | "le" }
): ReadonlyArray<AbstractValue> => {
  if (avals.length !== 2) throw new ShapeError({ operation: op, detail: `takes 2 operand(s), got ${avals.length}` })
  const [t, x] = avals as readonly [AbstractValue, AbstractValue]
  checkOperand(op, t)
  checkOperand(op, x)
  if (params.selectPrim !== "ge" && params.selectPrim !== "le") {
    throw new ShapeError({ operation: op, detail: `selectPrim must be "ge" or "le", got ${String(params.selectPrim)}` })
  }
  const windows = outputShape(op, x.shape, params)
  if (op === "select_and_gather_add") {
    if (formatShape(t.shape) !== formatShape(x.shape)) {
      throw new ShapeError({
        operation: op,
        detail: `tangents ${formatShape(t.shape)} and operand ${formatShape(x.shape)} must have one shape`
      })
    }
    return [aval(windows, t.dtype, t.weakType)]
  }
  if (formatShape(t.shape) !== formatShape(windows)) {
    throw new ShapeError({
      operation: op,
      detail: `source ${formatShape(t.shape)} must have the windows' shape ${formatShape(windows)}`
    })
  }
  return [aval(x.shape, t.dtype, t.weakType)]
}
