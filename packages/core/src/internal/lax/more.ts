/**
 * More of jax.lax: `empty`, `broadcastShapes`, `mulhi`, `optimizationBarrier`,
 * `approxMaxK`/`approxMinK` (JAX's exact fallback) and the generic `reduce`
 * (JAX's monoids to their reduction primitives, any other computation folded).
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isInteger } from "../../DType.js"
import { DTypeError, ShapeError, TreeStructureError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { formatShape } from "../../Shape.js"
import type { Shape } from "../../Shape.js"
import { resolveOutput } from "../../Staging.js"
import type { MaybeEffect } from "../../Staging.js"
import { Tensor } from "../../Tensor.js"
import * as Tree from "../../Tree.js"
import {
  argumentError,
  boolean,
  checkAxis,
  checkDTypeName,
  checkOptions,
  checkShape,
  integer,
  number
} from "../../Validate.js"
import { bitcastConvertType } from "./bits.js"
import { reduceAnd, reduceOr } from "./extras.js"

const tensor = (op: string, u: unknown, name: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

/**
 * An array of `shape` and `dtype` whose contents do not matter (JAX's
 * `lax.empty(shape, dtype)`: XLA may leave it uninitialized; here it is
 * zeros). `empty(dtype)` is the rank-0 form of JAX's earlier signature.
 *
 * @example
 * import { lax, toJsSync } from "diffect"
 * console.log(lax.empty([2, 3], "float32").shape) // [2, 3]
 * console.log(toJsSync(lax.empty("int32"))) // 0
 *
 * @since 0.1.0
 */
export const empty: {
  (shape: number | Shape, dtype: DType): Tensor
  (dtype: DType): Tensor
} = (...args: ReadonlyArray<unknown>): Tensor => {
  if (args.length === 1) return lax.full([], 0, checkDTypeName("empty", args[0]))
  if (args.length !== 2) throw argumentError("empty", "arguments", "(shape, dtype) or (dtype)", args)
  // checked as JAX does: the shape first, then the dtype
  const shape = checkShape("empty", args[0])
  return lax.full(shape, 0, checkDTypeName("empty", args[1]))
}

/**
 * The shape the given shapes broadcast to (JAX's `lax.broadcast_shapes`:
 * NumPy's rule, aligned at the trailing dimensions); a `ShapeError` when they
 * do not.
 *
 * @example
 * import { lax } from "diffect"
 * console.log(lax.broadcastShapes([2, 1], [3])) // [2, 3]
 *
 * @since 0.1.0
 */
export const broadcastShapes = (...shapes: ReadonlyArray<ReadonlyArray<number>>): Array<number> => {
  for (const s of shapes) {
    if (!Array.isArray(s) || !s.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw argumentError("broadcast_shapes", "shapes", "arrays of non-negative integers", s)
    }
  }
  const rank = Math.max(0, ...shapes.map((s) => s.length))
  const out = new Array<number>(rank).fill(1)
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i
      const d = s[i]!
      if (d === out[j] || d === 1) continue
      if (out[j] === 1) out[j] = d
      else {
        throw new ShapeError({
          operation: "broadcast_shapes",
          detail: `Incompatible shapes for broadcasting: shapes=${shapes.map((x) => `(${x.join(", ")})`).join(", ")}`
        })
      }
    }
  }
  return out
}

/**
 * The high 32 bits of the 64-bit product of two int32 or uint32 tensors
 * (JAX's `lax.mulhi`): signed for int32, unsigned for uint32. Computed from
 * 16-bit halves, exactly.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([2 ** 20, -3], { dtype: "int32" })
 * const y = np.array([2 ** 20, 5], { dtype: "int32" })
 * console.log(toJsSync(lax.mulhi(x, y))) // [256, -1]
 *
 * @since 0.1.0
 */
export const mulhi = (x: Tensor, y: Tensor): Tensor => {
  const a = tensor("mulhi", x, "x")
  const b = tensor("mulhi", y, "y")
  if (a.dtype !== b.dtype || (a.dtype !== "int32" && a.dtype !== "uint32")) {
    throw new DTypeError({
      operation: "mulhi",
      detail: `operands must share dtype int32 or uint32, got ${a.dtype} and ${b.dtype}`
    })
  }
  if (a.shape.join(",") !== b.shape.join(",")) {
    throw new ShapeError({
      operation: "mulhi",
      detail: `operands must share a shape, got [${a.shape}] and [${b.shape}]`
    })
  }
  const signed = a.dtype === "int32"
  const ua = signed ? bitcastConvertType(a, "uint32") : a
  const ub = signed ? bitcastConvertType(b, "uint32") : b
  const k = (v: number) => lax.full(a.shape, v, "uint32")
  const lo = (t: Tensor) => lax.and(t, k(0xffff))
  const hi = (t: Tensor) => lax.shiftRightLogical(t, k(16))
  const [al, ah, bl, bh] = [lo(ua), hi(ua), lo(ub), hi(ub)]
  // every partial product is below 2^32, so uint32 arithmetic is exact
  const loLo = lax.mul(al, bl)
  const hiLo = lax.mul(ah, bl)
  const loHi = lax.mul(al, bh)
  const hiHi = lax.mul(ah, bh)
  const cross = lax.add(lax.add(hi(loLo), lo(hiLo)), loHi)
  let high = lax.add(lax.add(hiHi, hi(hiLo)), hi(cross))
  if (!signed) return high
  // signed: subtract y where x < 0 and x where y < 0 (two's complement, mod 2^32)
  const zero = k(0)
  const xNeg = lax.lt(a, lax.full(a.shape, 0, "int32"))
  const yNeg = lax.lt(b, lax.full(b.shape, 0, "int32"))
  high = lax.sub(high, lax.select(xNeg, ub, zero))
  high = lax.sub(high, lax.select(yNeg, ua, zero))
  return bitcastConvertType(high, "int32")
}

/**
 * Returns its argument unchanged (JAX's `lax.optimization_barrier`: a
 * scheduling hint to XLA; diffect's compiler does not reorder across calls,
 * so the identity is its meaning here).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.optimizationBarrier(np.array([1, 2])))) // [1, 2]
 *
 * @since 0.1.0
 */
export const optimizationBarrier = <T>(operand: T): T => operand

/** Options of `approxMaxK` / `approxMinK` (JAX's; the search is exact here). @since 0.1.0 */
export interface ApproxTopKOptions {
  /** The axis searched (default -1). */
  readonly reductionDimension?: number | undefined
  /** JAX's recall target (accepted; the result is exact, recall 1). */
  readonly recallTarget?: number | undefined
  readonly reductionInputSizeOverride?: number | undefined
  readonly aggregateToTopk?: boolean | undefined
}

const approx = (op: string, operand: Tensor, k: number, options: ApproxTopKOptions | undefined, max: boolean) => {
  checkOptions(op, options, {
    reductionDimension: integer,
    recallTarget: number,
    reductionInputSizeOverride: number,
    aggregateToTopk: boolean
  })
  const t = tensor(op, operand, "operand")
  if (t.ndim === 0) throw new ShapeError({ operation: op, detail: "operand must have at least one dimension" })
  const axis = checkAxis(op, options?.reductionDimension ?? -1, t.ndim)
  const last = t.ndim - 1
  const perm = [...t.shape.keys()]
  perm.splice(axis, 1)
  perm.push(axis)
  const moved = axis === last ? t : lax.transpose(t, perm)
  // min-k as max-k of an order-reversing map: negation (bitwise not for uint32, which has no negatives)
  const flip = (u: Tensor) => (t.dtype === "uint32" ? lax.not(u) : lax.neg(u))
  const keyed = max ? moved : flip(moved)
  const [values, indices] = lax.topK(keyed, k)
  const back = (u: Tensor) => {
    if (axis === last) return u
    const inv = new Array<number>(perm.length)
    perm.forEach((p, i) => (inv[p] = i))
    return lax.transpose(u, inv)
  }
  return [back(max ? values! : flip(values!)), back(indices!)] as const
}

/**
 * The `k` largest values along `reductionDimension` and their indices (JAX's
 * `lax.approx_max_k`). JAX's TPU kernel trades recall for speed; on CPUs and
 * GPUs JAX computes the exact top-k, and so does diffect (recall 1).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.approxMaxK(np.array([[1, 9, 3], [7, 2, 8]]), 2))) // [[[9, 3], [8, 7]], [[1, 2], [2, 0]]]
 *
 * @since 0.1.0
 */
export const approxMaxK = (operand: Tensor, k: number, options?: ApproxTopKOptions): readonly [Tensor, Tensor] =>
  approx("approx_max_k", operand, k, options, true)

/**
 * The `k` smallest values along `reductionDimension` and their indices (JAX's
 * `lax.approx_min_k`; exact here, as on JAX's CPU and GPU backends).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * console.log(toJsSync(lax.approxMinK(np.array([4, 1, 3]), 2))) // [[1, 3], [1, 2]]
 *
 * @since 0.1.0
 */
export const approxMinK = (operand: Tensor, k: number, options?: ApproxTopKOptions): readonly [Tensor, Tensor] =>
  approx("approx_min_k", operand, k, options, false)

type Reducer = (a: Tensor, b: Tensor) => Tensor

// JAX's monoid reducers: lax.add / mul / max / min / and / or with their identities.
const monoid = (computation: Reducer, init: number, dtype: DType) => {
  if (computation === lax.add && init === 0) return (x: Tensor, axes: ReadonlyArray<number>) => lax.reduceSum(x, axes)
  if (computation === lax.mul && init === 1) return (x: Tensor, axes: ReadonlyArray<number>) => lax.reduceProd(x, axes)
  if (computation === lax.max && init === (isInteger(dtype) ? (dtype === "uint32" ? 0 : -2147483648) : -Infinity)) {
    return (x: Tensor, axes: ReadonlyArray<number>) => lax.reduceMax(x, axes)
  }
  if (
    computation === lax.min && init === (isInteger(dtype) ? (dtype === "uint32" ? 4294967295 : 2147483647) : Infinity)
  ) {
    return (x: Tensor, axes: ReadonlyArray<number>) => lax.reduceMin(x, axes)
  }
  if (computation === lax.and && (dtype === "bool" ? init === 1 : init === -1)) return reduceAnd
  if (computation === lax.or && init === 0) return reduceOr
  return undefined
}

/**
 * Reduces `operand` over `dimensions` with `computation` starting from
 * `initValue` (JAX's `lax.reduce`). As JAX, `lax.add`, `lax.mul`, `lax.max`,
 * `lax.min`, `lax.and`, `lax.or` with their identity become the reduction
 * primitives; any other computation (associative and commutative, as XLA
 * requires of a reduction) is folded once from `initValue` over the reduced
 * elements, in row-major order. Several operands reduce together as a pytree
 * (one shape, each with its scalar initial value in a tree of the same
 * structure): `computation` gets two such trees and returns one (JAX's
 * variadic reduce, e.g. an argmax of values and indices).
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[1, 2, 3], [4, 5, 6]])
 * console.log(toJsSync(lax.reduce(x, 0, lax.add, [1]))) // [6, 15]
 * // a computation that is not a known monoid: folded, init first
 * console.log(toJsSync(lax.reduce(x, 1, (a, b) => lax.add(lax.mul(a, b), a), [0]))) // [10, 18, 28]
 * // a pytree of operands (JAX's test_reduce_correctly_works_with_pytrees)
 * const r = lax.reduce({ x: [np.ones([5]), np.arange(5)] }, { x: [0, 0] }, (a, b) => ({
 *   x: [lax.add(a.x[0]!, b.x[0]!), lax.add(a.x[1]!, b.x[1]!)]
 * }), [0])
 * console.log(toJsSync(r.x)) // [5, 10]
 *
 * @since 0.1.0
 */
export const reduce: {
  (
    operand: Tensor,
    initValue: number | Tensor,
    computation: (a: Tensor, b: Tensor) => MaybeEffect<Tensor>,
    dimensions: ReadonlyArray<number>
  ): Tensor
  <T>(
    operands: T,
    initValues: unknown,
    computation: (a: T, b: T) => MaybeEffect<T>,
    dimensions: ReadonlyArray<number>
  ): T
} = ((operand: unknown, initValue: unknown, computation: unknown, dimensions: ReadonlyArray<number>): unknown => {
  if (typeof computation !== "function") throw argumentError("reduce", "computation", "a function", computation)
  if (operand instanceof Tensor) {
    return reduceOne(operand, initValue as number | Tensor, computation as Reducer, dimensions)
  }
  return reduceTree(operand, initValue, computation as (a: unknown, b: unknown) => unknown, dimensions)
}) as never

const reduceAxes = (t: Tensor, dimensions: ReadonlyArray<number>): Array<number> => {
  if (!Array.isArray(dimensions)) throw argumentError("reduce", "dimensions", "an array of axes", dimensions)
  const axes = dimensions.map((d) => checkAxis("reduce", d, t.ndim))
  // JAX's _reduce_op_shape_rule: a repeated axis is an error, not reduced once
  const repeated = axes.find((d, i) => axes.indexOf(d) !== i)
  if (repeated !== undefined) {
    throw new ShapeError({
      operation: "reduce",
      detail: `duplicate value in 'axes' of reduction: [${dimensions.join(", ")}] (axis ${repeated})`
    })
  }
  return [...axes].sort((p, q) => p - q)
}

// An initial value as a scalar tensor of its operand's dtype.
const initOf = (t: Tensor, initValue: unknown): Tensor => {
  const init = typeof initValue === "number"
    ? lax.full([], initValue, t.dtype)
    : tensor("reduce", initValue, "init_values")
  if (init.ndim !== 0) {
    throw new DTypeError({
      operation: "reduce",
      detail: `reduce found non-scalar initial value: init_values must be scalars, got shape ${formatShape(init.shape)}`
    })
  }
  if (init.dtype !== t.dtype) {
    throw new DTypeError({
      operation: "reduce",
      detail: `init_values must be scalars of their operands' dtypes, got ${init.dtype} for a ${t.dtype} operand`
    })
  }
  return init
}

const reduceOne = (
  operand: Tensor,
  initValue: number | Tensor,
  computation: Reducer,
  dimensions: ReadonlyArray<number>
): Tensor => {
  const t = tensor("reduce", operand, "operand")
  const dims = reduceAxes(t, dimensions)
  const known = typeof initValue === "number" ? monoid(computation, initValue, t.dtype) : undefined
  if (known !== undefined) return known(t, dims)
  return fold(
    [t],
    [initOf(t, initValue)],
    dims,
    ([a], [b]) => [resolveOutput("reduce", computation(a!, b!)) as Tensor]
  )[0]!
}

const reduceTree = (
  operands: unknown,
  initValues: unknown,
  computation: (a: unknown, b: unknown) => unknown,
  dimensions: ReadonlyArray<number>
): unknown => {
  const [leaves, def] = Tree.flatten(operands)
  const [inits, initDef] = Tree.flatten(initValues)
  if (!Tree.treedefEquals(def, initDef)) {
    throw new TreeStructureError({
      operation: "reduce",
      path: "",
      detail: "Operands must have the same tree structure as init_values"
    })
  }
  const xs = leaves.map((x) => tensor("reduce", x, "operands"))
  if (xs.length === 0) throw argumentError("reduce", "operands", "a pytree of at least one tensor", operands)
  if (xs.some((x) => x.shape.join(",") !== xs[0]!.shape.join(","))) {
    throw new ShapeError({
      operation: "reduce",
      detail: `operands must have the same shape, got ${xs.map((x) => formatShape(x.shape)).join(", ")}`
    })
  }
  const dims = reduceAxes(xs[0]!, dimensions)
  const init = xs.map((x, i) => initOf(x, inits[i]))
  const combine = (a: ReadonlyArray<Tensor>, b: ReadonlyArray<Tensor>): ReadonlyArray<Tensor> => {
    const [out, outDef] = Tree.flatten(
      resolveOutput("reduce", computation(Tree.unflatten(def, a), Tree.unflatten(def, b)))
    )
    if (!Tree.treedefEquals(outDef, def)) {
      throw new TreeStructureError({
        operation: "reduce",
        path: "",
        detail: "the computation must return a pytree of the structure of the operands"
      })
    }
    return out.map((y, i) => {
      const v = tensor("reduce", y, "the computation's output")
      if (v.dtype !== a[i]!.dtype) {
        throw new DTypeError({
          operation: "reduce",
          detail: `the computation's output ${i} is ${v.dtype}, its operand ${a[i]!.dtype}`
        })
      }
      return v
    })
  }
  return Tree.unflatten(def, fold(xs, init, dims, combine))
}

// The reduced dimensions moved last and merged (row-major), then one fold from the initial values.
const fold = (
  xs: ReadonlyArray<Tensor>,
  init: ReadonlyArray<Tensor>,
  dims: ReadonlyArray<number>,
  combine: (a: ReadonlyArray<Tensor>, b: ReadonlyArray<Tensor>) => ReadonlyArray<Tensor>
): ReadonlyArray<Tensor> => {
  const shape = xs[0]!.shape
  const kept = [...shape.keys()].filter((d) => !dims.includes(d))
  const keptShape = kept.map((d) => shape[d]!)
  const total = dims.reduce((p, d) => p * shape[d]!, 1)
  const merged = xs.map((t) => lax.reshape(lax.transpose(t, [...kept, ...dims]), [...keptShape, total]))
  let acc: ReadonlyArray<Tensor> = init.map((v) => lax.broadcastInDim(v, keptShape, []))
  for (let i = 0; i < total; i++) {
    const start = [...keptShape.map(() => 0), i]
    const limit = [...keptShape, i + 1]
    acc = combine(acc, merged.map((m) => lax.reshape(lax.slice(m, start, limit, null), keptShape)))
  }
  return acc
}
