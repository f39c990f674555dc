/**
 * `pureCallback` and `ioCallback` (JAX's `jax.pure_callback` and
 * `jax.experimental.io_callback`): JS code with results inside transformed and
 * compiled functions.
 *
 * @since 0.1.0
 */
import { aval, formatAval } from "./AbstractValue.js"
import type { AbstractValue } from "./AbstractValue.js"
import { ArgumentError, DTypeError, ShapeError } from "./Errors.js"
import { bind } from "./Handler.js"
import { HostCallback, hostNow, splitTensorLeaves } from "./HostCallback.js"
import { array } from "./np.js"
import type { VmapMethod } from "./Primitive.js"
import { ShapeDtypeStruct } from "./ShapeDtypeStruct.js"
import { ConcreteTensor, isTensor, Tensor } from "./Tensor.js"
import * as Tree from "./Tree.js"

/** The results of `pureCallback`: `resultShapeDtypes` with a tensor for each type. @since 0.1.0 */
export type PureCallbackResults<R> = R extends ShapeDtypeStruct | Tensor ? Tensor
  : R extends ReadonlyArray<unknown> ? { -readonly [K in keyof R]: PureCallbackResults<R[K]> }
  : R extends object ? { -readonly [K in keyof R]: PureCallbackResults<R[K]> }
  : R

/** Options of {@link pureCallback}. @since 0.1.0 */
export interface PureCallbackOptions {
  /**
   * How the call batches under `vmap` (JAX's `vmap_method`; without it, vmap
   * of the call is an error): `"sequential"` (one call per batch index),
   * `"sequential_unrolled"`, `"expand_dims"` (one call, the batch axis in front
   * of the batched arguments and a size-1 axis on the others) or
   * `"broadcast_all"` (one call, every argument broadcast to the batch).
   */
  readonly vmapMethod?: VmapMethod | undefined
}

const vmapMethods: ReadonlyArray<VmapMethod> = ["sequential", "sequential_unrolled", "expand_dims", "broadcast_all"]

const isType = (x: unknown): x is ShapeDtypeStruct | Tensor => x instanceof ShapeDtypeStruct || isTensor(x)

// One result of the callback as the declared type: a tensor of that dtype and shape, or JS
// values (numbers, nested arrays, typed arrays) converted to it.
const asResult = (
  operation: "pureCallback" | "ioCallback",
  value: unknown,
  want: AbstractValue,
  index: number,
  name: string
): Tensor => {
  const t = value instanceof Tensor ? value : array(value as never, { dtype: want.dtype })
  if (value instanceof Tensor && t.dtype !== want.dtype) {
    throw new DTypeError({
      operation,
      detail: `${name}: incorrect output dtype for return value ${index}: expected ${want.dtype}, got ${t.dtype}`
    })
  }
  if (t.shape.length !== want.shape.length || t.shape.some((d, i) => d !== want.shape[i])) {
    throw new ShapeError({
      operation,
      detail: `${name}: incorrect output shape for return value ${index}: expected ${formatAval(want)}, got ${
        formatAval(t.aval)
      }`
    })
  }
  const host = hostNow(t)
  if (host === undefined) {
    throw new ArgumentError({
      operation,
      argument: "callback",
      expected: "a function returning values it can read at once (tensors of a synchronous backend, numbers or arrays)",
      got: `return value ${index}, ${t}`
    })
  }
  return new ConcreteTensor(aval(want.shape, want.dtype, false), host, undefined)
}

/** Checks and stages a host call with results: `pure_callback` or `io_callback`. */
const stageHostCall = <R>(
  operation: "pureCallback" | "ioCallback",
  callback: (...args: Array<any>) => unknown,
  resultShapeDtypes: R,
  args: ReadonlyArray<unknown>,
  bindWith: (
    operands: ReadonlyArray<Tensor>,
    callback: HostCallback,
    resultAvals: ReadonlyArray<AbstractValue>
  ) => ReadonlyArray<Tensor>
): PureCallbackResults<R> => {
  if (typeof callback !== "function") {
    throw new ArgumentError({
      operation,
      argument: "callback",
      expected: "a function",
      got: callback === null ? "null" : typeof callback
    })
  }
  if (!Array.isArray(args)) {
    throw new ArgumentError({
      operation,
      argument: "args",
      expected: "an array of the callback's arguments",
      got: typeof args
    })
  }
  const [types, outDef] = Tree.flatten(resultShapeDtypes, { isLeaf: isType })
  const resultAvals = types.map((t, i): AbstractValue => {
    if (!isType(t)) {
      throw new ArgumentError({
        operation,
        argument: "resultShapeDtypes",
        expected: "a pytree of ShapeDtypeStructs (or tensors)",
        got: `leaf ${i}: ${typeof t}`
      })
    }
    return aval(t.shape, t.dtype, false)
  })
  const { rebuild, tensors } = splitTensorLeaves(args)
  const name = callback.name === "" ? "callback" : callback.name
  const host = new HostCallback(name, (values, avals) => {
    const results = Tree.flattenUpTo(outDef, callback(...rebuild(values)))
    return results.map((r, i) => asResult(operation, r, avals[i]!, i, name))
  })
  return Tree.unflatten(outDef, bindWith(tensors, host, resultAvals))
}

/**
 * Calls `callback` on the values of `args` and returns its results, inside
 * transformed and compiled functions too (JAX's `jax.pure_callback`).
 * `resultShapeDtypes` declares the results: a pytree of `ShapeDtypeStruct`s (or
 * tensors standing for their type), which the results take the structure of.
 * The tensors among `args` (at any depth) arrive as host arrays with their
 * values, the other leaves as given; the callback returns one value per
 * declared result, as a tensor of its dtype and shape, or JS numbers and
 * arrays (converted to it). A result of another dtype or shape is a
 * `DTypeError` or `ShapeError`. The callback's own array operations run on the
 * CPU (the typed-array backend the `diffect` facade installs as the default),
 * as JAX runs callbacks on its CPU device, whatever backend runs the program.
 *
 * As in JAX the callback must be pure: a compiled program may drop a call
 * whose results are unused or merge two equal ones. It has no derivative
 * (use `customJvp` or `customVjp` around it); under `vmap` it needs
 * `vmapMethod`.
 *
 * @example
 * import { Effect } from "effect"
 * import { jit, np, pureCallback, ShapeDtypeStruct, toJsSync, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * // a JS function of plain numbers, called from a compiled program
 * const cumulativeMax = (x: Tensor) => {
 *   let m = -Infinity
 *   return (toJsSync(x) as Array<number>).map((v) => (m = Math.max(m, v)))
 * }
 * const f = jit((x: Tensor) => {
 *   const y = pureCallback(cumulativeMax, new ShapeDtypeStruct(x.shape, x.dtype), [np.sin(x)])
 *   return np.multiply(y, 2)
 * })
 * const out = Effect.runSync(f(np.array([0, 3, 1, 2])).pipe(Effect.provide(TypedArrayBackend.layer)))
 * console.log(toJsSync(out)) // [0, 0.28224000334739685, 1.6829419136047363, 1.8185948133468628]
 *
 * @since 0.1.0
 */
export const pureCallback = <R>(
  callback: (...args: Array<any>) => unknown,
  resultShapeDtypes: R,
  args: ReadonlyArray<unknown>,
  options?: PureCallbackOptions
): PureCallbackResults<R> => {
  const vmapMethod = options?.vmapMethod ?? null
  if (vmapMethod !== null && !vmapMethods.includes(vmapMethod)) {
    throw new ArgumentError({
      operation: "pureCallback",
      argument: "vmapMethod",
      expected: vmapMethods.map((m) => JSON.stringify(m)).join(", "),
      got: String(vmapMethod)
    })
  }
  return stageHostCall(
    "pureCallback",
    callback,
    resultShapeDtypes,
    args,
    (operands, host, resultAvals) => bind("pure_callback", operands, { callback: host, resultAvals, vmapMethod })
  )
}

/** Options of {@link ioCallback}. @since 0.1.0 */
export interface IoCallbackOptions {
  /**
   * Whether calls keep their program order with respect to each other (JAX's
   * `ordered`); an ordered callback cannot be batched by `vmap`.
   */
  readonly ordered?: boolean | undefined
}

/**
 * Calls `callback`, which may have side effects, on the values of `args` and
 * returns its results (JAX's `jax.experimental.io_callback`): as
 * {@link pureCallback}, but an effect, so a compiled program runs every call
 * even when its results are unused and never merges two. No derivative; under
 * `vmap` an unordered one is called once per batch index, an ordered one is an
 * error (JAX's).
 *
 * @example
 * import { Effect } from "effect"
 * import { ioCallback, jit, np, ShapeDtypeStruct, toJsSync, TypedArrayBackend } from "diffect"
 * import type { Tensor } from "diffect"
 * // a counter kept in JS, read and advanced by each call of a compiled program
 * let counter = 0
 * const next = () => [counter++]
 * const f = jit((x: Tensor) => np.add(x, ioCallback(next, new ShapeDtypeStruct([1], "float32"), [])))
 * const run = (x: Tensor) => Effect.runSync(f(x).pipe(Effect.provide(TypedArrayBackend.layer)))
 * console.log(toJsSync(run(np.array([10]))), toJsSync(run(np.array([10])))) // [10] [11]
 *
 * @since 0.1.0
 */
export const ioCallback = <R>(
  callback: (...args: Array<any>) => unknown,
  resultShapeDtypes: R,
  args: ReadonlyArray<unknown>,
  options?: IoCallbackOptions
): PureCallbackResults<R> => {
  const ordered = options?.ordered ?? false
  if (typeof ordered !== "boolean") {
    throw new ArgumentError({
      operation: "ioCallback",
      argument: "ordered",
      expected: "a boolean",
      got: typeof ordered
    })
  }
  return stageHostCall(
    "ioCallback",
    callback,
    resultShapeDtypes,
    args,
    (operands, host, resultAvals) => bind("io_callback", operands, { callback: host, resultAvals, ordered })
  )
}
