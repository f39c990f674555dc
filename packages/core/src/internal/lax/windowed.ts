/**
 * JAX's `lax.reduce_window`: a reduction over sliding windows. As in JAX, a
 * monoid with its identity as the initial value (`lax.add` with 0, `lax.max`
 * with -inf or the dtype's minimum, `lax.min` with +inf or its maximum) runs as
 * the `reduce_window_sum` / `_max` / `_min` primitive; any other computation
 * is folded over the window's taps, one padded strided slice per tap (so it
 * differentiates and batches through its parts).
 *
 * @since 0.1.0
 */
import { ArgumentError, DTypeError } from "../../Errors.js"
import { bind1 } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { WindowParams } from "../../Primitive.js"
import { resolveOutput } from "../../Staging.js"
import type { MaybeEffect } from "../../Staging.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkArg, checkOptions, integers } from "../../Validate.js"
import { outputShape } from "../../Window.js"
import { padtypeToPads } from "./convolution.js"

/** The window's padding: `"SAME"`, `"SAME_LOWER"`, `"VALID"`, or `[low, high]` per dimension. @since 0.1.0 */
export type WindowPadding = "SAME" | "SAME_LOWER" | "VALID" | ReadonlyArray<readonly [number, number]>

const identityOf = (kind: "max" | "min", dtype: string): number =>
  dtype === "int32"
    ? (kind === "max" ? -2147483648 : 2147483647)
    : dtype === "uint32"
    ? (kind === "max" ? 0 : 4294967295)
    : (kind === "max" ? -Infinity : Infinity)

const windowParams = (
  op: string,
  x: Tensor,
  windowDimensions: unknown,
  windowStrides: unknown,
  padding: unknown,
  baseDilation: unknown,
  windowDilation: unknown
): WindowParams => {
  const n = x.ndim
  const list = (name: string, u: unknown, fallback: number): ReadonlyArray<number> => {
    if (u === undefined) return Array.from({ length: n }, () => fallback)
    const xs = checkArg<ReadonlyArray<number>>(op, name, u, integers)
    if (xs.length !== n) throw argumentError(op, name, `${n} positive integers (one per operand dimension)`, u)
    if (xs.some((v) => v < 1)) {
      // JAX's "must have every element be greater than 0": name the values, not the length
      throw new ArgumentError({
        operation: op,
        argument: name,
        expected: "integers that are all greater than 0",
        got: `[${xs.join(", ")}]`
      })
    }
    return xs
  }
  const dims = list("windowDimensions", windowDimensions ?? null, 1)
  const strides = list("windowStrides", windowStrides, 1)
  const base = list("baseDilation", baseDilation, 1)
  const wdil = list("windowDilation", windowDilation, 1)
  let pads: ReadonlyArray<readonly [number, number]>
  if (typeof padding === "string") {
    if (padding !== "SAME" && padding !== "SAME_LOWER" && padding !== "VALID") {
      throw argumentError(op, "padding", "\"SAME\", \"SAME_LOWER\", \"VALID\" or (low, high) pairs", padding)
    }
    // JAX pads for the dilated window (`_dilate_shape(window_dimensions, window_dilation)`)
    const dilated = dims.map((d, k) => (d === 0 ? 0 : 1 + wdil[k]! * (d - 1)))
    pads = padtypeToPads(x.shape, dilated, strides, padding)
  } else {
    const ok = Array.isArray(padding) && padding.length === n &&
      padding.every((p) => Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && Number.isInteger(p[1]))
    if (!ok) throw argumentError(op, "padding", `"SAME", "VALID" or ${n} (low, high) integer pairs`, padding)
    pads = (padding as ReadonlyArray<readonly [number, number]>).map(([lo, hi]) => [lo, hi] as const)
  }
  const params = {
    windowDimensions: dims,
    windowStrides: strides,
    padding: pads,
    baseDilation: base,
    windowDilation: wdil
  }
  outputShape(op, x.shape, params)
  return params
}

/**
 * JAX's `lax.reduce_window(operand, init_value, computation, window_dimensions,
 * window_strides, padding, base_dilation, window_dilation)`. `computation` is a
 * binary function of tensors; `lax.add`, `lax.max` and `lax.min` with their
 * identity as `initValue` are primitives (JAX's monoid reducers), with JAX's
 * gradients (max and min through `select_and_scatter_add`).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[1, 5, 2, 0], [3, 4, 8, 7]])
 * // 2x2 max pooling, stride 2
 * console.log(toJsSync(lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2], "VALID"))) // [[5, 8]]
 * // running sums of 3 along a padded row
 * console.log(toJsSync(lax.reduceWindow(np.array([1, 2, 3, 4]), 0, lax.add, [3], [1], "SAME"))) // [3, 6, 9, 7]
 *
 * @since 0.1.0
 */
export const reduceWindow = (
  operand: Tensor,
  initValue: number | Tensor,
  computation: (a: Tensor, b: Tensor) => MaybeEffect<Tensor>,
  windowDimensions: ReadonlyArray<number>,
  windowStrides: ReadonlyArray<number> | undefined,
  padding: WindowPadding,
  options?: {
    readonly baseDilation?: ReadonlyArray<number> | undefined
    readonly windowDilation?: ReadonlyArray<number> | undefined
  }
): Tensor => {
  const op = "reduce_window"
  if (!(operand instanceof Tensor) || !Tensor.isGenuine(operand)) {
    throw argumentError(op, "operand", "a Tensor", operand)
  }
  if (typeof computation !== "function") throw argumentError(op, "computation", "a function", computation)
  // (an array, JAX's positional base_dilation, is refused rather than ignored)
  checkOptions(op, options, { baseDilation: integers, windowDilation: integers })
  const params = windowParams(
    op,
    operand,
    windowDimensions,
    windowStrides,
    padding,
    options?.baseDilation,
    options?.windowDilation
  )
  let init: Tensor
  if (typeof initValue === "number") init = lax.scalar(initValue, operand.dtype, true)
  else if (initValue instanceof Tensor && Tensor.isGenuine(initValue) && initValue.ndim === 0) {
    init = initValue.dtype === operand.dtype ? initValue : lax.convertElementType(initValue, operand.dtype)
  } else throw argumentError(op, "initValue", "a number or a scalar Tensor", initValue)
  // JAX's `_get_monoid_window_reducer`: a known monoid with its identity is a primitive
  if (typeof initValue === "number") {
    if (computation === lax.add && initValue === 0) return bind1("reduce_window_sum", [operand], params)
    if (computation === lax.max && initValue === identityOf("max", operand.dtype)) {
      return bind1("reduce_window_max", [operand], params)
    }
    if (computation === lax.min && initValue === identityOf("min", operand.dtype)) {
      return bind1("reduce_window_min", [operand], params)
    }
  }
  return genericReduceWindow(operand, init, computation, params)
}

// Any computation: the operand padded with the initial value (and dilated), then one strided
// slice per window tap, folded left to right from the initial value.
const genericReduceWindow = (
  x: Tensor,
  init: Tensor,
  computation: (a: Tensor, b: Tensor) => MaybeEffect<Tensor>,
  params: WindowParams
): Tensor => {
  const out = outputShape("reduce_window", x.shape, params)
  const padded = lax.pad(
    x,
    init,
    x.shape.map((_, k) => [params.padding[k]![0], params.padding[k]![1], params.baseDilation[k]! - 1] as const)
  )
  let acc = lax.broadcastInDim(init, out, [])
  const taps = params.windowDimensions.reduce((a, b) => a * b, 1)
  if (out.some((d) => d === 0)) return acc
  for (let t = 0; t < taps; t++) {
    let r = t
    const tap = new Array<number>(x.ndim)
    for (let d = x.ndim - 1; d >= 0; d--) {
      tap[d] = r % params.windowDimensions[d]!
      r = Math.floor(r / params.windowDimensions[d]!)
    }
    const start = tap.map((k, d) => k * params.windowDilation[d]!)
    const limit = start.map((s, d) => s + (out[d]! - 1) * params.windowStrides[d]! + 1)
    const next: unknown = resolveOutput(
      "reduce_window",
      computation(acc, lax.slice(padded, start, limit, params.windowStrides))
    )
    if (!(next instanceof Tensor) || next.shape.join(",") !== acc.shape.join(",")) {
      // JAX: "reduce_window output must have the same tree structure as the operands"
      throw argumentError(
        "reduce_window",
        "computation",
        "a function returning one tensor of its operands' shape",
        next
      )
    }
    if (next.dtype !== acc.dtype) {
      throw new DTypeError({
        operation: "reduce_window",
        detail: `the computation returned ${next.dtype} for ${acc.dtype} operands`
      })
    }
    acc = next
  }
  return acc
}
