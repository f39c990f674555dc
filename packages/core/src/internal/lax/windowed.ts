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
import { isComplex } from "../../DType.js"
import { ArgumentError, DTypeError } from "../../Errors.js"
import { bind1 } from "../../Handler.js"
import * as lax from "../../lax.js"
import type { WindowParams } from "../../Primitive.js"
import { resolveOutput } from "../../Staging.js"
import type { MaybeEffect } from "../../Staging.js"
import { Tensor } from "../../Tensor.js"
import * as Tree from "../../Tree.js"
import { argumentError, checkArg, checkOptions, integers } from "../../Validate.js"
import { outputShape } from "../../Window.js"
import { padtypeToPads } from "./convolution.js"
import type { PaddingName } from "./convolution.js"

/** The window's padding: `"SAME"`, `"SAME_LOWER"`, `"VALID"`, or `[low, high]` per dimension. @since 0.1.0 */
export type WindowPadding = PaddingName | ReadonlyArray<readonly [number, number]>

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
    // any case, as JAX's padtype_to_pads upper-cases the name
    const kind = padding.toUpperCase()
    if (kind !== "SAME" && kind !== "SAME_LOWER" && kind !== "VALID") {
      throw argumentError(op, "padding", "\"SAME\", \"SAME_LOWER\", \"VALID\" or (low, high) pairs", padding)
    }
    // JAX pads for the dilated window (`_dilate_shape(window_dimensions, window_dilation)`)
    const dilated = dims.map((d, k) => (d === 0 ? 0 : 1 + wdil[k]! * (d - 1)))
    pads = padtypeToPads(x.shape, dilated, strides, kind as PaddingName)
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
 * gradients (max and min through `select_and_scatter_add`). `windowStrides`
 * defaults to ones and `padding` to `"VALID"`. As JAX's variadic form, the
 * operand may be a tree of tensors of one shape, with a tree of initial values
 * of the same structure and a computation from two such trees to one.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * import type { Tensor } from "diffect"
 * const x = np.array([[1, 5, 2, 0], [3, 4, 8, 7]])
 * // 2x2 max pooling, stride 2
 * console.log(toJsSync(lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2], "VALID"))) // [[5, 8]]
 * // running sums of 3 along a padded row
 * console.log(toJsSync(lax.reduceWindow(np.array([1, 2, 3, 4]), 0, lax.add, [3], [1], "SAME"))) // [3, 6, 9, 7]
 * // variadic: each window's maximum and the index where it first occurs (argmax pooling)
 * type Pair = { readonly value: Tensor; readonly index: Tensor }
 * const first = (a: Pair, b: Pair): Pair => {
 *   const takeB = lax.or(lax.gt(b.value, a.value), lax.and(lax.eq(b.value, a.value), lax.lt(b.index, a.index)))
 *   return { value: lax.select(takeB, b.value, a.value), index: lax.select(takeB, b.index, a.index) }
 * }
 * const v = np.array([3, 1, 4, 1, 5, 9, 2, 6])
 * const pooled = lax.reduceWindow({ value: v, index: np.arange(8) }, { value: -Infinity, index: 8 }, first, [2], [2])
 * console.log(toJsSync(pooled.value), toJsSync(pooled.index)) // [3, 4, 9, 6] [0, 2, 5, 7]
 *
 * @since 0.1.0
 */
export const reduceWindow: {
  (
    operand: Tensor,
    initValue: number | Tensor,
    computation: (a: Tensor, b: Tensor) => MaybeEffect<Tensor>,
    windowDimensions: ReadonlyArray<number>,
    windowStrides?: ReadonlyArray<number> | undefined,
    padding?: WindowPadding | undefined,
    options?: ReduceWindowOptions
  ): Tensor
  <T>(
    operands: T,
    initValues: unknown,
    computation: (a: T, b: T) => MaybeEffect<T>,
    windowDimensions: ReadonlyArray<number>,
    windowStrides?: ReadonlyArray<number> | undefined,
    padding?: WindowPadding | undefined,
    options?: ReduceWindowOptions
  ): T
} = (
  operand: unknown,
  initValue: unknown,
  computation: (a: any, b: any) => MaybeEffect<any>,
  windowDimensions: ReadonlyArray<number>,
  windowStrides?: ReadonlyArray<number> | undefined,
  padding: WindowPadding | undefined = "VALID",
  options?: ReduceWindowOptions
): any => {
  const op = "reduce_window"
  if (typeof computation !== "function") throw argumentError(op, "computation", "a function", computation)
  // (an array, JAX's positional base_dilation, is refused rather than ignored)
  checkOptions(op, options, { baseDilation: integers, windowDilation: integers })
  if (!(operand instanceof Tensor)) {
    return variadicReduceWindow(operand, initValue, computation, windowDimensions, windowStrides, padding, options)
  }
  if (!Tensor.isGenuine(operand)) throw argumentError(op, "operand", "a Tensor or a tree of Tensors", operand)
  const params = windowParams(
    op,
    operand,
    windowDimensions,
    windowStrides,
    padding,
    options?.baseDilation,
    options?.windowDilation
  )
  const init = initTensor(initValue, operand, "initValue")
  // JAX's `_get_monoid_window_reducer`: a known monoid with its identity is a primitive
  if (typeof initValue === "number") {
    if (computation === lax.add && initValue === 0) {
      // complex sums window the real and imaginary parts apart (the kernels hold real numbers)
      if (!isComplex(operand.dtype)) return bind1("reduce_window_sum", [operand], params)
      const part = (t: Tensor) => bind1("reduce_window_sum", [t], params)
      return lax.complex(part(lax.real(operand)), part(lax.imag(operand)))
    }
    if (computation === lax.max && initValue === identityOf("max", operand.dtype)) {
      return bind1("reduce_window_max", [operand], params)
    }
    if (computation === lax.min && initValue === identityOf("min", operand.dtype)) {
      return bind1("reduce_window_min", [operand], params)
    }
  }
  return genericReduceWindow([operand], [init], ([a], [b]) => [resolveOutput(op, computation(a, b))], params)[0]!
}

/** Options of `reduceWindow`. @since 0.1.0 */
export interface ReduceWindowOptions {
  readonly baseDilation?: ReadonlyArray<number> | undefined
  readonly windowDilation?: ReadonlyArray<number> | undefined
}

const initTensor = (initValue: unknown, operand: Tensor, name: string): Tensor => {
  if (typeof initValue === "number") return lax.scalar(initValue, operand.dtype, true)
  if (initValue instanceof Tensor && Tensor.isGenuine(initValue) && initValue.ndim === 0) {
    return initValue.dtype === operand.dtype ? initValue : lax.convertElementType(initValue, operand.dtype)
  }
  throw argumentError("reduce_window", name, "a number or a scalar Tensor", initValue)
}

// JAX's variadic reduce_window: operands of one shape, initial values of the same tree structure,
// the computation applied to trees.
const variadicReduceWindow = (
  operands: unknown,
  initValues: unknown,
  computation: (a: unknown, b: unknown) => MaybeEffect<unknown>,
  windowDimensions: unknown,
  windowStrides: unknown,
  padding: unknown,
  options: ReduceWindowOptions | undefined
): unknown => {
  const op = "reduce_window"
  const [xs, def] = Tree.flatten(operands)
  const isTensor = (u: unknown): u is Tensor => u instanceof Tensor && Tensor.isGenuine(u)
  if (xs.length === 0 || !xs.every(isTensor)) {
    throw argumentError(op, "operand", "a Tensor or a tree of Tensors", operands)
  }
  const ts = xs as ReadonlyArray<Tensor>
  if (ts.some((x) => x.shape.join(",") !== ts[0]!.shape.join(","))) {
    throw argumentError(op, "operand", "tensors of one shape", `shapes ${ts.map((x) => `[${x.shape}]`).join(", ")}`)
  }
  const [inits, initDef] = Tree.flatten(initValues)
  if (!Tree.treedefEquals(def, initDef)) {
    throw argumentError(op, "initValue", `a tree of the operand's structure ${String(def)}`, initValues)
  }
  const params = windowParams(
    op,
    ts[0]!,
    windowDimensions,
    windowStrides,
    padding,
    options?.baseDilation,
    options?.windowDilation
  )
  const initTs = inits.map((v, k) => initTensor(v, ts[k]!, "initValue"))
  const outs = genericReduceWindow(ts, initTs, (a, b) => {
    const [ys, outDef] = Tree.flatten(
      resolveOutput(op, computation(Tree.unflatten(def, a), Tree.unflatten(def, b)) as MaybeEffect<Tensor>)
    )
    if (!Tree.treedefEquals(def, outDef)) {
      // JAX: "reduce_window output must have the same tree structure as the operands"
      throw argumentError(op, "computation", `a function returning a tree of structure ${String(def)}`, ys)
    }
    return ys
  }, params)
  return Tree.unflatten(def, outs)
}

// Any computation: the operands padded with their initial values (and dilated), then one strided
// slice per window tap, folded left to right from the initial values.
const genericReduceWindow = (
  xs: ReadonlyArray<Tensor>,
  inits: ReadonlyArray<Tensor>,
  computation: (a: ReadonlyArray<Tensor>, b: ReadonlyArray<Tensor>) => ReadonlyArray<unknown>,
  params: WindowParams
): ReadonlyArray<Tensor> => {
  const x0 = xs[0]!
  const out = outputShape("reduce_window", x0.shape, params)
  const padded = xs.map((x, k) =>
    lax.pad(
      x,
      inits[k]!,
      x.shape.map((_, d) => [params.padding[d]![0], params.padding[d]![1], params.baseDilation[d]! - 1] as const)
    )
  )
  let acc: ReadonlyArray<Tensor> = inits.map((init) => lax.broadcastInDim(init, out, []))
  const taps = params.windowDimensions.reduce((a, b) => a * b, 1)
  if (out.some((d) => d === 0)) return acc
  for (let t = 0; t < taps; t++) {
    let r = t
    const tap = new Array<number>(x0.ndim)
    for (let d = x0.ndim - 1; d >= 0; d--) {
      tap[d] = r % params.windowDimensions[d]!
      r = Math.floor(r / params.windowDimensions[d]!)
    }
    const start = tap.map((k, d) => k * params.windowDilation[d]!)
    const limit = start.map((s, d) => s + (out[d]! - 1) * params.windowStrides[d]! + 1)
    const next = computation(acc, padded.map((p) => lax.slice(p, start, limit, params.windowStrides)))
    next.forEach((y, k) => {
      const a = acc[k]!
      if (!(y instanceof Tensor) || y.shape.join(",") !== a.shape.join(",")) {
        // JAX: "reduce_window output must have the same tree structure as the operands"
        throw argumentError(
          "reduce_window",
          "computation",
          "a function returning tensors of its operands' shape",
          y
        )
      }
      if (y.dtype !== a.dtype) {
        throw new DTypeError({
          operation: "reduce_window",
          detail: `the computation returned ${y.dtype} for ${a.dtype} operands`
        })
      }
    })
    acc = next as ReadonlyArray<Tensor>
  }
  return acc
}
