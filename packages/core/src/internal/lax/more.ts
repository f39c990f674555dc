/**
 * More of jax.lax: `empty`, `broadcastShapes`, `mulhi`, `optimizationBarrier`,
 * `approxMaxK`/`approxMinK` (JAX's exact fallback) and the generic `reduce`
 * (JAX's monoids to their reduction primitives, any other computation folded).
 *
 * @since 0.1.0
 */
import type { DType } from "../../DType.js"
import { isInteger } from "../../DType.js"
import { DTypeError, ShapeError } from "../../Errors.js"
import * as lax from "../../lax.js"
import { Tensor } from "../../Tensor.js"
import { argumentError, checkAxis, checkDTypeName } from "../../Validate.js"
import { bitcastConvertType } from "./bits.js"
import { reduceAnd, reduceOr } from "./extras.js"

const tensor = (op: string, u: unknown, name: string): Tensor => {
  if (u instanceof Tensor && Tensor.isGenuine(u)) return u
  throw argumentError(op, name, "a Tensor", u)
}

/**
 * A rank-0 value of `dtype` whose contents do not matter (JAX's `lax.empty`,
 * lowered to zeros).
 *
 * @example
 * import { lax, toJsSync } from "diffect"
 * console.log(toJsSync(lax.empty("int32"))) // 0
 *
 * @since 0.1.0
 */
export const empty = (dtype: DType): Tensor => lax.full([], 0, checkDTypeName("empty", dtype))

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
 * `initValue` (JAX's `lax.reduce` for one operand). As JAX, `lax.add`,
 * `lax.mul`, `lax.max`, `lax.min`, `lax.and`, `lax.or` with their identity
 * become the reduction primitives; any other computation (associative and
 * commutative, as XLA requires of a reduction) is folded once from
 * `initValue` over the reduced elements, in row-major order.
 *
 * @example
 * import { lax, np, toJsSync } from "diffect"
 * const x = np.array([[1, 2, 3], [4, 5, 6]])
 * console.log(toJsSync(lax.reduce(x, 0, lax.add, [1]))) // [6, 15]
 * // a computation that is not a known monoid: folded, init first
 * console.log(toJsSync(lax.reduce(x, 1, (a, b) => lax.add(lax.mul(a, b), a), [0]))) // [10, 18, 28]
 *
 * @since 0.1.0
 */
export const reduce = (
  operand: Tensor,
  initValue: number | Tensor,
  computation: Reducer,
  dimensions: ReadonlyArray<number>
): Tensor => {
  const t = tensor("reduce", operand, "operand")
  if (typeof computation !== "function") throw argumentError("reduce", "computation", "a function", computation)
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
  const dims = [...axes].sort((p, q) => p - q)
  const initNumber = typeof initValue === "number" ? initValue : undefined
  const known = initNumber === undefined ? undefined : monoid(computation, initNumber, t.dtype)
  if (known !== undefined) return known(t, dims)
  const init = typeof initValue === "number"
    ? lax.full([], initValue, t.dtype)
    : tensor("reduce", initValue, "init_values")
  if (init.ndim !== 0 || init.dtype !== t.dtype) {
    throw new DTypeError({
      operation: "reduce",
      detail: `init_values must be a scalar of the operand's dtype ${t.dtype}`
    })
  }
  // the reduced dimensions moved last and merged (row-major), then one fold from init over them
  const kept = [...t.shape.keys()].filter((d) => !dims.includes(d))
  const keptShape = kept.map((d) => t.shape[d]!)
  const total = dims.reduce((p, d) => p * t.shape[d]!, 1)
  const merged = lax.reshape(lax.transpose(t, [...kept, ...dims]), [...keptShape, total])
  let acc = lax.broadcastInDim(init, keptShape, [])
  for (let i = 0; i < total; i++) {
    const start = [...keptShape.map(() => 0), i]
    const limit = [...keptShape, i + 1]
    acc = computation(acc, lax.reshape(lax.slice(merged, start, limit, null), keptShape))
  }
  return acc
}
